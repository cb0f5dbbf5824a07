//! When each Lambda runtime is deprecated, so a function on a deprecated or
//! soon-deprecated runtime is flagged before it can no longer be updated.
//!
//! The dates are the "Deprecation date" column of the AWS Lambda developer
//! guide's runtimes page (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html),
//! cross-checked with tflint-ruleset-aws's deprecated-runtime rule and
//! endoflife.date/aws-lambda (both copy that page); read 2026-12-03. A
//! runtime not listed (a new one, `container`) is not judged.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Days before its deprecation a runtime is flagged as soon deprecated.
pub const SOON_DAYS: i64 = 180;

/// Runtime identifier and deprecation date (year, month, day).
const DEPRECATION: &[(&str, (i32, u32, u32))] = &[
    ("nodejs24.x", (2028, 4, 30)),
    ("nodejs22.x", (2027, 4, 30)),
    ("nodejs20.x", (2026, 4, 30)),
    ("nodejs18.x", (2025, 9, 1)),
    ("nodejs16.x", (2024, 6, 12)),
    ("nodejs14.x", (2023, 12, 4)),
    ("nodejs12.x", (2023, 3, 31)),
    ("nodejs10.x", (2021, 7, 30)),
    ("python3.14", (2029, 6, 30)),
    ("python3.13", (2029, 6, 30)),
    ("python3.12", (2028, 10, 31)),
    ("python3.11", (2026, 6, 30)),
    ("python3.10", (2026, 6, 30)),
    ("python3.9", (2025, 12, 15)),
    ("python3.8", (2024, 10, 14)),
    ("python3.7", (2023, 12, 4)),
    ("python3.6", (2022, 7, 18)),
    ("python2.7", (2021, 7, 15)),
    ("java25", (2029, 6, 30)),
    ("java21", (2029, 6, 30)),
    ("java17", (2026, 6, 30)),
    ("java11", (2026, 6, 30)),
    ("java8.al2", (2026, 6, 30)),
    ("java8", (2024, 1, 8)),
    ("dotnet10", (2028, 11, 14)),
    ("dotnet8", (2026, 11, 10)),
    ("dotnet6", (2024, 11, 12)),
    ("ruby3.4", (2028, 3, 31)),
    ("ruby3.3", (2027, 3, 31)),
    ("ruby3.2", (2026, 3, 31)),
    ("ruby2.7", (2023, 11, 27)),
    ("provided.al2023", (2029, 6, 30)),
    ("provided.al2", (2026, 6, 30)),
    ("provided", (2024, 1, 8)),
    ("go1.x", (2024, 1, 8)),
];

/// Where a runtime stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deprecation {
    /// Its deprecation date.
    pub date: NaiveDate,
    /// The date has passed: no security patches; creates and updates
    /// will be blocked.
    pub deprecated: bool,
    /// Days from now to the date (negative: past).
    pub days_left: i64,
}

impl Deprecation {
    /// Deprecated, or within [`SOON_DAYS`] of it.
    pub fn is_flagged(&self) -> bool {
        self.deprecated || self.days_left <= SOON_DAYS
    }

    /// `deprecated since 2025-12-15` or `deprecated 2026-06-30 (in 208d)`.
    pub fn describe(&self) -> String {
        if self.deprecated {
            format!("deprecated since {}", self.date)
        } else {
            format!("deprecated {} (in {}d)", self.date, self.days_left)
        }
    }
}

/// The deprecation of `runtime` as of `now`, when the table knows it.
pub fn deprecation(runtime: &str, now: DateTime<Utc>) -> Option<Deprecation> {
    let (_, (y, m, d)) = DEPRECATION.iter().find(|(r, _)| *r == runtime)?;
    let date = NaiveDate::from_ymd_opt(*y, *m, *d)?;
    let days_left = (date - now.date_naive()).num_days();
    Some(Deprecation {
        date,
        deprecated: days_left <= 0,
        days_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn deprecated_soon_and_supported() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let old = deprecation("python3.9", now).unwrap();
        assert!(old.deprecated && old.is_flagged());
        assert_eq!(old.describe(), "deprecated since 2025-12-15");
        let soon = deprecation("nodejs20.x", now).unwrap();
        assert!(!soon.deprecated && soon.is_flagged());
        assert_eq!(soon.describe(), "deprecated 2026-04-30 (in 119d)");
        let fine = deprecation("python3.13", now).unwrap();
        assert!(!fine.is_flagged());
        assert!(deprecation("container", now).is_none());
        assert!(
            DEPRECATION
                .iter()
                .all(|(r, _)| deprecation(r, now).is_some())
        );
    }
}
