//! Small dense linear algebra for the solvers (L-BFGS-B's 2m × 2m middle matrices).

/// Solves `A v = b` in place (Gaussian elimination with partial pivoting); `false` if `A` is
/// singular.
pub(crate) fn solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    solve_columns(a, n, b, 1)
}

/// Solves `A X = B` in place for the `m` columns of `B` (`n × m`, row-major) with one
/// elimination; each column gets exactly the operations [`solve`] would give it.
fn solve_columns(a: &mut [f64], n: usize, b: &mut [f64], m: usize) -> bool {
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
            for j in 0..m {
                b.swap(piv * m + j, col * m + j);
            }
        }
        for r in col + 1..n {
            let factor = a[r * n + col] / a[col * n + col];
            for k in col..n {
                a[r * n + k] -= factor * a[col * n + k];
            }
            for j in 0..m {
                b[r * m + j] -= factor * b[col * m + j];
            }
        }
    }
    for j in 0..m {
        for r in (0..n).rev() {
            let s: f64 = (r + 1..n).map(|k| a[r * n + k] * b[k * m + j]).sum();
            b[r * m + j] = (b[r * m + j] - s) / a[r * n + r];
        }
    }
    b.iter().all(|v| v.is_finite())
}

/// `A⁻¹` (row-major), all columns from one elimination.
pub(crate) fn invert(mut a: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    solve_columns(&mut a, n, &mut inv, n).then_some(inv)
}

/// Eigen-decomposition of the symmetric `n × n` matrix `a` (row-major) by cyclic Jacobi
/// rotations: `(eigenvalues, B)` with `a = B diag(λ) Bᵀ`, eigenvectors in `B`'s columns.
pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum();
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        jacobi_sweep(&mut a, &mut v, n);
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

/// One cyclic sweep of Jacobi rotations over the symmetric row-major `n × n` matrix `a`,
/// accumulating the rotations into the columns of `v`: each pair (p, q) with `a[p][q] ≠ 0` is
/// zeroed by the rotation with `t = sign(θ) / (|θ| + √(θ² + 1))`, `θ = (a_qq − a_pp) / 2a_pq`.
pub(crate) fn jacobi_sweep(a: &mut [f64], v: &mut [f64], n: usize) {
    for p in 0..n {
        for q in p + 1..n {
            let apq = a[p * n + q];
            if apq == 0.0 {
                continue;
            }
            let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            for k in 0..n {
                let (akp, akq) = (a[k * n + p], a[k * n + q]);
                a[k * n + p] = c * akp - s * akq;
                a[k * n + q] = s * akp + c * akq;
            }
            for k in 0..n {
                let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                a[p * n + k] = c * apk - s * aqk;
                a[q * n + k] = s * apk + c * aqk;
            }
            for k in 0..n {
                let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                v[k * n + p] = c * vkp - s * vkq;
                v[k * n + q] = s * vkp + c * vkq;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_reconstructs_the_matrix() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, -0.2, 0.5, -0.2, 1.0];
        let (l, b) = symmetric_eigen(&a, 3);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| b[i * 3 + k] * l[k] * b[j * 3 + k]).sum();
                assert!((r - a[i * 3 + j]).abs() < 1e-12, "{i},{j}");
            }
        }
        let mut m = [2.0, 1.0, 1.0, 3.0];
        let mut v = [1.0, 2.0];
        assert!(solve(&mut m, 2, &mut v));
        assert!((v[0] - 0.2).abs() < 1e-15 && (v[1] - 0.6).abs() < 1e-15);
        let a = vec![0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0];
        let inv = invert(a.clone(), 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((r - f64::from(u8::from(i == j))).abs() < 1e-14, "{i},{j}");
            }
        }
        assert!(invert(vec![1.0, 2.0, 2.0, 4.0], 2).is_none());
    }
}
