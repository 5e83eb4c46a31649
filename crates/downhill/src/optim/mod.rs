//! Optimisers: each turns a gradient into an in-place parameter update.
//!
//! Every optimiser implements [`Optimizer`]: it owns its state (allocated on the first step,
//! never again), reads the gradient, and updates the parameters in one fused pass. The
//! hyperparameters that schedules drive (`lr`, momentum / `betas[0]`) are read and set per
//! parameter group through [`Optimizer::hyper`] and [`Optimizer::set_hyper`]. Each rule is
//! its config, its state and a pure step ([`Rule`]); one generic type, [`Optim`], makes every
//! rule an [`Optimizer`]. Wrappers in [`wrappers`] compose in
//! front of any optimiser (clipping, accumulation, skip-non-finite, Lookahead).
//!
//! Names, parameters, defaults and the order of floating-point operations follow
//! `torch/optim/*.py` (single-tensor, `foreach=False` path), so trajectories match PyTorch's.
//!
//! ```
//! use downhill::optim::{Adam, AdamConfig, ClipGradNorm, Lookahead, Optimizer};
//! use downhill::problems::Rosenbrock;
//! use downhill::Objective;
//!
//! // Adam inside Lookahead, with the gradient clipped to norm 10 first.
//! let adam = Adam::<f64>::new(AdamConfig { lr: 0.02, ..Default::default() })?;
//! let mut opt = ClipGradNorm::new(Lookahead::new(adam, 5, 0.5)?, 10.0)?;
//! let (mut x, mut g) = (vec![-1.2, 1.0], vec![0.0; 2]);
//! for _ in 0..3000 {
//!     Rosenbrock.gradient(&x, &mut g);
//!     opt.step(&mut x, &mut g);
//! }
//! assert!(Rosenbrock.value(&x) < 1e-6);
//! # Ok::<(), downhill::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::{Float, Result};

pub mod bounded_search;
pub(crate) mod dcsrch;
pub(crate) mod dense;
pub mod gd_armijo;
pub mod groups;
mod lbfgsb_memory;
mod lbfgsb_subspace;
pub mod line_search;
pub(crate) mod lm_linalg;
pub use crate::hyper as params;
pub mod registry;
pub mod rule;
pub(crate) mod scipy_line;
pub mod scipy_opts;
pub mod shared;
pub mod solver;
pub mod stability;
pub mod state;
pub mod state_precision;
pub(crate) mod trust_region;
pub mod wrappers;

pub use adafactor::AdafactorEps;
pub use adam::Moments;
pub use gd_armijo::{GdArmijo, SgdLineSearch};
pub use groups::{assign, glob_match, Grouped, ParamGroupConfig, Tensor};
pub use lbfgs::LineSearchFn;
pub use lm::{LmInfo, XScale};
pub use momentum::MomentumVariant;
pub use muon::AdjustLr;
pub use params::{Kind, ParamSpec, Range};
pub use registry::{momentum_key, unknown, CatalogEntry, Entry, EntryKind, Named, Need};
pub use rule::{Hyper, Optim, Rule};
pub use scipy_opts::{Norm, Stop};
pub use shared::{check_shared_lrs, shares_groups, Member, Shared, SharedGroup, SharedRule};
pub use solver::{BoxedSolver, Solver, SolverStep, StopReason};
pub use state::{OptimizerState, StateBuf};
pub use state_precision::StatePrecision;
pub use wrappers::{
    Accumulate, ClipGradNorm, ClipGradValue, Lookahead, LookaheadConfig, Sam, SamConfig,
    SkipNonFinite, WrappersConfig,
};

// One line per optimiser or solver: module: config name => optimiser type (its config), doc.
registry::registry! {
    sgd: "sgd" => Sgd(SgdConfig), "`torch.optim.SGD`.";
    momentum: "momentum" => Momentum(MomentumConfig), "Heavy ball / Nesterov / midpoint momentum, the velocity carrying the lr.";
    adagrad: "adagrad" => Adagrad(AdagradConfig), "`torch.optim.Adagrad`.";
    rmsprop: "rmsprop" => RmsProp(RmsPropConfig), "`torch.optim.RMSprop`.";
    adam: "adam" => Adam(AdamConfig), "`torch.optim.Adam`.";
    adamw: "adamw" => Adamw(AdamwConfig), "`torch.optim.AdamW`.";
    nadam: "nadam" => Nadam(NadamConfig), "`torch.optim.NAdam`.";
    radam: "radam" => Radam(RadamConfig), "`torch.optim.RAdam`.";
    adamax: "adamax" => Adamax(AdamaxConfig), "`torch.optim.Adamax`.";
    adadelta: "adadelta" => Adadelta(AdadeltaConfig), "`torch.optim.Adadelta`.";
    lion: "lion" => Lion(LionConfig), "Lion (Chen et al. 2023).";
    rprop: "rprop" => Rprop(RpropConfig), "`torch.optim.Rprop`.";
    asgd: "asgd" => Asgd(AsgdConfig), "`torch.optim.ASGD`.";
    adafactor: "adafactor" => Adafactor(AdafactorConfig), "`torch.optim.Adafactor`.";
    muon: "muon" => Muon(MuonConfig), "`torch.optim.Muon` (2-D weight matrices only).";
    lars: "lars" => Lars(LarsConfig), "`optax.lars`: layer-wise trust ratio (You et al. 2017).";
    lamb: "lamb" => Lamb(LambConfig), "`optax.lamb`: Adam with a layer-wise trust ratio (You et al. 2019).";
    yogi: "yogi" => Yogi(YogiConfig), "`optax.yogi`: Adam with an additive second-moment update (Zaheer et al. 2018).";
    adabelief: "adabelief" => Adabelief(AdabeliefConfig), "`optax.adabelief`: Adam with the belief (g − m)² as second moment (Zhuang et al. 2020).";
    adan: "adan" => Adan(AdanConfig), "`optax.adan`: adaptive Nesterov momentum (Xie et al. 2022).";
    novograd: "novograd" => Novograd(NovogradConfig), "`optax.novograd`: layer-wise normalised gradients with momentum (Ginsburg et al. 2019).";
    prodigy: "prodigy" => Prodigy(ProdigyConfig), "`prodigyopt.Prodigy`: Adam with a learning rate estimated as it runs (Mishchenko & Defazio 2023).";
    dadapt_adam: "dadapt_adam" => DadaptAdam(DadaptAdamConfig), "`dadaptation.DAdaptAdam`: D-Adaptation Adam (Defazio & Mishchenko 2023).";
    dadapt_sgd: "dadapt_sgd" => DadaptSgd(DadaptSgdConfig), "`dadaptation.DAdaptSGD`: D-Adaptation SGD (Defazio & Mishchenko 2023).";
    sgd_schedule_free: "sgd_schedule_free" => SgdScheduleFree(SgdScheduleFreeConfig), "`schedulefree.SGDScheduleFree`: schedule-free SGD (Defazio et al. 2024).";
    adamw_schedule_free: "adamw_schedule_free" => AdamwScheduleFree(AdamwScheduleFreeConfig), "`schedulefree.AdamWScheduleFree`: schedule-free AdamW (Defazio et al. 2024).";
    sgld: "sgld" => Sgld(SgldConfig), "SGLD: SGD plus Gaussian noise, sampling exp(-U/T) (Welling & Teh 2011).";
    polyak_sgd: "polyak_sgd" => PolyakSgd(PolyakSgdConfig), "`optax.polyak_sgd`: SGD with the Polyak step size (f - f_min)/|g|^2 (Loizou et al. 2021).";
    lbfgs: "lbfgs" => Lbfgs(LbfgsConfig), "`torch.optim.LBFGS` (a solver).";
    newton: "newton" => Newton(NewtonConfig), "Newton's method (a solver).";
    pso: "pso" => Pso(PsoConfig), "Particle swarm (a solver).";
    ga: "ga" => Ga(GaConfig), "Real-coded genetic algorithm (a solver).";
    cmaes: "cmaes" => Cmaes(CmaesConfig), "CMA-ES with optional IPOP restarts (a solver).";
    nelder_mead: "nelder_mead" => NelderMead(NelderMeadConfig), "Nelder-Mead simplex, SciPy's adaptive variant (a solver).";
    lbfgsb: "lbfgsb" => Lbfgsb(LbfgsbConfig), "L-BFGS-B, box-constrained L-BFGS (a solver).";
    lm: "lm" => Lm(LmConfig), "Levenberg-Marquardt least squares, SciPy's least_squares(method=\"lm\") (a solver; needs residuals).";
    bfgs: "bfgs" => Bfgs(BfgsConfig), "BFGS, `scipy.optimize.minimize(method=\"BFGS\")` (a solver).";
    cg: "cg" => Cg(CgConfig), "Nonlinear conjugate gradients, SciPy's `CG` (a solver).";
    trust_ncg: "trust_ncg" => TrustNcg(TrustNcgConfig), "Trust-region Newton-CG, SciPy's `trust-ncg` (a solver).";
}

/// What one call to [`Optimizer::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// The parameters were updated.
    Applied,
    /// The step was skipped (e.g. a non-finite gradient under `skip_non_finite`).
    Skipped,
    /// The gradient was stored for accumulation; parameters unchanged.
    Accumulated,
}

/// The shape of one tensor in a flat parameter slice, for optimisers whose update depends
/// on it (Adafactor factors the second moment of matrices; Muon orthogonalises them).
/// A matrix is stored row-major, `rows × cols`, as torch's `nn.Linear.weight` is
/// (`out_features × in_features`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A vector of this length (biases, or a test function's `x`).
    Vector(usize),
    /// A row-major matrix.
    Matrix {
        /// Rows (torch's `shape[0]`).
        rows: usize,
        /// Columns (torch's `shape[1]`).
        cols: usize,
    },
}

impl Shape {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match *self {
            Shape::Vector(n) => n,
            Shape::Matrix { rows, cols } => rows * cols,
        }
    }

    /// Whether it has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// [`Optimizer::set_shapes`] with the tensors' names: an error about tensor `params[i]`
/// (Muon refusing a vector) names it (`layers.0.b`) instead.
pub fn set_named_shapes<T: Float>(
    opt: &mut dyn Optimizer<T>,
    tensors: &[(String, Shape)],
) -> Result<()> {
    let shapes: Vec<Shape> = tensors.iter().map(|(_, s)| *s).collect();
    opt.set_shapes(&shapes).map_err(|e| match e {
        crate::Error::InvalidParameter {
            key,
            value,
            allowed,
        } => {
            let index = key
                .strip_prefix("params[")
                .and_then(|k| k.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok());
            let key = match index.and_then(|i| tensors.get(i)) {
                Some((name, _)) => name.clone(),
                None => key,
            };
            crate::Error::InvalidParameter {
                key,
                value,
                allowed,
            }
        }
        e => e,
    })
}

/// A first-order optimiser: `params ← update(params, grad, state)`, as a loop sees it.
///
/// Every rule is one through the generic [`Optim`]; [`Grouped`] and the [`wrappers`] compose
/// them. The scheduled hyperparameters are read and set per parameter group with
/// [`Optimizer::hyper`] / [`Optimizer::set_hyper`]; `lr()`, `set_lr()`, `momentum()`, … are
/// shorthands for them on `dyn Optimizer` (group 0).
pub trait Optimizer<T: Float>: Send {
    /// The optimiser's config name (`"sgd"`, `"adam"`, …).
    fn name(&self) -> &'static str;
    /// Applies one update in place. `grad` has the length of `params` and may be overwritten.
    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome;
    /// Number of parameter groups (torch's `len(optimizer.param_groups)`; 1 unless
    /// [`Grouped`]). Schedules drive each group from its own initial lr.
    fn groups(&self) -> usize {
        1
    }
    /// The scheduled hyperparameters (lr, momentum) of group `group`.
    fn hyper(&self, group: usize) -> Hyper;
    /// Sets the scheduled hyperparameters of group `group` (schedules call this before each
    /// step; a momentum given to an optimiser without one is ignored).
    fn set_hyper(&mut self, group: usize, hyper: Hyper);
    /// Snapshot of the state, for checkpoints.
    fn state(&self) -> OptimizerState;
    /// Restores a snapshot made by [`Optimizer::state`].
    fn load_state(&mut self, state: &OptimizerState) -> Result<()>;
    /// Where the next gradient must be evaluated. Look-ahead methods (the Nesterov variants
    /// of `momentum`) write that point into `out` and return `true`; the default returns `false`,
    /// meaning "at `params`".
    fn gradient_point(&self, _params: &[T], _out: &mut [T]) -> bool {
        false
    }
    /// The evaluation point of `params`, for optimisers whose parameters during training are
    /// not the point to evaluate (schedule-free's training point y and evaluation point x, what
    /// the `schedulefree` package swaps in with `optimizer.eval()`): writes it into `out` and
    /// returns `true` (from the first step on, and before it, where it is `params`); the
    /// default returns `false`, meaning "`params` itself". Loops step `params` and report,
    /// validate, save and export this point.
    fn eval_point(&self, _params: &[T], _out: &mut [T]) -> bool {
        false
    }
    /// Number of steps skipped so far (by a skip-non-finite wrapper, or Muon without matrices).
    fn skipped(&self) -> usize {
        0
    }
    /// Whether the optimiser can step with its current hyperparameters: an error names the
    /// one that stops it (parameter groups sharing one d whose lrs were set apart, which the
    /// packages refuse). The training loop asks before each step and ends the run as
    /// [`crate::train::TrainStatus::Refused`]; a step taken anyway changes nothing and counts
    /// as [skipped](Optimizer::skipped). The default accepts everything.
    fn check_hyper(&self) -> Result<()> {
        Ok(())
    }
    /// Tells the optimiser how `params` splits into tensors, in order (the lengths sum to
    /// `params.len()`). Called once before the first step by callers that know the model's
    /// layout (`train`); without it `params` is one vector. Optimisers that need matrices
    /// (Muon) error, naming the parameter, on a bad layout.
    fn set_shapes(&mut self, _shapes: &[Shape]) -> Result<()> {
        Ok(())
    }
    /// The loss at the point where the gradient of the next [`Optimizer::step`] was taken
    /// (the batch loss in training). The loops call it before each step; methods that use it
    /// (the Polyak step size) keep it, the default ignores it.
    fn set_loss(&mut self, _loss: f64) {}
    /// A second gradient point: given `grad`, the gradient taken at `at` (the
    /// [gradient point](Optimizer::gradient_point)), methods that need the gradient somewhere
    /// else too (SAM: at `at` + ρ·g/‖g‖) write that point into `out` and return `true`; the
    /// loop then steps with the gradient there instead. The default returns `false`.
    fn second_point(&self, _at: &[T], _grad: &[T], _out: &mut [T]) -> bool {
        false
    }
    /// Gives the optimiser of parameter group `g` its own random stream: a rule that draws
    /// random numbers (sgld) draws group g's from stream g of its seed (ChaCha's
    /// `set_stream`), so groups draw independent noise; stream 0 is the one it draws without
    /// this call. [`Grouped`] calls it for every group; the default ignores it.
    fn set_stream(&mut self, _stream: u64) {}
}

/// Shorthands for the scheduled hyperparameters ([`Optimizer::hyper`] and
/// [`Optimizer::set_hyper`]), for any optimiser behind `dyn` (a `Box<dyn Optimizer<T>>` too).
impl<T: Float> dyn Optimizer<T> + '_ {
    /// Group 0's learning rate.
    pub fn lr(&self) -> f64 {
        self.group_lr(0)
    }
    /// Sets group 0's learning rate.
    pub fn set_lr(&mut self, lr: f64) {
        self.set_group_lr(0, lr)
    }
    /// Group 0's momentum coefficient (sgd `momentum`, adam `betas[0]`), if it has one.
    pub fn momentum(&self) -> Option<f64> {
        self.group_momentum(0)
    }
    /// Sets group 0's momentum coefficient (no-op for optimisers without one).
    pub fn set_momentum(&mut self, momentum: f64) {
        self.set_group_momentum(0, momentum)
    }
    /// The learning rate of group `g`.
    pub fn group_lr(&self, g: usize) -> f64 {
        self.hyper(g).lr
    }
    /// Sets the learning rate of group `g`.
    pub fn set_group_lr(&mut self, g: usize, lr: f64) {
        let h = self.hyper(g);
        self.set_hyper(g, Hyper { lr, ..h });
    }
    /// The momentum coefficient of group `g`, if its optimiser has one.
    pub fn group_momentum(&self, g: usize) -> Option<f64> {
        self.hyper(g).momentum
    }
    /// Sets the momentum coefficient of group `g`.
    pub fn set_group_momentum(&mut self, g: usize, momentum: f64) {
        let h = self.hyper(g);
        self.set_hyper(
            g,
            Hyper {
                momentum: Some(momentum),
                ..h
            },
        );
    }
}

impl<T: Float, O: Optimizer<T> + ?Sized> Optimizer<T> for Box<O> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn step(&mut self, params: &mut [T], grad: &mut [T]) -> StepOutcome {
        (**self).step(params, grad)
    }
    fn groups(&self) -> usize {
        (**self).groups()
    }
    fn hyper(&self, group: usize) -> Hyper {
        (**self).hyper(group)
    }
    fn set_hyper(&mut self, group: usize, hyper: Hyper) {
        (**self).set_hyper(group, hyper)
    }
    fn state(&self) -> OptimizerState {
        (**self).state()
    }
    fn load_state(&mut self, state: &OptimizerState) -> Result<()> {
        (**self).load_state(state)
    }
    fn gradient_point(&self, params: &[T], out: &mut [T]) -> bool {
        (**self).gradient_point(params, out)
    }
    fn eval_point(&self, params: &[T], out: &mut [T]) -> bool {
        (**self).eval_point(params, out)
    }
    fn skipped(&self) -> usize {
        (**self).skipped()
    }
    fn check_hyper(&self) -> Result<()> {
        (**self).check_hyper()
    }
    fn set_shapes(&mut self, shapes: &[Shape]) -> Result<()> {
        (**self).set_shapes(shapes)
    }
    fn set_loss(&mut self, loss: f64) {
        (**self).set_loss(loss)
    }
    fn second_point(&self, at: &[T], grad: &[T], out: &mut [T]) -> bool {
        (**self).second_point(at, grad, out)
    }
    fn set_stream(&mut self, stream: u64) {
        (**self).set_stream(stream)
    }
}

/// Allocates `buf` to `n` copies of `fill` if it is empty (first step); never reallocates after.
///
/// A new buffer is allocated through [`crate::data::pages::filled`], so a large
/// optimiser state is backed by huge pages where the OS allows it (state is streamed once
/// per step; with 4 KiB pages each page of each buffer costs a page walk).
#[inline]
pub(crate) fn ensure_len<T: Copy>(buf: &mut Vec<T>, n: usize, fill: T) {
    if buf.len() != n {
        *buf = crate::data::pages::filled(n, fill);
    }
}

/// `torch.lerp(a, b, w)` elementwise, in ATen's order: `a + w(b − a)` when `|w| < ½`, else
/// `b − (b − a)(1 − w)`. PyTorch's `exp_avg.lerp_(grad, 1 − β₁)` is written this way.
#[inline(always)]
pub(crate) fn lerp<T: Float>(a: T, b: T, w: T) -> T {
    if w.abs() < T::of(0.5) {
        a + w * (b - a)
    } else {
        b - (b - a) * (T::one() - w)
    }
}

/// `torch.maximum(a, b)`: like `max`, but NaN in either argument propagates.
#[inline(always)]
pub(crate) fn nan_max<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::nan()
    } else if a >= b {
        a
    } else {
        b
    }
}

/// `torch.sign`: −1, 0 or 1 (0 at ±0, NaN at NaN); unlike `f64::signum`, which gives ±1 at ±0.
#[inline(always)]
pub(crate) fn sign<T: Float>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        x
    }
}

/// The gradient with `maximize` applied: `−g` when maximising, else `g`.
#[inline(always)]
pub(crate) fn signed<T: Float>(g: T, maximize: bool) -> T {
    if maximize {
        -g
    } else {
        g
    }
}

/// Deserialises a pair `[a, b]`, refusing any other length (serde's array impl would silently
/// ignore a third element). Every pair hyperparameter (`betas`, `etas`, …) reads through it.
pub(crate) fn exact_pair<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<[f64; 2], D::Error> {
    let v = Vec::<f64>::deserialize(d)?;
    <[f64; 2]>::try_from(v.as_slice())
        .map_err(|_| serde::de::Error::invalid_length(v.len(), &"a pair [beta1, beta2]"))
}

/// Deserialises exactly three numbers (Muon's `ns_coefficients`, Adan's `betas`).
pub(crate) fn exact_triple<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<[f64; 3], D::Error> {
    let v = Vec::<f64>::deserialize(d)?;
    <[f64; 3]>::try_from(v.as_slice())
        .map_err(|_| serde::de::Error::invalid_length(v.len(), &"a triple [a, b, c]"))
}

/// How `maximize` and weight decay λ (PyTorch's `weight_decay` / `decoupled_weight_decay`)
/// enter a step, per coordinate: g ← −g if maximize; θ ← θ·(1 − γλ) if decoupled; else
/// g ← g + λθ (when λ ≠ 0). Every first-order optimiser with these options starts its loop so.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WeightDecay<T> {
    maximize: bool,
    /// Add λθ to the gradient.
    pub(crate) l2: bool,
    /// λ.
    pub(crate) wd: T,
    /// The factor 1 − γλ of decoupled decay.
    pub(crate) decay: Option<T>,
}

impl<T: Float> WeightDecay<T> {
    /// For learning rate `lr`, `weight_decay` λ, decoupled or not, and `maximize`.
    pub(crate) fn new(lr: f64, weight_decay: f64, decoupled: bool, maximize: bool) -> Self {
        let (l2, decay) = match (weight_decay != 0.0, decoupled) {
            (false, _) => (false, None),
            (true, false) => (true, None),
            (true, true) => (false, Some(T::of(1.0 - lr * weight_decay))),
        };
        WeightDecay {
            maximize,
            l2,
            wd: T::of(weight_decay),
            decay,
        }
    }
    /// Applies the decay to `p` and returns the gradient the update uses.
    #[inline(always)]
    pub(crate) fn apply(&self, p: &mut T, g: T) -> T {
        let mut g = signed(g, self.maximize);
        if let Some(d) = self.decay {
            *p *= d;
        }
        if self.l2 {
            g += self.wd * *p;
        }
        g
    }
}
