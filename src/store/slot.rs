//! The store's slots: a piece of data with its freshness, and the shapes
//! the slots hold.

use crate::message::{MetricsFetch, Progress, SourceError};
use crate::model::id::{FunctionId, LogGroup};
use crate::model::metrics::{MetricKey, Series, TimeRange};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// A piece of data and its freshness.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot<T> {
    /// The last good value (kept when a later fetch fails).
    pub value: Option<T>,
    /// When the last good value arrived.
    pub updated_at: Option<DateTime<Utc>>,
    /// The error of the latest fetch, if it failed.
    pub last_error: Option<SourceError>,
    /// A fetch is running.
    pub in_flight: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            value: None,
            updated_at: None,
            last_error: None,
            in_flight: false,
        }
    }
}

impl<T> Slot<T> {
    pub(super) fn settle(&mut self, at: DateTime<Utc>, result: Result<T, SourceError>) {
        self.in_flight = false;
        match result {
            Ok(v) => {
                self.value = Some(v);
                self.updated_at = Some(at);
                self.last_error = None;
            }
            Err(e) => self.last_error = Some(e),
        }
    }
}

/// The metrics of the last good refresh.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsData {
    /// The window the series cover.
    pub range: Option<TimeRange>,
    /// Series by key.
    pub series: HashMap<MetricKey, Series>,
    /// Keys the endpoint could not provide, with why (shown as "n/a").
    pub unavailable: HashMap<MetricKey, SourceError>,
    /// GetMetricData calls the refresh cost.
    pub calls: u32,
    /// Metrics the last refresh requested (what it was billed for).
    pub requested: usize,
    /// How the last refresh was planned, when the dashboard read the
    /// fleet in tiers (`None`: every series of every function).
    pub plan: Option<crate::model::budget::RefreshPlan>,
    /// When each function's numbers were last read, under a tiered
    /// refresh (a function read in turns can be older than the slot).
    pub fresh: HashMap<crate::model::id::FunctionId, Freshness>,
}

/// When one function's numbers were read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Freshness {
    /// Its plain series (counts, durations, concurrency).
    pub numbers: DateTime<Utc>,
    /// Its window percentiles, if ever.
    pub percentiles: Option<DateTime<Utc>>,
}

/// Fleet-wide numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct AccountSummary {
    /// Peak account concurrency in the window.
    pub concurrency_max: Option<f64>,
    /// Peak claimed account concurrency.
    pub claimed_concurrency_max: Option<f64>,
    /// Total invocations of the functions in scope.
    pub invocations: Option<f64>,
    /// Total errors.
    pub errors: Option<f64>,
    /// Total throttles.
    pub throttles: Option<f64>,
}

/// The fleet Logs Insights run as the faces show it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InsightsRun {
    /// Queries, groups, bytes scanned so far.
    pub progress: Progress,
    /// Still running.
    pub running: bool,
    /// Stopped by the user.
    pub cancelled: bool,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Queries that failed, with why.
    pub errors: Vec<SourceError>,
    /// Functions that got statistics.
    pub functions_covered: usize,
    /// Log groups that do not exist (functions that never ran).
    pub missing: Vec<LogGroup>,
}

/// Detail metrics of one function.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// The function they belong to.
    pub function: FunctionId,
    /// The series.
    pub data: MetricsData,
}

/// Settles `slot` with `result`; always visible.
pub(super) fn settled<T>(
    slot: &mut Slot<T>,
    at: DateTime<Utc>,
    result: Result<T, SourceError>,
) -> bool {
    slot.settle(at, result);
    true
}

impl MetricsData {
    /// The data of one successful refresh over `range`.
    pub(super) fn of(range: TimeRange, fetch: MetricsFetch) -> Self {
        Self {
            range: Some(range),
            requested: fetch.requested.max(fetch.series.len() + fetch.failed.len()),
            series: fetch.series.into_iter().collect(),
            unavailable: fetch.failed.into_iter().collect(),
            calls: fetch.calls,
            plan: None,
            fresh: HashMap::new(),
        }
    }
}
