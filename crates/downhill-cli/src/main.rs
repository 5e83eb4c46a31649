//! `downhill`: run, study and trust first-order optimisation from the command line.

fn main() -> std::process::ExitCode {
    downhill_cli::main()
}
