//! CloudWatch Logs filter patterns for text: the server-side pattern that
//! finds a window's failures, and a matcher for the text subset of the
//! syntax (for the demo fleet, and to test the pattern on real lines),
//! read once per query rather than once per message.
//!
//! The syntax (CloudWatch "Filter pattern syntax"): `%regex%` matches the
//! regular expression anywhere in the message (no parentheses; a limited
//! character set); otherwise terms separated by spaces must all appear,
//! `?term` terms form one group of which any may appear, `-term` must not
//! appear, and `"quoted phrases"` are one term. Terms are case-sensitive.
//! JSON (`{ $.x = … }`) and space-delimited (`[a, b]`) patterns are left to
//! the service: [`FilterPattern`] lets them through, so nothing is hidden.

use regex::Regex;
use std::sync::LazyLock;

/// One regular expression (no parentheses, which CloudWatch refuses) that
/// every line lamtop classifies as a failure matches: levels (in the
/// three cases loggers write them: `err`, `Err`, `ERR`…), exception
/// and error words, timeouts, out-of-memory kills, runtime exits, REPORT
/// and platform statuses. It is a superset — the client still classifies
/// what comes back — tested on every line of the real-output corpus.
pub const FAILURE_PATTERN: &str = concat!(
    "%",
    "[Ee]rr|ERR|[Ff]atal|FATAL|[Cc]rit|CRIT|[Aa]lert|ALERT|[Ee]merg|EMERG|",
    "[Pp]anic|PANIC|[Ee]xception|Traceback|",
    "[Tt]imed\\sout|[Tt]imeout|[Tt]imedout|[Ff]ail|",
    "OOM|[Ee]xited|[Ee]xit\\s[Cc]ode|[Kk]illed|[Ss]ignal|",
    "[Cc]rash|[Aa]bort",
    "%"
);

/// A text filter pattern, read once and matched against many messages.
#[derive(Debug, Clone)]
pub enum FilterPattern {
    /// Empty, or a JSON / space-delimited pattern: lets everything through.
    All,
    /// `%regex%` (`None` inside: not a regex, matches nothing).
    Regex(Option<Regex>),
    /// Terms: all of `all`, any of `any` (when there are some), none of
    /// `none`.
    Terms {
        /// Terms that must all appear.
        all: Vec<String>,
        /// `?` terms, one of which must appear.
        any: Vec<String>,
        /// `-` terms, none of which may appear.
        none: Vec<String>,
    },
}

impl FilterPattern {
    /// Reads `pattern` (the regex of `%…%` compiled here, once).
    pub fn parse(pattern: &str) -> Self {
        let p = pattern.trim();
        if p.is_empty() || p.starts_with('{') || p.starts_with('[') {
            return Self::All;
        }
        if let Some(re) = p.strip_prefix('%').and_then(|r| r.strip_suffix('%')) {
            return Self::Regex(Regex::new(re).ok());
        }
        let (mut all, mut any, mut none) = (Vec::new(), Vec::new(), Vec::new());
        for t in terms_of(p) {
            if let Some(x) = t.strip_prefix('?') {
                any.push(x.to_string());
            } else if let Some(x) = t.strip_prefix('-') {
                none.push(x.to_string());
            } else {
                all.push(t);
            }
        }
        Self::Terms { all, any, none }
    }

    /// Whether `message` passes.
    pub fn matches(&self, message: &str) -> bool {
        match self {
            Self::All => true,
            Self::Regex(re) => re.as_ref().is_some_and(|r| r.is_match(message)),
            Self::Terms { all, any, none } => {
                all.iter().all(|t| message.contains(t.as_str()))
                    && none.iter().all(|t| !message.contains(t.as_str()))
                    && (any.is_empty() || any.iter().any(|t| message.contains(t.as_str())))
            }
        }
    }
}

/// The failure pattern, read once.
pub fn failure_pattern() -> &'static FilterPattern {
    static FAILURE: LazyLock<FilterPattern> =
        LazyLock::new(|| FilterPattern::parse(FAILURE_PATTERN));
    &FAILURE
}

/// Splits a text pattern into terms; a quoted phrase is one term (with a
/// `?` or `-` before its quote kept as its prefix).
fn terms_of(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in p.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_of_the_syntax() {
        let m = "[ERROR] 2024-01-01 Task timed out after 3.00 seconds";
        let matches = |p: &str, m: &str| FilterPattern::parse(p).matches(m);
        assert!(matches("", m));
        assert!(matches("ERROR", m));
        assert!(!matches("error", m), "terms are case-sensitive");
        assert!(matches("ERROR Task", m));
        assert!(!matches("ERROR WARN", m));
        assert!(matches("?WARN ?ERROR", m));
        assert!(!matches("?WARN ?INFO", m));
        assert!(matches("\"timed out after\"", m));
        assert!(!matches("ERROR -Task", m));
        assert!(matches("%timed out after [0-9]%", m));
        assert!(!matches("%^Task%", m));
        assert!(matches("{ $.level = \"ERROR\" }", "anything"));
    }

    /// The failure pattern uses only what CloudWatch accepts in a regex
    /// pattern: no parentheses, no spaces (`\\s` instead), no characters
    /// outside its set.
    #[test]
    fn the_failure_pattern_is_a_valid_cloudwatch_regex() {
        let re = FAILURE_PATTERN.trim_matches('%');
        assert!(!re.contains('(') && !re.contains(')'));
        assert!(
            re.chars()
                .all(|c| c.is_ascii_alphanumeric() || "|[]\\".contains(c)),
            "{re}"
        );
        assert!(FAILURE_PATTERN.len() < 1024);
        assert!(Regex::new(re).is_ok());
    }
}
