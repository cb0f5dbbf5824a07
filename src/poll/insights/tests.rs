//! The fleet Logs Insights run through the real SDK with mocked responses
//! (the emulator ignores `stats`): chunking by 50 groups, polling until
//! complete, progress, cancellation and the time bound.

use super::*;
use crate::model::id::LogGroup;
use crate::source::aws::tests::mock_logs_any;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput;
use aws_sdk_cloudwatchlogs::operation::stop_query::StopQueryOutput;
use aws_sdk_cloudwatchlogs::types::{QueryStatistics, QueryStatus as Status, ResultField};
use aws_smithy_mocks::{Rule, mock};
use chrono::TimeZone;
use std::sync::Mutex;

fn group(i: usize) -> String {
    format!("/aws/lambda/fn-{i:03}")
}

fn range() -> TimeRange {
    TimeRange {
        start: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        end: Utc.timestamp_opt(1_700_003_600, 0).unwrap(),
    }
}

fn field(k: &str, v: String) -> ResultField {
    ResultField::builder().field(k).value(v).build()
}

async fn run(
    src: crate::source::aws::AwsSource,
    groups: usize,
    limits: RunLimits,
    cancel_after_first: bool,
) -> (Vec<Progress>, InsightsUpdate) {
    let (tx, mut rx) = mpsc::channel(256);
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let groups: Vec<LogGroup> = (0..groups).map(|i| LogGroup::new(group(i))).collect();
    tokio::spawn(run_fleet_query(
        Arc::new(src),
        groups,
        range(),
        limits,
        tx,
        cancel_rx,
    ));
    let mut progress = Vec::new();
    for _ in 0..10_000 {
        match rx.recv().await.expect("a Done before the channel closes") {
            Update::Insights(InsightsUpdate::Progress(p)) => {
                if cancel_after_first && p.bytes_scanned > 0.0 {
                    let _ = cancel_tx.send(true);
                }
                progress.push(p);
            }
            Update::Insights(done) => return (progress, done),
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("no Done");
}

/// Long on purpose (~90 lines): one run end to end — the mocked StartQuery
/// and GetQueryResults answers, then every number of the outcome checked in
/// one place, so the sequence reads top to bottom.
#[tokio::test(start_paused = true)]
async fn fleet_of_120_groups_runs_3_queries_and_parses_every_row() {
    // Query ids carry their chunk so the results can name its groups.
    let started = Arc::new(Mutex::new(Vec::<Vec<String>>::new()));
    let s = started.clone();
    let start = mock!(Client::start_query)
        .match_requests(|r| {
            r.query_string()
                .is_some_and(|q| q.contains("@initDuration") && q.contains("by @log"))
                && r.log_group_names().len() <= MAX_GROUPS_PER_QUERY
                && r.start_time() == Some(1_700_000_000)
        })
        .then_compute_output(move |r| {
            let mut s = s.lock().unwrap();
            s.push(r.log_group_names().to_vec());
            StartQueryOutput::builder()
                .query_id(format!("q{}", s.len() - 1))
                .build()
        });
    let polls = Arc::new(Mutex::new(HashMap::<String, u32>::new()));
    let (p, st) = (polls.clone(), started.clone());
    let results = mock!(Client::get_query_results).then_compute_output(move |r| {
        let id = r.query_id().unwrap_or_default().to_string();
        let n = {
            let mut p = p.lock().unwrap();
            let n = p.entry(id.clone()).or_default();
            *n += 1;
            *n
        };
        let chunk: usize = id[1..].parse().unwrap();
        let groups = st.lock().unwrap()[chunk].clone();
        // First poll: running, half scanned; second: complete.
        let stats = |b: f64| {
            QueryStatistics::builder()
                .bytes_scanned(b)
                .records_matched(groups.len() as f64)
                .build()
        };
        if n == 1 {
            return GetQueryResultsOutput::builder()
                .status(Status::Running)
                .statistics(stats(500.0))
                .build();
        }
        let rows = groups.iter().map(|g| {
            vec![
                field("@log", format!("123456789012:{g}")),
                field("invocations", "100".into()),
                field("coldStarts", "7".into()),
                field("initP99", "812.5".into()),
                field("maxMemoryMB", "64".into()),
                field("memorySizeMB", "128".into()),
            ]
        });
        GetQueryResultsOutput::builder()
            .status(Status::Complete)
            .set_results(Some(rows.collect()))
            .statistics(stats(1000.0))
            .build()
    });
    let src = mock_logs_any(&[&start, &results]);
    let (progress, done) = run(src, 120, RunLimits::default(), false).await;
    let InsightsUpdate::Done {
        progress: last,
        stats,
        errors,
        cancelled,
        ..
    } = done
    else {
        panic!("not done");
    };
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!cancelled);
    let sizes: Vec<usize> = started.lock().unwrap().iter().map(Vec::len).collect();
    let mut sorted = sizes.clone();
    sorted.sort();
    assert_eq!(sorted, [20, 50, 50]);
    assert_eq!(start.num_calls(), 3);
    assert_eq!(results.num_calls(), 6);
    assert_eq!(stats.len(), 120);
    let s = &stats[&LogGroup::new(group(77))];
    assert_eq!((s.invocations, s.cold_starts), (100, 7));
    assert_eq!(s.init_p99_ms, Some(812.5));
    assert_eq!(s.memory_used_ratio(None), Some(0.5));
    assert_eq!(last.queries, 3);
    assert_eq!(last.done, 3);
    assert_eq!(last.groups, 120);
    assert_eq!(last.bytes_scanned, 3000.0);
    assert_eq!(last.records_matched, 120.0);
    // Progress was reported on the way, never going backwards.
    assert!(progress.len() >= 4, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].done <= w[1].done));
}

fn always_running() -> Rule {
    mock!(Client::get_query_results)
        .sequence()
        .output(|| {
            GetQueryResultsOutput::builder()
                .status(Status::Running)
                .statistics(QueryStatistics::builder().bytes_scanned(10.0).build())
                .build()
        })
        .repeatedly()
        .build()
}

fn stop_rule() -> Rule {
    mock!(Client::stop_query)
        .sequence()
        .output(|| StopQueryOutput::builder().success(true).build())
        .repeatedly()
        .build()
}

fn start_with_id() -> Rule {
    mock!(Client::start_query)
        .sequence()
        .output(|| StartQueryOutput::builder().query_id("q").build())
        .repeatedly()
        .build()
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_every_running_query() {
    let (start, results, stop) = (start_with_id(), always_running(), stop_rule());
    let src = mock_logs_any(&[&start, &results, &stop]);
    let limits = RunLimits {
        parallel: 2,
        ..RunLimits::default()
    };
    let (_, done) = run(src, 100, limits, true).await;
    let InsightsUpdate::Done {
        cancelled,
        stats,
        errors,
        progress,
        ..
    } = done
    else {
        panic!()
    };
    assert!(cancelled);
    assert!(stats.is_empty() && errors.is_empty());
    assert_eq!(progress.done, 2);
    assert_eq!(start.num_calls(), 2);
    assert_eq!(stop.num_calls(), 2, "each started query is stopped");
}

#[tokio::test(start_paused = true)]
async fn a_query_that_never_completes_is_stopped_at_the_bound() {
    let (start, results, stop) = (start_with_id(), always_running(), stop_rule());
    let src = mock_logs_any(&[&start, &results, &stop]);
    let limits = RunLimits {
        poll_every: Duration::from_secs(1),
        max_wait: Duration::from_secs(5),
        parallel: 4,
    };
    let (_, done) = run(src, 10, limits, false).await;
    let InsightsUpdate::Done { errors, .. } = done else {
        panic!()
    };
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].to_string().contains("did not finish within 5s"),
        "{}",
        errors[0]
    );
    assert_eq!(results.num_calls(), 5);
    assert_eq!(stop.num_calls(), 1);
}
