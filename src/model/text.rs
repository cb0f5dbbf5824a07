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
