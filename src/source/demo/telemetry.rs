//! Log lines and X-Ray traces of the demo fleet, derived from the same
//! per-minute model as its metrics (a sample of each minute's requests, so
//! log volume stays readable).

use super::fleet::{self, Behaviour, Spec, unit};
use crate::model::logs::pattern::FilterPattern;
use crate::model::logs::{LogEvent, LogPage, LogQuery};
use crate::model::traces::{RawTrace, TraceQuery, TraceSummary, TraceSummaryPage};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Requests logged per minute and function (a sample of the real volume).
const SAMPLED_PER_MINUTE: u64 = 6;
/// Events per page, like a small FilterLogEvents page.
const PAGE_SIZE: usize = 500;

fn hex(seed: u64, a: u64, b: u64, digits: usize) -> String {
    let mut s = String::new();
    let mut k = 0;
    while s.len() < digits {
        s.push_str(&format!(
            "{:016x}",
            (unit(seed, a ^ (k << 40), b) * 2f64.powi(53)) as u64
        ));
        k += 1;
    }
    s.truncate(digits);
    s
}

fn request_id(seed: u64, idx: usize, minute: i64, j: u64) -> String {
    let h = hex(seed, (idx as u64) << 16 | j, minute as u64, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// One sampled request of a minute: its start (ms) and its story.
struct Request {
    id: String,
    start_ms: i64,
    duration_ms: f64,
    cold_init_ms: Option<f64>,
    error: bool,
    timed_out: bool,
    /// The X-Ray trace of this request (sampled: the first of the minute,
    /// on functions with active tracing).
    xray: Option<String>,
}

fn requests(seed: u64, idx: usize, spec: &Spec, minute: i64) -> Vec<Request> {
    let m = fleet::minute(seed, idx, spec, minute);
    let n = (m.invocations as u64).min(SAMPLED_PER_MINUTE);
    let timeout_ms = f64::from(spec.info.timeout_s) * 1000.0;
    (0..n)
        .map(|j| {
            let r = |k: u64| unit(seed, (idx as u64) << 20 | j << 4 | k, minute as u64);
            let error = r(1) < m.errors / m.invocations.max(1.0);
            let timed_out = spec.behaviour == Behaviour::TimeoutProne && error;
            Request {
                id: request_id(seed, idx, minute, j),
                start_ms: minute * 60_000 + (r(2) * 59_000.0) as i64,
                duration_ms: if timed_out {
                    timeout_ms
                } else {
                    (m.avg_ms * (0.5 + r(3))).min(timeout_ms)
                },
                cold_init_ms: (r(4) < (m.cold_starts / m.invocations.max(1.0)).max(0.02))
                    .then(|| 180.0 + 600.0 * r(5)),
                error,
                timed_out,
                xray: (j == 0 && spec.info.tracing == crate::model::function::TracingMode::Active)
                    .then(|| trace_id(seed, idx, minute)),
            }
        })
        .collect()
}

fn lines(spec: &Spec, req: &Request) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let t = req.start_ms;
    let mem = spec.info.memory_mb;
    if let Some(init) = req.cold_init_ms {
        out.push((
            t - init as i64,
            format!(
                "INIT_START Runtime Version: {}.v42\tRuntime Version ARN: arn:aws:lambda:demo-1::runtime:{}",
                spec.info.runtime, spec.info.runtime
            ),
        ));
    }
    out.push((t, format!("START RequestId: {} Version: $LATEST", req.id)));
    out.push((
        t + 2,
        format!(
            "{{\"level\":\"INFO\",\"message\":\"handling request\",\"requestId\":\"{}\",\"function\":\"{}\"}}",
            req.id, spec.info.id.name
        ),
    ));
    let end = t + req.duration_ms as i64;
    if req.timed_out {
        out.push((
            end,
            format!(
                "{}\t{}\tTask timed out after {}.00 seconds",
                DateTime::<Utc>::from_timestamp_millis(end)
                    .unwrap_or_default()
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                req.id,
                spec.info.timeout_s
            ),
        ));
    } else if req.error {
        out.push((end - 1, failure_line(spec, req, end - 1)));
    }
    out.push((end, format!("END RequestId: {}", req.id)));
    let used = (f64::from(mem) * 0.3).round() as u32 + (req.duration_ms as u32 % 40);
    let mut report = format!(
        "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        req.id,
        req.duration_ms,
        req.duration_ms.ceil() as u64,
        mem,
        used.min(mem)
    );
    if let Some(init) = req.cold_init_ms {
        report.push_str(&format!("\tInit Duration: {init:.2} ms"));
    }
    if req.timed_out {
        report.push_str("\tStatus: timeout");
    }
    // With active tracing Lambda appends the X-Ray line to the REPORT
    // event itself, after a newline (as real traced functions log it).
    if let Some(x) = &req.xray {
        report.push_str(&format!(
            "\t\nXRAY TraceId: {x}\tSegmentId: {}\tSampled: true\t",
            &req.id.replace('-', "")[..16]
        ));
    }
    out.push((end + 1, report));
    out
}

fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A failed request's line, in its runtime's real format (the runtime
/// interface clients' format strings, as in `tests/fixtures/real`): a
/// bad deploy's unhandled `KeyError` with its traceback during a burst,
/// else the runtime's everyday failure, its numbers varying by request.
fn failure_line(spec: &Spec, req: &Request, at: i64) -> String {
    let id = &req.id;
    let n = u64::from_str_radix(&id[..4], 16).unwrap_or(0);
    let minute = req.start_ms.div_euclid(60_000);
    if fleet::in_burst(spec, minute) {
        // Each hour's deploy ships another bug, so the burst is a new
        // group every time (the previous hour's is a different one).
        return if minute.div_euclid(60) % 2 == 0 {
            format!(
                "[ERROR] KeyError: 'currency'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 57, in handler\n    total = price(event)\n  File \"/var/task/pricing.py\", line {}, in price\n    return order[\"currency\"]",
                20 + n % 3
            )
        } else {
            "[ERROR] TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 57, in handler\n    total = price(event)\n  File \"/var/task/pricing.py\", line 31, in price\n    return base + tax".to_string()
        };
    }
    let runtime = spec.info.runtime.as_str();
    if runtime.starts_with("python") {
        format!(
            "[ERROR]\t{}\t{id}\tUpstreamTimeout: payment provider did not answer in {} ms",
            iso(at),
            [3000, 5000][(n % 2) as usize]
        )
    } else if runtime.starts_with("nodejs") {
        let ip = format!("10.0.{}.{}", n % 8, 10 + n % 200);
        format!(
            "{}\t{id}\tERROR\tInvoke Error \t{{\"errorType\":\"Error\",\"errorMessage\":\"connect ETIMEDOUT {ip}:443\",\"code\":\"ETIMEDOUT\",\"stack\":[\"Error: connect ETIMEDOUT {ip}:443\",\"    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)\"]}}",
            iso(at)
        )
    } else if runtime.starts_with("java") {
        format!(
            "{} {id} ERROR OrderHandler - order {} failed: java.net.SocketTimeoutException: Read timed out",
            DateTime::<Utc>::from_timestamp_millis(at)
                .unwrap_or_default()
                .format("%Y-%m-%d %H:%M:%S,%3f"),
            4000 + n % 900
        )
    } else {
        format!(
            "{{\"level\":\"error\",\"msg\":\"operation error DynamoDB: PutItem, https response error StatusCode: 400, RequestID: {}, ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded\",\"requestId\":\"{id}\"}}",
            hex_id(&req.id)
        )
    }
}

/// A DynamoDB-style request id (upper-case, 52 characters) for a request.
fn hex_id(id: &str) -> String {
    id.replace('-', "").to_uppercase().repeat(2)[..52].to_string()
}

fn stream(seed: u64, idx: usize, minute: i64) -> String {
    let day = DateTime::<Utc>::from_timestamp(minute * 60, 0).unwrap_or_default();
    // A new execution environment (stream) every 15 minutes.
    format!(
        "{}/[$LATEST]{}",
        day.format("%Y/%m/%d"),
        hex(seed, idx as u64, (minute / 15) as u64, 32)
    )
}

/// One page of events of a demo log group.
pub fn log_page(seed: u64, idx: usize, spec: &Spec, q: &LogQuery, now: DateTime<Utc>) -> LogPage {
    let end = q.end.unwrap_or(now).min(now).timestamp_millis();
    let start = q.start.timestamp_millis();
    let offset: usize = q
        .next_token
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    // The pattern as CloudWatch reads it (terms, `?` groups, `%regex%`).
    let pattern = FilterPattern::parse(q.filter_pattern.as_deref().unwrap_or(""));
    let mut events = Vec::new();
    // Events of a minute may start up to one init duration before it.
    for minute in (start.div_euclid(60_000) - 1)..=end.div_euclid(60_000) {
        for req in requests(seed, idx, spec, minute) {
            for (k, (ts, message)) in lines(spec, &req).into_iter().enumerate() {
                if ts < start || ts >= end || !pattern.matches(&message) {
                    continue;
                }
                let lag = 300 + (unit(seed, k as u64, ts as u64) * 1500.0) as i64;
                events.push(LogEvent {
                    id: format!(
                        "{ts:020}{:06}{k:02}",
                        (unit(seed, idx as u64, ts as u64) * 1e6) as u64
                    ),
                    timestamp: DateTime::from_timestamp_millis(ts).unwrap_or_default(),
                    ingestion_time: DateTime::from_timestamp_millis(ts + lag),
                    stream: stream(seed, idx, minute),
                    message,
                });
            }
        }
    }
    events.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
    let rest: Vec<LogEvent> = events.into_iter().skip(offset).collect();
    let more = rest.len() > PAGE_SIZE;
    LogPage {
        events: rest.into_iter().take(PAGE_SIZE).collect(),
        next_token: more.then(|| (offset + PAGE_SIZE).to_string()),
    }
}

fn trace_id(seed: u64, idx: usize, minute: i64) -> String {
    format!(
        "1-{:08x}-{:02x}{}",
        minute * 60,
        idx,
        hex(seed, idx as u64, minute as u64, 22)
    )
}

/// Summaries of the sampled requests in the window, newest first.
pub fn trace_summaries(
    seed: u64,
    idx: usize,
    spec: &Spec,
    q: &TraceQuery,
    now: DateTime<Utc>,
) -> TraceSummaryPage {
    let end = q.end.min(now).timestamp().div_euclid(60);
    let start = q.start.timestamp().div_euclid(60).max(end - 360);
    let mut summaries = Vec::new();
    for minute in (start..=end).rev() {
        let Some(req) = requests(seed, idx, spec, minute).into_iter().next() else {
            continue;
        };
        // The current minute's request may not have started yet.
        if req.start_ms > now.timestamp_millis() {
            continue;
        }
        let d = (req.duration_ms + req.cold_init_ms.unwrap_or(0.0)) / 1000.0;
        summaries.push(TraceSummary {
            id: trace_id(seed, idx, minute),
            start: DateTime::from_timestamp_millis(req.start_ms),
            duration_s: Some(d),
            response_time_s: Some(d),
            has_fault: req.error,
            has_error: false,
            has_throttle: false,
            http_status: Some(if req.error { 502 } else { 200 }),
            cold_start: None,
        });
    }
    TraceSummaryPage {
        summaries,
        next_token: None,
    }
}

/// The whole trace behind a demo trace id.
pub fn trace(seed: u64, specs: &[Spec], id: &str) -> Option<RawTrace> {
    let mut parts = id.split('-');
    let (_, epoch, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let minute = i64::from_str_radix(epoch, 16).ok()? / 60;
    let idx = usize::from_str_radix(rest.get(0..2)?, 16).ok()?;
    let spec = specs.get(idx)?;
    let req = requests(seed, idx, spec, minute).into_iter().next()?;
    let t0 = req.start_ms as f64 / 1000.0 - req.cold_init_ms.unwrap_or(0.0) / 1000.0;
    let t_inv = req.start_ms as f64 / 1000.0;
    let t_end = t_inv + req.duration_ms / 1000.0;
    let mut subs = Vec::new();
    if let Some(init) = req.cold_init_ms {
        subs.push(
            json!({"id": hex(seed, 1, req.start_ms as u64, 16), "name": "Initialization",
            "start_time": t0, "end_time": t0 + init / 1000.0}),
        );
    }
    let db_end = t_inv + req.duration_ms / 1000.0 * 0.6;
    subs.push(
        json!({"id": hex(seed, 2, req.start_ms as u64, 16), "name": "Invocation",
        "start_time": t_inv, "end_time": t_end, "fault": req.error,
        "subsegments": [{"id": hex(seed, 3, req.start_ms as u64, 16), "name": "DynamoDB",
            "namespace": "aws", "start_time": t_inv + 0.002, "end_time": db_end,
            "aws": {"operation": "GetItem", "table_name": "orders"}}]}),
    );
    subs.push(
        json!({"id": hex(seed, 4, req.start_ms as u64, 16), "name": "Overhead",
        "start_time": t_end, "end_time": t_end + 0.001}),
    );
    let function = json!({"id": hex(seed, 5, req.start_ms as u64, 16), "trace_id": id,
        "name": spec.info.id.name, "origin": "AWS::Lambda::Function", "start_time": t0,
        "end_time": t_end + 0.001, "fault": req.error, "subsegments": subs,
        "aws": {"request_id": req.id}});
    let service = json!({"id": hex(seed, 6, req.start_ms as u64, 16), "trace_id": id,
        "name": spec.info.id.name, "origin": "AWS::Lambda", "start_time": t0 - 0.004,
        "end_time": t_end + 0.003, "fault": req.error,
        "http": {"response": {"status": if req.error { 502 } else { 200 }}},
        "aws": {"request_id": req.id}});
    Some(RawTrace {
        id: id.to_string(),
        duration_s: Some(t_end + 0.003 - (t0 - 0.004)),
        segments: vec![service.to_string(), function.to_string()],
    })
}

/// The REPORT lines of a demo function in `[start, end)` (epoch ms) and
/// the bytes of every line scanned, as a Logs Insights query would see them.
pub fn report_lines(
    seed: u64,
    idx: usize,
    spec: &Spec,
    start: i64,
    end: i64,
) -> (Vec<String>, u64) {
    let mut reports = Vec::new();
    let mut bytes = 0u64;
    for minute in start.div_euclid(60_000)..end.div_euclid(60_000) {
        for req in requests(seed, idx, spec, minute) {
            for (ts, message) in lines(spec, &req) {
                if ts < start || ts >= end {
                    continue;
                }
                bytes += message.len() as u64;
                if message.starts_with("REPORT ") {
                    reports.push(message);
                }
            }
        }
    }
    (reports, bytes)
}
