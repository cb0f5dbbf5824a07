//! Non-interactive faces: the `--once` snapshot (table, JSON, Markdown)
//! `lamtop errors`, `lamtop report` (the incident report), `lamtop tail`,
//! `lamtop trace` and `lamtop doctor`.

pub(crate) mod doctor;
pub(crate) mod errors;
pub(crate) mod incident;
pub(crate) mod markdown;
pub(crate) mod once;
pub(crate) mod snapshot;
pub(crate) mod table;
pub mod tail;
pub(crate) mod trace;
