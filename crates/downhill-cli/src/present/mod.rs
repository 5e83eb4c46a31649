//! Presentation shared by the commands: figures written to `--plot` files (`plotting`) and a
//! sweep's table and figure (`sweep`), a bench report (`report`), a training result (`train`). Command modules use these, never each other's.

pub mod plotting;
pub mod report;
pub mod run;
pub mod sweep;
pub mod train;
