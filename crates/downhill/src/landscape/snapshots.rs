//! [`Snapshots`]: the training trajectory at epoch ends, for PCA directions.

use std::sync::{Arc, Mutex};

use crate::model::Scalar;
use crate::train::{Callback, Context};
use crate::Result;

/// A callback recording the parameters before training and at every epoch end (the
/// trajectory Li et al. §6 takes its principal directions from). The record is shared, so
/// the caller keeps a handle ([`Snapshots::taken`]) while the trainer owns the callback. It
/// only reads the parameters: the run is the same with or without it.
#[derive(Debug, Clone, Default)]
pub struct Snapshots<T> {
    taken: Arc<Mutex<Vec<Vec<T>>>>,
}

impl<T: Scalar> Snapshots<T> {
    /// An empty record.
    pub fn new() -> Self {
        Snapshots {
            taken: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The snapshots taken so far, in order.
    pub fn taken(&self) -> Vec<Vec<T>> {
        self.taken.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn push(&self, p: &[T]) {
        if let Ok(mut v) = self.taken.lock() {
            v.push(p.to_vec());
        }
    }
}

impl<T: Scalar> Callback<T> for Snapshots<T> {
    fn name(&self) -> &str {
        "snapshots"
    }
    fn per_step(&self) -> bool {
        false
    }
    fn on_train_begin(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        self.push(&ctx.params);
        Ok(())
    }
    fn on_epoch_end(&mut self, ctx: &mut Context<'_, T>) -> Result<()> {
        self.push(&ctx.params);
        Ok(())
    }
}
