//! The alarms panel: CloudWatch alarms and lamtop rules in one list, firing
//! first, each with its state in words and a symbol (colour only repeats
//! it), source, severity, function and age. `a` switches it to the alarm
//! history: every rule change and every CloudWatch alarm change, newest first.

use super::{freshness, title};
use crate::format;
use crate::model::alarms::{Alarm, AlarmSource, AlarmState, Severity};
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::rows::alarm_rows;
use crate::tui::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Draws the panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App, store: &Store, now: DateTime<Utc>) {
    if app.alarm_history {
        return render_history(frame, area, app, store);
    }
    let t = app.theme;
    let sorted: Vec<&Alarm> = store.all_alarms().collect();
    let firing = sorted.iter().filter(|a| a.state.is_firing()).count();
    let pending = sorted
        .iter()
        .filter(|a| a.state == AlarmState::Pending)
        .count();
    let mut name = format!("Alarms {firing} firing");
    if pending > 0 {
        name.push_str(&format!(" · {pending} pending"));
    }
    name.push_str(&format!(" / {} · a: history", sorted.len()));
    if app.alarms_focus {
        name.push_str(" [focus]");
    }
    let block = Block::default().borders(Borders::ALL).title(title(
        name,
        freshness(&store.alarms, app.refresh, now, app),
        app,
    ));
    let focused = app.alarms_focus;
    let lines: Vec<Line> = if sorted.is_empty() {
        vec![Line::styled(
            if store.alarms.updated_at.is_some() {
                "no alarms on these functions"
            } else {
                ""
            },
            t.dim(),
        )]
    } else {
        alarm_rows(store)
            .into_iter()
            .enumerate()
            .map(|(i, (a, n))| {
                let line = alarm_line(a, n, t, now);
                if focused && i == app.alarm_row.min(sorted.len() - 1) {
                    line.style(t.selected())
                } else {
                    line
                }
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn state_style(s: AlarmState, t: Theme) -> (&'static str, &'static str, Style) {
    match s {
        AlarmState::Alarm => ("✖", "ALARM  ", t.error()),
        AlarmState::Firing => ("✖", "FIRING ", t.error()),
        AlarmState::Pending => ("◔", "PENDING", t.warn()),
        AlarmState::Ok => ("✓", "OK     ", t.ok()),
        AlarmState::InsufficientData | AlarmState::NoData => ("?", "NODATA ", t.dim()),
    }
}

fn severity_word(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Critical) => " crit",
        Some(Severity::Warning) => " warn",
        None => "",
    }
}

fn alarm_line<'a>(a: &Alarm, count: usize, t: Theme, now: DateTime<Utc>) -> Line<'a> {
    let (sym, word, style) = state_style(a.state, t);
    let src = match a.source {
        AlarmSource::Cloudwatch => "cw",
        AlarmSource::Rule => "rule",
    };
    let since = a
        .since
        .map(|s| format::age((now - s).num_seconds()))
        .unwrap_or_else(|| "?".into());
    Line::from(vec![
        Span::styled(format!("{sym} {word} "), style),
        Span::raw(sanitize(&a.name)),
        Span::styled(
            format!(
                " [{src}{}] {} {since}",
                severity_word(a.severity),
                if count > 1 {
                    format!("{count} functions")
                } else {
                    a.function
                        .as_ref()
                        .map(|f| sanitize(&f.to_string()))
                        .unwrap_or_else(|| "-".into())
                }
            ),
            t.dim(),
        ),
        Span::styled(
            if a.source == AlarmSource::Rule && !a.state.is_unsettled() && count == 1 {
                format!(" {}", sanitize(&a.reason))
            } else {
                String::new()
            },
            t.dim(),
        ),
    ])
}

fn render_history(frame: &mut Frame, area: Rect, app: &App, store: &Store) {
    let t = app.theme;
    let history = &store.rules.history;
    let block = Block::default().borders(Borders::ALL).title(title(
        format!("Alarm history {} · a: alarms", history.len()),
        Span::raw("changes"),
        app,
    ));
    let lines: Vec<Line> = if history.is_empty() {
        vec![Line::styled(
            if store.rules.is_empty() {
                "no lamtop rules configured ([[alarm]] in the config)"
            } else {
                "no rule has fired yet"
            },
            t.dim(),
        )]
    } else {
        history
            .iter()
            .rev()
            .map(|e| {
                let (sym, word, style) = state_style(e.state, t);
                let value = e.value.map_or("n/a".to_string(), |v| format!("{v:.4}"));
                Line::from(vec![
                    Span::styled(format!("{} ", e.at.format("%H:%MZ")), t.dim()),
                    Span::styled(format!("{sym} {word} "), style),
                    Span::raw(sanitize(&e.alarm)),
                    Span::styled(
                        format!(
                            " [{}] {} {} = {value}",
                            e.severity.map_or("cw", |s| s.as_str()),
                            sanitize(&e.function.to_string()),
                            sanitize(&e.condition()),
                        ),
                        t.dim(),
                    ),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
