//! The one loop every poller runs and the one fetch step most of them
//! take. The loop owns the schedule (interval, backoff while throttled,
//! an early wake when throttling ends or the scope changes in a way the
//! kind cares about) and keeps at most one request in flight, because the
//! next step starts only after the previous one returned.

use super::pressure::Pressure;
use super::schedule::{Outcome, Schedule};
use crate::message::{DataKind, Scope, SourceError, Update};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// The channel every poller sends on.
pub(super) type Tx = mpsc::Sender<Update>;

/// How a fetch went, as far as scheduling cares.
pub(super) fn outcome_of<T>(r: &Result<T, SourceError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Ok,
        Err(e) if e.is_throttling() => Outcome::Throttled,
        Err(_) => Outcome::Failed,
    }
}

/// The fetch step most pollers are: tell the store a fetch of `kind`
/// started, make the call, send its result (wrapped by `wrap`, which gets
/// the completion time) and say how it went.
pub(super) async fn fetch<T, Fut>(
    tx: &Tx,
    kind: DataKind,
    call: Fut,
    wrap: impl FnOnce(DateTime<Utc>, Result<T, SourceError>) -> Update,
) -> Outcome
where
    Fut: Future<Output = Result<T, SourceError>>,
{
    fetch_classified(tx, kind, call, outcome_of, wrap).await
}

/// [`fetch`] with its own reading of the result (a metrics refresh whose
/// batches were throttled is throttled even though the call succeeded).
pub(super) async fn fetch_classified<T, Fut>(
    tx: &Tx,
    kind: DataKind,
    call: Fut,
    classify: impl FnOnce(&Result<T, SourceError>) -> Outcome,
    wrap: impl FnOnce(DateTime<Utc>, Result<T, SourceError>) -> Update,
) -> Outcome
where
    Fut: Future<Output = Result<T, SourceError>>,
{
    let _ = tx.send(Update::Started(kind)).await;
    let result = call.await;
    let outcome = classify(&result);
    let _ = tx.send(wrap(Utc::now(), result)).await;
    outcome
}

/// Whether a scope change should cut the wait of a poller of `kind` short.
fn wakes(kind: DataKind, old: &Scope, new: &Scope) -> bool {
    let refresh = old.refresh_generation != new.refresh_generation;
    let selected = old.selected != new.selected;
    let window = old.window != new.window;
    match kind {
        DataKind::Metrics => refresh || window,
        DataKind::Reserved | DataKind::InvokeConfig => refresh || selected,
        DataKind::Deployments => refresh || selected || window,
        DataKind::Detail | DataKind::Traces => refresh || selected || window,
        DataKind::Inventory | DataKind::Alarms | DataKind::EventSources => refresh,
        DataKind::Trace => refresh || old.open_trace != new.open_trace,
        DataKind::Usage | DataKind::Logs => false,
    }
}

/// What one loop needs besides its step.
pub(super) struct Loop {
    /// The data kind (for `Started`/`Finished` and the wake rule).
    pub kind: DataKind,
    /// Fetch once, report `Finished`, end.
    pub once: bool,
    /// When to fetch next.
    pub schedule: Schedule,
    /// Where updates go; a closed channel ends the loop.
    pub tx: Tx,
    /// What the face looks at.
    pub scope: watch::Receiver<Scope>,
    /// Throttling seen by the source, shared by every poller.
    pub pressure: Arc<Pressure>,
}

/// Runs `step` on `l`'s schedule until the face goes away. `step` returns
/// `None` when it had nothing to fetch (nothing on screen).
pub(super) async fn run<F, Fut>(mut l: Loop, mut step: F)
where
    F: FnMut(Scope) -> Fut,
    Fut: Future<Output = Option<Outcome>>,
{
    // Throttled attempts seen up to the previous step: any new one since,
    // by any poller, means the account is being throttled.
    let mut seen = l.pressure.throttled_total();
    loop {
        let current = l.scope.borrow_and_update().clone();
        let mut outcome = step(current.clone()).await.unwrap_or(Outcome::Ok);
        // Throttles the SDK retried away still mean "slow down": the
        // quota is per account, shared with every other client.
        let now = l.pressure.throttled_total();
        if outcome == Outcome::Ok && l.kind != DataKind::Usage && now > seen {
            outcome = Outcome::Throttled;
        }
        seen = now;
        if l.once {
            let _ = l.tx.send(Update::Finished(l.kind)).await;
            return;
        }
        match wait(&mut l, &current, outcome).await {
            Wait::Again => {}
            Wait::Calmed => seen = l.pressure.throttled_total(),
            Wait::Stop => return,
        }
    }
}

/// How a wait between two steps ended.
enum Wait {
    /// The schedule is due or the scope changed: fetch again.
    Again,
    /// Throttling ended: fetch again, and forget the storm's throttles.
    Calmed,
    /// The face went away.
    Stop,
}

/// Waits for the schedule, an end of throttling (only when backed off)
/// or a scope change that matters to this kind.
async fn wait(l: &mut Loop, current: &Scope, outcome: Outcome) -> Wait {
    let backed_off = outcome == Outcome::Throttled;
    let sleep = tokio::time::sleep(l.schedule.next_delay(outcome));
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return Wait::Again,
            _ = l.pressure.calmed(), if backed_off => return Wait::Calmed,
            changed = l.scope.changed() => {
                if changed.is_err() {
                    return Wait::Stop;
                }
                if wakes(l.kind, current, &l.scope.borrow()) {
                    return Wait::Again;
                }
            }
            _ = l.tx.closed() => return Wait::Stop,
        }
    }
}
