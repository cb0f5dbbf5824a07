//! Following log groups losslessly. Each group is re-queried from a
//! watermark minus an overlap window, every page is followed (pages may be
//! empty and still carry a token), and events are de-duplicated by id, so
//! events from new streams and events ingested late with older timestamps
//! appear exactly once. Polling is adaptive (fast while events flow, a few
//! seconds when idle), all log calls share one rate limiter, and throttling
//! backs off and retries the same query, so nothing is skipped.

pub use crate::message::LogUpdate;
use crate::model::id::LogGroup;
use crate::model::logs::{LogEvent, LogQuery};
use crate::source::{Logs, SourceError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

mod limiter;
mod targets;
pub use limiter::RateLimiter;
pub use targets::{Target, resolve_targets};

/// How a follower runs.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// Start of the range.
    pub start: DateTime<Utc>,
    /// End of the range (`None`: open).
    pub end: Option<DateTime<Utc>>,
    /// Keep following after catching up.
    pub follow: bool,
    /// Server-side filter pattern.
    pub filter_pattern: Option<String>,
    /// How far back each poll re-reads, to catch late events.
    pub overlap: Duration,
    /// Delay while events flow.
    pub fast: Duration,
    /// Longest delay when idle.
    pub idle_max: Duration,
}

impl FollowOptions {
    /// Defaults for following from `start`.
    pub fn from(start: DateTime<Utc>) -> Self {
        Self {
            start,
            end: None,
            follow: true,
            filter_pattern: None,
            overlap: Duration::from_secs(20),
            fast: Duration::from_millis(400),
            idle_max: Duration::from_secs(3),
        }
    }
}

/// Ids seen recently, pruned by age so memory stays bounded.
#[derive(Debug, Default)]
struct Seen {
    ids: HashMap<String, DateTime<Utc>>,
    order: VecDeque<(DateTime<Utc>, String)>,
}

impl Seen {
    fn insert(&mut self, e: &LogEvent) -> bool {
        if self.ids.contains_key(&e.id) {
            return false;
        }
        self.ids.insert(e.id.clone(), e.timestamp);
        self.order.push_back((e.timestamp, e.id.clone()));
        true
    }

    /// Forgets ids older than `before` (they can no longer be returned by a query).
    fn prune(&mut self, before: DateTime<Utc>) {
        // `order` is roughly by timestamp; stop at the first young entry.
        while let Some((t, _)) = self.order.front() {
            if *t >= before {
                break;
            }
            if let Some((_, id)) = self.order.pop_front() {
                self.ids.remove(&id);
            }
        }
    }
}

/// Follows one log group until done or the receiver is dropped.
pub async fn follow<S: Logs + ?Sized>(
    src: Arc<S>,
    limiter: Arc<RateLimiter>,
    group: usize,
    log_group: LogGroup,
    opts: FollowOptions,
    tx: mpsc::Sender<LogUpdate>,
) {
    let mut follower = Follower {
        seen: Seen::default(),
        watermark: opts.start,
        delay: opts.fast,
        backoff: Duration::from_millis(500),
        src,
        limiter,
        group,
        log_group,
        opts,
        tx,
    };
    follower.run().await;
}

/// What a follower does after a step.
enum Next {
    /// Poll again after the delay.
    Continue,
    /// Done, fatally failed, or nobody listens any more.
    Stop,
}

/// One poll's result: whether every page was read, and the newest event.
struct Read {
    outcome: Result<(), SourceError>,
    newest: Option<DateTime<Utc>>,
}

/// The state of one log group's follower between polls.
struct Follower<S: ?Sized> {
    src: Arc<S>,
    limiter: Arc<RateLimiter>,
    group: usize,
    log_group: LogGroup,
    opts: FollowOptions,
    tx: mpsc::Sender<LogUpdate>,
    /// Ids delivered recently (the overlap re-reads them).
    seen: Seen,
    /// Every event up to here has been delivered.
    watermark: DateTime<Utc>,
    /// Until the next poll: short while events flow, longer when idle.
    delay: Duration,
    /// Until the next poll after a failure (doubles, at most 30 s).
    backoff: Duration,
}

/// A `std` duration as a chrono one (0 if out of range).
fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or_default()
}

impl<S: Logs + ?Sized> Follower<S> {
    async fn run(&mut self) {
        loop {
            let poll_started = Utc::now();
            let Some(read) = self.read().await else {
                return;
            };
            let next = match read.outcome {
                Ok(()) => self.caught_up(poll_started, read.newest).await,
                Err(error) => self.failed(error).await,
            };
            if matches!(next, Next::Stop) {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.delay) => {}
                _ = self.tx.closed() => return,
            }
        }
    }

    /// One poll: every page from the watermark (less the overlap, for late
    /// arrivals), new events delivered; `None` when nobody listens.
    async fn read(&mut self) -> Option<Read> {
        let from = (self.watermark - chrono_of(self.opts.overlap)).max(self.opts.start);
        let mut query = LogQuery {
            log_group: self.log_group.clone(),
            start: from,
            end: self.opts.end,
            filter_pattern: self.opts.filter_pattern.clone(),
            next_token: None,
        };
        let mut fresh = Vec::new();
        let mut newest = None::<DateTime<Utc>>;
        let mut pages = 0u32;
        let outcome = loop {
            self.limiter.acquire().await;
            match self.src.filter_log_events(&query).await {
                Ok(page) => {
                    pages += 1;
                    for e in page.events {
                        newest = Some(newest.map_or(e.timestamp, |n| n.max(e.timestamp)));
                        if self.seen.insert(&e) {
                            fresh.push(e);
                        }
                    }
                    // Deliver big catch-ups page by page, not all at the end.
                    if fresh.len() >= 5_000 && !self.deliver(std::mem::take(&mut fresh)).await {
                        return None;
                    }
                    match page.next_token {
                        Some(t) if pages < 100_000 && query.next_token.as_deref() != Some(&t) => {
                            query.next_token = Some(t)
                        }
                        _ => break Ok(()),
                    }
                }
                Err(e) => break Err(e),
            }
        };
        if fresh.is_empty() {
            self.delay = (self.delay * 2).min(self.opts.idle_max);
        } else {
            if !self.deliver(fresh).await {
                return None;
            }
            self.delay = self.opts.fast;
        }
        Some(Read { outcome, newest })
    }

    /// Sends events in time order; `false` when nobody listens.
    async fn deliver(&self, mut events: Vec<LogEvent>) -> bool {
        events.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
        let update = LogUpdate::Events {
            group: self.group,
            events,
        };
        self.tx.send(update).await.is_ok()
    }

    /// Every page was read: everything up to the poll's start is in (the
    /// overlap re-reads the last seconds for late arrivals).
    async fn caught_up(
        &mut self,
        poll_started: DateTime<Utc>,
        newest: Option<DateTime<Utc>>,
    ) -> Next {
        self.backoff = Duration::from_millis(500);
        self.watermark = self
            .watermark
            .max(newest.unwrap_or(self.watermark))
            .max(poll_started.min(self.opts.end.unwrap_or(poll_started)));
        self.seen
            .prune(self.watermark - chrono_of(self.opts.overlap * 2));
        let update = LogUpdate::CaughtUp {
            group: self.group,
            until: self.watermark,
        };
        if self.tx.send(update).await.is_err() {
            return Next::Stop;
        }
        let ended = self.opts.end.is_some_and(|e| poll_started >= e);
        if !self.opts.follow || ended {
            let _ = self.tx.send(LogUpdate::Done { group: self.group }).await;
            return Next::Stop;
        }
        Next::Continue
    }

    /// A page failed: the same watermark next time, so nothing is skipped.
    async fn failed(&mut self, error: SourceError) -> Next {
        let group = self.group;
        // Credentials that ran out come back when the user logs in again:
        // a follower keeps trying; a one-shot read ends.
        let fatal = matches!(error, SourceError::Denied { .. })
            || (matches!(error, SourceError::Credentials { .. }) && !self.opts.follow)
            || (!self.opts.follow
                && !error.is_throttling()
                && !matches!(error, SourceError::Transport { .. }));
        let not_found = matches!(error, SourceError::NotFound { .. });
        // A function that never ran has no log group yet: nothing to read
        // is not a failure.
        let fatal = fatal && !not_found;
        // A one-shot read of a group that does not exist ends quietly.
        let ends = fatal || (not_found && !self.opts.follow);
        let report = LogUpdate::Error {
            group,
            error,
            fatal,
        };
        if self.tx.send(report).await.is_err() || ends {
            let _ = self.tx.send(LogUpdate::Done { group }).await;
            return Next::Stop;
        }
        // A group that does not exist yet (no invocation so far) is polled
        // slowly until it appears.
        self.delay = if not_found {
            self.opts.idle_max
        } else {
            self.backoff
        };
        self.backoff = (self.backoff * 2).min(Duration::from_secs(30));
        Next::Continue
    }
}

#[cfg(test)]
mod tests;
