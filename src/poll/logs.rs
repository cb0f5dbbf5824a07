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
use tokio::sync::{Mutex, mpsc};
use tokio::time::Instant;

/// Spaces calls out so that all log polling in the process stays under
/// `per_second` calls (FilterLogEvents has a small account-wide quota).
/// While the account is throttled the rate halves — from the pace calls
/// actually went at, which is often slower than the limit — down to a
/// floor, and climbs back slowly once calls go through again.
#[derive(Debug)]
pub struct RateLimiter {
    /// The configured rate.
    configured: f64,
    /// The rate now (calls per second), adapted to throttling.
    current: std::sync::Mutex<f64>,
    next: Mutex<Option<Instant>>,
    /// The two latest acquisitions, for the pace calls actually go at.
    recent: std::sync::Mutex<(Option<Instant>, Option<Instant>)>,
}

/// The slowest the log limit goes while throttled.
const MIN_LOG_RATE: f64 = 0.2;

impl RateLimiter {
    /// A limiter allowing `per_second` calls per second (at least 0.1).
    pub fn new(per_second: f64) -> Arc<Self> {
        let rate = per_second.max(0.1);
        Arc::new(Self {
            configured: rate,
            current: std::sync::Mutex::new(rate),
            next: Mutex::new(None),
            recent: std::sync::Mutex::new((None, None)),
        })
    }

    /// The rate now.
    pub fn per_second(&self) -> f64 {
        *self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Halves the rate, or the pace calls actually went at if slower (not
    /// below 0.2/s or the configured rate).
    pub fn slow_down(&self) {
        let observed = match *self.recent.lock().unwrap_or_else(|e| e.into_inner()) {
            (Some(a), Some(b)) if b > a => 1.0 / (b - a).as_secs_f64(),
            _ => f64::INFINITY,
        };
        let mut r = self.current.lock().unwrap_or_else(|e| e.into_inner());
        *r = (r.min(observed) / 2.0).max(MIN_LOG_RATE.min(self.configured));
    }

    /// Raises the rate by a thirtieth of the configured one (additive
    /// increase, multiplicative decrease: a throttled account is not
    /// hammered again after one lucky second).
    pub fn speed_up(&self) {
        let mut r = self.current.lock().unwrap_or_else(|e| e.into_inner());
        *r = (*r + self.configured / 30.0).min(self.configured);
    }

    /// Waits for the next free slot.
    pub async fn acquire(&self) {
        let interval = Duration::from_secs_f64(1.0 / self.per_second());
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            *recent = (recent.1, Some(slot));
        }
        tokio::time::sleep_until(slot).await;
    }
}

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
    let mut seen = Seen::default();
    let mut watermark = opts.start;
    let mut delay = opts.fast;
    let mut backoff = Duration::from_millis(500);
    loop {
        let poll_started = Utc::now();
        let from = (watermark - chrono::Duration::from_std(opts.overlap).unwrap_or_default())
            .max(opts.start);
        let mut query = LogQuery {
            log_group: log_group.clone(),
            start: from,
            end: opts.end,
            filter_pattern: opts.filter_pattern.clone(),
            next_token: None,
        };
        let mut fresh = Vec::new();
        let mut newest = None::<DateTime<Utc>>;
        let mut pages = 0u32;
        let outcome = loop {
            limiter.acquire().await;
            match src.filter_log_events(&query).await {
                Ok(page) => {
                    pages += 1;
                    for e in page.events {
                        newest = Some(newest.map_or(e.timestamp, |n| n.max(e.timestamp)));
                        if seen.insert(&e) {
                            fresh.push(e);
                        }
                    }
                    // Deliver big catch-ups page by page, not all at the end.
                    if fresh.len() >= 5_000 {
                        fresh.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
                        if tx
                            .send(LogUpdate::Events {
                                group,
                                events: std::mem::take(&mut fresh),
                            })
                            .await
                            .is_err()
                        {
                            return;
                        }
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
        if !fresh.is_empty() {
            fresh.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
            if tx
                .send(LogUpdate::Events {
                    group,
                    events: fresh,
                })
                .await
                .is_err()
            {
                return;
            }
            delay = opts.fast;
        } else {
            delay = (delay * 2).min(opts.idle_max);
        }
        match outcome {
            Ok(()) => {
                backoff = Duration::from_millis(500);
                // Everything up to the poll's start is in; the overlap
                // re-reads the last seconds for late arrivals.
                watermark = watermark
                    .max(newest.unwrap_or(watermark))
                    .max(poll_started.min(opts.end.unwrap_or(poll_started)));
                seen.prune(
                    watermark - chrono::Duration::from_std(opts.overlap * 2).unwrap_or_default(),
                );
                if tx
                    .send(LogUpdate::CaughtUp {
                        group,
                        until: watermark,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
                let ended = opts.end.is_some_and(|e| poll_started >= e);
                if !opts.follow || ended {
                    let _ = tx.send(LogUpdate::Done { group }).await;
                    return;
                }
            }
            Err(error) => {
                // Same watermark next time: nothing is skipped.
                let fatal = matches!(
                    error,
                    SourceError::Denied { .. } | SourceError::Credentials { .. }
                ) || (!opts.follow
                    && !error.is_throttling()
                    && !matches!(error, SourceError::Transport { .. }));
                let not_found = matches!(error, SourceError::NotFound { .. });
                // A function that never ran has no log group yet: nothing to
                // read is not a failure.
                let fatal = fatal && !not_found;
                if not_found && !opts.follow {
                    let _ = tx
                        .send(LogUpdate::Error {
                            group,
                            error,
                            fatal: false,
                        })
                        .await;
                    let _ = tx.send(LogUpdate::Done { group }).await;
                    return;
                }
                if tx
                    .send(LogUpdate::Error {
                        group,
                        error,
                        fatal,
                    })
                    .await
                    .is_err()
                    || fatal
                {
                    let _ = tx.send(LogUpdate::Done { group }).await;
                    return;
                }
                // A group that does not exist yet (no invocation so far) is
                // polled slowly until it appears.
                delay = if not_found { opts.idle_max } else { backoff };
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = tx.closed() => return,
        }
    }
}

#[cfg(test)]
mod tests;

/// One log group to tail and how to label it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Label: the function name, or the group name.
    pub label: String,
    /// The log group.
    pub log_group: LogGroup,
    /// Whether the label is a function.
    pub function: bool,
}

/// Resolves `tail` arguments: `/group` names are taken as log groups, the
/// rest as function names or globs over the inventory (one ListFunctions
/// walk, only when needed). Returns the targets and the patterns that
/// matched nothing.
pub async fn resolve_targets<S: crate::source::Inventory + ?Sized>(
    src: &S,
    patterns: &[String],
    log_groups: &[String],
) -> Result<(Vec<Target>, Vec<String>), String> {
    let mut targets: Vec<Target> = Vec::new();
    let mut globs = Vec::new();
    for p in patterns {
        if p.starts_with('/') {
            targets.push(Target {
                label: p.clone(),
                log_group: LogGroup::parse(p),
                function: false,
            });
        } else {
            globs.push(p.clone());
        }
    }
    for g in log_groups {
        targets.push(Target {
            label: g.clone(),
            log_group: LogGroup::parse(g),
            function: false,
        });
    }
    let mut unmatched = Vec::new();
    if !globs.is_empty() {
        let filter = crate::model::function::FunctionFilter::new(&globs)?;
        let all = src.list_functions().await.map_err(|e| e.to_string())?;
        let (kept, missing) = filter.apply(all);
        unmatched = missing;
        targets.extend(kept.into_iter().map(|f| Target {
            label: f.id.to_string(),
            log_group: f.log_group_id(),
            function: true,
        }));
    }
    // Functions may share a log group: follow each group once.
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(t.log_group.clone()));
    Ok((targets, unmatched))
}
