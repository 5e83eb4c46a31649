//! Seed 004, least squares: Levenberg–Marquardt fits a nonlinear curve to noisy data and
//! reports the parameters with their standard errors.

use downhill::expr::Expr;
use downhill::lsq::LeastSquares;
use downhill::optim::{Lm, LmConfig};
use downhill::run::{Method, Run, Status};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde_json::json;

use crate::tour::figure::{Chart, Figure, Series};
use crate::tour::Experiment;

/// The curve's true parameters (a, b, c) of `a·exp(−b·t) + c`.
const TRUE: [f64; 3] = [5.0, 0.7, 1.0];
const NAMES: [&str; 3] = ["a", "b", "c"];
/// Standard deviation of the noise on every observation.
const SIGMA: f64 = 0.2;
/// Number of observations, evenly spaced on t ∈ [0, 8].
const POINTS: usize = 40;

fn model(p: &[f64], t: f64) -> f64 {
    p[0] * (-p[1] * t).exp() + p[2]
}

/// The data: `(t, y)` with `y = a·exp(−b·t) + c + N(0, σ²)` noise from ChaCha8 seeded 4.
fn data() -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let noise = Normal::new(0.0, SIGMA).unwrap_or_else(|_| unreachable!("σ > 0"));
    let ts: Vec<f64> = (0..POINTS)
        .map(|i| 8.0 * i as f64 / (POINTS - 1) as f64)
        .collect();
    let ys = ts
        .iter()
        .map(|&t| model(&TRUE, t) + noise.sample(&mut rng))
        .collect();
    (ts, ys)
}

/// Data points as a series the line chart draws as dots: each point is a marked piece of zero
/// visible length, pieces separated by a non-finite point (which breaks the polyline).
fn dots(label: String, ts: &[f64], ys: &[f64]) -> Series {
    let (mut xs, mut vs) = (Vec::new(), Vec::new());
    for (&t, &y) in ts.iter().zip(ys) {
        xs.extend([t, t + 1e-9, f64::NAN]);
        vs.extend([y, y, f64::NAN]);
    }
    Series { label, xs, ys: vs }
}

fn lm_fits_a_curve() -> Experiment {
    let mut e = Experiment::new(
        "004",
        "lm-curve-fit",
        "Least squares: Levenberg–Marquardt fits a curve, with standard errors",
        "Forty points of y = a·exp(−b·t) + c with a = 5, b = 0.7, c = 1 and Gaussian noise (σ = 0.2, ChaCha8 seeded 4). Levenberg–Marquardt (lm, as SciPy's least_squares(method=\"lm\")) minimises ½‖r‖² over the residuals rᵢ = a·exp(−b·tᵢ) + c − yᵢ from (1, 0.1, 0), with the Jacobian from automatic differentiation. Each parameter comes with its standard error √(s²[(JᵀJ)⁻¹]ⱼⱼ), s² = ‖r‖²/(m − n): the spread of the estimate that the noise explains. The fitted parameters lie within three standard errors of the true ones, and s recovers the noise level σ.",
    );
    let (ts, ys) = data();
    let fitted = Expr::parse("a*exp(-b*t) + c", &["a", "b", "c", "t"])
        .ok()
        .and_then(|m| LeastSquares::curve_fit(m, 3, ts.clone(), ys.clone()).ok())
        .and_then(|f| {
            let mut lm = Lm::new(LmConfig::default()).ok()?;
            let r = Run::new(&f, Method::Solver(&mut lm))
                .run(&[1.0, 0.1, 0.0], 200)
                .ok()?;
            let se = r.std_errors.clone()?;
            Some((r, se))
        });
    let Some((r, se)) = fitted else {
        e.require(false, "the fit runs and gives standard errors");
        return e;
    };
    let m = POINTS as f64;
    let s = (2.0 * r.f / (m - 3.0)).sqrt();
    let mut legend = Vec::new();
    let mut within = true;
    for i in 0..3 {
        let z = (r.x[i] - TRUE[i]) / se[i];
        within &= z.abs() <= 3.0;
        e.value(&format!("{}: fitted", NAMES[i]), json!(r.x[i]));
        e.value(&format!("{}: standard error", NAMES[i]), json!(se[i]));
        e.value(
            &format!("{}: (fitted − true) / standard error", NAMES[i]),
            json!(z),
        );
        e.checks(&[&format!("{}: (fitted − true) / standard error", NAMES[i])]);
        legend.push(format!("{} = {:.3} ± {:.3}", NAMES[i], r.x[i], se[i]));
    }
    e.value("s = √(‖r‖²/(m − n))", json!(s));
    e.value("lm steps", json!(r.steps));
    e.expect(
        "a: (fitted − true) / standard error",
        "|z| ≤ 3 (each parameter)",
    )
    .expect("s = √(‖r‖²/(m − n))", "σ = 0.2 within 25%");
    e.require(
        r.status == Status::Converged,
        "lm stops on its own ftol/xtol/gtol test",
    )
    .require(
        within,
        "every fitted parameter is within 3 standard errors of the true one",
    )
    .require(
        (s / SIGMA - 1.0).abs() <= 0.25,
        "the residual standard deviation s recovers σ = 0.2 to 25%",
    )
    .checks(&["s = √(‖r‖²/(m − n))"]);
    let grid: Vec<f64> = (0..=200).map(|i| 8.0 * i as f64 / 200.0).collect();
    let curve = |p: &[f64]| grid.iter().map(|&t| model(p, t)).collect::<Vec<_>>();
    e.figure(Figure::Chart(Chart {
        title: "y = a·exp(−b·t) + c: noisy data and the Levenberg–Marquardt fit".into(),
        x_label: "t".into(),
        y_label: "y".into(),
        log_y: false,
        series: vec![
            dots(format!("data ({POINTS} points, σ = {SIGMA})"), &ts, &ys),
            Series {
                label: format!("fit: {}", legend.join(", ")),
                xs: grid.clone(),
                ys: curve(&r.x),
            },
            Series {
                label: "true curve: a = 5, b = 0.7, c = 1".into(),
                xs: grid.clone(),
                ys: curve(&TRUE),
            },
        ],
        marked: vec![0],
        ..Chart::default()
    }));
    e
}

/// The experiment, in report order.
pub(super) fn experiments() -> Vec<Experiment> {
    vec![lm_fits_a_curve()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_experiment_holds() {
        let e = super::lm_fits_a_curve();
        eprintln!("{:#?}", e.values);
        assert!(e.ok, "{}", e.check);
    }
}
