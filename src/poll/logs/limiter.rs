//! The one rate limiter all log polling shares: FilterLogEvents has a
//! small account-wide quota, and every follower (the pane, each `tail`
//! group) draws from the same budget.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces calls out so that all log polling in the process stays under
/// `per_second` calls (FilterLogEvents has a small account-wide quota).
/// While the account is throttled the rate halves — from the pace calls
/// actually went at, which is often slower than the limit — down to a
/// floor, and climbs back slowly once calls go through again.
#[derive(Debug)]
pub struct RateLimiter {
    /// The configured rate.
    configured: f64,
    /// The rate now (calls per second), adapted to throttling.
    current: std::sync::Mutex<f64>,
    next: Mutex<Option<Instant>>,
    /// The two latest acquisitions, for the pace calls actually go at.
    recent: std::sync::Mutex<(Option<Instant>, Option<Instant>)>,
}

/// The slowest the log limit goes while throttled.
const MIN_LOG_RATE: f64 = 0.2;

impl RateLimiter {
    /// A limiter allowing `per_second` calls per second (at least 0.1).
    pub fn new(per_second: f64) -> Arc<Self> {
        let rate = per_second.max(0.1);
        Arc::new(Self {
            configured: rate,
            current: std::sync::Mutex::new(rate),
            next: Mutex::new(None),
            recent: std::sync::Mutex::new((None, None)),
        })
    }

    /// The rate now.
    pub fn per_second(&self) -> f64 {
        *self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Halves the rate, or the pace calls actually went at if slower (not
    /// below 0.2/s or the configured rate).
    pub fn slow_down(&self) {
        let observed = match *self.recent.lock().unwrap_or_else(|e| e.into_inner()) {
            (Some(a), Some(b)) if b > a => 1.0 / (b - a).as_secs_f64(),
            _ => f64::INFINITY,
        };
        let mut r = self.current.lock().unwrap_or_else(|e| e.into_inner());
        *r = (r.min(observed) / 2.0).max(MIN_LOG_RATE.min(self.configured));
    }

    /// Raises the rate by a thirtieth of the configured one (additive
    /// increase, multiplicative decrease: a throttled account is not
    /// hammered again after one lucky second).
    pub fn speed_up(&self) {
        let mut r = self.current.lock().unwrap_or_else(|e| e.into_inner());
        *r = (*r + self.configured / 30.0).min(self.configured);
    }

    /// Waits for the next free slot.
    pub async fn acquire(&self) {
        let interval = Duration::from_secs_f64(1.0 / self.per_second());
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            *recent = (recent.1, Some(slot));
        }
        tokio::time::sleep_until(slot).await;
    }
}
