//! CSV loader: a header row, a target column chosen by name, optional feature columns.
//!
//! Accepts a UTF-8 byte-order mark, CRLF line ends, quoted fields and scientific notation.
//! Every error names the file, the 1-based line and the column (number and name): a cell that
//! is not a number, a NaN or infinite value, a row with the wrong number of fields, an empty
//! file, a missing target or feature column.

use std::path::Path;

use super::{infer_task, Dataset};
use crate::{Error, Float, Result};

fn parse_err(file: &str, line: u64, field: String, message: impl Into<String>) -> Error {
    Error::Parse {
        file: file.to_string(),
        line: line as usize,
        field,
        message: message.into(),
    }
}

/// Reads `path` as CSV with a header; `target` names the target column, `features` the
/// feature columns (all other columns when `None`). The task is inferred with
/// [`infer_task`].
pub fn load_csv<T: Float>(
    path: &Path,
    target: &str,
    features: Option<&[String]>,
) -> Result<Dataset<T>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: file.clone(),
        message: e.to_string(),
    })?;
    parse_csv(&file, &bytes, target, features)
}

/// Parses CSV text (with a header) already in memory; `file` is the name used in errors.
pub fn parse_csv<T: Float>(
    file: &str,
    bytes: &[u8],
    target: &str,
    features: Option<&[String]>,
) -> Result<Dataset<T>> {
    let table = read_table(file, bytes, true)?;
    let find = |name: &str, what: &str| {
        table.headers.iter().position(|h| h == name).ok_or_else(|| {
            parse_err(
                file,
                1,
                format!("column `{name}`"),
                format!(
                    "no {what} column `{name}` in the header; columns: {}",
                    table.headers.join(", ")
                ),
            )
        })
    };
    let t = find(target, "target")?;
    let cols: Vec<usize> = match features {
        Some(fs) => fs
            .iter()
            .map(|f| find(f, "feature"))
            .collect::<Result<_>>()?,
        None => (0..table.headers.len()).filter(|&j| j != t).collect(),
    };
    if cols.is_empty() {
        return Err(parse_err(
            file,
            1,
            "header".into(),
            "no feature columns besides the target",
        ));
    }
    table.into_dataset(file, &cols, t)
}

/// Reads only the named feature columns of a CSV file with a header (for prediction);
/// returns the row-major values (`rows × names.len()`).
pub fn load_features_csv<T: Float>(path: &Path, names: &[String]) -> Result<Vec<T>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let table = read_table(&file, &bytes, true)?;
    let cols: Vec<usize> = names
        .iter()
        .map(|name| {
            table.headers.iter().position(|h| h == name).ok_or_else(|| {
                parse_err(
                    &file,
                    1,
                    format!("column `{name}`"),
                    format!(
                        "the model needs feature column `{name}`; columns: {}",
                        table.headers.join(", ")
                    ),
                )
            })
        })
        .collect::<Result<_>>()?;
    let mut x = super::pages::vec_with_capacity(table.rows.len() * cols.len());
    for (line, rec) in &table.rows {
        for &j in &cols {
            x.push(T::of(table.cell(&file, *line, rec, j)?));
        }
    }
    Ok(x)
}

/// Parses headerless CSV whose last column is the target (the embedded datasets' format).
pub(crate) fn parse_plain<T: Float>(file: &str, bytes: &[u8]) -> Result<Dataset<T>> {
    let table = read_table(file, bytes, false)?;
    let t = table.headers.len() - 1;
    table.into_dataset(file, &(0..t).collect::<Vec<_>>(), t)
}

/// Raw cells of a CSV file, checked rectangular and non-empty.
struct Table {
    headers: Vec<String>,
    /// Every row's cells, with the row's 1-based line number.
    rows: Vec<(u64, csv::StringRecord)>,
}

/// Errors on a repeated column name in the header (a column selected by name would be
/// ambiguous).
fn check_unique_names(file: &str, line: u64, names: &[String]) -> Result<()> {
    for (j, name) in names.iter().enumerate() {
        if let Some(first) = names[..j].iter().position(|n| n == name) {
            return Err(parse_err(
                file,
                line,
                format!("column {} `{name}`", j + 1),
                format!("duplicate column name (also column {})", first + 1),
            ));
        }
    }
    Ok(())
}

fn read_table(file: &str, bytes: &[u8], has_header: bool) -> Result<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(parse_err(file, 1, "file".into(), "the file is empty"));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            parse_err(file, line, "row".into(), format!("malformed CSV: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        match &headers {
            None => {
                if has_header {
                    let names: Vec<String> = record.iter().map(str::to_string).collect();
                    check_unique_names(file, line, &names)?;
                    headers = Some(names);
                    continue;
                }
                headers = Some((0..record.len()).map(|j| format!("x{j}")).collect());
            }
            Some(h) if h.len() != record.len() => {
                return Err(parse_err(
                    file,
                    line,
                    format!("column {}", record.len().min(h.len()) + 1),
                    format!(
                        "ragged row: {} fields where the {} has {}",
                        record.len(),
                        if has_header { "header" } else { "first row" },
                        h.len()
                    ),
                ));
            }
            Some(_) => {}
        }
        rows.push((line, record.clone()));
    }
    let headers = headers.unwrap_or_default();
    if rows.is_empty() {
        return Err(parse_err(
            file,
            if has_header { 2 } else { 1 },
            "file".into(),
            "no data rows",
        ));
    }
    Ok(Table { headers, rows })
}

impl Table {
    fn cell(&self, file: &str, line: u64, rec: &csv::StringRecord, j: usize) -> Result<f64> {
        let s = &rec[j];
        let field = || format!("column {} (`{}`)", j + 1, self.headers[j]);
        if s.is_empty() {
            return Err(parse_err(file, line, field(), "empty cell"));
        }
        let v: f64 = s
            .parse()
            .map_err(|_| parse_err(file, line, field(), format!("`{s}` is not a number")))?;
        if v.is_nan() {
            return Err(parse_err(file, line, field(), "NaN value"));
        }
        if !v.is_finite() {
            return Err(parse_err(
                file,
                line,
                field(),
                format!("infinite value `{s}`"),
            ));
        }
        Ok(v)
    }

    fn into_dataset<T: Float>(self, file: &str, cols: &[usize], t: usize) -> Result<Dataset<T>> {
        let mut x = super::pages::vec_with_capacity(self.rows.len() * cols.len());
        let mut y = Vec::with_capacity(self.rows.len());
        for (line, rec) in &self.rows {
            for &j in cols {
                x.push(T::of(self.cell(file, *line, rec, j)?));
            }
            y.push(self.cell(file, *line, rec, t)?);
        }
        let task = infer_task(&y);
        let mut ds = Dataset::new(x, y.iter().map(|&v| T::of(v)).collect(), cols.len(), task)?;
        ds.feature_names = cols.iter().map(|&j| self.headers[j].clone()).collect();
        Ok(ds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Dataset<f64>> {
        parse_csv("t.csv", text.as_bytes(), "y", None)
    }

    fn err_text(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_bom_crlf_quotes_and_exponents() {
        let ds = parse("\u{feff}a,\"y\",b\r\n1e-3,1,\"2.5\"\r\n-4E2,0,3\r\n").unwrap();
        assert_eq!(ds.n(), 2);
        assert_eq!(ds.d(), 2);
        assert_eq!(ds.x(), &[1e-3, 2.5, -400.0, 3.0]);
        assert_eq!(ds.y(), &[1.0, 0.0]);
        assert_eq!(ds.feature_names, vec!["a", "b"]);
    }

    #[test]
    fn selects_features_by_name() {
        let f = vec!["b".to_string()];
        let ds = parse_csv::<f32>("t.csv", b"a,y,b\n1,2,3\n", "y", Some(&f)).unwrap();
        assert_eq!(ds.x(), &[3.0]);
        let bad = vec!["zz".to_string()];
        let e = parse_csv::<f32>("t.csv", b"a,y,b\n1,2,3\n", "y", Some(&bad)).unwrap_err();
        assert!(e.to_string().contains("zz"), "{e}");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        assert_eq!(
            err_text("a,y\n1,2\n3,abc\n"),
            "t.csv:3: column 2 (`y`): `abc` is not a number"
        );
        assert_eq!(
            err_text("a,y\n1,2\n3,4,5\n"),
            "t.csv:3: column 3: ragged row: 3 fields where the header has 2"
        );
        assert_eq!(
            err_text("a,y\n1,NaN\n"),
            "t.csv:2: column 2 (`y`): NaN value"
        );
        assert_eq!(err_text(""), "t.csv:1: file: the file is empty");
        assert_eq!(err_text("a,y\n"), "t.csv:2: file: no data rows");
        assert!(err_text("a,b\n1,2\n").starts_with("t.csv:1: column `y`: no target column"));
        assert_eq!(err_text("a,y\n,2\n"), "t.csv:2: column 1 (`a`): empty cell");
    }

    #[test]
    fn infers_classification_from_small_integer_targets() {
        let ds = parse("a,y\n1,0\n2,2\n").unwrap();
        assert_eq!(ds.classes(), Some(3));
        let ds = parse("a,y\n1,0.5\n2,2\n").unwrap();
        assert_eq!(ds.classes(), None);
    }
}
