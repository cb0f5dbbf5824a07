//! Terminal safety: every string that came from AWS passes through
//! [`sanitize`] before it reaches a terminal.

/// Removes escape sequences (CSI, OSC, other ESC forms) and control
/// characters, keeping tabs as a single space; so a log line or a function
/// name can never move the cursor, change colours, set the title or ring
/// the bell.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC introducers.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_osc(&mut chars),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

type It<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut It<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_osc(chars),
        // Two-character sequences (ESC c, ESC 7 …) are consumed whole.
        _ => {}
    }
}

fn skip_csi(chars: &mut It<'_>) {
    // Parameters and intermediates, then one final byte in '@'..='~'.
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

fn skip_osc(chars: &mut It<'_>) {
    // Ends at BEL or at ST (ESC \).
    while let Some(c) = chars.next() {
        if c == '\u{7}' || c == '\u{9c}' {
            break;
        }
        if c == '\u{1b}' {
            if chars.peek() == Some(&'\\') {
                chars.next();
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(sanitize("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(sanitize("x\u{1b}]0;title\u{7}y"), "xy");
        assert_eq!(sanitize("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(sanitize("bell\u{7}\r\nnext\tcol"), "bellnext col");
        assert_eq!(sanitize("ünïcødé λ"), "ünïcødé λ");
        assert_eq!(sanitize("trailing\u{1b}"), "trailing");
        assert_eq!(sanitize("\u{9b}2Jc1"), "c1");
    }
}

/// Compiles a pattern a user typed: a case-insensitive regex, or — when it
/// is not a valid regex — the text matched literally (second value `true`).
/// Size-limited so a hostile pattern cannot eat memory.
pub fn user_regex(text: &str) -> Option<(regex::Regex, bool)> {
    let build = |p: &str| {
        regex::RegexBuilder::new(p)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
    };
    match build(text) {
        Ok(r) => Some((r, false)),
        Err(_) => build(&regex::escape(text)).ok().map(|r| (r, true)),
    }
}

/// Makes every control character and escape sequence visible and inert:
/// ESC becomes the four characters `\x1b`, BEL `\x07`, CR `\r`, tabs stay
/// tabs only when `keep_tabs`, newlines become `⏎` (one event, one line).
/// Used for log messages, where hiding hostile bytes would hide evidence.
pub fn escape_controls(s: &str, keep_tabs: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' if keep_tabs => out.push('\t'),
            '\t' => out.push_str("    "),
            '\n' => out.push('⏎'),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{{{n:x}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The lines of a multi-line message, each made inert: runtimes separate
/// lines with `\n`, `\r\n` or — Node and Python in the text format, so
/// that one event stays one event — a lone `\r`.
pub fn message_lines(s: &str) -> Vec<String> {
    s.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(|l| escape_controls(l, false))
        .collect()
}

/// A message on one line: its lines joined by `⏎` (whichever separator the
/// runtime used), every other control made visible.
pub fn one_line(s: &str) -> String {
    let lines = message_lines(s.strip_suffix("\r\n").or(s.strip_suffix('\n')).unwrap_or(s));
    lines.join("⏎")
}

/// `s` cut to its first `max` characters, `…` marking the cut.
pub fn cut_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod escape_tests {
    use super::escape_controls;

    #[test]
    fn escapes_are_visible_and_inert() {
        assert_eq!(
            escape_controls("a\u{1b}[31mb\u{7}\r\nc", false),
            "a\\x1b[31mb\\x07\\r⏎c"
        );
        assert_eq!(escape_controls("\u{9b}x\tz", true), "\\x9bx\tz");
        assert_eq!(escape_controls("\u{1b}]0;t\u{7}", false), "\\x1b]0;t\\x07");
    }

    #[test]
    fn carriage_returns_separate_lines_like_newlines() {
        let m = "[ERROR] KeyError: 'Records'\rTraceback (most recent call last):\r  File x\n";
        assert_eq!(
            super::message_lines(m),
            [
                "[ERROR] KeyError: 'Records'",
                "Traceback (most recent call last):",
                "  File x",
                ""
            ]
        );
        assert_eq!(
            super::one_line(m),
            "[ERROR] KeyError: 'Records'⏎Traceback (most recent call last):⏎  File x"
        );
        assert_eq!(super::one_line("a\r\nb\u{1b}c"), "a⏎b\\x1bc");
    }
}
