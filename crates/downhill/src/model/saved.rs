//! [`SavedModel`]: a trained model as JSON (`downhill train --save`, `downhill predict`).

use serde::{Deserialize, Serialize};

use super::{ModelSpec, Network, Scalar};
use crate::data::Standardizer;
use crate::{Error, Result};

/// Format tag written into every saved model.
pub const MODEL_FORMAT: &str = "downhill-model";
/// Version of the saved-model format.
pub const MODEL_VERSION: u32 = 1;

/// A trained model: the network's description, its parameters, the feature scaling fitted
/// on the training split and the feature/target names used in training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Always [`MODEL_VERSION`] when written by this version.
    pub version: u32,
    /// Shapes, activation, head.
    pub spec: ModelSpec,
    /// The flat parameter vector.
    pub params: Vec<f64>,
    /// The standardisation applied to features before the model, if any.
    pub standardizer: Option<Standardizer>,
    /// Feature column names in training order.
    pub feature_names: Vec<String>,
    /// Target column name, when known.
    pub target: Option<String>,
}

impl SavedModel {
    /// Checks the format tag, version and parameter count; returns the network.
    pub fn network<T: Scalar>(&self) -> Result<Network<T>> {
        if self.format != MODEL_FORMAT || self.version != MODEL_VERSION {
            return Err(Error::Invalid(format!(
                "not a downhill model of version {MODEL_VERSION} (format `{}`, version {})",
                self.format, self.version
            )));
        }
        let net = Network::new(self.spec.clone())?;
        if net.n_params() != self.params.len() {
            return Err(Error::Dimension {
                what: "params".into(),
                got: self.params.len(),
                expected: net.n_params().to_string(),
            });
        }
        Ok(net)
    }
}
