//! The tour page's strings, one table per language: `en.toml` and `zh.toml`, embedded.
//!
//! A table has the page chrome (`[chrome]`, with `{name}` placeholders for the numbers), the
//! five seed sections (`[seeds."001"]`: title, article, blurb) and one entry per experiment id
//! (`[experiments."seed001-gd-1d-eta-0.2"]`): the seed article's own (Chinese) section title
//! the experiment reproduces, and, in languages other than English, the experiment's title,
//! text and check description. The English title, text and check stay in the code that runs
//! the experiment. `tests/tour_lang.rs` fails on any key missing from a language.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A language of the tour page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// 简体中文.
    Zh,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];
}

/// One seed article's heading on the page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedText {
    /// The section heading, e.g. "Gradient descent and SGD".
    pub title: String,
    /// The article: its title as published, or its author and address.
    pub article: String,
    /// One sentence: what the seed's experiments show.
    pub blurb: String,
}

/// One experiment's strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentText {
    /// The seed article's own section title (in Chinese) that the experiment reproduces.
    pub section: String,
    /// The heading (languages other than English).
    pub title: Option<String>,
    /// What the experiment shows (languages other than English).
    pub text: Option<String>,
    /// What the checks compare, against which reference (languages other than English).
    pub check: Option<String>,
}

/// A language's strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The `lang` attribute of `<html>` (`en`, `zh-Hans`).
    pub html_lang: String,
    /// Page chrome: headings, table headers, verdicts, link texts.
    pub chrome: BTreeMap<String, String>,
    /// The seed sections, keyed `"000"` … `"004"`.
    pub seeds: BTreeMap<String, SeedText>,
    /// The experiments, keyed by experiment id.
    pub experiments: BTreeMap<String, ExperimentText>,
    /// Labels of `tour.json`'s value keys, where a language has them (the key otherwise).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Translations of the English words in `tour.json`'s string values (`"> 1 (too slow)"`).
    #[serde(default)]
    pub refs: BTreeMap<String, String>,
}

/// The embedded TOML text of `lang`'s table.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("en.toml"),
        Lang::Zh => include_str!("zh.toml"),
    }
}

/// `lang`'s table. The tables are compiled in and tested, so a parse error is a bug.
pub fn table(lang: Lang) -> Table {
    toml::from_str(source(lang))
        .unwrap_or_else(|e| unreachable!("tour/i18n/{lang:?}.toml does not parse: {e}"))
}

impl Table {
    /// The chrome string `key` (the key itself if missing, which a test forbids).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.chrome.get(key).map_or(key, String::as_str)
    }
    /// The chrome string `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self.text(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
    /// The label of the value key `key` (the key itself where the table has none).
    pub fn label<'a>(&'a self, key: &'a str) -> &'a str {
        self.labels.get(key).map_or(key, String::as_str)
    }
    /// A value as the page shows it: numbers compact, known English strings translated.
    pub fn value(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => self.refs.get(s).unwrap_or(s).clone(),
            serde_json::Value::Bool(b) => {
                let s = b.to_string();
                self.refs.get(&s).cloned().unwrap_or(s)
            }
            v => super::fmt_value(v),
        }
    }
}

/// The `{name}` placeholders of `s`, in order.
pub fn placeholders(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i + 1..];
        match tail.find('}') {
            Some(j)
                if tail[..j]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push(&tail[..j]);
                rest = &tail[j + 1..];
            }
            _ => rest = tail,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_share_chrome_keys_and_placeholders() {
        let en = table(Lang::En);
        for lang in Lang::ALL {
            let t = table(lang);
            let keys = |t: &Table| t.chrome.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&t), keys(&en), "{lang:?}: chrome keys differ from en");
            for (k, v) in &en.chrome {
                let mut a = placeholders(v);
                let mut b = placeholders(t.text(k));
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "{lang:?}: placeholders of chrome.{k}");
            }
            let seeds = |t: &Table| t.seeds.keys().cloned().collect::<Vec<_>>();
            assert_eq!(seeds(&t), vec!["000", "001", "002", "003", "004"]);
            let ids = |t: &Table| t.experiments.keys().cloned().collect::<Vec<_>>();
            assert_eq!(ids(&t), ids(&en), "{lang:?}: experiment ids differ from en");
        }
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders("{a} of {n_2} {x y} {"), vec!["a", "n_2"]);
    }
}
