//! The training loop ([`Trainer`]) and its callbacks: full-training-set loss logging,
//! validation metrics, early stopping, plateau rules, schedules stepped per step or per
//! epoch, batch-size schedules, a divergence guard, SWA and snapshot averaging, and atomic
//! checkpoints with bit-identical resume ([`checkpoint`]).

pub mod checkpoint;
pub mod config;
pub mod replay;
pub mod trainer;

pub use checkpoint::Checkpoint;
pub use config::{AnnealStrategy, EarlyStoppingConfig, Monitor, SwaConfig, TrainConfig};
pub use replay::Replayed;
pub use trainer::{
    DivergedAt, EpochMetrics, LrFn, PlateauRule, Progress, ScheduleUnit, TrainResult, TrainStatus,
    Trainer,
};
