//! Several regions as one source (`--region us-east-1,eu-west-1`).
//!
//! Everything above the sources keys functions by [`FunctionId`], and the
//! same function name is common in two regions (one stack, deployed twice).
//! So this source places what its regions hand up in their region
//! (`FunctionId::region`, `LogGroup::region`) and routes every call down to
//! the region an id names; the sources below read only the plain names.
//! Account-level series are summed across regions; alarms and traces are
//! fanned out and merged; a Logs Insights query runs in the region of its
//! groups. Each region keeps its own status (last success, last error),
//! shown per region by the faces. Alarm names, which are not function
//! identities, are shown as `name@region` so two regions' alarms of the
//! same name stay apart.

pub(crate) mod fanout;

pub use crate::message::RegionStatus;
use crate::model::alarms::Alarm;
use crate::model::function::{AccountLimits, FunctionInfo};
use crate::model::id::{FunctionId, LogGroup};
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

/// An alarm name as shown across regions: `name@region`.
fn qualify(name: &str, region: &str) -> String {
    format!("{name}@{region}")
}

/// The regions, each with its own source.
pub struct MultiSource<S> {
    regions: Vec<(String, Arc<S>)>,
    status: Mutex<HashMap<String, RegionStatus>>,
}

impl<S: Source> MultiSource<S> {
    /// One source per region (in the order given).
    pub fn new(regions: Vec<(String, S)>) -> Self {
        let status = regions
            .iter()
            .map(|(r, _)| {
                (
                    r.clone(),
                    RegionStatus {
                        region: r.clone(),
                        ..Default::default()
                    },
                )
            })
            .collect();
        Self {
            regions: regions.into_iter().map(|(r, s)| (r, Arc::new(s))).collect(),
            status: Mutex::new(status),
        }
    }

    fn region(&self, name: &str) -> Option<&S> {
        self.regions
            .iter()
            .find(|(r, _)| r == name)
            .map(|(_, s)| s.as_ref())
    }

    /// The source of the region `what` is in.
    fn route(
        &self,
        region: Option<&str>,
        what: &dyn std::fmt::Display,
        api: &str,
    ) -> Result<&S, SourceError> {
        region
            .and_then(|r| self.region(r))
            .ok_or_else(|| SourceError::NotFound {
                api: api.into(),
                message: format!("'{what}' names no region lamtop is watching"),
            })
    }

    fn record<T>(&self, region: &str, r: &Result<T, SourceError>) {
        let mut st = self.status.lock().unwrap_or_else(|e| e.into_inner());
        let e = st.entry(region.to_string()).or_default();
        e.region = region.to_string();
        match r {
            Ok(_) => {
                e.ok_at = Some(Utc::now());
                e.error = None;
            }
            Err(err) => e.error = Some(err.to_string()),
        }
    }

    /// Every region's status, in the order given.
    pub fn statuses(&self) -> Vec<RegionStatus> {
        let st = self.status.lock().unwrap_or_else(|e| e.into_inner());
        self.regions
            .iter()
            .filter_map(|(r, _)| st.get(r).cloned())
            .collect()
    }

    /// Runs `f` on every region at once; results in region order.
    async fn each<'a, T, F, Fut>(&'a self, f: F) -> Vec<(&'a str, Result<T, SourceError>)>
    where
        F: Fn(&'a S) -> Fut,
        Fut: std::future::Future<Output = Result<T, SourceError>> + 'a,
    {
        let futs = self.regions.iter().map(|(r, s)| {
            let fut = f(s.as_ref());
            async move { (r.as_str(), fut.await) }
        });
        let out = join_all(futs).await;
        for (r, res) in &out {
            self.record(r, res);
        }
        out
    }
}

impl<S: Source> Inventory for MultiSource<S> {
    async fn list_functions(&self) -> Result<Vec<FunctionInfo>, SourceError> {
        let results = self.each(|s| s.list_functions()).await;
        merge(results, |region, mut f| {
            f.id = f.id.placed(region);
            f
        })
    }

    async fn reserved_concurrency(
        &self,
        function: &FunctionId,
    ) -> Result<Option<u32>, SourceError> {
        let region = function.region.as_deref();
        let s = self.route(region, function, "lambda:GetFunctionConcurrency")?;
        s.reserved_concurrency(function).await
    }

    async fn deployments(
        &self,
        function: &FunctionId,
    ) -> Result<crate::model::versions::Deployments, SourceError> {
        let region = function.region.as_deref();
        let s = self.route(region, function, "lambda:ListVersionsByFunction")?;
        s.deployments(function).await
    }

    async fn async_config(
        &self,
        function: &FunctionId,
    ) -> Result<Option<crate::model::invoke::AsyncConfig>, SourceError> {
        let region = function.region.as_deref();
        let s = self.route(region, function, "lambda:GetFunctionEventInvokeConfig")?;
        s.async_config(function).await
    }

    async fn provisioned_configs(
        &self,
        function: &FunctionId,
    ) -> Result<Vec<crate::model::invoke::ProvisionedConfig>, SourceError> {
        let region = function.region.as_deref();
        let s = self.route(region, function, "lambda:ListProvisionedConcurrencyConfigs")?;
        s.provisioned_configs(function).await
    }

    async fn event_sources(&self) -> Result<Vec<crate::model::sources::EventSource>, SourceError> {
        let results = self.each(|s| s.event_sources()).await;
        merge(results, |region, mut e| {
            e.function = e.function.placed(region);
            e
        })
    }

    async fn account_limits(&self) -> Result<AccountLimits, SourceError> {
        let results = self.each(|s| s.account_limits()).await;
        let mut total = AccountLimits::default();
        let mut first_err = None;
        for (_, r) in results {
            match r {
                Ok(l) => {
                    let add = |a: Option<u32>, b: Option<u32>| match (a, b) {
                        (Some(a), Some(b)) => Some(a + b),
                        (a, b) => a.or(b),
                    };
                    total.concurrency_limit = add(total.concurrency_limit, l.concurrency_limit);
                    total.unreserved_concurrency =
                        add(total.unreserved_concurrency, l.unreserved_concurrency);
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) if total.concurrency_limit.is_none() => Err(e),
            _ => Ok(total),
        }
    }

    async fn account_id(&self) -> Result<String, SourceError> {
        match self.regions.first() {
            Some((_, s)) => s.account_id().await,
            None => Err(SourceError::NotFound {
                api: "sts:GetCallerIdentity".into(),
                message: "no region".into(),
            }),
        }
    }
}

impl<S: Source> Metrics for MultiSource<S> {
    async fn fetch_metrics(
        &self,
        range: TimeRange,
        queries: &[MetricQuery],
    ) -> Result<MetricsFetch, SourceError> {
        // Per region: its functions' queries, plus every account-level
        // query (summed below).
        let per_region: Vec<Vec<MetricQuery>> = self
            .regions
            .iter()
            .map(|(region, _)| {
                queries
                    .iter()
                    .filter(|q| match &q.key.function {
                        None => true,
                        Some(f) => f.region.as_deref() == Some(region.as_str()),
                    })
                    .cloned()
                    .collect()
            })
            .collect();
        let results = join_all(
            self.regions
                .iter()
                .zip(&per_region)
                .map(|((r, s), qs)| async move { (r.as_str(), s.fetch_metrics(range, qs).await) }),
        )
        .await;
        let mut out = MetricsFetch::default();
        let mut accounts: HashMap<MetricKey, Series> = HashMap::new();
        let mut first_err = None;
        let mut any_ok = false;
        for ((region, r), qs) in results.into_iter().zip(&per_region) {
            self.record(region, &r);
            let requalify = |mut k: MetricKey| {
                k.function = k.function.map(|f| f.placed(region));
                k
            };
            match r {
                Ok(f) => {
                    any_ok = true;
                    out.calls += f.calls;
                    for (k, s) in f.series {
                        if k.function.is_none() {
                            match accounts.get_mut(&k) {
                                Some(sum) => sum.add(&s),
                                None => {
                                    accounts.insert(k, s);
                                }
                            }
                        } else {
                            out.series.push((requalify(k), s));
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
        for (region, r) in results {
            match r {
                Ok(d) => {
                    any_ok = true;
                    all.merge(d.placed(region));
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
        merge(results, |region, mut a| {
            a.name = qualify(&a.name, region);
            a.function = a.function.map(|f| f.placed(region));
            // Composite rules name alarms of their own region.
            a
        })
    }
}

impl<S: Source> Logs for MultiSource<S> {
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        let group = &query.log_group;
        let s = self.route(group.region.as_deref(), group, "logs:FilterLogEvents")?;
        s.filter_log_events(query).await
    }

    /// A query runs in the region of its groups (rows name a group, not its
    /// region, so one query never mixes regions); the id says which
    /// (`region=id`).
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
        if let Some(other) = log_groups.iter().find(|g| g.region != first.region) {
            return Err(SourceError::Service {
                api: "logs:StartQuery".into(),
                message: format!(
                    "one Logs Insights query cannot span regions ('{first}' and '{other}')"
                ),
            });
        }
        let region = first.region.as_deref();
        let s = self.route(region, first, "logs:StartQuery")?;
        let id = s.start_query(log_groups, range, query).await?;
        Ok(format!("{}={id}", region.unwrap_or_default()))
    }

    async fn query_results(&self, query_id: &str) -> Result<QueryPoll, SourceError> {
        let mut out = QueryPoll {
            status: Some(QueryStatus::Complete),
            ..Default::default()
        };
        for part in query_id.split(';').filter(|p| !p.is_empty()) {
            let (region, id) = part.split_once('=').unwrap_or(("", part));
            let Some(s) = self.region(region) else {
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
            if let Some((region, id)) = part.split_once('=')
                && let Some(s) = self.region(region)
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
        let s = self.route(f.region.as_deref(), f, "xray:GetTraceSummaries")?;
        s.trace_summaries(query).await
    }

    /// Trace ids are global: ask every region, keep what is found.
    async fn batch_get_traces(&self, ids: &[String]) -> Result<Vec<RawTrace>, SourceError> {
        let results = self.each(|s| s.batch_get_traces(ids)).await;
        merge(results, |_, t| t)
    }
}

impl<S: Source> Source for MultiSource<S> {
    fn describe(&self) -> SourceInfo {
        let first = self.regions.first().map(|(_, s)| s.describe());
        SourceInfo {
            region: self
                .regions
                .iter()
                .map(|(r, _)| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
            profile: first.as_ref().and_then(|i| i.profile.clone()),
            demo: first.is_some_and(|i| i.demo),
        }
    }

    fn api_calls(&self) -> u64 {
        self.regions.iter().map(|(_, s)| s.api_calls()).sum()
    }

    fn throttled_calls(&self) -> u64 {
        self.regions.iter().map(|(_, s)| s.throttled_calls()).sum()
    }

    fn region_statuses(&self) -> Vec<RegionStatus> {
        self.statuses()
    }
}

#[cfg(test)]
mod tests;
