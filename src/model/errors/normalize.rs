//! Variable parts of a failure message replaced by placeholders, so two
//! failures that differ only in ids, numbers, times or values read alike:
//! `Task timed out after 3.07 seconds` and `… after 3.00 seconds` are both
//! `Task timed out after <n> seconds`.
//!
//! One regular expression finds every candidate (no capture groups, so the
//! fast engine runs); the match's shape decides its placeholder. Numbers
//! that name a kind of failure stay: exit statuses, signal numbers, HTTP
//! status codes (`exit status 137` and `exit status 101` are different
//! failures, `500 Server Error` and `503 Service Unavailable` too).

use regex::Regex;
use std::sync::LazyLock;

/// The longest quoted value replaced as one (longer ones are prose).
const MAX_QUOTED: usize = 200;

static CANDIDATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"https?://[^\t\n\r "'<>)\]]+"#,
        r#"|arn:aws[0-9A-Za-z_-]*:[^\t\n\r "'<>)\],]+"#,
        r"|(?-u:\b)[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?",
        r"|(?-u:\b)[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
        r"|(?-u:\b)[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}(?-u:\b)",
        r"|(?-u:\b)1-[0-9A-Za-z]{8}-[0-9A-Za-z]{24}(?-u:\b)",
        r"|(?-u:\b)[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]{1,5})?(?-u:\b)",
        r#"|(?:^|[^0-9A-Za-z_'"`])'[^'\n]*'"#,
        r#"|(?:^|[^0-9A-Za-z_'"`])"[^"\n]*""#,
        r"|`[^`\n]*`",
        r"|(?:~|\.{1,2}|(?-u:\b)[0-9A-Za-z_.-]+)?(?:/[0-9A-Za-z_.@+-]+){2,}/?",
        r"|(?-u:\b)0x[0-9A-Fa-f]+(?-u:\b)",
        r"|(?-u:\b)[0-9]+\.[0-9]+(?-u:\b)",
        r"|(?-u:\b)[0-9A-Za-z_-]*[0-9][0-9A-Za-z_-]*(?-u:\b)",
    ))
    .expect("the placeholder pattern is valid")
});

/// What one candidate becomes.
fn placeholder<'a>(hay: &str, start: usize, m: &'a str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow::Borrowed;
    let b = m.as_bytes();
    if m.starts_with("http://") || m.starts_with("https://") {
        return Borrowed("<url>");
    }
    if m.starts_with("arn:aws") {
        return Borrowed("<arn>");
    }
    // A quote with the character before it (kept).
    if let Some(q) = quoted(m) {
        return q;
    }
    if m.starts_with('`') {
        return Borrowed("`<str>`");
    }
    if m.contains('/') {
        return Borrowed(if b.first().is_some_and(u8::is_ascii_digit) {
            "<time>"
        } else {
            "<path>"
        });
    }
    if m.starts_with("0x") {
        return Borrowed("<hex>");
    }
    if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[0].is_ascii_digit() {
        return Borrowed("<time>");
    }
    if b.len() == 36 && b[8] == b'-' && b[23] == b'-' {
        return Borrowed("<uuid>");
    }
    if b.len() == 35 && m.starts_with("1-") && b[10] == b'-' {
        return Borrowed("<trace>");
    }
    if m.bytes().filter(|c| *c == b'.').count() == 3 && b[0].is_ascii_digit() {
        return Borrowed("<ip>");
    }
    token(hay, start, m)
}

/// `'value'` or `"value"`, with the character before the quote kept; the
/// quoted words of a sentence are normalised rather than replaced.
fn quoted(m: &str) -> Option<std::borrow::Cow<'_, str>> {
    let (lead, rest) = match m.chars().next()? {
        '\'' | '"' => ("", m),
        c => {
            let rest = &m[c.len_utf8()..];
            if !rest.starts_with(['\'', '"']) {
                return None;
            }
            (&m[..c.len_utf8()], rest)
        }
    };
    let q = &rest[..1];
    let inner = &rest[1..rest.len() - 1];
    // Quoted prose is a message (a panic's, a parser's), not a value; so
    // is a long quoted text.
    if inner.len() > MAX_QUOTED || inner.contains(char::is_whitespace) {
        return Some(format!("{lead}{q}{}{q}", normalize(inner)).into());
    }
    Some(format!("{lead}{q}<str>{q}").into())
}

/// A word with a digit: a number, a hex id, a long mixed id — or a name
/// like `S3`, `utf8`, `us-east-1`, which stays.
fn token<'a>(hay: &str, start: usize, m: &'a str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow::{Borrowed, Owned};
    let digits_only = m.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    if digits_only {
        return if meaningful_number(hay, start, m) {
            Owned(m.to_string())
        } else {
            Borrowed("<n>")
        };
    }
    let hexish = m.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-');
    if hexish && m.len() >= 8 {
        return Borrowed("<hex>");
    }
    let letters = m.bytes().any(|c| c.is_ascii_alphabetic());
    if m.len() >= 16 && letters {
        return Borrowed("<id>");
    }
    Borrowed(m)
}

/// Words after which a number names the failure rather than an instance.
const KEEP_AFTER: [&str; 8] = [
    "status ", "status: ", "status=", "code ", "code: ", "code=", "signal ", "HTTP ",
];

/// An exit status, a signal, an HTTP status (`503 Service Unavailable`).
fn meaningful_number(hay: &str, start: usize, m: &str) -> bool {
    // Only the few bytes before the number are compared (no copy).
    let before = &hay.as_bytes()[..start];
    if KEEP_AFTER.iter().any(|w| {
        let w = w.as_bytes();
        before.len() >= w.len() && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
    }) {
        return true;
    }
    let http = m.len() == 3 && m.parse::<u16>().is_ok_and(|n| (100..600).contains(&n));
    let after = &hay[start + m.len()..];
    http && after.starts_with(' ') && after[1..].starts_with(|c: char| c.is_ascii_uppercase())
}

/// `text` with its variable parts replaced and its whitespace collapsed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in CANDIDATES.find_iter(text) {
        out.push_str(&text[last..m.start()]);
        out.push_str(&placeholder(text, m.start(), m.as_str()));
        last = m.end();
    }
    out.push_str(&text[last..]);
    collapse_whitespace(&out)
}

fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn ids_numbers_and_values_become_placeholders() {
        let cases = [
            (
                "Task timed out after 3.07 seconds",
                "Task timed out after <n> seconds",
            ),
            (
                "RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Error: Runtime exited with error: exit status 137",
                "RequestId: <uuid> Error: Runtime exited with error: exit status 137",
            ),
            ("KeyError: 'Records'", "KeyError: '<str>'"),
            ("can't reach 'db-1'", "can't reach '<str>'"),
            (
                "connect ECONNREFUSED 10.0.12.7:5432",
                "connect ECONNREFUSED <ip>",
            ),
            (
                "User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized",
                "User: <arn> is not authorized",
            ),
            (
                "ENOENT: no such file or directory, open /tmp/cache/a1.json",
                "ENOENT: no such file or directory, open <path>",
            ),
            (
                "order 4411 failed at 2024-10-03T15:20:17.838Z",
                "order <n> failed at <time>",
            ),
            ("trace 1-5e34a614-10bdxmplf1fb44f07bc535a1", "trace <trace>"),
            (
                "object 6f7f0961f83442118a7af6fe80b88 gone",
                "object <hex> gone",
            ),
            (
                "500 Server Error: INTERNAL SERVER ERROR for url: http://httpbin.org/status/500",
                "500 Server Error: INTERNAL SERVER ERROR for url: <url>",
            ),
            ("S3 in us-east-1 said utf8", "S3 in us-east-1 said utf8"),
            ("ptr 0x7ffd5e8c", "ptr <hex>"),
            ("a  \t b", "a b"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize(raw), want, "{raw}");
        }
    }
}
