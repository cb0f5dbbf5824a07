//! Error groups end to end: two functions seeded in the emulator with
//! failure families in the runtimes' real formats (Node's `Invoke Error`
//! payload, the platform's timeout line and REPORT, an out-of-memory kill),
//! the members of a family differing only in request ids, times and
//! numbers; one family shared by both functions, one only after a deploy
//! (UpdateFunctionCode + PublishVersion). `lamtop errors --output json` and
//! `--once --output json` must give exactly the seeded groups.
//!
//! moto ignores regex filter patterns (every event comes back), so this
//! also proves the client-side classification keeps exactly the failures.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{TimeZone, Utc};
use lamtop::model::function::parse_last_modified;
use serde_json::Value;
use std::time::Duration;
use support::{Emulator, function_named, run, seed};

const LIMIT: Duration = Duration::from_secs(150);

fn rfc(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn iso_ms(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn request(family: &str, n: usize) -> String {
    let tag = match family {
        "a" => "0a",
        "b" => "0b",
        _ => "0c",
    };
    format!("5e1f{tag}c4-1d2e-4a3b-9c8d-{n:012}")
}

/// One Node invocation that throws (the Node RIC's `Invoke Error` line,
/// the shape of `rt-node-invoke-error-tabs-as-spaces`).
fn reference_error(t: i64, id: &str) -> Vec<(i64, String)> {
    vec![
        (t, format!("START RequestId: {id} Version: $LATEST")),
        (
            t + 2,
            format!(
                "{}\t{id}\tERROR\tInvoke Error \t{{\"errorType\":\"ReferenceError\",\"errorMessage\":\"x is not defined\",\"stack\":[\"ReferenceError: x is not defined\",\"    at Runtime.exports.handler (/var/task/index.js:2:3)\",\"    at Runtime.handleOnce (/var/runtime/Runtime.js:63:25)\"]}}",
                iso_ms(t + 2)
            ),
        ),
        (t + 3, format!("END RequestId: {id}")),
        (
            t + 3,
            format!(
                "REPORT RequestId: {id}\tDuration: 3.52 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t"
            ),
        ),
    ]
}

/// A timeout: the platform's line and a REPORT with `Status: timeout`.
fn timeout(t: i64, id: &str, seconds: &str) -> Vec<(i64, String)> {
    vec![
        (t, format!("START RequestId: {id} Version: $LATEST")),
        (
            t + 3000,
            format!(
                "{} {id} Task timed out after {seconds} seconds",
                iso_ms(t + 3000)
            ),
        ),
        (
            t + 3000,
            format!(
                "REPORT RequestId: {id}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 88 MB\tStatus: timeout"
            ),
        ),
    ]
}

/// An out-of-memory kill: the runtime exit and a REPORT naming
/// `Runtime.OutOfMemory`, with the X-Ray line Lambda appends.
fn out_of_memory(t: i64, id: &str, trace: &str) -> Vec<(i64, String)> {
    vec![
        (t, format!("START RequestId: {id} Version: 1")),
        (
            t + 400,
            format!(
                "RequestId: {id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError"
            ),
        ),
        (
            t + 400,
            format!(
                "REPORT RequestId: {id}\tDuration: 401.00 ms\tBilled Duration: 401 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory\t\nXRAY TraceId: {trace}\tSegmentId: 3c2a1b4d5e6f7a8b\tSampled: true"
            ),
        ),
    ]
}

async fn put(emu: &Emulator, function: &str, events: Vec<(i64, String)>) {
    let conf = emu.sdk_config().await;
    let mut events = events;
    events.sort_by_key(|e| e.0);
    let refs: Vec<(i64, &str)> = events.iter().map(|(t, m)| (*t, m.as_str())).collect();
    let stream = format!("2026/12/03/[$LATEST]{}", events[0].0);
    seed::log_events(&conf, &format!("/aws/lambda/{function}"), &stream, &refs).await;
}

/// `function`'s `LastModified` as ListFunctions spells it.
async fn last_modified_of(conf: &aws_config::SdkConfig, function: &str) -> String {
    let listed = aws_sdk_lambda::Client::new(conf)
        .list_functions()
        .send()
        .await
        .unwrap();
    listed
        .functions()
        .iter()
        .find(|f| f.function_name() == Some(function))
        .and_then(|f| f.last_modified())
        .unwrap()
        .to_string()
}

struct Seeded {
    emu: Emulator,
    deployed: String,
    /// Times (ms) of the first and last occurrence per family.
    a: (i64, i64),
    b: (i64, i64),
    c: (i64, i64),
}

async fn seeded() -> Seeded {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::function_named(&conf, "orders", 128, 3).await;
    seed::function_named(&conf, "billing", 128, 3).await;
    // The deploy and the failures after it must fall inside the window,
    // which ends with the current minute.
    let sec = Utc::now().timestamp() % 60;
    if sec > 40 {
        tokio::time::sleep(Duration::from_secs((61 - sec) as u64)).await;
    }
    let now = Utc::now().timestamp_millis() / 1000 * 1000;
    let min = |m: i64| now - m * 60_000;
    let mut orders = Vec::new();
    let a_times = [min(50), min(48), min(46), min(44)];
    for (n, t) in a_times.iter().enumerate() {
        orders.extend(reference_error(*t, &request("a", n)));
    }
    orders.extend(timeout(min(45), &request("b", 0), "3.00"));
    orders.extend(timeout(min(10), &request("b", 1), "3.01"));
    put(&emu, "orders", orders).await;
    let mut billing = Vec::new();
    for (n, m) in [42, 20, 5].into_iter().enumerate() {
        billing.extend(timeout(min(m), &request("b", 10 + n), "3.02"));
    }
    put(&emu, "billing", billing).await;
    seed::deploy(&conf, "billing").await;
    aws_sdk_lambda::Client::new(&conf)
        .create_alias()
        .function_name("billing")
        .name("live")
        .function_version("1")
        .send()
        .await
        .unwrap();
    let deployed = last_modified_of(&conf, "billing").await;
    let after = parse_last_modified(&deployed)
        .unwrap_or_else(|| panic!("LastModified '{deployed}'"))
        .timestamp_millis()
        / 1000
        * 1000
        + 2000;
    let c_times = [after, after + 1000];
    let mut oom = Vec::new();
    for (n, t) in c_times.iter().enumerate() {
        oom.extend(out_of_memory(
            *t,
            &request("c", n),
            &format!("1-6515d315-07fbcb5e693988c6480a98e{n}"),
        ));
    }
    put(&emu, "billing", oom).await;
    let minute = |ms: i64| ms / 60_000 * 60;
    seed::counts(&conf, "orders", "Errors", &[(minute(min(46)), 6.0)]).await;
    seed::counts(&conf, "orders", "Invocations", &[(minute(min(46)), 40.0)]).await;
    seed::counts(&conf, "billing", "Errors", &[(minute(min(20)), 5.0)]).await;
    seed::counts(&conf, "billing", "Invocations", &[(minute(min(20)), 25.0)]).await;
    Seeded {
        emu,
        deployed,
        a: (a_times[0] + 2, a_times[3] + 2),
        b: (min(45) + 3000, min(5) + 3000),
        c: (c_times[0] + 400, c_times[1] + 400),
    }
}

fn json_of(emu: &Emulator, args: &[&str]) -> (i32, Value, String) {
    let mut cmd = emu.lamtop();
    cmd.args(args);
    let (code, out, err) = run(cmd, LIMIT);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

fn group<'a>(groups: &'a [Value], title: &str) -> &'a Value {
    groups
        .iter()
        .find(|g| g["title"] == title)
        .unwrap_or_else(|| panic!("no group '{title}' in {groups:#?}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The seeded groups, exactly: counts, functions, kinds, first and last
/// seen, `new`, sample ids.
fn check_groups(s: &Seeded, groups: &[Value]) {
    assert_eq!(groups.len(), 3, "{groups:#?}");
    let b = group(groups, "Task timed out after <n> seconds");
    assert_eq!(b["count"], 5, "one per request, not per line");
    assert_eq!(b["kind"], "timeout");
    assert_eq!(strings(&b["functions"]), ["billing", "orders"]);
    assert_eq!(b["first_seen"], rfc(s.b.0));
    assert_eq!(b["last_seen"], rfc(s.b.1));
    assert_eq!(b["new"], false);
    assert_eq!(b["request_ids"][0], request("b", 12), "newest first");

    let a = group(groups, "ReferenceError: x is not defined");
    assert_eq!(a["count"], 4);
    assert_eq!(a["kind"], "crash");
    assert_eq!(a["frame"], "Runtime.exports.handler (index.js)");
    assert_eq!(strings(&a["functions"]), ["orders"]);
    assert_eq!(
        (a["first_seen"].clone(), a["last_seen"].clone()),
        (rfc(s.a.0).into(), rfc(s.a.1).into())
    );
    assert_eq!(a["new"], false);
    assert_eq!(a["request_ids"].as_array().unwrap().len(), 4);

    let c = group(groups, "Runtime.OutOfMemory (REPORT Status: error)");
    assert_eq!(c["count"], 2, "the exit and the REPORT are one kill");
    assert_eq!(c["kind"], "out_of_memory");
    assert_eq!(strings(&c["functions"]), ["billing"]);
    assert_eq!(c["first_seen"], rfc(s.c.0));
    assert_eq!(c["last_seen"], rfc(s.c.1));
    assert_eq!(c["new"], true, "first seen after the deploy");
    assert_eq!(
        strings(&c["trace_ids"]),
        [
            "1-6515d315-07fbcb5e693988c6480a98e1",
            "1-6515d315-07fbcb5e693988c6480a98e0"
        ]
    );
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [5, 4, 2], "most first");
}

fn deployed_rfc(s: &Seeded) -> String {
    parse_last_modified(&s.deployed)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test(flavor = "multi_thread")]
async fn lamtop_errors_groups_the_seeded_families_exactly() {
    let s = seeded().await;
    s.emu.reset_calls();
    let (code, doc, err) = json_of(&s.emu, &["errors", "--window", "1h", "--output", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["schema"], "lamtop.errors/v1");
    check_groups(&s, doc["error_groups"].as_array().unwrap());
    let scan = &doc["error_scan"];
    assert_eq!(scan["functions_scanned"], 2);
    assert_eq!(scan["calls"], 2, "one pass per failing function");
    assert_eq!(scan["complete"], true);
    assert_eq!(s.emu.count("logs:FilterLogEvents"), 2);
    let billing = &doc["functions"][0];
    assert_eq!(billing["name"], "orders", "most errors first (6 > 5)");
    let billing = &doc["functions"][1];
    assert_eq!(billing["last_deployed"], deployed_rfc(&s));
    // ListVersionsByFunction and ListAliases: the deploy's version, in
    // the window, and the alias on it.
    assert_eq!(
        billing["deployments"].as_array().unwrap().len(),
        1,
        "{billing:#}"
    );
    assert_eq!(billing["deployments"][0]["version"], "1");
    // Published right after the code update (moto may take seconds).
    let published = chrono::DateTime::parse_from_rfc3339(
        billing["deployments"][0]["published"].as_str().unwrap(),
    )
    .unwrap();
    let updated = parse_last_modified(&s.deployed).unwrap();
    let gap = (published.with_timezone(&Utc) - updated).num_seconds();
    assert!(
        (0..=60).contains(&gap),
        "published {gap} s after the update"
    );
    assert_eq!(
        billing["aliases"],
        serde_json::json!([{"name": "live", "version": "1", "weights": []}])
    );
    assert_eq!(doc["functions"][0]["deployments"], serde_json::json!([]));
    let top: Vec<u64> = billing["error_groups_top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert_eq!(top, [3, 2]);

    // One function by name: only its groups, only its calls.
    s.emu.reset_calls();
    let (_, doc, _) = json_of(
        &s.emu,
        &["errors", "orders", "--window", "1h", "--output", "json"],
    );
    let groups = doc["error_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(
        group(groups, "Task timed out after <n> seconds")["count"],
        2
    );
    assert_eq!(s.emu.count("logs:FilterLogEvents"), 1);

    // The table says the same.
    let mut cmd = s.emu.lamtop();
    cmd.args(["errors", "--window", "1h"]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 0, "{err}");
    let row = out
        .lines()
        .find(|l| l.contains("Runtime.OutOfMemory"))
        .unwrap();
    assert!(
        row.trim_start().starts_with("2  out_of_memory  new"),
        "{row}"
    );
    assert!(
        out.contains("↳ at Runtime.exports.handler (index.js)"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn once_json_carries_the_error_groups_and_the_deploy() {
    let s = seeded().await;
    let (code, snap, err) = json_of(&s.emu, &["--once", "--output", "json", "--window", "1h"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(snap["schema"], "lamtop.snapshot/v1");
    check_groups(&s, snap["error_groups"].as_array().unwrap());
    let billing = function_named(&snap, "billing");
    assert_eq!(billing["last_deployed"], deployed_rfc(&s));
    assert_eq!(billing["last_deployed"], billing["last_modified"]);
    // The deploy is inside the window: the seeded minute (25 invocations,
    // 5 errors) is before it, nothing after it yet.
    let deploy = &billing["deploy"];
    assert_eq!(deploy["at"], deployed_rfc(&s), "{deploy:#}");
    assert_eq!(deploy["before"]["invocations"], 25);
    assert_eq!(deploy["before"]["errors"], 5);
    assert_eq!(deploy["before"]["error_rate"], 0.2);
    assert_eq!(deploy["after"]["invocations"], 0);
    assert_eq!(deploy["after"]["error_rate"], Value::Null);
    assert_eq!(deploy["error_rate_z"], Value::Null);
    assert_eq!(deploy["regressed"], false);
    // ListFunctions' State and LastUpdateStatus; ListEventSourceMappings
    // has none for it; python3.12's date is on the runtimes page.
    assert_eq!(billing["state"], "Active");
    assert_eq!(billing["last_update_status"], "Successful");
    assert_eq!(billing["event_sources"], Value::Null);
    assert_eq!(billing["runtime_deprecation"]["date"], "2028-10-31");
    let fp =
        |title: &str| group(snap["error_groups"].as_array().unwrap(), title)["fingerprint"].clone();
    assert_eq!(
        billing["error_groups_top"],
        serde_json::json!([
            {"fingerprint": fp("Task timed out after <n> seconds"), "count": 3},
            {"fingerprint": fp("Runtime.OutOfMemory (REPORT Status: error)"), "count": 2},
        ])
    );
}

/// Values that must never reach a report: the credentials lamtop runs
/// with and a function's environment.
const SECRET_KEY: &str = "seeded-secret-key-7Hq2vN9xLp4RtY8w";
const SESSION_TOKEN: &str = "seeded-session-token-Zk3mQ8bV1cX6";
const ENV_SECRET: &str = "seeded-db-password-Wn5jR2tF9sK4";

/// `lamtop report billing`: the seeded story in the file (its deploy, its
/// two groups with exact counts, its ten failure lines, the commands),
/// never an overwrite, and none of the seeded secrets anywhere.
#[tokio::test(flavor = "multi_thread")]
async fn the_incident_report_holds_the_story_and_no_secret() {
    let s = seeded().await;
    let conf = s.emu.sdk_config().await;
    seed::function_with_env(&conf, "keeper", &[("DB_PASSWORD", ENV_SECRET)]).await;
    // A canary: version 2 takes a tenth of `live` and fails more.
    seed::deploy(&conf, "billing").await;
    let deployed = last_modified_of(&conf, "billing").await;
    aws_sdk_lambda::Client::new(&conf)
        .update_alias()
        .function_name("billing")
        .name("live")
        .function_version("1")
        .routing_config(
            aws_sdk_lambda::types::AliasRoutingConfiguration::builder()
                .additional_version_weights("2", 0.1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let t0 = (Utc::now().timestamp() / 60 - 2) * 60;
    for (version, calls, errors) in [("1", 90.0, 1.0), ("2", 10.0, 6.0)] {
        let id = ("billing", "live", version);
        seed::executed_count(&conf, id, "Invocations", t0, calls).await;
        seed::executed_count(&conf, id, "Errors", t0, errors).await;
    }
    let dir = std::env::temp_dir().join(format!("lamtop-report-{}", s.emu.port));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("incident.md");
    let report = |args: &[&str]| {
        let mut cmd = s.emu.lamtop();
        cmd.env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .current_dir(&dir)
            .arg("report")
            .args(args);
        run(cmd, LIMIT)
    };
    let (code, out, err) = report(&["billing", "--window", "1h", "-o", "incident.md"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("incident report written to incident.md ("),
        "{err}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    println!("report size: {} bytes", text.len());
    for secret in [SECRET_KEY, SESSION_TOKEN, ENV_SECRET] {
        assert!(!text.contains(secret), "a secret leaked: {secret}");
    }
    assert!(
        text.contains("| Looked into | billing (asked for) |"),
        "{text}"
    );
    let deployed = parse_last_modified(&deployed).unwrap();
    assert!(
        text.contains(&format!(
            "Latest deploy {}",
            deployed.format("%Y-%m-%d %H:%M:%S UTC")
        )),
        "{text}"
    );
    assert!(
        text.contains(", version `2`), inside the window."),
        "{text}"
    );
    assert!(text.contains("Published in the window: `1` at "), "{text}");
    assert!(text.contains("Alias `live → 1 90.0% · 2 10.0%`."), "{text}");
    // Before and after the deploy, from the seeded per-minute counts: all
    // 25 invocations and 5 errors were before it.
    assert!(text.contains("| before | 25 | 5 | 20.0% |"), "{text}");
    // The ExecutedVersion metrics of the alias, as seeded.
    assert!(
        text.contains("| live | 1 | 90.0% | 90 | 1 | 1.11% |  |"),
        "{text}"
    );
    assert!(
        text.contains("| live | 2 | 10.0% | 10 | 6 | 60.0% | fails significantly more |"),
        "{text}"
    );
    assert!(
        text.contains("- **`Task timed out after <n> seconds`** × 5 · timeout"),
        "{text}"
    );
    assert!(text.contains("  - also in: orders\n"), "{text}");
    assert!(
        text.contains("- **`Runtime.OutOfMemory (REPORT Status: error)`** × 2 · out of memory"),
        "{text}"
    );
    // Three timeouts and two kills, each its failure line and its REPORT.
    assert!(text.contains("### The last 10 failure lines"), "{text}");
    assert!(
        text.contains("lamtop --region=us-east-1 errors billing --window 1h")
            || text.contains("lamtop errors billing --window 1h"),
        "{text}"
    );

    // The same name again: refused, the first report kept.
    let (code, _, err) = report(&["billing", "--window", "1h", "-o", "incident.md"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("'incident.md' exists; lamtop never overwrites"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // No name: a new file in the report directory (here the current one),
    // looking into the worst function.
    let (code, _, err) = report(&["--window", "1h"]);
    assert_eq!(code, 0, "{err}");
    let made: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("lamtop-incident-"))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(
        made[0].ends_with("-orders.md"),
        "most errors (6 > 5): {made:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
