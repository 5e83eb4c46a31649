//! [`Network`]: the dense-layer stack behind every model, and [`Fit`], a network bound to a
//! dataset as a [`SampledObjective`].

use std::cell::RefCell;

use ndarray::{ArrayView2, ArrayViewMut2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use serde::Serialize;

use super::{Activation, Head, ModelKind, ModelSpec, NamedLayer, NamedParams, Scalar, CHUNK};
use crate::data::{Dataset, Task};
use crate::kernels::gemm::matmul as gemm;
use crate::kernels::rows;
use crate::{Error, Result, SampledObjective};

/// Rows per block of the single-layer path. Each block sums its rows' gradients into its own
/// buffer and the blocks are added in order, so the result does not depend on the thread
/// count.
const ROW_BLOCK: usize = 64;
/// Blocks held in the workspace at once (bounds it when a whole dataset is evaluated).
const ROW_BLOCKS: usize = 32;
/// Multiply-adds per batch from which the single-layer blocks run on several threads. A
/// batch of 256 rows × 100 features (25 600) is above it: rows picked at random from a matrix
/// beyond the caches stall on memory, and two threads keep twice as many misses in flight
/// (10⁶ × 100 linear regression: ≈ 5.5 → 6.3–7.5 M samples/s); on an in-cache matrix (10⁴
/// rows) two threads cost ≈ 3 % (19.9 → 19.3 M samples/s).
const ROW_PAR_MIN: usize = 1 << 14;

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

fn mat<T>(data: &[T], rows: usize, cols: usize) -> ArrayView2<'_, T> {
    ArrayView2::from_shape((rows, cols), &data[..rows * cols]).expect("buffer sized rows × cols")
}

fn mat_mut<T>(data: &mut [T], rows: usize, cols: usize) -> ArrayViewMut2<'_, T> {
    ArrayViewMut2::from_shape((rows, cols), &mut data[..rows * cols])
        .expect("buffer sized rows × cols")
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

    fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// (offset of W, offset of b, inputs, outputs) of layer `l`.
    fn layer(&self, l: usize) -> (usize, usize, usize, usize) {
        let (m, k) = (self.sizes[l], self.sizes[l + 1]);
        (self.offsets[l], self.offsets[l] + k * m, m, k)
    }

    /// Initial parameters from `seed`: without hidden layers `W ~ N(0, 0.01²)` (seed 001's
    /// `init_params`); in an MLP He normal `N(0, 2/fan_in)` for relu layers and Xavier uniform
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

    /// Forward (and, with `grad`, backward) over rows `idx` of `data`; returns the **sum** of
    /// per-sample losses and adds the **sum** of per-sample gradients into `grad`.
    fn chunk(&self, params: &[T], data: &Dataset<T>, idx: &[usize], grad: Option<&mut [T]>) -> f64 {
        let c = idx.len();
        let nl = self.layers();
        let mut guard = self.ws.borrow_mut();
        let ws = &mut *guard;
        if ws.acts.len() != nl + 1 {
            ws.acts = self
                .sizes
                .iter()
                .map(|&s| vec![T::zero(); CHUNK * s])
                .collect();
            let widest = self.sizes.iter().copied().max().unwrap_or(1);
            ws.delta = vec![T::zero(); CHUNK * widest];
            ws.delta_prev = vec![T::zero(); CHUNK * widest];
        }
        let d = self.sizes[0];
        for (r, &i) in idx.iter().enumerate() {
            ws.acts[0][r * d..(r + 1) * d].copy_from_slice(data.row(i));
        }
        // Forward.
        for l in 0..nl {
            let (w0, b0, m, k) = self.layer(l);
            let (lo, hi) = ws.acts.split_at_mut(l + 1);
            let a = mat(&lo[l], c, m);
            let w = mat(&params[w0..b0], k, m);
            // Z = 1 bᵀ + A Wᵀ: the bias rows first, then the product added onto them.
            let b = &params[b0..b0 + k];
            let zs = &mut hi[0][..c * k];
            for row in zs.chunks_exact_mut(k) {
                row.copy_from_slice(b);
            }
            gemm(T::one(), &a, &w.t(), T::one(), &mut mat_mut(zs, c, k));
            if l + 1 < nl {
                self.activate_all(zs);
            }
        }
        // Head: loss and ∂ℓ/∂z into delta.
        let k = self.sizes[nl];
        let out = &ws.acts[nl];
        let y = data.y();
        let want_grad = grad.is_some();
        let mut loss = 0.0f64;
        for (r, &i) in idx.iter().enumerate() {
            let z = &out[r * k..(r + 1) * k];
            let dz = &mut ws.delta[r * k..(r + 1) * k];
            loss += head_loss(self.spec.head, z, y[i], dz, want_grad);
        }
        let Some(grad) = grad else {
            return loss;
        };
        // Backward.
        for l in (0..nl).rev() {
            let (w0, b0, m, k) = self.layer(l);
            let delta = mat(&ws.delta, c, k);
            let a = mat(&ws.acts[l], c, m);
            let (gw, gb) = grad[w0..b0 + k].split_at_mut(k * m);
            gemm(T::one(), &delta.t(), &a, T::one(), &mut mat_mut(gw, k, m));
            for row in ws.delta[..c * k].chunks_exact(k) {
                for (g, v) in gb.iter_mut().zip(row) {
                    *g += *v;
                }
            }
            if l > 0 {
                let w = mat(&params[w0..b0], k, m);
                let mut prev = mat_mut(&mut ws.delta_prev, c, m);
                gemm(T::one(), &delta, &w, T::zero(), &mut prev);
                self.times_derivative(&mut ws.delta_prev[..c * m], &ws.acts[l][..c * m]);
                std::mem::swap(&mut ws.delta, &mut ws.delta_prev);
            }
        }
        loss
    }

    /// `z ← φ(z)` elementwise (one loop per activation, so relu vectorises).
    fn activate_all(&self, z: &mut [T]) {
        match self.spec.activation {
            // Not `v > 0` (NaN included) becomes 0, as `max(v, 0)` does.
            Activation::Relu => crate::kernels::update::relu(z),
            Activation::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
            Activation::Sigmoid => z.iter_mut().for_each(|v| *v = sigmoid(*v)),
        }
    }

    /// `δ ← δ ⊙ φ'(z)`, with φ' written in terms of `a = φ(z)`.
    fn times_derivative(&self, delta: &mut [T], a: &[T]) {
        match self.spec.activation {
            // PyTorch's relu backward: `where(a > 0, δ, 0)`.
            Activation::Relu => crate::kernels::update::relu_backward(delta, a),
            _ => delta
                .iter_mut()
                .zip(a)
                .for_each(|(d, a)| *d *= self.activation_derivative(*a)),
        }
    }

    /// φ'(z) written in terms of a = φ(z).
    #[inline]
    fn activation_derivative(&self, a: T) -> T {
        match self.spec.activation {
            Activation::Relu => {
                if a > T::zero() {
                    T::one()
                } else {
                    T::zero()
                }
            }
            Activation::Tanh => T::one() - a * a,
            Activation::Sigmoid => a * (T::one() - a),
        }
    }

    /// The single-layer models (no hidden layer): rows `batch` (at most
    /// `ROW_BLOCK · ROW_BLOCKS`) are read in place from `data`, in blocks of [`ROW_BLOCK`]
    /// rows that each compute `z = W x + b`, the head and their own gradient sum, on several
    /// threads for large batches; then the blocks' losses and gradients are added in order.
    /// Returns the **sum** of the losses and adds the **sum** of the gradients into `grad`.
    fn rows_pass(
        &self,
        params: &[T],
        data: &Dataset<T>,
        batch: &[usize],
        grad: Option<&mut [T]>,
    ) -> f64 {
        let (w0, b0, m, k) = self.layer(0);
        let np = self.n_params;
        let head = self.spec.head;
        let want = grad.is_some();
        let nb = batch.len().div_ceil(ROW_BLOCK);
        // Each block's buffer starts on its own cache line (no false sharing between threads).
        let per = (2 * ROW_BLOCK * k + if want { np } else { 0 }).next_multiple_of(64);
        let mut guard = self.ws.borrow_mut();
        let ws = &mut *guard;
        if ws.partials.len() < nb * per {
            ws.partials.resize(nb * per, T::zero());
        }
        if ws.block_loss.len() < nb {
            ws.block_loss.resize(nb, 0.0);
        }
        let (x, y) = (data.x(), data.y());
        let (w, b) = (&params[w0..b0], &params[b0..b0 + k]);
        let work = |blk: usize, part: &mut [T], loss: &mut f64| {
            let end = ((blk + 1) * ROW_BLOCK).min(batch.len());
            let idx = &batch[blk * ROW_BLOCK..end];
            let (z, rest) = part.split_at_mut(ROW_BLOCK * k);
            let (dz, g) = rest.split_at_mut(ROW_BLOCK * k);
            rows::affine_rows(x, m, idx, &batch[end..], w, b, z);
            *loss = idx
                .iter()
                .enumerate()
                .map(|(r, &i)| {
                    let zr = &z[r * k..(r + 1) * k];
                    head_loss(head, zr, y[i], &mut dz[r * k..(r + 1) * k], want)
                })
                .sum();
            if want {
                g[..np].iter_mut().for_each(|v| *v = T::zero());
                let (gw, gb) = g[..np].split_at_mut(k * m);
                rows::outer_acc_rows(x, m, idx, dz, gw, gb);
            }
        };
        let parts = &mut ws.partials[..nb * per];
        let losses = &mut ws.block_loss[..nb];
        rows::prefetch_rows(x, m, batch);
        if nb > 1 && batch.len() * m * k >= ROW_PAR_MIN && rayon::current_num_threads() > 1 {
            parts
                .par_chunks_mut(per)
                .zip(losses.par_iter_mut())
                .enumerate()
                .for_each(|(blk, (p, l))| work(blk, p, l));
        } else {
            parts
                .chunks_mut(per)
                .zip(losses.iter_mut())
                .enumerate()
                .for_each(|(blk, (p, l))| work(blk, p, l));
        }
        if let Some(grad) = grad {
            for p in parts.chunks(per) {
                for (g, v) in grad.iter_mut().zip(&p[2 * ROW_BLOCK * k..]) {
                    *g += *v;
                }
            }
        }
        losses.iter().sum()
    }

    /// Mean loss over `batch` rows of `data`; writes the mean gradient into `grad` if given.
    pub fn loss(
        &self,
        params: &[T],
        data: &Dataset<T>,
        batch: &[usize],
        mut grad: Option<&mut [T]>,
    ) -> T {
        if let Some(g) = grad.as_deref_mut() {
            g.iter_mut().for_each(|v| *v = T::zero());
        }
        let mut total = 0.0;
        if self.layers() == 1 {
            for idx in batch.chunks(ROW_BLOCK * ROW_BLOCKS) {
                total += self.rows_pass(params, data, idx, grad.as_deref_mut());
            }
        } else {
            for idx in batch.chunks(CHUNK) {
                total += self.chunk(params, data, idx, grad.as_deref_mut());
            }
        }
        let inv = 1.0 / batch.len().max(1) as f64;
        if let Some(g) = grad {
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
fn head_loss<T: Scalar>(head: Head, z: &[T], y: T, dz: &mut [T], grad: bool) -> f64 {
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
fn sigmoid<T: Scalar>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::one() + e)
    }
}

/// A [`Network`] bound to a dataset: the training objective `L(θ) = mean_i ℓ(θ; xᵢ, yᵢ)`.
#[derive(Debug, Clone, Copy)]
pub struct Fit<'a, T: Scalar> {
    /// The model.
    pub net: &'a Network<T>,
    /// The data.
    pub data: &'a Dataset<T>,
}

impl<T: Scalar> SampledObjective<T> for Fit<'_, T> {
    fn n_samples(&self) -> usize {
        self.data.n()
    }
    fn n_params(&self) -> usize {
        self.net.n_params()
    }
    fn batch_value(&self, params: &[T], batch: &[usize]) -> T {
        self.net.loss(params, self.data, batch, None)
    }
    fn batch_gradient(&self, params: &[T], batch: &[usize], g: &mut [T]) -> T {
        self.net.loss(params, self.data, batch, Some(g))
    }
}

/// A batch of a [`Fit`] as a plain [`crate::Objective`] (for gradient checks).
#[derive(Debug, Clone)]
pub struct OnBatch<'a, T: Scalar> {
    /// The objective.
    pub fit: Fit<'a, T>,
    /// The fixed batch.
    pub batch: Vec<usize>,
}

impl<T: Scalar> crate::Objective<T> for OnBatch<'_, T> {
    fn dim(&self) -> Option<usize> {
        Some(self.fit.n_params())
    }
    fn value(&self, x: &[T]) -> T {
        self.fit.batch_value(x, &self.batch)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        self.fit.batch_gradient(x, &self.batch, g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{builtin::SyntheticOptions, synthetic_classification, synthetic_linreg};
    use crate::diff::check_gradient;

    fn spec(
        kind: ModelKind,
        d: usize,
        hidden: Vec<usize>,
        k: usize,
        act: Activation,
        head: Head,
    ) -> ModelSpec {
        ModelSpec {
            kind,
            inputs: d,
            hidden,
            outputs: k,
            activation: act,
            head,
        }
    }

    fn check(net: &Network<f64>, data: &Dataset<f64>, seed: u64) {
        let mut p = net.init(seed);
        // Move off the tiny initial scale so every term matters.
        let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
        p.iter_mut().for_each(|v| *v += rng.random_range(-0.5..0.5));
        let obj = OnBatch {
            fit: Fit { net, data },
            batch: vec![0, 3, 3, 7, 11],
        };
        let r = check_gradient(&obj, &p, 1e-5);
        assert!(
            r.max_rel_error < 1e-5,
            "{:?} worst {}: {r:?}",
            net.spec().kind,
            r.worst_index
        );
    }

    #[test]
    fn gradients_match_numerical_ones() {
        let o = SyntheticOptions {
            n: Some(20),
            features: Some(3),
            ..Default::default()
        };
        let reg = synthetic_linreg::<f64>(&o).unwrap();
        let cls = synthetic_classification::<f64>(&SyntheticOptions {
            classes: Some(4),
            ..o.clone()
        })
        .unwrap();
        let mut bin = cls.clone();
        let y: Vec<f64> = cls.y().iter().map(|v| f64::from(*v >= 2.0)).collect();
        bin = Dataset::new(bin.x().to_vec(), y, 3, Task::Classification { classes: 2 }).unwrap();
        let lin = Network::new(spec(
            ModelKind::Linear,
            3,
            vec![],
            1,
            Activation::Relu,
            Head::Linear,
        ))
        .unwrap();
        check(&lin, &reg, 1);
        let log = Network::new(spec(
            ModelKind::Logistic,
            3,
            vec![],
            1,
            Activation::Relu,
            Head::Logistic,
        ))
        .unwrap();
        check(&log, &bin, 2);
        let sm = Network::new(spec(
            ModelKind::Softmax,
            3,
            vec![],
            4,
            Activation::Relu,
            Head::Softmax,
        ))
        .unwrap();
        check(&sm, &cls, 3);
        for act in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
            let mlp =
                Network::new(spec(ModelKind::Mlp, 3, vec![5, 4], 4, act, Head::Softmax)).unwrap();
            check(&mlp, &cls, 4);
            let mlp = Network::new(spec(ModelKind::Mlp, 3, vec![6], 1, act, Head::Linear)).unwrap();
            check(&mlp, &reg, 5);
        }
    }

    #[test]
    fn chunked_batches_equal_one_pass_and_f32_agrees() {
        let o = SyntheticOptions {
            n: Some(600),
            features: Some(4),
            ..Default::default()
        };
        let cls = synthetic_classification::<f64>(&o).unwrap();
        let net = Network::<f64>::new(spec(
            ModelKind::Mlp,
            4,
            vec![8],
            3,
            Activation::Tanh,
            Head::Softmax,
        ))
        .unwrap();
        let p = net.init(9);
        let all: Vec<usize> = (0..600).collect();
        let mut g = vec![0.0; net.n_params()];
        let l = net.loss(&p, &cls, &all, Some(&mut g));
        // Sum of per-sample gradients over single-row batches, averaged.
        let mut acc = vec![0.0; net.n_params()];
        let mut gi = vec![0.0; net.n_params()];
        let mut lacc = 0.0;
        for i in 0..600 {
            lacc += net.loss(&p, &cls, &[i], Some(&mut gi));
            acc.iter_mut().zip(&gi).for_each(|(a, b)| *a += b / 600.0);
        }
        assert!((l - lacc / 600.0).abs() < 1e-12);
        for (a, b) in g.iter().zip(&acc) {
            assert!((a - b).abs() < 1e-12);
        }
        let net32 = Network::<f32>::new(net.spec().clone()).unwrap();
        let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        let l32 = net32.loss(&p32, &cls.cast::<f32>(), &all, None);
        assert!((f64::from(l32) - l).abs() < 1e-5);
    }

    #[test]
    fn named_params_follow_the_kind() {
        let lin = Network::<f64>::new(spec(
            ModelKind::Linear,
            2,
            vec![],
            1,
            Activation::Relu,
            Head::Linear,
        ))
        .unwrap();
        let v = lin.named(&[2.0, -3.4, 4.2]);
        assert_eq!(
            v,
            NamedParams::Vector {
                w: vec![2.0, -3.4],
                b: 4.2
            }
        );
        let sm = Network::<f64>::new(spec(
            ModelKind::Softmax,
            2,
            vec![],
            3,
            Activation::Relu,
            Head::Softmax,
        ))
        .unwrap();
        let p: Vec<f64> = (0..9).map(f64::from).collect();
        match sm.named(&p) {
            NamedParams::Matrix(l) => {
                assert_eq!(l.w, vec![vec![0.0, 1.0], vec![2.0, 3.0], vec![4.0, 5.0]]);
                assert_eq!(l.b, vec![6.0, 7.0, 8.0]);
            }
            other => panic!("{other:?}"),
        }
    }
}
