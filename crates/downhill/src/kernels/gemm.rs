//! Matrix products for the models, through the `gemm` crate (the engine behind `faer`):
//! register-blocked kernels chosen at run time (AVX-512 where the CPU has it), and rayon
//! threads for large products. Measured here on the MLP's shapes (64×784·784×256 and
//! friends): ≈ 100–108 GFLOP/s on one thread against 68–94 for `matrixmultiply` (see
//! `bench/README.md`).
//!
//! Determinism: `gemm` splits a product across threads by blocks of the output only, never
//! along the inner dimension, so every output element is the same sequence of operations at
//! any thread count (checked by the tests below and by the training determinism test).

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::Float;

/// Multiply-adds from which a `parallel` product runs on `gemm`'s own threads. At the MLP
/// 784-256-10's batch-64 shapes (12.8 M multiply-adds) `gemm`'s two threads were slower than
/// one (64×784·784×256: 42 against 85 GFLOP/s, 2026-12-02), while two halves of the output
/// columns on two threads reached 136–147: the MLP path splits its products itself
/// (`model::network`, blocks of output units) and calls this with `parallel = false`.
pub const PAR_MIN_MULADDS: usize = 1 << 24;

/// `C ← α·A·B + β·C` (`β = 0` ignores what `C` held, NaN included). With `parallel`, on the
/// pool's threads from [`PAR_MIN_MULADDS`] multiply-adds; without, on the calling thread
/// whatever the size (for callers that split a product into blocks of its output themselves:
/// each element is the same sequence of operations as in the whole product, since `gemm`
/// blocks the inner dimension by its length alone).
///
/// # Panics
/// If the shapes do not chain (`A` m×k, `B` k×n, `C` m×n): a programming error, never input.
pub fn matmul<T: Float + 'static>(
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
    parallel: bool,
) {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(
        k == k2 && c.dim() == (m, n),
        "matmul shapes: {:?}·{:?} into {:?}",
        a.dim(),
        b.dim(),
        c.dim()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if beta == T::zero() {
            c.fill(T::zero());
        } else {
            c.map_inplace(|v| *v *= beta);
        }
        return;
    }
    let threads = rayon::current_num_threads();
    let par = if parallel && threads > 1 && m * n * k >= PAR_MIN_MULADDS {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    raw(m, n, k, alpha, a, b, beta, c, par);
}

#[allow(unsafe_code, clippy::too_many_arguments)]
fn raw<T: Float + 'static>(
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
    par: gemm::Parallelism,
) {
    let (sa, sb, sc) = (a.strides(), b.strides(), c.strides());
    let (csa, rsa, csb, rsb, csc, rsc) = (sa[1], sa[0], sb[1], sb[0], sc[1], sc[0]);
    let dst = c.as_mut_ptr();
    // SAFETY: the three pointers and their row/column strides (in elements) come from live
    // ndarray views of exactly the dimensions passed (checked by `matmul`), so every element
    // `gemm` reads or writes lies inside them. `c` is borrowed mutably and `a`, `b` shared, so
    // the destination cannot alias an operand. `T` is f32 or f64 (`Float`), types `gemm`
    // implements. In `gemm`'s convention `dst ← α'·dst + β'·lhs·rhs`, so α' = our β (read
    // only when `read_dst`) and β' = our α.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            csc,
            rsc,
            beta != T::zero(),
            a.as_ptr(),
            csa,
            rsa,
            b.as_ptr(),
            csb,
            rsb,
            beta,
            alpha,
            false,
            false,
            false,
            par,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn filled(r: usize, c: usize, seed: usize) -> Array2<f32> {
        Array2::from_shape_fn((r, c), |(i, j)| {
            (((i * 31 + j * 7 + seed) * 7919) % 1013) as f32 / 500.0 - 1.0
        })
    }

    #[test]
    fn equals_a_naive_product_with_alpha_beta_and_transposes() {
        let (m, k, n) = (37, 53, 29);
        let a = filled(m, k, 1);
        let bt = filled(n, k, 2);
        let c0 = filled(m, n, 3);
        let mut c = c0.clone();
        matmul(0.5, &a.view(), &bt.t(), 2.0, &mut c.view_mut(), true);
        for i in 0..m {
            for j in 0..n {
                let dot: f64 = (0..k)
                    .map(|t| f64::from(a[(i, t)]) * f64::from(bt[(j, t)]))
                    .sum();
                let want = 0.5 * dot + 2.0 * f64::from(c0[(i, j)]);
                assert!((f64::from(c[(i, j)]) - want).abs() < 1e-4, "({i}, {j})");
            }
        }
        // β = 0 ignores NaN in C.
        let mut c = Array2::from_elem((m, n), f32::NAN);
        matmul(1.0, &a.view(), &bt.t(), 0.0, &mut c.view_mut(), true);
        assert!(c.iter().all(|v| v.is_finite()));
        // k = 0 scales C.
        let e = Array2::<f32>::zeros((m, 0));
        let f = Array2::<f32>::zeros((0, n));
        let mut c = c0.clone();
        matmul(1.0, &e.view(), &f.view(), 3.0, &mut c.view_mut(), true);
        assert_eq!(c, c0.mapv(|v| v * 3.0));
    }

    #[test]
    fn same_bits_on_one_and_two_threads() {
        for &(m, k, n) in &[
            (64, 784, 256),
            (256, 64, 784),
            (64, 256, 784),
            (300, 300, 300),
        ] {
            let a = filled(m, k, 4);
            let b = filled(k, n, 5);
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut c = filled(m, n, 6);
                pool.install(|| matmul(1.0, &a.view(), &b.view(), 1.0, &mut c.view_mut(), true));
                c
            };
            assert_eq!(run(1), run(2), "{m}×{k}·{k}×{n}");
        }
    }
}
