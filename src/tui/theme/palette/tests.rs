use super::*;
use std::path::PathBuf;

fn color(name: &str, values: &[&str], line: usize) -> ColorSetting {
    ColorSetting {
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
        file: PathBuf::from("lamtop.toml"),
        line,
    }
}

fn choice(base: Option<&str>, colors: Vec<ColorSetting>) -> ThemeChoice {
    ThemeChoice {
        base: base.map(str::to_string),
        base_at: base.map(|_| (PathBuf::from("lamtop.toml"), 2)),
        colors,
    }
}

#[test]
fn no_choice_is_todays_dark_and_each_builtin_is_found_by_name() {
    assert_eq!(Palette::chosen(&ThemeChoice::default()), Ok(DARK));
    for (name, p) in THEMES {
        assert_eq!(
            Palette::chosen(&choice(Some(name), vec![])),
            Ok(p),
            "{name}"
        );
    }
    // The three differ where it matters most on screen.
    assert_ne!(DARK.selection, LIGHT.selection);
    assert_ne!(DARK.bar, HIGH.bar);
    assert_ne!(LIGHT.alarm, HIGH.alarm);
}

#[test]
fn single_colours_go_over_the_base_in_every_form_the_config_writes() {
    let p = Palette::chosen(&choice(
        Some("light"),
        vec![
            color("alarm", &["magenta"], 3),
            color("selection", &["#202030"], 4),
            color("stale", &["244"], 5),
            color("warning", &["light-yellow"], 6),
            color("series", &["red", "Bright Green"], 7),
        ],
    ))
    .expect("valid");
    assert_eq!(p.alarm, Color::Magenta);
    assert_eq!(p.selection, Color::Rgb(0x20, 0x20, 0x30));
    assert_eq!(p.stale, Color::Indexed(244));
    assert_eq!(p.warning, Color::LightYellow);
    assert_eq!(
        p.series[..3],
        [Color::Red, Color::LightGreen, LIGHT.series[2]]
    );
    assert_eq!(p.title, LIGHT.title, "untouched colours stay the base's");
}

#[test]
fn bad_names_and_colours_name_the_line_and_the_fix() {
    let cases: &[(ThemeChoice, &str)] = &[
        (
            choice(Some("ligth"), vec![]),
            "lamtop.toml:2: theme: unknown theme 'ligth' — did you mean 'light'? (themes: dark, light, high-contrast)",
        ),
        (
            ThemeChoice {
                base: Some("solarized".into()),
                base_at: None,
                colors: vec![],
            },
            "--theme: unknown theme 'solarized' (themes: dark, light, high-contrast)",
        ),
        (
            choice(None, vec![color("alarms", &["red"], 4)]),
            "lamtop.toml:4: [theme]: unknown colour name 'alarms' — did you mean 'alarm'?",
        ),
        (
            choice(None, vec![color("ok", &["grean"], 5)]),
            "lamtop.toml:5: [theme] ok: 'grean' is not a colour",
        ),
        (
            choice(None, vec![color("ok", &["green", "red"], 6)]),
            "lamtop.toml:6: [theme] ok: give one colour",
        ),
        (
            choice(None, vec![color("series", &["red"; 6], 7)]),
            "lamtop.toml:7: [theme] series: give 1 to 5 colours",
        ),
    ];
    for (c, want) in cases {
        let e = Palette::chosen(c).expect_err(want);
        assert!(e.starts_with(want), "{e}\nwanted: {want}");
    }
}
