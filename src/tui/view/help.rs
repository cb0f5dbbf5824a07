//! The help screen, generated from the key table and the command list
//! (two columns).

use crate::tui::app::App;
use crate::tui::command::COMMANDS;
use crate::tui::keymap::{BINDINGS, Context, label};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws the help overlay centred on `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let column = |contexts: &[Context]| {
        let mut lines = Vec::new();
        for ctx in contexts {
            lines.push(Line::styled(ctx.title(), t.title()));
            for b in BINDINGS.iter().filter(|b| b.context == *ctx) {
                let keys: Vec<String> = b.keys.iter().map(label).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<16}", keys.join(" / ")), t.key()),
                    Span::raw(b.help),
                ]));
            }
            lines.push(Line::raw(""));
        }
        lines
    };
    let mut left = column(&[Context::Global, Context::Fleet, Context::Traces]);
    let mut right = column(&[Context::Function, Context::Trace, Context::Input]);
    right.push(Line::styled("Commands (:)", t.title()));
    right.push(Line::styled(format!("  {}", COMMANDS.join(", ")), t.key()));
    left.push(Line::styled("Mouse: click selects, click again", t.dim()));
    left.push(Line::styled(
        "opens, wheel scrolls. ? or Esc closes.",
        t.dim(),
    ));
    let height = (left.len().max(right.len()) as u16 + 2).min(area.height);
    let width = 136.min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Help — keys ", t.title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
}
