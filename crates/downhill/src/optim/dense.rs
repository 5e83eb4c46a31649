//! Small dense linear algebra for the solvers (L-BFGS-B's 2m × 2m middle matrices).

/// Solves `A v = b` in place (Gaussian elimination with partial pivoting); `false` if `A` is
/// singular.
pub(crate) fn solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))
            .unwrap_or(col);
        let p = a[piv * n + col].abs();
        if p.is_nan() || p == 0.0 {
            return false;
        }
        if piv != col {
            for k in 0..n {
                a.swap(piv * n + k, col * n + k);
            }
            b.swap(piv, col);
        }
        for r in col + 1..n {
            let factor = a[r * n + col] / a[col * n + col];
            for k in col..n {
                a[r * n + k] -= factor * a[col * n + k];
            }
            b[r] -= factor * b[col];
        }
    }
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r * n + k] * b[k]).sum();
        b[r] = (b[r] - s) / a[r * n + r];
    }
    b.iter().all(|v| v.is_finite())
}

/// `A⁻¹` (row-major), column by column.
pub(crate) fn invert(a: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    for col in 0..n {
        let mut e = vec![0.0; n];
        e[col] = 1.0;
        if !solve(&mut a.clone(), n, &mut e) {
            return None;
        }
        for r in 0..n {
            inv[r * n + col] = e[r];
        }
    }
    Some(inv)
}
