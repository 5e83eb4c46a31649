//! Checks of names and lengths that a config's deserialisation cannot make: a built-in
//! function or dataset that exists (else the nearest name, from the registries'
//! own lists: [`crate::problems::NAMES`], [`crate::data::BUILTIN_NAMES`]) and an `x0` of a
//! length the problem takes — each error located at its key.

use super::ConfigDoc;
use crate::Error;

/// Checks that `[problem] function` names a built-in (else an error at the key with the
/// nearest name) and that `x0` has a length it accepts (else an error at `x0`).
pub(super) fn builtin(doc: &ConfigDoc<'_>, name: &str, x0: &[f64]) -> Result<(), Error> {
    let f = crate::problems::by_name::<f64>(name)
        .map_err(|e| doc.key_error("problem", "function", e))?;
    if crate::problems::check_dim(f.as_ref(), name, x0.len()).is_ok() {
        return Ok(());
    }
    match f.dim() {
        Some(d) => x0_len(doc, x0, d, d, &format!("`{name}` is {d}-dimensional")),
        None => {
            // rosenbrock needs two coordinates; every other n-dimensional function one
            let min = (1..=x0.len().max(2))
                .find(|&n| crate::problems::check_dim(f.as_ref(), name, n).is_ok())
                .unwrap_or(2);
            let unit = if min == 1 { "value" } else { "values" };
            let what = format!("`{name}` takes at least {min} {unit}");
            x0_len(doc, x0, min, usize::MAX, &what)
        }
    }
}

/// Errors at `[problem] x0` unless it has between `lo` and `hi` values, suggesting `x0`
/// cut or padded with zeros to the nearest allowed length.
pub(super) fn x0_len(
    doc: &ConfigDoc<'_>,
    x0: &[f64],
    lo: usize,
    hi: usize,
    what: &str,
) -> Result<(), Error> {
    let n = x0.len();
    if (lo..=hi).contains(&n) {
        return Ok(());
    }
    let mut fix = x0.to_vec();
    fix.resize(n.clamp(lo, hi), 0.0);
    let shown: Vec<String> = fix.iter().map(|v| format!("{v:?}")).collect();
    let plural = if n == 1 { "value" } else { "values" };
    Err(doc.key_error(
        "problem",
        "x0",
        format!(
            "x0 has {n} {plural}, but {what} (did you mean x0 = [{}]?)",
            shown.join(", ")
        ),
    ))
}

/// Checks that `[data] source` is `csv`, `npy` or a built-in dataset (else an error at the
/// key with the nearest name).
pub(super) fn dataset(doc: &ConfigDoc<'_>, source: &str) -> Result<(), Error> {
    let builtin = crate::data::BUILTIN_NAMES;
    if source == "csv" || source == "npy" || builtin.contains(&source) {
        return Ok(());
    }
    let known: Vec<&str> = ["csv", "npy"].iter().chain(builtin).copied().collect();
    let e = Error::Unknown {
        kind: "dataset".into(),
        name: source.into(),
        known: known.join(", "),
    };
    Err(doc.key_error("data", "source", e))
}

#[cfg(test)]
mod tests {
    fn run(problem: &str) -> String {
        let raw = format!(
            "[problem]\n{problem}\n[optimizer]\nname = \"sgd\"\nlr = 0.1\n[run]\nsteps = 1\n"
        );
        match crate::spec::run::parse("dir/c.toml", &raw) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn an_unknown_function_is_named_at_its_key_with_the_nearest_name() {
        let e = run("function = \"rosenbrok\"\nx0 = [1.0, 2.0]");
        assert!(
            e.starts_with(
                "dir/c.toml:2:1: [problem] key `function`: unknown function `rosenbrok` \
                 (did you mean `rosenbrock`?); known: sphere,"
            ),
            "{e}"
        );
    }

    #[test]
    fn an_x0_of_the_wrong_length_is_named_at_its_key_with_a_fix() {
        let e = run("function = \"beale\"\nx0 = [1.0, 2.0, 3.0]");
        assert_eq!(
            e,
            "dir/c.toml:3:1: [problem] key `x0`: x0 has 3 values, but `beale` is 2-dimensional \
             (did you mean x0 = [1.0, 2.0]?)"
        );
        let e = run("x0 = [0.5]\nfunction = \"rosenbrock\"");
        assert_eq!(
            e,
            "dir/c.toml:2:1: [problem] key `x0`: x0 has 1 value, but `rosenbrock` takes at \
             least 2 values (did you mean x0 = [0.5, 0.0]?)"
        );
        let e = run("expression = \"x^2 + y^2\"\nvars = [\"x\", \"y\"]\nx0 = [1.0]");
        assert!(
            e.starts_with(
                "dir/c.toml:4:1: [problem] key `x0`: x0 has 1 value, but 2 variables (x, y)"
            ),
            "{e}"
        );
        assert_eq!(run("function = \"sphere\"\nx0 = [1.0, 2.0, 3.0]"), "");
    }

    #[test]
    fn an_unknown_dataset_is_named_at_its_key_with_the_nearest_name() {
        let raw = "[data]\nsource = \"irsi\"\n[model]\nkind = \"linear\"\n\
                   [optimizer]\nname = \"sgd\"\nlr = 0.1\n";
        let e = crate::spec::train::parse("t.toml", raw)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.toml:2:1: [data] key `source`: unknown dataset `irsi` (did you mean"),
            "{e}"
        );
        assert!(e.contains("known: csv, npy, "), "{e}");
    }
}
