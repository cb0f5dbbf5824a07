//! The fleet-wide CloudWatch Logs Insights query: cold starts, init
//! duration and memory of every function from its REPORT lines, at most
//! [`MAX_GROUPS_PER_QUERY`] log groups per query. The query text, the
//! shape of its results, and the parser that turns rows into
//! [`ReportStats`] per log group.

use crate::model::insight::ReportStats;
use std::collections::HashMap;

/// Logs Insights accepts at most 50 log groups per query.
pub const MAX_GROUPS_PER_QUERY: usize = 50;

/// USD per GB scanned (us-east-1).
pub const PRICE_PER_GB_SCANNED: f64 = 0.005;

/// One row per log group. `@maxMemoryUsed` and `@memorySize` are in bytes
/// (AWS's own examples divide by 1000²); `@initDuration` is present only on
/// cold starts, so `count(@initDuration)` counts them.
pub const FLEET_QUERY: &str = "filter @type = \"REPORT\"
| stats count(*) as invocations,
        count(@initDuration) as coldStarts,
        pct(@initDuration, 50) as initP50,
        pct(@initDuration, 99) as initP99,
        max(@maxMemoryUsed) / 1000 / 1000 as maxMemoryMB,
        max(@memorySize) / 1000 / 1000 as memorySizeMB,
        avg(@duration) as avgDuration,
        avg(@billedDuration) as avgBilled,
        sum(strcontains(@message, \"Status: timeout\")) as timeouts,
        sum(strcontains(@message, \"Runtime.OutOfMemory\")) as outOfMemory,
        sum(strcontains(@message, \"Status: error\")) as errorExits
  by @log";

/// The status of a query, as GetQueryResults reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStatus {
    /// Waiting for capacity.
    Scheduled,
    /// Running.
    Running,
    /// Done: the rows are final.
    Complete,
    /// Failed.
    Failed,
    /// Stopped by StopQuery.
    Cancelled,
    /// Ran past the service's limit.
    Timeout,
    /// Anything else.
    Unknown,
}

impl QueryStatus {
    /// Parses the API's spelling.
    pub fn from_api(s: &str) -> Self {
        match s {
            "Scheduled" => Self::Scheduled,
            "Running" => Self::Running,
            "Complete" => Self::Complete,
            "Failed" => Self::Failed,
            "Cancelled" => Self::Cancelled,
            "Timeout" => Self::Timeout,
            _ => Self::Unknown,
        }
    }

    /// No more results will come.
    pub fn is_done(self) -> bool {
        !matches!(self, Self::Scheduled | Self::Running)
    }
}

/// One poll of a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryPoll {
    /// Status (`None`: the endpoint did not say).
    pub status: Option<QueryStatus>,
    /// Rows, each a list of (field, value).
    pub rows: Vec<Vec<(String, String)>>,
    /// Bytes scanned so far.
    pub bytes_scanned: f64,
    /// Records matched so far.
    pub records_matched: f64,
}

/// The log group of an `@log` value (`123456789012:/aws/lambda/api`).
pub fn group_of(log: &str) -> &str {
    match log.split_once(':') {
        Some((account, group)) if account.chars().all(|c| c.is_ascii_digit()) => group,
        _ => log,
    }
}

/// Turns result rows into statistics per log group. Rows without `@log`
/// or without a count (an endpoint that ignores `stats` returns raw
/// events) are skipped, so a wrong answer shows as "no data", never as
/// wrong numbers.
pub fn parse_rows(rows: &[Vec<(String, String)>]) -> HashMap<String, ReportStats> {
    let mut out = HashMap::new();
    for row in rows {
        let get = |k: &str| row.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        let num = |k: &str| {
            get(k)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let (Some(log), Some(invocations)) = (get("@log"), num("invocations")) else {
            continue;
        };
        let stats = ReportStats {
            invocations: invocations as u64,
            cold_starts: num("coldStarts").unwrap_or(0.0) as u64,
            init_p50_ms: num("initP50"),
            init_p99_ms: num("initP99"),
            max_memory_used_mb: num("maxMemoryMB"),
            memory_size_mb: num("memorySizeMB"),
            avg_duration_ms: num("avgDuration"),
            avg_billed_ms: num("avgBilled"),
            timeouts: num("timeouts").unwrap_or(0.0) as u64,
            out_of_memory: num("outOfMemory").unwrap_or(0.0) as u64,
            // `Status: error` REPORTs are out-of-memory kills or other exits.
            runtime_exits: (num("errorExits").unwrap_or(0.0) - num("outOfMemory").unwrap_or(0.0))
                .max(0.0) as u64,
            init_failures: 0,
        };
        out.insert(group_of(log).to_string(), stats);
    }
    out
}

/// Estimated cost of scanning `bytes`.
pub fn scan_cost(bytes: f64) -> f64 {
    bytes / 1e9 * PRICE_PER_GB_SCANNED
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_become_stats_per_group_and_junk_is_skipped() {
        let rows = vec![
            row(&[
                ("@log", "123456789012:/aws/lambda/api"),
                ("invocations", "200"),
                ("coldStarts", "10"),
                ("initP50", "250.5"),
                ("initP99", "900"),
                ("maxMemoryMB", "96"),
                ("memorySizeMB", "128"),
                ("avgDuration", "40.2"),
                ("avgBilled", "41"),
                ("timeouts", "2"),
                ("outOfMemory", "3"),
                ("errorExits", "4"),
            ]),
            // An endpoint that ignores `stats` returns raw events.
            row(&[("@timestamp", "2026-01-01"), ("@message", "REPORT …")]),
            row(&[("@log", "x:/weird"), ("invocations", "NaN")]),
        ];
        let stats = parse_rows(&rows);
        assert_eq!(stats.len(), 1);
        let s = &stats["/aws/lambda/api"];
        assert_eq!(s.invocations, 200);
        assert_eq!(s.cold_start_rate(), Some(0.05));
        assert_eq!(s.init_p99_ms, Some(900.0));
        assert_eq!(s.memory_used_ratio(None), Some(0.75));
        assert_eq!((s.timeouts, s.out_of_memory, s.runtime_exits), (2, 3, 1));
        assert_eq!(group_of("/aws/lambda/x"), "/aws/lambda/x");
        assert!((scan_cost(2e9) - 0.01).abs() < 1e-12);
        assert!(!QueryStatus::from_api("Running").is_done());
        assert!(QueryStatus::from_api("Complete").is_done());
    }
}
