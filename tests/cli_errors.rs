//! Bad input at the edges: missing credentials, unknown profiles, bad
//! config and CLI misuse give one clear line and the documented exit code.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn lamtop(args: &[&str]) -> (i32, String, String) {
    lamtop_with(&[], args)
}

/// The binary with `env` set, against a loopback port nobody listens on.
fn lamtop_with(env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_lamtop"));
    c.envs(env.iter().copied());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("AWS_") || k.starts_with("LAMTOP_") {
            c.env_remove(&k);
        }
    }
    // A loopback port nobody listens on: nothing leaves the machine.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = c
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("cfg"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--region",
            "us-east-1",
        ])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_credentials_one_line_with_the_fix() {
    let (code, out, err) = lamtop(&["--once"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no usable AWS credentials") && err.contains("aws sso login"),
        "{err}"
    );
    assert!(!err.contains("panicked") && !err.contains("backtrace"));
}

#[test]
fn unknown_profile_is_named() {
    let (code, _, err) = lamtop(&["--once", "--profile", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown AWS profile 'nope'"), "{err}");
}

#[test]
fn bad_config_and_usage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "window = \"1h\"\nrefersh = \"60s\"\n").unwrap();
    let (code, _, err) = lamtop(&["--once", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("c.toml:2: unknown key 'refersh'") && err.contains("did you mean 'refresh'"),
        "{err}"
    );
    let (code, _, err) = lamtop(&["--once", "--sort", "p98"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown column 'p98'"), "{err}");
    let (code, _, err) = lamtop(&["--once", "--window", "forever"]);
    assert_eq!(code, 2);
    assert!(err.contains("'forever'"), "{err}");
    let (code, _, err) = lamtop(&["--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(err.contains("--no-such-flag"), "{err}");
    let (code, _, err) = lamtop(&["--demo", "doctor"]);
    assert_eq!(code, 2);
    assert!(err.contains("run it without --demo"), "{err}");
    let (code, _, err) = lamtop(&["trace", "not-a-trace"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'not-a-trace' is not an X-Ray trace id"),
        "{err}"
    );
}

#[test]
fn bad_keys_and_themes_exit_2_with_the_line_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "window = \"1h\"\n[keys]\nopne = \"o\"\n",
            &[],
            "c.toml:3: [keys]: unknown action 'opne' — did you mean 'open'?",
        ),
        (
            "[keys]\nfilter = \"/\"\nopen = \"s\"\n",
            &[],
            "c.toml:3: [keys]: 's' would be both 'open' and 'sort_next' in the fleet view",
        ),
        (
            "theme = \"ligth\"\n",
            &[],
            "c.toml:1: theme: unknown theme 'ligth' — did you mean 'light'?",
        ),
        (
            "[theme]\nalarm = \"reddish\"\n",
            &[],
            "c.toml:2: [theme] alarm: 'reddish' is not a colour",
        ),
        (
            "",
            &["--theme", "solarized"],
            "--theme: unknown theme 'solarized'",
        ),
    ];
    for (text, extra, want) in cases {
        let cfg = dir.path().join("c.toml");
        std::fs::write(&cfg, text).unwrap();
        let mut args = vec!["--demo", "--once", "--config", cfg.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (code, out, err) = lamtop(&args);
        assert_eq!(code, 2, "{text:?}: {err}");
        assert!(out.is_empty(), "nothing runs: {out}");
        assert!(err.contains(want), "{text:?}: wanted {want:?} in {err}");
    }
}

#[test]
fn dashboard_refuses_a_pipe() {
    let (code, _, err) = lamtop(&["--demo"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs a terminal"), "{err}");
}

/// `--color always` wins over NO_COLOR (no-color.org: a flag overrides the
/// variable); without the flag NO_COLOR turns colour off. `--window 20d`
/// is named as typed.
#[test]
fn color_always_overrides_no_color_and_values_are_named_as_typed() {
    // Under NO_COLOR (`--demo` leaves the harness's endpoint unused).
    let run = |args: &[&str]| lamtop_with(&[("NO_COLOR", "1")], args);
    let (code, out, _) = run(&["--demo", "--once", "--color", "always"]);
    assert_eq!(code, 0);
    assert!(out.contains("\u{1b}["), "colour expected: {out}");
    let (code, out, _) = run(&["--demo", "--once"]);
    assert_eq!(code, 0);
    assert!(!out.contains("\u{1b}["), "NO_COLOR: {out}");
    let (code, _, err) = run(&["--demo", "--once", "--window", "20d"]);
    assert_eq!(code, 2);
    assert!(err.contains("window '20d' is out of range"), "{err}");
}

/// `tail --help` and `trace --help` list only what those commands use: no
/// dashboard flags (`--window`, `--refresh`, `--functions`, `--alarm-log`).
#[test]
fn subcommand_help_lists_only_their_flags() {
    for sub in ["tail", "trace"] {
        let (code, out, _) = lamtop(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub}");
        for flag in ["--window", "--refresh", "--functions", "--alarm-log"] {
            assert!(!out.contains(flag), "{sub} --help lists {flag}:\n{out}");
        }
        assert!(
            out.contains("--region") && out.contains("--profile"),
            "{out}"
        );
    }
}

/// Completions and the man page come from the binary with no credentials,
/// a broken config and nothing listening: they never read either; an
/// unknown shell is a usage error naming the value.
#[test]
fn completions_and_man_pages_need_no_config_and_no_network() {
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "refresh = \"soon\"\n").unwrap();
    let cfg = bad.to_string_lossy().to_string();
    let (code, out, err) = lamtop_with(&[("LAMTOP_CONFIG", cfg.as_str())], &["completions", "zsh"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("#compdef lamtop"), "{out}");
    let (code, out, _) = lamtop_with(&[("LAMTOP_CONFIG", cfg.as_str())], &["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH lamtop 1"), "{out}");
    let dir = home.path().join("man1");
    std::fs::create_dir(&dir).unwrap();
    let (code, out, err) = lamtop(&["man", "--dir", &dir.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("lamtop-tail.1"), "{out}");
    assert!(dir.join("lamtop-errors.1").is_file());
    let (code, _, err) = lamtop(&["man", "--dir", "/nonexistent/lamtop-man"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("'/nonexistent/lamtop-man' is not a directory"),
        "{err}"
    );
    let (code, _, err) = lamtop(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}
