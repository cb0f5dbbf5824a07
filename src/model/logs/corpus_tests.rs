//! Every line of the real-output corpus (`tests/fixtures/real/logs`) gets
//! the kind, failure, error type, ids and report numbers its source says.

use super::analyze;
use serde_json::Value;
use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/logs")
}

/// Every sample of the corpus: (file, id, source, message, expect).
pub(crate) fn samples() -> Vec<(String, String, String, String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .expect("tests/fixtures/real/logs exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        for (n, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}:{}: not JSON: {e}", n + 1));
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            out.push((
                name.clone(),
                s("id"),
                s("source"),
                s("message"),
                v["expect"].clone(),
            ));
        }
    }
    out
}

fn as_value<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap()
}

/// Numbers compare as numbers (`103` equals `103.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

#[test]
fn every_real_line_reads_as_its_source_says() {
    let all = samples();
    assert!(all.len() >= 100, "the corpus has {} samples", all.len());
    let mut wrong = Vec::new();
    for (file, id, _, message, expect) in &all {
        let info = analyze(message);
        let got = as_value(&info);
        for key in ["kind", "failure", "error_type", "request_id", "trace_id"] {
            if let Some(want) = expect.get(key)
                && !same(want, &got[key])
            {
                wrong.push(format!("{file} {id}: {key} = {} (want {want})", got[key]));
            }
        }
        match (expect.get("report"), &info.report) {
            (Some(Value::Object(want)), Some(r)) => {
                let got = as_value(r);
                for (k, w) in want {
                    if !same(w, &got[k.as_str()]) {
                        wrong.push(format!("{file} {id}: report.{k} = {} (want {w})", got[k]));
                    }
                }
            }
            (Some(Value::Object(_)), None) => wrong.push(format!("{file} {id}: no report")),
            (Some(Value::Null), Some(_)) => wrong.push(format!("{file} {id}: unexpected report")),
            _ => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} real samples misread:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_sample_names_a_documented_source_and_ids_are_unique() {
    let sources = std::fs::read_to_string(corpus_dir().join("../SOURCES.md")).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (file, id, source, _, _) in samples() {
        assert!(ids.insert(id.clone()), "{file}: duplicate id {id}");
        assert!(
            sources.contains(&format!("## {source} ")),
            "{file} {id}: source {source} is not in SOURCES.md"
        );
    }
}

/// The server-side failure pattern finds every line lamtop classifies as a
/// failure (the client then classifies what comes back, so a superset is
/// right; a miss would hide a failure from `e`).
#[test]
fn the_failure_pattern_finds_every_real_failure() {
    use super::pattern::failure_pattern;
    let mut missed = Vec::new();
    let mut failures = 0;
    for (file, id, _, message, _) in samples() {
        if analyze(&message).is_failure() {
            failures += 1;
            if !failure_pattern().matches(&message) {
                missed.push(format!("{file} {id}: {message:.160}"));
            }
        }
    }
    assert!(failures >= 50, "the corpus has {failures} failure lines");
    assert!(
        missed.is_empty(),
        "{} missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

/// A busy function writes a REPORT per request: the failure pattern must
/// not bring back the successful ones, or a window's failures drown in
/// them (and the error scan's cap fills with reports).
#[test]
fn the_failure_pattern_leaves_successful_reports_behind() {
    use super::pattern::failure_pattern;
    let mut caught = Vec::new();
    let mut reports = 0;
    for (file, id, _, message, _) in samples() {
        let info = analyze(&message);
        if info.kind == super::LineKind::Report && !info.is_failure() {
            reports += 1;
            if failure_pattern().matches(&message) {
                caught.push(format!("{file} {id}: {message:.160}"));
            }
        }
    }
    assert!(reports >= 20, "the corpus has {reports} successful reports");
    assert!(caught.is_empty(), "{}", caught.join("\n"));
}
