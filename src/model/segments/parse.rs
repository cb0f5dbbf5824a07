//! One segment document → one [`Node`] and its subsegments. Documents
//! deeper than serde_json's recursion limit are cut (the subtree below
//! [`MAX_JSON_DEPTH`] is replaced by `null`) before parsing, so a valid
//! document is never dropped and nothing recurses without bound.

use super::{Exception, Node, Sql};
use serde_json::Value;

/// JSON nesting kept: each subsegment level costs two (an object inside
/// the `subsegments` array), so this keeps about 50 levels of subsegments.
pub const MAX_JSON_DEPTH: usize = 100;

/// A parsed document: the node with its `parent_id`, and a note when the
/// tree was cut.
pub type Parsed = ((Node, Option<String>), Option<String>);

/// Parses one document.
/// The node comes with its `parent_id`.
pub fn parse_document(doc: &str) -> Result<Parsed, &'static str> {
    let (text, cut) = cut_deep(doc, MAX_JSON_DEPTH);
    let v: Value = serde_json::from_str(&text).map_err(|_| "is not valid JSON")?;
    let node = parse_node(&v).ok_or("is not a JSON object")?;
    let note = (cut > 0).then(|| {
        format!(
            "⚠ nested deeper than {} levels: {cut} deeper subtrees not shown",
            MAX_JSON_DEPTH / 2
        )
    });
    Ok((node, note))
}

/// Replaces every value that opens at nesting depth `max` with `null`,
/// without recursion; returns the text and how many values were cut.
/// Strings (with escapes) are skipped, so brackets inside them do not count.
pub fn cut_deep(doc: &str, max: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let b = doc.as_bytes();
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    let mut out: Option<String> = None;
    let (mut cut, mut last, mut skip_from) = (0usize, 0usize, None::<usize>);
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth == max && skip_from.is_none() {
                    skip_from = Some(i);
                }
            }
            b'}' | b']' => {
                if depth == max
                    && let Some(from) = skip_from.take()
                {
                    let o = out.get_or_insert_with(String::new);
                    o.push_str(&doc[last..from]);
                    o.push_str("null");
                    last = i + 1;
                    cut += 1;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&doc[last.min(doc.len())..]);
            (o.into(), cut)
        }
        None => (doc.into(), 0),
    }
}

/// A JSON value as display text: strings unquoted, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A finite number, if the value is one.
fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

/// A boolean field, `false` when missing or not a boolean.
fn flag(obj: &serde_json::Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// One segment object → its node (children parsed and sorted by start)
/// and its `parent_id`; `None` when the value is not an object.
pub(super) fn parse_node(v: &Value) -> Option<(Node, Option<String>)> {
    let obj = v.as_object()?;
    let Timing {
        start,
        end,
        in_progress,
        problems,
    } = timing(obj);
    let http = obj.get("http");
    let node = Node {
        id: obj.get("id").map(text).unwrap_or_default(),
        name: obj
            .get("name")
            .map(text)
            .unwrap_or_else(|| "(unnamed)".into()),
        origin: obj.get("origin").map(text),
        start,
        end,
        in_progress,
        fault: flag(obj, "fault"),
        error: flag(obj, "error"),
        throttle: flag(obj, "throttle"),
        http_method: http.and_then(|h| h.pointer("/request/method")).map(text),
        http_url: http.and_then(|h| h.pointer("/request/url")).map(text),
        http_status: http
            .and_then(|h| h.pointer("/response/status"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok()),
        request_id: lambda_request_id(obj),
        sql: obj.get("sql").and_then(sql),
        exceptions: exceptions(obj),
        annotations: pairs(obj.get("annotations")),
        metadata: metadata(obj),
        problems,
        children: children(obj),
    };
    Some((node, obj.get("parent_id").map(text)))
}

/// When a node ran, and what is wrong with its times.
struct Timing {
    /// `start_time`, 0 when missing (then a problem says so).
    start: f64,
    /// `end_time`, when present and finite.
    end: Option<f64>,
    /// `in_progress`: a missing end is expected, not a problem.
    in_progress: bool,
    /// Missing, reversed or implausible times, in that order.
    problems: Vec<String>,
}

/// Reads the times of a segment object and records every problem with them.
fn timing(obj: &serde_json::Map<String, Value>) -> Timing {
    let mut problems = Vec::new();
    let start = match num(obj.get("start_time")) {
        Some(s) => s,
        None => {
            problems.push("no start_time".to_string());
            0.0
        }
    };
    let in_progress = flag(obj, "in_progress");
    let end = num(obj.get("end_time"));
    if end.is_none() && !in_progress {
        problems.push("no end_time (partial segment)".into());
    }
    if end.is_some_and(|e| e < start) {
        problems.push("end_time before start_time".into());
    }
    let plausible = |t: f64| (PLAUSIBLE_FROM..=PLAUSIBLE_TO).contains(&t);
    if obj.contains_key("start_time") && !plausible(start) {
        problems.push(format!("start_time {start} is not a plausible time"));
    }
    if end.is_some_and(|e| !plausible(e)) {
        problems.push(format!(
            "end_time {} is not a plausible time",
            end.unwrap_or(0.0)
        ));
    }
    Timing {
        start,
        end,
        in_progress,
        problems,
    }
}

/// The exceptions of `cause.exceptions`.
fn exceptions(obj: &serde_json::Map<String, Value>) -> Vec<Exception> {
    obj.get("cause")
        .and_then(|c| c.get("exceptions"))
        .and_then(Value::as_array)
        .map(|xs| xs.iter().map(exception).collect())
        .unwrap_or_default()
}

/// One exception: type, message and the first 50 stack frames.
fn exception(x: &Value) -> Exception {
    Exception {
        kind: x.get("type").map(text).unwrap_or_default(),
        message: x.get("message").map(text).unwrap_or_default(),
        stack: x
            .get("stack")
            .and_then(Value::as_array)
            .map(|s| s.iter().take(50).map(stack_frame).collect())
            .unwrap_or_default(),
    }
}

/// A stack frame as `label (path:line)`.
fn stack_frame(f: &Value) -> String {
    format!(
        "{} ({}:{})",
        f.get("label").map(text).unwrap_or_default(),
        f.get("path").map(text).unwrap_or_default(),
        f.get("line").map(text).unwrap_or_default()
    )
}

/// An object's entries as `(key, text)` pairs (annotations).
fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default()
}

/// `metadata` flattened: `namespace.key` for each entry of a namespace
/// object, the bare namespace for a value that is not an object.
fn metadata(obj: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    obj.get("metadata")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .flat_map(|(ns, inner)| match inner.as_object() {
                    Some(o) => o
                        .iter()
                        .map(|(k, v)| (format!("{ns}.{k}"), text(v)))
                        .collect::<Vec<_>>(),
                    None => vec![(ns.clone(), text(inner))],
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `subsegments` that parse, in start order.
fn children(obj: &serde_json::Map<String, Value>) -> Vec<Node> {
    let mut children: Vec<Node> = obj
        .get("subsegments")
        .and_then(Value::as_array)
        .map(|s| {
            s.iter()
                .filter_map(|c| parse_node(c).map(|(n, _)| n))
                .collect()
        })
        .unwrap_or_default();
    children.sort_by(|a, b| a.start.total_cmp(&b.start));
    children
}

/// Epoch seconds of 2000-01-01 and 2100-01-01: times outside are garbage.
const PLAUSIBLE_FROM: f64 = 946_684_800.0;
const PLAUSIBLE_TO: f64 = 4_102_444_800.0;

fn sql(v: &Value) -> Option<Sql> {
    let o = v.as_object()?;
    let get = |k: &str| o.get(k).map(text).filter(|s| !s.is_empty());
    let database = match (get("database_type"), get("database_version")) {
        (Some(t), Some(v)) => Some(format!("{t} {v}")),
        (t, v) => t.or(v),
    };
    Some(Sql {
        sanitized_query: get("sanitized_query"),
        database,
        url: get("url").or_else(|| get("connection_string")),
        user: get("user"),
    })
}

/// `aws.request_id` when it is a Lambda invocation's: on Lambda's own
/// segments, and on a caller's `Invoke` subsegment. Other services' request
/// ids (DynamoDB, SNS …) and inferred segments' copies lead to no log line.
fn lambda_request_id(obj: &serde_json::Map<String, Value>) -> Option<String> {
    let aws = obj.get("aws")?;
    let inferred = obj.get("inferred").and_then(Value::as_bool) == Some(true);
    let origin = obj.get("origin").and_then(Value::as_str).unwrap_or("");
    let invoke = obj.get("name").and_then(Value::as_str) == Some("Lambda")
        && aws.get("operation").and_then(Value::as_str) == Some("Invoke");
    let lambda = origin.starts_with("AWS::Lambda") || invoke;
    (lambda && !inferred)
        .then(|| aws.get("request_id").map(text))
        .flatten()
}
