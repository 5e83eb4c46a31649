//! Nelder–Mead against `scipy.optimize.minimize(method="Nelder-Mead")`, from
//! `tests/reference/nelder_mead_refs.json` (written by `make_nelder_mead_refs.py`; SciPy's
//! version recorded there): the same final simplex vertex, iterations and evaluations. And the
//! acceptance case: Rosenbrock's (1, 1) within 1e-4 from (−1.2, 1).

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{NelderMead, NelderMeadConfig, Solver};
use downhill::problems::{by_name, Bounds, Rosenbrock};
use downhill::run::{solve, solve_bounded, RunOptions, Status};
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn opts() -> RunOptions {
    RunOptions {
        steps: 20_000,
        tolerance: None,
    }
}

#[test]
fn nelder_mead_matches_scipy() {
    let refs: Value =
        serde_json::from_str(include_str!("reference/nelder_mead_refs.json")).unwrap();
    for c in refs["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let f = by_name::<f64>(c["function"].as_str().unwrap()).unwrap();
        let cfg = NelderMeadConfig {
            xatol: c["xatol"].as_f64().unwrap(),
            fatol: c["fatol"].as_f64().unwrap(),
            adaptive: c["adaptive"].as_bool().unwrap(),
        };
        let mut s = NelderMead::<f64>::new(cfg).unwrap();
        let b = c["bounds"].as_array().map(|pairs| {
            let p: Vec<[f64; 2]> = pairs
                .iter()
                .map(|p| {
                    [
                        p[0].as_f64().unwrap_or(f64::NEG_INFINITY),
                        p[1].as_f64().unwrap_or(f64::INFINITY),
                    ]
                })
                .collect();
            Bounds::new(&p).unwrap()
        });
        let x0 = floats(&c["x0"]);
        let r = solve_bounded(f.as_ref(), &mut s, &x0, &opts(), b.as_ref()).unwrap();
        assert_eq!(r.status, Status::Converged, "{name}");
        assert!(s.converged());
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
    let r = solve(&Rosenbrock, &mut s, &[-1.2, 1.0], &opts());
    assert_eq!(r.status, Status::Converged);
    assert!(
        (r.x[0] - 1.0).abs() <= 1e-4 && (r.x[1] - 1.0).abs() <= 1e-4,
        "{:?}",
        r.x
    );
}
