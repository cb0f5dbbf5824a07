//! X-Ray trace summaries and raw traces as the trace source delivers them.
//! The segment tree and the waterfall arrive with the X-Ray issue.

use super::id::FunctionId;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One page request of trace summaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceQuery {
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// Exclusive end.
    pub end: DateTime<Utc>,
    /// The function whose traces are wanted.
    pub function: FunctionId,
    /// Continuation token.
    pub next_token: Option<String>,
    /// Ask the service to filter by function (a filter expression); when
    /// false, every trace of the window comes back.
    pub server_filter: bool,
}

/// One trace in a summary listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    /// Trace id (`1-<8hex>-<24hex>`).
    pub id: String,
    /// Start of the trace, when known.
    pub start: Option<DateTime<Utc>>,
    /// End-to-end duration in seconds.
    pub duration_s: Option<f64>,
    /// Response time in seconds.
    pub response_time_s: Option<f64>,
    /// A 5xx-class failure somewhere in the trace.
    pub has_fault: bool,
    /// A 4xx-class failure.
    pub has_error: bool,
    /// Throttled.
    pub has_throttle: bool,
    /// HTTP status of the entry point, if any.
    pub http_status: Option<u16>,
    /// The trace has an Initialization subsegment (a cold start); `None`
    /// until the trace's segments were read.
    pub cold_start: Option<bool>,
}

/// One page of summaries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceSummaryPage {
    /// Summaries, newest first.
    pub summaries: Vec<TraceSummary>,
    /// Token for the next page.
    pub next_token: Option<String>,
}

/// The traces pane's list for one function.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceList {
    /// The function.
    pub function: FunctionId,
    /// Summaries, newest first.
    pub summaries: Vec<TraceSummary>,
    /// The endpoint rejected the filter expression: the list was filtered
    /// here, by the traces' segment origins and names.
    pub client_filtered: bool,
}

/// A whole trace: its segment documents, unparsed (untrusted JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawTrace {
    /// Trace id.
    pub id: String,
    /// Duration in seconds, when known.
    pub duration_s: Option<f64>,
    /// One JSON document per segment.
    pub segments: Vec<String>,
}
