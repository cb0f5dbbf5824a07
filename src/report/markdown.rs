//! Markdown that stays Markdown whatever the text inside: a log line with
//! a `|`, a backtick run or a newline cannot break a table or a fence.

/// Table-cell text: one line, bars, emphasis marks and backticks escaped.
pub fn cell(s: &str) -> String {
    let one = crate::model::text::one_line(s);
    let mut out = String::with_capacity(one.len());
    for c in one.chars() {
        if matches!(c, '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code: fenced with one more backtick than the longest run inside,
/// padded when the text starts or ends with a backtick.
pub fn code(s: &str) -> String {
    let s = crate::model::text::one_line(s);
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// A fenced block of `lang` whose fence is longer than any backtick run
/// of `body` (at least three), the body made inert line by line
/// (controls shown, not obeyed).
pub fn block(lang: &str, body: &str) -> String {
    let body = crate::model::text::message_lines(body).join("\n");
    let fence = "`".repeat((longest_run(&body, '`') + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end_matches('\n'))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// A table: the header, the alignment row (`right[i]`: right-aligned),
/// the rows, each cell escaped.
pub fn table(headers: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let head: Vec<String> = headers.iter().map(|h| cell(h)).collect();
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    let align: Vec<&str> = (0..headers.len())
        .map(|i| {
            if right.get(i).copied().unwrap_or(false) {
                "---:"
            } else {
                ":---"
            }
        })
        .collect();
    out.push_str(&format!("|{}|\n", align.join("|")));
    for r in rows {
        let c: Vec<String> = r.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", c.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_break_out() {
        assert_eq!(cell("a|b\nc *d*"), "a\\|b⏎c \\*d\\*");
        assert_eq!(code("x ``y`` z"), "```x ``y`` z```");
        assert_eq!(code("`a"), "`` `a ``");
        let b = block("text", "```\nrm -rf /\n\x1b[31mred");
        assert!(b.starts_with("````text\n"), "{b}");
        assert!(b.ends_with("\n````\n"), "{b}");
        assert!(!b.contains('\x1b'), "{b}");
    }
}
