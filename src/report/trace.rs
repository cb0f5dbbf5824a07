//! `lamtop trace TRACE_ID`: the segment waterfall as text (plain when not
//! a terminal) or the normalized segment tree as JSON.

use crate::format;
use crate::model::segments::{Node, TraceTree, rows, span};
use crate::model::text::escape_controls;
use crossterm::style::Stylize;
use std::fmt::Write;

/// Width of the name column.
const NAME: usize = 46;

pub(crate) fn status(n: &Node) -> String {
    let mut s = Vec::new();
    if n.fault {
        s.push("✖ fault");
    }
    if n.error {
        s.push("! error");
    }
    if n.throttle {
        s.push("⧗ throttle");
    }
    if n.in_progress {
        s.push("… in progress");
    }
    let mut out = s.join(" ");
    if let Some(code) = n.http_status {
        out = format!("{code} {out}");
    }
    out.trim().to_string()
}

pub(crate) fn label(n: &Node, depth: usize) -> String {
    let mut l = format!(
        "{}{}",
        "  ".repeat(depth.min(20)),
        escape_controls(&n.name, false)
    );
    if let Some(p) = n.lambda_phase() {
        l.push_str(&format!(" [{p}]"));
    } else if let Some(o) = &n.origin {
        l.push_str(&format!(" ({})", escape_controls(o, false)));
    }
    let len = l.chars().count();
    if len > NAME {
        let mut t: String = l.chars().take(NAME - 1).collect();
        t.push('…');
        t
    } else {
        format!("{l}{}", " ".repeat(NAME - len))
    }
}

pub(crate) fn bar(n: &Node, t0: f64, t1: f64, width: usize) -> String {
    let scale = width as f64 / (t1 - t0);
    let a = (((n.start - t0) * scale).floor().max(0.0) as usize).min(width.saturating_sub(1));
    let b = match n.end {
        Some(e) => (((e - t0) * scale).ceil() as usize).clamp(a + 1, width),
        None => width, // open-ended: runs to the edge
    };
    let fill = if n.end.is_none() { '░' } else { '█' };
    format!(
        "{}{}{}",
        " ".repeat(a),
        fill.to_string().repeat(b - a),
        " ".repeat(width - b)
    )
}

/// The `sql` block as labelled lines: the query first, then where it ran.
pub(crate) fn sql_lines(n: &Node) -> Vec<(&'static str, String)> {
    let Some(s) = &n.sql else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(q) = &s.sanitized_query {
        out.push(("sql", q.clone()));
    }
    let target = [
        &s.database,
        &s.url,
        &s.user.as_ref().map(|u| format!("as {u}")),
    ]
    .iter()
    .filter_map(|x| x.as_deref())
    .collect::<Vec<_>>()
    .join(" ");
    if !target.is_empty() {
        out.push(("database", target));
    }
    out
}

/// The waterfall, `width` columns wide.
pub fn waterfall(tree: &TraceTree, width: usize, color: bool) -> String {
    let mut out = String::new();
    let (t0, t1) = span(tree);
    let all = rows(tree, &Default::default());
    let _ = writeln!(
        out,
        "trace {} · {} · {} segments",
        tree.id,
        format::ms(Some((t1 - t0) * 1000.0)),
        all.len()
    );
    if all.is_empty() {
        let _ = writeln!(out, "(no segments)");
    }
    let bar_w = width.saturating_sub(NAME + 26).max(10);
    let _ = writeln!(
        out,
        "{:<NAME$} 0{:>w$}",
        "SEGMENT",
        format::ms(Some((t1 - t0) * 1000.0)),
        w = bar_w - 1
    );
    for r in &all {
        let line = segment_line(r.node, r.depth, (t0, t1), bar_w, color);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for r in all.iter().filter(|r| has_details(r.node)) {
        write_details(&mut out, r.node);
    }
    for p in &tree.problems {
        let _ = writeln!(out, "⚠ {p}");
    }
    out
}

/// One segment's waterfall line: label, bar on the `(t0, t1)` axis
/// (coloured like the TUI's when `color`), duration and status.
fn segment_line(n: &Node, depth: usize, (t0, t1): (f64, f64), bar_w: usize, color: bool) -> String {
    let dur = n
        .duration()
        .map_or_else(|| "?".to_string(), |d| format::ms(Some(d * 1000.0)));
    let mut b = bar(n, t0, t1, bar_w);
    if color {
        b = if n.fault {
            b.red().to_string()
        } else if n.throttle {
            b.magenta().to_string()
        } else if n.error {
            b.yellow().to_string()
        } else if n.lambda_phase() == Some("cold start: init") {
            b.blue().to_string()
        } else {
            b.cyan().to_string()
        };
    }
    format!("{} {b} {dur:>9} {}", label(n, depth), status(n))
}

/// Whether a segment has anything for the details below the waterfall.
fn has_details(n: &Node) -> bool {
    !n.exceptions.is_empty()
        || !n.annotations.is_empty()
        || !n.metadata.is_empty()
        || n.http_url.is_some()
        || n.request_id.is_some()
        || n.sql.is_some()
        || !n.problems.is_empty()
}

/// A segment's details under its name: HTTP call, request, SQL,
/// exceptions with their stacks, annotations, metadata and problems.
fn write_details(out: &mut String, n: &Node) {
    let e = |s: &str| escape_controls(s, false);
    // Named as in the waterfall (with its origin): Lambda's two segments
    // share the function's name.
    let _ = writeln!(out, "\n{}:", label(n, 0).trim_end());
    if let (Some(m), Some(u)) = (&n.http_method, &n.http_url) {
        let _ = writeln!(out, "  http {} {}", e(m), e(u));
    }
    if let Some(id) = &n.request_id {
        let _ = writeln!(out, "  request {}", e(id));
    }
    for (k, v) in sql_lines(n) {
        let _ = writeln!(out, "  {k} {}", e(&v));
    }
    for x in &n.exceptions {
        let _ = writeln!(out, "  ✖ {}: {}", e(&x.kind), e(&x.message));
        for f in &x.stack {
            let _ = writeln!(out, "      at {}", e(f));
        }
    }
    for (k, v) in &n.annotations {
        let _ = writeln!(out, "  annotation {} = {}", e(k), e(v));
    }
    for (k, v) in &n.metadata {
        let _ = writeln!(out, "  metadata {} = {}", e(k), e(v));
    }
    for p in &n.problems {
        let _ = writeln!(out, "  ⚠ {}", e(p));
    }
}

/// Runs `lamtop trace`: fetches the whole trace and prints its waterfall
/// (or, with `--format json`, the normalized tree).
pub async fn run<S: crate::source::Traces + ?Sized>(
    src: &S,
    args: &crate::cli::TraceArgs,
    color: bool,
) -> Result<crate::exit::Exit, crate::exit::Error> {
    use crate::exit::{Error, Exit};
    use std::io::IsTerminal;
    let tree = match crate::poll::traces::fetch_tree(src, &args.id).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Err(Error::Failed(format!(
                "trace '{}' not found (X-Ray keeps traces for 30 days)",
                args.id
            )));
        }
        Err(e) => return Err(Error::Failed(e.to_string())),
    };
    let text = if args.format == "json" {
        let mut j = serde_json::to_string_pretty(&tree).map_err(|e| Error::Io(e.to_string()))?;
        j.push('\n');
        j
    } else {
        let width = args
            .width
            .or_else(|| {
                crossterm::terminal::size()
                    .ok()
                    .filter(|_| std::io::stdout().is_terminal())
                    .map(|(w, _)| usize::from(w))
            })
            .unwrap_or(120);
        waterfall(&tree, width, color)
    };
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::segments::build;
    use crate::model::segments::tests as fx;

    #[test]
    fn waterfalls_of_fixture_traces() {
        for (name, docs) in [
            ("cold_start", fx::cold_start()),
            ("fault", fx::fault_with_exception()),
            ("deep", fx::deep()),
            ("partial", fx::partial()),
        ] {
            let text = waterfall(
                &build("1-6567b2a0-0123456789abcdef01234567", &docs),
                120,
                false,
            );
            insta::assert_snapshot!(name, text);
        }
    }
}
