//! Throttling pressure, shared by every poller of a source. The source
//! counts the attempts the service throttled (also those the SDK's retries
//! hid); a poll that saw any backs off even if its data arrived, and the
//! log rate limit halves. When ten attempts in a row go through without a
//! throttle, the backed-off pollers are woken at once (the log rate climbs
//! back a thirtieth of the configured rate each calm second), so the dashboard is whole again within one
//! interval of the storm ending (given calls in flight, e.g. a followed log;
//! otherwise at the end of the backoff, at most 4× the interval).

use super::logs::RateLimiter;
use std::sync::Arc;
use std::sync::Mutex;
use tokio::sync::Notify;

/// Reads (attempts, throttled attempts) of the source: counter reads, no IO.
pub type Counters = Box<dyn Fn() -> (u64, u64) + Send + Sync>;

/// Attempts in a row without a throttle that end a throttling episode: at
/// a 30 % throttle rate, ten lucky attempts in a row happen 3 % of the time,
/// so a storm in progress rarely looks over.
const CALM_CALLS: u64 = 10;

/// How often the pressure task samples the counters (counter reads only).
pub const SAMPLE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The shared state.
pub struct Pressure {
    counters: Counters,
    /// The counters at the last [`Pressure::sample`].
    last: Mutex<(u64, u64)>,
    /// Woken when calls go through without throttling after a throttle.
    calm: Notify,
    /// Whether throttling was seen and has not yet calmed down.
    throttled: Mutex<bool>,
    /// The attempt counter at the last sample that saw a throttle.
    calls_at_throttle: Mutex<u64>,
    limiter: Option<Arc<RateLimiter>>,
}

impl std::fmt::Debug for Pressure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pressure").finish_non_exhaustive()
    }
}

/// What a sample found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampled {
    /// No call since the last sample.
    Quiet,
    /// Calls went through, none throttled.
    Calm,
    /// Some calls were throttled.
    Throttled,
}

impl Pressure {
    /// Pressure over `counters`, adapting `limiter` (the log rate limit).
    pub fn new(counters: Counters, limiter: Option<Arc<RateLimiter>>) -> Arc<Self> {
        let start = counters();
        Arc::new(Self {
            counters,
            last: Mutex::new(start),
            calm: Notify::new(),
            throttled: Mutex::new(false),
            calls_at_throttle: Mutex::new(0),
            limiter,
        })
    }

    /// Throttled attempts so far.
    pub fn throttled_total(&self) -> u64 {
        (self.counters)().1
    }

    /// Compares the counters with the last sample: slows the log limit
    /// down on throttling; on calm after throttling, restores it and wakes
    /// the backed-off pollers.
    pub fn sample(&self) -> Sampled {
        let now = (self.counters)();
        let prev = {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *last, now)
        };
        let result = if now.1 > prev.1 {
            Sampled::Throttled
        } else if now.0 > prev.0 {
            Sampled::Calm
        } else {
            Sampled::Quiet
        };
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        let mut at_throttle = self
            .calls_at_throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match result {
            Sampled::Throttled => {
                *throttled = true;
                *at_throttle = now.0;
                if let Some(l) = &self.limiter {
                    l.slow_down();
                }
            }
            Sampled::Calm => {
                if let Some(l) = &self.limiter {
                    l.speed_up();
                }
                if *throttled && now.0.saturating_sub(*at_throttle) >= CALM_CALLS {
                    *throttled = false;
                    self.calm.notify_waiters();
                }
            }
            Sampled::Quiet => {}
        }
        result
    }

    /// Resolves when throttling has ended (see [`Pressure::sample`]).
    pub async fn calmed(&self) {
        self.calm.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[tokio::test]
    async fn throttling_slows_the_log_limit_and_calm_wakes_waiters() {
        let calls = Arc::new(AtomicU64::new(0));
        let thr = Arc::new(AtomicU64::new(0));
        let (c, t) = (calls.clone(), thr.clone());
        let limiter = RateLimiter::new(4.0);
        let p = Pressure::new(
            Box::new(move || (c.load(Ordering::Relaxed), t.load(Ordering::Relaxed))),
            Some(limiter.clone()),
        );
        assert_eq!(p.sample(), Sampled::Quiet);
        calls.fetch_add(3, Ordering::Relaxed);
        thr.fetch_add(1, Ordering::Relaxed);
        assert_eq!(p.sample(), Sampled::Throttled);
        assert_eq!(limiter.per_second(), 2.0);
        thr.fetch_add(1, Ordering::Relaxed);
        p.sample();
        assert_eq!(limiter.per_second(), 1.0);
        let waiter = {
            let p = p.clone();
            tokio::spawn(async move { p.calmed().await })
        };
        tokio::task::yield_now().await;
        calls.fetch_add(9, Ordering::Relaxed);
        assert_eq!(p.sample(), Sampled::Calm);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "nine lucky attempts are not enough");
        assert!((limiter.per_second() - (1.0 + 4.0 / 30.0)).abs() < 1e-9);
        calls.fetch_add(1, Ordering::Relaxed);
        assert_eq!(p.sample(), Sampled::Calm);
        tokio::time::timeout(std::time::Duration::from_secs(1), waiter)
            .await
            .expect("calm wakes the waiter")
            .unwrap();
        for _ in 0..30 {
            calls.fetch_add(1, Ordering::Relaxed);
            p.sample();
        }
        assert_eq!(limiter.per_second(), 4.0, "recovers to the configured rate");
        assert_eq!(p.throttled_total(), 2);
    }
}
