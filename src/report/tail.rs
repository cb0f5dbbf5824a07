//! `lamtop tail`: follows one or many log groups and prints their events
//! interleaved in time order, each function in its own colour. Every
//! message is made inert before it reaches the terminal (escape sequences
//! shown as `\x1b`, never interpreted).

use crate::cli::{TailArgs, TailFormat};
use crate::config::parse_duration;
use crate::model::logs::{LineKind, LogEvent, analyze, display_text};
use crate::model::text::escape_controls;
use crate::poll::logs::{FollowOptions, LogUpdate, RateLimiter, Target, follow, resolve_targets};
use crate::source::Source;
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
        let target = self.targets.get(group)?;
        if self.format == TailFormat::Json {
            let v = serde_json::json!({
                "function": target.function.then_some(&target.label),
                "log_group": target.log_group,
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

/// Runs `lamtop tail`; returns the exit code.
pub async fn run<S: Source>(src: Arc<S>, args: &TailArgs, color: bool) -> i32 {
    let now = Utc::now();
    let since = match parse_when(&args.since, now) {
        Ok(t) => t,
        Err(e) => return usage(&format!("--since: {e}")),
    };
    let until = match args
        .until
        .as_deref()
        .map(|u| parse_when(u, now))
        .transpose()
    {
        Ok(t) => t,
        Err(e) => return usage(&format!("--until: {e}")),
    };
    if args.targets.is_empty() && args.log_groups.is_empty() {
        return usage("name at least one function, glob or /log/group to tail");
    }
    let (targets, unmatched) =
        match resolve_targets(src.as_ref(), &args.targets, &args.log_groups).await {
            Ok(t) => t,
            Err(e) => {
                eprintln!("lamtop: {e}");
                return 1;
            }
        };
    for p in &unmatched {
        eprintln!("lamtop: warning: '{p}' matched no function");
    }
    if targets.is_empty() {
        eprintln!("lamtop: nothing to tail");
        return 1;
    }
    let printer = match Printer::new(args, targets.clone(), color) {
        Ok(p) => p,
        Err(e) => return usage(&e),
    };
    let limiter = RateLimiter::new(args.max_log_calls);
    let (tx, mut rx) = mpsc::channel(64);
    let mut opts = FollowOptions::from(since);
    opts.end = until;
    opts.follow = !args.no_follow && until.is_none_or(|u| u > now);
    opts.filter_pattern = args.filter.clone();
    for (i, t) in targets.iter().enumerate() {
        tokio::spawn(follow(
            src.clone(),
            limiter.clone(),
            i,
            t.log_group.clone(),
            opts.clone(),
            tx.clone(),
        ));
    }
    drop(tx);
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
    loop {
        let update = tokio::select! {
            u = rx.recv() => u,
            _ = tokio::signal::ctrl_c() => None,
            _ = async { match sigterm.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => None,
        };
        let Some(update) = update else { break };
        match update {
            LogUpdate::Events { group, events } => {
                merge.pending.extend(events.into_iter().map(|e| (group, e)))
            }
            LogUpdate::CaughtUp { group, until } => merge.watermarks[group] = Some(until),
            LogUpdate::Done { group } => merge.done[group] = true,
            LogUpdate::Error {
                group,
                error: crate::source::SourceError::NotFound { .. },
                ..
            } => {
                eprintln!(
                    "lamtop: warning: log group {} does not exist (yet): nothing logged so far{}",
                    targets[group].log_group,
                    if opts.follow { "; waiting for it" } else { "" }
                );
            }
            LogUpdate::Error {
                group,
                error,
                fatal,
            } => {
                failed |= fatal;
                eprintln!(
                    "lamtop: {}: {error}{}",
                    targets[group].log_group,
                    if fatal { "" } else { " (retrying)" }
                );
            }
        }
        let mut write = || -> std::io::Result<()> {
            for (g, e) in merge.ready() {
                if let Some(line) = printer.line(g, &e) {
                    out.write(&line)?;
                }
            }
            out.inner.flush()
        };
        if let Err(e) = write() {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return 0;
            }
            eprintln!("lamtop: cannot write output: {e}");
            return 1;
        }
    }
    merge.done.iter_mut().for_each(|d| *d = true);
    for (g, e) in merge.ready() {
        if let Some(line) = printer.line(g, &e)
            && out.write(&line).is_err()
        {
            return 0;
        }
    }
    let _ = out.inner.flush();
    i32::from(failed)
}

fn usage(msg: &str) -> i32 {
    eprintln!("lamtop: {msg}");
    2
}
