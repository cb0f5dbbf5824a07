use super::*;
use crate::model::logs::parse_report;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[test]
fn cost_matches_hand_computed_x86_and_arm64() {
    let p = Prices::default();
    // 1M requests of 100 ms at 1024 MB = 100,000 GB-s.
    // x86: 100,000 × 0.0000166667 = 1.66667 USD + 0.20 requests = 1.86667.
    let x86 = p.cost(Architecture::X86_64, 1024, 1e6, 1e6 * 100.0);
    assert!(close(x86, 1.666_67 + 0.20), "{x86}");
    // arm64: 100,000 × 0.0000133334 = 1.33334 + 0.20 = 1.53334.
    let arm = p.cost(Architecture::Arm64, 1024, 1e6, 1e6 * 100.0);
    assert!(close(arm, 1.333_34 + 0.20), "{arm}");
    // 128 MB is an eighth of a GB: 3,600 s of run time = 450 GB-s.
    let small = p.cost(Architecture::X86_64, 128, 0.0, 3_600_000.0);
    assert!(close(small, 450.0 * 0.000_016_666_7), "{small}");
}

#[test]
fn insight_scales_window_cost_to_hour_and_month() {
    let mut f = FunctionInfo::for_test("api", "python3.12");
    f.memory_mb = 512;
    f.architecture = Architecture::Arm64;
    let s = FunctionSummary {
        invocations: Some(600.0),
        errors: Some(6.0),
        error_rate: Some(0.01),
        throttles: Some(400.0),
        duration_total_ms: Some(600.0 * 200.0),
        concurrency_max: Some(5.0),
        duration_p99: Some(1500.0),
        ..Default::default()
    };
    let i = insight(&f, &s, 900, &Prices::default(), Some(10), Some(1000));
    // 120 s × 0.5 GB = 60 GB-s × 0.0000133334 + 600 × 0.2e-6, over 15 minutes.
    let window_cost = 60.0 * 0.000_013_333_4 + 600.0 * 0.2e-6;
    assert!(close(i.cost_per_hour.unwrap(), window_cost * 4.0));
    assert!(close(i.cost_per_month.unwrap(), window_cost * 4.0 * 730.0));
    assert_eq!(i.throttle_rate, Some(0.4));
    assert_eq!(i.timeout_ratio, Some(0.5));
    assert_eq!(i.concurrency_of_reserved, Some(0.5));
    assert_eq!(i.concurrency_of_account, Some(0.005));
    let idle = FunctionSummary {
        invocations: Some(0.0),
        ..Default::default()
    };
    let i = insight(&f, &idle, 900, &Prices::default(), None, None);
    assert_eq!(i.cost_per_hour, Some(0.0));
    assert_eq!(i.throttle_rate, None);
    assert_eq!(i.concurrency_of_reserved, None);
}

fn report(dur: f64, mem: u32, init: Option<f64>, status: &str) -> Report {
    let mut line = format!(
        "REPORT RequestId: r\tDuration: {dur} ms\tBilled Duration: {} ms\tMemory Size: 1024 MB\tMax Memory Used: {mem} MB",
        dur.ceil()
    );
    if let Some(i) = init {
        line.push_str(&format!("\tInit Duration: {i} ms"));
    }
    if !status.is_empty() {
        line.push_str(&format!("\tStatus: {status}"));
    }
    parse_report(&line).expect("a REPORT line")
}

#[test]
fn report_stats_count_cold_starts_memory_and_timeouts() {
    let mut reports = Vec::new();
    for i in 0..40 {
        let init = (i % 10 == 0).then_some(200.0 + f64::from(i));
        let status = if i == 39 { "timeout" } else { "" };
        reports.push(report(99.5, 300 + i, init, status));
    }
    let s = ReportStats::from_reports(&reports);
    assert_eq!(s.invocations, 40);
    assert_eq!(s.cold_starts, 4);
    assert_eq!(s.cold_start_rate(), Some(0.1));
    assert_eq!(s.init_p50_ms, Some(210.0));
    assert_eq!(s.init_p99_ms, Some(230.0));
    assert_eq!(s.max_memory_used_mb, Some(339.0));
    assert_eq!(s.memory_used_ratio(None), Some(339.0 / 1024.0));
    assert_eq!(s.timeouts, 1);
    assert_eq!(s.avg_billed_ms, Some(100.0));
    assert!(close(s.billed_over_actual().unwrap(), 100.0 / 99.5));
    assert_eq!(
        s.right_sizing(Some(1024)).as_deref(),
        Some(
            "uses ≤ 34% of 1024 MB: 512 MB would keep 30% headroom (CPU scales with memory: check duration after)"
        )
    );
}

#[test]
fn right_sizing_needs_evidence_and_warns_near_the_limit() {
    let few: Vec<_> = (0..5).map(|_| report(10.0, 100, None, "")).collect();
    assert_eq!(
        ReportStats::from_reports(&few).right_sizing(Some(1024)),
        None
    );
    let full: Vec<_> = (0..30).map(|_| report(10.0, 1000, None, "")).collect();
    let hint = ReportStats::from_reports(&full)
        .right_sizing(Some(1024))
        .unwrap();
    assert!(hint.starts_with("uses up to 98% of 1024 MB"), "{hint}");
    let empty = ReportStats::default();
    assert_eq!(empty.cold_start_rate(), None);
    assert_eq!(empty.memory_used_ratio(Some(128)), None);
}
