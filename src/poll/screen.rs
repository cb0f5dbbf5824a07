//! The pollers of what is on screen: the selected function's reserved
//! concurrency, versions and aliases, detail metrics, log tail and traces, the open trace, and
//! the API usage counter. Each runs only while its data is visible.

use super::context::{Ctx, Fleet};
use super::runner::fetch;
use super::schedule::Outcome;
use crate::message::{DataKind, KeepEvents, LogUpdate, Scope, Update};
use crate::model::function::FunctionInfo;
use crate::model::id::{FunctionId, LogGroup};
use crate::model::logs::pattern::FAILURE_PATTERN;
use crate::model::metrics::{TimeRange, plan_detail_queries};
use crate::poll::logs::{FollowOptions, RateLimiter, follow};
use crate::source::Source;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Trace summaries of the function on screen refresh this often.
pub const TRACES_EVERY: Duration = Duration::from_secs(15);
/// An open trace is re-read this often (segments may still arrive).
pub const TRACE_EVERY: Duration = Duration::from_secs(30);
/// How often the API usage counter is read (no IO: a counter read).
pub const USAGE_EVERY: Duration = Duration::from_secs(5);

/// Reserved concurrency of the function on screen.
pub(super) async fn reserved<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let call = c.src.reserved_concurrency(&function);
    let wrap = |at, result| Update::Reserved {
        at,
        function: function.clone(),
        result,
    };
    Some(fetch(&c.tx, DataKind::Reserved, call, wrap).await)
}

/// Async settings and provisioned concurrency of the function on screen,
/// both asked at once; each half keeps its own error.
pub(super) async fn invoke_config<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    match scope.selected {
        Some(function) => Some(invoke_config_of(&c, function).await),
        // `--once` has no function on screen: read the functions that
        // publish provisioned concurrency metrics (few), so the snapshot
        // can say how much is allocated.
        None if c.cfg.once => {
            let functions = super::fleet::wait_fleet(c.fleet_tx.subscribe(), true).await?;
            let found = c.discovery().await;
            let kind = crate::model::metrics::MetricKind::ProvisionedConcurrencyUtilization;
            let mut last = None;
            for f in functions.iter().filter(|f| found.has(kind, &f.id)) {
                last = Some(invoke_config_of(&c, f.id.clone()).await);
            }
            last
        }
        None => None,
    }
}

/// Both halves of one function's invoke configuration, sent as one update.
async fn invoke_config_of<S: Source>(c: &Arc<Ctx<S>>, function: FunctionId) -> Outcome {
    let call = async {
        let (a, p) = tokio::join!(
            c.src.async_config(&function),
            c.src.provisioned_configs(&function)
        );
        Ok(crate::message::InvokeConfig {
            async_config: a,
            provisioned: p,
        })
    };
    let wrap = |at, result| Update::InvokeConfig {
        at,
        function: function.clone(),
        result,
    };
    fetch(&c.tx, DataKind::InvokeConfig, call, wrap).await
}

/// Versions and aliases of the function on screen, and — for an alias
/// that splits traffic (a canary) — each version's invocations and errors
/// over the window (the `ExecutedVersion` metrics, one GetMetricData call).
pub(super) async fn deployments<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let range = TimeRange::ending_at(Utc::now(), scope.window);
    let (src, f) = (c.src.clone(), function.clone());
    let call = async move { deployments_with_shares(&*src, &f, range).await };
    let wrap = |at, result| Update::Deployments {
        at,
        function: function.clone(),
        result,
    };
    Some(fetch(&c.tx, DataKind::Deployments, call, wrap).await)
}

/// A function's versions and aliases, with each version's share of a
/// traffic-splitting alias over `range` (one GetMetricData call, only
/// when an alias splits); a failed share read keeps the versions.
pub async fn deployments_with_shares<S: Source + ?Sized>(
    src: &S,
    f: &FunctionId,
    range: TimeRange,
) -> Result<crate::model::versions::Deployments, crate::source::SourceError> {
    use crate::model::versions::{share_queries, shares_of};
    let mut d = src.deployments(f).await?;
    let window = (range.end - range.start).to_std().unwrap_or_default();
    let queries = share_queries(f, &d, crate::model::metrics::series_period(window));
    if !queries.is_empty() {
        match src.fetch_metrics(range, &queries).await {
            Ok(m) => d.shares = shares_of(f, &d, &m.series),
            Err(e) => d.shares_error = Some(e.to_string()),
        }
    }
    Ok(d)
}

/// Per-period duration percentiles of the function on screen.
pub(super) async fn detail<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let mut queries = plan_detail_queries(&function, scope.window);
    let period = crate::model::metrics::series_period(scope.window);
    queries.extend(c.discovery().await.plan_provisioned(&function, period));
    if c.has_lambda_insights(&function) {
        queries.extend(crate::model::signals::plan_lambda_insights(
            &function, period,
        ));
    }
    let range = TimeRange::ending_at(Utc::now(), scope.window);
    let call = c.src.fetch_metrics(range, &queries);
    let wrap = |at, result| Update::Detail {
        at,
        function: function.clone(),
        range,
        result,
    };
    Some(fetch(&c.tx, DataKind::Detail, call, wrap).await)
}

/// Trace summaries of the function on screen.
pub(super) async fn traces<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let call = crate::poll::traces::list_traces(
        c.src.as_ref(),
        &function,
        crate::model::metrics::TimeRange::ending_at(chrono::Utc::now(), scope.window),
    );
    let wrap = |at, result| Update::Traces { at, result };
    Some(fetch(&c.tx, DataKind::Traces, call, wrap).await)
}

/// The trace open in the trace view.
pub(super) async fn trace<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let id = scope.open_trace?;
    let call = crate::poll::traces::fetch_tree(c.src.as_ref(), &id);
    let wrap = |at, result| Update::Trace {
        at,
        id: id.clone(),
        result,
    };
    Some(fetch(&c.tx, DataKind::Trace, call, wrap).await)
}

/// The source's API call counters (no IO).
pub(super) async fn usage<S: Source>(c: Arc<Ctx<S>>) -> Option<Outcome> {
    let _ =
        c.tx.send(Update::ApiUsage {
            at: Utc::now(),
            total_calls: c.src.api_calls(),
            throttled_calls: c.src.throttled_calls(),
            regions: c.src.region_statuses(),
        })
        .await;
    Some(Outcome::Ok)
}

/// How far back the log pane reads by default: the last quarter hour, so
/// an incident's first errors are there when the pane opens (`:since` and
/// scrolling past the oldest line reach further).
pub const LOG_PANE_LOOKBACK: chrono::Duration = chrono::Duration::minutes(15);

/// The follower group of the live tail; reads further back are group 1.
const LIVE: usize = 0;
/// The group of reads further back (`:since`, scrolling past the oldest).
const BACK: usize = 1;

/// The followers of the function on screen (the live tail and any read
/// further back); dropping it stops them.
struct Follower {
    function: FunctionId,
    log_group: LogGroup,
    /// The pattern the server filters with.
    filter: Option<String>,
    /// Failures only (the window's, from the server).
    errors: bool,
    /// How far back the pane reads (or is reading).
    from: DateTime<Utc>,
    /// Where every follower of this pane reports.
    tx: mpsc::Sender<LogUpdate>,
    rx: mpsc::Receiver<LogUpdate>,
    handles: Vec<JoinHandle<()>>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        for h in &self.handles {
            h.abort();
        }
    }
}

impl Follower {
    /// Reads `[to, from)` into the same pane (deduplicated by the store's
    /// ordered insert, through the same rate limiter), and tells the store.
    fn reach_back<S: Source>(
        &mut self,
        c: &Ctx<S>,
        limiter: &Arc<RateLimiter>,
        to: DateTime<Utc>,
    ) -> Update {
        let mut opts = FollowOptions::from(to);
        opts.end = Some(self.from);
        opts.follow = false;
        opts.filter_pattern = self.filter.clone();
        let (src, limiter) = (c.src.clone(), limiter.clone());
        let group = self.log_group.clone();
        let tx = self.tx.clone();
        self.handles
            .push(tokio::spawn(follow(src, limiter, BACK, group, opts, tx)));
        self.from = to;
        Update::LogsReach {
            function: self.function.clone(),
            from: to,
        }
    }
}

/// Follows the log group of the function on screen; starts over when the
/// selection or the pane's filter pattern changes, stops following when
/// nothing is on screen.
pub(super) async fn logs<S: Source>(
    c: Arc<Ctx<S>>,
    mut scope: watch::Receiver<Scope>,
    limiter: Arc<RateLimiter>,
) {
    if c.cfg.once {
        let _ = c.tx.send(Update::Finished(DataKind::Logs)).await;
        return;
    }
    // The function the last follower followed: starting over for it keeps
    // what it read that the new read would find too.
    let mut last: Option<FunctionId> = None;
    loop {
        let current = scope.borrow_and_update().clone();
        let follower = match &current.selected {
            Some(function) => {
                let keep = match last.as_ref() == Some(function) {
                    true => keep_for(&current),
                    false => KeepEvents::Nothing,
                };
                last = Some(function.clone());
                match start_follower(&c, &limiter, function, &current, keep).await {
                    Some(f) => Some(f),
                    None => return,
                }
            }
            None => None,
        };
        if !relay(&c, &limiter, &mut scope, follower).await {
            return;
        }
    }
}

/// Tells the store the pane starts over and starts following `function`;
/// `None` when the face has gone.
async fn start_follower<S: Source>(
    c: &Ctx<S>,
    limiter: &Arc<RateLimiter>,
    function: &FunctionId,
    scope: &Scope,
    keep: KeepEvents,
) -> Option<Follower> {
    let log_group = match &*c.fleet_tx.borrow() {
        Fleet::Ready(fns) => fns
            .iter()
            .find(|f| f.id == *function)
            .map(FunctionInfo::log_group_id),
        _ => None,
    }
    .unwrap_or_else(|| LogGroup::of(function, FunctionInfo::default_log_group(&function.name)));
    let from = start_of(scope);
    let reset = Update::LogsReset {
        function: function.clone(),
        log_group: log_group.clone(),
        from,
        capacity: c.cfg.log_capacity,
        keep,
    };
    c.tx.send(reset).await.ok()?;
    let (tx, rx) = mpsc::channel(16);
    let filter = server_filter(scope);
    let mut opts = FollowOptions::from(from);
    opts.filter_pattern = filter.clone();
    let (src, lim) = (c.src.clone(), limiter.clone());
    let live = tokio::spawn(follow(src, lim, LIVE, log_group.clone(), opts, tx.clone()));
    Some(Follower {
        function: function.clone(),
        log_group,
        filter,
        errors: scope.log_errors,
        from,
        tx,
        rx,
        handles: vec![live],
    })
}

/// Where the pane starts reading: where the face asks, else the default
/// lookback — or, for failures only, the whole metrics window (the
/// failures the metrics count are there to be read).
fn start_of(scope: &Scope) -> DateTime<Utc> {
    let now = Utc::now();
    let window = now - chrono::Duration::from_std(scope.window).unwrap_or(LOG_PANE_LOOKBACK);
    match (scope.log_from, scope.log_errors) {
        (Some(f), true) => f.min(window),
        (Some(f), false) => f,
        (None, true) => window,
        (None, false) => now - LOG_PANE_LOOKBACK,
    }
}

/// The server-side pattern: the user's, or — failures only, unfiltered —
/// one that finds every failure kind lamtop classifies (the pane still
/// classifies what comes back).
fn server_filter(scope: &Scope) -> Option<String> {
    match (&scope.log_filter, scope.log_errors) {
        (Some(f), _) => Some(f.clone()),
        (None, true) => Some(FAILURE_PATTERN.to_string()),
        (None, false) => None,
    }
}

/// What of the same function's events stays when the pane starts over
/// under `scope`: all of them without a server filter, those a text
/// pattern matches, none for a pattern only the service can evaluate.
fn keep_for(scope: &Scope) -> KeepEvents {
    use crate::model::logs::pattern::FilterPattern;
    match server_filter(scope) {
        None => KeepEvents::All,
        Some(p) => match FilterPattern::parse(&p) {
            FilterPattern::All if !p.trim().is_empty() => KeepEvents::Nothing,
            _ => KeepEvents::Matching(p),
        },
    }
}

/// What a change of the scope means for the pane's followers.
enum Change {
    /// Nothing for the log pane.
    None,
    /// Another function or filter, or a later start: start over.
    Restart,
    /// Read further back, keeping what is there.
    ReachBack(DateTime<Utc>),
}

/// How the pane must follow `new`, given what `follower` follows.
fn change_of(new: &Scope, follower: Option<&Follower>) -> Change {
    let Some(f) = follower else {
        return if new.selected.is_some() {
            Change::Restart
        } else {
            Change::None
        };
    };
    if new.selected.as_ref() != Some(&f.function)
        || server_filter(new) != f.filter
        || new.log_errors != f.errors
    {
        return Change::Restart;
    }
    match new.log_from {
        Some(to) if to < f.from => Change::ReachBack(to),
        Some(to) if to > f.from => Change::Restart,
        _ => Change::None,
    }
}

/// Relays the followers' reports to the face, and reads further back when
/// the face asks. Returns `true` when the selection, the filter or a later
/// start asks to start over, `false` when the face has gone.
async fn relay<S: Source>(
    c: &Ctx<S>,
    limiter: &Arc<RateLimiter>,
    scope: &mut watch::Receiver<Scope>,
    mut follower: Option<Follower>,
) -> bool {
    loop {
        let next = async {
            match &mut follower {
                Some(f) => f.rx.recv().await.map(|u| (f.function.clone(), u)),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = scope.changed() => {
                if changed.is_err() {
                    return false;
                }
                let new = scope.borrow().clone();
                match change_of(&new, follower.as_ref()) {
                    Change::None => {}
                    Change::Restart => return true,
                    Change::ReachBack(to) => {
                        if let Some(f) = follower.as_mut() {
                            let reach = f.reach_back(c, limiter, to);
                            if c.tx.send(reach).await.is_err() {
                                return false;
                            }
                        }
                    }
                }
            }
            update = next => match update {
                Some((function, update)) => {
                    if c.tx.send(Update::Logs { function, update }).await.is_err() {
                        return false;
                    }
                }
                None => follower = None,
            },
            _ = c.tx.closed() => return false,
        }
    }
}
