//! Tests of the parent module.

use super::*;

#[test]
fn deterministic_and_storied() {
    let fleet = build(42);
    assert_eq!(fleet.len(), 30);
    let m = |name: &str, t: i64| {
        let (i, s) = fleet
            .iter()
            .enumerate()
            .find(|(_, s)| s.info.id.name == name)
            .unwrap();
        minute(42, i, s, t)
    };
    assert_eq!(m("orders-api", 1000), m("orders-api", 1000));
    assert_eq!(m("legacy-cron", 1000).invocations, 0.0);
    assert!(
        m("payments-webhook", 60 * 500 + 25).errors > m("payments-webhook", 60 * 500 + 5).errors
    );
    let busy = (0..1440)
        .map(|t| m("thumbnailer", t).throttles)
        .sum::<f64>();
    assert!(busy > 0.0);
    assert!((0..120).any(|t| m("report-export", t).max_ms >= 15_000.0));
    let other = build(43);
    assert_ne!(fleet[0].per_minute, other[0].per_minute);
}
