//! [`Network`]: the dense-layer stack behind every model, and [`Fit`], a network bound to a
//! dataset as a [`SampledObjective`](crate::SampledObjective).
//!
//! `gemm.rs` holds the batched (GEMM) forward/backward path of MLPs, `row_path.rs` the row path of
//! the single-layer models, `adapters.rs` the objective adapters ([`Fit`], [`OnBatch`]).

use std::cell::RefCell;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::Serialize;

use super::{Activation, Head, ModelKind, ModelSpec, NamedLayer, NamedParams, Scalar, CHUNK};
use crate::data::{Dataset, Task};
use crate::optim::Shape;
use crate::{Error, Result};

mod adapters;
mod gemm;
mod row_path;
#[cfg(test)]
mod tests;

pub use adapters::{Fit, OnBatch};
use gemm::GradInto;
use row_path::{ROW_BLOCK, ROW_BLOCKS};

/// Buffers reused across calls: activations per layer, two delta buffers, and the per-block
/// partial gradients and losses of the single-layer path.
#[derive(Debug, Default)]
struct Workspace<T> {
    acts: Vec<Vec<T>>,
    delta: Vec<T>,
    delta_prev: Vec<T>,
    partials: Vec<T>,
    block_loss: Vec<f64>,
}

/// A stack of dense layers with a loss head; see the [module docs](super).
#[derive(Debug)]
pub struct Network<T: Scalar> {
    spec: ModelSpec,
    sizes: Vec<usize>,
    offsets: Vec<usize>,
    n_params: usize,
    ws: RefCell<Workspace<T>>,
}

impl<T: Scalar> Clone for Network<T> {
    fn clone(&self) -> Self {
        Network::new(self.spec.clone()).expect("spec was valid")
    }
}

/// Validation metrics of a model on a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Mean loss.
    pub loss: f64,
    /// Fraction of correct labels (classifiers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Coefficient of determination `1 − SS_res/SS_tot` (regression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r2: Option<f64>,
}

impl<T: Scalar> Network<T> {
    /// Builds the network of `spec` (checks its shapes).
    pub fn new(spec: ModelSpec) -> Result<Self> {
        if spec.inputs == 0 || spec.outputs == 0 || spec.hidden.contains(&0) {
            return Err(Error::Invalid(format!(
                "model shapes must be positive: inputs {}, hidden {:?}, outputs {}",
                spec.inputs, spec.hidden, spec.outputs
            )));
        }
        if spec.kind != ModelKind::Mlp && !spec.hidden.is_empty() {
            return Err(Error::Invalid(
                "`hidden` applies to kind = \"mlp\" only".to_string(),
            ));
        }
        let mut sizes = vec![spec.inputs];
        sizes.extend(&spec.hidden);
        sizes.push(spec.outputs);
        let mut offsets = Vec::with_capacity(sizes.len());
        let mut at = 0;
        for w in sizes.windows(2) {
            offsets.push(at);
            at += w[1] * w[0] + w[1];
        }
        Ok(Network {
            spec,
            sizes,
            offsets,
            n_params: at,
            ws: RefCell::new(Workspace::default()),
        })
    }

    /// The network's description.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Number of parameters.
    pub fn n_params(&self) -> usize {
        self.n_params
    }

    /// The shape of each tensor of the flat parameter vector, in order: per layer `W`
    /// (`outputs × inputs`, row-major: row `r` holds neuron `r`'s incoming weights), then `b`.
    pub fn shapes(&self) -> Vec<Shape> {
        self.tensors().into_iter().map(|t| t.shape).collect()
    }

    pub(super) fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// (offset of W, offset of b, inputs, outputs) of layer `l`.
    pub(super) fn layer(&self, l: usize) -> (usize, usize, usize, usize) {
        let (m, k) = (self.sizes[l], self.sizes[l + 1]);
        (self.offsets[l], self.offsets[l] + k * m, m, k)
    }

    /// Initial parameters from `seed`: without hidden layers `W ~ N(0, 0.01²)`; in an MLP He normal `N(0, 2/fan_in)` for relu layers and Xavier uniform
    /// `U(±√(6/(fan_in + fan_out)))` for tanh/sigmoid layers and the head. Biases are 0.
    pub fn init(&self, seed: u64) -> Vec<T> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut p = vec![T::zero(); self.n_params];
        for l in 0..self.layers() {
            let (w0, _, m, k) = self.layer(l);
            let w = &mut p[w0..w0 + k * m];
            if self.layers() == 1 {
                let nd = Normal::new(0.0, 0.01).expect("valid sd");
                w.iter_mut().for_each(|v| *v = T::of(nd.sample(&mut rng)));
            } else if l + 1 < self.layers() && self.spec.activation == Activation::Relu {
                let nd = Normal::new(0.0, (2.0 / m as f64).sqrt()).expect("valid sd");
                w.iter_mut().for_each(|v| *v = T::of(nd.sample(&mut rng)));
            } else {
                let a = (6.0 / (m + k) as f64).sqrt();
                w.iter_mut()
                    .for_each(|v| *v = T::of(rng.random_range(-a..a)));
            }
        }
        p
    }

    /// Mean loss over `batch` rows of `data`; writes the mean gradient into `grad` if given.
    pub fn loss(
        &self,
        params: &[T],
        data: &Dataset<T>,
        batch: &[usize],
        grad: Option<&mut [T]>,
    ) -> T {
        self.loss_ahead(params, data, batch, &[], grad)
    }

    /// [`Network::loss`], told which rows the next call will read: the single-layer models
    /// prefetch them while they finish this batch. `upcoming` is only a hint (the result
    /// never depends on it; indices beyond `data` are ignored).
    pub fn loss_ahead(
        &self,
        params: &[T],
        data: &Dataset<T>,
        batch: &[usize],
        upcoming: &[usize],
        mut grad: Option<&mut [T]>,
    ) -> T {
        let inv = 1.0 / batch.len().max(1) as f64;
        // An MLP batch of one chunk writes its mean gradient directly (no zeroing or scaling
        // pass over the whole vector; the same operations per element).
        let direct = self.layers() > 1 && !batch.is_empty() && batch.len() <= CHUNK;
        if let Some(g) = grad.as_deref_mut().filter(|_| !direct) {
            g.iter_mut().for_each(|v| *v = T::zero());
        }
        let mut total = 0.0;
        if self.layers() == 1 {
            let rows = ROW_BLOCK * ROW_BLOCKS;
            for (c, idx) in batch.chunks(rows).enumerate() {
                let after = &batch[((c + 1) * rows).min(batch.len())..];
                let next = if after.is_empty() { upcoming } else { after };
                total += self.rows_pass(params, data, idx, next, grad.as_deref_mut());
            }
        } else {
            let into = if direct {
                GradInto::Set(T::of(inv))
            } else {
                GradInto::Add
            };
            for idx in batch.chunks(CHUNK) {
                total += self.chunk(params, data, idx, grad.as_deref_mut().map(|g| (g, into)));
            }
        }
        if let Some(g) = grad.filter(|_| !direct) {
            let s = T::of(inv);
            g.iter_mut().for_each(|v| *v *= s);
        }
        T::of(total * inv)
    }

    /// Outputs for rows `x` (`n × inputs`, row-major): the prediction for `linear`, the
    /// probability of class 1 for `logistic`, class probabilities (`n × classes`) for softmax.
    pub fn predict(&self, params: &[T], x: &[T]) -> Vec<T> {
        let d = self.spec.inputs;
        let n = x.len() / d;
        let k = self.spec.outputs;
        let ds = Dataset::new(x.to_vec(), vec![T::zero(); n], d, Task::Regression)
            .expect("n × d by construction");
        let mut out = Vec::with_capacity(n * k);
        let idx: Vec<usize> = (0..n).collect();
        for chunk in idx.chunks(CHUNK) {
            let nl = self.layers();
            self.forward_only(params, &ds, chunk);
            let ws = self.ws.borrow();
            for r in 0..chunk.len() {
                let z = &ws.acts[nl][r * k..(r + 1) * k];
                match self.spec.head {
                    Head::Linear => out.push(z[0]),
                    Head::Logistic => out.push(sigmoid(z[0])),
                    Head::Softmax => {
                        let m = z.iter().fold(T::neg_infinity(), |a, &b| a.max(b));
                        let s: T = z.iter().map(|&v| (v - m).exp()).sum();
                        out.extend(z.iter().map(|&v| (v - m).exp() / s));
                    }
                }
            }
        }
        out
    }

    fn forward_only(&self, params: &[T], data: &Dataset<T>, idx: &[usize]) {
        // The head needs targets only for the loss; zeros are fine for class 0.
        self.chunk(params, data, idx, None);
    }

    /// Predicted label or value per row of `x`: argmax class (softmax), `p > ½` (logistic),
    /// the regression output (linear head).
    pub fn predict_labels(&self, params: &[T], x: &[T]) -> Vec<f64> {
        let p = self.predict(params, x);
        match self.spec.head {
            Head::Linear => p.iter().map(|v| v.f64()).collect(),
            Head::Logistic => p
                .iter()
                .map(|v| f64::from(u8::from(v.f64() > 0.5)))
                .collect(),
            Head::Softmax => p
                .chunks(self.spec.outputs)
                .map(|row| {
                    let mut best = 0;
                    for (j, v) in row.iter().enumerate() {
                        if *v > row[best] {
                            best = j;
                        }
                    }
                    best as f64
                })
                .collect(),
        }
    }

    /// Loss and accuracy (classifiers) or R² (regression) on all of `data`.
    pub fn evaluate(&self, params: &[T], data: &Dataset<T>) -> Metrics {
        let all: Vec<usize> = (0..data.n()).collect();
        let loss = self.loss(params, data, &all, None).f64();
        let pred = self.predict_labels(params, data.x());
        let y = data.y();
        match self.spec.head {
            Head::Linear => {
                let mean = y.iter().map(|v| v.f64()).sum::<f64>() / y.len().max(1) as f64;
                let (mut ss_res, mut ss_tot) = (0.0, 0.0);
                for (p, t) in pred.iter().zip(y) {
                    ss_res += (t.f64() - p) * (t.f64() - p);
                    ss_tot += (t.f64() - mean) * (t.f64() - mean);
                }
                Metrics {
                    loss,
                    accuracy: None,
                    r2: Some(1.0 - ss_res / ss_tot),
                }
            }
            _ => {
                let hits = pred.iter().zip(y).filter(|(p, t)| **p == t.f64()).count();
                Metrics {
                    loss,
                    accuracy: Some(hits as f64 / y.len().max(1) as f64),
                    r2: None,
                }
            }
        }
    }

    /// The named tensors of the flat parameter vector (each layer's `W`, a `out × in`
    /// row-major matrix as torch's `nn.Linear.weight`, then its bias vector `b`), named as
    /// [`ModelConfig::tensor_names`](crate::model::ModelConfig::tensor_names) says.
    pub fn tensors(&self) -> Vec<crate::optim::Tensor> {
        let cfg = crate::model::ModelConfig {
            kind: self.spec.kind,
            hidden: self.spec.hidden.clone(),
            activation: self.spec.activation,
            head: None,
        };
        let names = cfg.tensor_names();
        let mut out = Vec::with_capacity(names.len());
        for l in 0..self.layers() {
            let (w0, b0, m, k) = self.layer(l);
            let shape = crate::optim::Shape::Matrix { rows: k, cols: m };
            out.push(crate::optim::Tensor::new(&names[2 * l], w0..b0, shape));
            let bias = crate::optim::Shape::Vector(k);
            out.push(crate::optim::Tensor::new(
                &names[2 * l + 1],
                b0..b0 + k,
                bias,
            ));
        }
        out
    }

    /// The parameters named as the model's kind prescribes (see [`NamedParams`]).
    pub fn named(&self, params: &[T]) -> NamedParams {
        let layer = |l: usize| {
            let (w0, b0, m, k) = self.layer(l);
            NamedLayer {
                w: params[w0..b0]
                    .chunks(m)
                    .map(|r| r.iter().map(|v| v.f64()).collect())
                    .collect(),
                b: params[b0..b0 + k].iter().map(|v| v.f64()).collect(),
            }
        };
        match self.spec.kind {
            ModelKind::Linear | ModelKind::Logistic => {
                let l = layer(0);
                NamedParams::Vector {
                    w: l.w.into_iter().flatten().collect(),
                    b: l.b[0],
                }
            }
            ModelKind::Softmax => NamedParams::Matrix(layer(0)),
            ModelKind::Mlp => NamedParams::Layers {
                layers: (0..self.layers()).map(layer).collect(),
            },
        }
    }
}

/// The head's loss `ℓ(z, y)`; with `grad`, also `∂ℓ/∂z` into `dz`.
pub(super) fn head_loss<T: crate::Float>(
    head: Head,
    z: &[T],
    y: T,
    dz: &mut [T],
    grad: bool,
) -> f64 {
    match head {
        Head::Linear => {
            let e = z[0] - y;
            if grad {
                dz[0] = e;
            }
            0.5 * e.f64() * e.f64()
        }
        Head::Logistic => {
            if grad {
                dz[0] = sigmoid(z[0]) - y;
            }
            let (zf, yf) = (z[0].f64(), y.f64());
            zf.max(0.0) - yf * zf + (-zf.abs()).exp().ln_1p()
        }
        Head::Softmax => {
            let m = z.iter().fold(T::neg_infinity(), |a, &b| a.max(b));
            let s: T = z.iter().map(|&v| (v - m).exp()).sum();
            let lse = m + s.ln();
            let label = y.f64() as usize;
            if grad {
                for (j, (d, &v)) in dz.iter_mut().zip(z).enumerate() {
                    *d = (v - lse).exp() - if j == label { T::one() } else { T::zero() };
                }
            }
            (lse - z[label.min(z.len() - 1)]).f64()
        }
    }
}

#[inline]
pub(super) fn sigmoid<T: crate::Float>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::one() + e)
    }
}
