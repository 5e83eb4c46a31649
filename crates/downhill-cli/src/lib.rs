//! The config parsers of the `downhill` CLI as a library, so that fuzz targets and tests can
//! drive them without a process (the binary compiles the same modules).

pub mod config;
pub mod exit;
