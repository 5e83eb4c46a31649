//! Small dense linear algebra for the solvers (CMA-ES's covariance, the landscape's Hessian directions).

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
    }
}
