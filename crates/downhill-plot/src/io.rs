//! Atomic writes: a temporary file beside the target, then a rename over it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A temporary path in the target's directory, keeping the target's extension (image encoders
/// choose the format by extension).
pub(crate) fn temp_beside(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a file path", path.display())))?;
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = format!(
        ".{}.tmp-{}-{n}{}",
        name.to_string_lossy(),
        std::process::id(),
        ext
    );
    Ok(path.with_file_name(tmp))
}

/// Moves a finished temporary file over `path`; removes the temporary on failure.
pub(crate) fn commit(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::rename(tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(tmp);
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_beside(path)?;
    std::fs::write(&tmp, bytes).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    commit(&tmp, path)
}

/// Runs `draw` to produce the file `tmp` (a backend writing by path), then commits it to `path`.
pub(crate) fn with_temp(path: &Path, draw: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = temp_beside(path)?;
    match draw(&tmp) {
        Ok(()) if tmp.exists() => commit(&tmp, path),
        Ok(()) => Err(Error::Draw(format!(
            "{}: nothing was written",
            path.display()
        ))),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
