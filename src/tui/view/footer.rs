//! The bottom line: the text being typed, a message, or key hints from
//! the key table.

use crate::tui::app::{App, Input};
use crate::tui::keymap;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the footer.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let line = match (&app.input, &app.message) {
        (Some(Input::Filter(text)), _) => Line::from(vec![
            Span::styled("/", t.key()),
            Span::raw(text.clone()),
            Span::styled("█", t.dim()),
            Span::styled(
                "  regex, !x inverts · Enter keep · Esc cancel · Tab complete",
                t.dim(),
            ),
        ]),
        (Some(Input::Command(text)), _) => Line::from(vec![
            Span::styled(":", t.key()),
            Span::raw(text.clone()),
            Span::styled("█", t.dim()),
            Span::styled(
                "  sort · filter · window · region · refresh · help · quit · Tab completes",
                t.dim(),
            ),
        ]),
        (Some(Input::LogFilter(text)), _) => Line::from(vec![
            Span::styled("log filter: ", t.key()),
            Span::raw(text.clone()),
            Span::styled("█", t.dim()),
            Span::styled(
                "  CloudWatch pattern, e.g. ERROR or { $.level = \"ERROR\" } · empty clears · Enter/Esc",
                t.dim(),
            ),
        ]),
        (Some(Input::LogSearch(text)), _) => Line::from(vec![
            Span::styled("search logs: ", t.key()),
            Span::raw(text.clone()),
            Span::styled("█", t.dim()),
            Span::styled(
                "  regex, highlighted · n/N next/previous · Enter/Esc",
                t.dim(),
            ),
        ]),
        (None, Some(m)) => Line::styled(
            format!("{}{}", if m.error { "✖ " } else { "" }, m.text),
            if m.error { t.error() } else { t.text() },
        ),
        (None, None) => {
            let mut spans = Vec::new();
            for (k, h) in keymap::hints(&app.contexts()) {
                spans.push(Span::styled(format!(" {k}"), t.key()));
                spans.push(Span::styled(format!(" {h} "), t.dim()));
            }
            spans.push(Span::styled(" 1-6", t.key()));
            spans.push(Span::styled(" window ", t.dim()));
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}
