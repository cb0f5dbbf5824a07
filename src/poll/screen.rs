//! The pollers of what is on screen: the selected function's reserved
//! concurrency, detail metrics, log tail and traces, the open trace, and
//! the API usage counter. Each runs only while its data is visible.

use super::context::{Ctx, Fleet};
use super::runner::{Tx, fetch};
use super::schedule::Outcome;
use crate::message::{DataKind, LogUpdate, Scope, Update};
use crate::model::function::FunctionInfo;
use crate::model::id::{FunctionId, LogGroup};
use crate::model::metrics::{TimeRange, plan_detail_queries};
use crate::poll::logs::{FollowOptions, RateLimiter, follow};
use crate::source::Source;
use chrono::Utc;
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

/// Per-period duration percentiles of the function on screen.
pub(super) async fn detail<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let queries = plan_detail_queries(&function, scope.window);
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
    let call = crate::poll::traces::list_traces(c.src.as_ref(), &function, scope.window);
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

/// How far back the log pane starts: the latest events, without asking.
pub const LOG_PANE_LOOKBACK: chrono::Duration = chrono::Duration::minutes(2);

/// The follower of the function on screen; dropping it stops it.
struct Follower {
    function: FunctionId,
    handle: JoinHandle<()>,
    rx: mpsc::Receiver<LogUpdate>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.handle.abort();
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
    loop {
        let current = scope.borrow_and_update().clone();
        let follower = match &current.selected {
            Some(function) => match start_follower(&c, &limiter, function, &current).await {
                Some(f) => Some(f),
                None => return,
            },
            None => None,
        };
        if !relay(&c.tx, &mut scope, &current, follower).await {
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
) -> Option<Follower> {
    let log_group = match &*c.fleet_tx.borrow() {
        Fleet::Ready(fns) => fns
            .iter()
            .find(|f| f.id == *function)
            .map(FunctionInfo::log_group_id),
        _ => None,
    }
    .unwrap_or_else(|| LogGroup {
        name: FunctionInfo::default_log_group(&function.name),
        region: function.region.clone(),
    });
    let reset = Update::LogsReset {
        function: function.clone(),
        log_group: log_group.clone(),
        capacity: c.cfg.log_capacity,
    };
    c.tx.send(reset).await.ok()?;
    let (itx, rx) = mpsc::channel(16);
    let mut opts = FollowOptions::from(Utc::now() - LOG_PANE_LOOKBACK);
    opts.filter_pattern = scope.log_filter.clone();
    let (src, limiter) = (c.src.clone(), limiter.clone());
    let handle = tokio::spawn(follow(src, limiter, 0, log_group, opts, itx));
    let function = function.clone();
    Some(Follower {
        function,
        handle,
        rx,
    })
}

/// Relays the follower's reports to the face. Returns `true` when the
/// selection or the filter changed (start over), `false` when the face
/// has gone.
async fn relay(
    tx: &Tx,
    scope: &mut watch::Receiver<Scope>,
    current: &Scope,
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
                let new = scope.borrow();
                if new.selected != current.selected || new.log_filter != current.log_filter {
                    return true;
                }
            }
            update = next => match update {
                Some((function, update)) => {
                    if tx.send(Update::Logs { function, update }).await.is_err() {
                        return false;
                    }
                }
                None => follower = None,
            },
            _ = tx.closed() => return false,
        }
    }
}
