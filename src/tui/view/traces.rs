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
    let mut block = Block::default().borders(Borders::ALL).title(title(
        pane_name(app, store),
        freshness(&store.traces, crate::poll::TRACES_EVERY, now, app),
        app,
    ));
    let list = visible(store, &app.traces);
    if list.is_empty() {
        placeholder(frame, area, Some(block), empty_state(store), t);
        return;
    }
    let shown = columns_for(area.width.saturating_sub(2));
    if !shown.contains(&Column::Id) {
        // Too narrow for a whole id, which a cut one is not: say where it is.
        block = block.title_bottom(Span::styled(" id: Enter opens the trace ", t.dim()));
    }
    let rows: Vec<Row> = list.iter().map(|s| trace_row(t, s, &shown)).collect();
    let header = Row::new(shown.iter().map(|c| c.header())).style(t.header());
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|c| Constraint::Length(c.width()))
        .collect();
    let table = Table::new(rows, widths)
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

/// A column of the traces pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Time,
    Duration,
    Response,
    Status,
    Http,
    Start,
    Id,
}

/// The columns in the order they are drawn.
const COLUMNS: [Column; 7] = [
    Column::Time,
    Column::Duration,
    Column::Response,
    Column::Status,
    Column::Http,
    Column::Start,
    Column::Id,
];

/// Which columns go first when the pane is narrow: a value is never cut
/// (a cut `731ms` reads `731m`, a cut HTTP 200 reads `20`), so whole
/// columns are dropped instead; the trace id, cut, could not be copied —
/// it goes whole or not at all (the trace view shows it).
const DROP_ORDER: [Column; 5] = [
    Column::Response,
    Column::Start,
    Column::Http,
    Column::Id,
    Column::Time,
];

impl Column {
    fn header(self) -> &'static str {
        match self {
            Self::Time => "TIME",
            Self::Duration => "DURATION",
            Self::Response => "RESPONSE",
            Self::Status => "STATUS",
            Self::Http => "HTTP",
            Self::Start => "START",
            Self::Id => "TRACE ID",
        }
    }

    /// The width every value of the column fits in.
    fn width(self) -> u16 {
        match self {
            Self::Time => 8,
            Self::Duration | Self::Response => 9,
            Self::Status => 10,
            Self::Http => 4,
            Self::Start => 6,
            // `1-` + 8 hex + `-` + 24 hex.
            Self::Id => 35,
        }
    }
}

/// The columns that fit `width` whole (one space between columns).
fn columns_for(width: u16) -> Vec<Column> {
    let mut shown = COLUMNS.to_vec();
    let need = |cols: &[Column]| {
        cols.iter().map(|c| c.width()).sum::<u16>() + cols.len().saturating_sub(1) as u16
    };
    let mut dropped = Vec::new();
    for drop in DROP_ORDER {
        if need(&shown) <= width {
            break;
        }
        shown.retain(|c| *c != drop);
        dropped.push(drop);
    }
    // A wide column dropped may leave room for narrower ones dropped
    // before it: take them back, most important first.
    for back in dropped.into_iter().rev() {
        let mut with = shown.clone();
        with.push(back);
        with.sort_by_key(|c| COLUMNS.iter().position(|x| x == c));
        if need(&with) <= width {
            shown = with;
        }
    }
    shown
}

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

/// One trace's row: the `shown` columns of time, durations, status in
/// words and symbols, HTTP status, cold or warm start, id.
fn trace_row(t: Theme, s: &TraceSummary, shown: &[Column]) -> Row<'static> {
    let (word, style) = if s.has_fault {
        ("✖ fault", t.error())
    } else if s.has_throttle {
        ("⧗ throttle", t.warn())
    } else if s.has_error {
        ("! error", t.warn())
    } else {
        ("✓ ok", t.ok())
    };
    Row::new(shown.iter().map(|c| {
        match c {
            Column::Time => Cell::from(
                s.start
                    .map(|d| d.format("%H:%M:%S").to_string())
                    .unwrap_or_else(|| "?".into()),
            ),
            Column::Duration => Cell::from(format::ms(s.duration_s.map(|d| d * 1000.0))),
            Column::Response => Cell::from(format::ms(s.response_time_s.map(|d| d * 1000.0))),
            Column::Status => Cell::from(Span::styled(word, style)),
            Column::Http => Cell::from(s.http_status.map_or("-".into(), |c| c.to_string())),
            Column::Start => Cell::from(match s.cold_start {
                Some(true) => Span::styled("❄ cold", t.warn()),
                Some(false) => Span::styled("warm", t.dim()),
                None => Span::styled("?", t.dim()),
            }),
            Column::Id => Cell::from(crate::model::text::sanitize(&s.id)),
        }
    }))
}
