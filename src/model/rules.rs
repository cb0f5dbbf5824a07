//! lamtop's own alarm rules, evaluated: the value of a rule's metric at each
//! minute the data covers, and a state machine per rule and function
//! (OK → PENDING → FIRING → OK, with NO_DATA as a state of its own).
//!
//! Evaluation is incremental: each refresh feeds only the instants newer than
//! the last one a tracker saw, so a long `for` spans refreshes. The first
//! evaluation replays the whole window, so a condition that already held for
//! ten minutes fires at once instead of ten minutes after lamtop starts.

use crate::model::alarms::{Alarm, AlarmKind, AlarmRule, AlarmSource, AlarmState, RuleMetric};
use crate::model::function::{FunctionFilter, FunctionInfo};
use crate::model::insight::{Prices, ReportStats};
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat, TimeRange};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// Alarm history entries kept for the TUI.
pub const HISTORY_LEN: usize = 500;

/// The state machine of one rule on one function.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracker {
    /// Current state (NO_DATA until a value arrives).
    pub state: AlarmState,
    /// When the current state began.
    pub since: Option<DateTime<Utc>>,
    /// When the condition began to hold without a break.
    pub breach_since: Option<DateTime<Utc>>,
    /// The latest instant fed.
    pub last_at: Option<DateTime<Utc>>,
    /// The latest value.
    pub value: Option<f64>,
}

impl Default for Tracker {
    fn default() -> Self {
        Self {
            state: AlarmState::NoData,
            since: None,
            breach_since: None,
            last_at: None,
            value: None,
        }
    }
}

impl Tracker {
    /// Feeds one evaluation: `breach` is `None` when there is no value.
    /// Returns the previous state when the state changed.
    pub fn observe(
        &mut self,
        at: DateTime<Utc>,
        value: Option<f64>,
        breach: Option<bool>,
        hold_for: ChronoDuration,
    ) -> Option<AlarmState> {
        self.last_at = Some(at);
        self.value = value;
        let next = match breach {
            None => {
                self.breach_since = None;
                AlarmState::NoData
            }
            Some(false) => {
                self.breach_since = None;
                AlarmState::Ok
            }
            Some(true) => {
                let start = *self.breach_since.get_or_insert(at);
                if at - start >= hold_for {
                    AlarmState::Firing
                } else {
                    AlarmState::Pending
                }
            }
        };
        if next == self.state && self.since.is_some() {
            return None;
        }
        let prev = self.state;
        self.state = next;
        // FIRING dates from when `for` was met; the others from now.
        self.since = Some(at);
        (prev != next).then_some(prev)
    }
}

/// One state change of a rule on a function: a history entry, an
/// `--alarm-log` line and the fields handed to `notify_command`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmEvent {
    /// When the change happened (the instant evaluated).
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// Rule name.
    pub alarm: String,
    /// Always `rule`.
    pub source: AlarmSource,
    /// The function.
    pub function: String,
    /// Previous state.
    pub from: AlarmState,
    /// New state.
    pub state: AlarmState,
    /// Severity.
    pub severity: crate::model::alarms::Severity,
    /// The metric's config name.
    pub metric: &'static str,
    /// The comparison.
    pub op: &'static str,
    /// The threshold.
    pub threshold: f64,
    /// The value that caused the change, if any.
    pub value: Option<f64>,
}

fn rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// What a rule is evaluated against.
pub struct Inputs<'a> {
    /// Series of the last refresh.
    pub series: &'a HashMap<MetricKey, Series>,
    /// The window they cover.
    pub range: TimeRange,
    /// When they were fetched: buckets ending later are still filling.
    pub at: DateTime<Utc>,
    /// Prices for `cost_per_hour`.
    pub prices: &'a Prices,
    /// REPORT statistics per function, with when they were computed.
    pub reports: &'a HashMap<String, (DateTime<Utc>, ReportStats)>,
}

/// The values of `rule`'s metric for `f` at every instant after `after` that
/// the inputs cover.
pub fn samples(
    rule: &AlarmRule,
    f: &FunctionInfo,
    inp: &Inputs<'_>,
    after: Option<DateTime<Utc>>,
) -> Vec<(DateTime<Utc>, Option<f64>)> {
    let newer = |t: &DateTime<Utc>| after.is_none_or(|a| *t > a);
    if rule.metric.from_reports() {
        let at = inp.reports.get(&f.name).map_or(inp.at, |(t, _)| *t);
        if !newer(&at) {
            return Vec::new();
        }
        let stats = inp.reports.get(&f.name).map(|(_, s)| s);
        let value = stats.and_then(|s| match rule.metric {
            RuleMetric::ColdStartRate => s.cold_start_rate(),
            RuleMetric::OutOfMemory => Some(s.out_of_memory as f64),
            _ => s.memory_used_ratio(Some(f.memory_mb)),
        });
        return vec![(at, value)];
    }
    let period_s = rule.period.as_secs().max(60) as u32;
    if rule.metric.needs_p99() {
        let key = MetricKey::function(&f.name, MetricKind::Duration, Stat::P99).at_period(period_s);
        let Some(series) = inp.series.get(&key) else {
            return vec![(inp.at, None)]
                .into_iter()
                .filter(|(t, _)| newer(t))
                .collect();
        };
        return complete_buckets(series, inp.at)
            .filter(|(t, _)| newer(t))
            .map(|(t, i)| {
                let p99 = series.get(i);
                let v = match rule.metric {
                    RuleMetric::TimeoutRatio => p99
                        .filter(|_| f.timeout_s > 0)
                        .map(|p| p / (f64::from(f.timeout_s) * 1000.0)),
                    _ => p99,
                };
                (t, v)
            })
            .collect();
    }
    let get = |k: MetricKind, s: Stat| inp.series.get(&MetricKey::function(&f.name, k, s));
    let inv = get(MetricKind::Invocations, Stat::Sum);
    let Some(base) = inv else {
        return vec![(inp.at, None)]
            .into_iter()
            .filter(|(t, _)| newer(t))
            .collect();
    };
    let step = i64::from(base.period_s);
    let complete: Vec<(DateTime<Utc>, usize)> = complete_buckets(base, inp.at).collect();
    let n = usize::try_from((i64::from(period_s) + step - 1) / step)
        .unwrap_or(1)
        .max(1);
    let mut out = Vec::new();
    for (k, &(t, i)) in complete.iter().enumerate() {
        // A full period of data, or the whole window when it is shorter
        // than the period (then only the last instant is evaluated).
        let short = complete.len() < n;
        if (short && k + 1 != complete.len()) || (!short && i + 1 < n) || !newer(&t) {
            continue;
        }
        let lo = (i + 1).saturating_sub(n);
        let span = lo..=i;
        let sum = |s: Option<&Series>| -> Option<f64> {
            s.map(|s| s.points_in(span.clone()).flatten().sum())
        };
        let invocations = sum(inv);
        let value = match rule.metric {
            RuleMetric::Invocations => invocations,
            RuleMetric::Errors => sum(get(MetricKind::Errors, Stat::Sum)),
            RuleMetric::Throttles => sum(get(MetricKind::Throttles, Stat::Sum)),
            RuleMetric::ErrorRate => sum(get(MetricKind::Errors, Stat::Sum))
                .zip(invocations)
                .and_then(|(e, i)| (i > 0.0).then(|| e / i)),
            RuleMetric::DurationAvg => get(MetricKind::Duration, Stat::Average)
                .and_then(|avg| avg.weighted_mean_in(inv, span.clone())),
            // Idle minutes have no datapoint: nothing was running.
            RuleMetric::Concurrency => {
                get(MetricKind::ConcurrentExecutions, Stat::Maximum).map(|s| {
                    s.points_in(span.clone())
                        .flatten()
                        .fold(0.0, |a: f64, b| a.max(b))
                })
            }
            RuleMetric::CostPerHour => get(MetricKind::Duration, Stat::Average)
                .zip(invocations)
                .map(|(avg, i)| {
                    let total = avg.weighted_total_in(base, span.clone());
                    let secs = (span.clone().count() as i64 * step) as f64;
                    inp.prices.cost(f.architecture, f.memory_mb, i, total) * 3600.0 / secs
                }),
            _ => None,
        };
        out.push((t, value));
    }
    out
}

/// `(bucket end, index)` of the buckets that ended by `at`.
fn complete_buckets(
    s: &Series,
    at: DateTime<Utc>,
) -> impl Iterator<Item = (DateTime<Utc>, usize)> + '_ {
    let step = i64::from(s.period_s);
    (0..s.len()).filter_map(move |i| {
        let end = s.start + ChronoDuration::seconds((i as i64 + 1) * step);
        (end <= at).then_some((end, i))
    })
}

/// Every rule on every function it covers.
#[derive(Debug, Clone, Default)]
pub struct RuleEngine {
    rules: Vec<(AlarmRule, FunctionFilter)>,
    trackers: HashMap<(usize, String), Tracker>,
    /// State changes, oldest first (bounded by [`HISTORY_LEN`]).
    pub history: VecDeque<AlarmEvent>,
}

impl RuleEngine {
    /// An engine for validated rules.
    pub fn new(rules: &[AlarmRule]) -> Self {
        let rules = rules
            .iter()
            .map(|r| {
                let filter =
                    FunctionFilter::new(std::slice::from_ref(&r.functions)).unwrap_or_default();
                (r.clone(), filter)
            })
            .collect();
        Self {
            rules,
            ..Self::default()
        }
    }

    /// Whether any rule is configured.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The (function, period) pairs whose p99 a rule needs.
    pub fn p99_needs(&self, functions: &[FunctionInfo]) -> Vec<(String, u32)> {
        needs_p99(self.rules.iter().map(|(r, f)| (r, f)), functions)
    }

    /// Evaluates every rule on `functions`; returns the changes worth
    /// telling someone about (each into or out of FIRING; a replay at start
    /// reports only a rule that ends FIRING).
    pub fn evaluate(&mut self, functions: &[FunctionInfo], inp: &Inputs<'_>) -> Vec<AlarmEvent> {
        let mut events = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (ri, (rule, filter)) in self.rules.iter().enumerate() {
            let hold = ChronoDuration::from_std(rule.hold_for).unwrap_or_default();
            for f in functions.iter().filter(|f| filter.matches(&f.name)) {
                let key = (ri, f.name.clone());
                seen.insert(key.clone());
                let tracker = self.trackers.entry(key).or_default();
                let replay = tracker.last_at.is_none();
                let mut last_change = None;
                for (t, v) in samples(rule, f, inp, tracker.last_at) {
                    let breach = v.map(|v| rule.op.holds(v, rule.threshold));
                    if let Some(prev) = tracker.observe(t, v, breach, hold) {
                        let ev = event(rule, f, prev, tracker.state, t, v);
                        if replay {
                            last_change = Some(ev);
                        } else if prev == AlarmState::Firing || tracker.state == AlarmState::Firing
                        {
                            events.push(ev);
                        }
                    }
                }
                if let Some(ev) = last_change.filter(|e| e.state == AlarmState::Firing) {
                    events.push(AlarmEvent {
                        from: AlarmState::Ok,
                        ..ev
                    });
                }
            }
        }
        // Functions gone from the inventory take their trackers with them.
        self.trackers.retain(|k, _| seen.contains(k));
        for e in &events {
            self.history.push_back(e.clone());
        }
        while self.history.len() > HISTORY_LEN {
            self.history.pop_front();
        }
        events
    }

    /// The rules' states as alarms, one per rule and function.
    pub fn alarms(&self) -> Vec<Alarm> {
        let mut out: Vec<Alarm> = self
            .trackers
            .iter()
            .map(|((ri, function), t)| {
                let rule = &self.rules[*ri].0;
                Alarm {
                    name: rule.name.clone(),
                    source: AlarmSource::Rule,
                    kind: AlarmKind::Metric,
                    state: t.state,
                    function: Some(function.clone()),
                    namespace: None,
                    metric: Some(rule.metric.name().to_string()),
                    since: t.since,
                    reason: reason(rule, t),
                    rule: None,
                    severity: Some(rule.severity),
                    value: t.value,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.name, &a.function).cmp(&(&b.name, &b.function)));
        out
    }
}

/// The (function, period) pairs whose p99 the rules need.
pub fn needs_p99<'a>(
    rules: impl Iterator<Item = (&'a AlarmRule, &'a FunctionFilter)>,
    functions: &[FunctionInfo],
) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for (rule, filter) in rules.filter(|(r, _)| r.metric.needs_p99()) {
        let p = rule.period.as_secs().max(60) as u32;
        for f in functions.iter().filter(|f| filter.matches(&f.name)) {
            let pair = (f.name.clone(), p);
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}

fn event(
    rule: &AlarmRule,
    f: &FunctionInfo,
    from: AlarmState,
    state: AlarmState,
    at: DateTime<Utc>,
    value: Option<f64>,
) -> AlarmEvent {
    AlarmEvent {
        at,
        alarm: rule.name.clone(),
        source: AlarmSource::Rule,
        function: f.name.clone(),
        from,
        state,
        severity: rule.severity,
        metric: rule.metric.name(),
        op: rule.op.as_str(),
        threshold: rule.threshold,
        value,
    }
}

/// "error_rate 0.25 > 0.1 for 3m (5m period)": what the rule says and saw.
fn reason(rule: &AlarmRule, t: &Tracker) -> String {
    let period = humantime::format_duration(rule.period);
    let hold = humantime::format_duration(rule.hold_for);
    let cond = format!(
        "{} {} {}",
        rule.metric.name(),
        rule.op.as_str(),
        rule.threshold
    );
    match (t.state, t.value) {
        (AlarmState::NoData, _) | (_, None) => {
            format!("no data for {} ({period} period)", rule.metric.name())
        }
        (AlarmState::Pending, Some(v)) => format!(
            "{} = {} {} {} since {}, firing after {hold}",
            rule.metric.name(),
            fmt_value(v),
            rule.op.as_str(),
            rule.threshold,
            t.breach_since
                .map_or("?".into(), |s| s.format("%H:%M").to_string())
        ),
        (_, Some(v)) => format!(
            "{} = {} ({cond} over {period})",
            rule.metric.name(),
            fmt_value(v)
        ),
    }
}

fn fmt_value(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests;
