//! CloudWatch: batched GetMetricData and DescribeAlarms.

use super::errors::map_err;
use super::{AwsSource, PageGuard, to_chrono, to_sdk};
use crate::model::alarms::{Alarm, AlarmKind, AlarmSource, AlarmState};
use crate::model::id::FunctionId;
use crate::model::metrics::{MetricKey, MetricQuery, Series, TimeRange};
use crate::source::{Alarms, Metrics, MetricsFetch, SourceError};
use aws_sdk_cloudwatch::types::{
    AlarmType, CompositeAlarm, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat,
    StatusCode,
};
use std::collections::HashMap;

/// GetMetricData accepts at most this many queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;
/// The least time between two GetMetricData calls of one refresh: at most
/// 10 calls a second, a fifth of the API's quota, so a 5,000-function
/// refresh (91 calls) never bursts into throttling and leaves room for
/// every other client of the account.
pub const MIN_GAP_BETWEEN_CALLS: std::time::Duration = std::time::Duration::from_millis(100);
const LAMBDA_NAMESPACE: &str = "AWS/Lambda";
const API_METRICS: &str = "cloudwatch:GetMetricData";
const API_ALARMS: &str = "cloudwatch:DescribeAlarms";

/// Splits queries into calls: percentiles in batches of their own (an
/// endpoint that cannot compute them then fails only those), at most 500
/// queries per batch, so a refresh costs ceil(plain/500) + ceil(pct/500) calls.
pub fn batches(queries: &[MetricQuery]) -> Vec<Vec<MetricQuery>> {
    let (plain, pct): (Vec<_>, Vec<_>) = queries
        .iter()
        .cloned()
        .partition(|q| !q.key.stat.is_percentile());
    [plain, pct]
        .iter()
        .flat_map(|v| v.chunks(MAX_QUERIES_PER_CALL).map(<[_]>::to_vec))
        .collect()
}

fn to_query(i: usize, q: &MetricQuery) -> MetricDataQuery {
    let kind = q.key.kind;
    let mut metric = Metric::builder()
        .namespace(kind.namespace())
        .metric_name(kind.cloudwatch_name());
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    if let Some(f) = &q.key.function {
        metric = metric.dimensions(dimension(kind.function_dimension(), &f.name));
        if let Some(e) = &q.key.executed {
            metric = metric
                .dimensions(dimension("Resource", &format!("{}:{}", f.name, e.alias)))
                .dimensions(dimension("ExecutedVersion", &e.version));
        } else if let Some(q) = &q.key.resource {
            metric = metric.dimensions(dimension("Resource", &format!("{}:{q}", f.name)));
        }
    }
    MetricDataQuery::builder()
        .id(format!("q{i}"))
        .metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(i32::try_from(q.period_s).unwrap_or(i32::MAX))
                .stat(q.key.stat.cloudwatch_name())
                .build(),
        )
        .return_data(true)
        .build()
}

impl AwsSource {
    /// One batch, all pages. Returns the series per key.
    async fn fetch_batch(
        &self,
        range: TimeRange,
        batch: &[MetricQuery],
        calls: &mut u32,
    ) -> Result<Vec<(MetricKey, Series)>, SourceError> {
        let queries: Vec<_> = batch
            .iter()
            .enumerate()
            .map(|(i, q)| to_query(i, q))
            .collect();
        let mut points: HashMap<String, Vec<(chrono::DateTime<chrono::Utc>, f64)>> = HashMap::new();
        let mut bad: HashMap<String, String> = HashMap::new();
        let mut token: Option<String> = None;
        let mut guard = PageGuard::new();
        loop {
            *calls += 1;
            let out = self
                .cloudwatch
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(to_sdk(range.start))
                .end_time(to_sdk(range.end))
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| map_err(API_METRICS, e))?;
            for r in out.metric_data_results() {
                let Some(id) = r.id() else { continue };
                if matches!(
                    r.status_code(),
                    Some(StatusCode::InternalError) | Some(StatusCode::Forbidden)
                ) {
                    let msg: Vec<_> = r.messages().iter().filter_map(|m| m.value()).collect();
                    bad.insert(id.to_string(), msg.join("; "));
                }
                let entry = points.entry(id.to_string()).or_default();
                entry.extend(
                    r.timestamps()
                        .iter()
                        .zip(r.values())
                        .filter_map(|(t, v)| Some((to_chrono(t)?, *v))),
                );
            }
            match guard.next(out.next_token()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        let mut series = Vec::with_capacity(batch.len());
        for (i, q) in batch.iter().enumerate() {
            let id = format!("q{i}");
            if bad.contains_key(&id) {
                continue;
            }
            let pts = points.remove(&id).unwrap_or_default();
            series.push((q.key.clone(), Series::from_points(range, q.period_s, pts)));
        }
        if let Some((id, msg)) = bad.into_iter().next() {
            tracing::warn!(%id, %msg, "GetMetricData returned an error status for a query");
        }
        Ok(series)
    }
}

impl Metrics for AwsSource {
    async fn fetch_metrics(
        &self,
        range: TimeRange,
        queries: &[MetricQuery],
    ) -> Result<MetricsFetch, SourceError> {
        let mut fetch = MetricsFetch {
            requested: queries.len(),
            ..MetricsFetch::default()
        };
        let mut first_err = None;
        let batches = batches(queries);
        let total = batches.len();
        for (i, batch) in batches.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(MIN_GAP_BETWEEN_CALLS).await;
            }
            match self.fetch_batch(range, &batch, &mut fetch.calls).await {
                Ok(s) => fetch.series.extend(s),
                Err(e) => {
                    tracing::warn!(error = %e, size = batch.len(), "metrics batch failed");
                    fetch
                        .failed
                        .extend(batch.iter().map(|q| (q.key.clone(), e.clone())));
                    first_err.get_or_insert(e);
                }
            }
        }
        // Every batch failed: the refresh as a whole failed.
        if fetch.series.is_empty()
            && total > 0
            && let Some(e) = first_err
        {
            return Err(e);
        }
        Ok(fetch)
    }

    async fn discover_signals(&self) -> Result<crate::model::signals::Discovery, SourceError> {
        self.discover().await
    }
}

fn function_dimension(dims: &[Dimension]) -> Option<String> {
    dims.iter()
        .find(|d| d.name() == Some("FunctionName"))
        .and_then(|d| d.value())
        .map(str::to_string)
}

fn from_metric_alarm(a: &MetricAlarm) -> Alarm {
    // Metric-math alarms carry their metrics in `metrics()`.
    let math_metric = a
        .metrics()
        .iter()
        .filter_map(|q| q.metric_stat().and_then(|s| s.metric()))
        .find(|m| m.namespace() == Some(LAMBDA_NAMESPACE));
    let function = function_dimension(a.dimensions())
        .or_else(|| math_metric.and_then(|m| function_dimension(m.dimensions())))
        .map(FunctionId::new);
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        source: AlarmSource::Cloudwatch,
        kind: AlarmKind::Metric,
        state: AlarmState::from_api(a.state_value().map(|s| s.as_str()).unwrap_or("")),
        function,
        namespace: a
            .namespace()
            .or_else(|| math_metric.and_then(|m| m.namespace()))
            .map(str::to_string),
        metric: a
            .metric_name()
            .or_else(|| math_metric.and_then(|m| m.metric_name()))
            .map(str::to_string),
        since: a.state_updated_timestamp().and_then(to_chrono),
        reason: a.state_reason().unwrap_or_default().to_string(),
        rule: None,
        severity: None,
        value: None,
    }
}

fn from_composite_alarm(a: &CompositeAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        source: AlarmSource::Cloudwatch,
        kind: AlarmKind::Composite,
        state: AlarmState::from_api(a.state_value().map(|s| s.as_str()).unwrap_or("")),
        function: None,
        namespace: None,
        metric: None,
        since: a.state_updated_timestamp().and_then(to_chrono),
        reason: a.state_reason().unwrap_or_default().to_string(),
        rule: a.alarm_rule().map(str::to_string),
        severity: None,
        value: None,
    }
}

impl AwsSource {
    async fn describe_alarms_of(&self, types: &[AlarmType]) -> Result<Vec<Alarm>, SourceError> {
        let mut out = Vec::new();
        let mut token = None;
        let mut guard = PageGuard::new();
        loop {
            let page = self
                .cloudwatch
                .describe_alarms()
                .set_alarm_types(Some(types.to_vec()))
                .max_records(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| map_err(API_ALARMS, e))?;
            out.extend(page.metric_alarms().iter().map(from_metric_alarm));
            out.extend(page.composite_alarms().iter().map(from_composite_alarm));
            match guard.next(page.next_token()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(out)
    }
}

impl Alarms for AwsSource {
    async fn describe_alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        let both = [AlarmType::MetricAlarm, AlarmType::CompositeAlarm];
        match self.describe_alarms_of(&both).await {
            Ok(a) => Ok(a),
            // Some endpoints (the emulator) cannot list composite alarms:
            // metric alarms alone are still worth showing.
            Err(e) if !e.is_throttling() && !matches!(e, SourceError::Denied { .. }) => {
                tracing::warn!(error = %e, "composite alarms unavailable; listing metric alarms only");
                self.describe_alarms_of(&[AlarmType::MetricAlarm]).await
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metrics::{MetricKind, Stat, plan_fleet_queries};
    use crate::source::aws::tests::mock_source;
    use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataError, GetMetricDataOutput};
    use aws_sdk_cloudwatch::types::MetricDataResult;
    use aws_smithy_mocks::mock;
    use std::time::Duration;

    fn range() -> TimeRange {
        TimeRange::ending_at(
            chrono::DateTime::from_timestamp(7_200, 0).unwrap(),
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn batches_respect_the_cap_and_isolate_percentiles() {
        let names: Vec<FunctionId> = (0..120).map(|i| FunctionId::new(format!("f{i}"))).collect();
        let q = plan_fleet_queries(&names, Duration::from_secs(3600), &[]);
        let b = batches(&q);
        // 120·6+2 = 722 plain → 2 calls; 360 percentile → 1 call.
        assert_eq!(
            b.iter().map(|b| b.len()).collect::<Vec<_>>(),
            [500, 222, 360]
        );
        for batch in &b {
            let pct = batch[0].key.stat.is_percentile();
            assert!(batch.iter().all(|q| q.key.stat.is_percentile() == pct));
        }
    }

    #[tokio::test]
    async fn percentile_failure_only_loses_percentiles_and_pages_are_followed() {
        let q = plan_fleet_queries(&["api".into()], Duration::from_secs(3600), &[]);
        let r = range();
        let start = to_sdk(r.start);
        let later = aws_smithy_types::DateTime::from_secs(start.secs() + 60);
        let page1 = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|req| {
                req.next_token().is_none() && req.metric_data_queries().len() == 8
            })
            .then_output(move || {
                GetMetricDataOutput::builder()
                    .metric_data_results(
                        MetricDataResult::builder()
                            .id("q2")
                            .timestamps(start)
                            .values(5.0)
                            .build(),
                    )
                    .next_token("more")
                    .build()
            });
        let page2 = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|req| req.next_token() == Some("more"))
            .then_output(move || {
                GetMetricDataOutput::builder()
                    .metric_data_results(
                        MetricDataResult::builder()
                            .id("q2")
                            .timestamps(later)
                            .values(7.0)
                            .build(),
                    )
                    .build()
            });
        let pct = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|req| {
                req.metric_data_queries().len() == 3
                    && req.metric_data_queries().iter().all(|q| {
                        q.metric_stat()
                            .and_then(|s| s.stat())
                            .is_some_and(|s| s.starts_with('p'))
                            && q.metric_stat().and_then(|s| s.period()) == Some(3600)
                    })
            })
            .then_error(|| GetMetricDataError::unhandled("percentiles unsupported"));
        let src = mock_source(&[], &[&page1, &page2, &pct], &[]);
        let f = src.fetch_metrics(r, &q).await.unwrap();
        assert_eq!(f.calls, 3);
        let inv = f
            .series
            .iter()
            .find(|(k, _)| {
                *k == MetricKey::function(&"api".into(), MetricKind::Invocations, Stat::Sum)
            })
            .map(|(_, s)| s.clone())
            .unwrap();
        assert_eq!(inv.sum(), 12.0);
        assert_eq!(f.failed.len(), 3);
        assert!(f.failed.iter().all(|(k, _)| k.stat.is_percentile()));
    }

    #[tokio::test]
    async fn percentile_values_map_to_their_keys() {
        let q = plan_fleet_queries(&["api".into()], Duration::from_secs(3600), &[]);
        let r = range();
        let start = to_sdk(r.start);
        let plain = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|req| req.metric_data_queries().len() == 8)
            .then_output(|| GetMetricDataOutput::builder().build());
        let pct = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .match_requests(|req| req.metric_data_queries().len() == 3)
            .then_output(move || {
                let res = |id: &str, v: f64| {
                    MetricDataResult::builder()
                        .id(id)
                        .timestamps(start)
                        .values(v)
                        .build()
                };
                GetMetricDataOutput::builder()
                    .metric_data_results(res("q0", 12.5))
                    .metric_data_results(res("q1", 80.0))
                    .metric_data_results(res("q2", 250.0))
                    .build()
            });
        let src = mock_source(&[], &[&plain, &pct], &[]);
        let f = src.fetch_metrics(r, &q).await.unwrap();
        let get = |s: Stat| {
            f.series
                .iter()
                .find(|(k, _)| *k == MetricKey::function(&"api".into(), MetricKind::Duration, s))
                .and_then(|(_, s)| s.last())
        };
        assert_eq!(
            (get(Stat::P50), get(Stat::P90), get(Stat::P99)),
            (Some(12.5), Some(80.0), Some(250.0))
        );
        assert!(f.failed.is_empty());
    }
}
