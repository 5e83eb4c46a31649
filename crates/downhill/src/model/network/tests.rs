//! Gradient checks and path agreement of [`Network`].

use super::*;
use crate::data::{builtin::SyntheticOptions, synthetic_classification, synthetic_linreg};
use crate::diff::check_gradient;

fn spec(
    kind: ModelKind,
    d: usize,
    hidden: Vec<usize>,
    k: usize,
    act: Activation,
    head: Head,
) -> ModelSpec {
    ModelSpec {
        kind,
        inputs: d,
        hidden,
        outputs: k,
        activation: act,
        head,
    }
}

fn check(net: &Network<f64>, data: &Dataset<f64>, seed: u64) {
    let mut p = net.init(seed);
    // Move off the tiny initial scale so every term matters.
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
    p.iter_mut().for_each(|v| *v += rng.random_range(-0.5..0.5));
    let obj = OnBatch {
        fit: Fit { net, data },
        batch: vec![0, 3, 3, 7, 11],
    };
    let r = check_gradient(&obj, &p, 1e-5);
    assert!(
        r.max_rel_error < 1e-5,
        "{:?} worst {}: {r:?}",
        net.spec().kind,
        r.worst_index
    );
}

#[test]
fn gradients_match_numerical_ones() {
    let o = SyntheticOptions {
        n: Some(20),
        features: Some(3),
        ..Default::default()
    };
    let reg = synthetic_linreg::<f64>(&o).unwrap();
    let cls = synthetic_classification::<f64>(&SyntheticOptions {
        classes: Some(4),
        ..o.clone()
    })
    .unwrap();
    let mut bin = cls.clone();
    let y: Vec<f64> = cls.y().iter().map(|v| f64::from(*v >= 2.0)).collect();
    bin = Dataset::new(bin.x().to_vec(), y, 3, Task::Classification { classes: 2 }).unwrap();
    let lin = Network::new(spec(
        ModelKind::Linear,
        3,
        vec![],
        1,
        Activation::Relu,
        Head::Linear,
    ))
    .unwrap();
    check(&lin, &reg, 1);
    let log = Network::new(spec(
        ModelKind::Logistic,
        3,
        vec![],
        1,
        Activation::Relu,
        Head::Logistic,
    ))
    .unwrap();
    check(&log, &bin, 2);
    let sm = Network::new(spec(
        ModelKind::Softmax,
        3,
        vec![],
        4,
        Activation::Relu,
        Head::Softmax,
    ))
    .unwrap();
    check(&sm, &cls, 3);
    for act in [Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let mlp = Network::new(spec(ModelKind::Mlp, 3, vec![5, 4], 4, act, Head::Softmax)).unwrap();
        check(&mlp, &cls, 4);
        let mlp = Network::new(spec(ModelKind::Mlp, 3, vec![6], 1, act, Head::Linear)).unwrap();
        check(&mlp, &reg, 5);
    }
}

#[test]
fn chunked_batches_equal_one_pass_and_f32_agrees() {
    let o = SyntheticOptions {
        n: Some(600),
        features: Some(4),
        ..Default::default()
    };
    let cls = synthetic_classification::<f64>(&o).unwrap();
    let net = Network::<f64>::new(spec(
        ModelKind::Mlp,
        4,
        vec![8],
        3,
        Activation::Tanh,
        Head::Softmax,
    ))
    .unwrap();
    let p = net.init(9);
    let all: Vec<usize> = (0..600).collect();
    let mut g = vec![0.0; net.n_params()];
    let l = net.loss(&p, &cls, &all, Some(&mut g));
    // Sum of per-sample gradients over single-row batches, averaged.
    let mut acc = vec![0.0; net.n_params()];
    let mut gi = vec![0.0; net.n_params()];
    let mut lacc = 0.0;
    for i in 0..600 {
        lacc += net.loss(&p, &cls, &[i], Some(&mut gi));
        acc.iter_mut().zip(&gi).for_each(|(a, b)| *a += b / 600.0);
    }
    assert!((l - lacc / 600.0).abs() < 1e-12);
    for (a, b) in g.iter().zip(&acc) {
        assert!((a - b).abs() < 1e-12);
    }
    let net32 = Network::<f32>::new(net.spec().clone()).unwrap();
    let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
    let l32 = net32.loss(&p32, &cls.cast::<f32>(), &all, None);
    assert!((f64::from(l32) - l).abs() < 1e-5);
}

#[test]
fn named_params_follow_the_kind() {
    let lin = Network::<f64>::new(spec(
        ModelKind::Linear,
        2,
        vec![],
        1,
        Activation::Relu,
        Head::Linear,
    ))
    .unwrap();
    let v = lin.named(&[2.0, -3.4, 4.2]);
    assert_eq!(
        v,
        NamedParams::Vector {
            w: vec![2.0, -3.4],
            b: 4.2
        }
    );
    let sm = Network::<f64>::new(spec(
        ModelKind::Softmax,
        2,
        vec![],
        3,
        Activation::Relu,
        Head::Softmax,
    ))
    .unwrap();
    let p: Vec<f64> = (0..9).map(f64::from).collect();
    match sm.named(&p) {
        NamedParams::Matrix(l) => {
            assert_eq!(l.w, vec![vec![0.0, 1.0], vec![2.0, 3.0], vec![4.0, 5.0]]);
            assert_eq!(l.b, vec![6.0, 7.0, 8.0]);
        }
        other => panic!("{other:?}"),
    }
}
