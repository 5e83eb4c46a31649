//! Where a swept key stands in the config text, and the edits that set it.

use std::ops::Range;

use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use super::super::keys::extent_end;
use super::super::line_col;
use crate::Error;

/// How a point sets the swept key.
#[derive(Debug, Clone)]
pub(super) enum Edit {
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

/// The keys of `t` in the order written.
pub(super) fn ordered<'t, 'a>(
    t: &'t DeTable<'a>,
) -> Vec<(&'t Spanned<DeString<'a>>, &'t Spanned<DeValue<'a>>)> {
    let mut v: Vec<_> = t.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

pub(super) fn find<'t, 'a>(t: &'t DeTable<'a>, name: &str) -> Option<&'t Spanned<DeValue<'a>>> {
    t.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v)
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

/// The bytes of top-level table `name` (a `[name]` table or `name = { … }`), checked to hold
/// nothing else; `None` when absent.
pub(super) fn region_of(
    file: &str,
    raw: &str,
    root: &DeTable<'_>,
    name: &str,
) -> Result<Option<Range<usize>>, Error> {
    let here = |at: usize, msg: String| {
        let (line, col) = line_col(raw, at);
        crate::spec::input(format!("{file}:{line}:{col}: [{name}] {msg}"))
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
pub fn without_table(file: &str, raw: &str, name: &str) -> Result<String, Error> {
    let root = parse_root(file, raw)?;
    Ok(match region_of(file, raw, &root, name)? {
        Some(r) => blank(raw, r),
        None => raw.to_string(),
    })
}

pub(super) fn parse_root<'a>(file: &str, raw: &'a str) -> Result<DeTable<'a>, Error> {
    Ok(DeTable::parse(raw)
        .map_err(|e| {
            let (line, col) = e.span().map_or((0, 0), |s| line_col(raw, s.start));
            crate::spec::input(format!(
                "{file}:{line}:{col}: invalid TOML: {}",
                e.message().trim()
            ))
        })?
        .into_inner())
}

/// `raw` with the bytes of `region` turned into spaces (newlines kept).
pub(super) fn blank(raw: &str, region: Range<usize>) -> String {
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

/// Where the value at dotted `path` stands in the config (or where it would be added).
pub(super) fn resolve(raw: &str, root: &DeTable<'_>, path: &str) -> Result<Edit, String> {
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
