//! The scan against a fake log source that pages, filters by the real
//! pattern matcher (as CloudWatch does server-side) and throttles on
//! demand: order, caps, coverage, retries, cancel.

use super::*;
use crate::model::logs::LogPage;
use crate::model::logs::pattern::FilterPattern;
use chrono::{DateTime, TimeZone};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
struct FakeLogs {
    groups: Mutex<HashMap<String, Vec<LogEvent>>>,
    throttle_first: Mutex<u32>,
    queries: Mutex<Vec<LogQuery>>,
    page: usize,
}

impl FakeLogs {
    fn put(&self, group: &str, at: DateTime<Utc>, message: &str) {
        let mut g = self.groups.lock().unwrap();
        let events = g.entry(group.into()).or_default();
        let id = format!("{group}-{}", events.len());
        events.push(LogEvent {
            id,
            timestamp: at,
            ingestion_time: None,
            stream: "s".into(),
            message: message.into(),
        });
    }
}

impl Logs for FakeLogs {
    async fn filter_log_events(&self, q: &LogQuery) -> Result<LogPage, SourceError> {
        self.queries.lock().unwrap().push(q.clone());
        {
            let mut t = self.throttle_first.lock().unwrap();
            if *t > 0 {
                *t -= 1;
                return Err(SourceError::Throttled {
                    api: "logs:FilterLogEvents".into(),
                    message: "Rate exceeded".into(),
                });
            }
        }
        let pattern = FilterPattern::parse(q.filter_pattern.as_deref().unwrap_or(""));
        let all: Vec<LogEvent> = self
            .groups
            .lock()
            .unwrap()
            .get(&q.log_group.name)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.timestamp >= q.start && q.end.is_none_or(|end| e.timestamp < end))
            .filter(|e| pattern.matches(&e.message))
            .collect();
        let offset: usize = q.next_token.as_deref().map_or(0, |t| t.parse().unwrap());
        let events: Vec<LogEvent> = all.iter().skip(offset).take(self.page).cloned().collect();
        let next = offset + events.len();
        Ok(LogPage {
            next_token: (next < all.len()).then(|| next.to_string()),
            events,
        })
    }
}

fn at(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
}

const WINDOW: TimeRange = TimeRange {
    start: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    end: DateTime::from_timestamp(1_700_003_600, 0).unwrap(),
};

fn target(name: &str, errors: f64) -> ScanTarget {
    ScanTarget {
        function: FunctionId::new(name),
        log_group: LogGroup::new(format!("/aws/lambda/{name}")),
        errors,
    }
}

/// A timeout as Lambda writes it (the real shape of
/// `pf-ddfwd-task-timed-out`), its START and its REPORT, request `n`.
fn timeout(src: &FakeLogs, group: &str, t: i64, n: u32) {
    let id = format!("7c9567b5-107b-4a6c-8798-{n:012}");
    src.put(
        group,
        at(t),
        &format!("START RequestId: {id} Version: $LATEST"),
    );
    src.put(
        group,
        at(t + 3),
        &format!("2020-06-09T15:02:26.150Z {id} Task timed out after 3.00 seconds"),
    );
    src.put(
        group,
        at(t + 3),
        &format!(
            "REPORT RequestId: {id}\tDuration: 3003.16 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB"
        ),
    );
}

async fn run(
    src: Arc<FakeLogs>,
    targets: Vec<ScanTarget>,
    limits: ScanLimits,
    cancel: bool,
) -> Vec<ErrorScanUpdate> {
    let (tx, mut rx) = mpsc::channel(64);
    let (_c, cancel_rx) = watch::channel(cancel);
    let limiter = RateLimiter::new(1000.0);
    tokio::spawn(run_error_scan(
        src, targets, WINDOW, limits, limiter, tx, cancel_rx,
    ));
    let mut out = Vec::new();
    while let Ok(Some(Update::Errors(u))) =
        tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv()).await
    {
        let done = matches!(u, ErrorScanUpdate::Done { .. });
        out.push(u);
        if done {
            break;
        }
    }
    out
}

fn scans(updates: &[ErrorScanUpdate]) -> Vec<&FunctionScan> {
    updates
        .iter()
        .filter_map(|u| match u {
            ErrorScanUpdate::Function(f) => Some(f),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn most_failing_first_one_occurrence_per_request_reports_left_behind() {
    let src = Arc::new(FakeLogs {
        page: 2,
        ..Default::default()
    });
    for n in 0..3 {
        timeout(&src, "/aws/lambda/a", 100 + 60 * i64::from(n), n);
    }
    timeout(&src, "/aws/lambda/b", 2000, 9);
    let updates = run(
        src.clone(),
        vec![target("a", 3.0), target("b", 7.0)],
        ScanLimits::default(),
        false,
    )
    .await;
    let s = scans(&updates);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].function.name, "b", "most failing first");
    assert_eq!(s[1].occurrences.len(), 3, "one per request");
    assert_eq!(
        s[1].events_read, 3,
        "START and REPORT lines stay on the server"
    );
    assert!(!s[1].coverage.truncated);
    assert_eq!(s[1].coverage.from, WINDOW.start);
    assert_eq!(s[1].calls, 2, "one pass: two pages of two events");
    let queries = src.queries.lock().unwrap();
    assert!(
        queries
            .iter()
            .all(|q| q.filter_pattern.as_deref() == Some(FAILURE_PATTERN))
    );
    assert!(matches!(
        updates.last(),
        Some(ErrorScanUpdate::Done {
            cancelled: false,
            skipped: 0,
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn the_cap_keeps_the_newest_and_says_how_far_back_it_read() {
    let src = Arc::new(FakeLogs {
        page: 100,
        ..Default::default()
    });
    // A timeout every 90 s.
    for n in 0..40u32 {
        timeout(&src, "/aws/lambda/a", 90 * i64::from(n), n);
    }
    let limits = ScanLimits {
        per_function: 15,
        ..Default::default()
    };
    let updates = run(src, vec![target("a", 40.0)], limits, false).await;
    let s = scans(&updates)[0];
    // 40 errors, cap 15: six slices of ten minutes, newest first.
    assert_eq!(s.occurrences.len(), 20, "the three newest slices");
    assert!(s.occurrences.iter().all(|o| o.at >= at(1800)));
    assert!(s.coverage.truncated);
    assert_eq!(s.coverage.from, at(1800));
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_are_retried_and_failures_reported() {
    let src = Arc::new(FakeLogs {
        page: 10,
        throttle_first: Mutex::new(2),
        ..Default::default()
    });
    timeout(&src, "/aws/lambda/a", 3000, 1);
    let updates = run(
        src.clone(),
        vec![target("a", 1.0)],
        ScanLimits::default(),
        false,
    )
    .await;
    let s = scans(&updates)[0];
    assert_eq!(s.occurrences.len(), 1);
    assert!(s.error.is_none());
    assert_eq!(s.calls, 3, "two throttled, then one pass");

    *src.throttle_first.lock().unwrap() = 10;
    let updates = run(src, vec![target("a", 1.0)], ScanLimits::default(), false).await;
    let s = scans(&updates)[0];
    assert!(matches!(s.error, Some(SourceError::Throttled { .. })));
    assert!(s.coverage.truncated);
    assert_eq!(s.calls, 4, "one call and three retries");
}

#[tokio::test(start_paused = true)]
async fn the_fleet_cap_skips_the_rest_and_cancel_stops() {
    let src = Arc::new(FakeLogs {
        page: 100,
        ..Default::default()
    });
    for n in 0..5u32 {
        timeout(&src, "/aws/lambda/a", 100 * i64::from(n), n);
    }
    timeout(&src, "/aws/lambda/b", 10, 7);
    let limits = ScanLimits {
        fleet: 5,
        ..Default::default()
    };
    let targets = vec![target("a", 5.0), target("b", 1.0)];
    let updates = run(src.clone(), targets.clone(), limits, false).await;
    assert_eq!(scans(&updates).len(), 1);
    assert!(matches!(
        updates.last(),
        Some(ErrorScanUpdate::Done { skipped: 1, .. })
    ));
    let updates = run(src, targets, ScanLimits::default(), true).await;
    assert!(scans(&updates).is_empty());
    assert!(matches!(
        updates.last(),
        Some(ErrorScanUpdate::Done {
            cancelled: true,
            ..
        })
    ));
}
