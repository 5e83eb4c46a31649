//! A `[problem]` given as residuals: `residuals = ["…", …]` formulas in the `vars`, or a model
//! fitted to the rows of a CSV file (`model`, `params`, `data`, `x_columns`, `y_column`).
//! Either way the objective is `f(x) = ½‖r(x)‖²` ([`crate::lsq::LeastSquares`]), with the
//! Jacobian of `r` from reverse-mode AD; `lm` works on `r` itself, any other method on `f`.
//!
//! ```
//! let toml = "[problem]\nresiduals = [\"x - 1\", \"10*(y - x^2)\"]\nvars = [\"x\", \"y\"]\n\
//!             x0 = [-1.2, 1.0]\n[optimizer]\nname = \"lm\"\n[run]\nsteps = 100\n";
//! let v = downhill::spec::execute("run", toml, "c.toml").unwrap();
//! assert_eq!(v["status"], "converged");
//! assert!((v["x"][0].as_f64().unwrap() - 1.0).abs() < 1e-9);
//! let e = downhill::spec::execute("run", &toml.replace("\"x - 1\"", "\"x -\""), "c.toml");
//! assert!(e.unwrap_err().to_string().starts_with("c.toml:2:1: [problem] key `residuals`"));
//! ```

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::ConfigDoc;
use crate::expr::Expr;
use crate::lsq::LeastSquares;
use crate::Error;

/// The `[problem]` keys of a least-squares problem, as written.
#[derive(Debug, Clone, Default)]
pub struct LsqKeys {
    /// `residuals`: formulas in `vars`.
    pub residuals: Option<Vec<String>>,
    /// `model`: a formula in `params` and the `x_columns`.
    pub model: Option<String>,
    /// `params`: the model's parameters, in the order of `x0`.
    pub params: Option<Vec<String>>,
    /// `data`: a CSV file with a header, relative to the config file.
    pub data: Option<String>,
    /// `x_columns`: the model's independent variables (default: every column but `y_column`).
    pub x_columns: Option<Vec<String>>,
    /// `y_column`: the observations.
    pub y_column: Option<String>,
}

impl LsqKeys {
    /// Whether any key of a least-squares problem is given.
    pub fn any(&self) -> bool {
        self.residuals.is_some()
            || self.model.is_some()
            || self.params.is_some()
            || self.data.is_some()
            || self.x_columns.is_some()
            || self.y_column.is_some()
    }
}

/// Where the residuals come from (what the JSON result echoes).
#[derive(Debug, Clone, PartialEq)]
pub enum LsqSource {
    /// `residuals` in `vars`.
    Formulas {
        /// The variables, in the order of `x0`.
        vars: Vec<String>,
        /// The residual formulas.
        residuals: Vec<String>,
    },
    /// `model` fitted to `data`.
    Data {
        /// The model formula.
        model: String,
        /// Its parameters, in the order of `x0`.
        params: Vec<String>,
        /// The CSV file as written in the config.
        data: String,
        /// The independent-variable columns.
        x_columns: Vec<String>,
        /// The observation column.
        y_column: String,
        /// The data points read.
        rows: usize,
    },
}

/// A checked least-squares problem: the objective and where it came from.
#[derive(Debug, Clone)]
pub struct LsqProblem {
    /// `f = ½‖r‖²`, its residuals and their AD Jacobian.
    pub objective: LeastSquares,
    /// The keys it was built from.
    pub source: LsqSource,
    label: String,
}

impl LsqProblem {
    /// What to call the problem in messages and plots.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The parameter names, in the order of `x` (`vars` or `params`).
    pub fn names(&self) -> &[String] {
        match &self.source {
            LsqSource::Formulas { vars, .. } => vars,
            LsqSource::Data { params, .. } => params,
        }
    }

    /// Adds the problem's keys to a JSON result object (`residuals` and `vars`, or `model`,
    /// `params`, `data`, `x_columns`, `y_column` and `rows`).
    pub fn insert_json(&self, o: &mut Map<String, Value>) {
        match &self.source {
            LsqSource::Formulas { vars, residuals } => {
                o.insert("vars".into(), json!(vars));
                o.insert("residuals".into(), json!(residuals));
            }
            LsqSource::Data {
                model,
                params,
                data,
                x_columns,
                y_column,
                rows,
            } => {
                o.insert("model".into(), json!(model));
                o.insert("params".into(), json!(params));
                o.insert("data".into(), json!(data));
                o.insert("x_columns".into(), json!(x_columns));
                o.insert("y_column".into(), json!(y_column));
                o.insert("rows".into(), json!(rows));
            }
        }
    }
}

/// The path of a data file named in config `file`: relative paths are relative to the
/// directory holding the config.
pub fn data_path(file: &str, data: impl AsRef<Path>) -> PathBuf {
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    dir.join(data)
}

/// Builds the least-squares problem of `[problem]` (`k` its keys, `vars` its `vars`, `dim`
/// the length of `x0`); errors name the key at its line and column.
pub fn build(
    doc: &ConfigDoc<'_>,
    k: &LsqKeys,
    vars: Option<&[String]>,
    dim: usize,
) -> Result<LsqProblem, Error> {
    let keys = doc.keys("problem");
    let bad = |key: &str, value: &dyn std::fmt::Display, why: &str| {
        doc.invalid_value("problem", &keys, &Error::param(key, value, why))
    };
    match (&k.residuals, &k.model) {
        (Some(_), Some(m)) => Err(bad(
            "model",
            m,
            "`residuals` and `model` exclude each other; give one",
        )),
        (None, None) => {
            let key = [
                ("params", k.params.is_some()),
                ("data", k.data.is_some()),
                ("x_columns", k.x_columns.is_some()),
            ]
            .iter()
            .find(|(_, given)| *given)
            .map_or("y_column", |(key, _)| key);
            Err(bad(
                key,
                &"given",
                "goes with `model` (a formula fitted to the data); add `model` or remove it",
            ))
        }
        (Some(r), None) => {
            for (key, given) in [
                ("params", k.params.is_some()),
                ("data", k.data.is_some()),
                ("x_columns", k.x_columns.is_some()),
                ("y_column", k.y_column.is_some()),
            ] {
                if given {
                    return Err(bad(
                        key,
                        &"given",
                        "goes with `model`, not with `residuals`",
                    ));
                }
            }
            formulas(doc, r, vars, dim, &bad)
        }
        (None, Some(m)) => {
            if vars.is_some() {
                return Err(bad(
                    "vars",
                    &"given",
                    "a model names its parameters in `params` (and its variables are the \
                     `x_columns`); remove `vars`",
                ));
            }
            fit(doc, k, m, dim, &bad)
        }
    }
}

type Bad<'a> = dyn Fn(&str, &dyn std::fmt::Display, &str) -> Error + 'a;

fn formulas(
    doc: &ConfigDoc<'_>,
    r: &[String],
    vars: Option<&[String]>,
    dim: usize,
    bad: &Bad<'_>,
) -> Result<LsqProblem, Error> {
    let Some(vars) = vars else {
        return Err(bad(
            "residuals",
            &"given",
            "needs `vars`, the variable names in the order of `x0` (e.g. vars = [\"x\", \"y\"])",
        ));
    };
    if r.is_empty() {
        return Err(bad(
            "residuals",
            &"[]",
            "needs at least one residual formula",
        ));
    }
    if vars.len() != dim {
        return Err(bad(
            "x0",
            &format!("{dim} values"),
            &format!("one per variable of `vars` ({})", vars.join(", ")),
        ));
    }
    let exprs = r
        .iter()
        .enumerate()
        .map(|(i, src)| {
            Expr::parse(src, vars)
                .map_err(|e| bad(&format!("residuals[{i}]"), &src, &e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let objective = LeastSquares::from_formulas(exprs)
        .map_err(|e| doc.invalid_value("problem", &doc.keys("problem"), &e))?;
    Ok(LsqProblem {
        objective,
        label: format!(
            "least squares: {} residuals in {}",
            r.len(),
            vars.join(", ")
        ),
        source: LsqSource::Formulas {
            vars: vars.to_vec(),
            residuals: r.to_vec(),
        },
    })
}

fn fit(
    doc: &ConfigDoc<'_>,
    k: &LsqKeys,
    model: &str,
    dim: usize,
    bad: &Bad<'_>,
) -> Result<LsqProblem, Error> {
    // A missing key is reported at `model`, the key that asks for it.
    let need = |key: &str, what: &str| {
        let at = doc.keys("problem").find("model").map(|a| a..a);
        let msg = format!("missing key `{key}`: a model needs {what}");
        doc.error_at("problem", &super::Keys::default(), at, &msg)
    };
    let params = k.params.as_ref().ok_or_else(|| {
        need(
            "params",
            "`params`, its parameter names in the order of `x0`",
        )
    })?;
    let data = k
        .data
        .as_ref()
        .ok_or_else(|| need("data", "`data`, a CSV file with a header"))?;
    let y_column = k
        .y_column
        .as_ref()
        .ok_or_else(|| need("y_column", "`y_column`, the column of observations"))?;
    if params.is_empty() {
        return Err(bad("params", &"[]", "needs at least one parameter"));
    }
    if params.len() != dim {
        return Err(bad(
            "x0",
            &format!("{dim} values"),
            &format!("one per parameter of `params` ({})", params.join(", ")),
        ));
    }
    if k.x_columns.as_ref().is_some_and(Vec::is_empty) {
        return Err(bad("x_columns", &"[]", "needs at least one column"));
    }
    let path = data_path(&doc.file, data);
    let shown = path.display().to_string();
    let bytes =
        std::fs::read(&path).map_err(|e| bad("data", &shown, &format!("cannot read: {e}")))?;
    let table =
        crate::data::csv::parse_csv::<f64>(&shown, &bytes, y_column, k.x_columns.as_deref())
            .map_err(|e| {
                let key = match &e {
                    Error::Parse { field, .. } if *field == format!("column `{y_column}`") => {
                        "y_column"
                    }
                    Error::Parse { field, .. } if field.starts_with("column `") => "x_columns",
                    _ => "data",
                };
                bad(key, &shown, &e.to_string())
            })?;
    let x_columns: Vec<String> = match &k.x_columns {
        Some(c) => c.clone(),
        None => table.feature_names.clone(),
    };
    let mut vars = params.clone();
    vars.extend(x_columns.iter().cloned());
    let expr = Expr::parse(model, &vars).map_err(|e| bad("model", &model, &e.to_string()))?;
    let rows = table.n();
    let objective =
        LeastSquares::curve_fit(expr, params.len(), table.x().to_vec(), table.y().to_vec())
            .map_err(|e| doc.invalid_value("problem", &doc.keys("problem"), &e))?;
    Ok(LsqProblem {
        objective,
        label: format!("{y_column} = {model} ({rows} points of {data})"),
        source: LsqSource::Data {
            model: model.to_string(),
            params: params.clone(),
            data: data.clone(),
            x_columns,
            y_column: y_column.clone(),
            rows,
        },
    })
}
