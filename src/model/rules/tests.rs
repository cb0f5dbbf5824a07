use super::*;
use crate::model::alarms::{Op, Severity};
use chrono::TimeZone;
use std::time::Duration;

fn at(min: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 - 1_700_000_000 % 60 + min * 60, 0)
        .unwrap()
}

fn rule(metric: RuleMetric, op: Op, threshold: f64, period_m: u64, for_m: u64) -> AlarmRule {
    AlarmRule {
        name: "r".into(),
        functions: "*".into(),
        metric,
        op,
        threshold,
        period: Duration::from_secs(period_m * 60),
        hold_for: Duration::from_secs(for_m * 60),
        severity: Severity::Critical,
    }
}

/// A fake clock: the tracker sees one observation per minute.
fn run(t: &mut Tracker, hold_m: i64, seq: &[Option<bool>]) -> Vec<AlarmState> {
    seq.iter()
        .enumerate()
        .map(|(i, b)| {
            t.observe(
                at(i as i64),
                b.map(|_| 1.0),
                *b,
                ChronoDuration::minutes(hold_m),
            );
            t.state
        })
        .collect()
}

use AlarmState::{Firing, NoData, Ok as Fine, Pending};

#[test]
fn pending_for_the_hold_then_firing_then_ok() {
    let mut t = Tracker::default();
    let y = Some(true);
    let n = Some(false);
    let states = run(&mut t, 3, &[n, y, y, y, y, y, n]);
    assert_eq!(
        states,
        [Fine, Pending, Pending, Pending, Firing, Firing, Fine]
    );
    assert_eq!(t.since, Some(at(6)));
}

#[test]
fn zero_hold_fires_at_once() {
    let mut t = Tracker::default();
    assert_eq!(run(&mut t, 0, &[Some(true)]), [Firing]);
    assert_eq!(t.since, Some(at(0)));
}

#[test]
fn flapping_restarts_the_hold() {
    let mut t = Tracker::default();
    let y = Some(true);
    let n = Some(false);
    let states = run(&mut t, 2, &[y, y, n, y, y, y]);
    assert_eq!(states, [Pending, Pending, Fine, Pending, Pending, Firing]);
}

#[test]
fn missing_data_is_its_own_state_and_breaks_the_hold() {
    let mut t = Tracker::default();
    let y = Some(true);
    let states = run(&mut t, 2, &[None, y, None, y, y, y, None]);
    assert_eq!(
        states,
        [NoData, Pending, NoData, Pending, Pending, Firing, NoData]
    );
}

fn fleet() -> Vec<FunctionInfo> {
    let mut f = FunctionInfo::for_test("api", "python3.12");
    f.timeout_s = 10;
    f.memory_mb = 1024;
    vec![f, FunctionInfo::for_test("idle", "nodejs22.x")]
}

/// 15 minutes of per-minute series for "api": `inv` invocations and `err`
/// errors each minute, 100 ms average; "idle" publishes nothing.
fn inputs(minutes: i64, err: impl Fn(i64) -> f64) -> (HashMap<MetricKey, Series>, TimeRange) {
    let range = TimeRange {
        start: at(0),
        end: at(minutes),
    };
    let mk = |v: &dyn Fn(i64) -> f64| {
        Series::from_points(range, 60, (0..minutes).map(|m| (at(m), v(m))))
    };
    let mut series = HashMap::new();
    series.insert(
        MetricKey::function(&"api".into(), MetricKind::Invocations, Stat::Sum),
        mk(&|_| 100.0),
    );
    series.insert(
        MetricKey::function(&"api".into(), MetricKind::Errors, Stat::Sum),
        mk(&err),
    );
    series.insert(
        MetricKey::function(&"api".into(), MetricKind::Duration, Stat::Average),
        mk(&|_| 100.0),
    );
    series.insert(
        MetricKey::function(&"idle".into(), MetricKind::Invocations, Stat::Sum),
        Series::from_points(range, 60, []),
    );
    series.insert(
        MetricKey::function(&"idle".into(), MetricKind::Errors, Stat::Sum),
        Series::from_points(range, 60, []),
    );
    (series, range)
}

#[test]
fn error_rate_over_the_period_fires_after_hold_and_idle_is_no_data() {
    // Errors start at minute 5: 50 of 100 per minute.
    let (series, range) = inputs(15, |m| if m >= 5 { 50.0 } else { 0.0 });
    let reports = HashMap::new();
    let prices = Prices::default();
    let inp = Inputs {
        series: &series,
        range,
        at: at(15),
        prices: &prices,
        reports: &reports,
    };
    let mut engine = RuleEngine::new(&[rule(RuleMetric::ErrorRate, Op::Gt, 0.1, 5, 3)]);
    let events = engine.evaluate(&fleet(), &inp);
    let alarms = engine.alarms();
    let api = alarms
        .iter()
        .find(|a| a.function.as_ref().map(|f| f.name.as_str()) == Some("api"))
        .unwrap();
    assert_eq!(api.state, Firing);
    assert_eq!(api.value, Some(0.5));
    assert_eq!(api.severity, Some(Severity::Critical));
    // Minute 5 ends with a 5-minute rate of 50/500 = 0.1 (not above);
    // minute 6 ends with 100/500 = 0.2: PENDING at 7, FIRING 3 minutes on.
    assert_eq!(api.since, Some(at(10)));
    let idle = alarms
        .iter()
        .find(|a| a.function.as_ref().map(|f| f.name.as_str()) == Some("idle"))
        .unwrap();
    assert_eq!(idle.state, NoData);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!((events[0].from, events[0].state), (Fine, Firing));
    // A second evaluation on the same data changes nothing and says nothing.
    assert!(engine.evaluate(&fleet(), &inp).is_empty());
}

#[test]
fn hold_longer_than_the_data_stays_pending() {
    let (series, range) = inputs(15, |_| 50.0);
    let reports = HashMap::new();
    let prices = Prices::default();
    let inp = Inputs {
        series: &series,
        range,
        at: at(15),
        prices: &prices,
        reports: &reports,
    };
    let mut engine = RuleEngine::new(&[rule(RuleMetric::Errors, Op::Ge, 1.0, 5, 60)]);
    assert!(engine.evaluate(&fleet(), &inp).is_empty());
    let api = engine
        .alarms()
        .into_iter()
        .find(|a| a.function.as_ref().map(|f| f.name.as_str()) == Some("api"))
        .unwrap();
    assert_eq!(api.state, Pending);
    assert_eq!(api.value, Some(250.0));
    assert!(api.reason.contains("firing after 1h"), "{}", api.reason);
}

#[test]
fn incremental_refreshes_continue_the_hold_and_report_resolution() {
    // First refresh: errors only in the last 2 minutes → PENDING.
    let (series, range) = inputs(10, |m| if m >= 8 { 50.0 } else { 0.0 });
    let reports = HashMap::new();
    let prices = Prices::default();
    let mut engine = RuleEngine::new(&[rule(RuleMetric::Errors, Op::Gt, 0.0, 1, 2)]);
    let inp = Inputs {
        series: &series,
        range,
        at: at(10),
        prices: &prices,
        reports: &reports,
    };
    assert!(engine.evaluate(&fleet(), &inp).is_empty());
    // Second refresh, 5 minutes later: errors went on until minute 11, then stopped.
    let (series, range) = inputs(15, |m| if (8..12).contains(&m) { 50.0 } else { 0.0 });
    let inp = Inputs {
        series: &series,
        range,
        at: at(15),
        prices: &prices,
        reports: &reports,
    };
    let events = engine.evaluate(&fleet(), &inp);
    let states: Vec<_> = events.iter().map(|e| (e.state, e.at)).collect();
    assert_eq!(states, [(Firing, at(11)), (Fine, at(13))]);
    assert_eq!(engine.history.len(), 2);
}

#[test]
fn buckets_still_filling_are_not_evaluated() {
    let (series, range) = inputs(15, |_| 50.0);
    let reports = HashMap::new();
    let prices = Prices::default();
    // Fetched 30 s into minute 14: that minute is incomplete.
    let inp = Inputs {
        series: &series,
        range,
        at: at(14) + ChronoDuration::seconds(30),
        prices: &prices,
        reports: &reports,
    };
    let s = samples(
        &rule(RuleMetric::Invocations, Op::Gt, 0.0, 1, 0),
        &fleet()[0],
        &inp,
        None,
    );
    assert_eq!(s.len(), 14);
    assert_eq!(s.last().unwrap().0, at(14));
}

#[test]
fn cost_per_hour_duration_and_report_metrics() {
    let (series, range) = inputs(15, |_| 0.0);
    let mut reports = HashMap::new();
    let stats = ReportStats {
        invocations: 10,
        cold_starts: 3,
        max_memory_used_mb: Some(512.0),
        ..Default::default()
    };
    reports.insert("api".into(), (at(15), stats));
    let prices = Prices::default();
    let inp = Inputs {
        series: &series,
        range,
        at: at(15),
        prices: &prices,
        reports: &reports,
    };
    let f = &fleet()[0];
    let cost = samples(
        &rule(RuleMetric::CostPerHour, Op::Gt, 0.0, 5, 0),
        f,
        &inp,
        None,
    );
    // 500 invocations × 100 ms × 1 GB in 5 minutes, times 12 for the hour.
    let expected = (50.0 * 0.000_016_666_7 + 500.0 * 0.2e-6) * 12.0;
    assert!((cost.last().unwrap().1.unwrap() - expected).abs() < 1e-12);
    let avg = samples(
        &rule(RuleMetric::DurationAvg, Op::Gt, 0.0, 5, 0),
        f,
        &inp,
        None,
    );
    assert_eq!(avg.last().unwrap().1, Some(100.0));
    let cold = samples(
        &rule(RuleMetric::ColdStartRate, Op::Gt, 0.2, 5, 0),
        f,
        &inp,
        None,
    );
    assert_eq!(cold, vec![(at(15), Some(0.3))]);
    let mem = samples(
        &rule(RuleMetric::MemoryUsedRatio, Op::Gt, 0.2, 5, 0),
        f,
        &inp,
        None,
    );
    assert_eq!(mem, vec![(at(15), Some(0.5))]);
    // Not fed twice.
    assert!(
        samples(
            &rule(RuleMetric::ColdStartRate, Op::Gt, 0.2, 5, 0),
            f,
            &inp,
            Some(at(15))
        )
        .is_empty()
    );
    let idle = samples(
        &rule(RuleMetric::ColdStartRate, Op::Gt, 0.2, 5, 0),
        &fleet()[1],
        &inp,
        None,
    );
    assert_eq!(idle, vec![(at(15), None)]);
}

#[test]
fn p99_rules_use_their_own_period_series() {
    let (mut series, range) = inputs(15, |_| 0.0);
    let key = MetricKey::function(&"api".into(), MetricKind::Duration, Stat::P99).at_period(300);
    series.insert(
        key,
        Series::from_points(
            range,
            300,
            [(at(0), 2000.0), (at(5), 9000.0), (at(10), 4000.0)],
        ),
    );
    let reports = HashMap::new();
    let prices = Prices::default();
    let inp = Inputs {
        series: &series,
        range,
        at: at(15),
        prices: &prices,
        reports: &reports,
    };
    let r = rule(RuleMetric::TimeoutRatio, Op::Gt, 0.8, 5, 0);
    let s = samples(&r, &fleet()[0], &inp, None);
    assert_eq!(
        s,
        vec![(at(5), Some(0.2)), (at(10), Some(0.9)), (at(15), Some(0.4))]
    );
    let mut engine = RuleEngine::new(&[r]);
    assert_eq!(
        engine.p99_needs(&fleet()),
        vec![("api".into(), 300), ("idle".into(), 300)]
    );
    engine.evaluate(&fleet(), &inp);
    let idle = engine
        .alarms()
        .into_iter()
        .find(|a| a.function.as_ref().map(|f| f.name.as_str()) == Some("idle"))
        .unwrap();
    assert_eq!(idle.state, NoData);
}

/// An incident that ended before lamtop started: the replay at start
/// records it in the history (into FIRING, out of FIRING) but tells no
/// one, since it is over.
#[test]
fn a_finished_episode_is_replayed_into_the_history_not_told() {
    // Errors in minutes 2..8 only: 1-minute error rate 0.5 there.
    let (series, range) = inputs(20, |m| if (2..8).contains(&m) { 50.0 } else { 0.0 });
    let reports = HashMap::new();
    let prices = Prices::default();
    let inp = Inputs {
        series: &series,
        range,
        at: at(20),
        prices: &prices,
        reports: &reports,
    };
    let mut engine = RuleEngine::new(&[rule(RuleMetric::ErrorRate, Op::Gt, 0.1, 1, 0)]);
    let told = engine.evaluate(&fleet(), &inp);
    assert!(told.is_empty(), "over before lamtop started: {told:?}");
    let kept: Vec<(AlarmState, AlarmState)> = engine
        .history
        .iter()
        .filter(|e| e.function.name == "api")
        .map(|e| (e.from, e.state))
        .collect();
    assert_eq!(
        kept,
        [(Fine, Firing), (Firing, Fine)],
        "{:?}",
        engine.history
    );
    let fired = engine.history.iter().find(|e| e.state == Firing).unwrap();
    assert_eq!(fired.at, at(3), "the first minute with errors, complete");
}

#[test]
fn every_signal_metric_reads_its_series_sum_peak_or_mean() {
    let (mut series, range) = inputs(15, |_| 0.0);
    let mk = |v: &dyn Fn(i64) -> Option<f64>| {
        Series::from_points(range, 60, (0..15).filter_map(|m| Some((at(m), v(m)?))))
    };
    // Minute m carries m (a peak grows; a count adds up over 5 minutes).
    for metric in RuleMetric::ALL {
        if let Some((kind, stat)) = metric.signal() {
            series.insert(
                MetricKey::function(&"api".into(), kind, stat),
                mk(&|m| Some(m as f64)),
            );
        }
    }
    let reports = HashMap::new();
    let prices = Prices::default();
    let inp = Inputs {
        series: &series,
        range,
        at: at(15),
        prices: &prices,
        reports: &reports,
    };
    let last = |metric: RuleMetric, f: &FunctionInfo| {
        samples(&rule(metric, Op::Gt, 0.0, 5, 0), f, &inp, None)
            .last()
            .and_then(|s| s.1)
    };
    let api = &fleet()[0];
    let signals: Vec<RuleMetric> = RuleMetric::ALL
        .into_iter()
        .filter(|m| m.signal().is_some())
        .collect();
    assert_eq!(signals.len(), 10);
    for m in signals {
        let (_, stat) = m.signal().unwrap();
        // The last 5-minute period is minutes 10..=14.
        let want = match stat {
            Stat::Sum => 10.0 + 11.0 + 12.0 + 13.0 + 14.0,
            // Invocations are 100 every minute: the plain mean.
            Stat::Average => 12.0,
            _ => 14.0,
        };
        assert_eq!(last(m, api), Some(want), "{}", m.name());
        // A function that does not publish it has no data.
        assert_eq!(last(m, &fleet()[1]), None, "{}", m.name());
    }
    assert_eq!(
        RuleMetric::parse("iterator_age"),
        Some(RuleMetric::IteratorAge)
    );
    assert_eq!(RuleMetric::Spillover.name(), "spillover");
}
