//! The traces pane of the function view: recent traces, newest first (or
//! by duration), with status in words and symbols, cold starts unknown
//! until opened.

use super::widgets::{Placeholder, placeholder};
use super::{freshness, title};
use crate::format;
use crate::model::traces::TraceSummary;
use crate::store::Store;
use crate::tui::app::{App, Focus};
use crate::tui::theme::Theme;
use crate::tui::traces::visible;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

/// Draws the pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, store: &Store, now: DateTime<Utc>) {
    let t = app.theme;
    let block = Block::default().borders(Borders::ALL).title(title(
        pane_name(app, store),
        freshness(&store.traces, crate::poll::TRACES_EVERY, now, app),
        app,
    ));
    let list = visible(store, &app.traces);
    if list.is_empty() {
        placeholder(frame, area, Some(block), empty_state(store), t);
        return;
    }
    let rows: Vec<Row> = list.iter().map(|s| trace_row(t, s)).collect();
    let header = Row::new([
        "TIME", "DURATION", "RESPONSE", "STATUS", "HTTP", "START", "TRACE ID",
    ])
    .style(t.header());
    let table = Table::new(rows, COLUMNS)
        .header(header)
        .block(block)
        .row_highlight_style(if app.focus == Focus::Traces {
            t.selected()
        } else {
            t.text()
        });
    let mut state = TableState::default();
    state.select(Some(app.traces.selected.min(list.len() - 1)));
    frame.render_stateful_widget(table, area, &mut state);
}

/// Widths of the columns: time, duration, response, status, HTTP, start
/// and the trace id taking the rest.
const COLUMNS: [Constraint; 7] = [
    Constraint::Length(8),
    Constraint::Length(9),
    Constraint::Length(9),
    Constraint::Length(10),
    Constraint::Length(4),
    Constraint::Length(6),
    Constraint::Min(10),
];

/// The pane's name with what shapes the list: focus, order, filters.
fn pane_name(app: &App, store: &Store) -> String {
    let mut name = "Traces".to_string();
    if app.focus == Focus::Traces {
        name.push_str(" [focus]");
    }
    if app.traces.by_duration {
        name.push_str(" · by duration");
    }
    if app.traces.faults_only {
        name.push_str(" · faults only");
    }
    if store
        .traces
        .value
        .as_ref()
        .is_some_and(|l| l.client_filtered)
    {
        name.push_str(" · filtered here (endpoint rejects filter expressions)");
    }
    name
}

/// What an empty pane says. A pane title is too narrow for a whole error:
/// say it in the body (e.g. which IAM action to grant).
fn empty_state(store: &Store) -> Placeholder {
    if let Some(e) = &store.traces.last_error {
        return Placeholder::Failed(crate::model::text::sanitize(&e.to_string()));
    }
    let msg = if store.traces.updated_at.is_some() {
        "no traces in this window (is tracing enabled?)"
    } else {
        ""
    };
    Placeholder::Quiet(msg.into())
}

/// One trace's row: time, durations, status in words and symbols, HTTP
/// status, cold or warm start, id.
fn trace_row(t: Theme, s: &TraceSummary) -> Row<'static> {
    let (word, style) = if s.has_fault {
        ("✖ fault", t.error())
    } else if s.has_throttle {
        ("⧗ throttle", t.warn())
    } else if s.has_error {
        ("! error", t.warn())
    } else {
        ("✓ ok", t.ok())
    };
    Row::new(vec![
        Cell::from(
            s.start
                .map(|d| d.format("%H:%M:%S").to_string())
                .unwrap_or_else(|| "?".into()),
        ),
        Cell::from(format::ms(s.duration_s.map(|d| d * 1000.0))),
        Cell::from(format::ms(s.response_time_s.map(|d| d * 1000.0))),
        Cell::from(Span::styled(word, style)),
        Cell::from(s.http_status.map_or("-".into(), |c| c.to_string())),
        Cell::from(match s.cold_start {
            Some(true) => Span::styled("❄ cold", t.warn()),
            Some(false) => Span::styled("warm", t.dim()),
            None => Span::styled("?", t.dim()),
        }),
        Cell::from(crate::model::text::sanitize(&s.id)),
    ])
}
