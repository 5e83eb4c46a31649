//! `downhill minimize (--function … | --expr … --vars …) --x0 … --optimizer … --lr …
//! --steps …`: `run` from flags.

use downhill::optim::OptimizerConfig;
use downhill::problems::Bounds;
use serde_json::{json, Map, Value};

use crate::cli::MinimizeArgs;
use crate::exit::{CliError, CliResult};
use downhill::spec::run::{
    GradientKind, Problem, ProblemSection, RunConfig, RunSection, DEFAULT_H,
};
use downhill::spec::Precision;

/// Entry point of `downhill minimize`.
pub fn cmd(a: &MinimizeArgs) -> CliResult {
    let cfg = config_from_flags(a)?;
    crate::present::run::report(&cfg, &a.output)
}

/// Builds the same config `downhill run` would read.
pub fn config_from_flags(a: &MinimizeArgs) -> Result<RunConfig, CliError> {
    let mut params = Map::new();
    if let Some(lr) = a.lr {
        params.insert("lr".into(), json!(lr));
    }
    if let Some(m) = a.momentum {
        let (key, value) = momentum_param(&a.optimizer, m);
        params.insert(key.into(), value);
    }
    if let Some(v) = &a.variant {
        params.insert("variant".into(), json!(v));
    }
    let optimizer = OptimizerConfig::from_named(&a.optimizer, Value::Object(params))
        .map_err(|e| CliError::input(format!("--optimizer {}: {e}", a.optimizer)))?;
    let gradient: GradientKind = choice("--gradient", &a.gradient, "`exact` or `numeric`")?;
    let precision: Precision = choice("--precision", &a.precision, "`f64` or `f32`")?;
    let flag = if a.expr.is_some() {
        "--expr"
    } else {
        "--function"
    };
    let problem = Problem::new(
        a.function.as_deref(),
        a.expr.as_deref(),
        a.vars.as_deref(),
        a.x0.len(),
    )
    .map_err(|m| CliError::input(format!("{flag}: {m}")))?;
    let problem = ProblemSection {
        problem,
        x0: a.x0.clone(),
        gradient,
        h: a.h.unwrap_or(DEFAULT_H),
        forward_difference: false,
        bounds: a.bounds.as_deref().map(parse_bounds).transpose()?,
    };
    problem
        .check_bounds()
        .map_err(|e| CliError::input(format!("--bounds / --x0: {e}")))?;
    downhill::spec::optim::check(&format!("--optimizer {}", a.optimizer), &optimizer)?;
    Ok(RunConfig {
        problem,
        optimizer,
        run: RunSection {
            steps: a.steps,
            precision,
            tolerance: a.tolerance,
            batch_size: None,
            divergence_threshold: None,
        },
        schedule: None,
        wrappers: Default::default(),
    })
}

/// Where `--momentum m` goes for optimiser `name`, read from its catalogue entry: its
/// `momentum` parameter if it has one (sgd, rmsprop, momentum, muon), else `betas[0]` (the
/// Adam family and Lion: what cyclic momentum schedules drive), `betas[1]` keeping its
/// default. Others get `momentum`, which their config refuses as an unknown key.
fn momentum_param(name: &str, m: f64) -> (&'static str, Value) {
    let catalog = downhill::optim::catalog();
    let Some(entry) = catalog.iter().find(|e| e.name == name) else {
        return ("momentum", json!(m));
    };
    let param = |key: &str| entry.params.iter().find(|p| p.name == key);
    if param("momentum").is_some() {
        return ("momentum", json!(m));
    }
    match param("betas").and_then(|p| p.default.get(1).cloned()) {
        Some(beta2) => ("betas", json!([m, beta2])),
        None => ("momentum", json!(m)),
    }
}

/// The value of a flag that names one of a few choices (the variants of `T`, snake_case).
fn choice<T: serde::de::DeserializeOwned>(
    flag: &str,
    value: &str,
    expected: &str,
) -> Result<T, CliError> {
    serde_json::from_value(Value::String(value.to_string()))
        .map_err(|_| CliError::input(format!("{flag} {value}: expected {expected}")))
}

/// `--bounds lo:hi,lo:hi,…` as a [`Bounds`]; errors name `--bounds` and the pair.
fn parse_bounds(pairs: &[String]) -> Result<Bounds, CliError> {
    let bad =
        |i: usize, p: &str, why: &str| CliError::input(format!("--bounds: pair {i} `{p}`: {why}"));
    let mut out = Vec::with_capacity(pairs.len());
    for (i, p) in pairs.iter().enumerate() {
        let Some((lo, hi)) = p.split_once(':') else {
            return Err(bad(i, p, "expected lo:hi (e.g. -1:2 or -inf:0.5)"));
        };
        let num = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| bad(i, p, &format!("`{s}` is not a number")))
        };
        out.push([num(lo)?, num(hi)?]);
    }
    Bounds::new(&out).map_err(|e| CliError::input(format!("--bounds: {e}")))
}
