//! Pieces of one dense layer applied to rows picked from a row-major matrix **in place** —
//! no gathering copy of the batch, no GEMM packing — for the single-layer models (linear,
//! logistic and softmax regression), where a batch is a few hundred short dot products: the
//! dot product and row prefetching. The fused per-block pass that uses them is
//! `model::network::row_path`.
//!
//! Dot products keep 16 interleaved partial sums (written out in the source, so every
//! instruction-set level adds in the same order and the results are bit-identical across
//! levels), which lets them vectorise.

use crate::Float;

/// Lanes of partial sums in [`dot`].
pub const LANES: usize = 16;
/// How many rows ahead the row path asks the CPU to fetch: rows picked at random from a
/// matrix larger than the caches would otherwise each stall on a memory round trip.
pub const PREFETCH_ROWS: usize = 8;

/// Asks the CPU to bring the cache lines of `row` into L1 (a hint: it never faults).
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(row: &[T]) {
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
    /// `Σ` of the elements of rows `idx` (`d` columns each) of `x`, read in order with the row
    /// path's prefetching ([`PREFETCH_ROWS`] ahead), into `out`: what reading those rows costs
    /// with no model work, for `bench train`'s row-gather probe.
    pub fn gather_sum<T: Float>(x: &[T], d: usize, idx: &[usize], out: &mut f64) {
        prefetch_rows(x, d, idx);
        let mut acc = [T::zero(); LANES];
        for (r, &i) in idx.iter().enumerate() {
            if let Some(&a) = idx.get(r + PREFETCH_ROWS) {
                prefetch(&x[a * d..(a + 1) * d]);
            }
            let (body, tail) = x[i * d..(i + 1) * d].as_chunks::<LANES>();
            for c in body {
                for l in 0..LANES {
                    acc[l] += c[l];
                }
            }
            for (l, v) in tail.iter().enumerate() {
                acc[l] += *v;
            }
        }
        *out = acc.iter().map(|v| v.f64()).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn gather_sum_adds_the_picked_rows() {
        let x: Vec<f32> = (0..40).map(|i| i as f32).collect();
        let mut s = 0.0;
        gather_sum(&x, 20, &[1, 0, 1], &mut s);
        assert_eq!(
            s,
            2.0 * (20..40).sum::<i32>() as f64 + (0..20).sum::<i32>() as f64
        );
    }

    #[test]
    fn dot_matches_the_naive_sum_for_every_length() {
        for n in 0..70 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
            assert!((dot(&a, &b) - naive_dot(&a, &b)).abs() < 1e-12, "n = {n}");
        }
    }
}
