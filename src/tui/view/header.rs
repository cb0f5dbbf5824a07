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

/// What the metrics cost: the last refresh's metrics, per hour at this
/// refresh, against the budget, a short word when the budget makes a
/// tier wait (the fleet table's title says how long), and the metrics
/// per refresh (what the gateway and the bill count).
pub fn spend(app: &App, store: &Store) -> String {
    let Some(s) = store.metrics_spend(app.refresh, app.on_screen()) else {
        return String::new();
    };
    let mut text = format!(" · ~${:.3}/h", s.per_hour);
    if let Some(plan) = s.plan
        && let Some(budget) = plan.budget_per_hour
    {
        text.push_str(&format!(" of ${budget:.2}"));
        if plan.over_budget {
            text.push_str(" (over budget)");
        } else if plan.slowed() {
            text.push_str(" (in turns)");
        }
    }
    text.push_str(&format!(" · {} metrics/refresh", s.per_refresh));
    text
}

/// How the budget slows the refresh, for the fleet table's title:
/// "idle functions every 2m to stay under $0.50/h"; `None` when every
/// function is read each refresh.
pub fn tiers_note(app: &App, store: &Store) -> Option<String> {
    let plan = store.metrics.value.as_ref()?.plan.as_ref()?;
    let budget = plan.budget_per_hour?;
    if plan.over_budget {
        return Some(format!(
            "over the ${budget:.2}/h budget: the rows on screen and the rules alone cost more"
        ));
    }
    let every = |round: u32| format::window(app.refresh * round);
    let mut tiers = Vec::new();
    if plan.active_round > 1 {
        tiers.push(format!(
            "active functions every {}",
            every(plan.active_round)
        ));
    }
    if plan.idle_round > 1 {
        tiers.push(format!(
            "{} idle functions every {}",
            plan.idle,
            every(plan.idle_round)
        ));
    }
    (!tiers.is_empty()).then(|| format!("{} to stay under ${budget:.2}/h", tiers.join(", ")))
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
    let cost = spend(app, store);
    let throttled = match store.throttled_last_minute(now) {
        Some(n) if n > 0 => format!(" ({n} throttled)"),
        _ => String::new(),
    };
    let text = format!(
        " lamtop │ {source} │ window {} │ refresh {} │ {age} │ API {calls} calls/min{throttled}{cost} ",
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
