//! The fleet error scan as the store keeps it: the groups (from the scan
//! and, continuously, from the log pane's new lines), and where the scan
//! stands.

use super::Store;
use crate::message::{ErrorScanUpdate, FunctionScan, SourceError};
use crate::model::errors::ErrorGroups;
use crate::model::id::FunctionId;
use crate::model::logs::LogEvent;
use crate::model::metrics::TimeRange;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The error groups and the scan that filled them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorScan {
    /// The fleet's groups.
    pub groups: ErrorGroups,
    /// The window the last scan read.
    pub range: Option<TimeRange>,
    /// Functions the scan reads.
    pub planned: usize,
    /// Functions read so far.
    pub done: usize,
    /// Still reading.
    pub running: bool,
    /// Stopped by the user.
    pub cancelled: bool,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Functions whose read failed, with why.
    pub errors: Vec<(FunctionId, SourceError)>,
    /// Functions a cap stopped before the window's start.
    pub truncated: Vec<FunctionId>,
    /// Functions the fleet cap left unread.
    pub skipped: usize,
    /// Events the server sent, all functions.
    pub events_read: usize,
    /// FilterLogEvents calls, all functions.
    pub calls: usize,
    /// Each scanned function's newest failure lines, oldest first.
    pub recent: HashMap<FunctionId, Vec<LogEvent>>,
}

impl ErrorScan {
    fn function(&mut self, f: FunctionScan) {
        self.done += 1;
        self.events_read += f.events_read;
        self.calls += f.calls;
        if f.coverage.truncated {
            self.truncated.push(f.function.clone());
        }
        if let Some(e) = f.error {
            self.errors.push((f.function.clone(), e));
        }
        self.groups.cover(&f.function, f.coverage);
        self.recent.insert(f.function.clone(), f.recent_failures);
        for o in &f.occurrences {
            self.groups.add(o);
        }
    }
}

impl Store {
    pub(super) fn apply_errors(&mut self, u: ErrorScanUpdate) -> bool {
        let scan = &mut self.error_scan;
        match u {
            ErrorScanUpdate::Started { range, functions } => {
                *scan = ErrorScan {
                    range: Some(range),
                    planned: functions,
                    running: true,
                    ..ErrorScan::default()
                };
            }
            ErrorScanUpdate::Function(f) => scan.function(f),
            ErrorScanUpdate::Done {
                at,
                cancelled,
                skipped,
            } => {
                scan.running = false;
                scan.cancelled = cancelled;
                scan.skipped = skipped;
                scan.finished_at = Some(at);
            }
        }
        true
    }

    /// Folds one function's scan in, outside a fleet scan (the incident
    /// report reads its function when no scan did): the fleet's groups
    /// stay, the window is the scan's when none was set.
    pub fn add_function_scan(&mut self, range: TimeRange, scan: FunctionScan) {
        self.error_scan.range.get_or_insert(range);
        self.error_scan.function(scan);
    }

    /// The log pane's new lines count in the open function's groups.
    pub(super) fn feed_error_groups(&mut self, function: &FunctionId, events: &[LogEvent]) {
        for o in crate::model::errors::occurrences(function, events) {
            self.error_scan.groups.add(&o);
        }
    }
}
