//! Reading the files a command is given (configs, metrics, saved models).

use std::path::Path;

use crate::exit::CliError;

/// Reads a file, mapping I/O errors to exit 2 with the path named.
pub fn read_file(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::input(format!("{}: cannot read: {e}", path.display())))?;
    String::from_utf8(bytes)
        .map_err(|e| CliError::input(format!("{}: not UTF-8 text: {e}", path.display())))
}
