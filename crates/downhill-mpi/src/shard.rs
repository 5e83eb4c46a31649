//! Reading one rank's slice of a CSV file (`shard = true`): rows `part(n, K, rank)` of the data
//! rows, parsed and checked; the other rows are only counted.

use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::path::Path;

use downhill::{Error, Result};

/// Rows of a CSV file: features (row-major) and the target column.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// Feature column names, in file order (every column but the target).
    pub features: Vec<String>,
    /// `rows × features.len()` values, row-major.
    pub x: Vec<f64>,
    /// The target of each row.
    pub y: Vec<f64>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn lines(path: &Path) -> Result<impl Iterator<Item = (usize, Result<String>)> + '_> {
    let f = std::fs::File::open(path).map_err(|e| io(path, e))?;
    Ok(BufReader::new(f)
        .lines()
        .enumerate()
        .map(move |(i, l)| (i + 1, l.map_err(|e| io(path, e))))
        .filter(|(_, l)| l.as_ref().map_or(true, |s| !s.trim().is_empty())))
}

/// Number of data rows (non-blank lines after the header) of a CSV file.
pub fn count_rows(path: &Path) -> Result<usize> {
    let mut n = 0usize;
    for (_, l) in lines(path)? {
        l?;
        n += 1;
    }
    Ok(n.saturating_sub(1))
}

/// Reads data rows `rows` (0-based, header excluded) of the CSV file `path`, with the column
/// named `target` as the target and every other column as a feature. Errors name the file, the
/// line and the column: a missing target column, a ragged row, a cell that is not a finite
/// number, or a file with fewer rows than asked for.
pub fn read_rows(path: &Path, target: &str, rows: Range<usize>) -> Result<Rows> {
    let file = path.display().to_string();
    let parse_err = |line: usize, field: &str, message: String| Error::Parse {
        file: file.clone(),
        line,
        field: field.to_string(),
        message,
    };
    let mut it = lines(path)?;
    let Some((hline, header)) = it.next() else {
        return Err(parse_err(1, "header", "empty file".into()));
    };
    let names: Vec<String> = header?.split(',').map(|s| s.trim().to_string()).collect();
    let Some(t) = names.iter().position(|n| n == target) else {
        return Err(parse_err(
            hline,
            target,
            format!("no column named `{target}` (columns: {})", names.join(", ")),
        ));
    };
    let features: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != t)
        .map(|(_, n)| n.clone())
        .collect();
    let mut out = Rows {
        features,
        x: Vec::with_capacity(rows.len() * (names.len() - 1)),
        y: Vec::with_capacity(rows.len()),
    };
    let mut seen = 0usize;
    for (line, text) in it.skip(rows.start).take(rows.len()) {
        let text = text?;
        let cells: Vec<&str> = text.split(',').collect();
        if cells.len() != names.len() {
            return Err(parse_err(
                line,
                "row",
                format!("{} cells, header has {}", cells.len(), names.len()),
            ));
        }
        for (j, cell) in cells.iter().enumerate() {
            let v: f64 = cell.trim().parse().map_err(|_| {
                parse_err(
                    line,
                    &format!("column {} `{}`", j + 1, names[j]),
                    format!("`{}` is not a number", cell.trim()),
                )
            })?;
            if !v.is_finite() {
                return Err(parse_err(
                    line,
                    &format!("column {} `{}`", j + 1, names[j]),
                    format!("`{}` is not finite", cell.trim()),
                ));
            }
            if j == t {
                out.y.push(v);
            } else {
                out.x.push(v);
            }
        }
        seen += 1;
    }
    if seen < rows.len() {
        return Err(parse_err(
            0,
            "rows",
            format!(
                "expected rows {}..{}, file has {}",
                rows.start,
                rows.end,
                rows.start + seen
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str, body: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("downhill-mpi-shard-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reads_only_the_slice_and_names_bad_cells() {
        let p = tmp("a.csv", "x1,y,x2\n1,2,3\n4,5,6\n7,oops,9\n\n");
        assert_eq!(count_rows(&p).unwrap(), 3);
        let r = read_rows(&p, "y", 0..2).unwrap();
        assert_eq!(r.features, ["x1", "x2"]);
        assert_eq!(r.x, [1.0, 3.0, 4.0, 6.0]);
        assert_eq!(r.y, [2.0, 5.0]);
        let e = read_rows(&p, "y", 2..3).unwrap_err().to_string();
        assert!(
            e.contains("a.csv:4") && e.contains("`y`") && e.contains("oops"),
            "{e}"
        );
        let e = read_rows(&p, "target", 0..1).unwrap_err().to_string();
        assert!(e.contains("no column named `target`"), "{e}");
        let q = tmp("b.csv", "a,y\n1,2\n3\n");
        let e = read_rows(&q, "y", 0..2).unwrap_err().to_string();
        assert!(e.contains("b.csv:3") && e.contains("1 cells"), "{e}");
        let e = read_rows(&q, "y", 0..5).unwrap_err().to_string();
        assert!(e.contains("ragged") || e.contains("cells"), "{e}");
        let z = tmp("c.csv", "a,y\n1,NaN\n");
        assert!(read_rows(&z, "y", 0..1)
            .unwrap_err()
            .to_string()
            .contains("not finite"));
    }
}
