//! Config files: TOML parsed with spans, so every error names the file, line, column and key.
//!
//! Each table is deserialised on its own (with `deny_unknown_fields`), straight from the
//! span-carrying parse tree; tables selected by `name` (optimizer, schedule) have the `name`
//! key removed first and are then deserialised into that variant's parameter struct. Keys are
//! located through the tree's spans ([`Keys`]), never by re-reading the text; the optimiser
//! side (`[optimizer]`, `[[optimizers]]`, `[wrappers]`, `[schedule]`) is read by [`optim`] for
//! every command.

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::keys::{self, Keys};
use crate::Error;

/// A parsed config file.
pub struct ConfigDoc<'a> {
    /// The path as the user gave it.
    pub file: String,
    raw: &'a str,
    root: DeTable<'a>,
    /// The keys of every top-level table, as parsed (before any is taken).
    tables: Vec<(String, Keys)>,
    /// The top-level keys themselves.
    root_keys: Keys,
}

/// 1-based line and column of byte offset `at` in `raw`.
pub fn line_col(raw: &str, at: usize) -> (usize, usize) {
    let at = at.min(raw.len());
    let before = raw.get(..at).unwrap_or(raw);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The error for a table missing from config `file`.
pub fn missing_table(file: &str, table: &str) -> Error {
    crate::spec::input(format!("{file}: missing table [{table}]"))
}

/// A table value's entries, or the error "must be a table" at its key.
fn table_mut<'v, 'a>(
    doc: &ConfigDoc<'a>,
    table: &str,
    keys: &Keys,
    v: &'v mut Spanned<DeValue<'a>>,
) -> Result<&'v mut DeTable<'a>, Error> {
    let span = v.span();
    match v.get_mut() {
        DeValue::Table(t) => Ok(t),
        _ => Err(doc.error_at(table, keys, Some(span), "must be a table")),
    }
}

impl<'a> ConfigDoc<'a> {
    /// Parses `raw` (read from `file`).
    pub fn parse(file: &str, raw: &'a str) -> Result<Self, Error> {
        let doc = DeTable::parse(raw).map_err(|e| {
            let (line, col) = e.span().map_or((0, 0), |s| line_col(raw, s.start));
            crate::spec::input(format!(
                "{file}:{line}:{col}: invalid TOML: {}",
                e.message().trim()
            ))
        })?;
        let root = doc.into_inner();
        let tables = root
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), Keys::of(v)))
            .collect();
        let root_keys = Keys::of_table(&root);
        Ok(ConfigDoc {
            file: file.to_string(),
            raw,
            root,
            tables,
            root_keys,
        })
    }

    /// The keys of top-level table `table` as parsed (none when absent or not a table).
    pub fn keys(&self, table: &str) -> Keys {
        self.tables
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, k)| k.clone())
            .unwrap_or_default()
    }

    /// An error located at byte span `at`, naming `table` and the key of `keys` whose entry
    /// holds it (none when it is the table's own header or the table itself).
    pub fn error_at(
        &self,
        table: &str,
        keys: &Keys,
        at: Option<std::ops::Range<usize>>,
        msg: &str,
    ) -> Error {
        let (line, col) = at.as_ref().map_or((0, 0), |s| line_col(self.raw, s.start));
        let key = at.and_then(|s| keys.holding(s.start));
        let key = key.map_or(String::new(), |k| format!(" key `{k}`:"));
        crate::spec::input(format!("{}:{line}:{col}: [{table}]{key} {msg}", self.file))
    }

    /// A validation error of table `table` (whose keys are `keys`), located at the line and
    /// column of the key it names when that key is in the table.
    pub fn invalid_value(&self, table: &str, keys: &Keys, e: &crate::Error) -> Error {
        match self.locate(keys, e) {
            Some((line, col, k)) => crate::spec::input(format!(
                "{}:{line}:{col}: [{table}] key `{k}`: {e}",
                self.file
            )),
            None => crate::spec::input(format!("{}: [{table}]: {e}", self.file)),
        }
    }

    /// An error about key `key` of top-level table `table`, located at that key (at the
    /// file alone when the table does not have it).
    pub fn key_error(&self, table: &str, key: &str, msg: impl std::fmt::Display) -> Error {
        match self.keys(table).find(key) {
            Some(at) => {
                let (line, col) = line_col(self.raw, at);
                crate::spec::input(format!(
                    "{}:{line}:{col}: [{table}] key `{key}`: {msg}",
                    self.file
                ))
            }
            None => crate::spec::input(format!("{}: [{table}] key `{key}`: {msg}", self.file)),
        }
    }

    /// A validation error naming a key that table `table` (whose keys are `keys`) leaves out:
    /// located at the table's `name` key, naming the missing key.
    pub fn missing_value(&self, table: &str, keys: &Keys, e: &crate::Error) -> Error {
        let (line, col) = keys
            .find("name")
            .map_or((0, 0), |at| line_col(self.raw, at));
        let key = match e {
            crate::Error::InvalidParameter { key, .. } => format!(" key `{key}`:"),
            _ => String::new(),
        };
        crate::spec::input(format!("{}:{line}:{col}: [{table}]{key} {e}", self.file))
    }

    /// The line, column and base name of the key a validation error names, if it is among
    /// `keys`.
    pub fn locate(&self, keys: &Keys, e: &crate::Error) -> Option<(usize, usize, String)> {
        let crate::Error::InvalidParameter { key, .. } = e else {
            return None;
        };
        // a dotted key into an inline table (`swa.swa_lr`) is named whole; `betas[1]` or
        // `lookahead.k` by its base name
        let dotted = key.split('[').next().unwrap_or(key);
        if dotted.contains('.') {
            if let Some(at) = keys.find_nested(dotted) {
                let (line, col) = line_col(self.raw, at);
                return Some((line, col, dotted.to_string()));
            }
        }
        let base = keys::base_name(key);
        let at = keys.find(base)?;
        let (line, col) = line_col(self.raw, at);
        Some((line, col, base.to_string()))
    }

    /// Errors on any top-level table not in `allowed`.
    pub fn allow_tables(&self, allowed: &[&str]) -> Result<(), Error> {
        for k in self.root.keys() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                let (line, col) = line_col(self.raw, k.span().start);
                return Err(crate::spec::input(format!(
                    "{}:{line}:{col}: unknown table or key `{}`; expected one of: {}",
                    self.file,
                    k.get_ref(),
                    allowed.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Whether the top-level table `table` is present.
    pub fn has(&self, table: &str) -> bool {
        self.root.keys().any(|k| k.get_ref() == table)
    }

    fn take(&mut self, table: &str) -> Option<Spanned<DeValue<'a>>> {
        let key = self.root.keys().find(|k| k.get_ref() == table).cloned()?;
        self.root.remove(&key)
    }

    /// The error for a missing table (`table` as written, e.g. `optimizer` or `[optimizers]`).
    pub fn missing(&self, table: &str) -> Error {
        missing_table(&self.file, table)
    }

    /// Deserialises the required table `table` into `C`.
    pub fn required<C: DeserializeOwned>(&mut self, table: &str) -> Result<C, Error> {
        self.section(table)?.ok_or_else(|| self.missing(table))
    }

    /// Deserialises table `table` into `C`; `None` when absent.
    pub fn section<C: DeserializeOwned>(&mut self, table: &str) -> Result<Option<C>, Error> {
        let Some(v) = self.take(table) else {
            return Ok(None);
        };
        self.value_into(table, v).map(Some)
    }

    /// Deserialises table `table` in two parts: the keys named in `keys` into `D`, the others
    /// into `C` (both with their defaults when the table is absent). For tables whose keys
    /// belong to two owners, e.g. `[train]` and its MPI keys.
    pub fn section_split<C: DeserializeOwned + Default, D: DeserializeOwned + Default>(
        &mut self,
        table: &str,
        keys: &[&str],
    ) -> Result<(C, D), Error> {
        let Some(mut v) = self.take(table) else {
            return Ok((C::default(), D::default()));
        };
        let span = v.span();
        let t = table_mut(self, table, &self.root_keys, &mut v)?;
        let mut part = DeTable::new();
        let moved: Vec<_> = t
            .keys()
            .filter(|k| keys.contains(&k.get_ref().as_ref()))
            .cloned()
            .collect();
        for k in moved {
            if let Some(val) = t.remove(&k) {
                part.insert(k, val);
            }
        }
        let d = self.value_into(table, Spanned::new(span, DeValue::Table(part)))?;
        Ok((self.value_into(table, v)?, d))
    }

    /// Deserialises a spanned value into `C`, mapping errors to file:line:col and key.
    pub fn value_into<C: DeserializeOwned>(
        &self,
        table: &str,
        v: Spanned<DeValue<'a>>,
    ) -> Result<C, Error> {
        self.named_into(table, "", v, |_, d| C::deserialize(d))
    }

    /// Takes the array of tables `key` (`[[key]]`); `None` when absent.
    pub fn array_of_tables(
        &mut self,
        key: &str,
    ) -> Result<Option<Vec<Spanned<DeValue<'a>>>>, Error> {
        let Some(v) = self.take(key) else {
            return Ok(None);
        };
        let span = v.span();
        match v.into_inner() {
            DeValue::Array(items) => Ok(Some(items.into_iter().collect())),
            _ => Err(self.error_at(
                key,
                &self.root_keys,
                Some(span),
                "must be an array of tables `[[...]]`",
            )),
        }
    }

    /// Removes the optional string key `key` from a table value.
    pub fn take_string(
        &self,
        table: &str,
        v: &mut Spanned<DeValue<'a>>,
        key: &str,
    ) -> Result<Option<String>, Error> {
        let keys = Keys::of(v);
        let t = table_mut(self, table, &self.root_keys, v)?;
        let Some(k) = t.keys().find(|k| k.get_ref() == key).cloned() else {
            return Ok(None);
        };
        match t.remove(&k).map(|n| (n.span(), n.into_inner())) {
            Some((_, DeValue::String(s))) => Ok(Some(s.to_string())),
            Some((s, _)) => {
                Err(self.error_at(table, &keys, Some(s), &format!("`{key}` must be a string")))
            }
            None => Ok(None),
        }
    }

    /// Removes key `key` from a table value and returns its value (`None` when absent).
    pub fn take_value(
        &self,
        table: &str,
        v: &mut Spanned<DeValue<'a>>,
        key: &str,
    ) -> Result<Option<Spanned<DeValue<'a>>>, Error> {
        let t = table_mut(self, table, &self.root_keys, v)?;
        let Some(k) = t.keys().find(|k| k.get_ref() == key).cloned() else {
            return Ok(None);
        };
        Ok(t.remove(&k))
    }

    /// Sets key `key` of a table value (replacing any value it had).
    pub fn put_value(
        &self,
        table: &str,
        v: &mut Spanned<DeValue<'a>>,
        key: Spanned<std::borrow::Cow<'a, str>>,
        value: Spanned<DeValue<'a>>,
    ) -> Result<(), Error> {
        let t = table_mut(self, table, &self.root_keys, v)?;
        if let Some(old) = t.keys().find(|k| k.get_ref() == key.get_ref()).cloned() {
            t.remove(&old);
        }
        t.insert(key, value);
        Ok(())
    }

    /// Takes table `table`, removes its `name` key and returns (name, rest of the table).
    pub fn named_section(
        &mut self,
        table: &str,
    ) -> Result<Option<(String, Spanned<DeValue<'a>>)>, Error> {
        let Some(v) = self.take(table) else {
            return Ok(None);
        };
        self.split_name(table, v).map(Some)
    }

    /// Removes the `name` key of a table value and returns it with the rest.
    pub fn split_name(
        &self,
        table: &str,
        mut v: Spanned<DeValue<'a>>,
    ) -> Result<(String, Spanned<DeValue<'a>>), Error> {
        let span = v.span();
        let keys = Keys::of(&v);
        let missing = || self.error_at(table, &keys, Some(span.clone()), "missing key `name`");
        let t = table_mut(self, table, &self.root_keys, &mut v)?;
        let Some(key) = t.keys().find(|k| k.get_ref() == "name").cloned() else {
            return Err(missing());
        };
        match t.remove(&key).map(|n| (n.span(), n.into_inner())) {
            Some((_, DeValue::String(s))) => Ok((s.to_string(), v)),
            Some((s, _)) => Err(self.error_at(table, &keys, Some(s), "`name` must be a string")),
            None => Err(missing()),
        }
    }

    /// Deserialises a named table (name already split off) with a variant-selecting function.
    pub fn named_into<C>(
        &self,
        table: &str,
        name: &str,
        v: Spanned<DeValue<'a>>,
        from_named: impl FnOnce(&str, ValueDeserializer<'a>) -> Result<C, toml::de::Error>,
    ) -> Result<C, Error> {
        let span = v.span();
        let keys = Keys::of(&v);
        from_named(name, ValueDeserializer::from(v))
            .map_err(|e| self.error_at(table, &keys, e.span().or(Some(span)), e.message().trim()))
    }
}
