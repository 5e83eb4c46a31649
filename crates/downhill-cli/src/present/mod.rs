//! Presentation shared by the commands: figures written to `--plot` files (`plotting`) and a
//! sweep's table and figure (`sweep`). Command modules use these, never each other's.

pub mod plotting;
pub mod run;
pub mod sweep;
