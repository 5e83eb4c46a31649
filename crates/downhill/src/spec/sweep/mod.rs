//! The `[sweep]` table of `downhill sweep`: a grid over dotted config paths of any `run`,
//! `compare` or `train` config.
//!
//! ```toml
//! [sweep]
//! "optimizer.lr" = { log_range = [1e-4, 10.0], num = 25 }
//! "optimizer.momentum" = [0.0, 0.5, 0.9, 0.99]
//! ```
//!
//! A key is a dotted path into the rest of the config (`optimizer.lr`, `train.batch_size`,
//! `optimizers.1.lr` for the second `[[optimizers]]` entry); its value is a list of TOML values
//! (copied verbatim), `{ range = [lo, hi], num = n }` (`lo + (hi − lo)·i/(n − 1)`, the last one
//! `hi` exactly) or `{ log_range = [lo, hi], num = n }` (`exp(ln lo + (ln hi − ln lo)·i/(n − 1))`,
//! both ends exact; `0 < lo`). Integer endpoints give integers (rounded). The grid is the
//! product of the keys in the order written, the last key varying fastest.
//!
//! A point is made by editing the config *text*: the `[sweep]` table is blanked (its bytes
//! become spaces, so every other line keeps its number), an existing value is replaced where it
//! stands, and a missing key is added to its table (after a `[header]`, or at the start of an
//! inline table). The point then goes through the normal parser and command, so it equals the
//! same config run alone.

mod edit;
mod values;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::line_col;
use crate::Error;
pub use edit::without_table;
use edit::{blank, find, ordered, parse_root, region_of, resolve, Edit};
pub use values::{json_of, spaced};
use values::{values_of, SPEC_KEYS};

/// At most this many points in a grid (and values on one axis).
pub const MAX_POINTS: usize = 10_000;

/// Which command a swept config is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `downhill run` (`[problem]`).
    Run,
    /// `downhill compare` (`[[optimizers]]`).
    Compare,
    /// `downhill train` (`[data]` without `[[optimizers]]`).
    Train,
}

impl Kind {
    /// The command's name.
    pub fn command(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Compare => "compare",
            Kind::Train => "train",
        }
    }
}

/// One swept key.
#[derive(Debug, Clone)]
pub struct Axis {
    /// The dotted path, as written in `[sweep]`.
    pub key: String,
    /// Byte offset of the key in the file (for messages).
    at: usize,
    /// The values, as TOML text.
    pub values: Vec<String>,
    /// The values as numbers, when they all are numbers.
    pub numbers: Option<Vec<f64>>,
    /// Whether the values came from `log_range` (plots use a log axis).
    pub log: bool,
    edit: Edit,
}

/// A parsed `[sweep]` over a config.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The path as the user gave it.
    pub file: String,
    raw: String,
    /// The config with the `[sweep]` table blanked.
    base: String,
    /// The command the config is for.
    pub kind: Kind,
    /// The keys, in the order written.
    pub axes: Vec<Axis>,
}

impl Sweep {
    /// Parses the `[sweep]` table of config `raw` (read from `file`) and checks every key's path
    /// against the rest of the config.
    pub fn parse(file: &str, raw: &str) -> Result<Sweep, Error> {
        let root = parse_root(file, raw)?;
        let here = |at: usize, msg: String| {
            let (line, col) = line_col(raw, at);
            crate::spec::input(format!("{file}:{line}:{col}: [sweep] {msg}"))
        };
        let Some((_, sval)) = root.iter().find(|(k, _)| k.get_ref() == "sweep") else {
            return Err(crate::spec::input(format!(
                "{file}: missing table [sweep] (keys are dotted config paths, e.g. \
                 \"optimizer.lr\" = [0.01, 0.1])"
            )));
        };
        let region = region_of(file, raw, &root, "sweep")?.unwrap_or(0..0);
        let base = blank(raw, region);
        let kind = if find(&root, "optimizers").is_some() {
            Kind::Compare
        } else if find(&root, "data").is_some() {
            Kind::Train
        } else {
            Kind::Run
        };
        let DeValue::Table(st) = sval.get_ref() else {
            return Err(here(sval.span().start, "must be a table".into()));
        };
        let mut entries = Vec::new();
        flatten(st, "", &mut entries);
        if entries.is_empty() {
            return Err(here(
                sval.span().start,
                "has no keys; give at least one, e.g. \"optimizer.lr\" = [0.01, 0.1]".into(),
            ));
        }
        let mut axes: Vec<Axis> = Vec::new();
        let mut total = 1usize;
        for (key, at, v) in entries {
            let bad = |m: String| here(at, format!("key `{key}`: {m}"));
            if axes.iter().any(|a| a.key == key) {
                return Err(bad("given twice".into()));
            }
            let (values, numbers, log) = values_of(raw, v).map_err(bad)?;
            let edit = resolve(raw, &root, &key).map_err(bad)?;
            total = total.saturating_mul(values.len());
            if total > MAX_POINTS {
                return Err(bad(format!("the grid has more than {MAX_POINTS} points")));
            }
            axes.push(Axis {
                key,
                at,
                values,
                numbers,
                log,
                edit,
            });
        }
        Ok(Sweep {
            file: file.to_string(),
            raw: raw.to_string(),
            base,
            kind,
            axes,
        })
    }

    /// Number of points of the grid.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// Whether the grid is empty (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value index on each axis of point `p` (the last axis varies fastest).
    pub fn indices(&self, mut p: usize) -> Vec<usize> {
        let mut idx = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            idx[i] = p % a.values.len();
            p /= a.values.len();
        }
        idx
    }

    /// The config text of point `p`.
    pub fn text(&self, p: usize) -> String {
        let idx = self.indices(p);
        let mut edits: Vec<(usize, usize, String)> = self
            .axes
            .iter()
            .zip(&idx)
            .map(|(a, &i)| {
                let v = &a.values[i];
                match &a.edit {
                    Edit::Replace(r) => (r.start, r.end, v.clone()),
                    Edit::Insert {
                        at,
                        key,
                        inline,
                        comma,
                    } => {
                        let t = match (inline, comma) {
                            (false, _) => format!("\n{key} = {v}"),
                            (true, true) => format!(" {key} = {v},"),
                            (true, false) => format!(" {key} = {v} "),
                        };
                        (*at, *at, t)
                    }
                }
            })
            .collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut out = self.base.clone();
        for (s, e, t) in edits {
            out.replace_range(s..e, &t);
        }
        out
    }

    /// The values of point `p` as a JSON object `{"key": value, …}`.
    pub fn values_json(&self, p: usize) -> serde_json::Map<String, serde_json::Value> {
        self.axes
            .iter()
            .zip(self.indices(p))
            .map(|(a, i)| (a.key.clone(), json_of(&a.values[i])))
            .collect()
    }

    /// An error about point `p`: located at its first swept key, naming every key's value.
    pub fn point_error(&self, p: usize, e: &Error) -> Error {
        let idx = self.indices(p);
        let what: Vec<String> = self
            .axes
            .iter()
            .zip(&idx)
            .map(|(a, &i)| format!("`{}` = {}", a.key, a.values[i]))
            .collect();
        let at = self.axes.first().map_or(0, |a| a.at);
        let (line, col) = line_col(&self.raw, at);
        crate::spec::input(format!(
            "{}:{line}:{col}: [sweep] at {}: {e}",
            self.file,
            what.join(", "),
        ))
    }

    /// The config without `[sweep]` (no key edited).
    pub fn base(&self) -> &str {
        &self.base
    }
}

/// The keys of `[sweep]` as (dotted path, byte offset, value spec), in the order written: a
/// nested table that is not a range spec (`optimizer.lr = …` without quotes) adds its prefix.
fn flatten<'t, 'a>(
    t: &'t DeTable<'a>,
    prefix: &str,
    out: &mut Vec<(String, usize, &'t Spanned<DeValue<'a>>)>,
) {
    for (k, v) in ordered(t) {
        let key = format!("{prefix}{}", k.get_ref());
        match v.get_ref() {
            DeValue::Table(inner)
                if !inner
                    .iter()
                    .any(|(n, _)| SPEC_KEYS.contains(&n.get_ref().as_ref())) =>
            {
                flatten(inner, &format!("{key}."), out)
            }
            _ => out.push((key, k.span().start, v)),
        }
    }
}

#[cfg(test)]
mod tests;
