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

use std::ops::Range;

use serde::Deserialize;
use toml::de::{DeArray, DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::line_col;
use crate::exit::CliError;

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

/// How a point sets the swept key.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value text at this byte range.
    Replace(Range<usize>),
    /// Insert `key = value` at a byte offset: on a new line after a header, or at the start of
    /// an inline table (`comma`: the table has entries, so a separator follows).
    Insert {
        at: usize,
        key: String,
        inline: bool,
        comma: bool,
    },
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

/// One value spec of `[sweep]`: `{ range = [lo, hi], num = n }` or `{ log_range = … }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeSpec {
    range: Option<[f64; 2]>,
    log_range: Option<[f64; 2]>,
    num: usize,
}

const SPEC_KEYS: [&str; 3] = ["range", "log_range", "num"];

/// The keys of `t` in the order written.
fn ordered<'t, 'a>(
    t: &'t DeTable<'a>,
) -> Vec<(
    &'t Spanned<toml::de::DeString<'a>>,
    &'t Spanned<DeValue<'a>>,
)> {
    let mut v: Vec<_> = t.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

fn find<'t, 'a>(t: &'t DeTable<'a>, name: &str) -> Option<&'t Spanned<DeValue<'a>>> {
    t.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v)
}

/// The end of a value's text, nested entries included.
fn extent_end(v: &Spanned<DeValue<'_>>) -> usize {
    let own = v.span().end;
    match v.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .map(|(k, v)| k.span().end.max(extent_end(v)))
            .fold(own, usize::max),
        DeValue::Array(a) => a.iter().map(extent_end).fold(own, usize::max),
        _ => own,
    }
}

/// `name` as a TOML key: bare when it can be, else quoted.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        name.to_string()
    } else {
        serde_json::Value::String(name.to_string()).to_string()
    }
}

/// A number as TOML text (Rust's shortest round-trip form is valid TOML for finite values).
fn toml_number(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:?}")
    }
}

/// The value of TOML text `text` as JSON.
pub fn json_of(text: &str) -> serde_json::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|t| t.get("v").cloned())
        .and_then(|v| serde_json::to_value(v).ok())
        .unwrap_or(serde_json::Value::Null)
}

impl Sweep {
    /// Parses the `[sweep]` table of config `raw` (read from `file`) and checks every key's path
    /// against the rest of the config.
    pub fn parse(file: &str, raw: &str) -> Result<Sweep, CliError> {
        let root = parse_root(file, raw)?;
        let here = |at: usize, msg: String| {
            let (line, col) = line_col(raw, at);
            CliError::input(format!("{file}:{line}:{col}: [sweep] {msg}"))
        };
        let Some((_, sval)) = root.iter().find(|(k, _)| k.get_ref() == "sweep") else {
            return Err(CliError::input(format!(
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
        edits.sort_by(|a, b| b.0.cmp(&a.0));
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
    pub fn point_error(&self, p: usize, e: &CliError) -> CliError {
        let idx = self.indices(p);
        let what: Vec<String> = self
            .axes
            .iter()
            .zip(&idx)
            .map(|(a, &i)| format!("`{}` = {}", a.key, a.values[i]))
            .collect();
        let at = self.axes.first().map_or(0, |a| a.at);
        let (line, col) = line_col(&self.raw, at);
        CliError {
            code: e.code,
            message: format!(
                "{}:{line}:{col}: [sweep] at {}: {}",
                self.file,
                what.join(", "),
                e.message
            ),
        }
    }

    /// The config without `[sweep]` (no key edited).
    pub fn base(&self) -> &str {
        &self.base
    }
}

/// The bytes of top-level table `name` (a `[name]` table or `name = { … }`), checked to hold
/// nothing else; `None` when absent.
fn region_of(
    file: &str,
    raw: &str,
    root: &DeTable<'_>,
    name: &str,
) -> Result<Option<Range<usize>>, CliError> {
    let here = |at: usize, msg: String| {
        let (line, col) = line_col(raw, at);
        CliError::input(format!("{file}:{line}:{col}: [{name}] {msg}"))
    };
    let Some((key, val)) = root.iter().find(|(k, _)| k.get_ref() == name) else {
        return Ok(None);
    };
    let text = raw.get(val.span()).unwrap_or("");
    let region = if text.starts_with('[') {
        val.span().start..extent_end(val)
    } else if text.starts_with('{') {
        key.span().start..val.span().end
    } else {
        return Err(here(
            key.span().start,
            format!("write it as a `[{name}]` table"),
        ));
    };
    if let Some((k, _)) = root.iter().find(|(k, v)| {
        k.get_ref() != name
            && (region.contains(&k.span().start) || region.contains(&v.span().start))
    }) {
        return Err(here(
            k.span().start,
            format!(
                "`{}` stands inside the [{name}] table; keep [{name}] in one piece",
                k.get_ref()
            ),
        ));
    }
    Ok(Some(region))
}

/// Config `raw` without its top-level table `name` (blanked, so lines keep their numbers).
pub fn without_table(file: &str, raw: &str, name: &str) -> Result<String, CliError> {
    let root = parse_root(file, raw)?;
    Ok(match region_of(file, raw, &root, name)? {
        Some(r) => blank(raw, r),
        None => raw.to_string(),
    })
}

fn parse_root<'a>(file: &str, raw: &'a str) -> Result<DeTable<'a>, CliError> {
    Ok(DeTable::parse(raw)
        .map_err(|e| {
            let (line, col) = e.span().map_or((0, 0), |s| line_col(raw, s.start));
            CliError::input(format!(
                "{file}:{line}:{col}: invalid TOML: {}",
                e.message().trim()
            ))
        })?
        .into_inner())
}

/// `raw` with the bytes of `region` turned into spaces (newlines kept).
fn blank(raw: &str, region: Range<usize>) -> String {
    raw.char_indices()
        .map(|(i, c)| {
            if region.contains(&i) && c != '\n' {
                " ".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
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

type Values = (Vec<String>, Option<Vec<f64>>, bool);

/// The values of one `[sweep]` entry as TOML texts, as numbers if they are, and whether they
/// are log-spaced.
fn values_of(raw: &str, v: &Spanned<DeValue<'_>>) -> Result<Values, String> {
    match v.get_ref() {
        DeValue::Array(items) => list(raw, items),
        DeValue::Table(t) => {
            let integer = ["range", "log_range"].iter().any(|name| {
                matches!(find(t, name).map(|v| v.get_ref()),
                    Some(DeValue::Array(a)) if a.iter().all(|e| matches!(e.get_ref(), DeValue::Integer(_))))
            });
            let spec = RangeSpec::deserialize(ValueDeserializer::from(v.clone()))
                .map_err(|e| e.message().trim().to_string())?;
            let (ends, log) = match (spec.range, spec.log_range) {
                (Some(r), None) => (r, false),
                (None, Some(r)) => (r, true),
                _ => return Err("give one of `range` or `log_range`".into()),
            };
            let [lo, hi] = ends;
            if !(lo.is_finite() && hi.is_finite()) {
                return Err("the ends must be finite numbers".into());
            }
            if log && !(lo > 0.0 && hi > 0.0) {
                return Err(format!("log_range = [{lo}, {hi}]: the ends must be > 0"));
            }
            if spec.num == 0 || spec.num > MAX_POINTS {
                return Err(format!("num = {}: must be in 1..={MAX_POINTS}", spec.num));
            }
            let nums = spaced(lo, hi, spec.num, log);
            let texts = nums.iter().map(|&x| toml_number(x, integer)).collect();
            let nums = if integer {
                nums.iter().map(|x| x.round()).collect()
            } else {
                nums
            };
            Ok((texts, Some(nums), log))
        }
        _ => Err(
            "must be a list of values, `{ range = [lo, hi], num = n }` or \
             `{ log_range = [lo, hi], num = n }`"
                .into(),
        ),
    }
}

fn list(raw: &str, items: &DeArray<'_>) -> Result<Values, String> {
    if items.is_empty() {
        return Err("the list of values is empty".into());
    }
    if items.len() > MAX_POINTS {
        return Err(format!("more than {MAX_POINTS} values"));
    }
    let texts: Vec<String> = items
        .iter()
        .map(|e| raw.get(e.span()).unwrap_or("").to_string())
        .collect();
    let numbers: Option<Vec<f64>> = items
        .iter()
        .map(|e| match e.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                f64::deserialize(ValueDeserializer::from(e.clone())).ok()
            }
            _ => None,
        })
        .collect();
    Ok((texts, numbers, false))
}

/// `num` points from `lo` to `hi`, evenly or log-evenly spaced, both ends exact.
pub fn spaced(lo: f64, hi: f64, num: usize, log: bool) -> Vec<f64> {
    (0..num)
        .map(|i| {
            if i == 0 {
                return lo;
            }
            if i + 1 == num {
                return hi;
            }
            let t = i as f64 / (num - 1) as f64;
            if log {
                (lo.ln() + (hi.ln() - lo.ln()) * t).exp()
            } else {
                lo + (hi - lo) * t
            }
        })
        .collect()
}

/// Where the value at dotted `path` stands in the config (or where it would be added).
fn resolve(raw: &str, root: &DeTable<'_>, path: &str) -> Result<Edit, String> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err("a dotted path has no empty parts (e.g. `optimizer.lr`)".into());
    }
    if segs[0] == "sweep" {
        return Err("the sweep cannot sweep itself".into());
    }
    let keys_of = |t: &DeTable<'_>| {
        let names: Vec<String> = ordered(t)
            .iter()
            .map(|(k, _)| k.get_ref().to_string())
            .filter(|k| k != "sweep")
            .collect();
        if names.is_empty() {
            "it has no keys".to_string()
        } else {
            format!("it has: {}", names.join(", "))
        }
    };
    let mut table: &DeTable<'_> = root;
    let mut table_span: Option<Range<usize>> = None;
    let mut i = 0;
    while i < segs.len() {
        let seg = segs[i];
        let done = segs[..i].join(".");
        let within = if done.is_empty() {
            "the config".to_string()
        } else {
            format!("`{done}`")
        };
        let last = i + 1 == segs.len();
        let Some(v) = find(table, seg) else {
            if !last {
                return Err(format!("no table `{seg}` in {within} ({})", keys_of(table)));
            }
            return insert(raw, table, table_span, seg, &within);
        };
        match v.get_ref() {
            DeValue::Table(t) => {
                if last {
                    return Err(format!(
                        "`{path}` is a table; sweep one of its keys ({})",
                        keys_of(t)
                    ));
                }
                (table, table_span) = (t, Some(v.span()));
                i += 1;
            }
            DeValue::Array(items)
                if items
                    .iter()
                    .any(|e| matches!(e.get_ref(), DeValue::Table(_))) =>
            {
                let Some(next) = segs.get(i + 1) else {
                    return Err(format!(
                        "`{path}` is an array of tables; pick an entry, e.g. `{path}.0.lr`"
                    ));
                };
                let n = items.len();
                let idx: usize = next.parse().map_err(|_| {
                    format!(
                        "`{seg}` is an array of {n} tables: index it with 0..{n}, e.g. `{seg}.0`"
                    )
                })?;
                let Some(e) = items.get(idx) else {
                    return Err(format!("`{seg}` has {n} entries (0..{n}), not {idx}"));
                };
                let DeValue::Table(t) = e.get_ref() else {
                    return Err(format!("`{seg}.{idx}` is not a table"));
                };
                if i + 2 == segs.len() {
                    return Err(format!(
                        "`{path}` is a table; sweep one of its keys ({})",
                        keys_of(t)
                    ));
                }
                (table, table_span) = (t, Some(e.span()));
                i += 2;
            }
            _ if last => return Ok(Edit::Replace(v.span())),
            _ => {
                return Err(format!(
                    "`{}` is a value, not a table",
                    segs[..=i].join(".")
                ))
            }
        }
    }
    Err("empty path".into())
}

/// The edit adding the missing key `seg` to `table` (whose text starts at `span`).
fn insert(
    raw: &str,
    table: &DeTable<'_>,
    span: Option<Range<usize>>,
    seg: &str,
    within: &str,
) -> Result<Edit, String> {
    let key = toml_key(seg);
    let Some(span) = span else {
        return Err(format!(
            "no key `{seg}` in the config: sweep keys inside its tables"
        ));
    };
    let text = raw.get(span.clone()).unwrap_or("");
    if text.starts_with('[') {
        Ok(Edit::Insert {
            at: span.end,
            key,
            inline: false,
            comma: false,
        })
    } else if text.starts_with('{') {
        Ok(Edit::Insert {
            at: span.start + 1,
            key,
            inline: true,
            comma: !table.is_empty(),
        })
    } else {
        Err(format!(
            "{within} is written with dotted keys and has no `{seg}`; write `{seg}` in the \
             config so the sweep can replace it"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "[problem]\nfunction = \"sphere\"\nx0 = [1.0, 2.0]\n\n[optimizer]  # sgd\nname = \"sgd\"\nlr = 0.1\n\n[sweep]\n\"optimizer.lr\" = [0.01, 2e-1]\noptimizer.momentum = { range = [0.0, 0.5], num = 3 }\n\n[run]\nsteps = 5\n";

    #[test]
    fn points_edit_the_text_in_place_and_keep_line_numbers() {
        let s = Sweep::parse("s.toml", RUN).unwrap();
        assert_eq!(s.kind, Kind::Run);
        assert_eq!(s.len(), 6);
        assert_eq!(s.axes[0].key, "optimizer.lr");
        assert_eq!(s.axes[1].values, ["0.0", "0.25", "0.5"]);
        assert_eq!(s.indices(4), [1, 1]);
        let t = s.text(4);
        assert!(t.contains("lr = 2e-1\n"), "{t}");
        assert!(t.contains("[optimizer]\nmomentum = 0.25  # sgd"), "{t}");
        assert!(!t.contains("sweep"), "{t}");
        // Only the inserted key adds a line.
        assert_eq!(t.lines().count(), RUN.lines().count() + 1);
        assert_eq!(s.base().lines().count(), RUN.lines().count());
        let v = s.values_json(4);
        assert_eq!(v["optimizer.lr"], serde_json::json!(0.2));
        assert_eq!(v["optimizer.momentum"], serde_json::json!(0.25));
    }

    #[test]
    fn ranges_are_spaced_with_exact_ends() {
        let l = spaced(1e-4, 10.0, 6, true);
        assert_eq!((l[0], l[5]), (1e-4, 10.0));
        assert!((l[2] / 1e-2 - 1.0).abs() < 1e-12);
        assert_eq!(spaced(0.0, 1.0, 5, false), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(spaced(3.0, 7.0, 1, false), [3.0]);
    }

    #[test]
    fn integer_ranges_give_integers_and_arrays_of_tables_are_indexed() {
        let raw = "[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[run]\nsteps = 3\n[[optimizers]]\nname = \"sgd\"\n[[optimizers]]\nname = \"adam\"\nlr = 0.1\n[sweep]\n\"run.steps\" = { range = [2, 10], num = 3 }\n\"optimizers.1.lr\" = [0.5]\n\"optimizers.0.lr\" = [0.3]\n";
        let s = Sweep::parse("c.toml", raw).unwrap();
        assert_eq!(s.kind, Kind::Compare);
        assert_eq!(s.axes[0].values, ["2", "6", "10"]);
        let t = s.text(2);
        assert!(t.contains("steps = 10\n"), "{t}");
        assert!(t.contains("lr = 0.5\n"), "{t}");
        assert!(
            t.contains("[[optimizers]]\nlr = 0.3\nname = \"sgd\""),
            "{t}"
        );
    }

    #[test]
    fn bad_keys_and_values_name_the_key_at_its_line() {
        let with = |sweep: &str| {
            let raw = format!("[problem]\nfunction = \"sphere\"\nx0 = [1.0]\n[optimizer]\nname = \"sgd\"\nlr = 0.1\n[run]\nsteps = 3\n[sweep]\n{sweep}\n");
            Sweep::parse("b.toml", &raw)
                .err()
                .map(|e| e.message)
                .unwrap_or_default()
        };
        let cases = [
            ("\"optimzer.lr\" = [0.1]", "b.toml:10:1: [sweep] key `optimzer.lr`: no table `optimzer` in the config (it has: problem, optimizer, run)"),
            ("\"optimizer\" = [0.1]", "`optimizer` is a table"),
            ("\"optimizer.lr.x\" = [0.1]", "`optimizer.lr` is a value"),
            ("\"optimizer.lr\" = []", "empty"),
            ("\"optimizer.lr\" = 0.1", "must be a list"),
            ("\"optimizer.lr\" = { log_range = [0.0, 1.0], num = 3 }", "must be > 0"),
            ("\"optimizer.lr\" = { range = [0.0, 1.0], num = 0 }", "num = 0"),
            ("\"optimizer.lr\" = { range = [0.0, 1.0], nm = 3 }", "nm"),
            ("\"optimizer.lr\" = { range = [0.0, 1.0], log_range = [1.0, 2.0], num = 3 }", "one of"),
            ("\"sweep.x\" = [1]", "cannot sweep itself"),
            ("\"optimizer..lr\" = [1]", "empty parts"),
            ("", "has no keys"),
            ("\"optimizer.lr\" = { range = [0.0, 1.0], num = 9999 }\n\"run.steps\" = [1, 2]", "more than 10000"),
        ];
        for (sweep, want) in cases {
            let got = with(sweep);
            assert!(got.contains(want), "{sweep}: {got}");
        }
        let e = Sweep::parse("n.toml", "[run]\nsteps = 1\n").err().unwrap();
        assert!(e.message.contains("missing table [sweep]"), "{}", e.message);
    }
}
