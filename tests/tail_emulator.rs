//! `lamtop tail` end to end against the emulator: lossless following (new
//! streams, late events), catch-up of 20,000 events, filters, the JSON
//! schema, hostile content and a closed pipe.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{Emulator, run, seed};

const LIMIT: Duration = Duration::from_secs(240);

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_sees_new_streams_and_late_events_exactly_once() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let group = "/aws/lambda/tail-fn";
    let t = now_ms();
    seed::log_events(
        &conf,
        group,
        "2026/11/27/[$LATEST]aaaa",
        &[(t - 5000, "before-1"), (t - 4000, "before-2")],
    )
    .await;

    let mut cmd = emu.lamtop();
    cmd.args(["tail", group, "--since", "1m", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen: HashMap<String, usize> = HashMap::new();
    let wait_for = |want: &[&str], seen: &mut HashMap<String, usize>| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !want.iter().all(|w| seen.contains_key(*w)) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {want:?}; have {seen:?}"
            );
            if let Ok(line) = rx.recv_timeout(left) {
                let v: Value = serde_json::from_str(&line).unwrap();
                *seen
                    .entry(v["message"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
    };
    wait_for(&["before-1", "before-2"], &mut seen);
    // A stream created after the tail started, and an event stamped 2 s in the past.
    let t = now_ms();
    seed::log_events(
        &conf,
        group,
        "2026/11/27/[$LATEST]bbbb-new",
        &[(t, "new-stream")],
    )
    .await;
    seed::log_events(
        &conf,
        group,
        "2026/11/27/[$LATEST]cccc",
        &[(t - 2000, "late-2s")],
    )
    .await;
    wait_for(&["new-stream", "late-2s"], &mut seen);
    // Keep following a while: nothing may show up twice.
    let settle = Instant::now() + Duration::from_secs(8);
    while let Ok(line) = rx.recv_timeout(settle.saturating_duration_since(Instant::now())) {
        let v: Value = serde_json::from_str(&line).unwrap();
        *seen
            .entry(v["message"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.values().all(|n| *n == 1), "duplicates: {seen:?}");
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn catch_up_of_20000_events_is_complete_ordered_and_unique() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let group = "/aws/lambda/busy";
    let t0 = now_ms() - 120_000;
    for batch in 0..2 {
        let msgs: Vec<String> = (0..10_000)
            .map(|i| format!("event {:05}", batch * 10_000 + i))
            .collect();
        let events: Vec<(i64, &str)> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| (t0 + (batch * 10_000 + i as i64) * 5, m.as_str()))
            .collect();
        seed::log_events(
            &conf,
            group,
            &format!("2026/11/27/[$LATEST]s{batch}"),
            &events,
        )
        .await;
    }
    let msgs = support::tail_messages(&emu, group, "10m");
    assert_eq!(msgs.len(), 20_000);
    let want: Vec<String> = (0..20_000).map(|i| format!("event {i:05}")).collect();
    assert_eq!(msgs, want, "complete, unique and in time order");
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_formats_hostile_content_and_closed_pipe() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let group = "/aws/lambda/mixed";
    let t = now_ms() - 10_000;
    let big = format!("BIG {}", "x".repeat(1_000_000));
    let report = "REPORT RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 200.00 ms";
    let lines = [
        (
            t,
            "START RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa Version: $LATEST",
        ),
        (t + 1, "[ERROR] KeyError: 'id'"),
        (t + 2, "evil \u{1b}[2J\u{1b}]0;pwned\u{7} bell\r carriage"),
        (t + 3, report),
        (t + 4, big.as_str()),
        (
            t + 5,
            "{\"level\":\"info\",\"message\":\"hello json\",\"orderId\":7}",
        ),
    ];
    seed::log_events(&conf, group, "2026/11/27/[$LATEST]m", &lines).await;
    let tail = |extra: &[&str]| {
        let mut cmd = emu.lamtop();
        cmd.args([
            "tail",
            group,
            "--since",
            "5m",
            "--no-follow",
            "--utc",
            "--color",
            "never",
        ])
        .args(extra);
        let (code, out, err) = run(cmd, LIMIT);
        assert_eq!(code, 0, "{err}");
        out
    };

    let short = tail(&[]);
    assert!(
        !short.contains('\u{1b}') && !short.contains('\u{7}') && !short.contains('\r'),
        "raw control bytes leaked"
    );
    assert!(
        short.contains("evil \\x1b[2J\\x1b]0;pwned\\x07 bell\\r carriage"),
        "{short}"
    );
    assert!(
        short.contains(
            "REPORT 6d68ca91 12.5ms (billed 13.0ms) · mem 70/128 MB · ❄ cold start, init 200.0ms"
        ),
        "{short}"
    );
    assert!(short.contains("INFO hello json · orderId=7"), "{short}");
    let big_line = short.lines().find(|l| l.contains("BIG ")).unwrap();
    assert!(
        big_line.len() < 20_000 && big_line.contains("bytes; --format json prints all]"),
        "{}",
        big_line.len()
    );
    assert_eq!(short.lines().count(), 6);

    let errors = tail(&["--errors"]);
    assert_eq!(errors.lines().count(), 1, "{errors}");
    assert!(errors.contains("KeyError"));
    let reports = tail(&["--reports"]);
    assert_eq!(reports.lines().count(), 1, "{reports}");
    let grep = tail(&["--grep", "json|evil", "--grep-v", "evil"]);
    assert_eq!(grep.lines().count(), 1, "{grep}");
    assert!(grep.contains("hello json"));
    let server = tail(&["--filter", "KeyError"]);
    assert!(
        server.contains("KeyError") && !server.contains("hello json"),
        "{server}"
    );

    let json = tail(&["--format", "json"]);
    let objs: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 6);
    for o in &objs {
        for k in [
            "function",
            "log_group",
            "stream",
            "timestamp",
            "ingestion_time",
            "event_id",
            "kind",
            "message",
            "report",
        ] {
            assert!(o.get(k).is_some(), "missing {k} in {o}");
        }
        assert_eq!(o["log_group"], group);
    }
    let r = objs.iter().find(|o| o["kind"] == "report").unwrap();
    assert_eq!(r["report"]["init_ms"], 200.0);
    assert_eq!(r["report"]["max_memory_mb"], 70);
    let big_json = objs
        .iter()
        .find(|o| o["message"].as_str().unwrap().starts_with("BIG"))
        .unwrap();
    assert_eq!(
        big_json["message"].as_str().unwrap().len(),
        big.len(),
        "json keeps the whole message"
    );
    assert_eq!(
        objs.iter().find(|o| o["kind"] == "error").unwrap()["message"],
        "[ERROR] KeyError: 'id'"
    );

    // A reader that goes away after one line: a quiet, successful exit.
    let mut cmd = emu.lamtop();
    cmd.args(["tail", group, "--since", "5m", "--no-follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status:?} {err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn unknown_function_is_a_warning_and_bad_regex_is_usage() {
    let emu_less = std::process::Command::new(env!("CARGO_BIN_EXE_lamtop"))
        .args([
            "--demo",
            "tail",
            "orders-api",
            "no-such-fn",
            "--since",
            "1m",
            "--no-follow",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&emu_less.stderr);
    assert!(emu_less.status.success(), "{err}");
    assert!(err.contains("'no-such-fn' matched no function"), "{err}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_lamtop"))
        .args([
            "--demo",
            "tail",
            "orders-api",
            "--grep",
            "a(",
            "--no-follow",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--grep: invalid regex 'a('"));
}
