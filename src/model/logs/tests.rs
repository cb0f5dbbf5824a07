//! Tests of the parent module.

use super::*;

const TEXT_REPORT: &str = "REPORT RequestId: 3f1e5e0a-1c2b-4d5e-8f90-123456789abc\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\tInit Duration: 250.12 ms\t";
const SNAPSTART: &str = "REPORT RequestId: 0b9c2c5e-aaaa-bbbb-cccc-0123456789ab\tDuration: 40.00 ms\tBilled Duration: 41 ms\tMemory Size: 512 MB\tMax Memory Used: 120 MB\tRestore Duration: 310.50 ms\tBilled Restore Duration: 150 ms";
const TIMEOUT: &str = "REPORT RequestId: 11111111-2222-3333-4444-555555555555\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout";
const JSON_REPORT: &str = r#"{"time":"2024-05-01T12:00:00.000Z","type":"platform.report","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":256,"maxMemoryUsedMB":80,"initDurationMs":180.2},"status":"success"}}"#;

#[test]
fn parses_text_reports_including_snapstart_and_timeout() {
    let r = parse_report(TEXT_REPORT).unwrap();
    assert_eq!(r.request_id, "3f1e5e0a-1c2b-4d5e-8f90-123456789abc");
    assert_eq!((r.duration_ms, r.billed_ms), (Some(102.25), Some(103.0)));
    assert_eq!((r.memory_mb, r.max_memory_mb), (Some(128), Some(71)));
    assert_eq!(r.init_ms, Some(250.12));
    assert!(r.cold_start());
    let s = parse_report(SNAPSTART).unwrap();
    assert_eq!(s.restore_ms, Some(310.5));
    assert!(s.cold_start() && s.init_ms.is_none());
    let t = parse_report(TIMEOUT).unwrap();
    assert_eq!(t.status.as_deref(), Some("timeout"));
    assert_eq!(classify(TIMEOUT), LineKind::Report);
    assert_eq!(analyze(TIMEOUT).failure, Some(Failure::Timeout));
    assert!(!t.cold_start());
}

#[test]
fn parses_json_reports() {
    let r = parse_report(JSON_REPORT).unwrap();
    assert_eq!(r.request_id, "6d68ca91-49c9-448d-89b8-7ca3e6dc66aa");
    assert_eq!(
        (r.duration_ms, r.init_ms, r.memory_mb),
        (Some(12.5), Some(180.2), Some(256))
    );
    assert_eq!(classify(JSON_REPORT), LineKind::Report);
    let timeout = JSON_REPORT.replace("\"success\"", "\"timeout\"");
    assert_eq!(analyze(&timeout).failure, Some(Failure::Timeout));
    assert!(parse_report(r#"{"type":"platform.start"}"#).is_none());
    assert!(parse_report("REPORT garbage").is_none());
}

#[test]
fn classifies_lambda_lines_of_both_formats() {
    let cases = [
        (
            "START RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa Version: $LATEST",
            LineKind::Start,
        ),
        (
            "END RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa",
            LineKind::End,
        ),
        (
            "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:x",
            LineKind::InitStart,
        ),
        (
            "XRAY TraceId: 1-5e1b4151-5ac6c58f5b5daa6532e4f2e8\tSegmentId: 6b3d3e2a1f7c9d0e\tSampled: true",
            LineKind::Xray,
        ),
        (
            "2024-05-01T12:00:03.000Z 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa Task timed out after 3.00 seconds",
            LineKind::Error,
        ),
        (
            "[ERROR] KeyError: 'id'\nTraceback (most recent call last):",
            LineKind::Error,
        ),
        (
            "2024-05-01T12:00:00.000Z\t6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\"}",
            LineKind::Error,
        ),
        (
            "{\"errorType\":\"Runtime.ImportModuleError\",\"errorMessage\":\"Unable to import module\"}",
            LineKind::Error,
        ),
        (
            r#"{"time":"t","type":"platform.start","record":{"requestId":"r"}}"#,
            LineKind::Start,
        ),
        (
            r#"{"time":"t","type":"platform.initStart","record":{}}"#,
            LineKind::InitStart,
        ),
        (
            r#"{"timestamp":"t","level":"ERROR","message":"boom","requestId":"r"}"#,
            LineKind::Error,
        ),
        (r#"{"level":"WARN","message":"slow"}"#, LineKind::Warn),
        ("[WARN] 2024 slow downstream", LineKind::Warn),
        ("hello world", LineKind::Other),
    ];
    for (line, want) in cases {
        assert_eq!(classify(line), want, "{line}");
    }
}

#[test]
fn request_ids_and_compact_json() {
    assert_eq!(
        request_id(TEXT_REPORT).as_deref(),
        Some("3f1e5e0a-1c2b-4d5e-8f90-123456789abc")
    );
    assert_eq!(
        request_id("2024-05-01T12:00:00.000Z\t6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tINFO\thi")
            .as_deref(),
        Some("6d68ca91-49c9-448d-89b8-7ca3e6dc66aa")
    );
    assert_eq!(
        request_id(r#"{"level":"INFO","requestId":"abc"}"#).as_deref(),
        Some("abc")
    );
    assert_eq!(request_id("plain"), None);
    assert_eq!(
        compact_json(
            r#"{"timestamp":"t","level":"error","message":"payment failed","orderId":42}"#
        )
        .as_deref(),
        Some("ERROR payment failed · orderId=42")
    );
    assert_eq!(compact_json("not json"), None);
}
