//! The single-layer models' row path: rows read in place, in blocks summed in order, each
//! block in one fused pass (forward, loss and gradient while its row is in L1).

use super::{head_loss, Network};
use crate::data::Dataset;
use crate::kernels::rows;
use crate::model::{Head, Scalar};
use crate::Float;

/// Rows per block of the single-layer path. Each block sums its rows' gradients into its own
/// buffer and the blocks are added in order, so the result does not depend on the thread
/// count (nor on which thread ran which block).
pub(super) const ROW_BLOCK: usize = 64;
/// Blocks held in the workspace at once (bounds it when a whole dataset is evaluated).
pub(super) const ROW_BLOCKS: usize = 32;
/// Multiply-adds per batch from which the single-layer blocks run on several threads. A
/// batch of 256 rows × 100 features (25 600) is above it: rows picked at random from a matrix
/// beyond the caches stall on memory, and two threads keep twice as many misses in flight
/// (10⁶ × 100 linear regression: ≈ 5.5 → 6.3–7.5 M samples/s); on an in-cache matrix (10⁴
/// rows) two threads cost ≈ 3 % (19.9 → 19.3 M samples/s).
pub(super) const ROW_PAR_MIN: usize = 1 << 14;

/// What every block of one pass reads.
struct Pass<'a, T> {
    x: &'a [T],
    y: &'a [T],
    d: usize,
    w: &'a [T],
    b: &'a [T],
    head: Head,
    want: bool,
    batch: &'a [usize],
    upcoming: &'a [usize],
    /// Elements of each block's buffer: `z` (`k`), `dz` (`k`), then its gradient sum (`np`).
    per: usize,
}

impl<T: Scalar> Network<T> {
    /// The rows `batch` (at most `ROW_BLOCK · ROW_BLOCKS`) are read in place from `data`, in
    /// blocks of [`ROW_BLOCK`] rows that each compute `z = W x + b`, the head and their own
    /// gradient sum in one pass per row ([`fused_block`]), on several threads for large
    /// batches; then the blocks' losses and gradients are added in order. `upcoming` are the
    /// rows the next call will read (a hint: they are prefetched, never read). Returns the
    /// **sum** of the losses and adds the **sum** of the gradients into `grad`.
    pub(super) fn rows_pass(
        &self,
        params: &[T],
        data: &Dataset<T>,
        batch: &[usize],
        upcoming: &[usize],
        grad: Option<&mut [T]>,
    ) -> f64 {
        let (w0, b0, m, k) = self.layer(0);
        let np = self.n_params;
        let want = grad.is_some();
        let nb = batch.len().div_ceil(ROW_BLOCK);
        // Each block's buffer starts on its own cache line (no false sharing between threads).
        let per = (2 * k + if want { np } else { 0 }).next_multiple_of(64);
        let mut guard = self.ws.borrow_mut();
        let ws = &mut *guard;
        if ws.partials.len() < nb * per {
            ws.partials.resize(nb * per, T::zero());
        }
        if ws.block_loss.len() < nb {
            ws.block_loss.resize(nb, 0.0);
        }
        let pass = Pass {
            x: data.x(),
            y: data.y(),
            d: m,
            w: &params[w0..b0],
            b: &params[b0..b0 + k],
            head: self.spec.head,
            want,
            batch,
            upcoming,
            per,
        };
        let parts = &mut ws.partials[..nb * per];
        let losses = &mut ws.block_loss[..nb];
        let threads = rayon::current_num_threads();
        let split = if nb > 1 && batch.len() * m * k >= ROW_PAR_MIN {
            threads
        } else {
            1
        };
        pass.run(parts, losses, 0, split);
        if let Some(grad) = grad {
            for p in parts.chunks(per) {
                for (g, v) in grad.iter_mut().zip(&p[2 * k..]) {
                    *g += *v;
                }
            }
        }
        losses.iter().sum()
    }
}

impl<T: Float> Pass<'_, T> {
    /// Runs the blocks `first..first + losses.len()` (their buffers `parts`), split in halves
    /// over `split` threads. Each leaf of the split prefetches its own rows ahead and then the
    /// rows at the same positions of `upcoming` (which the same thread will most likely read
    /// next); which thread runs a block never changes its result.
    fn run(&self, parts: &mut [T], losses: &mut [f64], first: usize, split: usize) {
        let nb = losses.len();
        if split > 1 && nb > 1 {
            let half = nb / 2;
            let (pa, pb) = parts.split_at_mut(half * self.per);
            let (la, lb) = losses.split_at_mut(half);
            rayon::join(
                || self.run(pa, la, first, split / 2),
                || self.run(pb, lb, first + half, split - split / 2),
            );
            return;
        }
        let lo = first * ROW_BLOCK;
        let hi = ((first + nb) * ROW_BLOCK).min(self.batch.len());
        let later = &self.upcoming[lo.min(self.upcoming.len())..hi.min(self.upcoming.len())];
        rows::prefetch_rows(self.x, self.d, &self.batch[lo..hi]);
        for &i in self.batch[lo..hi].iter().take(rows::PREFETCH_ROWS) {
            rows::prefetch(&self.y[i..=i]);
        }
        for (j, (part, loss)) in parts.chunks_mut(self.per).zip(losses).enumerate() {
            let start = lo + j * ROW_BLOCK;
            let end = (start + ROW_BLOCK).min(hi);
            fused_block(
                self,
                &self.batch[start..end],
                &self.batch[end..hi],
                later,
                part,
                loss,
            );
        }
    }
}

crate::multiversion! {
    /// One block's rows `idx` of `pass.x` (`d` columns), in order: `z = W x + b` (`W` is
    /// `k × d` row-major, `k = b.len()`, each output one [`rows::dot`]), the head's loss added
    /// into `loss` (which it overwrites first) and, if `pass.want`, `dz = ∂ℓ/∂z` with
    /// `gb[j] += dz[j]`, `gw[j·d + i] += dz[j] · x[i]` into the gradient sum at
    /// `part[2k..2k + k·d + k]` (zeroed first), while the row is in L1. The row
    /// [`rows::PREFETCH_ROWS`] further on — in `idx`, then `ahead`, then `later` — is
    /// prefetched as each row is read.
    fn fused_block<T: Float>(
        pass: &Pass<'_, T>,
        idx: &[usize],
        ahead: &[usize],
        later: &[usize],
        part: &mut [T],
        loss: &mut f64,
    ) {
        let Pass { x, y, d, w, b, head, want, .. } = *pass;
        let k = b.len();
        let (z, rest) = part.split_at_mut(k);
        let (dz, g) = rest.split_at_mut(k);
        let (gw, gb) = if want {
            let (gw, gb) = g[..k * d + k].split_at_mut(k * d);
            gw.iter_mut().for_each(|v| *v = T::zero());
            gb.iter_mut().for_each(|v| *v = T::zero());
            (gw, gb)
        } else {
            (&mut [][..], &mut [][..])
        };
        let mut sum = 0.0;
        for (r, &i) in idx.iter().enumerate() {
            let at = r + rows::PREFETCH_ROWS;
            let next = idx
                .get(at)
                .or_else(|| ahead.get(at - idx.len()))
                .or_else(|| later.get(at - idx.len() - ahead.len()));
            // A hint: an index beyond `x` (from `upcoming`) is skipped, never read. The target
            // is fetched too: `y[i]` picked at random from a few MB stalls as long as the row.
            if let Some(&a) = next {
                if let (Some(ahead_row), Some(target)) = (x.get(a * d..(a + 1) * d), y.get(a..=a)) {
                    rows::prefetch(ahead_row);
                    rows::prefetch(target);
                }
            }
            let row = &x[i * d..(i + 1) * d];
            for (j, zj) in z.iter_mut().enumerate() {
                *zj = b[j] + rows::dot(row, &w[j * d..(j + 1) * d]);
            }
            sum += head_loss(head, z, y[i], dz, want);
            if want {
                for (j, gbj) in gb.iter_mut().enumerate() {
                    let s = dz[j];
                    *gbj += s;
                    for (gi, xi) in gw[j * d..(j + 1) * d].iter_mut().zip(row) {
                        *gi += s * *xi;
                    }
                }
            }
        }
        *loss = sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Task;
    use crate::kernels::dispatch::{set_max_level, Level};
    use crate::model::{Activation, ModelKind, ModelSpec};

    /// The row path's sums written out plainly: per block of `ROW_BLOCK` rows (in chunks of
    /// `ROW_BLOCK · ROW_BLOCKS`) forward all rows, then the losses, then the gradient sum from
    /// zero; the blocks added in order into a zeroed gradient, scaled by `1/n` at the end.
    fn reference(
        net: &Network<f32>,
        p: &[f32],
        data: &Dataset<f32>,
        batch: &[usize],
    ) -> (f32, Vec<f32>) {
        let (w0, b0, d, k) = net.layer(0);
        let (w, b) = (&p[w0..b0], &p[b0..b0 + k]);
        let mut grad = vec![0.0f32; net.n_params()];
        let mut total = 0.0f64;
        for chunk in batch.chunks(ROW_BLOCK * ROW_BLOCKS) {
            let mut losses = Vec::new();
            for blk in chunk.chunks(ROW_BLOCK) {
                let mut z = vec![0.0f32; blk.len() * k];
                let mut dz = vec![0.0f32; blk.len() * k];
                for (r, &i) in blk.iter().enumerate() {
                    for j in 0..k {
                        z[r * k + j] = b[j] + rows::dot(data.row(i), &w[j * d..(j + 1) * d]);
                    }
                }
                let l: f64 = blk
                    .iter()
                    .enumerate()
                    .map(|(r, &i)| {
                        let zr = &z[r * k..(r + 1) * k];
                        head_loss(
                            net.spec.head,
                            zr,
                            data.y()[i],
                            &mut dz[r * k..(r + 1) * k],
                            true,
                        )
                    })
                    .sum();
                losses.push(l);
                let mut g = vec![0.0f32; net.n_params()];
                for (r, &i) in blk.iter().enumerate() {
                    for j in 0..k {
                        let s = dz[r * k + j];
                        g[k * d + j] += s;
                        for (gi, xi) in g[j * d..(j + 1) * d].iter_mut().zip(data.row(i)) {
                            *gi += s * *xi;
                        }
                    }
                }
                grad.iter_mut().zip(&g).for_each(|(a, v)| *a += *v);
            }
            total += losses.iter().sum::<f64>();
        }
        let inv = 1.0 / batch.len() as f64;
        grad.iter_mut().for_each(|v| *v *= inv as f32);
        ((total * inv) as f32, grad)
    }

    #[test]
    fn fused_row_path_gives_the_plain_sums_bits_at_every_level_and_thread_count() {
        let (n, d) = (700, 37);
        let x: Vec<f32> = (0..n * d)
            .map(|i| ((i * 7919) % 101) as f32 / 50.0 - 1.0)
            .collect();
        // 2100 rows with repeats: two chunks of 2048 rows, a partial last block.
        let batch: Vec<usize> = (0..2100).map(|i| (i * 389 + 11) % n).collect();
        let upcoming: Vec<usize> = (0..300).map(|i| (i * 13) % (n + 50)).collect();
        for (kind, head, k) in [
            (ModelKind::Linear, Head::Linear, 1),
            (ModelKind::Logistic, Head::Logistic, 1),
            (ModelKind::Softmax, Head::Softmax, 3),
        ] {
            let y: Vec<f32> = (0..n)
                .map(|i| match head {
                    Head::Linear => (i % 17) as f32 * 0.1 - 0.8,
                    _ => (i % k.max(2)) as f32,
                })
                .collect();
            let task = match head {
                Head::Linear => Task::Regression,
                _ => Task::Classification { classes: k.max(2) },
            };
            let data = Dataset::new(x.clone(), y, d, task).unwrap();
            let spec = ModelSpec {
                kind,
                inputs: d,
                hidden: vec![],
                outputs: k,
                activation: Activation::Relu,
                head,
            };
            let mut results = Vec::new();
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| {
                    let net = Network::<f32>::new(spec.clone()).unwrap();
                    let p: Vec<f32> = net
                        .init(3)
                        .iter()
                        .enumerate()
                        .map(|(i, v)| v + (i % 7) as f32 * 0.05)
                        .collect();
                    let want = reference(&net, &p, &data, &batch);
                    for level in [Level::Baseline, Level::Avx2, Level::Avx512] {
                        set_max_level(level);
                        for ahead in [&[][..], &upcoming[..]] {
                            let mut g = vec![f32::NAN; net.n_params()];
                            let l = net.loss_ahead(&p, &data, &batch, ahead, Some(&mut g));
                            results.push((
                                l.to_bits(),
                                g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                            ));
                            let l_only = net.loss(&p, &data, &batch, None);
                            assert_eq!(l_only.to_bits(), l.to_bits(), "{kind:?}");
                        }
                    }
                    set_max_level(Level::Avx512);
                    let bits = (
                        want.0.to_bits(),
                        want.1.iter().map(|v| v.to_bits()).collect(),
                    );
                    assert_eq!(
                        results[0], bits,
                        "{kind:?}: fused pass against the plain sums"
                    );
                });
            }
            for r in &results[1..] {
                assert_eq!(r, &results[0], "{kind:?}: levels, threads and hints agree");
            }
        }
    }
}
