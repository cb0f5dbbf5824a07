//! The `lamtop.snapshot/v1` document: what `--once` knows, built from the
//! store. The JSON output is this struct serialized; the table and
//! Markdown outputs render the same struct, so all three always agree.

use crate::model::alarms::{Alarm, AlarmSource, AlarmState, Severity};
use crate::model::fleet::{SortColumn, compare};
use crate::model::insight::HOURS_PER_MONTH;
use crate::model::metrics::MetricKind;
use crate::model::text::sanitize;
use crate::source::{SourceError, SourceInfo};
use crate::store::Store;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

mod build;
pub mod errors;
pub mod signals;
pub use build::build;

/// Schema identifier; bump only with an incompatible change.
pub const SCHEMA: &str = "lamtop.snapshot/v1";

/// A number as JSON: integral values as integers, others rounded to
/// `decimals`, `None` as `null` ("n/a").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub Option<f64>, pub i32);

impl Num {
    /// A count or a duration in ms (3 decimals).
    pub fn of(v: Option<f64>) -> Self {
        Self(v, 3)
    }

    /// A ratio (6 decimals).
    pub fn ratio(v: Option<f64>) -> Self {
        Self(v, 6)
    }

    /// USD (6 decimals: a cheap function costs fractions of a cent per hour).
    pub fn money(v: Option<f64>) -> Self {
        Self(v, 6)
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.filter(|v| v.is_finite()) {
            None => s.serialize_none(),
            Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => s.serialize_i64(v as i64),
            Some(v) => {
                let scale = 10f64.powi(self.1);
                s.serialize_f64((v * scale).round() / scale)
            }
        }
    }
}

pub(crate) fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

pub(crate) fn rfc3339_opt<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

/// The whole snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// When the snapshot was taken.
    #[serde(serialize_with = "rfc3339")]
    pub generated_at: DateTime<Utc>,
    /// Region (or `demo`).
    pub region: String,
    /// Profile, if one was named.
    pub profile: Option<String>,
    /// Whether this is the synthetic demo fleet.
    pub demo: bool,
    /// The metrics window.
    pub window: Window,
    /// Account-level numbers.
    pub account: Account,
    /// One entry per function in scope.
    pub functions: Vec<Function>,
    /// CloudWatch alarms relevant to the fleet (every state), then one entry
    /// per lamtop rule and function it covers.
    pub alarms: Vec<AlarmEntry>,
    /// Rule changes worth a look (into or out of FIRING), oldest first.
    pub alarm_history: Vec<crate::model::rules::AlarmEvent>,
    /// The fleet Logs Insights run (`--insights`), `null` when not run.
    pub insights_query: Option<InsightsQuery>,
    /// The window's failures grouped by fingerprint, most first (empty
    /// when no function failed or no scan ran; see `error_scan`).
    pub error_groups: Vec<errors::ErrorGroupEntry>,
    /// What the error scan read, `null` when none ran.
    pub error_scan: Option<errors::ErrorScanEntry>,
    /// What could not be fetched (the numbers it affects are `null`).
    pub errors: Vec<ErrorEntry>,
    /// Things worth knowing, e.g. `--functions` patterns that matched nothing.
    pub warnings: Vec<String>,
    /// What this snapshot's metrics cost (GetMetricData is billed per
    /// metric requested).
    pub api: Api,
    /// With several profiles, each account's own numbers (`account` then
    /// holds no limits or peaks: they are never summed across accounts);
    /// empty with one profile.
    pub accounts: Vec<AccountEntry>,
}

/// One account of a multi-profile snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct AccountEntry {
    /// The profile it was read through.
    pub profile: String,
    /// Its id from STS (`null` when it could not be read).
    pub id: Option<String>,
    /// Lambda concurrency limit, its regions summed.
    pub concurrency_limit: Option<u32>,
    /// Unreserved concurrency, its regions summed.
    pub unreserved_concurrency: Option<u32>,
    /// Peak concurrency in the window.
    pub concurrency_max: Option<f64>,
    /// Peak claimed concurrency in the window.
    pub claimed_concurrency_max: Option<f64>,
    /// Its functions in scope.
    pub functions: usize,
    /// Invocations of its functions.
    pub invocations: Option<f64>,
    /// Errors of its functions.
    pub errors: Option<f64>,
    /// Throttles of its functions.
    pub throttles: Option<f64>,
    /// What its failing places say (with the fix for expired credentials).
    pub problems: Vec<String>,
}

/// The GetMetricData bill of one snapshot.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Api {
    /// GetMetricData calls (pages included).
    pub get_metric_data_calls: u32,
    /// Metrics requested.
    pub metrics_requested: usize,
    /// What they cost, USD ($0.01 per 1,000 metrics).
    pub cost_usd: f64,
}

/// The window.
#[derive(Debug, Clone, Serialize)]
pub struct Window {
    /// Inclusive start.
    #[serde(serialize_with = "rfc3339")]
    pub start: DateTime<Utc>,
    /// Exclusive end.
    #[serde(serialize_with = "rfc3339")]
    pub end: DateTime<Utc>,
    /// Length in seconds.
    pub seconds: i64,
}

/// Account-level numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// The AWS account id (STS GetCallerIdentity), `null` when unknown.
    pub id: Option<String>,
    /// Account concurrency limit (GetAccountSettings), `null` when unavailable.
    pub concurrency_limit: Option<u32>,
    /// Unreserved concurrency.
    pub unreserved_concurrency: Option<u32>,
    /// Peak concurrent executions in the window.
    pub concurrency_max: Num,
    /// Peak claimed account concurrency.
    pub claimed_concurrency_max: Num,
    /// Peak concurrency as a ratio of the limit.
    pub concurrency_utilization: Num,
    /// Functions in scope.
    pub functions: usize,
    /// Total invocations.
    pub invocations: Num,
    /// Total errors.
    pub errors: Num,
    /// Total throttles.
    pub throttles: Num,
    /// Estimated USD per hour of the functions in scope.
    pub cost_per_hour: Num,
    /// The same per month (730 h).
    pub cost_per_month: Num,
}

/// Duration statistics in ms.
#[derive(Debug, Clone, Serialize)]
pub struct DurationMs {
    /// Mean.
    pub avg: Num,
    /// Median over the window.
    pub p50: Num,
    /// 90th percentile.
    pub p90: Num,
    /// 99th percentile.
    pub p99: Num,
    /// Maximum.
    pub max: Num,
}

/// One function.
#[derive(Debug, Clone, Serialize)]
pub struct Function {
    /// Name.
    pub name: String,
    /// The region (`--region a,b` or several profiles; `null` for one region).
    pub region: Option<String>,
    /// The profile it was read through (`--profile a,b` only; `null` for one).
    pub profile: Option<String>,
    /// Its account id from STS (`--profile a,b` only; `null` for one
    /// profile, whose id is the account's, or while unknown).
    pub account: Option<String>,
    /// Runtime.
    pub runtime: String,
    /// Memory in MB.
    pub memory_mb: u32,
    /// Timeout in seconds.
    pub timeout_s: u32,
    /// `x86_64` or `arm64`.
    pub architecture: &'static str,
    /// Log group.
    pub log_group: String,
    /// Last configuration change.
    #[serde(serialize_with = "rfc3339_opt")]
    pub last_modified: Option<DateTime<Utc>>,
    /// The latest deploy: code or configuration (`LastModified`).
    #[serde(serialize_with = "rfc3339_opt")]
    pub last_deployed: Option<DateTime<Utc>>,
    /// That deploy when it falls inside the window: the numbers before
    /// and after it, from the window's series (`null` otherwise).
    pub deploy: Option<DeployEntry>,
    /// `State`: `Pending`, `Active`, `Inactive`, `Failed` (`null`: not given).
    pub state: Option<String>,
    /// Why, when not active.
    pub state_reason: Option<String>,
    /// `LastUpdateStatus`: `Successful`, `Failed`, `InProgress`.
    pub last_update_status: Option<String>,
    /// Why the last update failed.
    pub last_update_reason: Option<String>,
    /// Its runtime's deprecation (`{"date", "deprecated", "days_left"}`;
    /// `null` for a runtime lamtop has no date for, or a container image).
    pub runtime_deprecation: Option<crate::model::runtimes::Deprecation>,
    /// The queues and streams that invoke it (ListEventSourceMappings):
    /// `uuid`, `source_arn`, `type`, `state`, `state_reason`,
    /// `last_processing_result`, `batch_size`, and the lag of its kind of
    /// source (`iterator_age_max_ms` for streams, `offset_lag_max` for
    /// Kafka); `null` when none.
    pub event_sources: Option<Vec<signals::EventSourceEntry>>,
    /// Async invocations (`events_received`, `event_age_max_ms`,
    /// `events_dropped`, `dead_letter_errors`,
    /// `destination_delivery_failures`); `null` without async traffic.
    #[serde(rename = "async")]
    pub async_events: Option<signals::Async>,
    /// Provisioned concurrency (`allocated`, `utilization_max`,
    /// `spillover_invocations`); `null` without.
    pub provisioned: Option<signals::Provisioned>,
    /// PostRuntimeExtensionsDuration (`avg`, `max`); `null` without extensions.
    pub extension_duration_ms: Option<signals::AvgMax>,
    /// Invocations Lambda cut as recursive loops; `null` when none reported.
    pub recursive_invocations_dropped: Num,
    /// What marks it `⚠`: a failed state or update, a failing mapping,
    /// lost async events, a deprecated runtime (empty when none).
    pub warnings: Vec<String>,
    /// Invocations in the window.
    pub invocations: Num,
    /// Errors.
    pub errors: Num,
    /// Errors ÷ invocations.
    pub error_rate: Num,
    /// Throttles.
    pub throttles: Num,
    /// Duration statistics.
    pub duration_ms: DurationMs,
    /// Peak concurrency.
    pub concurrency_max: Num,
    /// p99 duration ÷ timeout (0..1; 1 = requests hit the timeout).
    pub timeout_ratio: Num,
    /// Derived numbers: rates, cost, concurrency headroom.
    pub insights: Insights,
    /// What the REPORT lines say (`null` unless `--insights` read them).
    pub reports: Option<Reports>,
    /// Its most frequent error groups (up to 5), see `error_groups`.
    pub error_groups_top: Vec<errors::TopGroup>,
}

/// Metric-derived insights of one function.
#[derive(Debug, Clone, Serialize)]
pub struct Insights {
    /// Throttles ÷ (invocations + throttles).
    pub throttle_rate: Num,
    /// Peak concurrency ÷ the account limit.
    pub concurrency_of_account: Num,
    /// Peak concurrency ÷ reserved concurrency (`null` when not reserved or unknown).
    pub concurrency_of_reserved: Num,
    /// Estimated USD per hour at the window's rate (GB-seconds by
    /// architecture + requests).
    pub cost_per_hour: Num,
    /// The same per month (730 h).
    pub cost_per_month: Num,
}

/// REPORT-line statistics of one function.
#[derive(Debug, Clone, Serialize)]
pub struct Reports {
    /// REPORT lines counted.
    pub invocations: u64,
    /// Cold starts among them.
    pub cold_starts: u64,
    /// Cold starts ÷ invocations.
    pub cold_start_rate: Num,
    /// Init duration p50 (ms).
    pub init_p50_ms: Num,
    /// Init duration p99 (ms).
    pub init_p99_ms: Num,
    /// Peak memory used (MB).
    pub max_memory_used_mb: Num,
    /// Peak memory used ÷ configured memory.
    pub memory_used_ratio: Num,
    /// Mean billed ÷ mean actual duration.
    pub billed_over_actual: Num,
    /// Invocations that timed out.
    pub timeouts: u64,
    /// Invocations killed for running out of memory.
    pub out_of_memory: u64,
    /// Invocations whose runtime exited or was killed otherwise.
    pub runtime_exits: u64,
    /// Inits that failed or timed out.
    pub init_failures: u64,
    /// A right-sizing hint, when the numbers support one.
    pub right_sizing: Option<String>,
}

/// One alarm.
#[derive(Debug, Clone, Serialize)]
pub struct AlarmEntry {
    /// Name.
    pub name: String,
    /// `cloudwatch` or `rule`.
    pub source: AlarmSource,
    /// CloudWatch: `OK`, `ALARM` or `INSUFFICIENT_DATA`; rules: `OK`,
    /// `PENDING`, `FIRING` or `NO_DATA`.
    pub state: AlarmState,
    /// The function it watches, if any.
    pub function: Option<String>,
    /// Rules: `warning` or `critical`; `null` for CloudWatch alarms.
    pub severity: Option<Severity>,
    /// Rules: the metric watched (CloudWatch: the metric name, if one).
    pub metric: Option<String>,
    /// Rules: the latest value of the metric.
    pub value: Num,
    /// When the state last changed.
    #[serde(serialize_with = "rfc3339_opt")]
    pub since: Option<DateTime<Utc>>,
    /// Why.
    pub reason: String,
}

/// What the fleet Logs Insights run did and cost.
#[derive(Debug, Clone, Serialize)]
pub struct InsightsQuery {
    /// Queries run (at most 50 log groups each).
    pub queries: usize,
    /// Log groups queried.
    pub groups: usize,
    /// Functions that got REPORT statistics.
    pub functions_covered: usize,
    /// Bytes scanned.
    pub bytes_scanned: f64,
    /// Estimated cost of the scan in USD.
    pub estimated_cost_usd: Num,
    /// One per failed query.
    pub errors: Vec<String>,
    /// Log groups that do not exist (functions that never ran).
    pub missing_log_groups: Vec<String>,
}

/// One failed fetch.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorEntry {
    /// The API / IAM action.
    pub api: String,
    /// `throttled`, `denied`, `not_found`, `unsupported`, `transport`, `credentials`, `service`,
    /// `timeout` (no answer before the `--once` deadline).
    pub kind: &'static str,
    /// What happened and what to do.
    pub message: String,
    /// What it affects.
    pub affects: String,
}

/// Whether a CloudWatch alarm is in ALARM or a rule at least `least`
/// severe is FIRING.
pub fn any_firing(s: &Snapshot, least: Severity) -> bool {
    s.alarms.iter().any(|a| match a.source {
        AlarmSource::Cloudwatch => a.state == AlarmState::Alarm,
        AlarmSource::Rule => {
            a.state == AlarmState::Firing && a.severity.is_some_and(|v| v >= least)
        }
    })
}

/// A deploy inside the window, before versus after (the period holding
/// the deploy counts as after).
#[derive(Debug, Clone, Serialize)]
pub struct DeployEntry {
    /// When it was deployed.
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// The version it published, when the versions were read.
    pub version: Option<String>,
    /// From the window's start to the deploy.
    pub before: DeploySide,
    /// From the deploy to the window's end.
    pub after: DeploySide,
    /// The two-proportion z score of the error rate's rise (`null`: a side
    /// without invocations).
    pub error_rate_z: Num,
    /// The error rate rose significantly (z ≥ 3, at least 3 errors after).
    pub regressed: bool,
}

/// One side of a deploy.
#[derive(Debug, Clone, Serialize)]
pub struct DeploySide {
    /// Invocations.
    pub invocations: Num,
    /// Errors.
    pub errors: Num,
    /// Errors ÷ invocations (`null` without invocations).
    pub error_rate: Num,
    /// Throttles.
    pub throttles: Num,
    /// Mean duration, weighted by invocations.
    pub avg_ms: Num,
    /// Length covered.
    pub seconds: i64,
}

impl DeployEntry {
    /// The entry of `b`, published as `version`.
    pub fn of(b: &crate::model::deploys::BeforeAfter, version: Option<String>) -> Self {
        let side = |s: &crate::model::deploys::Side| DeploySide {
            invocations: Num::of(Some(s.invocations)),
            errors: Num::of(Some(s.errors)),
            error_rate: Num::ratio(s.error_rate()),
            throttles: Num::of(Some(s.throttles)),
            avg_ms: Num::of(s.avg_ms),
            seconds: s.seconds,
        };
        Self {
            at: b.deployed,
            version,
            before: side(&b.before),
            after: side(&b.after),
            error_rate_z: Num::of(b.error_z().filter(|z| z.is_finite())),
            regressed: b.regressed(),
        }
    }
}
