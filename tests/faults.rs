//! Fault injection through the test gateway: throttling, 5xx, latency,
//! connection resets, hung calls, a dead and restarted emulator, signals.
//! Every run is bounded in time; everything is on loopback.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{Emulator, function_named, now_minute, run, seed};

const LIMIT: Duration = Duration::from_secs(150);

async fn seeded(n: usize) -> Emulator {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::functions(&conf, n).await;
    let m = now_minute();
    seed::metrics(&conf, n, [m - 480, m - 240]).await;
    emu
}

fn once_json(emu: &Emulator) -> (i32, Option<Value>, String) {
    once_json_with(emu, &[])
}

/// `--once --output json --window 15m` with `extra` arguments.
fn once_json_with(emu: &Emulator, extra: &[&str]) -> (i32, Option<Value>, String) {
    let mut cmd = emu.lamtop();
    cmd.args(["--once", "--output", "json", "--window", "15m"]);
    cmd.args(extra);
    let (code, out, err) = run(cmd, LIMIT);
    (code, serde_json::from_str(&out).ok(), err)
}

#[tokio::test(flavor = "multi_thread")]
async fn once_under_throttling_5xx_and_resets_is_exact_or_names_the_api() {
    let emu = seeded(6).await;
    let mut ok = 0;
    for kind in ["throttle", "5xx", "reset"] {
        emu.set_faults(json!([{"ops": ["*"], "kind": kind, "rate": 0.3}]));
        let start = Instant::now();
        let (code, snap, err) = once_json(&emu);
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{kind}: took {:?}",
            start.elapsed()
        );
        match code {
            0 => {
                ok += 1;
                let snap = snap.unwrap();
                for f in snap["functions"].as_array().unwrap() {
                    let i: usize = f["name"].as_str().unwrap()[11..].parse().unwrap();
                    assert_eq!(
                        f["invocations"].as_f64(),
                        Some(seed::expected(i).invocations),
                        "{kind}"
                    );
                }
            }
            1 => assert!(
                err.lines()
                    .all(|l| l.starts_with("lamtop: ") && l.contains(':')),
                "{kind}: {err}"
            ),
            other => panic!("{kind}: exit {other}: {err}"),
        }
    }
    // With 30 % faults and three attempts per call most runs get through.
    assert!(ok >= 1, "no run succeeded under 30 % faults");
    emu.set_faults(json!([]));
    let (code, _, err) = once_json(&emu);
    assert_eq!(code, 0, "full recovery once the faults stop: {err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_and_hung_calls_are_bounded() {
    let emu = seeded(3).await;
    // 2 s of added latency: slower, still exact.
    emu.set_faults(
        json!([{"ops": ["GetMetricData"], "kind": "latency", "latency_ms": 2000, "rate": 1.0}]),
    );
    let (code, snap, err) = once_json(&emu);
    assert_eq!(code, 0, "{err}");
    let snap = snap.unwrap();
    let f0 = function_named(&snap, "seeded-fn-000");
    assert_eq!(
        f0["invocations"].as_f64(),
        Some(seed::expected(0).invocations)
    );
    // A call that hangs: the attempt times out, the run ends naming the API.
    emu.set_faults(
        json!([{"ops": ["ListFunctions"], "kind": "latency", "latency_ms": 60000, "rate": 1.0}]),
    );
    let start = Instant::now();
    let mut cmd = emu.lamtop();
    cmd.args(["--once"]);
    let (code, _, err) = run(cmd, LIMIT);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("lambda:ListFunctions") && err.contains("timed out"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(45),
        "{:?}",
        start.elapsed()
    );
}

/// A GetMetricData slower than `--deadline`: the snapshot still comes, with
/// every function of the inventory, the metrics null and a `timeout` error
/// naming the API; the table marks the missing columns. With the fault off
/// the same command is exact and exits 0.
#[tokio::test(flavor = "multi_thread")]
async fn a_passed_deadline_prints_what_arrived_and_names_what_did_not() {
    let emu = seeded(4).await;
    emu.set_faults(
        json!([{"ops": ["GetMetricData"], "kind": "latency", "latency_ms": 20000, "rate": 1.0}]),
    );
    let start = Instant::now();
    let (code, snap, err) = once_json_with(&emu, &["--deadline", "3s"]);
    let took = start.elapsed();
    assert_eq!(code, 1, "stderr: {err}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    let snap = snap.expect("a snapshot, not nothing");
    let fns = snap["functions"].as_array().unwrap();
    let mut names: Vec<&str> = fns.iter().map(|f| f["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, (0..4).map(seed::name).collect::<Vec<_>>());
    assert!(
        fns.iter()
            .all(|f| f["invocations"].is_null() && f["errors"].is_null())
    );
    let timeouts: Vec<&Value> = snap["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "timeout")
        .collect();
    assert_eq!(timeouts.len(), 1, "{}", snap["errors"]);
    assert_eq!(timeouts[0]["api"], "cloudwatch:GetMetricData");
    assert_eq!(timeouts[0]["affects"], "all metrics");
    assert!(
        timeouts[0]["message"]
            .as_str()
            .unwrap()
            .contains("no answer within 3s"),
        "{}",
        timeouts[0]
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "lamtop: cloudwatch:GetMetricData did not answer in time: no answer within 3s, \
          the --once deadline (raise --deadline or once_deadline, or check the endpoint)"
        ],
        "{err}"
    );

    // The table marks the columns that did not arrive.
    let mut cmd = emu.lamtop();
    cmd.args(["--once", "--window", "15m", "--deadline", "3s"]);
    let (code, out, _) = run(cmd, LIMIT);
    assert_eq!(code, 1);
    let header = out.lines().nth(1).unwrap();
    for col in ["INVOC*", "ERRORS*", "P99*", "P99/TO*"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(
        header.contains("MEM ") && !header.contains("MEM*"),
        "{header}"
    );
    assert!(
        out.contains(
            "note: * columns INVOC ERRORS ERR% THROT AVG P50 P99 MAX CONC P99/TO (all metrics) n/a"
        ),
        "{out}"
    );

    // Without the fault: exact, exit 0, no timeout.
    emu.set_faults(json!([]));
    let (code, snap, err) = once_json_with(&emu, &["--deadline", "60s"]);
    assert_eq!(code, 0, "{err}");
    let snap = snap.unwrap();
    let f0 = function_named(&snap, &seed::name(0));
    assert_eq!(
        f0["invocations"].as_f64(),
        Some(seed::expected(0).invocations)
    );
    // (moto has no GetAccountSettings and no percentiles: those notes stay.)
    let errors = snap["errors"].as_array().unwrap();
    assert!(errors.iter().all(|e| e["kind"] != "timeout"), "{errors:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_emulator_is_unreachable_then_recovers() {
    let emu = seeded(2).await;
    emu.backend(false);
    let mut cmd = emu.lamtop();
    cmd.args(["--once"]);
    let (code, out, err) = run(cmd, LIMIT);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("lambda:ListFunctions") && err.contains("unreachable"),
        "{err}"
    );
    // Restarted emulator: lamtop works again, with the same data.
    emu.backend(true);
    let (code, snap, err) = once_json(&emu);
    assert_eq!(code, 0, "{err}");
    let snap = snap.unwrap();
    assert_eq!(snap["functions"].as_array().unwrap().len(), 2);
    assert!(snap["functions"][0]["invocations"].as_f64().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn tail_loses_nothing_under_throttling_and_resets_and_ends_on_sigterm() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let t0 = now_minute() * 1000 - 100_000;
    let msgs: Vec<String> = (0..3000).map(|i| format!("event {i:04}")).collect();
    let events: Vec<(i64, &str)> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| (t0 + i as i64 * 10, m.as_str()))
        .collect();
    seed::log_events(&conf, "/faulty", "s", &events).await;
    emu.set_faults(json!([
        {"ops": ["FilterLogEvents"], "kind": "throttle", "rate": 0.3},
        {"ops": ["FilterLogEvents"], "kind": "reset", "rate": 0.1}
    ]));
    let got = support::tail_messages(&emu, "/faulty", "10m");
    assert_eq!(got, msgs, "every event, once, in order, despite the faults");

    // Following, then SIGTERM: a clean, quiet exit.
    emu.set_faults(json!([]));
    let mut cmd = emu.lamtop();
    cmd.args(["tail", "/faulty", "--since", "1m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "tail did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}
