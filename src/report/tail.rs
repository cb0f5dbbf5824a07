//! `lamtop tail`: follows one or many log groups and prints their events
//! interleaved in time order, each function in its own colour. Every
//! message is made inert before it reaches the terminal (escape sequences
//! shown as `\x1b`, never interpreted).

use crate::cli::{TailArgs, TailFormat};
use crate::config::parse_duration;
use crate::exit::{Error, Exit};
use crate::model::logs::{LineKind, LogEvent, analyze, display_text};
use crate::model::text::escape_controls;
use crate::poll::logs::{FollowOptions, LogUpdate, RateLimiter, Target, follow, resolve_targets};
use crate::source::{Source, SourceError};
use chrono::{DateTime, Local, SecondsFormat, Utc};
use crossterm::style::Stylize;
use regex::Regex;
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Longest message shown in `short`/`long` output; the rest is counted.
const SHOWN_BYTES: usize = 16 * 1024;

/// Parses `--since`/`--until`: a duration back from `now`, or RFC 3339.
pub fn parse_when(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = parse_duration(s).map_err(|_| {
        format!(
            "invalid time '{s}': use a duration back (10m, 2h) or RFC 3339 (2026-11-27T14:00:00Z)"
        )
    })?;
    Ok(now - chrono::Duration::from_std(d).unwrap_or_default())
}

/// Everything that decides what is printed and how.
pub struct Printer {
    format: TailFormat,
    utc: bool,
    color: bool,
    grep: Vec<Regex>,
    grep_shown: Vec<Regex>,
    grep_v: Vec<Regex>,
    errors: bool,
    reports: bool,
    targets: Vec<Target>,
    width: usize,
}

const PALETTE: [crossterm::style::Color; 6] = [
    crossterm::style::Color::Cyan,
    crossterm::style::Color::Magenta,
    crossterm::style::Color::Green,
    crossterm::style::Color::Blue,
    crossterm::style::Color::Yellow,
    crossterm::style::Color::DarkCyan,
];

impl Printer {
    /// Builds a printer; the error names a bad regex.
    pub fn new(args: &TailArgs, targets: Vec<Target>, color: bool) -> Result<Self, String> {
        let compile = |v: &[String], flag: &str| {
            v.iter()
                .map(|p| Regex::new(p).map_err(|e| format!("{flag}: invalid regex '{p}': {e}")))
                .collect::<Result<Vec<_>, _>>()
        };
        let width = targets
            .iter()
            .map(|t| t.label.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        Ok(Self {
            format: args.format,
            utc: args.utc,
            color,
            grep: compile(&args.grep, "--grep")?,
            grep_shown: compile(&args.grep_shown, "--grep-shown")?,
            grep_v: compile(&args.grep_v, "--grep-v")?,
            errors: args.errors,
            reports: args.reports,
            targets,
            width,
        })
    }

    fn time(&self, t: DateTime<Utc>, long: bool) -> String {
        match (self.utc, long) {
            (true, true) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
            (true, false) => t.format("%H:%M:%S%.3f").to_string(),
            (false, true) => t
                .with_timezone(&Local)
                .to_rfc3339_opts(SecondsFormat::Millis, false),
            (false, false) => t.with_timezone(&Local).format("%H:%M:%S%.3f").to_string(),
        }
    }

    /// The output line of one event, or `None` when a filter drops it.
    pub fn line(&self, group: usize, e: &LogEvent) -> Option<String> {
        let info = analyze(&e.message);
        if self.errors && !info.is_failure() {
            return None;
        }
        if self.reports && info.report.is_none() {
            return None;
        }
        if !self.grep.iter().all(|r| r.is_match(&e.message))
            || self.grep_v.iter().any(|r| r.is_match(&e.message))
        {
            return None;
        }
        if !self.grep_shown.is_empty() {
            let shown = display_text(&e.message, &info).unwrap_or_else(|| e.message.clone());
            if !self.grep_shown.iter().all(|r| r.is_match(&shown)) {
                return None;
            }
        }
        let target = self.targets.get(group)?;
        if self.format == TailFormat::Json {
            let v = serde_json::json!({
                "function": target.function.then_some(&target.label),
                "log_group": target.log_group.to_string(),
                "stream": e.stream,
                "timestamp": e.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
                "ingestion_time": e.ingestion_time.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
                "event_id": e.id,
                "kind": info.kind,
                "failure": info.failure,
                "error_type": info.error_type,
                "request_id": info.request_id,
                "trace_id": info.trace_id,
                "message": e.message,
                "report": info.report,
            });
            return Some(v.to_string());
        }
        let text =
            display_text(&e.message, &info).unwrap_or_else(|| e.message.trim_end().to_string());
        let mut text = escape_controls(&text, false);
        if text.len() > SHOWN_BYTES {
            let mut cut = SHOWN_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let rest = text.len() - cut;
            text.truncate(cut);
            text.push_str(&format!(" … [+{rest} bytes; --format json prints all]"));
        }
        let label = format!(
            "{:<w$}",
            escape_controls(&target.label, false),
            w = self.width
        );
        let head = match self.format {
            TailFormat::Long => format!(
                "{} {label} {} {}",
                self.time(e.timestamp, true),
                escape_controls(&e.stream, false),
                e.id
            ),
            _ => format!("{} {label}", self.time(e.timestamp, false)),
        };
        if !self.color {
            return Some(format!("{head} │ {text}"));
        }
        let colored_head = head.with(PALETTE[group % PALETTE.len()]).to_string();
        let cold = info.report.as_ref().is_some_and(|r| r.cold_start());
        let body = match info.kind {
            _ if info.is_failure() => text.red().bold().to_string(),
            LineKind::Warn => text.yellow().to_string(),
            LineKind::Report if cold => text.blue().to_string(),
            k if k.is_platform() => text.dark_grey().to_string(),
            _ => text,
        };
        Some(format!("{colored_head} │ {body}"))
    }
}

/// Writes lines; a closed pipe ends the tail quietly.
struct Out {
    inner: std::io::BufWriter<std::io::Stdout>,
}

impl Out {
    fn write(&mut self, line: &str) -> std::io::Result<()> {
        self.inner.write_all(line.as_bytes())?;
        self.inner.write_all(b"\n")
    }

    /// Prints every event the merge can release now.
    fn write_ready(&mut self, merge: &mut Merge, printer: &Printer) -> std::io::Result<()> {
        for (g, e) in merge.ready() {
            if let Some(line) = printer.line(g, &e) {
                self.write(&line)?;
            }
        }
        self.inner.flush()
    }
}

/// Events held back until every group has caught up past them, so groups
/// interleave in time order.
#[derive(Default)]
struct Merge {
    pending: Vec<(usize, LogEvent)>,
    watermarks: Vec<Option<DateTime<Utc>>>,
    done: Vec<bool>,
}

impl Merge {
    /// Takes one follower report in (warnings and errors go to stderr).
    /// Returns whether the follower gave up.
    fn take(&mut self, update: LogUpdate, targets: &[Target], follow: bool) -> bool {
        match update {
            LogUpdate::Events { group, events } => {
                self.pending.extend(events.into_iter().map(|e| (group, e)))
            }
            LogUpdate::CaughtUp { group, until } => self.watermarks[group] = Some(until),
            LogUpdate::Done { group } => self.done[group] = true,
            LogUpdate::Error {
                group,
                error: SourceError::NotFound { .. },
                ..
            } => {
                eprintln!(
                    "lamtop: warning: log group {} does not exist (yet): nothing logged so far{}",
                    targets[group].log_group,
                    if follow { "; waiting for it" } else { "" }
                );
            }
            LogUpdate::Error {
                group,
                error,
                fatal,
            } => {
                eprintln!(
                    "lamtop: {}: {error}{}",
                    targets[group].log_group,
                    if fatal { "" } else { " (retrying)" }
                );
                return fatal;
            }
        }
        false
    }

    fn ready(&mut self) -> Vec<(usize, LogEvent)> {
        let min = self
            .watermarks
            .iter()
            .zip(&self.done)
            .filter(|(_, d)| !**d)
            .map(|(w, _)| *w)
            .min();
        let limit = match min {
            None => None,                    // every group is done: flush all
            Some(None) => return Vec::new(), // a group has not caught up yet
            Some(Some(t)) => Some(t),
        };
        let (mut out, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(_, e)| limit.is_none_or(|l| e.timestamp <= l));
        self.pending = keep;
        out.sort_by(|a, b| (a.1.timestamp, a.0, &a.1.id).cmp(&(b.1.timestamp, b.0, &b.1.id)));
        out
    }
}

/// Runs `lamtop tail`: resolves the targets, follows every log group and
/// prints their events merged in time order until the range ends, a
/// signal arrives or the reader closes the pipe.
pub async fn run<S: Source>(src: Arc<S>, args: &TailArgs, color: bool) -> Result<Exit, Error> {
    let now = Utc::now();
    let since = parse_when(&args.since, now).map_err(|e| Error::Usage(format!("--since: {e}")))?;
    let until = args
        .until
        .as_deref()
        .map(|u| parse_when(u, now))
        .transpose()
        .map_err(|e| Error::Usage(format!("--until: {e}")))?;
    if args.targets.is_empty() && args.log_groups.is_empty() {
        return Err(Error::Usage(
            "name at least one function, glob or /log/group to tail".into(),
        ));
    }
    let (targets, unmatched) = resolve_targets(src.as_ref(), &args.targets, &args.log_groups)
        .await
        .map_err(|e| Error::Failed(e.to_string()))?;
    for p in &unmatched {
        eprintln!("lamtop: warning: '{p}' matched no function");
    }
    if targets.is_empty() {
        return Err(Error::Failed("nothing to tail".into()));
    }
    let printer = Printer::new(args, targets.clone(), color).map_err(Error::Usage)?;
    let mut opts = FollowOptions::from(since);
    opts.end = until;
    opts.follow = !args.no_follow && until.is_none_or(|u| u > now);
    opts.filter_pattern = args.filter.clone();
    let rx = spawn_followers(src, args.max_log_calls, &targets, &opts);
    pump(rx, &printer, &targets, opts.follow).await
}

/// One follower per target, all sharing one rate limiter and one channel.
fn spawn_followers<S: Source>(
    src: Arc<S>,
    calls_per_second: f64,
    targets: &[Target],
    opts: &FollowOptions,
) -> mpsc::Receiver<LogUpdate> {
    let limiter = RateLimiter::new(calls_per_second);
    let (tx, rx) = mpsc::channel(64);
    for (i, t) in targets.iter().enumerate() {
        let (src, limiter, group) = (src.clone(), limiter.clone(), t.log_group.clone());
        tokio::spawn(follow(src, limiter, i, group, opts.clone(), tx.clone()));
    }
    rx
}

/// The next report of a follower; `None` when they are all done or on
/// Ctrl-C / SIGTERM.
async fn next_update(
    rx: &mut mpsc::Receiver<LogUpdate>,
    sigterm: &mut Option<tokio::signal::unix::Signal>,
) -> Option<LogUpdate> {
    let term = async {
        match sigterm.as_mut() {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        u = rx.recv() => u,
        _ = tokio::signal::ctrl_c() => None,
        _ = term => None,
    }
}

/// Prints what the followers report, merged, until they end. `Exit::Error`
/// when a follower gave up.
async fn pump(
    mut rx: mpsc::Receiver<LogUpdate>,
    printer: &Printer,
    targets: &[Target],
    follow: bool,
) -> Result<Exit, Error> {
    let mut merge = Merge {
        watermarks: vec![None; targets.len()],
        done: vec![false; targets.len()],
        ..Default::default()
    };
    let mut out = Out {
        inner: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
    };
    let mut failed = false;
    let mut sigterm =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    while let Some(update) = next_update(&mut rx, &mut sigterm).await {
        failed |= merge.take(update, targets, follow);
        match out.write_ready(&mut merge, printer) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Exit::Ok),
            Err(e) => return Err(Error::Io(format!("cannot write output: {e}"))),
        }
    }
    merge.done.iter_mut().for_each(|d| *d = true);
    for (g, e) in merge.ready() {
        if let Some(line) = printer.line(g, &e)
            && out.write(&line).is_err()
        {
            return Ok(Exit::Ok);
        }
    }
    let _ = out.inner.flush();
    Ok(if failed { Exit::Error } else { Exit::Ok })
}

#[cfg(test)]
mod tests;
