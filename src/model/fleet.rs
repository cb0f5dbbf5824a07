//! The fleet as a table: the window numbers of one function, and how rows
//! sort. Shared by every face, so `--once --sort` and the dashboard agree.

use crate::model::function::FunctionInfo;
use serde::Serialize;
use std::cmp::Ordering;

/// The numbers of one function over the window; `None` is "n/a".
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct FunctionSummary {
    /// Invocations.
    pub invocations: Option<f64>,
    /// Errors.
    pub errors: Option<f64>,
    /// Errors ÷ invocations.
    pub error_rate: Option<f64>,
    /// Throttles.
    pub throttles: Option<f64>,
    /// Mean duration (ms), weighted by invocations.
    pub duration_avg: Option<f64>,
    /// Median duration over the window (ms).
    pub duration_p50: Option<f64>,
    /// 90th percentile (ms).
    pub duration_p90: Option<f64>,
    /// 99th percentile (ms).
    pub duration_p99: Option<f64>,
    /// Longest duration (ms).
    pub duration_max: Option<f64>,
    /// Peak concurrency.
    pub concurrency_max: Option<f64>,
    /// Total run time in the window (ms): Σ invocations × mean duration per
    /// period, the basis of the GB-second cost estimate.
    pub duration_total_ms: Option<f64>,
    /// Estimated USD per hour at the window's rate (the store's prices).
    pub cost_per_hour: Option<f64>,
    /// Stream lag, async, provisioned concurrency, extensions, recursion
    /// (the snapshot writes them in groups of their own).
    #[serde(skip)]
    pub signals: crate::model::signals::Signals,
}

impl FunctionSummary {
    /// p99 duration as a share of the timeout (1.0 = requests hit the timeout).
    pub fn timeout_ratio(&self, timeout_s: u32) -> Option<f64> {
        self.duration_p99
            .filter(|_| timeout_s > 0)
            .map(|p| p / (f64::from(timeout_s) * 1000.0))
    }
}

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortColumn {
    /// Function name (ascending).
    Name,
    /// Invocations.
    Invocations,
    /// Errors.
    Errors,
    /// Error rate.
    ErrorRate,
    /// Throttles.
    Throttles,
    /// Mean duration.
    Avg,
    /// Median duration.
    P50,
    /// 90th percentile.
    P90,
    /// 99th percentile.
    P99,
    /// Max duration.
    Max,
    /// Peak concurrency.
    Concurrency,
    /// p99 ÷ timeout.
    TimeoutPct,
    /// Configured memory.
    Memory,
    /// Estimated cost per hour.
    Cost,
    /// Latest deploy (newest first).
    Deployed,
    /// Peak stream iterator age.
    IteratorAge,
    /// Peak async event age.
    AsyncAge,
    /// Async events dropped.
    Dropped,
    /// Dead-letter errors.
    Dlq,
    /// Peak provisioned concurrency utilization.
    ProvisionedPct,
    /// Provisioned concurrency spillover invocations.
    Spillover,
}

impl SortColumn {
    /// Whether this column is a duration percentile (which a tiered
    /// refresh reads only for the rows that need it).
    pub fn is_percentile(self) -> bool {
        matches!(self, Self::P50 | Self::P90 | Self::P99)
    }

    /// Every column, in cycling order.
    pub const ALL: [SortColumn; 21] = [
        Self::Name,
        Self::Invocations,
        Self::Errors,
        Self::ErrorRate,
        Self::Throttles,
        Self::Avg,
        Self::P50,
        Self::P90,
        Self::P99,
        Self::Max,
        Self::Concurrency,
        Self::TimeoutPct,
        Self::Memory,
        Self::Cost,
        Self::Deployed,
        Self::IteratorAge,
        Self::AsyncAge,
        Self::Dropped,
        Self::Dlq,
        Self::ProvisionedPct,
        Self::Spillover,
    ];

    /// The `--sort` / `:sort` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Invocations => "invocations",
            Self::Errors => "errors",
            Self::ErrorRate => "error_rate",
            Self::Throttles => "throttles",
            Self::Avg => "avg",
            Self::P50 => "p50",
            Self::P90 => "p90",
            Self::P99 => "p99",
            Self::Max => "max",
            Self::Concurrency => "concurrency",
            Self::TimeoutPct => "timeout_pct",
            Self::Memory => "memory",
            Self::Cost => "cost",
            Self::Deployed => "deployed",
            Self::IteratorAge => "iterator_age",
            Self::AsyncAge => "async_age",
            Self::Dropped => "dropped",
            Self::Dlq => "dlq",
            Self::ProvisionedPct => "provisioned_pct",
            Self::Spillover => "spillover",
        }
    }

    /// Every spelling, for messages and completion.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|c| c.name()).collect()
    }

    /// Parses a spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }

    /// The next column when cycling.
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    fn value(self, f: &FunctionInfo, s: &FunctionSummary) -> Option<f64> {
        match self {
            Self::Name => None,
            Self::Invocations => s.invocations,
            Self::Errors => s.errors,
            Self::ErrorRate => s.error_rate,
            Self::Throttles => s.throttles,
            Self::Avg => s.duration_avg,
            Self::P50 => s.duration_p50,
            Self::P90 => s.duration_p90,
            Self::P99 => s.duration_p99,
            Self::Max => s.duration_max,
            Self::Concurrency => s.concurrency_max,
            Self::TimeoutPct => s.timeout_ratio(f.timeout_s),
            Self::Memory => Some(f64::from(f.memory_mb)),
            Self::Cost => s.cost_per_hour,
            Self::Deployed => f.last_modified.map(|t| t.timestamp() as f64),
            Self::IteratorAge => s.signals.iterator_age_max_ms,
            Self::AsyncAge => s.signals.async_age_max_ms(),
            Self::Dropped => s.signals.async_dropped(),
            Self::Dlq => s.signals.dead_letter_errors(),
            Self::ProvisionedPct => s.signals.provisioned.and_then(|p| p.utilization_max),
            Self::Spillover => s.signals.provisioned.and_then(|p| p.spillover_invocations),
        }
    }
}

/// Numbers descending (ascending when `reverse`), "n/a" last either way:
/// a function without data is never the top of a list.
fn by_value(a: Option<f64>, b: Option<f64>, reverse: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if reverse => x.total_cmp(&y),
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// One row as the order sees it: the function, its numbers, and whether
/// it carries a warning (`⚠`: a failed state, a mapping problem, DLQ
/// errors, dropped events, a deprecated runtime …).
pub type Ranked<'a> = (&'a FunctionInfo, &'a FunctionSummary, bool);

/// Row order: by name ascending, or by a number descending (n/a last); the
/// default (`None`) is errors, then the functions with a warning (so a
/// quiet function with a problem surfaces above the healthy ones, below
/// the failing ones), then invocations. `reverse` flips the primary order
/// (n/a stays last); ties always fall back to the name.
pub fn compare(
    column: Option<SortColumn>,
    reverse: bool,
    a: Ranked<'_>,
    b: Ranked<'_>,
) -> Ordering {
    let primary = match column {
        Some(SortColumn::Name) if reverse => b.0.id.cmp(&a.0.id),
        Some(SortColumn::Name) => a.0.id.cmp(&b.0.id),
        Some(c) => by_value(c.value(a.0, a.1), c.value(b.0, b.1), reverse),
        None => {
            let warned = if reverse {
                a.2.cmp(&b.2)
            } else {
                b.2.cmp(&a.2)
            };
            by_value(a.1.errors, b.1.errors, reverse)
                .then(warned)
                .then(by_value(a.1.invocations, b.1.invocations, reverse))
        }
    };
    primary.then_with(|| a.0.id.cmp(&b.0.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str) -> FunctionInfo {
        FunctionInfo::for_test(name, "")
    }

    #[test]
    fn default_order_errors_then_invocations_and_na_last() {
        let (a, b, c) = (f("a"), f("b"), f("c"));
        let sa = FunctionSummary {
            errors: Some(1.0),
            invocations: Some(5.0),
            ..Default::default()
        };
        let sb = FunctionSummary {
            errors: Some(1.0),
            invocations: Some(9.0),
            ..Default::default()
        };
        let sc = FunctionSummary::default();
        let mut rows = [(&c, &sc, false), (&a, &sa, false), (&b, &sb, false)];
        rows.sort_by(|x, y| compare(None, false, *x, *y));
        let names: Vec<_> = rows.iter().map(|r| r.0.id.name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        rows.sort_by(|x, y| compare(Some(SortColumn::Name), true, *x, *y));
        assert_eq!(rows[0].0.id.name, "c");
        assert_eq!(SortColumn::parse("p99"), Some(SortColumn::P99));
        assert_eq!(SortColumn::Memory.next(), SortColumn::Cost);
        assert_eq!(SortColumn::Cost.next(), SortColumn::Deployed);
        assert_eq!(SortColumn::Deployed.next(), SortColumn::IteratorAge);
        assert_eq!(SortColumn::Spillover.next(), SortColumn::Name);
        // Reversed: ascending, and the function without data still last.
        rows.sort_by(|x, y| compare(None, true, *x, *y));
        let names: Vec<_> = rows.iter().map(|r| r.0.id.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        rows.sort_by(|x, y| compare(Some(SortColumn::Errors), true, *x, *y));
        assert_eq!(rows[2].0.id.name, "c", "n/a last in reverse too");
    }

    #[test]
    fn a_warned_quiet_function_ranks_above_healthy_ones_and_below_failing_ones() {
        let (failing, warned, busy) = (f("failing"), f("warned"), f("busy"));
        let s = |errors: f64, invocations: f64| FunctionSummary {
            errors: Some(errors),
            invocations: Some(invocations),
            ..Default::default()
        };
        let (sf, sw, sb) = (s(3.0, 10.0), s(0.0, 1.0), s(0.0, 900.0));
        let mut rows = [
            (&busy, &sb, false),
            (&warned, &sw, true),
            (&failing, &sf, false),
        ];
        rows.sort_by(|x, y| compare(None, false, *x, *y));
        let names: Vec<_> = rows.iter().map(|r| r.0.id.name.as_str()).collect();
        assert_eq!(names, ["failing", "warned", "busy"]);
        // A chosen column ignores warnings.
        rows.sort_by(|x, y| compare(Some(SortColumn::Invocations), false, *x, *y));
        assert_eq!(rows[0].0.id.name, "busy");
    }
}
