//! Content rules: the texts that name a failure wherever they appear in a
//! line, matched all at once by one automaton.

use super::{Failure, Level, rank};
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// How much a content rule is to be trusted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strength {
    /// Only the platform or a runtime prints this: always a failure.
    Strong,
    /// Application text could say this too: a failure unless the line's
    /// level says it is only information.
    Weak,
}

/// Content rules: text only the platform or a runtime prints (strong) or
/// that an application could print too (weak). Where several match, the
/// most specific failure wins (see [`rank`]).
const RULES: &[(&str, Failure, Strength)] = &[
    ("Task timed out after", Failure::Timeout, Strength::Strong),
    ("Sandbox.Timedout", Failure::Timeout, Strength::Strong),
    (
        "Runtime.OutOfMemory",
        Failure::OutOfMemory,
        Strength::Strong,
    ),
    (
        "JavaScript heap out of memory",
        Failure::OutOfMemory,
        Strength::Strong,
    ),
    (
        "runtime: out of memory",
        Failure::OutOfMemory,
        Strength::Strong,
    ),
    (
        "java.lang.OutOfMemoryError",
        Failure::OutOfMemory,
        Strength::Strong,
    ),
    (
        "System.OutOfMemoryException",
        Failure::OutOfMemory,
        Strength::Strong,
    ),
    ("NoMemoryError", Failure::OutOfMemory, Strength::Weak),
    (
        "failed to allocate memory",
        Failure::OutOfMemory,
        Strength::Weak,
    ),
    ("MemoryError", Failure::OutOfMemory, Strength::Weak),
    ("memory allocation of", Failure::OutOfMemory, Strength::Weak),
    (
        "Process exited before completing request",
        Failure::RuntimeExit,
        Strength::Strong,
    ),
    (
        "Runtime exited with error",
        Failure::RuntimeExit,
        Strength::Strong,
    ),
    (
        "Runtime exited without providing a reason",
        Failure::RuntimeExit,
        Strength::Strong,
    ),
    ("Runtime.ExitError", Failure::RuntimeExit, Strength::Strong),
    (
        "Unknown application error occurred",
        Failure::RuntimeExit,
        Strength::Strong,
    ),
    (
        "Runtime.ImportModuleError",
        Failure::InitError,
        Strength::Strong,
    ),
    (
        "Runtime.HandlerNotFound",
        Failure::InitError,
        Strength::Strong,
    ),
    (
        "Runtime.UserCodeSyntaxError",
        Failure::InitError,
        Strength::Strong,
    ),
    (
        "Runtime.MalformedHandlerName",
        Failure::InitError,
        Strength::Strong,
    ),
    (
        "Runtime.InvalidEntrypoint",
        Failure::InitError,
        Strength::Strong,
    ),
    (
        "Runtime failed to start",
        Failure::InitError,
        Strength::Strong,
    ),
    (
        "Init error when loading handler",
        Failure::InitError,
        Strength::Strong,
    ),
    ("Class not found: ", Failure::InitError, Strength::Weak),
    ("Unable to load type '", Failure::InitError, Strength::Weak),
    ("Init<", Failure::InitError, Strength::Weak),
    (
        "Runtime.UnhandledPromiseRejection",
        Failure::Crash,
        Strength::Strong,
    ),
    (
        "Unhandled Promise Rejection",
        Failure::Crash,
        Strength::Strong,
    ),
    ("Uncaught Exception", Failure::Crash, Strength::Strong),
    ("resulted in a panic", Failure::Crash, Strength::Strong),
    (
        "Failed to initialize CoreCLR",
        Failure::Crash,
        Strength::Strong,
    ),
    ("Unhandled exception.", Failure::Crash, Strength::Weak),
    ("Unhandled Exception:", Failure::Crash, Strength::Weak),
    ("Exception in thread", Failure::Crash, Strength::Weak),
    ("panicked at", Failure::Crash, Strength::Weak),
    ("panic: ", Failure::Crash, Strength::Weak),
    ("fatal error: ", Failure::Crash, Strength::Weak),
    // The runtimes' report of an error the handler threw or returned.
    ("Invoke Error", Failure::Crash, Strength::Weak),
    ("\"errorType\"", Failure::Crash, Strength::Weak),
    ("\"errorMessage\"", Failure::Crash, Strength::Weak),
    // Powertools for Python logs unhandled exceptions from this hook.
    (
        "log_uncaught_exception_hook",
        Failure::Crash,
        Strength::Strong,
    ),
    (
        "Traceback (most recent call last)",
        Failure::Error,
        Strength::Weak,
    ),
];

/// All the patterns of [`RULES`], matched in one pass over a line.
static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // The patterns are constants: building the automaton cannot fail.
    AhoCorasick::new(RULES.iter().map(|r| r.0)).expect("constant patterns")
});

/// The failure a line's content names, given the level its prefix or JSON
/// says (information-level lines only fail on strong rules).
pub fn content_failure(text: &str, level: Option<Level>) -> Option<Failure> {
    let quiet = level.is_some_and(|l| l <= Level::Info);
    MATCHER
        .find_overlapping_iter(text)
        .map(|m| RULES[m.pattern().as_usize()])
        .filter(|(_, _, s)| !quiet || *s == Strength::Strong)
        .map(|(_, f, _)| (rank(f), f))
        .min_by_key(|(r, _)| *r)
        .map(|(_, f)| f)
}
