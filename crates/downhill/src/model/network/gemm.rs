//! The MLP path: chunks of rows through dense layers as matrix products (forward and
//! backward).
//!
//! Threads: each layer's products are cut into blocks of the layer's **output units** (columns
//! of `Z = A Wᵀ + 1bᵀ`, rows of `∂W = δᵀ A`, columns of `δ = δ₊ W₊`), and the blocks run on
//! the pool's threads. The inner dimension is never split, and the blocks depend on the shapes
//! alone ([`block_width`]), so every element is the same sequence of operations at any thread
//! count. Each block does all of its units' work while it is in cache: the bias, the product
//! and the activation forward; the derivative, `δ`, `∂W`, `∂b` (and the batch mean's scale)
//! backward.

use ndarray::{s, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use super::{head_loss, sigmoid, Network};
use crate::data::Dataset;
use crate::kernels::gemm::matmul;
use crate::kernels::update;
use crate::model::{Activation, Scalar, CHUNK};

/// Multiply-adds per block below which a layer's product is not split further.
const BLOCK_MULADDS: usize = 1 << 22;
/// At most this many blocks per layer (a power of two).
const MAX_BLOCKS: usize = 4;
/// Blocks keep at least this many output units.
const MIN_BLOCK_UNITS: usize = 64;

/// The width (in output units) of the blocks a layer with `units` outputs and `muladds`
/// multiply-adds is cut into: `units / b` rounded up to 16 (whole AVX-512 vectors) for the
/// largest power of two `b ≤ MAX_BLOCKS` that leaves every block ≥ [`BLOCK_MULADDS`] and
/// ≥ [`MIN_BLOCK_UNITS`] wide. A function of the shape only, never of the thread count.
/// 784-256-10 at batch 64: the hidden layer in 2 blocks of 128 units (6.4 M multiply-adds
/// each), the 10-unit head in one.
fn block_width(units: usize, muladds: usize) -> usize {
    let mut b = 1;
    while b < MAX_BLOCKS && muladds >= 2 * b * BLOCK_MULADDS && units >= 2 * b * MIN_BLOCK_UNITS {
        b *= 2;
    }
    units.div_ceil(b).next_multiple_of(16).min(units).max(1)
}

/// `C ← α·A·B + β·C` on the calling thread (the blocks are the unit of threading).
fn gemm<T: Scalar>(
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
) {
    matmul(alpha, a, b, beta, c, false);
}

/// Runs `f` on every item, on the pool's threads when there are several.
fn each_block<I: Send>(items: Vec<I>, f: impl Fn(I) + Sync + Send) {
    if items.len() > 1 && rayon::current_num_threads() > 1 {
        items.into_par_iter().for_each(f);
    } else {
        items.into_iter().for_each(f);
    }
}

fn mat<T>(data: &[T], rows: usize, cols: usize) -> ArrayView2<'_, T> {
    ArrayView2::from_shape((rows, cols), &data[..rows * cols]).expect("buffer sized rows × cols")
}

fn mat_mut<T>(data: &mut [T], rows: usize, cols: usize) -> ArrayViewMut2<'_, T> {
    ArrayViewMut2::from_shape((rows, cols), &mut data[..rows * cols])
        .expect("buffer sized rows × cols")
}

/// The rows of a view whose columns are contiguous (a column block of a row-major matrix).
fn row_slices<'a, T>(v: &'a mut ArrayViewMut2<'_, T>) -> impl Iterator<Item = &'a mut [T]> {
    v.rows_mut().into_iter().map(|r| {
        r.into_slice()
            .expect("rows of a row-major block are contiguous")
    })
}

/// How [`Network::chunk`] stores its gradient.
#[derive(Debug, Clone, Copy)]
pub(super) enum GradInto<T> {
    /// Add the chunk's sum into the buffer.
    Add,
    /// Overwrite the buffer with the chunk's sum times this factor (a batch of one chunk).
    Set(T),
}

impl<T: Scalar> Network<T> {
    /// Forward (and, with `grad`, backward) over rows `idx` of `data`; returns the **sum** of
    /// per-sample losses and adds the **sum** of per-sample gradients into `grad` (or
    /// overwrites it with their scaled sum, see [`GradInto`]).
    pub(super) fn chunk(
        &self,
        params: &[T],
        data: &Dataset<T>,
        idx: &[usize],
        grad: Option<(&mut [T], GradInto<T>)>,
    ) -> f64 {
        let c = idx.len();
        let nl = self.layers();
        let act = self.spec.activation;
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
        gather(&mut ws.acts[0], data, idx);
        // Forward: per block J of output units, Z[:, J] = 1 b[J]ᵀ + A W[J]ᵀ (the bias rows
        // first, then the product added onto them), then φ on the block for hidden layers.
        for l in 0..nl {
            let (w0, b0, m, k) = self.layer(l);
            let (lo, hi) = ws.acts.split_at_mut(l + 1);
            let a = mat(&lo[l], c, m);
            let (w, b) = (&params[w0..b0], &params[b0..b0 + k]);
            let hidden = l + 1 < nl;
            let width = block_width(k, c * m * k);
            let mut z = mat_mut(&mut hi[0], c, k);
            let blocks: Vec<_> = z.axis_chunks_iter_mut(Axis(1), width).enumerate().collect();
            each_block(blocks, |(i, mut zb)| {
                let (j0, nj) = (i * width, zb.ncols());
                for row in row_slices(&mut zb) {
                    row.copy_from_slice(&b[j0..j0 + nj]);
                }
                let wb = mat(&w[j0 * m..(j0 + nj) * m], nj, m);
                gemm(T::one(), &a, &wb.t(), T::one(), &mut zb);
                if hidden {
                    row_slices(&mut zb).for_each(|row| activate(act, row));
                }
            });
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
        let Some((grad, into)) = grad else {
            return loss;
        };
        // Backward, top layer first. `ws.delta` holds δ of the layer above (c × k₊); per block
        // J of this layer's units: δ[:, J] = (δ₊ W₊[:, J]) ⊙ φ'(a[:, J]) (hidden layers; the
        // head's δ is given), ∂W[J] = δ[:, J]ᵀ A, ∂b[J] = Σ_rows δ[:, J].
        for l in (0..nl).rev() {
            let (w0, b0, m, k) = self.layer(l);
            let top = l + 1 == nl;
            let (dst, upper) = if top {
                (&mut ws.delta, None)
            } else {
                let (wu, _, _, ku) = self.layer(l + 1);
                let up = (mat(&ws.delta, c, ku), mat(&params[wu..wu + ku * k], ku, k));
                (&mut ws.delta_prev, Some(up))
            };
            let up_cost = upper.as_ref().map_or(0, |(d, _)| d.ncols() * c * k);
            let width = block_width(k, c * k * m + up_cost);
            let a = mat(&ws.acts[l], c, m);
            let a_out = mat(&ws.acts[l + 1], c, k);
            let (gw, gb) = grad[w0..b0 + k].split_at_mut(k * m);
            let mut delta = mat_mut(dst, c, k);
            let blocks: Vec<_> = delta
                .axis_chunks_iter_mut(Axis(1), width)
                .zip(gw.chunks_mut(width * m))
                .zip(gb.chunks_mut(width))
                .enumerate()
                .collect();
            each_block(blocks, |(i, ((mut db, gwb), gbb))| {
                let (j0, nj) = (i * width, db.ncols());
                if let Some((d_up, w_up)) = &upper {
                    gemm(
                        T::one(),
                        d_up,
                        &w_up.slice(s![.., j0..j0 + nj]),
                        T::zero(),
                        &mut db,
                    );
                    let a_blk = a_out.slice(s![.., j0..j0 + nj]);
                    for (row, a_row) in row_slices(&mut db).zip(a_blk.rows()) {
                        let a_row = a_row.to_slice().expect("rows of a row-major block");
                        times_derivative(act, row, a_row);
                    }
                }
                let beta = match into {
                    GradInto::Add => T::one(),
                    GradInto::Set(_) => {
                        gbb.iter_mut().for_each(|g| *g = T::zero());
                        T::zero()
                    }
                };
                gemm(T::one(), &db.t(), &a, beta, &mut mat_mut(gwb, nj, m));
                for row in db.rows() {
                    for (g, v) in gbb.iter_mut().zip(row) {
                        *g += *v;
                    }
                }
                if let GradInto::Set(s) = into {
                    update::scale(gwb, s);
                    update::scale(gbb, s);
                }
            });
            if !top {
                std::mem::swap(&mut ws.delta, &mut ws.delta_prev);
            }
        }
        loss
    }
}

/// Elements from which the batch's rows are copied by two threads.
const PAR_GATHER: usize = 1 << 15;

/// Rows `idx` of `data` into `dst`, one after another (two halves in parallel when long).
fn gather<T: Scalar>(dst: &mut [T], data: &Dataset<T>, idx: &[usize]) {
    let d = data.d();
    if idx.len() > 1 && idx.len() * d >= PAR_GATHER && rayon::current_num_threads() > 1 {
        let half = idx.len() / 2;
        let (lo, hi) = dst.split_at_mut(half * d);
        rayon::join(
            || gather(lo, data, &idx[..half]),
            || gather(hi, data, &idx[half..]),
        );
        return;
    }
    for (row, &i) in dst.chunks_exact_mut(d).zip(idx) {
        row.copy_from_slice(data.row(i));
    }
}

/// `z ← φ(z)` elementwise (one loop per activation, so relu vectorises).
fn activate<T: Scalar>(act: Activation, z: &mut [T]) {
    match act {
        // Not `v > 0` (NaN included) becomes 0, as `max(v, 0)` does.
        Activation::Relu => update::relu(z),
        Activation::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
        Activation::Sigmoid => z.iter_mut().for_each(|v| *v = sigmoid(*v)),
    }
}

/// `δ ← δ ⊙ φ'(z)`, with φ' written in terms of `a = φ(z)`.
fn times_derivative<T: Scalar>(act: Activation, delta: &mut [T], a: &[T]) {
    match act {
        // PyTorch's relu backward: `where(a > 0, δ, 0)`.
        Activation::Relu => update::relu_backward(delta, a),
        Activation::Tanh => delta
            .iter_mut()
            .zip(a)
            .for_each(|(d, a)| *d *= T::one() - *a * *a),
        Activation::Sigmoid => delta
            .iter_mut()
            .zip(a)
            .for_each(|(d, a)| *d *= *a * (T::one() - *a)),
    }
}
