//! Several profiles as one fleet: each account's own numbers. Concurrency
//! limits and the account-level series belong to one account and are
//! never summed across accounts, so the faces show one line per account
//! (its regions summed, as for one account today).

use super::Store;
use crate::model::function::AccountLimits;
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat};

/// One account of a multi-profile fleet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccountView {
    /// The profile it is read through.
    pub profile: String,
    /// Its id from STS, once known.
    pub account_id: Option<String>,
    /// Its limits, summed over its regions (`None` until read).
    pub limits: Option<AccountLimits>,
    /// Peak concurrency in the window (the account's own series).
    pub concurrency_max: Option<f64>,
    /// Peak claimed concurrency in the window.
    pub claimed_concurrency_max: Option<f64>,
    /// Its functions in scope.
    pub functions: usize,
    /// Invocations, errors and throttles of its functions (`None` when a
    /// function's numbers are missing: a total is only as good as its parts).
    pub invocations: Option<f64>,
    /// See `invocations`.
    pub errors: Option<f64>,
    /// See `invocations`.
    pub throttles: Option<f64>,
    /// What its failing places say (`profile/region: why`).
    pub problems: Vec<String>,
}

impl Store {
    /// One entry per profile, in the order the places were given; empty
    /// with one profile.
    pub fn accounts(&self) -> Vec<AccountView> {
        let mut out: Vec<AccountView> = Vec::new();
        for st in &self.regions {
            let Some(profile) = &st.profile else { continue };
            let i = match out.iter().position(|a| &a.profile == profile) {
                Some(i) => i,
                None => {
                    out.push(self.account_view(profile));
                    out.len() - 1
                }
            };
            let a = &mut out[i];
            a.account_id = a.account_id.take().or_else(|| st.account_id.clone());
            if let Some(l) = st.limits {
                a.limits = Some(a.limits.map_or(l, |have| have.plus(l)));
            }
            if let Some(e) = st.problem() {
                a.problems.push(format!("{}: {e}", st.region));
            }
        }
        out
    }

    /// The numbers of `profile` from the metrics and its functions.
    fn account_view(&self, profile: &str) -> AccountView {
        let series = |k| {
            self.series(&MetricKey::account(k, Stat::Maximum).of_account(profile))
                .and_then(Series::max)
        };
        let mine: Vec<_> = self
            .functions()
            .iter()
            .filter(|f| f.id.account.as_deref() == Some(profile))
            .map(|f| self.function_summary(&f.id))
            .collect();
        let total = |get: fn(&crate::store::FunctionSummary) -> Option<f64>| {
            mine.iter()
                .map(get)
                .try_fold(0.0, |sum, v| v.map(|v| sum + v))
        };
        AccountView {
            profile: profile.to_string(),
            concurrency_max: series(MetricKind::ConcurrentExecutions),
            claimed_concurrency_max: series(MetricKind::ClaimedAccountConcurrency),
            functions: mine.len(),
            invocations: total(|s| s.invocations),
            errors: total(|s| s.errors),
            throttles: total(|s| s.throttles),
            ..AccountView::default()
        }
    }
}
