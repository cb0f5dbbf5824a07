//! The metrics beyond the six every function has: stream and Kafka lag,
//! async queueing and drops, dead-letter and destination failures,
//! provisioned concurrency, extension overhead and recursion cuts. Only
//! functions that publish them (found with ListMetrics) get their queries,
//! so a fleet without streams or async traffic pays nothing extra.

use super::id::FunctionId;
use super::metrics::{MetricKey, MetricKind, MetricQuery, Series, Stat};
use std::collections::{BTreeMap, BTreeSet};

/// The signal metrics, each discovered on its own (ListMetrics per name).
pub const SIGNAL_KINDS: [MetricKind; 11] = [
    MetricKind::IteratorAge,
    MetricKind::OffsetLag,
    MetricKind::AsyncEventsReceived,
    MetricKind::AsyncEventAge,
    MetricKind::AsyncEventsDropped,
    MetricKind::DeadLetterErrors,
    MetricKind::DestinationDeliveryFailures,
    MetricKind::ProvisionedConcurrencyUtilization,
    MetricKind::ProvisionedConcurrencySpilloverInvocations,
    MetricKind::PostRuntimeExtensionsDuration,
    MetricKind::RecursiveInvocationsDropped,
];

/// The statistics read of a signal metric: the peak of ages, lags and
/// utilization, the total of counts, mean and peak of extension time.
pub fn stats_of(kind: MetricKind) -> &'static [Stat] {
    match kind {
        MetricKind::PostRuntimeExtensionsDuration => &[Stat::Average, Stat::Maximum],
        MetricKind::InsightsCpuTotalTime => &[Stat::Average],
        MetricKind::IteratorAge
        | MetricKind::OffsetLag
        | MetricKind::AsyncEventAge
        | MetricKind::ProvisionedConcurrencyUtilization
        | MetricKind::InsightsMemoryUtilization
        | MetricKind::InsightsInitDuration => &[Stat::Maximum],
        _ => &[Stat::Sum],
    }
}

/// Which functions publish which signal metrics (in the last 3 hours), and
/// for each the aliases or versions (`Resource`) it was seen on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    found: BTreeMap<MetricKind, BTreeMap<FunctionId, BTreeSet<String>>>,
}

impl Discovery {
    /// Records that `function` publishes `kind`, on `resource` when the
    /// metric's dimensions name one (`function:alias` → `alias`).
    pub fn add(&mut self, kind: MetricKind, function: FunctionId, resource: Option<&str>) {
        let seen = self
            .found
            .entry(kind)
            .or_default()
            .entry(function)
            .or_default();
        if let Some(r) = resource.and_then(|r| r.rsplit_once(':')).map(|(_, q)| q) {
            seen.insert(r.to_string());
        }
    }

    /// Adds everything `other` found (another region's discovery).
    pub fn merge(&mut self, other: Discovery) {
        for (kind, functions) in other.found {
            let mine = self.found.entry(kind).or_default();
            for (f, resources) in functions {
                mine.entry(f).or_default().extend(resources);
            }
        }
    }

    /// The same discovery with every function placed in `place`.
    pub fn placed(self, place: &crate::model::id::Place) -> Discovery {
        let found = self
            .found
            .into_iter()
            .map(|(k, m)| {
                (
                    k,
                    m.into_iter().map(|(f, r)| (f.placed(place), r)).collect(),
                )
            })
            .collect();
        Discovery { found }
    }

    /// Whether `function` publishes `kind`.
    pub fn has(&self, kind: MetricKind, function: &FunctionId) -> bool {
        self.found
            .get(&kind)
            .is_some_and(|m| m.contains_key(function))
    }

    /// The aliases or versions `function` publishes `kind` on.
    pub fn resources(&self, kind: MetricKind, function: &FunctionId) -> Vec<String> {
        self.found
            .get(&kind)
            .and_then(|m| m.get(function))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Number of (metric, function) pairs found.
    pub fn len(&self) -> usize {
        self.found.values().map(BTreeMap::len).sum()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The refresh's extra queries: each statistic of each metric a
    /// function in scope publishes, at the history period.
    pub fn plan(&self, in_scope: impl Fn(&FunctionId) -> bool, period_s: u32) -> Vec<MetricQuery> {
        let mut out = Vec::new();
        for (&kind, functions) in &self.found {
            for f in functions.keys().filter(|f| in_scope(f)) {
                for &stat in stats_of(kind) {
                    out.push(MetricQuery {
                        key: MetricKey::function(f, kind, stat),
                        period_s,
                    });
                }
            }
        }
        out
    }

    /// Provisioned concurrency per alias or version of the function on
    /// screen (utilization peak and spillover), at the history period.
    pub fn plan_provisioned(&self, function: &FunctionId, period_s: u32) -> Vec<MetricQuery> {
        let mut out = Vec::new();
        for kind in PROVISIONED {
            for q in self.resources(kind, function) {
                for &stat in stats_of(kind) {
                    out.push(MetricQuery {
                        key: MetricKey::resource(function, kind, stat, &q),
                        period_s,
                    });
                }
            }
        }
        out
    }
}

/// The Lambda Insights series read for the function on screen when it has
/// the extension (no discovery: the layer says so): peak memory
/// utilization, mean CPU time, peak init duration, bytes in and out.
pub const LAMBDA_INSIGHTS: [(MetricKind, Stat); 5] = [
    (MetricKind::InsightsMemoryUtilization, Stat::Maximum),
    (MetricKind::InsightsCpuTotalTime, Stat::Average),
    (MetricKind::InsightsInitDuration, Stat::Maximum),
    (MetricKind::InsightsRxBytes, Stat::Sum),
    (MetricKind::InsightsTxBytes, Stat::Sum),
];

/// The Lambda Insights queries of `function`, at the history period.
pub fn plan_lambda_insights(function: &FunctionId, period_s: u32) -> Vec<MetricQuery> {
    LAMBDA_INSIGHTS
        .iter()
        .map(|&(kind, stat)| MetricQuery {
            key: MetricKey::function(function, kind, stat),
            period_s,
        })
        .collect()
}

const PROVISIONED: [MetricKind; 2] = [
    MetricKind::ProvisionedConcurrencyUtilization,
    MetricKind::ProvisionedConcurrencySpilloverInvocations,
];

/// Async invocation numbers over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AsyncSignals {
    /// Events queued.
    pub events_received: Option<f64>,
    /// Longest wait before an event ran (ms).
    pub event_age_max_ms: Option<f64>,
    /// Events dropped.
    pub events_dropped: Option<f64>,
    /// Failures that did not reach the dead-letter queue.
    pub dead_letter_errors: Option<f64>,
    /// Events that did not reach their destination.
    pub destination_delivery_failures: Option<f64>,
}

/// Provisioned concurrency numbers over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProvisionedSignals {
    /// Peak utilization (0–1).
    pub utilization_max: Option<f64>,
    /// Invocations that spilled over to on-demand environments.
    pub spillover_invocations: Option<f64>,
}

/// Mean and peak of a duration (ms).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AvgMax {
    /// Mean, weighted by invocations.
    pub avg: Option<f64>,
    /// Peak.
    pub max: Option<f64>,
}

/// One function's signal numbers over the window; a group is `None` when
/// the function publishes none of its metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Signals {
    /// Peak iterator age of its stream mappings (ms).
    pub iterator_age_max_ms: Option<f64>,
    /// Peak offset lag of its Kafka mappings.
    pub offset_lag_max: Option<f64>,
    /// Async invocations.
    pub async_events: Option<AsyncSignals>,
    /// Provisioned concurrency.
    pub provisioned: Option<ProvisionedSignals>,
    /// Time extensions ran after the function returned (ms).
    pub extension_duration_ms: Option<AvgMax>,
    /// Invocations cut as recursive loops.
    pub recursive_invocations_dropped: Option<f64>,
}

impl Signals {
    /// Summarizes the series `get` returns (a function's, at the window's
    /// history period); `invocations` weights the extension mean.
    pub fn of<'a>(
        get: impl Fn(MetricKind, Stat) -> Option<&'a Series>,
        invocations: Option<&Series>,
    ) -> Self {
        let sum = |k| get(k, Stat::Sum).map(Series::sum);
        let max = |k| get(k, Stat::Maximum).and_then(Series::max);
        let present = |kinds: &[MetricKind]| {
            kinds
                .iter()
                .any(|&k| stats_of(k).iter().any(|&s| get(k, s).is_some()))
        };
        use MetricKind as K;
        let async_kinds = [
            K::AsyncEventsReceived,
            K::AsyncEventAge,
            K::AsyncEventsDropped,
            K::DeadLetterErrors,
            K::DestinationDeliveryFailures,
        ];
        let ext = K::PostRuntimeExtensionsDuration;
        Self {
            iterator_age_max_ms: max(K::IteratorAge),
            offset_lag_max: max(K::OffsetLag),
            async_events: present(&async_kinds).then(|| AsyncSignals {
                events_received: sum(K::AsyncEventsReceived),
                event_age_max_ms: max(K::AsyncEventAge),
                events_dropped: sum(K::AsyncEventsDropped),
                dead_letter_errors: sum(K::DeadLetterErrors),
                destination_delivery_failures: sum(K::DestinationDeliveryFailures),
            }),
            provisioned: present(&PROVISIONED).then(|| ProvisionedSignals {
                utilization_max: max(K::ProvisionedConcurrencyUtilization),
                spillover_invocations: sum(K::ProvisionedConcurrencySpilloverInvocations),
            }),
            extension_duration_ms: present(&[ext]).then(|| AvgMax {
                avg: get(ext, Stat::Average).and_then(|s| s.weighted_mean(invocations)),
                max: max(ext),
            }),
            recursive_invocations_dropped: sum(K::RecursiveInvocationsDropped),
        }
    }

    /// What is being lost, if anything: events dropped, failures that
    /// reached neither the DLQ nor the destination, recursion cut. These
    /// mark the function `⚠` in the fleet.
    pub fn problem(&self) -> Option<String> {
        let a = self.async_events.unwrap_or_default();
        let counted = [
            (a.events_dropped, "async events dropped"),
            (a.dead_letter_errors, "dead-letter errors"),
            (a.destination_delivery_failures, "destination failures"),
            (
                self.recursive_invocations_dropped,
                "recursive invocations dropped",
            ),
        ];
        let parts: Vec<String> = counted
            .into_iter()
            .filter_map(|(n, what)| n.filter(|n| *n > 0.0).map(|n| format!("{n:.0} {what}")))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The async event age peak, if any.
    pub fn async_age_max_ms(&self) -> Option<f64> {
        self.async_events.and_then(|a| a.event_age_max_ms)
    }

    /// Dropped async events, if any async traffic.
    pub fn async_dropped(&self) -> Option<f64> {
        self.async_events.and_then(|a| a.events_dropped)
    }

    /// Dead-letter errors, if any async traffic.
    pub fn dead_letter_errors(&self) -> Option<f64> {
        self.async_events.and_then(|a| a.dead_letter_errors)
    }
}

#[cfg(test)]
mod tests;
