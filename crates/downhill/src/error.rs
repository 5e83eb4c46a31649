//! The library's one error type.

use thiserror::Error;

/// Everything that can go wrong in a fallible public function of the library.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A hyperparameter outside its allowed range (named as in PyTorch).
    #[error("invalid value for `{key}`: {value} ({allowed})")]
    InvalidParameter {
        /// Parameter name, e.g. `lr` or `betas[0]`.
        key: String,
        /// The offending value, printed.
        value: String,
        /// What would have been accepted, e.g. `must be >= 0`.
        allowed: String,
    },
    /// A starting point or parameter vector whose length does not fit the problem.
    #[error("dimension mismatch: {what} has length {got}, expected {expected}")]
    Dimension {
        /// Which vector.
        what: String,
        /// Its length.
        got: usize,
        /// The length required.
        expected: String,
    },
    /// A name that is not known (function, optimiser, schedule, dataset, …).
    #[error("unknown {kind} `{name}`{}; known: {known}", did_you_mean(name, known.split(", ")))]
    Unknown {
        /// What kind of name.
        kind: String,
        /// The name given.
        name: String,
        /// The accepted names, comma separated.
        known: String,
    },
    /// Input data that cannot be read; names the file, line and column/field where known.
    #[error("{file}:{line}: {field}: {message}")]
    Parse {
        /// File name as given by the user.
        file: String,
        /// 1-based line (0 when not applicable).
        line: usize,
        /// Column or field name.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A run produced a non-finite loss or parameter.
    #[error("diverged at step {step}: {reason}")]
    Diverged {
        /// The step at which the non-finite value appeared.
        step: usize,
        /// What became non-finite.
        reason: String,
    },
    /// An I/O failure, with the path.
    #[error("{path}: {message}")]
    Io {
        /// The path involved.
        path: String,
        /// The operating-system message.
        message: String,
    },
    /// Anything else that is the caller's mistake.
    #[error("{0}")]
    Invalid(String),
}

/// `Result` with the library's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(key: &str, value: impl std::fmt::Display, allowed: &str) -> Self {
        Error::InvalidParameter {
            key: key.to_string(),
            value: value.to_string(),
            allowed: allowed.to_string(),
        }
    }
}

/// The name of `known` nearest to `name` by edit distance (case-insensitive; see below),
/// when it is near enough to be a likely typo: at most a third of the longer name's length
/// (and at least 1) edits away.
pub fn nearest<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let lower = name.to_lowercase();
    known
        .into_iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|&(d, k)| d > 0 || k != name)
        .filter(|&(d, k)| d <= (name.chars().count().max(k.chars().count()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// `" (did you mean `NAME`?)"` with the nearest of `known` to `name` (see [`nearest`]), or
/// nothing when no name is near.
pub fn did_you_mean<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> String {
    nearest(name, known).map_or(String::new(), |k| format!(" (did you mean `{k}`?)"))
}

/// The edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of
/// two adjacent characters (optimal string alignment), each counting 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        before = std::mem::replace(&mut prev, row);
    }
    prev[b.len()]
}

/// Checks `lo <= x` (PyTorch's "Invalid learning rate" style checks) and that `x` is finite
/// (PyTorch lets an infinite lr or eps through; it is always a mistake).
pub fn check_min(key: &str, x: f64, lo: f64) -> Result<()> {
    if x.is_nan() || x < lo {
        return Err(Error::param(key, x, &format!("must be >= {lo}")));
    }
    if x.is_infinite() {
        return Err(Error::param(key, x, &format!("must be finite and >= {lo}")));
    }
    Ok(())
}

/// Checks `lo <= x < hi`.
pub fn check_range(key: &str, x: f64, lo: f64, hi: f64) -> Result<()> {
    if x.is_nan() || x < lo || x >= hi {
        return Err(Error::param(key, x, &format!("must be in [{lo}, {hi})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("rosenbrok", "rosenbrock"), 1);
        assert_eq!(edit_distance("spehre", "sphere"), 1);
        assert_eq!(edit_distance("irsi", "iris"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn the_nearest_name_is_suggested_only_when_near() {
        let known = crate::problems::NAMES.iter().copied();
        assert_eq!(nearest("rosenbrok", known.clone()), Some("rosenbrock"));
        assert_eq!(nearest("Sphere", known.clone()), Some("sphere"));
        assert_eq!(nearest("himmelblau2", known.clone()), Some("himmelblau"));
        assert_eq!(nearest("zzz", known.clone()), None);
        let e = Error::Unknown {
            kind: "function".into(),
            name: "spher".into(),
            known: crate::problems::NAMES.join(", "),
        };
        let msg = e.to_string();
        assert!(
            msg.starts_with("unknown function `spher` (did you mean `sphere`?); known: sphere,"),
            "{msg}"
        );
    }
}
