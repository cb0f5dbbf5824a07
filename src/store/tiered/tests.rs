use crate::message::{MetricsFetch, Update};
use crate::model::budget::RefreshPlan;
use crate::model::function::{Architecture, FunctionInfo, TracingMode};
use crate::model::id::FunctionId;
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat, TimeRange};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::time::Duration;

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap()
}

fn range_at(s: i64) -> TimeRange {
    TimeRange::ending_at(at(s), Duration::from_secs(180))
}

fn info(name: &str) -> FunctionInfo {
    FunctionInfo {
        id: name.into(),
        arn: String::new(),
        runtime: "python3.12".into(),
        architecture: Architecture::X86_64,
        memory_mb: 128,
        timeout_s: 3,
        last_modified: None,
        tracing: TracingMode::PassThrough,
        log_group: format!("/aws/lambda/{name}"),
        health: Default::default(),
        setup: Default::default(),
    }
}

fn fleet(names: &[&str]) -> Store {
    let mut s = Store::default();
    s.apply(Update::Inventory {
        at: at(0),
        result: Ok(names.iter().map(|n| info(n)).collect()),
        unmatched: vec![],
    });
    s
}

/// Six series of `f` in full, `inv` invocations in the last minute.
fn full(f: &str, r: TimeRange, inv: f64) -> Vec<(MetricKey, Series)> {
    crate::model::metrics::FUNCTION_SERIES
        .iter()
        .map(|&(k, s)| {
            let v = if k == MetricKind::Duration {
                100.0
            } else {
                inv
            };
            let pts = [(r.end - chrono::Duration::seconds(60), v)];
            (
                MetricKey::function(&f.into(), k, s),
                Series::from_points(r, 60, pts),
            )
        })
        .collect()
}

fn checked(f: &str, r: TimeRange, inv: f64) -> (MetricKey, Series) {
    let key = MetricKey::function(&f.into(), MetricKind::Invocations, Stat::Sum);
    let pts: Vec<_> = (inv > 0.0).then_some((r.start, inv)).into_iter().collect();
    (key, Series::from_points(r, 60, pts))
}

fn refresh(s: &mut Store, t: i64, series: Vec<(MetricKey, Series)>, plan: RefreshPlan) {
    let calls = 1;
    s.apply(Update::Metrics {
        at: at(t),
        range: range_at(t),
        result: Ok(MetricsFetch {
            series,
            failed: vec![],
            calls,
            requested: 0,
        }),
        plan: Some(plan),
    });
}

fn ids(names: &[&str]) -> Vec<FunctionId> {
    names.iter().map(|n| FunctionId::from(*n)).collect()
}

#[test]
fn a_partial_refresh_keeps_the_rest_and_marks_it_behind() {
    let mut s = fleet(&["busy", "quiet", "slow"]);
    let r = range_at(600);
    let mut first = full("busy", r, 5.0);
    first.extend(full("slow", r, 2.0));
    first.push(checked("quiet", r, 0.0));
    let plan = RefreshPlan {
        full: ids(&["busy", "slow"]),
        checked: ids(&["quiet"]),
        ..RefreshPlan::default()
    };
    refresh(&mut s, 600, first, plan);
    let id = |n: &str| FunctionId::from(n);
    assert!(!s.numbers_behind(&id("busy")) && !s.numbers_behind(&id("slow")));
    // The quiet one is known in full: zero, no duration, not behind.
    let quiet = s.function_summary(&id("quiet"));
    assert_eq!((quiet.invocations, quiet.errors), (Some(0.0), Some(0.0)));
    assert_eq!(quiet.duration_avg, None);
    assert!(!s.numbers_behind(&id("quiet")) && !s.percentiles_behind(&id("quiet")));

    // Next refresh reads only "busy": "slow" keeps its numbers, behind.
    let r2 = range_at(660);
    let plan = RefreshPlan {
        full: ids(&["busy"]),
        ..RefreshPlan::default()
    };
    refresh(&mut s, 660, full("busy", r2, 7.0), plan);
    assert_eq!(s.function_summary(&id("busy")).invocations, Some(7.0));
    assert_eq!(s.function_summary(&id("slow")).invocations, Some(2.0));
    assert!(s.numbers_behind(&id("slow")));
    assert!(!s.numbers_behind(&id("busy")));
    // Percentiles were never read for "busy".
    assert!(s.percentiles_behind(&id("busy")));
    assert_eq!(s.metrics.value.as_ref().unwrap().requested, 6);
}

#[test]
fn a_checked_function_that_woke_is_not_filled_with_empty_series() {
    let mut s = fleet(&["sleeper"]);
    let r = range_at(600);
    let mut series = vec![checked("sleeper", r, 3.0)];
    series.extend(full("sleeper", r, 3.0));
    let plan = RefreshPlan {
        full: ids(&["sleeper"]),
        checked: ids(&["sleeper"]),
        ..RefreshPlan::default()
    };
    refresh(&mut s, 600, series, plan);
    let sum = s.function_summary(&"sleeper".into());
    assert_eq!(sum.invocations, Some(3.0));
    assert_eq!(sum.duration_avg, Some(100.0));
}

#[test]
fn a_refresh_without_a_plan_replaces_everything_and_nothing_is_behind() {
    let mut s = fleet(&["a", "b"]);
    let r = range_at(600);
    refresh(
        &mut s,
        600,
        full("a", r, 1.0),
        RefreshPlan {
            full: ids(&["a"]),
            ..RefreshPlan::default()
        },
    );
    s.apply(Update::Metrics {
        at: at(660),
        range: range_at(660),
        result: Ok(MetricsFetch {
            series: full("b", range_at(660), 4.0),
            failed: vec![],
            calls: 1,
            requested: 0,
        }),
        plan: None,
    });
    assert_eq!(s.function_summary(&"a".into()).invocations, None);
    assert_eq!(s.function_summary(&"b".into()).invocations, Some(4.0));
    assert!(!s.numbers_behind(&"a".into()));
}

#[test]
fn functions_gone_from_the_fleet_leave_the_store() {
    let mut s = fleet(&["a", "gone"]);
    let r = range_at(600);
    let mut series = full("a", r, 1.0);
    series.extend(full("gone", r, 1.0));
    refresh(
        &mut s,
        600,
        series,
        RefreshPlan {
            full: ids(&["a", "gone"]),
            ..RefreshPlan::default()
        },
    );
    s.apply(Update::Inventory {
        at: at(630),
        result: Ok(vec![info("a")]),
        unmatched: vec![],
    });
    refresh(
        &mut s,
        660,
        full("a", range_at(660), 1.0),
        RefreshPlan {
            full: ids(&["a"]),
            ..RefreshPlan::default()
        },
    );
    let m = s.metrics.value.as_ref().unwrap();
    assert!(
        m.series
            .keys()
            .all(|k| k.function.as_ref().is_none_or(|f| f.name == "a"))
    );
    assert!(!m.fresh.contains_key(&FunctionId::from("gone")));
}
