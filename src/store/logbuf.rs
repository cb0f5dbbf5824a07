//! The log pane's events: a bounded buffer kept in time order (late
//! events are inserted where they belong), each event once (a follower
//! de-duplicates its own reads; the buffer drops what a new read of the
//! same pane brings again).

use crate::message::SourceError;
use crate::model::id::{FunctionId, LogGroup};
use crate::model::logs::{LogEvent, Report, parse_report};
use chrono::{DateTime, Utc};
use std::collections::{HashSet, VecDeque};

/// Default number of events kept per view.
pub const DEFAULT_CAPACITY: usize = 50_000;

/// Events of the function on screen.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer {
    /// The function they belong to.
    pub function: FunctionId,
    /// Its log group.
    pub log_group: LogGroup,
    /// Events, oldest first.
    pub events: VecDeque<LogEvent>,
    /// Most events kept; the oldest go first.
    pub capacity: usize,
    /// Events evicted so far.
    pub evicted: u64,
    /// Every event up to this time has arrived.
    pub caught_up: Option<DateTime<Utc>>,
    /// How far back the pane reads (the oldest time asked for).
    pub from: Option<DateTime<Utc>>,
    /// Older events are being read (after `:since` or scrolling back).
    pub reaching_back: bool,
    /// The latest error (cleared by the next success).
    pub last_error: Option<SourceError>,
    /// Bumped on every change, so views and the app can tell.
    pub generation: u64,
    /// The REPORT lines among the events, parsed once on arrival (keyed by
    /// event id, so eviction can drop them with their events).
    pub reports: VecDeque<(String, Report)>,
    /// The ids of the events held.
    seen: HashSet<String>,
}

impl LogBuffer {
    /// An empty buffer for a function.
    pub fn new(function: FunctionId, log_group: LogGroup, capacity: usize) -> Self {
        Self {
            function,
            log_group,
            capacity: capacity.max(1),
            ..Default::default()
        }
    }

    /// Adds events (each exactly once, in any order).
    pub fn push(&mut self, events: Vec<LogEvent>) {
        for e in events {
            if !self.seen.insert(e.id.clone()) {
                continue;
            }
            // A cheap test first: most lines are not reports.
            let maybe = e.message.contains("REPORT")
                || e.message.contains("platform.report")
                || (e.message.contains("platform.") && e.message.contains("Report\""));
            if let Some(r) = maybe.then(|| parse_report(&e.message)).flatten() {
                self.reports.push_back((e.id.clone(), r));
            }
            let in_order = self
                .events
                .back()
                .is_none_or(|b| (b.timestamp, &b.id) <= (e.timestamp, &e.id));
            if in_order {
                self.events.push_back(e);
            } else {
                let i = self
                    .events
                    .partition_point(|x| (x.timestamp, &x.id) <= (e.timestamp, &e.id));
                self.events.insert(i, e);
            }
        }
        while self.events.len() > self.capacity {
            if let Some(gone) = self.events.pop_front() {
                self.seen.remove(&gone.id);
                if self.reports.front().is_some_and(|(id, _)| *id == gone.id) {
                    self.reports.pop_front();
                }
            }
            self.evicted += 1;
        }
        // Reports of late events may sit out of order; bound them anyway.
        while self.reports.len() > self.capacity {
            self.reports.pop_front();
        }
        self.last_error = None;
        self.generation += 1;
    }
}

impl LogBuffer {
    /// Keeps only the events `keep` accepts (and their reports).
    pub fn keep_only(&mut self, keep: impl Fn(&LogEvent) -> bool) {
        self.events.retain(|e| keep(e));
        self.seen = self.events.iter().map(|e| e.id.clone()).collect();
        let seen = &self.seen;
        self.reports.retain(|(id, _)| seen.contains(id));
        self.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, s: i64) -> LogEvent {
        LogEvent {
            id: id.into(),
            timestamp: DateTime::from_timestamp(s, 0).unwrap(),
            ingestion_time: None,
            stream: String::new(),
            message: id.into(),
        }
    }

    #[test]
    fn keeps_time_order_and_bounds() {
        let mut b = LogBuffer::new("f".into(), "/g".into(), 3);
        b.push(vec![ev("a", 1), ev("c", 3)]);
        b.push(vec![ev("b", 2)]);
        let ids: Vec<_> = b.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        b.push(vec![ev("d", 4)]);
        assert_eq!(b.events.front().unwrap().id, "b");
        assert_eq!(b.evicted, 1);
    }
}
