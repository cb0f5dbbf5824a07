//! Alarms: CloudWatch alarms as read from the account, and the shape of
//! lamtop's own alarm rules (`[[alarm]]` in the config). Rules are validated
//! here; their evaluation arrives with the alarms issue.

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

/// The state of an alarm, in CloudWatch's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    /// Within threshold.
    Ok,
    /// Breaching.
    Alarm,
    /// Not enough data to decide.
    InsufficientData,
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
        }
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
    pub function: Option<String>,
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
}

impl Alarm {
    /// Whether a CloudWatch alarm concerns the Lambda fleet in scope: a metric
    /// alarm on a function in scope, an account-level AWS/Lambda alarm, or a
    /// composite alarm whose rule names a relevant alarm.
    pub fn is_relevant(&self, in_scope: impl Fn(&str) -> bool, relevant_names: &[&str]) -> bool {
        match self.kind {
            AlarmKind::Metric => match self.function.as_deref() {
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
pub fn relevant_alarms(all: Vec<Alarm>, in_scope: impl Fn(&str) -> bool) -> Vec<Alarm> {
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
pub const RULE_METRICS: [&str; 11] = [
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

/// A validated `[[alarm]]` rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmRule {
    /// Rule name, unique in the file.
    pub name: String,
    /// Glob over function names.
    pub functions: String,
    /// One of [`RULE_METRICS`].
    pub metric: String,
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
            function: f.map(str::to_string),
            namespace: Some(ns.into()),
            metric: Some("Errors".into()),
            since: None,
            reason: String::new(),
            rule: None,
        }
    }

    #[test]
    fn relevance_by_namespace_function_or_composite_rule() {
        let in_scope = |n: &str| n == "api";
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
}
