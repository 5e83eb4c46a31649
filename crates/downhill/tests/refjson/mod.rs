//! Readers of the committed reference JSON (`tests/reference/*_refs.json`) shared by the
//! solver reference tests.

#![allow(clippy::unwrap_used, dead_code)] // test helpers; not every test file uses all

use downhill::problems::Bounds;
use serde_json::Value;

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// A JSON array of `[lo, hi]` pairs, `null` standing for an infinite side.
pub fn bounds(v: &Value) -> Bounds {
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

/// The case's objective: the built-in `function`, or, for an MGH problem (`"function":
/// "mgh:…"`), its `expression` over `vars` compiled and differentiated by reverse-mode AD.
pub fn objective(case: &Value) -> Box<dyn downhill::Objective<f64> + Send + Sync> {
    match case["expression"].as_str() {
        Some(src) => {
            let vars: Vec<&str> = case["vars"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let e = downhill::expr::Expr::parse(src, &vars).unwrap();
            Box::new(downhill::diff::Ad::new(e))
        }
        None => downhill::problems::by_name(case["function"].as_str().unwrap()).unwrap(),
    }
}
