//! Fuzzes the CSV loader (`[data] source = "csv"`): header, target column `y` chosen by name,
//! all other columns as features; then the same bytes with feature columns selected by name,
//! and as the headerless prediction input. Any panic is a bug; errors are expected.
#![no_main]

use downhill::data::csv::parse_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_csv::<f64>("fuzz.csv", data, "y", None);
    let features = ["a".to_string(), "b".to_string()];
    let _ = parse_csv::<f32>("fuzz.csv", data, "y", Some(&features));
});
