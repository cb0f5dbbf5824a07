//! The fleet table: one row per function with the `--once` columns plus an
//! invocations sparkline; errors and throttles loud; the sort column
//! marked; filter and freshness in the title.

use super::columns::{Column, ColumnScale, DeployCell, Places, RowData};
use super::widgets::{Placeholder, placeholder};
use super::{freshness, is_stale, title};
use crate::format;
use crate::model::fleet::SortColumn;
use crate::model::function::FunctionInfo;
use crate::model::id::FunctionId;
use crate::model::metrics::{MetricKey, MetricKind, Stat};
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::app::{App, ColumnSet};
use crate::tui::layout::visible_offset;
use crate::tui::rows::{Row as FleetRow, fleet_rows};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Cell, Row, Table, TableState};

/// The cells of one row, for the `shown` columns.
fn cells<'a>(
    r: &FleetRow<'_>,
    store: &Store,
    app: &App,
    shown: &[Column],
    scale: &ColumnScale,
    now: DateTime<Utc>,
) -> Vec<Cell<'a>> {
    let id = &r.info.id;
    let data = RowData {
        scale,
        row: r,
        invocations: store.series(&MetricKey::function(id, MetricKind::Invocations, Stat::Sum)),
        errors: store.series(&MetricKey::function(id, MetricKind::Errors, Stat::Sum)),
        insight: (app.columns == ColumnSet::Insights).then(|| store.insight(r.info)),
        reports: store.report_stats(id),
        firing: store.firing_on(id).next().is_some(),
        deployed: deploy_cell(store, r.info, now),
        deploy_hidden: !shown.contains(&Column::Deployed),
        reports_from_log_pane: store.reports_from_log_pane.contains(id),
        warning: !store.warnings_of(r.info, now).is_empty(),
        account: store.account_of(id),
    };
    // Percentiles are read for the rows on screen: until the next
    // refresh a row just scrolled into view shows older ones, dimmed.
    let old_percentiles = store.percentiles_behind(id);
    shown
        .iter()
        .map(|c| {
            let cell = c.cell(&data, app.theme);
            if old_percentiles && matches!(c, Column::P50 | Column::P99) {
                cell.style(app.theme.dim())
            } else {
                cell
            }
        })
        .collect()
}

/// The DEPLOYED cell of `f` as of `now`.
fn deploy_cell(store: &Store, f: &FunctionInfo, now: DateTime<Utc>) -> Option<DeployCell> {
    let at = f.last_modified?;
    let range = store.metrics.value.as_ref().and_then(|m| m.range);
    let ba = store.before_after(f);
    Some(DeployCell {
        age_s: (now - at).num_seconds(),
        in_window: range.is_some_and(|r| at >= r.start && at < r.end),
        regressed: ba.is_some_and(|b| b.regressed()),
    })
}

/// Draws the table.
pub fn render(frame: &mut Frame, area: Rect, app: &App, store: &Store, now: DateTime<Utc>) {
    let t = app.theme;
    let rows = fleet_rows(store, app.filter.as_ref(), app.sort, app.reverse);
    let name = table_name(app, store, rows.len(), now);
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
        let what = match &store.inventory.last_error {
            Some(e) => Placeholder::Failed(format!(
                "cannot list functions: {}",
                sanitize(&e.to_string())
            )),
            None => Placeholder::Quiet("loading functions…".into()),
        };
        placeholder(frame, area, Some(block), what, t);
        return;
    }
    let places = Places {
        // With several profiles every id carries a region: the column
        // shows only when there is more than one.
        regions: {
            let mut r = store
                .functions()
                .iter()
                .filter_map(|f| f.id.region.as_ref());
            r.next().is_some_and(|first| r.any(|x| x != first))
        },
        accounts: store.functions().iter().any(|f| f.id.account.is_some()),
    };
    let shown = Column::shown(area.width, places, app.columns);
    let header = header_row(app, &shown);
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|c| c.width().map_or(Constraint::Min(16), Constraint::Length))
        .collect();
    let stale = is_stale(&store.metrics, app.refresh, now);
    let names: Vec<&FunctionId> = rows.iter().map(|r| &r.info.id).collect();
    let selected = app.selected_index(&names);
    let height = area.height.saturating_sub(3);
    let offset = visible_offset(app.offset, selected, height, rows.len());
    let scale = scale_of(&rows, store, app.columns == ColumnSet::Insights);
    // Only the visible rows are built: cheap for fleets of thousands.
    let visible = rows.iter().skip(offset).take(usize::from(height));
    let body: Vec<Row> = visible
        .map(|r| {
            let row = Row::new(cells(r, store, app, &shown, &scale, now));
            // A row read in turns (the API budget) is as old as its last read.
            if stale || store.numbers_behind(&r.info.id) {
                row.style(t.dim())
            } else {
                row
            }
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
        placeholder(frame, inner, None, Placeholder::Quiet(msg.into()), t);
    }
}

/// The extremes of the count and cost columns over every row (the
/// summaries are already derived; costs only when their column shows).
fn scale_of(rows: &[FleetRow<'_>], store: &Store, insight_columns: bool) -> ColumnScale {
    let max = |f: fn(&FleetRow<'_>) -> Option<f64>| format::column_max(rows.iter().map(f));
    ColumnScale {
        invocations: max(|r| r.summary.invocations),
        errors: max(|r| r.summary.errors),
        throttles: max(|r| r.summary.throttles),
        concurrency: max(|r| r.summary.concurrency_max),
        cost_min: insight_columns
            .then(|| {
                format::column_min_nonzero(rows.iter().map(|r| store.insight(r.info).cost_per_hour))
            })
            .flatten(),
    }
}

/// The table's title: counts, filter, sort, a cached list's age and the
/// Logs Insights run.
fn table_name(app: &App, store: &Store, shown: usize, now: DateTime<Utc>) -> String {
    let mut name = format!("Functions {shown}/{}", store.functions().len());
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
    if let Some(note) = super::header::tiers_note(app, store) {
        name.push_str(&format!(" · {note}"));
    }
    if app.columns == ColumnSet::Insights && !store.reports_from_log_pane.is_empty() {
        name.push_str(" · * from the log pane's lines");
    }
    name
}

/// The column headers, the sorted column marked with the sort direction.
fn header_row(app: &App, shown: &[Column]) -> Row<'static> {
    let arrow = if app.reverse { "▲" } else { "▼" };
    Row::new(shown.iter().map(|c| {
        let sort = c.sort();
        let marked = sort.is_some()
            && (sort == app.sort || (app.sort.is_none() && sort == Some(SortColumn::Errors)));
        Cell::from(if marked {
            format!("{}{arrow}", c.header())
        } else {
            c.header().to_string()
        })
    }))
    .style(app.theme.header())
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
