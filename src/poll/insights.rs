//! The fleet Logs Insights run: the fleet's log groups split into queries
//! of at most 50 groups of one region (result rows name a group, not its
//! region), run a few at a time, polled until done, with
//! progress reported as it goes and cancellation that stops the queries
//! still running (a stopped query stops being billed). Every loop is
//! bounded: a query that never completes is stopped after `max_wait`.
//!
//! A function that never ran has no log group, and StartQuery refuses a
//! whole query when one group is missing without saying which: such a
//! query is split in halves until the missing groups are isolated (at most
//! 2·log2(50) extra StartQuery calls per missing group, no extra permission).

use crate::message::Update;
pub use crate::message::{InsightsUpdate, Progress};
use crate::model::id::LogGroup;
use crate::model::insight::ReportStats;
use crate::model::insights_query::{FLEET_QUERY, MAX_GROUPS_PER_QUERY, parse_rows};
use crate::model::metrics::TimeRange;
use crate::source::{Logs, SourceError};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};

/// How a run paces itself.
#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    /// Between two GetQueryResults of one query.
    pub poll_every: Duration,
    /// The longest one query may run before it is stopped.
    pub max_wait: Duration,
    /// Queries running at once (the account allows 30 across all users).
    pub parallel: usize,
}

impl Default for RunLimits {
    fn default() -> Self {
        Self {
            poll_every: Duration::from_secs(1),
            max_wait: Duration::from_secs(600),
            parallel: 4,
        }
    }
}

enum ChunkEvent {
    Scanned {
        chunk: usize,
        bytes: f64,
        records: f64,
    },
    Finished {
        outcome: ChunkOutcome,
    },
}

#[derive(Default)]
struct ChunkOutcome {
    stats: HashMap<LogGroup, ReportStats>,
    errors: Vec<SourceError>,
    missing: Vec<LogGroup>,
}

/// Splits the groups (sorted, so each region's are together) into queries
/// of at most 50 groups, each within one region.
fn chunks_by_region(groups: &[LogGroup]) -> Vec<Vec<LogGroup>> {
    groups
        .chunk_by(|a, b| a.region == b.region)
        .flat_map(|same| same.chunks(MAX_GROUPS_PER_QUERY).map(<[LogGroup]>::to_vec))
        .collect()
}

/// Runs the fleet query over `groups` (deduplicated) and reports through
/// `tx` as [`Update::Insights`]. Setting `cancel` to `true` stops it.
pub async fn run_fleet_query<S: Logs>(
    src: Arc<S>,
    groups: Vec<LogGroup>,
    range: TimeRange,
    limits: RunLimits,
    tx: mpsc::Sender<Update>,
    cancel: watch::Receiver<bool>,
) {
    let mut groups = groups;
    groups.sort();
    groups.dedup();
    let chunks = chunks_by_region(&groups);
    let mut progress = Progress {
        queries: chunks.len(),
        groups: groups.len(),
        ..Progress::default()
    };
    let _ = tx
        .send(Update::Insights(InsightsUpdate::Progress(progress.clone())))
        .await;
    let (ev_tx, mut ev_rx) = mpsc::channel(64);
    let permits = Arc::new(Semaphore::new(limits.parallel.max(1)));
    for (i, chunk) in chunks.into_iter().enumerate() {
        let (src, ev_tx, permits, cancel) =
            (src.clone(), ev_tx.clone(), permits.clone(), cancel.clone());
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let outcome = run_chunk(&*src, i, chunk, range, limits, &ev_tx, cancel).await;
            let _ = ev_tx.send(ChunkEvent::Finished { outcome }).await;
        });
    }
    drop(ev_tx);
    let mut scanned: HashMap<usize, (f64, f64)> = HashMap::new();
    let mut stats = HashMap::new();
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    while let Some(ev) = ev_rx.recv().await {
        match ev {
            ChunkEvent::Scanned {
                chunk,
                bytes,
                records,
            } => {
                scanned.insert(chunk, (bytes, records));
            }
            ChunkEvent::Finished { outcome } => {
                progress.done += 1;
                stats.extend(outcome.stats);
                errors.extend(outcome.errors);
                missing.extend(outcome.missing);
            }
        }
        progress.bytes_scanned = scanned.values().map(|v| v.0).sum();
        progress.records_matched = scanned.values().map(|v| v.1).sum();
        let _ = tx
            .send(Update::Insights(InsightsUpdate::Progress(progress.clone())))
            .await;
    }
    let cancelled = *cancel.borrow();
    let _ = tx
        .send(Update::Insights(InsightsUpdate::Done {
            at: Utc::now(),
            progress,
            stats,
            errors,
            missing,
            cancelled,
        }))
        .await;
}

/// One chunk of at most 50 groups, split when a group is missing.
async fn run_chunk<S: Logs>(
    src: &S,
    chunk: usize,
    groups: Vec<LogGroup>,
    range: TimeRange,
    limits: RunLimits,
    ev: &mpsc::Sender<ChunkEvent>,
    cancel: watch::Receiver<bool>,
) -> ChunkOutcome {
    let mut out = ChunkOutcome::default();
    let mut work = vec![groups];
    // Each split halves a list: bounded by 2·50 lists per chunk.
    for _ in 0..(2 * MAX_GROUPS_PER_QUERY) {
        let Some(groups) = work.pop() else { break };
        match run_one(src, chunk, &groups, range, limits, ev, cancel.clone()).await {
            Ok(s) => out.stats.extend(s),
            Err(SourceError::NotFound { .. }) if groups.len() > 1 => {
                let (a, b) = groups.split_at(groups.len() / 2);
                work.push(a.to_vec());
                work.push(b.to_vec());
            }
            Err(SourceError::NotFound { .. }) => out.missing.extend(groups),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

async fn run_one<S: Logs>(
    src: &S,
    chunk: usize,
    groups: &[LogGroup],
    range: TimeRange,
    limits: RunLimits,
    ev: &mpsc::Sender<ChunkEvent>,
    mut cancel: watch::Receiver<bool>,
) -> Result<HashMap<LogGroup, ReportStats>, SourceError> {
    if *cancel.borrow() {
        return Ok(HashMap::new());
    }
    let id = src.start_query(groups, range, FLEET_QUERY).await?;
    let polls = (limits.max_wait.as_millis() / limits.poll_every.as_millis().max(1)).max(1);
    for _ in 0..polls {
        let cancelled = tokio::select! {
            _ = tokio::time::sleep(limits.poll_every) => false,
            r = cancel.wait_for(|c| *c) => r.is_ok(),
        };
        if !cancelled && cancel.has_changed().is_err() {
            // The canceller is gone: nothing can cancel any more; keep pacing.
            tokio::time::sleep(limits.poll_every).await;
        }
        if cancelled {
            let _ = src.stop_query(&id).await;
            return Ok(HashMap::new());
        }
        let poll = src.query_results(&id).await?;
        let _ = ev
            .send(ChunkEvent::Scanned {
                chunk,
                bytes: poll.bytes_scanned,
                records: poll.records_matched,
            })
            .await;
        match poll.status {
            Some(s) if s.is_done() => {
                use crate::model::insights_query::QueryStatus;
                return match s {
                    QueryStatus::Complete => Ok(placed(parse_rows(&poll.rows), groups)),
                    other => Err(SourceError::Service {
                        api: "logs:GetQueryResults".into(),
                        message: format!("Logs Insights query ended {other:?}"),
                    }),
                };
            }
            _ => {}
        }
    }
    let _ = src.stop_query(&id).await;
    Err(SourceError::Service {
        api: "logs:GetQueryResults".into(),
        message: format!(
            "Logs Insights query did not finish within {}s; stopped",
            limits.max_wait.as_secs()
        ),
    })
}

/// The statistics of one query's rows, keyed by group in the region of
/// the query's groups.
fn placed(
    by_name: HashMap<String, ReportStats>,
    groups: &[LogGroup],
) -> HashMap<LogGroup, ReportStats> {
    let first = groups.first().cloned().unwrap_or_default();
    by_name
        .into_iter()
        .map(|(name, s)| {
            let group = LogGroup {
                name,
                ..first.clone()
            };
            (group, s)
        })
        .collect()
}

#[cfg(test)]
mod tests;
