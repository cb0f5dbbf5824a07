//! The alarms panel: firing first, each with its state in words and a
//! symbol (colour only repeats it), source, function and age.

use super::{freshness, title};
use crate::format;
use crate::model::alarms::{AlarmSource, AlarmState};
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::App;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Draws the panel.
pub fn render(frame: &mut Frame, area: Rect, app: &App, store: &Store, now: DateTime<Utc>) {
    let t = app.theme;
    let alarms = store.alarms.value.as_deref().unwrap_or(&[]);
    let firing = alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .count();
    let name = format!("Alarms {firing} firing / {}", alarms.len());
    let block = Block::default().borders(Borders::ALL).title(title(
        name,
        freshness(&store.alarms, app.refresh, now, app),
        app,
    ));
    let mut sorted: Vec<_> = alarms.iter().collect();
    sorted.sort_by_key(|a| {
        (
            a.state != AlarmState::Alarm,
            a.state != AlarmState::InsufficientData,
            a.name.clone(),
        )
    });
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
        sorted
            .iter()
            .map(|a| {
                let (sym, word, style) = match a.state {
                    AlarmState::Alarm => ("✖", "ALARM", t.error()),
                    AlarmState::Ok => ("✓", "OK   ", t.ok()),
                    AlarmState::Firing => ("✖", "FIRING", t.error()),
                    AlarmState::Pending => ("◔", "PENDING", t.warn()),
                    AlarmState::InsufficientData | AlarmState::NoData => ("?", "NODATA", t.dim()),
                };
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
                            " [{src}] {} {since}",
                            a.function
                                .as_deref()
                                .map(sanitize)
                                .unwrap_or_else(|| "-".into())
                        ),
                        t.dim(),
                    ),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
