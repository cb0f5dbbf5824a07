//! The pollers of what is on screen: the selected function's reserved
//! concurrency, detail metrics, log tail and traces, the open trace, and
//! the API usage counter. Each runs only while its data is visible.

use super::tasks::{Fleet, Tx, outcome_of};
use super::{DataKind, Outcome, Scope, Update};
use crate::model::function::FunctionInfo;
use crate::model::metrics::{TimeRange, plan_detail_queries};
use crate::poll::logs::{FollowOptions, RateLimiter, follow};
use crate::source::Source;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

pub(super) async fn reserved_step<S: Source>(src: Arc<S>, tx: Tx, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let _ = tx.send(Update::Started(DataKind::Reserved)).await;
    let result = src.reserved_concurrency(&function).await;
    let outcome = outcome_of(&result);
    let _ = tx
        .send(Update::Reserved {
            at: Utc::now(),
            function,
            result,
        })
        .await;
    Some(outcome)
}

pub(super) async fn detail_step<S: Source>(src: Arc<S>, tx: Tx, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let queries = plan_detail_queries(&function, scope.window);
    let range = TimeRange::ending_at(Utc::now(), scope.window);
    let _ = tx.send(Update::Started(DataKind::Detail)).await;
    let result = src.fetch_metrics(range, &queries).await;
    let outcome = outcome_of(&result);
    let _ = tx
        .send(Update::Detail {
            at: Utc::now(),
            function,
            range,
            result,
        })
        .await;
    Some(outcome)
}

/// Trace summaries of the function on screen refresh this often.
pub(super) const TRACES_EVERY: Duration = Duration::from_secs(15);
/// An open trace is re-read this often (segments may still arrive).
pub(super) const TRACE_EVERY: Duration = Duration::from_secs(30);

pub(super) async fn traces_step<S: Source>(src: Arc<S>, tx: Tx, scope: Scope) -> Option<Outcome> {
    let function = scope.selected?;
    let _ = tx.send(Update::Started(DataKind::Traces)).await;
    let result = crate::poll::traces::list_traces(src.as_ref(), &function, scope.window).await;
    let outcome = outcome_of(&result);
    let _ = tx
        .send(Update::Traces {
            at: Utc::now(),
            result,
        })
        .await;
    Some(outcome)
}

pub(super) async fn trace_step<S: Source>(src: Arc<S>, tx: Tx, scope: Scope) -> Option<Outcome> {
    let id = scope.open_trace?;
    let _ = tx.send(Update::Started(DataKind::Trace)).await;
    let result = crate::poll::traces::fetch_tree(src.as_ref(), &id).await;
    let outcome = outcome_of(&result);
    let _ = tx
        .send(Update::Trace {
            at: Utc::now(),
            id,
            result,
        })
        .await;
    Some(outcome)
}

/// How far back the log pane starts: the latest events, without asking.
pub(super) const LOG_PANE_LOOKBACK: chrono::Duration = chrono::Duration::minutes(2);

/// Follows the log group of the function on screen; starts over when the
/// selection or the pane's filter pattern changes, stops following when
/// nothing is on screen.
pub(super) async fn logs_task<S: Source>(
    src: Arc<S>,
    tx: Tx,
    mut scope: watch::Receiver<Scope>,
    fleet: watch::Receiver<Fleet>,
    limiter: Arc<RateLimiter>,
    capacity: usize,
    once: bool,
) {
    if once {
        let _ = tx.send(Update::Finished(DataKind::Logs)).await;
        return;
    }
    loop {
        let current = scope.borrow_and_update().clone();
        let mut follower = None;
        if let Some(function) = current.selected.clone() {
            let log_group = match &*fleet.borrow() {
                Fleet::Ready(fns) => fns
                    .iter()
                    .find(|f| f.name == function)
                    .map(|f| f.log_group.clone()),
                _ => None,
            }
            .unwrap_or_else(|| FunctionInfo::default_log_group(&function));
            let reset = Update::LogsReset {
                function: function.clone(),
                log_group: log_group.clone(),
                capacity,
            };
            if tx.send(reset).await.is_err() {
                return;
            }
            let (itx, irx) = mpsc::channel(16);
            let mut opts = FollowOptions::from(Utc::now() - LOG_PANE_LOOKBACK);
            opts.filter_pattern = current.log_filter.clone();
            let handle = tokio::spawn(follow(
                src.clone(),
                limiter.clone(),
                0,
                log_group,
                opts,
                itx,
            ));
            follower = Some((function, handle, irx));
        }
        loop {
            let next = async {
                match &mut follower {
                    Some((_, _, rx)) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                changed = scope.changed() => {
                    let stop = changed.is_err() || {
                        let new = scope.borrow();
                        new.selected != current.selected || new.log_filter != current.log_filter
                    };
                    if stop {
                        if let Some((_, h, _)) = follower.take() {
                            h.abort();
                        }
                        if changed.is_err() {
                            return;
                        }
                        break;
                    }
                }
                update = next => match update {
                    Some(update) => {
                        let function = follower.as_ref().map(|f| f.0.clone()).unwrap_or_default();
                        if tx.send(Update::Logs { function, update }).await.is_err() {
                            return;
                        }
                    }
                    None => follower = None,
                },
                _ = tx.closed() => return,
            }
        }
    }
}

pub(super) async fn usage_step<S: Source>(src: Arc<S>, tx: Tx) -> Option<Outcome> {
    let _ = tx
        .send(Update::ApiUsage {
            at: Utc::now(),
            total_calls: src.api_calls(),
            throttled_calls: src.throttled_calls(),
            regions: src.region_statuses(),
        })
        .await;
    Some(Outcome::Ok)
}
