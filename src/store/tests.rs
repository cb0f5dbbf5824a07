//! Tests of the parent module.

use super::*;
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat};
use std::time::Duration;

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap()
}

fn range() -> TimeRange {
    TimeRange::ending_at(at(3_599), Duration::from_secs(180))
}

fn fetch(inv: &[(i64, f64)], avg: &[(i64, f64)], p99: Option<f64>) -> MetricsFetch {
    let r = range();
    let key = |k, s| MetricKey::function(&"api".into(), k, s);
    let pts = |v: &[(i64, f64)]| v.iter().map(|&(t, x)| (at(t), x)).collect::<Vec<_>>();
    let mut series = vec![
        (
            key(MetricKind::Invocations, Stat::Sum),
            Series::from_points(r, 60, pts(inv)),
        ),
        (
            key(MetricKind::Duration, Stat::Average),
            Series::from_points(r, 60, pts(avg)),
        ),
        (
            key(MetricKind::Errors, Stat::Sum),
            Series::from_points(r, 60, [(at(3_480), 2.0)]),
        ),
    ];
    let mut failed = vec![];
    match p99 {
        Some(v) => series.push((
            key(MetricKind::Duration, Stat::P99),
            Series::from_points(r, 180, [(r.start, v)]),
        )),
        None => failed.push((
            key(MetricKind::Duration, Stat::P99),
            SourceError::Service {
                api: "cloudwatch:GetMetricData".into(),
                message: "HTTP 500".into(),
            },
        )),
    }
    MetricsFetch {
        series,
        failed,
        calls: 2,
        requested: 0,
    }
}

fn with_api() -> Store {
    let mut s = Store::default();
    let api = crate::model::function::FunctionInfo {
        id: "api".into(),
        arn: String::new(),
        runtime: "python3.12".into(),
        architecture: crate::model::function::Architecture::X86_64,
        memory_mb: 128,
        timeout_s: 3,
        last_modified: None,
        tracing: crate::model::function::TracingMode::PassThrough,
        log_group: "/aws/lambda/api".into(),
        health: Default::default(),
        setup: Default::default(),
    };
    s.apply(Update::Inventory {
        at: at(0),
        result: Ok(vec![api]),
        unmatched: vec![],
    });
    s
}

#[test]
fn summary_from_series_and_na_for_failed_percentiles() {
    let mut s = with_api();
    assert!(s.apply(Update::Started(DataKind::Metrics)));
    assert!(s.metrics.in_flight);
    s.apply(Update::Metrics {
        at: at(3_600),
        range: range(),
        result: Ok(fetch(
            &[(3_420, 3.0), (3_480, 1.0)],
            &[(3_420, 100.0), (3_480, 200.0)],
            None,
        )),
        plan: None,
    });
    let f = s.function_summary(&"api".into());
    assert_eq!(f.invocations, Some(4.0));
    assert_eq!(f.errors, Some(2.0));
    assert_eq!(f.error_rate, Some(0.5));
    assert_eq!(f.duration_avg, Some(125.0));
    assert_eq!(f.duration_p99, None);
    assert!(
        s.unavailable(&MetricKey::function(
            &"api".into(),
            MetricKind::Duration,
            Stat::P99
        ))
        .is_some()
    );
    assert!(!s.metrics.in_flight);
    assert_eq!(s.metrics.updated_at, Some(at(3_600)));
}

#[test]
fn failed_refresh_keeps_last_good_data_and_records_the_error() {
    let mut s = with_api();
    s.apply(Update::Metrics {
        at: at(3_600),
        range: range(),
        result: Ok(fetch(&[(3_420, 3.0)], &[(3_420, 50.0)], Some(90.0))),
        plan: None,
    });
    s.apply(Update::Metrics {
        at: at(3_660),
        range: range(),
        result: Err(SourceError::Throttled {
            api: "cloudwatch:GetMetricData".into(),
            message: "Rate exceeded".into(),
        }),
        plan: None,
    });
    assert_eq!(s.metrics.updated_at, Some(at(3_600)));
    assert!(s.metrics.last_error.as_ref().unwrap().is_throttling());
    assert_eq!(s.function_summary(&"api".into()).duration_p99, Some(90.0));
}

#[test]
fn calls_last_minute_from_samples() {
    let mut s = Store::default();
    assert_eq!(s.calls_last_minute(at(100)), None);
    for (t, n) in [(0, 3), (30, 5), (60, 9), (90, 20)] {
        s.apply(Update::ApiUsage {
            at: at(t),
            total_calls: n,
            throttled_calls: n / 3,
            regions: vec![],
        });
    }
    // Samples at or before 30 s: base 5.
    assert_eq!(s.calls_last_minute(at(90)), Some(15));
    assert_eq!(s.throttled_last_minute(at(90)), Some(6 - 1));
    // Less than a minute of samples: everything since start.
    assert_eq!(s.calls_last_minute(at(50)), Some(20));
}

/// A new filter on the same function keeps the events it would have
/// found (125 events do not drop to 0 while the new read runs), and the
/// new read's copies of them are not shown twice; another function starts
/// empty.
#[test]
fn a_new_filter_keeps_what_it_would_have_found() {
    use crate::message::{KeepEvents, LogUpdate};
    use crate::model::logs::LogEvent;
    let ev = |id: &str, s: i64, msg: &str| LogEvent {
        id: id.into(),
        timestamp: at(s),
        ingestion_time: None,
        stream: "s".into(),
        message: msg.into(),
    };
    let reset = |function: &str, from: i64, keep| Update::LogsReset {
        function: function.into(),
        log_group: "/aws/lambda/api".into(),
        from: at(from),
        capacity: 100,
        keep,
    };
    let events = |e: Vec<LogEvent>| Update::Logs {
        function: "api".into(),
        update: LogUpdate::Events {
            group: 0,
            events: e,
        },
    };
    let mut store = Store::new(&[], Prices::default());
    store.apply(reset("api", 0, KeepEvents::Nothing));
    store.apply(events(vec![
        ev("1", 10, "INFO ok"),
        ev("2", 20, "ERROR boom"),
        ev("3", 30, "INFO fine"),
        ev("4", 40, "ERROR again"),
    ]));
    let ids = |s: &Store| -> Vec<String> {
        s.logs
            .as_ref()
            .unwrap()
            .events
            .iter()
            .map(|e| e.id.clone())
            .collect()
    };
    store.apply(reset("api", 0, KeepEvents::Matching("ERROR".into())));
    assert_eq!(ids(&store), ["2", "4"]);
    // The new read brings them again, and one more.
    store.apply(events(vec![
        ev("2", 20, "ERROR boom"),
        ev("5", 50, "ERROR more"),
    ]));
    assert_eq!(ids(&store), ["2", "4", "5"]);
    // A later start keeps what is after it.
    store.apply(reset("api", 25, KeepEvents::All));
    assert_eq!(ids(&store), ["4", "5"]);
    store.apply(reset("other", 0, KeepEvents::All));
    assert!(ids(&store).is_empty(), "another function starts empty");
}
