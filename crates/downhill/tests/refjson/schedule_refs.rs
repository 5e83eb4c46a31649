//! The committed PyTorch schedule sequences of `reference/schedule_refs.json` (written by
//! `reference/make_schedule_refs.py`), read by the library's `tests/schedules.rs` and the
//! CLI's `tests/schedule.rs` (included by path).

#![allow(dead_code)] // each includer uses a part

use serde::Deserialize;
use std::sync::OnceLock;

/// One PyTorch reference sequence.
#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    pub config: serde_json::Value,
    pub lr: f64,
    pub momentum: Option<f64>,
    pub want_lr: Vec<f64>,
    pub want_momentum: Vec<f64>,
}

/// Reduce-on-plateau: the lr after each `step(metric)`.
#[derive(Deserialize)]
pub struct PlateauCase {
    pub name: String,
    pub config: serde_json::Value,
    pub lr: f64,
    pub metrics: Vec<f64>,
    pub want: Vec<f64>,
}

/// One parameter group of a [`GroupCase`]: its lr and momentum.
#[derive(Deserialize)]
pub struct GroupLr {
    pub lr: f64,
    pub momentum: f64,
}

/// The same schedule over two param groups (per-group lists): each group's lr (and momentum)
/// after `k` steps, or, for reduce-on-plateau, after each of `metrics`.
#[derive(Deserialize)]
pub struct GroupCase {
    pub name: String,
    pub config: serde_json::Value,
    pub groups: Vec<GroupLr>,
    #[serde(default)]
    pub metrics: Vec<f64>,
    pub want_lr: Vec<Vec<f64>>,
    pub want_momentum: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Doc {
    cases: Vec<Case>,
    plateau: Vec<PlateauCase>,
    groups: Vec<GroupCase>,
}

fn doc() -> &'static Doc {
    static DOC: OnceLock<Doc> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::from_str(include_str!("../reference/schedule_refs.json"))
            .expect("schedule_refs.json")
    })
}

/// The sequences.
pub fn cases() -> &'static [Case] {
    &doc().cases
}

/// The plateau cases.
pub fn plateau() -> &'static [PlateauCase] {
    &doc().plateau
}

/// The cases over two param groups.
pub fn groups() -> &'static [GroupCase] {
    &doc().groups
}
