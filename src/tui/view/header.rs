//! The top bar: where the data comes from, the window, how fresh it is,
//! what the dashboard itself costs, and the alarm counter.

use crate::format;
use crate::store::Store;
use crate::tui::app::App;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// GetMetricData price per metric requested (USD).
const PRICE_PER_METRIC: f64 = 0.01 / 1000.0;

/// Estimated GetMetricData cost per hour at the current fleet size, with
/// `signals` extra queries per refresh (the signal metrics of the
/// functions that publish them).
pub fn metrics_cost_per_hour(
    functions: usize,
    signals: usize,
    refresh_s: u64,
    detail: bool,
) -> f64 {
    let per_refresh = 9 * functions + 2 + signals + if detail { 3 } else { 0 };
    per_refresh as f64 * (3600.0 / refresh_s.max(1) as f64) * PRICE_PER_METRIC
}

/// Draws the bar.
pub fn render(frame: &mut Frame, area: Rect, app: &App, store: &Store, now: DateTime<Utc>) {
    let source = source_label(app, store);
    let age = match store.metrics.updated_at {
        Some(at) => format!("data {} old", format::age((now - at).num_seconds())),
        None => "loading…".into(),
    };
    let calls = store
        .calls_last_minute(now)
        .map_or("n/a".into(), |c| c.to_string());
    let cost = metrics_cost_per_hour(
        store.functions().len(),
        store.signal_series(),
        app.refresh.as_secs(),
        app.scope().selected.is_some(),
    );
    let throttled = match store.throttled_last_minute(now) {
        Some(n) if n > 0 => format!(" ({n} throttled)"),
        _ => String::new(),
    };
    let text = format!(
        " lamtop │ {source} │ window {} │ refresh {} │ {age} │ API {calls} calls/min{throttled} · ~${cost:.3}/h ",
        format::window(app.window),
        format::window(app.refresh),
    );
    let problem = credential_problem(app, store).unwrap_or_default();
    // First, where it is the last thing cut off: nothing on screen is
    // fresh until the user logs in again.
    let mut line = fit_to_width(
        app,
        format!("{problem}{text}"),
        alarm_badge(app, store),
        area.width,
    );
    if !problem.is_empty() {
        let head = line.spans[0].content.to_string();
        let cut = head
            .char_indices()
            .nth(problem.chars().count())
            .map_or(head.len(), |(i, _)| i);
        let (p, rest) = head.split_at(cut);
        line.spans[0] = Span::styled(rest.to_string(), app.theme.bar());
        line.spans
            .insert(0, Span::styled(p.to_string(), app.theme.alarm_badge()));
    }
    frame.render_widget(Paragraph::new(line), area);
}

/// The one line for credentials that ran out or were refused by the
/// fleet's pollers (inventory, metrics, alarms), with what to run; the
/// data stays on screen, marked stale by its panes, and the pollers keep
/// retrying, so logging in again in another terminal is enough.
fn credential_problem(app: &App, store: &Store) -> Option<String> {
    use crate::source::SourceError;
    let message = [
        store.inventory.last_error.as_ref(),
        store.metrics.last_error.as_ref(),
        store.alarms.last_error.as_ref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|e| match e {
        SourceError::Credentials { message } => Some(message.to_ascii_lowercase()),
        _ => None,
    })?;
    let profile = app.info.profile.as_deref().unwrap_or("default");
    // Credentials that worked earlier in this session and fail now ran out.
    let worked = store.inventory.updated_at.is_some() || store.metrics.updated_at.is_some();
    let what = if message.contains("expired") || worked {
        "credentials expired"
    } else {
        "no usable credentials"
    };
    Some(format!(
        " ✖ {what} for profile {profile} — run `aws sso login --profile {profile}` "
    ))
}

/// Where the data comes from: the demo fleet, or the account and region
/// (and profile); with several regions, each one's state instead.
fn source_label(app: &App, store: &Store) -> String {
    let regions = region_marks(store);
    if regions.is_empty() {
        single_source(app, store)
    } else if app.info.demo {
        format!("DEMO fleets{regions}")
    } else {
        match store.account_id.as_deref() {
            Some(a) => format!("{a} ·{regions}"),
            None => regions.trim_start().to_string(),
        }
    }
}

/// The source of a one-region run: `DEMO fleet` or `account · region (profile)`.
fn single_source(app: &App, store: &Store) -> String {
    if app.info.demo {
        return "DEMO fleet".to_string();
    }
    let account = store
        .account_id
        .as_deref()
        .map(|a| format!("{a} · "))
        .unwrap_or_default();
    match &app.info.profile {
        Some(p) => format!("{account}{} ({p})", app.info.region),
        None => format!("{account}{}", app.info.region),
    }
}

/// Several regions: each one's state, so one failing region is visible
/// (` eu-west-1 ✓ us-east-1 ⚠`); empty with a single region.
fn region_marks(store: &Store) -> String {
    store
        .regions
        .iter()
        .map(|r| {
            let mark = match (&r.error, r.ok_at) {
                (Some(_), _) => "⚠",
                (None, Some(_)) => "✓",
                (None, None) => "…",
            };
            format!(" {} {mark}", crate::model::text::sanitize(&r.region))
        })
        .collect()
}

/// The alarm counter at the right end: how many rules and alarms fire.
fn alarm_badge(app: &App, store: &Store) -> Span<'static> {
    let firing = store.firing_count();
    if firing > 0 {
        Span::styled(format!(" ✖ {firing} FIRING "), app.theme.alarm_badge())
    } else {
        Span::styled(" ✓ no alarms ", app.theme.bar())
    }
}

/// The bar as one line of `width`: the alarm counter must always be
/// visible, so the text gives way (cut with `…`), and padding fills the rest.
fn fit_to_width(app: &App, text: String, alarm: Span<'static>, width: u16) -> Line<'static> {
    let t = app.theme;
    let room = usize::from(width).saturating_sub(alarm.content.chars().count());
    let text: String = if text.chars().count() > room {
        let mut t: String = text.chars().take(room.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        text
    };
    let used = text.chars().count() + alarm.content.chars().count();
    let pad = " ".repeat(usize::from(width).saturating_sub(used));
    Line::from(vec![
        Span::styled(text, t.bar()),
        Span::styled(pad, t.bar()),
        alarm,
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn cost_formula() {
        // 30 functions: 272 metrics per refresh, 60 refreshes/h, $0.01 per 1000.
        let c = super::metrics_cost_per_hour(30, 0, 60, false);
        assert!((c - 0.1632).abs() < 1e-9, "{c}");
    }
}
