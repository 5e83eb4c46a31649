//! L-BFGS-B against `scipy.optimize.minimize(method="L-BFGS-B")` on bounded problems, from
//! `tests/reference/lbfgsb_refs.json` (written by `make_lbfgsb_refs.py`; SciPy's version is
//! recorded there). Acceptance: with tight tolerances the solution equals SciPy's to ≤ 1e-5
//! relative, or is at least as good and satisfies the KKT conditions (projected gradient
//! ≤ 1e-6). With the default options the evaluation counts are printed beside SciPy's.
//! Unbounded, on the Moré–Garbow–Hillstrom problems (`tests/mgh`), against
//! `tests/reference/lbfgsb_mgh_refs.json` (`make_lbfgsb_mgh_refs.py`).

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use downhill::optim::{Lbfgsb, LbfgsbConfig, Solver};
use downhill::problems::by_name;
use downhill::run::{Method, Run, RunResult, Status};
use serde_json::Value;

mod mgh;
mod refjson;
use refjson::{bounds, floats, objective};

fn refs() -> Value {
    let raw = include_str!("reference/lbfgsb_refs.json");
    serde_json::from_str(raw).unwrap()
}

/// Runs `cfg` to its own stopping rule: (x, f, iterations, evaluations, ‖proj g‖∞).
fn run(case: &Value, cfg: LbfgsbConfig) -> (Vec<f64>, f64, usize, usize, f64) {
    let (r, pg) = run_full(case, cfg);
    assert_eq!(r.status, Status::Converged, "{}", case["name"]);
    (r.x, r.f, r.iterations.unwrap(), r.evaluations.gradient, pg)
}

/// The run and the final ‖proj g‖∞.
fn run_full(case: &Value, cfg: LbfgsbConfig) -> (RunResult, f64) {
    let f = objective(case);
    let b = bounds(&case["bounds"]);
    let x0 = floats(&case["x0"]);
    let mut s = Lbfgsb::<f64>::new(cfg.clone()).unwrap();
    let r = Run::new(f.as_ref(), Method::Solver(&mut s))
        .bounds(&b)
        .run(&x0, 10_000)
        .unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
    assert!(
        r.trajectory.iter().all(|x| b.contains(x)),
        "{}",
        case["name"]
    );
    assert_eq!(s.converged(), r.status == Status::Converged);
    let pg = s.projected_gradient_norm();
    (r, pg)
}

/// The test SciPy's message names.
fn scipy_test(message: &Value) -> &'static str {
    let m = message.as_str().unwrap();
    if m.contains("PROJECTED GRADIENT") {
        "pgtol"
    } else if m.contains("REDUCTION OF F") {
        "factr"
    } else {
        panic!("SciPy: {m}")
    }
}

fn tight() -> LbfgsbConfig {
    LbfgsbConfig {
        pgtol: 1e-11,
        factr: 1e-15 / f64::EPSILON,
        ..Default::default()
    }
}

/// Issue 29 item 2: the line search is SciPy's (`dcsrch`, Moré–Thuente), so with SciPy's
/// default options every case takes SciPy's iterations and evaluations exactly (before, e.g.
/// 15 / 24 against SciPy's 20 / 29 on `rosenbrock_x_le_half`), and the result names the test
/// that ended it as SciPy's message does (`pgtol` or `factr`).
#[test]
fn lbfgsb_takes_scipys_steps_and_names_the_test_that_held() {
    // (with the tight options the last iterations are at rounding level, where SciPy's and
    // Downhill's counts and even the deciding test may part: those runs are held to SciPy's
    // solution in `lbfgsb_matches_scipy_on_bounded_problems`)
    let refs = refs();
    for c in refs["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (r, _) = run_full(c, LbfgsbConfig::default());
        let want = &c["default"];
        assert_eq!(
            (r.iterations.unwrap() as u64, r.evaluations.gradient as u64),
            (
                want["nit"].as_u64().unwrap(),
                want["nfev"].as_u64().unwrap()
            ),
            "{name}: (nit, nfev)"
        );
        assert_eq!(r.stopped_by, Some(scipy_test(&want["message"])), "{name}");
    }
}

/// Issue 29 item 2: Powell's badly scaled function in the box x₁ ∈ [0, 1], x₂ ∈ [1, 9] from
/// (0, 1), with the tight tolerances. SciPy 1.17 reaches f ≈ 1.08e-6 in 80 evaluations and
/// stops by `factr`. Before, Downhill ended by `factr` at f ≈ 1e-3 to 5e-3 (the projected
/// gradient still ≈ 1): its subspace step inverted the 2m × 2m middle matrix explicitly, and
/// with θ ≈ 10⁸ that inverse lost the digits the step needs, so the steps shrank to nothing.
/// The middle matrix is now applied and the subspace system solved in the factored forms of
/// Byrd, Lu, Nocedal & Zhu (`formt`/`bmv`, `formk`/`subsm`), each block summed over the
/// variables it names. The problem is chaotic under rounding (SciPy itself ends between
/// 8.2e-7 and 1.08e-6 depending on how the gradient is rounded), so the test holds Downhill
/// to SciPy's value, test and evaluation count, not its trajectory.
#[test]
fn lbfgsb_powell_badly_scaled_in_a_box_reaches_scipys_value() {
    let refs = refs();
    let c = &refs["hard"][0];
    assert_eq!(c["name"], "powell_badly_scaled_box");
    let (r, pg) = run_full(c, tight());
    let want = &c["tight"];
    let fsp = want["fun"].as_f64().unwrap();
    let nfev = want["nfev"].as_u64().unwrap() as usize;
    eprintln!(
        "f = {:e} after {} evaluations, ‖pg‖∞ = {pg:e}, {:?}; SciPy f = {fsp:e} in {nfev} ({})",
        r.f, r.evaluations.gradient, r.stopped_by, want["message"]
    );
    assert_eq!(r.status, Status::Converged);
    assert!(r.f <= fsp * (1.0 + 1e-3), "f = {:e}, SciPy {fsp:e}", r.f);
    assert_eq!(r.stopped_by, Some(scipy_test(&want["message"])));
    assert!(
        r.evaluations.gradient <= nfev + nfev / 4,
        "{} evaluations, SciPy {nfev}",
        r.evaluations.gradient
    );
}

#[test]
fn lbfgsb_matches_scipy_on_bounded_problems() {
    let refs = refs();
    let cases = refs["cases"].as_array().unwrap();
    assert!(cases.iter().any(|c| c["where"] == "boundary"));
    assert!(cases.iter().any(|c| c["where"] == "inside"));
    assert!(cases.iter().any(|c| c["x0"].as_array().unwrap().len() >= 6));
    eprintln!(
        "SciPy {}\n{:<28} {:>5} {:>5}   {:>6} {:>7}",
        refs["scipy"], "case", "nit", "nfev", "sp nit", "sp nfev"
    );
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (x, fx, _, _, pg) = run(c, tight());
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
        let how = if equal { "= SciPy" } else { "KKT" };
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
            "{name:<28} {nit:>5} {nfev:>5}   {:>6} {:>7}   tight: {how} (dx = {dx:.1e}, ‖pg‖ = {pg:.1e})",
            d["nit"], d["nfev"]
        );
    }
}

#[test]
fn without_bounds_it_is_plain_lbfgs() {
    let f = by_name::<f64>("rosenbrock").unwrap();
    let mut s = Lbfgsb::<f64>::new(LbfgsbConfig::default()).unwrap();
    let r = Run::new(f.as_ref(), Method::Solver(&mut s))
        .run(&[-1.2, 1.0], 1000)
        .unwrap();
    assert_eq!(r.status, Status::Converged);
    assert!(
        (r.x[0] - 1.0).abs() < 1e-4 && (r.x[1] - 1.0).abs() < 1e-4,
        "{:?}",
        r.x
    );
    // SciPy's L-BFGS-B ends here by `factr` too (nit 36, nfev 44, max |g| = 5.4e-5)
    assert_eq!(r.stopped_by, Some("factr"));
    assert!(s.projected_gradient_norm() <= 1e-4);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (v[(n - 1) / 2] + v[n / 2]) / 2.0
}

/// Issue 29 item 2, unbounded: on the 18 Moré–Garbow–Hillstrom problems L-BFGS-B ends, with
/// SciPy's default options and with the tight ones, at SciPy's L-BFGS-B minimum or a lower one
/// (`f ≤ f_SciPy + 1e-6·max(1, |f_SciPy|)`), takes SciPy's iterations and evaluations exactly
/// on at least 15 of the 18 with the defaults (17 when written: Jennrich–Sampson parts, and
/// SciPy stops at f = 214 where Downhill goes on to the minimum 124.4), and the median of
/// (evaluations / SciPy's `nfev`) is at most 1.05 with either options. Before the factored
/// middle matrix, Brown's badly scaled function ended at f = 5.7e11 (SciPy 2.1e-15) and
/// Powell's, tight, at 3.4e-4 after 3169 evaluations (SciPy 1.3e-7 after 98).
#[test]
fn lbfgsb_matches_scipy_on_the_mgh_problems() {
    let refs: Value = serde_json::from_str(include_str!("reference/lbfgsb_mgh_refs.json")).unwrap();
    let cases = refs["cases"].as_array().unwrap();
    assert_eq!(cases.len(), mgh::problems().len());
    eprintln!("SciPy {} L-BFGS-B, unbounded", refs["scipy"]);
    let (mut exact, mut ratios, mut tight_ratios, mut wrong) = (0, vec![], vec![], vec![]);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let (p, ad) = mgh::by_name(name).unwrap();
        for (label, cfg) in [("default", LbfgsbConfig::default()), ("tight", tight())] {
            let mut s = Lbfgsb::<f64>::new(cfg).unwrap();
            let r = Run::new(&ad, Method::Solver(&mut s))
                .run(p.x0, 10_000)
                .unwrap();
            let want = &c[label];
            let (fsp, nfev) = (
                want["fun"].as_f64().unwrap(),
                want["nfev"].as_u64().unwrap(),
            );
            let (nit, evals) = (r.iterations.unwrap() as u64, r.evaluations.gradient as u64);
            eprintln!(
                "{name:<24} {label:<7} f {:>13.6e} (SciPy {fsp:>13.6e})  nit {nit:>4} ({:>4})  nfev {evals:>4} ({nfev:>4})  {:?}",
                r.f, want["nit"], r.stopped_by
            );
            assert_eq!(r.status, Status::Converged, "{name} {label}");
            if r.f > fsp + 1e-6 * fsp.abs().max(1.0) {
                wrong.push(format!("{name} {label}: f = {:e}, SciPy {fsp:e}", r.f));
            }
            let ratio = evals as f64 / nfev as f64;
            if label == "default" {
                exact += usize::from((nit, evals) == (want["nit"].as_u64().unwrap(), nfev));
                ratios.push(ratio);
            } else {
                tight_ratios.push(ratio);
            }
        }
    }
    let (m, mt) = (median(ratios), median(tight_ratios));
    eprintln!("SciPy's (nit, nfev) exactly on {exact} of {}; median evaluations / nfev: default {m:.3}, tight {mt:.3}", cases.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(exact >= 15, "{exact}");
    assert!(m <= 1.05 && mt <= 1.05, "{m}, {mt}");
}
