//! The subspace step of [`super::Lbfgsb`]: the Newton step of the limited-memory model over
//! the variables free at the generalised Cauchy point, in the factored form of Byrd, Lu,
//! Nocedal & Zhu (1995, §5.1, the direct primal method) that L-BFGS-B's `formk`/`subsm` use.

use super::lbfgsb_memory::Memory;
use super::newton::{cholesky, cholesky_solve};
use crate::kernels::rows::dot;

/// `d̂ = −B̂⁻¹ r` for the reduced Hessian `B̂ = ZᵀBZ = θI − ZᵀW M WᵀZ` of the free variables
/// `free` (`active`: the others), `r` the reduced gradient at the Cauchy point; `None` when the
/// middle matrix is not numerically definite (L-BFGS-B then refreshes its memory).
///
/// By Sherman–Morrison–Woodbury, `B̂⁻¹ = θ⁻¹I + θ⁻² ZᵀW K⁻¹ WᵀZ` with
/// `K = M⁻¹ − θ⁻¹WᵀZZᵀW`, that is
///
/// `K = [[−D − θ⁻¹YᵀZZᵀY,  (L_a − R_z)ᵀ], [L_a − R_z,  θSᵀAAᵀS]]`,
///
/// `L_a` the strictly lower triangle of `SᵀAAᵀY` and `R_z` the upper triangle (with the
/// diagonal) of `SᵀZZᵀY`. Each block is summed over the variables it names, never as a
/// difference of full products, which on a badly scaled problem (`θ ≈ 10⁸`) would cancel.
/// `K` is solved by block elimination: `P = D + θ⁻¹YᵀZZᵀY` and the Schur complement
/// `θSᵀAAᵀS + C P⁻¹ Cᵀ` (`C = L_a − R_z`) are positive definite and Cholesky-factored.
pub(crate) fn reduced_newton(
    mem: &Memory,
    free: &[usize],
    active: &[usize],
    r: &[f64],
) -> Option<Vec<f64>> {
    let th = mem.theta;
    let k = mem.len();
    let mut du: Vec<f64> = r.iter().map(|ri| -ri / th).collect();
    if k == 0 {
        return Some(du);
    }
    let gather = |v: &[f64], idx: &[usize]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
    let yz: Vec<Vec<f64>> = (0..k).map(|i| gather(mem.y(i), free)).collect();
    let sz: Vec<Vec<f64>> = (0..k).map(|i| gather(mem.s(i), free)).collect();
    let ya: Vec<Vec<f64>> = (0..k).map(|i| gather(mem.y(i), active)).collect();
    let sa: Vec<Vec<f64>> = (0..k).map(|i| gather(mem.s(i), active)).collect();
    let mut p = vec![0.0; k * k];
    let mut c = vec![0.0; k * k];
    let mut schur = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            if j <= i {
                let v = dot(&yz[i], &yz[j]) / th + if i == j { mem.sy(i, i) } else { 0.0 };
                p[i * k + j] = v;
                p[j * k + i] = v;
                let e = th * dot(&sa[i], &sa[j]);
                schur[i * k + j] = e;
                schur[j * k + i] = e;
            }
            c[i * k + j] = if i > j {
                dot(&sa[i], &ya[j])
            } else {
                -dot(&sz[i], &yz[j])
            };
        }
    }
    if !cholesky(&mut p, k) {
        return None;
    }
    // X = P⁻¹Cᵀ column by column; the Schur complement adds C X
    let mut x = vec![0.0; k * k]; // column j of X stored as row j
    for j in 0..k {
        let mut col: Vec<f64> = (0..k).map(|l| c[j * k + l]).collect();
        cholesky_solve(&p, k, &mut col);
        x[j * k..(j + 1) * k].copy_from_slice(&col);
    }
    for i in 0..k {
        for j in 0..=i {
            let v = dot(&c[i * k..(i + 1) * k], &x[j * k..(j + 1) * k]);
            let v = 0.5 * (v + dot(&c[j * k..(j + 1) * k], &x[i * k..(i + 1) * k]));
            schur[i * k + j] += v;
            if i != j {
                schur[j * k + i] += v;
            }
        }
    }
    if !cholesky(&mut schur, k) {
        return None;
    }
    // right-hand side WᵀZ r = [YᵀZr; θSᵀZr]
    let a: Vec<f64> = yz.iter().map(|v| dot(v, r)).collect();
    let b: Vec<f64> = sz.iter().map(|v| th * dot(v, r)).collect();
    // K [u; v] = [a; b]: v = S₂⁻¹(b + C P⁻¹ a), u = P⁻¹(Cᵀ v − a)
    let mut pa = a.clone();
    cholesky_solve(&p, k, &mut pa);
    let mut v: Vec<f64> = (0..k)
        .map(|i| b[i] + dot(&c[i * k..(i + 1) * k], &pa))
        .collect();
    cholesky_solve(&schur, k, &mut v);
    let mut u: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| c[i * k + j] * v[i]).sum::<f64>() - a[j])
        .collect();
    cholesky_solve(&p, k, &mut u);
    // d̂ = −θ⁻¹r − θ⁻²(YᵀZ)ᵀu − θ⁻¹(SᵀZ)ᵀv
    for i in 0..k {
        let (cu, cv) = (u[i] / (th * th), v[i] / th);
        for (l, dl) in du.iter_mut().enumerate() {
            *dl -= yz[i][l] * cu + sz[i][l] * cv;
        }
    }
    Some(du)
}
