//! `[model]`: which model, built for a dataset.

use serde::{Deserialize, Serialize};

use super::{Activation, Head, ModelKind, ModelSpec};
use crate::data::{Dataset, Task};
use crate::{Error, Float, Result};

/// `[model]` of `downhill train`: `kind`, and for `mlp` the `hidden` widths, the
/// `activation` and optionally the `head` (default: softmax for classification data, linear
/// for regression data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// `linear`, `logistic`, `softmax` or `mlp`.
    pub kind: ModelKind,
    /// Hidden layer widths (`mlp` only).
    #[serde(default)]
    pub hidden: Vec<usize>,
    /// Hidden activation (`relu`, `tanh`, `sigmoid`; default relu).
    #[serde(default)]
    pub activation: Activation,
    /// Output head of an MLP (`softmax`, `logistic` or `linear`).
    pub head: Option<Head>,
}

impl ModelConfig {
    /// The names of the model's tensors, in layout order, as `downhill train --json` prints
    /// the parameters: `w`, `b` (linear, logistic); `W`, `b` (softmax); `layers.0.W`,
    /// `layers.0.b`, … (mlp). Parameter groups match their globs against them.
    pub fn tensor_names(&self) -> Vec<String> {
        match self.kind {
            ModelKind::Linear | ModelKind::Logistic => vec!["w".into(), "b".into()],
            ModelKind::Softmax => vec!["W".into(), "b".into()],
            ModelKind::Mlp => (0..=self.hidden.len())
                .flat_map(|l| [format!("layers.{l}.W"), format!("layers.{l}.b")])
                .collect(),
        }
    }

    /// The network shape for `data`, checking that the targets suit the model.
    pub fn spec<T: Float>(&self, data: &Dataset<T>) -> Result<ModelSpec> {
        let classes = || {
            data.classes().ok_or_else(|| {
                Error::Invalid(format!(
                    "model `{:?}` needs class labels 0, 1, …, but the target looks continuous",
                    self.kind
                ))
            })
        };
        let (outputs, head) = match (self.kind, self.head) {
            (ModelKind::Linear, _) => (1, Head::Linear),
            (ModelKind::Logistic, _) | (ModelKind::Mlp, Some(Head::Logistic)) => {
                if classes()? > 2 {
                    return Err(Error::Invalid(
                        "logistic regression needs labels 0 and 1; use kind = \"softmax\" for \
                         more classes"
                            .into(),
                    ));
                }
                (1, Head::Logistic)
            }
            (ModelKind::Softmax, _) | (ModelKind::Mlp, Some(Head::Softmax)) => {
                (classes()?, Head::Softmax)
            }
            (ModelKind::Mlp, Some(Head::Linear)) => (1, Head::Linear),
            (ModelKind::Mlp, None) => match data.task {
                Task::Classification { classes } => (classes, Head::Softmax),
                Task::Regression => (1, Head::Linear),
            },
        };
        if self.kind != ModelKind::Mlp && (!self.hidden.is_empty() || self.head.is_some()) {
            return Err(Error::Invalid(
                "`hidden` and `head` apply to kind = \"mlp\" only".into(),
            ));
        }
        if self.kind == ModelKind::Mlp && self.hidden.is_empty() {
            return Err(Error::Invalid(
                "kind = \"mlp\" needs `hidden`, e.g. hidden = [64]".into(),
            ));
        }
        Ok(ModelSpec {
            kind: self.kind,
            inputs: data.d(),
            hidden: self.hidden.clone(),
            outputs,
            activation: self.activation,
            head,
        })
    }
}
