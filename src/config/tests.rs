//! Table-driven tests of config parsing, validation and precedence.

use super::*;
use clap::Parser;

fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn err_of(text: &str) -> String {
    let (_d, p) = write(text);
    load_file(&p).unwrap_err().0
}

/// A table of bad config files and the message each must produce; long
/// because the table is (one row per mistake), not because of logic.
#[test]
fn errors_name_file_line_key_and_value() {
    let cases: &[(&str, &[&str])] = &[
        (
            "window = \"1h\"\nrefersh = \"60s\"\n",
            &[":2:", "unknown key 'refersh'", "did you mean 'refresh'?"],
        ),
        (
            "window = \"5 parsecs\"\n",
            &[":1:", "key 'window'", "invalid duration '5 parsecs'"],
        ),
        (
            "region = \"x\"\nfunctions = \"api-*\"\n",
            &[":2:", "key 'functions'", "invalid type"],
        ),
        ("window = 5\n", &[":1:", "key 'window'", "invalid type"]),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"erors\"\nop = \">\"\nthreshold = 1\n",
            &[
                ":3:",
                "key 'metric'",
                "unknown metric 'erors'",
                "did you mean 'errors'?",
            ],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \"=>\"\nthreshold = 1\n",
            &[":4:", "key 'op'", "'=>'"],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = \"lots\"\n",
            &[":5:", "key 'threshold'"],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = 1\nfor = \"soon\"\n",
            &[":6:", "key 'for'", "'soon'"],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = 1\nseverity = \"meh\"\n",
            &[":6:", "key 'severity'", "'meh'"],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = 1\nfunctions = \"a[\"\n",
            &[":6:", "key 'functions'", "'a['"],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = 1\ntreshold = 2\n",
            &[
                ":6:",
                "unknown key 'treshold' in [[alarm]]",
                "did you mean 'threshold'?",
            ],
        ),
        (
            "[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = 1\n[[alarm]]\nname = \"a\"\nmetric = \"errors\"\nop = \">\"\nthreshold = 1\n",
            &[":7:", "duplicate alarm name 'a'"],
        ),
        ("window = [\n", &[":", "invalid TOML"]),
        ("zzzzzz = 1\n", &["unknown key 'zzzzzz'", "valid keys:"]),
        (
            "log_calls_per_second = 100\n",
            &[":1:", "key 'log_calls_per_second'", "'100'"],
        ),
        ("log_buffer = 5\n", &[":1:", "key 'log_buffer'", "'5'"]),
        (
            "api_budget_per_hour = -1\n",
            &[":1:", "key 'api_budget_per_hour'", "'-1'", "0 = no limit"],
        ),
        (
            "[prices]\nx86_gb_secnd = 1\n",
            &[
                ":2:",
                "unknown key 'x86_gb_secnd' in [prices]",
                "did you mean 'x86_gb_second'?",
            ],
        ),
        (
            "[prices]\narm64_gb_second = -1\n",
            &[":2:", "key 'arm64_gb_second'", "'-1'"],
        ),
        (
            "notify_command = []\n",
            &[":1:", "key 'notify_command'", "program and its arguments"],
        ),
        ("bell = \"loud\"\n", &[":1:", "key 'bell'", "invalid type"]),
    ];
    for (text, wants) in cases {
        let e = err_of(text);
        assert!(e.contains("config.toml"), "no file name in {e:?}");
        for w in *wants {
            assert!(e.contains(w), "{text:?}: expected {w:?} in {e:?}");
        }
    }
}

#[test]
fn example_config_parses_and_documents_every_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let (_, rules, file) = load_file(&path).unwrap();
    assert!(!rules.is_empty());
    assert_eq!(file.window, Some(Duration::from_secs(3600)));
    let text = std::fs::read_to_string(&path).unwrap();
    for key in TOP_KEYS
        .iter()
        .chain(ALARM_KEYS.iter())
        .chain(PRICE_KEYS.iter())
        .chain(AWS_KEYS.iter())
    {
        assert!(
            text.contains(&format!("{key} ="))
                || text.contains(&format!("[[{key}]]"))
                || text.contains(&format!("[{key}]")),
            "config.example.toml does not document '{key}'"
        );
    }
}

fn cli(args: &[&str]) -> Cli {
    let mut all = vec!["lamtop"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).unwrap()
}

#[test]
fn precedence_cli_over_file_over_default() {
    let (_d, p) = write(
        "window = \"3h\"\nrefresh = \"2m\"\nfunctions = [\"api-*\"]\nregion = \"eu-west-1\"\n",
    );
    let path = p.to_str().unwrap();
    let s = resolve(&cli(&["--config", path])).unwrap();
    assert_eq!(s.window, Duration::from_secs(3 * 3600));
    assert_eq!(s.refresh, Duration::from_secs(120));
    assert_eq!(s.functions, ["api-*"]);
    let s = resolve(&cli(&[
        "--config",
        path,
        "--window",
        "15m",
        "--functions",
        "web-*",
    ]))
    .unwrap();
    assert_eq!(s.window, Duration::from_secs(900));
    assert_eq!(s.functions, ["web-*"]);
    assert_eq!(s.refresh, Duration::from_secs(120));
    let (_d2, empty) = write("");
    let s = resolve(&cli(&["--config", empty.to_str().unwrap()])).unwrap();
    assert_eq!((s.window, s.refresh), (DEFAULT_WINDOW, DEFAULT_REFRESH));
}

#[test]
fn bad_cli_values_are_named() {
    let (_d, empty) = write("");
    let e = resolve(&cli(&[
        "--config",
        empty.to_str().unwrap(),
        "--window",
        "forever",
    ]))
    .unwrap_err();
    assert!(e.0.contains("--window") && e.0.contains("'forever'"), "{e}");
    let e = resolve(&cli(&[
        "--config",
        empty.to_str().unwrap(),
        "--refresh",
        "1s",
    ]))
    .unwrap_err();
    assert!(e.0.contains("too fast"), "{e}");
    let e = resolve(&cli(&["--config", "/nonexistent/lamtop.toml"])).unwrap_err();
    assert!(e.0.contains("'/nonexistent/lamtop.toml' not found"), "{e}");
    let e = resolve(&cli(&[
        "--config",
        empty.to_str().unwrap(),
        "--functions",
        "a[b",
    ]))
    .unwrap_err();
    assert!(e.0.contains("'a[b'"), "{e}");
}

#[test]
fn the_api_budget_defaults_to_half_a_dollar_and_zero_means_no_limit() {
    let (_d, empty) = write("");
    let empty = empty.to_str().unwrap();
    assert_eq!(
        resolve(&cli(&["--config", empty])).unwrap().api_budget,
        Some(0.5)
    );
    let (_d2, file) = write("api_budget_per_hour = 2\n");
    let file = file.to_str().unwrap();
    assert_eq!(
        resolve(&cli(&["--config", file])).unwrap().api_budget,
        Some(2.0)
    );
    let s = resolve(&cli(&["--config", file, "--api-budget", "$0.25"])).unwrap();
    assert_eq!(s.api_budget, Some(0.25));
    let s = resolve(&cli(&["--config", file, "--api-budget", "0"])).unwrap();
    assert_eq!(s.api_budget, None);
    for bad in ["lots", "-1", "1e9", "NaN"] {
        let flag = format!("--api-budget={bad}");
        let e = resolve(&cli(&["--config", empty, &flag])).unwrap_err();
        assert!(
            e.0.contains(&format!("--api-budget '{bad}'")) && e.0.contains("0 = no limit"),
            "{e}"
        );
    }
}

#[test]
fn suggestions_only_when_close() {
    assert_eq!(suggest("refersh", &TOP_KEYS), Some("refresh"));
    assert_eq!(suggest("regoin", &TOP_KEYS), Some("region"));
    assert_eq!(suggest("qqqqqqqq", &TOP_KEYS), None);
}

#[test]
fn prices_override_defaults_and_notify_needs_a_private_file() {
    let (_d, p) = write("[prices]\nx86_gb_second = 0.5\n");
    let (_, _, f) = load_file(&p).unwrap();
    assert_eq!(f.prices.x86_gb_second, 0.5);
    assert_eq!(f.prices.per_million_requests, 0.20);
    let (_d, p) = write("notify_command = [\"/bin/echo\", \"hi\"]\nbell = true\n");
    let (_, _, f) = load_file(&p).unwrap();
    assert_eq!(
        f.notify_command,
        Some(vec!["/bin/echo".to_string(), "hi".to_string()])
    );
    assert_eq!(f.bell, Some(true));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        let e = load_file(&p).unwrap_err().0;
        assert!(
            e.contains("other users can write") && e.contains("chmod o-w"),
            "{e}"
        );
    }
}

mod deadlines;

#[test]
fn keys_and_theme_are_read_in_file_order_with_their_lines() {
    let text = "theme = \"light\"\n\n[keys]\nopen = \"o\"\ndown = [\"ctrl-n\", \"down\"]\n";
    let (_d, p) = write(text);
    let (_, _, f) = load_file(&p).unwrap();
    let got: Vec<(&str, Vec<&str>, usize)> = f
        .keys
        .iter()
        .map(|o| {
            let keys = o.keys.iter().map(String::as_str).collect();
            (o.action.as_str(), keys, o.line)
        })
        .collect();
    assert_eq!(
        got,
        [("open", vec!["o"], 4), ("down", vec!["ctrl-n", "down"], 5)]
    );
    assert!(f.keys.iter().all(|o| o.file == p));
    assert_eq!(f.theme.base.as_deref(), Some("light"));
    assert_eq!(f.theme.base_at, Some((p.clone(), 1)));

    let text =
        "[theme]\nbase = \"high-contrast\"\nalarm = \"magenta\"\nseries = [\"red\", \"cyan\"]\n";
    let (_d, p) = write(text);
    let (_, _, f) = load_file(&p).unwrap();
    assert_eq!(f.theme.base.as_deref(), Some("high-contrast"));
    let colors: Vec<(&str, usize, usize)> = f
        .theme
        .colors
        .iter()
        .map(|c| (c.name.as_str(), c.values.len(), c.line))
        .collect();
    assert_eq!(colors, [("alarm", 1, 3), ("series", 2, 4)]);
    // --theme names the base; the file's single colours stay.
    let s = resolve(&cli(&["--config", p.to_str().unwrap(), "--theme", "dark"])).unwrap();
    assert_eq!(s.theme.base.as_deref(), Some("dark"));
    assert_eq!((s.theme.base_at, s.theme.colors.len()), (None, 2));
}

#[test]
fn keys_and_theme_of_the_wrong_shape_name_the_line() {
    let cases: &[(&str, &str)] = &[
        (
            "[keys]\nopen = 3\n",
            ":2: [keys] open: expected a string such as \"ctrl-f\" or a list of them, found integer",
        ),
        (
            "[keys]\nopen = [\"o\", true]\n",
            ":2: [keys] open: expected a string",
        ),
        (
            "theme = 7\n",
            ":1: key 'theme': expected a theme name such as \"light\" or a [theme] table",
        ),
        (
            "[theme]\nalarm = 1\n",
            ":2: [theme] alarm: expected a string such as \"red\"",
        ),
        (
            "themes = \"light\"\n",
            "unknown key 'themes' in the top level — did you mean 'theme'?",
        ),
    ];
    for (text, want) in cases {
        let e = err_of(text);
        assert!(e.contains(want), "{text:?}: expected {want:?} in {e:?}");
    }
}
