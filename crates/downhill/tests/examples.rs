//! The library's examples run as tests (so CI runs them).

#[path = "../examples/custom_callback.rs"]
mod custom_callback;

#[test]
fn custom_callback_example_runs() {
    custom_callback::main().unwrap_or_else(|e| panic!("{e}"));
}
