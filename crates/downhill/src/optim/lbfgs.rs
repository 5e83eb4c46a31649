//! [`Lbfgs`]: PyTorch's `torch.optim.LBFGS`, operation for operation.

use super::line_search::{strong_wolfe, WolfeParams, WolfeWorkspace};
use super::solver::{dot, Solver, SolverStep, StopReason};

use super::params::*;
use super::registry::{Entry, EntryKind};
use super::solver::BoxedSolver;
use crate::{Error, Float, Objective, Result};

crate::hyperparameters! {
    /// `lbfgs`: the hyperparameters of [`Lbfgs`] (`torch.optim.LBFGS`'s names and defaults).
    pub struct LbfgsConfig {
        /// Learning rate.
        lr: f64 = 1.0, [Kind::Float, AtLeast(0.0), "learning rate (step length factor)"],
        /// Maximum inner iterations per step.
        max_iter: usize = 20, [Kind::Int, AtLeast(1.0), "maximum inner iterations per step"],
        /// Maximum evaluations per step (`None`: `max_iter·5/4`).
        #[serde(skip_serializing_if = "Option::is_none")]
        max_eval: Option<usize> = None, [Kind::Int, AtLeast(1.0),
            "maximum evaluations per step (default max_iter·5/4)"],
        /// Update history size.
        history_size: usize = 100, [Kind::Int, AtLeast(1.0), "number of (s, y) pairs kept"],
        /// Termination tolerance on first-order optimality.
        tolerance_grad: f64 = 1e-7, [Kind::Float, AtLeast(0.0), "tolerance on max |gᵢ|"],
        /// Termination tolerance on function value / parameter changes.
        tolerance_change: f64 = 1e-9, [Kind::Float, AtLeast(0.0), "tolerance on changes of f and x"],
        /// `"none"` or `"strong_wolfe"`.
        line_search_fn: LineSearchFn = LineSearchFn::None, [Kind::Choice(&["none", "strong_wolfe"]),
            Any, "line search"],
        /// Maximise instead of minimise.
        maximize: bool = false, [MAXIMIZE],
    }
}

impl LbfgsConfig {
    /// `max_eval`, or PyTorch's default `max_iter·5/4` (integer division).
    pub fn resolved_max_eval(&self) -> usize {
        self.max_eval.unwrap_or(self.max_iter * 5 / 4)
    }
}

impl Entry for LbfgsConfig {
    const KIND: EntryKind = EntryKind::Solver;
    const DOC: &'static str = "L-BFGS, torch.optim.LBFGS operation for operation (a solver).";
    const PARAMS: &'static [ParamSpec] = Self::HYPER;
    fn lr(&self) -> f64 {
        self.lr
    }
    /// As PyTorch (`lr ≥ 0`), and `max_iter`, `max_eval`, `history_size` ≥ 1 (PyTorch fails
    /// later, inside `step`, for 0).
    fn validate(&self) -> Result<()> {
        super::params::check(self, Self::PARAMS)?;
        if self.resolved_max_eval() == 0 {
            return Err(Error::param("max_eval", 0, "must be >= 1"));
        }
        Ok(())
    }
    fn solver<T: Float>(&self) -> Result<Option<BoxedSolver<T>>> {
        Ok(Some(Box::new(Lbfgs::<T>::new(self.clone())?)))
    }
}

/// Line search of [`Lbfgs`] (`line_search_fn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineSearchFn {
    /// Fixed step `t = lr` (PyTorch's `None`).
    #[default]
    None,
    /// [`strong_wolfe`] (PyTorch's `"strong_wolfe"`).
    StrongWolfe,
}

/// What one [`Lbfgs::step`] call did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsStep {
    /// The loss at the start of the call (PyTorch's return value, `orig_loss`).
    pub loss: f64,
    /// Inner iterations in this call.
    pub iterations: usize,
    /// Closure evaluations (value and gradient) in this call (`current_evals`).
    pub evaluations: usize,
    /// The loss at the returned `x` when it was evaluated there.
    pub final_loss: Option<f64>,
}

/// L-BFGS (`name = "lbfgs"`), PyTorch's `LBFGS` with one parameter group.
///
/// One [`Lbfgs::step`] call (= one PyTorch `step(closure)`) evaluates `f, g = f(x), ∇f(x)` and
/// returns at once if `max|gᵢ| ≤ tolerance_grad`; otherwise it makes up to `max_iter` inner
/// iterations. Iteration `k` (counted globally as `n_iter` over all calls):
///
/// * direction: on the very first iteration `d = −g`, `H₀ = 1`; afterwards, with
///   `y = g − g_prev`, `s = t·d` and `yᵀs > 10⁻¹⁰`, the pair `(s, y)` and `ρ = 1/yᵀs` enter the
///   history (dropping the oldest beyond `history_size`) and `H₀ = yᵀs / yᵀy`; then the two-loop
///   recursion `q = −g`; for `i` newest → oldest: `αᵢ = ρᵢ sᵢᵀq`, `q ← q − αᵢyᵢ`; `r = H₀q`;
///   for `i` oldest → newest: `βᵢ = ρᵢ yᵢᵀr`, `r ← r + (αᵢ − βᵢ)sᵢ`; `d = r`.
/// * step length: `t = min(1, 1/‖g‖₁)·lr` on the very first iteration, else `t = lr`;
///   stop if `gᵀd > −tolerance_change`.
/// * update: with `line_search_fn = "strong_wolfe"`, `t` from [`strong_wolfe`] (at most
///   `max_eval − evaluations so far` evaluations; `c₁ = 1e-4`, `c₂ = 0.9` and its own
///   `tolerance_change = 1e-9`, as PyTorch passes them) and `x ← x + t·d`; otherwise `x ← x + t·d`
///   and `f, g` are re-evaluated unless this is the last iteration.
/// * stop when `n_iter = max_iter`, evaluations ≥ `max_eval`, `max|gᵢ| ≤ tolerance_grad`,
///   `max|t·dᵢ| ≤ tolerance_change`, or `|f − f_prev| < tolerance_change`.
///
/// When a call ends by one of its own tests — `max|gᵢ| ≤ tolerance_grad` (at the start or
/// after an iteration) or one of the three `tolerance_change` tests — rather than by the
/// `max_iter` / `max_eval` budget, [`Solver::stop_reason`] says which (`"tolerance_grad"`,
/// `"tolerance_change"`) and the run ends `converged`: PyTorch would spend two closure calls
/// per further `step` without moving. [`Lbfgs::step`] itself keeps PyTorch's behaviour.
///
/// Defaults: `lr = 1`, `max_iter = 20`, `max_eval = max_iter·5/4` (integer division),
/// `tolerance_grad = 1e-7`, `tolerance_change = 1e-9`, `history_size = 100`, no line search,
/// `maximize = false` (then `f` and `g` are negated). Scalars (`t`, `ρ`, `H₀`, dot products)
/// are `f64` for both precisions. The history grows to `history_size` pairs and is then reused
/// without allocating.
#[derive(Debug, Clone)]
pub struct Lbfgs<T> {
    lr: f64,
    max_iter: usize,
    max_eval: usize,
    tolerance_grad: f64,
    tolerance_change: f64,
    history_size: usize,
    line_search_fn: LineSearchFn,
    maximize: bool,
    // state (PyTorch's `state[params[0]]`)
    func_evals: usize,
    n_iter: usize,
    d: Vec<T>,
    t: f64,
    old_dirs: Vec<Vec<T>>,
    old_stps: Vec<Vec<T>>,
    ro: Vec<f64>,
    h_diag: f64,
    prev_flat_grad: Vec<T>,
    prev_loss: f64,
    al: Vec<f64>,
    stop: Option<StopReason>,
    // work buffers
    flat_grad: Vec<T>,
    x_init: Vec<T>,
    trial: Vec<T>,
    spare: Vec<T>,
    wolfe: WolfeWorkspace<T>,
}

impl<T: Float> Lbfgs<T> {
    /// Validates `cfg` and builds L-BFGS.
    pub fn new(cfg: LbfgsConfig) -> Result<Self> {
        cfg.validate()?;
        Ok(Lbfgs {
            lr: cfg.lr,
            max_iter: cfg.max_iter,
            max_eval: cfg.resolved_max_eval(),
            tolerance_grad: cfg.tolerance_grad,
            tolerance_change: cfg.tolerance_change,
            history_size: cfg.history_size,
            line_search_fn: cfg.line_search_fn,
            maximize: cfg.maximize,
            func_evals: 0,
            n_iter: 0,
            d: Vec::new(),
            t: 0.0,
            old_dirs: Vec::new(),
            old_stps: Vec::new(),
            ro: Vec::new(),
            h_diag: 1.0,
            prev_flat_grad: Vec::new(),
            prev_loss: 0.0,
            al: Vec::new(),
            stop: None,
            flat_grad: Vec::new(),
            x_init: Vec::new(),
            trial: Vec::new(),
            spare: Vec::new(),
            wolfe: WolfeWorkspace::default(),
        })
    }
    /// Inner iterations over all calls (PyTorch's `state["n_iter"]`).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }
    /// Closure evaluations over all calls (PyTorch's `state["func_evals"]`).
    pub fn func_evals(&self) -> usize {
        self.func_evals
    }

    /// The closure: `f(x)` and `∇f(x)` (negated when maximising).
    fn eval(&self, f: &dyn Objective<T>, x: &[T], g: &mut [T]) -> f64 {
        let loss = f.gradient(x, g).f64();
        if self.maximize {
            g.iter_mut().for_each(|v| *v = -*v);
            -loss
        } else {
            loss
        }
    }

    /// Pushes `(y, s)` into the history, reusing the oldest buffers once full.
    fn push_history(&mut self, ys: f64) {
        let n = self.d.len();
        if self.old_dirs.len() == self.history_size {
            self.old_dirs.rotate_left(1);
            self.old_stps.rotate_left(1);
            self.ro.rotate_left(1);
            self.ro.pop();
        } else {
            self.old_dirs.push(vec![T::zero(); n]);
            self.old_stps.push(vec![T::zero(); n]);
        }
        let last = self.old_dirs.len() - 1;
        // y = g − g_prev, s = d·t (PyTorch computes them before the test; same values)
        let t = T::of(self.t);
        for i in 0..n {
            self.old_dirs[last][i] = self.flat_grad[i] - self.prev_flat_grad[i];
            self.old_stps[last][i] = self.d[i] * t;
        }
        self.ro.push(1.0 / ys);
        let yy = dot(&self.old_dirs[last], &self.old_dirs[last]);
        self.h_diag = ys / yy;
    }

    /// The two-loop recursion: `d = −H·g` from the history.
    fn two_loop(&mut self) {
        let num_old = self.old_dirs.len();
        if self.al.len() != self.history_size {
            self.al.resize(self.history_size, 0.0);
        }
        let q = &mut self.d;
        for (qi, gi) in q.iter_mut().zip(&self.flat_grad) {
            *qi = -*gi;
        }
        for i in (0..num_old).rev() {
            self.al[i] = dot(&self.old_stps[i], q) * self.ro[i];
            let a = T::of(-self.al[i]);
            for (qj, yj) in q.iter_mut().zip(&self.old_dirs[i]) {
                *qj += a * *yj;
            }
        }
        let h = T::of(self.h_diag);
        q.iter_mut().for_each(|v| *v *= h);
        for i in 0..num_old {
            let be_i = dot(&self.old_dirs[i], q) * self.ro[i];
            let a = T::of(self.al[i] - be_i);
            for (rj, sj) in q.iter_mut().zip(&self.old_stps[i]) {
                *rj += a * *sj;
            }
        }
    }

    /// One PyTorch `step(closure)`: up to `max_iter` inner iterations, `x` updated in place.
    pub fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> LbfgsStep {
        let n = x.len();
        for b in [
            &mut self.flat_grad,
            &mut self.x_init,
            &mut self.trial,
            &mut self.spare,
        ] {
            super::ensure_len(b, n, T::zero());
        }
        if self.d.len() != n {
            self.d = vec![T::zero(); n];
        }
        let mut flat_grad = std::mem::take(&mut self.flat_grad);
        let mut loss = self.eval(f, x, &mut flat_grad);
        self.flat_grad = flat_grad;
        let orig_loss = loss;
        let mut current_evals = 1;
        self.func_evals += 1;
        let max_abs = |g: &[T]| g.iter().map(|v| v.f64().abs()).fold(0.0, f64::max);
        let mut opt_cond = max_abs(&self.flat_grad) <= self.tolerance_grad;
        let mut out = LbfgsStep {
            loss: orig_loss,
            iterations: 0,
            evaluations: 1,
            final_loss: Some(loss),
        };
        if opt_cond {
            self.stop = Some(StopReason::converged("tolerance_grad"));
            return out;
        }
        self.stop = None;
        let mut n_iter = 0;
        while n_iter < self.max_iter {
            n_iter += 1;
            self.n_iter += 1;
            // compute the descent direction
            if self.n_iter == 1 {
                for (di, gi) in self.d.iter_mut().zip(&self.flat_grad) {
                    *di = -*gi;
                }
                self.old_dirs.clear();
                self.old_stps.clear();
                self.ro.clear();
                self.h_diag = 1.0;
            } else {
                let t = T::of(self.t);
                let ys: f64 = (0..n)
                    .map(|i| {
                        let y = self.flat_grad[i] - self.prev_flat_grad[i];
                        let s = self.d[i] * t;
                        y.f64() * s.f64()
                    })
                    .sum();
                if ys > 1e-10 {
                    self.push_history(ys);
                }
                self.two_loop();
            }
            if self.prev_flat_grad.len() != n {
                self.prev_flat_grad = vec![T::zero(); n];
            }
            self.prev_flat_grad.copy_from_slice(&self.flat_grad);
            self.prev_loss = loss;
            // compute the step length
            self.t = if self.n_iter == 1 {
                let l1: f64 = self.flat_grad.iter().map(|v| v.f64().abs()).sum();
                let inv = 1.0 / l1;
                (if inv < 1.0 { inv } else { 1.0 }) * self.lr
            } else {
                self.lr
            };
            // directional derivative
            let gtd = dot(&self.flat_grad, &self.d);
            if gtd > -self.tolerance_change {
                self.stop = Some(StopReason::converged("tolerance_change"));
                break;
            }
            let mut ls_func_evals = 0;
            match self.line_search_fn {
                LineSearchFn::StrongWolfe => {
                    self.x_init.copy_from_slice(x);
                    let params = WolfeParams {
                        tolerance_change: 1e-9,
                        max_ls: self.max_eval as i64 - current_evals as i64,
                        ..WolfeParams::default()
                    };
                    let maximize = self.maximize;
                    let (x_init, trial, d) = (&self.x_init, &mut self.trial, &self.d);
                    let mut obj = |t: f64, g: &mut [T]| {
                        super::solver::axpy_into(trial, x_init, t, d);
                        let v = f.gradient(trial, g).f64();
                        if maximize {
                            g.iter_mut().for_each(|v| *v = -*v);
                            -v
                        } else {
                            v
                        }
                    };
                    let r = strong_wolfe(
                        &mut obj,
                        d,
                        self.t,
                        loss,
                        &mut self.flat_grad,
                        gtd,
                        &params,
                        &mut self.wolfe,
                    );
                    loss = r.f;
                    self.t = r.t;
                    ls_func_evals = r.evals;
                    add_scaled(x, self.t, &self.d);
                    opt_cond = max_abs(&self.flat_grad) <= self.tolerance_grad;
                    out.final_loss = Some(loss);
                }
                LineSearchFn::None => {
                    add_scaled(x, self.t, &self.d);
                    if n_iter != self.max_iter {
                        let mut g = std::mem::take(&mut self.flat_grad);
                        loss = self.eval(f, x, &mut g);
                        self.flat_grad = g;
                        opt_cond = max_abs(&self.flat_grad) <= self.tolerance_grad;
                        ls_func_evals = 1;
                        out.final_loss = Some(loss);
                    } else {
                        out.final_loss = None;
                    }
                }
            }
            current_evals += ls_func_evals;
            self.func_evals += ls_func_evals;
            // check conditions
            if n_iter == self.max_iter || current_evals >= self.max_eval {
                break;
            }
            if opt_cond {
                self.stop = Some(StopReason::converged("tolerance_grad"));
                break;
            }
            // lack of progress
            let t = T::of(self.t);
            if self
                .d
                .iter()
                .map(|&v| (v * t).f64().abs())
                .fold(0.0, f64::max)
                <= self.tolerance_change
            {
                self.stop = Some(StopReason::converged("tolerance_change"));
                break;
            }
            if (loss - self.prev_loss).abs() < self.tolerance_change {
                self.stop = Some(StopReason::converged("tolerance_change"));
                break;
            }
        }
        out.iterations = n_iter;
        out.evaluations = current_evals;
        if self.maximize {
            out.loss = -out.loss;
            out.final_loss = out.final_loss.map(|v| -v);
        }
        out
    }
}

/// `x ← x + t·d` (PyTorch's `p.add_(d, alpha=t)`).
fn add_scaled<T: Float>(x: &mut [T], t: f64, d: &[T]) {
    let t = T::of(t);
    for (xi, &di) in x.iter_mut().zip(d) {
        *xi += t * di;
    }
}

impl<T: Float> Solver<T> for Lbfgs<T> {
    fn name(&self) -> &'static str {
        "lbfgs"
    }
    fn lr(&self) -> f64 {
        self.lr
    }
    fn stop_reason(&self) -> Option<StopReason> {
        self.stop
    }
    fn step(&mut self, f: &dyn Objective<T>, x: &mut [T]) -> SolverStep {
        let s = Lbfgs::step(self, f, x);
        SolverStep {
            iterations: s.iterations,
            evaluations: s.evaluations,
            value: s.final_loss,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lbfgs(lr: f64, f: impl FnOnce(&mut LbfgsConfig)) -> Result<Lbfgs<f64>> {
        let mut cfg = LbfgsConfig {
            lr,
            ..Default::default()
        };
        f(&mut cfg);
        Lbfgs::new(cfg)
    }
    use crate::problems::{Rosenbrock, Sphere};

    #[test]
    fn stops_at_once_at_a_stationary_point() {
        let mut o = lbfgs(1.0, |_| {}).unwrap();
        let mut x = vec![0.0, 0.0];
        let s = o.step(&Sphere, &mut x);
        assert_eq!((s.iterations, s.evaluations, o.n_iter()), (0, 1, 0));
    }

    #[test]
    fn first_step_is_scaled_by_the_l1_norm_of_the_gradient() {
        // max_iter = 1: one iteration x ← x − min(1, 1/‖g‖₁)·lr·g, no re-evaluation.
        let mut o = lbfgs(0.5, |c| c.max_iter = 1).unwrap();
        let mut x = vec![-1.2, 1.0];
        let mut g = vec![0.0f64; 2];
        Objective::gradient(&Rosenbrock, &x, &mut g);
        let t = 0.5 / (g[0].abs() + g[1].abs());
        let want = [-1.2 - t * g[0], 1.0 - t * g[1]];
        let s = o.step(&Rosenbrock, &mut x);
        assert_eq!((s.iterations, s.evaluations), (1, 1));
        assert_eq!(x, want);
    }

    #[test]
    fn validation_names_the_key() {
        let e = lbfgs(-1.0, |_| {}).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "lr"));
        let e = lbfgs(1.0, |c| c.history_size = 0).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref key, .. } if key == "history_size"));
    }

    #[test]
    fn maximize_finds_the_maximum_of_the_negated_function() {
        struct Neg;
        impl Objective<f64> for Neg {
            fn value(&self, x: &[f64]) -> f64 {
                -Objective::<f64>::value(&Sphere, x)
            }
            fn gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
                let v = Objective::<f64>::gradient(&Sphere, x, g);
                g.iter_mut().for_each(|v| *v = -*v);
                -v
            }
        }
        let mut o = lbfgs(1.0, |c| {
            c.maximize = true;
            c.line_search_fn = LineSearchFn::StrongWolfe;
        })
        .unwrap();
        let mut x = vec![3.0, -4.0];
        o.step(&Neg, &mut x);
        assert!(x.iter().all(|v| v.abs() < 1e-8), "{x:?}");
    }
}
