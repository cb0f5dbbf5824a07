//! The store's read API: the numbers the faces show, derived from the
//! slots (with `None` meaning "n/a"), and the derivations `apply` runs
//! after the inventory or the metrics changed.

use super::{AccountSummary, FunctionSummary, Store};
use crate::message::SourceError;
use crate::model::alarms::Alarm;
use crate::model::function::FunctionInfo;
use crate::model::id::FunctionId;
use crate::model::insight::ReportStats;
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat};
use chrono::{DateTime, Utc};

/// What the dashboard's metrics cost (see [`Store::metrics_spend`]).
#[derive(Debug, Clone, Copy)]
pub struct Spend<'a> {
    /// Metrics requested per refresh.
    pub per_refresh: usize,
    /// USD per hour at the refresh interval.
    pub per_hour: f64,
    /// The tiers behind it, when the refresh was planned.
    pub plan: Option<&'a crate::model::budget::RefreshPlan>,
}

impl Store {
    /// Every alarm: CloudWatch's (relevant to the fleet), then the rules'.
    pub fn all_alarms(&self) -> impl Iterator<Item = &Alarm> {
        self.alarms
            .value
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .chain(&self.rule_alarms)
    }

    /// The alarms breaching now on one function (CloudWatch ALARM or rule
    /// FIRING), to mark it where it is shown.
    pub fn firing_on<'a>(&'a self, id: &'a FunctionId) -> impl Iterator<Item = &'a Alarm> + 'a {
        self.all_alarms()
            .filter(move |a| a.state.is_firing() && a.function.as_ref() == Some(id))
    }

    /// Alarms breaching now (CloudWatch ALARM or rule FIRING).
    pub fn firing_count(&self) -> usize {
        self.all_alarms().filter(|a| a.state.is_firing()).count()
    }

    /// Functions in scope (empty until the inventory arrives).
    pub fn functions(&self) -> &[FunctionInfo] {
        self.inventory.value.as_deref().unwrap_or(&[])
    }

    /// One series of the last good refresh.
    pub fn series(&self, key: &MetricKey) -> Option<&Series> {
        self.metrics.value.as_ref()?.series.get(key)
    }

    /// The account of `id` as shown, with several profiles: its id from
    /// STS once known, else the profile's name; `None` with one profile.
    pub fn account_of(&self, id: &FunctionId) -> Option<String> {
        let profile = id.account.as_ref()?;
        let known = self
            .regions
            .iter()
            .filter(|s| s.profile.as_ref() == Some(profile))
            .find_map(|s| s.account_id.clone());
        Some(known.unwrap_or_else(|| profile.clone()))
    }

    /// Whether the plain numbers of `id` are older than the last refresh
    /// (a tiered refresh reads some functions in turns; one never read
    /// yet counts as behind too).
    pub fn numbers_behind(&self, id: &FunctionId) -> bool {
        self.behind(id, |f| Some(f.numbers))
    }

    /// Whether the window percentiles of `id` are older than the last
    /// refresh (they are read for the rows on screen and the view).
    pub fn percentiles_behind(&self, id: &FunctionId) -> bool {
        self.behind(id, |f| f.percentiles)
    }

    fn behind(
        &self,
        id: &FunctionId,
        read_at: impl Fn(&super::Freshness) -> Option<DateTime<Utc>>,
    ) -> bool {
        let Some(m) = self.metrics.value.as_ref().filter(|m| m.plan.is_some()) else {
            return false;
        };
        let read = m.fresh.get(id).and_then(read_at);
        read.is_none_or(|at| Some(at) < self.metrics.updated_at)
    }

    /// What the dashboard's metrics cost now: the metrics of the last
    /// refresh (and of the function view's detail), per hour at the
    /// refresh interval, with the plan that chose them.
    pub fn metrics_spend(
        &self,
        refresh: std::time::Duration,
        on_screen: Option<&FunctionId>,
    ) -> Option<Spend<'_>> {
        let m = self.metrics.value.as_ref()?;
        let detail = match &self.detail.value {
            Some(d) if Some(&d.function) == on_screen => d.data.requested,
            _ => 0,
        };
        let per_refresh = m.requested + detail;
        Some(Spend {
            per_refresh,
            per_hour: crate::model::budget::cost_per_hour(per_refresh, refresh),
            plan: m.plan.as_ref(),
        })
    }

    /// Why a series is missing, if the endpoint failed it.
    pub fn unavailable(&self, key: &MetricKey) -> Option<&SourceError> {
        self.metrics.value.as_ref()?.unavailable.get(key)
    }

    /// Recomputes the derived numbers after the inventory or metrics changed.
    pub(super) fn derive(&mut self) {
        self.summaries = self
            .functions()
            .iter()
            .map(|f| self.compute_summary(f))
            .collect();
        self.index = self
            .functions()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        self.account_totals = self.compute_account();
        self.derive_warned();
    }

    /// Recomputes which functions carry a warning, as of the last function
    /// list (so the order a key acts on and the order drawn agree).
    pub(super) fn derive_warned(&mut self) {
        let at = self.inventory.updated_at.unwrap_or_else(Utc::now);
        self.warned = self
            .functions()
            .iter()
            .map(|f| !self.warnings_of(f, at).is_empty())
            .collect();
    }

    /// The window numbers of one function (n/a everywhere when unknown).
    pub fn function_summary(&self, id: &FunctionId) -> FunctionSummary {
        self.index
            .get(id)
            .and_then(|i| self.summaries.get(*i))
            .copied()
            .unwrap_or_default()
    }

    /// Functions in scope with their window numbers, in inventory order.
    pub fn functions_with_summaries(
        &self,
    ) -> impl Iterator<Item = (&FunctionInfo, &FunctionSummary)> {
        self.functions().iter().zip(&self.summaries)
    }

    /// The same, with whether each carries a warning (`⚠`), by position:
    /// the fleet's order reads it for every row of every frame.
    pub fn functions_with_warnings(
        &self,
    ) -> impl Iterator<Item = (&FunctionInfo, &FunctionSummary, bool)> {
        self.functions_with_summaries()
            .zip(self.warned.iter().copied().chain(std::iter::repeat(false)))
            .map(|((f, s), w)| (f, s, w))
    }

    /// Length of the last good metrics window (0 before any).
    pub(super) fn window_seconds(&self) -> i64 {
        self.metrics
            .value
            .as_ref()
            .and_then(|m| m.range)
            .map_or(0, |r| r.seconds())
    }

    /// Metric insights of one function (rates, cost, concurrency headroom).
    pub fn insight(&self, f: &FunctionInfo) -> crate::model::insight::Insight {
        let window_s = self.window_seconds();
        let reserved = self.reserved.get(&f.id).and_then(|s| s.value).flatten();
        let limit = self.account.value.and_then(|a| a.concurrency_limit);
        crate::model::insight::insight(
            f,
            &self.function_summary(&f.id),
            window_s,
            &self.prices,
            reserved,
            limit,
        )
    }

    /// A function's latest deploy (`LastModified`), from the inventory.
    pub fn last_deployed(&self, id: &FunctionId) -> Option<DateTime<Utc>> {
        self.index
            .get(id)
            .and_then(|i| self.functions().get(*i))
            .and_then(|f| f.last_modified)
    }

    /// The event source mappings that invoke `id`.
    pub fn event_sources_of<'a>(
        &'a self,
        id: &'a FunctionId,
    ) -> impl Iterator<Item = &'a crate::model::sources::EventSource> + 'a {
        self.event_sources
            .value
            .iter()
            .flatten()
            .filter(move |e| e.function == *id)
    }

    /// The function's async settings and provisioned concurrency, when read.
    pub fn invoke_config_of(&self, id: &FunctionId) -> Option<&crate::message::InvokeConfig> {
        self.invoke_configs.get(id).and_then(|s| s.value.as_ref())
    }

    /// Provisioned environments allocated to the function, when read.
    pub fn provisioned_allocated(&self, id: &FunctionId) -> Option<u32> {
        self.invoke_config_of(id)?.allocated()
    }

    /// What is wrong with `f` besides alarms, as of `now`: a failed state
    /// or update, a mapping whose last poll failed, lost async events or
    /// recursion cuts, a deprecated (or soon) runtime. Any of them marks
    /// the function `⚠` in every face.
    pub fn warnings_of(&self, f: &FunctionInfo, now: DateTime<Utc>) -> Vec<String> {
        let mut out: Vec<String> = f.health.problem().into_iter().collect();
        out.extend(
            self.event_sources_of(&f.id)
                .filter(|e| e.problem().is_some())
                .map(|e| e.describe()),
        );
        out.extend(self.function_summary(&f.id).signals.problem());
        if let Some(d) =
            crate::model::runtimes::deprecation(&f.runtime, now).filter(|d| d.is_flagged())
        {
            out.push(format!("runtime {} {}", f.runtime, d.describe()));
        }
        out.iter()
            .map(|w| crate::model::text::sanitize(w))
            .collect()
    }

    /// The function's versions and aliases, when read.
    pub fn deployments_of(&self, id: &FunctionId) -> Option<&crate::model::versions::Deployments> {
        self.deployments.get(id).and_then(|s| s.value.as_ref())
    }

    /// The version the function's latest deploy published, when known.
    pub fn deploy_version(&self, f: &FunctionInfo) -> Option<String> {
        let d = self.deployments_of(&f.id)?;
        Some(d.version_of(f.last_modified?)?.version.clone())
    }

    /// Before versus after the function's latest deploy, when it falls
    /// inside the metrics window (from the fleet series: no extra call).
    pub fn before_after(&self, f: &FunctionInfo) -> Option<crate::model::deploys::BeforeAfter> {
        let range = self.metrics.value.as_ref()?.range?;
        let s = |kind, stat| self.series(&MetricKey::function(&f.id, kind, stat));
        crate::model::deploys::before_after(
            f.last_modified?,
            range,
            crate::model::deploys::Series4 {
                invocations: s(MetricKind::Invocations, Stat::Sum),
                errors: s(MetricKind::Errors, Stat::Sum),
                throttles: s(MetricKind::Throttles, Stat::Sum),
                duration_avg: s(MetricKind::Duration, Stat::Average),
            },
        )
    }

    /// REPORT statistics of one function, if any were read.
    pub fn report_stats(&self, id: &FunctionId) -> Option<&ReportStats> {
        self.reports.get(id).map(|(_, s)| s)
    }

    /// Fleet totals and account peaks.
    pub fn account_summary(&self) -> AccountSummary {
        self.account_totals
    }

    pub(super) fn compute_summary(&self, f: &FunctionInfo) -> FunctionSummary {
        let get = |k: MetricKind, s: Stat| self.series(&MetricKey::function(&f.id, k, s));
        let invocations_series = get(MetricKind::Invocations, Stat::Sum);
        let invocations = invocations_series.map(Series::sum);
        let errors = get(MetricKind::Errors, Stat::Sum).map(Series::sum);
        let window_value = |s: Stat| get(MetricKind::Duration, s).and_then(Series::last);
        FunctionSummary {
            invocations,
            errors,
            error_rate: match (errors, invocations) {
                (Some(e), Some(i)) if i > 0.0 => Some(e / i),
                _ => None,
            },
            throttles: get(MetricKind::Throttles, Stat::Sum).map(Series::sum),
            duration_avg: get(MetricKind::Duration, Stat::Average)
                .and_then(|s| s.weighted_mean(invocations_series)),
            duration_p50: window_value(Stat::P50),
            duration_p90: window_value(Stat::P90),
            duration_p99: window_value(Stat::P99),
            duration_max: get(MetricKind::Duration, Stat::Maximum).and_then(Series::max),
            concurrency_max: get(MetricKind::ConcurrentExecutions, Stat::Maximum)
                .and_then(Series::max),
            duration_total_ms: get(MetricKind::Duration, Stat::Average)
                .zip(invocations_series)
                .map(|(avg, inv)| avg.weighted_total(inv)),
            cost_per_hour: None,
            signals: crate::model::signals::Signals::of(get, invocations_series),
        }
        .with_cost(f, self.window_seconds(), &self.prices)
    }

    pub(super) fn compute_account(&self) -> AccountSummary {
        let acct = |k| {
            self.series(&MetricKey::account(k, Stat::Maximum))
                .and_then(Series::max)
        };
        let total = |f: fn(&FunctionSummary) -> Option<f64>| {
            let values: Vec<Option<f64>> = self.summaries.iter().map(f).collect();
            // A total is only as good as its parts.
            if self.metrics.value.is_none() || values.iter().any(Option::is_none) {
                None
            } else {
                Some(values.into_iter().flatten().sum())
            }
        };
        AccountSummary {
            concurrency_max: acct(MetricKind::ConcurrentExecutions),
            claimed_concurrency_max: acct(MetricKind::ClaimedAccountConcurrency),
            invocations: total(|s| s.invocations),
            errors: total(|s| s.errors),
            throttles: total(|s| s.throttles),
        }
    }

    /// API calls in the last minute (from the usage samples; since start
    /// when lamtop has run for less than a minute).
    pub fn calls_last_minute(&self, now: DateTime<Utc>) -> Option<u64> {
        self.last_minute(now, |(_, n, _)| *n)
    }

    /// Throttled attempts in the last minute (same rule).
    pub fn throttled_last_minute(&self, now: DateTime<Utc>) -> Option<u64> {
        self.last_minute(now, |(_, _, t)| *t)
    }

    pub(super) fn last_minute(
        &self,
        now: DateTime<Utc>,
        field: impl Fn(&(DateTime<Utc>, u64, u64)) -> u64,
    ) -> Option<u64> {
        let latest = field(self.usage.back()?);
        let cutoff = now - chrono::Duration::seconds(60);
        let base = self
            .usage
            .iter()
            .rev()
            .find(|s| s.0 <= cutoff)
            .map_or(0, &field);
        Some(latest.saturating_sub(base))
    }

    /// Detail series of `function`, if the detail slot holds that function.
    pub fn detail_series(&self, function: &FunctionId, key: &MetricKey) -> Option<&Series> {
        let d = self
            .detail
            .value
            .as_ref()
            .filter(|d| d.function == *function)?;
        d.data.series.get(key)
    }
}
