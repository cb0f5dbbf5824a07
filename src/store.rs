//! The one state store. Owned by the face's loop, which folds pollers'
//! updates in with [`Store::apply`]; no locks, no shared mutable state.
//! Every slot carries its freshness so a view can tell "quiet" from
//! "stale" from "failing", and the read API turns series into the numbers
//! the faces show (with `None` meaning "n/a").

mod errors;
pub mod logbuf;
mod read;
pub use read::Spend;
mod accounts;
mod slot;
mod tiered;
pub use accounts::AccountView;

pub use errors::ErrorScan;
use slot::settled;
pub use slot::{AccountSummary, Detail, Freshness, InsightsRun, MetricsData, Slot};

use crate::message::{
    DataKind, InsightsUpdate, LogUpdate, MetricsFetch, RegionStatus, SourceError, Update,
};
use crate::model::alarms::{Alarm, AlarmRule};
pub use crate::model::fleet::FunctionSummary;
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::FunctionId;
use crate::model::insight::{Prices, ReportStats};
use crate::model::metrics::TimeRange;
use crate::model::rules::{AlarmEvent, Inputs, RuleEngine};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};

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
    pub regions: Vec<RegionStatus>,
    /// Account limits.
    pub account: Slot<AccountLimits>,
    /// The AWS account id, when known.
    pub account_id: Option<String>,
    /// Reserved concurrency per function (fetched lazily).
    pub reserved: HashMap<FunctionId, Slot<Option<u32>>>,
    /// Async settings and provisioned concurrency per function (fetched
    /// lazily, on screen).
    pub invoke_configs: HashMap<FunctionId, Slot<crate::message::InvokeConfig>>,
    /// The fleet's event source mappings.
    pub event_sources: Slot<Vec<crate::model::sources::EventSource>>,
    /// Versions and aliases per function (fetched lazily, on screen).
    pub deployments: HashMap<FunctionId, Slot<crate::model::versions::Deployments>>,
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
    /// Window numbers per function, aligned with `functions()`, derived in
    /// `apply` so every frame and every sort reads them instead of
    /// recomputing from series.
    summaries: Vec<FunctionSummary>,
    /// Whether each function carries a warning (`⚠`), derived with the
    /// summaries and again when the event source mappings change: the
    /// fleet's default order reads it for every row of every frame.
    warned: Vec<bool>,
    /// Position of each function in `functions()`.
    index: HashMap<FunctionId, usize>,
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
    pub reports: HashMap<FunctionId, (DateTime<Utc>, ReportStats)>,
    /// The functions whose REPORT statistics come from the log pane's lines
    /// (minutes of them), not a Logs Insights query over the window.
    pub reports_from_log_pane: std::collections::HashSet<FunctionId>,
    /// The fleet Logs Insights run, if one was started.
    pub insights_run: Option<InsightsRun>,
    /// The error groups and the scan that read them.
    pub error_scan: errors::ErrorScan,
    /// Rule changes not yet acted on (bell, `--alarm-log`, `notify_command`);
    /// the face drains them with [`Store::take_alarm_events`].
    alarm_events: Vec<AlarmEvent>,
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
            Update::Started(kind) => self.start(kind),
            Update::Insights(u) => self.apply_insights(u),
            Update::Errors(u) => self.apply_errors(u),
            // The face's own outcome: nothing to keep.
            Update::Report(_) => false,
            Update::CachedInventory {
                saved_at,
                functions,
            } => self.apply_cached_inventory(saved_at, functions),
            Update::Inventory {
                at,
                result,
                unmatched,
            } => self.apply_inventory(at, result, unmatched),
            Update::Identity { result } => self.apply_identity(result),
            Update::Account { at, result } => settled(&mut self.account, at, result),
            Update::Reserved {
                at,
                function,
                result,
            } => settled(self.reserved.entry(function).or_default(), at, result),
            Update::Deployments {
                at,
                function,
                result,
            } => settled(self.deployments.entry(function).or_default(), at, result),
            Update::InvokeConfig {
                at,
                function,
                result,
            } => settled(self.invoke_configs.entry(function).or_default(), at, result),
            Update::EventSources { at, result } => {
                let changed = settled(&mut self.event_sources, at, result);
                self.derive_warned();
                changed
            }
            Update::Metrics {
                at,
                range,
                result,
                plan,
            } => self.apply_metrics(at, range, result, plan),
            Update::Alarms { at, result } => {
                // A CloudWatch alarm's change goes the rules' way (bell,
                // history, --alarm-log, notify_command).
                // The first answer's alarms already in ALARM go to the
                // history only: lamtop did not see them change, the header
                // shows them, and CloudWatch's own actions have paged.
                if let Ok(after) = &result {
                    let before = self.alarms.value.as_deref();
                    let events = crate::model::rules::cloudwatch_changes(before, after, at);
                    self.rules.record(&events);
                    if before.is_some() {
                        self.alarm_events.extend(events);
                    }
                }
                settled(&mut self.alarms, at, result)
            }
            Update::Detail {
                at,
                function,
                range,
                result,
            } => {
                let result = result.map(|fetch| Detail {
                    function,
                    data: MetricsData::of(range, fetch),
                });
                settled(&mut self.detail, at, result)
            }
            Update::ApiUsage {
                at,
                total_calls,
                throttled_calls,
                regions,
            } => self.apply_usage(at, total_calls, throttled_calls, regions),
            Update::Traces { at, result } => settled(&mut self.traces, at, result),
            Update::Trace { at, id, result } => {
                settled(&mut self.trace, at, result.map(|t| (id, t)))
            }
            Update::LogsReset {
                function,
                log_group,
                from,
                capacity,
                keep,
            } => {
                self.reset_logs(function, log_group, from, capacity, keep);
                true
            }
            Update::LogsReach { function, from } => self.apply_reach(function, from),
            Update::Logs { function, update } => self.apply_logs(function, update),
            // One-shot pollers say they are done; the face sees the
            // channel close, so there is nothing to keep.
            Update::Finished(_) => false,
        }
    }

    /// A fetch started: its slot shows "loading".
    fn start(&mut self, kind: DataKind) -> bool {
        match kind {
            DataKind::Inventory => self.inventory.in_flight = true,
            DataKind::Metrics => self.metrics.in_flight = true,
            DataKind::Alarms => self.alarms.in_flight = true,
            DataKind::EventSources => self.event_sources.in_flight = true,
            DataKind::Detail => self.detail.in_flight = true,
            DataKind::Traces => self.traces.in_flight = true,
            DataKind::Trace => self.trace.in_flight = true,
            DataKind::Reserved
            | DataKind::InvokeConfig
            | DataKind::Deployments
            | DataKind::Usage
            | DataKind::Logs => {}
        }
        true
    }

    /// The previous run's list, shown until the real one arrives.
    fn apply_cached_inventory(
        &mut self,
        saved_at: DateTime<Utc>,
        functions: Vec<FunctionInfo>,
    ) -> bool {
        if self.inventory.value.is_some() {
            return false;
        }
        self.inventory.value = Some(functions);
        self.inventory.updated_at = Some(saved_at);
        self.inventory_cached = true;
        self.derive();
        true
    }

    fn apply_inventory(
        &mut self,
        at: DateTime<Utc>,
        result: Result<Vec<FunctionInfo>, SourceError>,
        unmatched: Vec<String>,
    ) -> bool {
        if result.is_ok() {
            self.unmatched_patterns = unmatched;
            self.inventory_cached = false;
        }
        self.inventory.settle(at, result);
        self.derive();
        true
    }

    /// Keeps a known account id when a later read fails.
    fn apply_identity(&mut self, result: Result<String, SourceError>) -> bool {
        let id = result.ok().filter(|id| !id.is_empty());
        let changed = id != self.account_id;
        if id.is_some() {
            self.account_id = id;
        }
        changed
    }

    fn apply_metrics(
        &mut self,
        at: DateTime<Utc>,
        range: TimeRange,
        result: Result<MetricsFetch, SourceError>,
        plan: Option<crate::model::budget::RefreshPlan>,
    ) -> bool {
        let ok = result.is_ok();
        match (result, plan) {
            (Ok(fetch), Some(plan)) => {
                let mut data = self.metrics.value.take().unwrap_or_default();
                let index = &self.index;
                data.merge(range, fetch, plan, at, |f| index.contains_key(f));
                self.metrics.settle(at, Ok(data));
            }
            (result, _) => {
                let result = result.map(|fetch| MetricsData::of(range, fetch));
                self.metrics.settle(at, result);
            }
        }
        self.derive();
        if ok {
            self.evaluate_rules(at);
        }
        true
    }

    /// One usage sample (bounded history); visible when a counter or a
    /// region's status moved.
    fn apply_usage(
        &mut self,
        at: DateTime<Utc>,
        total_calls: u64,
        throttled_calls: u64,
        regions: Vec<RegionStatus>,
    ) -> bool {
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

    /// A report of the log follower of `function`; ignored when the pane
    /// has moved on to another function. New REPORT lines refresh the
    /// function's statistics.
    /// The pane of `function` now reads back to `from` (older events on
    /// their way).
    fn apply_reach(&mut self, function: FunctionId, from: DateTime<Utc>) -> bool {
        let Some(buf) = self.logs.as_mut().filter(|b| b.function == function) else {
            return false;
        };
        buf.from = Some(from);
        buf.reaching_back = true;
        buf.generation += 1;
        true
    }

    fn apply_logs(&mut self, function: FunctionId, update: LogUpdate) -> bool {
        if self.logs.as_ref().is_none_or(|b| b.function != function) {
            return false;
        }
        if let LogUpdate::Events { events, .. } = &update {
            self.feed_error_groups(&function, events);
        }
        let Some(buf) = self.logs.as_mut() else {
            return false;
        };
        match update {
            LogUpdate::Events { events, .. } => {
                let before = buf.reports.len();
                let newest = events.iter().map(|e| e.timestamp).max();
                buf.push(events);
                if let Some(at) = newest.filter(|_| buf.reports.len() != before) {
                    let stats = ReportStats::from_reports(buf.reports.iter().map(|(_, r)| r));
                    let at = self.reports.get(&function).map_or(at, |(t, _)| at.max(*t));
                    self.reports_from_log_pane.insert(function.clone());
                    self.reports.insert(function, (at, stats));
                }
            }
            // Group 0 is the live tail; the others read further back.
            LogUpdate::CaughtUp { until, group: 0 } => {
                buf.caught_up = Some(until);
                buf.last_error = None;
            }
            LogUpdate::CaughtUp { .. } => {}
            LogUpdate::Error { error, .. } => buf.last_error = Some(error),
            LogUpdate::Done { group: 0 } => {}
            LogUpdate::Done { .. } => buf.reaching_back = false,
        }
        buf.generation += 1;
        true
    }

    fn apply_insights(&mut self, u: InsightsUpdate) -> bool {
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
                    if let Some(s) = stats.get(&f.log_group_id()) {
                        self.reports.insert(f.id.clone(), (at, s.clone()));
                        self.reports_from_log_pane.remove(&f.id);
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
        true
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

    /// The log pane starts over: a new buffer, or — for the same function
    /// and group — the old one keeping what `keep` says (the new read adds
    /// the rest; the buffer drops what it already has).
    fn reset_logs(
        &mut self,
        function: FunctionId,
        log_group: crate::model::id::LogGroup,
        from: chrono::DateTime<Utc>,
        capacity: usize,
        keep: crate::message::KeepEvents,
    ) {
        use crate::message::KeepEvents;
        use crate::model::logs::pattern::FilterPattern;
        let same = self
            .logs
            .as_ref()
            .is_some_and(|b| b.function == function && b.log_group == log_group);
        let pattern = match keep {
            KeepEvents::Nothing => None,
            KeepEvents::All => Some(FilterPattern::All),
            KeepEvents::Matching(p) => Some(FilterPattern::parse(&p)),
        };
        match (self.logs.as_mut(), same, pattern) {
            (Some(buf), true, Some(p)) => {
                buf.keep_only(|e| e.timestamp >= from && p.matches(&e.message));
                buf.from = Some(from);
                buf.caught_up = None;
                buf.reaching_back = false;
            }
            _ => {
                let mut buf = logbuf::LogBuffer::new(function, log_group, capacity);
                buf.from = Some(from);
                self.logs = Some(buf);
            }
        }
    }

    /// Rule and CloudWatch alarm changes since the last call, oldest first.
    pub fn take_alarm_events(&mut self) -> Vec<AlarmEvent> {
        std::mem::take(&mut self.alarm_events)
    }
}

#[cfg(test)]
mod tests;
