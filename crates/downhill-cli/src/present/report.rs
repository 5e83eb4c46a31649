//! The report of `downhill bench`: one JSON object or an aligned two-column table.

use serde_json::Value;

/// Prints the report as one JSON object or as an aligned two-column table.
pub fn print(v: &Value, as_json: bool) {
    if as_json {
        println!("{v}");
        return;
    }
    if let Value::Object(m) = v {
        let w = m.keys().map(|k| k.len()).max().unwrap_or(0);
        for (k, v) in m {
            let s = match v {
                Value::Number(n) => match n.as_f64() {
                    Some(x) if !n.is_u64() => format!("{x:.4}"),
                    _ => n.to_string(),
                },
                Value::String(s) => s.clone(),
                Value::Null => "-".into(),
                other => other.to_string(),
            };
            println!("{k:<w$}  {s}");
        }
    }
}
