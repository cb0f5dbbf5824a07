//! The poller tasks. Each loops: fetch (one request in flight), send the
//! owned result, wait for its schedule or a relevant Scope change. In
//! one-shot mode each fetches once and reports `Finished`.

use super::pressure::Pressure;
use super::screen::{
    TRACE_EVERY, TRACES_EVERY, detail_step, logs_task, reserved_step, trace_step, traces_step,
    usage_step,
};
use super::{DataKind, Outcome, Schedule, Scope, Update};
use crate::model::alarms::relevant_alarms;
use crate::model::function::{FunctionFilter, FunctionInfo};
use crate::model::metrics::{TimeRange, plan_fleet_queries};
use crate::poll::logs::RateLimiter;
use crate::source::{Source, SourceError};
use chrono::Utc;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How the pollers run.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    /// Fetch everything once, then finish.
    pub once: bool,
    /// Inventory interval.
    pub inventory_every: Duration,
    /// Metrics interval (Lambda publishes per minute: faster buys nothing).
    pub metrics_every: Duration,
    /// Alarms interval.
    pub alarms_every: Duration,
    /// Which functions are in scope.
    pub filter: FunctionFilter,
    /// Most FilterLogEvents calls per second, shared by all log polling.
    pub log_calls_per_second: f64,
    /// Log events kept per view.
    pub log_capacity: usize,
    /// Alarm rules, for the extra p99 series the p99 rules need.
    pub rules: Arc<crate::model::rules::RuleEngine>,
    /// The function-list cache of this profile and region (dashboard only):
    /// shown at once, then refreshed.
    pub inventory_cache: Option<std::path::PathBuf>,
}

impl PollerConfig {
    /// The configuration every face uses: inventory every 5 minutes, metrics
    /// and alarms every `--refresh`, the log limits from the settings.
    pub fn from_settings(settings: &crate::config::Settings, once: bool) -> Self {
        Self {
            once,
            inventory_every: Duration::from_secs(300),
            metrics_every: settings.refresh,
            alarms_every: settings.refresh,
            filter: settings.filter.clone(),
            log_calls_per_second: settings.log_calls_per_second,
            log_capacity: settings.log_capacity,
            rules: Arc::new(crate::model::rules::RuleEngine::new(&settings.alarms)),
            inventory_cache: None,
        }
    }
}

/// The fleet as the inventory poller last saw it, shared with the pollers
/// that need the function list.
#[derive(Debug, Clone)]
pub(super) enum Fleet {
    Pending,
    Ready(Arc<Vec<FunctionInfo>>),
    Failed,
}

pub(super) type Tx = mpsc::Sender<Update>;

/// How often the API usage counter is read (no IO: a counter read).
const USAGE_EVERY: Duration = Duration::from_secs(5);

/// Spawns every poller. They stop when the face drops its receiver or
/// the scope sender.
pub fn spawn_all<S: Source>(
    src: Arc<S>,
    cfg: PollerConfig,
    tx: Tx,
    scope: watch::Receiver<Scope>,
) -> Vec<JoinHandle<()>> {
    let (fleet_tx, fleet_rx) = watch::channel(Fleet::Pending);
    let fleet_tx = Arc::new(fleet_tx);
    let mut handles = Vec::new();
    let limiter = RateLimiter::new(cfg.log_calls_per_second);
    let counters = {
        let s = src.clone();
        Box::new(move || (s.api_calls(), s.throttled_calls()))
    };
    let pressure = Pressure::new(counters, Some(limiter.clone()));
    if !cfg.once {
        let (p, t) = (pressure.clone(), tx.clone());
        handles.push(tokio::spawn(async move {
            let mut every = tokio::time::interval(super::pressure::SAMPLE_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            while !t.is_closed() {
                every.tick().await;
                p.sample();
            }
        }));
    }

    let (s, t, f, filter, cache) = (
        src.clone(),
        tx.clone(),
        fleet_tx.clone(),
        cfg.filter.clone(),
        cfg.inventory_cache.clone(),
    );
    handles.push(tokio::spawn(run(
        DataKind::Inventory,
        cfg.once,
        Schedule::every(cfg.inventory_every),
        tx.clone(),
        scope.clone(),
        move |_| {
            inventory_step(
                s.clone(),
                t.clone(),
                f.clone(),
                filter.clone(),
                cache.clone(),
            )
        },
        pressure.clone(),
    )));

    let (s, t, fr) = (src.clone(), tx.clone(), fleet_rx.clone());
    let once = cfg.once;
    let rules = cfg.rules.clone();
    handles.push(tokio::spawn(run(
        DataKind::Metrics,
        cfg.once,
        Schedule::every(cfg.metrics_every),
        tx.clone(),
        scope.clone(),
        move |sc| metrics_step(s.clone(), t.clone(), fr.clone(), sc, once, rules.clone()),
        pressure.clone(),
    )));

    let (s, t, fr) = (src.clone(), tx.clone(), fleet_rx.clone());
    handles.push(tokio::spawn(run(
        DataKind::Alarms,
        cfg.once,
        Schedule::every(cfg.alarms_every),
        tx.clone(),
        scope.clone(),
        move |_| alarms_step(s.clone(), t.clone(), fr.clone(), once),
        pressure.clone(),
    )));

    let (s, t) = (src.clone(), tx.clone());
    handles.push(tokio::spawn(run(
        DataKind::Reserved,
        cfg.once,
        Schedule::every(cfg.inventory_every),
        tx.clone(),
        scope.clone(),
        move |sc| reserved_step(s.clone(), t.clone(), sc),
        pressure.clone(),
    )));

    let (s, t) = (src.clone(), tx.clone());
    handles.push(tokio::spawn(run(
        DataKind::Detail,
        cfg.once,
        Schedule::every(cfg.metrics_every),
        tx.clone(),
        scope.clone(),
        move |sc| detail_step(s.clone(), t.clone(), sc),
        pressure.clone(),
    )));

    let (s, t) = (src.clone(), tx.clone());
    handles.push(tokio::spawn(run(
        DataKind::Traces,
        cfg.once,
        Schedule::every(TRACES_EVERY),
        tx.clone(),
        scope.clone(),
        move |sc| traces_step(s.clone(), t.clone(), sc),
        pressure.clone(),
    )));

    let (s, t) = (src.clone(), tx.clone());
    handles.push(tokio::spawn(run(
        DataKind::Trace,
        cfg.once,
        Schedule::every(TRACE_EVERY),
        tx.clone(),
        scope.clone(),
        move |sc| trace_step(s.clone(), t.clone(), sc),
        pressure.clone(),
    )));

    handles.push(tokio::spawn(logs_task(
        src.clone(),
        tx.clone(),
        scope.clone(),
        fleet_rx.clone(),
        limiter,
        cfg.log_capacity,
        cfg.once,
    )));

    let (s, t) = (src, tx.clone());
    handles.push(tokio::spawn(run(
        DataKind::Usage,
        cfg.once,
        Schedule::every(USAGE_EVERY),
        tx,
        scope,
        move |_| usage_step(s.clone(), t.clone()),
        pressure.clone(),
    )));
    drop(fleet_tx);
    handles
}

/// Whether a scope change should cut a poller's wait short.
fn wakes(kind: DataKind, old: &Scope, new: &Scope) -> bool {
    let refresh = old.refresh_generation != new.refresh_generation;
    match kind {
        DataKind::Metrics => refresh || old.window != new.window,
        DataKind::Reserved => refresh || old.selected != new.selected,
        DataKind::Detail => refresh || old.selected != new.selected || old.window != new.window,
        DataKind::Inventory | DataKind::Alarms => refresh,
        DataKind::Traces => refresh || old.selected != new.selected || old.window != new.window,
        DataKind::Trace => refresh || old.open_trace != new.open_trace,
        DataKind::Usage | DataKind::Logs => false,
    }
}

/// The loop every poller shares. `step` returns `None` when it had nothing
/// to fetch.
async fn run<F, Fut>(
    kind: DataKind,
    once: bool,
    mut schedule: Schedule,
    tx: Tx,
    mut scope: watch::Receiver<Scope>,
    mut step: F,
    pressure: Arc<Pressure>,
) where
    F: FnMut(Scope) -> Fut,
    Fut: Future<Output = Option<Outcome>>,
{
    // Throttled attempts seen up to the previous step: any new one since,
    // by any poller, means the account is being throttled.
    let mut seen = pressure.throttled_total();
    loop {
        let current = scope.borrow_and_update().clone();
        let mut outcome = step(current.clone()).await.unwrap_or(Outcome::Ok);
        // Throttles the SDK retried away still mean "slow down": the
        // quota is per account, shared with every other client.
        let now = pressure.throttled_total();
        if outcome == Outcome::Ok && kind != DataKind::Usage && now > seen {
            outcome = Outcome::Throttled;
        }
        seen = now;
        if once {
            let _ = tx.send(Update::Finished(kind)).await;
            return;
        }
        let backed_off = outcome == Outcome::Throttled;
        let sleep = tokio::time::sleep(schedule.next_delay(outcome));
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                // Throttling ended: no reason to wait out the backoff, nor
                // to count the storm's throttles against the next poll.
                _ = pressure.calmed(), if backed_off => {
                    seen = pressure.throttled_total();
                    break;
                }
                changed = scope.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    if wakes(kind, &current, &scope.borrow()) {
                        break;
                    }
                }
                _ = tx.closed() => return,
            }
        }
    }
}

pub(super) fn outcome_of<T>(r: &Result<T, SourceError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Ok,
        Err(e) if e.is_throttling() => Outcome::Throttled,
        Err(_) => Outcome::Failed,
    }
}

async fn inventory_step<S: Source>(
    src: Arc<S>,
    tx: Tx,
    fleet: Arc<watch::Sender<Fleet>>,
    filter: FunctionFilter,
    cache: Option<std::path::PathBuf>,
) -> Option<Outcome> {
    // First run with a cache: show the last run's list now, and let the
    // metrics poller start on it while ListFunctions pages.
    if let Some(path) = cache.as_deref()
        && matches!(*fleet.borrow(), Fleet::Pending)
        && let Some((saved_at, all)) = crate::cache::load(path)
    {
        let (kept, _) = filter.apply(all);
        fleet.send_replace(Fleet::Ready(Arc::new(kept.clone())));
        let _ = tx
            .send(Update::CachedInventory {
                saved_at,
                functions: kept,
            })
            .await;
    }
    let _ = tx.send(Update::Started(DataKind::Inventory)).await;
    let result = src.list_functions().await;
    let outcome = outcome_of(&result);
    let (result, unmatched) = match result {
        Ok(all) => {
            if let Some(path) = cache.as_deref()
                && let Err(e) = crate::cache::save(path, &all, Utc::now())
            {
                tracing::warn!(error = %e, path = %path.display(), "cannot save the function list cache");
            }
            let (kept, unmatched) = filter.apply(all);
            fleet.send_replace(Fleet::Ready(Arc::new(kept.clone())));
            (Ok(kept), unmatched)
        }
        Err(e) => {
            // Keep a fleet we already had; only a first failure blocks the others.
            fleet.send_if_modified(|f| match f {
                Fleet::Pending => {
                    *f = Fleet::Failed;
                    true
                }
                _ => false,
            });
            (Err(e), Vec::new())
        }
    };
    let _ = tx
        .send(Update::Inventory {
            at: Utc::now(),
            result,
            unmatched,
        })
        .await;
    let identity = src.account_id().await;
    let _ = tx.send(Update::Identity { result: identity }).await;
    let account = src.account_limits().await;
    let _ = tx
        .send(Update::Account {
            at: Utc::now(),
            result: account,
        })
        .await;
    Some(outcome)
}

/// Waits for the first inventory; `None` when it failed and there is no fleet.
async fn wait_fleet(rx: &mut watch::Receiver<Fleet>, once: bool) -> Option<Arc<Vec<FunctionInfo>>> {
    loop {
        let state = rx.borrow_and_update().clone();
        match state {
            Fleet::Ready(f) => return Some(f),
            Fleet::Failed if once => return None,
            Fleet::Pending | Fleet::Failed => {
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        }
    }
}

async fn metrics_step<S: Source>(
    src: Arc<S>,
    tx: Tx,
    mut fleet: watch::Receiver<Fleet>,
    scope: Scope,
    once: bool,
    rules: Arc<crate::model::rules::RuleEngine>,
) -> Option<Outcome> {
    let functions = wait_fleet(&mut fleet, once).await?;
    let queries = plan_fleet_queries(
        functions.iter().map(|f| f.name.as_str()),
        scope.window,
        &rules.p99_needs(&functions),
    );
    let range = TimeRange::ending_at(Utc::now(), scope.window);
    let _ = tx.send(Update::Started(DataKind::Metrics)).await;
    let result = src.fetch_metrics(range, &queries).await;
    let outcome = match &result {
        Ok(f) if f.failed.iter().any(|(_, e)| e.is_throttling()) => Outcome::Throttled,
        r => outcome_of(r),
    };
    let _ = tx
        .send(Update::Metrics {
            at: Utc::now(),
            range,
            result,
        })
        .await;
    Some(outcome)
}

async fn alarms_step<S: Source>(
    src: Arc<S>,
    tx: Tx,
    mut fleet: watch::Receiver<Fleet>,
    once: bool,
) -> Option<Outcome> {
    let functions = wait_fleet(&mut fleet, once).await?;
    let names: HashSet<&str> = functions.iter().map(|f| f.name.as_str()).collect();
    let _ = tx.send(Update::Started(DataKind::Alarms)).await;
    let result = src
        .describe_alarms()
        .await
        .map(|all| relevant_alarms(all, |f| names.contains(f)));
    let outcome = outcome_of(&result);
    let _ = tx
        .send(Update::Alarms {
            at: Utc::now(),
            result,
        })
        .await;
    Some(outcome)
}

#[cfg(test)]
mod tests;
