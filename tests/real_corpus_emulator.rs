//! The real-output corpus (`tests/fixtures/real/logs`) written into a log
//! group of the emulator and read back with `lamtop tail --format json`:
//! every line's kind, failure, error type, ids and report numbers as its
//! source says, and `--errors` keeps exactly the failures.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::time::Duration;
use support::{Emulator, run, seed};

const LIMIT: Duration = Duration::from_secs(240);

fn corpus() -> Vec<(String, String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/logs");
    let mut out = Vec::new();
    for f in ["platform.jsonl", "runtimes.jsonl"] {
        for line in std::fs::read_to_string(dir.join(f)).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line).unwrap();
            out.push((
                v["id"].as_str().unwrap().to_string(),
                v["message"].as_str().unwrap().to_string(),
                v["expect"].clone(),
            ));
        }
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_real_line_reads_right_through_the_real_binary() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let group = "/aws/lambda/real-corpus";
    let samples = corpus();
    let t0 = chrono::Utc::now().timestamp_millis() - 60_000;
    let events: Vec<(i64, &str)> = samples
        .iter()
        .enumerate()
        .map(|(i, (_, m, _))| (t0 + i as i64, m.as_str()))
        .collect();
    seed::log_events(&conf, group, "2026/12/02/[$LATEST]corpus", &events).await;
    let tail = |extra: &[&str]| {
        let mut cmd = emu.lamtop();
        cmd.args([
            "tail",
            group,
            "--since",
            "5m",
            "--no-follow",
            "--format",
            "json",
        ]);
        cmd.args(extra);
        let (code, out, err) = run(cmd, LIMIT);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let got = tail(&[]);
    assert_eq!(got.len(), samples.len(), "every event once");
    let mut wrong = Vec::new();
    for ((id, message, expect), o) in samples.iter().zip(&got) {
        assert_eq!(o["message"].as_str(), Some(message.as_str()), "{id}: order");
        for key in ["kind", "failure", "error_type", "request_id", "trace_id"] {
            if let Some(want) = expect.get(key)
                && !same(want, &o[key])
            {
                wrong.push(format!("{id}: {key} = {} (want {want})", o[key]));
            }
        }
        if let Some(Value::Object(want)) = expect.get("report") {
            for (k, w) in want {
                if !same(w, &o["report"][k.as_str()]) {
                    wrong.push(format!("{id}: report.{k} = {} (want {w})", o["report"][k]));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let failures = samples
        .iter()
        .filter(|(_, _, e)| !e["failure"].is_null())
        .count();
    let errors = tail(&["--errors"]);
    assert_eq!(errors.len(), failures);
    assert!(errors.iter().all(|o| !o["failure"].is_null()));
    let ooms = errors
        .iter()
        .filter(|o| o["failure"] == "out_of_memory")
        .count();
    assert!(
        ooms >= 10,
        "the corpus's OOM kills are all failures: {ooms}"
    );
}
