//! Models: linear, logistic and softmax regression and the multi-layer perceptron, all one
//! [`Network`] of dense layers over one flat parameter vector, with a hand-written batched
//! forward and backward pass whose matrix products go through [`crate::kernels::gemm`] (the
//! `gemm` crate's AVX-512 kernels); the single-layer models read their rows in place through
//! [`crate::kernels::rows`] instead.
//!
//! Layout of the parameters: for each layer `l` (inputs `m`, outputs `k`), first `W_l`
//! (`k × m`, row-major, PyTorch's `Linear.weight` layout), then `b_l` (`k`). For `linear`
//! this is `[w_1, …, w_d, b]`: the weights, then the bias.
//!
//! For a batch `B` with rows `X` (`|B| × d`), `A₀ = X`, `Z_l = A_{l−1} W_lᵀ + 1 b_lᵀ`,
//! `A_l = φ(Z_l)` on hidden layers (φ = relu, tanh or sigmoid), and the head's loss on the
//! last `Z`:
//!
//! ```text
//! linear   ℓ = ½ (z − y)²                         ∂ℓ/∂z = z − y
//! logistic ℓ = log(1 + eᶻ) − y z  (BCE with logits) ∂ℓ/∂z = σ(z) − y
//! softmax  ℓ = log Σⱼ e^{zⱼ} − z_y                  ∂ℓ/∂zⱼ = softmax(z)ⱼ − [j = y]
//! ```
//!
//! The loss is the mean of `ℓ` over the batch. Backward: `Δ_L = ∂ℓ/∂Z_L`,
//! `∇W_l = Δ_lᵀ A_{l−1} / |B|`, `∇b_l = 1ᵀ Δ_l / |B|`, `Δ_{l−1} = (Δ_l W_l) ⊙ φ'(A_{l−1})`.
//! Rows are processed in chunks of [`CHUNK`] through buffers kept in a workspace, so nothing
//! is allocated per sample or per step after the first.

pub mod config;
pub mod network;
pub mod saved;

use serde::{Deserialize, Serialize};

pub use config::ModelConfig;
pub use network::{Fit, Metrics, Network, OnBatch};
pub use saved::SavedModel;

/// Rows processed per forward/backward chunk (bounds the workspace size).
pub const CHUNK: usize = 256;

/// The scalar types a model computes in: [`crate::Float`] types that `ndarray` can multiply
/// (`f32` and `f64`).
pub trait Scalar: crate::Float + ndarray::LinalgScalar {}
impl<T: crate::Float + ndarray::LinalgScalar> Scalar for T {}

/// Which model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Linear regression, loss ½(ŷ − y)².
    Linear,
    /// Binary logistic regression, cross-entropy on labels 0/1.
    Logistic,
    /// Multinomial (softmax) regression, cross-entropy.
    Softmax,
    /// Multi-layer perceptron with a softmax or linear head.
    Mlp,
}

impl ModelKind {
    /// Every kind, in the order of [`MODEL_NAMES`].
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Linear,
        ModelKind::Logistic,
        ModelKind::Softmax,
        ModelKind::Mlp,
    ];
}

/// The config names of the models (`[model] kind = …`), as the lab's catalogue lists them.
pub const MODEL_NAMES: [&str; 4] = ["linear", "logistic", "softmax", "mlp"];

impl Activation {
    /// Every activation, in the order of [`ACTIVATION_NAMES`].
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];
}

/// The config names of the hidden-layer activations (`[model] activation = …`).
pub const ACTIVATION_NAMES: [&str; 3] = ["relu", "tanh", "sigmoid"];

/// Hidden-layer activation of an MLP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `max(0, z)`; weights initialised with He (Kaiming) normal, `N(0, 2/fan_in)`.
    #[default]
    Relu,
    /// `tanh z`; Xavier (Glorot) uniform initialisation.
    Tanh,
    /// `1/(1 + e^{−z})`; Xavier (Glorot) uniform initialisation.
    Sigmoid,
}

/// The output layer and its loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Head {
    /// One real output, squared loss ½(ŷ − y)² (regression).
    Linear,
    /// One logit, binary cross-entropy.
    Logistic,
    /// One logit per class, multinomial cross-entropy.
    Softmax,
}

/// Everything needed to rebuild a network: shapes, activation, head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The model kind (decides how parameters are named).
    pub kind: ModelKind,
    /// Number of input features.
    pub inputs: usize,
    /// Hidden layer widths (empty except for `mlp`).
    pub hidden: Vec<usize>,
    /// Number of outputs (1, or the number of classes for a softmax head).
    pub outputs: usize,
    /// Hidden activation.
    pub activation: Activation,
    /// Output head.
    pub head: Head,
}

/// One dense layer's named parameters (`W` is `outputs × inputs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedLayer {
    /// Weights, one row per output.
    #[serde(rename = "W")]
    pub w: Vec<Vec<f64>>,
    /// Biases.
    pub b: Vec<f64>,
}

/// Parameters named per model, as `downhill train --json` prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NamedParams {
    /// `linear` and `logistic`: `{"w": [...], "b": …}`.
    Vector {
        /// Weights.
        w: Vec<f64>,
        /// Bias.
        b: f64,
    },
    /// `softmax`: `{"W": [[...]], "b": [...]}`.
    Matrix(NamedLayer),
    /// `mlp`: `{"layers": [{"W": …, "b": …}, …]}`.
    Layers {
        /// Every layer, input side first.
        layers: Vec<NamedLayer>,
    },
}

#[cfg(test)]
mod names_tests {
    use super::*;

    #[test]
    fn name_lists_are_the_serde_names_of_every_variant() {
        // exhaustive matches: a new variant fails to compile until it is listed in ALL
        for k in ModelKind::ALL {
            match k {
                ModelKind::Linear | ModelKind::Logistic | ModelKind::Softmax | ModelKind::Mlp => {}
            }
        }
        for a in Activation::ALL {
            match a {
                Activation::Relu | Activation::Tanh | Activation::Sigmoid => {}
            }
        }
        for (k, name) in ModelKind::ALL.iter().zip(MODEL_NAMES) {
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::json!(name)));
        }
        for (a, name) in Activation::ALL.iter().zip(ACTIVATION_NAMES) {
            assert_eq!(serde_json::to_value(a).ok(), Some(serde_json::json!(name)));
        }
    }
}
