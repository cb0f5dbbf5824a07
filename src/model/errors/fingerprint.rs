//! A failure line's fingerprint: the stable key that makes two failures one
//! error group. It is the error type, the headline with its variable parts
//! replaced (`normalize`), and the first frame of the application's code
//! when the line carries a stack (`frames`).
//!
//! The headline is found where each runtime puts it: after the text prefix
//! (`<time>\t<request id>\tERROR\t`, `[ERROR]`), inside Node's `Invoke
//! Error` / `Uncaught Exception` payload, in a JSON line's `errorMessage`
//! or `message`, in a platform record's text; a REPORT that failed reads as
//! its status and error type.

use super::frames::{application_frame, first_frame_at};
use super::normalize::normalize;
use crate::model::logs::{LineInfo, ReportKind, json_of, prefix};
use crate::model::text::{cut_chars, escape_controls};
use serde_json::Value;
use std::borrow::Cow;

/// The longest title kept, in characters.
const MAX_TITLE: usize = 200;

/// What makes failures one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// 16 hex digits of a stable 64-bit hash of the key (FNV-1a): the same
    /// on every machine, so a fingerprint can be searched for and compared
    /// between runs.
    pub id: String,
    /// The normalised headline, error type first:
    /// `KeyError: '<str>'`, `Task timed out after <n> seconds`.
    pub title: String,
    /// The application's innermost frame: `event_object (scan.py)`.
    pub frame: Option<String>,
}

/// The parts of a failure line a fingerprint is made of (borrowed from
/// a text line, owned when read out of JSON).
struct Parts<'a> {
    headline: Cow<'a, str>,
    stack: Cow<'a, str>,
}

/// The fingerprint of a failure line `message` that `info` describes.
pub fn fingerprint(message: &str, info: &LineInfo) -> Fingerprint {
    let error_type = info.error_type.as_deref();
    let title = match &info.report {
        Some(r) => report_title(r.kind, r.status.as_deref(), error_type),
        None => {
            let parts = parts_of(message);
            let frame = application_frame(&parts.stack);
            // Most headlines hold no control character: no copy then.
            let headline = if parts.headline.contains(char::is_control) {
                Cow::Owned(escape_controls(&parts.headline, false))
            } else {
                parts.headline
            };
            let title = with_type(error_type, &normalize(without_type(&headline, error_type)));
            return finish(title, frame, error_type);
        }
    };
    finish(title, None, error_type)
}

fn finish(title: String, frame: Option<String>, error_type: Option<&str>) -> Fingerprint {
    let title = if title.chars().nth(MAX_TITLE).is_some() {
        cut_chars(&title, MAX_TITLE)
    } else {
        title
    };
    // The key is `type \x1f title \x1f frame`, hashed piece by piece.
    let pieces = [
        error_type.unwrap_or("").as_bytes(),
        b"\x1f",
        title.as_bytes(),
        b"\x1f",
        frame.as_deref().unwrap_or("").as_bytes(),
    ];
    let hash = pieces.iter().fold(FNV_OFFSET, |h, p| fnv1a(h, p));
    Fingerprint {
        id: format!("{hash:016x}"),
        title,
        frame,
    }
}

/// FNV-1a, 64 bits: tiny, stable across platforms and releases (the
/// standard library's hasher is neither).
fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// FNV-1a's starting value.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn report_title(kind: ReportKind, status: Option<&str>, error_type: Option<&str>) -> String {
    let word = match kind {
        ReportKind::Invoke => "REPORT",
        ReportKind::Init => "INIT_REPORT",
        ReportKind::Restore => "RESTORE_REPORT",
    };
    let status = status.unwrap_or("?");
    match error_type {
        Some(t) => format!("{t} ({word} Status: {status})"),
        None => format!("{word} Status: {status}"),
    }
}

/// A headline that ends with its error type (`… (core dumped)
/// Runtime.ExitError`, the one-line copy of a two-line event; Python 2's
/// `'Item': KeyError`) reads as the type-first form does.
fn without_type<'a>(headline: &'a str, error_type: Option<&str>) -> &'a str {
    error_type
        .and_then(|t| headline.strip_suffix(t))
        .filter(|h| h.ends_with(char::is_whitespace))
        .map(|h| h.trim_end().trim_end_matches(':'))
        .filter(|h| !h.ends_with("Error Type"))
        .map_or(headline, str::trim_end)
}

/// `Type: headline` unless the headline names the type already.
fn with_type(error_type: Option<&str>, headline: &str) -> String {
    match error_type {
        Some(t) if !headline.contains(t) => {
            if headline.is_empty() {
                t.to_string()
            } else {
                format!("{t}: {headline}")
            }
        }
        _ => headline.to_string(),
    }
}

/// The first line of a text (runtimes separate lines with `\n`, `\r\n` or
/// a lone `\r`), trimmed.
fn first_line(s: &str) -> &str {
    s.split(['\n', '\r'])
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn parts_of(message: &str) -> Parts<'_> {
    let m = message.trim();
    if let Some(v) = json_of(m) {
        return json_parts(&v);
    }
    let rest = after_prefix(m);
    if let Some(v) = json_of(rest) {
        return json_parts(&v);
    }
    for word in [
        "Invoke Error",
        "Uncaught Exception",
        "Unhandled Promise Rejection",
    ] {
        if let Some(tail) = rest.strip_prefix(word) {
            if let Some(v) = json_of(tail) {
                return json_parts(&v);
            }
            return text_parts(tail.trim_start());
        }
    }
    text_parts(rest)
}

/// The message after the runtime's prefix, `RequestId: <id>` and Node's
/// `undefined` request id (an error outside any request, before a level).
fn after_prefix(m: &str) -> &str {
    let mut rest = strip_request_id(prefix::read(m).rest);
    if let Some(after) = rest.strip_prefix("undefined")
        && after.starts_with(char::is_whitespace)
    {
        rest = prefix::read(after).rest;
    }
    rest
}

/// `RequestId: <id> Error: …` reads from `Error: …`.
fn strip_request_id(s: &str) -> &str {
    let Some(after) = s.strip_prefix("RequestId:") else {
        return s;
    };
    let after = after.trim_start();
    match after.find(char::is_whitespace) {
        Some(i) => after[i..].trim_start(),
        None => "",
    }
}

/// The headline ends at the first line break or where a stack begins.
fn text_parts(text: &str) -> Parts<'_> {
    let line = first_line(text);
    let line = line
        .split("Traceback (most recent call last)")
        .next()
        .unwrap_or(line);
    let headline = match first_frame_at(line) {
        Some(i) => line[..i].trim_end(),
        None => line.trim_end(),
    };
    Parts {
        headline: Cow::Borrowed(headline),
        stack: Cow::Borrowed(text),
    }
}

/// Keys a stack is kept under.
const STACK_KEYS: [&str; 4] = ["stack", "stackTrace", "stack_trace", "exception"];

fn json_parts(v: &Value) -> Parts<'static> {
    if let Some(kind) = v
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| t.starts_with("platform."))
    {
        return Parts {
            headline: Cow::Owned(platform_headline(kind, v.get("record"))),
            stack: Cow::Borrowed(""),
        };
    }
    let holders: Vec<&Value> = [Some(v), v.get("message"), v.get("error")]
        .into_iter()
        .flatten()
        .filter(|h| h.is_object())
        .collect();
    let string = |h: &Value, k: &str| h.get(k).and_then(Value::as_str).map(str::to_string);
    let headline = holders
        .iter()
        .find_map(|h| string(h, "errorMessage"))
        .or_else(|| string(v, "message"))
        .or_else(|| string(v, "msg"))
        .or_else(|| holders.iter().find_map(|h| string(h, "message")))
        .unwrap_or_default();
    let stack = holders
        .iter()
        .find_map(|h| STACK_KEYS.iter().find_map(|k| h.get(*k)).map(stack_text))
        .unwrap_or_default();
    Parts {
        headline: Cow::Owned(first_line(&headline).to_string()),
        stack: Cow::Owned(stack),
    }
}

/// A stack as text: a string, an array of lines, or Powertools' array of
/// `{File, Line, Function}` objects.
fn stack_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                Value::Object(o) => format!(
                    "File \"{}\", line 0, in {}",
                    o.get("File").and_then(Value::as_str).unwrap_or(""),
                    o.get("Function").and_then(Value::as_str).unwrap_or("?")
                ),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// `platform.fault`'s text, or a record's type and status.
fn platform_headline(kind: &str, record: Option<&Value>) -> String {
    if let Some(text) = record.and_then(Value::as_str) {
        return strip_request_id(first_line(text)).to_string();
    }
    let status = record
        .and_then(|r| r.get("status"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    format!("{kind} status: {status}")
}
