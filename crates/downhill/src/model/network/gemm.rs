//! The MLP path: chunks of rows through dense layers as matrix products (forward and
//! backward).

use ndarray::{ArrayView2, ArrayViewMut2};

use super::{head_loss, sigmoid, Network};
use crate::data::Dataset;
use crate::kernels::gemm::matmul as gemm;
use crate::model::{Activation, Scalar, CHUNK};

fn mat<T>(data: &[T], rows: usize, cols: usize) -> ArrayView2<'_, T> {
    ArrayView2::from_shape((rows, cols), &data[..rows * cols]).expect("buffer sized rows × cols")
}

fn mat_mut<T>(data: &mut [T], rows: usize, cols: usize) -> ArrayViewMut2<'_, T> {
    ArrayViewMut2::from_shape((rows, cols), &mut data[..rows * cols])
        .expect("buffer sized rows × cols")
}

impl<T: Scalar> Network<T> {
    /// Forward (and, with `grad`, backward) over rows `idx` of `data`; returns the **sum** of
    /// per-sample losses and adds the **sum** of per-sample gradients into `grad`.
    pub(super) fn chunk(
        &self,
        params: &[T],
        data: &Dataset<T>,
        idx: &[usize],
        grad: Option<&mut [T]>,
    ) -> f64 {
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
}
