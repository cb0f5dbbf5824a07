//! A deploy inside the window, and what changed with it: the error rate,
//! the mean duration and the throttles before versus after, from the
//! per-period series lamtop already has.
//!
//! The period that holds the deploy counts as "after" (the new version's
//! first failures are in it). A rise is *significant* when the error rate
//! after is higher by a two-proportion z-test at z ≥ 3 (about 1 in 740 by
//! chance) with at least 3 errors after: a quiet function's one error after
//! a deploy is not a regression, a busy one's jump from 0.4 % to 6 % is.

use super::metrics::{Series, TimeRange};
use chrono::{DateTime, Utc};

/// The z score a rise in error rate must reach.
pub const SIGNIFICANT_Z: f64 = 3.0;
/// The fewest errors after a deploy that can make it a regression.
pub const MIN_ERRORS_AFTER: f64 = 3.0;

/// The numbers on one side of a deploy.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Side {
    /// Invocations.
    pub invocations: f64,
    /// Errors.
    pub errors: f64,
    /// Throttles.
    pub throttles: f64,
    /// Mean duration (ms), weighted by invocations.
    pub avg_ms: Option<f64>,
    /// Length covered, in seconds.
    pub seconds: i64,
}

impl Side {
    /// Errors ÷ invocations (`None` without invocations).
    pub fn error_rate(&self) -> Option<f64> {
        (self.invocations > 0.0).then(|| self.errors / self.invocations)
    }
}

/// Before and after one deploy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeforeAfter {
    /// When it was deployed.
    pub deployed: DateTime<Utc>,
    /// From the window's start to the deploy's period.
    pub before: Side,
    /// From the deploy's period to the window's end.
    pub after: Side,
}

/// The two-proportion z score of the error rate of `b` over `a`
/// (positive: `b` fails more); `None` when a side has no invocations.
pub fn error_z(a: &Side, b: &Side) -> Option<f64> {
    let (p1, p2) = (a.error_rate()?, b.error_rate()?);
    let (n1, n2) = (a.invocations, b.invocations);
    let p = (a.errors + b.errors) / (n1 + n2);
    let se = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return Some(if p2 > p1 { f64::INFINITY } else { 0.0 });
    }
    Some((p2 - p1) / se)
}

/// Whether `b` fails significantly more than `a` (z ≥ 3, at least 3
/// errors in `b`): a deploy's after over its before, a canary over its
/// alias's primary version.
pub fn fails_more(a: &Side, b: &Side) -> bool {
    b.errors >= MIN_ERRORS_AFTER && error_z(a, b).is_some_and(|z| z >= SIGNIFICANT_Z)
}

impl BeforeAfter {
    /// The two-proportion z score of the error rate's rise (positive: it
    /// rose); `None` when a side has no invocations.
    pub fn error_z(&self) -> Option<f64> {
        error_z(&self.before, &self.after)
    }

    /// The error rate rose significantly after the deploy.
    pub fn regressed(&self) -> bool {
        fails_more(&self.before, &self.after)
    }
}

/// The series of one function a comparison reads (all over one window,
/// one alignment).
#[derive(Debug, Clone, Copy)]
pub struct Series4<'a> {
    /// Invocations (Sum).
    pub invocations: Option<&'a Series>,
    /// Errors (Sum).
    pub errors: Option<&'a Series>,
    /// Throttles (Sum).
    pub throttles: Option<&'a Series>,
    /// Duration (Average).
    pub duration_avg: Option<&'a Series>,
}

fn side(s: &Series4<'_>, span: std::ops::RangeInclusive<usize>, period_s: i64) -> Side {
    let sum =
        |x: Option<&Series>| x.map_or(0.0, |x| x.points_in(span.clone()).flatten().sum::<f64>());
    Side {
        invocations: sum(s.invocations),
        errors: sum(s.errors),
        throttles: sum(s.throttles),
        avg_ms: s
            .duration_avg
            .and_then(|d| d.weighted_mean_in(s.invocations, span.clone())),
        seconds: (span.end() + 1 - span.start()) as i64 * period_s,
    }
}

/// Before versus after `deployed`, when it falls inside `range` with at
/// least one period on each side; `None` otherwise.
pub fn before_after(
    deployed: DateTime<Utc>,
    range: TimeRange,
    series: Series4<'_>,
) -> Option<BeforeAfter> {
    let any = series.invocations.or(series.errors)?;
    let period = i64::from(any.period_s.max(1));
    let n = any.len();
    if deployed < range.start || deployed >= range.end || n == 0 {
        return None;
    }
    let at = usize::try_from((deployed - any.start).num_seconds().div_euclid(period)).ok()?;
    if at == 0 || at >= n {
        return None;
    }
    Some(BeforeAfter {
        deployed,
        before: side(&series, 0..=at - 1, period),
        after: side(&series, at..=n - 1, period),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_040 / 60 * 60 + min * 60, 0)
            .unwrap()
    }

    fn series(range: TimeRange, per_minute: impl Fn(i64) -> f64) -> Series {
        Series::from_points(range, 60, (0..60).map(|m| (t(m), per_minute(m))))
    }

    #[test]
    fn a_deploy_that_breaks_the_function_is_a_regression() {
        let range = TimeRange {
            start: t(0),
            end: t(60),
        };
        let inv = series(range, |_| 100.0);
        // 0.4 % before minute 40, 6 % from it on; slower too.
        let err = series(range, |m| {
            if m < 40 {
                f64::from(u8::from(m % 5 == 0) * 2)
            } else {
                6.0
            }
        });
        let dur = series(range, |m| if m < 40 { 80.0 } else { 210.0 });
        let s = Series4 {
            invocations: Some(&inv),
            errors: Some(&err),
            throttles: None,
            duration_avg: Some(&dur),
        };
        let deployed = t(40) + chrono::Duration::seconds(17);
        let ba = before_after(deployed, range, s).unwrap();
        assert_eq!(ba.before.invocations, 4000.0);
        assert_eq!(ba.before.errors, 16.0);
        assert_eq!(ba.after.invocations, 2000.0);
        assert_eq!(ba.after.errors, 120.0);
        assert_eq!(ba.before.error_rate(), Some(0.004));
        assert_eq!(ba.after.error_rate(), Some(0.06));
        assert_eq!(ba.before.avg_ms, Some(80.0));
        assert_eq!(ba.after.avg_ms, Some(210.0));
        assert_eq!((ba.before.seconds, ba.after.seconds), (2400, 1200));
        assert!(ba.regressed(), "z = {:?}", ba.error_z());

        // The same deploy with the same rate after: not a regression.
        let flat = series(range, |m| f64::from(u8::from(m % 5 == 0) * 2));
        let ba = before_after(
            deployed,
            range,
            Series4 {
                errors: Some(&flat),
                ..s
            },
        )
        .unwrap();
        assert!(!ba.regressed());
        // One error after a deploy of a quiet function: not one either.
        let quiet_inv = series(range, |_| 1.0);
        let one = series(range, |m| f64::from(u8::from(m == 50)));
        let ba = before_after(
            deployed,
            range,
            Series4 {
                invocations: Some(&quiet_inv),
                errors: Some(&one),
                ..s
            },
        )
        .unwrap();
        assert!(!ba.regressed());
    }

    #[test]
    fn deploys_outside_the_window_or_at_its_edges_compare_nothing() {
        let range = TimeRange {
            start: t(0),
            end: t(60),
        };
        let inv = series(range, |_| 10.0);
        let s = Series4 {
            invocations: Some(&inv),
            errors: None,
            throttles: None,
            duration_avg: None,
        };
        assert!(before_after(t(-5), range, s).is_none());
        assert!(before_after(t(0), range, s).is_none(), "nothing before");
        assert!(before_after(t(60), range, s).is_none());
        assert!(before_after(t(59), range, s).is_some());
    }
}
