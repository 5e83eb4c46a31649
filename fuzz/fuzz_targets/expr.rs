//! Fuzzes the expression parser (`[problem] expression`, `minimize --expr`): any text over the
//! variables `x, y`, then evaluation, the non-finite explanation and the AD gradient at a
//! point. Any panic or stack overflow is a bug; errors are expected.
#![no_main]

use downhill::expr::Expr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(e) = Expr::parse(src, &["x", "y"]) else {
        return;
    };
    let _ = e.value(&[0.5, -1.5]);
    let _ = e.explain_non_finite(&[0.5, -1.5]);
    let _ = e.explain_non_finite(&[0.0, 0.0]);
    let f = downhill::diff::Ad::new(e);
    let mut g = [0.0f64; 2];
    let _ = downhill::Objective::gradient(&f, &[0.5, -1.5], &mut g);
});
