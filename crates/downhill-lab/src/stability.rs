//! `POST /api/stability`: the largest stable lr of a lane's optimiser on the current quadratic,
//! from the library (`downhill::optim::stability`), so the page draws the bound without
//! knowing its formula.
//!
//! The body is `{"optimizer": <the [optimizer] table>, "quadratic": {"l": L, "mu": μ}}` (the
//! `quadratic` of a `/api/contour` answer). The answer is `null` when no closed form applies
//! (not a positive-definite quadratic, another optimiser, a dampening, a weight decay) or
//! `{"method", "label", "formula", "beta", "lr"}`: e.g. `{"method": "heavy_ball", "label":
//! "heavy ball", "formula": "2(1+β)/L", "beta": 0.9, "lr": 0.95}`; with β = 0 the label is
//! `GD` and the formula `2/L`.

use downhill::optim::stability::{edge, of_config};
use downhill::optim::OptimizerConfig;
use serde_json::{json, Value};

use crate::backend::ApiError;

/// The answer to a `/api/stability` request body.
pub fn answer(req: &Value) -> Result<Value, ApiError> {
    let table = req
        .get("optimizer")
        .ok_or_else(|| ApiError::bad_request("give `optimizer` (an [optimizer] table)"))?;
    let cfg: OptimizerConfig = serde_json::from_value(table.clone())
        .map_err(|e| ApiError::bad_request(format!("optimizer: {e}")))?;
    let number = |key: &str| req.get("quadratic").and_then(|q| q.get(key)?.as_f64());
    let (Some(l), Some(mu)) = (number("l"), number("mu")) else {
        return Ok(Value::Null);
    };
    let Some((method, beta)) = of_config(&cfg).filter(|_| mu > 0.0) else {
        return Ok(Value::Null);
    };
    let lr = edge(method, beta, l);
    if !lr.is_finite() {
        return Ok(Value::Null);
    }
    let (label, formula) = if beta == 0.0 {
        ("GD", "2/L")
    } else {
        (method.label(), method.formula())
    };
    Ok(json!({
        "method": method,
        "label": label,
        "formula": formula,
        "beta": beta,
        "lr": lr,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(optimizer: Value, l: f64, mu: f64) -> Value {
        answer(&json!({"optimizer": optimizer, "quadratic": {"l": l, "mu": mu}})).unwrap()
    }

    #[test]
    fn bounds() {
        let hb = ask(json!({"name": "sgd", "momentum": 0.5}), 4.0, 1.0);
        assert_eq!(hb["lr"], json!(0.75));
        assert_eq!(hb["formula"], json!("2(1+β)/L"));
        assert_eq!(hb["method"], json!("heavy_ball"));
        let gd = ask(json!({"name": "sgd"}), 4.0, 1.0);
        assert_eq!(gd["lr"], json!(0.5));
        assert_eq!(gd["label"], json!("GD"));
        let nag = ask(
            json!({"name": "sgd", "momentum": 0.5, "nesterov": true}),
            4.0,
            1.0,
        );
        assert_eq!(nag["lr"], json!(0.375));
        let mid = ask(
            json!({"name": "momentum", "variant": "nesterov_midpoint"}),
            4.0,
            1.0,
        );
        assert_eq!(mid["lr"], json!(0.5));
        assert_eq!(ask(json!({"name": "adam"}), 4.0, 1.0), Value::Null);
        assert_eq!(ask(json!({"name": "sgd"}), 4.0, 0.0), Value::Null);
        assert_eq!(
            answer(&json!({"optimizer": {"name": "sgd"}})).unwrap(),
            Value::Null
        );
        assert_eq!(answer(&json!({})).unwrap_err().status, 400);
        let e = answer(&json!({"optimizer": {"name": "sgd", "lr": "x"}})).unwrap_err();
        assert_eq!(e.status, 400);
    }
}
