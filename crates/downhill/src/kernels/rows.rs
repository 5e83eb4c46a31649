//! Kernels of one dense layer applied to rows picked from a row-major matrix **in place** —
//! no gathering copy of the batch, no GEMM packing — for the single-layer models (linear,
//! logistic and softmax regression), where a batch is a few hundred short dot products.
//!
//! Both are [`multiversion!`](crate::multiversion)-dispatched. Dot products keep 16
//! interleaved partial sums (written out in the source, so every instruction-set level adds
//! in the same order and the results are bit-identical across levels), which lets them
//! vectorise; the rank-1 updates are plain elementwise loops.

use crate::Float;

/// Lanes of partial sums in [`dot`].
pub const LANES: usize = 16;
/// How many rows ahead [`affine_rows`] asks the CPU to fetch: rows picked at random from a
/// matrix larger than the caches would otherwise each stall on a memory round trip.
const PREFETCH_ROWS: usize = 8;

/// Asks the CPU to bring the cache lines of `row` into L1 (a hint: it never faults).
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(row: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = row.as_ptr().cast::<i8>();
        for line in (0..std::mem::size_of_val(row)).step_by(64) {
            // SAFETY: `_mm_prefetch` needs SSE, which every x86-64 CPU has; a prefetch is
            // only a hint, never dereferences, and the address lies within `row` anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(line)) }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

/// `Σ aᵢ bᵢ` over `a.len()` terms: 16 interleaved partial sums over the whole blocks
/// (one vector register's worth at AVX-512), a separate sum of the tail, then a pairwise fold.
#[inline(always)]
pub fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let b = &b[..a.len()];
    let (ab, at) = a.as_chunks::<LANES>();
    let (bb, bt) = b.as_chunks::<LANES>();
    let mut acc = [T::zero(); LANES];
    for (x, y) in ab.iter().zip(bb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = T::zero();
    for (x, y) in at.iter().zip(bt) {
        tail += *x * *y;
    }
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for l in 0..w {
            acc[l] += acc[l + w];
        }
    }
    acc[0] + tail
}

/// Prefetches the first `PREFETCH_ROWS` rows of `idx` (`d` columns each) of `x`.
pub fn prefetch_rows<T>(x: &[T], d: usize, idx: &[usize]) {
    for &i in idx.iter().take(PREFETCH_ROWS) {
        prefetch(&x[i * d..(i + 1) * d]);
    }
}

crate::multiversion! {
    /// `z[r·k + j] = b[j] + Σᵢ x[idx[r]·d + i] · w[j·d + i]` for every picked row `r` and
    /// output `j`, where `k = b.len()` and `w` is `k × d` row-major. While row `r` is
    /// computed, the row `PREFETCH_ROWS` further on — in `idx`, then in `next` (the rows
    /// that will be asked for after these) — is prefetched; the caller is expected to have
    /// prefetched the first ones (see [`prefetch_rows`]).
    pub fn affine_rows<T: Float>(
        x: &[T],
        d: usize,
        idx: &[usize],
        next: &[usize],
        w: &[T],
        b: &[T],
        z: &mut [T],
    ) {
        let k = b.len();
        for (r, &i) in idx.iter().enumerate() {
            let ahead = r + PREFETCH_ROWS;
            if let Some(&a) = idx.get(ahead).or_else(|| next.get(ahead - idx.len())) {
                prefetch(&x[a * d..(a + 1) * d]);
            }
            let row = &x[i * d..(i + 1) * d];
            let zr = &mut z[r * k..(r + 1) * k];
            for (j, zj) in zr.iter_mut().enumerate() {
                *zj = b[j] + dot(row, &w[j * d..(j + 1) * d]);
            }
        }
    }
}

crate::multiversion! {
    /// `gw[j·d + i] += dz[r·k + j] · x[idx[r]·d + i]` and `gb[j] += dz[r·k + j]`, rows `r` in
    /// order, where `k = gb.len()` and `gw` is `k × d` row-major.
    pub fn outer_acc_rows<T: Float>(
        x: &[T],
        d: usize,
        idx: &[usize],
        dz: &[T],
        gw: &mut [T],
        gb: &mut [T],
    ) {
        let k = gb.len();
        for (r, &i) in idx.iter().enumerate() {
            let row = &x[i * d..(i + 1) * d];
            for (j, gbj) in gb.iter_mut().enumerate() {
                let s = dz[r * k + j];
                *gbj += s;
                let g = &mut gw[j * d..(j + 1) * d];
                for (gi, xi) in g.iter_mut().zip(row) {
                    *gi += s * *xi;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::dispatch::{set_max_level, Level};

    fn naive_dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn dot_matches_the_naive_sum_for_every_length() {
        for n in 0..70 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
            assert!((dot(&a, &b) - naive_dot(&a, &b)).abs() < 1e-12, "n = {n}");
        }
    }

    #[test]
    fn rows_kernels_match_a_plain_loop_at_every_level() {
        let (n, d, k) = (9, 37, 3);
        let x: Vec<f32> = (0..n * d)
            .map(|i| ((i * 7919) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let w: Vec<f32> = (0..k * d)
            .map(|i| ((i * 31) % 17) as f32 / 8.0 - 1.0)
            .collect();
        let b = [0.5f32, -0.25, 1.0];
        let idx = [4usize, 0, 8, 4];
        let dz: Vec<f32> = (0..idx.len() * k).map(|i| i as f32 * 0.1 - 0.5).collect();
        let mut results = Vec::new();
        for level in [Level::Baseline, Level::Avx2, Level::Avx512] {
            set_max_level(level);
            let mut z = vec![0.0f32; idx.len() * k];
            affine_rows(&x, d, &idx, &[], &w, &b, &mut z);
            let (mut gw, mut gb) = (vec![0.0f32; k * d], vec![0.0f32; k]);
            outer_acc_rows(&x, d, &idx, &dz, &mut gw, &mut gb);
            results.push((z, gw, gb));
        }
        set_max_level(Level::Avx512);
        for (r, &i) in idx.iter().enumerate() {
            for j in 0..k {
                let want: f64 = f64::from(b[j])
                    + (0..d)
                        .map(|t| f64::from(x[i * d + t]) * f64::from(w[j * d + t]))
                        .sum::<f64>();
                assert!((f64::from(results[0].0[r * k + j]) - want).abs() < 1e-4);
            }
        }
        for j in 0..k {
            let gb: f32 = (0..idx.len()).map(|r| dz[r * k + j]).sum();
            assert!((results[0].2[j] - gb).abs() < 1e-5);
        }
        // Every instruction-set level gives the same bits.
        for r in &results[1..] {
            assert_eq!(r, &results[0]);
        }
    }
}
