//! Non-interactive faces: the `--once` snapshot (table, JSON, Markdown).

pub mod once;
pub mod snapshot;
pub mod table;
