//! The `downhill run` config: `[problem]`, `[optimizer]`, `[run]`, and optional `[wrappers]`
//! and `[schedule]`.

use serde::Deserialize;

use downhill::expr::Expr;
use downhill::optim::{OptimizerConfig, WrappersConfig};
use downhill::problems::Bounds;
use downhill::schedule::ScheduleConfig;

use super::optim::{Optimization, Spec};
use super::ConfigDoc;
use crate::exit::CliError;

/// `[problem]`: exactly one of `function` (a built-in) or `expression` (with `vars`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemSection {
    /// A built-in function name.
    pub function: Option<String>,
    /// A formula such as `(1 - x)^2 + 100*(y - x^2)^2` (see `downhill::expr`).
    pub expression: Option<String>,
    /// The expression's variables, in the order of `x0`.
    pub vars: Option<Vec<String>>,
    /// Starting point.
    pub x0: Vec<f64>,
    /// `exact` (default) or `numeric`.
    #[serde(default)]
    pub gradient: GradientKind,
    /// Numerical-gradient step (default 1e-4).
    pub h: Option<f64>,
    /// Forward instead of central differences.
    #[serde(default)]
    pub forward_difference: bool,
    /// Box constraints `[[lo, hi], …]`, one pair per variable (±inf allowed).
    #[serde(default)]
    pub bounds: Option<Bounds>,
}

/// What `[problem]` describes, once checked.
#[derive(Debug, Clone)]
pub enum ProblemKind<'a> {
    /// A built-in function, by name.
    Builtin(&'a str),
    /// A compiled expression.
    Expression(Expr),
}

impl ProblemSection {
    /// Checks that exactly one of `function` / `expression` is given (with `vars` exactly for
    /// an expression, one per coordinate of `x0`) and compiles the expression. Errors are
    /// prefixed with `origin` (e.g. `run.toml: [problem]`).
    pub fn kind(&self, origin: &str) -> Result<ProblemKind<'_>, CliError> {
        let bad = |m: String| CliError::input(format!("{origin}: {m}"));
        match (&self.function, &self.expression, &self.vars) {
            (Some(_), Some(_), _) => Err(bad(
                "`function` and `expression` exclude each other; give one".into(),
            )),
            (None, None, _) => Err(bad(
                "one of `function` (a built-in name) or `expression` (with `vars`) is required"
                    .into(),
            )),
            (Some(_), None, Some(_)) => Err(bad(
                "`vars` goes with `expression`, not with `function`".into(),
            )),
            (Some(f), None, None) => Ok(ProblemKind::Builtin(f)),
            (None, Some(_), None) => Err(bad(
                "`expression` needs `vars`, the variable names in the order of `x0` \
                 (e.g. vars = [\"x\", \"y\"])"
                    .into(),
            )),
            (None, Some(src), Some(vars)) => {
                let e = Expr::parse(src, vars).map_err(|e| bad(format!("expression: {e}")))?;
                if self.x0.len() != vars.len() {
                    return Err(bad(format!(
                        "x0 has {} values but there are {} variables ({})",
                        self.x0.len(),
                        vars.len(),
                        vars.join(", ")
                    )));
                }
                Ok(ProblemKind::Expression(e))
            }
        }
    }

    /// Checks `bounds` against `x0`: one pair per variable (errors name `bounds`) and `x0`
    /// inside the box (errors name `x0[i]` and `bounds[i]`).
    pub fn check_bounds(&self) -> downhill::Result<()> {
        match &self.bounds {
            Some(b) => b.check_inside(&self.x0),
            None => Ok(()),
        }
    }

    /// Parses `[problem]` from `doc` and checks it ([`ProblemSection::kind`], the bounds).
    pub fn from_doc(doc: &mut ConfigDoc<'_>) -> Result<ProblemSection, CliError> {
        let problem: ProblemSection = doc.required("problem")?;
        problem.kind(&format!("{}: [problem]", doc.file))?;
        problem
            .check_bounds()
            .map_err(|e| doc.invalid_value("problem", &doc.keys("problem"), &e))?;
        Ok(problem)
    }

    /// Adds `function`, or `expression` and `vars`, to a JSON result object.
    pub fn insert_json(&self, o: &mut serde_json::Map<String, serde_json::Value>) {
        match (&self.function, &self.expression) {
            (Some(f), _) => o.insert("function".into(), f.clone().into()),
            (None, e) => {
                o.insert("vars".into(), serde_json::json!(self.vars));
                o.insert("expression".into(), serde_json::json!(e))
            }
        };
    }

    /// What to call the problem in messages: the function name or the expression.
    pub fn label(&self) -> &str {
        self.function
            .as_deref()
            .or(self.expression.as_deref())
            .unwrap_or("?")
    }
}

/// How gradients are computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradientKind {
    /// Analytic gradient (built-ins) or reverse-mode AD (expressions).
    #[default]
    Exact,
    /// Central differences.
    Numeric,
}

/// Floating-point precision of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// 64-bit.
    #[default]
    F64,
    /// 32-bit.
    F32,
}

/// `[run]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Number of steps.
    pub steps: usize,
    /// `f64` or `f32`.
    #[serde(default)]
    pub precision: Precision,
    /// Stop when the gradient norm is at most this.
    pub tolerance: Option<f64>,
    /// The run's batch size (used by a schedule's `scale_rule` and `batch_size_schedule`).
    pub batch_size: Option<usize>,
    /// Stop as diverged when `f` exceeds this factor times `max(|f(x₀)|, 1)`, as
    /// `[train] divergence_threshold` does for a loss. Off by default (`false`): a test
    /// function's value may grow by many orders on the way to a far minimum.
    #[serde(
        default,
        deserialize_with = "downhill::train::config::divergence_threshold"
    )]
    pub divergence_threshold: Option<f64>,
}

/// A whole `downhill run` config.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// `[problem]`.
    pub problem: ProblemSection,
    /// `[optimizer]`.
    pub optimizer: OptimizerConfig,
    /// `[run]`.
    pub run: RunSection,
    /// `[schedule]`, if any.
    pub schedule: Option<ScheduleConfig>,
    /// `[wrappers]` (optional): clipping, accumulation, skip-non-finite, Lookahead.
    pub wrappers: WrappersConfig,
}

/// Parses a `downhill run` config.
pub fn parse(file: &str, raw: &str) -> Result<RunConfig, CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "optimizer", "run", "wrappers", "schedule"])?;
    let problem = ProblemSection::from_doc(&mut doc)?;
    let run: RunSection = doc.required("run")?;
    downhill::train::config::check_divergence_threshold(
        "divergence_threshold",
        run.divergence_threshold,
    )
    .map_err(|e| doc.invalid_value("run", &doc.keys("run"), &e))?;
    let spec = Spec {
        batch_size: run.batch_size,
        ..Spec::default()
    };
    let (optimizer, wrappers, schedule) = Optimization::parse(&mut doc, spec)?.single(file)?;
    Ok(RunConfig {
        problem,
        optimizer,
        run,
        schedule,
        wrappers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n";

    #[test]
    fn bad_hyperparameter_is_reported_at_its_line() {
        let raw = format!("{BASE}[optimizer]\nname = \"adam\"\nbetas = [0.9, 1.5]\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert_eq!(e.code, 2);
        assert!(
            e.message.starts_with("c.toml:8:1: [optimizer] key `betas`"),
            "{}",
            e.message
        );
        assert!(e.message.contains("betas[1]"), "{}", e.message);
    }

    #[test]
    fn bounds_are_checked_at_their_line() {
        let with = |b: &str, x0: &str| {
            let raw = format!(
                "[problem]\nfunction = \"sphere\"\nx0 = {x0}\nbounds = {b}\n[run]\nsteps = 3\n\
                 [optimizer]\nname = \"sgd\"\n"
            );
            parse("c.toml", &raw).map(|c| c.problem.bounds)
        };
        let ok = with("[[-inf, 0.5], [0, inf]]", "[0.0, 1.0]")
            .unwrap()
            .unwrap();
        assert_eq!(ok.hi()[0], 0.5);
        for (b, x0, want) in [
            (
                "[[1, 0], [0, 1]]",
                "[0.5, 0.5]",
                "c.toml:4:10: [problem] key `bounds`",
            ),
            ("[[nan, 0], [0, 1]]", "[0.5, 0.5]", "NaN"),
            (
                "[[0, 1]]",
                "[0.5, 0.5]",
                "c.toml:4:1: [problem] key `bounds`",
            ),
            ("[[0, 1], [0, 1, 2]]", "[0.5, 0.5]", "key `bounds`"),
            (
                "[[0, 1], [0, 1]]",
                "[2.0, 0.5]",
                "c.toml:3:1: [problem] key `x0`",
            ),
        ] {
            let e = with(b, x0).unwrap_err();
            assert_eq!(e.code, 2);
            assert!(e.message.contains(want), "{b}: {}", e.message);
        }
        let e = with("[[0, 1], [0, 1]]", "[2.0, 0.5]").unwrap_err();
        assert!(e.message.contains("bounds[0]"), "{}", e.message);
    }

    #[test]
    fn wrappers_table_is_parsed_and_validated() {
        let opt = "[optimizer]\nname = \"sgd\"\n";
        let raw = format!("{BASE}{opt}[wrappers]\naccumulate_steps = 2\nlookahead = {{ k = 3 }}\n");
        let cfg = parse("c.toml", &raw).unwrap();
        assert_eq!(cfg.wrappers.accumulate_steps, Some(2));
        assert_eq!(
            cfg.wrappers.lookahead.as_ref().map(|l| (l.k, l.alpha)),
            Some((3, 0.5))
        );
        let raw = format!("{BASE}{opt}[wrappers]\nlookahead = {{ k = 0 }}\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert!(
            e.message.contains("c.toml:9:1: [wrappers] key `lookahead`"),
            "{}",
            e.message
        );
        let raw =
            format!("{BASE}[optimizer]\nname = \"lbfgs\"\n[wrappers]\nskip_non_finite = true\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert!(e.message.contains("lbfgs"), "{}", e.message);
        let raw = format!("{BASE}{opt}[wrappers]\nclip = 1.0\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert!(e.message.contains("clip"), "{}", e.message);
    }
}
