//! The incident report on the demo fleet at the dashboard tests' frozen
//! clock (14:25:30, inside payments-webhook's bad deploy): a golden file,
//! the focus read when no scan did, and the choice of function and traces.

use super::*;
use crate::source::demo::DemoSource;
use crate::tui::tests::errors::scanned;
use crate::tui::tests::{WINDOW, block_on, demo_store, now};

fn demo() -> Arc<DemoSource> {
    Arc::new(DemoSource::new(42).at(now()))
}

fn request(function: Option<&str>) -> Request {
    Request {
        function: function.map(String::from),
        now: now(),
        flags: vec!["--demo".into(), "--demo-seed=42".into()],
    }
}

fn compose_on(store: &mut Store, function: Option<&str>) -> Result<Incident, String> {
    let src = demo();
    let info = src.describe();
    block_on(compose(
        src,
        store,
        &info,
        WINDOW,
        &request(function),
        RateLimiter::new(1000.0),
    ))
}

#[test]
fn golden_report_of_the_demo_fleet_during_the_bad_deploy() {
    let mut store = scanned();
    let incident = compose_on(&mut store, None).unwrap();
    let focus = incident.focus.as_ref().unwrap();
    assert_eq!(focus.chosen, Chosen::Worst);
    // Its alarm fires and its deploy raised its errors: more telling than
    // feature-flags' larger count of everyday errors.
    assert_eq!(focus.function.name, "payments-webhook");
    let text = render(&incident);
    insta::assert_snapshot!("demo_incident", text);
    println!("report size: {} bytes", text.len());
}

#[test]
fn a_function_no_scan_read_is_read_for_the_report() {
    let (mut store, _) = demo_store();
    assert!(store.error_scan.range.is_none());
    let incident = compose_on(&mut store, Some("payments-webhook")).unwrap();
    let f = incident.focus.unwrap();
    assert_eq!(f.chosen, Chosen::Named);
    assert_eq!(f.function.name, "payments-webhook");
    assert!(!f.groups.is_empty(), "its groups");
    // The demo samples its lines: fewer failure lines than the cap.
    assert!((1..=crate::poll::errors::RECENT_FAILURES).contains(&f.recent.len()));
    let newest = f.groups.iter().map(|g| g.last_seen).max().unwrap();
    assert_eq!(
        f.recent.last().unwrap().timestamp,
        newest,
        "the newest ones"
    );
    assert!(
        f.recent
            .windows(2)
            .all(|w| w[0].timestamp <= w[1].timestamp),
        "oldest first"
    );
    assert!(f.before_after.is_some(), "deployed at 14:20, in the window");
    // The read is folded into the store: the dashboard's next report
    // does not read it again.
    assert!(
        store
            .error_scan
            .groups
            .coverage(&"payments-webhook".into())
            .is_some()
    );
}

#[test]
fn a_function_not_in_the_fleet_is_named_in_the_error() {
    let (mut store, _) = demo_store();
    let e = compose_on(&mut store, Some("no-such-fn")).unwrap_err();
    assert!(
        e.contains("function 'no-such-fn' is not in the fleet (30 functions"),
        "{e}"
    );
}

#[test]
fn failed_traces_first_then_the_slowest() {
    let s = |id: &str, d: f64, fault: bool| TraceSummary {
        id: id.into(),
        start: None,
        duration_s: Some(d),
        response_time_s: None,
        has_fault: fault,
        has_error: false,
        has_throttle: false,
        http_status: None,
        cold_start: None,
    };
    let picked = pick_traces(vec![
        s("a", 0.1, false),
        s("b", 9.0, false),
        s("c", 0.2, true),
        s("d", 3.0, false),
        s("e", 0.05, true),
    ]);
    let ids: Vec<&str> = picked.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["c", "e", "b"]);
}
