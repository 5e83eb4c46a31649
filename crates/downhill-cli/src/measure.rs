//! Pieces the `bench` commands share: the thread pool a measurement runs on and the
//! optimiser named by `--optimizer`.

use downhill::optim::{Optimizer, OptimizerConfig};
use downhill::Float;
use serde_json::{json, Map, Value};

use crate::exit::{CliError, CliResult};

/// Runs `f` on a rayon pool of `threads` threads (default: all cores).
pub fn with_threads<R: Send>(threads: Option<usize>, f: impl FnOnce() -> R + Send) -> CliResult<R> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 {
            return Err(CliError::input("--threads must be at least 1"));
        }
        b = b.num_threads(t);
    }
    let pool = b
        .build()
        .map_err(|e| CliError::failure(format!("thread pool: {e}")))?;
    Ok(pool.install(f))
}

/// The optimiser for `--optimizer name` (`sgd_momentum` = sgd with momentum 0.9).
pub fn bench_optimizer<T: Float>(
    name: &str,
    lr: f64,
    state_precision: &str,
) -> CliResult<Box<dyn Optimizer<T>>> {
    let mut params = Map::new();
    params.insert("lr".into(), json!(lr));
    if state_precision != "full" {
        params.insert("state_precision".into(), json!(state_precision));
    }
    let base = if name == "sgd_momentum" {
        params.insert("momentum".into(), json!(0.9));
        "sgd"
    } else {
        name
    };
    let cfg = OptimizerConfig::from_named(base, Value::Object(params))
        .map_err(|e| CliError::input(format!("--optimizer {name}: {e}")))?;
    Ok(cfg.build::<T>()?)
}
