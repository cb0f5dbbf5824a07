//! Derived numbers that answer "what is wrong with this function": rates,
//! cost, and what its REPORT lines say about cold starts and memory. Pure
//! functions over the store's numbers, so every face shows the same values.

use crate::model::fleet::FunctionSummary;
use crate::model::function::{Architecture, FunctionInfo};
use crate::model::logs::taxonomy::report_failure;
use crate::model::logs::{Failure, Report, ReportKind};
use serde::Serialize;

/// Hours in an average month (365 × 24 ÷ 12), the usual billing convention.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Lambda prices used for cost estimates (us-east-1 list prices by default;
/// `[prices]` in the config overrides them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prices {
    /// USD per GB-second on x86_64.
    pub x86_gb_second: f64,
    /// USD per GB-second on arm64.
    pub arm64_gb_second: f64,
    /// USD per million requests.
    pub per_million_requests: f64,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            x86_gb_second: 0.000_016_666_7,
            arm64_gb_second: 0.000_013_333_4,
            per_million_requests: 0.20,
        }
    }
}

impl Prices {
    /// Price of one GB-second on `arch`.
    pub fn gb_second(&self, arch: Architecture) -> f64 {
        match arch {
            Architecture::Arm64 => self.arm64_gb_second,
            _ => self.x86_gb_second,
        }
    }

    /// Cost in USD of `invocations` requests that ran `duration_ms_total`
    /// milliseconds in all, with `memory_mb` configured. Lambda counts a GB
    /// as 1024 MB.
    pub fn cost(
        &self,
        arch: Architecture,
        memory_mb: u32,
        invocations: f64,
        duration_ms_total: f64,
    ) -> f64 {
        let gb_seconds = duration_ms_total / 1000.0 * f64::from(memory_mb) / 1024.0;
        gb_seconds * self.gb_second(arch) + invocations * self.per_million_requests / 1e6
    }
}

impl FunctionSummary {
    /// The summary with its estimated cost per hour filled in, so sorting
    /// by cost reads a number instead of recomputing it.
    pub fn with_cost(mut self, f: &FunctionInfo, window_s: i64, prices: &Prices) -> Self {
        self.cost_per_hour = cost_per_hour(f, &self, window_s, prices);
        self
    }
}

/// Estimated USD per hour at the rate of a window of `window_s` seconds.
fn cost_per_hour(
    f: &FunctionInfo,
    s: &FunctionSummary,
    window_s: i64,
    prices: &Prices,
) -> Option<f64> {
    match (s.invocations, s.duration_total_ms) {
        (Some(i), Some(d)) if window_s > 0 => {
            Some(prices.cost(f.architecture, f.memory_mb, i, d) * 3600.0 / window_s as f64)
        }
        // No invocation in the window: it costs nothing.
        (Some(i), None) if i == 0.0 && window_s > 0 => Some(0.0),
        _ => None,
    }
}

/// Metric-derived insights of one function over the window.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Insight {
    /// Errors ÷ invocations.
    pub error_rate: Option<f64>,
    /// Throttles ÷ (invocations + throttles): the share of requests refused.
    pub throttle_rate: Option<f64>,
    /// p99 duration ÷ timeout.
    pub timeout_ratio: Option<f64>,
    /// Peak concurrency ÷ reserved concurrency (when reserved).
    pub concurrency_of_reserved: Option<f64>,
    /// Peak concurrency ÷ account limit.
    pub concurrency_of_account: Option<f64>,
    /// Estimated USD per hour at the window's rate.
    pub cost_per_hour: Option<f64>,
    /// Estimated USD per month at the window's rate.
    pub cost_per_month: Option<f64>,
}

/// Computes the metric insights of one function. `window_s` is the length
/// of the window the summary covers; `reserved` and `account_limit` are
/// `None` when unknown.
pub fn insight(
    f: &FunctionInfo,
    s: &FunctionSummary,
    window_s: i64,
    prices: &Prices,
    reserved: Option<u32>,
    account_limit: Option<u32>,
) -> Insight {
    let ratio = |num: Option<f64>, den: Option<u32>| match (num, den) {
        (Some(n), Some(d)) if d > 0 => Some(n / f64::from(d)),
        _ => None,
    };
    let throttle_rate = match (s.throttles, s.invocations) {
        (Some(t), Some(i)) if t + i > 0.0 => Some(t / (t + i)),
        _ => None,
    };
    let cost_per_hour = cost_per_hour(f, s, window_s, prices);
    Insight {
        error_rate: s.error_rate,
        throttle_rate,
        timeout_ratio: s.timeout_ratio(f.timeout_s),
        concurrency_of_reserved: ratio(s.concurrency_max, reserved),
        concurrency_of_account: ratio(s.concurrency_max, account_limit),
        cost_per_hour,
        cost_per_month: cost_per_hour.map(|c| c * HOURS_PER_MONTH),
    }
}

/// What a function's REPORT lines say, aggregated: from the log lines lamtop
/// has read, or from a Logs Insights query over the fleet.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ReportStats {
    /// REPORT lines seen (one per finished invocation).
    pub invocations: u64,
    /// Invocations with an init (or SnapStart restore) phase.
    pub cold_starts: u64,
    /// Median init duration of the cold starts (ms).
    pub init_p50_ms: Option<f64>,
    /// 99th percentile init duration (ms).
    pub init_p99_ms: Option<f64>,
    /// Largest `Max Memory Used` (MB).
    pub max_memory_used_mb: Option<f64>,
    /// Configured memory (MB) as the lines report it.
    pub memory_size_mb: Option<f64>,
    /// Mean run time (ms).
    pub avg_duration_ms: Option<f64>,
    /// Mean billed run time (ms).
    pub avg_billed_ms: Option<f64>,
    /// Invocations that ended in a timeout.
    pub timeouts: u64,
    /// Invocations killed for running out of memory.
    pub out_of_memory: u64,
    /// Invocations whose runtime exited or was killed otherwise.
    pub runtime_exits: u64,
    /// Inits that failed or timed out (INIT_REPORT / platform.initReport).
    pub init_failures: u64,
}

impl ReportStats {
    /// Aggregates parsed report lines. An `INIT_REPORT` counts its failure
    /// and its init duration; one whose init re-ran in the invoke phase is
    /// a cold start that the invocation's REPORT does not mark (see
    /// `tests/fixtures/real/SOURCES.md`).
    pub fn from_reports<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Self {
        let mut out = Self::default();
        let mut inits = Vec::new();
        let (mut dur, mut dur_n, mut billed, mut billed_n) = (0.0, 0u64, 0.0, 0u64);
        for r in reports {
            if r.kind != ReportKind::Invoke {
                out.count_init(r, &mut inits);
                continue;
            }
            out.invocations += 1;
            if r.cold_start() {
                out.cold_starts += 1;
            }
            if let Some(i) = r.init_ms.or(r.restore_ms) {
                inits.push(i);
            }
            if let Some(m) = r.max_memory_mb {
                let m = f64::from(m);
                out.max_memory_used_mb = Some(out.max_memory_used_mb.map_or(m, |x| x.max(m)));
            }
            if let Some(m) = r.memory_mb {
                out.memory_size_mb = Some(f64::from(m));
            }
            if let Some(d) = r.duration_ms {
                dur += d;
                dur_n += 1;
            }
            if let Some(b) = r.billed_ms {
                billed += b;
                billed_n += 1;
            }
            match report_failure(false, r.status.as_deref(), r.error_type.as_deref()) {
                Some(Failure::Timeout) => out.timeouts += 1,
                Some(Failure::OutOfMemory) => out.out_of_memory += 1,
                Some(Failure::RuntimeExit) => out.runtime_exits += 1,
                _ => {}
            }
        }
        inits.sort_by(f64::total_cmp);
        out.init_p50_ms = percentile(&inits, 0.50);
        out.init_p99_ms = percentile(&inits, 0.99);
        out.avg_duration_ms = (dur_n > 0).then(|| dur / dur_n as f64);
        out.avg_billed_ms = (billed_n > 0).then(|| billed / billed_n as f64);
        out
    }

    fn count_init(&mut self, r: &Report, inits: &mut Vec<f64>) {
        let init = r.kind == ReportKind::Init;
        if report_failure(true, r.status.as_deref(), r.error_type.as_deref()).is_some() {
            self.init_failures += u64::from(init);
        }
        if init && r.phase.as_deref() == Some("invoke") {
            self.cold_starts += 1;
            inits.extend(r.init_ms);
        }
    }

    /// Cold starts ÷ invocations.
    pub fn cold_start_rate(&self) -> Option<f64> {
        (self.invocations > 0).then(|| self.cold_starts as f64 / self.invocations as f64)
    }

    /// Peak memory used ÷ configured memory.
    pub fn memory_used_ratio(&self, configured_mb: Option<u32>) -> Option<f64> {
        let size = self
            .memory_size_mb
            .or(configured_mb.map(f64::from))
            .filter(|s| *s > 0.0)?;
        Some(self.max_memory_used_mb? / size)
    }

    /// Billed ÷ actual run time (1.0 = no rounding waste).
    pub fn billed_over_actual(&self) -> Option<f64> {
        match (self.avg_billed_ms, self.avg_duration_ms) {
            (Some(b), Some(d)) if d > 0.0 => Some(b / d),
            _ => None,
        }
    }

    /// A right-sizing hint, e.g. "uses ≤ 38% of 1024 MB: try 512 MB". Only
    /// given with enough evidence (20 invocations), since one quiet sample
    /// says little about the peak. Lambda CPU scales with memory, so the
    /// hint is about memory alone and says so.
    pub fn right_sizing(&self, configured_mb: Option<u32>) -> Option<String> {
        let size = self.memory_size_mb.or(configured_mb.map(f64::from))?;
        let ratio = self.memory_used_ratio(configured_mb)?;
        if self.invocations < 20 {
            return None;
        }
        let pct = (ratio * 100.0).ceil();
        if ratio >= 0.9 {
            return Some(format!(
                "uses up to {pct:.0}% of {size:.0} MB: close to the limit, consider more memory"
            ));
        }
        if ratio > 0.5 || size <= 128.0 {
            return None;
        }
        // Smallest power-of-two-ish size that keeps 30 % headroom.
        let need = self.max_memory_used_mb? * 1.3;
        let suggest = [128.0, 256.0, 512.0, 1024.0, 1536.0, 2048.0, 3008.0, 4096.0]
            .into_iter()
            .find(|m| *m >= need && *m < size)?;
        Some(format!(
            "uses ≤ {pct:.0}% of {size:.0} MB: {suggest:.0} MB would keep 30% headroom (CPU scales with memory: check duration after)"
        ))
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests;
