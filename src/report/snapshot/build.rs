//! Building the snapshot from the store: one small step per part of the
//! document, so `build` reads as the document's outline.

use super::*;
use crate::model::function::FunctionInfo;
use crate::model::insight::ReportStats;
use crate::store::{FunctionSummary, InsightsRun};

fn error_entry(e: &SourceError, affects: &str) -> ErrorEntry {
    let (api, kind) = match e {
        SourceError::Throttled { api, .. } => (api.as_str(), "throttled"),
        SourceError::Denied { api, .. } => (api.as_str(), "denied"),
        SourceError::NotFound { api, .. } => (api.as_str(), "not_found"),
        SourceError::Unsupported { api, .. } => (api.as_str(), "unsupported"),
        SourceError::Transport { api, .. } => (api.as_str(), "transport"),
        SourceError::Credentials { .. } => ("", "credentials"),
        SourceError::Service { api, .. } => (api.as_str(), "service"),
        SourceError::Timeout { api, .. } => (api.as_str(), "timeout"),
    };
    ErrorEntry {
        api: api.to_string(),
        kind,
        message: e.to_string(),
        affects: affects.to_string(),
    }
}

fn alarm_entry(a: &Alarm) -> AlarmEntry {
    AlarmEntry {
        name: sanitize(&a.name),
        source: a.source,
        state: a.state,
        function: a.function.as_ref().map(|f| sanitize(&f.to_string())),
        severity: a.severity,
        metric: a.metric.as_deref().map(sanitize),
        value: Num::of(a.value),
        since: a.since,
        reason: sanitize(&a.reason),
    }
}

/// Builds the snapshot of everything the store holds, functions in the
/// order of `sort` (`None`: errors, then invocations).
pub fn build(
    store: &Store,
    info: &SourceInfo,
    now: DateTime<Utc>,
    window_s: i64,
    sort: Option<SortColumn>,
) -> Snapshot {
    let range = store.metrics.value.as_ref().and_then(|m| m.range);
    let (start, end) = match range {
        Some(r) => (r.start, r.end),
        None => (now - chrono::Duration::seconds(window_s), now),
    };
    let mut rows: Vec<_> = store
        .functions()
        .iter()
        .map(|f| {
            (
                f,
                store.function_summary(&f.id),
                !store.warnings_of(f, now).is_empty(),
            )
        })
        .collect();
    rows.sort_by(|a, b| compare(sort, false, (a.0, &a.1, a.2), (b.0, &b.1, b.2)));
    let functions: Vec<Function> = rows
        .into_iter()
        .map(|(f, s, _)| function_entry(store, f, &s, now))
        .collect();
    let warnings = store
        .unmatched_patterns
        .iter()
        .map(|p| format!("--functions pattern '{}' matched no function", sanitize(p)))
        .collect();
    Snapshot {
        schema: SCHEMA,
        generated_at: now,
        region: info.region.clone(),
        profile: info.profile.clone(),
        demo: info.demo,
        window: Window {
            start,
            end,
            seconds: (end - start).num_seconds(),
        },
        account: account_entry(store, functions.len()),
        functions,
        alarms: store.all_alarms().map(alarm_entry).collect(),
        alarm_history: store.rules.history.iter().cloned().collect(),
        insights_query: store.insights_run.as_ref().map(insights_entry),
        error_groups: super::errors::groups(store),
        error_scan: super::errors::scan(store),
        errors: error_entries(store),
        warnings,
        api: api_entry(store),
        accounts: store.accounts().into_iter().map(account_of).collect(),
    }
}

/// One account of a multi-profile snapshot.
fn account_of(a: crate::store::AccountView) -> super::AccountEntry {
    super::AccountEntry {
        id: a.account_id.as_deref().map(sanitize),
        concurrency_limit: a.limits.and_then(|l| l.concurrency_limit),
        unreserved_concurrency: a.limits.and_then(|l| l.unreserved_concurrency),
        concurrency_max: a.concurrency_max,
        claimed_concurrency_max: a.claimed_concurrency_max,
        functions: a.functions,
        invocations: a.invocations,
        errors: a.errors,
        throttles: a.throttles,
        problems: a.problems.iter().map(|p| sanitize(p)).collect(),
        profile: sanitize(&a.profile),
    }
}

/// What the metrics of this snapshot cost: the fleet refresh and the
/// detail series.
fn api_entry(store: &Store) -> super::Api {
    let m = store.metrics.value.as_ref();
    let d = store.detail.value.as_ref().map(|d| &d.data);
    let metrics_requested = m.map_or(0, |m| m.requested) + d.map_or(0, |d| d.requested);
    super::Api {
        get_metric_data_calls: m.map_or(0, |m| m.calls) + d.map_or(0, |d| d.calls),
        metrics_requested,
        cost_usd: metrics_requested as f64 * crate::model::budget::PRICE_PER_METRIC,
    }
}

/// One function's row: configuration, window numbers, insights and the
/// REPORT statistics read so far.
fn function_entry(
    store: &Store,
    f: &FunctionInfo,
    s: &FunctionSummary,
    now: DateTime<Utc>,
) -> Function {
    let i = store.insight(f);
    let h = &f.health;
    let g = signals::groups(&s.signals, store.provisioned_allocated(&f.id));
    Function {
        state: h.state.clone(),
        state_reason: h.state_reason.clone(),
        last_update_status: h.last_update_status.clone(),
        last_update_reason: h.last_update_reason.clone(),
        runtime_deprecation: crate::model::runtimes::deprecation(&f.runtime, now),
        event_sources: {
            let mine: Vec<_> = store
                .event_sources_of(&f.id)
                .map(|e| signals::EventSourceEntry::of(e.clone(), &s.signals))
                .collect();
            (!mine.is_empty()).then_some(mine)
        },
        async_events: g.async_events,
        provisioned: g.provisioned,
        extension_duration_ms: g.extension_duration_ms,
        recursive_invocations_dropped: g.recursive_invocations_dropped,
        warnings: store.warnings_of(f, now),
        name: sanitize(&f.id.name),
        region: f.id.region.as_deref().map(sanitize),
        profile: f.id.account.as_deref().map(sanitize),
        account: store
            .account_of(&f.id)
            .filter(|a| f.id.account.as_ref() != Some(a))
            .map(|a| sanitize(&a)),
        runtime: sanitize(&f.runtime),
        memory_mb: f.memory_mb,
        timeout_s: f.timeout_s,
        architecture: f.architecture.as_str(),
        log_group: sanitize(&f.log_group),
        last_modified: f.last_modified,
        last_deployed: f.last_modified,
        deploy: store
            .before_after(f)
            .map(|b| super::DeployEntry::of(&b, store.deploy_version(f))),
        invocations: Num::of(s.invocations),
        errors: Num::of(s.errors),
        error_rate: Num::ratio(s.error_rate),
        throttles: Num::of(s.throttles),
        duration_ms: DurationMs {
            avg: Num::of(s.duration_avg),
            p50: Num::of(s.duration_p50),
            p90: Num::of(s.duration_p90),
            p99: Num::of(s.duration_p99),
            max: Num::of(s.duration_max),
        },
        concurrency_max: Num::of(s.concurrency_max),
        timeout_ratio: Num::ratio(s.timeout_ratio(f.timeout_s)),
        insights: Insights {
            throttle_rate: Num::ratio(i.throttle_rate),
            concurrency_of_account: Num::ratio(i.concurrency_of_account),
            concurrency_of_reserved: Num::ratio(i.concurrency_of_reserved),
            cost_per_hour: Num::money(i.cost_per_hour),
            cost_per_month: Num::money(i.cost_per_month),
        },
        reports: store
            .report_stats(&f.id)
            .map(|r| reports_entry(r, f.memory_mb)),
        error_groups_top: super::errors::top_of(store, &f.id),
    }
}

/// The REPORT statistics of a function of `memory_mb`.
fn reports_entry(r: &ReportStats, memory_mb: u32) -> Reports {
    Reports {
        invocations: r.invocations,
        cold_starts: r.cold_starts,
        cold_start_rate: Num::ratio(r.cold_start_rate()),
        init_p50_ms: Num::of(r.init_p50_ms),
        init_p99_ms: Num::of(r.init_p99_ms),
        max_memory_used_mb: Num::of(r.max_memory_used_mb),
        memory_used_ratio: Num::ratio(r.memory_used_ratio(Some(memory_mb))),
        billed_over_actual: Num::ratio(r.billed_over_actual()),
        timeouts: r.timeouts,
        out_of_memory: r.out_of_memory,
        runtime_exits: r.runtime_exits,
        init_failures: r.init_failures,
        right_sizing: r.right_sizing(Some(memory_mb)),
    }
}

/// The account: limits, fleet totals and the fleet's estimated cost.
fn account_entry(store: &Store, functions: usize) -> Account {
    let cost_per_hour: Option<f64> = store
        .functions()
        .iter()
        .map(|f| store.function_summary(&f.id).cost_per_hour)
        .sum();
    let acct = store.account_summary();
    let limits = store.account.value.unwrap_or_default();
    Account {
        id: store.account_id.clone(),
        concurrency_limit: limits.concurrency_limit,
        unreserved_concurrency: limits.unreserved_concurrency,
        concurrency_max: Num::of(acct.concurrency_max),
        claimed_concurrency_max: Num::of(acct.claimed_concurrency_max),
        concurrency_utilization: Num::ratio(
            match (acct.concurrency_max, limits.concurrency_limit) {
                (Some(m), Some(l)) if l > 0 => Some(m / f64::from(l)),
                _ => None,
            },
        ),
        functions,
        invocations: Num::of(acct.invocations),
        errors: Num::of(acct.errors),
        throttles: Num::of(acct.throttles),
        cost_per_hour: Num::money(cost_per_hour),
        cost_per_month: Num::money(cost_per_hour.map(|c| c * HOURS_PER_MONTH)),
    }
}

/// Why parts of the snapshot are n/a: one entry per failed fetch, and one
/// per distinct cause among the series that were unavailable (not one per
/// series).
fn error_entries(store: &Store) -> Vec<ErrorEntry> {
    let mut errors = Vec::new();
    let mut push = |e: &Option<SourceError>, affects: &str| {
        if let Some(e) = e {
            errors.push(error_entry(e, affects));
        }
    };
    push(&store.inventory.last_error, "functions");
    push(&store.metrics.last_error, "all metrics");
    push(&store.alarms.last_error, "alarms");
    push(&store.account.last_error, "account.concurrency_limit");
    // A failing place of several (a profile whose credentials ran out).
    for st in store.regions.iter().filter(|s| s.profile.is_some()) {
        if let (Some(e), Some(text)) = (&st.error, st.problem()) {
            let mut entry = error_entry(e, &format!("functions of {}", sanitize(&st.region)));
            entry.message = sanitize(&text);
            errors.push(entry);
        }
    }
    if let Some(m) = &store.metrics.value {
        let mut seen: Vec<(String, &'static str)> = Vec::new();
        let mut keys: Vec<_> = m.unavailable.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for (key, e) in keys {
            let what = match (key.kind, key.stat) {
                (MetricKind::Duration, s) if s.is_percentile() => {
                    "duration percentiles (p50/p90/p99)"
                }
                (k, _) => k.cloudwatch_name(),
            };
            let cause = (e.to_string(), what);
            if !seen.contains(&cause) {
                errors.push(error_entry(e, what));
                seen.push(cause);
            }
        }
    }
    errors
}

/// The fleet Logs Insights run: its size, cost and what failed.
fn insights_entry(r: &InsightsRun) -> InsightsQuery {
    InsightsQuery {
        queries: r.progress.queries,
        groups: r.progress.groups,
        functions_covered: r.functions_covered,
        bytes_scanned: r.progress.bytes_scanned,
        estimated_cost_usd: Num::money(Some(crate::model::insights_query::scan_cost(
            r.progress.bytes_scanned,
        ))),
        errors: r.errors.iter().map(|e| sanitize(&e.to_string())).collect(),
        missing_log_groups: r.missing.iter().map(|g| sanitize(&g.to_string())).collect(),
    }
}
