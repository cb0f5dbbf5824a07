//! ListMetrics: which functions publish the signal metrics, so only they
//! get those queries in the metrics refresh.

use super::errors::map_err;
use super::{AwsSource, all_pages};
use crate::model::id::FunctionId;
use crate::model::metrics::MetricKind;
use crate::model::signals::{Discovery, SIGNAL_KINDS};
use crate::source::SourceError;
use crate::source::multi::fanout::join_all;
use aws_sdk_cloudwatch::types::{Metric, RecentlyActive};

const API: &str = "cloudwatch:ListMetrics";

impl AwsSource {
    /// Every function (and alias) publishing `kind` in the last 3 hours.
    async fn list_metric(&self, kind: MetricKind) -> Result<Vec<Metric>, SourceError> {
        all_pages(|token| async move {
            let page = self
                .cloudwatch
                .list_metrics()
                .namespace("AWS/Lambda")
                .metric_name(kind.cloudwatch_name())
                .recently_active(RecentlyActive::Pt3H)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| map_err(API, e))?;
            Ok((page.metrics().to_vec(), page.next_token().map(String::from)))
        })
        .await
    }

    /// [`crate::source::Metrics::discover_signals`]: one paged ListMetrics
    /// per signal metric, all at once. A metric that fails is left out
    /// (logged); only when every one fails is the discovery an error.
    pub(super) async fn discover(&self) -> Result<Discovery, SourceError> {
        let results =
            join_all(SIGNAL_KINDS.map(|k| async move { (k, self.list_metric(k).await) })).await;
        let mut found = Discovery::default();
        let mut first_err = None;
        let mut any_ok = false;
        for (kind, result) in results {
            match result {
                Ok(metrics) => {
                    any_ok = true;
                    for m in &metrics {
                        add(&mut found, kind, m);
                    }
                }
                Err(e) => {
                    tracing::warn!(metric = kind.cloudwatch_name(), error = %e, "ListMetrics failed");
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) if !any_ok => Err(e),
            _ => Ok(found),
        }
    }
}

/// Records one listed metric: its `FunctionName`, and its `Resource` when
/// it is an alias's or version's.
fn add(found: &mut Discovery, kind: MetricKind, m: &Metric) {
    let dim = |name: &str| {
        m.dimensions()
            .iter()
            .find(|d| d.name() == Some(name))
            .and_then(|d| d.value())
    };
    if let Some(f) = dim("FunctionName") {
        found.add(kind, FunctionId::new(f), dim("Resource"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::aws::tests::mock_cloudwatch_any;
    use aws_sdk_cloudwatch::operation::list_metrics::{ListMetricsError, ListMetricsOutput};
    use aws_sdk_cloudwatch::types::Dimension;
    use aws_smithy_mocks::mock;

    fn metric(name: &str, dims: &[(&str, &str)]) -> Metric {
        let mut m = Metric::builder().namespace("AWS/Lambda").metric_name(name);
        for (k, v) in dims {
            m = m.dimensions(Dimension::builder().name(*k).value(*v).build());
        }
        m.build()
    }

    /// ListMetrics is asked per metric name for the last 3 hours, every
    /// page followed; a function's alias dimension is kept as its
    /// qualifier; a metric that fails (denied) leaves the others.
    #[tokio::test]
    async fn discovery_pages_keeps_aliases_and_survives_one_failure() {
        let asks = |name: &'static str, token: Option<&'static str>| {
            move |r: &aws_sdk_cloudwatch::operation::list_metrics::ListMetricsInput| {
                r.metric_name() == Some(name)
                    && r.namespace() == Some("AWS/Lambda")
                    && r.recently_active() == Some(&RecentlyActive::Pt3H)
                    && r.next_token() == token
            }
        };
        let iter1 = mock!(aws_sdk_cloudwatch::Client::list_metrics)
            .match_requests(asks("IteratorAge", None))
            .then_output(|| {
                ListMetricsOutput::builder()
                    .metrics(metric("IteratorAge", &[("FunctionName", "consumer")]))
                    .next_token("p2")
                    .build()
            });
        let iter2 = mock!(aws_sdk_cloudwatch::Client::list_metrics)
            .match_requests(asks("IteratorAge", Some("p2")))
            .then_output(|| {
                ListMetricsOutput::builder()
                    .metrics(metric("IteratorAge", &[("FunctionName", "orders")]))
                    .build()
            });
        let pc = mock!(aws_sdk_cloudwatch::Client::list_metrics)
            .match_requests(asks("ProvisionedConcurrencyUtilization", None))
            .then_output(|| {
                ListMetricsOutput::builder()
                    .metrics(metric(
                        "ProvisionedConcurrencyUtilization",
                        &[("FunctionName", "api"), ("Resource", "api:live")],
                    ))
                    .metrics(metric(
                        "ProvisionedConcurrencyUtilization",
                        &[("FunctionName", "api")],
                    ))
                    .build()
            });
        let denied = mock!(aws_sdk_cloudwatch::Client::list_metrics)
            .match_requests(asks("DeadLetterErrors", None))
            .then_error(|| ListMetricsError::unhandled("AccessDenied"));
        let empty = mock!(aws_sdk_cloudwatch::Client::list_metrics)
            .then_output(|| ListMetricsOutput::builder().build());
        let src = mock_cloudwatch_any(&[&iter1, &iter2, &pc, &denied, &empty]);
        let d = src.discover().await.unwrap();
        assert!(d.has(MetricKind::IteratorAge, &"consumer".into()));
        assert!(d.has(MetricKind::IteratorAge, &"orders".into()));
        assert_eq!(
            d.resources(MetricKind::ProvisionedConcurrencyUtilization, &"api".into()),
            ["live"]
        );
        assert_eq!(d.len(), 3);
    }

    #[tokio::test]
    async fn discovery_fails_only_when_every_metric_fails() {
        let denied = mock!(aws_sdk_cloudwatch::Client::list_metrics)
            .then_error(|| ListMetricsError::unhandled("AccessDenied"));
        let src = mock_cloudwatch_any(&[&denied]);
        assert!(src.discover().await.is_err());
    }
}
