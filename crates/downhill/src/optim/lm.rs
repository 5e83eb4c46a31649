//! [`Lm`]: Levenberg–Marquardt least squares, as MINPACK's `lmder` and SciPy's
//! `least_squares(method="lm")` run it (Moré 1978), on an objective that has residuals
//! ([`Objective::residual_count`]).

use serde::{Deserialize, Deserializer, Serialize};

use super::lm_linalg::{lm_parameter, norm, Qr, Scratch};
use super::params::*;
use super::registry::{Entry, EntryKind, Need};
use super::solver::{BoxedSolver, Solver, SolverStep};
use crate::{Error, Float, Objective, Result};

/// `x_scale`: how the variables are scaled in the trust region `‖D p‖ ≤ Δ`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum XScale {
    /// `"jac"` (SciPy's default for `lm` since 1.16, MINPACK `mode = 1`): `Dⱼ` = the norm of
    /// column `j` of the first Jacobian, then the running maximum of the column norms.
    Jac(JacTag),
    /// One positive scale for every variable: `D = 1/x_scale` (MINPACK `mode = 2`).
    Value(f64),
    /// One positive scale per variable: `Dⱼ = 1/x_scale[j]`.
    PerVariable(Vec<f64>),
}

/// The string `"jac"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JacTag {
    /// `"jac"`.
    Jac,
}

impl<'de> Deserialize<'de> for XScale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            F(f64),
            V(Vec<f64>),
        }
        let bad = || {
            serde::de::Error::custom(
                "x_scale must be \"jac\", a positive number, or a list of positive numbers \
                 (one per variable)",
            )
        };
        match Raw::deserialize(d).map_err(|_: D::Error| bad())? {
            Raw::S(s) if s == "jac" => Ok(XScale::Jac(JacTag::Jac)),
            Raw::S(_) => Err(bad()),
            Raw::F(v) => Ok(XScale::Value(v)),
            Raw::V(v) => Ok(XScale::PerVariable(v)),
        }
    }
}

crate::hyperparameters! {
    /// `lm`: the options of [`Lm`], named as `scipy.optimize.least_squares`'s.
    pub struct LmConfig {
        /// Stop when both the actual and the predicted relative reduction of `‖r‖²` are at most
        /// `ftol`.
        ftol: f64 = 1e-8, [Kind::Float, AtLeast(f64::EPSILON),
            "relative reduction of the sum of squares at which to stop"],
        /// Stop when the trust radius is at most `xtol·‖D x‖`.
        xtol: f64 = 1e-8, [Kind::Float, AtLeast(f64::EPSILON),
            "relative change of x at which to stop"],
        /// Stop when the largest cosine between `r` and a column of `J` is at most `gtol`.
        gtol: f64 = 1e-8, [Kind::Float, AtLeast(f64::EPSILON),
            "cosine between r and the columns of J at which to stop"],
        /// Residual evaluations allowed (`None`: SciPy's default for `lm`, `100·n`).
        #[serde(skip_serializing_if = "Option::is_none")]
        max_nfev: Option<usize> = None, [Kind::Int, AtLeast(1.0),
            "residual evaluations allowed (default 100·n)"],
        /// Variable scaling (`"jac"` by default, SciPy's for `lm`).
        x_scale: XScale = XScale::Jac(JacTag::Jac), [Kind::Choice(&["jac"]), Above(0.0),
            "variable scales: \"jac\" (column norms of J), or a positive number or one per variable"],
        /// The first trust radius is `factor·‖D x₀‖` (or `factor` when that is 0): MINPACK's
        /// `factor`, which SciPy fixes at 100.
        factor: f64 = 100.0, [Kind::Float, Above(0.0),
            "first trust radius = factor·‖D x0‖ (MINPACK's factor)"],
    }
}

impl Entry for LmConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const NEEDS: &'static [Need] = &[Need::Residuals];
    const DOC: &'static str =
        "Levenberg-Marquardt least squares, MINPACK lmder / SciPy least_squares(method=\"lm\") \
         (a solver; needs residuals).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        0.0
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Lm::new(self.clone())?)))
    }
}

/// Why [`Lm`] stopped: MINPACK's `info` (1–8) and SciPy's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LmInfo {
    /// `info = 1` (SciPy 2): actual and predicted relative reductions ≤ `ftol`.
    Ftol,
    /// `info = 2` (SciPy 3): `Δ ≤ xtol·‖D x‖`.
    Xtol,
    /// `info = 3` (SciPy 4): both.
    FtolXtol,
    /// `info = 4` (SciPy 1): the cosine test with `gtol`.
    Gtol,
    /// `info = 5` (SciPy 0): `max_nfev` residual evaluations made.
    MaxNfev,
    /// `info = 6, 7, 8`: a test at machine precision (unreachable with SciPy's tolerances
    /// ≥ ε, kept for completeness).
    Precision,
    /// The objective has no residuals, or `x_scale` does not fit `x`.
    BadInput,
}

impl LmInfo {
    /// SciPy's `status` (−1 for improper input).
    pub fn scipy_status(self) -> i32 {
        match self {
            LmInfo::Gtol => 1,
            LmInfo::Ftol => 2,
            LmInfo::Xtol => 3,
            LmInfo::FtolXtol => 4,
            LmInfo::MaxNfev => 0,
            LmInfo::Precision => 2,
            LmInfo::BadInput => -1,
        }
    }

    /// SciPy's termination message.
    pub fn message(self) -> &'static str {
        match self {
            LmInfo::Gtol => "`gtol` termination condition is satisfied.",
            LmInfo::Ftol => "`ftol` termination condition is satisfied.",
            LmInfo::Xtol => "`xtol` termination condition is satisfied.",
            LmInfo::FtolXtol => "Both `ftol` and `xtol` termination conditions are satisfied.",
            LmInfo::MaxNfev => "The maximum number of function evaluations is exceeded.",
            LmInfo::Precision => "No further improvement is possible at machine precision.",
            LmInfo::BadInput => "Improper input parameters.",
        }
    }
}

/// Levenberg–Marquardt (`name = "lm"`) for `min ½‖r(x)‖²`, `r: ℝⁿ → ℝᵐ`, `m ≥ n`, as
/// MINPACK's `lmder`.
///
/// Each step is one outer iteration. With the Jacobian `J = ∂r/∂x` at `xₖ` factored as
/// `J P = Q R` (Householder, column pivoting), the scaling `D = diag(dⱼ)` (`x_scale = "jac"`:
/// `dⱼ = max` over the iterations of `‖J₍:,ⱼ₎‖`; otherwise `1/x_scale`) and the trust radius
/// `Δ` (first `factor·‖D x₀‖`, then capped by the first step's `‖D p‖`):
///
/// 1. stop (`gtol`) if `maxⱼ |(Jᵀr)ⱼ| / (‖J₍:,ⱼ₎‖ ‖r‖) ≤ gtol`;
/// 2. the step `p` solves `min ‖J p + r‖² + λ‖D p‖²` with the Levenberg parameter `λ ≥ 0`
///    chosen so that `‖D p‖` is within 10% of `Δ` (`λ = 0` if the Gauss–Newton step is
///    shorter), by Moré's safeguarded Newton iteration on `‖D p(λ)‖ − Δ`;
/// 3. `ρ = ared / pred` with `ared = 1 − ‖r(x + p)‖²/‖r‖²` and
///    `pred = ‖J p‖²/‖r‖² + 2λ‖D p‖²/‖r‖²`;
/// 4. `ρ ≤ ¼`: `Δ ← μ·min(Δ, 10‖D p‖)`, `λ ← λ/μ` with `μ ∈ [0.1, 0.5]` from a quadratic
///    fit (0.1 if `‖r(x + p)‖ ≥ 10‖r‖`); `ρ ≥ ¾` or `λ = 0`: `Δ ← 2‖D p‖`, `λ ← λ/2`;
/// 5. `ρ ≥ 10⁻⁴`: accept `x ← x + p`; otherwise repeat 2–5 at the same `x`;
/// 6. stop (`ftol`) if `|ared| ≤ ftol`, `pred ≤ ftol` and `ρ ≤ 2`; stop (`xtol`) if
///    `Δ ≤ xtol·‖D x‖`; stop (`max_nfev`) after `max_nfev` residual evaluations.
///
/// Evaluations: residual vectors (SciPy's `nfev`, counted as function evaluations) and
/// Jacobians (`njev`, counted as gradients).
#[derive(Debug, Clone)]
pub struct Lm {
    cfg: LmConfig,
    started: bool,
    info: Option<LmInfo>,
    x: Vec<f64>,
    r: Vec<f64>,
    fnorm: f64,
    par: f64,
    delta: f64,
    xnorm: f64,
    diag: Vec<f64>,
    first: bool,
    nfev: usize,
    njev: usize,
    qr: Qr,
    scratch: Scratch,
}

impl Lm {
    /// Validates `cfg` and builds the solver.
    pub fn new(cfg: LmConfig) -> Result<Self> {
        cfg.validate()?;
        if let XScale::PerVariable(v) = &cfg.x_scale {
            if v.is_empty() {
                return Err(Error::param("x_scale", "[]", "must not be empty"));
            }
        }
        Ok(Lm {
            cfg,
            started: false,
            info: None,
            x: Vec::new(),
            r: Vec::new(),
            fnorm: 0.0,
            par: 0.0,
            delta: 0.0,
            xnorm: 0.0,
            diag: Vec::new(),
            first: true,
            nfev: 0,
            njev: 0,
            qr: Qr::default(),
            scratch: Scratch::default(),
        })
    }

    /// Why it stopped, once it has.
    pub fn info(&self) -> Option<LmInfo> {
        self.info
    }

    /// Residual evaluations (`nfev`) and Jacobians (`njev`) so far.
    pub fn counts(&self) -> (usize, usize) {
        (self.nfev, self.njev)
    }

    fn residuals<T: Float>(&mut self, f: &dyn Objective<T>, x: &[f64], out: &mut Vec<f64>) {
        let xt: Vec<T> = x.iter().map(|&v| T::of(v)).collect();
        let m = self.r.len();
        let mut rt = vec![T::zero(); m];
        f.residuals(&xt, &mut rt);
        self.nfev += 1;
        out.clear();
        out.extend(rt.iter().map(|v| v.f64()));
    }

    /// The Jacobian at `self.x`, column-major.
    fn jacobian<T: Float>(&mut self, f: &dyn Objective<T>) -> Vec<f64> {
        let (m, n) = (self.r.len(), self.x.len());
        let xt: Vec<T> = self.x.iter().map(|&v| T::of(v)).collect();
        let mut jt = vec![T::zero(); m * n];
        f.jacobian(&xt, &mut jt);
        self.njev += 1;
        let mut a = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                a[i + m * j] = jt[i * n + j].f64();
            }
        }
        a
    }

    fn start<T: Float>(&mut self, f: &dyn Objective<T>, x0: &[T]) {
        self.started = true;
        let n = x0.len();
        let m = match f.residual_count() {
            Some(m) if m >= n && n > 0 => m,
            _ => {
                self.info = Some(LmInfo::BadInput);
                return;
            }
        };
        self.r = vec![0.0; m];
        self.diag = match &self.cfg.x_scale {
            XScale::Jac(_) => vec![0.0; n],
            XScale::Value(s) => vec![1.0 / s; n],
            XScale::PerVariable(v) if v.len() == n => v.iter().map(|s| 1.0 / s).collect(),
            XScale::PerVariable(_) => {
                self.info = Some(LmInfo::BadInput);
                return;
            }
        };
        self.x = x0.iter().map(|v| v.f64()).collect();
        let mut r = Vec::new();
        let x = self.x.clone();
        self.residuals(f, &x, &mut r);
        self.r = r;
        self.fnorm = norm(&self.r);
    }

    fn max_nfev(&self) -> usize {
        self.cfg.max_nfev.unwrap_or(100 * self.x.len())
    }

    /// One outer iteration (MINPACK's outer loop); returns the inner iterations made.
    fn iterate<T: Float>(&mut self, f: &dyn Objective<T>) -> usize {
        let (m, n) = (self.r.len(), self.x.len());
        let a = self.jacobian(f);
        self.qr.factor(m, n, &a);
        let jac_scaled = matches!(self.cfg.x_scale, XScale::Jac(_));
        if self.first {
            if jac_scaled {
                for (d, &c) in self.diag.iter_mut().zip(&self.qr.acnorm) {
                    *d = if c == 0.0 { 1.0 } else { c };
                }
            }
            self.xnorm = scaled_norm(&self.diag, &self.x);
            self.delta = self.cfg.factor * self.xnorm;
            if self.delta == 0.0 {
                self.delta = self.cfg.factor;
            }
        }
        let mut qtf = self.r.clone();
        self.qr.apply_qt(&mut qtf);
        qtf.truncate(n);
        let mut rmat = Vec::new();
        self.qr.r(&mut rmat);
        // The scaled gradient's largest cosine.
        let mut gnorm: f64 = 0.0;
        if self.fnorm != 0.0 {
            for j in 0..n {
                let l = self.qr.ipvt[j];
                if self.qr.acnorm[l] != 0.0 {
                    let s: f64 = (0..=j)
                        .map(|i| rmat[i + n * j] * (qtf[i] / self.fnorm))
                        .sum();
                    gnorm = gnorm.max((s / self.qr.acnorm[l]).abs());
                }
            }
        }
        if gnorm <= self.cfg.gtol {
            self.info = Some(LmInfo::Gtol);
            return 0;
        }
        if jac_scaled {
            for (d, &c) in self.diag.iter_mut().zip(&self.qr.acnorm) {
                *d = d.max(c);
            }
        }
        let mut step = vec![0.0; n];
        let mut trial = vec![0.0; n];
        let mut r1 = Vec::with_capacity(m);
        let mut inner = 0;
        loop {
            inner += 1;
            lm_parameter(
                &rmat,
                &self.qr.ipvt,
                &self.diag,
                &qtf,
                self.delta,
                &mut self.par,
                &mut step,
                &mut self.scratch,
            );
            for ((t, p), &x) in trial.iter_mut().zip(step.iter_mut()).zip(&self.x) {
                *p = -*p;
                *t = x + *p;
            }
            let pnorm = scaled_norm(&self.diag, &step);
            if self.first {
                self.delta = self.delta.min(pnorm);
            }
            self.residuals(f, &trial, &mut r1);
            let fnorm1 = norm(&r1);
            let actred = if 0.1 * fnorm1 < self.fnorm {
                1.0 - (fnorm1 / self.fnorm).powi(2)
            } else {
                -1.0
            };
            // ‖J p‖ = ‖R Pᵀ p‖.
            let jp: Vec<f64> = (0..n)
                .map(|i| {
                    (i..n)
                        .map(|j| rmat[i + n * j] * step[self.qr.ipvt[j]])
                        .sum()
                })
                .collect();
            let t1 = norm(&jp) / self.fnorm;
            let t2 = self.par.sqrt() * pnorm / self.fnorm;
            let prered = t1 * t1 + t2 * t2 / 0.5;
            let dirder = -(t1 * t1 + t2 * t2);
            let ratio = if prered != 0.0 { actred / prered } else { 0.0 };
            if ratio <= 0.25 {
                let mut mu = if actred < 0.0 {
                    0.5 * dirder / (dirder + 0.5 * actred)
                } else {
                    0.5
                };
                if 0.1 * fnorm1 >= self.fnorm || mu < 0.1 {
                    mu = 0.1;
                }
                self.delta = mu * self.delta.min(pnorm / 0.1);
                self.par /= mu;
            } else if self.par == 0.0 || ratio >= 0.75 {
                self.delta = pnorm / 0.5;
                self.par *= 0.5;
            }
            if ratio >= 1e-4 {
                self.x.copy_from_slice(&trial);
                std::mem::swap(&mut self.r, &mut r1);
                self.xnorm = scaled_norm(&self.diag, &self.x);
                self.fnorm = fnorm1;
                self.first = false;
            }
            let ftol_met = actred.abs() <= self.cfg.ftol && prered <= self.cfg.ftol && ratio <= 2.0;
            let xtol_met = self.delta <= self.cfg.xtol * self.xnorm;
            self.info = match (ftol_met, xtol_met) {
                (true, true) => Some(LmInfo::FtolXtol),
                (true, false) => Some(LmInfo::Ftol),
                (false, true) => Some(LmInfo::Xtol),
                (false, false) => None,
            };
            if self.info.is_some() {
                return inner;
            }
            let eps = f64::EPSILON;
            if self.nfev >= self.max_nfev() {
                self.info = Some(LmInfo::MaxNfev);
            } else if (actred.abs() <= eps && prered <= eps && ratio <= 2.0)
                || self.delta <= eps * self.xnorm
                || gnorm <= eps
            {
                self.info = Some(LmInfo::Precision);
            }
            if self.info.is_some() || ratio >= 1e-4 {
                return inner;
            }
        }
    }
}

fn scaled_norm(d: &[f64], x: &[f64]) -> f64 {
    let v: Vec<f64> = d.iter().zip(x).map(|(d, x)| d * x).collect();
    norm(&v)
}

impl<T: Float> Solver<T> for Lm {
    fn name(&self) -> &'static str {
        "lm"
    }
    fn lr(&self) -> f64 {
        0.0
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let before = self.nfev + self.njev;
        if !self.started {
            self.start(f, x);
        }
        let iterations = if self.info.is_none() {
            self.iterate(f)
        } else {
            0
        };
        if self.info != Some(LmInfo::BadInput) {
            for (xi, &v) in x.iter_mut().zip(&self.x) {
                *xi = T::of(v);
            }
        }
        SolverStep {
            iterations,
            evaluations: self.nfev + self.njev - before,
            value: (self.info != Some(LmInfo::BadInput)).then_some(0.5 * self.fnorm * self.fnorm),
        }
    }
    fn converged(&self) -> bool {
        matches!(
            self.info,
            Some(LmInfo::Ftol | LmInfo::Xtol | LmInfo::FtolXtol | LmInfo::Gtol | LmInfo::Precision)
        )
    }
    fn exhausted(&self) -> bool {
        matches!(self.info, Some(LmInfo::MaxNfev | LmInfo::BadInput))
    }
    fn note(&self) -> Option<String> {
        self.info.map(|i| match i {
            LmInfo::BadInput if self.r.is_empty() => {
                "lm needs a least-squares problem with at least as many residuals as variables \
                 (residuals = [...] or data + model)"
                    .to_string()
            }
            LmInfo::BadInput => "x_scale needs one value per variable".to_string(),
            _ => format!(
                "lm: status {} — {} (nfev = {}, njev = {})",
                i.scipy_status(),
                i.message(),
                self.nfev,
                self.njev
            ),
        })
    }
}
