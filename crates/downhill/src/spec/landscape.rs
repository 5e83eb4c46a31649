//! The `downhill landscape` config: a `downhill train` config plus an optional
//! `[landscape]` table (`crate::landscape::LandscapeConfig`).

use crate::landscape::LandscapeConfig;

use super::train::{from_doc, TrainFile};
use super::ConfigDoc;
use crate::Error;

/// A whole `downhill landscape` config.
#[derive(Debug, Clone)]
pub struct LandscapeFile {
    /// The training run's tables, parsed as `downhill train` parses them.
    pub run: TrainFile,
    /// `[landscape]` (defaults when absent).
    pub landscape: LandscapeConfig,
}

/// Parses a `downhill landscape` config.
pub fn parse(file: &str, raw: &str) -> Result<LandscapeFile, Error> {
    let mut doc = ConfigDoc::parse(file, raw)?;
    let run = from_doc(file, &mut doc, &["landscape"])?;
    let keys = doc.keys("landscape");
    let landscape: LandscapeConfig = doc.section("landscape")?.unwrap_or_default();
    landscape
        .validate()
        .map_err(|e| doc.invalid_value("landscape", &keys, &e))?;
    Ok(LandscapeFile { run, landscape })
}
