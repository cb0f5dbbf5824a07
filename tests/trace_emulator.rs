//! `lamtop trace` against the emulator: seeded segments come back through
//! the real SDK as the right tree and waterfall.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::time::Duration;
use support::{Emulator, run, seed};

#[tokio::test(flavor = "multi_thread")]
async fn seeded_trace_prints_as_waterfall_and_json_tree() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        - 60.0;
    let id = format!("1-{:08x}-0123456789abcdef01234567", now as u64);
    let lambda = format!(
        r#"{{"id":"a000000000000001","trace_id":"{id}","name":"orders-api","origin":"AWS::Lambda","start_time":{s},"end_time":{e},"http":{{"response":{{"status":200}}}},"aws":{{"request_id":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa"}}}}"#,
        s = now,
        e = now + 0.45
    );
    let function = format!(
        r#"{{"id":"b000000000000002","trace_id":"{id}","parent_id":"a000000000000001","name":"orders-api","origin":"AWS::Lambda::Function","start_time":{s},"end_time":{e},"fault":true,"cause":{{"exceptions":[{{"type":"TypeError","message":"x is undefined","stack":[{{"path":"index.js","line":10,"label":"handler"}}]}}]}},"subsegments":[{{"id":"c000000000000003","name":"Initialization","start_time":{s},"end_time":{i}}},{{"id":"c000000000000004","name":"Invocation","start_time":{i},"end_time":{e}}}]}}"#,
        s = now + 0.01,
        i = now + 0.25,
        e = now + 0.44
    );
    seed::trace_segments(&conf, &[lambda, function]).await;

    let mut cmd = emu.lamtop();
    cmd.args(["trace", &id, "--width", "120"]);
    let (code, out, err) = run(cmd, Duration::from_secs(120));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("trace {id} · 450ms · 4 segments")),
        "{out}"
    );
    assert!(out.contains("orders-api (AWS::Lambda)"), "{out}");
    assert!(
        out.contains("    Initialization [cold start: init]"),
        "{out}"
    );
    assert!(out.contains("✖ TypeError: x is undefined"), "{out}");
    assert!(out.contains("at handler (index.js:10)"), "{out}");

    let mut cmd = emu.lamtop();
    cmd.args(["trace", &id, "--format", "json"]);
    let (code, out, err) = run(cmd, Duration::from_secs(120));
    assert_eq!(code, 0, "{err}");
    let tree: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(tree["roots"].as_array().unwrap().len(), 1);
    let function = &tree["roots"][0]["children"][0];
    assert_eq!(function["origin"], "AWS::Lambda::Function");
    assert_eq!(function["fault"], true);
    assert_eq!(function["children"][1]["name"], "Invocation");
    assert_eq!(
        tree["roots"][0]["request_id"],
        "6d68ca91-49c9-448d-89b8-7ca3e6dc66aa"
    );

    let mut cmd = emu.lamtop();
    cmd.args(["trace", "1-00000000-000000000000000000000000"]);
    let (code, _, err) = run(cmd, Duration::from_secs(120));
    assert_eq!(code, 1);
    assert!(err.contains("not found"), "{err}");
}
