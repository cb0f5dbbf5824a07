//! The demo's signal metrics: a stream consumer that falls behind every
//! hour, an async function dropping events after its retries, an alias
//! whose provisioned concurrency spills over at peak, an extension that
//! adds time to every invocation. Per minute and pure, like the rest of
//! the fleet, so ListMetrics and GetMetricData agree.

use super::fleet::{ASYNC_OK, DROPPING, EXTENDED, LAGGING, Minute, PROVISIONED, Spec};
use crate::model::metrics::{MetricKind, Stat};
use crate::model::signals::{Discovery, stats_of};

/// Provisioned environments of [`PROVISIONED`]'s alias.
pub const PROVISIONED_ALLOCATED: u32 = 2;

/// Which signal metrics each demo function publishes.
fn kinds_of(name: &str) -> &'static [MetricKind] {
    use MetricKind as K;
    match name {
        LAGGING => &[K::IteratorAge],
        DROPPING | ASYNC_OK => &[
            K::AsyncEventsReceived,
            K::AsyncEventAge,
            K::AsyncEventsDropped,
            K::DeadLetterErrors,
        ],
        PROVISIONED => &[
            K::ProvisionedConcurrencyUtilization,
            K::ProvisionedConcurrencySpilloverInvocations,
        ],
        EXTENDED => &[K::PostRuntimeExtensionsDuration],
        _ => &[],
    }
}

/// What ListMetrics would find for the fleet (provisioned concurrency on
/// the `live` alias as well as the function).
pub fn discovery(specs: &[Spec]) -> Discovery {
    let mut d = Discovery::default();
    for s in specs {
        let name = &s.info.id.name;
        for &k in kinds_of(name) {
            d.add(k, s.info.id.clone(), None);
            if name == PROVISIONED {
                d.add(k, s.info.id.clone(), Some(&format!("{name}:live")));
            }
        }
    }
    d
}

/// The value of `kind` for one minute of `spec`; `None` when the function
/// publishes no such datapoint then.
fn per_minute(spec: &Spec, kind: MetricKind, minute: i64, m: &Minute) -> Option<f64> {
    use MetricKind as K;
    let name = &spec.info.id.name;
    let insights = kind.is_lambda_insights() && spec.info.setup.has_lambda_insights();
    if !(kinds_of(name).contains(&kind) || insights) || m.invocations <= 0.0 {
        return None;
    }
    let of_hour = minute.rem_euclid(60) as f64;
    Some(match kind {
        // About a second behind, then 90 s more every minute from :40.
        K::IteratorAge => 1_200.0 + (of_hour - 39.0).max(0.0) * 90_000.0,
        K::AsyncEventsReceived => m.invocations,
        K::AsyncEventAge if spec.info.id.name == DROPPING => 40_000.0 + of_hour * 2_000.0,
        K::AsyncEventAge => 180.0,
        // The failed events after their two retries, every third minute.
        K::AsyncEventsDropped if spec.info.id.name == DROPPING && minute % 3 == 0 => {
            (m.errors / 3.0).ceil().max(1.0)
        }
        K::AsyncEventsDropped | K::DeadLetterErrors => 0.0,
        K::ProvisionedConcurrencyUtilization => {
            (m.concurrency / f64::from(PROVISIONED_ALLOCATED)).min(1.0)
        }
        K::ProvisionedConcurrencySpilloverInvocations => {
            let over = m.concurrency - f64::from(PROVISIONED_ALLOCATED);
            (over.max(0.0) / m.concurrency * m.invocations).round()
        }
        K::PostRuntimeExtensionsDuration => 18.0 + (m.avg_ms * 0.2).min(40.0),
        // The extension's view of the same minute.
        K::InsightsMemoryUtilization => 38.0 + of_hour / 6.0,
        K::InsightsCpuTotalTime => m.avg_ms * 0.7,
        K::InsightsInitDuration if m.cold_starts > 0.0 => 240.0 + of_hour,
        K::InsightsRxBytes => m.invocations * 1_800.0,
        K::InsightsTxBytes => m.invocations * 650.0,
        _ => return None,
    })
}

/// The async settings of the demo's async functions: the dropping one
/// retries twice within 10 minutes (its failures go to its dead-letter
/// queue, in its configuration), the other never retries.
pub fn async_config(name: &str) -> Option<crate::model::invoke::AsyncConfig> {
    let queue = |q: &str| format!("arn:aws:sqs:demo-1:123456789012:{q}");
    match name {
        DROPPING => Some(crate::model::invoke::AsyncConfig {
            retries: Some(2),
            max_event_age_s: Some(600),
            on_success: None,
            on_failure: None,
        }),
        ASYNC_OK => Some(crate::model::invoke::AsyncConfig {
            retries: Some(0),
            max_event_age_s: Some(3600),
            on_success: None,
            on_failure: Some(queue("audit-archive")),
        }),
        _ => None,
    }
}

/// Provisioned concurrency of the demo: the `live` alias of
/// [`PROVISIONED`], ready.
pub fn provisioned_configs(name: &str) -> Vec<crate::model::invoke::ProvisionedConfig> {
    if name != PROVISIONED {
        return Vec::new();
    }
    vec![crate::model::invoke::ProvisionedConfig {
        qualifier: "live".into(),
        requested: Some(PROVISIONED_ALLOCATED),
        allocated: Some(PROVISIONED_ALLOCATED),
        status: Some("READY".into()),
        status_reason: None,
    }]
}

/// A signal statistic over `minutes` (epoch minute and its behaviour);
/// `None` when no minute has a datapoint.
pub fn aggregate(
    spec: &Spec,
    kind: MetricKind,
    stat: Stat,
    minutes: &[(i64, Minute)],
) -> Option<f64> {
    if !stats_of(kind).contains(&stat) {
        return None;
    }
    let values: Vec<(f64, f64)> = minutes
        .iter()
        .filter_map(|(t, m)| Some((per_minute(spec, kind, *t, m)?, m.invocations)))
        .collect();
    if values.is_empty() {
        return None;
    }
    Some(match stat {
        Stat::Sum => values.iter().map(|(v, _)| v).sum(),
        Stat::Average => {
            let w: f64 = values.iter().map(|(_, w)| w).sum();
            values.iter().map(|(v, w)| v * w).sum::<f64>() / w
        }
        _ => values.iter().map(|(v, _)| *v).fold(f64::MIN, f64::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_story_functions_publish_signals() {
        let specs = super::super::fleet::build(7);
        let d = discovery(&specs);
        let id = |n: &str| crate::model::id::FunctionId::new(n);
        assert!(d.has(MetricKind::IteratorAge, &id(LAGGING)));
        assert!(!d.has(MetricKind::IteratorAge, &id("orders-api")));
        assert_eq!(
            d.resources(
                MetricKind::ProvisionedConcurrencyUtilization,
                &id(PROVISIONED)
            ),
            ["live"]
        );
        // 1 + 4 + 4 + 2 + 1 (metric, function) pairs.
        assert_eq!(d.len(), 12);
    }
}
