//! The single-layer models' row path: rows read in place, in blocks summed in order.

use rayon::prelude::*;

use super::{head_loss, Network};
use crate::data::Dataset;
use crate::kernels::rows;
use crate::model::Scalar;

/// Rows per block of the single-layer path. Each block sums its rows' gradients into its own
/// buffer and the blocks are added in order, so the result does not depend on the thread
/// count.
pub(super) const ROW_BLOCK: usize = 64;
/// Blocks held in the workspace at once (bounds it when a whole dataset is evaluated).
pub(super) const ROW_BLOCKS: usize = 32;
/// Multiply-adds per batch from which the single-layer blocks run on several threads. A
/// batch of 256 rows × 100 features (25 600) is above it: rows picked at random from a matrix
/// beyond the caches stall on memory, and two threads keep twice as many misses in flight
/// (10⁶ × 100 linear regression: ≈ 5.5 → 6.3–7.5 M samples/s); on an in-cache matrix (10⁴
/// rows) two threads cost ≈ 3 % (19.9 → 19.3 M samples/s).
pub(super) const ROW_PAR_MIN: usize = 1 << 14;

impl<T: Scalar> Network<T> {
    /// `ROW_BLOCK · ROW_BLOCKS`) are read in place from `data`, in blocks of [`ROW_BLOCK`]
    /// rows that each compute `z = W x + b`, the head and their own gradient sum, on several
    /// threads for large batches; then the blocks' losses and gradients are added in order.
    /// Returns the **sum** of the losses and adds the **sum** of the gradients into `grad`.
    pub(super) fn rows_pass(
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
}
