//! The `downhill run` config: `[problem]`, `[optimizer]`, `[run]`, and optional `[wrappers]`
//! and `[schedule]`.

use serde::Deserialize;

use crate::expr::Expr;
use crate::optim::{OptimizerConfig, WrappersConfig};
use crate::problems::Bounds;
use crate::schedule::ScheduleConfig;

use super::least_squares::{LsqKeys, LsqProblem};
use super::optim::{Optimization, Spec};
use super::{ConfigDoc, Precision};
use crate::Error;

/// What `[problem]` minimises: a built-in function, a formula, or a least-squares problem
/// (residuals), exactly one.
#[derive(Debug, Clone)]
pub enum Problem {
    /// A built-in function, by name (`downhill::problems::by_name`).
    Builtin(String),
    /// A compiled expression (its variables, in the order of `x0`, are `Expr::vars`).
    Expression(Expr),
    /// Residuals `r(x)` (formulas, or a model against data), minimised as `½‖r(x)‖²`: `lm`
    /// works on `r` and its Jacobian, every other method on `½‖r‖²`.
    LeastSquares(Box<LsqProblem>),
}

impl Problem {
    /// The problem of `function`, or of `expression` with `vars` (one per coordinate of an
    /// `x0` of length `dim`); the message says which combination is wrong.
    pub fn new(
        function: Option<&str>,
        expression: Option<&str>,
        vars: Option<&[String]>,
        dim: usize,
    ) -> Result<Problem, String> {
        match (function, expression, vars) {
            (Some(_), Some(_), _) => {
                Err("`function` and `expression` exclude each other; give one".into())
            }
            (None, None, _) => Err(
                "one of `function` (a built-in name) or `expression` (with `vars`) is required"
                    .into(),
            ),
            (Some(_), None, Some(_)) => {
                Err("`vars` goes with `expression`, not with `function`".into())
            }
            (Some(f), None, None) => Ok(Problem::Builtin(f.to_string())),
            (None, Some(_), None) => Err(
                "`expression` needs `vars`, the variable names in the order of `x0` \
                 (e.g. vars = [\"x\", \"y\"])"
                    .into(),
            ),
            (None, Some(src), Some(vars)) => {
                let e = Expr::parse(src, vars).map_err(|e| format!("expression: {e}"))?;
                if dim != vars.len() {
                    return Err(format!(
                        "x0 has {dim} values but there are {} variables ({})",
                        vars.len(),
                        vars.join(", ")
                    ));
                }
                Ok(Problem::Expression(e))
            }
        }
    }
}

/// `[problem]` as written: `function`, or `expression` with `vars`, checked into a
/// [`Problem`] by [`ProblemSection::from_doc`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProblemTable {
    function: Option<String>,
    expression: Option<String>,
    vars: Option<Vec<String>>,
    x0: Vec<f64>,
    #[serde(default)]
    gradient: GradientKind,
    h: Option<f64>,
    #[serde(default)]
    forward_difference: bool,
    #[serde(default)]
    bounds: Option<Bounds>,
    residuals: Option<Vec<String>>,
    model: Option<String>,
    params: Option<Vec<String>>,
    data: Option<String>,
    x_columns: Option<Vec<String>>,
    y_column: Option<String>,
}

/// Takes `[problem]` if present, checking only its keys and their types: `downhill schedule`
/// reads a run config whose problem it does not use.
pub fn skip_problem(doc: &mut ConfigDoc<'_>) -> Result<(), Error> {
    let _: Option<ProblemTable> = doc.section("problem")?;
    Ok(())
}

/// The numerical-gradient step when `[problem]` gives no `h`.
pub const DEFAULT_H: f64 = 1e-4;

/// `[problem]`, checked: what to minimise, from where, and how its gradient is computed.
#[derive(Debug, Clone)]
pub struct ProblemSection {
    /// The function or formula.
    pub problem: Problem,
    /// Starting point.
    pub x0: Vec<f64>,
    /// `exact` (default) or `numeric`.
    pub gradient: GradientKind,
    /// Numerical-gradient step ([`DEFAULT_H`] unless given).
    pub h: f64,
    /// Forward instead of central differences.
    pub forward_difference: bool,
    /// Box constraints `[[lo, hi], …]`, one pair per variable (±inf allowed).
    pub bounds: Option<Bounds>,
}

impl ProblemSection {
    /// Checks `bounds` against `x0`: one pair per variable (errors name `bounds`) and `x0`
    /// inside the box (errors name `x0[i]` and `bounds[i]`).
    pub fn check_bounds(&self) -> crate::Result<()> {
        match &self.bounds {
            Some(b) => b.check_inside(&self.x0),
            None => Ok(()),
        }
    }

    /// Parses `[problem]` from `doc` and checks it (exactly one of `function` / `expression`
    /// / `residuals` / `model`, `vars` with an expression or residuals, the data of a model,
    /// the bounds).
    pub fn from_doc(doc: &mut ConfigDoc<'_>) -> Result<ProblemSection, Error> {
        let t: ProblemTable = doc.required("problem")?;
        let lsq = LsqKeys {
            residuals: t.residuals,
            model: t.model,
            params: t.params,
            data: t.data,
            x_columns: t.x_columns,
            y_column: t.y_column,
        };
        let problem = if lsq.any() {
            let other = [("function", &t.function), ("expression", &t.expression)]
                .into_iter()
                .find(|(_, v)| v.is_some());
            if let Some((key, _)) = other {
                let e = Error::param(
                    key,
                    "given",
                    "a least-squares problem (`residuals`, or `model` with `data`) replaces \
                     `function` and `expression`; give one",
                );
                return Err(doc.invalid_value("problem", &doc.keys("problem"), &e));
            }
            let p = super::least_squares::build(doc, &lsq, t.vars.as_deref(), t.x0.len())?;
            Problem::LeastSquares(Box::new(p))
        } else {
            if let (Some(_), Some(vars)) = (&t.expression, &t.vars) {
                let unit = if vars.len() == 1 {
                    "variable"
                } else {
                    "variables"
                };
                let what = format!("{} {unit} ({})", vars.len(), vars.join(", "));
                super::check::x0_len(doc, &t.x0, vars.len(), vars.len(), &what)?;
            }
            let p = Problem::new(
                t.function.as_deref(),
                t.expression.as_deref(),
                t.vars.as_deref(),
                t.x0.len(),
            )
            .map_err(|m| crate::spec::input(format!("{}: [problem]: {m}", doc.file)))?;
            if let Problem::Builtin(name) = &p {
                super::check::builtin(doc, name, &t.x0)?;
            }
            p
        };
        let problem = ProblemSection {
            problem,
            x0: t.x0,
            gradient: t.gradient,
            h: t.h.unwrap_or(DEFAULT_H),
            forward_difference: t.forward_difference,
            bounds: t.bounds,
        };
        problem
            .check_bounds()
            .map_err(|e| doc.invalid_value("problem", &doc.keys("problem"), &e))?;
        Ok(problem)
    }

    /// Adds `function`, or `expression` and `vars`, to a JSON result object.
    pub fn insert_json(&self, o: &mut serde_json::Map<String, serde_json::Value>) {
        match &self.problem {
            Problem::Builtin(f) => o.insert("function".into(), f.clone().into()),
            Problem::Expression(e) => {
                o.insert("vars".into(), serde_json::json!(e.vars()));
                o.insert("expression".into(), serde_json::json!(e.source()))
            }
            Problem::LeastSquares(p) => {
                p.insert_json(o);
                None
            }
        };
    }

    /// What to call the problem in messages: the function name or the expression.
    pub fn label(&self) -> &str {
        match &self.problem {
            Problem::Builtin(f) => f,
            Problem::Expression(e) => e.source(),
            Problem::LeastSquares(p) => p.label(),
        }
    }

    /// The least-squares problem, if `[problem]` gives residuals.
    pub fn least_squares(&self) -> Option<&LsqProblem> {
        match &self.problem {
            Problem::LeastSquares(p) => Some(p),
            _ => None,
        }
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
        deserialize_with = "crate::train::config::divergence_threshold"
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
pub fn parse(file: &str, raw: &str) -> Result<RunConfig, Error> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "optimizer", "run", "wrappers", "schedule"])?;
    let problem = ProblemSection::from_doc(&mut doc)?;
    let run: RunSection = doc.required("run")?;
    crate::train::config::check_divergence_threshold(
        "divergence_threshold",
        run.divergence_threshold,
    )
    .map_err(|e| doc.invalid_value("run", &doc.keys("run"), &e))?;
    let spec = Spec {
        batch_size: run.batch_size,
        ..Spec::default()
    };
    let (optimizer, wrappers, schedule) = Optimization::parse(&mut doc, spec)?.single(file)?;
    let cfg = RunConfig {
        problem,
        optimizer,
        run,
        schedule,
        wrappers,
    };
    cfg.check()
        .map_err(|(table, e)| doc.invalid_value(table, &doc.keys(table), &e))?;
    Ok(cfg)
}

/// Memory a run may spend on its trajectory (`x`, `f`, lr and momentum after every step,
/// kept for the JSON output and the plots).
const TRAJECTORY_BUDGET_BYTES: usize = 2 << 30;

impl RunConfig {
    /// What PyTorch would let through but is surely a mistake: more steps than the trajectory
    /// can hold in 2 GiB, a non-finite starting point (also one that overflows the run's
    /// precision), a negative or non-finite tolerance, a numerical-gradient step `h` that is
    /// not positive and finite. The error names its key and the table holding it.
    pub fn check(&self) -> Result<(), (&'static str, Error)> {
        let d = self.problem.x0.len();
        // x (d values + the Vec's 24-byte header), f, lr and momentum: 8 bytes each.
        let per_step = 8 * d + 24 + 3 * 8;
        let max_steps = TRAJECTORY_BUDGET_BYTES / per_step;
        if self.run.steps > max_steps {
            let allowed = format!(
                "at most {max_steps} for a {d}-dimensional problem (x, f and the lr are kept \
                 after every step, {per_step} bytes a step, 2 GiB in all)"
            );
            return Err(("run", Error::param("steps", self.run.steps, &allowed)));
        }
        let f32_run = self.run.precision == Precision::F32;
        for (i, &x) in self.problem.x0.iter().enumerate() {
            if !x.is_finite() || (f32_run && !(x as f32).is_finite()) {
                let allowed = if f32_run {
                    "must be a finite number (in f32)"
                } else {
                    "must be a finite number"
                };
                return Err(("problem", Error::param(&format!("x0[{i}]"), x, allowed)));
            }
        }
        if let Some(t) = self.run.tolerance {
            if !(t >= 0.0 && t.is_finite()) {
                let e = Error::param("tolerance", t, "must be a finite number >= 0");
                return Err(("run", e));
            }
        }
        let h = self.problem.h;
        if self.problem.gradient == GradientKind::Numeric && !(h > 0.0 && h.is_finite()) {
            let e = Error::param("h", h, "must be a positive finite number");
            return Err(("problem", e));
        }
        self.check_residuals()
    }

    /// A method that needs residuals (`lm`) runs only on a least-squares problem with at least
    /// as many residuals as variables; a least-squares problem takes its Jacobian from AD.
    fn check_residuals(&self) -> Result<(), (&'static str, Error)> {
        let lsq = self.problem.least_squares();
        let name = self.optimizer.name();
        if lsq.is_some() && self.problem.gradient == GradientKind::Numeric {
            let e = Error::param(
                "gradient",
                "numeric",
                "a least-squares problem takes its Jacobian from automatic differentiation; \
                 remove `gradient`",
            );
            return Err(("problem", e));
        }
        if !self.optimizer.needs_residuals() {
            return Ok(());
        }
        let Some(p) = lsq else {
            let e = Error::param(
                "name",
                name,
                "works on residuals: give [problem] `residuals = [...]` (with `vars`), or \
                 `model`, `params`, `data` and `y_column`; `function` and `expression` have \
                 no residuals",
            );
            return Err(("optimizer", e));
        };
        let (m, n) = (p.objective.len(), self.problem.x0.len());
        if m < n {
            let key = match p.source {
                super::least_squares::LsqSource::Formulas { .. } => "residuals",
                super::least_squares::LsqSource::Data { .. } => "data",
            };
            let e = Error::param(
                key,
                format!("{m} residuals"),
                &format!("`{name}` needs at least as many residuals as variables ({n})"),
            );
            return Err(("problem", e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n";

    #[test]
    fn bad_hyperparameter_is_reported_at_its_line() {
        let raw = format!("{BASE}[optimizer]\nname = \"adam\"\nbetas = [0.9, 1.5]\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert!(
            e.to_string()
                .starts_with("c.toml:8:1: [optimizer] key `betas`"),
            "{}",
            e
        );
        assert!(e.to_string().contains("betas[1]"), "{}", e);
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
            assert!(e.to_string().contains(want), "{b}: {}", e);
        }
        let e = with("[[0, 1], [0, 1]]", "[2.0, 0.5]").unwrap_err();
        assert!(e.to_string().contains("bounds[0]"), "{}", e);
    }

    #[test]
    fn run_inputs_are_checked_at_their_key() {
        let opt = "[optimizer]\nname = \"sgd\"\n";
        let cases = [
            (
                "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\ngradient = \"numeric\"\nh = 0\n\
                 [run]\nsteps = 3\n",
                "c.toml:5:1: [problem] key `h`",
            ),
            (
                "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 1e300]\n[run]\nsteps = 3\n\
                 precision = \"f32\"\n",
                "c.toml:3:1: [problem] key `x0`: invalid value for `x0[1]`",
            ),
            (
                "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n\
                 tolerance = -1\n",
                "c.toml:6:1: [run] key `tolerance`",
            ),
            (
                "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\n\
                 steps = 1000000000000\n",
                "c.toml:5:1: [run] key `steps`",
            ),
        ];
        for (raw, want) in cases {
            let e = parse("c.toml", &format!("{raw}{opt}")).unwrap_err();
            assert!(e.to_string().starts_with(want), "{e}");
        }
        // The same checks hold for a config built in code (no place to name then).
        let mut cfg = parse("c.toml", &format!("{BASE}{opt}")).unwrap();
        cfg.problem.x0[0] = f64::NAN;
        let (table, e) = cfg.check().unwrap_err();
        assert_eq!(table, "problem");
        assert!(e.to_string().contains("x0[0]"), "{e}");
    }

    #[test]
    fn a_problem_is_a_function_or_an_expression() {
        let with = |p: &str| {
            parse(
                "c.toml",
                &format!("[problem]\n{p}\n[run]\nsteps = 1\n[optimizer]\nname = \"sgd\"\n"),
            )
        };
        let cfg = with("expression = \"x^2 + y\"\nvars = [\"x\", \"y\"]\nx0 = [1.0, 2.0]").unwrap();
        assert!(matches!(&cfg.problem.problem, Problem::Expression(e) if e.vars() == ["x", "y"]));
        assert_eq!(cfg.problem.label(), "x^2 + y");
        for (p, want) in [
            (
                "function = \"sphere\"\nexpression = \"x\"\nx0 = [1.0]",
                "exclude each other",
            ),
            ("x0 = [1.0]", "one of `function`"),
            (
                "function = \"sphere\"\nvars = [\"x\"]\nx0 = [1.0]",
                "`vars` goes with",
            ),
            ("expression = \"x\"\nx0 = [1.0]", "needs `vars`"),
        ] {
            let e = with(p).unwrap_err().to_string();
            assert!(
                e.starts_with("c.toml: [problem]: ") && e.contains(want),
                "{e}"
            );
        }
        let e = with("expression = \"x\"\nvars = [\"x\"]\nx0 = [1.0, 2.0]").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("c.toml:4:1: [problem] key `x0`: x0 has 2 values, but 1 variable (x)"),
            "{e}"
        );
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
            e.to_string()
                .contains("c.toml:9:15: [wrappers] key `lookahead.k`"),
            "{}",
            e
        );
        let raw =
            format!("{BASE}[optimizer]\nname = \"lbfgs\"\n[wrappers]\nskip_non_finite = true\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert!(e.to_string().contains("lbfgs"), "{}", e);
        let raw = format!("{BASE}{opt}[wrappers]\nclip = 1.0\n");
        let e = parse("c.toml", &raw).err().unwrap();
        assert!(e.to_string().contains("clip"), "{}", e);
    }
}
