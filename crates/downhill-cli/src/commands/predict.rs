//! `downhill predict --model MODEL.json --data FILE.csv [--out FILE]`.

use std::fmt::Write as _;

use downhill::data::csv::load_features_csv;
use downhill::model::{Head, SavedModel};

use crate::cli::PredictArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;

/// Entry point of `downhill predict`: one CSV row per input row — `prediction` for
/// regression, `label,p_1` for logistic, `label,p_0,…,p_{k−1}` for softmax heads.
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
                let _ = writeln!(out, "{l},{p}");
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
                    let _ = write!(out, ",{p}");
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
