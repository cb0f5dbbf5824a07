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
        from: now(),
        capacity: 10,
        keep: Default::default(),
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

/// A log filter belongs to its function: `>` to the next function shows
/// that one unfiltered, `<` back shows the filter again, `c` clears it,
/// and the title names it first (visible at 80 columns).
#[test]
fn a_log_filter_stays_with_its_function() {
    let (store, _) = demo_store();
    let mut a = app(false, 80, 24);
    press(&mut a, &store, "\n");
    let first = a.on_screen().cloned().unwrap();
    press(&mut a, &store, "fERROR\n");
    assert_eq!(a.scope().log_filter.as_deref(), Some("ERROR"));
    let screen = draw(&a, &store).backend().to_string();
    assert!(
        screen.contains("Logs · filter 'ERROR' (c clears)"),
        "{screen}"
    );
    press(&mut a, &store, ">");
    assert_ne!(a.on_screen(), Some(&first));
    assert_eq!(a.scope().log_filter, None);
    press(&mut a, &store, "<");
    assert_eq!(a.on_screen(), Some(&first));
    assert_eq!(a.scope().log_filter.as_deref(), Some("ERROR"));
    press(&mut a, &store, "c");
    assert_eq!(a.scope().log_filter, None);
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.text == "log filter cleared")
    );
}

/// `:since` reaches the pane back from now; opening another function
/// starts that one at the default lookback; bad values are named.
#[test]
fn since_sets_how_far_back_the_pane_reads() {
    let (store, _) = demo_store();
    let mut a = app(false, 120, 30);
    press(&mut a, &store, ":since 1h\n");
    assert!(
        a.message.as_ref().is_some_and(|m| m.error),
        "no function open"
    );
    press(&mut a, &store, "\n:since 1h\n");
    let from = a.scope().log_from.unwrap();
    let back = Utc::now() - from;
    assert!((59..=60).contains(&back.num_minutes()), "{back:?}");
    press(&mut a, &store, ":since window\n");
    let back = Utc::now() - a.scope().log_from.unwrap();
    assert_eq!(
        back.num_minutes().div_euclid(10),
        6,
        "the 1h window: {back:?}"
    );
    press(&mut a, &store, ">");
    assert_eq!(a.scope().log_from, None);
    press(&mut a, &store, ":since forever\n");
    let m = a.message.clone().unwrap();
    assert!(m.error && m.text.contains("'forever'"), "{}", m.text);
}

/// Scrolling up from the oldest line asks for older events (by as much
/// again as the pane reaches), and the pane never shows one line over
/// empty rows: at the top it shows the first page, the cursor marked.
#[test]
fn scrolling_past_the_oldest_line_reads_further_back() {
    let (mut store, demo) = demo_store();
    let mut a = app(false, 150, 45);
    press(&mut a, &store, ":filter report-export\n\n");
    add_logs(&mut store, &demo, "report-export");
    // The pane reaches back at most 7 days from the wall clock, so the
    // buffer starts where a live one would: 15 minutes before now.
    let from = Utc::now() - chrono::Duration::minutes(15);
    store.logs.as_mut().unwrap().from = Some(from);
    a.logs.scroll(store.logs.as_ref(), -1_000_000);
    assert_eq!(
        a.log_from, None,
        "scrolling within the buffer reads nothing"
    );
    press(&mut a, &store, "k");
    let to = a.log_from.expect("scrolling up from the top reaches back");
    let reach = from - to;
    assert!(reach >= chrono::Duration::minutes(15), "{reach:?}");
    // Drawn at the top: a full page, not one line over blank rows.
    let screen = draw(&a, &store).backend().to_string();
    let pane: Vec<&str> = screen.lines().filter(|l| l.contains("│▌")).collect();
    assert!(pane.len() > 10, "{screen}");
}

/// The traces pane at 80, 120 and 200 columns: whole columns go, no value
/// is ever cut — a trace id is whole or absent, a duration keeps its unit,
/// an HTTP status its digits.
#[test]
fn the_traces_pane_drops_columns_and_never_cuts_a_value() {
    let (mut store, demo) = demo_store();
    add_traces(&mut store, &demo, "orders-api");
    let id = regex::Regex::new(r"1-[0-9a-f]{1,8}(-[0-9a-f]*)?").unwrap();
    let cut_unit = regex::Regex::new(r"\b\d+(\.\d+)?m\b").unwrap();
    for (w, want_id) in [(80u16, None), (120, None), (200, Some(true))] {
        let mut a = app(false, w, 40);
        press(&mut a, &store, ":filter orders-api\n\n");
        let screen = draw(&a, &store).backend().to_string();
        let pane: Vec<&str> = screen
            .lines()
            .skip_while(|l| !l.contains("Traces"))
            .take(10)
            .collect();
        let text = pane.join("\n");
        let ids: Vec<&str> = id.find_iter(&text).map(|m| m.as_str()).collect();
        assert!(
            ids.iter().all(|i| i.len() == 35),
            "{w}: cut ids {ids:?}\n{text}"
        );
        if let Some(want) = want_id {
            assert_eq!(!ids.is_empty(), want, "{w}:\n{text}");
        }
        assert!(!cut_unit.is_match(&text), "{w}: a cut unit\n{text}");
        assert!(
            text.contains("DURATION") && text.contains("STATUS"),
            "{w}:\n{text}"
        );
    }
}

/// At 80 columns the function's figures wrap whole, never cut: the error
/// count and rate and p99/timeout are all there.
#[test]
fn the_function_view_at_80_columns_keeps_every_key_figure_whole() {
    let (store, _) = demo_store();
    let mut a = app(false, 80, 24);
    press(&mut a, &store, "\n");
    let screen = draw(&a, &store).backend().to_string();
    let errors = regex::Regex::new(r"errors [0-9.k]+ \([0-9.]+%\)").unwrap();
    assert!(errors.is_match(&screen), "{screen}");
    let p99 = regex::Regex::new(r"p99/timeout [0-9.]+%").unwrap();
    assert!(p99.is_match(&screen), "{screen}");
}

/// The prompts edit like a shell's: Ctrl-A/Ctrl-E/arrows move the cursor,
/// typing inserts there, Ctrl-W deletes a word, Ctrl-U the start; Tab
/// cycles the candidates when completion cannot decide; a bad regex says
/// why it is searched as typed.
#[test]
fn prompts_edit_complete_and_explain() {
    let (store, _) = demo_store();
    let mut a = app(false, 120, 30);
    let ctrl = |a: &mut App, c: char| {
        a.on_key(
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
            &store,
        );
    };
    let key = |a: &mut App, k: KeyCode| {
        a.on_key(KeyEvent::new(k, KeyModifiers::NONE), &store);
    };
    let text = |a: &mut App| a.input.as_mut().map(|i| i.text_mut().clone()).unwrap();
    press(&mut a, &store, ":window 3h");
    ctrl(&mut a, 'w');
    assert_eq!(text(&mut a), "window ");
    press(&mut a, &store, "1h");
    ctrl(&mut a, 'a');
    press(&mut a, &store, "x");
    assert_eq!(text(&mut a), "xwindow 1h");
    key(&mut a, KeyCode::Backspace);
    assert_eq!(text(&mut a), "window 1h", "the x before the cursor goes");
    key(&mut a, KeyCode::Backspace);
    assert_eq!(text(&mut a), "window 1h", "nothing before the cursor");
    key(&mut a, KeyCode::Right);
    press(&mut a, &store, "W");
    assert_eq!(text(&mut a), "wWindow 1h");
    key(&mut a, KeyCode::Backspace);
    assert_eq!(text(&mut a), "window 1h");
    ctrl(&mut a, 'e');
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Left);
    ctrl(&mut a, 'u');
    assert_eq!(text(&mut a), "1h");
    let screen = draw(&a, &store).backend().to_string();
    assert!(
        screen.contains(":▏1h"),
        "the cursor is drawn where it is: {screen}"
    );
    press(&mut a, &store, "\u{1b}");
    // Tab: `s` names sort and since; the footer lists them, Tab cycles.
    press(&mut a, &store, ":s\t");
    assert_eq!(text(&mut a), "s");
    let screen = draw(&a, &store).backend().to_string();
    assert!(screen.contains("Tab: sort · since"), "{screen}");
    press(&mut a, &store, "\t");
    assert_eq!(text(&mut a), "sort");
    press(&mut a, &store, "\t");
    assert_eq!(text(&mut a), "since");
    press(&mut a, &store, "\u{1b}");
    // A bad regex in the log search: said why, searched as typed.
    press(&mut a, &store, "\n/(oops\n");
    let m = a.message.clone().unwrap();
    assert!(
        m.error && m.text.contains("'(oops' is not a valid regex"),
        "{}",
        m.text
    );
    assert!(m.text.contains("unclosed group"), "{}", m.text);
}

/// The fleet, the function view (logs and traces pane) and help at the
/// three sizes on-call terminals have: 80x24, 120x40, 200x50.
#[test]
fn screens_at_80x24_120x40_and_200x50() {
    let (mut store, demo) = demo_store();
    add_logs(&mut store, &demo, "orders-api");
    add_traces(&mut store, &demo, "orders-api");
    for (w, h) in [(80u16, 24u16), (120, 40), (200, 50)] {
        let mut a = app(false, w, h);
        insta::assert_snapshot!(format!("fleet_{w}x{h}"), draw(&a, &store).backend());
        press(&mut a, &store, ":filter orders-api\n\n");
        insta::assert_snapshot!(format!("function_{w}x{h}"), draw(&a, &store).backend());
        press(&mut a, &store, "?");
        insta::assert_snapshot!(format!("help_{w}x{h}"), draw(&a, &store).backend());
    }
}

/// Adds the trace summaries of `name`'s last quarter hour, as the traces
/// poller would.
fn add_traces(store: &mut Store, demo: &DemoSource, name: &str) {
    use crate::model::traces::TraceQuery;
    use crate::source::Traces;
    let page = block_on(demo.trace_summaries(&TraceQuery {
        start: now() - chrono::Duration::minutes(15),
        end: now(),
        function: name.into(),
        next_token: None,
        server_filter: true,
    }))
    .unwrap();
    assert!(!page.summaries.is_empty());
    store.apply(Update::Traces {
        at: now(),
        result: Ok(crate::model::traces::TraceList {
            function: name.into(),
            summaries: page.summaries,
            client_filtered: false,
        }),
    });
}

/// Tab gives the keys to the alarms pane: the firing alarm on top, Enter
/// opens its function and says why it fires; Tab gives the keys back.
#[test]
fn the_alarms_pane_opens_the_function_of_an_alarm() {
    let (store, _) = demo_store();
    let mut a = app(false, 200, 50);
    press(&mut a, &store, "\t");
    assert!(a.alarms_focus);
    let screen = draw(&a, &store).backend().to_string();
    assert!(screen.contains("[focus]"), "{screen}");
    let (first, _) = super::super::rows::alarm_rows(&store)[0];
    assert!(first.state.is_firing(), "firing first: {first:?}");
    let f = first
        .function
        .clone()
        .expect("the demo's firing alarm names a function");
    press(&mut a, &store, "\n");
    assert_eq!(a.screen, Screen::Function(f));
    let m = a.message.clone().unwrap();
    assert!(m.text.contains(&first.name), "{}", m.text);
    assert!(
        !first.reason.is_empty() && m.text.contains(&first.reason),
        "{}",
        m.text
    );
    // Back in the fleet, Tab from the alarms pane returns the keys.
    press(&mut a, &store, "\u{1b}\t\t");
    assert!(!a.alarms_focus);
}

/// At 60x16 the log pane still has rows to show (the charts make room).
#[test]
fn a_short_terminal_keeps_rows_for_the_logs() {
    let (mut store, demo) = demo_store();
    add_logs(&mut store, &demo, "orders-api");
    let mut a = app(false, 60, 16);
    press(&mut a, &store, ":filter orders-api\n\n");
    let screen = draw(&a, &store).backend().to_string();
    let rows = screen.lines().filter(|l| l.contains("│▌")).count();
    assert!(rows >= 4, "{rows} log rows:\n{screen}");
    assert!(screen.contains("┌ Logs"), "{screen}");
}

#[test]
fn a_row_read_in_turns_is_dimmed_until_it_is_read_again() {
    let (mut store, _) = demo_store();
    let names: Vec<_> = store.functions().iter().map(|f| f.id.clone()).collect();
    let (fresh, old) = (names[0].clone(), names[1].clone());
    // A tiered refresh that read only `fresh` (its series as they were).
    let m = store.metrics.value.clone().unwrap();
    let series: Vec<_> = m
        .series
        .iter()
        .filter(|(k, _)| k.function.as_ref() == Some(&fresh))
        .map(|(k, s)| (k.clone(), s.clone()))
        .collect();
    store.apply(Update::Metrics {
        at: now(),
        range: m.range.unwrap(),
        result: Ok(crate::message::MetricsFetch {
            series,
            failed: vec![],
            calls: 1,
            requested: 0,
        }),
        plan: Some(crate::model::budget::RefreshPlan {
            full: vec![fresh.clone()],
            idle_round: 3,
            idle: 29,
            budget_per_hour: Some(0.5),
            ..Default::default()
        }),
    });
    let a = app(false, 200, 45);
    let t = draw(&a, &store);
    let buf = t.backend().buffer();
    let row_of = |name: &str| {
        (0..buf.area.height)
            .find(|&y| {
                let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
                line.find(&format!(" {name} ")).is_some_and(|x| x < 16)
            })
            .unwrap()
    };
    let dimmed = |name: &str| {
        let y = row_of(name);
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let x = line[..line.find(name).unwrap()].chars().count() as u16;
        buf[(x, y)].modifier.contains(Modifier::DIM)
    };
    assert!(dimmed(&old.name), "read in an earlier refresh: dimmed");
    assert!(!dimmed(&fresh.name), "read now: not dimmed");
    let text = t.backend().to_string();
    assert!(
        text.contains("29 idle functions every 3m to stay under $0.50/h"),
        "{text}"
    );
    assert!(text.contains("(in turns)"), "{text}");
}
