//! The help screen, generated from the key table.

use crate::tui::app::App;
use crate::tui::keymap::{BINDINGS, Context, label};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws the help overlay centred on `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let mut lines = Vec::new();
    for ctx in [
        Context::Global,
        Context::Fleet,
        Context::Function,
        Context::Input,
    ] {
        lines.push(Line::styled(ctx.title(), t.title()));
        for b in BINDINGS.iter().filter(|b| b.context == ctx) {
            let keys: Vec<String> = b.keys.iter().map(label).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(" / ")), t.key()),
                Span::raw(b.help),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "Mouse: click selects, click again opens, wheel scrolls.  ? or Esc closes.",
        t.dim(),
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 72.min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Help — keys ", t.title())),
        ),
        popup,
    );
}
