//! Seed 002: learning rates on one surface, saddle points, local minima.

use std::sync::Arc;

use downhill::optim::{Optimizer, Sgd};
use downhill::problems::{by_name, IllConditioned, Saddle};
use downhill::run::{minimize, RunOptions};
use downhill::Objective;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde_json::json;

use super::figure::{Figure, Path2, Series};
use super::Experiment;

const SEED: &str = "002";

/// The seed's experiments.
pub fn experiments() -> Vec<Experiment> {
    vec![
        learning_rates(),
        saddle(),
        local_minima(),
        schedules_drawn(),
    ]
}

fn learning_rates() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "lr-small-right-large",
        "Too small, right, too large — on one surface",
        "On 0.1·x0² + 2·x1² (curvatures 0.2 and 4) GD is stable only for lr < 2/4 = 0.5: lr = 0.01 crawls along the flat direction, lr = 0.45 converges, lr = 0.55 oscillates across the steep direction with growing amplitude.",
    );
    let f = IllConditioned;
    let x0 = [-4.0, 2.0];
    let f0 = f.value(&x0);
    let mut paths = Vec::new();
    let mut curves = Vec::new();
    let mut finals = Vec::new();
    for lr in [0.01, 0.45, 0.55] {
        let mut opt = Sgd::new(lr);
        let r = minimize(
            &f,
            &mut opt,
            &x0,
            &RunOptions {
                steps: 100,
                tolerance: None,
            },
            |_, _| {},
        );
        finals.push(r.f);
        paths.push(Path2::from_trajectory(
            &format!("lr = {lr}"),
            &r.trajectory[..r.trajectory.len().min(25)],
        ));
        curves.push(Series::indexed(&format!("lr = {lr}"), r.f_history.clone()));
        e.value(&format!("f after 100 steps, lr = {lr}"), r.f);
    }
    e.expect("f after 100 steps, lr = 0.01", "still > 1 (too slow)")
        .expect("f after 100 steps, lr = 0.45", "< 1e-6")
        .expect("f after 100 steps, lr = 0.55", format!("> f(x0) = {f0}"))
        .require(
            finals[0] > 1.0 && finals[1] < 1e-6 && finals[2] > f0,
            "slow / converged / diverging as predicted by lr·λmax vs 2",
        )
        .figure(Figure::Contour {
            title: "0.1·x0² + 2·x1²: three learning rates (first 25 steps)".into(),
            f: Arc::new(|x, y| 0.1 * x * x + 2.0 * y * y),
            x: (-4.5, 4.5),
            y: (-4.5, 4.5),
            log_levels: false,
            paths,
        })
        .figure(Figure::Curves {
            title: "loss per step".into(),
            x_label: "step".into(),
            y_label: "f".into(),
            log_y: true,
            series: curves,
        });
    e
}

fn saddle() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "saddle-escape",
        "A saddle point: full-batch GD stalls, SGD's noise escapes",
        "On x0² − x1² from (1, 0) the gradient has no x1 component, so full-batch GD slides into the saddle (0, 0) and stops there with a vanishing gradient. Adding gradient noise (σ = 0.01, as a mini-batch would) pushes x1 off the ridge and the unstable direction amplifies it by 1 + 2·lr per step.",
    );
    let f = Saddle;
    let steps = 60;
    let lr = 0.1;
    let mut opt = Sgd::new(lr);
    let gd = minimize(
        &f,
        &mut opt,
        &[1.0, 0.0],
        &RunOptions {
            steps,
            tolerance: None,
        },
        |_, _| {},
    );
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let noise = Normal::new(0.0, 0.01).unwrap_or_else(|_| unreachable!("σ > 0"));
    let mut x = [1.0f64, 0.0];
    let mut g = [0.0; 2];
    let mut sgd = Sgd::new(lr);
    let mut path = vec![x.to_vec()];
    for _ in 0..steps {
        f.gradient(&x, &mut g);
        for gi in &mut g {
            *gi += noise.sample(&mut rng);
        }
        sgd.step(&mut x, &mut g);
        path.push(x.to_vec());
    }
    let gd_grad = (gd.x[0] * 2.0).hypot(gd.x[1] * 2.0);
    e.value("GD final x", json!(gd.x))
        .value("GD gradient norm", gd_grad)
        .value("SGD final |x1|", x[1].abs())
        .value("SGD final f", f.value(&x))
        .expect("GD final x", json!([0.0, 0.0]))
        .expect("SGD final |x1|", "> 0.5 (escaped)")
        .require(
            gd.x[1] == 0.0 && gd_grad < 1e-4 && x[1].abs() > 0.5,
            "GD stuck at the saddle, SGD escaped",
        )
        .figure(Figure::Contour {
            title: "x0² − x1²: GD vs noisy SGD from (1, 0)".into(),
            f: Arc::new(|x, y| x * x - y * y),
            x: (-1.5, 1.5),
            y: (-1.5, 1.5),
            log_levels: false,
            paths: vec![
                Path2::from_trajectory("full-batch GD", &gd.trajectory),
                Path2::from_trajectory(
                    "SGD (noise σ = 0.01)",
                    &path[..path
                        .iter()
                        .position(|p| p[1].abs() > 1.4)
                        .unwrap_or(path.len())],
                ),
            ],
        });
    e
}

fn local_minima() -> Experiment {
    let mut e = Experiment::new(
        SEED,
        "local-minima",
        "Local minima: where GD ends depends on where it starts",
        "Rastrigin (A = 10) has a local minimum near every integer point. GD with lr = 0.002 from a 5×5 grid of starts over [−4.5, 4.5]² ends in many different minima; only the starts in the central basin find the global one.",
    );
    let f = match by_name::<f64>("rastrigin") {
        Ok(f) => f,
        Err(_) => unreachable!("built-in"),
    };
    let mut ends: Vec<(i64, i64)> = Vec::new();
    let mut global = 0;
    let mut paths = Vec::new();
    for i in 0..5 {
        for j in 0..5 {
            let x0 = [-4.5 + 2.25 * i as f64 + 0.1, -4.5 + 2.25 * j as f64 + 0.05];
            let mut opt = Sgd::new(0.002);
            let r = minimize(
                f.as_ref(),
                &mut opt,
                &x0,
                &RunOptions {
                    steps: 500,
                    tolerance: None,
                },
                |_, _| {},
            );
            let key = (r.x[0].round() as i64, r.x[1].round() as i64);
            if !ends.contains(&key) {
                ends.push(key);
            }
            if r.f < 1e-6 {
                global += 1;
            }
            if (i + j) % 3 == 0 {
                paths.push(Path2::from_trajectory(
                    &format!("from ({:.1}, {:.1})", x0[0], x0[1]),
                    &r.trajectory,
                ));
            }
        }
    }
    e.value("starts", 25)
        .value("distinct minima reached", ends.len())
        .value("runs reaching the global minimum", global)
        .expect("distinct minima reached", "> 1")
        .require(
            ends.len() > 5 && global < 25,
            "many distinct local minima; not every start finds the global one",
        )
        .figure(Figure::Contour {
            title: "Rastrigin: GD from several starts".into(),
            f: Arc::new(|x: f64, y: f64| {
                let t = std::f64::consts::TAU;
                20.0 + x * x - 10.0 * (t * x).cos() + y * y - 10.0 * (t * y).cos()
            }),
            x: (-5.0, 5.0),
            y: (-5.0, 5.0),
            log_levels: false,
            paths,
        });
    e
}

fn schedules_drawn() -> Experiment {
    use super::schedules::{build, lrs};
    let mut e = Experiment::new(
        SEED,
        "schedules",
        "Cyclical, warm-restart and cosine learning rates",
        "The seed's schedules as PyTorch defines them: cyclic_lr triangular (constant amplitude) and triangular2 (amplitude halved each cycle) between 0.001 and 0.006 with 20-step half-cycles; SGDR (cosine_annealing_warm_restarts, t_0 = 10, t_mult = 2) restarting at steps 10, 30, 70; cosine_annealing_lr over 100 steps.",
    );
    let n = 120;
    let cyc = |mode: &str| {
        build(
            "cyclic_lr",
            json!({"base_lr": 0.001, "max_lr": 0.006, "step_size_up": 20, "mode": mode, "cycle_momentum": false}),
            0.001,
            None,
        )
    };
    let tri = lrs(cyc("triangular").as_mut(), n);
    let tri2 = lrs(cyc("triangular2").as_mut(), n);
    let sgdr = lrs(
        build(
            "cosine_annealing_warm_restarts",
            json!({"t_0": 10, "t_mult": 2, "eta_min": 0.0}),
            0.006,
            None,
        )
        .as_mut(),
        n,
    );
    let cos = lrs(
        build(
            "cosine_annealing_lr",
            json!({"t_max": 100, "eta_min": 0.0}),
            0.006,
            None,
        )
        .as_mut(),
        n,
    );
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-12);
    e.value(
        "triangular lr at steps 0, 20, 40, 60",
        json!([tri[0], tri[20], tri[40], tri[60]]),
    )
    .expect(
        "triangular lr at steps 0, 20, 40, 60",
        json!([0.001, 0.006, 0.001, 0.006]),
    )
    .value(
        "triangular2 peaks at steps 20, 60, 100",
        json!([tri2[20], tri2[60], tri2[100]]),
    )
    .expect(
        "triangular2 peaks at steps 20, 60, 100",
        json!([0.006, 0.0035, 0.00225]),
    )
    .value(
        "SGDR lr at steps 9, 10, 29, 30, 70",
        json!([sgdr[9], sgdr[10], sgdr[29], sgdr[30], sgdr[70]]),
    )
    .expect(
        "SGDR lr at steps 9, 10, 29, 30, 70",
        "small, 0.006 (restart), small, 0.006, 0.006",
    )
    .value("cosine lr at steps 50, 100", json!([cos[50], cos[100]]))
    .expect("cosine lr at steps 50, 100", json!([0.003, 0.0]))
    .require(
        near(tri[20], 0.006)
            && near(tri[40], 0.001)
            && near(tri2[60], 0.0035)
            && near(tri2[100], 0.00225)
            && near(sgdr[10], 0.006)
            && near(sgdr[30], 0.006)
            && near(sgdr[70], 0.006)
            && sgdr[9] < 0.0005
            && near(cos[50], 0.003)
            && cos[100].abs() < 1e-15,
        "peaks, troughs and restarts at the predicted steps (1e-12)",
    )
    .figure(Figure::Curves {
        title: "learning-rate schedules".into(),
        x_label: "step".into(),
        y_label: "lr".into(),
        log_y: false,
        series: vec![
            Series::indexed("cyclic triangular", tri),
            Series::indexed("cyclic triangular2", tri2),
            Series::indexed("SGDR (t_0 = 10, t_mult = 2)", sgdr),
            Series::indexed("cosine (t_max = 100)", cos),
        ],
    });
    e
}
