//! The errors screen (`E`): the fleet's failures grouped by fingerprint —
//! count, kind, new, last seen, functions, the normalised message — and
//! the selected group's details: its frame, its functions with counts,
//! first and last seen, sample requests and traces, the newest line.

use super::title;
use super::widgets::{Placeholder, placeholder};
use crate::format;
use crate::model::errors::ErrorGroup;
use crate::model::text::sanitize;
use crate::store::{ErrorScan, Store};
use crate::tui::app::App;
use crate::tui::errors::error_rows;
use crate::tui::layout::{ErrorsLayout, visible_offset};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

/// Below this width the FUNCTIONS column gives way (the details list them).
const FUNCTIONS_FROM: u16 = 100;

/// Draws the groups and the selected group's details.
pub fn render(frame: &mut Frame, l: &ErrorsLayout, app: &App, store: &Store, now: DateTime<Utc>) {
    let t = app.theme;
    let scan = &store.error_scan;
    let rows = error_rows(store, app.errors.sort);
    let name = format!(
        "Errors · {} groups · by {} (s)",
        rows.len(),
        app.errors.sort.name()
    );
    let block =
        Block::default()
            .borders(Borders::ALL)
            .title(title(name, status(scan, app, now), app));
    if rows.is_empty() {
        let text = if scan.running || scan.range.is_none() {
            Placeholder::Quiet("reading the failing functions' failures…".into())
        } else if store.metrics.value.is_none() {
            Placeholder::Quiet("waiting for the metrics (they say which functions failed)".into())
        } else {
            Placeholder::Quiet("no failures in the window".into())
        };
        placeholder(frame, l.table, Some(block), text, t);
        render_detail(frame, l.detail, app, None, now);
        return;
    }
    let wide = l.table.width >= FUNCTIONS_FROM;
    let mut widths = vec![
        Constraint::Length(6),
        Constraint::Length(13),
        Constraint::Length(3),
        Constraint::Length(5),
    ];
    let mut head = vec!["COUNT", "KIND", "NEW", "LAST"];
    if wide {
        widths.push(Constraint::Length(24));
        head.push("FUNCTIONS");
    }
    widths.push(Constraint::Min(10));
    head.push("ERROR");
    let height = l.table.height.saturating_sub(3);
    let selected = app.errors.row(&rows);
    let offset = visible_offset(0, selected, height, rows.len());
    let body: Vec<Row> = rows
        .iter()
        .skip(offset)
        .take(usize::from(height))
        .map(|(g, new)| {
            let mut cells = vec![
                Cell::from(format!("{:>6}", format::count(Some(g.count() as f64)))),
                Cell::from(g.kind.label()).style(t.error()),
                Cell::from(if *new { "new" } else { "" }).style(t.warn()),
                Cell::from(format::age((now - g.last_seen()).num_seconds())),
            ];
            if wide {
                cells.push(Cell::from(functions_short(g)));
            }
            cells.push(Cell::from(sanitize(&g.fingerprint.title)));
            Row::new(cells)
        })
        .collect();
    let table = Table::new(body, widths)
        .header(Row::new(head).style(t.header()))
        .block(block)
        .column_spacing(1)
        .row_highlight_style(t.selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::default();
    state.select(Some(selected - offset));
    frame.render_stateful_widget(table, l.table, &mut state);
    render_detail(frame, l.detail, app, Some(rows[selected]), now);
}

/// `orders, billing +3`.
fn functions_short(g: &ErrorGroup) -> String {
    let mut names: Vec<(&crate::model::id::FunctionId, u64)> =
        g.functions.iter().map(|(f, n)| (f, n.count)).collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let first = sanitize(&names[0].0.to_string());
    match names.len() {
        1 => first,
        n => format!("{first} +{}", n - 1),
    }
}

/// Where the scan stands, for the title.
fn status(scan: &ErrorScan, app: &App, now: DateTime<Utc>) -> Span<'static> {
    let t = app.theme;
    if scan.running {
        return Span::styled(
            format!("reading {}/{} failing functions…", scan.done, scan.planned),
            t.dim(),
        );
    }
    let Some(at) = scan.finished_at else {
        return Span::styled("waiting…", t.dim());
    };
    let mut text = format!(
        "{} functions read, {} calls, {} ago",
        scan.done,
        scan.calls,
        format::age((now - at).num_seconds())
    );
    if !scan.truncated.is_empty() {
        text.push_str(&format!(" · newest only for {}", scan.truncated.len()));
    }
    if scan.cancelled {
        text.push_str(" · stopped");
    }
    match scan.errors.first() {
        Some((f, e)) => Span::styled(
            format!(
                "⚠ {} of {} failed ({f}: {}) · {text}",
                scan.errors.len(),
                scan.done,
                sanitize(&e.to_string())
            ),
            t.error(),
        ),
        None => Span::styled(text, t.dim()),
    }
}

fn render_detail(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    row: Option<(&ErrorGroup, bool)>,
    now: DateTime<Utc>,
) {
    let t = app.theme;
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        " Group · Enter: its failures in the log pane ",
        t.title(),
    ));
    let Some((g, new)) = row else {
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let label = |s: &str| Span::styled(format!("{s} "), t.dim());
    let time = |x: DateTime<Utc>| {
        format!(
            "{} ({} ago)",
            x.format("%H:%M:%S"),
            format::age((now - x).num_seconds())
        )
    };
    let mut functions: Vec<_> = g.functions.iter().collect();
    functions.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let functions = functions
        .iter()
        .map(|(f, n)| format!("{} {}", sanitize(&f.to_string()), n.count))
        .collect::<Vec<_>>()
        .join(" · ");
    let mut lines = vec![Line::from(vec![
        Span::styled(sanitize(&g.fingerprint.title), t.error()),
        Span::styled(
            g.fingerprint
                .frame
                .as_ref()
                .map(|f| format!("  at {}", sanitize(f)))
                .unwrap_or_default(),
            t.dim(),
        ),
    ])];
    lines.push(Line::from(vec![
        label(g.kind.label()),
        Span::raw(format!("{} ", g.count())),
        label("first"),
        Span::raw(format!("{} ", time(g.first_seen()))),
        label("last"),
        Span::raw(time(g.last_seen())),
        Span::styled(if new { "  new" } else { "" }, t.warn()),
    ]));
    lines.push(Line::from(vec![label("in"), Span::raw(functions)]));
    let ids = |v: &[String]| v.iter().map(|s| sanitize(s)).collect::<Vec<_>>().join(" ");
    if !g.request_ids.is_empty() {
        lines.push(Line::from(vec![
            label("requests"),
            Span::raw(ids(&g.request_ids)),
        ]));
    }
    if !g.trace_ids.is_empty() {
        lines.push(Line::from(vec![
            label("traces"),
            Span::raw(ids(&g.trace_ids)),
        ]));
    }
    lines.push(Line::from(vec![
        label("newest"),
        Span::raw(sanitize(&g.sample)),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
