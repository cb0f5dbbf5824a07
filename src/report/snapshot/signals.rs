//! The snapshot's signal groups, per function: event sources with their
//! lag, async, provisioned concurrency, extension time and recursion cuts
//! (each `null` where the function has none), numbers rounded like the
//! rest of the snapshot.

use super::Num;
use crate::model::signals::Signals;
use crate::model::sources::EventSource;
use serde::Serialize;

/// One event source mapping and the lag of its kind of source: the
/// function's IteratorAge peak for a stream, its OffsetLag peak for Kafka
/// (`FunctionName` is the finest dimension lamtop reads).
#[derive(Debug, Clone, Serialize)]
pub struct EventSourceEntry {
    /// The mapping as listed.
    #[serde(flatten)]
    pub mapping: EventSource,
    /// Peak IteratorAge in the window (ms), streams only.
    pub iterator_age_max_ms: Num,
    /// Peak OffsetLag in the window, Kafka only.
    pub offset_lag_max: Num,
}

impl EventSourceEntry {
    /// `mapping` with the lag of `signals` that applies to its kind.
    pub fn of(mapping: EventSource, signals: &Signals) -> Self {
        let stream = matches!(mapping.kind, "kinesis" | "dynamodb");
        let kafka = mapping.kind == "kafka";
        Self {
            iterator_age_max_ms: Num::of(signals.iterator_age_max_ms.filter(|_| stream)),
            offset_lag_max: Num::of(signals.offset_lag_max.filter(|_| kafka)),
            mapping,
        }
    }
}

/// Async invocations in the window.
#[derive(Debug, Clone, Serialize)]
pub struct Async {
    /// Events queued.
    pub events_received: Num,
    /// Longest wait before an event ran (ms).
    pub event_age_max_ms: Num,
    /// Events dropped after their retries or maximum age.
    pub events_dropped: Num,
    /// Failures that could not be written to the dead-letter queue.
    pub dead_letter_errors: Num,
    /// Events that could not reach their destination.
    pub destination_delivery_failures: Num,
}

/// Provisioned concurrency in the window.
#[derive(Debug, Clone, Serialize)]
pub struct Provisioned {
    /// Environments allocated (ListProvisionedConcurrencyConfigs, summed
    /// over aliases; `null` unless read for this function).
    pub allocated: Option<u32>,
    /// Peak utilization (0–1).
    pub utilization_max: Num,
    /// Invocations served on demand because every provisioned environment
    /// was busy.
    pub spillover_invocations: Num,
}

/// Mean and peak in ms.
#[derive(Debug, Clone, Serialize)]
pub struct AvgMax {
    /// Mean.
    pub avg: Num,
    /// Peak.
    pub max: Num,
}

/// The signal groups of one function.
pub struct Groups {
    /// Async numbers, when it has async traffic.
    pub async_events: Option<Async>,
    /// Provisioned numbers, when it has provisioned concurrency.
    pub provisioned: Option<Provisioned>,
    /// Extension time, when it has extensions.
    pub extension_duration_ms: Option<AvgMax>,
    /// Recursive invocations dropped, when Lambda reported any.
    pub recursive_invocations_dropped: Num,
}

/// The groups of `s`; `allocated` from the provisioned configs, if read.
pub fn groups(s: &Signals, allocated: Option<u32>) -> Groups {
    Groups {
        async_events: s.async_events.map(|a| Async {
            events_received: Num::of(a.events_received),
            event_age_max_ms: Num::of(a.event_age_max_ms),
            events_dropped: Num::of(a.events_dropped),
            dead_letter_errors: Num::of(a.dead_letter_errors),
            destination_delivery_failures: Num::of(a.destination_delivery_failures),
        }),
        provisioned: s.provisioned.map(|p| Provisioned {
            allocated,
            utilization_max: Num::ratio(p.utilization_max),
            spillover_invocations: Num::of(p.spillover_invocations),
        }),
        extension_duration_ms: s.extension_duration_ms.map(|e| AvgMax {
            avg: Num::of(e.avg),
            max: Num::of(e.max),
        }),
        recursive_invocations_dropped: Num::of(s.recursive_invocations_dropped),
    }
}
