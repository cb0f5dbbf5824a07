//! The errors screen on the demo fleet at a frozen clock (14:25:30, inside
//! the :20–:30 bad deploy of payments-webhook): the scan read as the
//! dashboard runs it, the groups at two sizes, and the flow `E` → `j` →
//! Enter into the group's function.

use super::*;
use crate::poll::errors::{ScanLimits, run_error_scan, targets_of};
use crate::poll::logs::RateLimiter;
use std::sync::Arc;

/// The demo store with the error scan folded in.
pub(crate) fn scanned() -> Store {
    let (mut store, demo) = demo_store();
    let targets = targets_of(store.functions_with_summaries());
    let range = TimeRange::ending_at(now(), WINDOW);
    let updates = block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel(256);
        let (_cancel, cancel_rx) = tokio::sync::watch::channel(false);
        let limiter = RateLimiter::new(1000.0);
        let run = run_error_scan(
            Arc::new(demo),
            targets,
            range,
            ScanLimits::default(),
            limiter,
            tx,
            cancel_rx,
        );
        let collect = async {
            let mut out = Vec::new();
            while let Some(u) = rx.recv().await {
                out.push(u);
            }
            out
        };
        let ((), out) = tokio::join!(run, collect);
        out
    });
    for u in updates {
        store.apply(u);
    }
    store
}

#[test]
fn the_bad_deploy_shows_as_a_new_group_with_its_frame() {
    let store = scanned();
    let rows = crate::tui::errors::error_rows(&store, crate::tui::errors::ErrorSort::New);
    let (g, new) = rows[0];
    assert!(new, "the KeyError started with the deploy at 14:20");
    assert_eq!(g.fingerprint.title, "KeyError: '<str>'");
    assert_eq!(g.fingerprint.frame.as_deref(), Some("price (pricing.py)"));
    assert_eq!(
        g.functions
            .keys()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["payments-webhook"]
    );
    assert!(g.first_seen() >= now() - chrono::Duration::minutes(6));
}

#[test]
fn errors_screen_at_120x40_and_80x24() {
    let store = scanned();
    for (w, h) in [(120, 40), (80, 24)] {
        let mut a = app(false, w, h);
        assert_eq!(
            press(&mut a, &store, "E"),
            Effect::ErrorScan { force: false }
        );
        let t = draw(&a, &store);
        insta::assert_snapshot!(format!("errors_{w}x{h}"), t.backend());
    }
}

#[test]
fn enter_opens_the_groups_function_with_its_failures() {
    let store = scanned();
    let mut a = app(false, 120, 40);
    press(&mut a, &store, "E");
    let rows = crate::tui::errors::error_rows(&store, a.errors.sort);
    let second = rows[1].0;
    press(&mut a, &store, "j");
    assert_eq!(
        a.errors.selected.as_deref(),
        Some(second.fingerprint.id.as_str())
    );
    press(&mut a, &store, "\n");
    let top = second
        .functions
        .iter()
        .max_by_key(|(_, n)| n.count)
        .map(|(f, _)| f.clone())
        .unwrap();
    assert_eq!(a.screen, Screen::Function(top));
    assert!(a.logs.errors_only, "the window's failures, from the server");
    assert!(a.logs.search.is_some());
    assert!(a.scope().log_errors);
    press(&mut a, &store, "\u{1b}");
    assert_eq!(a.screen, Screen::Fleet);
    assert_eq!(
        press(&mut a, &store, "E"),
        Effect::ErrorScan { force: false }
    );
    assert_eq!(
        press(&mut a, &store, "r"),
        Effect::ErrorScan { force: true }
    );
}

/// The function view lists the open function's groups above its traces:
/// payments-webhook's bad deploy (new) and its everyday failures.
#[test]
fn the_function_view_lists_its_error_groups() {
    let store = scanned();
    let mut a = app(false, 140, 45);
    let name: crate::model::id::FunctionId = "payments-webhook".into();
    a.selected = Some(name.clone());
    a.show_function(name);
    let t = draw(&a, &store);
    let text: String = format!("{:?}", t.backend());
    assert!(text.contains("Errors · 3 groups here"), "{text}");
    assert!(text.contains("new"), "{text}");
    insta::assert_snapshot!("function_errors_box", t.backend());
}
