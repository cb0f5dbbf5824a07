//! One snapshot per pane, each drawn alone into an area of its own, so a
//! change to one pane (a header, a column) rewrites that pane's snapshot
//! only; the whole-screen flows live in the parent module.

use super::*;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Draws one pane into a `w`×`h` test terminal and returns the text.
fn pane(w: u16, h: u16, draw: impl FnOnce(&mut Frame, Rect)) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        let area = f.area();
        draw(f, area)
    })
    .unwrap();
    t.backend().to_string()
}

#[test]
fn header_pane() {
    let (store, _) = demo_store();
    let a = app(false, 120, 40);
    let out = pane(120, 1, |f, r| view::header::render(f, r, &a, &store, now()));
    insta::assert_snapshot!(out);
}

#[test]
fn fleet_table_pane_narrow_and_with_insight_columns() {
    let (store, _) = demo_store();
    let mut a = app(false, 90, 14);
    let narrow = pane(90, 14, |f, r| view::fleet::render(f, r, &a, &store, now()));
    insta::assert_snapshot!("fleet_table_narrow", narrow);
    a.columns = crate::tui::app::ColumnSet::Insights;
    a.on_resize(150, 14);
    let wide = pane(150, 14, |f, r| view::fleet::render(f, r, &a, &store, now()));
    assert!(wide.contains("$/H") && !wide.contains("TREND"), "{wide}");
    insta::assert_snapshot!("fleet_table_insights", wide);
}

#[test]
fn alarms_pane() {
    let (store, _) = demo_store();
    let a = app(false, 80, 10);
    let out = pane(80, 10, |f, r| view::alarms::render(f, r, &a, &store, now()));
    insta::assert_snapshot!(out);
}

#[test]
fn account_pane() {
    let (store, _) = demo_store();
    let a = app(false, 60, 8);
    let out = pane(60, 8, |f, r| view::account::render(f, r, &a, &store, now()));
    insta::assert_snapshot!(out);
}

#[test]
fn footer_pane_in_each_context() {
    let (store, _) = demo_store();
    let mut a = app(false, 120, 40);
    let fleet = pane(120, 1, |f, r| view::footer::render(f, r, &a));
    press(&mut a, &store, "\n");
    let function = pane(120, 1, |f, r| view::footer::render(f, r, &a));
    insta::assert_snapshot!(format!("{fleet}\n{function}"));
}

#[test]
fn log_pane_alone() {
    let (mut store, demo) = demo_store();
    add_logs(&mut store, &demo, "orders-api");
    let mut a = app(false, 100, 12);
    press(&mut a, &store, ":filter orders-api\n\n");
    let out = pane(100, 12, |f, r| {
        view::logs::render(f, r, &a, &store, &"orders-api".into(), now())
    });
    insta::assert_snapshot!(out);
}

#[test]
fn placeholders_of_empty_panes() {
    let store = Store::default();
    let a = app(false, 60, 5);
    let fleet = pane(60, 5, |f, r| view::fleet::render(f, r, &a, &store, now()));
    let logs = pane(60, 5, |f, r| {
        view::logs::render(f, r, &a, &store, &"x".into(), now())
    });
    let traces = pane(60, 5, |f, r| view::traces::render(f, r, &a, &store, now()));
    let trace = pane(60, 5, |f, r| {
        view::trace::render(f, r, &a, &store, "1-x", now())
    });
    assert!(fleet.contains("loading functions…"), "{fleet}");
    assert!(logs.contains("starting the log tail…"), "{logs}");
    assert!(trace.contains("loading the trace…"), "{trace}");
    insta::assert_snapshot!(format!("{fleet}\n{logs}\n{traces}\n{trace}"));
}
