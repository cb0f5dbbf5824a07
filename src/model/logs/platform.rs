//! The JSON log format's `platform.*` records: what each is (kind and
//! failure) and how it reads — in the same words as its text-format twin,
//! so an engineer reads `START RequestId: …` whichever format a function
//! logs in. Also the one-line summaries of report lines.

use super::ids::short_id;
use super::report::{Report, ReportKind, parse_json};
use super::taxonomy::{Failure, LineKind, content_failure, report_failure};
use serde_json::Value;

/// What a platform record is.
pub struct Record {
    /// Its kind.
    pub kind: LineKind,
    /// The failure it tells of.
    pub failure: Option<Failure>,
    /// The error type it names.
    pub error_type: Option<String>,
    /// Its numbers, for the report records.
    pub report: Option<Report>,
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Classifies a JSON record whose `type` starts with `platform.`.
pub fn classify(v: &Value) -> Option<Record> {
    let ty = s(v, "type")?.strip_prefix("platform.")?;
    let rec = v.get("record").unwrap_or(&Value::Null);
    let status = s(rec, "status");
    let error_type = s(rec, "errorType").map(str::to_string);
    let et = error_type.as_deref();
    let (kind, failure) = match ty {
        "start" => (LineKind::Start, None),
        "runtimeDone" | "end" => (LineKind::End, report_failure(false, status, et)),
        "initStart" => (LineKind::InitStart, None),
        "restoreStart" => (LineKind::RestoreStart, None),
        "initRuntimeDone" | "restoreRuntimeDone" => {
            (LineKind::Platform, report_failure(true, status, et))
        }
        "report" | "initReport" | "restoreReport" => {
            let report = parse_json(v)?;
            let init = report.kind != ReportKind::Invoke;
            let kind = match report.kind {
                ReportKind::Invoke => LineKind::Report,
                ReportKind::Init => LineKind::InitReport,
                ReportKind::Restore => LineKind::RestoreReport,
            };
            let failure = report_failure(init, status, et);
            return Some(Record {
                kind,
                failure,
                error_type,
                report: Some(report),
            });
        }
        "logsDropped" => (LineKind::Warn, None),
        // An extension that failed to start (`LaunchError`).
        "extension" if error_type.is_some() => (LineKind::Platform, Some(Failure::InitError)),
        "fault" => {
            let text = rec.as_str().map_or_else(|| rec.to_string(), str::to_string);
            (
                LineKind::Platform,
                Some(content_failure(&text, None).unwrap_or(Failure::Crash)),
            )
        }
        _ => (LineKind::Platform, None),
    };
    Some(Record {
        kind,
        failure,
        error_type,
        report: None,
    })
}

fn list(v: Option<&Value>) -> String {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn push_field(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        out.push_str(&format!(" {key}: {v}"));
    }
}

fn done_line(head: &str, rec: &Value) -> String {
    let mut out = head.to_string();
    push_field(&mut out, "RequestId", s(rec, "requestId"));
    push_field(&mut out, "Status", s(rec, "status"));
    push_field(&mut out, "Error Type", s(rec, "errorType"));
    out
}

/// The text a JSON platform record reads as; `None` when it is not one.
pub fn describe(v: &Value, report: Option<&Report>, trace: Option<&str>) -> Option<String> {
    let ty = s(v, "type")?.strip_prefix("platform.")?;
    let rec = v.get("record").unwrap_or(&Value::Null);
    if let Some(r) = report {
        return Some(summary(r, trace));
    }
    let mut out;
    match ty {
        "start" => {
            out = "START".to_string();
            push_field(&mut out, "RequestId", s(rec, "requestId"));
            push_field(&mut out, "Version", s(rec, "version"));
        }
        "runtimeDone" => out = done_line("END", rec),
        "initStart" | "restoreStart" => {
            out = if ty == "initStart" {
                "INIT_START"
            } else {
                "RESTORE_START"
            }
            .to_string();
            push_field(&mut out, "Runtime Version", s(rec, "runtimeVersion"));
            push_field(&mut out, "Runtime Version ARN", s(rec, "runtimeVersionArn"));
            push_field(&mut out, "Type", s(rec, "initializationType"));
            push_field(&mut out, "Phase", s(rec, "phase"));
        }
        "initRuntimeDone" => out = done_line("INIT_RUNTIME_DONE", rec),
        "restoreRuntimeDone" => out = done_line("RESTORE_RUNTIME_DONE", rec),
        "extension" => {
            out = "EXTENSION".to_string();
            push_field(&mut out, "Name", s(rec, "name"));
            push_field(&mut out, "State", s(rec, "state"));
            out.push_str(&format!(" Events: [{}]", list(rec.get("events"))));
            push_field(&mut out, "Error Type", s(rec, "errorType"));
        }
        "telemetrySubscription" => {
            out = "TELEMETRY".to_string();
            push_field(&mut out, "Name", s(rec, "name"));
            push_field(&mut out, "State", s(rec, "state"));
            out.push_str(&format!(" Types: [{}]", list(rec.get("types"))));
        }
        "logsDropped" => {
            let n = |k: &str| rec.get(k).map_or("?".to_string(), |x| x.to_string());
            out = format!(
                "⚠ LOGS DROPPED: {} records, {} bytes",
                n("droppedRecords"),
                n("droppedBytes")
            );
            push_field(&mut out, "reason", s(rec, "reason"));
        }
        "fault" => {
            let text = rec.as_str().map_or_else(|| rec.to_string(), str::to_string);
            out = format!("FAULT {text}");
        }
        other => out = format!("{} {}", other.to_ascii_uppercase(), rec),
    }
    Some(out)
}

/// A REPORT's duration: tenths of a millisecond below a second (billing
/// rounds there), else in the unit every other duration uses (`10.55s`,
/// not `10550.3ms`).
fn ms(v: Option<f64>) -> String {
    match v {
        None => "?".to_string(),
        Some(v) if v < 1000.0 => format!("{v:.1}ms"),
        Some(v) => crate::format::ms(Some(v)),
    }
}

/// One line for humans, e.g. `REPORT 3f1e5e0a 102.3ms (billed 103ms) ·
/// mem 71/128 MB · ❄ cold start, init 250.1ms`, with the failure first
/// (`✖ out of memory (Runtime.OutOfMemory)`) and the trace id last.
pub fn summary(r: &Report, trace: Option<&str>) -> String {
    let failure = report_failure(
        r.kind != ReportKind::Invoke,
        r.status.as_deref(),
        r.error_type.as_deref(),
    );
    let mut parts: Vec<String> = Vec::new();
    let head = match r.kind {
        ReportKind::Invoke if r.request_id.is_empty() => "REPORT".to_string(),
        ReportKind::Invoke => format!("REPORT {}", short_id(&r.request_id)),
        ReportKind::Init => "INIT_REPORT".to_string(),
        ReportKind::Restore => "RESTORE_REPORT".to_string(),
    };
    if let Some(f) = failure {
        let ty = r
            .error_type
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        parts.push(format!("✖ {}{ty}", f.label()));
    }
    match r.kind {
        ReportKind::Invoke => {
            parts.push(format!(
                "{} (billed {})",
                ms(r.duration_ms),
                ms(r.billed_ms)
            ));
            parts.push(format!(
                "mem {}/{} MB",
                r.max_memory_mb.map_or("?".into(), |v| v.to_string()),
                r.memory_mb.map_or("?".into(), |v| v.to_string()),
            ));
            if let Some(i) = r.init_ms {
                parts.push(format!("❄ cold start, init {}", ms(Some(i))));
            }
            if let Some(x) = r.restore_ms {
                parts.push(format!("❄ SnapStart restore {}", ms(Some(x))));
            }
        }
        ReportKind::Init => {
            parts.push(format!("init {}", ms(r.init_ms)));
            if let Some(p) = &r.phase {
                parts.push(format!("phase {p}"));
            }
        }
        ReportKind::Restore => parts.push(format!("restore {}", ms(r.restore_ms))),
    }
    if failure.is_none()
        && let Some(st) = r.status.as_deref().filter(|s| *s != "success")
    {
        parts.push(format!("status {st}"));
    }
    if let Some(t) = trace {
        parts.push(format!("trace {t}"));
    }
    format!("{head} {}", parts.join(" · "))
}
