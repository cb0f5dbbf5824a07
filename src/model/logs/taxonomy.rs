//! The failure taxonomy: what a line is (its kind) and, where it tells of
//! a failure, which one. One set of rules serves every face: `tail
//! --errors`, the log pane's filter and colours, `--format json`, REPORT
//! summaries and the REPORT insights.
//!
//! Content rules come from what the runtimes and the platform really
//! print (see `tests/fixtures/real/SOURCES.md`): the platform's timeout and
//! exit lines, each runtime's out-of-memory message, panics and unhandled
//! exceptions, and the level each runtime's log prefix names.

use serde::Serialize;

mod content;

pub use content::content_failure;

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
    /// `INIT_REPORT …` / `platform.initReport`.
    InitReport,
    /// `RESTORE_START …` / `platform.restoreStart` (SnapStart).
    RestoreStart,
    /// `RESTORE_REPORT …` / `platform.restoreReport`.
    RestoreReport,
    /// A standalone `XRAY TraceId: …` line.
    Xray,
    /// Any other platform record (extension, telemetry subscription,
    /// init/restore runtime done, fault).
    Platform,
    /// An error or crash line from the runtime or the application.
    Error,
    /// A warning (also: the platform dropped log lines).
    Warn,
    /// Anything else: info, debug, plain output.
    Other,
}

impl LineKind {
    /// One of the platform's own lines rather than the function's output.
    pub fn is_platform(self) -> bool {
        !matches!(self, Self::Error | Self::Warn | Self::Other)
    }
}

/// Why an invocation (or its init) failed, where a line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Ran into the function's timeout.
    Timeout,
    /// Killed or failed for running out of memory.
    OutOfMemory,
    /// The runtime process exited or was killed (`Runtime.ExitError` …).
    RuntimeExit,
    /// The init phase failed (import error, handler not found …).
    InitError,
    /// The init phase ran into its timeout.
    InitTimeout,
    /// A panic, an unhandled exception, a fatal or critical log line.
    Crash,
    /// An application error-level line.
    Error,
}

impl Failure {
    /// Plain words for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::OutOfMemory => "out of memory",
            Self::RuntimeExit => "runtime exited",
            Self::InitError => "init failed",
            Self::InitTimeout => "init timed out",
            Self::Crash => "crash",
            Self::Error => "error",
        }
    }
}

/// A log level as the runtimes and loggers spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// TRACE / trce.
    Trace,
    /// DEBUG / dbug.
    Debug,
    /// INFO / information.
    Info,
    /// WARN / WARNING.
    Warn,
    /// ERROR / fail.
    Error,
    /// FATAL / CRITICAL / crit.
    Fatal,
}

/// A level word in any case (structured loggers' `level` values).
pub fn level_of_word(w: &str) -> Option<Level> {
    Some(match w.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "TRCE" | "VERBOSE" => Level::Trace,
        "DEBUG" | "DBUG" => Level::Debug,
        "INFO" | "INFORMATION" | "NOTICE" => Level::Info,
        "WARN" | "WARNING" => Level::Warn,
        "ERROR" | "ERR" | "FAIL" => Level::Error,
        "FATAL" | "CRITICAL" | "CRIT" | "ALERT" | "EMERGENCY" | "PANIC" => Level::Fatal,
        _ => return None,
    })
}

/// A level token of a text prefix: `[ERROR]`, `ERROR`, .NET's `fail`.
/// Plain lower-case words are not levels (they are prose) except .NET's
/// four-letter abbreviations and `info`/`warn`/`error`, which runtimes print.
pub fn level_of_token(t: &str) -> Option<Level> {
    let inner = t
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(t);
    let bracketed = inner.len() != t.len();
    let upper = inner.chars().all(|c| c.is_ascii_uppercase());
    let dotnet = matches!(
        inner,
        "trce" | "dbug" | "info" | "warn" | "fail" | "crit" | "error" | "debug" | "trace"
    );
    (bracketed || upper || dotnet)
        .then(|| level_of_word(inner))
        .flatten()
}

/// Warnings that name themselves in the text rather than in a level:
/// Python's `DeprecationWarning:`, Node's `(node:8) Warning:`.
const WARNINGS: [&str; 2] = ["Warning: ", "LAMBDA_WARNING"];

/// The line is a warning by its text.
pub fn warning_text(text: &str) -> bool {
    WARNINGS.iter().any(|w| text.contains(w))
}

/// Lambda's `LAMBDA_WARNING: Unhandled exception …` follows the error it
/// warns about: it is a warning, not a second failure.
pub fn lambda_warning(text: &str) -> bool {
    text.contains("LAMBDA_WARNING")
}

/// Specificity: a timeout explains an exit, an init failure explains a
/// crash during init, a crash is more than an error line.
fn rank(f: Failure) -> u8 {
    match f {
        Failure::Timeout => 0,
        Failure::InitTimeout => 1,
        Failure::OutOfMemory => 2,
        Failure::InitError => 3,
        Failure::RuntimeExit => 4,
        Failure::Crash => 5,
        Failure::Error => 6,
    }
}

/// Picks the more specific of two failures.
pub fn most_specific(a: Option<Failure>, b: Option<Failure>) -> Option<Failure> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if rank(x) <= rank(y) { x } else { y }),
        (x, y) => x.or(y),
    }
}

/// The failure a level names on its own.
pub fn level_failure(level: Option<Level>) -> Option<Failure> {
    match level? {
        Level::Fatal => Some(Failure::Crash),
        Level::Error => Some(Failure::Error),
        _ => None,
    }
}

/// Combines the content's failure and the level's: the more specific wins.
pub fn failure_of(text: &str, level: Option<Level>) -> Option<Failure> {
    most_specific(content_failure(text, level), level_failure(level))
}

fn exception_ident(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || "._$<>".contains(c)))
        .unwrap_or(s.len());
    let id = &s[..end];
    let named = ["Error", "Exception", "Exit"]
        .iter()
        .any(|k| id.ends_with(k) || id.ends_with(&format!("{k}>")));
    // A bare `Error:` is how prose and Go messages start, not a type.
    let bare = matches!(id, "Error" | "Exception");
    (named && !bare && id.starts_with(|c: char| c.is_ascii_alphabetic())).then_some(id)
}

/// An exception the runtime reports as the invocation's failure, by the
/// shapes the runtimes print: `KeyError: 'Records'` (Python 3, Node) at the
/// start of the message, or `message: java.lang.ClassNotFoundException`
/// (Java, .NET, Python 2.7) at the end of its first line. Returns the type.
pub fn unhandled_exception(rest: &str) -> Option<&str> {
    // The first line; in copies that lost their newlines, what comes
    // before Python's traceback header.
    let first = rest.lines().next().unwrap_or("");
    let first = first
        .split(" Traceback (most recent call last)")
        .next()
        .unwrap_or(first)
        .trim_end();
    if let Some(id) = exception_ident(first) {
        let after = &first[id.len()..];
        if after.is_empty() || after.starts_with(": ") || after.starts_with(':') {
            return Some(id);
        }
    }
    let (_, tail) = first.rsplit_once(": ")?;
    exception_ident(tail).filter(|id| id.len() == tail.len())
}

/// A failure's line kind for lines that are not the platform's own.
pub fn app_kind(failure: Option<Failure>, level: Option<Level>) -> LineKind {
    if failure.is_some() {
        LineKind::Error
    } else if level == Some(Level::Warn) {
        LineKind::Warn
    } else {
        LineKind::Other
    }
}

/// The failure a report's status and error type name.
pub fn report_failure(
    init: bool,
    status: Option<&str>,
    error_type: Option<&str>,
) -> Option<Failure> {
    let status = status?.to_ascii_lowercase();
    let oom = error_type.is_some_and(|t| t.contains("OutOfMemory"));
    let timeout = status == "timeout" || error_type.is_some_and(|t| t.contains("Timedout"));
    Some(match (init, status.as_str()) {
        (_, "success") => return None,
        (true, _) if timeout => Failure::InitTimeout,
        (_, _) if oom => Failure::OutOfMemory,
        (false, _) if timeout => Failure::Timeout,
        (true, _) => Failure::InitError,
        (false, "failure") => Failure::Error,
        (false, _) => Failure::RuntimeExit,
    })
}

/// An error type a text line names explicitly: `"errorType":"X"` of an
/// embedded error object, Ruby's `Init<LoadError>`, or `Runtime.X`.
pub fn text_error_type(message: &str) -> Option<String> {
    let ident = |s: &str| {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || "._<>".contains(c)))
            .unwrap_or(s.len());
        (end > 0).then(|| s[..end].to_string())
    };
    if let Some(i) = message.find("\"errorType\":") {
        let rest = message[i + 12..].trim_start().strip_prefix('"')?;
        return ident(rest);
    }
    if let Some(i) = message.find("Init<") {
        return ident(&message[i..]).filter(|t| t.ends_with('>'));
    }
    let i = message.find("Runtime.")?;
    ident(&message[i..]).filter(|t| t.len() > "Runtime.".len())
}
