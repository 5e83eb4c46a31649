//! The built-in callbacks of the training loop, one type each with its own checkpointed
//! state: loss logging, validation, the divergence guard, reduce-on-plateau, early stopping,
//! SWA/snapshot averaging, checkpointing, progress events and an external stop flag.

pub mod averaging;
pub mod guard;
pub mod logging;
pub mod monitors;
pub mod stop;

use std::path::PathBuf;

pub use averaging::{AverageState, Averaging};
pub use guard::DivergenceGuard;
pub use logging::{LossLog, ProgressHook, Validation};
pub use monitors::{EarlyState, EarlyStopping, Plateau};
pub use stop::StopFlag;

use crate::model::Scalar;
use crate::train::callback::{Callback, Context};
use crate::Result;

/// Asks for a checkpoint after every `every`-th epoch but the last; the trainer writes it to
/// `path` once the epoch's callbacks have run (with every callback's state), unless one of
/// them ended the run. Stateless.
#[derive(Debug, Clone)]
pub struct Checkpointing {
    /// Epochs between checkpoints.
    pub every: usize,
    /// Where they go.
    pub path: PathBuf,
}

impl Checkpointing {
    /// The checkpoint key.
    pub const NAME: &'static str = "checkpointing";
}

impl<T: Scalar> Callback<T> for Checkpointing {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if ctx.epoch < ctx.config.epochs && ctx.epoch.is_multiple_of(self.every) {
            ctx.save_to = Some(self.path.clone());
        }
        Ok(())
    }
}
