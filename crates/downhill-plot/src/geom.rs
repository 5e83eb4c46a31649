//! Range and path helpers: sanitised ranges, clipping to the plot box, decimation.

use crate::error::{Error, Result};
use crate::{Range, Series2d};

/// A path in data coordinates.
pub(crate) type Polyline = Vec<(f64, f64)>;

/// The finite bounds of `values`, or `None` when none is finite.
pub(crate) fn bounds(values: impl IntoIterator<Item = f64>) -> Option<Range> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Refuses a non-finite bound of `x_range` or `y_range` for the `what` plot.
pub(crate) fn check_finite_ranges(what: &str, x_range: Range, y_range: Range) -> Result<()> {
    if !(x_range.0.is_finite()
        && x_range.1.is_finite()
        && y_range.0.is_finite()
        && y_range.1.is_finite())
    {
        return Err(Error::Invalid(format!(
            "{what} ranges must be finite, got x {x_range:?}, y {y_range:?}"
        )));
    }
    Ok(())
}

/// A usable axis range: finite, ordered, non-empty (a point is widened around itself).
pub(crate) fn sane((lo, hi): Range) -> Range {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    if hi - lo > 1e-12 * lo.abs().max(hi.abs()).max(1e-300) && (hi - lo).is_finite() {
        (lo, hi)
    } else {
        let w = (lo.abs() * 0.1).max(0.5);
        let (lo, hi) = (lo - w, lo + w);
        if (hi - lo).is_finite() {
            (lo, hi)
        } else {
            (-1e300, 1e300)
        }
    }
}

/// `r` widened by `frac` of its width on each side.
pub(crate) fn pad((lo, hi): Range, frac: f64) -> Range {
    let w = (hi - lo) * frac;
    sane((lo - w, hi + w))
}

/// A grid as a field `f(x, y)`: bilinear interpolation between its values, `z[j][i]` being the
/// value at `(xs[i], ys[j])` (`xs`, `ys` increasing); outside the grid the border values are
/// extended. Draws a sampled surface (a loss landscape) with [`contour`](crate::contour).
pub fn bilinear(xs: &[f64], ys: &[f64], z: &[Vec<f64>]) -> impl Fn(f64, f64) -> f64 + Send + Sync {
    let (xs, ys, z) = (xs.to_vec(), ys.to_vec(), z.to_vec());
    move |x, y| {
        let cell = |v: &[f64], t: f64| {
            let n = v.len();
            if n < 2 {
                return (0, 0.0);
            }
            let k = v.partition_point(|&p| p <= t).clamp(1, n - 1) - 1;
            let w = ((t - v[k]) / (v[k + 1] - v[k])).clamp(0.0, 1.0);
            (k, w)
        };
        let ((i, u), (j, w)) = (cell(&xs, x), cell(&ys, y));
        let at = |jj: usize, ii: usize| {
            z.get(jj.min(z.len().saturating_sub(1)))
                .and_then(|r| r.get(ii.min(r.len().saturating_sub(1))))
                .copied()
                .unwrap_or(f64::NAN)
        };
        let (z00, z10, z01, z11) = (at(j, i), at(j, i + 1), at(j + 1, i), at(j + 1, i + 1));
        (1.0 - w) * ((1.0 - u) * z00 + u * z10) + w * ((1.0 - u) * z01 + u * z11)
    }
}

/// Ranges (x, y) that hold every finite point of `series`, padded by 10 %, each at least
/// `min_half_width` either side of its centre. Used when the caller has no ranges of its own.
pub fn fit_ranges(series: &[Series2d], min_half_width: f64) -> (Range, Range) {
    let pts = || series.iter().flat_map(|s| s.points.iter().copied());
    let fit = |r: Option<Range>| {
        let (lo, hi) = pad(r.map_or((0.0, 0.0), sane), 0.1);
        let (c, h) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
        let h = h.max(min_half_width.abs()).max(1e-9);
        sane((c - h, c + h))
    };
    (
        fit(bounds(pts().filter(|p| p.1.is_finite()).map(|p| p.0))),
        fit(bounds(pts().filter(|p| p.0.is_finite()).map(|p| p.1))),
    )
}

/// Liang–Barsky: the part of segment `p → q` inside the box, if any.
pub(crate) fn clip_segment(
    p: (f64, f64),
    q: (f64, f64),
    xr: Range,
    yr: Range,
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pk, qk) in [
        (-dx, p.0 - xr.0),
        (dx, xr.1 - p.0),
        (-dy, p.1 - yr.0),
        (dy, yr.1 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None;
            }
        } else {
            let r = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0.is_nan() || t1.is_nan() || t0 > t1 {
        return None;
    }
    // Between two far-away points the segment's position near the box is lost to rounding
    // (relative error ~1e-16 of the coordinates): such a segment shows nothing real.
    let scale = p.0.abs().max(p.1.abs()).max(q.0.abs()).max(q.1.abs());
    if scale * 1e-12 > (xr.1 - xr.0).min(yr.1 - yr.0) {
        return None;
    }
    let clamp = |v: (f64, f64)| (v.0.clamp(xr.0, xr.1), v.1.clamp(yr.0, yr.1));
    // An end inside the box is returned as it is (`p + 1·(q − p)` may miss `q` by an ulp, and
    // the next segment, which starts at `q`, would then not join this one).
    let at = |t: f64| match t {
        0.0 => p,
        1.0 => q,
        _ => clamp((p.0 + t * dx, p.1 + t * dy)),
    };
    Some((at(t0), at(t1)))
}

/// The visible pieces of a polyline: non-finite points break it; segments are clipped to the box.
pub(crate) fn clip_polyline(points: &[(f64, f64)], xr: Range, yr: Range) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let inside = |p: &(f64, f64)| p.0 >= xr.0 && p.0 <= xr.1 && p.1 >= yr.0 && p.1 <= yr.1;
    if points.len() == 1 && finite(&points[0]) && inside(&points[0]) {
        return vec![vec![points[0]]];
    }
    for w in points.windows(2) {
        let (p, q) = (w[0], w[1]);
        let seg = if finite(&p) && finite(&q) {
            clip_segment(p, q, xr, yr)
        } else {
            None
        };
        match seg {
            Some((a, b)) => {
                if cur.last() != Some(&a) {
                    if !cur.is_empty() {
                        pieces.push(std::mem::take(&mut cur));
                    }
                    cur.push(a);
                }
                cur.push(b);
            }
            None => {
                if !cur.is_empty() {
                    pieces.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    pieces
}

/// `line` without the points closer than (`dx`, `dy`) to the last kept one (ends kept): a
/// visually lossless thinning of long trajectories when `dx`, `dy` are below a pixel.
pub(crate) fn thin(line: &[(f64, f64)], dx: f64, dy: f64) -> Polyline {
    let mut out: Polyline = Vec::with_capacity(line.len().min(4096));
    for (k, &p) in line.iter().enumerate() {
        let keep = match out.last() {
            None => true,
            Some(q) => k + 1 == line.len() || (p.0 - q.0).abs() > dx || (p.1 - q.1).abs() > dy,
        };
        if keep {
            out.push(p);
        }
    }
    out
}

/// A polyline split where it turns back by more than 120°: thick-line renderers draw miter
/// joins there as long spikes (a diverging run that oscillates across the minimum).
pub(crate) fn split_sharp_turns(line: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for (k, &p) in line.iter().enumerate() {
        cur.push(p);
        if let (Some(&a), Some(&c)) = (k.checked_sub(1).and_then(|i| line.get(i)), line.get(k + 1))
        {
            let (u, v) = ((p.0 - a.0, p.1 - a.1), (c.0 - p.0, c.1 - p.1));
            let (nu, nv) = (u.0.hypot(u.1), v.0.hypot(v.1));
            if nu > 0.0 && nv > 0.0 && (u.0 * v.0 + u.1 * v.1) / (nu * nv) < -0.5 {
                out.push(std::mem::replace(&mut cur, vec![p]));
            }
        }
    }
    if cur.len() > 1 || (out.is_empty() && !cur.is_empty()) {
        out.push(cur);
    }
    out
}

/// At most about `2 * buckets` points of a long curve, keeping each bucket's extremes in order.
pub(crate) fn decimate(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * buckets || buckets == 0 {
        return points.to_vec();
    }
    let per = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(2 * buckets + 2);
    for chunk in points.chunks(per) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        let (a, b) = (lo.min(hi), lo.max(hi));
        out.push(chunk[a]);
        if b != a {
            out.push(chunk[b]);
        }
    }
    if let (Some(l), Some(o)) = (points.last(), out.last()) {
        if l != o {
            out.push(*l);
        }
    }
    out
}

/// A short human tick label: plain for moderate magnitudes, scientific otherwise.
pub(crate) fn tick(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        s.replace(".0e", "e")
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// `v` as 0 when it is a rounding residue of zero on an axis through zero: `|v|` below 1e-9 of
/// the span of `range` when `range` contains 0 (so a tick at −3.5e-18 reads "0"; a log axis
/// never contains 0, so its small ticks are kept).
pub(crate) fn snap_zero(v: f64, (lo, hi): Range) -> f64 {
    if lo < 0.0 && hi > 0.0 && v.abs() < 1e-9 * (hi - lo) {
        0.0
    } else {
        v
    }
}

/// A tick label with two significant digits (`0.27`, `1.7`, `69`, `7.9e-4`): for colour-bar
/// ticks placed by colour rather than at round values.
pub(crate) fn tick_short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() {
        return tick(v);
    }
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}").replace(".0e", "e");
    }
    let decimals = (1 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residues_of_zero_snap_on_axes_through_zero_only() {
        assert_eq!(snap_zero(-3.5e-18, (-1.0, 1.0)), 0.0);
        assert_eq!(snap_zero(1e-18, (1e-20, 1.0)), 1e-18);
        assert_eq!(snap_zero(0.25, (-1.0, 1.0)), 0.25);
    }

    #[test]
    fn short_ticks_have_two_significant_digits() {
        let got: Vec<String> = [0.2669, 68.56, 1.7163, 7.9e-4, 0.0, 250.0]
            .iter()
            .map(|&v| tick_short(v))
            .collect();
        assert_eq!(got, ["0.27", "69", "1.7", "7.9e-4", "0", "250"]);
    }

    #[test]
    fn sane_ranges() {
        assert_eq!(sane((1.0, 0.0)), (0.0, 1.0));
        assert_eq!(sane((2.0, 2.0)), (1.5, 2.5));
        assert_eq!(sane((f64::NAN, f64::NAN)), (0.0, 1.0));
        let (lo, hi) = sane((f64::NEG_INFINITY, 3.0));
        assert!(lo < 3.0 && hi > 3.0);
        let (lo, hi) = sane((-f64::MAX, f64::MAX));
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
    }

    #[test]
    fn clipping_cuts_at_the_box_and_breaks_at_nan() {
        let b = (0.0, 1.0);
        let s = clip_segment((-1.0, 0.5), (2.0, 0.5), b, b).unwrap();
        assert_eq!(s, ((0.0, 0.5), (1.0, 0.5)));
        assert!(clip_segment((2.0, 2.0), (3.0, 3.0), b, b).is_none());
        let pts = [
            (0.1, 0.1),
            (0.2, 0.2),
            (f64::NAN, 0.0),
            (0.3, 0.3),
            (0.4, 0.4),
        ];
        assert_eq!(clip_polyline(&pts, b, b).len(), 2);
        let far = [(0.5, 0.5), (1e12, -1e12)];
        let p = clip_polyline(&far, b, b);
        assert_eq!(p.len(), 1);
        assert!(p[0].iter().all(|q| q.0 <= 1.0 && q.1 >= 0.0));
        // both ends astronomically far: nothing trustworthy to draw
        let diverged = [
            (57.0 * 19f64.powi(20), -76.0 * 19f64.powi(20)),
            (-3e27, 4e27),
        ];
        assert!(clip_polyline(&diverged, b, b).is_empty());
    }

    #[test]
    fn thinning_keeps_ends_and_spread_points() {
        let line: Vec<(f64, f64)> = (0..=1000).map(|k| (k as f64 * 1e-3, 0.0)).collect();
        let t = thin(&line, 0.01, 0.01);
        assert_eq!(t.first(), line.first());
        assert_eq!(t.last(), line.last());
        assert!(t.len() > 50 && t.len() < 150, "{}", t.len());
    }

    #[test]
    fn reversals_split_the_line() {
        let zigzag = [(0.0, 0.0), (1.0, 0.0), (0.0, 0.0), (1.0, 0.0)];
        assert_eq!(split_sharp_turns(&zigzag).len(), 3);
        let bend = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)];
        assert_eq!(split_sharp_turns(&bend).len(), 1);
        assert_eq!(split_sharp_turns(&[(0.0, 0.0)]).len(), 1);
    }

    #[test]
    fn decimation_keeps_extremes_and_ends() {
        let pts: Vec<_> = (0..10_000)
            .map(|i| (i as f64, ((i * 7919) % 1000) as f64))
            .collect();
        let d = decimate(&pts, 100);
        assert!(d.len() <= 202);
        assert_eq!(d.first(), pts.first());
        assert_eq!(d.last(), pts.last());
        assert!(d.iter().any(|p| p.1 == 999.0) && d.iter().any(|p| p.1 == 0.0));
    }

    #[test]
    fn fit_ranges_hold_points_and_ignore_nan() {
        let s = [Series2d::new(
            "a",
            vec![(-3.0, 4.0), (0.0, 0.0), (f64::NAN, 1e9)],
        )];
        let (xr, yr) = fit_ranges(&s, 1.0);
        assert!(xr.0 < -3.0 && xr.1 > 0.0 && yr.0 < 0.0 && yr.1 > 4.0 && yr.1 < 10.0);
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(1e-6), "1e-6");
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(0.0), "0");
    }
}
