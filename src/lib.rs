//! lamtop: `top` for AWS Lambda. The library holds the whole pipeline
//! (sources → pollers → store → faces); `main.rs` wires it to the command
//! line. See the module map at the top of `main.rs`.

pub mod cache;
pub mod cli;
pub mod config;
pub mod exit;
pub mod format;
pub mod launch;
pub mod message;
pub mod model;
pub mod notify;
pub mod poll;
pub mod report;
pub mod source;
pub mod store;
pub mod tui;
