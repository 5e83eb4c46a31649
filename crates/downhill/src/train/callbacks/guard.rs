//! [`DivergenceGuard`]: stops the run at the first non-finite batch loss or parameter, or at
//! a batch loss above the divergence threshold, and keeps the last parameters before it.

use crate::guard::{LastFinite, Limit};
use crate::model::Scalar;
use crate::train::callback::{Callback, Context};
use crate::train::{DivergenceCause, LossOf};
use crate::Result;

/// Checks every step's result; a non-finite batch loss or parameter, or a batch loss above
/// `threshold · max(|L₀|, 1)` ([`TrainConfig::divergence_threshold`]), ends the run as
/// diverged with the parameters from before that step. Stateless (its buffers are rebuilt on
/// resume; `L₀` is the loss log's first entry, which the checkpoint keeps).
///
/// The rule and the kept parameters are [`crate::guard`]'s, as in [`crate::run`]: a step's
/// result is copied into a spare buffer while it is checked, and swapped with the last finite
/// copy when it passes (one pass instead of a copy before and a check after each step).
///
/// [`TrainConfig::divergence_threshold`]: crate::train::TrainConfig::divergence_threshold
#[derive(Debug, Default)]
pub struct DivergenceGuard<T> {
    last: LastFinite<T>,
    threshold: Option<f64>,
    /// The limit and its reference loss, fixed at the first step.
    limit: Option<(Limit, f64)>,
}

impl<T> DivergenceGuard<T> {
    /// The checkpoint key.
    pub const NAME: &'static str = "divergence_guard";

    /// A guard with a divergence threshold (`None`: only non-finite values stop the run).
    pub fn new(threshold: Option<f64>) -> Self {
        DivergenceGuard {
            last: LastFinite::default(),
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
        self.last = LastFinite::new(&ctx.params);
        if !crate::kernels::all_finite(&ctx.params) {
            ctx.diverge_because(ctx.epoch + 1, DivergenceCause::NonFiniteParameter);
        }
        Ok(())
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        let (limit, reference) = *self.limit.get_or_insert_with(|| {
            // The loss log has run its `on_train_begin` by the first step.
            let reference = if ctx.initial_loss.is_finite() {
                ctx.initial_loss
            } else {
                ctx.batch_loss
            };
            (Limit::new(self.threshold, reference), reference)
        });
        let loss_ok = limit.allows(ctx.batch_loss);
        if !self.last.accept(&mut ctx.params, loss_ok) {
            let cause = if loss_ok {
                DivergenceCause::NonFiniteParameter
            } else {
                let (loss, t) = (ctx.batch_loss, self.threshold);
                DivergenceCause::of_loss(LossOf::Batch, loss, &limit, t, reference)
            };
            ctx.diverge_because(ctx.epoch + 1, cause);
        }
        Ok(())
    }
}
