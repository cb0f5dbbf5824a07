//! Dashboard cost per frame: a full fleet frame at 200x60 for 1,000 and
//! 5,000 functions, and the filter + sort behind it.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lamtop::model::function::{Architecture, FunctionInfo, TracingMode};
use lamtop::model::metrics::{MetricKey, Series, TimeRange, plan_fleet_queries};
use lamtop::poll::Update;
use lamtop::source::{MetricsFetch, SourceInfo};
use lamtop::store::Store;
use lamtop::tui::app::App;
use lamtop::tui::rows::{Filter, fleet_rows};
use lamtop::tui::theme::Theme;
use lamtop::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::Duration;

const WINDOW: Duration = Duration::from_secs(3600);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// A store of `n` functions with a full hour of per-minute series each.
fn store(n: usize) -> Store {
    let fns: Vec<FunctionInfo> = (0..n)
        .map(|i| FunctionInfo {
            id: lamtop::model::id::FunctionId::new(format!(
                "service-{:02}-function-{i:05}",
                i % 37
            )),
            arn: String::new(),
            runtime: if i % 2 == 0 {
                "python3.12".into()
            } else {
                "nodejs20.x".into()
            },
            architecture: Architecture::X86_64,
            memory_mb: 128 << (i % 5),
            timeout_s: 3 + (i % 30) as u32,
            last_modified: None,
            tracing: TracingMode::PassThrough,
            log_group: String::new(),
            health: Default::default(),
            setup: Default::default(),
        })
        .collect();
    let range = TimeRange::ending_at(now(), WINDOW);
    let queries = plan_fleet_queries(fns.iter().map(|f| &f.id), WINDOW, &[]);
    let series: Vec<(MetricKey, Series)> = queries
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let pts = (0..60).map(|m| {
                (
                    range.start + chrono::Duration::minutes(m),
                    ((qi as i64 * 7 + m * 13) % 101) as f64,
                )
            });
            (q.key.clone(), Series::from_points(range, q.period_s, pts))
        })
        .collect();
    let mut s = Store::default();
    s.apply(Update::Inventory {
        at: now(),
        result: Ok(fns),
        unmatched: vec![],
    });
    s.apply(Update::Metrics {
        at: now(),
        range,
        result: Ok(MetricsFetch {
            series,
            failed: vec![],
            calls: 1,
            requested: 0,
        }),
        plan: None,
    });
    s
}

fn bench(c: &mut Criterion) {
    let info = SourceInfo {
        region: "us-east-1".into(),
        profile: None,
        demo: false,
    };
    let mut group = c.benchmark_group("fleet_frame_200x60");
    for n in [30usize, 1_000, 5_000] {
        let store = store(n);
        let mut app = App::new(
            info.clone(),
            WINDOW,
            Duration::from_secs(60),
            Theme::new(true),
        );
        app.on_resize(200, 60);
        let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                term.draw(|f| view::render(f, &app, &store, now())).unwrap();
            });
        });
    }
    group.finish();

    let store = store(5_000);
    let filter = Filter::parse("function-0[0-4]").unwrap();
    c.bench_function("filter_sort_5000", |b| {
        b.iter(|| {
            black_box(
                fleet_rows(
                    &store,
                    Some(&filter),
                    Some(lamtop::model::fleet::SortColumn::P99),
                    false,
                )
                .len(),
            )
        })
    });
    c.bench_function("store_apply_full_refresh_5000", |b| {
        let fresh = self::store(5_000);
        let m = fresh.metrics.value.clone().unwrap();
        b.iter_batched(
            || MetricsFetch {
                series: m.series.clone().into_iter().collect(),
                failed: vec![],
                calls: 90,
                requested: 0,
            },
            |fetch| {
                let mut s = Store::default();
                s.apply(Update::Metrics {
                    at: now(),
                    range: m.range.unwrap(),
                    result: Ok(fetch),
                    plan: None,
                });
                black_box(s.metrics.value.is_some())
            },
            criterion::BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
