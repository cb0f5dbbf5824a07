//! The API budget end to end: the dashboard in tmux against the emulator
//! on a 1,000-function fleet with 50 busy functions. The gateway counts
//! every GetMetricData query per metric and function; the budget must
//! hold, the busy and on-screen functions must be read every refresh, an
//! idle function that starts failing must be read in full within two
//! refreshes, and the header must say what the gateway counted.
//!
//! The refresh is 10 s (the fastest allowed) with a budget of $3.00/h:
//! the same 833 metrics a refresh as the default $0.50/h at the default
//! 60 s, six times faster.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::tmux::{Tmux, shell_quote};
use support::{Emulator, now_minute, seed};

const FLEET: usize = 1000;
/// Every 20th function is busy: 50 of them.
const EVERY: usize = 20;
/// The metrics one refresh may request: $3.00/h at 10 s.
const ALLOWED: u64 = 833;

fn busy(i: usize) -> bool {
    i.is_multiple_of(EVERY)
}

/// Waits (bounded) until the gateway has seen `n` refreshes since the
/// last reset — one `Invocations` query of a busy function per refresh —
/// and the refresh's other batches have landed.
fn wait_refreshes(emu: &Emulator, n: u64) -> HashMap<String, u64> {
    let key = format!("Invocations {}", seed::scale_name(0));
    let deadline = Instant::now() + Duration::from_secs(90);
    while emu.queries().get(&key).copied().unwrap_or(0) < n {
        assert!(
            Instant::now() < deadline,
            "no refresh {n}: {:?}",
            emu.queries().get(&key)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The percentile batch and a second pass follow within a moment.
    std::thread::sleep(Duration::from_secs(3));
    emu.queries()
}

/// The number before " metrics/refresh" in the header.
fn header_metrics(screen: &str) -> Option<u64> {
    let header = screen.lines().next()?;
    let (before, _) = header.split_once(" metrics/refresh")?;
    before.rsplit(' ').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_functions_stay_under_the_budget_and_a_waking_function_is_read_at_once() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::many_functions(&conf, FLEET).await;
    let m = now_minute();
    for i in (0..FLEET).filter(|i| busy(*i)) {
        let f = seed::scale_name(i);
        seed::counts(&conf, &f, "Invocations", &[(m - 300, 10.0 + i as f64)]).await;
        seed::counts(&conf, &f, "Errors", &[(m - 300, 1.0)]).await;
    }
    let home = tempfile::tempdir().unwrap();
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color \
         AWS_ACCESS_KEY_ID={ak} AWS_SECRET_ACCESS_KEY={sk} AWS_REGION=us-east-1 \
         AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 \
         {bin} --endpoint-url {ep} --window 15m --refresh 10s --api-budget 3; \
         echo EXITED $?; sleep 30",
        home = shell_quote(&home.path().to_string_lossy()),
        ak = support::ACCESS_KEY,
        sk = support::SECRET_KEY,
        bin = shell_quote(env!("CARGO_BIN_EXE_lamtop")),
        ep = emu.endpoint(),
    );
    let tmux = Tmux::start(format!("lamtop-budget-{}", emu.port), 170, 20, &command);
    tmux.wait_for("metrics/refresh");
    // Past the first refresh (which checks every function once).
    emu.reset_calls();
    wait_refreshes(&emu, 1);
    emu.reset_calls();
    let counted = wait_refreshes(&emu, 3);
    let calls = emu.calls();
    let screen = tmux.screen();

    let per_refresh = counted.values().sum::<u64>() / 3;
    let gmd: u64 = calls
        .iter()
        .filter(|(k, _)| k.starts_with("cloudwatch:GetMetricData"))
        .map(|(_, v)| v)
        .sum();
    eprintln!(
        "metrics a refresh: {per_refresh}, GetMetricData calls in 3 refreshes: {gmd}\n{screen}"
    );
    assert!(
        per_refresh <= ALLOWED,
        "{per_refresh} metrics a refresh > {ALLOWED}:\n{screen}"
    );
    assert_eq!(
        header_metrics(&screen),
        Some(per_refresh),
        "the header says what the gateway counted:\n{screen}"
    );
    let q = |metric: &str, i: usize| {
        counted
            .get(&format!("{metric} {}", seed::scale_name(i)))
            .copied()
            .unwrap_or(0)
    };
    for i in (0..FLEET).filter(|i| busy(*i)) {
        assert_eq!(q("Invocations", i), 3, "busy {i} read every refresh");
        assert_eq!(q("Errors", i), 3, "busy {i} read every refresh");
    }
    // The rows on screen (the busiest, sorted first) get their
    // percentiles too: average, maximum, p50, p90, p99.
    let top = seed::scale_name(FLEET - EVERY);
    assert!(
        screen.contains(&top),
        "the busiest row is on screen:\n{screen}"
    );
    assert_eq!(q("Duration", FLEET - EVERY), 5 * 3, "{counted:?}");
    // Idle functions: one series, in turns of two refreshes (about 483 of
    // 950 checked each time, the longest unread first: every one at least
    // once in three refreshes), never the others.
    for i in (0..FLEET).filter(|i| !busy(*i)) {
        assert!(
            (1..=3).contains(&q("Invocations", i)),
            "idle {i}: {}",
            q("Invocations", i)
        );
        assert_eq!(q("Errors", i), 0, "idle {i} is only checked");
    }
    // At this height 16 rows are on screen: 16 × 9 + 34 × 6 + 2 = 350
    // metrics for the rows and the busy rest, 483 left of 833 for 950
    // idle checks: two turns. (At 40 rows it would be three.)
    assert!(
        screen.contains("950 idle functions every 20s to stay under $3.00/h"),
        "the budget's turns are said:\n{screen}"
    );

    // An idle function starts failing: read in full within two refreshes
    // and on screen (it sorts first by errors).
    let sleeper = seed::scale_name(777);
    let now = now_minute();
    seed::counts(&conf, &sleeper, "Invocations", &[(now, 40.0)]).await;
    seed::counts(&conf, &sleeper, "Errors", &[(now, 40.0)]).await;
    emu.reset_calls();
    let seeded = Instant::now();
    let woke = tmux.wait_until("the sleeper on screen with its errors", |s| {
        s.lines()
            .any(|l| l.contains(&sleeper) && l.contains(" 40 "))
    });
    let refreshes = emu
        .queries()
        .get(&format!("Invocations {}", seed::scale_name(0)))
        .copied()
        .unwrap_or(0);
    eprintln!(
        "the sleeper was on screen with its errors {:.1} s after its datapoints, after {refreshes} refreshes",
        seeded.elapsed().as_secs_f64()
    );
    assert!(refreshes <= 2, "read after {refreshes} refreshes:\n{woke}");
    tmux.send(&["q"]);
    tmux.wait_for("EXITED 0");
}
