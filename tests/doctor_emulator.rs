//! `lamtop doctor` against the emulator: every action `ok` or `not
//! supported` where moto lacks it, one call per action, the secret never
//! printed; the gateway's `denied` fault named with the grant and the
//! policy, exit 1; a dead endpoint is `unreachable`. Loopback only.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use std::time::Duration;
use support::{ACCESS_KEY, Emulator, SECRET_KEY, run, seed};

const LIMIT: Duration = Duration::from_secs(120);

fn doctor(emu: &Emulator, extra: &[&str]) -> (i32, String, String) {
    let mut cmd = emu.lamtop();
    cmd.arg("doctor").args(extra);
    run(cmd, LIMIT)
}

/// The status column of `action`'s line.
fn status_of<'a>(out: &'a str, action: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            let at = l.char_indices().nth(14)?.0;
            let (status, rest) = l.split_at(at);
            (rest.split_whitespace().next() == Some(action)).then(|| status.trim())
        })
        .unwrap_or_else(|| panic!("no line for {action}:\n{out}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_action_is_checked_once_and_the_fault_names_what_to_grant() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::functions(&conf, 2).await;
    let first = seed::name(0);
    emu.reset_calls();

    let (code, out, err) = doctor(&emu, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("credentials  environment (AWS_ACCESS_KEY_ID)"),
        "{out}"
    );
    let masked = format!(
        "{}…{}",
        &ACCESS_KEY[..4],
        &ACCESS_KEY[ACCESS_KEY.len() - 4..]
    );
    assert!(
        out.contains(&format!("key {masked}, do not expire")),
        "{out}"
    );
    assert!(
        !out.contains(ACCESS_KEY) && !out.contains(SECRET_KEY),
        "{out}"
    );
    assert!(out.contains("account 123456789012"), "{out}");
    assert!(out.contains("region       us-east-1 (AWS_REGION)"), "{out}");
    assert!(
        out.contains(&format!("{} (--endpoint-url", emu.endpoint())),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "tried on     function {first}, log group /aws/lambda/{first}"
        )),
        "{out}"
    );
    for (action, want) in [
        ("lambda:ListFunctions", "ok"),
        ("lambda:GetFunctionConcurrency", "ok"),
        ("lambda:ListVersionsByFunction", "ok"),
        ("lambda:ListAliases", "ok"),
        ("lambda:ListEventSourceMappings", "ok"),
        ("lambda:GetFunctionEventInvokeConfig", "ok"),
        ("cloudwatch:GetMetricData", "ok"),
        ("cloudwatch:DescribeAlarms", "ok"),
        ("cloudwatch:ListMetrics", "ok"),
        ("logs:FilterLogEvents", "ok"),
        ("logs:StartQuery", "not checked"),
        ("logs:GetQueryResults", "not checked"),
        ("logs:StopQuery", "not checked"),
        ("xray:GetTraceSummaries", "ok"),
        ("xray:BatchGetTraces", "ok"),
    ] {
        assert_eq!(status_of(&out, action), want, "{action}:\n{out}");
    }
    // What moto lacks is named, and does not fail the checkup.
    for action in [
        "lambda:GetAccountSettings",
        "lambda:ListProvisionedConcurrencyConfigs",
    ] {
        assert!(
            ["ok", "not supported"].contains(&status_of(&out, action)),
            "{action}:\n{out}"
        );
    }
    assert!(out.contains("lamtop will work here"), "{out}");
    // One call per action (the SDK retries nothing here); none to Logs Insights.
    let calls = emu.calls();
    for op in [
        "lambda:ListFunctions",
        "lambda:GetFunctionConcurrency",
        "cloudwatch:GetMetricData",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:ListMetrics",
        "logs:FilterLogEvents",
        "xray:GetTraceSummaries",
        "xray:BatchGetTraces",
    ] {
        assert_eq!(calls.get(op).copied(), Some(1), "{op}: {calls:?}");
    }
    assert!(
        !calls.keys().any(|k| k.contains("Query")),
        "no Logs Insights call: {calls:?}"
    );

    emu.set_faults(json!([
        {"ops": ["FilterLogEvents", "BatchGetTraces"], "kind": "denied"}
    ]));
    let (code, out, _) = doctor(&emu, &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(status_of(&out, "logs:FilterLogEvents"), "✖ denied");
    assert_eq!(status_of(&out, "xray:BatchGetTraces"), "✖ denied");
    assert_eq!(status_of(&out, "lambda:ListFunctions"), "ok");
    assert!(
        out.contains("grant logs:FilterLogEvents (log pane, tail, error groups)"),
        "{out}"
    );
    let policy = &out[out.find("a policy that grants them:").unwrap()..];
    let json: serde_json::Value =
        serde_json::from_str(&policy[policy.find('{').unwrap()..=policy.rfind('}').unwrap()])
            .unwrap();
    assert_eq!(
        json["Statement"][0]["Action"],
        json!(["logs:FilterLogEvents", "xray:BatchGetTraces"])
    );
    assert!(out.contains("lamtop will not fully work here"), "{out}");
    emu.set_faults(json!([]));
}

#[test]
fn a_dead_endpoint_is_unreachable_and_exits_1() {
    let emu = Emulator::start();
    // The gateway resets every connection while the emulator is down.
    emu.backend(false);
    let (code, out, err) = doctor(&emu, &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        status_of(&out, "lambda:ListFunctions"),
        "✖ unreachable",
        "{out}"
    );
    assert_eq!(
        status_of(&out, "cloudwatch:GetMetricData"),
        "✖ unreachable",
        "{out}"
    );
    assert!(out.contains("identity     ✖"), "{out}");
    // Why, once, not once per action.
    assert_eq!(
        out.matches("Connection reset").count(),
        2,
        "identity and once below:\n{out}"
    );
    assert!(out.contains("lamtop will not fully work here"), "{out}");
}

#[test]
fn the_proxy_of_the_environment_is_used_and_no_proxy_bypasses_it() {
    let emu = Emulator::start();
    // A proxy that is not there: every call through it fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = format!("http://127.0.0.1:{port}");
    let mut cmd = emu.lamtop();
    cmd.arg("doctor")
        .env_remove("NO_PROXY")
        .env("HTTP_PROXY", &proxy)
        .env("HTTPS_PROXY", &proxy);
    let (code, out, _) = run(cmd, LIMIT);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        status_of(&out, "lambda:ListFunctions"),
        "✖ unreachable",
        "{out}"
    );
    let mut cmd = emu.lamtop();
    cmd.arg("doctor")
        .env("HTTP_PROXY", &proxy)
        .env("NO_PROXY", "127.0.0.1");
    let (code, out, _) = run(cmd, LIMIT);
    assert_eq!(code, 0, "NO_PROXY goes around it:\n{out}");
}
