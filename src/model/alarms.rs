//! Alarms: CloudWatch alarms as read from the account, and the shape of
//! lamtop's own alarm rules (`[[alarm]]` in the config). Both live in one
//! model ([`Alarm`]) so one pane and one JSON list show them; the rules'
//! evaluation is in [`crate::model::rules`].

use super::id::FunctionId;
use super::metrics::{MetricKind, Stat};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// Where an alarm comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmSource {
    /// A CloudWatch metric or composite alarm.
    Cloudwatch,
    /// A lamtop rule from the config file.
    Rule,
}

impl AlarmSource {
    /// The spelling of `--alarm-log` and `LAMTOP_SOURCE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cloudwatch => "cloudwatch",
            Self::Rule => "rule",
        }
    }
}

/// The state of an alarm: CloudWatch's three states, and a rule's four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    /// Within threshold.
    Ok,
    /// Breaching.
    Alarm,
    /// Not enough data to decide.
    InsufficientData,
    /// A rule whose condition holds, for less than its `for` so far.
    Pending,
    /// A rule whose condition has held for its `for`.
    Firing,
    /// A rule without data to evaluate (not the same as OK).
    NoData,
}

impl AlarmState {
    /// Parses CloudWatch's `StateValue`; unknown values are treated as
    /// insufficient data rather than OK, so nothing unknown looks healthy.
    pub fn from_api(s: &str) -> Self {
        match s {
            "OK" => Self::Ok,
            "ALARM" => Self::Alarm,
            _ => Self::InsufficientData,
        }
    }

    /// CloudWatch's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Alarm => "ALARM",
            Self::InsufficientData => "INSUFFICIENT_DATA",
            Self::Pending => "PENDING",
            Self::Firing => "FIRING",
            Self::NoData => "NO_DATA",
        }
    }

    /// Breaching now: a CloudWatch alarm in ALARM or a rule FIRING.
    pub fn is_firing(self) -> bool {
        matches!(self, Self::Alarm | Self::Firing)
    }

    /// Neither OK nor firing: waiting for data or for `for` to pass.
    pub fn is_unsettled(self) -> bool {
        matches!(self, Self::InsufficientData | Self::Pending | Self::NoData)
    }
}

/// Metric or composite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// Watches one metric (or metric math).
    Metric,
    /// Combines other alarms.
    Composite,
}

/// One alarm as every face shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    /// Alarm name.
    pub name: String,
    /// CloudWatch or a lamtop rule.
    pub source: AlarmSource,
    /// Metric or composite.
    pub kind: AlarmKind,
    /// Current state.
    pub state: AlarmState,
    /// The function it watches (`FunctionName` dimension), if any.
    pub function: Option<FunctionId>,
    /// Metric namespace (metric alarms only).
    pub namespace: Option<String>,
    /// Metric name (metric alarms only).
    pub metric: Option<String>,
    /// When the state last changed.
    pub since: Option<DateTime<Utc>>,
    /// CloudWatch's state reason.
    pub reason: String,
    /// For composite alarms: the rule expression, used to decide relevance.
    pub rule: Option<String>,
    /// A rule's severity; CloudWatch alarms carry none.
    pub severity: Option<Severity>,
    /// A rule's latest value of its metric.
    pub value: Option<f64>,
}

impl Alarm {
    /// Whether a CloudWatch alarm concerns the Lambda fleet in scope: a metric
    /// alarm on a function in scope, an account-level AWS/Lambda alarm, or a
    /// composite alarm whose rule names a relevant alarm.
    pub fn is_relevant(
        &self,
        in_scope: impl Fn(&FunctionId) -> bool,
        relevant_names: &[&str],
    ) -> bool {
        match self.kind {
            AlarmKind::Metric => match &self.function {
                Some(f) => in_scope(f),
                None => self.namespace.as_deref() == Some("AWS/Lambda"),
            },
            AlarmKind::Composite => self.rule.as_deref().is_some_and(|r| {
                relevant_names
                    .iter()
                    .any(|n| r.contains(&format!("\"{n}\"")) || r.contains(&format!("({n})")))
            }),
        }
    }
}

/// Keeps the alarms relevant to the functions in scope (composites last, so
/// they can refer to the metric alarms kept before them).
pub fn relevant_alarms(all: Vec<Alarm>, in_scope: impl Fn(&FunctionId) -> bool) -> Vec<Alarm> {
    let (metric, composite): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|a| a.kind == AlarmKind::Metric);
    let mut kept: Vec<Alarm> = metric
        .into_iter()
        .filter(|a| a.is_relevant(&in_scope, &[]))
        .collect();
    let names: Vec<String> = kept.iter().map(|a| a.name.clone()).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    kept.extend(
        composite
            .into_iter()
            .filter(|a| a.is_relevant(&in_scope, &refs)),
    );
    kept
}

/// Metrics a lamtop rule can watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleMetric {
    /// Invocations in the period.
    Invocations,
    /// Errors in the period.
    Errors,
    /// Errors ÷ invocations.
    ErrorRate,
    /// Throttles in the period.
    Throttles,
    /// Mean duration (ms).
    DurationAvg,
    /// 99th percentile duration (ms) over the period.
    DurationP99,
    /// Peak concurrency.
    Concurrency,
    /// p99 ÷ timeout.
    TimeoutRatio,
    /// Cold starts ÷ invocations (from REPORT lines).
    ColdStartRate,
    /// Peak memory used ÷ configured (from REPORT lines).
    MemoryUsedRatio,
    /// Estimated USD per hour at the period's rate.
    CostPerHour,
    /// Invocations killed for running out of memory (from REPORT lines).
    OutOfMemory,
    /// Peak stream iterator age (ms).
    IteratorAge,
    /// Peak Kafka offset lag.
    OffsetLag,
    /// Peak async event age (ms).
    AsyncEventAge,
    /// Async events dropped in the period.
    AsyncEventsDropped,
    /// Dead-letter errors in the period.
    DeadLetterErrors,
    /// Destination delivery failures in the period.
    DestinationDeliveryFailures,
    /// Peak provisioned concurrency utilization (0–1).
    ProvisionedUtilization,
    /// Provisioned concurrency spillover invocations in the period.
    Spillover,
    /// Recursive invocations dropped in the period.
    RecursiveDrops,
    /// Mean PostRuntimeExtensionsDuration (ms).
    ExtensionDuration,
}

impl RuleMetric {
    /// Every metric.
    pub const ALL: [RuleMetric; 22] = [
        Self::Invocations,
        Self::Errors,
        Self::ErrorRate,
        Self::Throttles,
        Self::DurationAvg,
        Self::DurationP99,
        Self::Concurrency,
        Self::TimeoutRatio,
        Self::ColdStartRate,
        Self::MemoryUsedRatio,
        Self::CostPerHour,
        Self::OutOfMemory,
        Self::IteratorAge,
        Self::OffsetLag,
        Self::AsyncEventAge,
        Self::AsyncEventsDropped,
        Self::DeadLetterErrors,
        Self::DestinationDeliveryFailures,
        Self::ProvisionedUtilization,
        Self::Spillover,
        Self::RecursiveDrops,
        Self::ExtensionDuration,
    ];

    /// The config spelling.
    pub fn name(self) -> &'static str {
        RULE_METRICS[Self::ALL.iter().position(|m| *m == self).unwrap_or(0)]
    }

    /// Parses the config spelling.
    pub fn parse(s: &str) -> Option<Self> {
        RULE_METRICS
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }

    /// Needs REPORT lines rather than CloudWatch metrics.
    pub fn from_reports(self) -> bool {
        matches!(
            self,
            Self::ColdStartRate | Self::MemoryUsedRatio | Self::OutOfMemory
        )
    }

    /// The signal metric and statistic this rule reads, if it is one
    /// (only functions that publish it have the series; others are NO_DATA).
    pub fn signal(self) -> Option<(MetricKind, Stat)> {
        use MetricKind as K;
        Some(match self {
            Self::IteratorAge => (K::IteratorAge, Stat::Maximum),
            Self::OffsetLag => (K::OffsetLag, Stat::Maximum),
            Self::AsyncEventAge => (K::AsyncEventAge, Stat::Maximum),
            Self::AsyncEventsDropped => (K::AsyncEventsDropped, Stat::Sum),
            Self::DeadLetterErrors => (K::DeadLetterErrors, Stat::Sum),
            Self::DestinationDeliveryFailures => (K::DestinationDeliveryFailures, Stat::Sum),
            Self::ProvisionedUtilization => (K::ProvisionedConcurrencyUtilization, Stat::Maximum),
            Self::Spillover => (K::ProvisionedConcurrencySpilloverInvocations, Stat::Sum),
            Self::RecursiveDrops => (K::RecursiveInvocationsDropped, Stat::Sum),
            Self::ExtensionDuration => (K::PostRuntimeExtensionsDuration, Stat::Average),
            _ => return None,
        })
    }

    /// Needs a p99 at the rule's own period.
    pub fn needs_p99(self) -> bool {
        matches!(self, Self::DurationP99 | Self::TimeoutRatio)
    }
}

/// The config spellings of [`RuleMetric::ALL`], in the same order.
pub const RULE_METRICS: [&str; 22] = [
    "invocations",
    "errors",
    "error_rate",
    "throttles",
    "duration_avg",
    "duration_p99",
    "concurrency",
    "timeout_ratio",
    "cold_start_rate",
    "memory_used_ratio",
    "cost_per_hour",
    "out_of_memory",
    "iterator_age",
    "offset_lag",
    "async_event_age",
    "async_events_dropped",
    "dead_letter_errors",
    "destination_delivery_failures",
    "provisioned_utilization",
    "spillover",
    "recursive_drops",
    "extension_duration",
];

/// Comparison of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl Op {
    /// Whether `value op threshold` holds.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Gt => value > threshold,
            Self::Ge => value >= threshold,
            Self::Lt => value < threshold,
            Self::Le => value <= threshold,
        }
    }

    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
        }
    }

    /// Parses `>`, `>=`, `<`, `<=`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            ">" => Self::Gt,
            ">=" => Self::Ge,
            "<" => Self::Lt,
            "<=" => Self::Le,
            _ => return None,
        })
    }
}

/// Severity of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Page someone.
    Critical,
}

impl Severity {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

/// A validated `[[alarm]]` rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmRule {
    /// Rule name, unique in the file.
    pub name: String,
    /// Glob over function names.
    pub functions: String,
    /// What it watches.
    pub metric: RuleMetric,
    /// Comparison.
    pub op: Op,
    /// Threshold (finite).
    pub threshold: f64,
    /// Aggregation window of the metric.
    pub period: Duration,
    /// How long the condition must hold before firing.
    pub hold_for: Duration,
    /// Severity.
    pub severity: Severity,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric_alarm(ns: &str, f: Option<&str>) -> Alarm {
        Alarm {
            name: "a".into(),
            source: AlarmSource::Cloudwatch,
            kind: AlarmKind::Metric,
            state: AlarmState::Alarm,
            function: f.map(FunctionId::new),
            namespace: Some(ns.into()),
            metric: Some("Errors".into()),
            since: None,
            reason: String::new(),
            rule: None,
            severity: None,
            value: None,
        }
    }

    #[test]
    fn relevance_by_namespace_function_or_composite_rule() {
        let in_scope = |f: &FunctionId| f.name == "api";
        assert!(metric_alarm("AWS/Lambda", None).is_relevant(in_scope, &[]));
        assert!(metric_alarm("Custom", Some("api")).is_relevant(in_scope, &[]));
        assert!(!metric_alarm("AWS/Lambda", Some("other")).is_relevant(in_scope, &[]));
        assert!(!metric_alarm("AWS/SQS", None).is_relevant(in_scope, &[]));
        let mut c = metric_alarm("", None);
        c.kind = AlarmKind::Composite;
        c.rule = Some("ALARM(\"api-errors\") OR ALARM(x)".into());
        assert!(c.is_relevant(in_scope, &["api-errors"]));
        assert!(!c.is_relevant(in_scope, &["nope"]));
    }

    #[test]
    fn unknown_state_is_not_ok() {
        assert_eq!(AlarmState::from_api("WEIRD"), AlarmState::InsufficientData);
        assert_eq!(AlarmState::from_api("ALARM").as_str(), "ALARM");
    }

    #[test]
    fn metric_names_round_trip_and_ops_compare() {
        for m in RuleMetric::ALL {
            assert_eq!(RuleMetric::parse(m.name()), Some(m));
        }
        assert_eq!(RuleMetric::parse("cpu"), None);
        assert!(Op::Gt.holds(2.0, 1.0) && !Op::Gt.holds(1.0, 1.0));
        assert!(Op::Ge.holds(1.0, 1.0) && Op::Le.holds(1.0, 1.0));
        assert!(Op::Lt.holds(0.5, 1.0) && !Op::Lt.holds(1.0, 1.0));
    }
}
