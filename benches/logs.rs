//! Log throughput: REPORT parsing, line classification and `tail`
//! formatting of a realistic mix of Lambda log lines; error fingerprints
//! of every failure line of the real-output corpus.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

use chrono::DateTime;
use clap::Parser;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lamtop::cli::{Cli, Mode};
use lamtop::model::errors::fingerprint::fingerprint;
use lamtop::model::logs::{LogEvent, analyze, classify, parse_report};
use lamtop::poll::logs::Target;
use lamtop::report::tail::Printer;
use std::hint::black_box;

fn events(n: usize) -> Vec<LogEvent> {
    let lines = [
        "START RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa Version: $LATEST",
        "2024-05-01T12:00:00.000Z\t6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tINFO\tprocessing order 42",
        r#"{"timestamp":"2024-05-01T12:00:00.001Z","level":"INFO","message":"charged card","requestId":"6d68ca91","amount":12.5}"#,
        "END RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa",
        "REPORT RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\tInit Duration: 250.12 ms",
    ];
    (0..n)
        .map(|i| LogEvent {
            id: format!("{i:020}"),
            timestamp: DateTime::from_timestamp_millis(1_700_000_000_000 + i as i64).unwrap(),
            ingestion_time: None,
            stream: "2024/05/01/[$LATEST]abcdef".into(),
            message: lines[i % lines.len()].to_string(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let evs = events(10_000);
    let mut g = c.benchmark_group("logs_10k_events");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("classify_and_parse_report", |b| {
        b.iter(|| {
            for e in &evs {
                black_box(classify(&e.message));
                black_box(parse_report(&e.message));
            }
        })
    });
    let cli = Cli::parse_from(["lamtop", "tail", "orders-api"]);
    let Some(Mode::Tail(args)) = cli.command else {
        unreachable!()
    };
    let target = Target {
        label: "orders-api".into(),
        log_group: "/aws/lambda/orders-api".into(),
        function: true,
    };
    for (name, format) in [("format_short", "short"), ("format_json", "json")] {
        let mut a = args.clone();
        a.format = clap::ValueEnum::from_str(format, true).unwrap();
        let printer = Printer::new(&a, vec![target.clone()], false).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                for e in &evs {
                    black_box(printer.line(0, e));
                }
            })
        });
    }
    g.finish();
}

/// Every failure line of `tests/fixtures/real/logs`, repeated to `n`.
fn real_failures(n: usize) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/logs");
    let mut lines = Vec::new();
    for f in ["platform.jsonl", "runtimes.jsonl"] {
        for l in std::fs::read_to_string(dir.join(f)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let m = v["message"].as_str().unwrap().to_string();
            if analyze(&m).is_failure() {
                lines.push(m);
            }
        }
    }
    lines.iter().cycle().take(n).cloned().collect()
}

fn bench_fingerprints(c: &mut Criterion) {
    let lines = real_failures(10_000);
    let infos: Vec<_> = lines.iter().map(|m| analyze(m)).collect();
    let mut g = c.benchmark_group("fingerprint_10k_real_failures");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("fingerprint", |b| {
        b.iter(|| {
            for (m, i) in lines.iter().zip(&infos) {
                black_box(fingerprint(m, i));
            }
        })
    });
    g.bench_function("analyze_and_fingerprint", |b| {
        b.iter(|| {
            for m in &lines {
                black_box(fingerprint(m, &analyze(m)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_fingerprints);
criterion_main!(benches);
