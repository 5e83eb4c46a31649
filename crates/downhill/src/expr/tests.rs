use super::*;
use crate::diff::{check_gradient, Ad};
use crate::Objective;

fn val(src: &str, x: &[f64]) -> f64 {
    let names = ["x", "y", "z"];
    Expr::parse(src, &names[..x.len()]).unwrap().value(x)
}

fn err(src: &str) -> ExprError {
    Expr::parse(src, &["x", "y"]).unwrap_err()
}

#[test]
fn precedence() {
    assert_eq!(val("1 + 2 * 3", &[0.0]), 7.0);
    assert_eq!(val("2 * 3 ^ 2", &[0.0]), 18.0);
    assert_eq!(val("(1 + 2) * 3", &[0.0]), 9.0);
    assert_eq!(val("1 + x / 4 - 2", &[2.0]), -0.5);
    let rosen = crate::problems::Rosenbrock.value(&[-1.2, 1.0]);
    assert_eq!(val("(1 - x)^2 + 100*(y - x^2)^2", &[-1.2, 1.0]), rosen);
}

#[test]
fn associativity() {
    assert_eq!(val("2 ^ 3 ^ 2", &[0.0]), 512.0);
    assert_eq!(val("x ^ y ^ 2", &[2.0, 3.0]), 512.0);
    assert_eq!(val("8 - 3 - 2", &[0.0]), 3.0);
    assert_eq!(val("x - y - 2", &[8.0, 3.0]), 3.0);
    assert_eq!(val("16 / 4 / 2", &[0.0]), 2.0);
    assert_eq!(val("x / y / 2", &[16.0, 4.0]), 2.0);
}

#[test]
fn unary_minus() {
    assert_eq!(val("-x^2", &[3.0]), -9.0);
    assert_eq!(val("-2^2", &[0.0]), -4.0);
    assert_eq!(val("(-x)^2", &[3.0]), 9.0);
    assert_eq!(val("2^-x", &[1.0]), 0.5);
    assert_eq!(val("--x", &[3.0]), 3.0);
    assert_eq!(val("-x * -y", &[2.0, 3.0]), 6.0);
    assert_eq!(val("x - -y", &[2.0, 3.0]), 5.0);
    assert_eq!(val("+x", &[2.0]), 2.0);
    assert_eq!(val("-x^2 + 1", &[3.0]), -8.0);
}

#[test]
fn functions_and_numbers() {
    let x = 0.7_f64;
    assert!((val("sin(x)^2 + cos(x)^2", &[x]) - 1.0).abs() < 1e-15);
    assert!((val("ln(exp(x))", &[x]) - x).abs() < 1e-15);
    assert_eq!(val("log10(1e3)", &[x]), 3.0);
    assert_eq!(val("sqrt(x*x)", &[-3.0]), 3.0);
    assert_eq!(val("abs(x)", &[-3.0]), 3.0);
    assert_eq!(val("tanh(x) - tan(x)", &[x]), x.tanh() - x.tan());
    assert_eq!(val("1e-3 * x + .5 + 2.5E+1", &[1000.0]), 26.5);
    assert_eq!(val("sin (x)", &[x]), x.sin());
}

#[test]
fn constants_are_folded_and_integer_powers_compiled_as_powi() {
    let e = Expr::parse("2*3 + x^2 + x^(1/2) + ln(1)", &["x"]).unwrap();
    assert_eq!(
        e.code(),
        &[
            Instr::Const(6.0),
            Instr::Var(0),
            Instr::PowI(2),
            Instr::Add,
            Instr::Var(0),
            Instr::PowF(0.5),
            Instr::Add,
            Instr::Const(0.0),
            Instr::Add
        ]
    );
    assert_eq!(e.value(&[4.0]), 6.0 + 16.0 + 2.0);
}

#[test]
fn ad_gradient_of_an_expression_is_exact() {
    let src = "sin(x)*exp(y/3) - ln(abs(x) + 2)*sqrt(y^2 + 1) + tanh(x*y) + log10(2 + cos(x)) \
               + tan(y/5) + x^y^0.5 / 7";
    let e = Expr::parse(src, &["x", "y"]).unwrap();
    let f = Ad::new(e.clone());
    let (x, y) = (1.3_f64, 0.8_f64);
    let mut g = [0.0; 2];
    let v = f.gradient(&[x, y], &mut g);
    assert_eq!(v, e.value(&[x, y]));
    let chk = check_gradient(&f, &[x, y], 1e-6);
    assert!(chk.max_rel_error < 1e-8, "{chk:?}");
    // Hand derivative of the first terms only, for an exact check of a simple case.
    let e2 = Ad::new(Expr::parse("x^3*y - 2/x", &["x", "y"]).unwrap());
    e2.gradient(&[2.0_f64, 5.0], &mut g);
    assert_eq!(g, [3.0 * 4.0 * 5.0 + 2.0 / 4.0, 8.0]);
}

#[test]
fn syntax_errors_point_at_the_column() {
    let cases: [(&str, usize, &str); 12] = [
        ("(1 - x))", 8, "unmatched `)`"),
        ("x + ", 5, "unexpected end of expression"),
        (
            "x + * y",
            5,
            "expected a number, variable, function or `(`, found `*`",
        ),
        ("x y", 3, "expected an operator or `)`, found `y`"),
        ("2 (x)", 3, "expected an operator or `)`, found `(`"),
        ("(x + 1", 1, "unclosed `(`"),
        ("sin(x", 4, "unclosed `(`"),
        (
            "sin x",
            1,
            "function `sin` needs its argument in parentheses",
        ),
        ("x + 3 # 1", 7, "unexpected character `#`"),
        ("", 1, "empty expression"),
        (
            "()",
            2,
            "expected a number, variable, function or `(`, found `)`",
        ),
        ("x + 1..2", 5, "invalid number `1..2`"),
    ];
    for (src, col, msg) in cases {
        let e = err(src);
        assert_eq!((e.column, e.message.as_str()), (col, msg), "{src}");
    }
    let e = err("foo(x) + 1");
    assert_eq!(e.column, 1);
    assert!(
        e.message.starts_with("unknown function `foo`"),
        "{}",
        e.message
    );
}

#[test]
fn unknown_variable_is_named() {
    let e = err("x + 2*zeta");
    assert_eq!(e.column, 7);
    assert_eq!(e.message, "unknown variable `zeta` (variables: x, y)");
    assert!(Expr::parse("x", &["sin"]).is_err());
    assert_eq!(
        Expr::parse("x - y", &["x", " y"])
            .unwrap()
            .value(&[3.0, 1.0]),
        2.0
    );
    assert!(Expr::parse("x", &["x", "x"]).is_err());
    assert!(Expr::parse("1", &[] as &[&str]).is_err());
}

#[test]
fn error_display_shows_the_expression_and_a_caret() {
    let e = err("(1 - x))");
    assert_eq!(
        e.to_string(),
        "column 8: unmatched `)`\n  (1 - x))\n         ^"
    );
    // Long expressions are shown as a window around the column.
    let long = format!("{}) + 1{}", "x + ".repeat(100), " + y".repeat(20));
    let e = err(&long);
    assert_eq!(e.column, 401);
    let shown = e.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines[1].starts_with("  …") && lines[1].ends_with('…'));
    let caret_at = lines[2].chars().count() - 1;
    assert_eq!(lines[1].chars().nth(caret_at), Some(')'));
}

#[test]
fn hundred_thousand_nested_parentheses_work() {
    let n = 100_000;
    let src = format!("{}x{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(val(&src, &[2.5]), 2.5);
    let src = format!("{}x + 1{}", "sin(".repeat(n), ")".repeat(n));
    let e = Expr::parse(&src, &["x"]).unwrap();
    assert!(e.value(&[0.3]).is_finite());
    // Unclosed: a clean error at the innermost open parenthesis.
    let e = err(&format!("{}x", "(".repeat(n)));
    assert_eq!((e.column, e.message.as_str()), (n, "unclosed `(`"));
    // A right-associative tower needs a deep value stack (heap-allocated).
    let src = format!("{}x", "x^(".repeat(n)) + &")".repeat(n);
    assert_eq!(val(&src, &[1.0]), 1.0);
    let src = format!("{}x", "-".repeat(n + 1));
    assert_eq!(val(&src, &[2.0]), -2.0);
}

#[test]
fn one_megabyte_expression_works() {
    let terms = 500_000;
    let src = format!("{}x", "x+".repeat(terms));
    assert!(src.len() > 1_000_000);
    let e = Expr::parse(&src, &["x"]).unwrap();
    assert_eq!(e.value(&[2.0]), 2.0 * (terms + 1) as f64);
    let f = Ad::new(e);
    let mut g = [0.0];
    f.gradient(&[2.0_f64], &mut g);
    assert_eq!(g[0], (terms + 1) as f64);
    // And a 1 MB expression with an error at its end.
    let e = err(&format!("{}*", "x+".repeat(terms)));
    assert_eq!(e.column, 2 * terms + 1);
}

#[test]
fn non_finite_at_a_point_names_the_operation() {
    let e = Expr::parse("x + ln(x)", &["x"]).unwrap();
    assert_eq!(e.explain_non_finite(&[1.0]), None);
    assert_eq!(
        e.explain_non_finite(&[-1.0]).unwrap(),
        "`ln` at column 5 of -1 gives NaN"
    );
    let e = Expr::parse("y / x", &["x", "y"]).unwrap();
    assert_eq!(
        e.explain_non_finite(&[0.0, 1.0]).unwrap(),
        "`/` at column 3 on 1 and 0 gives inf"
    );
    let e = Expr::parse("sqrt(x - 5)", &["x"]).unwrap();
    assert!(e
        .explain_non_finite(&[1.0])
        .unwrap()
        .starts_with("`sqrt` at column 1 of -4"));
    let e = Expr::parse("x + ln(-1)", &["x"]).unwrap();
    assert!(e
        .explain_non_finite(&[1.0])
        .unwrap()
        .contains("`ln` at column 5"));
}

/// Each function of issue 29 item 6 (`atan atan2 asin acos sinh cosh min max sign if` and the
/// comparisons): the value as `f64`'s own function, the reverse-mode gradient against central
/// differences, and the hyper-dual Hessian against differences of that gradient.
#[test]
fn new_functions_have_values_and_exact_derivatives() {
    let (x, y) = (0.3_f64, -0.7_f64);
    let values: [(&str, f64); 14] = [
        ("atan(x)", x.atan()),
        ("atan2(y, x)", y.atan2(x)),
        ("atan2(x, y)", x.atan2(y)),
        ("asin(x)", x.asin()),
        ("acos(y)", y.acos()),
        ("sinh(y)", y.sinh()),
        ("cosh(y)", y.cosh()),
        ("min(x, y)", y),
        ("max(x, y)", x),
        ("sign(y) + 2*sign(x) + 4*sign(x - x)", 1.0),
        ("if(x > y, 10, 20) + if(x <= y, 1, 2)", 12.0),
        ("(x < y) + 2*(x >= y) + 4*(x == x) + 8*(x != y)", 14.0),
        ("x + 1 > y*2 + 1", 1.0),
        ("max(2, 3) + atan2(0, -1)", 3.0 + std::f64::consts::PI),
    ];
    for (src, want) in values {
        assert_eq!(val(src, &[x, y]), want, "{src}");
    }
    // Each derivative path, at a point away from kinks.
    let src = "atan(x*y) + atan2(y, x + 2) + asin(x/2) + acos(y/3) + sinh(x - y) * cosh(y) \
               + min(x^2, y^2) + max(x*y, sin(y)) + sign(x)*x^3 + if(x > 0, exp(y), ln(x^2))";
    let e = Expr::parse(src, &["x", "y"]).unwrap();
    let f = Ad::new(e.clone());
    for p in [[0.3, -0.7], [-0.4, 1.1], [1.2, 0.9]] {
        let mut g = [0.0; 2];
        assert_eq!(f.gradient(&p, &mut g), e.value(&p));
        let chk = check_gradient(&f, &p, 1e-6);
        assert!(chk.max_rel_error < 1e-7, "{p:?}: {chk:?}");
        let mut h = [0.0; 4];
        assert!(f.hessian(&p, &mut h));
        let (mut q, mut hn, mut gp, mut gm) = (p, [0.0; 4], [0.0; 2], [0.0; 2]);
        crate::diff::numeric::numerical_hessian(&f, &mut q, &mut hn, &mut gp, &mut gm);
        for k in 0..4 {
            let scale = hn[k].abs().max(1.0);
            assert!(
                (h[k] - hn[k]).abs() < 1e-6 * scale,
                "{p:?} H[{k}]: {h:?} vs {hn:?}"
            );
        }
    }
}

#[test]
fn function_arguments_are_counted_and_commas_checked() {
    let cases: [(&str, usize, &str); 5] = [
        ("atan2(x)", 1, "`atan2` takes 2 arguments, found 1"),
        ("sin(x, y)", 1, "`sin` takes 1 argument, found 2"),
        ("if(x, y)", 1, "`if` takes 3 arguments, found 2"),
        ("(x, y)", 3, "`,` outside a function's argument list"),
        (
            "x = y",
            3,
            "unexpected character `=` (comparisons are < <= > >= == !=)",
        ),
    ];
    for (src, col, msg) in cases {
        let e = err(src);
        assert_eq!((e.column, e.message.as_str()), (col, msg), "{src}");
    }
    // A comma inside a call's nested parentheses belongs to that call only.
    assert_eq!(val("max((x), min(x, 2)*3)", &[1.0]), 3.0);
    assert_eq!(val("atan2(1, 1) * 4", &[0.0]), std::f64::consts::PI);
    assert!(Expr::parse("if + 1", &["x"]).is_err());
}
