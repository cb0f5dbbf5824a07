//! `--demo`: a deterministic synthetic fleet behind the real source traits,
//! so the demo runs the same pollers, store and views as a real account.

mod fleet;
mod telemetry;

use crate::model::alarms::{Alarm, AlarmKind, AlarmSource, AlarmState};
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::{FunctionId, LogGroup};
use crate::model::insight::ReportStats;
use crate::model::insights_query::{QueryPoll, QueryStatus};
use crate::model::logs::{LogPage, LogQuery, parse_report};
use crate::model::metrics::{MetricKind, MetricQuery, Series, Stat, TimeRange};
use crate::model::traces::{RawTrace, TraceQuery, TraceSummaryPage};
use crate::source::{
    Alarms, Inventory, Logs, Metrics, MetricsFetch, Source, SourceError, SourceInfo, Traces,
};
use chrono::{DateTime, Utc};
use fleet::{Behaviour, Minute, Spec};
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
        }
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

    /// Minutes of one function inside `[start, end)`, never in the future.
    fn minutes(&self, idx: usize, spec: &Spec, start: i64, end: i64) -> Vec<Minute> {
        let now_min = self.now().timestamp().div_euclid(60);
        (start.div_euclid(60)..end.div_euclid(60))
            .filter(|m| *m <= now_min)
            .map(|m| fleet::minute(self.seed, idx, spec, m))
            .collect()
    }

    /// The value of one statistic over a bucket of minutes; `None` when
    /// Lambda would publish no datapoint (no traffic).
    fn aggregate(kind: MetricKind, stat: Stat, ms: &[Minute]) -> Option<f64> {
        let busy: Vec<&Minute> = ms.iter().filter(|m| m.invocations > 0.0).collect();
        let inv: f64 = busy.iter().map(|m| m.invocations).sum();
        let weighted = |f: fn(&Minute) -> f64| {
            (inv > 0.0).then(|| busy.iter().map(|m| f(m) * m.invocations).sum::<f64>() / inv)
        };
        match (kind, stat) {
            (MetricKind::Invocations, _) => (inv > 0.0).then_some(inv),
            (MetricKind::Errors, _) => (inv > 0.0).then(|| busy.iter().map(|m| m.errors).sum()),
            (MetricKind::Throttles, _) => {
                let t: f64 = ms.iter().map(|m| m.throttles).sum();
                (t > 0.0 || inv > 0.0).then_some(t)
            }
            (MetricKind::Duration, Stat::Average) => weighted(|m| m.avg_ms),
            (MetricKind::Duration, Stat::Maximum) => busy.iter().map(|m| m.max_ms).reduce(f64::max),
            (MetricKind::Duration, Stat::P50) => weighted(|m| m.p50_ms),
            (MetricKind::Duration, Stat::P90) => weighted(|m| m.p90_ms),
            (MetricKind::Duration, Stat::P99) => weighted(|m| m.p99_ms),
            (MetricKind::Duration, Stat::Sum) => {
                (inv > 0.0).then(|| busy.iter().map(|m| m.avg_ms * m.invocations).sum())
            }
            (MetricKind::ConcurrentExecutions, _) => {
                busy.iter().map(|m| m.concurrency).reduce(f64::max)
            }
            (MetricKind::ClaimedAccountConcurrency, _) => None,
        }
    }

    fn series(&self, range: TimeRange, q: &MetricQuery) -> Series {
        let period = i64::from(q.period_s.max(60));
        let mut points = Vec::new();
        let mut t = range.start.timestamp();
        while t < range.end.timestamp() {
            let v = match &q.key.function {
                Some(f) => self.spec(&f.name).and_then(|(i, s)| {
                    Self::aggregate(q.key.kind, q.key.stat, &self.minutes(i, s, t, t + period))
                }),
                None => self.account_value(q.key.kind, t, t + period),
            };
            if let Some(v) = v {
                points.push((DateTime::from_timestamp(t, 0).unwrap_or_default(), v));
            }
            t += period;
        }
        Series::from_points(range, q.period_s, points)
    }

    fn account_value(&self, kind: MetricKind, start: i64, end: i64) -> Option<f64> {
        let mut peak: Option<f64> = None;
        for m in start.div_euclid(60)..end.div_euclid(60) {
            if m > self.now().timestamp().div_euclid(60) {
                break;
            }
            let v = match kind {
                MetricKind::ConcurrentExecutions => self
                    .specs
                    .iter()
                    .enumerate()
                    .map(|(i, s)| fleet::minute(self.seed, i, s, m).concurrency)
                    .sum(),
                MetricKind::ClaimedAccountConcurrency => {
                    f64::from(self.specs.iter().filter_map(|s| s.reserved).sum::<u32>())
                }
                _ => return None,
            };
            peak = Some(peak.map_or(v, |p: f64| p.max(v)));
        }
        peak
    }
}

impl Inventory for DemoSource {
    async fn list_functions(&self) -> Result<Vec<FunctionInfo>, SourceError> {
        self.call(1).await;
        Ok(self.specs.iter().map(|s| s.info.clone()).collect())
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

    async fn account_id(&self) -> Result<String, SourceError> {
        Ok("123456789012".into())
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

impl Metrics for DemoSource {
    async fn fetch_metrics(
        &self,
        range: TimeRange,
        queries: &[MetricQuery],
    ) -> Result<MetricsFetch, SourceError> {
        let pct = queries
            .iter()
            .filter(|q| q.key.stat.is_percentile())
            .count();
        let calls = (queries.len() - pct).div_ceil(500) + pct.div_ceil(500);
        self.call(calls as u64).await;
        Ok(MetricsFetch {
            series: queries
                .iter()
                .map(|q| (q.key.clone(), self.series(range, q)))
                .collect(),
            failed: Vec::new(),
            calls: calls as u32,
        })
    }
}

impl Alarms for DemoSource {
    async fn describe_alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        self.call(1).await;
        let now = self.now();
        let minute = now.timestamp().div_euclid(60);
        let mut out = Vec::new();
        for (i, s) in self.specs.iter().enumerate() {
            let (name, metric, firing, since_min, reason) = match s.behaviour {
                Behaviour::ErrorBurst => {
                    let in_burst = (20..30).contains(&minute.rem_euclid(60));
                    let edge = minute - minute.rem_euclid(60) + if in_burst { 20 } else { 30 };
                    let edge = if edge > minute { edge - 60 } else { edge };
                    (
                        format!("{}-errors", s.info.id.name),
                        "Errors",
                        in_burst,
                        edge,
                        "Threshold Crossed: errors > 10 for 2 datapoints within 2 minutes",
                    )
                }
                Behaviour::Throttled => {
                    let m = fleet::minute(self.seed, i, s, minute - 1);
                    (
                        format!("{}-throttles", s.info.id.name),
                        "Throttles",
                        m.throttles > 0.0,
                        minute - 17,
                        "Threshold Crossed: throttles > 0 for 1 datapoint within 1 minute",
                    )
                }
                Behaviour::Normal if s.info.id.name == "orders-api" => (
                    "orders-api-p99".into(),
                    "Duration",
                    false,
                    minute - 240,
                    "Threshold Crossed: p99 < 1000 ms",
                ),
                _ => continue,
            };
            out.push(Alarm {
                name,
                source: AlarmSource::Cloudwatch,
                kind: AlarmKind::Metric,
                state: if firing {
                    AlarmState::Alarm
                } else {
                    AlarmState::Ok
                },
                function: Some(s.info.id.clone()),
                namespace: Some("AWS/Lambda".into()),
                metric: Some(metric.into()),
                since: DateTime::from_timestamp(since_min * 60, 0),
                reason: reason.into(),
                rule: None,
                severity: None,
                value: None,
            });
        }
        Ok(out)
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
mod tests {
    use super::*;
    use crate::model::metrics::{MetricKey, plan_fleet_queries};

    fn demo() -> DemoSource {
        DemoSource::new(7).at(DateTime::from_timestamp(1_800_000_000, 0).unwrap())
    }

    #[tokio::test]
    async fn metrics_cover_every_query_and_idle_is_empty() {
        let d = demo();
        let fns = d.list_functions().await.unwrap();
        let window = Duration::from_secs(3600);
        let q = plan_fleet_queries(fns.iter().map(|f| &f.id), window, &[]);
        let range = TimeRange::ending_at(d.now(), window);
        let f = d.fetch_metrics(range, &q).await.unwrap();
        assert_eq!(f.series.len(), q.len());
        let get = |n: &str, k, s| {
            f.series
                .iter()
                .find(|(key, _)| *key == MetricKey::function(&n.into(), k, s))
                .map(|(_, s)| s.clone())
                .unwrap()
        };
        assert_eq!(
            get("legacy-cron", MetricKind::Invocations, Stat::Sum).sum(),
            0.0
        );
        assert!(get("orders-api", MetricKind::Invocations, Stat::Sum).sum() > 10_000.0);
        assert!(get("thumbnailer", MetricKind::Throttles, Stat::Sum).sum() >= 0.0);
        let acct = f
            .series
            .iter()
            .find(|(k, _)| {
                *k == MetricKey::account(MetricKind::ConcurrentExecutions, Stat::Maximum)
            })
            .unwrap();
        assert!(acct.1.max().unwrap() > 1.0);
    }

    #[tokio::test]
    async fn alarms_and_logs_exist() {
        let d = demo();
        let alarms = d.describe_alarms().await.unwrap();
        assert_eq!(alarms.len(), 3);
        let page = d
            .filter_log_events(&LogQuery {
                log_group: "/aws/lambda/orders-api".into(),
                start: d.now() - chrono::Duration::minutes(2),
                end: None,
                filter_pattern: None,
                next_token: None,
            })
            .await
            .unwrap();
        assert!(
            page.events
                .iter()
                .any(|e| e.message.starts_with("REPORT RequestId:"))
        );
    }
}
