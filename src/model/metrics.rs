//! Metric vocabulary (which AWS/Lambda metric, which statistic), aligned
//! time series with gaps, the query plan of one metrics refresh, and the
//! window summary every face shows.

use super::id::FunctionId;
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use std::time::Duration;

/// An AWS/Lambda metric lamtop reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MetricKind {
    /// Invocations (Count, Sum).
    Invocations,
    /// Invocations that ended in a function error (Count, Sum).
    Errors,
    /// Invocation requests rejected for lack of concurrency (Count, Sum).
    Throttles,
    /// Run time in milliseconds.
    Duration,
    /// Concurrently running instances (Maximum).
    ConcurrentExecutions,
    /// Account-level concurrency that cannot be allocated on demand (Maximum).
    ClaimedAccountConcurrency,
    /// Age of the newest record a stream mapping read (ms, Maximum): a
    /// consumer falling behind.
    IteratorAge,
    /// Records a Kafka mapping has not read yet (Maximum).
    OffsetLag,
    /// Asynchronous events queued for the function (Sum).
    AsyncEventsReceived,
    /// Time an async event waited before it ran (ms, Maximum).
    AsyncEventAge,
    /// Async events dropped after their retries or maximum age (Sum).
    AsyncEventsDropped,
    /// Failed events that could not reach the dead-letter queue (Sum).
    DeadLetterErrors,
    /// Events that could not reach their destination (Sum).
    DestinationDeliveryFailures,
    /// Provisioned environments in use ÷ allocated (Maximum, 0–1).
    ProvisionedConcurrencyUtilization,
    /// Invocations that found every provisioned environment busy (Sum).
    ProvisionedConcurrencySpilloverInvocations,
    /// Time extensions ran after the function returned (ms).
    PostRuntimeExtensionsDuration,
    /// Invocations cut because they formed a recursive loop (Sum).
    RecursiveInvocationsDropped,
    /// Lambda Insights: memory used ÷ allocated, percent (Maximum).
    InsightsMemoryUtilization,
    /// Lambda Insights: CPU time per invocation, ms (Average).
    InsightsCpuTotalTime,
    /// Lambda Insights: init duration, ms (Maximum).
    InsightsInitDuration,
    /// Lambda Insights: bytes received (Sum).
    InsightsRxBytes,
    /// Lambda Insights: bytes sent (Sum).
    InsightsTxBytes,
}

impl MetricKind {
    /// The CloudWatch metric name.
    pub fn cloudwatch_name(self) -> &'static str {
        match self {
            Self::Invocations => "Invocations",
            Self::Errors => "Errors",
            Self::Throttles => "Throttles",
            Self::Duration => "Duration",
            Self::ConcurrentExecutions => "ConcurrentExecutions",
            Self::ClaimedAccountConcurrency => "ClaimedAccountConcurrency",
            Self::IteratorAge => "IteratorAge",
            Self::OffsetLag => "OffsetLag",
            Self::AsyncEventsReceived => "AsyncEventsReceived",
            Self::AsyncEventAge => "AsyncEventAge",
            Self::AsyncEventsDropped => "AsyncEventsDropped",
            Self::DeadLetterErrors => "DeadLetterErrors",
            Self::DestinationDeliveryFailures => "DestinationDeliveryFailures",
            Self::ProvisionedConcurrencyUtilization => "ProvisionedConcurrencyUtilization",
            Self::ProvisionedConcurrencySpilloverInvocations => {
                "ProvisionedConcurrencySpilloverInvocations"
            }
            Self::PostRuntimeExtensionsDuration => "PostRuntimeExtensionsDuration",
            Self::RecursiveInvocationsDropped => "RecursiveInvocationsDropped",
            Self::InsightsMemoryUtilization => "memory_utilization",
            Self::InsightsCpuTotalTime => "cpu_total_time",
            Self::InsightsInitDuration => "init_duration",
            Self::InsightsRxBytes => "rx_bytes",
            Self::InsightsTxBytes => "tx_bytes",
        }
    }

    /// A metric of the Lambda Insights extension (namespace `LambdaInsights`,
    /// dimension `function_name`, as its embedded-metric events declare).
    pub fn is_lambda_insights(self) -> bool {
        matches!(
            self,
            Self::InsightsMemoryUtilization
                | Self::InsightsCpuTotalTime
                | Self::InsightsInitDuration
                | Self::InsightsRxBytes
                | Self::InsightsTxBytes
        )
    }

    /// The CloudWatch namespace.
    pub fn namespace(self) -> &'static str {
        if self.is_lambda_insights() {
            "LambdaInsights"
        } else {
            "AWS/Lambda"
        }
    }

    /// The dimension that names the function.
    pub fn function_dimension(self) -> &'static str {
        if self.is_lambda_insights() {
            "function_name"
        } else {
            "FunctionName"
        }
    }
}

/// A CloudWatch statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Stat {
    /// Sum over the period.
    Sum,
    /// Mean over the period.
    Average,
    /// Maximum over the period.
    Maximum,
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 99th percentile.
    P99,
}

impl Stat {
    /// The CloudWatch spelling (`Sum`, `p99`).
    pub fn cloudwatch_name(self) -> &'static str {
        match self {
            Self::Sum => "Sum",
            Self::Average => "Average",
            Self::Maximum => "Maximum",
            Self::P50 => "p50",
            Self::P90 => "p90",
            Self::P99 => "p99",
        }
    }

    /// Percentiles need raw values and some endpoints cannot compute them, so
    /// they travel in batches of their own.
    pub fn is_percentile(self) -> bool {
        matches!(self, Self::P50 | Self::P90 | Self::P99)
    }
}

/// Names one series: a metric and statistic of one function, or of the account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricKey {
    /// The function (its name is the `FunctionName` dimension); `None` for
    /// account level.
    pub function: Option<FunctionId>,
    /// Which metric.
    pub kind: MetricKind,
    /// Which statistic.
    pub stat: Stat,
    /// A period of its own (an alarm rule's), for a series fetched besides
    /// the refresh's standard ones; `None` for those.
    pub period_s: Option<u32>,
    /// One version's share of an alias's invocations (the `Resource` and
    /// `ExecutedVersion` dimensions); `None` for the function as a whole.
    pub executed: Option<Executed>,
    /// One alias or version of the function (the `Resource` dimension,
    /// `function:alias`), e.g. provisioned concurrency per alias; `None`
    /// for the function as a whole.
    pub resource: Option<String>,
    /// The profile (account) of an account-level series when lamtop
    /// watches several: such series are never summed across accounts.
    /// `None` for function series (their id says where they live).
    pub account: Option<String>,
}

/// The alias invoked and the version that ran.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Executed {
    /// The alias (`Resource` is `function:alias`).
    pub alias: String,
    /// The version that ran (`ExecutedVersion`).
    pub version: String,
}

impl MetricKey {
    /// A per-function key.
    pub fn function(id: &FunctionId, kind: MetricKind, stat: Stat) -> Self {
        Self {
            function: Some(id.clone()),
            kind,
            stat,
            period_s: None,
            executed: None,
            resource: None,
            account: None,
        }
    }

    /// The sum of `kind` for invocations of `alias` that ran `version`.
    pub fn executed(id: &FunctionId, kind: MetricKind, alias: &str, version: &str) -> Self {
        Self {
            executed: Some(Executed {
                alias: alias.to_string(),
                version: version.to_string(),
            }),
            ..Self::function(id, kind, Stat::Sum)
        }
    }

    /// An account-level key.
    pub fn account(kind: MetricKind, stat: Stat) -> Self {
        Self {
            function: None,
            kind,
            stat,
            period_s: None,
            executed: None,
            resource: None,
            account: None,
        }
    }

    /// `kind` of one alias or version (`qualifier`) of the function.
    pub fn resource(id: &FunctionId, kind: MetricKind, stat: Stat, qualifier: &str) -> Self {
        Self {
            resource: Some(qualifier.to_string()),
            ..Self::function(id, kind, stat)
        }
    }

    /// The same account-level series of one of several accounts.
    pub fn of_account(mut self, profile: &str) -> Self {
        self.account = Some(profile.to_string());
        self
    }

    /// The same series at a rule's own period.
    pub fn at_period(mut self, period_s: u32) -> Self {
        self.period_s = Some(period_s);
        self
    }
}

/// One query of a refresh: a series at a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricQuery {
    /// What to fetch.
    pub key: MetricKey,
    /// Aggregation period in seconds (a multiple of 60).
    pub period_s: u32,
}

/// A half-open time range `[start, end)`, aligned to whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeRange {
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// Exclusive end.
    pub end: DateTime<Utc>,
}

impl TimeRange {
    /// The window that ends with the minute containing `now` (so the current,
    /// still-filling minute is included) and reaches `window` back.
    pub fn ending_at(now: DateTime<Utc>, window: Duration) -> Self {
        let end_s = (now.timestamp().div_euclid(60) + 1) * 60;
        let len = window_seconds(window) as i64;
        Self {
            start: ts(end_s - len),
            end: ts(end_s),
        }
    }

    /// Length in seconds.
    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

fn ts(secs: i64) -> DateTime<Utc> {
    // Invariant: every caller passes a timestamp derived from a valid DateTime
    // shifted by at most a few days.
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// A window length rounded to whole minutes (at least one), as CloudWatch
/// periods must be multiples of 60 s.
pub fn window_seconds(window: Duration) -> u32 {
    let mins = window.as_secs().div_ceil(60).max(1);
    u32::try_from(mins * 60).unwrap_or(u32::MAX / 60 * 60)
}

/// The period of the history series for a window: per minute up to 3 h (the
/// resolution Lambda publishes), coarser beyond so a refresh of a large fleet
/// stays within a few pages of datapoints.
pub fn series_period(window: Duration) -> u32 {
    match window.as_secs() {
        0..=10_800 => 60,
        10_801..=86_400 => 300,
        _ => 3600,
    }
}

/// The per-function series of a refresh, at the history period.
pub const FUNCTION_SERIES: [(MetricKind, Stat); 6] = [
    (MetricKind::Invocations, Stat::Sum),
    (MetricKind::Errors, Stat::Sum),
    (MetricKind::Throttles, Stat::Sum),
    (MetricKind::Duration, Stat::Average),
    (MetricKind::Duration, Stat::Maximum),
    (MetricKind::ConcurrentExecutions, Stat::Maximum),
];

/// Duration percentiles, fetched once per window (percentiles of
/// sub-periods cannot be combined into a window percentile).
pub const FUNCTION_PERCENTILES: [Stat; 3] = [Stat::P50, Stat::P90, Stat::P99];

/// Account-level series.
pub const ACCOUNT_SERIES: [(MetricKind, Stat); 2] = [
    (MetricKind::ConcurrentExecutions, Stat::Maximum),
    (MetricKind::ClaimedAccountConcurrency, Stat::Maximum),
];

/// Every query of one fleet refresh: 9 per function plus 2 for the account,
/// plus one p99 per (function, period) that a p99 alarm rule needs.
pub fn plan_fleet_queries<'a>(
    functions: impl IntoIterator<Item = &'a FunctionId>,
    window: Duration,
    rule_p99: &[(FunctionId, u32)],
) -> Vec<MetricQuery> {
    let period = series_period(window);
    let whole = window_seconds(window);
    let mut out: Vec<MetricQuery> = ACCOUNT_SERIES
        .iter()
        .map(|&(k, s)| MetricQuery {
            key: MetricKey::account(k, s),
            period_s: period,
        })
        .collect();
    for name in functions {
        for &(k, s) in &FUNCTION_SERIES {
            out.push(MetricQuery {
                key: MetricKey::function(name, k, s),
                period_s: period,
            });
        }
        for &s in &FUNCTION_PERCENTILES {
            out.push(MetricQuery {
                key: MetricKey::function(name, MetricKind::Duration, s),
                period_s: whole,
            });
        }
    }
    out.extend(
        rule_p99
            .iter()
            .map(|(f, period_s)| rule_p99_query(f, *period_s)),
    );
    out
}

/// The p99 of `function` at a rule's own period (besides the refresh's
/// standard series).
pub fn rule_p99_query(function: &FunctionId, period_s: u32) -> MetricQuery {
    MetricQuery {
        key: MetricKey::function(function, MetricKind::Duration, Stat::P99).at_period(period_s),
        period_s,
    }
}

/// The extra queries of the function on screen: duration percentiles per
/// history period, for its charts.
pub fn plan_detail_queries(function: &FunctionId, window: Duration) -> Vec<MetricQuery> {
    let period = series_period(window);
    [Stat::P50, Stat::P90, Stat::P99]
        .into_iter()
        .map(|s| MetricQuery {
            key: MetricKey::function(function, MetricKind::Duration, s),
            period_s: period,
        })
        .collect()
}

/// A series aligned to its period: point `i` covers
/// `[start + i·period, start + (i+1)·period)`; `None` is a gap (no datapoint).
///
/// Stored compactly, 4 bytes a point (`f32`, NaN for a gap): 5,000
/// functions × 6 series × 180 minutes is 22 MB instead of 86 MB. `f32` is
/// exact for counts up to 16.7 M per period and keeps 7 significant digits
/// of a duration; sums and means are taken in `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Start of the first bucket.
    pub start: DateTime<Utc>,
    /// Bucket length in seconds.
    pub period_s: u32,
    /// One value per bucket, NaN for a gap.
    values: Vec<f32>,
}

impl Series {
    /// Aligns raw `(timestamp, value)` datapoints into the buckets of `range`.
    /// Datapoints outside the range and non-finite values are dropped, so a
    /// hostile or broken endpoint cannot inject NaN or infinity.
    pub fn from_points(
        range: TimeRange,
        period_s: u32,
        datapoints: impl IntoIterator<Item = (DateTime<Utc>, f64)>,
    ) -> Self {
        let period = i64::from(period_s.max(1));
        let n = usize::try_from(range.seconds().max(0) / period).unwrap_or(0);
        let mut values = vec![f32::NAN; n.max(1)];
        for (t, v) in datapoints {
            if !v.is_finite() {
                continue;
            }
            let offset = (t - range.start).num_seconds();
            if offset < 0 {
                continue;
            }
            if let Some(slot) = usize::try_from(offset / period)
                .ok()
                .and_then(|i| values.get_mut(i))
            {
                *slot = v as f32;
            }
        }
        Self {
            start: range.start,
            period_s: period_s.max(1),
            values,
        }
    }

    /// Adds `other` point by point (a gap plus a value is the value), e.g.
    /// an account-level series of two regions. Buckets beyond this
    /// series' length are ignored.
    pub fn add(&mut self, other: &Series) {
        for (a, b) in self.values.iter_mut().zip(other.points()) {
            if let Some(b) = b {
                *a = if a.is_nan() { b as f32 } else { *a + b as f32 };
            }
        }
    }

    /// Number of buckets.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no buckets.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Bucket `i` (`None`: a gap or out of range).
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values
            .get(i)
            .filter(|v| !v.is_nan())
            .map(|v| f64::from(*v))
    }

    /// Every bucket in order.
    pub fn points(&self) -> impl DoubleEndedIterator<Item = Option<f64>> + ExactSizeIterator + '_ {
        self.values
            .iter()
            .map(|v| (!v.is_nan()).then(|| f64::from(*v)))
    }

    /// The buckets of `range` (clamped to the series).
    pub fn points_in(
        &self,
        range: std::ops::RangeInclusive<usize>,
    ) -> impl Iterator<Item = Option<f64>> + '_ {
        let (a, b) = (*range.start(), *range.end());
        self.points().skip(a).take((b + 1).saturating_sub(a))
    }

    /// Sum of the present points (0 when there are none: Lambda publishes
    /// nothing for an idle minute).
    pub fn sum(&self) -> f64 {
        self.points().flatten().sum()
    }

    /// Largest present point.
    pub fn max(&self) -> Option<f64> {
        self.points().flatten().reduce(f64::max)
    }

    /// The latest present point.
    pub fn last(&self) -> Option<f64> {
        self.points().rev().flatten().next()
    }

    /// Σ point × weight over buckets where both are present, e.g. the total
    /// run time from per-period mean durations and invocation counts.
    pub fn weighted_total(&self, weights: &Series) -> f64 {
        self.weighted_total_in(weights, 0..=self.len().saturating_sub(1))
    }

    /// [`Series::weighted_total`] over the buckets of `span` only.
    pub fn weighted_total_in(
        &self,
        weights: &Series,
        span: std::ops::RangeInclusive<usize>,
    ) -> f64 {
        span.filter_map(|i| Some(self.get(i)? * weights.get(i)?))
            .sum()
    }

    /// Mean of the points weighted by `weights` (same alignment), e.g. the
    /// per-minute average duration weighted by per-minute invocations, which
    /// gives the exact window average. Falls back to the plain mean of
    /// present points where no weight is known.
    pub fn weighted_mean(&self, weights: Option<&Series>) -> Option<f64> {
        self.weighted_mean_in(weights, 0..=self.len().saturating_sub(1))
    }

    /// [`Series::weighted_mean`] over the buckets of `span` only (a rule's
    /// period inside the window).
    pub fn weighted_mean_in(
        &self,
        weights: Option<&Series>,
        span: std::ops::RangeInclusive<usize>,
    ) -> Option<f64> {
        let mut num = 0.0;
        let mut den = 0.0;
        for i in span {
            let Some(v) = self.get(i) else { continue };
            // A bucket without a known weight counts once.
            let w = weights
                .and_then(|w| w.get(i))
                .filter(|w| *w > 0.0)
                .unwrap_or(1.0);
            num += v * w;
            den += w;
        }
        (den > 0.0).then(|| num / den)
    }
}

#[cfg(test)]
mod tests;
