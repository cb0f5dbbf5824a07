//! A tiered metrics refresh folded into the last one. The series it read
//! replace theirs; an idle function it checked and found quiet gets the
//! empty series a full read would have brought (Lambda publishes nothing
//! for a function that was not invoked); every function keeps when its
//! numbers and percentiles were last read, so a view can tell a number
//! read in turns from a fresh one.

use super::slot::{Freshness, MetricsData};
use crate::message::MetricsFetch;
use crate::model::budget::{RefreshPlan, window_sums};
use crate::model::id::FunctionId;
use crate::model::metrics::{
    FUNCTION_PERCENTILES, FUNCTION_SERIES, MetricKey, MetricKind, Series, Stat, TimeRange,
};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

impl MetricsData {
    /// Folds `fetch` (read as `plan` planned) in, dropping what belongs to
    /// functions no longer in the fleet.
    pub(super) fn merge(
        &mut self,
        range: TimeRange,
        fetch: MetricsFetch,
        plan: RefreshPlan,
        at: DateTime<Utc>,
        in_fleet: impl Fn(&FunctionId) -> bool,
    ) {
        let sums = window_sums(&fetch.series);
        let invocations = |f: &FunctionId| {
            sums.get(&MetricKey::function(f, MetricKind::Invocations, Stat::Sum))
                .copied()
        };
        let full: HashSet<&FunctionId> = plan.full.iter().collect();
        let failed: HashSet<&FunctionId> = fetch
            .failed
            .iter()
            .filter_map(|(k, _)| k.function.as_ref())
            .collect();
        for f in &plan.checked {
            if invocations(f) == Some(0.0) && !full.contains(f) {
                self.fill_quiet(f, range, at);
            }
        }
        for f in plan.full.iter().filter(|f| !failed.contains(f)) {
            let entry = self.fresh.entry(f.clone()).or_insert(Freshness {
                numbers: at,
                percentiles: None,
            });
            entry.numbers = at;
        }
        for f in plan.percentiles.iter().filter(|f| !failed.contains(f)) {
            if let Some(entry) = self.fresh.get_mut(f) {
                entry.percentiles = Some(at);
            }
        }
        self.requested = fetch.requested.max(fetch.series.len() + fetch.failed.len());
        for (k, s) in fetch.series {
            self.unavailable.remove(&k);
            self.series.insert(k, s);
        }
        for (k, e) in fetch.failed {
            self.series.remove(&k);
            self.unavailable.insert(k, e);
        }
        let kept = |k: &MetricKey| k.function.as_ref().is_none_or(&in_fleet);
        self.series.retain(|k, _| kept(k));
        self.unavailable.retain(|k, _| kept(k));
        self.fresh.retain(|f, _| in_fleet(f));
        self.range = Some(range);
        self.calls = fetch.calls;
        self.plan = Some(plan);
    }

    /// What a full read of a function without invocations returns: no
    /// datapoint in any series, percentiles included.
    fn fill_quiet(&mut self, f: &FunctionId, range: TimeRange, at: DateTime<Utc>) {
        let period = crate::model::metrics::series_period(std::time::Duration::from_secs(
            range.seconds().max(60) as u64,
        ));
        let whole = u32::try_from(range.seconds().max(60)).unwrap_or(u32::MAX);
        let empty = |period_s| Series::from_points(range, period_s, std::iter::empty());
        for &(k, s) in FUNCTION_SERIES
            .iter()
            .filter(|(k, _)| *k != MetricKind::Invocations)
        {
            let key = MetricKey::function(f, k, s);
            self.unavailable.remove(&key);
            self.series.insert(key, empty(period));
        }
        for &s in &FUNCTION_PERCENTILES {
            let key = MetricKey::function(f, MetricKind::Duration, s);
            self.unavailable.remove(&key);
            self.series.insert(key, empty(whole));
        }
        self.fresh.insert(
            f.clone(),
            Freshness {
                numbers: at,
                percentiles: Some(at),
            },
        );
    }
}

#[cfg(test)]
mod tests;
