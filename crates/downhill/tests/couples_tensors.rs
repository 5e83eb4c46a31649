//! `Entry::COUPLES_TENSORS` (the catalogue's `couples_tensors`) is what each rule does, not a
//! hand-kept list: every first-order optimiser of the registry steps two tensors once as one
//! optimiser over both (told their layout) and once as one optimiser per tensor; the two must
//! give the same bits exactly when the rule says it does not couple its tensors.

#![allow(clippy::unwrap_used)] // a test crate

use downhill::optim::{catalog, EntryKind, Optimizer, OptimizerConfig, Shape};
use serde_json::json;

/// Two matrices (so that Muon and Adafactor run their matrix paths on both).
const SHAPES: [Shape; 2] = [
    Shape::Matrix { rows: 2, cols: 3 },
    Shape::Matrix { rows: 3, cols: 2 },
];

/// f(x) = Σ cᵢ (xᵢ − tᵢ)² / 2 over the concatenation, and its gradient.
fn loss_and_grad(x: &[f64]) -> (f64, Vec<f64>) {
    let c = |i: usize| 1.0 + (i % 3) as f64;
    let t = |i: usize| 0.1 * i as f64 - 0.4;
    let f = (0..x.len())
        .map(|i| c(i) * (x[i] - t(i)).powi(2) / 2.0)
        .sum();
    (f, (0..x.len()).map(|i| c(i) * (x[i] - t(i))).collect())
}

fn build(name: &str, shapes: &[Shape]) -> Box<dyn Optimizer<f64>> {
    let mut o = OptimizerConfig::from_named(name, json!({}))
        .unwrap()
        .build::<f64>()
        .unwrap();
    o.set_shapes(shapes).unwrap();
    o
}

/// Eight steps of `name` as one optimiser over both tensors, and as one per tensor.
fn joint_and_apart(name: &str) -> (Vec<f64>, Vec<f64>) {
    let n: Vec<usize> = SHAPES.iter().map(Shape::len).collect();
    let x0: Vec<f64> = (0..n[0] + n[1])
        .map(|i| 0.3 * (i as f64).sin() + 0.5)
        .collect();
    let (mut joint, mut apart) = (x0.clone(), x0);
    let mut one = build(name, &SHAPES);
    let mut per: Vec<_> = SHAPES.iter().map(|s| build(name, &[*s])).collect();
    for _ in 0..8 {
        let (f, mut g) = loss_and_grad(&joint);
        one.set_loss(f);
        one.step(&mut joint, &mut g);
        let (f, mut g) = loss_and_grad(&apart);
        let (x1, x2) = apart.split_at_mut(n[0]);
        let (g1, g2) = g.split_at_mut(n[0]);
        for (o, (x, g)) in per.iter_mut().zip([(x1, g1), (x2, g2)]) {
            o.set_loss(f);
            o.step(x, g);
        }
    }
    (joint, apart)
}

#[test]
fn couples_tensors_says_whether_stepping_tensors_apart_changes_the_result() {
    let (mut coupled, mut apart_ok) = (0, 0);
    for e in catalog().iter().filter(|e| e.kind == EntryKind::FirstOrder) {
        let (joint, apart) = joint_and_apart(e.name);
        let same = joint
            .iter()
            .zip(&apart)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert_eq!(
            same,
            !e.couples_tensors,
            "{}: couples_tensors = {}, but stepping the tensors apart gives {} numbers",
            e.name,
            e.couples_tensors,
            if same { "the same" } else { "other" }
        );
        if same {
            apart_ok += 1;
        } else {
            coupled += 1;
        }
    }
    // Both kinds are there (prodigy couples its tensors; adam does not).
    assert!(
        coupled >= 1 && apart_ok >= 1,
        "{coupled} coupled, {apart_ok} not"
    );
}
