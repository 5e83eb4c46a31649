//! Fixtures shared by the training tests: seeded blobs split 70/30 (standardised) and a
//! one-hidden-layer tanh MLP on them.

#![allow(clippy::unwrap_used, dead_code)] // test helpers; not every test file uses all

use downhill::data::builtin::SyntheticOptions;
use downhill::data::{prepare, synthetic_classification, Dataset};
use downhill::model::{Activation, ModelConfig, ModelKind, Network};

/// The blobs with cluster spread `cluster_std`: (training split, validation split).
pub fn blobs(cluster_std: f64) -> (Dataset<f64>, Dataset<f64>) {
    let ds = synthetic_classification::<f64>(&SyntheticOptions {
        cluster_std: Some(cluster_std),
        ..Default::default()
    })
    .unwrap();
    let (tr, va, _) = prepare(&ds, 0.3, 0, true).unwrap();
    (tr, va)
}

/// A tanh MLP with one hidden layer of `hidden` units for `tr`.
pub fn mlp(tr: &Dataset<f64>, hidden: usize) -> Network<f64> {
    let cfg = ModelConfig {
        kind: ModelKind::Mlp,
        hidden: vec![hidden],
        activation: Activation::Tanh,
        head: None,
    };
    Network::new(cfg.spec(tr).unwrap()).unwrap()
}
