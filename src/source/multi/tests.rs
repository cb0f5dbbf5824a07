//! Two demo fleets as two regions: functions placed in their region, every
//! call routed to the region its id names, account series summed, statuses
//! kept.

use super::*;
use crate::model::id::Place;
use crate::model::metrics::{MetricKind, Stat, plan_fleet_queries};
use crate::source::demo::DemoSource;
use chrono::TimeZone;
use std::time::Duration;

fn now() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_764_250_000, 0).unwrap()
}

fn two() -> (MultiSource<DemoSource>, DemoSource, DemoSource) {
    let m = MultiSource::new(vec![
        (Place::region("r1"), DemoSource::new(1).at(now())),
        (Place::region("r2"), DemoSource::new(2).at(now())),
    ]);
    (
        m,
        DemoSource::new(1).at(now()),
        DemoSource::new(2).at(now()),
    )
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
        .find(|x| x.id == f.id.clone().placed(&Place::region("r2")))
        .expect("placed in r2");
    assert_eq!(q.log_group, f.log_group);
    assert_eq!(q.log_group_id().region.as_deref(), Some("r2"));

    // Metrics: each region answers for its own functions, with its numbers.
    let window = Duration::from_secs(900);
    let range = TimeRange::ending_at(now(), window);
    let names = [
        f.id.clone().placed(&Place::region("r1")),
        f.id.clone().placed(&Place::region("r2")),
    ];
    let queries = plan_fleet_queries(&names, window, &[]);
    let got = m.fetch_metrics(range, &queries).await.unwrap();
    let key = |n: &FunctionId| MetricKey::function(n, MetricKind::Invocations, Stat::Sum);
    let find = |k: &MetricKey| {
        got.series
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, s)| s.sum())
    };
    let plain_q = plan_fleet_queries([&f.id], window, &[]);
    let want1 = one.fetch_metrics(range, &plain_q).await.unwrap();
    let want2 = two.fetch_metrics(range, &plain_q).await.unwrap();
    let sum_of = |w: &MetricsFetch, k: &MetricKey| {
        w.series.iter().find(|(x, _)| x == k).map(|(_, s)| s.sum())
    };
    assert_eq!(find(&key(&names[0])), sum_of(&want1, &key(&f.id)));
    assert_eq!(find(&key(&names[1])), sum_of(&want2, &key(&f.id)));
    // Account-level series are the sum of the regions'.
    let acct = MetricKey::account(MetricKind::ConcurrentExecutions, Stat::Maximum);
    let a = sum_of(&want1, &acct).unwrap() + sum_of(&want2, &acct).unwrap();
    assert!((find(&acct).unwrap() - a).abs() < 1e-3 * a.max(1.0));

    // Logs route by the group's region.
    let page = m
        .filter_log_events(&LogQuery {
            log_group: q.log_group_id(),
            start: now() - chrono::Duration::minutes(5),
            end: Some(now()),
            filter_pattern: None,
            next_token: None,
        })
        .await
        .unwrap();
    assert!(!page.events.is_empty());
    // A name of no watched region is "not found", not a panic.
    let e = m
        .reserved_concurrency(&"api@mars-1".into())
        .await
        .unwrap_err();
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
async fn a_logs_insights_query_runs_in_the_region_of_its_groups() {
    let (m, _, _) = two();
    let fns = m.list_functions().await.unwrap();
    let groups: Vec<LogGroup> = fns.iter().take(3).map(FunctionInfo::log_group_id).collect();
    assert!(groups.iter().all(|g| g.region.as_deref() == Some("r1")));
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
                .map(|(_, v)| crate::model::insights_query::group_of(v))
        })
        .collect();
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(logs.len(), groups.len(), "{logs:?}");
    assert!(logs.iter().all(|l| names.contains(l)), "{logs:?}");
    // One query never mixes regions: its rows could not say which is which.
    let r2 = fns
        .iter()
        .find(|f| f.id.region.as_deref() == Some("r2"))
        .unwrap();
    let mixed = [groups[0].clone(), r2.log_group_id()];
    let e = m.start_query(&mixed, range, "q").await.unwrap_err();
    assert!(e.to_string().contains("cannot span regions"), "{e}");
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
        (Place::region("r1"), mock_source(&[&ok], &[], &[])),
        (Place::region("r2"), mock_source(&[&bad], &[], &[])),
    ]);
    let fns = m.list_functions().await.unwrap();
    let names: Vec<String> = fns.iter().map(|f| f.id.to_string()).collect();
    assert_eq!(names, ["api@r1"]);
    let st = m.statuses();
    assert!(st[0].error.is_none() && st[0].ok_at.is_some());
    assert!(
        st[1]
            .problem()
            .is_some_and(|e| e.contains("lambda:ListFunctions")),
        "{st:?}"
    );
}

/// Two demo fleets as two profiles in one region, and a third profile
/// that could not be loaded.
fn accounts() -> MultiSource<DemoSource> {
    MultiSource::with_broken(
        vec![
            (
                Place::of("prod", "r1"),
                DemoSource::new(1).at(now()).in_account("111111111111"),
            ),
            (
                Place::of("staging", "r1"),
                DemoSource::new(2).at(now()).in_account("222222222222"),
            ),
        ],
        vec![(
            Place::of("ghost", "r1"),
            "unknown AWS profile 'ghost'".into(),
        )],
    )
}

#[tokio::test]
async fn two_profiles_keep_their_functions_series_and_limits_apart() {
    let m = accounts();
    let fns = m.list_functions().await.unwrap();
    let plain = DemoSource::new(1).at(now()).list_functions().await.unwrap();
    assert_eq!(fns.len(), 2 * plain.len());
    let name = &plain[0].id.name;
    let prod = FunctionId::parse(&format!("{name}@prod/r1"));
    let staging = FunctionId::parse(&format!("{name}@staging/r1"));
    assert!(fns.iter().any(|f| f.id == prod) && fns.iter().any(|f| f.id == staging));
    assert_eq!(prod.to_string(), format!("{name}@prod/r1"));

    // Account series come back once per account, never summed.
    let window = Duration::from_secs(900);
    let range = TimeRange::ending_at(now(), window);
    let queries = plan_fleet_queries([&prod, &staging], window, &[]);
    let got = m.fetch_metrics(range, &queries).await.unwrap();
    let acct = MetricKey::account(MetricKind::ConcurrentExecutions, Stat::Maximum);
    let of = |k: &MetricKey| {
        got.series
            .iter()
            .find(|(x, _)| x == k)
            .map(|(_, s)| s.max())
    };
    assert_eq!(of(&acct), None, "no cross-account total");
    let plain_q = plan_fleet_queries([&FunctionId::new(name.clone())], window, &[]);
    for (seed, profile) in [(1, "prod"), (2, "staging")] {
        let d = DemoSource::new(seed).at(now());
        let w = d.fetch_metrics(range, &plain_q).await.unwrap();
        let want = w
            .series
            .iter()
            .find(|(k, _)| *k == acct)
            .map(|(_, s)| s.max());
        assert!(want.is_some());
        assert_eq!(of(&acct.clone().of_account(profile)), want, "{profile}");
    }

    // Limits: each place keeps its own; there is no total.
    let limits = m.account_limits().await.unwrap();
    assert_eq!(limits.concurrency_limit, None);
    assert_eq!(m.account_id().await.unwrap(), "2 accounts");
    let st = m.statuses();
    let by = |p: &str| st.iter().find(|s| s.profile.as_deref() == Some(p)).unwrap();
    assert_eq!(by("prod").account_id.as_deref(), Some("111111111111"));
    assert_eq!(by("staging").account_id.as_deref(), Some("222222222222"));
    assert!(
        by("prod")
            .limits
            .is_some_and(|l| l.concurrency_limit.is_some())
    );

    // The broken profile: its status says why, a call to it says so too,
    // the others answered.
    assert!(
        by("ghost")
            .problem()
            .is_some_and(|e| e.contains("unknown AWS profile"))
    );
    let ghost = FunctionId::parse(&format!("{name}@ghost/r1"));
    let e = m.reserved_concurrency(&ghost).await.unwrap_err();
    assert!(matches!(e, SourceError::Credentials { .. }), "{e}");
    assert!(by("prod").error.is_none() && by("staging").error.is_none());
    assert_eq!(m.describe().profile.as_deref(), Some("prod,staging,ghost"));
}
