//! `downhill tour`: every experiment of the five seed articles, run on embedded defaults and
//! written as `DIR/tour.json` (every number, with the seed's expected value and a verdict) and
//! `DIR/index.html` (one section per seed, each experiment's figure, numbers and a sentence).
//!
//! The code is organised by topic — [`descent`], [`step_size`], [`momentum`], [`noise`],
//! [`large_batch`], [`schedules`], [`landscapes`], [`search`] — each producing [`Experiment`]s; [`seeds`] puts
//! them in the seeds' order, in which the tour runs them and the page presents them. Figures are
//! described as [`figure::Figure`] values and rendered by [`figure::render`].

mod descent;
pub mod figure;
mod html;
pub mod i18n;
mod landscapes;
mod large_batch;
mod momentum;
mod noise;
pub mod presets;
mod schedules;
mod search;
mod step_size;
mod training;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::TourArgs;
use crate::exit::{CliError, CliResult};
use figure::Figure;

/// One experiment's record in `tour.json`.
#[derive(Debug, Serialize)]
pub struct Experiment {
    /// Stable identifier, e.g. `seed004-gd-lr-0.1`.
    pub id: String,
    /// Which seed article (`"004"`).
    pub seed: &'static str,
    /// Heading in the report.
    pub title: String,
    /// One or two sentences: what the experiment shows.
    pub text: String,
    /// What Downhill measured.
    pub values: Map<String, Value>,
    /// What the seed printed or what the theory predicts (same keys where comparable).
    pub expected: Map<String, Value>,
    /// Whether at least one check ran and every check passed (the checks are stated in
    /// `check`). An experiment that only reports numbers is never `ok`: see `checked`.
    pub ok: bool,
    /// How `ok` was decided.
    pub check: String,
    /// Whether any check ran; `false` means the numbers are reported, not checked.
    pub checked: bool,
    /// `"ok"`, `"failed"` or `"not checked"` (numbers reported only).
    pub verdict: &'static str,
    /// The keys of `values` that a check compares; every other value is reported only.
    pub checked_values: Vec<String>,
    /// Figure files, relative to the output directory.
    pub figures: Vec<String>,
    #[serde(skip)]
    specs: Vec<Figure>,
}

impl Experiment {
    /// A new experiment with no values yet.
    pub fn new(seed: &'static str, id: &str, title: &str, text: &str) -> Self {
        Experiment {
            id: format!("seed{seed}-{id}"),
            seed,
            title: title.to_string(),
            text: text.to_string(),
            values: Map::new(),
            expected: Map::new(),
            ok: false,
            check: String::new(),
            checked: false,
            verdict: Verdict::NotChecked.key(),
            checked_values: Vec::new(),
            figures: Vec::new(),
            specs: Vec::new(),
        }
    }
    /// Records a measured value.
    pub fn value(&mut self, key: &str, v: impl Into<Value>) -> &mut Self {
        self.values.insert(key.to_string(), v.into());
        self
    }
    /// Records an expected value.
    pub fn expect(&mut self, key: &str, v: impl Into<Value>) -> &mut Self {
        self.expected.insert(key.to_string(), v.into());
        self
    }
    /// ANDs a condition into `ok`, describing it in `check`. Say what the reference is: the
    /// seed's printed value, a closed form, a theory, or another program's result.
    pub fn require(&mut self, cond: bool, what: &str) -> &mut Self {
        self.ok = cond && (self.ok || !self.checked);
        self.checked = true;
        self.verdict = self.state().key();
        if !self.check.is_empty() {
            self.check.push_str("; ");
        }
        self.check.push_str(what);
        if !cond {
            self.check.push_str(" [FAILED]");
        }
        self
    }
    /// Marks the values under `keys` as the ones the checks compare (the page shows the others
    /// as reported only).
    pub fn checks(&mut self, keys: &[&str]) -> &mut Self {
        for k in keys {
            if !self.checked_values.iter().any(|c| c == k) {
                self.checked_values.push(k.to_string());
            }
        }
        self
    }
    /// Makes checked value `key` the experiment's key number (the first checked value, which
    /// the summary table shows), e.g. the method the experiment is about rather than its
    /// baseline, whose values come first.
    pub fn lead(&mut self, key: &str) -> &mut Self {
        if let Some(i) = self.checked_values.iter().position(|c| c == key) {
            let k = self.checked_values.remove(i);
            self.checked_values.insert(0, k);
        }
        self
    }
    /// What the checks decided.
    pub fn state(&self) -> Verdict {
        match (self.checked, self.ok) {
            (false, _) => Verdict::NotChecked,
            (true, true) => Verdict::Ok,
            (true, false) => Verdict::Failed,
        }
    }
    /// Attaches a figure.
    pub fn figure(&mut self, f: Figure) -> &mut Self {
        self.specs.push(f);
        self
    }
}

/// An experiment's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed.
    Ok,
    /// A check failed.
    Failed,
    /// No check ran: the numbers are reported only.
    NotChecked,
}

impl Verdict {
    /// The verdict as written in `tour.json` and as its i18n key.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Failed => "failed",
            Verdict::NotChecked => "not checked",
        }
    }
}

/// `|a − b| ≤ tol·|b|`.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(f64::MIN_POSITIVE)
}

/// A function producing some of the tour's experiments.
type Experiments = fn() -> Vec<Experiment>;

/// The experiments seed by seed, in the order the tour runs them and writes `tour.json`.
fn seeds() -> [(&'static str, Experiments); 5] {
    [
        ("001", || {
            let mut v = step_size::gd_1d();
            v.extend(noise::minibatch());
            v.push(step_size::lr_free::experiment());
            v
        }),
        ("004", || {
            let mut v = descent::gradients();
            v.extend(step_size::sphere_descents());
            v.push(descent::animation());
            v.extend(search::experiments());
            v
        }),
        ("002", || {
            vec![
                step_size::learning_rates(),
                landscapes::saddle(),
                landscapes::local_minima(),
                schedules::schedules_drawn(),
                landscapes::early_stopping(),
                landscapes::weight_averaging(),
                landscapes::flat_sharp::experiment(),
                landscapes::sam::experiment(),
                step_size::range_test::lr_range_test(),
            ]
        }),
        ("003", || {
            vec![
                momentum::momentum_vs_gd(),
                momentum::nesterov_stability(),
                momentum::beta_retuning(),
                noise::batch_growth(),
                noise::langevin(),
                noise::sgld::experiment(),
                momentum::stability_map::stability_map(),
            ]
        }),
        ("000", || vec![noise::large_batch(), large_batch::lars()]),
    ]
}

/// A whole tour.
#[derive(Debug, Serialize)]
struct Tour {
    experiments: Vec<Experiment>,
    seconds: f64,
    /// No check failed (experiments that only report numbers do not count against it).
    all_ok: bool,
    /// Experiments whose checks all passed.
    passed: usize,
    /// Experiments with a failed check.
    failed: usize,
    /// Experiments that report numbers without checking them.
    not_checked: usize,
}

/// Entry point of `downhill tour`.
pub fn cmd(args: &TourArgs) -> CliResult {
    let start = Instant::now();
    let out = &args.out;
    std::fs::create_dir_all(out.join("figures"))
        .map_err(|e| CliError::failure(format!("{}: cannot create: {e}", out.display())))?;
    let mut experiments = Vec::new();
    for (name, run) in seeds() {
        let t = Instant::now();
        let mut exps = run();
        for e in &mut exps {
            render_figures(out, e)?;
        }
        eprintln!(
            "seed {name}: {} experiments in {:.2} s",
            exps.len(),
            t.elapsed().as_secs_f64()
        );
        experiments.extend(exps);
    }
    let count = |v: Verdict| experiments.iter().filter(|e| e.state() == v).count();
    let (passed, failed, not_checked) = (
        count(Verdict::Ok),
        count(Verdict::Failed),
        count(Verdict::NotChecked),
    );
    let tour = Tour {
        seconds: start.elapsed().as_secs_f64(),
        all_ok: failed == 0,
        passed,
        failed,
        not_checked,
        experiments,
    };
    let json = serde_json::to_string_pretty(&tour).map_err(CliError::failure)?;
    write_atomic(&out.join("tour.json"), json.as_bytes())?;
    let page = html::page(&tour.experiments, &presets::all(), &i18n::table(args.lang));
    write_atomic(&out.join("index.html"), page.as_bytes())?;
    for e in &tour.experiments {
        let mark = match e.state() {
            Verdict::Ok => "ok",
            Verdict::Failed => "FAIL",
            Verdict::NotChecked => "--",
        };
        println!("{mark:<4} {:<42} {}", e.id, short_values(&e.values));
    }
    println!(
        "\n{} experiments: {passed} checked and ok, {failed} failed, {not_checked} reported only (not checked), in {:.1} s → {}",
        tour.experiments.len(),
        tour.seconds,
        out.join("index.html").display()
    );
    Ok(if tour.all_ok { 0 } else { 1 })
}

fn short_values(v: &Map<String, Value>) -> String {
    let s = v
        .iter()
        .take(3)
        .map(|(k, v)| format!("{k}={}", fmt_value(v)))
        .collect::<Vec<_>>()
        .join("  ");
    s.chars().take(90).collect()
}

/// `x` rounded to three significant digits (bar and legend labels).
pub(crate) fn three_digits(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * p).round() / p
}

/// A compact rendering of a JSON value for tables.
pub fn fmt_value(v: &Value) -> String {
    match v {
        Value::Number(n) => n.as_f64().map_or(n.to_string(), fmt_num),
        Value::Array(a) if a.len() <= 4 => format!(
            "[{}]",
            a.iter().map(fmt_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Array(a) => format!("[{} values]", a.len()),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number for people: plain decimals (six significant places, trailing zeros trimmed) from
/// 1e-3 to 1e5, otherwise scientific with four decimals.
pub(crate) fn fmt_num(x: f64) -> String {
    if x == 0.0 || (1e-3..1e5).contains(&x.abs()) {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.4e}")
    }
}

fn render_figures(out: &Path, e: &mut Experiment) -> Result<(), CliError> {
    for (i, spec) in e.specs.iter().enumerate() {
        let name = format!("figures/{}-{}.{}", e.id, i + 1, spec.extension());
        if figure::render(spec, &out.join(&name))? {
            e.figures.push(name);
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through the one atomic writer, `downhill::io` (exit 1 on failure).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    downhill::io::write_atomic(path, bytes).map_err(CliError::failure)
}
