//! Non-interactive faces: the `--once` snapshot (table, JSON, Markdown)
//! and `lamtop tail`.

pub mod once;
pub mod snapshot;
pub mod table;
pub mod tail;
pub mod trace;
