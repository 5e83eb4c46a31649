//! # Downhill
//!
//! Gradient descent done right and visibly: optimisers with PyTorch's semantics, learning-rate
//! schedules, exact and numerical gradients, test functions and a training loop.
//!
//! This is the library. The `downhill` command line (crate `downhill-cli`), the figures
//! (`downhill-plot`) and data-parallel training over MPI (`downhill-mpi`) are built on it; the
//! repository's `README.md` shows the commands, `ARCHITECTURE.md` maps the code.
//!
//! ## What is where
//!
//! The layers point one way, each using only the ones below it:
//!
//! | layer | modules | what |
//! | --- | --- | --- |
//! | training | [`train`] | [`train::Trainer`]: epochs of mini-batches over a model and a dataset, with logging, validation, the divergence guard, plateau rules, early stopping, SWA/snapshot averaging and checkpoints (bit-identical resume) |
//! | models and data | [`model`], [`data`] | dense networks over one flat parameter vector (linear, logistic, softmax, MLP); datasets (built-in, CSV, `.npy`), splits, standardisation, seeded samplers |
//! | runs | [`run`] | the deterministic executor of `downhill run`: [`run::Run`] with an [`optim::Optimizer`] or an [`optim::Solver`], a box, a schedule, observers that may stop it, and as much of the path recorded as asked |
//! | optimisers | [`optim`] | PyTorch's optimisers (trajectories identical to `torch.optim`), physics-form momentum (heavy ball, Nesterov, midpoint) with its stable-lr bound, Lion, gradient wrappers, and the solvers L-BFGS, Newton and PSO; [`optim::OptimizerConfig`] builds any of them by name |
//! | schedules | [`schedule`] | every PyTorch learning-rate scheduler, bit for bit, plus warm-up, batch-size scaling and momentum retuning; [`schedule::ScheduleConfig`] builds any of them by name |
//! | objectives | [`objective`], [`problems`], [`expr`], [`diff`] | what is minimised ([`Objective`], [`SampledObjective`]); the built-in test functions; formulas parsed from text; numerical gradients, the gradient checker, reverse-mode AD and hyper-dual Hessians |
//! | foundations | [`float`], [`error`], [`guard`], [`kernels`], [`io`] | the [`Float`] trait (f32, f64); the one [`Error`] type; the divergence rule of runs and training; the vectorised hot loops; the one atomic file writer |
//!
//! Parameters are always one flat slice `&mut [T]`, so one optimiser step is one fused loop.
//! Hyperparameters keep PyTorch's names and defaults; invalid ones are refused with
//! [`Error::InvalidParameter`] naming the key.
//!
//! ## An optimiser step
//!
//! An optimiser is built from its PyTorch name and parameters (what a `[optimizer]` table of a
//! config holds) and steps a parameter slice in place with a gradient:
//!
//! ```
//! use downhill::optim::OptimizerConfig;
//! use downhill::problems::Sphere;
//! use downhill::Objective;
//!
//! // torch.optim.SGD(params, lr=0.1, momentum=0.9) on x0² + x1² from (−3, 4).
//! let cfg = OptimizerConfig::from_named("sgd", serde_json::json!({"lr": 0.1, "momentum": 0.9}))?;
//! let mut opt = cfg.build::<f64>()?;
//! let mut x = vec![-3.0_f64, 4.0];
//! let mut g = vec![0.0; 2];
//! for _ in 0..400 {
//!     Sphere.gradient(&x, &mut g);
//!     opt.step(&mut x, &mut g);
//! }
//! assert!(Sphere.value(&x) < 1e-15);
//!
//! // Out-of-range hyperparameters are refused, naming the key.
//! let bad = OptimizerConfig::from_named("sgd", serde_json::json!({"lr": -0.1}))?;
//! assert!(matches!(bad.build::<f64>(), Err(downhill::Error::InvalidParameter { key, .. }) if key == "lr"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A schedule
//!
//! A schedule gives the learning rate (and, for some, the momentum) as a function of the step:
//! the lr at step `k` is PyTorch's `get_last_lr()` after `k` calls of `scheduler.step()`.
//!
//! ```
//! use downhill::schedule::ScheduleConfig;
//!
//! // torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5) for an optimiser with lr 0.1.
//! let cfg = ScheduleConfig::from_named("step_lr", serde_json::json!({"step_size": 10, "gamma": 0.5}))?;
//! let mut s = cfg.build(0.1, None)?;
//! assert_eq!(s.lr(0), 0.1);
//! assert_eq!(s.lr(9), 0.1);
//! assert_eq!(s.lr(10), 0.05);
//! assert_eq!(s.lr(25), 0.025);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Training a model
//!
//! Linear regression on synthetic data with SGD, batch 1, lr 0.2, and the lr × 0.1 from
//! epoch 2 on (`multi_step_lr` stepped per epoch):
//!
//! ```
//! use downhill::data::{builtin::SyntheticOptions, synthetic_linreg};
//! use downhill::model::{Activation, ModelConfig, ModelKind, Network};
//! use downhill::optim::OptimizerConfig;
//! use downhill::schedule::ScheduleConfig;
//! use downhill::schedule::Unit;
//! use downhill::train::{TrainConfig, Trainer};
//!
//! let data = synthetic_linreg::<f64>(&SyntheticOptions::default())?;
//! let model = ModelConfig { kind: ModelKind::Linear, hidden: vec![], activation: Activation::Relu, head: None };
//! let net = Network::new(model.spec(&data)?)?;
//! let mut opt = OptimizerConfig::from_named("sgd", serde_json::json!({"lr": 0.2}))?.build::<f64>()?;
//! let decay = ScheduleConfig::from_named("multi_step_lr", serde_json::json!({"milestones": [2], "gamma": 0.1}))?;
//!
//! let cfg = TrainConfig { epochs: 3, batch_size: 1, log_interval: Some(10), ..Default::default() };
//! let mut trainer = Trainer::new(&net, &data, cfg);
//! trainer.schedule = Some((decay.build(0.2, None)?, Unit::Epoch));
//! let r = trainer.run(opt.as_mut(), &net.init(0), None)?;
//! // The data were made with w = [2, −3.4], b = 4.2.
//! assert!((r.params[0] - 2.0).abs() < 0.01 && (r.params[1] + 3.4).abs() < 0.01);
//! assert!((r.params[2] - 4.2).abs() < 0.01 && r.final_train_loss < 1e-4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod data;
pub mod diff;
pub mod error;
pub mod expr;
pub mod float;
pub mod guard;
pub mod hyper;
pub mod io;
pub mod kernels;
pub mod landscape;
pub mod lsq;
pub mod model;
pub mod objective;
pub mod optim;
pub mod problems;
pub mod run;
pub mod schedule;
pub mod spec;
pub mod stats;
pub mod train;

pub use error::{Error, Result};

/// The README's Rust examples, compiled and run as doctests (so that they cannot go stale).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
pub use float::Float;
pub use objective::{Objective, SampledObjective};
