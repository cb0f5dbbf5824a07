//! `lamtop report`: the incident report without the dashboard — the same
//! store as `--once`, the fleet's error scan, then the composer.

use super::{Request, Target, compose, render, write_new};
use crate::cli::ReportArgs;
use crate::config::Settings;
use crate::exit::{Error, Exit};
use crate::report::once::{collect, scan_errors};
use crate::source::Source;
use chrono::Utc;
use std::sync::Arc;

/// The global flags that make the reproducing commands read the same
/// fleet: `--demo`, `--region`, `--profile` (never an endpoint, a
/// credential or anything from the environment).
pub fn flags_of(settings: &Settings) -> Vec<String> {
    let mut flags = Vec::new();
    if settings.demo {
        flags.push("--demo".to_string());
        if settings.demo_seed != 1 {
            flags.push(format!("--demo-seed={}", settings.demo_seed));
        }
    }
    if !settings.regions.is_empty() {
        flags.push(format!("--region={}", settings.regions.join(",")));
    }
    if let Some(p) = &settings.profile {
        flags.push(format!("--profile={p}"));
    }
    flags
}

/// The whole `lamtop report` face.
pub async fn run<S: Source>(
    src: Arc<S>,
    settings: &Settings,
    args: &ReportArgs,
) -> Result<Exit, Error> {
    let info = src.describe();
    let started = tokio::time::Instant::now();
    let mut store = collect(src.clone(), settings).await;
    if store.inventory.value.is_none() {
        let why = store
            .inventory
            .last_error
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "no answer".into());
        return Err(Error::Failed(format!(
            "no report: the functions could not be listed: {why}"
        )));
    }
    let left = settings.once_deadline.saturating_sub(started.elapsed());
    scan_errors(src.clone(), settings, &mut store, left).await;
    let request = Request {
        function: args.function.clone(),
        now: Utc::now(),
        flags: flags_of(settings),
    };
    let limiter = crate::poll::logs::RateLimiter::new(settings.log_calls_per_second);
    let incident = compose(src, &mut store, &info, settings.window, &request, limiter)
        .await
        .map_err(Error::Usage)?;
    let text = render(&incident);
    if args.output.as_deref() == Some(std::path::Path::new("-")) {
        crate::report::once::print(&text);
        return Ok(Exit::Ok);
    }
    let target = Target::of(args.output.as_deref(), &settings.report_dir);
    let focus = incident.focus.as_ref().map(|f| f.function.name.as_str());
    let path = write_new(&target, request.now, focus, &text).map_err(Error::Io)?;
    eprintln!(
        "lamtop: incident report written to {} ({})",
        path.display(),
        crate::format::bytes(text.len() as f64)
    );
    Ok(Exit::Ok)
}
