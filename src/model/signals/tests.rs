use super::*;
use crate::model::metrics::TimeRange;
use chrono::DateTime;
use std::collections::HashMap;

fn range() -> TimeRange {
    TimeRange {
        start: DateTime::from_timestamp(0, 0).unwrap(),
        end: DateTime::from_timestamp(180, 0).unwrap(),
    }
}

fn series(values: &[Option<f64>]) -> Series {
    let pts = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((DateTime::from_timestamp(i as i64 * 60, 0).unwrap(), (*v)?)));
    Series::from_points(range(), 60, pts)
}

#[test]
fn discovery_plans_only_what_each_function_publishes() {
    let mut d = Discovery::default();
    d.add(MetricKind::IteratorAge, "consumer".into(), None);
    d.add(
        MetricKind::PostRuntimeExtensionsDuration,
        "api".into(),
        None,
    );
    d.add(
        MetricKind::ProvisionedConcurrencyUtilization,
        "api".into(),
        Some("api:live"),
    );
    d.add(MetricKind::IteratorAge, "gone".into(), None);
    let q = d.plan(|f| f.name != "gone", 60);
    let keys: Vec<(String, MetricKind, Stat)> = q
        .iter()
        .map(|q| {
            let f = q.key.function.as_ref().unwrap();
            (f.name.clone(), q.key.kind, q.key.stat)
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("consumer".into(), MetricKind::IteratorAge, Stat::Maximum),
            (
                "api".into(),
                MetricKind::ProvisionedConcurrencyUtilization,
                Stat::Maximum
            ),
            (
                "api".into(),
                MetricKind::PostRuntimeExtensionsDuration,
                Stat::Average
            ),
            (
                "api".into(),
                MetricKind::PostRuntimeExtensionsDuration,
                Stat::Maximum
            ),
        ]
    );
    let pc = d.plan_provisioned(&"api".into(), 60);
    assert_eq!(pc.len(), 1);
    assert_eq!(pc[0].key.resource.as_deref(), Some("live"));
    assert!(d.plan_provisioned(&"consumer".into(), 60).is_empty());
}

#[test]
fn signals_sum_counts_take_peaks_and_flag_losses() {
    let f: FunctionId = "hook".into();
    let mut m: HashMap<MetricKey, Series> = HashMap::new();
    let mut put = |k, s, v: &[Option<f64>]| {
        m.insert(MetricKey::function(&f, k, s), series(v));
    };
    put(
        MetricKind::AsyncEventsReceived,
        Stat::Sum,
        &[Some(10.0), None, Some(5.0)],
    );
    put(
        MetricKind::AsyncEventAge,
        Stat::Maximum,
        &[Some(900.0), None, Some(40_000.0)],
    );
    put(
        MetricKind::AsyncEventsDropped,
        Stat::Sum,
        &[Some(0.0), None, Some(3.0)],
    );
    put(MetricKind::DeadLetterErrors, Stat::Sum, &[None, None, None]);
    put(MetricKind::IteratorAge, Stat::Maximum, &[None, None, None]);
    let s = Signals::of(|k, st| m.get(&MetricKey::function(&f, k, st)), None);
    let a = s.async_events.unwrap();
    assert_eq!(
        (a.events_received, a.event_age_max_ms, a.events_dropped),
        (Some(15.0), Some(40_000.0), Some(3.0))
    );
    // Published but no datapoint: no DLQ error happened.
    assert_eq!(a.dead_letter_errors, Some(0.0));
    assert_eq!(a.destination_delivery_failures, None);
    // A queried series without points has no peak.
    assert_eq!(s.iterator_age_max_ms, None);
    assert!(s.provisioned.is_none() && s.extension_duration_ms.is_none());
    assert_eq!(s.problem().as_deref(), Some("3 async events dropped"));
    assert_eq!(Signals::default().problem(), None);
}
