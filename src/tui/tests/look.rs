//! Your keys and your colours: a rebound key works and shows in help and
//! the footer; every built-in theme paints the cells that carry meaning.

use super::*;
use crate::config::KeyOverride;
use crate::tui::keys::KeyTable;
use crate::tui::theme::{Palette, THEMES};
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn rebound(lines: &[(&str, &[&str])]) -> KeyTable {
    let overrides: Vec<KeyOverride> = lines
        .iter()
        .enumerate()
        .map(|(i, (action, keys))| KeyOverride {
            action: action.to_string(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            file: "config.toml".into(),
            line: i + 2,
        })
        .collect();
    KeyTable::with_overrides(&overrides).expect("valid rebinding")
}

#[test]
fn a_rebound_key_works_shows_in_help_and_the_footer_and_the_old_one_is_free() {
    let (store, _) = demo_store();
    let keys = rebound(&[("filter", &["F"]), ("help", &["f1"])]);
    let mut a = app(false, 140, 44).with_keys(keys);
    let footer = draw(&a, &store).backend().to_string();
    let last = footer.lines().last().unwrap_or_default().to_string();
    assert!(last.contains(" F filter"), "{last}");
    assert!(last.contains(" F1 help"), "{last}");
    assert!(!last.contains(" / filter"), "{last}");
    press(&mut a, &store, "/");
    assert!(a.input.is_none(), "'/' no longer filters");
    press(&mut a, &store, "F");
    assert!(a.input.is_some(), "'F' opens the filter");
    press(&mut a, &store, "\u{1b}");
    press(&mut a, &store, "?");
    assert!(!a.help, "'?' no longer opens help");
    a.on_key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE), &store);
    assert!(a.help, "F1 opens help");
    let help = draw(&a, &store).backend().to_string();
    let filter_line = help
        .lines()
        .find(|l| l.contains("filter (regex"))
        .unwrap_or_else(|| panic!("no filter line in help:\n{help}"));
    assert!(filter_line.contains("  F "), "{filter_line}");
    assert!(!filter_line.contains("  / "), "{filter_line}");
    assert!(help.contains("F1 closes"), "{help}");
    // Ctrl-C leaves whatever `quit` is bound to.
    let mut a = app(false, 140, 44).with_keys(rebound(&[("quit", &["Q"])]));
    assert_eq!(press(&mut a, &store, "q"), Effect::None);
    assert_eq!(press(&mut a, &store, "Q"), Effect::Quit);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(a.on_key(ctrl_c, &store), Effect::Quit);
}

fn cells(buf: &Buffer) -> impl Iterator<Item = &ratatui::buffer::Cell> {
    buf.content.iter()
}

fn x_of(buf: &Buffer, y: u16, symbol: &str) -> u16 {
    (0..buf.area.width)
        .find(|x| buf[(*x, y)].symbol() == symbol)
        .unwrap_or_else(|| panic!("no {symbol} on row {y}"))
}

#[test]
fn every_built_in_theme_paints_bar_badge_selection_alarms_titles_and_stale() {
    let (store, _) = demo_store();
    for (name, palette) in THEMES {
        let mut a = app(true, 170, 45);
        a.theme.palette = palette;
        let t = draw(&a, &store);
        let buf = t.backend().buffer();
        assert_eq!(buf[(0, 0)].bg, palette.bar, "{name}: top bar");
        assert_eq!(buf[(0, 0)].fg, palette.bar_text, "{name}: top bar text");
        let badge = &buf[(x_of(buf, 0, "✖"), 0)];
        assert_eq!(
            (badge.bg, badge.fg),
            (palette.badge, palette.badge_text),
            "{name}: alarm badge"
        );
        let has = |f: &dyn Fn(&ratatui::buffer::Cell) -> bool| cells(buf).any(f);
        assert!(has(&|c| c.bg == palette.selection), "{name}: selection");
        if let Some(fg) = palette.selection_text {
            assert!(
                has(&|c| c.bg == palette.selection && c.fg == fg),
                "{name}: selection text"
            );
        }
        assert!(has(&|c| c.fg == palette.alarm), "{name}: errors and alarms");
        assert!(has(&|c| c.fg == palette.title), "{name}: pane titles");
        assert!(has(&|c| c.fg == palette.key), "{name}: key hints");
        assert!(has(&|c| c.fg == palette.stale), "{name}: secondary text");
    }
    // Colour off wins over every theme: no cell has a colour.
    let mut a = app(false, 170, 45);
    a.theme.palette = THEMES[1].1;
    let t = draw(&a, &store);
    assert!(
        cells(t.backend().buffer()).all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR / --color never paints nothing"
    );
}

#[test]
fn the_example_configs_keys_and_theme_are_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let (_, _, file) = crate::config::load_file(&path).expect("example parses");
    let keys = KeyTable::with_overrides(&file.keys).expect("example [keys] valid");
    assert_eq!(
        keys.key_of(crate::tui::keymap::Action::Global(
            crate::tui::keymap::GlobalAction::Quit
        )),
        "q"
    );
    assert_eq!(Palette::chosen(&file.theme), Ok(THEMES[0].1));
}
