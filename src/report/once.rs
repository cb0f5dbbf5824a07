//! `lamtop --once`: runs every poller once, folds the results into a store,
//! prints one snapshot and decides the exit code.

use super::snapshot::{self, Snapshot};
use super::table;
use crate::cli::OutputFormat;
use crate::config::Settings;
use crate::exit::Exit;
use crate::model::alarms::Severity;
use crate::model::fleet::SortColumn;
use crate::model::metrics::TimeRange;
use crate::poll::{PollerConfig, Scope, Update, spawn_all};
use crate::source::{Source, SourceError};
use crate::store::Store;
use chrono::Utc;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How to print.
#[derive(Debug, Clone)]
pub struct OnceOptions {
    /// Format.
    pub output: OutputFormat,
    /// `--sort` column (`None`: errors, then invocations).
    pub sort: Option<SortColumn>,
    /// `--fail-on-alarm [SEVERITY]`: the least severity of a FIRING rule
    /// that fails the run (CloudWatch alarms in ALARM always do).
    pub fail_on_alarm: Option<Severity>,
    /// `--insights`: run the fleet Logs Insights query too.
    pub insights: bool,
    /// Colour the table.
    pub color: bool,
}

/// Runs the pollers once and returns the filled store. When the deadline
/// passes first, the pollers are stopped and every fetch that had not
/// answered is recorded as a timeout: the snapshot then holds what arrived
/// and says what is missing, instead of nothing.
pub async fn collect<S: Source>(src: Arc<S>, settings: &Settings) -> Store {
    let (tx, mut rx) = mpsc::channel(64);
    let (_scope_tx, scope_rx) = watch::channel(Scope::fleet(settings.window));
    let cfg = PollerConfig::from_settings(settings, true);
    let handles = spawn_all(src.clone(), cfg, tx, scope_rx);
    let mut store = Store::new(&settings.alarms, settings.prices);
    let deadline = tokio::time::sleep(settings.once_deadline);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            update = rx.recv() => match update {
                Some(u) => { store.apply(u); }
                None => break,
            },
            _ = &mut deadline => {
                for h in handles {
                    h.abort();
                }
                // Updates already sent still count.
                while let Ok(u) = rx.try_recv() {
                    store.apply(u);
                }
                time_out(&mut store, settings.once_deadline, settings.window);
                break;
            }
        }
    }
    // Each place's status as the fetches left it (account ids, errors).
    store.apply(Update::ApiUsage {
        at: Utc::now(),
        total_calls: src.api_calls(),
        throttled_calls: src.throttled_calls(),
        regions: src.region_statuses(),
    });
    store
}

/// Records each fetch that had not answered by the deadline as a
/// [`SourceError::Timeout`], naming the API and how long lamtop waited.
fn time_out(store: &mut Store, waited: Duration, window: Duration) {
    let at = Utc::now();
    let timeout = |api: &str| SourceError::Timeout {
        api: api.into(),
        message: format!(
            "no answer within {}, the --once deadline (raise --deadline or once_deadline, \
             or check the endpoint)",
            humantime::format_duration(waited)
        ),
    };
    let missing = |value: bool, error: bool| !value && !error;
    if missing(
        store.inventory.value.is_some(),
        store.inventory.last_error.is_some(),
    ) {
        store.apply(Update::Inventory {
            at,
            result: Err(timeout("lambda:ListFunctions")),
            unmatched: Vec::new(),
        });
    }
    if missing(
        store.account.value.is_some(),
        store.account.last_error.is_some(),
    ) {
        let result = Err(timeout("lambda:GetAccountSettings"));
        store.apply(Update::Account { at, result });
    }
    if missing(
        store.metrics.value.is_some(),
        store.metrics.last_error.is_some(),
    ) {
        store.apply(Update::Metrics {
            at,
            range: TimeRange::ending_at(at, window),
            result: Err(timeout("cloudwatch:GetMetricData")),
            plan: None,
        });
    }
    if missing(
        store.alarms.value.is_some(),
        store.alarms.last_error.is_some(),
    ) {
        let result = Err(timeout("cloudwatch:DescribeAlarms"));
        store.apply(Update::Alarms { at, result });
    }
}

/// Runs the fleet Logs Insights query over the window and folds its
/// results in, then lets the rules see them (cold starts, memory).
async fn run_insights<S: Source>(src: Arc<S>, settings: &Settings, store: &mut Store) {
    let groups: Vec<_> = store
        .functions()
        .iter()
        .map(crate::model::function::FunctionInfo::log_group_id)
        .collect();
    let range = store
        .metrics
        .value
        .as_ref()
        .and_then(|m| m.range)
        .unwrap_or_else(|| {
            crate::model::metrics::TimeRange::ending_at(Utc::now(), settings.window)
        });
    let (tx, mut rx) = mpsc::channel(64);
    // Kept alive for the run: nothing cancels a one-shot query but its bound.
    let (_cancel, cancel_rx) = watch::channel(false);
    let limits = crate::poll::insights::RunLimits {
        max_wait: Duration::from_secs(300),
        ..Default::default()
    };
    let run = tokio::spawn(crate::poll::insights::run_fleet_query(
        src, groups, range, limits, tx, cancel_rx,
    ));
    while let Some(u) = rx.recv().await {
        store.apply(u);
    }
    let _ = run.await;
    store.evaluate_rules_now(Utc::now());
    if let Some(r) = &store.insights_run {
        let p = &r.progress;
        eprintln!(
            "lamtop: Logs Insights: {} queries over {} log groups scanned {} (~{}); {} functions covered",
            p.queries,
            p.groups,
            crate::format::bytes(p.bytes_scanned),
            crate::format::money(Some(crate::model::insights_query::scan_cost(
                p.bytes_scanned
            ))),
            r.functions_covered
        );
    }
}

/// Reads the failing functions' failure lines into the store's error
/// groups (`lamtop errors`, `--once`'s `error_groups`), within `budget`:
/// at the budget the scan is stopped and says it did not finish. Nothing
/// is read when the metrics did not arrive (no one knows who failed).
pub async fn scan_errors<S: Source>(
    src: Arc<S>,
    settings: &Settings,
    store: &mut Store,
    budget: Duration,
) {
    let Some(range) = store.metrics.value.as_ref().and_then(|m| m.range) else {
        return;
    };
    let targets = crate::poll::errors::targets_of(store.functions_with_summaries());
    let (tx, mut rx) = mpsc::channel(64);
    let (cancel, cancel_rx) = watch::channel(false);
    let limiter = crate::poll::logs::RateLimiter::new(settings.log_calls_per_second);
    let run = tokio::spawn(crate::poll::errors::run_error_scan(
        src,
        targets,
        range,
        crate::poll::errors::ScanLimits::default(),
        limiter,
        tx,
        cancel_rx,
    ));
    let deadline = tokio::time::sleep(budget);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            update = rx.recv() => match update {
                Some(u) => { store.apply(u); }
                None => break,
            },
            _ = &mut deadline, if !*cancel.borrow() => {
                // Stops between two calls; the call in flight is bounded
                // by the operation timeout.
                let _ = cancel.send(true);
            }
        }
    }
    let _ = run.await;
}

/// Errors that make the run fail (exit 1): anything but "this endpoint does
/// not implement that API", which only turns values into n/a.
fn fatal_errors(store: &Store) -> Vec<String> {
    let parts = [
        &store.inventory.last_error,
        &store.metrics.last_error,
        &store.alarms.last_error,
        &store.account.last_error,
    ]
    .into_iter()
    .flatten()
    .filter(|e| !e.is_unsupported())
    .map(ToString::to_string);
    // A profile of several that failed (the others' data is printed).
    let places = store
        .regions
        .iter()
        .filter(|s| s.profile.is_some())
        .filter_map(|s| Some(format!("{}: {}", s.region, s.problem()?)));
    parts.chain(places).collect()
}

fn render(s: &Snapshot, opts: &OnceOptions) -> String {
    match opts.output {
        OutputFormat::Json => {
            let mut j = serde_json::to_string_pretty(s)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            j.push('\n');
            j
        }
        OutputFormat::Markdown => table::render_markdown(s),
        OutputFormat::Table => table::render_table(s, opts.color),
    }
}

/// Prints, ignoring a closed pipe (`lamtop --once | head` is not an error).
pub(super) fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("lamtop: cannot write output: {e}");
    }
}

/// The whole `--once` face; returns the exit code.
pub async fn run<S: Source>(src: Arc<S>, settings: &Settings, opts: &OnceOptions) -> Exit {
    let info = src.describe();
    let started = tokio::time::Instant::now();
    let mut store = collect(src.clone(), settings).await;
    if opts.insights && store.inventory.value.is_some() {
        run_insights(src.clone(), settings, &mut store).await;
    }
    // Only JSON carries the error groups: a table or Markdown snapshot
    // spends none of the account's FilterLogEvents quota on them.
    if opts.output == OutputFormat::Json {
        let left = settings.once_deadline.saturating_sub(started.elapsed());
        scan_errors(src, settings, &mut store, left).await;
    }
    let alarm_events = store.take_alarm_events();
    let fatal = fatal_errors(&store);
    let mut said: Vec<String> = Vec::new();
    for e in &fatal {
        // One line per cause: several APIs failing the same way say it once.
        let line = e.clone();
        if !said.contains(&line) {
            eprintln!("lamtop: {line}");
            said.push(line);
        }
    }
    for p in &store.unmatched_patterns {
        eprintln!("lamtop: warning: --functions pattern '{p}' matched no function");
    }
    if store.inventory.value.is_none() {
        return Exit::Error;
    }
    let snap = snapshot::build(
        &store,
        &info,
        Utc::now(),
        settings.window.as_secs() as i64,
        opts.sort,
    );
    print(&render(&snap, opts));
    let sink = crate::notify::AlarmSink::from_settings(settings);
    for p in sink.handle(&alarm_events) {
        eprintln!("lamtop: {p}");
    }
    sink.drain().await;
    if !fatal.is_empty() {
        Exit::Error
    } else if opts
        .fail_on_alarm
        .is_some_and(|least| snapshot::any_firing(&snap, least))
    {
        Exit::Alarm
    } else {
        Exit::Ok
    }
}
