//! Where the keys of a table stand, read from the span-carrying parse tree before the table is
//! deserialised, so that an error found later (a serde error at a byte offset, or a validation
//! error naming a key) is located without re-reading the text.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One key of a table: its name, the span of the key itself, and where its entry (the key
/// through the end of its value, nested tables and arrays included) ends.
#[derive(Debug, Clone)]
struct KeyAt {
    name: String,
    key: Range<usize>,
    end: usize,
    /// The keys of its value when that is a table (`swa = { anneal_epochs = … }`).
    inner: Keys,
}

/// The keys of one table, in the order of the parse tree.
#[derive(Debug, Clone, Default)]
pub struct Keys(Vec<KeyAt>);

impl Keys {
    /// The keys of `v` (none when it is not a table).
    pub fn of(v: &Spanned<DeValue<'_>>) -> Keys {
        match v.get_ref() {
            DeValue::Table(t) => Keys::of_table(t),
            _ => Keys::default(),
        }
    }

    /// The keys of table `t`.
    pub fn of_table(t: &DeTable<'_>) -> Keys {
        Keys(
            t.iter()
                .map(|(k, v)| KeyAt {
                    name: k.get_ref().to_string(),
                    key: k.span(),
                    end: extent_end(v).max(k.span().end),
                    inner: Keys::of(v),
                })
                .collect(),
        )
    }

    /// The key whose entry holds byte offset `at`, as a dotted path into inline tables
    /// (`swa.anneal_epochs`).
    pub fn holding(&self, at: usize) -> Option<String> {
        let k = self.0.iter().find(|k| k.key.start <= at && at < k.end)?;
        Some(match k.inner.holding(at) {
            Some(sub) => format!("{}.{sub}", k.name),
            None => k.name.clone(),
        })
    }

    /// The byte offset of key `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.0.iter().find(|k| k.name == name).map(|k| k.key.start)
    }

    /// The byte offset of the dotted path `path` into inline tables (`swa.swa_lr`), when
    /// every part of it is there.
    pub fn find_nested(&self, path: &str) -> Option<usize> {
        match path.split_once('.') {
            None => self.find(path),
            Some((head, rest)) => self
                .0
                .iter()
                .find(|k| k.name == head)?
                .inner
                .find_nested(rest),
        }
    }
}

/// The end of a value's text, its nested entries included (a dotted key's table has the span of
/// its key, and a header table that of its header).
pub(crate) fn extent_end(v: &Spanned<DeValue<'_>>) -> usize {
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

/// The base name of a parameter key: `betas` for `betas[1]`, `lookahead` for `lookahead.k`.
pub fn base_name(key: &str) -> &str {
    key.split(['[', '.']).next().unwrap_or(key)
}
