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
