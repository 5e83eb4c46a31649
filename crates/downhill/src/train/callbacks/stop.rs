//! Stopping a run from outside (a Stop button, a signal handler): a flag checked after every
//! step.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::Scalar;
use crate::train::callback::{Callback, Context};
use crate::train::TrainStatus;
use crate::Result;

/// Ends the run with [`TrainStatus::Stopped`] after the first step that finds `flag` set; the
/// parameters are those of that step (finite, checked by the divergence guard first). Stateless.
#[derive(Debug, Clone, Copy)]
pub struct StopFlag<'f> {
    flag: &'f AtomicBool,
}

impl<'f> StopFlag<'f> {
    /// The checkpoint key (unused: no state).
    pub const NAME: &'static str = "stop_flag";

    /// Watches `flag`.
    pub fn new(flag: &'f AtomicBool) -> Self {
        StopFlag { flag }
    }
}

impl<T: Scalar> Callback<T> for StopFlag<'_> {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if self.flag.load(Ordering::Acquire) {
            ctx.stop(TrainStatus::Stopped);
        }
        Ok(())
    }
}
