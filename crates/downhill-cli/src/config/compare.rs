//! The `downhill compare` config: `[problem]`, `[run]` and `[[optimizers]]` — each an optimizer
//! table (`name` + parameters) with an optional display `label` — and an optional `[schedule]`
//! applied to every contender.

use downhill::optim::OptimizerConfig;
use downhill::schedule::ScheduleConfig;

use downhill::model::ModelConfig;
use downhill::train::TrainConfig;

use super::run::{ProblemSection, RunSection};
use super::train::{DataSection, TrainFile};
use super::ConfigDoc;
use crate::exit::CliError;

/// One `[[optimizers]]` entry.
#[derive(Debug, Clone)]
pub struct Contender {
    /// Display label (default: the optimizer name and its lr).
    pub label: String,
    /// The optimizer.
    pub optimizer: OptimizerConfig,
}

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

/// The default label of an optimizer: its name, lr and every parameter set away from its
/// default, e.g. `sgd (lr = 0.001, momentum = 0.9, nesterov = true)`.
pub fn default_label(opt: &OptimizerConfig) -> String {
    let v = serde_json::to_value(opt).unwrap_or_default();
    let name = v
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("optimizer");
    let defaults = OptimizerConfig::from_named(name, serde_json::Value::Object(Default::default()))
        .ok()
        .and_then(|d| serde_json::to_value(d).ok())
        .unwrap_or_default();
    let mut parts = vec![format!("lr = {}", opt.lr())];
    if let Some(map) = v.as_object() {
        for (k, val) in map {
            if k != "name" && k != "lr" && defaults.get(k) != Some(val) {
                parts.push(format!("{k} = {val}"));
            }
        }
    }
    format!("{name} ({})", parts.join(", "))
}

/// Parses a `downhill compare` config.
pub fn parse(file: &str, raw: &str) -> Result<CompareConfig, CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["problem", "run", "optimizers", "schedule"])?;
    let missing = |t: &str| CliError::input(format!("{file}: missing table [{t}]"));
    let problem: ProblemSection = doc.section("problem")?.ok_or_else(|| missing("problem"))?;
    problem.kind(&format!("{file}: [problem]"))?;
    let run: RunSection = doc.section("run")?.ok_or_else(|| missing("run"))?;
    let optimizers = contenders(&mut doc, file)?;
    let schedule = super::schedule::section(&mut doc)?;
    if let Some(s) = &schedule {
        for c in &optimizers {
            super::schedule::validate(&doc, s, &c.optimizer, run.batch_size)?;
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
pub fn is_training(file: &str, raw: &str) -> Result<bool, CliError> {
    Ok(ConfigDoc::parse(file, raw)?.has("data"))
}

/// Parses a `downhill compare` config on a dataset.
pub fn parse_training(file: &str, raw: &str) -> Result<CompareTraining, CliError> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    doc.allow_tables(&["data", "model", "train", "optimizers", "schedule"])?;
    let missing = |t: &str| CliError::input(format!("{file}: missing table [{t}]"));
    let data: DataSection = doc.section("data")?.ok_or_else(|| missing("data"))?;
    let model: ModelConfig = doc.section("model")?.ok_or_else(|| missing("model"))?;
    let train: TrainConfig = doc.section("train")?.unwrap_or_default();
    train
        .validate()
        .map_err(|e| super::run::invalid_value(&doc, "train", e))?;
    let optimizers = contenders(&mut doc, file)?;
    let schedule = super::schedule::section(&mut doc)?;
    if let Some(s) = &schedule {
        for c in &optimizers {
            super::schedule::validate(&doc, s, &c.optimizer, Some(train.batch_size))?;
        }
    }
    let base = TrainFile {
        data,
        model,
        optimizer: optimizers[0].optimizer.clone(),
        wrappers: Default::default(),
        schedule,
        train,
        distributed: Default::default(),
    };
    Ok(CompareTraining { base, optimizers })
}

/// The `[[optimizers]]` entries (at least one), each validated at its line.
fn contenders(doc: &mut ConfigDoc<'_>, file: &str) -> Result<Vec<Contender>, CliError> {
    let entries = doc
        .array_of_tables("optimizers")?
        .ok_or_else(|| CliError::input(format!("{file}: missing table [[optimizers]]")))?;
    if entries.is_empty() {
        return Err(CliError::input(format!(
            "{file}: [[optimizers]] must have at least one entry"
        )));
    }
    let mut optimizers = Vec::with_capacity(entries.len());
    for mut entry in entries {
        let label = doc.take_string("optimizers", &mut entry, "label")?;
        let (name, body) = doc.split_name("optimizers", entry)?;
        let optimizer = doc.named_into("optimizers", &name, body, |n, d| {
            OptimizerConfig::from_named(n, d)
        })?;
        let label = label.unwrap_or_else(|| default_label(&optimizer));
        optimizers.push(Contender { label, optimizer });
    }
    Ok(optimizers)
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
        assert!(e.message.contains("step_sise"), "{}", e.message);
    }

    #[test]
    fn errors_carry_file_line_and_key() {
        let bad = GOOD.replace("momentum = 0.9", "momentun = 0.9");
        let e = parse("c.toml", &bad).unwrap_err();
        assert!(e.message.starts_with("c.toml:17:"), "{}", e.message);
        assert!(e.message.contains("momentun"), "{}", e.message);
        let bad = GOOD.replace("label = \"heavy ball\"", "label = 3");
        let e = parse("c.toml", &bad).unwrap_err();
        assert!(
            e.message.contains("c.toml:18:") && e.message.contains("label"),
            "{}",
            e.message
        );
        let none = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n";
        assert!(parse("c.toml", none)
            .unwrap_err()
            .message
            .contains("optimizers"));
    }
}
