//! Every figure function: a well-formed SVG with escaped labels, a PNG, a multi-frame GIF.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic by design

use std::path::{Path, PathBuf};

use downhill_plot::*;

const EVIL: &str = "<script>alert(1)</script>";

fn out_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("downhill-plot")
        .join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small XML well-formedness check: balanced tags, quoted attributes, no raw `<` in text.
fn check_svg(svg: &str) {
    assert!(
        svg.starts_with("<svg"),
        "starts with <svg: {}",
        &svg[..40.min(svg.len())]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("<script"), "raw <script> in SVG");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "raw > in text: {text}");
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "< inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(svg.len() < 1_000_000, "SVG is {} bytes", svg.len());
}

/// Writes `fig` to `path` as its extension says, through the project's one writer (this crate
/// renders bytes and writes no files).
fn save(fig: &Figure, path: &Path) {
    let bytes = fig.render(Format::from_path(path).unwrap()).unwrap();
    downhill::io::write_atomic(path, &bytes).unwrap();
}

fn check_png(path: &std::path::Path) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
}

/// Writes SVG and PNG of `fig` under `name`, checks both, returns the SVG.
fn check_figure(fig: &Figure, name: &str) -> String {
    let dir = out_dir("figures");
    let svg = fig.to_svg().unwrap();
    check_svg(&svg);
    save(fig, &dir.join(format!("{name}.svg")));
    let png = dir.join(format!("{name}.png"));
    save(fig, &png);
    check_png(&png);
    assert_eq!(
        std::fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap(),
        svg
    );
    svg
}

fn sphere(x: f64, y: f64) -> f64 {
    x * x + y * y
}

fn rosenbrock(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

fn descent(lr: f64, steps: usize) -> Vec<(f64, f64)> {
    let mut p = (-3.0, 4.0);
    let mut out = vec![p];
    for _ in 0..steps {
        p = (p.0 - lr * 2.0 * p.0, p.1 - lr * 2.0 * p.1);
        out.push(p);
    }
    out
}

#[test]
fn contour_with_trajectories_and_escaped_labels() {
    let trajs = [
        Series2d::new(EVIL, descent(0.1, 30)),
        Series2d::new("lr = 0.005", descent(0.005, 100)),
        Series2d::new("lr = 10 (diverges)", descent(10.0, 20)),
    ];
    let opts = ContourOptions {
        labels: Labels::new(EVIL, "x₀", "x₁"),
        markers: vec![Marker {
            label: "minimum".into(),
            point: (0.0, 0.0),
        }],
        ..ContourOptions::default()
    };
    let fig = contour(&sphere, (-4.0, 4.0), (-4.0, 5.0), &trajs, &opts).unwrap();
    let svg = check_figure(&fig, "contour");
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(svg.contains("lr = 0.005"));
}

#[test]
fn contour_log_levels_on_rosenbrock() {
    let path: Vec<(f64, f64)> = (0..200)
        .map(|k| {
            let t = k as f64 / 199.0;
            (-1.5 + 2.5 * t, (-1.5 + 2.5 * t).powi(2))
        })
        .collect();
    let opts = ContourOptions {
        log_levels: true,
        labels: Labels::new("Rosenbrock (log levels)", "x", "y"),
        ..ContourOptions::default()
    };
    let fig = contour(
        &rosenbrock,
        (-2.0, 2.0),
        (-1.0, 3.0),
        &[Series2d::new("path", path)],
        &opts,
    )
    .unwrap();
    check_figure(&fig, "contour_log");
}

#[test]
fn long_trajectories_keep_svgs_small() {
    // 100 000 steps of a slow spiral into the minimum
    let pts: Vec<(f64, f64)> = (0..100_000)
        .map(|k| {
            let r = 3.0 * (-(k as f64) * 5e-5).exp();
            let a = k as f64 * 1e-3;
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let fig = contour(
        &sphere,
        (-4.0, 4.0),
        (-4.0, 4.0),
        &[Series2d::new("spiral", pts)],
        &ContourOptions::default(),
    )
    .unwrap();
    let svg = fig.to_svg().unwrap();
    check_svg(&svg);
    assert!(svg.len() < 600_000, "{} bytes", svg.len());
}

#[test]
fn contour_survives_nan_values_and_rejects_infinite_ranges() {
    let f = |x: f64, y: f64| if x > 0.0 { f64::NAN } else { x * y };
    let fig = contour(
        &f,
        (-1.0, 1.0),
        (-1.0, 1.0),
        &[Series2d::new("e", vec![])],
        &ContourOptions::default(),
    );
    check_figure(&fig.unwrap(), "contour_nan");
    let bad = contour(
        &f,
        (f64::NEG_INFINITY, 1.0),
        (-1.0, 1.0),
        &[],
        &ContourOptions::default(),
    );
    assert!(matches!(bad, Err(Error::Invalid(_))));
}

#[test]
fn loss_curves_on_log_axis_skip_zeros_negatives_and_nan() {
    let a: Vec<f64> = (0..300).map(|k| 100.0 * 0.95f64.powi(k)).collect();
    let mut b = a.clone();
    b[10] = 0.0;
    b[20] = -1.0;
    b[30] = f64::NAN;
    b[40] = f64::INFINITY;
    let c: Vec<f64> = (0..300).map(|k| 1.2f64.powi(k)).collect();
    let fig = loss_curves(
        &[
            Series::indexed(EVIL, a),
            Series::indexed("b", b),
            Series::indexed("diverging", c),
        ],
        true,
        "step",
        "f(x)",
    )
    .unwrap();
    let svg = check_figure(&fig, "loss_log");
    assert!(svg.contains("&lt;script&gt;"));
    // nothing drawable at all: still a figure, with a note
    let none = loss_curves(
        &[Series::indexed("z", vec![0.0, -1.0, f64::NAN])],
        true,
        "step",
        "f",
    )
    .unwrap();
    let svg = check_figure(&none, "loss_none");
    assert!(svg.contains("no positive finite values"));
    let empty = loss_curves(&[], false, "step", "f").unwrap();
    check_figure(&empty, "loss_empty");
}

#[test]
fn long_series_are_decimated_and_mismatched_lengths_rejected() {
    let ys: Vec<f64> = (0..200_000)
        .map(|k| 1.0 + (k as f64 * 0.01).sin())
        .collect();
    let opts = LineOptions {
        legend: LegendPosition::LowerLeft,
        markers: true,
        ..LineOptions::default()
    };
    let fig = line_chart(&[Series::indexed("long", ys)], &opts).unwrap();
    let svg = fig.to_svg().unwrap();
    check_svg(&svg);
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
    let bad = line_chart(
        &[Series::new("m", vec![0.0, 1.0], vec![1.0])],
        &LineOptions::default(),
    );
    assert!(matches!(bad, Err(Error::Invalid(_))));
}

#[test]
fn schedule_plot_with_and_without_momentum() {
    let lr: Vec<f64> = (0..100)
        .map(|k| 0.1 * (1.0 + (k as f64 * 0.1).cos()) / 2.0)
        .collect();
    let m: Vec<f64> = (0..100).map(|k| 0.85 + 0.1 * (k as f64 / 99.0)).collect();
    check_figure(&schedule_plot(&lr, None).unwrap(), "schedule");
    let both = schedule_plot(&lr, Some(&m)).unwrap();
    assert_eq!(both.size(), (800, 600));
    check_figure(&both, "schedule_momentum");
}

#[test]
fn quiver_of_seed_004() {
    let g = |x: f64, y: f64| (2.0 * x, 2.0 * y);
    let opts = QuiverOptions {
        markers: vec![Marker {
            label: EVIL.into(),
            point: (0.0, 0.0),
        }],
        ..QuiverOptions::default()
    };
    let fig = quiver(&g, (-2.0, 2.0), (-2.0, 2.0), 0.25, &opts).unwrap();
    let svg = check_figure(&fig, "quiver");
    assert!(svg.contains("&lt;script&gt;"));
    assert!(quiver(&g, (-2.0, 2.0), (-2.0, 2.0), 0.0, &opts).is_err());
    assert!(quiver(&g, (-2.0, 2.0), (-2.0, 2.0), 1e-4, &opts).is_err());
}

#[test]
fn surface_with_path() {
    let path = Series2d::new(EVIL, descent(0.1, 30));
    let fig = surface3d(
        &sphere,
        (-4.0, 4.0),
        (-4.0, 4.0),
        Some(&path),
        &SurfaceOptions::default(),
    )
    .unwrap();
    let svg = check_figure(&fig, "surface");
    assert!(svg.contains("&lt;script&gt;"));
}

#[test]
fn histogram_against_density() {
    // deterministic samples of a double well: a mixture placed by a low-discrepancy sequence
    let samples: Vec<f64> = (0..5000)
        .map(|k| {
            let u = (k as f64 * 0.618_033_988_75).fract();
            let side = if k % 2 == 0 { -1.0 } else { 1.0 };
            side + 0.3 * (u - 0.5) * 2.0
        })
        .collect();
    let density = |x: f64| (-(x * x - 1.0).powi(2) / 0.1).exp();
    let opts = HistogramOptions {
        sample_label: EVIL.into(),
        ..HistogramOptions::default()
    };
    let fig = histogram_density(&samples, Some(&density), &opts).unwrap();
    let svg = check_figure(&fig, "histogram");
    assert!(svg.contains("&lt;script&gt;"));
    let nan = histogram_density(&[f64::NAN], None, &HistogramOptions::default()).unwrap();
    check_figure(&nan, "histogram_nan");
}

#[test]
fn bar_chart_of_stable_learning_rates() {
    let bars = [
        Bar::new("standard", 0.66),
        Bar::new("Nesterov", 1.2),
        Bar::new(EVIL, 1.9),
        Bar::new("missing", f64::NAN),
    ];
    let fig = bar_chart(&bars, &Labels::new("Largest stable lr", "method", "lr")).unwrap();
    let svg = check_figure(&fig, "bars");
    assert!(svg.contains("&lt;script&gt;"));
}

#[test]
fn panels_side_by_side() {
    let a = loss_curves(
        &[Series::indexed("a", vec![3.0, 2.0, 1.0])],
        true,
        "step",
        "f",
    )
    .unwrap();
    let b = loss_curves(
        &[Series::indexed("b", vec![3.0, 1.0, 0.5])],
        false,
        "step",
        "f",
    )
    .unwrap();
    let p = Figure::panels(vec![a, b], 2).unwrap();
    assert_eq!(p.size(), (1600, 600));
    check_figure(&p, "panels");
    assert!(Figure::panels(vec![], 2).is_err());
}

#[test]
fn animation_has_many_frames() {
    let dir = out_dir("gif");
    let path = dir.join("descent.gif");
    let t = Series2d::new("lr = 0.1", descent(0.1, 30));
    let gif = animation_gif(&sphere, (-4.0, 4.0), (-4.0, 5.0), &t, 100).unwrap();
    downhill::io::write_atomic(&path, &gif).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::Indexed);
    let mut dec = opts.read_info(bytes.as_slice()).unwrap();
    let (mut frames, mut delay) = (0, 0);
    while let Some(f) = dec.read_next_frame().unwrap() {
        frames += 1;
        delay += f.delay as usize;
    }
    assert!(frames > 10, "{frames} frames");
    let anim = Animation::new(
        &sphere,
        (-4.0, 4.0),
        (-4.0, 5.0),
        &[t],
        &AnimationOptions::default(),
    )
    .unwrap();
    // the held final pictures are one frame with their delays summed
    assert_eq!(anim.frame_count(), frames + 4);
    assert_eq!(delay, 10 * anim.frame_count());
    let poster = dir.join("poster.png");
    downhill::io::write_atomic(&poster, &anim.frame_png(12).unwrap()).unwrap();
    check_png(&poster);
}

#[test]
fn writes_are_atomic_and_confined() {
    let dir = out_dir("atomic");
    let fig = bar_chart(&[Bar::new("a", 1.0)], &Labels::default()).unwrap();
    save(&fig, &dir.join("a.svg"));
    save(&fig, &dir.join("a.png"));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n == "a.svg" || n == "a.png"),
        "{names:?}"
    );
    let missing = dir.join("no-such-dir").join("a.svg");
    let svg = fig.render(Format::from_path(&missing).unwrap()).unwrap();
    assert!(matches!(
        downhill::io::write_atomic(&missing, &svg),
        Err(downhill::Error::Io { .. })
    ));
    assert!(matches!(
        Format::from_path(&dir.join("a.jpg")),
        Err(Error::Invalid(_))
    ));
    assert!(!dir.join("a.jpg").exists());
}

#[test]
fn grouped_bars_show_every_group() {
    use downhill_plot::{grouped_bar_chart, BarGroup};
    let cats: Vec<String> = ["heavy ball", "Nesterov", EVIL].map(String::from).to_vec();
    let groups = [
        BarGroup::new("measured", vec![1.9, 0.678, 1.0]),
        BarGroup::new("theory", vec![1.9, 0.679, f64::NAN]),
    ];
    let labels = Labels::new("Largest stable lr", "variant", "lr");
    let fig = grouped_bar_chart(&cats, &groups, &labels).unwrap();
    let svg = check_figure(&fig, "grouped_bars");
    assert!(svg.contains("measured") && svg.contains("theory"));
    assert!(svg.contains("&lt;script&gt;"));
    // both values of the first category are printed, even though they are equal
    assert_eq!(svg.matches("\n1.9\n").count(), 2);
}

/// The points of the first `<polyline>` whose tag contains every one of `needles`.
fn polyline_points(svg: &str, needles: &[&str]) -> Vec<(f64, f64)> {
    let tag = svg
        .split('<')
        .find(|t| t.starts_with("polyline") && needles.iter().all(|n| t.contains(n)))
        .unwrap_or_else(|| panic!("no polyline with {needles:?}"));
    let points = tag.split("points=\"").nth(1).unwrap().split('"').next();
    points
        .unwrap()
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

#[test]
fn svg_paths_carry_sub_pixel_coordinates() {
    let path = vec![(-3.0, 4.0), (-1.234, 1.777), (0.5, -0.25), (2.71, -3.05)];
    let opts = ContourOptions {
        legend: LegendPosition::Hidden,
        ..ContourOptions::default()
    };
    let fig = contour(
        &sphere,
        (-4.0, 4.0),
        (-4.0, 5.0),
        &[Series2d::new("p", path.clone())],
        &opts,
    )
    .unwrap();
    let svg = fig.to_svg().unwrap();
    check_svg(&svg);
    // shown at its nominal size, drawn on a canvas ten times larger
    let k = 10.0;
    assert!(
        svg.starts_with(r#"<svg width="800" height="600" viewBox="0 0 8000 6000""#),
        "{}",
        &svg[..80]
    );
    // where the path's points belong, in nominal pixels
    let f = fig.contour_frame().unwrap().unwrap();
    let at = |(x, y): (f64, f64)| {
        let u = (x - f.x_range.0) / (f.x_range.1 - f.x_range.0);
        let v = (y - f.y_range.0) / (f.y_range.1 - f.y_range.0);
        (
            f.left + u * (f.right - f.left),
            f.bottom - v * (f.bottom - f.top),
        )
    };
    let want: Vec<(f64, f64)> = path.iter().map(|&p| at(p)).collect();
    // snapping to whole pixels would miss some of them by more than the tolerance
    let off_grid = |v: f64| (v - v.round()).abs();
    assert!(want
        .iter()
        .any(|p| off_grid(p.0) > 0.2 || off_grid(p.1) > 0.2));
    let c = OKABE_ITO[0];
    let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
    // one polyline: the path's segments join
    let drawn = polyline_points(&svg, &[&stroke, "stroke-width=\"20\""]);
    assert_eq!(drawn.len(), want.len(), "{drawn:?}");
    for (d, w) in drawn.iter().zip(&want) {
        let (x, y) = (d.0 / k, d.1 / k);
        // a canvas pixel is a tenth of a nominal one; the frame is as exact
        assert!(
            (x - w.0).abs() <= 0.11 && (y - w.1).abs() <= 0.11,
            "({x}, {y}) drawn, ({}, {}) wanted",
            w.0,
            w.1
        );
    }
}
