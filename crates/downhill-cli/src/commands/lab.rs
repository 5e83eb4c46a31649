//! `downhill lab [--port 8731] [--host 127.0.0.1] [--open]`: the local web lab. The server, its
//! computations (`downhill_lab::Library`, which runs each request through `downhill::spec`),
//! its limits and the page are `downhill-lab`'s; this command parses its flags and serves it
//! with the tour's presets.

use std::sync::Arc;

use downhill_lab::{LabOptions, Library};

use crate::cli::LabArgs;
use crate::exit::{CliError, CliResult};

/// Entry point of `downhill lab`.
pub fn cmd(a: &LabArgs) -> CliResult {
    downhill_lab::parse_host(&a.host).map_err(CliError::input)?;
    let opts = LabOptions {
        host: a.host.clone(),
        port: a.port,
        open: a.open,
    };
    let lab = Library::new(crate::presets::json());
    downhill_lab::serve(Arc::new(lab), &opts).map_err(CliError::failure)?;
    Ok(0)
}
