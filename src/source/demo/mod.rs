//! `--demo`: a deterministic synthetic fleet behind the real source traits,
//! so the demo runs the same pollers, store and views as a real account.

mod cloudwatch;
mod fleet;
mod signals;
mod telemetry;

use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::{FunctionId, LogGroup};
use crate::model::insight::ReportStats;
use crate::model::insights_query::{QueryPoll, QueryStatus};
use crate::model::logs::{LogPage, LogQuery, parse_report};
use crate::model::metrics::TimeRange;
use crate::model::traces::{RawTrace, TraceQuery, TraceSummaryPage};
use crate::source::{Inventory, Logs, Source, SourceError, SourceInfo, Traces};
use chrono::{DateTime, Utc};
use fleet::Spec;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The account-wide concurrency limit of the demo account.
const DEMO_ACCOUNT_LIMIT: u32 = 1000;

/// The synthetic fleet.
#[derive(Debug, Clone)]
pub struct DemoSource {
    seed: u64,
    specs: Vec<Spec>,
    /// Fixed clock for tests; `None` follows the wall clock.
    clock: Option<DateTime<Utc>>,
    /// Simulated API latency, so loading states are visible.
    latency: Duration,
    /// Simulated API calls, counted like the real source's.
    calls: Arc<AtomicU64>,
    /// The account id it answers STS with.
    account: String,
}

impl DemoSource {
    /// A fleet for `seed`, following the wall clock.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            specs: fleet::build(seed),
            clock: None,
            latency: Duration::from_millis(150),
            calls: Arc::default(),
            account: "123456789012".into(),
        }
    }

    /// The same fleet in another account (demo profiles).
    pub fn in_account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    /// Freezes the clock (tests and snapshots).
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Some(now);
        self.latency = Duration::ZERO;
        self
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }

    /// Accounts for `calls` simulated API calls and waits like a network would.
    async fn call(&self, calls: u64) {
        self.calls.fetch_add(calls, Ordering::Relaxed);
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
    }

    fn spec(&self, name: &str) -> Option<(usize, &Spec)> {
        self.specs
            .iter()
            .enumerate()
            .find(|(_, s)| s.info.id.name == name)
    }
}

impl Inventory for DemoSource {
    async fn list_functions(&self) -> Result<Vec<FunctionInfo>, SourceError> {
        self.call(1).await;
        let now = self.now();
        Ok(self
            .specs
            .iter()
            .map(|s| FunctionInfo {
                last_modified: fleet::last_deployed(s, now),
                ..s.info.clone()
            })
            .collect())
    }

    async fn reserved_concurrency(
        &self,
        function: &FunctionId,
    ) -> Result<Option<u32>, SourceError> {
        self.call(1).await;
        match self.spec(&function.name) {
            Some((_, s)) => Ok(s.reserved),
            None => Err(SourceError::NotFound {
                api: "lambda:GetFunctionConcurrency".into(),
                message: format!("function '{function}' is not in the demo fleet"),
            }),
        }
    }

    async fn deployments(
        &self,
        function: &FunctionId,
    ) -> Result<crate::model::versions::Deployments, SourceError> {
        self.call(2).await;
        match self.spec(&function.name) {
            Some((_, s)) => Ok(fleet::deployments(s, self.now())),
            None => Err(SourceError::NotFound {
                api: "lambda:ListVersionsByFunction".into(),
                message: format!("function '{function}' is not in the demo fleet"),
            }),
        }
    }

    async fn async_config(
        &self,
        function: &FunctionId,
    ) -> Result<Option<crate::model::invoke::AsyncConfig>, SourceError> {
        self.call(1).await;
        Ok(signals::async_config(&function.name))
    }

    async fn provisioned_configs(
        &self,
        function: &FunctionId,
    ) -> Result<Vec<crate::model::invoke::ProvisionedConfig>, SourceError> {
        self.call(1).await;
        Ok(signals::provisioned_configs(&function.name))
    }

    async fn event_sources(&self) -> Result<Vec<crate::model::sources::EventSource>, SourceError> {
        self.call(1).await;
        Ok(fleet::event_sources(&self.specs))
    }

    async fn account_id(&self) -> Result<String, SourceError> {
        Ok(self.account.clone())
    }

    async fn account_limits(&self) -> Result<AccountLimits, SourceError> {
        self.call(1).await;
        let reserved: u32 = self.specs.iter().filter_map(|s| s.reserved).sum();
        Ok(AccountLimits {
            concurrency_limit: Some(DEMO_ACCOUNT_LIMIT),
            unreserved_concurrency: Some(DEMO_ACCOUNT_LIMIT - reserved),
        })
    }
}

impl Logs for DemoSource {
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        self.call(1).await;
        let Some((i, spec)) = self
            .specs
            .iter()
            .enumerate()
            .find(|(_, s)| s.info.log_group == query.log_group.name)
        else {
            return Err(SourceError::NotFound {
                api: "logs:FilterLogEvents".into(),
                message: format!("log group '{}' does not exist", query.log_group),
            });
        };
        Ok(telemetry::log_page(self.seed, i, spec, query, self.now()))
    }

    /// The demo answers from its own REPORT lines; the id carries the
    /// request, so no state is kept.
    async fn start_query(
        &self,
        log_groups: &[LogGroup],
        range: TimeRange,
        _query: &str,
    ) -> Result<String, SourceError> {
        self.call(1).await;
        let idx: Vec<String> = self
            .specs
            .iter()
            .enumerate()
            .filter(|(_, s)| log_groups.iter().any(|g| g.name == s.info.log_group))
            .map(|(i, _)| i.to_string())
            .collect();
        Ok(format!(
            "demo:{}:{}:{}",
            range.start.timestamp_millis(),
            range.end.min(self.now()).timestamp_millis(),
            idx.join(",")
        ))
    }

    async fn query_results(&self, query_id: &str) -> Result<QueryPoll, SourceError> {
        self.call(1).await;
        let bad = || SourceError::NotFound {
            api: "logs:GetQueryResults".into(),
            message: format!("unknown query id '{query_id}'"),
        };
        let mut parts = query_id.split(':').skip(1);
        let (Some(start), Some(end), Some(list)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let (start, end): (i64, i64) = (
            start.parse().map_err(|_| bad())?,
            end.parse().map_err(|_| bad())?,
        );
        let mut poll = QueryPoll {
            status: Some(QueryStatus::Complete),
            ..Default::default()
        };
        for i in list.split(',').filter_map(|i| i.parse::<usize>().ok()) {
            let Some(spec) = self.specs.get(i) else {
                continue;
            };
            let (lines, bytes) = telemetry::report_lines(self.seed, i, spec, start, end);
            poll.bytes_scanned += bytes as f64;
            poll.records_matched += lines.len() as f64;
            let reports: Vec<_> = lines.iter().filter_map(|l| parse_report(l)).collect();
            let s = ReportStats::from_reports(&reports);
            let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            let row = [
                ("@log", format!("000000000000:{}", spec.info.log_group)),
                ("invocations", s.invocations.to_string()),
                ("coldStarts", s.cold_starts.to_string()),
                ("initP50", f(s.init_p50_ms)),
                ("initP99", f(s.init_p99_ms)),
                ("maxMemoryMB", f(s.max_memory_used_mb)),
                ("memorySizeMB", f(s.memory_size_mb)),
                ("avgDuration", f(s.avg_duration_ms)),
                ("avgBilled", f(s.avg_billed_ms)),
                ("timeouts", s.timeouts.to_string()),
                ("outOfMemory", s.out_of_memory.to_string()),
                (
                    "errorExits",
                    (s.out_of_memory + s.runtime_exits).to_string(),
                ),
            ];
            poll.rows
                .push(row.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        }
        Ok(poll)
    }

    async fn stop_query(&self, _query_id: &str) -> Result<(), SourceError> {
        self.call(1).await;
        Ok(())
    }
}

impl Traces for DemoSource {
    async fn trace_summaries(&self, query: &TraceQuery) -> Result<TraceSummaryPage, SourceError> {
        self.call(1).await;
        let Some((i, spec)) = self.spec(&query.function.name) else {
            return Ok(TraceSummaryPage::default());
        };
        Ok(telemetry::trace_summaries(
            self.seed,
            i,
            spec,
            query,
            self.now(),
        ))
    }

    async fn batch_get_traces(&self, ids: &[String]) -> Result<Vec<RawTrace>, SourceError> {
        self.call(1).await;
        Ok(ids
            .iter()
            .take(5)
            .filter_map(|id| telemetry::trace(self.seed, &self.specs, id))
            .collect())
    }
}

impl Source for DemoSource {
    fn describe(&self) -> SourceInfo {
        SourceInfo {
            region: "demo".into(),
            profile: None,
            demo: true,
        }
    }

    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests;
