//! L-BFGS-B against `scipy.optimize.minimize(method="L-BFGS-B")` on bounded problems, from
//! `tests/reference/lbfgsb_refs.json` (written by `make_lbfgsb_refs.py`; SciPy's version is
//! recorded there). Acceptance: with tight tolerances the solution equals SciPy's to ≤ 1e-5
//! relative, or is at least as good and satisfies the KKT conditions (projected gradient
//! ≤ 1e-6). With the default options the evaluation counts are printed beside SciPy's.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{Lbfgsb, LbfgsbConfig, Solver};
use downhill::problems::{by_name, Bounds};
use downhill::run::{solve_bounded, RunOptions, Status};
use serde_json::Value;

fn refs() -> Value {
    let raw = include_str!("reference/lbfgsb_refs.json");
    serde_json::from_str(raw).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn bounds(v: &Value) -> Bounds {
    let pairs: Vec<[f64; 2]> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let lo = p[0].as_f64().unwrap_or(f64::NEG_INFINITY);
            let hi = p[1].as_f64().unwrap_or(f64::INFINITY);
            [lo, hi]
        })
        .collect();
    Bounds::new(&pairs).unwrap()
}

/// Runs `cfg` to its own stopping rule: (x, f, iterations, evaluations, ‖proj g‖∞).
fn run(case: &Value, cfg: LbfgsbConfig) -> (Vec<f64>, f64, usize, usize, f64) {
    let f = by_name::<f64>(case["function"].as_str().unwrap()).unwrap();
    let b = bounds(&case["bounds"]);
    let x0 = floats(&case["x0"]);
    let mut s = Lbfgsb::<f64>::new(cfg.clone()).unwrap();
    let opts = RunOptions {
        steps: 10_000,
        tolerance: None,
    };
    let r = solve_bounded(f.as_ref(), &mut s, &x0, &opts, Some(&b))
        .unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
    assert_eq!(r.status, Status::Converged, "{}", case["name"]);
    assert!(
        r.trajectory.iter().all(|x| b.contains(x)),
        "{}",
        case["name"]
    );
    assert!(s.converged());
    let pg = s.projected_gradient_norm();
    (r.x, r.f, r.iterations.unwrap(), r.evaluations.gradient, pg)
}

#[test]
fn lbfgsb_matches_scipy_on_bounded_problems() {
    let refs = refs();
    let cases = refs["cases"].as_array().unwrap();
    assert!(cases.iter().any(|c| c["where"] == "boundary"));
    assert!(cases.iter().any(|c| c["where"] == "inside"));
    assert!(cases.iter().any(|c| c["x0"].as_array().unwrap().len() >= 6));
    eprintln!(
        "SciPy {}: {:<28} {:>5} {:>5}   {:>6} {:>7}",
        refs["scipy"], "case", "nit", "nfev", "sp nit", "sp nfev"
    );
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let tight = LbfgsbConfig {
            pgtol: 1e-11,
            factr: 1e-15 / f64::EPSILON,
            ..Default::default()
        };
        let (x, fx, _, _, pg) = run(c, tight);
        let want = floats(&c["tight"]["x"]);
        let fwant = c["tight"]["fun"].as_f64().unwrap();
        let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let dx = x
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let equal = dx <= 1e-5 * scale;
        let as_good = pg <= 1e-6 && fx <= fwant + 1e-12 * (1.0 + fwant.abs());
        assert!(
            equal || as_good,
            "{name}: x = {x:?} (SciPy {want:?}), f = {fx:e} (SciPy {fwant:e}), ‖pg‖ = {pg:e}"
        );
        let (xd, fd, nit, nfev, _) = run(c, LbfgsbConfig::default());
        let d = &c["default"];
        let fsp = d["fun"].as_f64().unwrap();
        // default tolerances: the same minimiser, to the accuracy SciPy's defaults reach
        let dxd = xd
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(dxd <= 1e-3 * scale, "{name}: default run ends at {xd:?}");
        assert!(
            fd <= fsp + 1e-6 * (1.0 + fsp.abs()),
            "{name}: f = {fd:e}, SciPy {fsp:e}"
        );
        eprintln!(
            "{name:<42} {nit:>5} {nfev:>5}   {:>6} {:>7}",
            d["nit"], d["nfev"]
        );
    }
}

#[test]
fn without_bounds_it_is_plain_lbfgs() {
    let f = by_name::<f64>("rosenbrock").unwrap();
    let mut s = Lbfgsb::<f64>::new(LbfgsbConfig::default()).unwrap();
    let opts = RunOptions {
        steps: 1000,
        tolerance: None,
    };
    let r = downhill::run::solve(f.as_ref(), &mut s, &[-1.2, 1.0], &opts);
    assert_eq!(r.status, Status::Converged);
    assert!(
        (r.x[0] - 1.0).abs() < 1e-4 && (r.x[1] - 1.0).abs() < 1e-4,
        "{:?}",
        r.x
    );
    assert!(s.projected_gradient_norm() <= 1e-5);
}
