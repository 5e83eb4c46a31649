//! A user-defined training callback: it records the batch loss of every step, keeps a running
//! minimum of the logged training loss (checkpointed under its name, so a resumed run
//! continues it), and stops the run once the training loss is below a target.
//!
//! ```sh
//! cargo run -p downhill --example custom_callback
//! ```

use downhill::data::builtin::SyntheticOptions;
use downhill::data::synthetic_linreg;
use downhill::model::{Activation, ModelConfig, ModelKind, Network, Scalar};
use downhill::optim::Sgd;
use downhill::train::callback::{from_state, to_state};
use downhill::train::{Callback, Context, TrainConfig, TrainStatus, Trainer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Stops when the training loss logged at an epoch end is below `target`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StopBelow {
    /// The loss to reach (configuration, not state).
    #[serde(skip)]
    target: f64,
    /// Best logged training loss so far (state: survives a resume).
    best: Option<f64>,
    /// Batch losses seen by this process (not checkpointed).
    #[serde(skip)]
    batch_losses: Vec<f64>,
}

impl<T: Scalar> Callback<T> for StopBelow {
    fn name(&self) -> &str {
        "stop_below"
    }
    fn on_step_end(&mut self, ctx: &mut Context<'_, T>) -> downhill::Result<()> {
        self.batch_losses.push(ctx.batch_loss);
        Ok(())
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> downhill::Result<()> {
        let loss = ctx.train_loss;
        self.best = Some(self.best.map_or(loss, |b| b.min(loss)));
        println!("epoch {}: training loss {loss:.3e}", ctx.epoch);
        if loss < self.target {
            ctx.stop(TrainStatus::EarlyStopped);
        }
        Ok(())
    }
    fn state(&self) -> downhill::Result<Value> {
        to_state("stop_below", self)
    }
    fn load_state(&mut self, state: Value) -> downhill::Result<()> {
        let s: StopBelow = from_state("stop_below", state)?;
        self.best = s.best;
        Ok(())
    }
}

/// Seed 001's linear regression with SGD, stopped by the callback after a few epochs.
pub fn main() -> downhill::Result<()> {
    let data = synthetic_linreg::<f64>(&SyntheticOptions::default())?;
    let model = ModelConfig {
        kind: ModelKind::Linear,
        hidden: vec![],
        activation: Activation::Relu,
        head: None,
    };
    let net = Network::new(model.spec(&data)?)?;
    let cfg = TrainConfig {
        epochs: 50,
        batch_size: 10,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(&net, &data, cfg);
    trainer.callbacks.push(Box::new(StopBelow {
        target: 1e-3,
        ..StopBelow::default()
    }));
    let r = trainer.run(&mut Sgd::with_lr(0.03)?, &net.init(0), None)?;
    println!(
        "{:?} after {} epochs ({} steps); w = {:?}, b = {:.4}",
        r.status,
        r.epochs,
        r.steps,
        &r.params[..2],
        r.params[2]
    );
    if r.status != TrainStatus::EarlyStopped || r.epochs >= 50 {
        return Err(downhill::Error::Invalid(
            "the callback should have stopped the run".into(),
        ));
    }
    Ok(())
}
