//! The function view: configuration, window numbers, charts (calls;
//! duration with the timeout as a reference line; concurrency against
//! reserved concurrency) and the logs pane.

use super::widgets::points;
use super::widgets::{Placeholder, placeholder};
use super::{freshness, title};
use crate::format;
use crate::model::function::{FunctionInfo, TracingMode};
use crate::model::id::FunctionId;
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat};
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::layout::FunctionLayout;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};

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
    config(frame, l.config, app, store, info);
    numbers(frame, l.numbers, app, store, info, now);
    insights(frame, l.insights, app, store, info);
    let charts = Charts {
        app,
        store,
        info,
        window_min: app.window.as_secs() as f64 / 60.0,
    };
    charts.calls(frame, l.calls);
    charts.duration(frame, l.duration);
    charts.concurrency(frame, l.concurrency);
    super::logs::render(frame, l.logs, app, store, id, now);
}

/// The three charts of one function over the window.
struct Charts<'a> {
    app: &'a App,
    store: &'a Store,
    info: &'a FunctionInfo,
    window_min: f64,
}

impl<'a> Charts<'a> {
    /// A series of the fleet refresh.
    fn get(&self, kind: MetricKind, stat: Stat) -> Option<&'a Series> {
        self.store
            .series(&MetricKey::function(&self.info.id, kind, stat))
    }

    /// A duration percentile of the detail refresh (per period).
    fn detail(&self, stat: Stat) -> Option<&'a Series> {
        let key = MetricKey::function(&self.info.id, MetricKind::Duration, stat);
        self.store.detail_series(&self.info.id, &key)
    }

    /// Invocations, errors and throttles per period.
    fn calls(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let calls = [
            (
                "invocations",
                self.get(MetricKind::Invocations, Stat::Sum),
                t.series(0),
            ),
            (
                "errors",
                self.get(MetricKind::Errors, Stat::Sum),
                t.series(1),
            ),
            (
                "throttles",
                self.get(MetricKind::Throttles, Stat::Sum),
                t.series(2),
            ),
        ];
        let title = "Calls / period".to_string();
        chart(frame, area, self.app, title, &calls, self.window_min, None);
    }

    /// Duration avg/p50/p99/max, with the timeout as a reference line when
    /// it is on a readable scale.
    fn duration(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let timeout_ms = f64::from(self.info.timeout_s) * 1000.0;
        let duration = [
            (
                "avg",
                self.get(MetricKind::Duration, Stat::Average),
                t.series(0),
            ),
            ("p50", self.detail(Stat::P50), t.series(4)),
            ("p99", self.detail(Stat::P99), t.series(3)),
            (
                "max",
                self.get(MetricKind::Duration, Stat::Maximum),
                t.series(1),
            ),
        ];
        let peak = duration
            .iter()
            .filter_map(|d| d.1.and_then(Series::max))
            .fold(0.0, f64::max);
        let (reference, title) = if peak >= timeout_ms * 0.2 {
            (
                Some(("timeout", timeout_ms)),
                "Duration ms (timeout line)".to_string(),
            )
        } else {
            (
                None,
                format!(
                    "Duration ms (timeout {} off scale)",
                    format::ms(Some(timeout_ms))
                ),
            )
        };
        chart(
            frame,
            area,
            self.app,
            title,
            &duration,
            self.window_min,
            reference,
        );
    }

    /// Concurrency against reserved concurrency.
    fn concurrency(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let reserved = self
            .store
            .reserved
            .get(&self.info.id)
            .and_then(|s| s.value)
            .flatten();
        let conc = [(
            "concurrency",
            self.get(MetricKind::ConcurrentExecutions, Stat::Maximum),
            t.series(0),
        )];
        let title = match reserved {
            Some(r) => format!("Concurrency (reserved {r})"),
            None => "Concurrency (unreserved)".into(),
        };
        let line = reserved.map(|r| ("reserved", f64::from(r)));
        chart(frame, area, self.app, title, &conc, self.window_min, line);
    }
}

fn config(frame: &mut Frame, area: Rect, app: &App, store: &Store, f: &FunctionInfo) {
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
    let lines = vec![
        kv(
            "runtime",
            format!("{} · {}", sanitize(&f.runtime), f.architecture.as_str()),
        ),
        kv(
            "memory",
            format!(
                "{} MB · timeout {} s · reserved {reserved}",
                f.memory_mb, f.timeout_s
            ),
        ),
        kv(
            "modified",
            f.last_modified
                .map_or("n/a".into(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
        ),
        kv("log group", sanitize(&f.log_group)),
        kv(
            "tracing",
            match f.tracing {
                TracingMode::Active => "Active (X-Ray)".into(),
                TracingMode::PassThrough => "PassThrough".into(),
            },
        ),
    ];
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", sanitize(&f.id.to_string())),
        t.title(),
    ));
    frame.render_widget(Paragraph::new(lines).block(block), area);
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
    let lines = vec![
        Line::from(vec![
            Span::raw(format!("invocations {}  ", format::count(s.invocations))),
            Span::styled(
                format!(
                    "errors {} ({})",
                    format::count(s.errors),
                    format::pct(s.error_rate)
                ),
                loud(s.errors, t.error()),
            ),
        ]),
        Line::from(vec![
            Span::styled(
                format!("throttles {}", format::count(s.throttles)),
                loud(s.throttles, t.warn()),
            ),
            Span::raw(format!(
                "  peak concurrency {}",
                format::count(s.concurrency_max)
            )),
        ]),
        Line::from(format!(
            "avg {} · p50 {} · p90 {}",
            format::ms(s.duration_avg),
            format::ms(s.duration_p50),
            format::ms(s.duration_p90)
        )),
        Line::from(format!(
            "p99 {} · max {} · p99/timeout {}",
            format::ms(s.duration_p99),
            format::ms(s.duration_max),
            format::pct(s.timeout_ratio(f.timeout_s))
        )),
    ];
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

type Line3<'a> = (&'a str, Option<&'a Series>, Style);

fn chart(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    name: String,
    series: &[Line3<'_>],
    window_min: f64,
    reference: Option<(&str, f64)>,
) {
    let t = app.theme;
    let data: Vec<Vec<(f64, f64)>> = series.iter().map(|s| points(s.1)).collect();
    let mut top = data.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
    let reference_line = reference.map(|(_, v)| vec![(0.0, v), (window_min, v)]);
    if let Some((_, v)) = reference {
        top = top.max(v);
    }
    let top = if top <= 0.0 { 1.0 } else { top * 1.1 };
    let mut datasets: Vec<Dataset> = series
        .iter()
        .zip(&data)
        .map(|(s, d)| {
            Dataset::default()
                .name(s.0.to_string())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(s.2)
                .data(d)
        })
        .collect();
    if let (Some((label, _)), Some(line)) = (reference, reference_line.as_ref()) {
        datasets.push(
            Dataset::default()
                .name(format!("{label} ┄"))
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(line),
        );
    }
    let empty = data.iter().all(Vec::is_empty);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {name}{} ", if empty { " · no data" } else { "" }),
        t.title(),
    ));
    let window_label = format!("-{}", format::window(app.window));
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(Axis::default().bounds([0.0, window_min]).labels(vec![
            Span::styled(window_label, t.dim()),
            Span::styled("now", t.dim()),
        ]))
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels(vec![Span::raw("0"), Span::raw(format::count(Some(top)))]),
        );
    frame.render_widget(chart, area);
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
