//! The platform's report lines, in both log formats: `REPORT` (one per
//! invocation), `INIT_REPORT` (an init that failed, timed out or re-ran in
//! the invoke phase; SnapStart's snapshot init) and `RESTORE_REPORT`
//! (SnapStart restores), and their JSON twins `platform.report`,
//! `platform.initReport` and `platform.restoreReport`.
//!
//! Real lines arrive with tabs (Lambda itself) or runs of spaces (copied
//! from documentation, tickets, forwarders), in any field order, with
//! fields missing or cut off. A number is taken only when it is whole and
//! sane (digits, the expected unit after it, within Lambda's limits);
//! anything else is unknown, and the report says it is `incomplete` so a
//! face shows the raw text instead of a wrong figure.

use serde::Serialize;
use serde_json::Value;

/// Which report line this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// `REPORT` / `platform.report`: one finished invocation.
    #[default]
    Invoke,
    /// `INIT_REPORT` / `platform.initReport`.
    Init,
    /// `RESTORE_REPORT` / `platform.restoreReport`.
    Restore,
}

/// The numbers and status of one report line.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Report {
    /// Which report line.
    pub kind: ReportKind,
    /// Request id (empty for init and restore reports, which have none).
    pub request_id: String,
    /// Run time in ms (for init/restore reports: see `init_ms`/`restore_ms`).
    pub duration_ms: Option<f64>,
    /// Billed run time in ms.
    pub billed_ms: Option<f64>,
    /// Configured memory in MB.
    pub memory_mb: Option<u32>,
    /// Peak memory used in MB.
    pub max_memory_mb: Option<u32>,
    /// Init duration in ms: cold starts, and every init report.
    pub init_ms: Option<f64>,
    /// SnapStart restore duration in ms.
    pub restore_ms: Option<f64>,
    /// `success`, `timeout`, `error`, `failure` … when the line says.
    pub status: Option<String>,
    /// `Error Type` / `errorType` (`Runtime.OutOfMemory`, `Runtime.ExitError`).
    pub error_type: Option<String>,
    /// `Phase` of an init report: `init`, or `invoke` when the init re-ran
    /// inside the first invocation (after a failed or timed-out init).
    pub phase: Option<String>,
    /// Some field could not be read (cut off, garbled, missing): show the
    /// raw line beside any summary.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

impl Report {
    /// A cold start (an init or restore phase ran for this request).
    pub fn cold_start(&self) -> bool {
        self.kind == ReportKind::Invoke && (self.init_ms.is_some() || self.restore_ms.is_some())
    }

    /// The status is a failure (`timeout`, `error`, `failure`).
    pub fn failed(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| !s.eq_ignore_ascii_case("success"))
    }

    /// Killed for running out of memory.
    pub fn out_of_memory(&self) -> bool {
        self.error_type
            .as_deref()
            .is_some_and(|t| t.contains("OutOfMemory"))
    }
}

/// Longest plausible duration: Lambda's 15-minute limit, with a wide margin
/// for what future limits and other compute types may bring.
const MAX_MS: f64 = 86_400_000.0;
/// Largest plausible memory size (MB); Lambda's own limit is 10,240.
const MAX_MB: f64 = 1_048_576.0;

/// Keys of the text format, longest first where one ends another.
const KEYS: [&str; 20] = [
    "Billed Restore Duration",
    "Restore Duration",
    "Billed Duration",
    "Init Duration",
    "Max Memory Used",
    "Memory Size",
    "Duration",
    "RequestId",
    "Status",
    "Error Type",
    "Phase",
    "XRAY TraceId",
    "SegmentId",
    "Sampled",
    "Runtime Version ARN",
    "Runtime Version",
    "Name",
    "State",
    "Events",
    "Types",
];

/// The `Key: value` pairs of a text report body, split at tabs, newlines
/// and known keys (so space-separated copies read like the real thing).
pub(super) fn fields(body: &str) -> Vec<(&'static str, &str)> {
    let mut out: Vec<(&'static str, &str)> = Vec::new();
    let mut open: Option<(&'static str, usize)> = None;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let hit = boundary.then(|| key_at(&body[i..])).flatten();
        if let Some(key) = hit {
            if let Some((k, start)) = open.take() {
                out.push((k, cut_value(&body[start..i])));
            }
            let value_start = i + key.len() + 1;
            open = Some((key, value_start));
            i = value_start;
            continue;
        }
        i += 1;
    }
    if let Some((k, start)) = open {
        out.push((k, cut_value(&body[start.min(body.len())..])));
    }
    out
}

fn key_at(s: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|k| s.starts_with(**k) && s.as_bytes().get(k.len()) == Some(&b':'))
        .copied()
}

/// A value ends at a tab or newline (Lambda's separators) or at the next key.
fn cut_value(v: &str) -> &str {
    let end = v.find(['\t', '\n', '\r']).unwrap_or(v.len());
    v[..end].trim()
}

/// `102.25 ms` → 102.25 when the unit is there and the digits are whole.
fn number(value: &str, unit: &str, max: f64) -> Option<f64> {
    let mut it = value.split_whitespace();
    let digits = it.next()?;
    if it.next() != Some(unit) {
        return None;
    }
    let well_formed = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    let v: f64 = digits.parse().ok().filter(|_| well_formed)?;
    (v.is_finite() && v <= max).then_some(v)
}

fn megabytes(value: &str) -> Option<u32> {
    number(value, "MB", MAX_MB)
        .filter(|v| v.fract() == 0.0)
        .map(|v| v as u32)
}

fn word(value: &str) -> Option<String> {
    value
        .split_whitespace()
        .next()
        .filter(|w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-$:".contains(c))
        })
        .map(str::to_string)
}

/// Stores a field's value; an unreadable one marks the report incomplete.
fn set<T>(slot: &mut Option<T>, value: Option<T>, bad: &mut bool) {
    *bad |= value.is_none();
    *slot = value;
}

/// Parses a text report line (`REPORT`, `INIT_REPORT`, `RESTORE_REPORT`).
pub fn parse_text(message: &str) -> Option<Report> {
    let m = message.trim_start();
    let (kind, body) = if let Some(b) = m.strip_prefix("REPORT ") {
        (ReportKind::Invoke, b)
    } else if let Some(b) = m.strip_prefix("INIT_REPORT ") {
        (ReportKind::Init, b)
    } else if let Some(b) = m.strip_prefix("RESTORE_REPORT ") {
        (ReportKind::Restore, b)
    } else {
        return None;
    };
    let mut r = Report {
        kind,
        ..Default::default()
    };
    let mut bad = false;
    for (key, value) in fields(body) {
        let ms = || number(value, "ms", MAX_MS);
        match key {
            "RequestId" => r.request_id = word(value).unwrap_or_default(),
            "Duration" => set(&mut r.duration_ms, ms(), &mut bad),
            "Billed Duration" => set(&mut r.billed_ms, ms(), &mut bad),
            "Init Duration" => set(&mut r.init_ms, ms(), &mut bad),
            "Restore Duration" => set(&mut r.restore_ms, ms(), &mut bad),
            "Memory Size" => set(&mut r.memory_mb, megabytes(value), &mut bad),
            "Max Memory Used" => set(&mut r.max_memory_mb, megabytes(value), &mut bad),
            "Status" => r.status = word(value),
            "Error Type" => r.error_type = word(value),
            "Phase" => r.phase = word(value),
            _ => {}
        }
    }
    let essential_missing = match kind {
        ReportKind::Invoke => {
            r.request_id.is_empty()
                || r.duration_ms.is_none()
                || r.billed_ms.is_none()
                || r.memory_mb.is_none()
                || r.max_memory_mb.is_none()
        }
        ReportKind::Init => r.init_ms.is_none(),
        ReportKind::Restore => r.restore_ms.is_none(),
    };
    r.incomplete = bad || essential_missing;
    // A line that names no field at all is not a report.
    let any = !r.request_id.is_empty()
        || r.duration_ms.is_some()
        || r.init_ms.is_some()
        || r.restore_ms.is_some()
        || r.status.is_some()
        || body.contains(':');
    any.then_some(r)
}

fn json_ms(m: Option<&Value>, key: &str, bad: &mut bool) -> Option<f64> {
    let v = m?.get(key)?;
    let n = v
        .as_f64()
        .filter(|x| x.is_finite() && *x >= 0.0 && *x <= MAX_MS);
    *bad |= n.is_none();
    n
}

fn json_mb(m: Option<&Value>, key: &str, bad: &mut bool) -> Option<u32> {
    let v = m?.get(key)?;
    let n = v
        .as_f64()
        .filter(|x| x.is_finite() && *x >= 0.0 && *x <= MAX_MB && x.fract() == 0.0)
        .map(|x| x as u32);
    *bad |= n.is_none();
    n
}

fn json_str(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// Parses a JSON-format report record (`platform.report`,
/// `platform.initReport`, `platform.restoreReport`).
pub fn parse_json(v: &Value) -> Option<Report> {
    let kind = match v.get("type").and_then(Value::as_str)? {
        "platform.report" => ReportKind::Invoke,
        "platform.initReport" => ReportKind::Init,
        "platform.restoreReport" => ReportKind::Restore,
        _ => return None,
    };
    let rec = v.get("record")?;
    let m = rec.get("metrics");
    let mut bad = false;
    let mut r = Report {
        kind,
        request_id: json_str(rec.get("requestId")).unwrap_or_default(),
        status: json_str(rec.get("status")),
        error_type: json_str(rec.get("errorType")),
        phase: json_str(rec.get("phase")),
        ..Default::default()
    };
    match kind {
        ReportKind::Invoke => {
            r.duration_ms = json_ms(m, "durationMs", &mut bad);
            r.billed_ms = json_ms(m, "billedDurationMs", &mut bad);
            r.memory_mb = json_mb(m, "memorySizeMB", &mut bad);
            r.max_memory_mb = json_mb(m, "maxMemoryUsedMB", &mut bad);
            r.init_ms = json_ms(m, "initDurationMs", &mut bad);
            r.restore_ms = json_ms(m, "restoreDurationMs", &mut bad);
            bad |= r.duration_ms.is_none();
        }
        ReportKind::Init => {
            r.init_ms = json_ms(m, "durationMs", &mut bad);
            bad |= r.init_ms.is_none();
        }
        ReportKind::Restore => {
            r.restore_ms = json_ms(m, "durationMs", &mut bad);
            bad |= r.restore_ms.is_none();
        }
    }
    r.incomplete = bad;
    Some(r)
}
