//! Drawing. Views read the app and the store and never change either.
//!
//! ```text
//! ┌ header: source · window · refresh · data age · API usage · alarm counter ┐
//! ├ fleet table (filter · sort · freshness) ─────────────┬ alarms ───────────┤
//! │ NAME  INVOC ▁▂▅█ ERRORS ERR% THROT AVG P50 P99 …     │ ✖ ALARM name …    │
//! │                                                      ├ account ──────────┤
//! │                                                      │ concurrency gauge │
//! ├ footer: key hints / filter / command line / message ─┴───────────────────┤
//! ```
//! (Below 150 columns the alarms and account panels move under the table.)
//! Enter opens the function view: configuration, window numbers, charts of
//! calls, duration (timeout as a reference line) and concurrency (reserved
//! concurrency as a reference line), and the live log pane (`F`: full screen).

pub(crate) mod account;
pub(crate) mod alarms;
mod columns;
pub(crate) mod errors;
pub(crate) mod fleet;
pub(crate) mod footer;
pub(crate) mod function;
pub(crate) mod header;
pub(crate) mod help;
pub(crate) mod logs;
pub(crate) mod trace;
pub(crate) mod traces;
mod widgets;

use super::app::{App, Screen};
use super::layout;
use crate::store::Slot;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::time::Duration;

/// Draws one frame.
pub fn render(frame: &mut Frame, app: &App, store: &crate::store::Store, now: DateTime<Utc>) {
    let area = frame.area();
    if !layout::fits(area) {
        let text = format!(
            "terminal too small (need {}x{}, have {}x{}) — enlarge it, or press {} to quit",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT,
            area.width,
            area.height,
            app.keys.key_of(crate::tui::keymap::Action::Global(
                crate::tui::keymap::GlobalAction::Quit
            ))
        );
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .alignment(Alignment::Center),
            area,
        );
        return;
    }
    match &app.screen {
        Screen::Fleet => {
            let l = layout::fleet(area);
            header::render(frame, l.header, app, store, now);
            fleet::render(frame, l.table, app, store, now);
            alarms::render(frame, l.alarms, app, store, now);
            account::render(frame, l.account, app, store, now);
            footer::render(frame, l.footer, app);
        }
        Screen::Function(name) => {
            let l = layout::function(area);
            header::render(frame, l.header, app, store, now);
            function::render(frame, &l, app, store, name, now);
            if !app.logs.full {
                // The function's error groups, when it has any, above its traces.
                let rows = function::errors_box::rows(store, name);
                let (errors, traces) = function::errors_box::split(l.traces, rows);
                if let Some(area) = errors {
                    function::errors_box::render(frame, area, app, store, name, now);
                }
                traces::render(frame, traces, app, store, now);
            }
            footer::render(frame, l.footer, app);
        }
        Screen::Errors => {
            let l = layout::errors(area);
            header::render(frame, l.header, app, store, now);
            errors::render(frame, &l, app, store, now);
            footer::render(frame, l.footer, app);
        }
        Screen::Trace(_, id) => {
            let l = layout::fleet(area);
            header::render(frame, l.header, app, store, now);
            let body = ratatui::layout::Rect {
                y: l.header.y + 1,
                height: area.height.saturating_sub(2),
                ..area
            };
            trace::render(frame, body, app, store, id, now);
            footer::render(frame, l.footer, app);
        }
    }
    if app.help {
        help::render(frame, area, app);
    }
}

/// How fresh a slot is, as a span for a pane title: "updated 12s ago",
/// "loading…", "STALE 3m", or the error.
pub fn freshness<T>(
    slot: &Slot<T>,
    interval: Duration,
    now: DateTime<Utc>,
    app: &App,
) -> Span<'static> {
    let theme = app.theme;
    if let Some(e) = &slot.last_error {
        let age = slot
            .updated_at
            .map(|t| {
                format!(
                    " (data from {} ago)",
                    crate::format::age((now - t).num_seconds())
                )
            })
            .unwrap_or_default();
        return Span::styled(
            format!("⚠ {}{age}", crate::model::text::sanitize(&e.to_string())),
            theme.error(),
        );
    }
    match slot.updated_at {
        None if slot.in_flight => Span::styled("loading…", theme.dim()),
        None => Span::styled("waiting…", theme.dim()),
        Some(t) => {
            let age = (now - t).num_seconds();
            if age > 2 * interval.as_secs() as i64 {
                let why = if app.throttled {
                    " · throttled, backing off"
                } else {
                    ""
                };
                Span::styled(
                    format!("STALE {}{why}", crate::format::age(age)),
                    theme.warn(),
                )
            } else if slot.in_flight {
                Span::styled("refreshing…", theme.dim())
            } else {
                Span::styled(
                    format!("updated {} ago", crate::format::age(age)),
                    theme.dim(),
                )
            }
        }
    }
}

/// Whether a slot's data is older than twice its interval (drawn dimmed).
pub fn is_stale<T>(slot: &Slot<T>, interval: Duration, now: DateTime<Utc>) -> bool {
    slot.updated_at
        .is_some_and(|t| (now - t).num_seconds() > 2 * interval.as_secs() as i64)
}

/// A pane title: the name, then freshness.
pub fn title(name: String, fresh: Span<'static>, app: &App) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {name} "), app.theme.title()),
        Span::raw("· "),
        fresh,
        Span::raw(" "),
    ])
}
