//! Log events as the log source delivers them. Line classification and the
//! REPORT parser arrive with the logs issue; the types here are what the
//! sources, the demo fleet and the pollers already exchange.

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
    /// The log group to read.
    pub log_group: String,
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

/// What a Lambda log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// `START RequestId: …` / `platform.start`.
    Start,
    /// `END RequestId: …` / `platform.runtimeDone`.
    End,
    /// `REPORT RequestId: …` / `platform.report`.
    Report,
    /// `INIT_START …` / `platform.initStart`: a cold start begins.
    InitStart,
    /// `XRAY TraceId: …`.
    Xray,
    /// The function ran into its timeout.
    Timeout,
    /// An error: `[ERROR]`, `ERROR`, `Runtime.*`, uncaught exceptions.
    Error,
    /// A warning from the application.
    Warn,
    /// Anything else.
    Other,
}

/// The REPORT of one invocation (text or JSON log format).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Report {
    /// Request id.
    pub request_id: String,
    /// Run time in ms.
    pub duration_ms: Option<f64>,
    /// Billed run time in ms.
    pub billed_ms: Option<f64>,
    /// Configured memory in MB.
    pub memory_mb: Option<u32>,
    /// Peak memory used in MB.
    pub max_memory_mb: Option<u32>,
    /// Init duration in ms; present only on cold starts.
    pub init_ms: Option<f64>,
    /// SnapStart restore duration in ms.
    pub restore_ms: Option<f64>,
    /// `success`, `timeout`, `error` … when the line says.
    pub status: Option<String>,
}

impl Report {
    /// A cold start (an init phase ran for this request).
    pub fn cold_start(&self) -> bool {
        self.init_ms.is_some() || self.restore_ms.is_some()
    }

    /// One line for humans: `REPORT 102ms (billed 103ms) · 71/128 MB · ❄ cold 250ms`.
    pub fn summary(&self) -> String {
        let ms = |v: Option<f64>| v.map_or("?".to_string(), |v| format!("{v:.1}ms"));
        let mut s = format!(
            "REPORT {} (billed {}) · mem {}/{} MB",
            ms(self.duration_ms),
            ms(self.billed_ms),
            self.max_memory_mb.map_or("?".into(), |v| v.to_string()),
            self.memory_mb.map_or("?".into(), |v| v.to_string()),
        );
        if let Some(i) = self.init_ms {
            s.push_str(&format!(" · ❄ cold start, init {i:.1}ms"));
        }
        if let Some(r) = self.restore_ms {
            s.push_str(&format!(" · ❄ SnapStart restore {r:.1}ms"));
        }
        if let Some(st) = self.status.as_deref().filter(|s| *s != "success") {
            s.push_str(&format!(" · status {st}"));
        }
        s
    }
}

fn json_of(message: &str) -> Option<serde_json::Value> {
    let t = message.trim();
    if !t.starts_with('{') || t.len() > 2_000_000 {
        return None;
    }
    serde_json::from_str(t).ok()
}

/// Classifies a line of the text or JSON log format.
pub fn classify(message: &str) -> LineKind {
    if let Some(v) = json_of(message) {
        return classify_json(&v);
    }
    let m = message.trim_start();
    if m.starts_with("START RequestId:") {
        LineKind::Start
    } else if m.starts_with("END RequestId:") {
        LineKind::End
    } else if m.starts_with("REPORT RequestId:") {
        if m.contains("Status: timeout") {
            LineKind::Timeout
        } else {
            LineKind::Report
        }
    } else if m.starts_with("INIT_START") {
        LineKind::InitStart
    } else if m.starts_with("XRAY TraceId:") {
        LineKind::Xray
    } else if m.contains("Task timed out after") {
        LineKind::Timeout
    } else if is_error_text(m) {
        LineKind::Error
    } else if m.contains("[WARN]") || m.contains("\tWARN\t") || m.starts_with("WARN") {
        LineKind::Warn
    } else {
        LineKind::Other
    }
}

fn is_error_text(m: &str) -> bool {
    m.starts_with("[ERROR]")
        || m.contains("\tERROR\t")
        || m.starts_with("ERROR")
        || m.contains("Runtime.")
        || m.contains("Traceback (most recent call last)")
        || m.contains("Uncaught Exception")
        || m.contains("Unhandled Promise Rejection")
        || m.contains("\"errorType\"")
}

fn classify_json(v: &serde_json::Value) -> LineKind {
    match v.get("type").and_then(|t| t.as_str()) {
        Some("platform.start") => return LineKind::Start,
        Some("platform.runtimeDone") | Some("platform.end") => return LineKind::End,
        Some("platform.initStart") | Some("platform.restoreStart") => return LineKind::InitStart,
        Some("platform.report") => {
            let status = v.pointer("/record/status").and_then(|s| s.as_str());
            return if status == Some("timeout") {
                LineKind::Timeout
            } else {
                LineKind::Report
            };
        }
        _ => {}
    }
    let level = v
        .get("level")
        .or_else(|| v.get("levelname"))
        .and_then(|l| l.as_str())
        .unwrap_or("")
        .to_ascii_uppercase();
    match level.as_str() {
        "ERROR" | "FATAL" | "CRITICAL" => LineKind::Error,
        "WARN" | "WARNING" => LineKind::Warn,
        _ if v.get("errorType").is_some() || v.get("errorMessage").is_some() => LineKind::Error,
        _ => LineKind::Other,
    }
}

/// Parses a REPORT line of either format.
pub fn parse_report(message: &str) -> Option<Report> {
    if let Some(v) = json_of(message) {
        if v.get("type").and_then(|t| t.as_str()) != Some("platform.report") {
            return None;
        }
        let r = v.get("record")?;
        let m = r.get("metrics");
        let f = |k: &str| {
            m.and_then(|m| m.get(k))
                .and_then(|x| x.as_f64())
                .filter(|x| x.is_finite())
        };
        return Some(Report {
            request_id: r
                .get("requestId")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            duration_ms: f("durationMs"),
            billed_ms: f("billedDurationMs"),
            memory_mb: f("memorySizeMB").map(|x| x as u32),
            max_memory_mb: f("maxMemoryUsedMB").map(|x| x as u32),
            init_ms: f("initDurationMs"),
            restore_ms: f("restoreDurationMs"),
            status: r.get("status").and_then(|x| x.as_str()).map(str::to_string),
        });
    }
    let rest = message.trim_start().strip_prefix("REPORT ")?;
    let mut report = Report::default();
    for field in rest.split('\t') {
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let number = || {
            value
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
                .filter(|x| x.is_finite())
        };
        match key.trim() {
            "RequestId" => report.request_id = value.to_string(),
            "Duration" => report.duration_ms = number(),
            "Billed Duration" => report.billed_ms = number(),
            "Memory Size" => report.memory_mb = number().map(|x| x as u32),
            "Max Memory Used" => report.max_memory_mb = number().map(|x| x as u32),
            "Init Duration" => report.init_ms = number(),
            "Restore Duration" => report.restore_ms = number(),
            "Status" => report.status = Some(value.to_string()),
            _ => {}
        }
    }
    (!report.request_id.is_empty()).then_some(report)
}

/// The request id a line belongs to, when it says (START/END/REPORT, the
/// runtime's `<ts>\t<id>\t…` prefix, or a JSON `requestId`).
pub fn request_id(message: &str) -> Option<String> {
    if let Some(v) = json_of(message) {
        return v
            .get("requestId")
            .or_else(|| v.pointer("/record/requestId"))
            .and_then(|x| x.as_str())
            .map(str::to_string);
    }
    if let Some(i) = message.find("RequestId: ") {
        let id: String = message[i + 11..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
            .collect();
        return (!id.is_empty()).then_some(id);
    }
    let mut parts = message.splitn(3, '\t');
    let (_, id) = (parts.next()?, parts.next()?);
    let looks_like_uuid = id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    looks_like_uuid.then(|| id.to_string())
}

/// An application JSON line on one line, level and message first:
/// `ERROR payment failed · orderId=42 requestId=…`. `None` for non-JSON.
pub fn compact_json(message: &str) -> Option<String> {
    let v = json_of(message)?;
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
