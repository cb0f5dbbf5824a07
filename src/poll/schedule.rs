//! When a poller fetches next: its interval after success, exponential
//! backoff while throttled (so a throttled account sees fewer calls, not
//! more), a shorter retry after other failures.

use std::time::Duration;

/// How the last fetch went, as far as scheduling cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Data arrived.
    Ok,
    /// Rate limited.
    Throttled,
    /// Any other failure.
    Failed,
}

/// A poller's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    interval: Duration,
    max_backoff: Duration,
    retry_after_failure: Duration,
    throttled_in_a_row: u32,
}

impl Schedule {
    /// A schedule that fetches every `interval`, backs off up to 4× that
    /// while throttled (woken early when throttling ends), and retries
    /// failures after at most 15 s.
    pub fn every(interval: Duration) -> Self {
        Self {
            interval,
            max_backoff: interval * 4,
            retry_after_failure: interval.min(Duration::from_secs(15)),
            throttled_in_a_row: 0,
        }
    }

    /// The normal interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The delay before the next fetch, given how the last one went.
    pub fn next_delay(&mut self, outcome: Outcome) -> Duration {
        match outcome {
            Outcome::Ok => {
                self.throttled_in_a_row = 0;
                self.interval
            }
            Outcome::Throttled => {
                self.throttled_in_a_row = self.throttled_in_a_row.saturating_add(1);
                let factor = 1u32 << self.throttled_in_a_row.min(16);
                (self.interval * factor).min(self.max_backoff)
            }
            Outcome::Failed => {
                self.throttled_in_a_row = 0;
                self.retry_after_failure
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps_then_resets() {
        let mut s = Schedule::every(Duration::from_secs(60));
        assert_eq!(s.next_delay(Outcome::Throttled), Duration::from_secs(120));
        assert_eq!(s.next_delay(Outcome::Throttled), Duration::from_secs(240));
        assert_eq!(s.next_delay(Outcome::Throttled), Duration::from_secs(240));
        assert_eq!(s.next_delay(Outcome::Ok), Duration::from_secs(60));
        assert_eq!(s.next_delay(Outcome::Throttled), Duration::from_secs(120));
        assert_eq!(s.next_delay(Outcome::Failed), Duration::from_secs(15));
    }
}
