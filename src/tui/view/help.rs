//! The help screen, generated from the key table and the command list
//! (two columns where they fit, one on a narrow terminal; it scrolls).

use crate::tui::app::App;
use crate::tui::command::COMMANDS;
use crate::tui::keymap::{Action, Context, GlobalAction, label};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Draws the help overlay centred on `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let key_of = |a: GlobalAction| app.keys.key_of(Action::Global(a));
    let column = |contexts: &[Context]| {
        let mut lines = Vec::new();
        for ctx in contexts {
            lines.push(Line::styled(ctx.title(), t.title()));
            for b in app.keys.in_context(*ctx) {
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
    let mut left = column(&[
        Context::Global,
        Context::Help,
        Context::Fleet,
        Context::Alarms,
        Context::Traces,
    ]);
    let mut right = column(&[
        Context::Function,
        Context::Trace,
        Context::Errors,
        Context::Input,
    ]);
    right.push(Line::styled("Commands (:)", t.title()));
    right.push(Line::styled(format!("  {}", COMMANDS.join(", ")), t.key()));
    left.push(Line::styled("Mouse: click selects, click again", t.dim()));
    left.push(Line::styled(
        format!(
            "opens, wheel scrolls. {} or {} closes.",
            key_of(GlobalAction::Help),
            key_of(GlobalAction::Back)
        ),
        t.dim(),
    ));
    // Two columns where they fit; one below the other on a narrow terminal.
    let two = area.width >= 100;
    let lines = if two {
        left.len().max(right.len())
    } else {
        left.len() + right.len()
    };
    let height = (lines as u16 + 2).min(area.height);
    let width = 136.min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    let shown = usize::from(height.saturating_sub(2));
    let scroll = usize::from(app.help_scroll).min(lines.saturating_sub(shown));
    let title = if lines > shown {
        format!(
            " Help — keys · lines {}–{} of {lines} ({}/{}, {}/{} scroll; {} closes) ",
            scroll + 1,
            (scroll + shown).min(lines),
            key_of(GlobalAction::HelpScroll(1)),
            key_of(GlobalAction::HelpScroll(-1)),
            key_of(GlobalAction::HelpScroll(10)),
            key_of(GlobalAction::HelpScroll(-10)),
            key_of(GlobalAction::Help),
        )
    } else {
        " Help — keys ".to_string()
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, t.title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let offset = (u16::try_from(scroll).unwrap_or(u16::MAX), 0);
    if two {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(inner);
        frame.render_widget(Paragraph::new(left).scroll(offset), l);
        frame.render_widget(Paragraph::new(right).scroll(offset), r);
    } else {
        left.extend(right);
        frame.render_widget(Paragraph::new(left).scroll(offset), inner);
    }
}
