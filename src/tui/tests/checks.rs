//! Dashboard checks without snapshots: selection across re-sorts and mouse
//! clicks, cell styles and markers where colour and age carry meaning, the
//! log pane's JSON expansion and inert hostile lines, and the property that
//! no size and no key sequence panics. Separate from the parent, which keeps
//! the shared fixtures and the insta flows (their snapshot names hang on the
//! module path, so they stay put).

use super::*;
use crate::tui::layout;
use proptest::prelude::*;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::style::{Color, Modifier};

#[test]
fn selection_survives_resort_and_mouse_selects() {
    let (store, _) = demo_store();
    let mut a = app(false, 120, 40);
    press(&mut a, &store, "jjjj");
    let chosen = a.selected.clone().unwrap();
    press(&mut a, &store, "sS");
    assert_eq!(a.selected.as_ref(), Some(&chosen));
    let rows = layout::fleet(a.size).table_rows();
    let click = |row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    };
    a.on_mouse(click(rows.y), &store);
    let first = a.selected.clone().unwrap();
    assert_ne!(first, chosen);
    a.on_mouse(click(rows.y), &store);
    assert_eq!(a.screen, Screen::Function(first));
}

#[test]
fn firing_alarm_is_red_in_colour_and_reversed_without() {
    let (store, _) = demo_store();
    for color in [true, false] {
        let t = draw(&app(color, 170, 45), &store);
        let buf = t.backend().buffer();
        let text: String = (0..buf.area.width)
            .map(|x| buf[(x, 0)].symbol().to_string())
            .collect();
        let x = text
            .find("✖")
            .map(|i| text[..i].chars().count() as u16)
            .expect("alarm badge");
        let cell = &buf[(x, 0)];
        if color {
            assert_eq!(cell.bg, Color::Red);
        } else {
            assert_eq!(cell.bg, Color::Reset);
            assert!(cell.modifier.contains(Modifier::REVERSED));
        }
        assert!(text.contains("FIRING"), "state also in words");
    }
}

#[test]
fn stale_data_is_marked() {
    let (store, _) = demo_store();
    let a = app(false, 170, 45);
    let mut t = Terminal::new(TestBackend::new(170, 45)).unwrap();
    t.draw(|f| view::render(f, &a, &store, now() + chrono::Duration::minutes(5)))
        .unwrap();
    assert!(t.backend().to_string().contains("STALE 5m"));
}

#[test]
fn json_lines_expand_to_pretty_json() {
    let (mut store, demo) = demo_store();
    let mut a = app(false, 150, 45);
    press(&mut a, &store, ":filter orders-api\n\n");
    add_logs(&mut store, &demo, "orders-api");
    press(&mut a, &store, "skk");
    assert!(a.logs.expanded.is_none());
    press(&mut a, &store, "x");
    assert!(a.logs.expanded.is_some(), "{:?}", a.message);
    let screen = draw(&a, &store).backend().to_string();
    assert!(
        screen.contains("\"message\": \"handling request\""),
        "{screen}"
    );
    press(&mut a, &store, "x");
    assert!(a.logs.expanded.is_none());
}

#[test]
fn hostile_log_lines_are_inert_in_the_pane() {
    use crate::model::logs::LogEvent;
    use crate::poll::logs::LogUpdate;
    let (mut store, _) = demo_store();
    let mut a = app(false, 150, 45);
    press(&mut a, &store, "\n");
    let Screen::Function(name) = a.screen.clone() else {
        panic!()
    };
    store.apply(Update::LogsReset {
        function: name.clone(),
        log_group: "/g".into(),
        capacity: 10,
    });
    let evil = LogEvent {
        id: "1".into(),
        timestamp: now(),
        ingestion_time: None,
        stream: "s".into(),
        message: format!(
            "pwn \u{1b}[2J\u{1b}]0;title\u{7}\r {}",
            "y".repeat(1_000_000)
        ),
    };
    store.apply(Update::Logs {
        function: name,
        update: LogUpdate::Events {
            group: 0,
            events: vec![evil],
        },
    });
    let screen = draw(&a, &store).backend().to_string();
    assert!(
        // A lone CR separates lines (Node and Python do so in the text
        // format): shown as ⏎ on one line, never interpreted.
        screen.contains("pwn \\x1b[2J\\x1b]0;title\\x07⏎ yyy"),
        "{screen}"
    );
    assert!(!screen.contains('\u{1b}'));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn any_size_and_key_sequence_never_panics(
        w in 1u16..=300, h in 1u16..=100,
        keys in proptest::collection::vec(proptest::sample::select(vec![
            'j', 'k', 'g', 'G', 's', 'S', '/', ':', '?', '\n', '\u{1b}', '\t', 'x', '1', '6', 'r', '!', 'a', '[',
        ]), 0..40),
    ) {
        let (store, _) = demo_store();
        let mut a = app(true, w, h);
        for k in keys {
            press(&mut a, &store, &k.to_string());
            draw(&a, &store);
        }
    }
}
