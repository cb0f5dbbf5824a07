//! The account panel: peak concurrency against the account limit as a
//! gauge, and fleet totals.

use crate::format;
use crate::store::{AccountSummary, Store};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph};

/// Draws the panel.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
) {
    let block = Block::default().borders(Borders::ALL).title(super::title(
        "Account".into(),
        super::freshness(&store.metrics, app.refresh, now, app),
        app,
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut accounts = store.accounts();
    if !accounts.is_empty() {
        // A failing account first: it is what needs doing.
        accounts.sort_by_key(|a| a.problems.is_empty());
        let lines: Vec<Line<'static>> =
            accounts.iter().flat_map(|a| each_account(app, a)).collect();
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    let [gauge_area, text_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let acct = store.account_summary();
    let limits = store.account.value.unwrap_or_default();
    concurrency(
        frame,
        gauge_area,
        app,
        store,
        acct.concurrency_max,
        limits.concurrency_limit,
    );
    let mut lines = totals(app, store, &acct, limits.unreserved_concurrency);
    lines.extend(region_errors(app, store));
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        text_area,
    );
}

/// The first row: peak concurrency as a gauge of the account limit
/// (coloured as it nears it), or the peak and why the limit is missing.
fn concurrency(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    peak: Option<f64>,
    limit: Option<u32>,
) {
    let t = app.theme;
    match (peak, limit) {
        (Some(p), Some(l)) if l > 0 => {
            let ratio = (p / f64::from(l)).clamp(0.0, 1.0);
            let style = if ratio > 0.8 {
                t.error()
            } else if ratio > 0.6 {
                t.warn()
            } else {
                t.ok()
            };
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .gauge_style(style)
                    .label(format!(
                        "concurrency {} / {l} ({})",
                        format::count(Some(p)),
                        format::pct(Some(ratio))
                    )),
                area,
            );
        }
        _ => {
            let why = match &store.account.last_error {
                Some(e) if e.is_unsupported() => "limit n/a from this endpoint",
                Some(_) => "limit unavailable",
                None => "limit …",
            };
            frame.render_widget(
                Paragraph::new(format!("concurrency peak {} · {why}", format::count(peak))),
                area,
            );
        }
    }
}

/// The fleet totals: calls and errors, throttles and claimed concurrency,
/// then the number of functions and the unreserved concurrency.
fn totals(
    app: &App,
    store: &Store,
    acct: &AccountSummary,
    unreserved: Option<u32>,
) -> Vec<Line<'static>> {
    let t = app.theme;
    let errs = acct.errors.unwrap_or(0.0);
    let thr = acct.throttles.unwrap_or(0.0);
    vec![
        Line::from(vec![
            Span::raw(format!("invocations {}  ", format::count(acct.invocations))),
            Span::styled(
                format!("errors {}", format::count(acct.errors)),
                if errs > 0.0 { t.error() } else { t.text() },
            ),
        ]),
        Line::from(vec![
            Span::styled(
                format!("throttles {}", format::count(acct.throttles)),
                if thr > 0.0 { t.warn() } else { t.text() },
            ),
            Span::raw(format!(
                "  claimed {}",
                format::count(acct.claimed_concurrency_max)
            )),
        ]),
        Line::from(format!(
            "{} functions · unreserved {}",
            store.functions().len(),
            unreserved.map_or("n/a".into(), |u| u.to_string())
        )),
    ]
}

/// Several profiles: each account on its own lines (limits and peaks
/// are the account's, never summed with another's), then what its
/// failing places say, with the command that fixes expired credentials.
fn each_account(app: &App, a: &crate::store::AccountView) -> Vec<Line<'static>> {
    use crate::model::text::sanitize;
    let t = app.theme;
    let id = a
        .account_id
        .as_deref()
        .map_or(String::new(), |i| format!(" {}", sanitize(i)));
    let limit = a
        .limits
        .and_then(|l| l.concurrency_limit)
        .map_or("n/a".into(), |l| l.to_string());
    let errs = a.errors.unwrap_or(0.0);
    if a.functions == 0 && !a.problems.is_empty() {
        // Nothing was read: what failed is all there is to say.
        let mut lines = vec![Line::styled(
            format!("{}{id}", sanitize(&a.profile)),
            t.header(),
        )];
        lines.extend(
            a.problems
                .iter()
                .map(|p| Line::styled(format!("⚠ {}", sanitize(p)), t.error())),
        );
        return lines;
    }
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{}{id}", sanitize(&a.profile)), t.header()),
            Span::raw(format!(
                " concurrency {} / {limit} · claimed {}",
                format::count(a.concurrency_max),
                format::count(a.claimed_concurrency_max),
            )),
        ]),
        Line::from(vec![
            Span::raw(format!(
                "  {} fn · invocations {} · ",
                a.functions,
                format::count(a.invocations)
            )),
            Span::styled(
                format!("errors {}", format::count(a.errors)),
                if errs > 0.0 { t.error() } else { t.text() },
            ),
            Span::raw(format!(" · throttles {}", format::count(a.throttles))),
        ]),
    ];
    lines.extend(
        a.problems
            .iter()
            .map(|p| Line::styled(format!("  ⚠ {}", sanitize(p)), t.error())),
    );
    lines
}

/// Several regions: what a failing one says (the header only marks it).
fn region_errors(app: &App, store: &Store) -> Vec<Line<'static>> {
    store
        .regions
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| {
            Line::styled(
                format!(
                    "⚠ {}: {}",
                    crate::model::text::sanitize(&r.region),
                    crate::model::text::sanitize(&r.problem().unwrap_or_default())
                ),
                app.theme.error(),
            )
        })
        .collect()
}
