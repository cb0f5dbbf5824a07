//! Tests of the parent module.

use super::*;
use crate::model::function::FunctionFilter;
use crate::source::demo::DemoSource;
use chrono::Utc;
use std::collections::HashSet;
use tokio::sync::mpsc;

fn cfg(once: bool) -> PollerConfig {
    PollerConfig {
        once,
        inventory_every: Duration::from_secs(300),
        metrics_every: Duration::from_secs(60),
        alarms_every: Duration::from_secs(60),
        filter: FunctionFilter::new(&["orders-*".into(), "payments-*".into()]).unwrap(),
        log_calls_per_second: 3.0,
        log_capacity: 1000,
        rules: Arc::default(),
        inventory_cache: None,
        budget: None,
    }
}

#[tokio::test]
async fn once_mode_fetches_each_kind_once_and_finishes() {
    let (tx, mut rx) = mpsc::channel(16);
    let (_scope_tx, scope_rx) = watch::channel(Scope::fleet(Duration::from_secs(900)));
    let src = Arc::new(DemoSource::new(1).at(Utc::now()));
    spawn_all(src, cfg(true), tx, scope_rx);
    let mut finished = HashSet::new();
    let mut metrics = 0;
    while let Some(u) = rx.recv().await {
        match u {
            Update::Finished(k) => {
                finished.insert(k);
            }
            Update::Metrics { result, .. } => {
                metrics += 1;
                // 2 functions in scope: 2·9 + 2 account queries.
                assert_eq!(result.unwrap().series.len(), 20);
            }
            Update::Inventory { result, .. } => assert_eq!(result.unwrap().len(), 2),
            _ => {}
        }
    }
    assert_eq!(finished.len(), DataKind::ALL.len());
    assert_eq!(metrics, 1);
}

#[tokio::test(start_paused = true)]
async fn loop_mode_refreshes_on_schedule_and_on_window_change() {
    let (tx, mut rx) = mpsc::channel(64);
    let (scope_tx, scope_rx) = watch::channel(Scope::fleet(Duration::from_secs(900)));
    let src = Arc::new(DemoSource::new(1).at(Utc::now()));
    let handles = spawn_all(src, cfg(false), tx, scope_rx);
    let mut metric_updates = 0;
    let mut count_until = |rx: &mut mpsc::Receiver<Update>, n: usize| {
        while let Ok(u) = rx.try_recv() {
            if matches!(u, Update::Metrics { .. }) {
                metric_updates += 1;
            }
        }
        metric_updates >= n
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(count_until(&mut rx, 1));
    // Nothing new before the interval.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(!count_until(&mut rx, 2));
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert!(count_until(&mut rx, 2));
    // A window change refreshes at once.
    scope_tx.send_modify(|s| s.window = Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(count_until(&mut rx, 3));
    drop(rx);
    drop(scope_tx);
    for h in handles {
        h.abort();
    }
}

#[tokio::test(start_paused = true)]
async fn throttles_hidden_by_retries_back_off_and_calm_wakes_the_poller() {
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    let calls = Arc::new(AtomicU64::new(0));
    let thr = Arc::new(AtomicU64::new(0));
    let (c, t) = (calls.clone(), thr.clone());
    let pressure = pressure::Pressure::new(
        Box::new(move || (c.load(Ordering::Relaxed), t.load(Ordering::Relaxed))),
        None,
    );
    let start = tokio::time::Instant::now();
    let steps = Arc::new(StdMutex::new(Vec::new()));
    let (tx, _rx) = mpsc::channel(16);
    let (_scope_tx, scope_rx) = watch::channel(Scope::fleet(Duration::from_secs(900)));
    let (s, c, t) = (steps.clone(), calls.clone(), thr.clone());
    let l = Loop {
        kind: DataKind::Metrics,
        once: false,
        schedule: Schedule::every(Duration::from_secs(60)),
        tx,
        scope: scope_rx,
        pressure: pressure.clone(),
    };
    tokio::spawn(runner::run(l, move |_| {
        let (s, c, t) = (s.clone(), c.clone(), t.clone());
        async move {
            let mut s = s.lock().unwrap();
            s.push(start.elapsed().as_secs());
            c.fetch_add(1, Ordering::Relaxed);
            // The first three polls get their data, after retried throttles.
            if s.len() <= 3 {
                t.fetch_add(1, Ordering::Relaxed);
            }
            Some(Outcome::Ok)
        }
    }));
    tokio::time::sleep(Duration::from_secs(370)).await;
    // Backoff 120 s, then 240 s (the cap, 4× the interval).
    assert_eq!(*steps.lock().unwrap(), [0, 120, 360]);
    assert_eq!(pressure.sample(), pressure::Sampled::Throttled);
    tokio::time::sleep(Duration::from_secs(30)).await;
    // Another call goes through unthrottled: the storm is over.
    calls.fetch_add(10, Ordering::Relaxed);
    assert_eq!(pressure.sample(), pressure::Sampled::Calm);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(*steps.lock().unwrap(), [0, 120, 360, 400]);
    // Then the normal interval again.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(*steps.lock().unwrap(), [0, 120, 360, 400, 460]);
}

/// The log pane reads further back into the same buffer: a `LogsReach`,
/// then older events from a follower of its own (group 1) that ends when
/// it meets the old start, and no `LogsReset` (what was read stays).
#[tokio::test(flavor = "multi_thread")]
async fn the_log_pane_reaches_back_without_starting_over() {
    use crate::message::LogUpdate;
    let (tx, mut rx) = mpsc::channel(256);
    let mut scope = Scope::fleet(Duration::from_secs(900));
    scope.selected = Some("orders-api".into());
    let (scope_tx, scope_rx) = watch::channel(scope);
    let src = Arc::new(DemoSource::new(1).at(Utc::now()));
    let handles = spawn_all(src, cfg(false), tx, scope_rx);
    // The pane starts a quarter hour back and catches up.
    let mut from = None;
    loop {
        match next_update(&mut rx).await {
            Update::LogsReset { from: f, .. } => from = Some(f),
            Update::Logs {
                update: LogUpdate::CaughtUp { group: 0, .. },
                ..
            } => break,
            _ => {}
        }
    }
    let from = from.expect("a LogsReset before the first catch-up");
    let lookback = Utc::now() - from;
    assert!((14..=16).contains(&lookback.num_minutes()), "{lookback:?}");
    let to = from - chrono::Duration::minutes(30);
    scope_tx.send_modify(|s| s.log_from = Some(to));
    let (mut reached, mut older) = (false, 0);
    loop {
        match next_update(&mut rx).await {
            Update::LogsReset { .. } => panic!("reaching back must not start over"),
            Update::LogsReach { from: f, .. } => {
                assert_eq!(f, to);
                reached = true;
            }
            Update::Logs {
                update: LogUpdate::Events { group: 1, events },
                ..
            } => {
                assert!(
                    events
                        .iter()
                        .all(|e| e.timestamp >= to && e.timestamp < from)
                );
                older += events.len();
            }
            Update::Logs {
                update: LogUpdate::Done { group: 1 },
                ..
            } => break,
            _ => {}
        }
    }
    assert!(reached);
    assert!(older > 0, "the demo's orders-api logs every minute");
    for h in handles {
        h.abort();
    }
}

/// The next update, within 20 s (a test never hangs).
async fn next_update(rx: &mut mpsc::Receiver<Update>) -> Update {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("an update within 20 s")
        .expect("the channel stays open")
}

/// Failures only: the pane asks the server for the whole window's failures
/// (the failure pattern), not the buffer of the last minutes filtered.
#[tokio::test(flavor = "multi_thread")]
async fn failures_only_reads_the_windows_failures_from_the_server() {
    use crate::message::LogUpdate;
    use crate::model::logs::analyze;
    let (tx, mut rx) = mpsc::channel(256);
    let mut scope = Scope::fleet(Duration::from_secs(3600));
    // report-export times out in about 40 % of its minutes all hour long
    // (payments-webhook fails mostly in its :20 burst, which may be newer
    // than half an hour).
    scope.selected = Some("report-export".into());
    scope.log_errors = true;
    let (_scope_tx, scope_rx) = watch::channel(scope);
    let src = Arc::new(DemoSource::new(1).at(Utc::now()));
    let handles = spawn_all(src, cfg(false), tx, scope_rx);
    let (mut from, mut events) = (None, Vec::new());
    loop {
        match next_update(&mut rx).await {
            Update::LogsReset { from: f, .. } => from = Some(f),
            Update::Logs {
                update: LogUpdate::Events { events: e, .. },
                ..
            } => events.extend(e),
            Update::Logs {
                update: LogUpdate::CaughtUp { group: 0, .. },
                ..
            } => break,
            _ => {}
        }
    }
    let back = Utc::now() - from.unwrap();
    assert!(
        (59..=60).contains(&back.num_minutes()),
        "the window: {back:?}"
    );
    let failures = events
        .iter()
        .filter(|e| analyze(&e.message).is_failure())
        .count();
    assert!(failures > 0, "report-export times out all hour");
    let oldest = events.iter().map(|e| e.timestamp).min().unwrap();
    assert!(
        Utc::now() - oldest > chrono::Duration::minutes(30),
        "{oldest}"
    );
    // The server sent failures and their REPORT lines, not the whole log.
    let starts = events
        .iter()
        .filter(|e| e.message.starts_with("START"))
        .count();
    assert_eq!(starts, 0, "START lines do not match the failure pattern");
    for h in handles {
        h.abort();
    }
}
