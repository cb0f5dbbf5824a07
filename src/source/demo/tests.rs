//! Tests of the parent module: the demo answers every metric query, idle
//! functions stay empty, and alarms and logs exist.

use super::*;
use crate::model::metrics::{MetricKey, MetricKind, Stat, plan_fleet_queries};
use crate::source::{Alarms, Metrics};

fn demo() -> DemoSource {
    DemoSource::new(7).at(DateTime::from_timestamp(1_800_000_000, 0).unwrap())
}

#[tokio::test]
async fn metrics_cover_every_query_and_idle_is_empty() {
    let d = demo();
    let fns = d.list_functions().await.unwrap();
    let window = Duration::from_secs(3600);
    let q = plan_fleet_queries(fns.iter().map(|f| &f.id), window, &[]);
    let range = TimeRange::ending_at(d.now(), window);
    let f = d.fetch_metrics(range, &q).await.unwrap();
    assert_eq!(f.series.len(), q.len());
    let get = |n: &str, k, s| {
        f.series
            .iter()
            .find(|(key, _)| *key == MetricKey::function(&n.into(), k, s))
            .map(|(_, s)| s.clone())
            .unwrap()
    };
    assert_eq!(
        get("legacy-cron", MetricKind::Invocations, Stat::Sum).sum(),
        0.0
    );
    assert!(get("orders-api", MetricKind::Invocations, Stat::Sum).sum() > 10_000.0);
    assert!(get("thumbnailer", MetricKind::Throttles, Stat::Sum).sum() >= 0.0);
    let acct = f
        .series
        .iter()
        .find(|(k, _)| *k == MetricKey::account(MetricKind::ConcurrentExecutions, Stat::Maximum))
        .unwrap();
    assert!(acct.1.max().unwrap() > 1.0);
}

#[tokio::test]
async fn alarms_and_logs_exist() {
    let d = demo();
    let alarms = d.describe_alarms().await.unwrap();
    assert_eq!(alarms.len(), 3);
    let page = d
        .filter_log_events(&LogQuery {
            log_group: "/aws/lambda/orders-api".into(),
            start: d.now() - chrono::Duration::minutes(2),
            end: None,
            filter_pattern: None,
            next_token: None,
        })
        .await
        .unwrap();
    assert!(
        page.events
            .iter()
            .any(|e| e.message.starts_with("REPORT RequestId:"))
    );
}
