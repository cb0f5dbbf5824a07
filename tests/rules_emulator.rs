//! lamtop's alarm rules against the emulator: an error-prone function
//! fires an `error_rate` rule in `--once`, with the rule states in the
//! JSON, exit code 3, the `--alarm-log` line and `notify_command`.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::{Emulator, now_minute, run, seed};

const LIMIT: Duration = Duration::from_secs(90);

const RULES: &str = r#"
[[alarm]]
name = "checkout-errors"
functions = "checkout"
metric = "error_rate"
op = ">"
threshold = 0.2
period = "5m"
for = "3m"
severity = "critical"

[[alarm]]
name = "slow-burn"
metric = "errors"
op = ">="
threshold = 1
period = "5m"
for = "1h"

[[alarm]]
name = "cold-starts"
metric = "cold_start_rate"
op = ">"
threshold = 0.5
"#;

fn write_config(dir: &std::path::Path, file: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

fn rule<'a>(snap: &'a Value, name: &str, function: &str) -> &'a Value {
    snap["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name && a["function"] == function)
        .unwrap_or_else(|| panic!("no {name} on {function} in {}", snap["alarms"]))
}

#[tokio::test(flavor = "multi_thread")]
async fn error_prone_function_fires_its_rule_with_exit_3_log_and_notify() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::function_named(&conf, "checkout", 512, 10).await;
    seed::function_named(&conf, "healthy", 128, 3).await;
    let m = now_minute();
    // Nine minutes, ending two minutes ago: checkout fails 6 of 10
    // requests a minute, healthy none of 10.
    let minutes: Vec<i64> = (2..=10).map(|k| m - 60 * k).collect();
    let per = |v: f64| minutes.iter().map(|t| (*t, v)).collect::<Vec<_>>();
    seed::counts(&conf, "checkout", "Invocations", &per(10.0)).await;
    seed::counts(&conf, "checkout", "Errors", &per(6.0)).await;
    seed::counts(&conf, "healthy", "Invocations", &per(10.0)).await;
    seed::counts(&conf, "healthy", "Errors", &per(0.0)).await;

    let dir = tempfile::tempdir().unwrap();
    let env_out = dir.path().join("notified.txt");
    let script = dir.path().join("notify.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$LAMTOP_ALARM|$LAMTOP_FUNCTION|$LAMTOP_STATE|$LAMTOP_SEVERITY|$LAMTOP_METRIC|$LAMTOP_VALUE\" >> '{}'\n",
            env_out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = write_config(
        dir.path(),
        "rules.toml",
        &format!("notify_command = [\"{}\"]\n{RULES}", script.display()),
    );
    let log = dir.path().join("alarms.jsonl");

    let mut cmd = emu.lamtop();
    cmd.arg("--config")
        .arg(&config)
        .arg("--alarm-log")
        .arg(&log);
    cmd.args([
        "--once",
        "--output",
        "json",
        "--window",
        "15m",
        "--fail-on-alarm",
    ]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 3, "stderr: {err}\nstdout: {out}");
    let snap: Value = serde_json::from_str(&out).expect("valid JSON");

    let fired = rule(&snap, "checkout-errors", "checkout");
    assert_eq!(fired["source"], "rule");
    assert_eq!(fired["state"], "FIRING");
    assert_eq!(fired["severity"], "critical");
    assert_eq!(fired["metric"], "error_rate");
    assert_eq!(fired["value"].as_f64(), Some(0.6));
    // The rule covers only "checkout".
    assert!(
        !snap["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "checkout-errors" && a["function"] == "healthy")
    );
    // A `for` longer than the data leaves the rule PENDING; a healthy
    // function is OK; no REPORT lines read is NO_DATA, not OK.
    assert_eq!(rule(&snap, "slow-burn", "checkout")["state"], "PENDING");
    assert_eq!(rule(&snap, "slow-burn", "healthy")["state"], "OK");
    assert_eq!(rule(&snap, "slow-burn", "healthy")["severity"], "warning");
    assert_eq!(rule(&snap, "cold-starts", "checkout")["state"], "NO_DATA");
    let history = snap["alarm_history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["alarm"], "checkout-errors");
    assert_eq!(history[0]["state"], "FIRING");

    // --alarm-log got the change as one JSON line.
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["alarm"], "checkout-errors");
    assert_eq!(lines[0]["function"], "checkout");
    assert_eq!(lines[0]["state"], "FIRING");
    assert_eq!(lines[0]["threshold"].as_f64(), Some(0.2));
    // notify_command ran once, with the fields in its environment.
    assert_eq!(
        std::fs::read_to_string(&env_out).unwrap(),
        "checkout-errors|checkout|FIRING|critical|error_rate|0.6\n"
    );

    // Severity: only a warning rule fires → `critical` passes, `warning` fails.
    let warn_only = write_config(
        dir.path(),
        "warn.toml",
        "[[alarm]]\nname = \"w\"\nmetric = \"error_rate\"\nop = \">\"\nthreshold = 0.2\n",
    );
    for (level, want) in [("critical", 0), ("warning", 3)] {
        let mut cmd = emu.lamtop();
        cmd.arg("--config").arg(&warn_only);
        cmd.args(["--once", "--window", "15m", "--color", "never"]);
        cmd.arg(format!("--fail-on-alarm={level}"));
        let (code, out, err) = run(cmd, LIMIT);
        assert_eq!(code, want, "--fail-on-alarm={level}: {err}\n{out}");
        assert!(out.contains("alarms firing: 1 of 2"), "{out}");
        assert!(
            out.contains("FIRING  w  [rule]  function checkout"),
            "{out}"
        );
    }

    // --insights runs Logs Insights through the real SDK. The emulator
    // ignores `stats` and answers with raw events: lamtop shows no numbers
    // rather than wrong ones. Only checkout has a log group: healthy never ran.
    let t = (m - 120) * 1000;
    seed::log_events(
        &conf,
        "/aws/lambda/checkout",
        "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
        &[(t, "REPORT RequestId: r1\tDuration: 10.00 ms\tBilled Duration: 10 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB")],
    )
    .await;
    emu.reset_calls();
    let mut cmd = emu.lamtop();
    cmd.args([
        "--once",
        "--output",
        "json",
        "--window",
        "15m",
        "--insights",
    ]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 0, "stderr: {err}\nstdout: {out}");
    let snap: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        snap["insights_query"]["queries"], 1,
        "{}",
        snap["insights_query"]
    );
    assert_eq!(snap["insights_query"]["groups"], 2);
    assert_eq!(
        snap["insights_query"]["errors"].as_array().unwrap().len(),
        0,
        "{}",
        snap["insights_query"]
    );
    assert!(
        snap["functions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["reports"].is_null())
    );
    // StartQuery refuses the pair for the missing group; lamtop splits it
    // and names the group instead of failing the run.
    assert_eq!(
        snap["insights_query"]["missing_log_groups"],
        serde_json::json!(["/aws/lambda/healthy"])
    );
    assert_eq!(emu.count("logs:StartQuery"), 3, "{:?}", emu.calls());
    assert!(emu.count("logs:GetQueryResults") >= 1);
    assert!(
        err.contains("Logs Insights: 1 queries over 2 log groups"),
        "{err}"
    );

    // A config that runs a program must not be writable by others.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).unwrap();
    let mut cmd = emu.lamtop();
    cmd.arg("--config").arg(&config).args(["--once"]);
    let (code, _, err) = run(cmd, LIMIT);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("chmod o-w"), "{err}");
}

/// A `notify_command` script appending its environment's key fields to
/// `out`, one line per run.
fn marker_script(dir: &std::path::Path, out: &std::path::Path) -> std::path::PathBuf {
    let script = dir.join("notify-cw.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$LAMTOP_SOURCE|$LAMTOP_ALARM|$LAMTOP_FUNCTION|$LAMTOP_PREVIOUS_STATE|$LAMTOP_STATE|$LAMTOP_METRIC\" >> '{}'\n",
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// A CloudWatch alarm flipped with SetAlarmState while the dashboard runs
/// goes the rules' way: `notify_command` runs with
/// `LAMTOP_SOURCE=cloudwatch` when it goes into ALARM (not when it goes
/// back), `--alarm-log` gets both changes, the history pane lists them.
#[tokio::test(flavor = "multi_thread")]
async fn a_cloudwatch_alarm_flipping_under_the_dashboard_notifies() {
    use aws_sdk_cloudwatch::types::StateValue;
    use support::tmux::{Tmux, shell_quote};
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::function_named(&conf, "checkout", 512, 10).await;
    seed::alarm(
        &conf,
        "checkout-cw-errors",
        "AWS/Lambda",
        Some("checkout"),
        StateValue::Ok,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("notified.txt");
    let script = marker_script(dir.path(), &marker);
    let config = write_config(
        dir.path(),
        "notify.toml",
        &format!("notify_command = [\"{}\"]\n", script.display()),
    );
    let log = dir.path().join("alarms.jsonl");
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} TERM=xterm-256color \
         AWS_ACCESS_KEY_ID={ak} AWS_SECRET_ACCESS_KEY={sk} AWS_REGION=us-east-1 \
         AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 \
         {bin} --endpoint-url {ep} --config {config} --alarm-log {log} --refresh 10s; \
         echo EXITED $?; sleep 30",
        home = shell_quote(&dir.path().to_string_lossy()),
        ak = support::ACCESS_KEY,
        sk = support::SECRET_KEY,
        bin = shell_quote(env!("CARGO_BIN_EXE_lamtop")),
        ep = emu.endpoint(),
        config = shell_quote(&config.to_string_lossy()),
        log = shell_quote(&log.to_string_lossy()),
    );
    let t = Tmux::start(format!("lamtop-cwflip-{}", emu.port), 160, 45, &command);
    t.wait_for("checkout-cw-errors");
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    let flip = |state: StateValue| {
        cw.set_alarm_state()
            .alarm_name("checkout-cw-errors")
            .state_value(state)
            .state_reason("flipped by the test")
            .send()
    };
    flip(StateValue::Alarm).await.unwrap();
    let s = t.wait_for("alarm ALARM: checkout-cw-errors on checkout");
    assert!(s.contains("1 FIRING"), "{s}");
    flip(StateValue::Ok).await.unwrap();
    t.wait_until("the alarm back to OK", |s| !s.contains("FIRING"));
    t.send(&["a"]);
    let s = t.wait_for("Alarm history 2");
    assert!(
        s.contains("ALARM   checkout-cw-errors [cw] checkout"),
        "{s}"
    );
    t.send(&["q"]);
    t.wait_for("EXITED 0");
    // Only the change into ALARM ran the command, named as CloudWatch's.
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap(),
        "cloudwatch|checkout-cw-errors|checkout|OK|ALARM|Errors\n"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let changes: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["source"].as_str().unwrap(),
                l["from"].as_str().unwrap(),
                l["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [("cloudwatch", "OK", "ALARM"), ("cloudwatch", "ALARM", "OK")]
    );
}
