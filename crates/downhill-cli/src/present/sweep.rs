//! The table and the figures of `downhill sweep`.
//!
//! A point *diverged* when its run says so, when its final loss is not finite, or when the
//! final loss is above the first (a run that grew is unstable even if it stayed finite within
//! its steps). 1-D: the metric against the swept value (log₁₀ of it for `log_range`), one curve
//! per contender, diverged points marked. 2-D: a heat map of log₁₀ final loss (or steps to
//! tolerance) over the grid, diverged cells left blank and crossed; on a quadratic run with
//! `sgd` (no dampening) or `momentum`, the theory edge of `downhill::optim::stability::edge`
//! (heavy ball lr = 2(1 + β)/L, L the largest Hessian eigenvalue; β = 0 is GD's 2/L) is drawn
//! over it.

use downhill::optim::stability::{self, Method};
use downhill::problems;
use downhill::Objective;
use downhill_plot::{
    contour, line_chart, ContourOptions, Figure, Labels, LineOptions, Marker, Series, Series2d,
};
use serde_json::Value;

use crate::exit::CliError;
use downhill::spec::exec::sweep::Point;
use downhill::spec::run::{Problem, RunConfig};
use downhill::spec::sweep::{Axis, Kind, Sweep};

/// What the heat map (and the 1-D curve) shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    /// The final loss (f of a run, the final training loss of a training).
    #[default]
    Loss,
    /// Steps until the gradient norm fell to `[run] tolerance` (blank where never).
    Steps,
}

/// One contender's outcome at a point.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The contender's label (empty for a single run).
    pub label: String,
    /// Final loss.
    pub loss: f64,
    /// First loss (at the start).
    pub first: f64,
    /// Status word of the run.
    pub status: String,
    /// Steps to tolerance, when reached.
    pub steps: Option<f64>,
}

impl Outcome {
    /// Diverged, non-finite, or ended above where it started.
    pub fn diverged(&self) -> bool {
        self.status == "diverged" || !self.loss.is_finite() || self.loss > self.first
    }

    fn metric(&self, m: Metric) -> f64 {
        match m {
            Metric::Loss => self.loss,
            Metric::Steps => self.steps.unwrap_or(f64::NAN),
        }
    }
}

fn num(v: Option<&Value>) -> f64 {
    v.and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn outcome(label: String, o: &Value) -> Outcome {
    let status = o["status"].as_str().unwrap_or("").to_string();
    let (loss, first) = if o.get("f").is_some() {
        (num(o.get("f")), num(o["f_history"].get(0)))
    } else {
        (num(o.get("final_train_loss")), num(o["train_loss"].get(0)))
    };
    let steps = match o.get("steps_to_tolerance") {
        Some(s) => s.as_f64(),
        None => (status == "converged").then(|| num(o.get("steps"))),
    };
    Outcome {
        label,
        loss,
        first,
        status,
        steps,
    }
}

/// The outcomes of one point's result (one per contender of a comparison).
pub fn outcomes(kind: Kind, result: &Value) -> Vec<Outcome> {
    match kind {
        Kind::Compare => result["runs"]
            .as_array()
            .map(|runs| {
                runs.iter()
                    .map(|r| outcome(r["label"].as_str().unwrap_or("").to_string(), r))
                    .collect()
            })
            .unwrap_or_default(),
        _ => vec![outcome(String::new(), result)],
    }
}

/// Prints one line per point: the swept values, then status and final loss of each run.
pub fn print_table(sweep: &Sweep, points: &[Point]) {
    let widths: Vec<usize> = sweep
        .axes
        .iter()
        .map(|a| {
            a.values
                .iter()
                .map(|v| v.len())
                .chain([a.key.len()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let head: Vec<String> = sweep
        .axes
        .iter()
        .zip(&widths)
        .map(|(a, w)| format!("{:<w$}", a.key))
        .collect();
    println!(
        "{} sweep of {}: {} points",
        sweep.kind.command(),
        sweep.file,
        points.len()
    );
    println!("{}  result", head.join("  "));
    for (p, pt) in points.iter().enumerate() {
        let idx = sweep.indices(p);
        let cells: Vec<String> = sweep
            .axes
            .iter()
            .zip(&idx)
            .zip(&widths)
            .map(|((a, &i), w)| format!("{:<w$}", a.values[i]))
            .collect();
        let res: Vec<String> = outcomes(sweep.kind, &pt.result)
            .iter()
            .map(|o| {
                let mark = if o.diverged() { " DIVERGED" } else { "" };
                let label = if o.label.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", o.label)
                };
                format!("{label}{} loss {:.4e}{mark}", o.status, o.loss)
            })
            .collect();
        println!("{}  {}", cells.join("  "), res.join("; "));
    }
}

/// Plot coordinates of an axis' values (log₁₀ for `log_range`; indices for non-numbers).
fn coords(a: &Axis) -> (Vec<f64>, String) {
    match &a.numbers {
        Some(v) if a.log => (
            v.iter().map(|x| x.log10()).collect(),
            format!("log₁₀ {}", a.key),
        ),
        Some(v) => (v.clone(), a.key.clone()),
        None => (
            (0..a.values.len()).map(|i| i as f64).collect(),
            format!("{} (index of {})", a.key, a.values.join(", ")),
        ),
    }
}

/// The largest Hessian eigenvalue of a run's problem when it is a quadratic (the same Hessian at
/// x0 and two other points), by power iteration.
pub fn curvature(cfg: &RunConfig) -> Option<f64> {
    let f: Box<dyn Objective<f64>> = match &cfg.problem.problem {
        Problem::Builtin(name) => problems::by_name::<f64>(name).ok()?,
        Problem::Expression(e) => Box::new(downhill::diff::Ad::new(e.clone())),
        Problem::LeastSquares(p) => Box::new(p.objective.clone()),
    };
    let x0 = &cfg.problem.x0;
    let d = x0.len();
    if d == 0 || d > 64 {
        return None;
    }
    let at = |shift: f64| {
        let x: Vec<f64> = x0
            .iter()
            .enumerate()
            .map(|(i, v)| v + shift * (1.0 + i as f64))
            .collect();
        let mut h = vec![0.0; d * d];
        (f.hessian(&x, &mut h) && h.iter().all(|v| v.is_finite())).then_some(h)
    };
    let h = at(0.0)?;
    for s in [0.7, -1.3] {
        let o = at(s)?;
        if !h
            .iter()
            .zip(&o)
            .all(|(a, b)| (a - b).abs() <= 1e-9 * (1.0 + a.abs()))
        {
            return None;
        }
    }
    let mut v: Vec<f64> = (0..d).map(|i| 1.0 + 0.1 * i as f64).collect();
    let mut lambda = 0.0;
    for _ in 0..500 {
        let w: Vec<f64> = (0..d)
            .map(|i| (0..d).map(|j| h[i * d + j] * v[j]).sum())
            .collect();
        let n = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n == 0.0 {
            return None;
        }
        lambda = v.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
        v = w.iter().map(|x| x / n).collect();
    }
    (lambda > 0.0).then_some(lambda)
}

/// What the theory says about a run sweep: the curvature L of its quadratic, the momentum
/// method and β of its base config (`optim::stability::of_config`), and which axes are the
/// lr and the momentum.
#[derive(Clone, Copy)]
struct Theory {
    l: f64,
    method: Method,
    beta: f64,
    lr_axis: Option<usize>,
    momentum_axis: Option<usize>,
}

/// The theory of a run sweep on a quadratic with a method of `optim::stability`.
fn theory(sweep: &Sweep) -> Option<Theory> {
    if sweep.kind != Kind::Run {
        return None;
    }
    let cfg = downhill::spec::run::parse(&sweep.file, sweep.base()).ok()?;
    let l = curvature(&cfg)?;
    let (method, beta) = stability::of_config(&cfg.optimizer)?;
    let find = |name: &str| {
        sweep
            .axes
            .iter()
            .position(|a| a.key == name && a.numbers.is_some())
    };
    Some(Theory {
        l,
        method,
        beta,
        lr_axis: find("optimizer.lr"),
        momentum_axis: find("optimizer.momentum"),
    })
}

/// The figure of a finished sweep (1 or 2 swept keys).
pub fn figure(sweep: &Sweep, points: &[Point], metric: Metric) -> Result<Figure, CliError> {
    let per_point: Vec<Vec<Outcome>> = points
        .iter()
        .map(|p| outcomes(sweep.kind, &p.result))
        .collect();
    let labels: Vec<String> = per_point
        .first()
        .map(|o| o.iter().map(|c| c.label.clone()).collect())
        .unwrap_or_default();
    let what = match (metric, sweep.kind) {
        (Metric::Steps, _) => "steps to tolerance",
        (_, Kind::Run) => "final f",
        _ => "final training loss",
    };
    let fail = |e: downhill_plot::Error| CliError::failure(e);
    match sweep.axes.as_slice() {
        [a] => {
            let (xs, xl) = coords(a);
            let mut series = Vec::new();
            for (c, label) in labels.iter().enumerate() {
                let get = |p: &Vec<Outcome>| p.get(c).map_or(f64::NAN, |o| o.metric(metric));
                let ys: Vec<f64> = per_point.iter().map(get).collect();
                let name = if label.is_empty() {
                    what.to_string()
                } else {
                    label.clone()
                };
                series.push(Series::new(name, xs.clone(), ys));
            }
            let finite = series
                .iter()
                .flat_map(|s| s.ys.iter())
                .copied()
                .filter(|v| v.is_finite());
            let top = finite.clone().fold(f64::NAN, f64::max);
            let bottom = finite.fold(f64::NAN, f64::min);
            let marks: Vec<f64> = per_point
                .iter()
                .map(|p| {
                    if p.iter().any(Outcome::diverged) {
                        top
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            series.push(Series::new("diverged", xs.clone(), marks));
            let th = theory(sweep).filter(|t| t.lr_axis == Some(0));
            let edge = th.map_or(f64::NAN, |t| stability::edge(t.method, t.beta, t.l));
            if let (Some(t), true) = (th, edge.is_finite()) {
                let x = if a.log { edge.log10() } else { edge };
                series.push(Series::new(
                    format!("theory lr = {} = {edge:.4}", t.method.formula()),
                    vec![x, x],
                    vec![bottom, top],
                ));
            }
            let positive = series
                .iter()
                .flat_map(|s| s.ys.iter())
                .filter(|v| v.is_finite())
                .all(|&v| v > 0.0);
            let opts = LineOptions {
                labels: Labels::new(format!("sweep: {what}"), xl, what),
                log_y: metric == Metric::Loss && positive,
                markers: true,
                ..LineOptions::default()
            };
            line_chart(&series, &opts).map_err(fail)
        }
        [a, b] => {
            let mut maps = Vec::new();
            for (c, label) in labels.iter().enumerate() {
                maps.push(heat_map(sweep, &per_point, c, label, metric, what, (a, b))?);
            }
            if maps.len() == 1 {
                maps.pop().ok_or_else(|| CliError::failure("no figure"))
            } else {
                Figure::panels(maps, 2).map_err(fail)
            }
        }
        _ => Err(CliError::input(format!(
            "--plot draws a sweep over 1 or 2 keys; this one has {}",
            sweep.axes.len()
        ))),
    }
}

/// Cell edges around sorted-or-not centres `v`: the midpoints, half a cell beyond the ends.
fn edges(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let half = if v.len() > 1 {
        (hi - lo) / (v.len() - 1) as f64 / 2.0
    } else {
        0.5
    };
    (lo - half, hi + half)
}

/// The index of the centre of `v` nearest to `x`.
fn nearest(v: &[f64], x: f64) -> usize {
    let mut best = 0;
    for (i, c) in v.iter().enumerate() {
        if (c - x).abs() < (v[best] - x).abs() {
            best = i;
        }
    }
    best
}

fn heat_map(
    sweep: &Sweep,
    per_point: &[Vec<Outcome>],
    c: usize,
    label: &str,
    metric: Metric,
    what: &str,
    (a, b): (&Axis, &Axis),
) -> Result<Figure, CliError> {
    let (xs, xl) = coords(a);
    let (ys, yl) = coords(b);
    let cell = |i: usize, j: usize| per_point.get(i * ys.len() + j).and_then(|p| p.get(c));
    let log = metric == Metric::Loss;
    let value = |i: usize, j: usize| match cell(i, j) {
        Some(o) if !o.diverged() => {
            let m = o.metric(metric);
            if log {
                if m > 0.0 {
                    m.log10()
                } else {
                    f64::NAN
                }
            } else {
                m
            }
        }
        _ => f64::NAN,
    };
    let mut markers = Vec::new();
    for (i, &x) in xs.iter().enumerate() {
        for (j, &y) in ys.iter().enumerate() {
            if cell(i, j).is_some_and(Outcome::diverged) {
                let label = if markers.is_empty() { "diverged" } else { "" };
                markers.push(Marker {
                    label: label.into(),
                    point: (x, y),
                });
            }
        }
    }
    let mut paths = Vec::new();
    let th = theory(sweep).filter(|t| (t.lr_axis, t.momentum_axis) == (Some(0), Some(1)));
    if let Some(Theory { l, method, .. }) = th {
        let (ylo, yhi) = edges(&ys);
        let pts: Vec<(f64, f64)> = (0..=40)
            .filter_map(|k| {
                let beta = ylo + (yhi - ylo) * k as f64 / 40.0;
                let lr = stability::edge(method, beta, l);
                lr.is_finite()
                    .then(|| (if a.log { lr.log10() } else { lr }, beta))
            })
            .collect();
        paths.push(Series2d::new(
            format!("theory lr = {}, L = {l:.4}", method.formula()),
            pts,
        ));
    }
    let title = match (label.is_empty(), log) {
        (true, true) => format!("log₁₀ {what}"),
        (true, false) => what.to_string(),
        (false, true) => format!("{label}: log₁₀ {what}"),
        (false, false) => format!("{label}: {what}"),
    };
    let opts = ContourOptions {
        labels: Labels::new(title, xl, yl),
        levels: 0,
        grid: (8 * xs.len().max(ys.len())).clamp(90, 400),
        markers,
        max_dotted_points: 0,
        ..ContourOptions::default()
    };
    let f = |x: f64, y: f64| value(nearest(&xs, x), nearest(&ys, y));
    contour(&f, edges(&xs), edges(&ys), &paths, &opts).map_err(CliError::failure)
}

/// Prints the points (table or `--json`) and draws `--plot`.
pub fn finish(
    a: &crate::cli::SweepArgs,
    sweep: &Sweep,
    points: &[Point],
) -> crate::exit::CliResult {
    if let Some(out) = &a.plot {
        let fig = figure(sweep, points, a.metric)?;
        crate::present::plotting::write(&fig, out)?;
    }
    if a.json {
        println!("{}", downhill::spec::exec::sweep::points_json(points));
    } else {
        print_table(sweep, points);
    }
    Ok(0)
}
