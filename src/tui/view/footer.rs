//! The bottom line: the text being typed, a message, or key hints from
//! the key table.

use crate::tui::app::{App, Input};
use crate::tui::command::COMMANDS;
use crate::tui::keymap::{Action, GlobalAction, InputAction, LogAction, WINDOWS};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the footer.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let input = |a: InputAction| key(app, Action::Input(a));
    let (accept, cancel) = (input(InputAction::Accept), input(InputAction::Cancel));
    let complete = input(InputAction::Complete);
    let line = match (&app.input, &app.message) {
        (Some(Input::Filter(text)), _) => Line::from_iter([
            Span::styled("/", t.key()),
            typed(text, app.input_back),
            Span::styled(
                hint(
                    app,
                    format!(
                        "  regex, !x inverts · {accept} keep · {cancel} cancel · {complete} complete"
                    ),
                ),
                t.dim(),
            ),
        ]),
        (Some(Input::Command(text)), _) => Line::from_iter([
            Span::styled(":", t.key()),
            typed(text, app.input_back),
            Span::styled(
                hint(
                    app,
                    format!("  {} · {complete} completes", COMMANDS.join(" · ")),
                ),
                t.dim(),
            ),
        ]),
        (Some(Input::LogFilter(text)), _) => Line::from_iter([
            Span::styled("log filter: ", t.key()),
            typed(text, app.input_back),
            Span::styled(
                format!(
                    "  CloudWatch pattern, e.g. ERROR or {{ $.level = \"ERROR\" }} · empty clears · {accept}/{cancel}"
                ),
                t.dim(),
            ),
        ]),
        (Some(Input::LogSearch(text)), _) => Line::from_iter([
            Span::styled("search logs: ", t.key()),
            typed(text, app.input_back),
            Span::styled(
                format!(
                    "  regex, highlighted · {}/{} next/previous · {accept}/{cancel}",
                    key(app, Action::Log(LogAction::NextMatch)),
                    key(app, Action::Log(LogAction::PrevMatch)),
                ),
                t.dim(),
            ),
        ]),
        (None, Some(m)) => Line::styled(
            format!("{}{}", if m.error { "✖ " } else { "" }, m.text),
            if m.error { t.error() } else { t.text() },
        ),
        (None, None) => hints(app, area.width),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// How this run's key table presses `action`.
fn key(app: &App, action: Action) -> String {
    app.keys.key_of(action)
}

/// What the prompt says beside the text: the candidates Tab cycles
/// through, when it could not decide, else `default`.
fn hint(app: &App, default: String) -> String {
    match &app.completions {
        Some((all, _)) if all.len() > 1 => format!(
            "  {}: {}",
            key(app, Action::Input(InputAction::Complete)),
            all.join(" · ")
        ),
        _ => default,
    }
}

/// The text being typed with the cursor where it is: a block after the
/// end, a bar before the character it stands on.
fn typed(text: &str, back: usize) -> Span<'static> {
    if back == 0 {
        return Span::raw(format!("{text}█"));
    }
    let (before, after) = text.split_at(crate::tui::app::byte_at(text, back));
    Span::raw(format!("{before}▏{after}"))
}

/// The key hints of the current view: whole hints as far as they fit,
/// and always `? help` and `q quit` at the end.
fn hints(app: &App, width: u16) -> Line<'static> {
    let t = app.theme;
    let key_of = |a: GlobalAction| key(app, Action::Global(a));
    let (help, quit) = (key_of(GlobalAction::Help), key_of(GlobalAction::Quit));
    let always = [(help.as_str(), "help"), (quit.as_str(), "quit")];
    let pair = |k: &str, h: &str| {
        [
            Span::styled(format!(" {k}"), t.key()),
            Span::styled(format!(" {h} "), t.dim()),
        ]
    };
    let len = |k: &str, h: &str| k.chars().count() + h.chars().count() + 3;
    let reserved: usize = always.iter().map(|(k, h)| len(k, h)).sum();
    let mut budget = usize::from(width).saturating_sub(reserved);
    let mut spans = Vec::new();
    let windows = format!(
        "{}-{}",
        key_of(GlobalAction::Window(0)),
        key_of(GlobalAction::Window(WINDOWS.len() - 1))
    );
    let window = (windows, "window");
    let shown = app
        .keys
        .hints(&app.contexts())
        .into_iter()
        .filter(|(k, _)| !always.iter().any(|(a, _)| k == a))
        .chain(std::iter::once(window));
    for (k, h) in shown {
        let need = len(&k, h);
        if need > budget {
            break;
        }
        budget -= need;
        spans.extend(pair(&k, h));
    }
    for (k, h) in always {
        spans.extend(pair(k, h));
    }
    Line::from(spans)
}
