//! The error groups of a snapshot: the fleet's groups, each function's top
//! groups, and what the scan read (so a reader knows what "count" covers).

use crate::model::errors::ErrorGroup;
use crate::model::id::FunctionId;
use crate::model::metrics::TimeRange;
use crate::model::text::sanitize;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Groups listed in a function's `error_groups_top`.
const TOP: usize = 5;

/// One error group.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorGroupEntry {
    /// 16 hex digits, stable across runs.
    pub fingerprint: String,
    /// The normalised message: `KeyError: '<str>'`.
    pub title: String,
    /// The application's frame, where the failure had a stack.
    pub frame: Option<String>,
    /// `timeout`, `out_of_memory`, `crash`, `error`, …
    pub kind: crate::model::logs::Failure,
    /// The error type it names.
    pub error_type: Option<String>,
    /// Failed requests (and failure lines without a request).
    pub count: u64,
    /// Functions it happened in, `name` or `name@region`.
    pub functions: Vec<String>,
    /// First occurrence.
    #[serde(serialize_with = "super::rfc3339")]
    pub first_seen: DateTime<Utc>,
    /// Last occurrence.
    #[serde(serialize_with = "super::rfc3339")]
    pub last_seen: DateTime<Utc>,
    /// First seen after a deploy inside the window, or absent from the
    /// window's first half (claimed only where the scan read that far).
    pub new: bool,
    /// The newest occurrence's line, inert and cut.
    pub sample: String,
    /// Request ids of the newest occurrences.
    pub request_ids: Vec<String>,
    /// Trace ids of the newest occurrences that had one.
    pub trace_ids: Vec<String>,
}

/// A function's share of one group.
#[derive(Debug, Clone, Serialize)]
pub struct TopGroup {
    /// The group's fingerprint.
    pub fingerprint: String,
    /// Occurrences in this function.
    pub count: u64,
}

/// What the scan read.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorScanEntry {
    /// Functions with errors in the window, read.
    pub functions_scanned: usize,
    /// FilterLogEvents calls.
    pub calls: usize,
    /// Events the server sent.
    pub events_read: usize,
    /// Functions whose older failures a cap left unread (their counts are
    /// the newest failures only).
    pub truncated: Vec<String>,
    /// Functions the fleet cap left unread.
    pub skipped: usize,
    /// Functions whose read failed, with why.
    pub failed: Vec<String>,
    /// It read every function it planned to (neither the `--once`
    /// deadline nor the user stopped it).
    pub complete: bool,
}

fn entry(store: &Store, g: &ErrorGroup, range: Option<TimeRange>) -> ErrorGroupEntry {
    let groups = &store.error_scan.groups;
    ErrorGroupEntry {
        fingerprint: g.fingerprint.id.clone(),
        title: sanitize(&g.fingerprint.title),
        frame: g.fingerprint.frame.as_deref().map(sanitize),
        kind: g.kind,
        error_type: g.error_type.as_deref().map(sanitize),
        count: g.count(),
        functions: g
            .functions
            .keys()
            .map(|f| sanitize(&f.to_string()))
            .collect(),
        first_seen: g.first_seen(),
        last_seen: g.last_seen(),
        new: range.is_some_and(|r| groups.is_new(g, r, |f| store.last_deployed(f))),
        sample: sanitize(&g.sample),
        request_ids: g.request_ids.iter().map(|s| sanitize(s)).collect(),
        trace_ids: g.trace_ids.iter().map(|s| sanitize(s)).collect(),
    }
}

/// Every group, most occurrences first.
pub fn groups(store: &Store) -> Vec<ErrorGroupEntry> {
    let range = store.error_scan.range;
    store
        .error_scan
        .groups
        .ranked()
        .into_iter()
        .map(|g| entry(store, g, range))
        .collect()
}

/// The top groups of one function.
pub fn top_of(store: &Store, id: &FunctionId) -> Vec<TopGroup> {
    store
        .error_scan
        .groups
        .of_function(id)
        .into_iter()
        .take(TOP)
        .map(|(g, n)| TopGroup {
            fingerprint: g.fingerprint.id.clone(),
            count: n.count,
        })
        .collect()
}

/// What the scan read, `None` when none ran.
pub fn scan(store: &Store) -> Option<ErrorScanEntry> {
    let s = &store.error_scan;
    s.range?;
    let name = |f: &FunctionId| sanitize(&f.to_string());
    Some(ErrorScanEntry {
        functions_scanned: s.done,
        calls: s.calls,
        events_read: s.events_read,
        truncated: s.truncated.iter().map(name).collect(),
        skipped: s.skipped,
        failed: s
            .errors
            .iter()
            .map(|(f, e)| format!("{}: {}", name(f), sanitize(&e.to_string())))
            .collect(),
        complete: s.finished_at.is_some() && !s.cancelled,
    })
}
