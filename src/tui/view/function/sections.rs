//! The function view's signal sections, one line each and shown only when
//! they apply: the event sources with their lag, async traffic with its
//! settings, provisioned concurrency per alias, extension time and
//! recursion cuts. They sit above the log pane, whose rows they take.

use crate::format;
use crate::message::InvokeConfig;
use crate::model::function::FunctionInfo;
use crate::model::invoke::AsyncConfig;
use crate::model::metrics::{MetricKey, MetricKind, Stat};
use crate::model::signals::Signals;
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Rows the log pane keeps below the sections.
const LOGS_KEEP: u16 = 6;

/// The sections of `f` that apply, one line each.
pub fn lines(store: &Store, f: &FunctionInfo, t: Theme) -> Vec<Line<'static>> {
    let s = store.function_summary(&f.id).signals;
    let config = store.invoke_config_of(&f.id);
    let mut out = Vec::new();
    for e in store.event_sources_of(&f.id) {
        let mut text = sanitize(&e.describe());
        if let Some(n) = e.batch_size {
            text.push_str(&format!(" · batch {n}"));
        }
        match e.kind {
            "kinesis" | "dynamodb" => text.push_str(&format!(
                " · iterator age max {}",
                format::ms(s.iterator_age_max_ms)
            )),
            "kafka" => text.push_str(&format!(
                " · offset lag max {}",
                format::count(s.offset_lag_max)
            )),
            _ => {}
        }
        let style = if e.problem().is_some() {
            t.warn()
        } else {
            t.text()
        };
        out.push(line("source", text, style, t));
    }
    if let Some(a) = async_text(&s) {
        let style = if s.problem().is_some() {
            t.error()
        } else {
            t.text()
        };
        out.push(line("async", a, style, t));
        let settings = config
            .and_then(|c| c.async_config.as_ref().ok())
            .cloned()
            .flatten();
        if let Some(c) = settings {
            out.push(line("", settings_text(&c), t.text(), t));
        }
    }
    out.extend(provisioned_lines(store, f, &s, config, t));
    if let Some(e) = s.extension_duration_ms {
        let text = format!(
            "after the function returns: avg {} · max {}",
            format::ms(e.avg),
            format::ms(e.max)
        );
        out.push(line("extensions", text, t.text(), t));
    }
    if f.setup.has_lambda_insights() {
        out.push(line(
            "insights",
            lambda_insights_text(store, f),
            t.text(),
            t,
        ));
    }
    if let Some(text) = setup_text(&f.setup) {
        out.push(line("config", text, t.text(), t));
    }
    if let Some(n) = s.recursive_invocations_dropped.filter(|n| *n > 0.0) {
        let text = format!(
            "{} invocations cut as a recursive loop",
            format::count(Some(n))
        );
        out.push(line("recursion", text, t.error(), t));
    }
    out
}

/// The Lambda Insights numbers of the window (the function on screen's
/// detail refresh reads them).
fn lambda_insights_text(store: &Store, f: &FunctionInfo) -> String {
    let get = |k, st| store.detail_series(&f.id, &MetricKey::function(&f.id, k, st));
    let peak = |k| get(k, Stat::Maximum).and_then(crate::model::metrics::Series::max);
    let total = |k| get(k, Stat::Sum).map(crate::model::metrics::Series::sum);
    let cpu =
        get(MetricKind::InsightsCpuTotalTime, Stat::Average).and_then(|s| s.weighted_mean(None));
    let bytes = |n: Option<f64>| n.map_or("n/a".into(), format::bytes);
    format!(
        "memory max {} · cpu avg {} · init max {} · rx {} · tx {}",
        peak(MetricKind::InsightsMemoryUtilization).map_or("n/a".into(), |p| format!("{p:.0}%")),
        format::ms(cpu),
        format::ms(peak(MetricKind::InsightsInitDuration)),
        bytes(total(MetricKind::InsightsRxBytes)),
        bytes(total(MetricKind::InsightsTxBytes)),
    )
}

/// Packaging and wiring worth a line: an image, layers, a VPC, storage
/// beyond the default 512 MB, SnapStart, a dead-letter queue (`None`
/// for a plain zip function).
fn setup_text(c: &crate::model::function::Setup) -> Option<String> {
    let notable = !c.layers.is_empty()
        || c.vpc_id.is_some()
        || c.ephemeral_storage_mb.is_some_and(|m| m != 512)
        || c.snap_start.is_some()
        || c.dead_letter_target.is_some()
        || c.package_type.as_deref() == Some("Image");
    if !notable {
        return None;
    }
    let short = |arn: &str| sanitize(arn.rsplit(':').next().unwrap_or(arn));
    let mut parts: Vec<String> = [c.package_type.clone(), c.handler.clone()]
        .into_iter()
        .flatten()
        .map(|p| sanitize(&p))
        .collect();
    if !c.layers.is_empty() {
        let names: Vec<String> = c
            .layers
            .iter()
            .map(|l| sanitize(crate::model::function::Setup::layer_name(l)))
            .collect();
        parts.push(format!("layers {}", names.join(", ")));
    }
    if let Some(v) = &c.vpc_id {
        parts.push(format!("VPC {}", sanitize(v)));
    }
    if let Some(m) = c.ephemeral_storage_mb {
        parts.push(format!("/tmp {m} MB"));
    }
    if let Some(s) = &c.snap_start {
        parts.push(format!("SnapStart {}", sanitize(s)));
    }
    if let Some(d) = &c.dead_letter_target {
        parts.push(format!("DLQ → {}", short(d)));
    }
    Some(parts.join(" · "))
}

fn line(key: &str, text: String, style: ratatui::style::Style, t: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{key:<12}"), t.dim()),
        Span::styled(text, style),
    ])
}

/// `received 31044 · age max 2m38s · dropped 32 · DLQ errors 0`.
fn async_text(s: &Signals) -> Option<String> {
    let a = s.async_events?;
    let mut text = format!(
        "received {} · age max {} · dropped {} · DLQ errors {}",
        format::count(a.events_received),
        format::ms(a.event_age_max_ms),
        format::count(a.events_dropped),
        format::count(a.dead_letter_errors),
    );
    if let Some(n) = a.destination_delivery_failures {
        text.push_str(&format!(
            " · destination failures {}",
            format::count(Some(n))
        ));
    }
    Some(text)
}

/// `retries 2 · max age 10m · on failure → queue`.
fn settings_text(c: &AsyncConfig) -> String {
    let mut parts = Vec::new();
    if let Some(n) = c.retries {
        parts.push(format!("retries {n}"));
    }
    if let Some(s) = c.max_event_age_s {
        parts.push(format!("max age {}", format::age(i64::from(s))));
    }
    let short = |arn: &str| sanitize(arn.rsplit(':').next().unwrap_or(arn));
    if let Some(d) = &c.on_failure {
        parts.push(format!("on failure → {}", short(d)));
    }
    if let Some(d) = &c.on_success {
        parts.push(format!("on success → {}", short(d)));
    }
    parts.join(" · ")
}

/// One line per alias with provisioned concurrency (allocated and status
/// from the configs, utilization and spillover from its metrics), or one
/// for the function when the configs cannot be read.
fn provisioned_lines(
    store: &Store,
    f: &FunctionInfo,
    s: &Signals,
    config: Option<&InvokeConfig>,
    t: Theme,
) -> Vec<Line<'static>> {
    let Some(p) = s.provisioned else {
        return Vec::new();
    };
    let loud = |u: Option<f64>, n: Option<f64>| {
        if u.is_some_and(|u| u >= 0.9) || n.is_some_and(|n| n > 0.0) {
            t.warn()
        } else {
            t.text()
        }
    };
    let configs = config.map(|c| &c.provisioned);
    let Some(Ok(list)) = configs.filter(|c| c.as_ref().is_ok_and(|l| !l.is_empty())) else {
        let why = match configs {
            Some(Err(e)) if e.is_unsupported() => " · allocated n/a from this endpoint",
            _ => "",
        };
        let text = format!(
            "utilization max {} · spillover {}{why}",
            format::pct(p.utilization_max),
            format::count(p.spillover_invocations)
        );
        return vec![line(
            "provisioned",
            text,
            loud(p.utilization_max, p.spillover_invocations),
            t,
        )];
    };
    list.iter()
        .map(|c| {
            let get = |k, st| {
                store
                    .detail_series(&f.id, &MetricKey::resource(&f.id, k, st, &c.qualifier))
                    .map(|s| (s.max(), s.sum()))
            };
            let u = get(MetricKind::ProvisionedConcurrencyUtilization, Stat::Maximum)
                .and_then(|(m, _)| m);
            let n = get(
                MetricKind::ProvisionedConcurrencySpilloverInvocations,
                Stat::Sum,
            )
            .map(|(_, s)| s);
            let text = format!(
                "{}: {}/{} allocated {} · utilization max {} · spillover {}",
                sanitize(&c.qualifier),
                c.allocated.map_or("?".into(), |n| n.to_string()),
                c.requested.map_or("?".into(), |n| n.to_string()),
                sanitize(c.status.as_deref().unwrap_or("")),
                format::pct(u),
                format::count(n),
            );
            line("provisioned", text, loud(u, n), t)
        })
        .collect()
}

/// The sections' area above the log pane (none when nothing applies or
/// the column is too short for both), and what the logs keep.
pub fn split(area: Rect, rows: u16) -> (Option<Rect>, Rect) {
    super::split_top(area, rows, LOGS_KEEP)
}

/// Draws the sections.
pub fn render(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>, t: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" signals ", t.title()));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
