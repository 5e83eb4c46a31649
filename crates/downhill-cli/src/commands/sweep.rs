//! `downhill sweep FILE.toml [--json] [--plot F]`: a grid over dotted config paths of a `run`,
//! `compare` or `train` config (the `[sweep]` table, see [`crate::config::sweep`]).
//!
//! The points run in `downhill::spec::exec::sweep` (a bad key or value stops the sweep before
//! anything runs, exit 2); this module shows a progress bar, prints the table or `--json` and
//! draws `--plot`. A diverged point is a result; the command exits 0.

use std::io::IsTerminal;

use downhill::spec::exec::sweep::run_points;
use downhill::spec::sweep::Sweep;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::SweepArgs;
use crate::exit::{CliError, CliResult};
use crate::input::read_file;

/// Reads and parses the config of `downhill sweep`, refusing `--plot` over more than two keys.
pub fn load(a: &SweepArgs) -> CliResult<Sweep> {
    let file = a.file.display().to_string();
    let raw = read_file(&a.file)?;
    let sweep = Sweep::parse(&file, &raw)?;
    if a.plot.is_some() && sweep.axes.len() > 2 {
        return Err(CliError::input(format!(
            "--plot draws a sweep over 1 or 2 keys; {} has {}",
            file,
            sweep.axes.len()
        )));
    }
    Ok(sweep)
}

/// Entry point of `downhill sweep` in one process (the sweep read by [`load`]).
pub fn cmd(a: &SweepArgs, sweep: &Sweep) -> CliResult {
    let bar = progress_bar(a.json, sweep.len());
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let points = run_points(sweep, 0..sweep.len(), &tick)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    crate::present::sweep::finish(a, sweep, &points)
}

/// A progress bar on stderr, unless `--json` or stderr is not a terminal.
fn progress_bar(json: bool, n: usize) -> Option<ProgressBar> {
    (!json && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(n as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:30} point {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    })
}
