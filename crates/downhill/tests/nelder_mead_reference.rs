//! Nelder–Mead against `scipy.optimize.minimize(method="Nelder-Mead")`, from
//! `tests/reference/nelder_mead_refs.json` (written by `make_nelder_mead_refs.py`; SciPy's
//! version recorded there): the same final simplex vertex, iterations and evaluations. And the
//! acceptance case: Rosenbrock's (1, 1) within 1e-4 from (−1.2, 1).

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{NelderMead, NelderMeadConfig, Solver};
use downhill::problems::Rosenbrock;
use downhill::run::{Method, Run, Status};
use serde_json::Value;

mod refjson;
use refjson::{bounds, floats, objective};

const STEPS: usize = 20_000;

fn refs() -> Value {
    serde_json::from_str(include_str!("reference/nelder_mead_refs.json")).unwrap()
}

fn budget(c: &Value, key: &str) -> Option<usize> {
    c[key].as_u64().map(|v| v as usize)
}

/// Every case, the budget-ended ones included: SciPy's x, nit, nfev and ending.
#[test]
fn nelder_mead_matches_scipy() {
    let refs = refs();
    for c in refs["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let f = objective(c);
        let cfg = NelderMeadConfig {
            xatol: c["xatol"].as_f64().unwrap(),
            fatol: c["fatol"].as_f64().unwrap(),
            adaptive: c["adaptive"].as_bool().unwrap(),
            maxiter: budget(c, "maxiter"),
            maxfev: budget(c, "maxfev"),
        };
        let mut s = NelderMead::<f64>::new(cfg).unwrap();
        let b = c["bounds"].as_array().map(|_| bounds(&c["bounds"]));
        let x0 = floats(&c["x0"]);
        let r = Run::new(f.as_ref(), Method::Solver(&mut s))
            .bounds(b.as_ref())
            .run(&x0, STEPS)
            .unwrap();
        let (status, stopped_by) = match c["message"].as_str().unwrap() {
            "Optimization terminated successfully." => (Status::Converged, "xatol_fatol"),
            m if m.contains("function evaluations") => (Status::MaxSteps, "maxfev"),
            m if m.contains("iterations") => (Status::MaxSteps, "maxiter"),
            m => panic!("{name}: SciPy says {m}"),
        };
        assert_eq!(
            (r.status, r.stopped_by),
            (status, Some(stopped_by)),
            "{name}"
        );
        assert_eq!(s.converged(), status == Status::Converged, "{name}");
        assert_eq!(s.nit(), c["nit"].as_u64().unwrap() as usize, "{name}");
        if let Some(b) = &b {
            assert!(r.trajectory.iter().all(|x| b.contains(x)), "{name}");
            assert!(s.simplex().iter().all(|v| b.contains(v)), "{name}");
        }
        let want = floats(&c["x"]);
        for (a, w) in r.x.iter().zip(&want) {
            assert!(
                (a - w).abs() <= 1e-12 * w.abs().max(1.0),
                "{name}: {:?} vs {want:?}",
                r.x
            );
        }
        // SciPy's nit counts from 1
        let nit = c["nit"].as_u64().unwrap() as usize;
        assert_eq!(r.iterations, Some(nit - 1), "{name}");
        let nfev = c["nfev"].as_u64().unwrap() as usize;
        // the run loop evaluates f(x0) once itself
        assert_eq!(r.evaluations.function - 1, nfev, "{name}");
        eprintln!("{name:<28} nit {nit:>4} nfev {nfev:>5}: identical");
    }
}

#[test]
fn rosenbrock_from_the_classic_start_ends_within_1e_4_of_the_minimum() {
    let mut s = NelderMead::<f64>::new(NelderMeadConfig::default()).unwrap();
    let r = Run::new(&Rosenbrock, Method::Solver(&mut s))
        .run(&[-1.2, 1.0], STEPS)
        .unwrap();
    assert_eq!(r.status, Status::Converged);
    assert!(
        (r.x[0] - 1.0).abs() <= 1e-4 && (r.x[1] - 1.0).abs() <= 1e-4,
        "{:?}",
        r.x
    );
}

/// Issue 29 item 5: SciPy's defaults, `adaptive = false` and `maxiter = maxfev = 200·n`. Meyer
/// (n = 3) stops after exactly 600 evaluations, as SciPy does, instead of running on.
#[test]
fn nelder_mead_defaults_are_scipys_and_end_at_200_n_evaluations() {
    let d = NelderMeadConfig::default();
    assert!(!d.adaptive);
    assert_eq!((d.maxiter, d.maxfev), (None, None));
    assert_eq!(d.budgets(3), (600, 600));
    let refs = refs();
    let c = refs["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "meyer_defaults")
        .unwrap();
    let mut s = NelderMead::<f64>::new(NelderMeadConfig::default()).unwrap();
    let r = Run::new(objective(c).as_ref(), Method::Solver(&mut s))
        .run(&floats(&c["x0"]), STEPS)
        .unwrap();
    assert_eq!((r.status, r.stopped_by), (Status::MaxSteps, Some("maxfev")));
    assert_eq!(r.evaluations.function - 1, 600);
    assert_eq!(c["nfev"], 600);
}
