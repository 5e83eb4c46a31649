//! Seed 003's stability map: a `downhill sweep` of lr × momentum on a quadratic, drawn against
//! the theory edge 2(1 + β)/L.

use crate::tour::figure::{Figure, Heatmap, Path2};
use crate::tour::Experiment;
use downhill::optim::stability::{self, Method};
use downhill::spec::exec::sweep::run_points;
use downhill::spec::sweep::Sweep;

use crate::present::sweep::outcomes;

/// The quadratic's curvatures: f = (A/2)x² + (B/2)y², so L = A.
const CURV: (f64, f64) = (4.0, 1.0);
/// The momenta of the map's rows.
const BETAS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 0.9];
/// The lr grid: `range = [LR.0, LR.1]`, `num = LR.2` (cells 0.02 wide, none on an edge).
const LR: (f64, f64, usize) = (0.011, 1.191, 60);
const MAP_STEPS: usize = 300;

fn map_config() -> String {
    let betas: Vec<String> = BETAS.iter().map(|b| format!("{b:?}")).collect();
    format!(
        "[problem]\nexpression = \"{a}*x^2 + {b}*y^2\"\nvars = [\"x\", \"y\"]\nx0 = [1.0, 1.0]\n\
         [optimizer]\nname = \"sgd\"\nlr = 0.1\nmomentum = 0.0\n[run]\nsteps = {MAP_STEPS}\n\
         [sweep]\n\"optimizer.lr\" = {{ range = [{:?}, {:?}], num = {} }}\n\
         \"optimizer.momentum\" = [{}]\n",
        LR.0,
        LR.1,
        LR.2,
        betas.join(", "),
        a = CURV.0 / 2.0,
        b = CURV.1 / 2.0,
    )
}

/// Seed 003: where heavy-ball SGD on a quadratic stops converging, measured by a sweep.
pub fn stability_map() -> Experiment {
    let mut e = Experiment::new(
        "003",
        "stability-map",
        "Stability map: lr × momentum on a quadratic",
        "A `downhill sweep` of heavy-ball SGD (PyTorch's sgd with momentum β) over lr and β on \
         f = 2x² + y²/2, whose largest curvature is L = 4. A cell diverged when its run ended \
         above where it started (or went non-finite). The theory edge is lr = 2(1 + β)/L: \
         GD's 2/L at β = 0, and momentum lets the lr grow up to (1 + β) times further.",
    );
    let raw = map_config();
    let points = Sweep::parse("stability-map.toml", &raw)
        .and_then(|s| run_points(&s, 0..s.len(), &|| {}).map(|p| (s, p)))
        .map_err(|err| err.to_string());
    let (sweep, points) = match points {
        Ok(v) => v,
        Err(msg) => {
            e.require(false, &format!("the sweep ran ({msg})"));
            return e;
        }
    };
    let nb = BETAS.len();
    let diverged: Vec<bool> = points
        .iter()
        .map(|p| outcomes(sweep.kind, &p.result).iter().any(|o| o.diverged()))
        .collect();
    let lrs = sweep.axes[0].numbers.clone().unwrap_or_default();
    let cell = (LR.1 - LR.0) / (LR.2 - 1) as f64;
    let mut all_ok = true;
    for (j, &beta) in BETAS.iter().enumerate() {
        let column: Vec<bool> = (0..lrs.len()).map(|i| diverged[i * nb + j]).collect();
        let first_bad = column.iter().position(|&d| d);
        let theory = stability::edge(Method::HeavyBall, beta, CURV.0);
        let (ok_lr, bad_lr) = match first_bad {
            Some(k) if k > 0 => (lrs[k - 1], lrs[k]),
            _ => (f64::NAN, f64::NAN),
        };
        let monotone = first_bad.is_some_and(|k| column[k..].iter().all(|&d| d));
        let within = ok_lr < theory && theory < bad_lr && (bad_lr - ok_lr - cell).abs() < 1e-9;
        all_ok &= within && monotone;
        let key = format!("beta_{beta}");
        e.value(&format!("{key}_largest_stable_lr"), ok_lr);
        e.value(&format!("{key}_smallest_diverging_lr"), bad_lr);
        e.value(&format!("{key}_measured_edge"), 0.5 * (ok_lr + bad_lr));
        e.expect(&format!("{key}_measured_edge"), theory);
        e.checks(&[
            &format!("{key}_largest_stable_lr"),
            &format!("{key}_smallest_diverging_lr"),
            &format!("{key}_measured_edge"),
        ]);
    }
    e.value("grid_cell_lr", cell);
    e.value("points", points.len() as u64);
    e.expect(
        "gd_edge_2_over_L",
        stability::edge(Method::HeavyBall, 0.0, CURV.0),
    );
    e.require(
        all_ok,
        "for every β the theory edge 2(1+β)/L lies between the largest stable lr and the next \
         lr of the grid (one cell, 0.02), and every lr above it diverges",
    );
    // log₁₀ of the final f per cell, x = lr (row i), y = β (column j); diverged cells missing.
    let z: Vec<Vec<f64>> = (0..lrs.len())
        .map(|i| {
            (0..nb)
                .map(|j| {
                    let k = i * nb + j;
                    let f = outcomes(sweep.kind, &points[k].result)
                        .first()
                        .map_or(f64::NAN, |o| o.loss);
                    if diverged[k] || f <= 0.0 {
                        f64::NAN
                    } else {
                        f.log10()
                    }
                })
                .collect()
        })
        .collect();
    let theory: Vec<[f64; 2]> = (0..=40)
        .map(|k| {
            let beta = -0.125 + 1.15 * k as f64 / 40.0;
            [stability::edge(Method::HeavyBall, beta, CURV.0), beta]
        })
        .collect();
    e.figure(Figure::Heatmap(Heatmap {
        title: format!("Heavy-ball SGD on f = 2x² + y²/2 ({MAP_STEPS} steps)"),
        x_label: "learning rate lr".into(),
        y_label: "momentum β".into(),
        value_label: "log₁₀ final f".into(),
        missing_label: "diverged".into(),
        xs: lrs,
        ys: BETAS.to_vec(),
        z,
        lines: vec![Path2 {
            label: "theory: lr = 2(1 + β)/L".into(),
            points: theory,
        }],
    }));
    e
}
