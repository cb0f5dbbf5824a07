//! The fleet table: one row per function with the `--once` columns plus an
//! invocations sparkline; errors and throttles loud; the sort column
//! marked; filter and freshness in the title.

use super::widgets::spark;
use super::{freshness, is_stale, title};
use crate::format;
use crate::model::fleet::SortColumn;
use crate::model::metrics::{MetricKey, MetricKind, Stat};
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::layout::visible_offset;
use crate::tui::rows::{Row as FleetRow, fleet_rows};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

/// Width of the sparkline column.
const SPARK: u16 = 12;

/// (header, width, sort column, shown from this terminal width)
const COLUMNS: [(&str, u16, Option<SortColumn>, u16); 19] = [
    ("FUNCTION", 0, Some(SortColumn::Name), 0),
    // Only when several regions are watched.
    ("REGION", 14, None, 0),
    ("INVOC", 7, Some(SortColumn::Invocations), 0),
    ("TREND", SPARK, None, 100),
    ("ERRORS", 7, Some(SortColumn::Errors), 0),
    ("ERR%", 6, Some(SortColumn::ErrorRate), 0),
    ("THROT", 6, Some(SortColumn::Throttles), 0),
    ("AVG", 7, Some(SortColumn::Avg), 0),
    ("P50", 7, Some(SortColumn::P50), 120),
    ("P99", 7, Some(SortColumn::P99), 0),
    ("MAX", 7, Some(SortColumn::Max), 90),
    ("CONC", 5, Some(SortColumn::Concurrency), 80),
    ("P99/TO", 6, Some(SortColumn::TimeoutPct), 110),
    ("MEM", 6, Some(SortColumn::Memory), 130),
    ("RUNTIME", 12, None, 140),
    // Insight columns (`c`): they replace TREND, P50, MAX and RUNTIME.
    ("$/H", 8, Some(SortColumn::Cost), 0),
    ("THR%", 6, None, 0),
    ("COLD%", 6, None, 0),
    ("MEM%", 5, None, 0),
];

/// The region column.
const REGION: usize = 1;
/// The first insight column.
const INSIGHTS_FROM: usize = 15;
/// The columns the insight columns replace.
const MAKE_ROOM: [usize; 4] = [3, 8, 10, 14];

fn cells<'a>(r: &FleetRow<'_>, store: &Store, app: &App, shown: &[usize]) -> Vec<Cell<'a>> {
    let t = app.theme;
    let s = &r.summary;
    let loud = |v: Option<f64>, style: Style| {
        if v.is_some_and(|x| x > 0.0) {
            style
        } else {
            t.text()
        }
    };
    let inv = store.series(&MetricKey::function(
        &r.info.name,
        MetricKind::Invocations,
        Stat::Sum,
    ));
    let insight = if app.insight_columns {
        Some(store.insight(r.info))
    } else {
        None
    };
    let reports = store.report_stats(&r.info.name);
    let (plain, region) = crate::source::multi::split(&r.info.name);
    let all: [Cell; 19] = [
        Cell::from(sanitize(plain)),
        Cell::from(sanitize(region.unwrap_or(""))),
        Cell::from(format::count(s.invocations)),
        Cell::from(Span::styled(spark(inv, usize::from(SPARK)), t.series(0))),
        Cell::from(Span::styled(
            format::count(s.errors),
            loud(s.errors, t.error()),
        )),
        Cell::from(Span::styled(
            format::pct(s.error_rate),
            loud(s.errors, t.error()),
        )),
        Cell::from(Span::styled(
            format::count(s.throttles),
            loud(s.throttles, t.warn()),
        )),
        Cell::from(format::ms(s.duration_avg)),
        Cell::from(format::ms(s.duration_p50)),
        Cell::from(format::ms(s.duration_p99)),
        Cell::from(format::ms(s.duration_max)),
        Cell::from(format::count(s.concurrency_max)),
        Cell::from(Span::styled(
            format::pct(s.timeout_ratio(r.info.timeout_s)),
            loud(
                s.timeout_ratio(r.info.timeout_s).filter(|x| *x >= 0.8),
                t.warn(),
            ),
        )),
        Cell::from(format!("{}MB", r.info.memory_mb)),
        Cell::from(sanitize(&r.info.runtime)),
        Cell::from(format::money(insight.and_then(|i| i.cost_per_hour))),
        Cell::from(Span::styled(
            format::pct(insight.and_then(|i| i.throttle_rate)),
            loud(insight.and_then(|i| i.throttle_rate), t.warn()),
        )),
        Cell::from(format::pct(reports.and_then(|r| r.cold_start_rate()))),
        Cell::from(format::pct(
            reports.and_then(|rep| rep.memory_used_ratio(Some(r.info.memory_mb))),
        )),
    ];
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| shown.contains(i))
        .map(|(_, c)| c)
        .collect()
}

/// Draws the table.
pub fn render(frame: &mut Frame, area: Rect, app: &App, store: &Store, now: DateTime<Utc>) {
    let t = app.theme;
    let rows = fleet_rows(store, app.filter.as_ref(), app.sort, app.reverse);
    let mut name = format!("Functions {}/{}", rows.len(), store.functions().len());
    if let Some(f) = &app.filter {
        name.push_str(&format!(" · filter {}", f.describe()));
    }
    let sort_name = app.sort.map_or("errors,invocations", SortColumn::name);
    name.push_str(&format!(
        " · sort {sort_name} {}",
        if app.reverse { "▲" } else { "▼" }
    ));
    if store.inventory_cached {
        let age = store
            .inventory
            .updated_at
            .map_or("?".into(), |t| format::age((now - t).num_seconds()));
        name.push_str(&format!(" · list cached {age} ago, refreshing…"));
    }
    if let Some(run) = &store.insights_run {
        name.push_str(&format!(" · {}", insights_status(run)));
    }
    let fresh = match &store.inventory.last_error {
        Some(_) if store.inventory.value.is_none() => {
            freshness(&store.inventory, app.refresh, now, app)
        }
        _ => freshness(&store.metrics, app.refresh, now, app),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title(name, fresh, app));
    if store.inventory.value.is_none() {
        let msg = match &store.inventory.last_error {
            Some(e) => Line::styled(
                format!("cannot list functions: {}", sanitize(&e.to_string())),
                t.error(),
            ),
            None => Line::styled("loading functions…", t.dim()),
        };
        frame.render_widget(Paragraph::new(msg).block(block), area);
        return;
    }
    let regions = store.functions().iter().any(|f| f.name.contains('@'));
    let shown: Vec<usize> = (0..COLUMNS.len())
        .filter(|i| area.width >= COLUMNS[*i].3)
        .filter(|i| regions || *i != REGION)
        .filter(|i| {
            if app.insight_columns {
                !MAKE_ROOM.contains(i)
            } else {
                *i < INSIGHTS_FROM
            }
        })
        .collect();
    let header = Row::new(shown.iter().map(|&i| {
        let (h, _, col, _) = COLUMNS[i];
        let marked = col.is_some()
            && (col == app.sort || (app.sort.is_none() && col == Some(SortColumn::Errors)));
        let arrow = if app.reverse { "▲" } else { "▼" };
        Cell::from(if marked {
            format!("{h}{arrow}")
        } else {
            h.to_string()
        })
    }))
    .style(t.header());
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|&i| match COLUMNS[i].1 {
            0 => Constraint::Min(16),
            w => Constraint::Length(w),
        })
        .collect();
    let stale = is_stale(&store.metrics, app.refresh, now);
    let names: Vec<&str> = rows.iter().map(|r| r.info.name.as_str()).collect();
    let selected = app.selected_index(&names);
    let height = area.height.saturating_sub(3);
    let offset = visible_offset(app.offset, selected, height, rows.len());
    // Only the visible rows are built: cheap for fleets of thousands.
    let visible = rows.iter().skip(offset).take(usize::from(height));
    let body: Vec<Row> = visible
        .map(|r| {
            let row = Row::new(cells(r, store, app, &shown));
            if stale { row.style(t.dim()) } else { row }
        })
        .collect();
    let table = Table::new(body, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(t.selected())
        .highlight_symbol("▶ ");
    let mut state = TableState::default();
    if !rows.is_empty() {
        state.select(Some(selected - offset));
    }
    frame.render_stateful_widget(table, area, &mut state);
    if rows.is_empty() {
        let inner = area.inner(ratatui::layout::Margin::new(1, 2));
        let msg = if store.functions().is_empty() {
            "no functions in scope"
        } else {
            "no function matches the filter (Esc clears it)"
        };
        frame.render_widget(Paragraph::new(msg).style(t.dim()), inner);
    }
}

/// "Insights 1/3 queries · 1.2 GB scanned (~$0.0060)", then what it covered.
pub fn insights_status(run: &crate::store::InsightsRun) -> String {
    let p = &run.progress;
    let scanned = format!(
        "{} scanned (~{})",
        format::bytes(p.bytes_scanned),
        format::money(Some(crate::model::insights_query::scan_cost(
            p.bytes_scanned
        )))
    );
    if run.running {
        format!("Insights {}/{} queries · {scanned}", p.done, p.queries)
    } else if run.cancelled {
        format!("Insights stopped · {scanned}")
    } else if !run.errors.is_empty() {
        format!(
            "Insights {} of {} queries failed: {} · {scanned}",
            run.errors.len(),
            p.queries,
            sanitize(&run.errors[0].to_string())
        )
    } else {
        format!("Insights: {} functions · {scanned}", run.functions_covered)
    }
}
