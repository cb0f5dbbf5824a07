//! `lamtop --once` end to end: the real binary and the real SDK over HTTP
//! against moto (behind the CBOR-translating gateway), seeded with known
//! data, reporting exactly the seeded numbers.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use aws_sdk_cloudwatch::types::StateValue;
use serde_json::Value;
use std::time::Duration;
use support::{Emulator, now_minute, run, seed};

const FLEET: usize = 120;
const LIMIT: Duration = Duration::from_secs(240);

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_fleet_reports_exact_numbers_alarms_and_exit_codes() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::functions(&conf, FLEET).await;
    let m = now_minute();
    seed::metrics(&conf, FLEET, [m - 480, m - 240]).await;
    seed::alarm(
        &conf,
        "seeded-fn-001-errors",
        "AWS/Lambda",
        Some("seeded-fn-001"),
        StateValue::Alarm,
    )
    .await;
    seed::alarm(
        &conf,
        "seeded-fn-002-errors",
        "AWS/Lambda",
        Some("seeded-fn-002"),
        StateValue::Ok,
    )
    .await;
    seed::alarm(&conf, "queue-depth", "AWS/SQS", None, StateValue::Alarm).await;
    seed::alarm(
        &conf,
        "ghost-errors",
        "AWS/Lambda",
        Some("ghost"),
        StateValue::Alarm,
    )
    .await;
    emu.reset_calls();

    // JSON snapshot: exact numbers for every function.
    let mut cmd = emu.lamtop();
    cmd.args(["--once", "--output", "json", "--window", "15m"]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 0, "stderr: {err}\nstdout: {out}");
    let snap: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(snap["schema"], "lamtop.snapshot/v1");
    assert_eq!(snap["region"], "us-east-1");
    assert_eq!(snap["window"]["seconds"], 900);
    let functions = snap["functions"].as_array().unwrap();
    assert_eq!(functions.len(), FLEET);
    for i in 0..FLEET {
        let e = seed::expected(i);
        let f = functions
            .iter()
            .find(|f| f["name"] == e.name.as_str())
            .unwrap_or_else(|| panic!("{} missing", e.name));
        assert_eq!(f["memory_mb"], e.memory_mb, "{}", e.name);
        assert_eq!(f["timeout_s"], e.timeout_s, "{}", e.name);
        assert_eq!(
            num(&f["invocations"]),
            Some(e.invocations),
            "{} invocations",
            e.name
        );
        assert_eq!(num(&f["errors"]), Some(e.errors), "{} errors", e.name);
        assert_eq!(
            num(&f["throttles"]),
            Some(e.throttles),
            "{} throttles",
            e.name
        );
        let avg = num(&f["duration_ms"]["avg"]).unwrap();
        assert!(
            (avg - e.duration_avg).abs() < 0.001,
            "{} avg {avg} != {}",
            e.name,
            e.duration_avg
        );
        assert_eq!(
            num(&f["duration_ms"]["max"]),
            Some(e.duration_max),
            "{} max",
            e.name
        );
        assert_eq!(
            num(&f["concurrency_max"]),
            Some(e.concurrency_max),
            "{} concurrency",
            e.name
        );
        assert_eq!(
            f["architecture"],
            if i % 3 == 0 { "arm64" } else { "x86_64" }
        );
        assert_eq!(f["log_group"], format!("/aws/lambda/{}", e.name));
        // The emulator cannot compute percentiles: n/a, not a wrong number.
        for p in ["p50", "p90", "p99"] {
            assert!(
                f["duration_ms"][p].is_null(),
                "{} {p} should be null",
                e.name
            );
        }
        assert!(f["timeout_ratio"].is_null());
    }
    let total: f64 = (0..FLEET).map(|i| seed::expected(i).invocations).sum();
    assert_eq!(num(&snap["account"]["invocations"]), Some(total));
    assert_eq!(num(&snap["account"]["concurrency_max"]), Some(75.0));
    // The account id comes from STS GetCallerIdentity (moto's default account).
    assert_eq!(snap["account"]["id"], "123456789012");
    // GetAccountSettings is missing from the emulator: n/a, not a failure.
    assert!(snap["account"]["concurrency_limit"].is_null());
    let errors = snap["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["affects"] == "duration percentiles (p50/p90/p99)"),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["api"] == "lambda:GetAccountSettings" && e["kind"] == "unsupported"),
        "{errors:?}"
    );

    // Only relevant alarms: on a function in scope; SQS and the ghost function are not.
    let alarms: Vec<(&str, &str)> = snap["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["state"].as_str().unwrap()))
        .collect();
    assert_eq!(alarms.len(), 2, "{alarms:?}");
    assert!(alarms.contains(&("seeded-fn-001-errors", "ALARM")));
    assert!(alarms.contains(&("seeded-fn-002-errors", "OK")));
    let a1 = snap["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["state"] == "ALARM")
        .unwrap();
    assert_eq!(a1["source"], "cloudwatch");
    assert_eq!(a1["function"], "seeded-fn-001");

    // One refresh: ceil(722/500) = 2 calls for the plain series; the one
    // percentile batch fails with HTTP 500 on moto and the SDK's standard
    // retry makes 3 attempts of it.
    let plain = emu.count("cloudwatch:GetMetricData");
    let pct = emu.count("cloudwatch:GetMetricData#percentiles");
    assert_eq!(plain, 2, "plain GetMetricData calls");
    assert_eq!(pct, 3, "percentile batch attempts");
    assert_eq!(emu.count("lambda:ListFunctions"), 1);
    assert_eq!(
        emu.count("cloudwatch:DescribeAlarms"),
        1,
        "{:?}",
        emu.calls()
    );

    // --fail-on-alarm: exit 3 while an alarm is in ALARM.
    let mut cmd = emu.lamtop();
    cmd.args([
        "--once",
        "--window",
        "15m",
        "--fail-on-alarm",
        "--color",
        "never",
    ]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 3, "stderr: {err}");
    assert!(out.contains("seeded-fn-001-errors"), "{out}");
    assert!(out.contains("alarms firing: 1 of 2"), "{out}");

    // --functions limits the fleet; a pattern matching nothing is a warning.
    let mut cmd = emu.lamtop();
    cmd.args([
        "--once",
        "--output",
        "markdown",
        "--window",
        "15m",
        "--functions",
        "seeded-fn-00*",
        "--functions",
        "nope-*",
        "--sort",
        "name",
    ]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 0, "stderr: {err}");
    // A function on a deprecated runtime (nodejs20.x) is marked `⚠`.
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| seeded-fn-") || l.starts_with("| ⚠ seeded-fn-"))
        .collect();
    assert_eq!(rows.len(), 10, "{out}");
    assert!(rows[1].starts_with("| ⚠ seeded-fn-001 "), "{out}");
    assert!(
        out.contains("⚠ `seeded-fn-001`: runtime nodejs20.x deprecated since 2026-04-30"),
        "{out}"
    );
    assert!(rows[0].starts_with("| seeded-fn-000 "), "{out}");
    assert!(err.contains("'nope-*' matched no function"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn log_and_trace_adapters_read_seeded_data() {
    use lamtop::model::logs::LogQuery;
    use lamtop::source::aws::{AwsSource, ConnectOptions};
    use lamtop::source::{Logs, Traces};

    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let t = now_minute() * 1000;
    seed::log_events(
        &conf,
        "/aws/lambda/api",
        "2026/11/27/[$LATEST]abc",
        &[
            (t - 3000, "START RequestId: r1 Version: $LATEST"),
            (t - 2000, "REPORT RequestId: r1\tDuration: 10.00 ms"),
        ],
    )
    .await;
    let seg = format!(
        r#"{{"id":"70de5b6f19ff9a0a","trace_id":"1-{:08x}-abcdef0123456789abcdef01","name":"api","origin":"AWS::Lambda::Function","start_time":{},"end_time":{}}}"#,
        t / 1000 - 5,
        (t / 1000 - 5) as f64,
        (t / 1000 - 4) as f64
    );
    seed::trace_segments(&conf, &[seg]).await;

    let src = AwsSource::from_config(&conf, None);
    let page = src
        .filter_log_events(&LogQuery {
            log_group: "/aws/lambda/api".into(),
            start: chrono::DateTime::from_timestamp_millis(t - 60_000).unwrap(),
            end: None,
            filter_pattern: None,
            next_token: None,
        })
        .await
        .unwrap();
    let msgs: Vec<&str> = page.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "START RequestId: r1 Version: $LATEST",
            "REPORT RequestId: r1\tDuration: 10.00 ms"
        ]
    );
    assert_eq!(page.events[0].stream, "2026/11/27/[$LATEST]abc");

    let missing = src
        .filter_log_events(&LogQuery {
            log_group: "/aws/lambda/none".into(),
            start: chrono::DateTime::from_timestamp_millis(t - 60_000).unwrap(),
            end: None,
            filter_pattern: None,
            next_token: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(missing, lamtop::source::SourceError::NotFound { .. }),
        "{missing:?}"
    );

    let id = format!("1-{:08x}-abcdef0123456789abcdef01", t / 1000 - 5);
    let traces = src
        .batch_get_traces(std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].id, id);
    assert!(traces[0].segments[0].contains("AWS::Lambda::Function"));
    let _ = ConnectOptions::default();
}

#[test]
fn dead_endpoint_exits_1_naming_the_api() {
    // A loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lamtop"));
    cmd.args([
        "--once",
        "--endpoint-url",
        &format!("http://127.0.0.1:{port}"),
        "--region",
        "us-east-1",
    ])
    .env("AWS_ACCESS_KEY_ID", support::ACCESS_KEY)
    .env("AWS_SECRET_ACCESS_KEY", support::SECRET_KEY)
    .env("AWS_EC2_METADATA_DISABLED", "true")
    .env("HOME", std::env::temp_dir());
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(out.is_empty());
    assert!(
        err.contains("lambda:ListFunctions") && err.contains("unreachable"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_faults_fail_cleanly_naming_the_api() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::functions(&conf, 3).await;

    // Throttled metrics (CBOR error): exit 1, the table still lists the
    // functions with n/a, stderr names the API.
    emu.set_faults(
        serde_json::json!([{"ops": ["GetMetricData"], "kind": "throttle", "rate": 1.0}]),
    );
    let mut cmd = emu.lamtop();
    cmd.args(["--once", "--output", "json", "--window", "15m"]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 1, "stderr: {err}");
    assert!(
        err.contains("cloudwatch:GetMetricData was throttled"),
        "{err}"
    );
    let snap: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(snap["functions"].as_array().unwrap().len(), 3);
    assert!(snap["functions"][0]["invocations"].is_null());
    assert!(
        snap["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "throttled")
    );

    // A 5xx burst on ListFunctions (REST JSON): exit 1, nothing on stdout.
    emu.set_faults(serde_json::json!([{"ops": ["ListFunctions"], "kind": "5xx", "rate": 1.0}]));
    let mut cmd = emu.lamtop();
    cmd.args(["--once"]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 1, "stderr: {err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("lambda:ListFunctions failed") && err.contains("503"),
        "{err}"
    );

    // Faults cleared: back to normal.
    emu.set_faults(serde_json::json!([]));
    let mut cmd = emu.lamtop();
    cmd.args(["--once", "--window", "15m"]);
    let (code, _out, err) = run(cmd, LIMIT);
    assert_eq!(code, 0, "stderr: {err}");
}
