//! `downhill landscape FILE.toml [--json] [--plot F] [--model M.json | --between A.json B.json]`:
//! the loss landscape of a `downhill train` config (`downhill::landscape`).
//!
//! The run is set up by `train.rs`'s [`Setup`] (the one setup of `train`, `compare` and the
//! lab), trained with a [`Snapshots`] callback added (it only reads the parameters, so the run
//! is the one `downhill train` makes), and its `downhill train --json` object is the output's
//! `train` key. With `--model` or `--between` nothing is trained and `train` is null.

use std::path::Path;

use downhill::landscape::{self, DirectionKind, Landscape, Snapshots};
use downhill::model::{ModelSpec, SavedModel, Scalar};
use downhill::train::TrainStatus;
use serde_json::{json, Value};

use super::train::{optimizer, result_json, Setup};
use crate::cli::LandscapeArgs;
use crate::config::landscape::{parse, LandscapeFile};
use crate::config::read_file;
use crate::config::run::Precision;
use crate::exit::{CliError, CliResult, DIVERGED};

/// What the command computed.
pub struct Computed {
    /// The landscape.
    pub landscape: Landscape,
    /// `downhill train --json`'s object of the run (`Value::Null` when nothing was trained).
    pub train: Value,
    /// Whether the run diverged (exit 3).
    pub diverged: bool,
}

impl Computed {
    /// The `--json` object: `interpolation`, `surface`, `sharpness`, `train`.
    pub fn json(&self) -> Value {
        json!({
            "interpolation": self.landscape.interpolation,
            "surface": self.landscape.surface,
            "sharpness": self.landscape.sharpness,
            "train": self.train,
        })
    }
}

/// Entry point of `downhill landscape`.
pub fn cmd(args: &LandscapeArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let cfg = parse(&file, &raw)?;
    let c = compute(&file, &cfg, args.model.as_deref(), args.between.as_deref())?;
    if let Some(out) = &args.plot {
        super::plotting::write(&figure(&c.landscape)?, out)?;
    }
    if args.json {
        println!("{}", c.json());
    } else {
        print_human(&cfg, &c);
    }
    Ok(if c.diverged { DIVERGED } else { 0 })
}

/// Trains (or loads) and computes the landscape of config `cfg` (named `file` in messages).
pub fn compute(
    file: &str,
    cfg: &LandscapeFile,
    model: Option<&Path>,
    between: Option<&[std::path::PathBuf]>,
) -> Result<Computed, CliError> {
    if cfg.landscape.directions == DirectionKind::Pca && (model.is_some() || between.is_some()) {
        return Err(CliError::input(format!(
            "{file}: [landscape] key `directions`: \"pca\" needs the trajectory of a training \
             run; it cannot be used with --model or --between"
        )));
    }
    match cfg.run.data.precision {
        Precision::F64 => compute_in::<f64>(cfg, model, between),
        Precision::F32 => compute_in::<f32>(cfg, model, between),
    }
}

fn compute_in<T: Scalar>(
    cfg: &LandscapeFile,
    model: Option<&Path>,
    between: Option<&[std::path::PathBuf]>,
) -> Result<Computed, CliError> {
    let run = &cfg.run;
    let setup = Setup::<T>::load(run)?;
    let init = || setup.net.init(run.train.seed);
    let (theta0, theta1, snaps, train, diverged) = match (model, between) {
        (_, Some([a, b])) => (
            load_params(a, &setup.spec)?,
            load_params(b, &setup.spec)?,
            None,
            Value::Null,
            false,
        ),
        (Some(m), _) => (
            init(),
            load_params(m, &setup.spec)?,
            None,
            Value::Null,
            false,
        ),
        _ => {
            let snaps = Snapshots::<T>::new();
            let mut opt = optimizer::<T>(run, &setup.net)?;
            let mut trainer = setup.trainer(run, run.train.clone(), opt.as_ref())?;
            trainer.callbacks.push(Box::new(snaps.clone()));
            let res = trainer.run(opt.as_mut(), &init(), None)?;
            drop(trainer);
            let theta1 = res.params.iter().map(|&v| T::of(v)).collect();
            let diverged = res.status == TrainStatus::Diverged;
            (
                init(),
                theta1,
                Some(snaps.taken()),
                result_json(&setup.net, &res),
                diverged,
            )
        }
    };
    let landscape = landscape::compute(
        &setup.net,
        &setup.train,
        Some(&setup.val),
        &theta0,
        &theta1,
        snaps.as_deref(),
        &cfg.landscape,
    )?;
    Ok(Computed {
        landscape,
        train,
        diverged,
    })
}

/// The parameters of a model saved by `downhill train --save`, checked against the config's
/// model.
fn load_params<T: Scalar>(path: &Path, spec: &ModelSpec) -> Result<Vec<T>, CliError> {
    let text = read_file(path)?;
    let saved: SavedModel = serde_json::from_str(&text)
        .map_err(|e| CliError::input(format!("{}: not a downhill model: {e}", path.display())))?;
    saved
        .network::<T>()
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    if &saved.spec != spec {
        return Err(CliError::input(format!(
            "{}: the saved model ({} → {:?} → {}, {:?}) is not the config's [model] ({} → {:?} → {}, {:?})",
            path.display(),
            saved.spec.inputs,
            saved.spec.hidden,
            saved.spec.outputs,
            saved.spec.kind,
            spec.inputs,
            spec.hidden,
            spec.outputs,
            spec.kind
        )));
    }
    Ok(saved.params.iter().map(|&v| T::of(v)).collect())
}

fn print_human(cfg: &LandscapeFile, c: &Computed) {
    let l = &c.landscape;
    let i = &l.interpolation;
    let at = |a: f64| {
        i.alpha
            .iter()
            .position(|&x| x == a)
            .map_or(f64::NAN, |k| i.train_loss[k])
    };
    println!(
        "{:?} model on `{}`: loss landscape",
        cfg.run.model.kind, cfg.run.data.source
    );
    println!(
        "  1-D interpolation over α ∈ [{}, {}] ({} points): training loss {:.6e} at α = 0, {:.6e} at α = 1",
        i.alpha.first().copied().unwrap_or(0.0),
        i.alpha.last().copied().unwrap_or(1.0),
        i.alpha.len(),
        at(0.0),
        at(1.0)
    );
    let s = &l.surface;
    let (lo, hi) = s
        .train_loss
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    println!(
        "  2-D surface {}×{} ({:?} directions, a, b ∈ [{:.4}, {:.4}]): training loss {lo:.6e} … {hi:.6e}",
        s.a.len(),
        s.b.len(),
        s.directions,
        s.a.first().copied().unwrap_or(0.0),
        s.a.last().copied().unwrap_or(0.0),
    );
    println!(
        "  sharpness: largest Hessian eigenvalue {:.6e}, ε-sharpness (ε = {}) {:.6e} %",
        l.sharpness.hessian_max_eigenvalue, cfg.landscape.epsilon, l.sharpness.epsilon_sharpness
    );
    if c.diverged {
        println!("  the training run DIVERGED; θ₁ is its last finite parameters");
    }
}

/// The surface as a field: bilinear interpolation between the grid's values.
pub fn field(a: &[f64], b: &[f64], z: &[Vec<f64>]) -> impl Fn(f64, f64) -> f64 + Send + Sync {
    let (a, b, z) = (a.to_vec(), b.to_vec(), z.to_vec());
    move |x, y| {
        let cell = |v: &[f64], t: f64| {
            let n = v.len();
            if n < 2 {
                return (0, 0.0);
            }
            let k = v.partition_point(|&p| p <= t).clamp(1, n - 1) - 1;
            let w = ((t - v[k]) / (v[k + 1] - v[k])).clamp(0.0, 1.0);
            (k, w)
        };
        let ((i, u), (j, w)) = (cell(&a, x), cell(&b, y));
        let at = |jj: usize, ii: usize| {
            z.get(jj.min(z.len().saturating_sub(1)))
                .and_then(|r| r.get(ii.min(r.len().saturating_sub(1))))
                .copied()
                .unwrap_or(f64::NAN)
        };
        let (z00, z10, z01, z11) = (at(j, i), at(j, i + 1), at(j + 1, i), at(j + 1, i + 1));
        (1.0 - w) * ((1.0 - u) * z00 + u * z10) + w * ((1.0 - u) * z01 + u * z11)
    }
}

/// The interpolation, the contour (with the trajectory under PCA directions) and the 3-D
/// surface, side by side.
fn figure(l: &Landscape) -> Result<downhill_plot::Figure, CliError> {
    use downhill_plot as dp;
    let i = &l.interpolation;
    let mut series = vec![dp::Series::new(
        "training loss",
        i.alpha.clone(),
        i.train_loss.clone(),
    )];
    if !i.val_loss.is_empty() {
        series.push(dp::Series::new(
            "validation loss",
            i.alpha.clone(),
            i.val_loss.clone(),
        ));
    }
    let line = dp::line_chart(
        &series,
        &dp::LineOptions {
            labels: dp::Labels::new("loss along (1 − α)·θ₀ + α·θ₁", "α", "loss"),
            log_y: true,
            ..dp::LineOptions::default()
        },
    );
    let s = &l.surface;
    let f = field(&s.a, &s.b, &s.train_loss);
    let range = |v: &[f64]| {
        (
            v.first().copied().unwrap_or(-1.0),
            v.last().copied().unwrap_or(1.0),
        )
    };
    let (xr, yr) = (range(&s.a), range(&s.b));
    let paths: Vec<dp::Series2d> = s
        .trajectory
        .iter()
        .map(|t| {
            dp::Series2d::new(
                "training trajectory",
                t.iter().map(|p| (p[0], p[1])).collect(),
            )
        })
        .collect();
    let (dx, dy) = match s.directions {
        DirectionKind::Random => ("a (direction δ)", "b (direction η)"),
        DirectionKind::Pca => ("a (1st PCA direction)", "b (2nd PCA direction)"),
    };
    let map = dp::contour(
        &f,
        xr,
        yr,
        &paths,
        &dp::ContourOptions {
            labels: dp::Labels::new("training loss around θ₁", dx, dy),
            log_levels: dp::suggest_log_levels(&f, xr, yr),
            grid: s.a.len().max(8) * 2,
            ..dp::ContourOptions::default()
        },
    );
    let surf = dp::surface3d(
        &f,
        xr,
        yr,
        paths.first(),
        &dp::SurfaceOptions {
            labels: dp::Labels::new("training loss around θ₁ (3-D)", dx, dy),
            ..dp::SurfaceOptions::default()
        },
    );
    let figs = [line, map, surf]
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::failure)?;
    dp::Figure::panels(figs, 3).map_err(CliError::failure)
}
