//! The one writer of files.
//!
//! Every file Downhill writes — checkpoints, saved models, predictions, figures, tour pages,
//! `--json` files — goes through [`write_atomic`] or its streaming form [`write_atomic_with`]:
//! the bytes go to a temporary file created beside the target (same directory, so the final
//! rename never crosses a file system), which is flushed, `fsync`ed and then renamed over the
//! target (`tempfile`'s `NamedTempFile::persist`); the directory is `fsync`ed after the rename.
//! A reader therefore sees the old file or the new one, never a torn one, and a failure at any
//! point removes the temporary file and leaves the target as it was. Errors are
//! [`Error::Io`] naming the target path.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("downhill-io-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("hello.txt");
//! downhill::io::write_atomic(&path, b"hello\n")?;
//! downhill::io::write_atomic_with(&path, |w| writeln!(w, "hello again"))?;
//! assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello again\n");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), downhill::Error>(())
//! ```

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically (see the [module docs](self)).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes the file `path` atomically from what `write` streams into the writer it is given
/// (buffered; `write` need not flush). An error from `write` aborts the write: the temporary
/// file is removed and the target is left untouched.
pub fn write_atomic_with<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let name = path.file_name();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The message names the target, never the temporary file (tempfile's errors end in
    // "at path <temporary>"), and says when the folder itself is missing.
    let fail = |e: std::io::Error| {
        let text = e.to_string();
        let plain = text.split(" at path ").next().unwrap_or(&text);
        let message = if e.kind() == std::io::ErrorKind::NotFound && !dir.is_dir() {
            format!("cannot write: the folder {} does not exist", dir.display())
        } else {
            format!("cannot write: {plain}")
        };
        Error::Io {
            path: path.display().to_string(),
            message,
        }
    };
    let name = name.ok_or_else(|| fail(std::io::Error::other("not a file path")))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        // As `std::fs::write` creates files: 0o666 less the umask (tempfile's default is 0o600).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // From here on, dropping `tmp` (on any early return) deletes the temporary file.
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        write(&mut w).map_err(fail)?;
        w.flush().map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    // A failed persist hands the temporary back inside the error, which deletes it on drop.
    tmp.persist(path).map_err(|e| fail(e.error))?;
    // Make the rename itself durable; not every platform or file system can sync a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("downhill-io-{}-{name}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failure_names_the_target_not_the_temporary_file() {
        let dir = scratch("fail");
        let target = dir.join("missing").join("fig.svg");
        let e = write_atomic(&target, b"x").unwrap_err().to_string();
        assert!(e.starts_with(&target.display().to_string()), "{e}");
        assert!(e.contains("does not exist") && !e.contains(".tmp"), "{e}");
        // A target that is a directory: the rename fails.
        let sub = dir.join("sub");
        std::fs::create_dir_all(sub.join("x")).unwrap();
        let e = write_atomic(&sub, b"x").unwrap_err().to_string();
        assert!(e.starts_with(&sub.display().to_string()), "{e}");
        assert!(!e.contains(".tmp"), "{e}");
        assert_eq!(entries(&dir), ["sub"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writes_and_replaces_the_content() {
        let dir = scratch("content");
        let p = dir.join("a.txt");
        write_atomic(&p, b"first").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        write_atomic_with(&p, |w| {
            w.write_all(b"sec")?;
            w.write_all(b"ond")
        })
        .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert_eq!(entries(&dir), ["a.txt"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let a = dir.join("atomic");
        let b = dir.join("plain");
        write_atomic(&a, b"x").unwrap();
        std::fs::write(&b, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&a), mode(&b));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_temporary_is_left_when_persist_fails() {
        let dir = scratch("persist");
        // The target is a non-empty directory: the rename over it must fail.
        let target = dir.join("taken");
        std::fs::create_dir_all(target.join("inside")).unwrap();
        let e = write_atomic(&target, b"data").unwrap_err();
        assert!(
            matches!(&e, Error::Io { path, .. } if path == &target.display().to_string()),
            "{e}"
        );
        assert_eq!(entries(&dir), ["taken"]);
        assert_eq!(entries(&target), ["inside"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_temporary_is_left_when_the_writer_fails() {
        let dir = scratch("writer");
        let p = dir.join("kept.txt");
        write_atomic(&p, b"old").unwrap();
        let e = write_atomic_with(&p, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("encoder gave up"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("encoder gave up"), "{e}");
        assert!(e.to_string().contains("kept.txt"), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(entries(&dir), ["kept.txt"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_parent_is_an_error_naming_the_path() {
        let dir = scratch("parent");
        let p = dir.join("no-such-dir").join("a.svg");
        let e = write_atomic(&p, b"x").unwrap_err();
        match &e {
            Error::Io { path, message } => {
                assert_eq!(path, &p.display().to_string());
                assert!(message.starts_with("cannot write: "), "{message}");
            }
            other => panic!("not an I/O error: {other}"),
        }
        assert!(!dir.join("no-such-dir").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_path_without_a_file_name_is_refused() {
        assert!(matches!(
            write_atomic(Path::new("/"), b"x"),
            Err(Error::Io { .. })
        ));
    }
}
