//! lamtop — `top` for AWS Lambda.
//!
//! Module map (one pipeline, three faces; see `shared/design.md`):
//!
//! ```text
//! src/
//!   main.rs          parse CLI, load config, pick the face, own exit codes
//!   lib.rs           the library root (benches and tests use it)
//!   cli.rs           the whole command-line surface (clap derive)
//!   config.rs        locate + parse TOML (unknown keys rejected), merge CLI > env > file > default
//!   config/tests.rs  table-driven config tests
//!   model/           the domain, pure: no IO, no aws-sdk, no ratatui
//!     function.rs    FunctionInfo, AccountLimits, FunctionFilter (--functions globs)
//!     metrics.rs     MetricKind, Stat, Series (aligned, gaps as None), the refresh query plan
//!     alarms.rs      Alarm (CloudWatch and rules, one model), AlarmState, AlarmRule, RuleMetric
//!     rules.rs       rule evaluation: metric values per instant, Tracker state machine, RuleEngine
//!     insight.rs     error/throttle rates, cost (Prices), ReportStats (cold starts, memory)
//!     insights_query.rs  the fleet Logs Insights query text, result rows → ReportStats
//!     fleet.rs       FunctionSummary (window numbers) and SortColumn (row order)
//!     logs.rs        LogEvent, LogQuery, LogPage; analyze(): kind, failure, ids, report
//!     logs/          taxonomy.rs (kinds, failures, rules), report.rs (REPORT/INIT_REPORT/
//!                    RESTORE_REPORT, both formats), ids.rs, prefix.rs (runtime prefixes),
//!                    platform.rs (JSON platform records read as text, summaries)
//!     traces.rs      TraceSummary, RawTrace
//!     segments.rs    X-Ray segment documents → tolerant trace tree, rows, time span
//!     segments/      parse.rs (one document, depth cut, SQL), checks.rs (skew, cycles, duplicates)
//!     text.rs        sanitize()/escape_controls(): make AWS strings terminal-safe; user_regex()
//!   source/
//!     mod.rs         the traits (Inventory, Metrics, Alarms, Logs, Traces) + SourceError
//!     aws/           client.rs (profile, region, endpoint, retry, timeouts), errors.rs,
//!                    lambda.rs, cloudwatch.rs, logs.rs, xray.rs — the only aws-sdk users
//!     multi.rs       several regions as one source: names qualified `name@region`, calls
//!                    routed, account series summed, per-region status
//!     demo/          fleet.rs (the synthetic fleet model), telemetry.rs (its logs and
//!                    traces), mod.rs (trait impls)
//!   poll/            Update, Scope, DataKind; schedule.rs (backoff); tasks.rs (the fleet pollers
//!                    and the shared loop); screen.rs (pollers of what is on screen);
//!                    logs.rs (lossless log follower, shared rate limiter, tail targets),
//!                    traces.rs (one-shot trace fetch), pressure.rs (throttling seen by
//!                    the source → backoff, log rate, wake on calm), insights.rs (the
//!                    fleet Logs Insights run: chunks of 50, parallel, cancel, bounded)
//!   store.rs         Store, apply(), slots with freshness, summaries for the faces;
//!                    store/logbuf.rs (the log pane's bounded, ordered buffer)
//!   report/          once.rs (the --once face), snapshot.rs (lamtop.snapshot/v1),
//!                    table.rs (table and Markdown), tail.rs (`lamtop tail`: merge, format),
//!                    trace.rs (`lamtop trace`: the text waterfall)
//!   tui/             mod.rs (terminal setup/restore, event loop), app.rs (UI state + input;
//!                    app/panes.rs: log/trace pane keys), keymap.rs (THE key table: dispatch,
//!                    help, hints), rows.rs (filter+sort), command.rs (`:` commands +
//!                    completion), logview.rs (log pane state), traces.rs (trace rows, pivot),
//!                    theme.rs, view/ (layout, header, fleet, alarms, account, function, logs,
//!                    traces, trace, help, footer)
//!   cache.rs         the previous run's function list (XDG cache, per profile/region/endpoint)
//!   notify.rs        alarm changes off screen: --alarm-log JSON lines, notify_command (no shell)
//!   format.rs        number formatting shared by every face
//! tests/             integration tests; tests/support/ holds the emulator harness
//!                    (mod.rs, gateway.py, seed.rs) and tmux.rs (the real terminal)
//! ```

use clap::Parser;
use lamtop::cli::{Cli, ColorChoice, Mode, OutputFormat, TailArgs, TraceArgs};
use lamtop::config::{self, Settings};
use lamtop::report::once::{self, EXIT_ERROR, EXIT_USAGE, OnceOptions};
use lamtop::report::snapshot::parse_sort_column;
use lamtop::source::aws::{AwsSource, ConnectOptions};
use lamtop::source::demo::DemoSource;
use lamtop::source::multi::MultiSource;
use std::io::IsTerminal;
use std::sync::Arc;

fn main() {
    let cli = Cli::parse();
    let code = match real_main(cli) {
        Ok(c) => c,
        Err((code, msg)) => {
            eprintln!("lamtop: {msg}");
            code
        }
    };
    std::process::exit(code);
}

fn real_main(cli: Cli) -> Result<i32, (i32, String)> {
    let settings = config::resolve(&cli).map_err(|e| (EXIT_USAGE, e.0))?;
    init_logging(&cli).map_err(|e| (EXIT_USAGE, e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| (EXIT_ERROR, format!("cannot start the async runtime: {e}")))?;
    let sort = cli
        .sort
        .as_deref()
        .map(parse_sort_column)
        .transpose()
        .map_err(|e| (EXIT_USAGE, e))?;
    if let Some(Mode::Tail(args)) = &cli.command {
        let color = use_color(settings.color, std::io::stdout().is_terminal());
        return runtime.block_on(run_tail(settings, args.clone(), color));
    }
    if let Some(Mode::Trace(args)) = &cli.command {
        let color = use_color(settings.color, std::io::stdout().is_terminal());
        return runtime.block_on(run_trace(settings, args.clone(), color));
    }
    if !cli.once {
        if !std::io::stdout().is_terminal() {
            return Err((
                EXIT_USAGE,
                "the dashboard needs a terminal; use --once for scripts and pipes".into(),
            ));
        }
        let color = use_color(settings.color, true);
        return runtime
            .block_on(run_dashboard(settings, color))
            .map(|_| 0)
            .map_err(|e| (EXIT_ERROR, e));
    }
    let opts = OnceOptions {
        output: cli.output.unwrap_or(OutputFormat::Table),
        sort,
        fail_on_alarm: cli.fail_on_alarm.as_deref().map(|s| {
            if s == "critical" {
                lamtop::model::alarms::Severity::Critical
            } else {
                lamtop::model::alarms::Severity::Warning
            }
        }),
        insights: cli.insights,
        color: use_color(settings.color, std::io::stdout().is_terminal()),
    };
    runtime.block_on(run_once(settings, opts))
}

fn connect_options(settings: &Settings) -> ConnectOptions {
    ConnectOptions {
        profile: settings.profile.clone(),
        region: settings.region.clone(),
        endpoint_url: settings.endpoint_url.clone(),
    }
}

/// `--region a,b`: the regions, when more than one is given.
fn region_list(settings: &Settings) -> Option<Vec<String>> {
    let r = settings.region.as_deref()?;
    r.contains(',')
        .then(|| r.split(',').map(|x| x.trim().to_string()).collect())
}

/// Several demo fleets, one per region name (seeds follow `--demo-seed`).
fn demo_regions(seed: u64, regions: &[String]) -> MultiSource<DemoSource> {
    MultiSource::new(
        regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.clone(), DemoSource::new(seed + i as u64)))
            .collect(),
    )
}

/// One AWS source per region, connected at once.
async fn aws_regions(
    connect: &ConnectOptions,
    regions: &[String],
) -> Result<MultiSource<AwsSource>, String> {
    let mut out = Vec::new();
    for r in regions {
        let mut opts = connect.clone();
        opts.region = Some(r.clone());
        out.push((r.clone(), AwsSource::connect(&opts).await?));
    }
    Ok(MultiSource::new(out))
}

async fn run_dashboard(settings: Settings, color: bool) -> Result<(), String> {
    if let Some(regions) = region_list(&settings) {
        if settings.demo {
            let seed = settings.demo_seed;
            let src = Arc::new(demo_regions(seed, &regions));
            let reconnect: lamtop::tui::Reconnect<MultiSource<DemoSource>> = Box::new(move |r| {
                let list: Vec<String> = r.split(',').map(|x| x.trim().to_string()).collect();
                Box::pin(async move { Ok(demo_regions(seed, &list)) })
            });
            return lamtop::tui::run(src, &settings, color, reconnect).await;
        }
        let connect = connect_options(&settings);
        let src = Arc::new(aws_regions(&connect, &regions).await?);
        let reconnect: lamtop::tui::Reconnect<MultiSource<AwsSource>> = Box::new(move |r| {
            let connect = connect.clone();
            let list: Vec<String> = r.split(',').map(|x| x.trim().to_string()).collect();
            Box::pin(async move { aws_regions(&connect, &list).await })
        });
        return lamtop::tui::run(src, &settings, color, reconnect).await;
    }
    if settings.demo {
        let src = Arc::new(DemoSource::new(settings.demo_seed));
        let reconnect: lamtop::tui::Reconnect<DemoSource> =
            Box::new(|_| Box::pin(async { Err("the demo fleet has one region".to_string()) }));
        return lamtop::tui::run(src, &settings, color, reconnect).await;
    }
    let connect = connect_options(&settings);
    let src = Arc::new(AwsSource::connect(&connect).await?);
    let reconnect: lamtop::tui::Reconnect<AwsSource> = Box::new(move |region| {
        let mut opts = connect.clone();
        opts.region = Some(region);
        Box::pin(async move { AwsSource::connect(&opts).await })
    });
    lamtop::tui::run(src, &settings, color, reconnect).await
}

async fn run_tail(settings: Settings, args: TailArgs, color: bool) -> Result<i32, (i32, String)> {
    if let Some(regions) = region_list(&settings) {
        if settings.demo {
            let src = Arc::new(demo_regions(settings.demo_seed, &regions));
            return Ok(lamtop::report::tail::run(src, &args, color).await);
        }
        let src = aws_regions(&connect_options(&settings), &regions)
            .await
            .map_err(|e| (EXIT_ERROR, e))?;
        return Ok(lamtop::report::tail::run(Arc::new(src), &args, color).await);
    }
    if settings.demo {
        let src = Arc::new(DemoSource::new(settings.demo_seed));
        return Ok(lamtop::report::tail::run(src, &args, color).await);
    }
    let src = AwsSource::connect(&connect_options(&settings))
        .await
        .map_err(|e| (EXIT_ERROR, e))?;
    Ok(lamtop::report::tail::run(Arc::new(src), &args, color).await)
}

async fn run_trace(settings: Settings, args: TraceArgs, color: bool) -> Result<i32, (i32, String)> {
    use lamtop::poll::traces::{fetch_tree, valid_trace_id};
    if !valid_trace_id(&args.id) {
        return Err((
            EXIT_USAGE,
            format!(
                "'{}' is not an X-Ray trace id (expected 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)",
                args.id
            ),
        ));
    }
    let tree = if let Some(regions) = region_list(&settings) {
        if settings.demo {
            fetch_tree(&demo_regions(settings.demo_seed, &regions), &args.id).await
        } else {
            let src = aws_regions(&connect_options(&settings), &regions)
                .await
                .map_err(|e| (EXIT_ERROR, e))?;
            fetch_tree(&src, &args.id).await
        }
    } else if settings.demo {
        fetch_tree(&DemoSource::new(settings.demo_seed), &args.id).await
    } else {
        let src = AwsSource::connect(&connect_options(&settings))
            .await
            .map_err(|e| (EXIT_ERROR, e))?;
        fetch_tree(&src, &args.id).await
    };
    let tree = match tree {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Err((
                EXIT_ERROR,
                format!(
                    "trace '{}' not found (X-Ray keeps traces for 30 days)",
                    args.id
                ),
            ));
        }
        Err(e) => return Err((EXIT_ERROR, e.to_string())),
    };
    let text = if args.format == "json" {
        let mut j = serde_json::to_string_pretty(&tree).map_err(|e| (EXIT_ERROR, e.to_string()))?;
        j.push('\n');
        j
    } else {
        let width = args
            .width
            .or_else(|| {
                ratatui::crossterm::terminal::size()
                    .ok()
                    .filter(|_| std::io::stdout().is_terminal())
                    .map(|(w, _)| usize::from(w))
            })
            .unwrap_or(120);
        lamtop::report::trace::waterfall(&tree, width, color)
    };
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(0)
}

async fn run_once(settings: Settings, opts: OnceOptions) -> Result<i32, (i32, String)> {
    if let Some(regions) = region_list(&settings) {
        if settings.demo {
            let src = Arc::new(demo_regions(settings.demo_seed, &regions));
            return Ok(once::run(src, &settings, &opts).await);
        }
        let src = aws_regions(&connect_options(&settings), &regions)
            .await
            .map_err(|e| (EXIT_ERROR, e))?;
        return Ok(once::run(Arc::new(src), &settings, &opts).await);
    }
    if settings.demo {
        let src = Arc::new(DemoSource::new(settings.demo_seed));
        return Ok(once::run(src, &settings, &opts).await);
    }
    let connect = ConnectOptions {
        profile: settings.profile.clone(),
        region: settings.region.clone(),
        endpoint_url: settings.endpoint_url.clone(),
    };
    let src = AwsSource::connect(&connect)
        .await
        .map_err(|e| (EXIT_ERROR, e))?;
    Ok(once::run(Arc::new(src), &settings, &opts).await)
}

/// Colour: `--color`/config first, then NO_COLOR, then whether the output
/// is a terminal.
fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    }
}

/// Logging goes to `--log-file` when given, else to stderr; silent unless
/// `-v` (user-facing problems are printed as `lamtop: …` lines instead). The dashboard never logs to the screen: without
/// `--log-file` it does not log at all.
fn init_logging(cli: &Cli) -> Result<(), String> {
    let level = match cli.verbose {
        _ if !cli.once && cli.command.is_none() && cli.log_file.is_none() => "off",
        0 => "off",
        1 => "lamtop=info,warn",
        2 => "lamtop=debug,info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::new(level);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match &cli.log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot open log file '{}': {e}", path.display()))?;
            builder.with_ansi(false).with_writer(Arc::new(file)).init();
        }
        None => builder.with_writer(std::io::stderr).init(),
    }
    Ok(())
}
