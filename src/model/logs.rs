//! Log events as the log source delivers them, and what lamtop reads from
//! each line ([`analyze`]): its kind, the failure it tells of, its report
//! numbers, its request and trace ids, in both of Lambda's log formats.
//! `taxonomy` holds the rules, `report` the report-line parser, `ids` the
//! id extraction, `platform` the JSON platform records and summaries.

use super::id::LogGroup;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One CloudWatch Logs event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    /// CloudWatch's event id, the key for de-duplication.
    pub id: String,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// When CloudWatch ingested it (late events have a large gap).
    pub ingestion_time: Option<DateTime<Utc>>,
    /// The log stream it was written to.
    pub stream: String,
    /// The raw message, untrusted: sanitize before it reaches a terminal.
    pub message: String,
}

/// One page request against a log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The log group to read (and the region it is in).
    pub log_group: LogGroup,
    /// Inclusive start.
    pub start: DateTime<Utc>,
    /// Exclusive end; `None` means now.
    pub end: Option<DateTime<Utc>>,
    /// Server-side CloudWatch filter pattern.
    pub filter_pattern: Option<String>,
    /// Continuation token from the previous page.
    pub next_token: Option<String>,
}

/// One page of events. A page may be empty and still carry a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogPage {
    /// Events of this page.
    pub events: Vec<LogEvent>,
    /// Token for the next page, if any.
    pub next_token: Option<String>,
}

pub mod ids;
pub mod pattern;
pub mod platform;
pub mod prefix;
pub mod report;
pub mod taxonomy;

pub use ids::valid_trace_id;
pub use report::{Report, ReportKind};
pub use taxonomy::{Failure, Level, LineKind};

use taxonomy::{
    app_kind, failure_of, lambda_warning, level_of_word, most_specific, text_error_type,
    unhandled_exception, warning_text,
};

/// Everything lamtop reads from one log line: what it is, the failure it
/// tells of, and the ids that tie it to its request and trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineInfo {
    /// What the line is.
    pub kind: LineKind,
    /// The failure it tells of, if any.
    pub failure: Option<Failure>,
    /// The error type it names (`Runtime.OutOfMemory`, `TypeError`).
    pub error_type: Option<String>,
    /// The Lambda request it belongs to.
    pub request_id: Option<String>,
    /// The X-Ray trace id it carries (the `Root`).
    pub trace_id: Option<String>,
    /// The numbers of a report line.
    pub report: Option<Report>,
}

impl LineInfo {
    /// A failure line: what `--errors` and the pane's errors filter keep.
    pub fn is_failure(&self) -> bool {
        self.failure.is_some()
    }
}

pub(crate) fn json_of(message: &str) -> Option<serde_json::Value> {
    let t = message.trim();
    if !t.starts_with('{') || t.len() > 2_000_000 {
        return None;
    }
    serde_json::from_str(t).ok()
}

/// Reads one log line of the text or JSON log format.
pub fn analyze(message: &str) -> LineInfo {
    match json_of(message) {
        Some(v) => analyze_json(message, &v),
        None => analyze_text(message),
    }
}

fn analyze_text(message: &str) -> LineInfo {
    let m = message.trim_start();
    let mut info = LineInfo {
        kind: LineKind::Other,
        failure: None,
        error_type: None,
        request_id: ids::request_id_text(m),
        trace_id: ids::trace_id_text(m),
        report: None,
    };
    if let Some(r) = report::parse_text(m) {
        info.kind = match r.kind {
            ReportKind::Invoke => LineKind::Report,
            ReportKind::Init => LineKind::InitReport,
            ReportKind::Restore => LineKind::RestoreReport,
        };
        info.failure = taxonomy::report_failure(
            r.kind != ReportKind::Invoke,
            r.status.as_deref(),
            r.error_type.as_deref(),
        );
        info.error_type = r.error_type.clone();
        info.report = Some(r);
        return info;
    }
    if let Some(kind) = platform_text_kind(m) {
        info.kind = kind;
        if kind == LineKind::Platform {
            // An extension that failed to start: `State: LaunchError … Error Type: X`.
            let fields = report::fields(m);
            let get = |k: &str| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| *v);
            info.error_type = get("Error Type").map(str::to_string);
            if info.error_type.is_some() || get("State").is_some_and(|s| s.contains("Error")) {
                info.failure = Some(Failure::InitError);
            }
        }
        return info;
    }
    let prefix = prefix::read(m);
    if lambda_warning(m) {
        info.kind = LineKind::Warn;
        return info;
    }
    let quiet = prefix.level.is_some_and(|l| l <= Level::Info);
    let exception = unhandled_exception(prefix.rest).filter(|_| !quiet);
    info.failure = most_specific(
        failure_of(m, prefix.level),
        exception.map(|_| Failure::Crash),
    );
    info.kind = app_kind(info.failure, prefix.level);
    if info.kind == LineKind::Other && warning_text(m) {
        info.kind = LineKind::Warn;
    }
    if info.failure.is_some() {
        info.error_type = text_error_type(m).or(exception.map(str::to_string));
    }
    info
}

/// The platform's own text lines other than reports.
fn platform_text_kind(m: &str) -> Option<LineKind> {
    let word = |w: &str| {
        m.strip_prefix(w)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_whitespace()))
    };
    Some(if m.starts_with("START RequestId:") {
        LineKind::Start
    } else if m.starts_with("END RequestId:") {
        LineKind::End
    } else if word("INIT_START") {
        LineKind::InitStart
    } else if word("RESTORE_START") || m == "RESTORE_START" {
        LineKind::RestoreStart
    } else if m.starts_with("XRAY TraceId:") {
        LineKind::Xray
    } else if (word("EXTENSION") || word("TELEMETRY")) && m.contains("Name:") {
        LineKind::Platform
    } else {
        return None;
    })
}

/// JSON keys structured loggers put the level under.
const LEVEL_KEYS: [&str; 7] = [
    "level",
    "levelname",
    "severity",
    "Level",
    "log.level",
    "logLevel",
    "LogLevel",
];

fn analyze_json(message: &str, v: &serde_json::Value) -> LineInfo {
    // `platform.fault` (and the Logs API's string records) carry the text
    // form inside: `"record": "RequestId: … Process exited …"`.
    let record_text = v.get("record").and_then(|r| r.as_str());
    let request_id = ids::request_id_json(v).or_else(|| record_text.and_then(ids::request_id_text));
    let trace_id = ids::trace_id_json(v);
    if let Some(rec) = platform::classify(v) {
        let request_id = request_id.or_else(|| {
            rec.report
                .as_ref()
                .map(|r| r.request_id.clone())
                .filter(|id| !id.is_empty())
        });
        return LineInfo {
            kind: rec.kind,
            failure: rec.failure,
            error_type: rec.error_type,
            request_id,
            trace_id,
            report: rec.report,
        };
    }
    let level = LEVEL_KEYS
        .iter()
        .find_map(|k| v.get(*k).and_then(|l| l.as_str()))
        .and_then(level_of_word);
    let failure = failure_of(message, level);
    // The error object may be the line itself (Go, Ruby) or its message
    // (Node's JSON-format `Invoke Error`).
    let holders = [Some(v), v.get("message"), v.get("error")];
    let error_type = holders
        .iter()
        .flatten()
        .find_map(|o| {
            ["errorType", "error_type", "exception_name", "ErrorType"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|t| t.as_str()))
        })
        .map(str::to_string)
        .or_else(|| failure.and_then(|_| text_error_type(message)));
    LineInfo {
        kind: app_kind(failure, level),
        failure,
        error_type,
        request_id,
        trace_id,
        report: None,
    }
}

/// What a line kind is, for code that needs no more.
pub fn classify(message: &str) -> LineKind {
    analyze(message).kind
}

/// The numbers of a report line of either format (`REPORT`,
/// `INIT_REPORT`, `RESTORE_REPORT` and their JSON twins).
pub fn parse_report(message: &str) -> Option<Report> {
    analyze(message).report
}

/// The request id a line belongs to, when it says.
pub fn request_id(message: &str) -> Option<String> {
    analyze(message).request_id
}

/// The text a line reads as in the log pane and `tail`: report lines as
/// summaries, JSON platform records in their text twins' words, application
/// JSON compact; `None` for a plain line (shown as it is). A report that
/// could not be fully read shows its raw text.
pub fn display_text(message: &str, info: &LineInfo) -> Option<String> {
    if let Some(r) = &info.report {
        if r.incomplete {
            return None;
        }
        return Some(platform::summary(r, info.trace_id.as_deref()));
    }
    let v = json_of(message)?;
    platform::describe(&v, None, info.trace_id.as_deref()).or_else(|| compact_value(&v))
}

/// An application JSON line on one line, level and message first:
/// `ERROR payment failed · orderId=42 requestId=…`. `None` for non-JSON.
pub fn compact_json(message: &str) -> Option<String> {
    compact_value(&json_of(message)?)
}

fn compact_value(v: &serde_json::Value) -> Option<String> {
    let obj = v.as_object()?;
    let pick = |keys: &[&str]| {
        keys.iter().find_map(|k| obj.get(*k)).map(|x| match x {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let level = pick(&["level", "levelname", "severity"]);
    let msg = pick(&["message", "msg", "errorMessage"]);
    let skip = [
        "level",
        "levelname",
        "severity",
        "message",
        "msg",
        "errorMessage",
        "timestamp",
        "time",
    ];
    let rest: Vec<String> = obj
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    let mut out = String::new();
    if let Some(l) = level {
        out.push_str(&l.to_ascii_uppercase());
        out.push(' ');
    }
    if let Some(m) = msg {
        out.push_str(&m);
    }
    if !rest.is_empty() {
        if !out.is_empty() {
            out.push_str(" · ");
        }
        out.push_str(&rest.join(" "));
    }
    Some(out)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) mod corpus_tests;
