//! The incident report: this moment of the fleet as a Markdown file for
//! the incident notes — the alarms, the worst functions, the error groups,
//! and for one function (the open one, the one named, else the worst) its
//! numbers, its deploy and what changed, its groups with samples, its last
//! failure lines, its slowest or failed traces as waterfalls, and the
//! commands that reproduce each piece.
//!
//! One composer serves `lamtop report` and the dashboard's `ctrl-s` /
//! `:report`: it reads only what the store lacks (the function's failures
//! when no scan read them, its traces), through the shared log limiter.
//! Nothing from the environment or the credentials goes into it: the
//! report is made from the snapshot (which holds none) and the function's
//! own log lines and traces.

use super::snapshot::{self, Function, Snapshot};
use crate::model::deploys::BeforeAfter;
use crate::model::errors::Coverage;
use crate::model::function::FunctionInfo;
use crate::model::logs::LogEvent;
use crate::model::metrics::TimeRange;
use crate::model::traces::TraceSummary;
use crate::poll::errors::{ScanLimits, ScanTarget, scan_function};
use crate::poll::logs::RateLimiter;
use crate::source::{Source, SourceInfo};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::watch;

mod document;
mod file;
pub mod run;
#[cfg(test)]
mod tests;

pub use document::render;
pub use file::{Target, write_new};

/// Traces shown as waterfalls.
pub const TRACES_SHOWN: usize = 3;
/// Width of a waterfall in the report.
const WATERFALL_WIDTH: usize = 100;

/// What to report on, and how the reproducing commands are spelled.
#[derive(Debug, Clone)]
pub struct Request {
    /// The function to look into (`name` or `name@region`); `None`: the
    /// worst one.
    pub function: Option<String>,
    /// The report's instant.
    pub now: DateTime<Utc>,
    /// Global flags the commands need (`--demo`, `--region …`, `--profile …`).
    pub flags: Vec<String>,
}

/// Why the focus function is the one reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// Named by the user (or open in the dashboard).
    Named,
    /// The most firing alarms, then a regression after a deploy, then the
    /// most errors, throttles, and p99 ÷ timeout in the window.
    Worst,
}

/// One trace, as the report shows it.
#[derive(Debug, Clone)]
pub struct ShownTrace {
    /// Its summary (duration, fault, error).
    pub summary: TraceSummary,
    /// The text waterfall (`None`: X-Ray no longer has it).
    pub waterfall: Option<String>,
}

/// The function looked into.
#[derive(Debug, Clone)]
pub struct Focus {
    /// Its snapshot entry (numbers, deploy).
    pub function: Function,
    /// Why this one.
    pub chosen: Chosen,
    /// Before versus after its deploy, when the deploy is in the window.
    pub before_after: Option<BeforeAfter>,
    /// Its versions and aliases, or why they could not be read.
    pub deployments: Result<crate::model::versions::Deployments, String>,
    /// The window the report covers.
    pub range: TimeRange,
    /// Its error groups, most occurrences first.
    pub groups: Vec<snapshot::errors::ErrorGroupEntry>,
    /// What the failure read covered.
    pub coverage: Option<Coverage>,
    /// Its newest failure lines, oldest first.
    pub recent: Vec<LogEvent>,
    /// Why its failures could not be read, if so.
    pub failures_error: Option<String>,
    /// Its slowest or failed traces.
    pub traces: Vec<ShownTrace>,
    /// Why its traces could not be read, if so.
    pub traces_error: Option<String>,
}

/// Everything the Markdown shows.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The fleet at this moment.
    pub snapshot: Snapshot,
    /// The function looked into, if any function is there.
    pub focus: Option<Focus>,
    /// How the commands are spelled.
    pub flags: Vec<String>,
    /// The report's instant.
    pub now: DateTime<Utc>,
}

/// The function the report looks into: the one named (an error naming it
/// when it is not in the fleet), else the worst.
pub fn choose<'a>(
    store: &'a Store,
    named: Option<&str>,
) -> Result<Option<(&'a FunctionInfo, Chosen)>, String> {
    let functions = store.functions();
    if let Some(name) = named {
        return functions
            .iter()
            .find(|f| f.id.to_string() == name || f.id.name == name)
            .map(|f| Some((f, Chosen::Named)))
            .ok_or_else(|| {
                format!(
                    "function '{name}' is not in the fleet ({} functions read; check the name, \
                     --region and --functions)",
                    functions.len()
                )
            });
    }
    // What an on-call engineer looks at first: a firing alarm, then a
    // deploy that made it worse, then the most errors, throttles, and the
    // p99 nearest the timeout.
    let key = |f: &FunctionInfo| {
        let s = store.function_summary(&f.id);
        (
            store.firing_on(&f.id).count(),
            store.before_after(f).is_some_and(|b| b.regressed()),
            [
                s.errors.unwrap_or(0.0),
                s.throttles.unwrap_or(0.0),
                s.timeout_ratio(f.timeout_s).unwrap_or(0.0),
            ],
        )
    };
    Ok(functions
        .iter()
        .max_by(|a, b| {
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.cmp(&kb.1))
                .then(ka.2[0].total_cmp(&kb.2[0]))
                .then(ka.2[1].total_cmp(&kb.2[1]))
                .then(ka.2[2].total_cmp(&kb.2[2]))
                .then_with(|| b.id.cmp(&a.id))
        })
        .map(|f| (f, Chosen::Worst)))
}

/// The window the report covers: the metrics', else the last `window`.
fn range_of(store: &Store, now: DateTime<Utc>, window: std::time::Duration) -> TimeRange {
    store
        .metrics
        .value
        .as_ref()
        .and_then(|m| m.range)
        .unwrap_or_else(|| TimeRange::ending_at(now, window))
}

/// Composes the report from `store`, reading what it lacks from `src`:
/// the focus function's failures when no scan read them (folded into the
/// store), and its traces.
pub async fn compose<S: Source>(
    src: Arc<S>,
    store: &mut Store,
    info: &SourceInfo,
    window: std::time::Duration,
    request: &Request,
    limiter: Arc<RateLimiter>,
) -> Result<Incident, String> {
    let range = range_of(store, request.now, window);
    let chosen = choose(store, request.function.as_deref())?.map(|(f, c)| (f.clone(), c));
    let mut failures_error = None;
    if let Some((f, _)) = &chosen
        && store.error_scan.groups.coverage(&f.id).is_none()
    {
        let target = ScanTarget {
            function: f.id.clone(),
            log_group: f.log_group_id(),
            errors: store.function_summary(&f.id).errors.unwrap_or(1.0),
        };
        let limits = ScanLimits::default();
        let (_keep, cancel) = watch::channel(false);
        let scan = scan_function(
            &*src,
            &target,
            range,
            limits,
            limits.per_function,
            &limiter,
            &cancel,
        )
        .await;
        failures_error = scan.error.as_ref().map(ToString::to_string);
        store.add_function_scan(range, scan);
    }
    let snapshot = snapshot::build(store, info, request.now, window.as_secs() as i64, None);
    let focus = match chosen {
        Some((f, how)) => {
            Some(focus_of(&*src, store, &snapshot, &f, how, range, failures_error).await)
        }
        None => None,
    };
    Ok(Incident {
        snapshot,
        focus,
        flags: request.flags.clone(),
        now: request.now,
    })
}

async fn focus_of<S: Source>(
    src: &S,
    store: &Store,
    snapshot: &Snapshot,
    f: &FunctionInfo,
    chosen: Chosen,
    range: TimeRange,
    failures_error: Option<String>,
) -> Focus {
    let shown = f.id.to_string();
    let function = snapshot
        .functions
        .iter()
        .find(|e| shown_name(e) == shown)
        .cloned()
        .expect("the snapshot lists every function of the store");
    let groups = snapshot
        .error_groups
        .iter()
        .filter(|g| g.functions.contains(&shown))
        .cloned()
        .collect();
    let deployments = match store.deployments_of(&f.id) {
        Some(d) => Ok(d.clone()),
        None => crate::poll::deployments_with_shares(src, &f.id, range)
            .await
            .map_err(|e| e.to_string()),
    };
    let (traces, traces_error) = match traces_of(src, f, range).await {
        Ok(t) => (t, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    Focus {
        function,
        chosen,
        before_after: store.before_after(f),
        deployments,
        range,
        groups,
        coverage: store.error_scan.groups.coverage(&f.id),
        recent: store
            .error_scan
            .recent
            .get(&f.id)
            .cloned()
            .unwrap_or_default(),
        failures_error,
        traces,
        traces_error,
    }
}

/// A snapshot entry's name as the store shows it (`name@region` across
/// regions).
fn shown_name(f: &Function) -> String {
    match &f.region {
        Some(r) => format!("{}@{r}", f.name),
        None => f.name.clone(),
    }
}

/// The failed traces first, then the slowest; [`TRACES_SHOWN`] of them.
pub fn pick_traces(mut list: Vec<TraceSummary>) -> Vec<TraceSummary> {
    let failed = |s: &TraceSummary| s.has_fault || s.has_error || s.has_throttle;
    list.sort_by(|a, b| {
        failed(b)
            .cmp(&failed(a))
            .then(
                b.duration_s
                    .unwrap_or(0.0)
                    .total_cmp(&a.duration_s.unwrap_or(0.0)),
            )
            .then_with(|| a.id.cmp(&b.id))
    });
    list.truncate(TRACES_SHOWN);
    list
}

/// The function's slowest or failed traces in the window, with their
/// waterfalls (one BatchGetTraces call for all of them).
async fn traces_of<S: Source>(
    src: &S,
    f: &FunctionInfo,
    range: TimeRange,
) -> Result<Vec<ShownTrace>, String> {
    let list = crate::poll::traces::list_traces(src, &f.id, range)
        .await
        .map_err(|e| e.to_string())?;
    let picked = pick_traces(list.summaries);
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = picked.iter().map(|s| s.id.clone()).collect();
    let raw = src
        .batch_get_traces(&ids)
        .await
        .map_err(|e| e.to_string())?;
    Ok(picked
        .into_iter()
        .map(|summary| {
            let waterfall = raw.iter().find(|t| t.id == summary.id).map(|t| {
                let tree = crate::model::segments::build(&t.id, &t.segments);
                super::trace::waterfall(&tree, WATERFALL_WIDTH, false)
            });
            ShownTrace { summary, waterfall }
        })
        .collect())
}
