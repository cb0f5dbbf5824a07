//! The function view: configuration, window numbers, charts (calls;
//! duration with the timeout as a reference line; concurrency against
//! reserved concurrency) and the logs pane.

mod charts;
pub(super) mod errors_box;
mod sections;

use super::widgets::{Placeholder, placeholder};
use super::{freshness, title};
use crate::format;
use crate::model::function::{FunctionInfo, TracingMode};
use crate::model::id::FunctionId;
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::layout::FunctionLayout;
use charts::Charts;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Draws the whole function screen body.
pub fn render(
    frame: &mut Frame,
    l: &FunctionLayout,
    app: &App,
    store: &Store,
    id: &FunctionId,
    now: DateTime<Utc>,
) {
    if app.logs.full {
        super::logs::render(frame, l.full_logs, app, store, id, now);
        return;
    }
    let Some(info) = store.functions().iter().find(|f| f.id == *id) else {
        let msg = format!(
            "function '{}' is no longer in the inventory (Esc goes back)",
            sanitize(&id.to_string())
        );
        placeholder(frame, l.config, None, Placeholder::Failed(msg), app.theme);
        return;
    };
    config(frame, l.config, app, store, info, now);
    numbers(frame, l.numbers, app, store, info, now);
    insights(frame, l.insights, app, store, info);
    let charts = Charts {
        app,
        store,
        info,
        window_min: app.window.as_secs() as f64 / 60.0,
        deploy: deploy_x(store, info).map(|x| {
            let label = store
                .deploy_version(info)
                .map_or_else(|| "deploy".to_string(), |v| format!("v{v}"));
            (x, label)
        }),
    };
    charts.calls(frame, l.calls);
    charts.duration(frame, l.duration);
    charts.concurrency(frame, l.concurrency);
    // The signal sections that apply, above the logs.
    let lines = sections::lines(store, info, app.theme);
    let (top, logs) = sections::split(l.logs, u16::try_from(lines.len()).unwrap_or(u16::MAX));
    if let Some(area) = top {
        sections::render(frame, area, lines, app.theme);
    }
    super::logs::render(frame, logs, app, store, id, now);
}

/// A box of `rows` lines on top of `area` (none when there are no rows or
/// `area` could not keep `keep` rows below it), and the rest.
fn split_top(area: Rect, rows: u16, keep: u16) -> (Option<Rect>, Rect) {
    let h = rows.saturating_add(2);
    if rows == 0 || area.height < h.saturating_add(keep) {
        return (None, area);
    }
    let top = Rect { height: h, ..area };
    let rest = Rect {
        y: area.y + h,
        height: area.height - h,
        ..area
    };
    (Some(top), rest)
}

fn config(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    f: &FunctionInfo,
    now: DateTime<Utc>,
) {
    let t = app.theme;
    let reserved = match store.reserved.get(&f.id) {
        None => "…".to_string(),
        Some(s) => match (&s.value, &s.last_error) {
            (Some(Some(n)), _) => n.to_string(),
            (Some(None), _) => "none".into(),
            (None, Some(e)) if e.is_unsupported() => "n/a".into(),
            (None, Some(_)) => "unavailable".into(),
            (None, None) => "…".into(),
        },
    };
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), t.dim()),
            Span::raw(v),
        ])
    };
    let mut runtime = format!("{} · {}", sanitize(&f.runtime), f.architecture.as_str());
    let deprecation =
        crate::model::runtimes::deprecation(&f.runtime, now).filter(|d| d.is_flagged());
    if let Some(d) = deprecation {
        runtime.push_str(&format!(" · ⚠ {}", d.describe()));
    }
    let lines = vec![
        kv("runtime", runtime),
        kv(
            "memory",
            format!(
                "{} MB · timeout {} s · reserved {reserved}",
                f.memory_mb, f.timeout_s
            ),
        ),
        kv(
            "deployed",
            f.last_modified.map_or("n/a".into(), |d| {
                let mut s = format!(
                    "{} · {} ago",
                    d.format("%Y-%m-%d %H:%M UTC"),
                    format::age((now - d).num_seconds())
                );
                if let Some(v) = store.deploy_version(f) {
                    s.push_str(&format!(" · v{}", sanitize(&v)));
                }
                for a in store
                    .deployments_of(&f.id)
                    .map_or(&[][..], |d| &d.aliases[..])
                {
                    s.push_str(&format!(" · {}", sanitize(&a.describe())));
                }
                s
            }),
        ),
        kv("log group", sanitize(&f.log_group)),
        kv("tracing", {
            let mut s: String = match f.tracing {
                TracingMode::Active => "Active (X-Ray)".into(),
                TracingMode::PassThrough => "PassThrough".into(),
            };
            // What invokes it by polling, and how the last poll went.
            for e in store.event_sources_of(&f.id) {
                s.push_str(&format!(" · {}", sanitize(&e.describe())));
            }
            s
        }),
    ];
    let mut title = vec![Span::styled(
        format!(" {} ", sanitize(&f.id.to_string())),
        t.title(),
    )];
    // An alarm firing on it is named where the function is shown.
    let firing: Vec<String> = store.firing_on(&f.id).map(|a| sanitize(&a.name)).collect();
    if !firing.is_empty() {
        title.push(Span::styled(format!("✖ {} ", firing.join(", ")), t.error()));
    }
    // So is a failed state or update (it may run old code, or none), and
    // a queue or stream whose last poll failed.
    if let Some(p) = f.health.problem() {
        title.push(Span::styled(format!("⚠ {} ", sanitize(&p)), t.warn()));
    }
    for e in store
        .event_sources_of(&f.id)
        .filter(|e| e.problem().is_some())
    {
        title.push(Span::styled(
            format!("⚠ {} ", sanitize(&e.describe())),
            t.warn(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Where `f`'s latest deploy falls on the charts' x axis (minutes into the
/// window), when inside it.
fn deploy_x(store: &Store, f: &FunctionInfo) -> Option<f64> {
    let range = store.metrics.value.as_ref()?.range?;
    let at = f.last_modified?;
    (at >= range.start && at < range.end).then(|| (at - range.start).num_seconds() as f64 / 60.0)
}

/// Each version's share of a traffic-splitting alias: `live v12 90.0%
/// 5400 · 0.20% err`, the canary in the error style with ▲ when it fails
/// significantly more than the primary.
fn canary_figures(
    store: &Store,
    f: &FunctionInfo,
    t: crate::tui::theme::Theme,
) -> Vec<(String, Style)> {
    let Some(d) = store.deployments_of(&f.id) else {
        return Vec::new();
    };
    if let Some(e) = &d.shares_error {
        return vec![(format!("canary n/a: {}", sanitize(e)), t.dim())];
    }
    let mut out = Vec::new();
    for share in &d.shares {
        let worse = d.canary_fails_more(share);
        out.push((
            format!(
                "{} v{} {} {} · {} err{}",
                sanitize(&share.alias),
                sanitize(&share.version),
                format::pct(Some(share.weight)),
                format::count(share.invocations),
                format::pct(share.error_rate()),
                if worse { " ▲" } else { "" }
            ),
            if worse { t.error() } else { t.text() },
        ));
    }
    out
}

/// The before/after figures of a deploy inside the window: `deploy 14:20 ▲`,
/// `err 0.4%→6.1%`, `avg 80ms→210ms`, `thr 0→3` (▲ and the error style when
/// the error rate rose significantly).
fn deploy_figures(
    store: &Store,
    f: &FunctionInfo,
    t: crate::tui::theme::Theme,
) -> Vec<(String, Style)> {
    let Some(ba) = store.before_after(f) else {
        return Vec::new();
    };
    let (b, a) = (ba.before, ba.after);
    let style = if ba.regressed() { t.error() } else { t.warn() };
    let mut out = vec![(
        format!(
            "since deploy {}{}",
            ba.deployed.format("%H:%M"),
            if ba.regressed() { " ▲" } else { "" }
        ),
        style,
    )];
    out.push((
        format!(
            "err {}→{}",
            format::pct(b.error_rate()),
            format::pct(a.error_rate())
        ),
        style,
    ));
    out.push((
        format!("avg {}→{}", format::ms(b.avg_ms), format::ms(a.avg_ms)),
        t.text(),
    ));
    if b.throttles + a.throttles > 0.0 {
        out.push((
            format!(
                "thr {}→{}",
                format::count(Some(b.throttles)),
                format::count(Some(a.throttles))
            ),
            t.warn(),
        ));
    }
    out
}

/// Packs figures into lines of `width`, in order, two spaces apart; a
/// figure is never cut: it goes whole to the next line (the box shows as
/// many lines as it has rows, the most important figures first).
fn pack(items: Vec<(String, Style)>, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (text, style) in items {
        let len = text.chars().count();
        if !cur.is_empty() && used + 2 + len > width {
            lines.push(Line::from(std::mem::take(&mut cur)));
            used = 0;
        }
        if !cur.is_empty() {
            cur.push(Span::raw("  "));
            used += 2;
        }
        used += len;
        cur.push(Span::styled(text, style));
    }
    if !cur.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

/// Why the function's duration percentiles are n/a, when the source said.
fn percentiles_unavailable(store: &Store, f: &FunctionInfo) -> Option<String> {
    let data = store.metrics.value.as_ref()?;
    data.unavailable
        .iter()
        .find(|(k, _)| k.function.as_ref() == Some(&f.id) && k.stat.is_percentile())
        .map(|(_, e)| crate::model::text::sanitize(&e.to_string()))
}

fn numbers(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    store: &Store,
    f: &FunctionInfo,
    now: DateTime<Utc>,
) {
    let t = app.theme;
    let s = store.function_summary(&f.id);
    let loud = |v: Option<f64>, st: Style| {
        if v.is_some_and(|x| x > 0.0) {
            st
        } else {
            t.text()
        }
    };
    let mut items = vec![
        (
            format!("invocations {}", format::count(s.invocations)),
            t.text(),
        ),
        (
            format!(
                "errors {} ({})",
                format::count(s.errors),
                format::pct(s.error_rate)
            ),
            loud(s.errors, t.error()),
        ),
        (
            format!("throttles {}", format::count(s.throttles)),
            loud(s.throttles, t.warn()),
        ),
    ];
    // What changed with a deploy in the window comes right after the
    // errors it may explain.
    items.extend(deploy_figures(store, f, t));
    items.extend(canary_figures(store, f, t));
    items.extend([
        (
            format!("p99/timeout {}", format::pct(s.timeout_ratio(f.timeout_s))),
            t.text(),
        ),
        (format!("p99 {}", format::ms(s.duration_p99)), t.text()),
        (format!("avg {}", format::ms(s.duration_avg)), t.text()),
        (format!("max {}", format::ms(s.duration_max)), t.text()),
        (format!("p50 {}", format::ms(s.duration_p50)), t.text()),
        (format!("p90 {}", format::ms(s.duration_p90)), t.text()),
        (
            format!("peak concurrency {}", format::count(s.concurrency_max)),
            t.text(),
        ),
    ]);
    let inner = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    let mut lines = pack(items, inner);
    if let Some(why) = percentiles_unavailable(store, f) {
        lines.truncate(rows.saturating_sub(1));
        lines.push(Line::styled(format!("⚠ p50/p90/p99 n/a: {why}"), t.warn()));
    }
    let name = format!("Window {}", format::window(app.window));
    let block = Block::default().borders(Borders::ALL).title(title(
        name,
        freshness(&store.metrics, app.refresh, now, app),
        app,
    ));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Cost and rates from the metrics; cold starts and memory from the REPORT
/// lines read (the log pane, or the fleet's Logs Insights query).
fn insights(frame: &mut Frame, area: Rect, app: &App, store: &Store, f: &FunctionInfo) {
    let t = app.theme;
    let i = store.insight(f);
    let mut lines = vec![
        Line::from(format!(
            "cost {}/h · {}/month",
            format::money(i.cost_per_hour),
            format::money(i.cost_per_month)
        )),
        Line::from(vec![
            Span::styled(
                format!("throttled {}", format::pct(i.throttle_rate)),
                if i.throttle_rate.is_some_and(|r| r > 0.0) {
                    t.warn()
                } else {
                    t.text()
                },
            ),
            Span::raw(format!(
                " · conc {} of acct{}",
                format::pct(i.concurrency_of_account),
                i.concurrency_of_reserved
                    .map(|r| format!(", {} of reserved", format::pct(Some(r))))
                    .unwrap_or_default()
            )),
        ]),
    ];
    match store.report_stats(&f.id) {
        Some(r) if r.invocations > 0 => {
            lines.push(Line::from(format!(
                "cold {} ({}/{}) · init p50 {} p99 {}",
                format::pct(r.cold_start_rate()),
                r.cold_starts,
                r.invocations,
                format::ms(r.init_p50_ms),
                format::ms(r.init_p99_ms)
            )));
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "mem ≤ {}/{} MB ({}) · billed/actual {} · ",
                    format::count(r.max_memory_used_mb),
                    f.memory_mb,
                    format::pct(r.memory_used_ratio(Some(f.memory_mb))),
                    r.billed_over_actual()
                        .map_or("n/a".into(), |b| format!("{b:.2}")),
                )),
                failure_counts(r, t),
            ]));
            lines.push(Line::styled(
                r.right_sizing(Some(f.memory_mb))
                    .unwrap_or_else(|| format!("from {} REPORT lines", r.invocations)),
                t.dim(),
            ));
        }
        _ => lines.push(Line::styled(
            "cold starts, memory: from REPORT lines (logs below, or I on the fleet)",
            t.dim(),
        )),
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Insights ", t.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

/// `timeouts 2 · OOM 1` (the kinds that happened), or `failures 0`.
fn failure_counts(
    r: &crate::model::insight::ReportStats,
    t: crate::tui::theme::Theme,
) -> Span<'static> {
    let kinds = [
        ("timeouts", r.timeouts),
        ("OOM", r.out_of_memory),
        ("exits", r.runtime_exits),
        ("init failures", r.init_failures),
    ];
    let text: Vec<String> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    if text.is_empty() {
        Span::styled("failures 0", t.text())
    } else {
        Span::styled(text.join(" · "), t.error())
    }
}
