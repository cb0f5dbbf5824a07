//! Seeding the emulator through the real SDK: functions, AWS/Lambda metrics
//! (Duration as Values/Counts), alarms, log events and trace segments. The
//! seeded numbers are a pure function of the function index, so tests can
//! compute exactly what lamtop must report.

use aws_config::SdkConfig;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StateValue};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, FunctionCode, Runtime};

/// The execution role the gateway creates in moto's IAM.
pub const ROLE: &str = "arn:aws:iam::123456789012:role/lamtop-test";

/// A valid, empty zip archive (just the end-of-central-directory record).
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// What one seeded function should report over a window covering both
/// seeded minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// Function name.
    pub name: String,
    /// Memory in MB.
    pub memory_mb: i32,
    /// Timeout in s.
    pub timeout_s: i32,
    /// Sum of invocations.
    pub invocations: f64,
    /// Sum of errors.
    pub errors: f64,
    /// Sum of throttles.
    pub throttles: f64,
    /// Exact mean duration over all samples.
    pub duration_avg: f64,
    /// Largest duration sample.
    pub duration_max: f64,
    /// Peak concurrency.
    pub concurrency_max: f64,
}

/// One minute of one function: invocations, errors, throttles, duration
/// samples as (value, count), concurrency.
struct MinuteSeed {
    invocations: f64,
    errors: f64,
    throttles: f64,
    durations: Vec<(f64, f64)>,
    concurrency: f64,
}

fn minutes_of(i: usize) -> [MinuteSeed; 2] {
    let i_f = i as f64;
    let inv1 = 2.0 + (i % 5) as f64;
    let inv2 = 1.0 + (i % 3) as f64;
    let half = (inv1 / 2.0).floor();
    [
        MinuteSeed {
            invocations: inv1,
            errors: (i % 3) as f64,
            throttles: (i % 2) as f64,
            durations: vec![(50.0 + i_f, half), (150.0 + i_f * 2.0, inv1 - half)],
            concurrency: 1.0 + (i % 7) as f64,
        },
        MinuteSeed {
            invocations: inv2,
            errors: (i % 2) as f64,
            throttles: 0.0,
            durations: vec![(300.0 + i_f * 0.5, inv2)],
            concurrency: 2.0,
        },
    ]
}

/// The name of seeded function `i`.
pub fn name(i: usize) -> String {
    format!("seeded-fn-{i:03}")
}

/// What lamtop must report for seeded function `i`.
pub fn expected(i: usize) -> Expected {
    let ms = minutes_of(i);
    let samples: Vec<(f64, f64)> = ms.iter().flat_map(|m| m.durations.clone()).collect();
    let n: f64 = samples.iter().map(|(_, c)| c).sum();
    Expected {
        name: name(i),
        memory_mb: 128 + 64 * (i % 8) as i32,
        timeout_s: 3 + (i % 10) as i32,
        invocations: ms.iter().map(|m| m.invocations).sum(),
        errors: ms.iter().map(|m| m.errors).sum(),
        throttles: ms.iter().map(|m| m.throttles).sum(),
        duration_avg: samples.iter().map(|(v, c)| v * c).sum::<f64>() / n,
        duration_max: samples.iter().map(|(v, _)| *v).fold(f64::MIN, f64::max),
        concurrency_max: ms.iter().map(|m| m.concurrency).fold(f64::MIN, f64::max),
    }
}

/// Account-level peak concurrency seeded (above every function's values,
/// since moto matches a dimensionless query against every datum).
pub const ACCOUNT_CONCURRENCY: [f64; 2] = [40.0, 75.0];

/// A CreateFunction of an empty python3.12 zip with the test role; callers
/// add what differs and send it.
fn create(
    lambda: &aws_sdk_lambda::Client,
    name: &str,
) -> aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder {
    lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(ROLE)
        .handler("index.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(EMPTY_ZIP.to_vec()))
                .build(),
        )
}

/// Creates `n` functions.
pub async fn functions(conf: &SdkConfig, n: usize) {
    functions_as(conf, n, ROLE).await;
}

/// Creates `n` functions in another account (`conf` from
/// `Emulator::sdk_config_in`), with that account's test role.
pub async fn functions_in(conf: &SdkConfig, account: &str, n: usize) {
    functions_as(conf, n, &format!("arn:aws:iam::{account}:role/lamtop-test")).await;
}

async fn functions_as(conf: &SdkConfig, n: usize, role: &str) {
    let lambda = aws_sdk_lambda::Client::new(conf);
    for i in 0..n {
        let e = expected(i);
        create(&lambda, &e.name)
            .role(role)
            .runtime(if i % 2 == 0 {
                Runtime::Python312
            } else {
                Runtime::Nodejs20x
            })
            .memory_size(e.memory_mb)
            .timeout(e.timeout_s)
            .architectures(if i % 3 == 0 {
                Architecture::Arm64
            } else {
                Architecture::X8664
            })
            .send()
            .await
            .unwrap_or_else(|err| panic!("CreateFunction {}: {err:?}", e.name));
    }
}

fn datum(
    name: &str,
    function: Option<&str>,
    t: DateTime,
    unit: StandardUnit,
) -> aws_sdk_cloudwatch::types::builders::MetricDatumBuilder {
    let mut b = MetricDatum::builder()
        .metric_name(name)
        .timestamp(t)
        .unit(unit);
    if let Some(f) = function {
        b = b.dimensions(Dimension::builder().name("FunctionName").value(f).build());
    }
    b
}

/// Puts two minutes of metrics for functions `0..n`, at `minute_starts`
/// (epoch seconds of two whole minutes inside the window under test).
pub async fn metrics(conf: &SdkConfig, n: usize, minute_starts: [i64; 2]) {
    let cw = aws_sdk_cloudwatch::Client::new(conf);
    let mut data = Vec::new();
    for i in 0..n {
        let f = name(i);
        for (m, t0) in minutes_of(i).iter().zip(minute_starts) {
            let t = DateTime::from_secs(t0 + 10);
            let count = |metric: &str, v: f64| {
                datum(metric, Some(&f), t, StandardUnit::Count)
                    .value(v)
                    .build()
            };
            data.push(count("Invocations", m.invocations));
            data.push(count("Errors", m.errors));
            data.push(count("Throttles", m.throttles));
            data.push(count("ConcurrentExecutions", m.concurrency));
            let mut d = datum("Duration", Some(&f), t, StandardUnit::Milliseconds);
            for (v, c) in &m.durations {
                d = d.values(*v).counts(*c);
            }
            data.push(d.build());
        }
    }
    for (v, t0) in ACCOUNT_CONCURRENCY.iter().zip(minute_starts) {
        let t = DateTime::from_secs(t0 + 10);
        data.push(
            datum("ConcurrentExecutions", None, t, StandardUnit::Count)
                .value(*v)
                .build(),
        );
    }
    for chunk in data.chunks(200) {
        cw.put_metric_data()
            .namespace("AWS/Lambda")
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
            .expect("PutMetricData");
    }
}

/// A metric alarm on one function's Errors, forced into `state`.
pub async fn alarm(
    conf: &SdkConfig,
    name: &str,
    namespace: &str,
    function: Option<&str>,
    state: StateValue,
) {
    let cw = aws_sdk_cloudwatch::Client::new(conf);
    let mut req = cw
        .put_metric_alarm()
        .alarm_name(name)
        .namespace(namespace)
        .metric_name("Errors")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold);
    if let Some(f) = function {
        req = req.dimensions(Dimension::builder().name("FunctionName").value(f).build());
    }
    req.send().await.expect("PutMetricAlarm");
    cw.set_alarm_state()
        .alarm_name(name)
        .state_value(state)
        .state_reason(format!("seeded by the test as {name}"))
        .send()
        .await
        .expect("SetAlarmState");
}

/// Creates a log group and stream and puts `messages` at `times_ms`.
pub async fn log_events(conf: &SdkConfig, group: &str, stream: &str, events: &[(i64, &str)]) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(conf);
    let _ = logs.create_log_group().log_group_name(group).send().await;
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .expect("CreateLogStream");
    let batch: Vec<_> = events
        .iter()
        .map(|(t, m)| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(*t)
                .message(*m)
                .build()
                .expect("log event")
        })
        .collect();
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(batch))
        .send()
        .await
        .expect("PutLogEvents");
}

/// Puts raw X-Ray segment documents.
pub async fn trace_segments(conf: &SdkConfig, documents: &[String]) {
    let xray = aws_sdk_xray::Client::new(conf);
    let out = xray
        .put_trace_segments()
        .set_trace_segment_documents(Some(documents.to_vec()))
        .send()
        .await
        .expect("PutTraceSegments");
    assert!(
        out.unprocessed_trace_segments().is_empty(),
        "unprocessed segments"
    );
}

/// Creates one function with the given name (python3.12, x86_64).
pub async fn function_named(conf: &SdkConfig, name: &str, memory_mb: i32, timeout_s: i32) {
    create(&aws_sdk_lambda::Client::new(conf), name)
        .memory_size(memory_mb)
        .timeout(timeout_s)
        .send()
        .await
        .unwrap_or_else(|err| panic!("CreateFunction {name}: {err:?}"));
}

/// Creates `name` with environment variables (a function's secrets live
/// there; nothing of them may leave lamtop).
pub async fn function_with_env(conf: &SdkConfig, name: &str, vars: &[(&str, &str)]) {
    let mut env = aws_sdk_lambda::types::Environment::builder();
    for (k, v) in vars {
        env = env.variables(*k, *v);
    }
    create(&aws_sdk_lambda::Client::new(conf), name)
        .environment(env.build())
        .send()
        .await
        .unwrap_or_else(|err| panic!("CreateFunction {name}: {err:?}"));
}

/// Puts one count of `metric` for invocations of `function:alias` that
/// ran `version` (the `Resource` and `ExecutedVersion` dimensions Lambda
/// publishes for an alias), at `t0` (epoch seconds of a whole minute).
pub async fn executed_count(
    conf: &SdkConfig,
    (function, alias, version): (&str, &str, &str),
    metric: &str,
    t0: i64,
    value: f64,
) {
    let dim = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
    let d = datum(
        metric,
        Some(function),
        DateTime::from_secs(t0 + 10),
        StandardUnit::Count,
    )
    .dimensions(dim("Resource", &format!("{function}:{alias}")))
    .dimensions(dim("ExecutedVersion", version))
    .value(value)
    .build();
    aws_sdk_cloudwatch::Client::new(conf)
        .put_metric_data()
        .namespace("AWS/Lambda")
        .metric_data(d)
        .send()
        .await
        .expect("PutMetricData");
}

/// Puts per-minute counts of one AWS/Lambda metric of `function`: one
/// `(minute start, value)` per minute.
pub async fn counts(conf: &SdkConfig, function: &str, metric: &str, minutes: &[(i64, f64)]) {
    let data: Vec<MetricDatum> = minutes
        .iter()
        .map(|(t0, v)| {
            datum(
                metric,
                Some(function),
                DateTime::from_secs(t0 + 10),
                StandardUnit::Count,
            )
            .value(*v)
            .build()
        })
        .collect();
    aws_sdk_cloudwatch::Client::new(conf)
        .put_metric_data()
        .namespace("AWS/Lambda")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("PutMetricData");
}

/// Creates `n` plain functions `scale-fn-00000`… (128 MB, 3 s), eight at a
/// time: enough to test a large fleet without the metrics cost of `functions`.
pub async fn many_functions(conf: &SdkConfig, n: usize) {
    let lambda = aws_sdk_lambda::Client::new(conf);
    let mut set = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let lambda = lambda.clone();
        set.spawn(async move {
            for i in (worker..n).step_by(8) {
                let name = scale_name(i);
                create(&lambda, &name)
                    .send()
                    .await
                    .unwrap_or_else(|err| panic!("CreateFunction {name}: {err:?}"));
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("a seeding worker");
    }
}

/// The name of scale function `i`.
pub fn scale_name(i: usize) -> String {
    format!("scale-fn-{i:05}")
}

/// Deploys `name` again (UpdateFunctionCode, then PublishVersion, as a CI
/// pipeline does) and returns the new `LastModified` as the API spells it.
pub async fn deploy(conf: &SdkConfig, name: &str) -> String {
    let lambda = aws_sdk_lambda::Client::new(conf);
    lambda
        .update_function_code()
        .function_name(name)
        .zip_file(Blob::new(EMPTY_ZIP.to_vec()))
        .send()
        .await
        .unwrap_or_else(|err| panic!("UpdateFunctionCode {name}: {err:?}"));
    let v = lambda
        .publish_version()
        .function_name(name)
        .send()
        .await
        .unwrap_or_else(|err| panic!("PublishVersion {name}: {err:?}"));
    v.last_modified().unwrap_or_default().to_string()
}
