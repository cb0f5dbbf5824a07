//! Two demo fleets as two regions: names qualified, every call routed to
//! its region with the plain name, account series summed, statuses kept.

use super::*;
use crate::model::metrics::{MetricKind, Stat, plan_fleet_queries};
use crate::source::demo::DemoSource;
use chrono::TimeZone;
use std::time::Duration;

fn now() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_764_250_000, 0).unwrap()
}

fn two() -> (MultiSource<DemoSource>, DemoSource, DemoSource) {
    let m = MultiSource::new(vec![
        ("r1".to_string(), DemoSource::new(1).at(now())),
        ("r2".to_string(), DemoSource::new(2).at(now())),
    ]);
    (
        m,
        DemoSource::new(1).at(now()),
        DemoSource::new(2).at(now()),
    )
}

#[test]
fn names_split_and_qualify() {
    assert_eq!(qualify("api", "eu-west-1"), "api@eu-west-1");
    assert_eq!(split("api@eu-west-1"), ("api", Some("eu-west-1")));
    assert_eq!(split("api"), ("api", None));
}

#[tokio::test]
async fn fleets_merge_and_calls_route_to_their_region() {
    let (m, one, two) = two();
    let fns = m.list_functions().await.unwrap();
    let plain1 = one.list_functions().await.unwrap();
    assert_eq!(fns.len(), 2 * plain1.len());
    let f = &plain1[0];
    let q = fns
        .iter()
        .find(|x| x.name == format!("{}@r2", f.name))
        .expect("qualified name");
    assert_eq!(q.log_group, format!("{}@r2", f.log_group));

    // Metrics: each region answers for its own functions, with its numbers.
    let window = Duration::from_secs(900);
    let range = TimeRange::ending_at(now(), window);
    let names: Vec<String> = vec![format!("{}@r1", f.name), format!("{}@r2", f.name)];
    let queries = plan_fleet_queries(names.iter().map(String::as_str), window, &[]);
    let got = m.fetch_metrics(range, &queries).await.unwrap();
    let key = |n: &str| MetricKey::function(n, MetricKind::Invocations, Stat::Sum);
    let find = |k: &MetricKey| {
        got.series
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, s)| s.sum())
    };
    let plain_q = plan_fleet_queries([f.name.as_str()], window, &[]);
    let want1 = one.fetch_metrics(range, &plain_q).await.unwrap();
    let want2 = two.fetch_metrics(range, &plain_q).await.unwrap();
    let sum_of = |w: &MetricsFetch, k: &MetricKey| {
        w.series.iter().find(|(x, _)| x == k).map(|(_, s)| s.sum())
    };
    assert_eq!(find(&key(&names[0])), sum_of(&want1, &key(&f.name)));
    assert_eq!(find(&key(&names[1])), sum_of(&want2, &key(&f.name)));
    // Account-level series are the sum of the regions'.
    let acct = MetricKey::account(MetricKind::ConcurrentExecutions, Stat::Maximum);
    let a = sum_of(&want1, &acct).unwrap() + sum_of(&want2, &acct).unwrap();
    assert!((find(&acct).unwrap() - a).abs() < 1e-3 * a.max(1.0));

    // Logs route by the qualified group.
    let page = m
        .filter_log_events(&LogQuery {
            log_group: q.log_group.clone(),
            start: now() - chrono::Duration::minutes(5),
            end: Some(now()),
            filter_pattern: None,
            next_token: None,
        })
        .await
        .unwrap();
    assert!(!page.events.is_empty());
    // A name of no watched region is "not found", not a panic.
    let e = m.reserved_concurrency("api@mars-1").await.unwrap_err();
    assert!(e.to_string().contains("no region"), "{e}");
    let st = m.statuses();
    assert_eq!(st.len(), 2);
    assert!(st.iter().all(|s| s.ok_at.is_some() && s.error.is_none()));
    let limits = m.account_limits().await.unwrap();
    let one_limit = one
        .account_limits()
        .await
        .unwrap()
        .concurrency_limit
        .unwrap();
    assert_eq!(limits.concurrency_limit, Some(2 * one_limit));
    assert_eq!(m.describe().region, "r1,r2");
}

#[tokio::test]
async fn logs_insights_queries_split_by_region_and_merge() {
    let (m, one, _) = two();
    let fns = m.list_functions().await.unwrap();
    let groups: Vec<String> = fns.iter().take(3).map(|f| f.log_group.clone()).collect();
    let range = TimeRange::ending_at(now(), Duration::from_secs(900));
    let id = m.start_query(&groups, range, "q").await.unwrap();
    assert!(id.starts_with("r1="), "{id}");
    let poll = m.query_results(&id).await.unwrap();
    assert_eq!(poll.status, Some(QueryStatus::Complete));
    let logs: Vec<&str> = poll
        .rows
        .iter()
        .flat_map(|r| {
            r.iter()
                .filter(|(k, _)| k == "@log")
                .map(|(_, v)| v.as_str())
        })
        .collect();
    assert!(logs.iter().all(|l| l.ends_with("@r1")), "{logs:?}");
    assert_eq!(
        logs.len(),
        groups.iter().filter(|g| g.ends_with("@r1")).count()
    );
    let _ = one;
}

#[tokio::test]
async fn a_failing_region_keeps_the_others_and_says_why() {
    use crate::source::aws::tests::mock_source;
    use aws_sdk_lambda::operation::list_functions::{ListFunctionsError, ListFunctionsOutput};
    use aws_sdk_lambda::types::FunctionConfiguration;
    use aws_smithy_mocks::mock;
    let ok = mock!(aws_sdk_lambda::Client::list_functions).then_output(|| {
        ListFunctionsOutput::builder()
            .functions(
                FunctionConfiguration::builder()
                    .function_name("api")
                    .build(),
            )
            .build()
    });
    let bad = mock!(aws_sdk_lambda::Client::list_functions)
        .then_error(|| ListFunctionsError::unhandled("region is down"));
    let m = MultiSource::new(vec![
        ("r1".to_string(), mock_source(&[&ok], &[], &[])),
        ("r2".to_string(), mock_source(&[&bad], &[], &[])),
    ]);
    let fns = m.list_functions().await.unwrap();
    let names: Vec<&str> = fns.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["api@r1"]);
    let st = m.statuses();
    assert!(st[0].error.is_none() && st[0].ok_at.is_some());
    assert!(
        st[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("lambda:ListFunctions")),
        "{st:?}"
    );
}
