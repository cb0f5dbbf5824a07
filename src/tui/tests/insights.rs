//! Rules, alarm history and fleet insights on the dashboard.

use super::*;
use crate::model::alarms::{AlarmRule, Op, RuleMetric, Severity};
use crate::poll::insights::{RunLimits, run_fleet_query};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

fn rule(name: &str, metric: RuleMetric, threshold: f64, for_m: u64) -> AlarmRule {
    AlarmRule {
        name: name.into(),
        functions: "*".into(),
        metric,
        op: Op::Gt,
        threshold,
        period: Duration::from_secs(300),
        hold_for: Duration::from_secs(for_m * 60),
        severity: Severity::Critical,
    }
}

#[test]
fn rules_share_the_alarms_pane_and_the_header_counter() {
    let (mut store, _) = demo_store_with(&[
        rule("error-rate", RuleMetric::ErrorRate, 0.03, 2),
        rule("cold", RuleMetric::ColdStartRate, 0.5, 0),
    ]);
    let firing: Vec<_> = store
        .all_alarms()
        .filter(|a| a.state == crate::model::alarms::AlarmState::Firing)
        .filter_map(|a| a.function.clone())
        .collect();
    assert!(!firing.is_empty(), "the demo has error-prone functions");
    // The replay at start reports each rule that ends FIRING once; a
    // CloudWatch alarm already in ALARM goes to the history only.
    let events = store.take_alarm_events();
    let rules = events
        .iter()
        .filter(|e| e.source == crate::model::alarms::AlarmSource::Rule)
        .count();
    assert_eq!(rules, firing.len());
    let mut a = app(false, 170, 45);
    let screen = draw(&a, &store).backend().to_string();
    let cw_firing = store
        .alarms
        .value
        .as_ref()
        .unwrap()
        .iter()
        .filter(|a| a.state.is_firing())
        .count();
    assert!(
        screen.contains(&format!("✖ {} FIRING", cw_firing + firing.len())),
        "{screen}"
    );
    assert!(
        screen.contains("FIRING  error-rate [rule crit]"),
        "{screen}"
    );
    assert!(screen.contains("NODATA  cold [rule crit]"), "{screen}");
    assert_eq!(events.len(), rules, "{events:?}");
    assert!(cw_firing > 0);
    insta::assert_snapshot!("rules_in_alarms_pane", screen);
    press(&mut a, &store, "a");
    let history = draw(&a, &store).backend().to_string();
    // The history holds the replayed window too: the episodes still
    // firing and those that ended before lamtop started.
    let kept = store.rules.history.len();
    assert!(kept >= firing.len(), "{kept}");
    assert!(
        history.contains(&format!("Alarm history {kept}")),
        "{history}"
    );
    insta::assert_snapshot!("alarm_history", history);
}

#[test]
fn fleet_insights_fill_cold_start_and_memory_columns() {
    let (mut store, demo) = demo_store();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let groups: Vec<_> = store
        .functions()
        .iter()
        .map(crate::model::function::FunctionInfo::log_group_id)
        .collect();
    let (tx, mut rx) = mpsc::channel(256);
    let (_cancel, cancel_rx) = watch::channel(false);
    rt.block_on(run_fleet_query(
        Arc::new(demo),
        groups,
        TimeRange::ending_at(now(), WINDOW),
        RunLimits::default(),
        tx,
        cancel_rx,
    ));
    let mut updates = 0;
    while let Ok(u) = rx.try_recv() {
        store.apply(u);
        updates += 1;
    }
    assert!(updates >= 2);
    let run = store.insights_run.clone().unwrap();
    assert!(!run.running && run.errors.is_empty(), "{run:?}");
    assert_eq!(run.functions_covered, store.functions().len());
    let mut a = app(false, 170, 45);
    press(&mut a, &store, "c");
    let screen = draw(&a, &store).backend().to_string();
    assert!(
        screen.contains("COLD%") && screen.contains("MEM%") && screen.contains("$/H"),
        "{screen}"
    );
    assert!(screen.contains("Insights: 30 functions"), "{screen}");
    insta::assert_snapshot!("fleet_insight_columns", screen);
    // The function view shows the REPORT statistics.
    let name = store.functions()[0].id.clone();
    a.selected = Some(name.clone());
    a.screen = Screen::Function(name);
    let f = draw(&a, &store).backend().to_string();
    assert!(f.contains("init p50"), "{f}");
}

#[test]
fn several_regions_get_a_region_column_and_a_status_each() {
    use crate::model::id::Place;
    use crate::source::multi::MultiSource;
    let m = MultiSource::new(vec![
        (Place::region("us-east-1"), DemoSource::new(42).at(now())),
        (Place::region("eu-west-1"), DemoSource::new(43).at(now())),
    ]);
    let store = fill_places(&m);
    let a = app(false, 170, 45);
    let screen = draw(&a, &store).backend().to_string();
    assert!(screen.contains("REGION"), "{screen}");
    assert!(screen.contains("Functions 60/60"), "{screen}");
    assert!(screen.contains("us-east-1 ✓ eu-west-1 ✓"), "{screen}");
    insta::assert_snapshot!("two_regions", screen);
}

#[test]
fn several_profiles_get_an_account_column_and_each_accounts_numbers() {
    use crate::model::id::Place;
    use crate::source::multi::MultiSource;
    let m = MultiSource::with_broken(
        vec![
            (
                Place::of("prod", "us-east-1"),
                DemoSource::new(42).at(now()).in_account("111111111111"),
            ),
            (
                Place::of("staging", "us-east-1"),
                DemoSource::new(43).at(now()).in_account("222222222222"),
            ),
        ],
        vec![(
            Place::of("expired", "us-east-1"),
            "the AWS session has expired: run 'aws sso login'".into(),
        )],
    );
    block_on(async {
        let _ = m.account_id().await;
        let _ = m.account_limits().await;
    });
    let store = fill_places(&m);
    let a = app(false, 170, 45);
    let screen = draw(&a, &store).backend().to_string();
    assert!(screen.contains("ACCOUNT"), "{screen}");
    assert!(
        screen.contains("111111111111") && screen.contains("222222222222"),
        "{screen}"
    );
    assert!(
        screen.contains("prod/us-east-1 ✓ staging/us-east-1 ✓ expired/us-east-1 ⚠"),
        "{screen}"
    );
    assert!(screen.contains("'aws sso login --profile"), "{screen}");
    insta::assert_snapshot!("two_profiles", screen);
}

/// A store filled from a multi-place source, with each place's status.
fn fill_places<S: Source>(m: &crate::source::multi::MultiSource<S>) -> Store {
    let mut store = Store::default();
    fill(m, &mut store);
    store.apply(Update::ApiUsage {
        at: now() - chrono::Duration::seconds(12),
        total_calls: m.api_calls(),
        throttled_calls: 0,
        regions: m.region_statuses(),
    });
    store
}
