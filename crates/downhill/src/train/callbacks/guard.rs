//! [`DivergenceGuard`]: stops the run at the first non-finite batch loss or parameter and
//! keeps the last finite parameters.

use crate::data::pages;
use crate::model::Scalar;
use crate::train::callback::{Callback, Context};
use crate::Result;

/// Checks every step's result; a non-finite batch loss or parameter ends the run as diverged
/// with the parameters from before that step. Stateless (its buffers are rebuilt on resume).
///
/// `prev` holds the parameters before the current step; a step's result is copied into
/// `spare` while it is checked, and the two are swapped when it is finite (one pass instead of
/// a copy before and a check after each step).
#[derive(Debug, Default)]
pub struct DivergenceGuard<T> {
    prev: Vec<T>,
    spare: Vec<T>,
}

impl<T> DivergenceGuard<T> {
    /// The checkpoint key.
    pub const NAME: &'static str = "divergence_guard";
}

impl<T: Scalar> Callback<T> for DivergenceGuard<T> {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn on_train_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        // Made once, after a resume restored the parameters; huge pages like `params`.
        self.prev = pages::copied(&ctx.params);
        self.spare = pages::copied(&ctx.params);
        if !crate::kernels::all_finite(&ctx.params) {
            ctx.diverge(ctx.epoch + 1);
        }
        Ok(())
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        if ctx.batch_loss.is_finite()
            && crate::kernels::copy_if_finite(&ctx.params, &mut self.spare)
        {
            std::mem::swap(&mut self.prev, &mut self.spare);
        } else {
            ctx.params.copy_from_slice(&self.prev);
            ctx.diverge(ctx.epoch + 1);
        }
        Ok(())
    }
}
