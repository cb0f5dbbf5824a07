//! lamtop's own alarm rules, evaluated: the value of a rule's metric at each
//! minute the data covers, and a state machine per rule and function
//! (OK → PENDING → FIRING → OK, with NO_DATA as a state of its own).
//!
//! Evaluation is incremental: each refresh feeds only the instants newer than
//! the last one a tracker saw, so a long `for` spans refreshes. The first
//! evaluation replays the whole window, so a condition that already held for
//! ten minutes fires at once instead of ten minutes after lamtop starts.

use crate::model::alarms::{AlarmRule, AlarmSource, AlarmState, RuleMetric};
use crate::model::function::FunctionInfo;
use crate::model::id::FunctionId;
use crate::model::insight::{Prices, ReportStats};
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat, TimeRange};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::ops::RangeInclusive;

mod cloudwatch;
mod engine;

pub use cloudwatch::cloudwatch_changes;
pub use engine::{RuleEngine, needs_p99};

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
/// `--alarm-log` line and the fields handed to `notify_command`; a
/// CloudWatch alarm's change too (no severity, threshold or comparison:
/// CloudWatch keeps those).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmEvent {
    /// When the change happened (the instant evaluated, or CloudWatch's
    /// state time).
    #[serde(serialize_with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// Rule or alarm name.
    pub alarm: String,
    /// `rule` or `cloudwatch`.
    pub source: AlarmSource,
    /// The function (shown as `name@region` across regions; empty for a
    /// CloudWatch alarm on no one function).
    #[serde(serialize_with = "crate::model::id::as_shown")]
    pub function: FunctionId,
    /// Previous state.
    pub from: AlarmState,
    /// New state.
    pub state: AlarmState,
    /// Severity (rules only).
    pub severity: Option<crate::model::alarms::Severity>,
    /// The rule's metric config name, or the alarm's CloudWatch metric.
    pub metric: String,
    /// The comparison (rules only; empty for CloudWatch).
    pub op: &'static str,
    /// The threshold (rules only).
    pub threshold: Option<f64>,
    /// The value that caused the change, if any.
    pub value: Option<f64>,
}

impl AlarmEvent {
    /// `error_rate > 0.1` for a rule, `Errors (CloudWatch)` for an alarm.
    pub fn condition(&self) -> String {
        match self.threshold {
            Some(t) => format!("{} {} {t}", self.metric, self.op),
            None if self.metric.is_empty() => "(CloudWatch)".into(),
            None => format!("{} (CloudWatch)", self.metric),
        }
    }
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
    pub reports: &'a HashMap<FunctionId, (DateTime<Utc>, ReportStats)>,
}

/// One evaluation instant and the metric's value there (`None`: no data).
type Sample = (DateTime<Utc>, Option<f64>);

/// The values of `rule`'s metric for `f` at every instant after `after` that
/// the inputs cover.
pub fn samples(
    rule: &AlarmRule,
    f: &FunctionInfo,
    inp: &Inputs<'_>,
    after: Option<DateTime<Utc>>,
) -> Vec<(DateTime<Utc>, Option<f64>)> {
    if rule.metric.from_reports() {
        report_samples(rule, f, inp, after)
    } else if rule.metric.needs_p99() {
        p99_samples(rule, f, inp, after)
    } else {
        summed_samples(rule, f, inp, after)
    }
}

/// Whether `t` is past `after`, the last instant a tracker saw (`None`:
/// it saw none, so every instant is new).
fn newer(t: &DateTime<Utc>, after: Option<DateTime<Utc>>) -> bool {
    after.is_none_or(|a| *t > a)
}

/// The rule's period in seconds, at least the one-minute metric bucket.
fn period_secs(rule: &AlarmRule) -> u32 {
    rule.period.as_secs().max(60) as u32
}

/// A single NO_DATA sample at `at` (the metric's series was not fetched),
/// unless the tracker already saw that instant.
fn no_data(at: DateTime<Utc>, after: Option<DateTime<Utc>>) -> Vec<Sample> {
    if newer(&at, after) {
        vec![(at, None)]
    } else {
        Vec::new()
    }
}

/// A REPORT-based metric has one sample: the statistics as last computed
/// (NO_DATA at the inputs' time when no REPORT has been read yet).
fn report_samples(
    rule: &AlarmRule,
    f: &FunctionInfo,
    inp: &Inputs<'_>,
    after: Option<DateTime<Utc>>,
) -> Vec<Sample> {
    let at = inp.reports.get(&f.id).map_or(inp.at, |(t, _)| *t);
    if !newer(&at, after) {
        return Vec::new();
    }
    let stats = inp.reports.get(&f.id).map(|(_, s)| s);
    let value = stats.and_then(|s| match rule.metric {
        RuleMetric::ColdStartRate => s.cold_start_rate(),
        RuleMetric::OutOfMemory => Some(s.out_of_memory as f64),
        _ => s.memory_used_ratio(Some(f.memory_mb)),
    });
    vec![(at, value)]
}

/// A p99-based metric: one sample per complete bucket of the p99 series
/// fetched at the rule's period.
fn p99_samples(
    rule: &AlarmRule,
    f: &FunctionInfo,
    inp: &Inputs<'_>,
    after: Option<DateTime<Utc>>,
) -> Vec<Sample> {
    let key =
        MetricKey::function(&f.id, MetricKind::Duration, Stat::P99).at_period(period_secs(rule));
    let Some(series) = inp.series.get(&key) else {
        return no_data(inp.at, after);
    };
    complete_buckets(series, inp.at)
        .filter(|(t, _)| newer(t, after))
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
        .collect()
}

/// A metric of the per-minute series: one sample per complete bucket that
/// ends a full period of data, or only the last one when the window is
/// shorter than the period.
fn summed_samples(
    rule: &AlarmRule,
    f: &FunctionInfo,
    inp: &Inputs<'_>,
    after: Option<DateTime<Utc>>,
) -> Vec<Sample> {
    let Some(base) = series_of(inp, f, MetricKind::Invocations, Stat::Sum) else {
        return no_data(inp.at, after);
    };
    let step = i64::from(base.period_s);
    let complete: Vec<(DateTime<Utc>, usize)> = complete_buckets(base, inp.at).collect();
    let n = usize::try_from((i64::from(period_secs(rule)) + step - 1) / step)
        .unwrap_or(1)
        .max(1);
    let mut out = Vec::new();
    for (k, &(t, i)) in complete.iter().enumerate() {
        // A full period of data, or the whole window when it is shorter
        // than the period (then only the last instant is evaluated).
        let short = complete.len() < n;
        if (short && k + 1 != complete.len()) || (!short && i + 1 < n) || !newer(&t, after) {
            continue;
        }
        let lo = (i + 1).saturating_sub(n);
        out.push((t, period_value(rule, f, inp, base, lo..=i)));
    }
    out
}

/// `f`'s per-minute series of `kind` and `stat`, if it was fetched.
fn series_of<'a>(
    inp: &Inputs<'a>,
    f: &FunctionInfo,
    kind: MetricKind,
    stat: Stat,
) -> Option<&'a Series> {
    inp.series.get(&MetricKey::function(&f.id, kind, stat))
}

/// The rule's metric over the buckets `span` of the invocations series
/// `base` (and of the other series of `f` the metric needs).
fn period_value(
    rule: &AlarmRule,
    f: &FunctionInfo,
    inp: &Inputs<'_>,
    base: &Series,
    span: RangeInclusive<usize>,
) -> Option<f64> {
    let get = |k: MetricKind, s: Stat| series_of(inp, f, k, s);
    let sum = |s: Option<&Series>| -> Option<f64> {
        s.map(|s| s.points_in(span.clone()).flatten().sum())
    };
    let inv = Some(base);
    let invocations = sum(inv);
    match rule.metric {
        RuleMetric::Invocations => invocations,
        RuleMetric::Errors => sum(get(MetricKind::Errors, Stat::Sum)),
        RuleMetric::Throttles => sum(get(MetricKind::Throttles, Stat::Sum)),
        RuleMetric::ErrorRate => sum(get(MetricKind::Errors, Stat::Sum))
            .zip(invocations)
            .and_then(|(e, i)| (i > 0.0).then(|| e / i)),
        RuleMetric::DurationAvg => get(MetricKind::Duration, Stat::Average)
            .and_then(|avg| avg.weighted_mean_in(inv, span.clone())),
        // Idle minutes have no datapoint: nothing was running.
        RuleMetric::Concurrency => get(MetricKind::ConcurrentExecutions, Stat::Maximum).map(|s| {
            s.points_in(span.clone())
                .flatten()
                .fold(0.0, |a: f64, b| a.max(b))
        }),
        RuleMetric::CostPerHour => get(MetricKind::Duration, Stat::Average)
            .zip(invocations)
            .map(|(avg, i)| {
                let total = avg.weighted_total_in(base, span.clone());
                let step = i64::from(base.period_s);
                let secs = (span.clone().count() as i64 * step) as f64;
                inp.prices.cost(f.architecture, f.memory_mb, i, total) * 3600.0 / secs
            }),
        m => {
            let (kind, stat) = m.signal()?;
            let s = get(kind, stat)?;
            let points = s.points_in(span.clone()).flatten();
            match stat {
                Stat::Sum => Some(points.sum()),
                Stat::Average => s.weighted_mean_in(inv, span),
                // A peak needs a datapoint: none means nothing was read.
                _ => points.reduce(f64::max),
            }
        }
    }
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

#[cfg(test)]
mod tests;
