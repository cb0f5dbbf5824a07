//! Non-interactive faces: the `--once` snapshot (table, JSON, Markdown)
//! and `lamtop tail`.

pub(crate) mod errors;
pub(crate) mod once;
pub(crate) mod snapshot;
pub(crate) mod table;
pub mod tail;
pub(crate) mod trace;
