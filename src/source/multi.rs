//! Several regions, several accounts, or both, as one source
//! (`--region us-east-1,eu-west-1`, `--profile prod,staging`).
//!
//! Everything above the sources keys functions by [`FunctionId`], and the
//! same function name is common in two regions or accounts (one stack,
//! deployed twice). So this source places what each of its places (a
//! region, or a profile and region) hands up there (`FunctionId::region`
//! and `account`, the same on `LogGroup`) and routes every call down to
//! the place an id names; the sources below read only the plain names.
//! Account-level series are summed across the regions of one account and
//! never across accounts; so are the concurrency limits. Alarms and traces
//! are fanned out and merged; a Logs Insights query runs in the place of
//! its groups. Each place keeps its own status (last success, last error,
//! its account id and limits), shown per place by the faces; a profile
//! that could not even be loaded is a place that fails every call, so the
//! others keep working. Alarm names, which are not function identities,
//! are shown as `name@place` so two places' alarms of the same name stay
//! apart.

pub(crate) mod fanout;

pub use crate::message::RegionStatus;
use crate::model::alarms::Alarm;
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::{FunctionId, LogGroup, Place};
use crate::model::insights_query::{QueryPoll, QueryStatus};
use crate::model::logs::{LogPage, LogQuery};
use crate::model::metrics::{MetricKey, MetricQuery, Series, TimeRange};
use crate::model::traces::{RawTrace, TraceQuery, TraceSummaryPage};
use crate::source::{
    Alarms, Inventory, Logs, Metrics, MetricsFetch, Source, SourceError, SourceInfo, Traces,
};
use chrono::Utc;
use fanout::{join_all, merge};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An alarm name as shown across places: `name@place`.
fn qualify(name: &str, place: &Place) -> String {
    format!("{name}@{place}")
}

/// The places, each with its own source.
pub struct MultiSource<S> {
    places: Vec<(Place, Arc<S>)>,
    /// Profiles that could not be loaded, with why: shown, never called.
    broken: Vec<(Place, String)>,
    status: Mutex<HashMap<Place, RegionStatus>>,
}

impl<S: Source> MultiSource<S> {
    /// One source per place (in the order given).
    pub fn new(places: Vec<(Place, S)>) -> Self {
        Self::with_broken(places, Vec::new())
    }

    /// One source per place, and the places whose profile could not be
    /// loaded (each with the reason), which fail in their status only.
    pub fn with_broken(places: Vec<(Place, S)>, broken: Vec<(Place, String)>) -> Self {
        let status_of = |p: &Place, error: Option<SourceError>| RegionStatus {
            region: p.to_string(),
            profile: p.account.clone(),
            error,
            ..Default::default()
        };
        let mut status: HashMap<Place, RegionStatus> = places
            .iter()
            .map(|(p, _)| (p.clone(), status_of(p, None)))
            .collect();
        for (p, why) in &broken {
            let err = SourceError::Credentials {
                message: why.clone(),
            };
            status.insert(p.clone(), status_of(p, Some(err)));
        }
        Self {
            places: places.into_iter().map(|(p, s)| (p, Arc::new(s))).collect(),
            broken,
            status: Mutex::new(status),
        }
    }

    fn at(&self, place: &Place) -> Option<&S> {
        self.places
            .iter()
            .find(|(p, _)| p == place)
            .map(|(_, s)| s.as_ref())
    }

    /// The source of the place `what` is in.
    fn route(
        &self,
        place: &Place,
        what: &dyn std::fmt::Display,
        api: &str,
    ) -> Result<&S, SourceError> {
        if let Some((_, why)) = self.broken.iter().find(|(p, _)| p == place) {
            return Err(SourceError::Credentials {
                message: why.clone(),
            });
        }
        self.at(place).ok_or_else(|| SourceError::NotFound {
            api: api.into(),
            message: format!("'{what}' names no region or profile lamtop is watching"),
        })
    }

    /// The source of the place shown as `label` (`region`, `profile/region`).
    fn labelled(&self, label: &str) -> Option<&S> {
        self.places
            .iter()
            .find(|(p, _)| p.to_string() == label)
            .map(|(_, s)| s.as_ref())
    }

    /// Whether the places span several accounts (profiles).
    fn several_accounts(&self) -> bool {
        self.places
            .iter()
            .map(|(p, _)| &p.account)
            .chain(self.broken.iter().map(|(p, _)| &p.account))
            .any(Option::is_some)
    }

    fn record<T>(&self, place: &Place, r: &Result<T, SourceError>) {
        self.update(place, |e| match r {
            Ok(_) => {
                e.ok_at = Some(Utc::now());
                e.error = None;
            }
            // An API the endpoint lacks is its pane's business (it says
            // "n/a from this endpoint"), not a failing place.
            Err(err) if err.is_unsupported() => {}
            Err(err) => e.error = Some(err.clone()),
        });
    }

    fn update(&self, place: &Place, f: impl FnOnce(&mut RegionStatus)) {
        let mut st = self.status.lock().unwrap_or_else(|e| e.into_inner());
        let e = st.entry(place.clone()).or_default();
        e.region = place.to_string();
        e.profile = place.account.clone();
        f(e);
    }

    /// Every place's status, in the order given (the broken ones last).
    pub fn statuses(&self) -> Vec<RegionStatus> {
        let st = self.status.lock().unwrap_or_else(|e| e.into_inner());
        self.places
            .iter()
            .map(|(p, _)| p)
            .chain(self.broken.iter().map(|(p, _)| p))
            .filter_map(|p| st.get(p).cloned())
            .collect()
    }

    /// Runs `f` on every place at once; results in place order.
    async fn each<'a, T, F, Fut>(&'a self, f: F) -> Vec<(&'a Place, Result<T, SourceError>)>
    where
        F: Fn(&'a S) -> Fut,
        Fut: std::future::Future<Output = Result<T, SourceError>> + 'a,
    {
        let futs = self.places.iter().map(|(p, s)| {
            let fut = f(s.as_ref());
            async move { (p, fut.await) }
        });
        let out = join_all(futs).await;
        for (p, res) in &out {
            self.record(p, res);
        }
        out
    }
}

impl<S: Source> Inventory for MultiSource<S> {
    async fn list_functions(&self) -> Result<Vec<FunctionInfo>, SourceError> {
        let results = self.each(|s| s.list_functions()).await;
        merge(results, |place, mut f| {
            f.id = f.id.placed(place);
            f
        })
    }

    async fn reserved_concurrency(
        &self,
        function: &FunctionId,
    ) -> Result<Option<u32>, SourceError> {
        let s = self.route(&function.place(), function, "lambda:GetFunctionConcurrency")?;
        s.reserved_concurrency(function).await
    }

    async fn deployments(
        &self,
        function: &FunctionId,
    ) -> Result<crate::model::versions::Deployments, SourceError> {
        let s = self.route(&function.place(), function, "lambda:ListVersionsByFunction")?;
        s.deployments(function).await
    }

    async fn async_config(
        &self,
        function: &FunctionId,
    ) -> Result<Option<crate::model::invoke::AsyncConfig>, SourceError> {
        let s = self.route(
            &function.place(),
            function,
            "lambda:GetFunctionEventInvokeConfig",
        )?;
        s.async_config(function).await
    }

    async fn provisioned_configs(
        &self,
        function: &FunctionId,
    ) -> Result<Vec<crate::model::invoke::ProvisionedConfig>, SourceError> {
        let s = self.route(
            &function.place(),
            function,
            "lambda:ListProvisionedConcurrencyConfigs",
        )?;
        s.provisioned_configs(function).await
    }

    async fn event_sources(&self) -> Result<Vec<crate::model::sources::EventSource>, SourceError> {
        let results = self.each(|s| s.event_sources()).await;
        merge(results, |place, mut e| {
            e.function = e.function.placed(place);
            e
        })
    }

    /// The limits summed over the regions of one account (each place's
    /// kept in its status); with several accounts there is no total: the
    /// faces show each account's.
    async fn account_limits(&self) -> Result<AccountLimits, SourceError> {
        let results = self.each(|s| s.account_limits()).await;
        let mut total = AccountLimits::default();
        let mut first_err = None;
        for (place, r) in results {
            match r {
                Ok(l) => {
                    self.update(place, |e| e.limits = Some(l));
                    total = total.plus(l);
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) if total.concurrency_limit.is_none() => Err(e),
            _ if self.several_accounts() => Ok(AccountLimits::default()),
            _ => Ok(total),
        }
    }

    /// The account id of each place (kept in its status); the one id when
    /// every place is in one account, else how many accounts.
    async fn account_id(&self) -> Result<String, SourceError> {
        let results = self.each(|s| s.account_id()).await;
        let mut ids: Vec<String> = Vec::new();
        let mut first_err = None;
        for (place, r) in results {
            match r {
                Ok(id) => {
                    self.update(place, |e| e.account_id = Some(id.clone()));
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match (ids.len(), first_err) {
            (0, Some(e)) => Err(e),
            (0, None) => Err(SourceError::NotFound {
                api: "sts:GetCallerIdentity".into(),
                message: "no region or profile to ask".into(),
            }),
            (1, _) => Ok(ids.remove(0)),
            (n, _) => Ok(format!("{n} accounts")),
        }
    }
}

impl<S: Source> Metrics for MultiSource<S> {
    async fn fetch_metrics(
        &self,
        range: TimeRange,
        queries: &[MetricQuery],
    ) -> Result<MetricsFetch, SourceError> {
        // Per place: its functions' queries, plus every account-level
        // query of its account (summed over the account's regions below).
        let per_place: Vec<Vec<MetricQuery>> = self
            .places
            .iter()
            .map(|(place, _)| {
                queries
                    .iter()
                    .filter(|q| match &q.key.function {
                        // Asked for every account, or for this one.
                        None => q.key.account.is_none() || q.key.account == place.account,
                        Some(f) => f.place() == *place,
                    })
                    .map(|q| {
                        let mut q = q.clone();
                        q.key.account = None;
                        q
                    })
                    .collect()
            })
            .collect();
        let results = join_all(
            self.places
                .iter()
                .zip(&per_place)
                .map(|((p, s), qs)| async move { (p, s.fetch_metrics(range, qs).await) }),
        )
        .await;
        let mut out = MetricsFetch::default();
        let mut accounts: HashMap<MetricKey, Series> = HashMap::new();
        let mut first_err = None;
        let mut any_ok = false;
        for ((place, r), qs) in results.into_iter().zip(&per_place) {
            self.record(place, &r);
            let requalify = |mut k: MetricKey| {
                match k.function.take() {
                    Some(f) => k.function = Some(f.placed(place)),
                    None => k.account = place.account.clone(),
                }
                k
            };
            match r {
                Ok(f) => {
                    any_ok = true;
                    out.calls += f.calls;
                    out.requested += f.requested.max(qs.len());
                    for (k, s) in f.series {
                        let k = requalify(k);
                        if k.function.is_some() {
                            out.series.push((k, s));
                        } else if let Some(sum) = accounts.get_mut(&k) {
                            sum.add(&s);
                        } else {
                            accounts.insert(k, s);
                        }
                    }
                    out.failed
                        .extend(f.failed.into_iter().map(|(k, e)| (requalify(k), e)));
                }
                Err(e) => {
                    out.failed.extend(
                        qs.iter()
                            .filter(|q| q.key.function.is_some())
                            .map(|q| (requalify(q.key.clone()), e.clone())),
                    );
                    first_err.get_or_insert(e);
                }
            }
        }
        out.series.extend(accounts);
        match (any_ok, first_err) {
            (false, Some(e)) => Err(e),
            _ => Ok(out),
        }
    }

    async fn discover_signals(&self) -> Result<crate::model::signals::Discovery, SourceError> {
        let results = self.each(|s| s.discover_signals()).await;
        let mut all = crate::model::signals::Discovery::default();
        let mut first_err = None;
        let mut any_ok = false;
        for (place, r) in results {
            match r {
                Ok(d) => {
                    any_ok = true;
                    all.merge(d.placed(place));
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match (any_ok, first_err) {
            (false, Some(e)) => Err(e),
            _ => Ok(all),
        }
    }
}

impl<S: Source> Alarms for MultiSource<S> {
    async fn describe_alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        let results = self.each(|s| s.describe_alarms()).await;
        merge(results, |place, mut a| {
            a.name = qualify(&a.name, place);
            a.function = a.function.map(|f| f.placed(place));
            // Composite rules name alarms of their own region.
            a
        })
    }
}

impl<S: Source> Logs for MultiSource<S> {
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        let group = &query.log_group;
        let s = self.route(&Place::of_group(group), group, "logs:FilterLogEvents")?;
        s.filter_log_events(query).await
    }

    /// A query runs in the place of its groups (rows name a group, not its
    /// place, so one query never mixes places); the id says which
    /// (`place=id`).
    async fn start_query(
        &self,
        log_groups: &[LogGroup],
        range: TimeRange,
        query: &str,
    ) -> Result<String, SourceError> {
        let Some(first) = log_groups.first() else {
            return Err(SourceError::NotFound {
                api: "logs:StartQuery".into(),
                message: "a Logs Insights query needs at least one log group".into(),
            });
        };
        let place = Place::of_group(first);
        if let Some(other) = log_groups.iter().find(|g| Place::of_group(g) != place) {
            return Err(SourceError::Service {
                api: "logs:StartQuery".into(),
                message: format!(
                    "one Logs Insights query cannot span regions or accounts ('{first}' and '{other}')"
                ),
            });
        }
        let s = self.route(&place, first, "logs:StartQuery")?;
        let id = s.start_query(log_groups, range, query).await?;
        Ok(format!("{place}={id}"))
    }

    async fn query_results(&self, query_id: &str) -> Result<QueryPoll, SourceError> {
        let mut out = QueryPoll {
            status: Some(QueryStatus::Complete),
            ..Default::default()
        };
        for part in query_id.split(';').filter(|p| !p.is_empty()) {
            let (place, id) = part.split_once('=').unwrap_or(("", part));
            let Some(s) = self.labelled(place) else {
                continue;
            };
            let p = s.query_results(id).await?;
            out.bytes_scanned += p.bytes_scanned;
            out.records_matched += p.records_matched;
            // Running anywhere means running; a failure anywhere wins.
            out.status = match (out.status, p.status) {
                (Some(QueryStatus::Complete), s) => s,
                (s, Some(QueryStatus::Complete)) => s,
                (a, _) => a,
            };
            out.rows.extend(p.rows);
        }
        Ok(out)
    }

    async fn stop_query(&self, query_id: &str) -> Result<(), SourceError> {
        for part in query_id.split(';') {
            if let Some((place, id)) = part.split_once('=')
                && let Some(s) = self.labelled(place)
            {
                let _ = s.stop_query(id).await;
            }
        }
        Ok(())
    }
}

impl<S: Source> Traces for MultiSource<S> {
    async fn trace_summaries(&self, query: &TraceQuery) -> Result<TraceSummaryPage, SourceError> {
        let f = &query.function;
        let s = self.route(&f.place(), f, "xray:GetTraceSummaries")?;
        s.trace_summaries(query).await
    }

    /// Trace ids are global: ask every place, keep what is found.
    async fn batch_get_traces(&self, ids: &[String]) -> Result<Vec<RawTrace>, SourceError> {
        let results = self.each(|s| s.batch_get_traces(ids)).await;
        merge(results, |_, t| t)
    }
}

impl<S: Source> Source for MultiSource<S> {
    fn describe(&self) -> SourceInfo {
        let first = self.places.first().map(|(_, s)| s.describe());
        let mut regions: Vec<String> = Vec::new();
        let mut profiles: Vec<String> = Vec::new();
        for p in self
            .places
            .iter()
            .map(|(p, _)| p)
            .chain(self.broken.iter().map(|(p, _)| p))
        {
            if let Some(r) = &p.region
                && !regions.contains(r)
            {
                regions.push(r.clone());
            }
            if let Some(a) = &p.account
                && !profiles.contains(a)
            {
                profiles.push(a.clone());
            }
        }
        SourceInfo {
            region: regions.join(","),
            profile: if profiles.is_empty() {
                first.as_ref().and_then(|i| i.profile.clone())
            } else {
                Some(profiles.join(","))
            },
            demo: first.is_some_and(|i| i.demo),
        }
    }

    fn api_calls(&self) -> u64 {
        self.places.iter().map(|(_, s)| s.api_calls()).sum()
    }

    fn throttled_calls(&self) -> u64 {
        self.places.iter().map(|(_, s)| s.throttled_calls()).sum()
    }

    fn region_statuses(&self) -> Vec<RegionStatus> {
        self.statuses()
    }
}

#[cfg(test)]
mod tests;
