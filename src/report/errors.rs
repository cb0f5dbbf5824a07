//! `lamtop errors`: the window's failures grouped by fingerprint, for
//! scripts and tickets. The same store and scan as `--once`: the
//! inventory and metrics say which functions failed, the scan reads only
//! theirs. JSON is `lamtop.errors/v1`, a projection of the snapshot.

use super::once::{collect, scan_errors};
use super::snapshot::errors::{ErrorGroupEntry, ErrorScanEntry, TopGroup};
use super::snapshot::{self, ErrorEntry, Snapshot, Window};
use crate::cli::{ErrorsArgs, OutputFormat};
use crate::config::Settings;
use crate::exit::Exit;
use crate::source::Source;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;

/// The schema of `lamtop errors --output json`.
pub const SCHEMA: &str = "lamtop.errors/v1";

/// `lamtop errors --output json`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorsDoc {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// When it was made.
    #[serde(serialize_with = "snapshot::rfc3339")]
    pub generated_at: DateTime<Utc>,
    /// Region (or `demo`).
    pub region: String,
    /// The window read.
    pub window: Window,
    /// The groups, most occurrences first.
    pub error_groups: Vec<ErrorGroupEntry>,
    /// What the scan read (`null`: no scan, the metrics did not arrive).
    pub error_scan: Option<ErrorScanEntry>,
    /// The functions that failed in the window, most errors first.
    pub functions: Vec<FailingFunction>,
    /// What could not be fetched.
    pub errors: Vec<ErrorEntry>,
}

/// A function that failed in the window.
#[derive(Debug, Clone, Serialize)]
pub struct FailingFunction {
    /// Name.
    pub name: String,
    /// Region (several regions only).
    pub region: Option<String>,
    /// Errors in the window (the metric).
    pub errors: Option<f64>,
    /// Its latest deploy.
    #[serde(serialize_with = "snapshot::rfc3339_opt")]
    pub last_deployed: Option<DateTime<Utc>>,
    /// That deploy, before versus after, when it falls inside the window.
    pub deploy: Option<snapshot::DeployEntry>,
    /// Its top groups.
    pub error_groups_top: Vec<TopGroup>,
    /// The versions it published inside the window, oldest first (`null`:
    /// they could not be read).
    pub deployments: Option<Vec<crate::model::versions::Version>>,
    /// Its aliases and where they send traffic (`null`: not read).
    pub aliases: Option<Vec<crate::model::versions::Alias>>,
}

impl ErrorsDoc {
    /// The errors part of a snapshot.
    pub fn of(s: &Snapshot) -> Self {
        let mut functions: Vec<FailingFunction> = s
            .functions
            .iter()
            .filter(|f| f.errors.0.is_some_and(|e| e > 0.0) || !f.error_groups_top.is_empty())
            .map(|f| FailingFunction {
                name: f.name.clone(),
                region: f.region.clone(),
                errors: f.errors.0,
                last_deployed: f.last_deployed,
                deploy: f.deploy.clone(),
                error_groups_top: f.error_groups_top.clone(),
                deployments: None,
                aliases: None,
            })
            .collect();
        functions.sort_by(|a, b| {
            b.errors
                .unwrap_or(0.0)
                .total_cmp(&a.errors.unwrap_or(0.0))
                .then_with(|| a.name.cmp(&b.name))
        });
        Self {
            schema: SCHEMA,
            generated_at: s.generated_at,
            region: s.region.clone(),
            window: s.window.clone(),
            error_groups: s.error_groups.clone(),
            error_scan: s.error_scan.clone(),
            functions,
            errors: s.errors.clone(),
        }
    }
}

/// The whole `lamtop errors` face; returns the exit code.
pub async fn run<S: Source>(src: Arc<S>, settings: &Settings, args: &ErrorsArgs) -> Exit {
    let info = src.describe();
    let started = tokio::time::Instant::now();
    let mut store = collect(src.clone(), settings).await;
    let left = settings.once_deadline.saturating_sub(started.elapsed());
    scan_errors(src.clone(), settings, &mut store, left).await;
    let snap = snapshot::build(
        &store,
        &info,
        Utc::now(),
        settings.window.as_secs() as i64,
        None,
    );
    let mut doc = ErrorsDoc::of(&snap);
    add_deployments(&*src, &store, &mut doc).await;
    // An API this endpoint lacks (GetAccountSettings) only blanks a number
    // the groups do not need; anything else makes the answer incomplete.
    let fatal: Vec<&ErrorEntry> = doc
        .errors
        .iter()
        .filter(|e| e.kind != "unsupported")
        .collect();
    for e in &fatal {
        eprintln!("lamtop: {} ({} unavailable)", e.message, e.affects);
    }
    if let Some(scan) = &doc.error_scan {
        for f in &scan.failed {
            eprintln!("lamtop: could not read the failures of {f}");
        }
    }
    super::once::print(&match args.output {
        OutputFormat::Json => {
            let mut j = serde_json::to_string_pretty(&doc)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            j.push('\n');
            j
        }
        OutputFormat::Markdown => render_markdown(&doc),
        OutputFormat::Table => render_table(&doc),
    });
    let unread = doc
        .error_scan
        .as_ref()
        .is_none_or(|s| !s.failed.is_empty() || !s.complete);
    if store.inventory.value.is_none() || !fatal.is_empty() || unread {
        Exit::Error
    } else {
        Exit::Ok
    }
}

/// Failing functions whose versions are read (two control-plane calls each).
const MAX_DEPLOYMENT_READS: usize = 50;

/// Reads the versions and aliases of the failing functions (the most
/// failing first, at most [`MAX_DEPLOYMENT_READS`]): the versions a deploy
/// in the window published, where each alias sends its traffic. A failed
/// read leaves `null` and says why; the groups are whole without it.
async fn add_deployments<S: Source>(src: &S, store: &crate::store::Store, doc: &mut ErrorsDoc) {
    let range = crate::model::metrics::TimeRange {
        start: doc.window.start,
        end: doc.window.end,
    };
    for f in doc.functions.iter_mut().take(MAX_DEPLOYMENT_READS) {
        let Some(info) = store
            .functions()
            .iter()
            .find(|i| i.id.name == f.name && i.id.region.as_deref() == f.region.as_deref())
        else {
            continue;
        };
        match src.deployments(&info.id).await {
            Ok(d) => {
                f.deployments = Some(d.in_range(range).into_iter().cloned().collect());
                f.aliases = Some(d.aliases);
            }
            Err(e) => eprintln!("lamtop: the versions of {}: {e}", info.id),
        }
    }
}

/// At most three names, then how many more (JSON and Markdown list all).
fn functions_cell(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join(","),
        n => format!("{} +{}", names[..3].join(","), n - 3),
    }
}

/// `12:05` within a day, `05-14 12:05` beyond.
fn when(t: DateTime<Utc>, window_s: i64) -> String {
    if window_s > 86_400 {
        t.format("%m-%d %H:%M").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

fn kind_word(g: &ErrorGroupEntry) -> String {
    serde_json::to_value(g.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// What the scan covered, in one line.
fn scan_line(d: &ErrorsDoc) -> String {
    let Some(s) = &d.error_scan else {
        return "no scan: the metrics did not arrive, so lamtop cannot tell which functions failed"
            .into();
    };
    let mut line = format!(
        "{} groups from {} failing functions · {} FilterLogEvents calls, {} events read",
        d.error_groups.len(),
        s.functions_scanned,
        s.calls,
        s.events_read
    );
    if !s.truncated.is_empty() {
        let _ = write!(
            line,
            " · newest failures only (cap) for {}",
            s.truncated.join(", ")
        );
    }
    if s.skipped > 0 {
        let _ = write!(line, " · {} functions left unread (fleet cap)", s.skipped);
    }
    if !s.complete {
        line.push_str(" · stopped before the end (deadline)");
    }
    line
}

fn header(d: &ErrorsDoc) -> String {
    format!(
        "lamtop errors · {} · {} – {} UTC",
        d.region,
        d.window.start.format("%Y-%m-%d %H:%M"),
        d.window.end.format("%H:%M")
    )
}

/// The text table: one row per group, a second line with its frame and a
/// sample request and trace.
pub fn render_table(d: &ErrorsDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", header(d));
    if d.error_groups.is_empty() {
        let _ = writeln!(out, "no failures in the window");
    } else {
        let _ = writeln!(
            out,
            "{:>6}  {:<13}  {:<3}  {:<11}  {:<11}  {:<24}  ERROR",
            "COUNT", "KIND", "NEW", "FIRST", "LAST", "FUNCTIONS"
        );
    }
    let ws = d.window.seconds;
    for g in &d.error_groups {
        let _ = writeln!(
            out,
            "{:>6}  {:<13}  {:<3}  {:<11}  {:<11}  {:<24}  {}",
            g.count,
            kind_word(g),
            if g.new { "new" } else { "" },
            when(g.first_seen, ws),
            when(g.last_seen, ws),
            functions_cell(&g.functions),
            g.title
        );
        let mut more = Vec::new();
        if let Some(f) = &g.frame {
            more.push(format!("at {f}"));
        }
        if let Some(r) = g.request_ids.first() {
            more.push(format!("request {r}"));
        }
        if let Some(t) = g.trace_ids.first() {
            more.push(format!("trace {t}"));
        }
        if !more.is_empty() {
            let _ = writeln!(out, "{:>6}  ↳ {}", "", more.join(" · "));
        }
    }
    let _ = writeln!(out, "{}", scan_line(d));
    out
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('*', "\\*").replace('`', "'")
}

/// Markdown for tickets: the table, then each group's sample and ids.
pub fn render_markdown(d: &ErrorsDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", md(&header(d)));
    if d.error_groups.is_empty() {
        let _ = writeln!(out, "No failures in the window.\n");
    } else {
        let _ = writeln!(
            out,
            "| Count | Kind | New | First seen | Last seen | Functions | Error |"
        );
        let _ = writeln!(out, "|---:|:---|:---|:---|:---|:---|:---|");
    }
    let ws = d.window.seconds;
    for g in &d.error_groups {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | `{}` |",
            g.count,
            kind_word(g),
            if g.new { "new" } else { "" },
            when(g.first_seen, ws),
            when(g.last_seen, ws),
            md(&g.functions.join(", ")),
            md(&g.title)
        );
    }
    for g in &d.error_groups {
        let _ = writeln!(out, "\n#### `{}` ({})\n", md(&g.title), g.fingerprint);
        if let Some(f) = &g.frame {
            let _ = writeln!(out, "- at `{}`", md(f));
        }
        if !g.request_ids.is_empty() {
            let _ = writeln!(out, "- requests: {}", g.request_ids.join(", "));
        }
        if !g.trace_ids.is_empty() {
            let _ = writeln!(out, "- traces: {}", g.trace_ids.join(", "));
        }
        let _ = writeln!(out, "\n```\n{}\n```", g.sample.replace("```", "'''"));
    }
    let _ = writeln!(out, "\n{}", md(&scan_line(d)));
    out
}
