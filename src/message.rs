//! The pure messages between the layers: what the face asks for
//! ([`Scope`]), what pollers send to the store's owner ([`Update`] and its
//! payloads) and why a fetch failed ([`SourceError`]). Owned data only: no
//! tokio, no aws-sdk, no source code, so the store depends on this module
//! and the model alone.

use crate::model::alarms::Alarm;
use crate::model::budget::RefreshPlan;
use crate::model::errors::{Coverage, Occurrence};
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::{FunctionId, LogGroup};
use crate::model::insight::ReportStats;
use crate::model::logs::LogEvent;
use crate::model::metrics::{MetricKey, Series, TimeRange};
use crate::model::segments::TraceTree;
use crate::model::traces::TraceList;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
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
    /// Event source mappings of the fleet.
    EventSources,
    /// Reserved concurrency of the selected function.
    Reserved,
    /// Async settings and provisioned concurrency of the selected function.
    InvokeConfig,
    /// Published versions and aliases of the selected function.
    Deployments,
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
    pub const ALL: [DataKind; 12] = [
        Self::Traces,
        Self::Trace,
        Self::Inventory,
        Self::Metrics,
        Self::Alarms,
        Self::EventSources,
        Self::Reserved,
        Self::InvokeConfig,
        Self::Deployments,
        Self::Detail,
        Self::Usage,
        Self::Logs,
    ];
}

/// The invoke configuration of one function, each half or why not, so an
/// endpoint without one API (the emulator has no provisioned concurrency)
/// still shows the other.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeConfig {
    /// Async settings (`None`: none configured, Lambda's defaults apply).
    pub async_config: Result<Option<crate::model::invoke::AsyncConfig>, SourceError>,
    /// Provisioned concurrency per alias or version.
    pub provisioned: Result<Vec<crate::model::invoke::ProvisionedConfig>, SourceError>,
}

impl InvokeConfig {
    /// Environments allocated over every alias and version, when read.
    pub fn allocated(&self) -> Option<u32> {
        crate::model::invoke::allocated(self.provisioned.as_ref().ok()?)
    }
}

/// What the face is looking at; pollers fetch only what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The metrics window.
    pub window: Duration,
    /// The function on screen in detail, if any.
    pub selected: Option<FunctionId>,
    /// Bumped by the face to ask for an immediate refresh.
    pub refresh_generation: u64,
    /// Server-side filter pattern of the log pane (the function's own).
    pub log_filter: Option<String>,
    /// How far back the log pane reads: from this time on (`None`: the
    /// default lookback). Moving it earlier reads the older events into
    /// the same pane; the newer ones stay.
    pub log_from: Option<DateTime<Utc>>,
    /// The log pane shows failures only: the server is asked for the
    /// window's failures (a pattern for every failure kind), not the
    /// buffer filtered.
    pub log_errors: bool,
    /// The trace open in the trace view.
    pub open_trace: Option<String>,
    /// The fleet table's rows on screen (the metrics refresh keeps them
    /// fresh whatever the budget); empty outside the fleet view, `None`
    /// before the face has placed any (then every function read in full
    /// gets its percentiles, so the first screen has them).
    pub on_screen: Option<Vec<FunctionId>>,
    /// The fleet is sorted by a duration percentile, so every function
    /// read in full needs its percentiles.
    pub sort_by_percentile: bool,
}

impl Scope {
    /// The scope of a face that shows the whole fleet over `window`.
    pub fn fleet(window: Duration) -> Self {
        Self {
            window,
            selected: None,
            refresh_generation: 0,
            log_filter: None,
            log_from: None,
            log_errors: false,
            open_trace: None,
            on_screen: None,
            sort_by_percentile: false,
        }
    }
}

/// One message from a poller to the store's owner.
#[derive(Debug, Clone)]
pub enum Update {
    /// A fetch of this kind started.
    Started(DataKind),
    /// The fleet Logs Insights run progressed or ended.
    Insights(InsightsUpdate),
    /// The fleet error scan progressed or ended.
    Errors(ErrorScanUpdate),
    /// The dashboard's incident report was written (its path and size),
    /// or why not. For the face, not the store.
    Report(Result<(std::path::PathBuf, usize), String>),
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
    /// The fleet's event source mappings.
    EventSources {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// The mappings, or why not.
        result: Result<Vec<crate::model::sources::EventSource>, SourceError>,
    },
    /// Published versions and aliases of one function.
    Deployments {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// The function.
        function: FunctionId,
        /// Its versions and aliases, or why not.
        result: Result<crate::model::versions::Deployments, SourceError>,
    },
    /// Async settings and provisioned concurrency of one function.
    InvokeConfig {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// The function.
        function: FunctionId,
        /// Both halves, each with its own error.
        result: Result<InvokeConfig, SourceError>,
    },
    /// Reserved concurrency of one function.
    Reserved {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Which function.
        function: FunctionId,
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
        /// Which functions it read and how, when it read part of the
        /// fleet (the dashboard's tiers); `None`: every series of every
        /// function, replacing the last refresh.
        plan: Option<RefreshPlan>,
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
        function: FunctionId,
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
        regions: Vec<RegionStatus>,
    },
    /// The log pane now follows another function (or filter): start over.
    LogsReset {
        /// The function.
        function: FunctionId,
        /// Its log group.
        log_group: LogGroup,
        /// How far back the pane reads.
        from: DateTime<Utc>,
        /// Events to keep.
        capacity: usize,
        /// What of the pane's events of the same function stays while the
        /// new read runs (a new filter keeps what it would have found).
        keep: KeepEvents,
    },
    /// The log pane reads further back, keeping what it has.
    LogsReach {
        /// The function.
        function: FunctionId,
        /// The new start of what the pane reads.
        from: DateTime<Utc>,
    },
    /// What the log follower of the function on screen reported.
    Logs {
        /// The function.
        function: FunctionId,
        /// The follower's report.
        update: LogUpdate,
    },
    /// Trace summaries of the function on screen.
    Traces {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// The list, or why not.
        result: Result<TraceList, SourceError>,
    },
    /// The trace open in the trace view.
    Trace {
        /// When the fetch completed.
        at: DateTime<Utc>,
        /// Which trace.
        id: String,
        /// The tree (`None`: X-Ray has no such trace), or why not.
        result: Result<Option<TraceTree>, SourceError>,
    },
    /// In one-shot mode: this poller is done.
    Finished(DataKind),
}

/// Why a source call failed, in terms a user can act on. `api` is the
/// IAM-style action (`cloudwatch:GetMetricData`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// Rate limited; retry later with backoff.
    #[error("{api} was throttled: {message}")]
    Throttled {
        /// The action.
        api: String,
        /// What the service said.
        message: String,
    },
    /// Missing permission.
    #[error("{api} was denied: {message} (grant the IAM action '{api}')")]
    Denied {
        /// The action, which is also the IAM action to grant.
        api: String,
        /// What the service said.
        message: String,
    },
    /// The thing asked for does not exist.
    #[error("{api}: not found: {message}")]
    NotFound {
        /// The action.
        api: String,
        /// What the service said.
        message: String,
    },
    /// The endpoint does not implement this API or option; show "n/a".
    #[error("{api} is not supported by this endpoint: {message}")]
    Unsupported {
        /// The action.
        api: String,
        /// What the service said.
        message: String,
    },
    /// Could not reach the endpoint, or it timed out.
    #[error("{api}: endpoint unreachable: {message}")]
    Transport {
        /// The action.
        api: String,
        /// The transport failure.
        message: String,
    },
    /// No usable credentials.
    #[error("no usable AWS credentials: {message}")]
    Credentials {
        /// What the credential chain said.
        message: String,
    },
    /// No answer before lamtop stopped waiting (the `--once` deadline).
    #[error("{api} did not answer in time: {message}")]
    Timeout {
        /// The action.
        api: String,
        /// How long lamtop waited, and what to do.
        message: String,
    },
    /// Anything else the service answered.
    #[error("{api} failed: {message}")]
    Service {
        /// The action.
        api: String,
        /// Error code and message.
        message: String,
    },
}

impl SourceError {
    /// Whether a later retry may succeed soon (drives backoff).
    pub fn is_throttling(&self) -> bool {
        matches!(self, Self::Throttled { .. })
    }

    /// Unsupported endpoints turn values into "n/a" instead of failing a run.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported { .. })
    }
}

/// The result of one metrics refresh. Batches fail independently (so an
/// endpoint that cannot compute percentiles only loses those series).
#[derive(Debug, Clone, Default)]
pub struct MetricsFetch {
    /// Series that came back.
    pub series: Vec<(MetricKey, Series)>,
    /// Series that could not be fetched, with the reason.
    pub failed: Vec<(MetricKey, SourceError)>,
    /// GetMetricData calls made (pages included).
    pub calls: u32,
    /// Metrics requested (what GetMetricData bills: each query once, its
    /// pages not again); 0 when the source does not say, then one per
    /// series and failure.
    pub requested: usize,
}

/// What of the log pane's events stays when it starts over for the same
/// function and log group (another filter, failures only, a later start).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum KeepEvents {
    /// Nothing: another function, or a pattern lamtop cannot evaluate
    /// (JSON, space-delimited).
    #[default]
    Nothing,
    /// Every event since the new start.
    All,
    /// The events since the new start that this text filter pattern
    /// matches (as the service would).
    Matching(String),
}

/// What a follower reports.
#[derive(Debug, Clone)]
pub enum LogUpdate {
    /// New events of a group, oldest first, each exactly once.
    Events {
        /// Which group (index into the followed groups).
        group: usize,
        /// The events.
        events: Vec<LogEvent>,
    },
    /// Every event of the group up to this time has been delivered
    /// (modulo ingestion later than the overlap window).
    CaughtUp {
        /// Which group.
        group: usize,
        /// Watermark.
        until: DateTime<Utc>,
    },
    /// A call failed; the follower retries (`fatal`: it gave up).
    Error {
        /// Which group.
        group: usize,
        /// Why.
        error: SourceError,
        /// The follower stopped.
        fatal: bool,
    },
    /// The follower finished (no-follow mode, or the range ended).
    Done {
        /// Which group.
        group: usize,
    },
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Queries in the run.
    pub queries: usize,
    /// Queries finished (complete, failed or stopped).
    pub done: usize,
    /// Log groups in the run.
    pub groups: usize,
    /// Bytes scanned so far, all queries.
    pub bytes_scanned: f64,
    /// REPORT lines matched so far.
    pub records_matched: f64,
}

/// What a run sends to the face.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightsUpdate {
    /// Still running.
    Progress(Progress),
    /// Finished, cancelled or failed: the statistics per log group that
    /// came back, and the errors of the queries that did not.
    Done {
        /// When it ended.
        at: DateTime<Utc>,
        /// Final progress.
        progress: Progress,
        /// Statistics per log group.
        stats: HashMap<LogGroup, ReportStats>,
        /// One per failed query.
        errors: Vec<SourceError>,
        /// Log groups that do not exist (functions that never ran).
        missing: Vec<LogGroup>,
        /// Stopped by the user.
        cancelled: bool,
    },
}

/// What the fleet error scan sends to the face: it reads the failure
/// lines of every function that failed in the window, one function at a
/// time, most failing first.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorScanUpdate {
    /// A scan began (a new scan replaces the previous one's groups).
    Started {
        /// The window it reads.
        range: TimeRange,
        /// Functions it will read.
        functions: usize,
    },
    /// One function was read.
    Function(FunctionScan),
    /// The scan ended.
    Done {
        /// When.
        at: DateTime<Utc>,
        /// Stopped by the user.
        cancelled: bool,
        /// Functions the fleet cap left unread.
        skipped: usize,
    },
}

/// What the scan read of one function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionScan {
    /// The function.
    pub function: FunctionId,
    /// One per failed request (or failure line without a request).
    pub occurrences: Vec<Occurrence>,
    /// Its newest failure lines as they were, oldest first (at most
    /// [`crate::poll::errors::RECENT_FAILURES`]).
    pub recent_failures: Vec<crate::model::logs::LogEvent>,
    /// How far back it read, and whether a cap stopped it.
    pub coverage: Coverage,
    /// Events the server sent (the failure pattern is a superset).
    pub events_read: usize,
    /// FilterLogEvents calls made.
    pub calls: usize,
    /// Why the read stopped early, if a call failed.
    pub error: Option<SourceError>,
}

/// How one place of a multi-place fleet (a region, or a profile's
/// region) is doing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionStatus {
    /// The place as shown: `region` or `profile/region`.
    pub region: String,
    /// The profile, when lamtop watches several.
    pub profile: Option<String>,
    /// Its account id (from STS), once known.
    pub account_id: Option<String>,
    /// Its Lambda concurrency limits, once known.
    pub limits: Option<crate::model::function::AccountLimits>,
    /// Last successful call.
    pub ok_at: Option<DateTime<Utc>>,
    /// The latest failure, cleared by the next success (shown with its
    /// fix by [`RegionStatus::problem`]).
    pub error: Option<SourceError>,
}

impl RegionStatus {
    /// The latest failure as shown: credentials that ran out or were
    /// refused say what to run for this place's profile.
    pub fn problem(&self) -> Option<String> {
        let err = self.error.as_ref()?;
        let text = err.to_string();
        Some(match (err, &self.profile) {
            (SourceError::Credentials { .. }, Some(profile)) => {
                let fix = format!("aws sso login --profile {profile}");
                if text.contains("'aws sso login'") {
                    text.replace("'aws sso login'", &format!("'{fix}'"))
                } else {
                    format!("{text} — run `{fix}`")
                }
            }
            _ => text,
        })
    }
}
