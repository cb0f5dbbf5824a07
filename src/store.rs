//! The one state store. Owned by the face's loop, which folds pollers'
//! updates in with [`Store::apply`]; no locks, no shared mutable state.
//! Every slot carries its freshness so a view can tell "quiet" from
//! "stale" from "failing", and the read API turns series into the numbers
//! the faces show (with `None` meaning "n/a").

pub mod logbuf;

use crate::model::alarms::{Alarm, AlarmRule};
pub use crate::model::fleet::FunctionSummary;
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::insight::{Prices, ReportStats};
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat, TimeRange};
use crate::model::rules::{AlarmEvent, Inputs, RuleEngine};
use crate::poll::logs::LogUpdate;
use crate::poll::{DataKind, Update};
use crate::source::SourceError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// A piece of data and its freshness.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot<T> {
    /// The last good value (kept when a later fetch fails).
    pub value: Option<T>,
    /// When the last good value arrived.
    pub updated_at: Option<DateTime<Utc>>,
    /// The error of the latest fetch, if it failed.
    pub last_error: Option<SourceError>,
    /// A fetch is running.
    pub in_flight: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            value: None,
            updated_at: None,
            last_error: None,
            in_flight: false,
        }
    }
}

impl<T> Slot<T> {
    fn settle(&mut self, at: DateTime<Utc>, result: Result<T, SourceError>) {
        self.in_flight = false;
        match result {
            Ok(v) => {
                self.value = Some(v);
                self.updated_at = Some(at);
                self.last_error = None;
            }
            Err(e) => self.last_error = Some(e),
        }
    }
}

/// The metrics of the last good refresh.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsData {
    /// The window the series cover.
    pub range: Option<TimeRange>,
    /// Series by key.
    pub series: HashMap<MetricKey, Series>,
    /// Keys the endpoint could not provide, with why (shown as "n/a").
    pub unavailable: HashMap<MetricKey, SourceError>,
    /// GetMetricData calls the refresh cost.
    pub calls: u32,
}

/// Fleet-wide numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct AccountSummary {
    /// Peak account concurrency in the window.
    pub concurrency_max: Option<f64>,
    /// Peak claimed account concurrency.
    pub claimed_concurrency_max: Option<f64>,
    /// Total invocations of the functions in scope.
    pub invocations: Option<f64>,
    /// Total errors.
    pub errors: Option<f64>,
    /// Total throttles.
    pub throttles: Option<f64>,
}

/// Everything the faces read.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Functions in scope, sorted by name.
    pub inventory: Slot<Vec<FunctionInfo>>,
    /// `--functions` patterns that matched nothing.
    pub unmatched_patterns: Vec<String>,
    /// The inventory shown is the previous run's cached list.
    pub inventory_cached: bool,
    /// Per-region status when watching several regions.
    pub regions: Vec<crate::source::multi::RegionStatus>,
    /// Account limits.
    pub account: Slot<AccountLimits>,
    /// The AWS account id, when known.
    pub account_id: Option<String>,
    /// Reserved concurrency per function (fetched lazily).
    pub reserved: HashMap<String, Slot<Option<u32>>>,
    /// Fleet metrics.
    pub metrics: Slot<MetricsData>,
    /// CloudWatch alarms relevant to the fleet.
    pub alarms: Slot<Vec<Alarm>>,
    /// Per-period percentiles of the function on screen.
    pub detail: Slot<Detail>,
    /// Log events of the function on screen.
    pub logs: Option<logbuf::LogBuffer>,
    /// Trace summaries of the function on screen.
    pub traces: Slot<crate::model::traces::TraceList>,
    /// The trace open in the trace view (`None` inside: not found).
    pub trace: Slot<(String, Option<crate::model::segments::TraceTree>)>,
    /// Samples of the source's API call counters (time, attempts,
    /// throttled attempts), oldest first (bounded).
    pub usage: VecDeque<(DateTime<Utc>, u64, u64)>,
    /// Pollers that reported `Finished` (one-shot mode).
    pub finished: Vec<DataKind>,
    /// Window numbers per function, aligned with `functions()`, derived in
    /// `apply` so every frame and every sort reads them instead of
    /// recomputing from series.
    summaries: Vec<FunctionSummary>,
    /// Position of each function in `functions()`.
    index: HashMap<String, usize>,
    /// Fleet totals, derived in `apply`.
    account_totals: AccountSummary,
    /// lamtop's alarm rules and their state machines.
    pub rules: RuleEngine,
    /// The rules' states as alarms, refreshed after each evaluation.
    rule_alarms: Vec<Alarm>,
    /// Prices for cost estimates.
    pub prices: Prices,
    /// REPORT statistics per function, with when they were computed: from
    /// the log lines read, or from a Logs Insights query.
    pub reports: HashMap<String, (DateTime<Utc>, ReportStats)>,
    /// The fleet Logs Insights run, if one was started.
    pub insights_run: Option<InsightsRun>,
    /// Rule changes not yet acted on (bell, `--alarm-log`, `notify_command`);
    /// the face drains them with [`Store::take_alarm_events`].
    alarm_events: Vec<AlarmEvent>,
}

/// The fleet Logs Insights run as the faces show it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InsightsRun {
    /// Queries, groups, bytes scanned so far.
    pub progress: crate::poll::insights::Progress,
    /// Still running.
    pub running: bool,
    /// Stopped by the user.
    pub cancelled: bool,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Queries that failed, with why.
    pub errors: Vec<SourceError>,
    /// Functions that got statistics.
    pub functions_covered: usize,
    /// Log groups that do not exist (functions that never ran).
    pub missing: Vec<String>,
}

/// Detail metrics of one function.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// The function they belong to.
    pub function: String,
    /// The series.
    pub data: MetricsData,
}

/// Usage samples kept (5 s apart: a bit more than two minutes).
const USAGE_SAMPLES: usize = 30;

impl Store {
    /// A store that evaluates `rules` and prices cost with `prices`.
    pub fn new(rules: &[AlarmRule], prices: Prices) -> Self {
        Self {
            rules: RuleEngine::new(rules),
            prices,
            ..Self::default()
        }
    }

    /// Folds one update in. Returns whether anything visible changed.
    pub fn apply(&mut self, update: Update) -> bool {
        match update {
            Update::Started(kind) => {
                match kind {
                    DataKind::Inventory => self.inventory.in_flight = true,
                    DataKind::Metrics => self.metrics.in_flight = true,
                    DataKind::Alarms => self.alarms.in_flight = true,
                    DataKind::Detail => self.detail.in_flight = true,
                    DataKind::Traces => self.traces.in_flight = true,
                    DataKind::Trace => self.trace.in_flight = true,
                    DataKind::Reserved | DataKind::Usage | DataKind::Logs => {}
                }
                true
            }
            Update::Insights(u) => {
                self.apply_insights(u);
                true
            }
            Update::CachedInventory {
                saved_at,
                functions,
            } => {
                if self.inventory.value.is_some() {
                    return false;
                }
                self.inventory.value = Some(functions);
                self.inventory.updated_at = Some(saved_at);
                self.inventory_cached = true;
                self.derive();
                true
            }
            Update::Inventory {
                at,
                result,
                unmatched,
            } => {
                if result.is_ok() {
                    self.unmatched_patterns = unmatched;
                    self.inventory_cached = false;
                }
                self.inventory.settle(at, result);
                self.derive();
                true
            }
            Update::Identity { result } => {
                let id = result.ok().filter(|id| !id.is_empty());
                let changed = id != self.account_id;
                if id.is_some() {
                    self.account_id = id;
                }
                changed
            }
            Update::Account { at, result } => {
                self.account.settle(at, result);
                true
            }
            Update::Reserved {
                at,
                function,
                result,
            } => {
                self.reserved
                    .entry(function)
                    .or_default()
                    .settle(at, result);
                true
            }
            Update::Metrics { at, range, result } => {
                let result = result.map(|fetch| MetricsData {
                    range: Some(range),
                    series: fetch.series.into_iter().collect(),
                    unavailable: fetch.failed.into_iter().collect(),
                    calls: fetch.calls,
                });
                let ok = result.is_ok();
                self.metrics.settle(at, result);
                self.derive();
                if ok {
                    self.evaluate_rules(at);
                }
                true
            }
            Update::Alarms { at, result } => {
                self.alarms.settle(at, result);
                true
            }
            Update::Detail {
                at,
                function,
                range,
                result,
            } => {
                let result = result.map(|fetch| Detail {
                    function,
                    data: MetricsData {
                        range: Some(range),
                        series: fetch.series.into_iter().collect(),
                        unavailable: fetch.failed.into_iter().collect(),
                        calls: fetch.calls,
                    },
                });
                self.detail.settle(at, result);
                true
            }
            Update::ApiUsage {
                at,
                total_calls,
                throttled_calls,
                regions,
            } => {
                let regions_changed = regions != self.regions;
                self.regions = regions;
                let changed = self
                    .usage
                    .back()
                    .is_none_or(|(_, n, t)| (*n, *t) != (total_calls, throttled_calls));
                self.usage.push_back((at, total_calls, throttled_calls));
                while self.usage.len() > USAGE_SAMPLES {
                    self.usage.pop_front();
                }
                changed || regions_changed
            }
            Update::Traces { at, result } => {
                self.traces.settle(at, result);
                true
            }
            Update::Trace { at, id, result } => {
                self.trace.settle(at, result.map(|t| (id, t)));
                true
            }
            Update::LogsReset {
                function,
                log_group,
                capacity,
            } => {
                self.logs = Some(logbuf::LogBuffer::new(function, log_group, capacity));
                true
            }
            Update::Logs { function, update } => {
                let Some(buf) = self.logs.as_mut().filter(|b| b.function == function) else {
                    return false;
                };
                match update {
                    LogUpdate::Events { events, .. } => {
                        let before = buf.reports.len();
                        let newest = events.iter().map(|e| e.timestamp).max();
                        buf.push(events);
                        if let Some(at) = newest.filter(|_| buf.reports.len() != before) {
                            let stats =
                                ReportStats::from_reports(buf.reports.iter().map(|(_, r)| r));
                            let at = self.reports.get(&function).map_or(at, |(t, _)| at.max(*t));
                            self.reports.insert(function, (at, stats));
                        }
                    }
                    LogUpdate::CaughtUp { until, .. } => {
                        buf.caught_up = Some(until);
                        buf.last_error = None;
                    }
                    LogUpdate::Error { error, .. } => buf.last_error = Some(error),
                    LogUpdate::Done { .. } => {}
                }
                buf.generation += 1;
                true
            }
            Update::Finished(kind) => {
                if !self.finished.contains(&kind) {
                    self.finished.push(kind);
                }
                false
            }
        }
    }

    fn apply_insights(&mut self, u: crate::poll::insights::InsightsUpdate) {
        use crate::poll::insights::InsightsUpdate;
        match u {
            InsightsUpdate::Progress(p) => {
                let run = self.insights_run.get_or_insert_with(InsightsRun::default);
                if run.finished_at.is_some() {
                    // A new run replaces the finished one.
                    *run = InsightsRun::default();
                }
                run.running = true;
                run.progress = p;
            }
            InsightsUpdate::Done {
                at,
                progress,
                stats,
                errors,
                missing,
                cancelled,
            } => {
                // REPORT lines do not name the function: a log group shared
                // by several functions gives each of them the group's numbers.
                let mut covered = 0;
                for f in self.inventory.value.as_deref().unwrap_or(&[]) {
                    if let Some(s) = stats.get(&f.log_group) {
                        self.reports.insert(f.name.clone(), (at, s.clone()));
                        covered += 1;
                    }
                }
                self.insights_run = Some(InsightsRun {
                    progress,
                    running: false,
                    cancelled,
                    finished_at: Some(at),
                    errors,
                    functions_covered: covered,
                    missing,
                });
            }
        }
    }

    /// Runs the rules on the last good metrics, as of `at`.
    fn evaluate_rules(&mut self, at: DateTime<Utc>) {
        if self.rules.is_empty() {
            return;
        }
        let Some(m) = self.metrics.value.as_ref() else {
            return;
        };
        let Some(range) = m.range else { return };
        let inputs = Inputs {
            series: &m.series,
            range,
            at,
            prices: &self.prices,
            reports: &self.reports,
        };
        let functions = self.inventory.value.as_deref().unwrap_or(&[]);
        let events = self.rules.evaluate(functions, &inputs);
        self.alarm_events.extend(events);
        self.rule_alarms = self.rules.alarms();
    }

    /// Evaluates the rules again (after REPORT statistics arrived).
    pub fn evaluate_rules_now(&mut self, at: DateTime<Utc>) {
        self.evaluate_rules(at);
    }

    /// Rule changes since the last call, oldest first.
    pub fn take_alarm_events(&mut self) -> Vec<AlarmEvent> {
        std::mem::take(&mut self.alarm_events)
    }

    /// Every alarm: CloudWatch's (relevant to the fleet), then the rules'.
    pub fn all_alarms(&self) -> impl Iterator<Item = &Alarm> {
        self.alarms
            .value
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .chain(&self.rule_alarms)
    }

    /// Alarms breaching now (CloudWatch ALARM or rule FIRING).
    pub fn firing_count(&self) -> usize {
        self.all_alarms().filter(|a| a.state.is_firing()).count()
    }

    /// Functions in scope (empty until the inventory arrives).
    pub fn functions(&self) -> &[FunctionInfo] {
        self.inventory.value.as_deref().unwrap_or(&[])
    }

    /// One series of the last good refresh.
    pub fn series(&self, key: &MetricKey) -> Option<&Series> {
        self.metrics.value.as_ref()?.series.get(key)
    }

    /// Why a series is missing, if the endpoint failed it.
    pub fn unavailable(&self, key: &MetricKey) -> Option<&SourceError> {
        self.metrics.value.as_ref()?.unavailable.get(key)
    }

    /// Recomputes the derived numbers after the inventory or metrics changed.
    fn derive(&mut self) {
        self.summaries = self
            .functions()
            .iter()
            .map(|f| self.compute_summary(f))
            .collect();
        self.index = self
            .functions()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        self.account_totals = self.compute_account();
    }

    /// The window numbers of one function (n/a everywhere when unknown).
    pub fn function_summary(&self, name: &str) -> FunctionSummary {
        self.index
            .get(name)
            .and_then(|i| self.summaries.get(*i))
            .copied()
            .unwrap_or_default()
    }

    /// Functions in scope with their window numbers, in inventory order.
    pub fn functions_with_summaries(
        &self,
    ) -> impl Iterator<Item = (&FunctionInfo, &FunctionSummary)> {
        self.functions().iter().zip(&self.summaries)
    }

    /// Length of the last good metrics window (0 before any).
    fn window_seconds(&self) -> i64 {
        self.metrics
            .value
            .as_ref()
            .and_then(|m| m.range)
            .map_or(0, |r| r.seconds())
    }

    /// Metric insights of one function (rates, cost, concurrency headroom).
    pub fn insight(&self, f: &FunctionInfo) -> crate::model::insight::Insight {
        let window_s = self.window_seconds();
        let reserved = self.reserved.get(&f.name).and_then(|s| s.value).flatten();
        let limit = self.account.value.and_then(|a| a.concurrency_limit);
        crate::model::insight::insight(
            f,
            &self.function_summary(&f.name),
            window_s,
            &self.prices,
            reserved,
            limit,
        )
    }

    /// REPORT statistics of one function, if any were read.
    pub fn report_stats(&self, name: &str) -> Option<&ReportStats> {
        self.reports.get(name).map(|(_, s)| s)
    }

    /// Fleet totals and account peaks.
    pub fn account_summary(&self) -> AccountSummary {
        self.account_totals
    }

    fn compute_summary(&self, f: &FunctionInfo) -> FunctionSummary {
        let name = f.name.as_str();
        let get = |k: MetricKind, s: Stat| self.series(&MetricKey::function(name, k, s));
        let invocations_series = get(MetricKind::Invocations, Stat::Sum);
        let invocations = invocations_series.map(Series::sum);
        let errors = get(MetricKind::Errors, Stat::Sum).map(Series::sum);
        let window_value = |s: Stat| get(MetricKind::Duration, s).and_then(Series::last);
        FunctionSummary {
            invocations,
            errors,
            error_rate: match (errors, invocations) {
                (Some(e), Some(i)) if i > 0.0 => Some(e / i),
                _ => None,
            },
            throttles: get(MetricKind::Throttles, Stat::Sum).map(Series::sum),
            duration_avg: get(MetricKind::Duration, Stat::Average)
                .and_then(|s| s.weighted_mean(invocations_series)),
            duration_p50: window_value(Stat::P50),
            duration_p90: window_value(Stat::P90),
            duration_p99: window_value(Stat::P99),
            duration_max: get(MetricKind::Duration, Stat::Maximum).and_then(Series::max),
            concurrency_max: get(MetricKind::ConcurrentExecutions, Stat::Maximum)
                .and_then(Series::max),
            duration_total_ms: get(MetricKind::Duration, Stat::Average)
                .zip(invocations_series)
                .map(|(avg, inv)| avg.weighted_total(inv)),
            cost_per_hour: None,
        }
        .with_cost(f, self.window_seconds(), &self.prices)
    }

    fn compute_account(&self) -> AccountSummary {
        let acct = |k| {
            self.series(&MetricKey::account(k, Stat::Maximum))
                .and_then(Series::max)
        };
        let total = |f: fn(&FunctionSummary) -> Option<f64>| {
            let values: Vec<Option<f64>> = self.summaries.iter().map(f).collect();
            // A total is only as good as its parts.
            if self.metrics.value.is_none() || values.iter().any(Option::is_none) {
                None
            } else {
                Some(values.into_iter().flatten().sum())
            }
        };
        AccountSummary {
            concurrency_max: acct(MetricKind::ConcurrentExecutions),
            claimed_concurrency_max: acct(MetricKind::ClaimedAccountConcurrency),
            invocations: total(|s| s.invocations),
            errors: total(|s| s.errors),
            throttles: total(|s| s.throttles),
        }
    }

    /// API calls in the last minute (from the usage samples; since start
    /// when lamtop has run for less than a minute).
    pub fn calls_last_minute(&self, now: DateTime<Utc>) -> Option<u64> {
        self.last_minute(now, |(_, n, _)| *n)
    }

    /// Throttled attempts in the last minute (same rule).
    pub fn throttled_last_minute(&self, now: DateTime<Utc>) -> Option<u64> {
        self.last_minute(now, |(_, _, t)| *t)
    }

    fn last_minute(
        &self,
        now: DateTime<Utc>,
        field: impl Fn(&(DateTime<Utc>, u64, u64)) -> u64,
    ) -> Option<u64> {
        let latest = field(self.usage.back()?);
        let cutoff = now - chrono::Duration::seconds(60);
        let base = self
            .usage
            .iter()
            .rev()
            .find(|s| s.0 <= cutoff)
            .map_or(0, &field);
        Some(latest.saturating_sub(base))
    }

    /// Detail series of `function`, if the detail slot holds that function.
    pub fn detail_series(&self, function: &str, key: &MetricKey) -> Option<&Series> {
        let d = self
            .detail
            .value
            .as_ref()
            .filter(|d| d.function == function)?;
        d.data.series.get(key)
    }

    /// Whether every poller has reported `Finished`.
    pub fn all_finished(&self) -> bool {
        DataKind::ALL.iter().all(|k| self.finished.contains(k))
    }
}

#[cfg(test)]
mod tests;
