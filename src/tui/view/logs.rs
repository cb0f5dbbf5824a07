//! The log pane: the function's live log lines, newest at the bottom;
//! REPORT lines as one-line summaries with a cold-start marker, JSON lines
//! compact, requests grouped by a gutter mark, search matches highlighted,
//! every message made inert (escape sequences shown, never interpreted).

use super::widgets::{Placeholder, placeholder};
use crate::format;
use crate::model::id::FunctionId;
use crate::model::logs::{LineKind, LogEvent, analyze, request_id};
use crate::model::text::{escape_controls, message_lines, one_line};
use crate::store::Store;
use crate::store::logbuf::LogBuffer;
use crate::tui::app::App;
use crate::tui::logview::drawn_text;
use crate::tui::theme::Theme;
use chrono::{DateTime, Local, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// The drawn text of an event, whether it is a failure, and whether it is
/// a cold start's report.
fn text_of(e: &LogEvent) -> (String, LineKind, bool, bool) {
    let info = analyze(&e.message);
    let cold = info.report.as_ref().is_some_and(|r| r.cold_start());
    (drawn_text(e), info.kind, info.is_failure(), cold)
}

fn highlight(text: String, base: Style, app: &App) -> Vec<Span<'static>> {
    let Some(re) = &app.logs.search else {
        return vec![Span::styled(text, base)];
    };
    let mut spans = Vec::new();
    let mut last = 0;
    for m in re.find_iter(&text) {
        if m.start() > last {
            spans.push(Span::styled(text[last..m.start()].to_string(), base));
        }
        spans.push(Span::styled(
            m.as_str().to_string(),
            base.add_modifier(Modifier::REVERSED),
        ));
        last = m.end();
    }
    spans.push(Span::styled(text[last..].to_string(), base));
    spans
}

/// An event's display lines: one (lines joined by `⏎`), or with `w` wrap
/// one per line of a multi-line message, continuation lines indented.
fn lines_of(e: &LogEvent, gutter: Style, app: &App) -> Vec<Line<'static>> {
    let t = app.theme;
    let (text, kind, failed, cold) = text_of(e);
    let mut parts = if app.logs.wrap {
        message_lines(text.trim_end_matches(['\r', '\n']))
    } else {
        vec![one_line(&text)]
    };
    let first = parts.remove(0);
    let mut out = vec![line(e, first, kind, failed, cold, gutter, app)];
    for p in parts {
        let style = if failed { t.error() } else { t.text() };
        let mut spans = vec![Span::styled("▌", gutter), Span::raw("    ")];
        spans.extend(highlight(p, style, app));
        out.push(Line::from(spans));
    }
    out
}

fn line(
    e: &LogEvent,
    text: String,
    kind: LineKind,
    failed: bool,
    cold: bool,
    gutter: Style,
    app: &App,
) -> Line<'static> {
    let t = app.theme;
    let time = if app.logs.utc {
        e.timestamp.format("%H:%M:%S%.3fZ").to_string()
    } else {
        e.timestamp
            .with_timezone(&Local)
            .format("%H:%M:%S%.3f")
            .to_string()
    };
    let style = match kind {
        _ if failed => t.error(),
        LineKind::Warn => t.warn(),
        LineKind::Report | LineKind::InitReport | LineKind::RestoreReport | LineKind::Other => {
            t.text()
        }
        k if k.is_platform() => t.dim(),
        _ => t.text(),
    };
    let mut spans = vec![
        Span::styled("▌", gutter),
        Span::styled(format!("{time} "), t.dim()),
    ];
    // A cold start's REPORT says `❄ cold start` in its summary: the style
    // marks it, not a second snowflake.
    let style = if cold { t.warn() } else { style };
    spans.extend(highlight(text, style, app));
    Line::from(spans)
}

/// The pretty-printed JSON of an expanded line.
fn pretty(e: &LogEvent, gutter: Style, app: &App) -> Vec<Line<'static>> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(e.message.trim()) else {
        return Vec::new();
    };
    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.lines()
        .take(200)
        .map(|l| {
            Line::from(vec![
                Span::styled("▌", gutter),
                Span::styled(
                    format!("    {}", escape_controls(l, false)),
                    app.theme.dim(),
                ),
            ])
        })
        .collect()
}

/// Draws the pane for `function` into `area`.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    function: &FunctionId,
    now: DateTime<Utc>,
) {
    let t = app.theme;
    let buf = store.logs.as_ref().filter(|b| b.function == *function);
    let mut title = vec![
        Span::styled(" Logs ", t.title()),
        Span::raw(format!(
            "· {} · ",
            flags(app, buf.and_then(|b| app.logs.match_position(b))).join(" · ")
        )),
    ];
    let Some(buf) = buf else {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Line::from(title));
        let what = Placeholder::Quiet("starting the log tail…".into());
        placeholder(frame, area, Some(block), what, t);
        return;
    };
    title.push(status(buf, now, t));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(title))
        .title_bottom(Line::styled(reach(buf, app), t.dim()));
    let vis = app.logs.visible(buf);
    let height = usize::from(area.height.saturating_sub(2));
    let Some((start, end)) = app.logs.window(&vis, height) else {
        let msg = if app.logs.errors_only {
            "no errors in the buffer"
        } else {
            "no events yet — waiting for new ones"
        };
        placeholder(frame, area, Some(block), Placeholder::Quiet(msg.into()), t);
        return;
    };
    let shown = &vis[start..=end];
    // Paused, the line `T`, `x`, `[`/`]` and `n`/`N` act on is marked.
    let cursor = (!app.logs.follow)
        .then(|| app.logs.bottom(&vis))
        .flatten()
        .map(|b| b - start);
    let mut lines = body(app, shown, cursor);
    // Expanded JSON can push the newest lines down: keep the bottom in view.
    if !app.logs.wrap && lines.len() > height {
        lines.drain(..lines.len() - height);
    }
    let mut p = Paragraph::new(lines).block(block);
    if app.logs.wrap {
        p = p.wrap(Wrap { trim: false });
        p = p.scroll((wrapped_scroll(shown, area.width, height), 0));
    }
    frame.render_widget(p, area);
}

/// The pane's state words in its title (following, filter, search, …).
fn flags(app: &App, count: Option<(usize, usize)>) -> Vec<String> {
    let mut flags = Vec::new();
    // The filter first: it hides events, so it must show at any width.
    if let Some(f) = app.log_filter() {
        flags.push(format!("filter '{f}' (c clears)"));
    }
    flags.push(if app.logs.follow {
        "following".to_string()
    } else {
        "PAUSED".to_string()
    });
    if app.logs.errors_only {
        flags.push("errors only".into());
    }
    if let Some(re) = &app.logs.search {
        flags.push(match count {
            Some((n, of)) => format!("search /{}/ {n}/{of}", re.as_str()),
            None => format!("search /{}/", re.as_str()),
        });
    }
    if app.logs.wrap {
        flags.push("wrap".into());
    }
    flags.push(if app.logs.utc {
        "UTC".into()
    } else {
        "local time".into()
    });
    flags
}

/// The pane's bottom edge: the log group, how far back it reads, and
/// whether older events are on their way.
fn reach(buf: &LogBuffer, app: &App) -> String {
    let mut s = format!(" {}", escape_controls(&buf.log_group.to_string(), false));
    if let Some(from) = buf.from {
        let at = if app.logs.utc {
            from.format("%m-%d %H:%M UTC").to_string()
        } else {
            from.with_timezone(&Local).format("%m-%d %H:%M").to_string()
        };
        s.push_str(&format!(" · since {at}"));
        if buf.reaching_back {
            s.push_str(" · reading older events…");
        } else {
            s.push_str(" (k at the top reads older; :since)");
        }
    }
    s.push(' ');
    s
}

/// The follower's state: its latest error, or how far behind live it is.
fn status(buf: &LogBuffer, now: DateTime<Utc>, t: Theme) -> Span<'static> {
    match (&buf.last_error, buf.caught_up) {
        (Some(e), _) => Span::styled(
            format!("⚠ {} ", crate::model::text::sanitize(&e.to_string())),
            t.error(),
        ),
        (None, Some(c)) => Span::styled(
            format!(
                "{} events · live, {} behind ",
                buf.events.len(),
                format::age((now - c).num_seconds())
            ),
            t.dim(),
        ),
        (None, None) => Span::styled("loading… ".to_string(), t.dim()),
    }
}

/// The lines of the events on screen, the gutter alternating between
/// requests so each request reads as a block.
fn body(app: &App, shown: &[&LogEvent], cursor: Option<usize>) -> Vec<Line<'static>> {
    let t = app.theme;
    let mut shade = false;
    let mut last_req: Option<String> = None;
    let gutters = [t.series(0), t.series(3)];
    let mut lines: Vec<Line> = Vec::new();
    for (i, e) in shown.iter().enumerate() {
        let req = request_id(&e.message);
        if req.is_some() && req != last_req {
            shade = !shade;
            last_req = req;
        }
        let gutter = gutters[usize::from(shade)];
        let mut own = lines_of(e, gutter, app);
        if cursor == Some(i)
            && let Some(first) = own.first_mut()
        {
            first.style = t.selected();
        }
        lines.extend(own);
        if app.logs.expanded.as_deref() == Some(e.id.as_str()) {
            lines.extend(pretty(e, gutter, app));
        }
    }
    lines
}

/// How far to scroll a wrapped pane so the newest line stays in view when
/// wrapping makes lines taller.
fn wrapped_scroll(shown: &[&LogEvent], width: u16, height: usize) -> u16 {
    let width = usize::from(width.saturating_sub(2)).max(1);
    let total: usize = shown
        .iter()
        .flat_map(|e| message_lines(&text_of(e).0))
        .map(|l| (l.chars().count() + 18) / width + 1)
        .sum();
    u16::try_from(total.saturating_sub(height)).unwrap_or(u16::MAX)
}
