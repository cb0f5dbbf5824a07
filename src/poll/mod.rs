//! Pollers: one tokio task per data kind, each with its own schedule, at
//! most one request in flight, backoff on throttling, sending owned
//! [`Update`]s over one bounded channel to the face that owns the store.
//! What they fetch follows the [`Scope`] the face writes.
//!
//! The pollers are declared once, as a list ([`pollers`]): a kind, an
//! interval and a step. One generic loop (`runner`) runs each of them;
//! the steps live in `fleet` (what the whole fleet needs) and `screen`
//! (what is on screen). The messages themselves are pure and live in
//! [`crate::message`].

mod context;
pub mod errors;
mod fleet;
pub(crate) mod insights;
pub mod logs;
mod metrics;
pub(crate) mod pressure;
mod runner;
mod schedule;
mod screen;
pub use screen::deployments_with_shares;
pub(crate) mod traces;

pub use crate::message::{DataKind, Scope, Update};
pub use context::{INVENTORY_EVERY, PollerConfig};
pub use schedule::{Outcome, Schedule};
pub use screen::{LOG_PANE_LOOKBACK, TRACE_EVERY, TRACES_EVERY, USAGE_EVERY};

use crate::source::Source;
use context::Ctx;
use runner::{Loop, Tx};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What one step of a poller returns: `None` when there was nothing to fetch.
type StepFuture = Pin<Box<dyn Future<Output = Option<Outcome>> + Send>>;

/// One poller: its kind, how often it fetches, and its step.
struct Poller<S> {
    kind: DataKind,
    every: Duration,
    step: fn(Arc<Ctx<S>>, Scope) -> StepFuture,
}

/// Every scheduled poller (the log follower streams and runs apart).
fn pollers<S: Source>(cfg: &PollerConfig) -> [Poller<S>; 11] {
    use DataKind as K;
    let p = |kind, every, step| Poller { kind, every, step };
    [
        p(K::Inventory, cfg.inventory_every, |c, _| {
            Box::pin(fleet::inventory(c))
        }),
        p(K::Metrics, cfg.metrics_every, |c, s| {
            Box::pin(metrics::metrics(c, s))
        }),
        p(K::Alarms, cfg.alarms_every, |c, _| {
            Box::pin(fleet::alarms(c))
        }),
        p(K::EventSources, cfg.inventory_every, |c, _| {
            Box::pin(fleet::event_sources(c))
        }),
        p(K::Reserved, cfg.inventory_every, |c, s| {
            Box::pin(screen::reserved(c, s))
        }),
        p(K::InvokeConfig, cfg.inventory_every, |c, s| {
            Box::pin(screen::invoke_config(c, s))
        }),
        p(K::Deployments, cfg.metrics_every, |c, s| {
            Box::pin(screen::deployments(c, s))
        }),
        p(K::Detail, cfg.metrics_every, |c, s| {
            Box::pin(screen::detail(c, s))
        }),
        p(K::Traces, TRACES_EVERY, |c, s| {
            Box::pin(screen::traces(c, s))
        }),
        p(K::Trace, TRACE_EVERY, |c, s| Box::pin(screen::trace(c, s))),
        p(K::Usage, USAGE_EVERY, |c, _| Box::pin(screen::usage(c))),
    ]
}

/// Spawns every poller. They stop when the face drops its receiver or
/// the scope sender.
pub fn spawn_all<S: Source>(
    src: Arc<S>,
    cfg: PollerConfig,
    tx: Tx,
    scope: watch::Receiver<Scope>,
) -> Vec<JoinHandle<()>> {
    let limiter = logs::RateLimiter::new(cfg.log_calls_per_second);
    spawn_all_sharing(src, cfg, tx, scope, limiter)
}

/// [`spawn_all`] with the FilterLogEvents rate limiter given, so work the
/// face starts itself (the error scan) shares the quota with the log pane.
pub fn spawn_all_sharing<S: Source>(
    src: Arc<S>,
    cfg: PollerConfig,
    tx: Tx,
    scope: watch::Receiver<Scope>,
    limiter: Arc<logs::RateLimiter>,
) -> Vec<JoinHandle<()>> {
    let counters = {
        let s = src.clone();
        Box::new(move || (s.api_calls(), s.throttled_calls()))
    };
    let pressure = pressure::Pressure::new(counters, Some(limiter.clone()));
    let (fleet_tx, _) = watch::channel(context::Fleet::Pending);
    let list = pollers::<S>(&cfg);
    let once = cfg.once;
    let ctx = Arc::new(Ctx {
        src,
        tx: tx.clone(),
        cfg,
        fleet_tx,
        signals: Default::default(),
        tiers: Default::default(),
    });
    let mut handles = Vec::new();
    if !once {
        handles.push(tokio::spawn(sample_pressure(pressure.clone(), tx.clone())));
    }
    for poller in list {
        let l = Loop {
            kind: poller.kind,
            once,
            schedule: Schedule::every(poller.every),
            tx: tx.clone(),
            scope: scope.clone(),
            pressure: pressure.clone(),
        };
        let (c, step) = (ctx.clone(), poller.step);
        handles.push(tokio::spawn(runner::run(l, move |s| step(c.clone(), s))));
    }
    handles.push(tokio::spawn(screen::logs(ctx, scope, limiter)));
    handles
}

/// Reads the source's throttle counters every second, for as long as the
/// face listens (see [`pressure::Pressure::sample`]).
async fn sample_pressure(p: Arc<pressure::Pressure>, tx: Tx) {
    let mut every = tokio::time::interval(pressure::SAMPLE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    while !tx.is_closed() {
        every.tick().await;
        p.sample();
    }
}

#[cfg(test)]
mod tests;
