use super::*;
use std::path::PathBuf;

fn over(action: &str, keys: &[&str], line: usize) -> KeyOverride {
    KeyOverride {
        action: action.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        file: PathBuf::from("lamtop.toml"),
        line,
    }
}

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn keys_parse_as_written_and_bad_ones_say_how_to_write_them() {
    let cases: &[(&str, KeyCode, KeyModifiers)] = &[
        ("o", KeyCode::Char('o'), KeyModifiers::NONE),
        ("G", KeyCode::Char('G'), KeyModifiers::NONE),
        ("ctrl-f", KeyCode::Char('f'), KeyModifiers::CONTROL),
        ("Ctrl+F", KeyCode::Char('f'), KeyModifiers::CONTROL),
        ("enter", KeyCode::Enter, KeyModifiers::NONE),
        ("PgDn", KeyCode::PageDown, KeyModifiers::NONE),
        ("space", KeyCode::Char(' '), KeyModifiers::NONE),
        ("f5", KeyCode::F(5), KeyModifiers::NONE),
        ("ctrl-home", KeyCode::Home, KeyModifiers::CONTROL),
    ];
    for (text, code, mods) in cases {
        assert_eq!(
            parse_key(text),
            Ok(Key {
                code: *code,
                mods: *mods
            }),
            "{text}"
        );
    }
    for bad in ["", "ctrl-", "hyper-x", "f13", "enterr"] {
        let e = parse_key(bad).expect_err(bad);
        assert!(e.contains(&format!("'{bad}' is not a key")), "{e}");
    }
}

#[test]
fn a_rebound_action_answers_its_new_key_only_in_every_pane_it_has() {
    let t = KeyTable::with_overrides(&[over("down", &["ctrl-n", "down"], 3)]).expect("valid");
    let ctrl_n = press(KeyCode::Char('n'), KeyModifiers::CONTROL);
    let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
    for (ctx, action) in [
        (Context::Fleet, Action::Fleet(FleetAction::Down)),
        (Context::Errors, Action::Errors(ErrorsAction::Down)),
        (Context::Traces, Action::Traces(TracesAction::Down)),
        (Context::Function, Action::Log(LogAction::Down)),
    ] {
        assert_eq!(t.lookup(&[ctx, Context::Global], &ctrl_n), Some(action));
        assert_eq!(t.lookup(&[ctx, Context::Global], &j), None, "{ctx:?}");
    }
    // Help and hints read the same table.
    assert!(
        t.in_context(Context::Fleet)
            .any(|b| b.action == Action::Fleet(FleetAction::Down) && label(&b.keys[0]) == "Ctrl-n")
    );
    let t = KeyTable::with_overrides(&[over("filter", &["F"], 1)]).expect("valid");
    assert!(t.hints(&[Context::Fleet]).contains(&("F".into(), "filter")));
    assert_eq!(t.key_of(Action::Fleet(FleetAction::Filter)), "F");
}

#[test]
fn bad_rebindings_name_the_file_line_and_what_to_do() {
    let cases: &[(&[KeyOverride], &str)] = &[
        (
            &[over("opne", &["o"], 7)],
            "lamtop.toml:7: [keys]: unknown action 'opne' — did you mean 'open'?",
        ),
        (
            &[over("open", &["hyper-o"], 4)],
            "lamtop.toml:4: [keys] open: 'hyper-o' is not a key",
        ),
        (
            &[over("open", &[], 2)],
            "lamtop.toml:2: [keys] open: no key given",
        ),
        // 'o' already sorts the fleet: two actions on one key.
        (
            &[over("open", &["o"], 5)],
            "lamtop.toml:5: [keys]: 'o' would be both 'open' and 'sort_pick' in the fleet view",
        ),
        (
            &[over("accept", &["y"], 9)],
            "lamtop.toml:9: [keys] accept: 'y' is a character you type",
        ),
    ];
    for (overrides, want) in cases {
        let e = KeyTable::with_overrides(overrides).expect_err(want);
        assert!(e.starts_with(want), "{e}\nwanted: {want}");
    }
    // Moving the clashing action away first makes the same line valid.
    let ok = KeyTable::with_overrides(&[over("sort_pick", &["O"], 4), over("open", &["o"], 5)])
        .expect("no clash left");
    assert_eq!(
        ok.lookup(
            &[Context::Fleet],
            &press(KeyCode::Char('o'), KeyModifiers::NONE)
        ),
        Some(Action::Fleet(FleetAction::Open))
    );
}

#[test]
fn every_binding_has_a_name_and_the_default_table_is_the_built_in_one() {
    let t = KeyTable::default();
    assert_eq!(t.bindings.len(), BINDINGS.len());
    let names = action_names();
    for b in BINDINGS {
        assert!(names.contains(&action_name(b.action)));
        // The built-in keys bind exactly as written.
        let k = b.keys[0];
        assert_eq!(
            t.lookup(&[b.context], &KeyEvent::new(k.code, k.mods)),
            Some(b.action),
            "{:?}",
            b.action
        );
    }
    assert_eq!(KeyTable::with_overrides(&[]), Ok(KeyTable::default()));
}

#[test]
fn innermost_context_wins_and_shift_is_ignored_for_chars() {
    let t = KeyTable::default();
    let down = press(KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(
        t.lookup(&[Context::Fleet, Context::Global], &down),
        Some(Action::Fleet(FleetAction::Down))
    );
    assert_eq!(t.lookup(&[Context::Global], &down), None);
    let big_g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(
        t.lookup(&[Context::Fleet], &big_g),
        Some(Action::Fleet(FleetAction::Bottom))
    );
    let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        t.lookup(&[Context::Global], &ctrl_c),
        Some(Action::Global(GlobalAction::Quit))
    );
    let esc = press(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(
        t.lookup(&[Context::Input], &esc),
        Some(Action::Input(InputAction::Cancel))
    );
}

#[test]
fn the_built_in_table_has_help_everywhere_and_no_key_twice_in_one_context() {
    for b in BINDINGS {
        assert!(!b.help.is_empty());
    }
    // The same check the config's rebindings go through.
    assert_eq!(KeyTable::default().check_clashes(&[]), Ok(()));
    assert!(
        KeyTable::default()
            .hints(&[Context::Fleet, Context::Global])
            .iter()
            .any(|(k, _)| k == "/")
    );
}

#[test]
fn the_readme_names_every_action() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    for name in action_names() {
        assert!(
            readme.contains(&format!("`{name}`")),
            "README misses `{name}`"
        );
    }
}
