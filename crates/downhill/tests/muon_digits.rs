//! Muon trains the digits MLP as torch's docs advise: Muon for the 2-D weight matrices, Adam
//! for the biases. Until parameter groups land, the split is a small combinator written here
//! against the public `Optimizer` trait: the trainer's `set_shapes` tells it which tensors
//! are matrices.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::ops::Range;

use downhill::data::builtin::SyntheticOptions;
use downhill::data::{builtin, prepare};
use downhill::model::{Activation, ModelConfig, ModelKind, Network};
use downhill::optim::{
    Adam, AdamConfig, Hyper, Muon, MuonConfig, Optimizer, OptimizerState, Shape, StepOutcome,
};
use downhill::train::{TrainConfig, Trainer};

/// Muon over the matrices, Adam over the other tensors (gathered into contiguous buffers).
struct Split {
    muon: Muon<f64>,
    adam: Adam<f64>,
    matrices: Vec<Range<usize>>,
    others: Vec<Range<usize>>,
    buf: [Vec<f64>; 2],
}

impl Split {
    fn part(
        opt: &mut dyn Optimizer<f64>,
        ranges: &[Range<usize>],
        buf: &mut [Vec<f64>; 2],
        params: &mut [f64],
        grad: &[f64],
    ) {
        let [p, g] = buf;
        p.clear();
        g.clear();
        for r in ranges {
            p.extend_from_slice(&params[r.clone()]);
            g.extend_from_slice(&grad[r.clone()]);
        }
        opt.step(p, g);
        let mut at = 0;
        for r in ranges {
            params[r.clone()].copy_from_slice(&p[at..at + r.len()]);
            at += r.len();
        }
    }
}

impl Optimizer<f64> for Split {
    fn name(&self) -> &'static str {
        "muon+adam"
    }
    fn step(&mut self, params: &mut [f64], grad: &mut [f64]) -> StepOutcome {
        Self::part(&mut self.muon, &self.matrices, &mut self.buf, params, grad);
        Self::part(&mut self.adam, &self.others, &mut self.buf, params, grad);
        StepOutcome::Applied
    }
    fn hyper(&self, group: usize) -> Hyper {
        self.muon.hyper(group)
    }
    fn set_hyper(&mut self, _group: usize, _hyper: Hyper) {}
    fn set_shapes(&mut self, shapes: &[Shape]) -> downhill::Result<()> {
        let mut at = 0;
        let mut matrices = Vec::new();
        for s in shapes {
            let r = at..at + s.len();
            match s {
                Shape::Matrix { .. } => {
                    matrices.push(*s);
                    self.matrices.push(r);
                }
                Shape::Vector(_) => self.others.push(r),
            }
            at += s.len();
        }
        self.muon.set_shapes(&matrices)
    }
    fn state(&self) -> OptimizerState {
        OptimizerState::new("muon+adam")
    }
    fn load_state(&mut self, _state: &OptimizerState) -> downhill::Result<()> {
        Ok(())
    }
}

#[test]
fn muon_on_the_weight_matrices_trains_the_digits_mlp() {
    let all = builtin::<f64>("digits", &SyntheticOptions::default()).unwrap();
    let (tr, va, _) = prepare(&all, 0.2, 0, true).unwrap();
    let model = ModelConfig {
        kind: ModelKind::Mlp,
        hidden: vec![32],
        activation: Activation::Relu,
        head: None,
    };
    let net = Network::new(model.spec(&tr).unwrap()).unwrap();
    let mut opt = Split {
        muon: Muon::new(MuonConfig {
            lr: 0.02,
            weight_decay: 0.0,
            ..Default::default()
        })
        .unwrap(),
        adam: Adam::new(AdamConfig {
            lr: 1e-3,
            ..Default::default()
        })
        .unwrap(),
        matrices: Vec::new(),
        others: Vec::new(),
        buf: Default::default(),
    };
    let cfg = TrainConfig {
        epochs: 5,
        batch_size: 32,
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(&net, &tr, cfg);
    t.val = Some(&va);
    let r = t.run(&mut opt, &net.init(0), None).unwrap();
    // Both W matrices went to Muon (and only they), both biases to Adam.
    assert_eq!(opt.matrices.len(), 2);
    assert_eq!(opt.others.len(), 2);
    assert_eq!(opt.muon.skipped(), 0);
    let acc = r.val_metrics.last().unwrap().accuracy.unwrap();
    let first = r.val_metrics[0].accuracy.unwrap();
    eprintln!("digits MLP with Muon + Adam: val accuracy {first} after 1 epoch, {acc} after 5");
    assert!(acc >= 0.93, "val accuracy {acc}");
    assert!(
        r.final_train_loss < 0.5 * r.train_loss[0],
        "{:?}",
        r.train_loss
    );
}
