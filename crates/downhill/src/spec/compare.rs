//! The `downhill compare` config: `[problem]`, `[run]` and `[[optimizers]]` — each an optimizer
//! table (`name` + parameters) with an optional display `label` — and an optional `[schedule]`
//! applied to every contender.

use crate::schedule::ScheduleConfig;

use crate::model::ModelConfig;
use crate::train::TrainConfig;

pub use super::optim::{default_label, Contender};
use super::optim::{Optimization, Spec};
use super::run::{ProblemSection, RunSection};
use super::train::{DataSection, TrainFile};
use super::ConfigDoc;
use crate::Error;

/// A whole `downhill compare` config.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// `[problem]`.
    pub problem: ProblemSection,
    /// `[run]`.
    pub run: RunSection,
    /// `[[optimizers]]`, in file order.
    pub optimizers: Vec<Contender>,
    /// `[schedule]`, if any, driving every contender.
    pub schedule: Option<ScheduleConfig>,
}

/// Parses a `downhill compare` config.
pub fn parse(file: &str, raw: &str) -> Result<CompareConfig, Error> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "run", "optimizers", "schedule"])?;
    let problem = ProblemSection::from_doc(&mut doc)?;
    let run: RunSection = doc.required("run")?;
    let spec = Spec {
        list: true,
        batch_size: run.batch_size,
        ..Spec::default()
    };
    let Optimization {
        optimizers,
        schedule,
        ..
    } = Optimization::parse(&mut doc, spec)?;
    if problem.least_squares().is_none() {
        if let Some((i, c)) = optimizers
            .iter()
            .enumerate()
            .find(|(_, c)| c.optimizer.needs_residuals())
        {
            return Err(crate::spec::input(format!(
                "{file}: [[optimizers]] entry {} (`{}`): works on residuals; give [problem] \
                 `residuals = [...]` (with `vars`), or `model`, `params`, `data` and `y_column`",
                i + 1,
                c.optimizer.name()
            )));
        }
    }
    Ok(CompareConfig {
        problem,
        run,
        optimizers,
        schedule,
    })
}

/// A `downhill compare` config on a dataset: `[data]`, `[model]`, `[train]`, `[[optimizers]]`
/// and an optional `[schedule]`, as `downhill train` reads them.
#[derive(Debug, Clone)]
pub struct CompareTraining {
    /// The training config shared by every contender (its `optimizer` is the first entry's).
    pub base: TrainFile,
    /// `[[optimizers]]`, in file order.
    pub optimizers: Vec<Contender>,
}

/// Whether the config compares optimisers on a dataset (it has a `[data]` table).
pub fn is_training(file: &str, raw: &str) -> Result<bool, Error> {
    Ok(ConfigDoc::parse(file, raw)?.has("data"))
}

/// Parses a `downhill compare` config on a dataset.
pub fn parse_training(file: &str, raw: &str) -> Result<CompareTraining, Error> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["data", "model", "train", "optimizers", "schedule"])?;
    let data: DataSection = doc.required("data")?;
    let model: ModelConfig = doc.required("model")?;
    let train: TrainConfig = doc.section("train")?.unwrap_or_default();
    train
        .validate()
        .map_err(|e| doc.invalid_value("train", &doc.keys("train"), &e))?;
    let spec = Spec {
        list: true,
        first_order: true,
        batch_size: Some(train.batch_size),
        ..Spec::default()
    };
    let Optimization {
        optimizers,
        schedule,
        ..
    } = Optimization::parse(&mut doc, spec)?;
    let first = optimizers.first().map(|c| c.optimizer.clone());
    let base = TrainFile {
        data,
        model,
        optimizer: first.ok_or_else(|| doc.missing("[optimizers]"))?,
        param_groups: Vec::new(),
        wrappers: Default::default(),
        schedule,
        train,
        distributed: Default::default(),
    };
    Ok(CompareTraining { base, optimizers })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[problem]
function = "rosenbrock"
x0 = [-1.5, 2.0]

[run]
steps = 50
tolerance = 1e-3

[[optimizers]]
name = "sgd"
lr = 0.001

[[optimizers]]
name = "sgd"
lr = 0.001
momentum = 0.9
label = "heavy ball"
"#;

    #[test]
    fn parses_entries_with_labels() {
        let c = parse("c.toml", GOOD).unwrap();
        assert_eq!(c.optimizers.len(), 2);
        assert_eq!(c.optimizers[0].label, "sgd (lr = 0.001)");
        assert_eq!(c.optimizers[1].label, "heavy ball");
        let nesterov = GOOD.replace("label = \"heavy ball\"", "nesterov = true");
        let c = parse("c.toml", &nesterov).unwrap();
        assert_eq!(
            c.optimizers[1].label,
            "sgd (lr = 0.001, momentum = 0.9, nesterov = true)"
        );
        assert_eq!(c.run.tolerance, Some(1e-3));
    }

    #[test]
    fn a_schedule_drives_every_contender() {
        let with = format!("{GOOD}\n[schedule]\nname = \"step_lr\"\nstep_size = 10\n");
        assert!(parse("c.toml", &with).unwrap().schedule.is_some());
        assert!(parse("c.toml", GOOD).unwrap().schedule.is_none());
        let bad = format!("{GOOD}\n[schedule]\nname = \"step_lr\"\nstep_sise = 10\n");
        let e = parse("c.toml", &bad).unwrap_err();
        assert!(e.to_string().contains("step_sise"), "{}", e);
    }

    #[test]
    fn errors_carry_file_line_and_key() {
        let bad = GOOD.replace("momentum = 0.9", "momentun = 0.9");
        let e = parse("c.toml", &bad).unwrap_err();
        assert!(e.to_string().starts_with("c.toml:17:"), "{}", e);
        assert!(e.to_string().contains("momentun"), "{}", e);
        let bad = GOOD.replace("label = \"heavy ball\"", "label = 3");
        let e = parse("c.toml", &bad).unwrap_err();
        assert!(
            e.to_string().contains("c.toml:18:") && e.to_string().contains("label"),
            "{}",
            e
        );
        let none = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n";
        assert!(parse("c.toml", none)
            .unwrap_err()
            .to_string()
            .contains("optimizers"));
    }
}
