//! The values of a `[sweep]` key: lists, `range` and `log_range`.

use serde::Deserialize;
use toml::de::{DeArray, DeValue, ValueDeserializer};
use toml::Spanned;

use super::edit::find;
use super::MAX_POINTS;

/// One value spec of `[sweep]`: `{ range = [lo, hi], num = n }` or `{ log_range = … }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeSpec {
    range: Option<[f64; 2]>,
    log_range: Option<[f64; 2]>,
    num: usize,
}

pub(super) const SPEC_KEYS: [&str; 3] = ["range", "log_range", "num"];

/// A number as TOML text (Rust's shortest round-trip form is valid TOML for finite values).
fn toml_number(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:?}")
    }
}

/// The value of TOML text `text` as JSON.
pub fn json_of(text: &str) -> serde_json::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|t| t.get("v").cloned())
        .and_then(|v| serde_json::to_value(v).ok())
        .unwrap_or(serde_json::Value::Null)
}

pub(super) type Values = (Vec<String>, Option<Vec<f64>>, bool);

/// The values of one `[sweep]` entry as TOML texts, as numbers if they are, and whether they
/// are log-spaced.
pub(super) fn values_of(raw: &str, v: &Spanned<DeValue<'_>>) -> Result<Values, String> {
    match v.get_ref() {
        DeValue::Array(items) => list(raw, items),
        DeValue::Table(t) => {
            let integer = ["range", "log_range"].iter().any(|name| {
                matches!(find(t, name).map(|v| v.get_ref()),
                    Some(DeValue::Array(a)) if a.iter().all(|e| matches!(e.get_ref(), DeValue::Integer(_))))
            });
            let spec = RangeSpec::deserialize(ValueDeserializer::from(v.clone()))
                .map_err(|e| e.message().trim().to_string())?;
            let (ends, log) = match (spec.range, spec.log_range) {
                (Some(r), None) => (r, false),
                (None, Some(r)) => (r, true),
                _ => return Err("give one of `range` or `log_range`".into()),
            };
            let [lo, hi] = ends;
            if !(lo.is_finite() && hi.is_finite()) {
                return Err("the ends must be finite numbers".into());
            }
            if log && !(lo > 0.0 && hi > 0.0) {
                return Err(format!("log_range = [{lo}, {hi}]: the ends must be > 0"));
            }
            if spec.num == 0 || spec.num > MAX_POINTS {
                return Err(format!("num = {}: must be in 1..={MAX_POINTS}", spec.num));
            }
            let nums = spaced(lo, hi, spec.num, log);
            let texts = nums.iter().map(|&x| toml_number(x, integer)).collect();
            let nums = if integer {
                nums.iter().map(|x| x.round()).collect()
            } else {
                nums
            };
            Ok((texts, Some(nums), log))
        }
        _ => Err(
            "must be a list of values, `{ range = [lo, hi], num = n }` or \
             `{ log_range = [lo, hi], num = n }`"
                .into(),
        ),
    }
}

fn list(raw: &str, items: &DeArray<'_>) -> Result<Values, String> {
    if items.is_empty() {
        return Err("the list of values is empty".into());
    }
    if items.len() > MAX_POINTS {
        return Err(format!("more than {MAX_POINTS} values"));
    }
    let texts: Vec<String> = items
        .iter()
        .map(|e| raw.get(e.span()).unwrap_or("").to_string())
        .collect();
    let numbers: Option<Vec<f64>> = items
        .iter()
        .map(|e| match e.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                f64::deserialize(ValueDeserializer::from(e.clone())).ok()
            }
            _ => None,
        })
        .collect();
    Ok((texts, numbers, false))
}

/// `num` points from `lo` to `hi`, evenly or log-evenly spaced, both ends exact.
pub fn spaced(lo: f64, hi: f64, num: usize, log: bool) -> Vec<f64> {
    (0..num)
        .map(|i| {
            if i == 0 {
                return lo;
            }
            if i + 1 == num {
                return hi;
            }
            let t = i as f64 / (num - 1) as f64;
            if log {
                (lo.ln() + (hi.ln() - lo.ln()) * t).exp()
            } else {
                lo + (hi - lo) * t
            }
        })
        .collect()
}
