//! The signal metrics end to end: three functions in the emulator, a
//! Kinesis consumer with IteratorAge, an async function with its async
//! and DLQ metrics (and an SQS mapping), a plain one with neither. `--once
//! --output json` must give exactly the seeded maxima and sums, list the
//! mappings with their state, and ask GetMetricData nothing extra for the
//! plain function (the gateway counts queries per metric and function).
//! The queue, stream and mappings are made with boto3 (moto's own
//! client), as the tests' Rust dependencies have no SQS or Kinesis client.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use support::{
    ACCESS_KEY, Emulator, SECRET_KEY, ensure_venv, function_named, now_minute, run, seed,
};

const LIMIT: Duration = Duration::from_secs(120);

const MAPPINGS: &str = r#"
import sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1",
          aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
sqs = boto3.client("sqs", **kw)
url = sqs.create_queue(QueueName="hook-jobs")["QueueUrl"]
queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
kinesis = boto3.client("kinesis", **kw)
kinesis.create_stream(StreamName="clicks", ShardCount=1)
stream = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
lam = boto3.client("lambda", **kw)
lam.create_event_source_mapping(EventSourceArn=queue, FunctionName="hook", BatchSize=10)
lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer",
                                BatchSize=100, StartingPosition="LATEST")
"#;

fn make_mappings(emu: &Emulator) {
    let out = Command::new(ensure_venv())
        .args(["-c", MAPPINGS, &emu.endpoint(), ACCESS_KEY, SECRET_KEY])
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn once_json_has_exactly_the_seeded_signals_and_nothing_extra() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    for name in ["consumer", "hook", "plain"] {
        seed::function_named(&conf, name, 256, 30).await;
    }
    make_mappings(&emu);
    let (a, b) = (now_minute() - 600, now_minute() - 540);
    for name in ["consumer", "hook", "plain"] {
        seed::counts(&conf, name, "Invocations", &[(a, 20.0), (b, 10.0)]).await;
    }
    seed::counts(
        &conf,
        "consumer",
        "IteratorAge",
        &[(a, 1_500.0), (b, 90_000.0)],
    )
    .await;
    seed::counts(&conf, "hook", "AsyncEventsReceived", &[(a, 10.0), (b, 5.0)]).await;
    seed::counts(&conf, "hook", "AsyncEventAge", &[(a, 700.0), (b, 42_000.0)]).await;
    seed::counts(&conf, "hook", "AsyncEventsDropped", &[(a, 2.0), (b, 1.0)]).await;
    seed::counts(&conf, "hook", "DeadLetterErrors", &[(b, 1.0)]).await;
    emu.reset_calls();

    let mut cmd = emu.lamtop();
    cmd.args(["--once", "--output", "json", "--window", "1h"]);
    let (code, out, err) = run(cmd, LIMIT);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let snap: Value = serde_json::from_str(&out).unwrap();

    let consumer = function_named(&snap, "consumer");
    let sources = consumer["event_sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!(sources[0]["type"], "kinesis");
    assert_eq!(sources[0]["batch_size"], 100);
    assert!(sources[0]["state"].is_string(), "{sources:?}");
    assert_eq!(sources[0]["iterator_age_max_ms"], 90_000);
    assert_eq!(consumer["async"], Value::Null);

    let hook = function_named(&snap, "hook");
    let sqs = &hook["event_sources"][0];
    assert_eq!(
        (&sqs["type"], &sqs["batch_size"]),
        (&"sqs".into(), &10.into())
    );
    // Not a stream: no iterator age for a queue.
    assert_eq!(sqs["iterator_age_max_ms"], Value::Null);
    let asynchronous = &hook["async"];
    assert_eq!(asynchronous["events_received"], 15);
    assert_eq!(asynchronous["event_age_max_ms"], 42_000);
    assert_eq!(asynchronous["events_dropped"], 3);
    assert_eq!(asynchronous["dead_letter_errors"], 1);
    assert_eq!(asynchronous["destination_delivery_failures"], Value::Null);

    let plain = function_named(&snap, "plain");
    for key in [
        "event_sources",
        "async",
        "provisioned",
        "extension_duration_ms",
        "recursive_invocations_dropped",
    ] {
        assert_eq!(plain[key], Value::Null, "plain.{key}");
    }

    // One ListMetrics per signal metric; queries only where published.
    assert_eq!(emu.count("cloudwatch:ListMetrics"), 11, "{:?}", emu.calls());
    let q = emu.queries();
    assert_eq!(q.get("IteratorAge consumer"), Some(&1), "{q:?}");
    assert_eq!(q.get("DeadLetterErrors hook"), Some(&1), "{q:?}");
    let extra = |f: &str| {
        q.iter()
            .filter(|(k, _)| k.ends_with(&format!(" {f}")))
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    // The six series and three percentiles every function gets, and
    // nothing else for the plain one.
    assert_eq!(extra("plain"), 9, "{q:?}");
    assert_eq!(extra("consumer"), 10, "{q:?}");
    assert_eq!(extra("hook"), 13, "{q:?}");
}
