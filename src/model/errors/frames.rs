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

/// The frames of `stack`: the fast engine finds each match, the groups
/// are read from the match alone (capturing over the whole stack is what
/// costs).
fn frames(stack: &str) -> impl Iterator<Item = Frame> + '_ {
    FRAME
        .find_iter(stack)
        .filter_map(|m| FRAME.captures(m.as_str()))
        .map(|c| {
            let s = |n: &str| c.name(n).map(|m| m.as_str().to_string());
            if let Some(file) = s("py_file") {
                Frame {
                    function: s("py_fn"),
                    file: Some(file),
                    python: true,
                }
            } else if let Some(func) = s("node_fn") {
                Frame {
                    function: Some(func),
                    file: s("node_loc"),
                    python: false,
                }
            } else if let Some(file) = s("anon_loc") {
                Frame {
                    function: None,
                    file: Some(file),
                    python: false,
                }
            } else if let Some(func) = s("java_fn") {
                Frame {
                    file: c.name("java_loc").and_then(|l| java_file(l.as_str())),
                    function: Some(func),
                    python: false,
                }
            } else {
                Frame {
                    function: s("rb_fn"),
                    file: s("rb_file"),
                    python: false,
                }
            }
        })
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
    use super::application_frame;

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
