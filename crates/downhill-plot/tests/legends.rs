//! Legends stay off the data: with the default position (`Best`), every figure kind with a
//! legend puts it where it covers none of the plotted lines, paths, markers and bars, when
//! some corner is free.
#![allow(clippy::unwrap_used)]

use downhill_plot::*;

/// A tag's numeric attribute.
fn num(tag: &str, name: &str) -> Option<f64> {
    let v = tag
        .split(&format!(" {name}=\""))
        .nth(1)?
        .split('"')
        .next()?;
    v.parse().ok()
}

/// The legend box (its white, 85 % opaque background) in canvas pixels.
fn legend_box(svg: &str) -> (f64, f64, f64, f64) {
    let tag = svg
        .split('<')
        .find(|t| t.starts_with("rect") && t.contains("opacity=\"0.85\" fill=\"#FFFFFF\""))
        .expect("a legend box");
    let (x, y) = (num(tag, "x").unwrap(), num(tag, "y").unwrap());
    (
        x,
        y,
        x + num(tag, "width").unwrap(),
        y + num(tag, "height").unwrap(),
    )
}

/// The plotted data in canvas pixels: polylines, circles and filled rectangles (as their
/// outline) in a series colour, each as a list of points along it (segments sampled).
fn data(svg: &str) -> Vec<Vec<(f64, f64)>> {
    let colours: Vec<String> = OKABE_ITO
        .iter()
        .map(|c| format!("#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2))
        .collect();
    let ours = |t: &str| colours.iter().any(|c| t.contains(c.as_str()));
    let mut out = Vec::new();
    for t in svg.split('<').filter(|t| ours(t)) {
        let corners: Vec<(f64, f64)> = if t.starts_with("polyline") {
            let pts = t
                .split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            pts.split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        } else if t.starts_with("circle") {
            vec![(num(t, "cx").unwrap(), num(t, "cy").unwrap())]
        } else if t.starts_with("rect") && !t.contains("fill=\"none\"") {
            let (x, y) = (num(t, "x").unwrap(), num(t, "y").unwrap());
            let (w, h) = (num(t, "width").unwrap(), num(t, "height").unwrap());
            vec![(x, y + h), (x, y), (x + w, y), (x + w, y + h)]
        } else {
            continue;
        };
        let mut line = corners.first().copied().into_iter().collect::<Vec<_>>();
        for w in corners.windows(2) {
            line.extend((1..=20).map(|k| {
                let t = f64::from(k) / 20.0;
                (
                    w[0].0 + t * (w[1].0 - w[0].0),
                    w[0].1 + t * (w[1].1 - w[0].1),
                )
            }));
        }
        out.push(line);
    }
    out
}

/// Whether the legend box covers any plotted point; swatches (elements wholly inside the
/// box) are the legend's own.
fn covered(svg: &str) -> Vec<(f64, f64)> {
    let (x0, y0, x1, y1) = legend_box(svg);
    let inside = |p: &(f64, f64)| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1;
    data(svg)
        .into_iter()
        .filter(|l| !l.iter().all(inside))
        .flat_map(|l| l.into_iter().filter(inside))
        .collect()
}

fn check(name: &str, fig: &Figure) {
    let svg = fig.to_svg().unwrap();
    let hits = covered(&svg);
    assert!(hits.is_empty(), "{name}: the legend covers {hits:?}");
}

/// Data through the upper right (the old fixed place of every legend).
fn rising(n: usize) -> Vec<(f64, f64)> {
    (0..=n)
        .map(|k| {
            let x = k as f64 / n as f64;
            (x, x.powi(6))
        })
        .collect()
}

#[test]
fn line_charts_keep_their_legend_off_the_curves() {
    let (xs, ys): (Vec<f64>, Vec<f64>) = rising(200).into_iter().unzip();
    let fig = line_chart(
        &[Series::new("x⁶", xs, ys)],
        &LineOptions {
            labels: Labels::new("rising", "x", "y"),
            vlines: vec![VLine::new("stop", 0.9)],
            ..LineOptions::default()
        },
    )
    .unwrap();
    check("lines", &fig);
}

#[test]
fn contours_keep_their_legend_off_the_paths_and_markers() {
    let path: Vec<(f64, f64)> = (0..40)
        .map(|k| {
            let s = 0.9f64.powi(k);
            (3.8 * s, 3.8 * s)
        })
        .collect();
    let opts = ContourOptions {
        markers: vec![Marker {
            label: "minimum".into(),
            point: (0.0, 0.0),
        }],
        ..ContourOptions::default()
    };
    let f = |x: f64, y: f64| x * x + y * y;
    let fig = contour(
        &f,
        (-4.0, 4.0),
        (-4.0, 4.0),
        &[Series2d::new("sgd", path)],
        &opts,
    );
    check("contour", &fig.unwrap());
}

#[test]
fn heat_maps_keep_their_legend_off_their_lines() {
    let xs: Vec<f64> = (0..10).map(f64::from).collect();
    let z: Vec<Vec<f64>> = xs
        .iter()
        .map(|&x| xs.iter().map(|&y| x + y).collect())
        .collect();
    let line = Series2d::new(
        "theory",
        (0..=9).map(|k| (f64::from(k), f64::from(k))).collect(),
    );
    let opts = HeatmapOptions {
        labels: Labels::new("sweep", "a", "b"),
        ..HeatmapOptions::default()
    };
    check("heatmap", &heatmap(&xs, &xs, &z, &[line], &opts).unwrap());
}

#[test]
fn histograms_keep_their_legend_off_the_bars() {
    // most samples to the right: the tall bars stand in the upper right
    let samples: Vec<f64> = (0..2000)
        .map(|k| 1.0 - (f64::from(k) / 2000.0).powi(3))
        .collect();
    let opts = HistogramOptions {
        labels: Labels::new("samples", "x", "density"),
        bins: 20,
        ..HistogramOptions::default()
    };
    check(
        "histogram",
        &histogram_density(&samples, None, &opts).unwrap(),
    );
}

#[test]
fn bar_charts_keep_their_legend_off_the_bars() {
    let cats: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let groups = [
        BarGroup::new("measured", vec![0.1, 0.2, 0.5, 1.0]),
        BarGroup::new("theory", vec![0.1, 0.25, 0.5, 0.9]),
    ];
    let fig = grouped_bar_chart(&cats, &groups, &Labels::new("bars", "", "v")).unwrap();
    check("bars", &fig);
}
