//! Seed 000: large batches — linear learning-rate scaling and warm-up.

use super::Experiment;

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    Vec::new()
}
