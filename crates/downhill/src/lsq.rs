//! Least-squares problems: residuals `r(x) ∈ ℝᵐ` written as formulas, or a model fitted to
//! data points (`curve_fit`), as an [`Objective`] with `f(x) = ½‖r(x)‖²` (SciPy's `cost`),
//! its Jacobian from reverse-mode AD, and the parameters' standard errors ([`std_errors`]).
//!
//! ```
//! use downhill::expr::Expr;
//! use downhill::lsq::LeastSquares;
//! use downhill::Objective;
//!
//! // y = b1·(1 − exp(−b2·x)) through three points.
//! let model = Expr::parse("b1*(1 - exp(-b2*x))", &["b1", "b2", "x"]).unwrap();
//! let ls = LeastSquares::curve_fit(model, 2, vec![1.0, 2.0, 3.0], vec![0.6, 0.9, 1.0]).unwrap();
//! assert_eq!(Objective::<f64>::residual_count(&ls), Some(3));
//! let mut jac = [0.0; 6];
//! ls.jacobian(&[1.0_f64, 1.0], &mut jac);
//! assert!((jac[0] - (1.0 - (-1.0_f64).exp())).abs() < 1e-15); // ∂r₀/∂b1
//! ```

use std::sync::{Mutex, MutexGuard};

use crate::diff::reverse::{gradient_with, Workspace};
use crate::diff::Scalar;
use crate::expr::Expr;
use crate::optim::lm_linalg::Qr;
use crate::{Error, Float, Objective, Result};

#[derive(Debug, Clone)]
enum Residuals {
    /// `rᵢ(x) = formulaᵢ(x)`.
    Formulas(Vec<Expr>),
    /// `rᵢ(x) = model(x, tᵢ) − yᵢ` over data rows `tᵢ ∈ ℝᵏ` (row-major in `data`).
    Model {
        model: Expr,
        k: usize,
        data: Vec<f64>,
        y: Vec<f64>,
    },
}

/// A least-squares objective `f(x) = ½ Σᵢ rᵢ(x)²` with `m` residuals in `n` variables.
///
/// `value` and `gradient` (`Jᵀr`, one reverse sweep over all residuals) serve any method;
/// [`Objective::residuals`] and [`Objective::jacobian`] (one reverse sweep per residual) serve
/// `lm`. Evaluation is in `f64`.
#[derive(Debug)]
pub struct LeastSquares {
    residuals: Residuals,
    n: usize,
    ws: Mutex<Workspace>,
}

impl Clone for LeastSquares {
    fn clone(&self) -> Self {
        LeastSquares {
            residuals: self.residuals.clone(),
            n: self.n,
            ws: Mutex::new(Workspace::default()),
        }
    }
}

impl LeastSquares {
    /// Residuals given as formulas over the same variables (`x` has one value per variable).
    /// Errors (naming `residuals`) when there are none or their variables differ.
    pub fn from_formulas(formulas: Vec<Expr>) -> Result<Self> {
        let Some(first) = formulas.first() else {
            return Err(Error::param(
                "residuals",
                "[]",
                "needs at least one residual",
            ));
        };
        let n = first.vars().len();
        if let Some(i) = formulas.iter().position(|e| e.vars() != first.vars()) {
            return Err(Error::param(
                &format!("residuals[{i}]"),
                formulas[i].source(),
                "must be over the same variables as the others",
            ));
        }
        Ok(Self::new(Residuals::Formulas(formulas), n))
    }

    /// A model `model(x₁…xₙ, t₁…t_k)` over `n_params` parameters (its first variables)
    /// and `k = vars − n_params` data variables, fitted to the rows of `data` (row-major,
    /// `k` values a row) and observations `y`: `rᵢ = model(x, tᵢ) − yᵢ`, the sign of SciPy's
    /// `curve_fit`. Errors name `data` (no rows, a ragged table) or `params`.
    pub fn curve_fit(model: Expr, n_params: usize, data: Vec<f64>, y: Vec<f64>) -> Result<Self> {
        let vars = model.vars().len();
        if n_params == 0 || n_params > vars {
            return Err(Error::param(
                "params",
                n_params,
                "must name between 1 and all of the model's variables",
            ));
        }
        let k = vars - n_params;
        if y.is_empty() {
            return Err(Error::param(
                "data",
                "no rows",
                "needs at least one data point",
            ));
        }
        if data.len() != k * y.len() {
            return Err(Error::param(
                "data",
                format!("{} values for {} rows", data.len(), y.len()),
                &format!("needs {k} value(s) a row"),
            ));
        }
        Ok(Self::new(Residuals::Model { model, k, data, y }, n_params))
    }

    fn new(residuals: Residuals, n: usize) -> Self {
        LeastSquares {
            residuals,
            n,
            ws: Mutex::new(Workspace::default()),
        }
    }

    /// Number of residuals `m`.
    pub fn len(&self) -> usize {
        match &self.residuals {
            Residuals::Formulas(f) => f.len(),
            Residuals::Model { y, .. } => y.len(),
        }
    }

    /// Whether there are no residuals (never, once constructed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of variables `n`.
    pub fn n_params(&self) -> usize {
        self.n
    }

    /// Residual `i` at `x`, over any scalar (data values enter as constants).
    fn residual<S: Scalar>(&self, i: usize, x: &[S]) -> S {
        match &self.residuals {
            Residuals::Formulas(f) => f[i].eval_at(x),
            Residuals::Model { model, k, data, y } => {
                let mut p: Vec<S> = Vec::with_capacity(x.len() + k);
                p.extend_from_slice(x);
                p.extend(data[i * k..(i + 1) * k].iter().map(|&t| x[0].constant(t)));
                model.eval_at(&p) - y[i]
            }
        }
    }

    /// If some residual is not finite at `x`: which one, and the operation that makes it so.
    pub fn explain_non_finite(&self, x: &[f64]) -> Option<String> {
        (0..self.len()).find_map(|i| {
            let r = self.residual(i, x);
            if r.is_finite() {
                return None;
            }
            Some(match &self.residuals {
                Residuals::Formulas(f) => format!(
                    "residuals[{i}] `{}` is {r}{}",
                    f[i].source(),
                    f[i].explain_non_finite(x)
                        .map_or(String::new(), |w| format!(": {w}"))
                ),
                Residuals::Model { model, k, data, .. } => {
                    let row = &data[i * k..(i + 1) * k];
                    let mut p = x.to_vec();
                    p.extend_from_slice(row);
                    format!(
                        "the model is {r} at data row {} ({row:?}){}",
                        i + 1,
                        model
                            .explain_non_finite(&p)
                            .map_or(String::new(), |w| format!(": {w}"))
                    )
                }
            })
        })
    }

    fn ws(&self) -> MutexGuard<'_, Workspace> {
        self.ws.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn widen<T: Float>(x: &[T]) -> Vec<f64> {
    x.iter().map(|v| v.f64()).collect()
}

impl<T: Float> Objective<T> for LeastSquares {
    fn dim(&self) -> Option<usize> {
        Some(self.n)
    }
    fn value(&self, x: &[T]) -> T {
        let x = widen(x);
        let s: f64 = (0..self.len())
            .map(|i| self.residual(i, &x[..]).powi(2))
            .sum();
        T::of(0.5 * s)
    }
    fn gradient(&self, x: &[T], g: &mut [T]) -> T {
        let xs = widen(x);
        let mut gs = vec![0.0; xs.len()];
        let m = self.len();
        let v = gradient_with(
            &mut self.ws(),
            |v| {
                let first = self.residual(0, v).square();
                first.sum_of((1..m).map(|i| self.residual(i, v).square())) * 0.5
            },
            &xs,
            &mut gs,
        );
        for (gi, &d) in g.iter_mut().zip(&gs) {
            *gi = T::of(d);
        }
        T::of(v)
    }
    fn residual_count(&self) -> Option<usize> {
        Some(self.len())
    }
    fn residuals(&self, x: &[T], r: &mut [T]) {
        let x = widen(x);
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = T::of(self.residual(i, &x[..]));
        }
    }
    fn jacobian(&self, x: &[T], jac: &mut [T]) {
        let xs = widen(x);
        let n = xs.len();
        let mut row = vec![0.0; n];
        let mut ws = self.ws();
        for i in 0..self.len() {
            gradient_with(&mut ws, |v| self.residual(i, v), &xs, &mut row);
            for (j, &d) in jac[i * n..(i + 1) * n].iter_mut().zip(&row) {
                *j = T::of(d);
            }
        }
    }
}

/// The standard errors of the parameters of a least-squares objective at `x`:
/// `σⱼ = √(s² [(JᵀJ)⁻¹]ⱼⱼ)` with `s² = ‖r(x)‖²/(m − n)` (the convention of the NIST StRD
/// certified values and of SciPy's `curve_fit` with `absolute_sigma=False`).
///
/// `(JᵀJ)⁻¹ = P R⁻¹R⁻ᵀ Pᵀ` from the pivoted QR of `J`, so `[(JᵀJ)⁻¹]` for the variable in
/// pivot column `j` is the squared norm of row `j` of `R⁻¹`. `None` when `f` has no residuals,
/// `m ≤ n`, or `J` is rank-deficient or not finite at `x`.
pub fn std_errors<T: Float, O: Objective<T> + ?Sized>(f: &O, x: &[T]) -> Option<Vec<f64>> {
    let m = f.residual_count()?;
    let n = x.len();
    if m <= n || n == 0 {
        return None;
    }
    let mut r = vec![T::zero(); m];
    f.residuals(x, &mut r);
    let mut jt = vec![T::zero(); m * n];
    f.jacobian(x, &mut jt);
    let rss: f64 = r.iter().map(|v| v.f64() * v.f64()).sum();
    let mut a = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            a[i + m * j] = jt[i * n + j].f64();
        }
    }
    if !rss.is_finite() || a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut qr = Qr::default();
    qr.factor(m, n, &a);
    let mut rm = Vec::new();
    qr.r(&mut rm);
    if (0..n).any(|j| rm[j + n * j] == 0.0) {
        return None;
    }
    // Column c of R⁻¹ solves R u = e_c; accumulate the squared row norms.
    let mut row_sq = vec![0.0; n];
    let mut u = vec![0.0; n];
    for c in 0..n {
        u.fill(0.0);
        u[c] = 1.0;
        for j in (0..=c).rev() {
            let s: f64 = (j + 1..=c).map(|k| rm[j + n * k] * u[k]).sum();
            u[j] = (u[j] - s) / rm[j + n * j];
        }
        for (acc, v) in row_sq.iter_mut().zip(&u) {
            *acc += v * v;
        }
    }
    let s2 = rss / (m - n) as f64;
    let mut out = vec![0.0; n];
    for (j, &l) in qr.ipvt.iter().enumerate() {
        out[l] = (s2 * row_sq[j]).sqrt();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A straight line: the standard errors equal the textbook closed form
    /// `σ_b = s/√Sxx`, `σ_a = s·√(1/m + x̄²/Sxx)`.
    #[test]
    fn straight_line_std_errors_match_the_closed_form() {
        let xs = [0.0, 1.0, 2.0, 3.0, 4.0];
        let ys = [1.1, 2.9, 5.2, 7.1, 8.8];
        let model = Expr::parse("a + b*t", &["a", "b", "t"]).unwrap();
        let ls = LeastSquares::curve_fit(model, 2, xs.to_vec(), ys.to_vec()).unwrap();
        let m = xs.len() as f64;
        let xbar = xs.iter().sum::<f64>() / m;
        let ybar = ys.iter().sum::<f64>() / m;
        let sxx: f64 = xs.iter().map(|x| (x - xbar).powi(2)).sum();
        let sxy: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (x - xbar) * (y - ybar))
            .sum();
        let b = sxy / sxx;
        let a = ybar - b * xbar;
        let rss: f64 = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| (y - a - b * x).powi(2))
            .sum();
        let s = (rss / (m - 2.0)).sqrt();
        let se = std_errors(&ls, &[a, b]).unwrap();
        assert!((se[1] / (s / sxx.sqrt()) - 1.0).abs() < 1e-12, "{se:?}");
        let sa = s * (1.0 / m + xbar * xbar / sxx).sqrt();
        assert!((se[0] / sa - 1.0).abs() < 1e-12, "{se:?}");
    }

    /// The AD Jacobian and gradient agree with each other: `∇f = Jᵀr`.
    #[test]
    fn gradient_is_jt_r() {
        let fs = ["10*(y - x^2)", "1 - x", "x*y - exp(0.1*y)"]
            .iter()
            .map(|s| Expr::parse(s, &["x", "y"]).unwrap())
            .collect();
        let ls = LeastSquares::from_formulas(fs).unwrap();
        let x = [-1.2, 1.0];
        let (mut r, mut j, mut g) = ([0.0; 3], [0.0; 6], [0.0; 2]);
        ls.residuals(&x, &mut r);
        ls.jacobian(&x, &mut j);
        let v = ls.gradient(&x, &mut g);
        assert!((v - 0.5 * r.iter().map(|v| v * v).sum::<f64>()).abs() < 1e-12);
        for k in 0..2 {
            let jtr: f64 = (0..3).map(|i| j[i * 2 + k] * r[i]).sum();
            assert!((g[k] - jtr).abs() < 1e-12, "{k}: {} vs {jtr}", g[k]);
        }
        assert_eq!(j[0], -20.0 * x[0]); // ∂(10(y − x²))/∂x = −20x
    }

    #[test]
    fn bad_shapes_name_the_key() {
        let e = LeastSquares::from_formulas(Vec::new()).unwrap_err();
        assert!(e.to_string().contains("residuals"), "{e}");
        let model = Expr::parse("a*t", &["a", "t"]).unwrap();
        let e = LeastSquares::curve_fit(model.clone(), 1, vec![], vec![]).unwrap_err();
        assert!(e.to_string().contains("data"), "{e}");
        let e = LeastSquares::curve_fit(model, 3, vec![1.0], vec![1.0]).unwrap_err();
        assert!(e.to_string().contains("params"), "{e}");
    }
}
