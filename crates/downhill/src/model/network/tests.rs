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

/// Mean loss and gradient of an MLP with a softmax head, one sample at a time in plain loops.
fn naive_mlp(
    net: &Network<f64>,
    p: &[f64],
    data: &Dataset<f64>,
    batch: &[usize],
) -> (f64, Vec<f64>) {
    let nl = net.layers();
    let act = net.spec().activation;
    let mut g = vec![0.0; net.n_params()];
    let mut loss = 0.0;
    for &i in batch {
        let mut acts = vec![data.row(i).to_vec()];
        for l in 0..nl {
            let (w0, b0, m, k) = net.layer(l);
            let a = &acts[l];
            let z: Vec<f64> = (0..k)
                .map(|j| p[b0 + j] + (0..m).map(|t| p[w0 + j * m + t] * a[t]).sum::<f64>())
                .collect();
            let hidden = l + 1 < nl;
            acts.push(match (hidden, act) {
                (false, _) => z,
                (true, Activation::Relu) => z.iter().map(|v| v.max(0.0)).collect(),
                (true, _) => z.iter().map(|v| v.tanh()).collect(),
            });
        }
        let z = &acts[nl];
        let mx = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let lse = mx + z.iter().map(|v| (v - mx).exp()).sum::<f64>().ln();
        let label = data.y()[i] as usize;
        loss += lse - z[label];
        let mut delta: Vec<f64> = z
            .iter()
            .enumerate()
            .map(|(j, v)| (v - lse).exp() - f64::from(u8::from(j == label)))
            .collect();
        for l in (0..nl).rev() {
            let (w0, b0, m, k) = net.layer(l);
            for j in 0..k {
                g[b0 + j] += delta[j];
                for t in 0..m {
                    g[w0 + j * m + t] += delta[j] * acts[l][t];
                }
            }
            if l > 0 {
                delta = (0..m)
                    .map(|t| {
                        let s: f64 = (0..k).map(|j| delta[j] * p[w0 + j * m + t]).sum();
                        let a = acts[l][t];
                        s * match act {
                            Activation::Relu => f64::from(u8::from(a > 0.0)),
                            _ => 1.0 - a * a,
                        }
                    })
                    .collect();
            }
        }
    }
    let n = batch.len() as f64;
    g.iter_mut().for_each(|v| *v /= n);
    (loss / n, g)
}

/// Layers wide enough to be cut into blocks of output units run on the pool's threads: the
/// same bits on 1 and 2 threads (f32 and f64), and the gradient of plain per-sample loops.
#[test]
fn blocked_layers_give_the_same_bits_on_one_and_two_threads() {
    let cases = [
        (784, vec![256], Activation::Relu, vec![64, 300]),
        (600, vec![256, 256], Activation::Tanh, vec![200]),
    ];
    for (d, hidden, act, batches) in cases {
        let data = synthetic_classification::<f64>(&SyntheticOptions {
            n: Some(320),
            features: Some(d),
            classes: Some(10),
            ..Default::default()
        })
        .unwrap();
        let net =
            Network::<f64>::new(spec(ModelKind::Mlp, d, hidden, 10, act, Head::Softmax)).unwrap();
        let sp = net.spec().clone();
        let data32 = data.cast::<f32>();
        let p = net.init(3);
        let p32: Vec<f32> = p.iter().map(|&v| v as f32).collect();
        for bs in batches {
            let batch: Vec<usize> = (0..bs).map(|i| (i * 7) % 320).collect();
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| {
                    let (net, net32) = (
                        Network::<f64>::new(sp.clone()).unwrap(),
                        Network::<f32>::new(sp.clone()).unwrap(),
                    );
                    let mut g = vec![0.0; net.n_params()];
                    let l = net.loss(&p, &data, &batch, Some(&mut g));
                    let mut g32 = vec![0.0f32; net.n_params()];
                    let l32 = net32.loss(&p32, &data32, &batch, Some(&mut g32));
                    let bits: Vec<u64> = g.iter().map(|v| v.to_bits()).collect();
                    let bits32: Vec<u32> = g32.iter().map(|v| v.to_bits()).collect();
                    (l.to_bits(), bits, l32.to_bits(), bits32, g)
                })
            };
            let (one, two) = (run(1), run(2));
            assert!(one.0 == two.0 && one.1 == two.1, "f64 {d} {bs}");
            assert!(one.2 == two.2 && one.3 == two.3, "f32 {d} {bs}");
            let (l, g) = naive_mlp(&net, &p, &data, &batch);
            assert!((f64::from_bits(one.0) - l).abs() <= 1e-9 * l.abs());
            let scale = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            for (i, (a, b)) in one.4.iter().zip(&g).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-9 * scale,
                    "{d} {bs} param {i}: {a} vs {b}"
                );
            }
        }
    }
}
