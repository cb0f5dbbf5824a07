//! The function view's errors box: the open function's error groups — from
//! the fleet's error scan and, continuously, its log pane's new lines —
//! most occurrences here first: count, new, last seen, the normalised
//! message. It sits above the traces and only while there is a group.

use crate::format;
use crate::model::id::FunctionId;
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::App;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Groups listed at most (the errors screen, `E`, lists them all).
pub const MAX_ROWS: u16 = 5;
/// Rows the traces keep below the box.
const TRACES_KEEP: u16 = 6;

/// How many groups the box lists for `id` (0: no box).
pub fn rows(store: &Store, id: &FunctionId) -> u16 {
    let n = store.error_scan.groups.of_function(id).len();
    u16::try_from(n).unwrap_or(u16::MAX).min(MAX_ROWS)
}

/// The box's area above the traces' (none when there is no group or the
/// column is too short for both), and what the traces keep.
pub fn split(area: Rect, rows: u16) -> (Option<Rect>, Rect) {
    super::split_top(area, rows, TRACES_KEEP)
}

/// Draws the box.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    id: &FunctionId,
    now: DateTime<Utc>,
) {
    let t = app.theme;
    let groups = &store.error_scan.groups;
    let mine = groups.of_function(id);
    let range = store.error_scan.range;
    // Count, new and age take 16 columns; the message gets the rest, cut
    // with a mark rather than mid-word without one.
    let room = usize::from(area.width.saturating_sub(2 + 16)).max(1);
    let lines: Vec<Line> = mine
        .iter()
        .take(usize::from(MAX_ROWS))
        .map(|(g, here)| {
            let new = range.is_some_and(|r| groups.is_new(g, r, |f| store.last_deployed(f)));
            Line::from(vec![
                Span::raw(format!("{:>5} ", format::count(Some(here.count as f64)))),
                Span::styled(if new { "new " } else { "    " }, t.warn()),
                Span::styled(
                    format!("{:>4}  ", format::age((now - here.last_seen).num_seconds())),
                    t.dim(),
                ),
                Span::styled(
                    crate::model::text::cut_chars(&sanitize(&g.fingerprint.title), room - 1),
                    t.error(),
                ),
            ])
        })
        .collect();
    let title = format!(
        " Errors · {} group{} here · E: the fleet's ",
        mine.len(),
        if mine.len() == 1 { "" } else { "s" }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, t.title()));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
