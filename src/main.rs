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
use lamtop::cli::Cli;
use lamtop::config;
use lamtop::exit::{Error, Exit};
use lamtop::launch::{Face, launch};
use std::sync::Arc;

fn main() {
    let cli = Cli::parse();
    let exit = real_main(cli).unwrap_or_else(|e| {
        eprintln!("lamtop: {e}");
        e.exit()
    });
    std::process::exit(exit.code());
}

/// Settings, logging, the face, then the one source and the face's run.
fn real_main(cli: Cli) -> Result<Exit, Error> {
    let settings = config::resolve(&cli)?;
    init_logging(&cli).map_err(Error::Usage)?;
    let face = Face::choose(&cli, &settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(launch(settings, face))
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
