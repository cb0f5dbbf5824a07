//! The `--once` deadline and the AWS timeouts: defaults, good values from
//! the file and the command line, and every bad value named with its key.

use super::*;

#[test]
fn defaults_and_good_values() {
    let (_d, empty) = write("");
    let s = resolve(&cli(&["--config", empty.to_str().unwrap()])).unwrap();
    assert_eq!(s.once_deadline, Duration::from_secs(120));
    assert_eq!(s.aws_timeouts, Timeouts::default());
    assert_eq!(s.aws_timeouts.connect, Duration::from_secs(3));
    assert_eq!(s.aws_timeouts.attempt, Duration::from_secs(10));
    assert_eq!(s.aws_timeouts.operation, Duration::from_secs(30));

    let (_d, p) = write(
        "once_deadline = \"5m\"\n[aws]\nconnect_timeout = \"500ms\"\n\
         attempt_timeout = \"20s\"\noperation_timeout = \"1m\"\n",
    );
    let path = p.to_str().unwrap();
    let s = resolve(&cli(&["--config", path])).unwrap();
    assert_eq!(s.once_deadline, Duration::from_secs(300));
    assert_eq!(
        s.aws_timeouts,
        Timeouts {
            connect: Duration::from_millis(500),
            attempt: Duration::from_secs(20),
            operation: Duration::from_secs(60),
        }
    );
    // The command line wins over the file.
    let s = resolve(&cli(&["--config", path, "--deadline", "45s"])).unwrap();
    assert_eq!(s.once_deadline, Duration::from_secs(45));
    // One key of [aws] alone keeps the other defaults.
    let (_d, p) = write("[aws]\nattempt_timeout = \"5s\"\n");
    let s = resolve(&cli(&["--config", p.to_str().unwrap()])).unwrap();
    assert_eq!(s.aws_timeouts.attempt, Duration::from_secs(5));
    assert_eq!(s.aws_timeouts.operation, Duration::from_secs(30));
}

#[test]
fn bad_file_values_name_line_key_and_value() {
    let cases: &[(&str, &[&str])] = &[
        (
            "once_deadline = \"0s\"\n",
            &[
                ":1:",
                "key 'once_deadline'",
                "'0s' is out of range",
                "1s to 1h",
            ],
        ),
        (
            "once_deadline = \"-5s\"\n",
            &[":1:", "key 'once_deadline'", "invalid duration '-5s'"],
        ),
        (
            "once_deadline = \"3 weeks\"\n",
            &[":1:", "key 'once_deadline'", "'3 weeks' is out of range"],
        ),
        (
            "once_deadline = 120\n",
            &[":1:", "key 'once_deadline'", "invalid type"],
        ),
        (
            "[aws]\nconnect_timeout = \"0ms\"\n",
            &[
                ":2:",
                "key 'connect_timeout'",
                "'0ms' is out of range",
                "100ms to 1m",
            ],
        ),
        (
            "[aws]\nattempt_timeout = \"soon\"\n",
            &[":2:", "key 'attempt_timeout'", "invalid duration 'soon'"],
        ),
        (
            "[aws]\noperation_timeout = \"2h\"\n",
            &[
                ":2:",
                "key 'operation_timeout'",
                "'2h' is out of range",
                "1s to 30m",
            ],
        ),
        (
            "[aws]\nattempt_timeout = \"20s\"\noperation_timeout = \"10s\"\n",
            &[
                ":3:",
                "key 'operation_timeout'",
                "shorter than attempt_timeout '20s'",
            ],
        ),
        (
            "[aws]\nconect_timeout = \"1s\"\n",
            &[
                ":2:",
                "unknown key 'conect_timeout' in [aws]",
                "did you mean 'connect_timeout'?",
            ],
        ),
    ];
    for (text, wants) in cases {
        let e = err_of(text);
        for w in *wants {
            assert!(e.contains(w), "{text:?}: {e:?} lacks {w:?}");
        }
    }
}

#[test]
fn bad_cli_deadline_is_named() {
    let (_d, empty) = write("");
    let empty = empty.to_str().unwrap();
    for (value, want) in [
        ("0s", "--deadline '0s' is out of range: use 1s to 1h"),
        ("2h", "--deadline '2h' is out of range: use 1s to 1h"),
        ("never", "--deadline: invalid duration 'never'"),
    ] {
        let e = resolve(&cli(&["--config", empty, "--deadline", value])).unwrap_err();
        assert!(e.0.contains(want), "{value}: {e}");
    }
}
