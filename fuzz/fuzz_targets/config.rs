//! Fuzzes the config loader: the bytes go through the same UTF-8 check and TOML parse as
//! `downhill run` / `downhill schedule`, then the run-config parser (tables, optimiser,
//! wrappers, schedule validation). Any panic is a bug; errors are expected.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = std::str::from_utf8(data) {
        let _ = downhill_cli::config::run::parse("fuzz.toml", raw);
    }
});
