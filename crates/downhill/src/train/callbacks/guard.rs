//! [`DivergenceGuard`]: stops the run at the first non-finite batch loss or parameter, or at
//! a batch loss above the divergence threshold, and keeps the last parameters before it.

use crate::data::pages;
use crate::model::Scalar;
use crate::train::callback::{Callback, Context};
use crate::train::config::divergence_limit;
use crate::Result;

/// Checks every step's result; a non-finite batch loss or parameter, or a batch loss above
/// `threshold · max(|L₀|, 1)` ([`TrainConfig::divergence_threshold`]), ends the run as
/// diverged with the parameters from before that step. Stateless (its buffers are rebuilt on
/// resume; `L₀` is the loss log's first entry, which the checkpoint keeps).
///
/// `prev` holds the parameters before the current step; a step's result is copied into
/// `spare` while it is checked, and the two are swapped when it is finite (one pass instead of
/// a copy before and a check after each step).
///
/// [`TrainConfig::divergence_threshold`]: crate::train::TrainConfig::divergence_threshold
#[derive(Debug, Default)]
pub struct DivergenceGuard<T> {
    prev: Vec<T>,
    spare: Vec<T>,
    threshold: Option<f64>,
    limit: Option<f64>,
}

impl<T> DivergenceGuard<T> {
    /// The checkpoint key.
    pub const NAME: &'static str = "divergence_guard";

    /// A guard with a divergence threshold (`None`: only non-finite values stop the run).
    pub fn new(threshold: Option<f64>) -> Self {
        DivergenceGuard {
            prev: Vec::new(),
            spare: Vec::new(),
            threshold,
            limit: None,
        }
    }
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
        if self.limit.is_none() && self.threshold.is_some() {
            // The loss log has run its `on_train_begin` by the first step.
            let reference = if ctx.initial_loss.is_finite() {
                ctx.initial_loss
            } else {
                ctx.batch_loss
            };
            self.limit = divergence_limit(self.threshold, reference);
        }
        let below = self.limit.is_none_or(|l| ctx.batch_loss <= l);
        if below
            && ctx.batch_loss.is_finite()
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
