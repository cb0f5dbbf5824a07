//! The fleet error scan: the failure lines of every function that failed
//! in the window (by the metrics lamtop already has, so a quiet function
//! costs no call), read with FilterLogEvents and the failure pattern,
//! folded into occurrences, reported one function at a time.
//!
//! Bounded everywhere: most failing functions first; a function whose
//! errors fit its cap is read in one pass (usually one call), a busier one
//! in slices, newest first, until `per_function` failure lines or
//! `max_pages` pages; the fleet stops at `fleet` failure lines. Every call waits for the shared log rate limiter (the account's
//! FilterLogEvents quota is shared with the log pane and every other tool),
//! and a throttled call is retried a few times, slower. Cancel stops it
//! between two calls.

use crate::message::{ErrorScanUpdate, FunctionScan, Update};
use crate::model::errors::{Coverage, occurrences};
use crate::model::fleet::FunctionSummary;
use crate::model::function::FunctionInfo;
use crate::model::id::{FunctionId, LogGroup};
use crate::model::logs::pattern::FAILURE_PATTERN;
use crate::model::logs::{LogEvent, LogQuery, analyze};
use crate::model::metrics::TimeRange;
use crate::poll::logs::RateLimiter;
use crate::source::{Logs, SourceError};
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// How far a scan reads.
#[derive(Debug, Clone, Copy)]
pub struct ScanLimits {
    /// Failure lines read per function at most (the newest).
    pub per_function: usize,
    /// Failure lines read in the whole fleet at most.
    pub fleet: usize,
    /// FilterLogEvents pages per function at most.
    pub max_pages: usize,
    /// The most slices a busy function's window is read in, newest first.
    pub slices: i32,
    /// Retries of a throttled call.
    pub retries: usize,
}

impl Default for ScanLimits {
    fn default() -> Self {
        Self {
            per_function: 2_000,
            fleet: 20_000,
            max_pages: 40,
            slices: 8,
            retries: 3,
        }
    }
}

/// One function to read.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanTarget {
    /// The function.
    pub function: FunctionId,
    /// Its log group.
    pub log_group: LogGroup,
    /// Its Errors in the window (the order of the scan).
    pub errors: f64,
}

/// The functions worth a scan: those with Errors above zero in the window,
/// by the metrics already fetched (a quiet function costs no call).
pub fn targets_of<'a>(
    functions: impl Iterator<Item = (&'a FunctionInfo, &'a FunctionSummary)>,
) -> Vec<ScanTarget> {
    functions
        .filter_map(|(f, s)| {
            let errors = s.errors.filter(|e| *e > 0.0)?;
            Some(ScanTarget {
                function: f.id.clone(),
                log_group: f.log_group_id(),
                errors,
            })
        })
        .collect()
}

/// Scans `targets` (read most failing first) over `range`, reporting
/// through `tx`. Setting `cancel` to `true` stops it between two calls.
pub async fn run_error_scan<S: Logs + ?Sized>(
    src: Arc<S>,
    mut targets: Vec<ScanTarget>,
    range: TimeRange,
    limits: ScanLimits,
    limiter: Arc<RateLimiter>,
    tx: mpsc::Sender<Update>,
    cancel: watch::Receiver<bool>,
) {
    targets.sort_by(|a, b| {
        b.errors
            .total_cmp(&a.errors)
            .then_with(|| a.function.cmp(&b.function))
    });
    let send = |u| tx.send(Update::Errors(u));
    let _ = send(ErrorScanUpdate::Started {
        range,
        functions: targets.len(),
    })
    .await;
    let mut fleet_left = limits.fleet;
    let mut skipped = 0;
    for t in &targets {
        if *cancel.borrow() {
            break;
        }
        if fleet_left == 0 {
            skipped += 1;
            continue;
        }
        let cap = limits.per_function.min(fleet_left);
        let scan = scan_function(&*src, t, range, limits, cap, &limiter, &cancel).await;
        let failures: usize = scan.occurrences.len();
        fleet_left = fleet_left.saturating_sub(failures);
        let _ = send(ErrorScanUpdate::Function(scan)).await;
    }
    let cancelled = *cancel.borrow();
    let _ = send(ErrorScanUpdate::Done {
        at: Utc::now(),
        cancelled,
        skipped,
    })
    .await;
}

/// The window's slices, newest first.
fn slices(range: TimeRange, n: i32) -> Vec<TimeRange> {
    let n = n.max(1);
    let step = (range.end - range.start) / n;
    (0..n)
        .rev()
        .map(|i| TimeRange {
            start: range.start + step * i,
            end: if i == n - 1 {
                range.end
            } else {
                range.start + step * (i + 1)
            },
        })
        .collect()
}

/// How many slices to read a function's window in: one (one pass, often
/// one call) when its errors fit the cap twice over; else enough that the
/// newest slice likely holds the cap, so the newest failures are the ones
/// read (Errors counts requests; failure lines per request vary).
fn slices_needed(errors: f64, cap: usize, max: i32) -> i32 {
    let cap = cap.max(1) as f64;
    if errors <= cap / 2.0 {
        1
    } else {
        ((2.0 * errors / cap).ceil() as i32).clamp(1, max.max(1))
    }
}

/// Failure lines a function's scan keeps as they were (the incident
/// report's "last failure lines").
pub const RECENT_FAILURES: usize = 20;

/// Reads one function's failure lines, newest slice first, into its
/// occurrences and its newest [`RECENT_FAILURES`] failure lines.
pub async fn scan_function<S: Logs + ?Sized>(
    src: &S,
    t: &ScanTarget,
    range: TimeRange,
    limits: ScanLimits,
    cap: usize,
    limiter: &RateLimiter,
    cancel: &watch::Receiver<bool>,
) -> FunctionScan {
    let mut events: Vec<LogEvent> = Vec::new();
    let (mut calls, mut failures) = (0, 0);
    let mut coverage = Coverage {
        from: range.end,
        truncated: false,
    };
    let mut error = None;
    let n = slices_needed(t.errors, cap, limits.slices);
    'slices: for slice in slices(range, n) {
        let mut token = None;
        loop {
            if calls >= limits.max_pages || failures >= cap || *cancel.borrow() {
                coverage.truncated = true;
                break 'slices;
            }
            let query = LogQuery {
                log_group: t.log_group.clone(),
                start: slice.start,
                end: Some(slice.end),
                filter_pattern: Some(FAILURE_PATTERN.to_string()),
                next_token: token.take(),
            };
            let page = match page(src, &query, limits.retries, limiter, &mut calls).await {
                Ok(p) => p,
                Err(e) => {
                    coverage.truncated = true;
                    error = Some(e);
                    break 'slices;
                }
            };
            failures += page
                .events
                .iter()
                .filter(|e| analyze(&e.message).is_failure())
                .count();
            events.extend(page.events);
            match page.next_token {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        coverage.from = slice.start;
    }
    FunctionScan {
        function: t.function.clone(),
        occurrences: occurrences(&t.function, &events),
        recent_failures: newest_failures(&events),
        coverage,
        events_read: events.len(),
        calls,
        error,
    }
}

/// The newest [`RECENT_FAILURES`] failure lines, oldest first.
fn newest_failures(events: &[LogEvent]) -> Vec<LogEvent> {
    let mut failures: Vec<LogEvent> = events
        .iter()
        .filter(|e| analyze(&e.message).is_failure())
        .cloned()
        .collect();
    failures.sort_by(|a, b| a.timestamp.cmp(&b.timestamp).then(a.id.cmp(&b.id)));
    let cut = failures.len().saturating_sub(RECENT_FAILURES);
    failures.split_off(cut)
}

/// One page, through the limiter; a throttled call is retried (the limiter
/// slowed down) up to `retries` times.
async fn page<S: Logs + ?Sized>(
    src: &S,
    query: &LogQuery,
    retries: usize,
    limiter: &RateLimiter,
    calls: &mut usize,
) -> Result<crate::model::logs::LogPage, SourceError> {
    let mut attempt = 0;
    loop {
        limiter.acquire().await;
        *calls += 1;
        match src.filter_log_events(query).await {
            Err(SourceError::Throttled { .. }) if attempt < retries => {
                limiter.slow_down();
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests;
