//! The API budget and the tiered metrics refresh.
//!
//! GetMetricData is billed per metric requested ($0.01 per 1,000), so a
//! refresh of every series of every function costs 9 metrics a function
//! each minute: $5.40/h for 1,000 functions. Most of a large fleet is
//! idle (no invocation in the window), and an idle function's series are
//! known without asking: Lambda publishes nothing for a function that was
//! not invoked. So each refresh is planned in tiers:
//!
//! - **must**: the rows on screen, the function view and the functions a
//!   rule that can fire on a quiet function covers: everything, every
//!   refresh (percentiles for the rows on screen and the function view);
//! - **active**: functions with invocations, errors or throttles in the
//!   window: the six plain series every refresh while the budget allows,
//!   else in turns;
//! - **idle**: one cheap series (`Invocations`) in turns, so that a round
//!   over all of them fits what the budget leaves; a function it finds
//!   awake is read in full at once, in the same refresh ([`Tiers::observe`]).
//!
//! Everything here is pure: the poller keeps a [`Tiers`], asks it for a
//! [`RefreshPlan`] and tells it what came back.

use crate::model::id::FunctionId;
use crate::model::metrics::{
    ACCOUNT_SERIES, FUNCTION_PERCENTILES, FUNCTION_SERIES, MetricKey, MetricKind, MetricQuery,
    Stat, series_period, window_seconds,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// GetMetricData price per metric requested (USD, us-east-1).
pub const PRICE_PER_METRIC: f64 = 0.01 / 1000.0;

/// The default budget for the dashboard's metrics, USD per hour.
pub const DEFAULT_BUDGET_PER_HOUR: f64 = 0.50;

/// The slowest turn of a tier, in refreshes: even past the budget every
/// function is looked at at least this often.
pub const SLOWEST_ROUND: u32 = 30;

/// Plain series per function in full (`metrics::FUNCTION_SERIES`).
pub const FULL_SERIES: usize = 6;

/// Window percentiles per function (`metrics::FUNCTION_PERCENTILES`).
pub const PERCENTILE_SERIES: usize = 3;

/// Queries one GetMetricData call carries.
const ONE_CALL: usize = 500;

/// What the dashboard may spend on metrics: `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// USD per hour; `None` (configured as 0) is no limit.
    pub per_hour: Option<f64>,
    /// The refresh interval.
    pub refresh: Duration,
}

impl Budget {
    /// The metrics one refresh may request; `None` when unlimited.
    pub fn per_refresh(&self) -> Option<usize> {
        let per_hour = self.per_hour?;
        let refreshes = 3600.0 / self.refresh.as_secs_f64().max(1.0);
        Some((per_hour / PRICE_PER_METRIC / refreshes).floor() as usize)
    }
}

/// What an hour of refreshes of `metrics` each costs.
pub fn cost_per_hour(metrics: usize, refresh: Duration) -> f64 {
    metrics as f64 * 3600.0 / refresh.as_secs_f64().max(1.0) * PRICE_PER_METRIC
}

/// What this refresh must cover, from the face and the configuration.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    /// Fresh every refresh, everything (rows on screen, the function
    /// view, functions a rule that can fire when quiet covers).
    pub must: HashSet<FunctionId>,
    /// Window percentiles wanted for these (rows on screen, the view).
    pub percentiles: HashSet<FunctionId>,
    /// Percentiles for every function read in full (the fleet is sorted
    /// by a percentile, or `--once`).
    pub all_percentiles: bool,
    /// Queries besides the per-function ones (account series, the
    /// detail's), which the budget pays first.
    pub extra: usize,
}

/// One refresh: who is read in full, who only checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RefreshPlan {
    /// Read in full (the six plain series).
    pub full: Vec<FunctionId>,
    /// Of `full`, those that also get the window percentiles.
    pub percentiles: Vec<FunctionId>,
    /// Idle functions checked with `Invocations` only.
    pub checked: Vec<FunctionId>,
    /// Active functions outside `must` (read in turns when `active_round > 1`).
    pub active: usize,
    /// Idle functions outside `must`.
    pub idle: usize,
    /// Refreshes one turn over the active functions takes (1: all each time).
    pub active_round: u32,
    /// Refreshes one turn over the idle functions takes.
    pub idle_round: u32,
    /// The budget in USD per hour (`None`: unlimited).
    pub budget_per_hour: Option<f64>,
    /// The functions that must stay fresh alone cost more than the budget.
    pub over_budget: bool,
}

impl RefreshPlan {
    /// Metrics this plan requests for its functions (without the extras).
    pub fn function_metrics(&self) -> usize {
        FULL_SERIES * self.full.len()
            + PERCENTILE_SERIES * self.percentiles.len()
            + self.checked.len()
    }

    /// Whether a tier is read in turns (some numbers on screen are older
    /// than this refresh).
    pub fn slowed(&self) -> bool {
        self.active_round > 1 || self.idle_round > 1
    }

    /// Adds a second pass (functions found awake) to this plan.
    pub fn absorb(&mut self, more: RefreshPlan) {
        self.full.extend(more.full);
        self.percentiles.extend(more.percentiles);
    }
}

/// What the poller knows of each function between refreshes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Known {
    /// Had invocations, errors or throttles in the window when last read.
    active: bool,
    /// When it was last read (in full, or checked).
    at: DateTime<Utc>,
}

/// The poller's memory: which functions are active, and when each was
/// last read, so turns go to the longest unread first.
#[derive(Debug, Clone, Default)]
pub struct Tiers {
    known: HashMap<FunctionId, Known>,
}

impl Tiers {
    /// Plans the next refresh of `fleet` within `budget`. A function never
    /// read is looked at now, whatever the budget: the first refresh sees
    /// every function once — in full when all of them fit one call and the
    /// budget (a small fleet: one pass), else checked, and those found
    /// awake read in full in the second pass.
    pub fn plan(&mut self, fleet: &[FunctionId], needs: &Needs, budget: Budget) -> RefreshPlan {
        let in_fleet: HashSet<&FunctionId> = fleet.iter().collect();
        self.known.retain(|f, _| in_fleet.contains(f));
        let must: Vec<&FunctionId> = fleet.iter().filter(|f| needs.must.contains(*f)).collect();
        let (mut active, mut idle, mut unseen) = (Vec::new(), Vec::new(), Vec::new());
        for f in fleet.iter().filter(|f| !needs.must.contains(*f)) {
            match self.known.get(f) {
                Some(k) if k.active => active.push((k.at, f)),
                Some(k) => idle.push((k.at, f)),
                None => unseen.push(f),
            }
        }
        let wants_p = |f: &FunctionId| needs.all_percentiles || needs.percentiles.contains(f);
        let each_active = FULL_SERIES
            + if needs.all_percentiles {
                PERCENTILE_SERIES
            } else {
                0
            };
        let must_cost = needs.extra
            + must
                .iter()
                .map(|f| FULL_SERIES + if wants_p(f) { PERCENTILE_SERIES } else { 0 })
                .sum::<usize>();
        let (active_share, idle_share, over_budget) = match budget.per_refresh() {
            None => (active.len(), idle.len(), false),
            Some(allowed) => shares(allowed, must_cost, (active.len(), each_active), idle.len()),
        };
        let active_round = turn(active.len(), active_share);
        let idle_round = turn(idle.len(), idle_share);
        let cap = budget.per_refresh().map_or(ONE_CALL, |a| a.min(ONE_CALL));
        let at_once = must_cost + unseen.len() * each_active <= cap;
        let mut plan = RefreshPlan {
            active: active.len(),
            idle: idle.len() + if at_once { 0 } else { unseen.len() },
            active_round,
            idle_round,
            budget_per_hour: budget.per_hour,
            over_budget,
            ..RefreshPlan::default()
        };
        plan.full.extend(must.into_iter().cloned());
        plan.full.extend(oldest(active, active_share));
        plan.checked.extend(oldest(idle, idle_share));
        let first_sight = unseen.into_iter().cloned();
        if at_once {
            plan.full.extend(first_sight);
        } else {
            plan.checked.extend(first_sight);
        }
        plan.percentiles = plan.full.iter().filter(|f| wants_p(f)).cloned().collect();
        plan
    }

    /// Records what a refresh read (`sums`: the window total of each
    /// series that came back) and returns the checked functions found
    /// awake, to be read in full at once. A function whose series failed
    /// keeps its old standing, so it is first in line next time.
    pub fn observe(
        &mut self,
        plan: &RefreshPlan,
        sums: &HashMap<MetricKey, f64>,
        at: DateTime<Utc>,
    ) -> Vec<FunctionId> {
        let sum = |f: &FunctionId, k: MetricKind| sums.get(&MetricKey::function(f, k, Stat::Sum));
        for f in &plan.full {
            let read = [
                MetricKind::Invocations,
                MetricKind::Errors,
                MetricKind::Throttles,
            ]
            .map(|k| sum(f, k));
            if read.iter().all(Option::is_some) {
                let active = read.iter().flatten().any(|v| **v > 0.0);
                self.known.insert(f.clone(), Known { active, at });
            }
        }
        let mut awake = Vec::new();
        for f in &plan.checked {
            match sum(f, MetricKind::Invocations) {
                Some(v) if *v > 0.0 => awake.push(f.clone()),
                Some(_) => {
                    self.known.insert(f.clone(), Known { active: false, at });
                }
                None => {}
            }
        }
        awake
    }

    /// The second pass of a refresh: the functions found awake, in full
    /// (with percentiles where `needs` wants them).
    pub fn plan_awake(awake: Vec<FunctionId>, needs: &Needs) -> RefreshPlan {
        let percentiles = awake
            .iter()
            .filter(|f| needs.all_percentiles || needs.percentiles.contains(*f))
            .cloned()
            .collect();
        RefreshPlan {
            full: awake,
            percentiles,
            ..RefreshPlan::default()
        }
    }
}

/// The queries of `plan` over `window`: the account series (when
/// `with_account`: the first pass of a refresh), the six plain series of
/// each function read in full, the window percentiles where planned, and
/// `Invocations` of each checked function, at the history period.
pub fn plan_queries(plan: &RefreshPlan, window: Duration, with_account: bool) -> Vec<MetricQuery> {
    let period_s = series_period(window);
    let whole = window_seconds(window);
    let q = |key: MetricKey, period_s: u32| MetricQuery { key, period_s };
    let mut out = Vec::with_capacity(plan.function_metrics() + ACCOUNT_SERIES.len());
    if with_account {
        out.extend(
            ACCOUNT_SERIES
                .iter()
                .map(|&(k, s)| q(MetricKey::account(k, s), period_s)),
        );
    }
    for f in &plan.full {
        out.extend(
            FUNCTION_SERIES
                .iter()
                .map(|&(k, s)| q(MetricKey::function(f, k, s), period_s)),
        );
    }
    for f in &plan.percentiles {
        let p = |s| q(MetricKey::function(f, MetricKind::Duration, s), whole);
        out.extend(FUNCTION_PERCENTILES.iter().map(|&s| p(s)));
    }
    for f in &plan.checked {
        out.push(q(
            MetricKey::function(f, MetricKind::Invocations, Stat::Sum),
            period_s,
        ));
    }
    out
}

/// The window total of each plain sum series a refresh read, what
/// [`Tiers::observe`] decides on.
pub fn window_sums(
    series: &[(MetricKey, crate::model::metrics::Series)],
) -> HashMap<MetricKey, f64> {
    series
        .iter()
        .filter(|(k, _)| {
            k.function.is_some()
                && k.stat == Stat::Sum
                && k.period_s.is_none()
                && k.executed.is_none()
                && k.resource.is_none()
        })
        .map(|(k, s)| (k.clone(), s.sum()))
        .collect()
}

/// How many active functions (`active`: how many, at what cost each)
/// and idle ones a refresh reads within `allowed` metrics after `must`
/// of them: the active tier first (all of it when it fits), keeping at
/// least a slowest turn's share for the idle checks; the idle tier gets
/// the rest, so the budget is spent, not rounded away. The flag says the
/// budget cannot even hold the slowest turns (they are read at that pace).
fn shares(
    allowed: usize,
    must: usize,
    active: (usize, usize),
    idle: usize,
) -> (usize, usize, bool) {
    let (count, each) = active;
    let slowest = |n: usize| n.div_ceil(SLOWEST_ROUND as usize);
    let (active_floor, idle_floor) = (slowest(count), slowest(idle));
    let left = allowed.saturating_sub(must);
    if must > allowed || left < idle_floor + active_floor * each {
        return (active_floor, idle_floor, true);
    }
    let active_share = ((left - idle_floor) / each.max(1)).clamp(active_floor, count);
    let idle_share = (left - active_share * each).clamp(idle_floor, idle);
    (active_share, idle_share, false)
}

/// Refreshes one turn over `count` functions takes at `share` a refresh.
fn turn(count: usize, share: usize) -> u32 {
    if count == 0 {
        return 1;
    }
    let n = count.div_ceil(share.max(1));
    u32::try_from(n).unwrap_or(u32::MAX).clamp(1, SLOWEST_ROUND)
}

/// The `n` functions of a tier read this refresh: the longest unread
/// first (ties in fleet order).
fn oldest<'a>(
    mut tier: Vec<(DateTime<Utc>, &'a FunctionId)>,
    n: usize,
) -> impl Iterator<Item = FunctionId> + 'a {
    tier.sort_by_key(|(at, _)| *at);
    tier.into_iter().take(n).map(|(_, f)| f.clone())
}

#[cfg(test)]
mod tests;
