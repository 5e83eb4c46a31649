//! The trust-region machinery `trust_ncg` and Newton's trust region share, as SciPy's
//! `_trustregion.py` (the outer loop) and `_trustregion_ncg.py` (Steihaug's CG subproblem).
//!
//! At `x` with `f`, `g = ∇f(x)` and a curvature `B` (the Hessian, through products `B·v`), the
//! model is `m(p) = f + gᵀp + ½pᵀBp`. One iteration with radius `Δ`:
//!
//! 1. `p ≈ argmin_{‖p‖ ≤ Δ} m(p)` by Steihaug's truncated CG ([`steihaug`]);
//! 2. `ρ = (f(x) − f(x + p)) / (m(0) − m(p))`; if `m(0) − m(p) ≤ 0` the method stops;
//! 3. `Δ ← Δ/4` if `ρ < ¼`; `Δ ← min(2Δ, Δ_max)` if `ρ > ¾` and `p` reached the boundary;
//! 4. `x ← x + p` if `ρ > η` (then `∇f` is evaluated there).

use super::scipy_line::dot;
use crate::{Float, Objective};

/// A point with its value and gradient.
#[derive(Debug, Clone, Default)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub f: f64,
    pub g: Vec<f64>,
}

impl Point {
    /// `‖g‖₂` (SciPy's `jac_mag`).
    pub(crate) fn gnorm(&self) -> f64 {
        dot(&self.g, &self.g).sqrt()
    }
}

/// The radius and its rules (SciPy's names).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region {
    /// The current radius `Δ`.
    pub radius: f64,
    /// `Δ_max`.
    pub max_radius: f64,
    /// Acceptance threshold `η` on `ρ`.
    pub eta: f64,
}

/// What one iteration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `x` moved to `x + p`.
    Accepted,
    /// `x` stayed (the radius shrank).
    Rejected,
    /// The model predicted no decrease: the method stops.
    NoDecrease,
}

/// `B·v` at `x` into `out`.
pub(crate) type Hessp<'a> = &'a mut dyn FnMut(&[f64], &[f64], &mut [f64]);

/// The two `t` where `‖z + t·d‖ = Δ`, smaller first (`get_boundaries_intersections`).
fn intersections(z: &[f64], d: &[f64], radius: f64) -> (f64, f64) {
    let a = dot(d, d);
    let b = 2.0 * dot(z, d);
    let c = dot(z, z) - radius * radius;
    let sqrt_disc = (b * b - 4.0 * a * c).sqrt();
    let aux = b + sqrt_disc.copysign(b);
    let ta = -aux / (2.0 * a);
    let tb = -2.0 * c / aux;
    if tb < ta {
        (tb, ta)
    } else {
        (ta, tb)
    }
}

/// `m(p) − f = gᵀp + ½pᵀBp` (one product).
fn model(x: &[f64], g: &[f64], p: &[f64], hessp: Hessp<'_>) -> f64 {
    let mut bp = vec![0.0; p.len()];
    hessp(x, p, &mut bp);
    dot(g, p) + 0.5 * dot(p, &bp)
}

fn along(z: &[f64], t: f64, d: &[f64]) -> Vec<f64> {
    z.iter().zip(d).map(|(zi, di)| zi + t * di).collect()
}

/// Steihaug's CG on the model at `x` (SciPy's `CGSteihaugSubproblem.solve`): from `z = 0`,
/// `r = g`, `d = −g`, CG steps `z ← z + αd` until `‖r‖ < min(½, √‖g‖)·‖g‖` (inside: Newton-like
/// step), a direction of non-positive curvature `dᵀBd ≤ 0` (then the better of the two
/// boundary points along `d`), or `‖z + αd‖ ≥ Δ` (the boundary point along `d`). Returns
/// `(p, hits_boundary)`.
pub(crate) fn steihaug(x: &[f64], g: &[f64], radius: f64, hessp: Hessp<'_>) -> (Vec<f64>, bool) {
    let n = g.len();
    let gmag = dot(g, g).sqrt();
    let tolerance = 0.5f64.min(gmag.sqrt()) * gmag;
    let mut z = vec![0.0; n];
    if gmag < tolerance {
        return (z, false);
    }
    let mut r = g.to_vec();
    let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut bd = vec![0.0; n];
    // exact arithmetic ends within n steps; the cap only guards against rounding loops
    for _ in 0..10 * n + 10 {
        hessp(x, &d, &mut bd);
        let dbd = dot(&d, &bd);
        if dbd <= 0.0 {
            let (ta, tb) = intersections(&z, &d, radius);
            let pa = along(&z, ta, &d);
            let pb = along(&z, tb, &d);
            let p = if model(x, g, &pa, hessp) < model(x, g, &pb, hessp) {
                pa
            } else {
                pb
            };
            return (p, true);
        }
        let r2 = dot(&r, &r);
        let alpha = r2 / dbd;
        let z_next = along(&z, alpha, &d);
        if dot(&z_next, &z_next).sqrt() >= radius {
            let (_, tb) = intersections(&z, &d, radius);
            return (along(&z, tb, &d), true);
        }
        let r_next = along(&r, alpha, &bd);
        let r_next2 = dot(&r_next, &r_next);
        if r_next2.sqrt() < tolerance {
            return (z_next, false);
        }
        let beta = r_next2 / r2;
        d = r_next
            .iter()
            .zip(&d)
            .map(|(ri, di)| -ri + beta * di)
            .collect();
        z = z_next;
        r = r_next;
    }
    (z, false)
}

/// `f` at `x`, read into `f64`.
fn value<T: Float>(f: &dyn Objective<T>, x: &[f64]) -> f64 {
    let xt: Vec<T> = x.iter().map(|&v| T::of(v)).collect();
    f.value(&xt).f64()
}

impl Region {
    /// One iteration from `pt` (see the module doc); counts `f` evaluations in `evals`
    /// (one per proposal, SciPy's `nfev`) — the gradient at an accepted point is one more
    /// objective call, which [`crate::optim::Counted`] reports as a gradient.
    pub(crate) fn iterate<T: Float>(
        &mut self,
        f: &dyn Objective<T>,
        pt: &mut Point,
        hessp: Hessp<'_>,
        evals: &mut usize,
    ) -> Outcome {
        let (p, hits) = steihaug(&pt.x, &pt.g, self.radius, hessp);
        let predicted = pt.f + model(&pt.x, &pt.g, &p, hessp);
        let x_new = along(&pt.x, 1.0, &p);
        let f_new = value(f, &x_new);
        *evals += 1;
        let actual = pt.f - f_new;
        let predicted_reduction = pt.f - predicted;
        if predicted_reduction <= 0.0 {
            return Outcome::NoDecrease;
        }
        let rho = actual / predicted_reduction;
        if rho < 0.25 {
            self.radius *= 0.25;
        } else if rho > 0.75 && hits {
            let twice = 2.0 * self.radius;
            self.radius = if self.max_radius < twice {
                self.max_radius
            } else {
                twice
            };
        }
        if rho > self.eta {
            let mut g = vec![0.0; x_new.len()];
            super::bfgs::eval(f, &x_new, &mut g);
            pt.x = x_new;
            pt.f = f_new;
            pt.g = g;
            Outcome::Accepted
        } else {
            Outcome::Rejected
        }
    }
}

/// Where `B·v` comes from for `trust_ncg`: the objective's own product
/// ([`Objective::hessian_vector`], AD), else its whole Hessian (kept until `x` moves), else
/// central differences of the gradient.
#[derive(Debug, Clone, Default)]
pub(crate) struct Curvature {
    no_product: bool,
    no_hessian: bool,
    dense: Option<Vec<f64>>,
}

impl Curvature {
    /// Forgets the Hessian kept for the previous `x`.
    pub(crate) fn moved(&mut self) {
        self.dense = None;
    }

    /// `∇²f(x)·v` into `out`.
    pub(crate) fn product<T: Float>(
        &mut self,
        f: &dyn Objective<T>,
        x: &[f64],
        v: &[f64],
        out: &mut [f64],
    ) {
        let n = x.len();
        let to_t = |a: &[f64]| a.iter().map(|&v| T::of(v)).collect::<Vec<T>>();
        let xt = to_t(x);
        if !self.no_product {
            let mut hv = vec![T::zero(); n];
            if f.hessian_vector(&xt, &to_t(v), &mut hv) {
                for (o, h) in out.iter_mut().zip(&hv) {
                    *o = h.f64();
                }
                return;
            }
            self.no_product = true;
        }
        if self.dense.is_none() && !self.no_hessian {
            let mut h = vec![T::zero(); n * n];
            if f.hessian(&xt, &mut h) {
                self.dense = Some(h.iter().map(|v| v.f64()).collect());
            } else {
                self.no_hessian = true;
            }
        }
        if let Some(h) = &self.dense {
            for (i, o) in out.iter_mut().enumerate() {
                *o = dot(&h[i * n..(i + 1) * n], v);
            }
            return;
        }
        // central differences of the gradient along v
        let vn = dot(v, v).sqrt();
        if vn == 0.0 {
            out.fill(0.0);
            return;
        }
        let xn = dot(x, x).sqrt();
        let eps = f64::EPSILON.cbrt() * xn.max(1.0) / vn;
        let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
        super::bfgs::eval(f, &along(x, eps, v), &mut gp);
        super::bfgs::eval(f, &along(x, -eps, v), &mut gm);
        for ((o, a), b) in out.iter_mut().zip(&gp).zip(&gm) {
            *o = (a - b) / (2.0 * eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(d: &'static [f64]) -> impl FnMut(&[f64], &[f64], &mut [f64]) {
        move |_x, v, out| {
            for ((o, vi), di) in out.iter_mut().zip(v).zip(d) {
                *o = di * vi;
            }
        }
    }

    #[test]
    fn interior_newton_step_on_a_convex_model() {
        // B = diag(2, 8), g = (2, 8)·1e-3: CG ends inside Δ = 10 with the residual
        // ‖Bp + g‖ below min(½, √‖g‖)·‖g‖ (2-D: the exact Newton step (−1e-3, −1e-3))
        let mut h = diag(&[2.0, 8.0]);
        let (p, hits) = steihaug(&[0.0, 0.0], &[2e-3, 8e-3], 10.0, &mut h);
        assert!(!hits);
        assert!(
            (p[0] + 1e-3).abs() < 1e-15 && (p[1] + 1e-3).abs() < 1e-15,
            "{p:?}"
        );
        // a loose tolerance (‖g‖ ≥ ¼) stops CG after one step, short of the Newton step
        let (p, hits) = steihaug(&[0.0, 0.0], &[2.0, 8.0], 10.0, &mut h);
        assert!(!hits);
        let r = [2.0 * p[0] + 2.0, 8.0 * p[1] + 8.0];
        assert!(dot(&r, &r).sqrt() < 0.5 * 68f64.sqrt());
        assert!((p[0] + 1.0).abs() > 0.1, "{p:?}");
    }

    #[test]
    fn boundary_steps() {
        // inside-out: a small radius cuts the first CG step at the boundary
        let mut h = diag(&[2.0, 8.0]);
        let (p, hits) = steihaug(&[0.0, 0.0], &[2.0, 8.0], 0.5, &mut h);
        assert!(hits);
        assert!((dot(&p, &p).sqrt() - 0.5).abs() < 1e-12);
        // negative curvature along −g: the step goes to the boundary, downhill
        let mut neg = diag(&[-1.0, -1.0]);
        let (p, hits) = steihaug(&[0.0, 0.0], &[3.0, 4.0], 2.0, &mut neg);
        assert!(hits);
        assert!(
            (p[0] + 1.2).abs() < 1e-12 && (p[1] + 1.6).abs() < 1e-12,
            "{p:?}"
        );
        let (ta, tb) = intersections(&[0.0, 0.0], &[1.0, 0.0], 2.0);
        assert_eq!((ta, tb), (-2.0, 2.0));
    }
}
