//! The training loop ([`Trainer`]) and its callbacks: full-training-set loss logging,
//! validation metrics, early stopping, plateau rules, schedules stepped per step or per
//! epoch, batch-size schedules, a divergence guard, SWA and snapshot averaging, and atomic
//! checkpoints with bit-identical resume ([`checkpoint`]).
//!
//! Linear regression on synthetic data with SGD, batch 1 and lr 0.2, lr × 0.1 after epoch 2:
//!
//! ```
//! use downhill::data::{builtin::SyntheticOptions, synthetic_linreg};
//! use downhill::model::{Activation, ModelConfig, ModelKind, Network};
//! use downhill::optim::Sgd;
//! use downhill::schedule::Unit;
//! use downhill::train::{LrFn, TrainConfig, Trainer};
//!
//! let data = synthetic_linreg::<f64>(&SyntheticOptions::default())?;
//! let model = ModelConfig { kind: ModelKind::Linear, hidden: vec![], activation: Activation::Relu, head: None };
//! let net = Network::new(model.spec(&data)?)?;
//! let cfg = TrainConfig { epochs: 3, batch_size: 1, log_interval: Some(10), ..Default::default() };
//! let mut trainer = Trainer::new(&net, &data, cfg);
//! trainer.schedule = Some((Box::new(LrFn(|e| if e >= 2 { 0.02 } else { 0.2 })), Unit::Epoch));
//! let r = trainer.run(&mut Sgd::with_lr(0.2)?, &net.init(0), None)?;
//! assert!((r.params[0] - 2.0).abs() < 0.01 && (r.params[1] + 3.4).abs() < 0.01);
//! assert!((r.params[2] - 4.2).abs() < 0.01 && r.final_train_loss < 1e-4);
//! # Ok::<(), downhill::Error>(())
//! ```

pub mod callback;
pub mod callbacks;
pub mod checkpoint;
pub mod config;
pub mod outcome;
pub mod replay;
pub mod trainer;

pub use callback::{Callback, Context};
pub use callbacks::{AverageState, EarlyState};
pub use checkpoint::Checkpoint;
pub use config::{EarlyStoppingConfig, EmaConfig, Monitor, SwaConfig, TrainConfig};
pub use outcome::{
    DivergedAt, DivergenceCause, EpochMetrics, LossOf, Progress, ProgressFn, Refused, TrainResult,
    TrainStatus,
};
pub use replay::Replayed;
pub use trainer::{LrFn, PlateauRule, Trainer};
