//! The trace view: a waterfall of every segment and subsegment on a time
//! axis (faults red, errors yellow, throttles distinct, in-progress open
//! bars), and the selected segment's details.

use super::title;
use super::widgets::{Placeholder, placeholder};
use crate::format;
use crate::model::segments::{Node, Row, TraceTree, span};
use crate::model::text::escape_controls;
use crate::report::trace::{bar, label, status};
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::traces::trace_rows;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draws the body of the trace screen.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    id: &str,
    now: DateTime<Utc>,
) {
    let t = app.theme;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(62), Constraint::Min(0)]).areas(area);
    let fresh = super::freshness(&store.trace, crate::poll::TRACE_EVERY, now, app);
    let block = Block::default().borders(Borders::ALL).title(title(
        format!("Trace {}", escape_controls(id, false)),
        fresh,
        app,
    ));
    let tree = match &store.trace.value {
        Some((tid, Some(tree))) if tid == id => tree,
        Some((tid, None)) if tid == id => {
            let what = Placeholder::Failed("X-Ray has no such trace (kept 30 days)".into());
            placeholder(frame, area, Some(block), what, t);
            return;
        }
        _ => {
            let what = Placeholder::Quiet("loading the trace…".into());
            placeholder(frame, area, Some(block), what, t);
            return;
        }
    };
    let rows = trace_rows(store, &app.traces);
    let sel = app.traces.row.min(rows.len().saturating_sub(1));
    let lines = waterfall(app, tree, &rows, sel, top);
    frame.render_widget(Paragraph::new(lines).block(block), top);
    details(
        frame,
        bottom,
        app,
        rows.get(sel).map(|r| r.node),
        &tree.problems,
    );
}

/// The waterfall rows that fit `area` (scrolled so the selected row `sel`
/// shows) under a header with the trace's duration at the end of the axis.
fn waterfall(
    app: &App,
    tree: &TraceTree,
    rows: &[Row<'_>],
    sel: usize,
    area: Rect,
) -> Vec<Line<'static>> {
    let t = app.theme;
    let (t0, t1) = span(tree);
    let inner_w = usize::from(area.width.saturating_sub(2));
    let bar_w = inner_w.saturating_sub(46 + 24).max(8);
    let height = usize::from(area.height.saturating_sub(3));
    let first = (sel + 1).saturating_sub(height.max(1));
    let mut lines = vec![Line::styled(
        format!(
            "{:<46} 0{:>w$}",
            "SEGMENT",
            format::ms(Some((t1 - t0) * 1000.0)),
            w = bar_w
        ),
        t.header(),
    )];
    for (i, r) in rows.iter().enumerate().skip(first).take(height) {
        let mut line = waterfall_row(app, r, (t0, t1), bar_w);
        if i == sel {
            line = line.style(t.selected());
        }
        lines.push(line);
    }
    lines
}

/// One segment's row: the collapsed mark, its indented label, its bar on
/// the `(t0, t1)` axis, its duration and status.
fn waterfall_row(app: &App, r: &Row<'_>, (t0, t1): (f64, f64), bar_w: usize) -> Line<'static> {
    let n = r.node;
    let style = bar_style(app.theme, n);
    let collapsed = if app.traces.collapsed.contains(&n.id) && !n.children.is_empty() {
        "▸"
    } else {
        " "
    };
    let dur = n
        .duration()
        .map_or("?".into(), |d| format::ms(Some(d * 1000.0)));
    Line::from(vec![
        Span::raw(collapsed),
        Span::raw(label(n, r.depth)),
        Span::styled(bar(n, t0, t1, bar_w), style),
        Span::raw(format!(" {dur:>8} ")),
        Span::styled(status(n), style),
    ])
}

/// A bar's colour: faults, throttles, errors, then a cold start's init.
fn bar_style(t: Theme, n: &Node) -> Style {
    if n.fault {
        t.error()
    } else if n.throttle {
        t.series(3)
    } else if n.error {
        t.warn()
    } else if n.lambda_phase() == Some("cold start: init") {
        t.series(4)
    } else {
        t.series(0)
    }
}

/// The selected segment's details, then the trace's own problems.
fn details(frame: &mut Frame, area: Rect, app: &App, node: Option<&Node>, problems: &[String]) {
    let t = app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Segment ", t.title()));
    let Some(n) = node else {
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let mut lines = summary_lines(t, n);
    lines.extend(exception_lines(t, n));
    lines.extend(
        n.annotations
            .iter()
            .map(|(k, v)| kv(t, "annotation", format!("{} = {}", esc(k), esc(v)))),
    );
    lines.extend(
        n.metadata
            .iter()
            .take(10)
            .map(|(k, v)| kv(t, "metadata", format!("{} = {}", esc(k), esc(v)))),
    );
    lines.extend(
        n.problems
            .iter()
            .chain(problems)
            .map(|p| Line::styled(format!("⚠ {p}"), t.warn())),
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// Segment text made safe to draw (control characters shown, not obeyed).
fn esc(s: &str) -> String {
    escape_controls(s, false)
}

/// A `key        value` line, the key dimmed in an 11-column field.
fn kv(t: Theme, k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:<11}"), t.dim()),
        Span::raw(v),
    ])
}

/// What the segment is: name, origin, duration, then the HTTP call, the
/// Lambda request and the SQL statement when it has them.
fn summary_lines(t: Theme, n: &Node) -> Vec<Line<'static>> {
    let mut lines = vec![
        kv(
            t,
            "name",
            format!(
                "{}{}",
                esc(&n.name),
                n.lambda_phase()
                    .map(|p| format!(" [{p}]"))
                    .unwrap_or_default()
            ),
        ),
        kv(
            t,
            "origin",
            n.origin.as_deref().map(esc).unwrap_or_else(|| "-".into()),
        ),
        kv(
            t,
            "duration",
            n.duration()
                .map_or("? (no end_time)".into(), |d| format::ms(Some(d * 1000.0))),
        ),
    ];
    if n.http_method.is_some() || n.http_status.is_some() {
        lines.push(kv(
            t,
            "http",
            format!(
                "{} {} {}",
                n.http_method.as_deref().map(esc).unwrap_or_default(),
                n.http_url.as_deref().map(esc).unwrap_or_default(),
                n.http_status.map(|s| s.to_string()).unwrap_or_default()
            ),
        ));
    }
    if let Some(r) = &n.request_id {
        lines.push(kv(t, "request", format!("{} (l: its log lines)", esc(r))));
    }
    for (k, v) in crate::report::trace::sql_lines(n) {
        lines.push(kv(t, k, esc(&v)));
    }
    lines
}

/// Each exception in error colour, with the first eight stack frames.
fn exception_lines(t: Theme, n: &Node) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for x in &n.exceptions {
        lines.push(Line::styled(
            format!("✖ {}: {}", esc(&x.kind), esc(&x.message)),
            t.error(),
        ));
        lines.extend(
            x.stack
                .iter()
                .take(8)
                .map(|f| Line::styled(format!("    at {}", esc(f)), t.dim())),
        );
    }
    lines
}
