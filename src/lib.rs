//! lamtop: `top` for AWS Lambda. The library holds the whole pipeline
//! (sources → pollers → store → faces); `main.rs` wires it to the command
//! line. See the module map at the top of `main.rs`.

pub(crate) mod cache;
pub mod cli;
pub mod config;
pub mod exit;
pub(crate) mod format;
pub mod launch;
pub mod manual;
pub(crate) mod message;
pub mod model;
pub(crate) mod notify;
pub mod poll;
pub mod report;
pub mod source;
pub mod store;
pub mod tui;
