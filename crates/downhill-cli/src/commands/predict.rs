//! `downhill predict --model MODEL.json --data FILE.csv [--out FILE]`.

use std::fmt::Write as _;

use downhill::data::csv::load_features_csv;
use downhill::model::{Head, SavedModel};

use crate::cli::PredictArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;

/// A probability as people read it: six decimals at most, trailing zeros dropped (`0.5`,
/// `0.999987`, `1`, `0`).
fn probability(p: f64) -> String {
    let s = format!("{p:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "" | "-0" => "0".to_string(),
        s => s.to_string(),
    }
}

/// Entry point of `downhill predict`: one CSV row per input row — `prediction` for
/// regression (full precision), `label,p_1` for logistic, `label,p_0,…,p_{k−1}` for softmax
/// heads (probabilities to six decimals).
pub fn cmd(args: &PredictArgs) -> CliResult {
    let text = read_file(&args.model)?;
    let saved: SavedModel = serde_json::from_str(&text).map_err(|e| {
        CliError::input(format!(
            "{}: not a downhill model: {e}",
            args.model.display()
        ))
    })?;
    let net = saved.network::<f64>()?;
    let mut x: Vec<f64> = load_features_csv(&args.data, &saved.feature_names)?;
    if let Some(s) = &saved.standardizer {
        for row in x.chunks_mut(saved.spec.inputs) {
            s.transform_row(row);
        }
    }
    let probs = net.predict(&saved.params, &x);
    let labels = net.predict_labels(&saved.params, &x);
    let k = saved.spec.outputs;
    let mut out = String::new();
    match saved.spec.head {
        Head::Linear => {
            out.push_str("prediction\n");
            for v in &labels {
                let _ = writeln!(out, "{v}");
            }
        }
        Head::Logistic => {
            out.push_str("label,p_1\n");
            for (l, p) in labels.iter().zip(&probs) {
                let _ = writeln!(out, "{l},{}", probability(*p));
            }
        }
        Head::Softmax => {
            out.push_str("label");
            for j in 0..k {
                let _ = write!(out, ",p_{j}");
            }
            out.push('\n');
            for (l, row) in labels.iter().zip(probs.chunks(k)) {
                let _ = write!(out, "{l}");
                for p in row {
                    let _ = write!(out, ",{}", probability(*p));
                }
                out.push('\n');
            }
        }
    }
    match &args.out {
        Some(p) => downhill::io::write_atomic(p, out.as_bytes()).map_err(CliError::failure)?,
        None => print!("{out}"),
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn probabilities_are_compact() {
        let cases = [
            (0.5, "0.5"),
            (1.0, "1"),
            (0.0, "0"),
            (0.999_986_543_21, "0.999987"),
            (1.2e-9, "0"),
            (0.012_345_678, "0.012346"),
        ];
        for (p, want) in cases {
            assert_eq!(super::probability(p), want);
        }
    }
}
