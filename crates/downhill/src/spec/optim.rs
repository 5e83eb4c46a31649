//! The optimiser side of every config, read in one place: `[optimizer]` (or `compare`'s
//! `[[optimizers]]`), `[wrappers]` and `[schedule]` (with its nested
//! `[[schedule.schedulers]]`). `run`, `compare`, `train` and `schedule` read their files through
//! [`Optimization::parse`], and `minimize` checks its flags with [`check`]: one parse, one
//! validation (PyTorch's constructor checks, run once at parse time), one set of messages, each
//! located at the line of its key.

use crate::optim::{OptimizerConfig, ParamGroupConfig, WrappersConfig};
use crate::schedule::ScheduleConfig;
use toml::de::DeValue;
use toml::Spanned;

use super::{missing_table, ConfigDoc, Keys};
use crate::Error;

/// One optimiser of a config: `[optimizer]`, or one `[[optimizers]]` entry.
#[derive(Debug, Clone)]
pub struct Contender {
    /// Display label (default: the optimizer name and its lr, see [`default_label`]).
    pub label: String,
    /// The optimizer.
    pub optimizer: OptimizerConfig,
    /// Its `[[optimizer.param_groups]]`, each with its complete optimiser config.
    pub param_groups: Vec<ParamGroupConfig>,
}

/// What a command reads of the optimiser side.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spec {
    /// `[[optimizers]]` (`compare`) instead of one `[optimizer]`.
    pub list: bool,
    /// Only first-order optimisers (training): a solver is an error.
    pub first_order: bool,
    /// `[schedule]` must be present (`downhill schedule`).
    pub schedule_required: bool,
    /// The batch size a schedule's `scale_rule` and `batch_size_schedule` see.
    pub batch_size: Option<usize>,
    /// `[[optimizer.param_groups]]` may be given (training: the parameters have names).
    pub groups: bool,
}

/// The optimiser side of a config, parsed and validated.
#[derive(Debug, Clone)]
pub struct Optimization {
    /// The optimiser(s), in file order: exactly one unless [`Spec::list`].
    pub optimizers: Vec<Contender>,
    /// `[wrappers]` (none when absent).
    pub wrappers: WrappersConfig,
    /// `[schedule]`, if any, driving every optimiser.
    pub schedule: Option<ScheduleConfig>,
}

impl Optimization {
    /// Takes and checks `[optimizer]` (or `[[optimizers]]`), `[wrappers]` and `[schedule]`.
    pub fn parse(doc: &mut ConfigDoc<'_>, spec: Spec) -> Result<Self, Error> {
        let file = doc.file.clone();
        let missing = |t: &str| missing_table(&file, t);
        let entries = if spec.list {
            contenders(doc)?
        } else {
            let keys = doc.keys("optimizer");
            let (name, mut body) = doc
                .named_section("optimizer")?
                .ok_or_else(|| missing("optimizer"))?;
            let groups = doc.take_value("optimizer", &mut body, "param_groups")?;
            let param_groups = match groups {
                Some(g) if !spec.groups => {
                    return Err(doc.error_at(
                        "optimizer",
                        &keys,
                        Some(g.span()),
                        "`param_groups` apply to `downhill train`, whose parameters have names",
                    ))
                }
                Some(g) => param_groups(doc, &name, &body, g, spec.first_order)?,
                None => Vec::new(),
            };
            let optimizer = doc.named_into("optimizer", &name, body, |n, d| {
                OptimizerConfig::from_named(n, d)
            })?;
            check_shared_lrs(doc, &keys, &optimizer, &param_groups)?;
            let param_groups = param_groups.into_iter().map(|(g, _)| g).collect();
            let label = default_label(&optimizer);
            let c = Contender {
                label,
                optimizer,
                param_groups,
            };
            vec![("optimizer", keys, c)]
        };
        for (table, keys, c) in &entries {
            validate(&c.optimizer, spec.first_order)
                .map_err(|e| doc.invalid_value(table, keys, &e))?;
        }
        let wrappers: WrappersConfig = doc.section("wrappers")?.unwrap_or_default();
        let keys = doc.keys("wrappers");
        for (_, _, c) in &entries {
            apply_wrappers(&c.optimizer, &wrappers).map_err(|e| match e {
                Misuse::Solver => wrappers_on_solver(&file, &c.optimizer),
                Misuse::Invalid(e) => doc.invalid_value("wrappers", &keys, &e),
            })?;
        }
        let optimizers: Vec<Contender> = entries.into_iter().map(|(_, _, c)| c).collect();
        let schedule = match super::schedule::section(doc)? {
            Some((s, keys)) => {
                for c in &optimizers {
                    super::schedule::validate(
                        doc,
                        &keys,
                        &s,
                        &c.optimizer,
                        &c.param_groups,
                        spec.batch_size,
                    )?;
                }
                Some(s)
            }
            None if spec.schedule_required => return Err(missing("schedule")),
            None => None,
        };
        Ok(Optimization {
            optimizers,
            wrappers,
            schedule,
        })
    }

    /// The one optimiser of a config read without [`Spec::list`], with its wrappers and
    /// schedule.
    pub fn single(
        self,
        file: &str,
    ) -> Result<(OptimizerConfig, WrappersConfig, Option<ScheduleConfig>), Error> {
        let (c, wrappers, schedule) = self.single_contender(file)?;
        Ok((c.optimizer, wrappers, schedule))
    }

    /// [`Optimization::single`] with the optimiser's parameter groups.
    pub fn single_contender(
        self,
        file: &str,
    ) -> Result<(Contender, WrappersConfig, Option<ScheduleConfig>), Error> {
        let optimizer = self
            .optimizers
            .into_iter()
            .next()
            .ok_or_else(|| missing_table(file, "optimizer"))?;
        Ok((optimizer, self.wrappers, self.schedule))
    }
}

/// The hyperparameters' check: a solver's (unless `first_order`), else the first-order
/// optimiser's as its constructor makes it.
pub fn validate(optimizer: &OptimizerConfig, first_order: bool) -> Result<(), crate::Error> {
    if !first_order && optimizer.solver::<f64>()?.is_some() {
        return Ok(());
    }
    optimizer.build::<f64>().map(|_| ())
}

/// Why a `[wrappers]` table does not fit an optimiser.
enum Misuse {
    /// Wrappers around a solver.
    Solver,
    /// A bad wrapper parameter.
    Invalid(crate::Error),
}

/// Applies `wrappers` to a (validated) optimiser once, to check them.
fn apply_wrappers(optimizer: &OptimizerConfig, wrappers: &WrappersConfig) -> Result<(), Misuse> {
    if wrappers.is_empty() {
        return Ok(());
    }
    if matches!(optimizer.solver::<f64>(), Ok(Some(_))) {
        return Err(Misuse::Solver);
    }
    let built = optimizer.build::<f64>().map_err(Misuse::Invalid)?;
    wrappers.apply(built).map(|_| ()).map_err(Misuse::Invalid)
}

fn wrappers_on_solver(origin: &str, optimizer: &OptimizerConfig) -> Error {
    crate::spec::input(format!(
        "{origin}: [wrappers] apply to first-order optimizers, not to the solver `{}`",
        optimizer.name()
    ))
}

/// Checks an optimiser given by flags (`downhill minimize`), naming the flag of `origin`.
pub fn check(origin: &str, optimizer: &OptimizerConfig) -> Result<(), Error> {
    validate(optimizer, false).map_err(|e| crate::spec::input(format!("{origin}: {e}")))?;
    apply_wrappers(optimizer, &WrappersConfig::default()).map_err(|e| match e {
        Misuse::Solver => wrappers_on_solver(origin, optimizer),
        Misuse::Invalid(e) => crate::spec::input(format!("{origin}: {e}")),
    })
}

/// The `[[optimizer.param_groups]]` of an `[optimizer]` named `name` whose other keys are
/// `base`: each entry's `params` globs, and its optimiser: the one it names with `name`, or
/// `[optimizer]` with the entry's keys overriding its own. Each is validated as its
/// constructor does, the error located at the entry's key.
fn param_groups<'a>(
    doc: &ConfigDoc<'a>,
    name: &str,
    base: &Spanned<DeValue<'a>>,
    groups: Spanned<DeValue<'a>>,
    first_order: bool,
) -> Result<Vec<(ParamGroupConfig, Keys)>, Error> {
    const TABLE: &str = "optimizer.param_groups";
    let span = groups.span();
    let DeValue::Array(entries) = groups.into_inner() else {
        return Err(doc.error_at(
            "optimizer",
            &doc.keys("optimizer"),
            Some(span),
            "`param_groups` must be an array of tables `[[optimizer.param_groups]]`",
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    for mut entry in entries {
        let keys = Keys::of(&entry);
        let at = entry.span();
        let params: Vec<String> = match doc.take_value(TABLE, &mut entry, "params")? {
            Some(v) => doc.value_into(TABLE, v)?,
            None => return Err(doc.error_at(TABLE, &keys, Some(at), "missing key `params`")),
        };
        let own = doc.take_string(TABLE, &mut entry, "name")?;
        let (name, body) = match own {
            Some(n) if n != name => (n, entry),
            _ => {
                let mut merged = base.clone();
                if let DeValue::Table(t) = entry.into_inner() {
                    for (k, v) in t {
                        doc.put_value(TABLE, &mut merged, k, v)?;
                    }
                }
                (name.to_string(), merged)
            }
        };
        let optimizer = doc.named_into(TABLE, &name, body, OptimizerConfig::from_named)?;
        validate(&optimizer, first_order).map_err(|e| doc.invalid_value(TABLE, &keys, &e))?;
        out.push((ParamGroupConfig { params, optimizer }, keys));
    }
    Ok(out)
}

/// The packages' rule for the groups of an optimiser that share one d (prodigy,
/// D-Adaptation): the lrs of the groups stepped with `[optimizer]`'s rule are equal or 0
/// ([`crate::optim::check_shared_lrs`]), checked here so the error is located at the
/// offending `lr` (that of `[optimizer]`, whose `keys` are given, or of a group's entry).
fn check_shared_lrs(
    doc: &ConfigDoc<'_>,
    keys: &Keys,
    optimizer: &OptimizerConfig,
    groups: &[(ParamGroupConfig, Keys)],
) -> Result<(), Error> {
    let name = optimizer.name();
    let sharing: Vec<usize> = (0..groups.len())
        .filter(|&k| groups[k].0.optimizer.name() == name)
        .collect();
    if sharing.is_empty() || !crate::optim::shares_groups(optimizer) {
        return Ok(());
    }
    let lrs: Vec<(String, f64)> = std::iter::once(("optimizer.lr".to_string(), optimizer.lr()))
        .chain(
            sharing
                .iter()
                .map(|&k| (format!("param_groups[{k}].lr"), groups[k].0.optimizer.lr())),
        )
        .collect();
    let Err(e) = crate::optim::check_shared_lrs(name, &lrs) else {
        return Ok(());
    };
    let at = |keys: &Keys| keys.find("lr").map(|s| s..s + 2);
    let msg = e.to_string();
    let key = match &e {
        crate::Error::InvalidParameter { key, .. } => key.as_str(),
        _ => "",
    };
    let k = sharing
        .iter()
        .find(|&&k| key == format!("param_groups[{k}].lr"));
    Err(match k {
        Some(&k) => doc.error_at(
            "optimizer.param_groups",
            &groups[k].1,
            at(&groups[k].1),
            &msg,
        ),
        None => doc.error_at("optimizer", keys, at(keys), &msg),
    })
}

/// The `[[optimizers]]` entries (at least one), with the keys of each.
fn contenders(doc: &mut ConfigDoc<'_>) -> Result<Vec<(&'static str, Keys, Contender)>, Error> {
    let file = doc.file.clone();
    let entries = doc
        .array_of_tables("optimizers")?
        .ok_or_else(|| missing_table(&file, "[optimizers]"))?;
    if entries.is_empty() {
        return Err(crate::spec::input(format!(
            "{file}: [[optimizers]] must have at least one entry"
        )));
    }
    let mut optimizers = Vec::with_capacity(entries.len());
    for mut entry in entries {
        let keys = Keys::of(&entry);
        let label = doc.take_string("optimizers", &mut entry, "label")?;
        let (name, body) = doc.split_name("optimizers", entry)?;
        let optimizer = doc.named_into("optimizers", &name, body, |n, d| {
            OptimizerConfig::from_named(n, d)
        })?;
        let label = label.unwrap_or_else(|| default_label(&optimizer));
        let c = Contender {
            label,
            optimizer,
            param_groups: Vec::new(),
        };
        optimizers.push(("optimizers", keys, c));
    }
    Ok(optimizers)
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

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n";

    fn err(raw: &str, spec: Spec) -> String {
        let mut doc = ConfigDoc::parse("c.toml", raw).unwrap();
        Optimization::parse(&mut doc, spec).unwrap_err().to_string()
    }

    #[test]
    fn every_contender_is_validated_at_its_own_line() {
        let raw = "[[optimizers]]\nname = \"sgd\"\nlr = 0.1\n\n[[optimizers]]\nname = \"adam\"\nlr = -1.0\n";
        let list = Spec {
            list: true,
            ..Spec::default()
        };
        let e = err(raw, list);
        assert!(e.starts_with("c.toml:7:1: [optimizers] key `lr`:"), "{e}");
        let ok = raw.replace("-1.0", "0.1");
        let mut doc = ConfigDoc::parse("c.toml", &ok).unwrap();
        let o = Optimization::parse(&mut doc, list).unwrap();
        assert_eq!(o.optimizers.len(), 2);
        assert_eq!(o.optimizers[1].label, "adam (lr = 0.1)");
    }

    #[test]
    fn keys_are_found_through_the_tree_not_the_text() {
        // A dotted key, an inline table and a value over several lines: each error names its key
        // (a key inside an inline table by its dotted path, at its own column).
        let raw = format!("{RUN}[optimizer]\nname = \"sgd\"\n[wrappers]\nlookahead.k = 0\n");
        let e = err(&raw, Spec::default());
        assert!(
            e.starts_with("c.toml:9:11: [wrappers] key `lookahead.k`:"),
            "{e}"
        );
        let raw = format!("optimizer = {{ name = \"adam\", betas = [0.9, 1.5] }}\n{RUN}");
        let e = err(&raw, Spec::default());
        assert!(
            e.starts_with("c.toml:1:30: [optimizer] key `betas`:"),
            "{e}"
        );
        let raw = format!("{RUN}[optimizer]\nname = \"adam\"\nbetas = [\n  0.9,\n  \"x\",\n]\n");
        let e = err(&raw, Spec::default());
        assert!(
            e.starts_with("c.toml:10:3: [optimizer] key `betas`:"),
            "{e}"
        );
        // A key that only looks like one in the text (inside a string) is not taken for one.
        let raw = format!("{RUN}[optimizer]\nname = \"sgd\"\nlr = 0.1\n[wrappers]\nlookahead = {{ k = 0 }}\n# lr = 3\n");
        let e = err(&raw, Spec::default());
        assert!(
            e.starts_with("c.toml:10:15: [wrappers] key `lookahead.k`:"),
            "{e}"
        );
    }

    #[test]
    fn solvers_and_schedules() {
        let raw = format!("{RUN}[optimizer]\nname = \"lbfgs\"\n");
        let first_order = Spec {
            first_order: true,
            ..Spec::default()
        };
        assert!(err(&raw, first_order).contains("[optimizer]"));
        let with = format!("{raw}[schedule]\nname = \"step_lr\"\nstep_size = 2\n");
        assert!(err(&with, Spec::default()).contains("runs its own iterations"));
        let required = Spec {
            schedule_required: true,
            ..Spec::default()
        };
        let sgd = format!("{RUN}[optimizer]\nname = \"sgd\"\n");
        assert_eq!(err(&sgd, required), "c.toml: missing table [schedule]");
        let sgd = OptimizerConfig::from_named("sgd", serde_json::json!({})).unwrap();
        assert!(check("--optimizer sgd", &sgd).is_ok());
    }
}
