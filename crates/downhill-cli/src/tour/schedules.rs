//! Building schedules for the tour from their config names and parameters.

use downhill::schedule::config::ScheduleConfig;
use downhill::schedule::Schedule;
use serde_json::Value;

/// The schedule `name` with parameters `params` (a JSON object), for an optimiser with
/// `base_lr` and `base_momentum`. The tour's own configs are fixed, so failure is a bug.
pub fn build(
    name: &str,
    params: Value,
    base_lr: f64,
    base_momentum: Option<f64>,
) -> Box<dyn Schedule> {
    build_with_batch_size(name, params, base_lr, base_momentum, None)
}

/// [`build`] for a run with batch size `batch_size` (needed by `scale_rule`).
pub fn build_with_batch_size(
    name: &str,
    params: Value,
    base_lr: f64,
    base_momentum: Option<f64>,
    batch_size: Option<usize>,
) -> Box<dyn Schedule> {
    ScheduleConfig::from_named(name, params)
        .map_err(|e| e.to_string())
        .and_then(|c| {
            c.build_with_batch_size(base_lr, base_momentum, batch_size)
                .map_err(|e| e.to_string())
        })
        .unwrap_or_else(|e| unreachable!("tour schedule `{name}`: {e}"))
}

/// The lr at steps `0..n`.
pub fn lrs(s: &mut dyn Schedule, n: usize) -> Vec<f64> {
    (0..n).map(|k| s.lr(k)).collect()
}
