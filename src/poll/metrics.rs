//! The fleet metrics refresh. The dashboard plans each refresh in tiers
//! within the API budget (`model::budget`): the rows on screen, the
//! function view and the active functions in full, the idle ones checked
//! with one series in turns. Functions a check finds awake are read in
//! full at once, in a second pass, so the refresh reports them fresh.
//! `--once` reads every series of every function.

use super::context::Ctx;
use super::fleet::wait_fleet;
use super::runner::{fetch_classified, outcome_of};
use super::schedule::Outcome;
use crate::message::{DataKind, MetricsFetch, Scope, SourceError, Update};
use crate::model::budget::{Budget, Needs, RefreshPlan, Tiers, plan_queries, window_sums};
use crate::model::function::FunctionInfo;
use crate::model::id::FunctionId;
use crate::model::metrics::{
    ACCOUNT_SERIES, MetricQuery, TimeRange, plan_detail_queries, rule_p99_query, series_period,
};
use crate::model::signals::Discovery;
use crate::source::Source;
use chrono::Utc;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// One planned, batched GetMetricData refresh of the fleet.
pub(super) async fn metrics<S: Source>(c: Arc<Ctx<S>>, scope: Scope) -> Option<Outcome> {
    let functions = wait_fleet(c.fleet_tx.subscribe(), c.cfg.once).await?;
    let discovery = c.discovery().await;
    let needs = needs_of(&c, &scope, &functions, &discovery);
    let budget = Budget {
        per_hour: c.cfg.budget,
        refresh: c.cfg.metrics_every,
    };
    let ids: Vec<FunctionId> = functions.iter().map(|f| f.id.clone()).collect();
    let plan = lock(&c.tiers).plan(&ids, &needs, budget);
    let range = TimeRange::ending_at(Utc::now(), scope.window);
    let read = Read {
        c: &c,
        range,
        window: scope.window,
        functions: &functions,
        discovery: &discovery,
    };
    let call = read.both_passes(plan, &needs);
    let classify = |r: &Result<(MetricsFetch, RefreshPlan), SourceError>| match r {
        Ok((f, _)) if f.failed.iter().any(|(_, e)| e.is_throttling()) => Outcome::Throttled,
        r => outcome_of(r),
    };
    let once = c.cfg.once;
    let wrap = |at, result: Result<(MetricsFetch, RefreshPlan), SourceError>| {
        let (result, plan) = match result {
            Ok((fetch, plan)) => (Ok(fetch), (!once).then_some(plan)),
            Err(e) => (Err(e), None),
        };
        Update::Metrics {
            at,
            range,
            result,
            plan,
        }
    };
    Some(fetch_classified(&c.tx, DataKind::Metrics, call, classify, wrap).await)
}

/// What must be fresh this refresh: with `--once` everything; on the
/// dashboard the rows on screen, the function view and the functions a
/// rule that can fire on a quiet function covers.
fn needs_of<S>(
    c: &Ctx<S>,
    scope: &Scope,
    functions: &[FunctionInfo],
    discovery: &Discovery,
) -> Needs {
    let period = series_period(scope.window);
    let signals = discovery.plan(|_| true, period).len();
    let detail = scope
        .selected
        .as_ref()
        .map_or(0, |f| plan_detail_queries(f, scope.window).len());
    let extra = ACCOUNT_SERIES.len() + signals + detail;
    if c.cfg.once {
        return Needs {
            must: functions.iter().map(|f| f.id.clone()).collect(),
            percentiles: HashSet::new(),
            all_percentiles: true,
            extra,
        };
    }
    let seen: HashSet<FunctionId> = scope
        .on_screen
        .iter()
        .flatten()
        .chain(scope.selected.as_ref())
        .cloned()
        .collect();
    let mut must = seen.clone();
    must.extend(c.cfg.rules.fire_when_quiet(functions));
    Needs {
        must,
        percentiles: seen,
        all_percentiles: scope.sort_by_percentile || scope.on_screen.is_none(),
        extra,
    }
}

/// What both passes of one refresh read with.
struct Read<'a, S> {
    c: &'a Ctx<S>,
    range: TimeRange,
    window: Duration,
    functions: &'a [FunctionInfo],
    discovery: &'a Discovery,
}

impl<S: Source> Read<'_, S> {
    /// The planned pass, then the functions it found awake in full. A
    /// failed second pass is logged and leaves those functions first in
    /// line next refresh; the first pass's numbers still go up.
    async fn both_passes(
        &self,
        mut plan: RefreshPlan,
        needs: &Needs,
    ) -> Result<(MetricsFetch, RefreshPlan), SourceError> {
        let mut fetch = self.pass(&plan, true).await?;
        let awake = lock(&self.c.tiers).observe(&plan, &window_sums(&fetch.series), Utc::now());
        if awake.is_empty() {
            return Ok((fetch, plan));
        }
        let second = Tiers::plan_awake(awake, needs);
        match self.pass(&second, false).await {
            Ok(more) => {
                let sums = window_sums(&more.series);
                lock(&self.c.tiers).observe(&second, &sums, Utc::now());
                fetch.series.extend(more.series);
                fetch.failed.extend(more.failed);
                fetch.calls += more.calls;
                fetch.requested += more.requested;
                plan.absorb(second);
            }
            Err(e) => tracing::warn!(error = %e, "reading the functions that woke up failed"),
        }
        Ok((fetch, plan))
    }

    /// One GetMetricData pass over `plan`, with the rules' p99 series and
    /// the signal metrics of the functions it reads in full.
    async fn pass(&self, plan: &RefreshPlan, first: bool) -> Result<MetricsFetch, SourceError> {
        let mut queries: Vec<MetricQuery> = plan_queries(plan, self.window, first);
        let full: HashSet<&FunctionId> = plan.full.iter().collect();
        for (f, period_s) in self.c.cfg.rules.p99_needs(self.functions) {
            if full.contains(&f) {
                queries.push(rule_p99_query(&f, period_s));
            }
        }
        let period = series_period(self.window);
        queries.extend(self.discovery.plan(|f| full.contains(f), period));
        if queries.is_empty() {
            return Ok(MetricsFetch::default());
        }
        self.c.src.fetch_metrics(self.range, &queries).await
    }
}

/// The tiers, also after a panic elsewhere poisoned the lock (they hold
/// only bookkeeping; the worst case is one refresh planned from it).
fn lock(tiers: &Mutex<Tiers>) -> MutexGuard<'_, Tiers> {
    tiers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
