//! Pollers: one tokio task per data kind, each with its own schedule, at
//! most one request in flight, backoff on throttling, sending owned
//! [`Update`]s over one bounded channel to the face that owns the store.
//! What they fetch follows the [`Scope`] the face writes.

pub mod insights;
pub mod logs;
pub mod pressure;
mod schedule;
mod screen;
mod tasks;
pub mod traces;

pub use schedule::{Outcome, Schedule};
pub use tasks::{PollerConfig, spawn_all};

use crate::model::alarms::Alarm;
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::metrics::TimeRange;
use crate::source::{MetricsFetch, SourceError};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The kinds of data, one poller each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataKind {
    /// Function list and account limits.
    Inventory,
    /// Fleet metrics.
    Metrics,
    /// CloudWatch alarms.
    Alarms,
    /// Reserved concurrency of the selected function.
    Reserved,
    /// Per-period duration percentiles of the selected function.
    Detail,
    /// The source's own API call counter.
    Usage,
    /// Log events of the selected function.
    Logs,
    /// Trace summaries of the selected function.
    Traces,
    /// The trace open in the trace view.
    Trace,
}

impl DataKind {
    /// Every kind, for "wait until all finished".
    pub const ALL: [DataKind; 9] = [
        Self::Traces,
        Self::Trace,
        Self::Inventory,
        Self::Metrics,
        Self::Alarms,
        Self::Reserved,
        Self::Detail,
        Self::Usage,
        Self::Logs,
    ];
}

/// What the face is looking at; pollers fetch only what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The metrics window.
    pub window: Duration,
    /// The function on screen in detail, if any.
    pub selected: Option<String>,
    /// Bumped by the face to ask for an immediate refresh.
    pub refresh_generation: u64,
    /// Server-side filter pattern of the log pane.
    pub log_filter: Option<String>,
    /// The trace open in the trace view.
    pub open_trace: Option<String>,
}

impl Scope {
    /// The scope of a face that shows the whole fleet over `window`.
    pub fn fleet(window: Duration) -> Self {
        Self {
            window,
            selected: None,
            refresh_generation: 0,
            log_filter: None,
            open_trace: None,
        }
    }
}

/// One message from a poller to the store's owner.
#[derive(Debug, Clone)]
pub enum Update {
    /// A fetch of this kind started.
    Started(DataKind),
    /// The fleet Logs Insights run progressed or ended.
    Insights(insights::InsightsUpdate),
    /// The function list (already limited by `--functions`).
    Inventory {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Functions, or why not.
        result: Result<Vec<FunctionInfo>, SourceError>,
        /// `--functions` patterns that matched nothing.
        unmatched: Vec<String>,
    },
    /// The function list of the previous run, before the real one arrives.
    CachedInventory {
        /// When it was saved.
        saved_at: DateTime<Utc>,
        /// Functions (already limited by `--functions`).
        functions: Vec<FunctionInfo>,
    },
    /// The AWS account id.
    Identity {
        /// The id, or why not.
        result: Result<String, SourceError>,
    },
    /// Account limits.
    Account {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Limits, or why not.
        result: Result<AccountLimits, SourceError>,
    },
    /// Reserved concurrency of one function.
    Reserved {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Which function.
        function: String,
        /// `None` = unreserved.
        result: Result<Option<u32>, SourceError>,
    },
    /// A fleet metrics refresh.
    Metrics {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// The window it covers.
        range: TimeRange,
        /// Series, or why not.
        result: Result<MetricsFetch, SourceError>,
    },
    /// CloudWatch alarms relevant to the fleet.
    Alarms {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Alarms, or why not.
        result: Result<Vec<Alarm>, SourceError>,
    },
    /// Per-period percentiles of the function on screen.
    Detail {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Which function.
        function: String,
        /// The window it covers.
        range: TimeRange,
        /// Series, or why not.
        result: Result<MetricsFetch, SourceError>,
    },
    /// API calls made so far by the source.
    ApiUsage {
        /// When read.
        at: DateTime<Utc>,
        /// Total calls since start.
        total_calls: u64,
        /// Of which the service throttled.
        throttled_calls: u64,
        /// Per-region status (several regions only).
        regions: Vec<crate::source::multi::RegionStatus>,
    },
    /// The log pane now follows another function (or filter): start over.
    LogsReset {
        /// The function.
        function: String,
        /// Its log group.
        log_group: String,
        /// Events to keep.
        capacity: usize,
    },
    /// What the log follower of the function on screen reported.
    Logs {
        /// The function.
        function: String,
        /// The follower's report.
        update: logs::LogUpdate,
    },
    /// Trace summaries of the function on screen.
    Traces {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// The list, or why not.
        result: Result<crate::model::traces::TraceList, SourceError>,
    },
    /// The trace open in the trace view.
    Trace {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Which trace.
        id: String,
        /// The tree (`None`: X-Ray has no such trace), or why not.
        result: Result<Option<crate::model::segments::TraceTree>, SourceError>,
    },
    /// In one-shot mode: this poller is done.
    Finished(DataKind),
}
