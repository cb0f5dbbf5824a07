//! The first frame of the application's own code in a stack trace, in the
//! shapes the runtimes print (see `tests/fixtures/real/SOURCES.md`):
//! Node `at fn (/var/task/index.js:2:3)` and `at /var/task/utils.js:544:22`,
//! Java `at com.example.Handler.handle(Handler.java:25)`, Python
//! `File "/var/task/scan.py", line 212, in lambda_handler`, Ruby
//! `/var/task/lambda.rb:17:in '<top (required)>'`. Line and column numbers
//! are dropped: a deploy that moves a line keeps the group.
//!
//! Python prints the innermost frame last, the others first; lamtop takes
//! the innermost frame of the application's code in both cases.

use regex::Regex;
use std::sync::LazyLock;

static FRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"File "(?P<py_file>[^"]+)", line [0-9]+, in (?P<py_fn>[^\t\n\r ]+)"#,
        r"|(?-u:\b)at (?:async )?(?P<node_fn>[^\t\n\r ()]+(?: \[as [^\]]+\])?) \((?P<node_loc>[^()]+?)(?::[0-9]+)*\)",
        r"|(?-u:\b)at (?:async )?(?P<anon_loc>(?:file://)?/[^\t\n\r ():]+):[0-9]+(?::[0-9]+)?",
        r"|(?-u:\b)at (?P<java_fn>[0-9A-Za-z_$.<>]+)\((?P<java_loc>[^()]*)\)",
        r"|(?P<rb_file>(?:/[^\t\n\r :`'\x22]+)+\.rb):[0-9]+:in [`'](?P<rb_fn>[^'`]+)'",
    ))
    .expect("the frame pattern is valid")
});

/// Code paths that are not the application's: the runtime, the language,
/// installed packages, layers.
const LIBRARY_PATHS: [&str; 13] = [
    "/var/runtime/",
    "/var/lang/",
    "node_modules/",
    "site-packages/",
    "dist-packages/",
    "/opt/",
    "internal/",
    "node:",
    "<anonymous>",
    "/.cargo/",
    "/usr/",
    "/gems/",
    "/vendor/bundle/",
];

/// Packages of the JVM, .NET and the Lambda runtime clients.
const LIBRARY_PACKAGES: [&str; 14] = [
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "scala.",
    "lambdainternal.",
    "com.amazonaws.services.lambda.runtime.",
    "software.amazon.",
    "System.",
    "Microsoft.",
    "Amazon.Lambda.",
    "Native Method",
];

/// One frame: the function and, where printed, the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frame {
    function: Option<String>,
    file: Option<String>,
    python: bool,
}

impl Frame {
    /// Neither its package nor its file is a library's; a file in angle
    /// brackets (`<input>`, `<frozen importlib._bootstrap>`) is no file.
    fn is_application(&self) -> bool {
        let library_fn = self
            .function
            .as_deref()
            .is_some_and(|f| LIBRARY_PACKAGES.iter().any(|p| f.starts_with(p)));
        let library_file = self
            .file
            .as_deref()
            .is_some_and(|f| f.starts_with('<') || LIBRARY_PATHS.iter().any(|p| f.contains(p)));
        !library_fn && !library_file && (self.function.is_some() || self.file.is_some())
    }

    /// `fn (file)` with the task root dropped: `exports.handler (index.js)`.
    fn label(&self) -> String {
        let file = self.file.as_deref().map(|f| {
            let f = f.strip_prefix("file://").unwrap_or(f);
            f.strip_prefix("/var/task/").unwrap_or(f).to_string()
        });
        match (&self.function, file) {
            (Some(func), Some(file)) => format!("{func} ({file})"),
            (Some(func), None) => func.clone(),
            (None, Some(file)) => file,
            (None, None) => String::new(),
        }
    }
}

/// A Java frame's location is `File.java:25` (or `Native Method`); a .NET
/// frame's parentheses hold arguments, not a place.
fn java_file(loc: &str) -> Option<String> {
    let file = loc.split(':').next().unwrap_or(loc);
    let source = [".java", ".kt", ".scala", ".groovy"];
    source
        .iter()
        .any(|ext| file.ends_with(ext))
        .then(|| file.to_string())
}

/// The frames of `stack`: the fast engine finds each match, and the match
/// alone is read by hand (capturing groups would run the slow engines;
/// they were most of the fingerprint's time).
fn frames(stack: &str) -> impl Iterator<Item = Frame> + '_ {
    FRAME.find_iter(stack).filter_map(|m| frame_of(m.as_str()))
}

/// One match of [`FRAME`] as a frame; the alternatives are told apart by
/// their first characters, in the pattern's order.
fn frame_of(m: &str) -> Option<Frame> {
    let frame = |function: Option<&str>, file: Option<String>, python| Frame {
        function: function.map(str::to_string),
        file,
        python,
    };
    if let Some(rest) = m.strip_prefix("File \"") {
        let (file, rest) = rest.split_once("\", line ")?;
        let (_, function) = rest.split_once(", in ")?;
        return Some(frame(Some(function), Some(file.to_string()), true));
    }
    if let Some(rest) = m.strip_prefix("at ") {
        let rest = rest.strip_prefix("async ").unwrap_or(rest);
        return Some(at_frame(rest, frame));
    }
    // Ruby: `/var/task/lambda.rb:17:in `<top (required)>'`.
    let cut = m.find(".rb:")? + 3;
    let function = m[cut..]
        .split_once(":in ")
        .map(|(_, f)| f.trim_start_matches(['`', '\'']).trim_end_matches('\''));
    Some(frame(function, Some(m[..cut].to_string()), false))
}

/// A frame after `at `: Node's `fn (loc:1:2)`, Java's `fn(File.java:3)`,
/// or Node's anonymous `/path:1:2`.
fn at_frame(rest: &str, frame: impl Fn(Option<&str>, Option<String>, bool) -> Frame) -> Frame {
    if let Some(inner) = rest.strip_suffix(')') {
        if let Some((function, loc)) = inner.split_once(" (") {
            return frame(
                Some(function),
                Some(without_positions(loc).to_string()),
                false,
            );
        }
        let (function, loc) = inner.split_once('(').unwrap_or((inner, ""));
        return frame(Some(function), java_file(loc), false);
    }
    let (scheme, path) = match rest.strip_prefix("file://") {
        Some(p) => ("file://", p),
        None => ("", rest),
    };
    let path = path.split(':').next().unwrap_or(path);
    frame(None, Some(format!("{scheme}{path}")), false)
}

/// `index.js:2:3` as `index.js`.
fn without_positions(loc: &str) -> &str {
    let mut loc = loc;
    while let Some((head, tail)) = loc.rsplit_once(':') {
        if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        loc = head;
    }
    loc
}

/// Whether `text` can hold a frame at all: a cheap test before the
/// regular expression (most failure lines carry no stack).
fn may_have_frames(text: &str) -> bool {
    text.contains("at ") || text.contains("File \"") || text.contains(".rb:")
}

/// Where the first frame of a stack starts in `text`, if it has one.
pub fn first_frame_at(text: &str) -> Option<usize> {
    if !may_have_frames(text) {
        return None;
    }
    FRAME.find(text).map(|m| {
        // Python's frames come after its header; cut there.
        text[..m.start()]
            .rfind("Traceback (most recent call last)")
            .unwrap_or(m.start())
    })
}

/// The application's innermost frame of `stack`, labelled, if any.
pub fn application_frame(stack: &str) -> Option<String> {
    if !may_have_frames(stack) {
        return None;
    }
    let mut app = frames(stack).filter(Frame::is_application);
    let first = app.next()?;
    let pick = if first.python {
        app.last().unwrap_or(first)
    } else {
        first
    };
    Some(pick.label()).filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{FRAME, Frame, application_frame, frame_of, java_file};

    /// The frame as the pattern's own groups read it (slow, exact).
    fn by_groups(m: &str) -> Option<Frame> {
        let c = FRAME.captures(m)?;
        let s = |n: &str| c.name(n).map(|m| m.as_str().to_string());
        let f = |function, file, python| Frame {
            function,
            file,
            python,
        };
        Some(if let Some(file) = s("py_file") {
            f(s("py_fn"), Some(file), true)
        } else if let Some(func) = s("node_fn") {
            f(Some(func), s("node_loc"), false)
        } else if let Some(file) = s("anon_loc") {
            f(None, Some(file), false)
        } else if let Some(func) = s("java_fn") {
            let file = c.name("java_loc").and_then(|l| java_file(l.as_str()));
            f(Some(func), file, false)
        } else {
            f(s("rb_fn"), s("rb_file"), false)
        })
    }

    /// The hand reading agrees with the groups on every frame of every
    /// real message of the corpus.
    #[test]
    fn the_hand_reading_agrees_with_the_patterns_groups() {
        let mut frames = 0;
        for (_, id, _, message, _) in crate::model::logs::corpus_tests::samples() {
            for m in FRAME.find_iter(&message) {
                frames += 1;
                assert_eq!(
                    frame_of(m.as_str()),
                    by_groups(m.as_str()),
                    "{id}: {}",
                    m.as_str()
                );
            }
        }
        assert!(frames > 50, "the corpus has stacks: {frames}");
    }

    #[test]
    fn each_runtime_shape_gives_its_application_frame() {
        let cases = [
            (
                "ReferenceError: x\n    at Runtime.exports.handler (/var/task/index.js:2:3)\n    at Runtime.handleOnce (/var/runtime/Runtime.js:63:25)",
                Some("Runtime.exports.handler (index.js)"),
            ),
            (
                "    at _loadUserApp (/var/runtime/UserFunction.js:100:13)\n    at Module._compile (internal/modules/cjs/loader.js:1158:30)",
                None,
            ),
            (
                "    at /var/task/utils.js:544:22\n    at Array.map (<anonymous>)",
                Some("utils.js"),
            ),
            (
                "Traceback (most recent call last):\n  File \"/var/task/scan.py\", line 212, in lambda_handler\n  File \"/var/task/scan.py\", line 51, in event_object",
                Some("event_object (scan.py)"),
            ),
            (
                "at java.net.URLClassLoader.findClass(URLClassLoader.java:381)\nat com.example.Handler.handleRequest(Handler.java:25)",
                Some("com.example.Handler.handleRequest (Handler.java)"),
            ),
            (
                "/var/lang/lib/ruby/2.5.0/rubygems/core_ext/kernel_require.rb:59:in `require'\n/var/task/lambda.rb:17:in `<top (required)>'",
                Some("<top (required)> (lambda.rb)"),
            ),
        ];
        for (stack, want) in cases {
            assert_eq!(application_frame(stack).as_deref(), want, "{stack}");
        }
    }
}
