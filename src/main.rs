//! lamtop — `top` for AWS Lambda.
//!
//! The short module map; ARCHITECTURE.md has the whole one, the walls
//! between layers (checked by `tests/walls.rs`) and the conventions.
//!
//! ```text
//! one source (launch.rs) → pollers (poll/) → Update → one Store → faces
//!
//! src/
//!   main.rs        parse the CLI, resolve settings, launch the face, exit with its code
//!   lib.rs         the library root (tests and benches use it)
//!   cli.rs         the command-line surface; config.rs (+ config/) typed Settings
//!   launch.rs      builds the one source (demo/AWS × one/several regions), runs the face
//!   exit.rs        exit codes and the errors above the source layer
//!   message.rs     pure messages: Scope, Update and its payloads, SourceError
//!   model/         the domain, pure (ids, functions, metrics, alarms, rules, logs, traces)
//!   source/        the traits; aws/ (the only aws-sdk user), demo/, multi.rs (regions)
//!   poll/          the pollers as a list, one generic runner, log follower, Insights run
//!   store.rs       the one store (+ store/: slots, read API, log buffer)
//!   tui/           the dashboard: loop, dashboard state, app + per-pane input, views
//!   report/        --once (snapshot, table), tail, trace
//!   cache.rs, notify.rs, format.rs   inventory cache, alarm notifications, numbers
//!   manual.rs      shell completions and man pages from the CLI definitions
//! ```

use clap::Parser;
use lamtop::cli::{Cli, ManArgs, Mode};
use lamtop::config;
use lamtop::exit::{Error, Exit};
use lamtop::launch::{Face, launch};
use std::io::Write;
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
    // Generated from the CLI itself: no configuration, no network.
    if let Some(exit) = print_manual(&cli)? {
        return Ok(exit);
    }
    let settings = config::resolve(&cli)?;
    init_logging(&cli).map_err(Error::Usage)?;
    let face = Face::choose(&cli, &settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(launch(settings, face))
}

/// `lamtop completions SHELL` and `lamtop man [--dir DIR]`.
fn print_manual(cli: &Cli) -> Result<Option<Exit>, Error> {
    let io = |e: std::io::Error| Error::Io(format!("cannot write the man page: {e}"));
    let mut out = std::io::stdout().lock();
    match &cli.command {
        Some(Mode::Completions(a)) => lamtop::manual::completions(a.shell, &mut out),
        Some(Mode::Man(ManArgs { dir: None })) => lamtop::manual::man_page(&mut out).map_err(io)?,
        Some(Mode::Man(ManArgs { dir: Some(dir) })) => {
            for f in lamtop::manual::man_pages(dir).map_err(io)? {
                let _ = writeln!(out, "{}", f.display());
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(Exit::Ok))
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
