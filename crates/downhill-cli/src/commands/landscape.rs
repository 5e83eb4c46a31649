//! `downhill landscape FILE.toml [--json] [--plot F] [--model M.json | --between A.json B.json]`:
//! the loss landscape of a `downhill train` config (`downhill::landscape`).
//!
//! The landscape is `downhill::spec::exec::landscape`'s; this module reads the saved models of
//! `--model` / `--between`, prints the result or draws it. With `--model` or `--between`
//! nothing is trained and `train` is null.

use std::path::Path;

use downhill::landscape::{DirectionKind, Landscape};
use downhill::model::SavedModel;
use downhill::spec::exec::landscape::{compute, Computed, Endpoints};
use downhill::spec::landscape::{parse, LandscapeFile};

use crate::cli::LandscapeArgs;
use crate::exit::{CliError, CliResult, DIVERGED};
use crate::input::read_file;

/// Entry point of `downhill landscape`.
pub fn cmd(args: &LandscapeArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let cfg = parse(&file, &raw)?;
    let saved = |p: &Path| -> Result<(String, SavedModel), CliError> {
        let text = read_file(p)?;
        let m = serde_json::from_str(&text)
            .map_err(|e| CliError::input(format!("{}: not a downhill model: {e}", p.display())))?;
        Ok((p.display().to_string(), m))
    };
    let c = match (args.model.as_deref(), args.between.as_deref()) {
        (_, Some([a, b])) => {
            let (a, b) = (saved(a)?, saved(b)?);
            compute(
                &file,
                &cfg,
                Endpoints::Between([(&a.0, &a.1), (&b.0, &b.1)]),
            )?
        }
        (Some(m), _) => {
            let m = saved(m)?;
            compute(&file, &cfg, Endpoints::Model(&m.0, &m.1))?
        }
        _ => compute(&file, &cfg, Endpoints::Train)?,
    };
    if let Some(out) = &args.plot {
        crate::present::plotting::write(&figure(&c.landscape)?, out)?;
    }
    if args.json {
        println!("{}", c.json());
    } else {
        print_human(&cfg, &c);
    }
    Ok(if c.diverged { DIVERGED } else { 0 })
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
    let f = crate::present::plotting::field(&s.a, &s.b, &s.train_loss);
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
