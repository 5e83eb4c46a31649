//! `lm` against `scipy.optimize.least_squares(method="lm")` on NIST StRD nonlinear regression
//! problems, from `tests/reference/lm_refs.json` (written by `make_lm_refs.py` from the NIST
//! files in `tests/reference/nist/`; SciPy's version recorded there): the same parameters to
//! 1e-6 relative, and standard errors equal to NIST's certified ones to 1e-4 relative.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::expr::Expr;
use downhill::lsq::LeastSquares;
use downhill::optim::{Lm, LmConfig, LmInfo};
use downhill::run::{Method, Run, Status};
use serde_json::Value;

mod refjson;
use refjson::floats;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn lm_matches_scipy_and_the_certified_std_errors() {
    let refs: Value = serde_json::from_str(include_str!("reference/lm_refs.json")).unwrap();
    let cases = refs["cases"].as_array().unwrap();
    assert!(cases.len() >= 4, "at least four NIST problems");
    let (mut worst_x, mut worst_se) = (0.0_f64, 0.0_f64);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let mut vars: Vec<String> = c["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let k = vars.len();
        vars.push("x".into());
        let model = Expr::parse(c["model"].as_str().unwrap(), &vars).unwrap();
        let f = LeastSquares::curve_fit(model, k, floats(&c["x"]), floats(&c["y"])).unwrap();
        let mut cfg = LmConfig::default();
        let o = &c["options"];
        for (key, slot) in [
            ("ftol", &mut cfg.ftol),
            ("xtol", &mut cfg.xtol),
            ("gtol", &mut cfg.gtol),
        ] {
            if let Some(v) = o[key].as_f64() {
                *slot = v;
            }
        }
        let mut lm = Lm::new(cfg).unwrap();
        let steps = 10_000;
        let r = Run::new(&f, Method::Solver(&mut lm))
            .run(&floats(&c["x0"]), steps)
            .unwrap();
        assert_eq!(r.status, Status::Converged, "{name}: {:?}", r.notes);
        let info = lm.info().unwrap();
        assert_eq!(
            info.scipy_status() as i64,
            c["scipy_status"].as_i64().unwrap(),
            "{name}: {info:?}"
        );
        let (nfev, njev) = lm.counts();
        assert_eq!(
            nfev as u64,
            c["scipy_nfev"].as_u64().unwrap(),
            "{name} nfev"
        );
        assert_eq!(
            njev as u64,
            c["scipy_njev"].as_u64().unwrap(),
            "{name} njev"
        );
        // The run loop's own f(x0) comes on top of lm's residual evaluations.
        assert_eq!(
            r.evaluations.function,
            nfev + 1,
            "{name}: residual calls counted"
        );
        assert_eq!(r.evaluations.gradient, njev, "{name}: Jacobians counted");
        for (i, (&x, &s)) in r.x.iter().zip(&floats(&c["scipy_x"])).enumerate() {
            worst_x = worst_x.max(rel(x, s));
            assert!(rel(x, s) <= 1e-6, "{name} b{}: {x} vs SciPy {s}", i + 1);
        }
        let cost = c["scipy_cost"].as_f64().unwrap();
        assert!(rel(r.f, cost) <= 1e-9, "{name}: cost {} vs {cost}", r.f);
        let se = r.std_errors.as_ref().unwrap();
        for (i, (&s, &cert)) in se.iter().zip(&floats(&c["certified_std"])).enumerate() {
            worst_se = worst_se.max(rel(s, cert));
            assert!(
                rel(s, cert) <= 1e-4,
                "{name} σ{}: {s} vs NIST {cert}",
                i + 1
            );
        }
    }
    eprintln!(
        "{} NIST problems: max rel. difference to SciPy's x {worst_x:.1e}, to the certified \
         std errors {worst_se:.1e}",
        cases.len()
    );
}

/// `lm` without residuals stops at once, saying why; the run is not `converged`.
#[test]
fn lm_on_a_plain_objective_says_it_needs_residuals() {
    let f = downhill::problems::Rosenbrock;
    let mut lm = Lm::new(LmConfig::default()).unwrap();
    let steps = 10;
    let r = Run::new(&f, Method::Solver(&mut lm))
        .run(&[-1.2, 1.0], steps)
        .unwrap();
    assert_eq!(r.status, Status::MaxSteps);
    assert_eq!(r.steps, 0);
    assert_eq!(lm.info(), Some(LmInfo::BadInput));
    assert!(
        r.notes.iter().any(|n| n.contains("residuals")),
        "{:?}",
        r.notes
    );
    assert_eq!(r.x, vec![-1.2, 1.0]);
}

/// `max_nfev` ends the run as `max_steps` with SciPy's status 0.
#[test]
fn max_nfev_stops_without_converging() {
    let fs = ["10*(y - x^2)", "1 - x"]
        .iter()
        .map(|s| Expr::parse(s, &["x", "y"]).unwrap())
        .collect();
    let f = LeastSquares::from_formulas(fs).unwrap();
    let mut lm = Lm::new(LmConfig {
        max_nfev: Some(3),
        ..LmConfig::default()
    })
    .unwrap();
    let steps = 100;
    let r = Run::new(&f, Method::Solver(&mut lm))
        .run(&[-1.2, 1.0], steps)
        .unwrap();
    assert_eq!(lm.info(), Some(LmInfo::MaxNfev));
    assert_eq!(lm.counts().0, 3);
    assert_eq!(r.status, Status::MaxSteps);
    // And with the default budget it solves Rosenbrock's residuals exactly.
    let mut lm = Lm::new(LmConfig::default()).unwrap();
    let r = Run::new(&f, Method::Solver(&mut lm))
        .run(&[-1.2, 1.0], steps)
        .unwrap();
    assert_eq!(r.status, Status::Converged);
    assert!(
        (r.x[0] - 1.0).abs() < 1e-10 && (r.x[1] - 1.0).abs() < 1e-10,
        "{:?}",
        r.x
    );
}
