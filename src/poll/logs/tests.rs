//! Follower tests against a fake log source with paging, empty pages,
//! late events, new streams and throttling.

use super::*;
use crate::model::logs::LogPage;
use std::sync::Mutex as StdMutex;

#[derive(Default)]
struct FakeLogs {
    events: StdMutex<Vec<LogEvent>>,
    throttle_first: StdMutex<u32>,
    calls: StdMutex<u32>,
    page: usize,
}

impl FakeLogs {
    fn put(&self, id: &str, ts: DateTime<Utc>, stream: &str) {
        self.events.lock().unwrap().push(LogEvent {
            id: id.into(),
            timestamp: ts,
            ingestion_time: Some(Utc::now()),
            stream: stream.into(),
            message: format!("message {id}"),
        });
    }
}

impl Logs for FakeLogs {
    async fn filter_log_events(&self, q: &LogQuery) -> Result<LogPage, SourceError> {
        *self.calls.lock().unwrap() += 1;
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
        let mut all: Vec<LogEvent> = self
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.timestamp >= q.start && q.end.is_none_or(|end| e.timestamp < end))
            .cloned()
            .collect();
        all.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
        // Token "e<offset>" first returns an empty page (as CloudWatch may).
        let (offset, empty) = match q.next_token.as_deref() {
            None => (0, true),
            Some(t) if t.starts_with('e') => (t[1..].parse().unwrap(), false),
            Some(t) => (t.parse().unwrap(), true),
        };
        if empty && offset == 0 && !all.is_empty() {
            return Ok(LogPage {
                events: vec![],
                next_token: Some("e0".into()),
            });
        }
        let page: Vec<LogEvent> = all.iter().skip(offset).take(self.page).cloned().collect();
        let next = offset + page.len();
        Ok(LogPage {
            next_token: (next < all.len()).then(|| next.to_string()),
            events: page,
        })
    }
}

async fn collect(
    rx: &mut mpsc::Receiver<LogUpdate>,
    want: usize,
) -> (Vec<LogEvent>, Vec<SourceError>) {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while events.len() < want && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(LogUpdate::Events { events: e, .. })) => events.extend(e),
            Ok(Some(LogUpdate::Error { error, .. })) => errors.push(error),
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    (events, errors)
}

#[tokio::test(start_paused = true)]
async fn new_streams_late_events_and_paging_exactly_once() {
    let src = Arc::new(FakeLogs {
        page: 2,
        ..Default::default()
    });
    let t0 = Utc::now() - chrono::Duration::seconds(30);
    for i in 0..5 {
        src.put(
            &format!("a{i}"),
            t0 + chrono::Duration::seconds(i),
            "stream-a",
        );
    }
    let (tx, mut rx) = mpsc::channel(64);
    let limiter = RateLimiter::new(100.0);
    let task = tokio::spawn(follow(
        src.clone(),
        limiter,
        0,
        "/g".into(),
        FollowOptions::from(t0),
        tx,
    ));
    let (first, _) = collect(&mut rx, 5).await;
    assert_eq!(
        first.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["a0", "a1", "a2", "a3", "a4"]
    );
    // A new stream, and an event ingested now with a timestamp 2 s old.
    src.put("b0", Utc::now(), "stream-b-created-later");
    src.put(
        "late",
        Utc::now() - chrono::Duration::seconds(2),
        "stream-a",
    );
    let (more, _) = collect(&mut rx, 2).await;
    let mut ids: Vec<_> = more.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["b0", "late"]);
    // Nothing is delivered twice however long we keep following.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let (dupes, _) = collect(&mut rx, 1).await;
    assert!(dupes.is_empty(), "{dupes:?}");
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn throttling_backs_off_and_loses_nothing() {
    let src = Arc::new(FakeLogs {
        page: 100,
        ..Default::default()
    });
    *src.throttle_first.lock().unwrap() = 3;
    let t0 = Utc::now() - chrono::Duration::seconds(10);
    for i in 0..20 {
        src.put(
            &format!("e{i:02}"),
            t0 + chrono::Duration::milliseconds(i * 100),
            "s",
        );
    }
    let (tx, mut rx) = mpsc::channel(64);
    let mut opts = FollowOptions::from(t0);
    opts.follow = false;
    tokio::spawn(follow(
        src.clone(),
        RateLimiter::new(3.0),
        0,
        "/g".into(),
        opts,
        tx,
    ));
    let (events, errors) = collect(&mut rx, 20).await;
    assert_eq!(events.len(), 20);
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(SourceError::is_throttling));
}

#[tokio::test(start_paused = true)]
async fn idle_polling_slows_down_and_the_limiter_spaces_calls() {
    let src = Arc::new(FakeLogs {
        page: 10,
        ..Default::default()
    });
    let (tx, mut rx) = mpsc::channel(1024);
    let task = tokio::spawn(follow(
        src.clone(),
        RateLimiter::new(3.0),
        0,
        "/g".into(),
        FollowOptions::from(Utc::now()),
        tx,
    ));
    tokio::time::sleep(Duration::from_secs(60)).await;
    while rx.try_recv().is_ok() {}
    let calls = *src.calls.lock().unwrap();
    // Idle: at most one call per ~3 s after a short ramp.
    assert!(
        (15..=30).contains(&calls),
        "{calls} calls in an idle minute"
    );
    task.abort();

    let limiter = RateLimiter::new(3.0);
    let start = tokio::time::Instant::now();
    for _ in 0..10 {
        limiter.acquire().await;
    }
    assert!(
        start.elapsed() >= Duration::from_millis(2990),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_slows_the_limit_below_the_pace_calls_actually_went_at() {
    let l = RateLimiter::new(3.0);
    l.acquire().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    l.acquire().await;
    // Calls went every 2 s (0.5/s): halving the 3/s limit would change nothing.
    l.slow_down();
    assert!((l.per_second() - 0.25).abs() < 1e-9, "{}", l.per_second());
    l.slow_down();
    assert_eq!(l.per_second(), 0.2, "the floor");
    l.speed_up();
    assert!((l.per_second() - 0.3).abs() < 1e-9);
}
