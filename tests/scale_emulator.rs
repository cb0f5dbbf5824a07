//! A large fleet against the emulator, small enough for CI (1,200
//! functions): counts and correctness, not timings (those are in
//! `scripts/scale.py` and the README).

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::time::Duration;
use support::{Emulator, now_minute, run, seed};

const FLEET: usize = 1200;
/// Functions with datapoints (moto scans every datapoint for every query,
/// so the rest stay idle).
const ACTIVE: usize = 12;

#[tokio::test(flavor = "multi_thread")]
async fn twelve_hundred_functions_cost_ceil_queries_over_500_calls_with_exact_numbers() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::many_functions(&conf, FLEET).await;
    let m = now_minute();
    for i in (0..FLEET).step_by(FLEET / ACTIVE) {
        let f = seed::scale_name(i);
        let inv = 1.0 + (i % 7) as f64;
        seed::counts(
            &conf,
            &f,
            "Invocations",
            &[(m - 300, inv), (m - 180, 2.0 * inv)],
        )
        .await;
        seed::counts(&conf, &f, "Errors", &[(m - 180, (i % 3) as f64)]).await;
    }
    emu.reset_calls();

    let mut cmd = emu.lamtop();
    cmd.args([
        "--once", "--output", "json", "--window", "15m", "--sort", "name",
    ]);
    let (code, out, err) = run(cmd, Duration::from_secs(300));
    assert_eq!(code, 0, "stderr: {err}");
    let snap: Value = serde_json::from_str(&out).expect("valid JSON");
    let functions = snap["functions"].as_array().unwrap();
    assert_eq!(functions.len(), FLEET);
    assert_eq!(snap["account"]["functions"], FLEET);
    // Sorted by name, every one present once.
    for (i, f) in functions.iter().enumerate() {
        assert_eq!(f["name"], seed::scale_name(i));
        let inv = f["invocations"].as_f64().unwrap();
        if i % (FLEET / ACTIVE) == 0 {
            assert_eq!(inv, 3.0 * (1.0 + (i % 7) as f64), "{}", f["name"]);
            assert_eq!(f["errors"].as_f64(), Some((i % 3) as f64), "{}", f["name"]);
        } else {
            // No datapoint in the window: idle, 0, not n/a.
            assert_eq!(inv, 0.0, "{}", f["name"]);
        }
    }
    // One refresh: 6 series × 1,200 + 2 account = 7,202 plain queries →
    // ceil(7202/500) = 15 calls; 3 × 1,200 = 3,600 percentile queries →
    // ceil(3600/500) = 8 calls (the SDK retries one up to 3 times when the
    // emulator fails it: it cannot compute percentiles of stored values).
    assert_eq!(emu.count("cloudwatch:GetMetricData"), 15);
    let pct = emu.count("cloudwatch:GetMetricData#percentiles");
    assert!((8..=8 * 3).contains(&pct), "{pct} percentile requests");
    assert_eq!(emu.count("lambda:ListFunctions"), 1);
}
