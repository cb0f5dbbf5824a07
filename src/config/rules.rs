//! The `[[alarm]]` tables of the config file: each field checked in turn,
//! the first bad one named with its line, key and value.

use super::spans::{Source, duration_value};
use super::{ConfigError, suggest};
use crate::model::alarms::{AlarmRule, Op, RULE_METRICS, RuleMetric, Severity};
use crate::model::function::FunctionFilter;
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

/// One `[[alarm]]` table as written, with spans for the messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    name: Spanned<String>,
    functions: Option<Spanned<String>>,
    metric: Spanned<String>,
    op: Spanned<String>,
    threshold: Spanned<f64>,
    period: Option<Spanned<String>>,
    #[serde(rename = "for")]
    hold_for: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
}

/// Checks every rule in file order; the first bad field is the error.
pub(super) fn validate_rules(
    src: &Source<'_>,
    raw: &[Spanned<RawRule>],
) -> Result<Vec<AlarmRule>, ConfigError> {
    let mut out: Vec<AlarmRule> = Vec::new();
    for r in raw.iter().map(Spanned::get_ref) {
        let rule = validate_rule(src, r, &out)?;
        out.push(rule);
    }
    Ok(out)
}

/// One rule, its fields checked in the order they are documented (the
/// struct literal evaluates them top to bottom).
fn validate_rule(
    src: &Source<'_>,
    r: &RawRule,
    earlier: &[AlarmRule],
) -> Result<AlarmRule, ConfigError> {
    Ok(AlarmRule {
        name: rule_name(src, &r.name, earlier)?,
        functions: rule_functions(src, r)?,
        metric: rule_metric(src, &r.metric)?,
        op: rule_op(src, &r.op)?,
        threshold: rule_threshold(src, &r.threshold)?,
        period: rule_period(src, r.period.as_ref())?,
        hold_for: rule_hold_for(src, r.hold_for.as_ref())?,
        severity: rule_severity(src, r.severity.as_ref())?,
    })
}

/// The trimmed name, which must be non-empty and unique in the file.
fn rule_name(
    src: &Source<'_>,
    raw: &Spanned<String>,
    earlier: &[AlarmRule],
) -> Result<String, ConfigError> {
    let name = raw.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(src.at(raw.span(), "name", "an alarm needs a non-empty name"));
    }
    if earlier.iter().any(|o| o.name == name) {
        return Err(src.at(raw.span(), "name", format!("duplicate alarm name '{name}'")));
    }
    Ok(name)
}

/// The function glob (default `*`), which must compile; without a
/// `functions` key the error points at the rule's name.
fn rule_functions(src: &Source<'_>, r: &RawRule) -> Result<String, ConfigError> {
    let functions = r
        .functions
        .as_ref()
        .map_or("*".to_string(), |f| f.get_ref().clone());
    if let Err(m) = FunctionFilter::new(std::slice::from_ref(&functions)) {
        let span = r.functions.as_ref().map_or(r.name.span(), Spanned::span);
        return Err(src.at(span, "functions", m));
    }
    Ok(functions)
}

/// A known metric name; an unknown one gets the closest name or the list.
fn rule_metric(src: &Source<'_>, raw: &Spanned<String>) -> Result<RuleMetric, ConfigError> {
    let metric = raw.get_ref().as_str();
    RuleMetric::parse(metric).ok_or_else(|| {
        let hint = suggest(metric, &RULE_METRICS).map_or_else(
            || format!("one of {}", RULE_METRICS.join(", ")),
            |s| format!("did you mean '{s}'?"),
        );
        src.at(
            raw.span(),
            "metric",
            format!("unknown metric '{metric}' — {hint}"),
        )
    })
}

/// One of `>`, `>=`, `<`, `<=`.
fn rule_op(src: &Source<'_>, raw: &Spanned<String>) -> Result<Op, ConfigError> {
    Op::parse(raw.get_ref()).ok_or_else(|| {
        src.at(
            raw.span(),
            "op",
            format!("invalid operator '{}' (use >, >=, < or <=)", raw.get_ref()),
        )
    })
}

/// A finite threshold (TOML allows `inf` and `nan`).
fn rule_threshold(src: &Source<'_>, raw: &Spanned<f64>) -> Result<f64, ConfigError> {
    let threshold = *raw.get_ref();
    if !threshold.is_finite() {
        return Err(src.at(
            raw.span(),
            "threshold",
            format!("threshold must be a finite number, not '{threshold}'"),
        ));
    }
    Ok(threshold)
}

/// The aggregation period (default 5m), at least one metric minute.
fn rule_period(src: &Source<'_>, raw: Option<&Spanned<String>>) -> Result<Duration, ConfigError> {
    let period = match raw {
        Some(p) => duration_value(src, "period", p)?,
        None => Duration::from_secs(300),
    };
    if period < Duration::from_secs(60) {
        let span = raw.map_or(0..0, Spanned::span);
        return Err(src.at(span, "period", "period must be at least 1m"));
    }
    Ok(period)
}

/// How long the condition must hold (`for`, default zero).
fn rule_hold_for(src: &Source<'_>, raw: Option<&Spanned<String>>) -> Result<Duration, ConfigError> {
    match raw {
        Some(p) => duration_value(src, "for", p),
        None => Ok(Duration::ZERO),
    }
}

/// `warning` (the default) or `critical`.
fn rule_severity(src: &Source<'_>, raw: Option<&Spanned<String>>) -> Result<Severity, ConfigError> {
    match raw.map(|s| (s.get_ref().as_str(), s.span())) {
        None | Some(("warning", _)) => Ok(Severity::Warning),
        Some(("critical", _)) => Ok(Severity::Critical),
        Some((other, span)) => Err(src.at(
            span,
            "severity",
            format!("invalid severity '{other}' (use warning or critical)"),
        )),
    }
}
