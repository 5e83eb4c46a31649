//! `downhill run FILE.toml [--json]`.

use downhill::spec::run::parse;

use crate::cli::RunArgs;
use crate::exit::CliResult;
use crate::input::read_file;
use crate::present::run::report;

/// Entry point of `downhill run`.
pub fn cmd(args: &RunArgs) -> CliResult {
    let file = args.file.display().to_string();
    let raw = read_file(&args.file)?;
    let cfg = parse(&file, &raw)?;
    report(&cfg, &args.output)
}
