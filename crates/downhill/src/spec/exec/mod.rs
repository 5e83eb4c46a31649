//! Running a parsed config: one module per command, each with the function that gives what
//! `downhill <command> --json` prints and the typed steps beneath it (setup, run, report) that
//! the CLI, the lab and the tour call.

pub mod compare;
pub mod landscape;
pub mod lr_find;
pub mod run;
pub mod schedule;
pub mod sweep;
pub mod train;
