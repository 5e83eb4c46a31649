//! Command-line syntax (clap).

pub mod bench;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Downhill: gradient descent, done right and visibly.
#[derive(Debug, Parser)]
#[command(
    name = "downhill",
    version,
    about,
    after_help = "New here? Start with `downhill tour`: it runs the seed articles' experiments \
                  (no input files) and writes downhill-tour/index.html. Then `downhill lab` \
                  for the live web page, and the configs in examples/ (each shows the command \
                  that runs it). `downhill COMMAND --help` shows an example of each command."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Minimise a built-in function or a formula as described by a TOML config.
    #[command(after_help = "Example:\n  downhill run examples/run.toml --plot run.svg")]
    Run(RunArgs),
    /// Minimise a built-in function or a formula described by flags.
    #[command(
        after_help = "Example:\n  downhill minimize --function sphere --x0 -3,4 --optimizer sgd --lr 0.1 --steps 100"
    )]
    Minimize(Box<MinimizeArgs>),
    /// Run every experiment of the seed articles and report the numbers.
    #[command(
        after_help = "Example:\n  downhill tour --out downhill-tour    # then open downhill-tour/index.html"
    )]
    Tour(TourArgs),
    /// Measure speed: optimiser steps vs memory bandwidth, gradients, training.
    #[command(after_help = "Example:\n  downhill bench gradient --function rosenbrock --dim 1000")]
    Bench(bench::BenchArgs),
    /// Re-draw the figure of a saved `--json` output of run, minimize or compare.
    #[command(
        after_help = "Example:\n  downhill run examples/run.toml --json > run.json\n  downhill plot run.json --out run.png"
    )]
    Plot(PlotArgs),
    /// Run several optimisers on one problem; table of results, optional figure.
    #[command(
        after_help = "Example:\n  downhill compare examples/compare.toml --plot compare.svg"
    )]
    Compare(CompareArgs),
    /// Print the lr (and momentum) a `[schedule]` gives at steps 0..N−1.
    #[command(after_help = "Example:\n  downhill schedule examples/schedule.toml --steps 25")]
    Schedule(ScheduleArgs),
    /// Train a model on data as described by a TOML config.
    #[command(after_help = "Example:\n  downhill train examples/train.toml --save model.json")]
    Train(TrainArgs),
    /// Predict with a model saved by `downhill train --save`.
    #[command(
        after_help = "Example:\n  downhill train examples/digits_mlp.toml --save model.json\n  downhill predict --model model.json --data examples/data/digits_new.csv"
    )]
    Predict(PredictArgs),
    /// The loss landscape of a `downhill train` config: 1-D interpolation, 2-D surface,
    /// sharpness.
    #[command(
        after_help = "Example:\n  downhill landscape examples/landscape.toml --plot landscape.svg"
    )]
    Landscape(LandscapeArgs),
    /// Serve the lab: a local web page to play with optimisers, computed live.
    #[command(after_help = "Example:\n  downhill lab --open    # http://127.0.0.1:8731")]
    Lab(LabArgs),
    /// Run a `run`, `compare` or `train` config over a grid of values (its `[sweep]` table).
    #[command(after_help = "Example:\n  downhill sweep examples/sweep.toml --plot stability.svg")]
    Sweep(SweepArgs),
    /// The lr range test (Smith 2017, fastai's `lr_find`) on a `train` config.
    #[command(
        after_help = "Example:\n  downhill lr-find examples/lr_find.toml --plot lr_find.svg"
    )]
    LrFind(LrFindArgs),
}

/// `downhill sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A `run`, `compare` or `train` config with a `[sweep]` table of dotted keys.
    pub file: PathBuf,
    /// Print `{"points": [{"values": …, "result": …}, …]}` on stdout.
    #[arg(long)]
    pub json: bool,
    /// Draw the sweep (`.svg` or `.png`): the metric against one key, or a heat map over two.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
    /// What the figure shows.
    #[arg(long, value_enum, default_value_t)]
    pub metric: crate::present::sweep::Metric,
}

/// `downhill lr-find`.
#[derive(Debug, Args)]
pub struct LrFindArgs {
    /// A `train` config; an optional `[lr_find]` table sets `start_lr`, `end_lr`, `num_it`,
    /// `stop_div`.
    pub file: PathBuf,
    /// Print `{"lr": […], "loss": […], "suggested_lr": …, "cyclic": {…}}` on stdout.
    #[arg(long)]
    pub json: bool,
    /// Draw the smoothed loss against lr (log x) to an SVG or PNG file.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
}

/// `downhill lab`.
#[derive(Debug, Args)]
pub struct LabArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8731)]
    pub port: u16,
    /// Address to bind; anything but 127.0.0.1 / localhost makes the lab reachable from
    /// other machines (a warning is printed).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Open the page in the desktop's browser.
    #[arg(long)]
    pub open: bool,
}

/// `downhill train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The config file (`[data]`, `[model]`, `[optimizer]`, `[train]`).
    pub file: PathBuf,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Continue from this checkpoint (written by the same config).
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Write the trained model (with its feature scaling) to this JSON file.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Draw the natural picture of this command to an SVG or PNG file.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
}

/// `downhill landscape`.
#[derive(Debug, Args)]
pub struct LandscapeArgs {
    /// A `downhill train` config, optionally with a `[landscape]` table.
    pub file: PathBuf,
    /// Print one JSON object on stdout (`interpolation`, `surface`, `sharpness`, `train`).
    #[arg(long)]
    pub json: bool,
    /// Draw the interpolation, the contour and the 3-D surface to an SVG or PNG file.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
    /// Take θ₁ from a model saved by `downhill train --save` instead of training.
    #[arg(long, conflicts_with = "between")]
    pub model: Option<PathBuf>,
    /// Interpolate from saved model A (α = 0) to saved model B (α = 1); the surface and the
    /// sharpness are taken at B. Nothing is trained.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub between: Option<Vec<PathBuf>>,
}

/// `downhill predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A model written by `downhill train --save`.
    #[arg(long)]
    pub model: PathBuf,
    /// A CSV file with a header holding the model's feature columns.
    #[arg(long)]
    pub data: PathBuf,
    /// Write the predictions here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `downhill run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The config file (`[problem]`, `[optimizer]`, `[run]`).
    pub file: PathBuf,
    /// `--json` and `--plot`.
    #[command(flatten)]
    pub output: RunOutput,
}

/// The output flags of `downhill run` and `downhill minimize`.
#[derive(Debug, Args)]
pub struct RunOutput {
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Draw the run (`.svg` or `.png`): contour + trajectory in 2-D, else f against step.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
}

/// `downhill minimize`.
#[derive(Debug, Args)]
pub struct MinimizeArgs {
    /// A built-in function name (e.g. `sphere`, `rosenbrock`); or give `--expr`.
    #[arg(long, required_unless_present = "expr", conflicts_with = "expr")]
    pub function: Option<String>,
    /// A formula instead of a built-in, e.g. `(1 - x)^2 + 100*(y - x^2)^2` (needs `--vars`).
    #[arg(long, allow_hyphen_values = true, requires = "vars")]
    pub expr: Option<String>,
    /// The formula's variables in the order of `--x0`, comma separated (e.g. `x,y`).
    #[arg(long, value_delimiter = ',', requires = "expr")]
    pub vars: Option<Vec<String>>,
    /// Starting point, comma separated (e.g. `-3,4`).
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        required = true,
        value_parser = finite
    )]
    pub x0: Vec<f64>,
    /// Optimiser name (e.g. `sgd`, `adam`, `momentum`).
    #[arg(long, default_value = "sgd")]
    pub optimizer: String,
    /// Learning rate.
    #[arg(long, allow_hyphen_values = true, value_parser = finite)]
    pub lr: Option<f64>,
    /// Momentum: the `momentum` parameter of `sgd`, `rmsprop`, `muon` and the `momentum`
    /// optimiser; `betas[0]` of the Adam family (`adam`, `adamw`, `nadam`, `radam`, `adamax`)
    /// and `lion`, as cyclic momentum schedules drive it (`betas[1]` keeps its default).
    #[arg(long, allow_hyphen_values = true, value_parser = finite)]
    pub momentum: Option<f64>,
    /// Variant of the `momentum` optimiser: `heavy_ball`, `nesterov` or `nesterov_midpoint`.
    #[arg(long)]
    pub variant: Option<String>,
    /// Number of steps.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// `exact` (default) or `numeric` (central differences).
    #[arg(long, default_value = "exact")]
    pub gradient: String,
    /// Step of the numerical gradient.
    #[arg(long, allow_hyphen_values = true, value_parser = finite)]
    pub h: Option<f64>,
    /// Stop when the gradient norm falls to this value.
    #[arg(long, allow_hyphen_values = true, value_parser = finite)]
    pub tolerance: Option<f64>,
    /// `f64` (default) or `f32`.
    #[arg(long, default_value = "f64")]
    pub precision: String,
    /// Box constraints, one `lo:hi` pair per variable, comma separated (`inf` allowed), e.g.
    /// `--bounds=-inf:0.5,-1:inf`.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub bounds: Option<Vec<String>>,
    /// `--json` and `--plot`.
    #[command(flatten)]
    pub output: RunOutput,
}

/// `downhill plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A JSON file written by `run --json`, `minimize --json` or `compare --json`.
    pub result: PathBuf,
    /// The figure to write (`.svg` or `.png`).
    #[arg(long, value_parser = figure_path)]
    pub out: PathBuf,
}

/// `downhill compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The config file (`[problem]`, `[run]`, `[[optimizers]]`).
    pub file: PathBuf,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Draw all runs (`.svg` or `.png`): trajectories on one contour (2-D) and the loss curves.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
}

/// `downhill tour`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// Output directory.
    #[arg(long, default_value = "downhill-tour")]
    pub out: PathBuf,
    /// Language of `index.html` (`tour.json` is the same in every language).
    #[arg(long, value_enum, default_value_t = crate::tour::i18n::Lang::En)]
    pub lang: crate::tour::i18n::Lang,
}

/// `downhill schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The config file (`[optimizer]` and `[schedule]`; `[run]`, `[problem]`, `[wrappers]` may
    /// be present).
    pub file: PathBuf,
    /// Number of steps (default: `[run] steps`).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Print `{"lr": [...], "momentum": [...]}` on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print CSV (`step,lr,momentum`) on stdout.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Metrics for `reduce_lr_on_plateau`, one per line: the k-th is reported after step k.
    #[arg(long)]
    pub metrics: Option<PathBuf>,
    /// Draw the natural picture of this command to an SVG or PNG file.
    #[arg(long, value_name = "OUT", value_parser = figure_path)]
    pub plot: Option<PathBuf>,
}

/// A number given on the command line: any `f64` syntax (`-0.1`, `3e-4`), but finite, so that
/// `--lr nan` is refused as such rather than reported as out of range.
pub fn finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(format!("`{s}` is not a finite number")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

/// A figure file named on the command line: it must end in `.svg` or `.png`, checked before
/// the command runs (not after a long run).
pub fn figure_path(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    downhill_plot::Format::from_path(&p)
        .map(|_| p)
        .map_err(|_| format!("`{s}`: a figure is written as .svg or .png; give a file name ending in one of them"))
}
