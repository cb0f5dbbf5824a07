//! Sources answer questions in domain terms. `aws` is the only code that
//! sees aws-sdk types; `demo` is a deterministic synthetic fleet behind the
//! same traits, so `--demo` exercises every poller, the store and every view.

pub mod aws;
pub mod demo;
pub mod multi;

use crate::model::alarms::Alarm;
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::{FunctionId, LogGroup};
use crate::model::insights_query::QueryPoll;
use crate::model::logs::{LogPage, LogQuery};
use crate::model::metrics::{MetricQuery, TimeRange};
use crate::model::traces::{RawTrace, TraceQuery, TraceSummaryPage};
use std::future::Future;

pub use crate::message::{MetricsFetch, SourceError};

/// The function inventory and account settings.
pub trait Inventory: Send + Sync + 'static {
    /// All functions, every page.
    fn list_functions(&self)
    -> impl Future<Output = Result<Vec<FunctionInfo>, SourceError>> + Send;
    /// Reserved concurrency of one function (`None` when unreserved).
    fn reserved_concurrency(
        &self,
        function: &FunctionId,
    ) -> impl Future<Output = Result<Option<u32>, SourceError>> + Send;
    /// Published versions and aliases of one function (ListVersionsByFunction,
    /// ListAliases; every page).
    fn deployments(
        &self,
        function: &FunctionId,
    ) -> impl Future<Output = Result<crate::model::versions::Deployments, SourceError>> + Send;
    /// The function's async settings (GetFunctionEventInvokeConfig;
    /// `None` when none are configured).
    fn async_config(
        &self,
        function: &FunctionId,
    ) -> impl Future<Output = Result<Option<crate::model::invoke::AsyncConfig>, SourceError>> + Send;
    /// Provisioned concurrency per alias and version
    /// (ListProvisionedConcurrencyConfigs, every page).
    fn provisioned_configs(
        &self,
        function: &FunctionId,
    ) -> impl Future<Output = Result<Vec<crate::model::invoke::ProvisionedConfig>, SourceError>> + Send;
    /// Every event source mapping of the region (ListEventSourceMappings,
    /// every page: one list for the whole fleet).
    fn event_sources(
        &self,
    ) -> impl Future<Output = Result<Vec<crate::model::sources::EventSource>, SourceError>> + Send;
    /// Account limits.
    fn account_limits(&self) -> impl Future<Output = Result<AccountLimits, SourceError>> + Send;
    /// The AWS account id (STS GetCallerIdentity, which needs no permission).
    fn account_id(&self) -> impl Future<Output = Result<String, SourceError>> + Send;
}

/// CloudWatch metrics.
pub trait Metrics: Send + Sync + 'static {
    /// Fetches every query over `range`, batched as the source needs.
    fn fetch_metrics(
        &self,
        range: TimeRange,
        queries: &[MetricQuery],
    ) -> impl Future<Output = Result<MetricsFetch, SourceError>> + Send;

    /// Which functions published which signal metrics in the last 3 hours
    /// (ListMetrics per metric name, `RecentlyActive=PT3H`, every page).
    fn discover_signals(
        &self,
    ) -> impl Future<Output = Result<crate::model::signals::Discovery, SourceError>> + Send;
}

/// CloudWatch alarms.
pub trait Alarms: Send + Sync + 'static {
    /// Every metric and composite alarm (the poller keeps the relevant ones).
    fn describe_alarms(&self) -> impl Future<Output = Result<Vec<Alarm>, SourceError>> + Send;
}

/// CloudWatch Logs.
pub trait Logs: Send + Sync + 'static {
    /// One page of a log group's events.
    fn filter_log_events(
        &self,
        query: &LogQuery,
    ) -> impl Future<Output = Result<LogPage, SourceError>> + Send;

    /// Starts a Logs Insights query over at most 50 log groups, all of one
    /// region (rows name their group, not its region); returns its id.
    fn start_query(
        &self,
        _log_groups: &[LogGroup],
        _range: TimeRange,
        _query: &str,
    ) -> impl Future<Output = Result<String, SourceError>> + Send {
        async { Err(unsupported("logs:StartQuery")) }
    }

    /// The status and rows of a Logs Insights query so far.
    fn query_results(
        &self,
        _query_id: &str,
    ) -> impl Future<Output = Result<QueryPoll, SourceError>> + Send {
        async { Err(unsupported("logs:GetQueryResults")) }
    }

    /// Stops a running Logs Insights query (cancel: it stops the billing).
    fn stop_query(&self, _query_id: &str) -> impl Future<Output = Result<(), SourceError>> + Send {
        async { Err(unsupported("logs:StopQuery")) }
    }
}

fn unsupported(api: &str) -> SourceError {
    SourceError::Unsupported {
        api: api.into(),
        message: "this source has no Logs Insights".into(),
    }
}

/// X-Ray.
pub trait Traces: Send + Sync + 'static {
    /// One page of trace summaries of a function.
    fn trace_summaries(
        &self,
        query: &TraceQuery,
    ) -> impl Future<Output = Result<TraceSummaryPage, SourceError>> + Send;
    /// Whole traces, at most 5 ids.
    fn batch_get_traces(
        &self,
        ids: &[String],
    ) -> impl Future<Output = Result<Vec<RawTrace>, SourceError>> + Send;
}

/// Everything a face needs; implemented by the AWS and the demo sources.
pub trait Source: Inventory + Metrics + Alarms + Logs + Traces {
    /// Where the data comes from, for the header (`us-east-1`, `DEMO`).
    fn describe(&self) -> SourceInfo;
    /// API calls made so far (HTTP attempts, retries included); a counter
    /// read, no IO.
    fn api_calls(&self) -> u64;
    /// Attempts the service throttled so far (including those the SDK
    /// retried successfully); a counter read, no IO.
    fn throttled_calls(&self) -> u64 {
        0
    }
    /// Per-region status when the source spans several regions (empty
    /// otherwise); a read, no IO.
    fn region_statuses(&self) -> Vec<multi::RegionStatus> {
        Vec::new()
    }
}

/// Identity of a source, for headers and snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Region name, or `demo`.
    pub region: String,
    /// Profile name, if any.
    pub profile: Option<String>,
    /// Whether this is the synthetic fleet.
    pub demo: bool,
}
