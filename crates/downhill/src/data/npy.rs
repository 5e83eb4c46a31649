//! NumPy `.npy` loader (through the `npyz` crate): a 2-D feature array and a 1-D target
//! array, `float32` or `float64`, C order. Other dtypes, Fortran order or wrong ranks are
//! errors naming the file.

use std::path::Path;

use npyz::{NpyFile, Order, WriterBuilder};

use super::{infer_task, Dataset};
use crate::{Error, Float, Result};

fn npy_err(file: &str, message: impl Into<String>) -> Error {
    Error::Parse {
        file: file.to_string(),
        line: 0,
        field: "npy".into(),
        message: message.into(),
    }
}

/// Checks the header before the header parser sees it and returns where the data starts.
///
/// Refuses a header length beyond the end of the file (found by fuzzing: a 29-byte file whose
/// version-3 header claimed 4 GB made the parser allocate that much up front), and a header
/// that is not one flat dict with at most one tuple (the only shape a plain float32/float64
/// array has): nested brackets make that parser backtrack exponentially (found by fuzzing:
/// 18 `{` took > 10 s).
fn check_header_shape(file: &str, bytes: &[u8]) -> Result<Option<usize>> {
    let (len, start): (usize, usize) = match (bytes.get(6), bytes.get(8..10), bytes.get(8..12)) {
        (Some(1), Some(l), _) => (usize::from(u16::from_le_bytes([l[0], l[1]])), 10),
        (Some(2 | 3), _, Some(l)) => (u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize, 12),
        _ => return Ok(None), // left to the parser's own error
    };
    let Some(header) = bytes.get(start..start.saturating_add(len)) else {
        return Err(npy_err(
            file,
            format!(
                "truncated .npy file: the header claims {len} bytes, the file has {}",
                bytes.len()
            ),
        ));
    };
    let count = |c: u8| header.iter().filter(|&&b| b == c).count();
    if count(b'{') > 1 || count(b'}') > 1 || count(b'(') > 1 || count(b'[') > 0 {
        return Err(npy_err(
            file,
            "malformed or unsupported .npy header (only plain float32/float64 arrays are read)",
        ));
    }
    check_shape_product(file, header)?;
    Ok(Some(start + len))
}

/// Refuses a `shape` tuple whose element count overflows 64 bits before the header parser
/// multiplies it out (found by fuzzing: `(7004007532, 4104137832800, 2)` overflowed `u64` in
/// npyz's `shape.iter().product()` — a panic in builds with overflow checks, a wrapped count
/// otherwise). Zeros count as ones: npyz also multiplies the dimensions after (C order) or
/// before (Fortran order) each one for its strides, and `(0, 20000003766, 4104137832870, 2)`
/// overflowed there (found by fuzzing too). Only plain decimal entries, as numpy writes them,
/// are accepted (Python 2's `4L` is not).
fn check_shape_product(file: &str, header: &[u8]) -> Result<()> {
    let Some(open) = header.iter().position(|&b| b == b'(') else {
        return Ok(());
    };
    let Some(close) = header[open..].iter().position(|&b| b == b')') else {
        return Ok(());
    };
    let Ok(tuple) = std::str::from_utf8(&header[open + 1..open + close]) else {
        return Err(npy_err(
            file,
            "malformed .npy header: the shape is not text",
        ));
    };
    let mut product: u64 = 1;
    for dim in tuple.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        // numpy writes plain decimal integers; anything else (`0x…`, `1_000`, `2L`) could
        // reach the parser's unchecked products without this check seeing its value.
        let Ok(d) = dim.parse::<u64>() else {
            return Err(npy_err(
                file,
                format!("malformed or unsupported .npy header: shape entry `{dim}` is not a plain integer"),
            ));
        };
        product = product.checked_mul(d.max(1)).ok_or_else(|| {
            npy_err(
                file,
                format!(
                    "malformed .npy header: the shape ({tuple}) overflows 64 bits (its non-zero \
                     dimensions multiply to more than 2^64)"
                ),
            )
        })?;
    }
    Ok(())
}

/// Reads an array of f32 or f64 from `.npy` bytes; returns (shape, values as f64).
pub fn read_npy(file: &str, bytes: &[u8]) -> Result<(Vec<usize>, Vec<f64>)> {
    let data_start = check_header_shape(file, bytes)?;
    let npy =
        NpyFile::new(bytes).map_err(|e| npy_err(file, format!("not a valid .npy file: {e}")))?;
    if npy.order() != Order::C && npy.shape().len() > 1 {
        return Err(npy_err(
            file,
            "Fortran-order arrays are not supported; save with C order",
        ));
    }
    let shape: Vec<usize> = npy.shape().iter().map(|&s| s as usize).collect();
    let dtype = match npy.dtype() {
        npyz::DType::Plain(ts) => ts.to_string(),
        other => {
            return Err(npy_err(
                file,
                format!("dtype {other:?} is not supported; expected float32 or float64"),
            ))
        }
    };
    // The payload must hold every value the shape promises before anything is allocated
    // for them (a header may claim 10¹⁸ values in a 100-byte file).
    let item = match &dtype[1..] {
        "f8" => 8,
        "f4" => 4,
        _ => 1,
    };
    let want = shape
        .iter()
        .try_fold(item, |acc: usize, &s| acc.checked_mul(s));
    let have = bytes.len() - data_start.unwrap_or(bytes.len()).min(bytes.len());
    if want.is_none_or(|w| w > have) {
        return Err(npy_err(
            file,
            format!("truncated .npy file: shape {shape:?} of {dtype} needs more than the {have} data bytes present"),
        ));
    }
    let values: Vec<f64> = match &dtype[1..] {
        "f8" => npy.into_vec::<f64>(),
        "f4" => npy
            .into_vec::<f32>()
            .map(|v| v.into_iter().map(f64::from).collect()),
        _ => {
            return Err(npy_err(
                file,
                format!(
                    "dtype `{dtype}` is not supported; expected float32 (<f4) or float64 (<f8)"
                ),
            ))
        }
    }
    .map_err(|e| npy_err(file, format!("cannot read the data: {e}")))?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(npy_err(file, format!("non-finite value at flat index {i}")));
    }
    Ok((shape, values))
}

fn read_path(path: &Path) -> Result<(String, Vec<u8>)> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: file.clone(),
        message: e.to_string(),
    })?;
    Ok((file, bytes))
}

/// Loads features (`n × d`, from `features`) and targets (`n`, from `targets`).
pub fn load_npy<T: Float>(features: &Path, targets: &Path) -> Result<Dataset<T>> {
    let (xf, xb) = read_path(features)?;
    let (yf, yb) = read_path(targets)?;
    let (xs, x) = read_npy(&xf, &xb)?;
    let (ys, y) = read_npy(&yf, &yb)?;
    if xs.len() != 2 {
        return Err(npy_err(
            &xf,
            format!("features must be 2-D, got shape {xs:?}"),
        ));
    }
    let flat_ok = ys.len() == 1 || (ys.len() == 2 && ys[1] == 1);
    if !flat_ok || ys[0] != xs[0] {
        return Err(npy_err(
            &yf,
            format!("targets must have shape ({},), got {ys:?}", xs[0]),
        ));
    }
    let task = infer_task(&y);
    let mut xt = super::pages::vec_with_capacity(x.len());
    xt.extend(x.into_iter().map(T::of));
    Dataset::new(xt, y.into_iter().map(T::of).collect(), xs[1], task)
}

/// Writes a C-order float64 `.npy` array of `shape` (used by tests and examples), atomically
/// through [`crate::io::write_atomic_with`].
pub fn write_npy_f64(path: &Path, shape: &[usize], data: &[f64]) -> Result<()> {
    let shape: Vec<u64> = shape.iter().map(|&s| s as u64).collect();
    crate::io::write_atomic_with(path, |file| {
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&shape)
            .writer(file)
            .begin_nd()?;
        w.extend(data.iter().copied())?;
        w.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_shapes() {
        let dir = std::env::temp_dir().join(format!("downhill-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (x, y) = (dir.join("x.npy"), dir.join("y.npy"));
        write_npy_f64(&x, &[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        write_npy_f64(&y, &[3], &[0.5, 1.5, 2.5]).unwrap();
        let ds = load_npy::<f32>(&x, &y).unwrap();
        assert_eq!((ds.n(), ds.d()), (3, 2));
        assert_eq!(ds.row(2), &[5.0, 6.0]);
        assert_eq!(ds.y(), &[0.5, 1.5, 2.5]);
        let e = load_npy::<f64>(&y, &y).unwrap_err().to_string();
        assert!(e.contains("must be 2-D"), "{e}");
        std::fs::write(dir.join("bad.npy"), b"not npy").unwrap();
        let e = load_npy::<f64>(&dir.join("bad.npy"), &y)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad.npy") && e.contains("not a valid .npy"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn rejects_integer_dtype() {
        let mut buf = Vec::new();
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[2])
            .writer(&mut buf)
            .begin_nd()
            .unwrap();
        w.extend([1i64, 2]).unwrap();
        w.finish().unwrap();
        let e = read_npy("i.npy", &buf).unwrap_err().to_string();
        assert!(e.contains("i.npy") && e.contains("<i8"), "{e}");
    }
}
