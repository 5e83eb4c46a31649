//! Iso-lines of a function sampled on a grid (marching squares), chained into polylines.

use std::collections::HashMap;

/// A grid edge: (horizontal?, i, j) — horizontal edges join (i, j)–(i+1, j), vertical ones
/// (i, j)–(i, j+1).
type EdgeId = (bool, usize, usize);

/// Iso-line of `level` through the node grid, chained into polylines. Saddle cells are resolved
/// with the cell's centre value.
pub(crate) fn marching_squares(
    nodes: &[f64],
    centres: &[f64],
    xs: &[f64],
    ys: &[f64],
    level: f64,
) -> Vec<Vec<(f64, f64)>> {
    let n = xs.len();
    let v = |i: usize, j: usize| nodes[j * n + i];
    let mut pos: HashMap<EdgeId, (f64, f64)> = HashMap::new();
    let mut segs: Vec<(EdgeId, EdgeId)> = Vec::new();
    let lerp = |a: f64, b: f64| {
        let d = b - a;
        if d == 0.0 {
            0.5
        } else {
            ((level - a) / d).clamp(0.0, 1.0)
        }
    };
    for j in 0..n - 1 {
        for i in 0..n - 1 {
            // corners: 0 (i,j), 1 (i+1,j), 2 (i+1,j+1), 3 (i,j+1)
            let c = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)];
            if c.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let idx = c
                .iter()
                .enumerate()
                .fold(0usize, |m, (k, &x)| m | (usize::from(x > level) << k));
            if idx == 0 || idx == 15 {
                continue;
            }
            // edges: 0 bottom (0-1), 1 right (1-2), 2 top (3-2), 3 left (0-3)
            let edge = |e: usize| -> EdgeId {
                match e {
                    0 => (true, i, j),
                    1 => (false, i + 1, j),
                    2 => (true, i, j + 1),
                    _ => (false, i, j),
                }
            };
            let point = |e: usize| -> (f64, f64) {
                match e {
                    0 => (xs[i] + lerp(c[0], c[1]) * (xs[i + 1] - xs[i]), ys[j]),
                    1 => (xs[i + 1], ys[j] + lerp(c[1], c[2]) * (ys[j + 1] - ys[j])),
                    2 => (xs[i] + lerp(c[3], c[2]) * (xs[i + 1] - xs[i]), ys[j + 1]),
                    _ => (xs[i], ys[j] + lerp(c[0], c[3]) * (ys[j + 1] - ys[j])),
                }
            };
            let centre_high = centres[j * (n - 1) + i] > level;
            let pairs: &[(usize, usize)] = match idx {
                1 | 14 => &[(3, 0)],
                2 | 13 => &[(0, 1)],
                3 | 12 => &[(3, 1)],
                4 | 11 => &[(1, 2)],
                6 | 9 => &[(0, 2)],
                7 | 8 => &[(3, 2)],
                5 if centre_high => &[(3, 2), (0, 1)],
                5 => &[(3, 0), (1, 2)],
                10 if centre_high => &[(3, 0), (1, 2)],
                _ => &[(3, 2), (0, 1)],
            };
            for &(a, b) in pairs {
                let (ea, eb) = (edge(a), edge(b));
                pos.entry(ea).or_insert_with(|| point(a));
                pos.entry(eb).or_insert_with(|| point(b));
                segs.push((ea, eb));
            }
        }
    }
    chain(&segs, &pos)
}

/// Joins segments sharing an edge point into polylines.
fn chain(segs: &[(EdgeId, EdgeId)], pos: &HashMap<EdgeId, (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut at: HashMap<EdgeId, Vec<usize>> = HashMap::new();
    for (k, (a, b)) in segs.iter().enumerate() {
        at.entry(*a).or_default().push(k);
        at.entry(*b).or_default().push(k);
    }
    let mut used = vec![false; segs.len()];
    let mut out = Vec::new();
    let mut starts: Vec<EdgeId> = at
        .iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(e, _)| *e)
        .collect();
    starts.sort_unstable();
    let rest: Vec<EdgeId> = segs.iter().map(|s| s.0).collect();
    for start in starts.into_iter().chain(rest) {
        let mut cur = start;
        let mut line = Vec::new();
        while let Some(&k) = at.get(&cur).and_then(|v| v.iter().find(|&&k| !used[k])) {
            used[k] = true;
            if line.is_empty() {
                line.extend(pos.get(&cur).copied());
            }
            let (a, b) = segs[k];
            cur = if a == cur { b } else { a };
            line.extend(pos.get(&cur).copied());
        }
        if line.len() >= 2 {
            out.push(line);
        }
    }
    out
}
