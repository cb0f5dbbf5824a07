//! Log events as the log source delivers them. Line classification and the
//! REPORT parser arrive with the logs issue; the types here are what the
//! sources, the demo fleet and the pollers already exchange.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One CloudWatch Logs event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    /// CloudWatch's event id, the key for de-duplication.
    pub id: String,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// When CloudWatch ingested it (late events have a large gap).
    pub ingestion_time: Option<DateTime<Utc>>,
    /// The log stream it was written to.
    pub stream: String,
    /// The raw message, untrusted: sanitize before it reaches a terminal.
    pub message: String,
}

/// One page request against a log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The log group to read.
    pub log_group: String,
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// Exclusive end; `None` means now.
    pub end: Option<DateTime<Utc>>,
    /// Server-side CloudWatch filter pattern.
    pub filter_pattern: Option<String>,
    /// Continuation token from the previous page.
    pub next_token: Option<String>,
}

/// One page of events. A page may be empty and still carry a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogPage {
    /// Events of this page.
    pub events: Vec<LogEvent>,
    /// Token for the next page, if any.
    pub next_token: Option<String>,
}
