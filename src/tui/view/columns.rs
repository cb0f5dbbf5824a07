//! The fleet table's columns: one enum, each column knowing its header,
//! its width, the sort it stands for, the terminal width it needs and how
//! to draw its cell. Which columns show is decided here too.

use super::widgets::trend;
use crate::format;
use crate::model::fleet::SortColumn;
use crate::model::insight::{Insight, ReportStats};
use crate::model::metrics::Series;
use crate::model::text::sanitize;
use crate::tui::app::ColumnSet;
use crate::tui::rows::Row as FleetRow;
use crate::tui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Cell;

/// Width of the sparkline column.
const SPARK: u16 = 12;

/// One column of the fleet table, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The function name (takes the room left).
    Function,
    /// The account (only when several profiles are watched): its id
    /// from STS, the profile's name until that is known.
    Account,
    /// The region (only when several regions are watched).
    Region,
    /// Invocations in the window.
    Invocations,
    /// Invocations sparkline.
    Trend,
    /// Errors in the window.
    Errors,
    /// Errors / invocations.
    ErrorRate,
    /// Throttles in the window.
    Throttles,
    /// Mean duration.
    Avg,
    /// p50 duration.
    P50,
    /// p99 duration.
    P99,
    /// Longest duration.
    Max,
    /// Peak concurrency.
    Concurrency,
    /// p99 as a share of the timeout.
    TimeoutPct,
    /// Age of the latest deploy (marked inside the window, `▲` when the
    /// error rate rose significantly after it).
    Deployed,
    /// Configured memory.
    Memory,
    /// Runtime.
    Runtime,
    /// Insight: estimated cost per hour.
    Cost,
    /// Insight: throttles / (invocations + throttles).
    ThrottleRate,
    /// Insight: cold-start share (from REPORT lines).
    ColdRate,
    /// Insight: peak memory used / configured.
    MemoryUsed,
    /// Signal: peak stream iterator age.
    IteratorAge,
    /// Signal: peak async event age.
    AsyncAge,
    /// Signal: async events dropped.
    Dropped,
    /// Signal: dead-letter errors.
    Dlq,
    /// Signal: peak provisioned concurrency utilization.
    ProvisionedPct,
    /// Signal: provisioned concurrency spillover invocations.
    Spillover,
}

impl Column {
    /// Every column, in display order.
    pub const ALL: [Column; 27] = [
        Self::Function,
        Self::Account,
        Self::Region,
        Self::Invocations,
        Self::Trend,
        Self::Errors,
        Self::ErrorRate,
        Self::Throttles,
        Self::Avg,
        Self::P50,
        Self::P99,
        Self::Max,
        Self::Concurrency,
        Self::TimeoutPct,
        Self::Deployed,
        Self::Memory,
        Self::Runtime,
        Self::Cost,
        Self::ThrottleRate,
        Self::ColdRate,
        Self::MemoryUsed,
        Self::IteratorAge,
        Self::AsyncAge,
        Self::Dropped,
        Self::Dlq,
        Self::ProvisionedPct,
        Self::Spillover,
    ];

    /// The header text.
    pub fn header(self) -> &'static str {
        match self {
            Self::Function => "FUNCTION",
            Self::Account => "ACCOUNT",
            Self::Region => "REGION",
            Self::Invocations => "INVOC",
            Self::Trend => "TREND",
            Self::Errors => "ERRORS",
            Self::ErrorRate => "ERR%",
            Self::Throttles => "THROT",
            Self::Avg => "AVG",
            Self::P50 => "P50",
            Self::P99 => "P99",
            Self::Max => "MAX",
            Self::Concurrency => "CONC",
            Self::TimeoutPct => "P99/TO",
            Self::Deployed => "DEPLOYED",
            Self::Memory => "MEM",
            Self::Runtime => "RUNTIME",
            Self::Cost => "$/H",
            Self::ThrottleRate => "THR%",
            Self::ColdRate => "COLD%",
            Self::MemoryUsed => "MEM%",
            Self::IteratorAge => "ITER AGE",
            Self::AsyncAge => "ASYNC AGE",
            Self::Dropped => "DROPPED",
            Self::Dlq => "DLQ",
            Self::ProvisionedPct => "PC%",
            Self::Spillover => "SPILL",
        }
    }

    /// Fixed width; `None` for the name, which takes what is left.
    pub fn width(self) -> Option<u16> {
        Some(match self {
            Self::Function => return None,
            Self::Account => 13,
            Self::Region => 14,
            Self::Trend => SPARK,
            Self::Runtime => 12,
            Self::Invocations | Self::Errors | Self::Avg | Self::P50 => 7,
            Self::P99 | Self::Max => 7,
            Self::ErrorRate | Self::Throttles | Self::TimeoutPct | Self::Memory => 6,
            Self::ThrottleRate | Self::ColdRate => 6,
            Self::Concurrency | Self::MemoryUsed => 5,
            Self::Cost | Self::Deployed | Self::IteratorAge => 8,
            Self::AsyncAge => 9,
            Self::Dropped => 7,
            Self::Dlq => 5,
            Self::ProvisionedPct => 6,
            Self::Spillover => 6,
        })
    }

    /// The sort this column's header stands for.
    pub fn sort(self) -> Option<SortColumn> {
        Some(match self {
            Self::Function => SortColumn::Name,
            Self::Invocations => SortColumn::Invocations,
            Self::Errors => SortColumn::Errors,
            Self::ErrorRate => SortColumn::ErrorRate,
            Self::Throttles => SortColumn::Throttles,
            Self::Avg => SortColumn::Avg,
            Self::P50 => SortColumn::P50,
            Self::P99 => SortColumn::P99,
            Self::Max => SortColumn::Max,
            Self::Concurrency => SortColumn::Concurrency,
            Self::TimeoutPct => SortColumn::TimeoutPct,
            Self::Memory => SortColumn::Memory,
            Self::Cost => SortColumn::Cost,
            Self::Deployed => SortColumn::Deployed,
            Self::IteratorAge => SortColumn::IteratorAge,
            Self::AsyncAge => SortColumn::AsyncAge,
            Self::Dropped => SortColumn::Dropped,
            Self::Dlq => SortColumn::Dlq,
            Self::ProvisionedPct => SortColumn::ProvisionedPct,
            Self::Spillover => SortColumn::Spillover,
            Self::Region
            | Self::Account
            | Self::Trend
            | Self::Runtime
            | Self::ThrottleRate
            | Self::ColdRate
            | Self::MemoryUsed => return None,
        })
    }

    /// The narrowest terminal that shows this column.
    fn min_width(self) -> u16 {
        match self {
            Self::Trend => 100,
            Self::P50 => 120,
            Self::Max => 90,
            Self::Concurrency => 80,
            Self::TimeoutPct => 110,
            Self::Deployed => 115,
            Self::Memory => 130,
            Self::Runtime => 140,
            // The signal set keeps what is being lost first.
            Self::IteratorAge => 90,
            Self::AsyncAge => 105,
            Self::ProvisionedPct => 115,
            Self::Spillover => 125,
            _ => 0,
        }
    }

    /// An insight column (`c` shows them).
    fn is_insight(self) -> bool {
        matches!(
            self,
            Self::Cost | Self::ThrottleRate | Self::ColdRate | Self::MemoryUsed
        )
    }

    /// A signal column (`c` twice shows them).
    fn is_signal(self) -> bool {
        matches!(
            self,
            Self::IteratorAge
                | Self::AsyncAge
                | Self::Dropped
                | Self::Dlq
                | Self::ProvisionedPct
                | Self::Spillover
        )
    }

    /// A column the insight or signal columns replace, to make room.
    fn makes_room(self) -> bool {
        matches!(self, Self::Trend | Self::P50 | Self::Max | Self::Runtime)
    }

    /// The columns shown at `width`, with or without the account and
    /// region columns, with the extra columns of `set`.
    pub fn shown(width: u16, places: Places, set: ColumnSet) -> Vec<Column> {
        Self::ALL
            .into_iter()
            .filter(|c| width >= c.min_width())
            .filter(|c| places.regions || *c != Self::Region)
            .filter(|c| places.accounts || *c != Self::Account)
            .filter(|c| match set {
                ColumnSet::Metrics => !c.is_insight() && !c.is_signal(),
                ColumnSet::Insights => !c.makes_room() && !c.is_signal(),
                // Six more columns: the deploy age and memory go too
                // (a regression after a deploy then marks the errors ▲).
                ColumnSet::Signals => {
                    let narrow_avg = width < 100 && *c == Self::Avg;
                    !c.makes_room()
                        && !c.is_insight()
                        && !narrow_avg
                        && !matches!(c, Self::Deployed | Self::Memory)
                }
            })
            .collect()
    }
}

/// What the cells of one row are drawn from.
/// Which place columns the fleet needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Places {
    /// Several regions (or accounts, whose ids always carry the region).
    pub regions: bool,
    /// Several profiles.
    pub accounts: bool,
}

/// What one row's cells are made from.
pub struct RowData<'r, 's> {
    /// The row (function and window numbers).
    pub row: &'r FleetRow<'s>,
    /// Its invocations series, for the sparkline.
    pub invocations: Option<&'s Series>,
    /// Its errors series: the sparkline marks the minutes with errors.
    pub errors: Option<&'s Series>,
    /// Its insights, when the insight columns are on.
    pub insight: Option<Insight>,
    /// Its REPORT statistics, if read.
    pub reports: Option<&'s ReportStats>,
    /// An alarm on it is firing (its name is marked `✖`).
    pub firing: bool,
    /// The columns' extremes over every row, so each reads one way.
    pub scale: &'r ColumnScale,
    /// Its latest deploy: age in seconds, inside the window, regressed.
    pub deployed: Option<DeployCell>,
    /// The DEPLOYED column is not shown (too narrow): a regression after
    /// a deploy marks the errors `▲` instead.
    pub deploy_hidden: bool,
    /// Its REPORT statistics come from the log pane's lines, not the window.
    pub reports_from_log_pane: bool,
    /// A failed state or update, or a deprecated (or soon) runtime: the
    /// name is marked `⚠` (unless an alarm marks it `✖`).
    pub warning: bool,
    /// Its account as shown (id, else profile), with several profiles.
    pub account: Option<String>,
}

impl RowData<'_, '_> {
    /// `value` marked `*` when it was computed from the log pane's lines.
    fn marked_if_log_pane(&self, value: String) -> String {
        if self.reports_from_log_pane && self.reports.is_some() {
            format!("{value}*")
        } else {
            value
        }
    }
}

/// What the DEPLOYED cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployCell {
    /// Seconds since the deploy.
    pub age_s: i64,
    /// The deploy is inside the metrics window.
    pub in_window: bool,
    /// The error rate rose significantly after it.
    pub regressed: bool,
}

/// The largest count of each count column and the cheapest cost, over
/// every row of the table (not only those on screen).
#[derive(Debug, Clone, Copy, Default)]
pub struct ColumnScale {
    /// Largest invocations.
    pub invocations: Option<f64>,
    /// Largest errors.
    pub errors: Option<f64>,
    /// Largest throttles.
    pub throttles: Option<f64>,
    /// Largest peak concurrency.
    pub concurrency: Option<f64>,
    /// Cheapest non-zero cost per hour (insight columns on).
    pub cost_min: Option<f64>,
}

impl Column {
    /// This column's cell of `d`.
    pub fn cell<'a>(self, d: &RowData<'_, '_>, t: Theme) -> Cell<'a> {
        let s = &d.row.summary;
        let info = d.row.info;
        let loud = |v: Option<f64>, style: Style| {
            if v.is_some_and(|x| x > 0.0) {
                style
            } else {
                t.text()
            }
        };
        let styled = |text: String, style: Style| Cell::from(Span::styled(text, style));
        let insight = d.insight;
        match self {
            Self::Function if d.firing => {
                styled(format!("✖ {}", sanitize(&d.row.info.id.name)), t.error())
            }
            Self::Function if d.warning => {
                styled(format!("⚠ {}", sanitize(&d.row.info.id.name)), t.warn())
            }
            Self::Function => Cell::from(sanitize(&d.row.info.id.name)),
            Self::Account => Cell::from(sanitize(d.account.as_deref().unwrap_or(""))),
            Self::Region => Cell::from(sanitize(d.row.info.id.region.as_deref().unwrap_or(""))),
            Self::Invocations => Cell::from(format::count_in(s.invocations, d.scale.invocations)),
            Self::Trend => Cell::from(trend(d.invocations, d.errors, usize::from(SPARK), t)),
            // Without the DEPLOYED column, a rise after a deploy marks the
            // errors (the name keeps its width).
            Self::Errors if d.deploy_hidden && d.deployed.is_some_and(|c| c.regressed) => styled(
                format!("{}▲", format::count_in(s.errors, d.scale.errors)),
                t.error(),
            ),
            Self::Errors => styled(
                format::count_in(s.errors, d.scale.errors),
                loud(s.errors, t.error()),
            ),
            Self::ErrorRate => styled(format::pct(s.error_rate), loud(s.errors, t.error())),
            Self::Throttles => styled(
                format::count_in(s.throttles, d.scale.throttles),
                loud(s.throttles, t.warn()),
            ),
            Self::Avg => Cell::from(format::ms(s.duration_avg)),
            Self::P50 => Cell::from(format::ms(s.duration_p50)),
            Self::P99 => Cell::from(format::ms(s.duration_p99)),
            Self::Max => Cell::from(format::ms(s.duration_max)),
            Self::Concurrency => {
                Cell::from(format::count_in(s.concurrency_max, d.scale.concurrency))
            }
            Self::TimeoutPct => {
                let ratio = s.timeout_ratio(info.timeout_s);
                styled(
                    format::pct(ratio),
                    loud(ratio.filter(|x| *x >= 0.8), t.warn()),
                )
            }
            Self::Deployed => match d.deployed {
                None => Cell::from("n/a"),
                Some(c) if c.regressed => styled(format!("▲{}", format::age(c.age_s)), t.error()),
                Some(c) if c.in_window => styled(format::age(c.age_s), t.warn()),
                Some(c) => Cell::from(format::age(c.age_s)),
            },
            Self::Memory => Cell::from(format!("{}MB", info.memory_mb)),
            Self::Runtime => Cell::from(sanitize(&info.runtime)),
            Self::Cost => Cell::from(format::money_in(
                insight.and_then(|i| i.cost_per_hour),
                d.scale.cost_min,
            )),
            Self::ThrottleRate => {
                let rate = insight.and_then(|i| i.throttle_rate);
                styled(format::pct(rate), loud(rate, t.warn()))
            }
            // `*`: from the log pane's lines, not the window (the title says).
            Self::ColdRate => Cell::from(
                d.marked_if_log_pane(format::pct(d.reports.and_then(|r| r.cold_start_rate()))),
            ),
            Self::MemoryUsed => Cell::from(
                d.marked_if_log_pane(format::pct(
                    d.reports
                        .and_then(|r| r.memory_used_ratio(Some(info.memory_mb))),
                )),
            ),
            Self::IteratorAge => Cell::from(format::ms(s.signals.iterator_age_max_ms)),
            Self::AsyncAge => Cell::from(format::ms(s.signals.async_age_max_ms())),
            Self::Dropped => {
                let n = s.signals.async_dropped();
                styled(format::count(n), loud(n, t.error()))
            }
            Self::Dlq => {
                let n = s.signals.dead_letter_errors();
                styled(format::count(n), loud(n, t.error()))
            }
            Self::ProvisionedPct => {
                let u = s.signals.provisioned.and_then(|p| p.utilization_max);
                styled(format::pct(u), loud(u.filter(|u| *u >= 0.9), t.warn()))
            }
            Self::Spillover => {
                let n = s.signals.provisioned.and_then(|p| p.spillover_invocations);
                styled(format::count(n), loud(n, t.warn()))
            }
        }
    }
}
