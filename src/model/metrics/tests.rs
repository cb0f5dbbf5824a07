use super::*;

fn at(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(s, 0).unwrap()
}

#[test]
fn range_includes_current_minute_and_is_aligned() {
    let r = TimeRange::ending_at(at(3_630), Duration::from_secs(3600));
    assert_eq!(r.end, at(3_660));
    assert_eq!(r.start, at(60));
    assert_eq!(r.seconds(), 3600);
}

#[test]
fn plan_has_nine_queries_per_function_plus_account() {
    let names = ["a", "b", "c"].map(FunctionId::new);
    let q = plan_fleet_queries(&names, Duration::from_secs(3600), &[]);
    assert_eq!(q.len(), 3 * 9 + 2);
    let pct: Vec<_> = q.iter().filter(|q| q.key.stat.is_percentile()).collect();
    assert_eq!(pct.len(), 9);
    assert!(pct.iter().all(|q| q.period_s == 3600));
    assert!(
        q.iter()
            .filter(|q| !q.key.stat.is_percentile())
            .all(|q| q.period_s == 60)
    );
}

#[test]
fn series_aligns_points_and_drops_garbage() {
    let r = TimeRange {
        start: at(0),
        end: at(300),
    };
    let s = Series::from_points(
        r,
        60,
        [
            (at(0), 1.0),
            (at(125), 2.0),
            (at(299), f64::NAN),
            (at(600), 9.0),
            (at(-60), 9.0),
            (at(240), f64::INFINITY),
        ],
    );
    assert_eq!(
        s.points().collect::<Vec<_>>(),
        vec![Some(1.0), None, Some(2.0), None, None]
    );
    assert_eq!(s.sum(), 3.0);
    assert_eq!(s.max(), Some(2.0));
    assert_eq!(s.last(), Some(2.0));
}

#[test]
fn weighted_mean_is_exact_window_average() {
    let r = TimeRange {
        start: at(0),
        end: at(120),
    };
    let avg = Series::from_points(r, 60, [(at(0), 100.0), (at(60), 200.0)]);
    let inv = Series::from_points(r, 60, [(at(0), 3.0), (at(60), 1.0)]);
    assert_eq!(avg.weighted_mean(Some(&inv)), Some(125.0));
    assert_eq!(avg.weighted_mean(None), Some(150.0));
    let empty = Series::from_points(r, 60, []);
    assert_eq!(empty.weighted_mean(Some(&inv)), None);
}

#[test]
fn long_windows_use_coarser_periods() {
    assert_eq!(series_period(Duration::from_secs(900)), 60);
    assert_eq!(series_period(Duration::from_secs(12 * 3600)), 300);
    assert_eq!(series_period(Duration::from_secs(3 * 86_400)), 3600);
    assert_eq!(window_seconds(Duration::from_secs(90)), 120);
}
