//! Request and trace ids from every real shape a Lambda log line takes.
//!
//! Request ids: `RequestId: …` in the platform's lines; the runtimes' text
//! prefixes (Node and .NET `<time>\t<id>\t<LEVEL>\t…`, Python and Ruby
//! `[LEVEL]\t<time>\t<id>\t…`, Java log4j2 `<date> <time> <id> <LEVEL> …`);
//! and the keys structured loggers use (the JSON log format's `requestId`,
//! Powertools' `function_request_id`, `AWSRequestId`, `aws_request_id` …).
//!
//! Trace ids: `XRAY TraceId:` inside or after a REPORT, `TraceId:` inline,
//! `Root=1-…` of a trace header (the JSON format's `record.tracing.value`,
//! `_X_AMZN_TRACE_ID`), Powertools' `xray_trace_id`.

use serde_json::Value;

/// JSON keys that hold the Lambda request id, in order of preference.
const REQUEST_ID_KEYS: [&str; 10] = [
    "requestId",
    "function_request_id",
    "functionRequestId",
    "lambda_request_id",
    "AWSRequestId",
    "awsRequestId",
    "aws_request_id",
    "AwsRequestId",
    "FunctionRequestId",
    "RequestId",
];

/// JSON keys that hold an X-Ray trace id or a trace header.
const TRACE_ID_KEYS: [&str; 6] = [
    "xray_trace_id",
    "XrayTraceId",
    "XRayTraceId",
    "xrayTraceId",
    "traceId",
    "_X_AMZN_TRACE_ID",
];

/// `1-<8 hex>-<24 hex>`. Letters beyond hex are allowed because AWS's
/// documentation masks ids with `xmpl`; X-Ray itself rejects what is not.
pub fn valid_trace_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 35
        && b[0] == b'1'
        && b[1] == b'-'
        && b[10] == b'-'
        && b[2..10].iter().all(u8::is_ascii_alphanumeric)
        && b[11..].iter().all(u8::is_ascii_alphanumeric)
}

/// A request id: a UUID (Lambda's) or at least a run of id characters.
fn id_token(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(s.len());
    let t = &s[..end];
    (!t.is_empty() && t.len() <= 128).then_some(t)
}

/// The request id a text line carries: `RequestId: …`, else the runtime
/// prefix's. An id cut off in a copy (`f8ac1208...`) is no id.
pub fn request_id_text(message: &str) -> Option<String> {
    if let Some(i) = message.find("RequestId: ") {
        let rest = &message[i + 11..];
        let id = id_token(rest)?;
        let cut = rest[id.len()..].starts_with(['.', '…']);
        return (!cut).then(|| id.to_string());
    }
    // Key=value loggers (the Rust runtime's tracing spans: `requestId="…"`).
    for key in ["requestId=", "aws_request_id=", "request_id="] {
        if let Some(i) = message.find(key) {
            let rest = message[i + key.len()..].trim_start_matches('"');
            if let Some(id) = id_token(rest).filter(|t| super::prefix::is_request_uuid(t)) {
                return Some(id.to_string());
            }
        }
    }
    super::prefix::read(message).request_id.map(str::to_string)
}

/// The request id a JSON line carries.
pub fn request_id_json(v: &Value) -> Option<String> {
    let from = |o: &Value| {
        REQUEST_ID_KEYS
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    from(v).or_else(|| NESTED.iter().find_map(|k| v.get(*k).and_then(from)))
}

/// Objects loggers nest their ids in.
const NESTED: [&str; 5] = [
    "record",
    "context",
    "lambda_context",
    "CorrelationIds",
    "correlation_ids",
];

/// The `Root` of a trace header or a bare trace id.
fn trace_in(s: &str) -> Option<String> {
    let at = s.find("Root=").map(|i| i + 5).unwrap_or(0);
    let id = s.get(at..at + 35)?;
    valid_trace_id(id).then(|| id.to_string())
}

/// The trace id a text line carries (`XRAY TraceId:`, `TraceId:`, `Root=`).
pub fn trace_id_text(message: &str) -> Option<String> {
    if let Some(i) = message.find("TraceId: ") {
        let rest = message[i + 9..].trim_start();
        if let Some(id) = rest.get(..35).filter(|id| valid_trace_id(id)) {
            return Some(id.to_string());
        }
    }
    let i = message.find("Root=1-")?;
    trace_in(&message[i..])
}

/// The trace id a JSON line carries.
pub fn trace_id_json(v: &Value) -> Option<String> {
    if let Some(t) = v.pointer("/record/tracing/value").and_then(Value::as_str) {
        return trace_in(t);
    }
    let from = |o: &Value| {
        TRACE_ID_KEYS
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .and_then(trace_in)
    };
    from(v).or_else(|| NESTED.iter().find_map(|k| v.get(*k).and_then(from)))
}

/// The first eight characters of a request id, for summaries.
pub fn short_id(id: &str) -> &str {
    let end = id.char_indices().nth(8).map_or(id.len(), |(i, _)| i);
    &id[..end]
}
