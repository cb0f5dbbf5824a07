//! Human renderings of a snapshot: an aligned text table (optionally
//! coloured: errors red, throttles yellow, alarms red, always with the
//! numbers or words that say the same thing) and a Markdown table.

use super::snapshot::{Function, Num, Snapshot};
use crate::format;
use crate::model::alarms::AlarmState;
use crossterm::style::Stylize;
use std::fmt::Write;

/// The largest value of each count column, so a column reads one way.
struct Scales {
    invocations: Option<f64>,
    errors: Option<f64>,
    throttles: Option<f64>,
    concurrency: Option<f64>,
}

impl Scales {
    fn of(s: &Snapshot) -> Self {
        let max = |f: fn(&Function) -> Num| format::column_max(s.functions.iter().map(|x| f(x).0));
        Self {
            invocations: max(|f| f.invocations),
            errors: max(|f| f.errors),
            throttles: max(|f| f.throttles),
            concurrency: max(|f| f.concurrency_max),
        }
    }
}

fn count(n: Num, column_max: Option<f64>) -> String {
    format::count_in(n.0, column_max)
}

fn ms(n: Num) -> String {
    format::ms(n.0)
}

fn pct(n: Num) -> String {
    format::pct(n.0)
}

const HEADERS: [&str; 13] = [
    "FUNCTION", "INVOC", "ERRORS", "ERR%", "THROT", "AVG", "P50", "P99", "MAX", "CONC", "P99/TO",
    "MEM", "RUNTIME",
];

/// A function's name as the table shows it: `name`, `name@region`, or
/// `name@profile/region` across profiles.
fn shown_name(f: &Function) -> String {
    match (&f.profile, &f.region) {
        (Some(p), Some(r)) => format!("{}@{p}/{r}", f.name),
        (Some(p), None) => format!("{}@{p}", f.name),
        (None, Some(r)) => format!("{}@{r}", f.name),
        (None, None) => f.name.clone(),
    }
}

/// The row of one function; across regions the name is `name@region`.
fn cells(f: &Function, k: &Scales) -> [String; 13] {
    let name = shown_name(f);
    [
        // `⚠`: see the warnings listed under the table.
        if f.warnings.is_empty() {
            name
        } else {
            format!("⚠ {name}")
        },
        count(f.invocations, k.invocations),
        count(f.errors, k.errors),
        pct(f.error_rate),
        count(f.throttles, k.throttles),
        ms(f.duration_ms.avg),
        ms(f.duration_ms.p50),
        ms(f.duration_ms.p99),
        ms(f.duration_ms.max),
        count(f.concurrency_max, k.concurrency),
        pct(f.timeout_ratio),
        format!("{}MB", f.memory_mb),
        f.runtime.clone(),
    ]
}

/// The table's columns that a note's `affects` leaves n/a (none for what
/// the table does not show as a column).
fn columns_of(affects: &str) -> &'static [&'static str] {
    match affects {
        "all metrics" => &HEADERS[1..11],
        "duration percentiles (p50/p90/p99)" => &["P50", "P99", "P99/TO"],
        "Invocations" => &["INVOC", "ERR%"],
        "Errors" => &["ERRORS", "ERR%"],
        "Throttles" => &["THROT"],
        "Duration" => &["AVG", "MAX"],
        "ConcurrentExecutions" => &["CONC"],
        _ => &[],
    }
}

/// Every column some note leaves n/a; their headers are marked `*`.
fn missing_columns(s: &Snapshot) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in s.errors.iter().flat_map(|e| columns_of(&e.affects)) {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// What a note says is n/a: its columns when it has some, else its part.
fn note_subject(affects: &str) -> String {
    match columns_of(affects) {
        [] => affects.to_string(),
        cols => format!("* columns {} ({affects})", cols.join(" ")),
    }
}

/// A header, marked `*` when a note says its values did not arrive.
fn header_of(h: &str, missing: &[&str]) -> String {
    if missing.contains(&h) {
        format!("{h}*")
    } else {
        h.to_string()
    }
}

fn loud(n: Num) -> bool {
    n.0.is_some_and(|v| v > 0.0)
}

fn account_line(s: &Snapshot) -> String {
    if !s.accounts.is_empty() {
        return s
            .accounts
            .iter()
            .map(one_account_line)
            .collect::<Vec<_>>()
            .join("\n");
    }
    let a = &s.account;
    let limit = a
        .concurrency_limit
        .map_or("n/a".to_string(), |l| l.to_string());
    format!(
        "account: peak concurrency {} / {limit} ({}) · claimed {} · {} functions · invocations {} · errors {} · throttles {} · est. cost {}",
        count(a.concurrency_max, None),
        pct(a.concurrency_utilization),
        count(a.claimed_concurrency_max, None),
        a.functions,
        count(a.invocations, None),
        count(a.errors, None),
        count(a.throttles, None),
        match (a.cost_per_hour.0, a.cost_per_month.0) {
            (Some(h), Some(m)) => format!("${h:.4}/h (${m:.2}/month)"),
            _ => "n/a".to_string(),
        },
    )
}

/// One account of several: its own limit and peaks, and what failed.
fn one_account_line(a: &crate::report::snapshot::AccountEntry) -> String {
    let limit = a
        .concurrency_limit
        .map_or("n/a".to_string(), |l| l.to_string());
    let mut line = format!(
        "account {} ({}): peak concurrency {} / {limit} · claimed {} · {} functions · invocations {} · errors {} · throttles {}",
        a.id.as_deref().unwrap_or("id n/a"),
        a.profile,
        crate::format::count(a.concurrency_max),
        crate::format::count(a.claimed_concurrency_max),
        a.functions,
        crate::format::count(a.invocations),
        crate::format::count(a.errors),
        crate::format::count(a.throttles),
    );
    for p in &a.problems {
        line.push_str(&format!("\n  ⚠ {p}"));
    }
    line
}

fn header_line(s: &Snapshot) -> String {
    let source = if s.demo {
        "DEMO fleet".to_string()
    } else {
        match &s.profile {
            Some(p) => format!("{} ({p})", s.region),
            None => s.region.clone(),
        }
    };
    format!(
        "lamtop · {source} · window {} → {} ({})",
        s.window.start.format("%Y-%m-%d %H:%M"),
        s.window.end.format("%H:%M UTC"),
        humantime::format_duration(std::time::Duration::from_secs(
            s.window.seconds.max(0) as u64
        ))
    )
}

/// The aligned text table, the account line, alarms in ALARM and problems.
pub fn render_table(s: &Snapshot, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", header_line(s));
    function_rows(&mut out, s, color);
    let _ = writeln!(out, "\n{}", account_line(s));
    let _ = writeln!(out, "{}", api_line(s));
    firing_alarms(&mut out, s, color);
    if !s.errors.is_empty() || !s.warnings.is_empty() {
        out.push('\n');
    }
    for e in &s.errors {
        let _ = writeln!(
            out,
            "note: {} n/a — {}",
            note_subject(&e.affects),
            e.message
        );
    }
    for w in &s.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// The column headers and one aligned row per function (errors red,
/// throttles yellow when colored).
fn function_rows(out: &mut String, s: &Snapshot, color: bool) {
    let k = Scales::of(s);
    let rows: Vec<[String; 13]> = s.functions.iter().map(|f| cells(f, &k)).collect();
    let missing = missing_columns(s);
    let headers = HEADERS.map(|h| header_of(h, &missing));
    let mut widths = headers.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let pad = |i: usize, c: &str| {
        let fill = widths[i].saturating_sub(c.chars().count());
        // Name and runtime left-aligned, numbers right-aligned.
        if i == 0 || i == 12 {
            format!("{c}{}", " ".repeat(fill))
        } else {
            format!("{}{c}", " ".repeat(fill))
        }
    };
    let head: Vec<String> = headers.iter().enumerate().map(|(i, h)| pad(i, h)).collect();
    let head = head.join("  ").trim_end().to_string();
    let _ = writeln!(
        out,
        "{}",
        if color { head.bold().to_string() } else { head }
    );
    for (f, r) in s.functions.iter().zip(&rows) {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cell = pad(i, c);
                match i {
                    2 | 3 if color && loud(f.errors) => cell.red().bold().to_string(),
                    4 if color && loud(f.throttles) => cell.yellow().bold().to_string(),
                    _ => cell,
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    if s.functions.is_empty() {
        let _ = writeln!(out, "(no functions in scope)");
    }
    for (name, w) in function_warnings(s) {
        let line = format!("⚠ {name}: {w}");
        let _ = writeln!(
            out,
            "{}",
            if color {
                line.yellow().to_string()
            } else {
                line
            }
        );
    }
}

/// `(function, its warnings joined)` for every function with any.
fn function_warnings(s: &Snapshot) -> Vec<(String, String)> {
    s.functions
        .iter()
        .filter(|f| !f.warnings.is_empty())
        .map(|f| (shown_name(f), f.warnings.join("; ")))
        .collect()
}

/// The count of alarms firing, then one line per firing alarm.
fn firing_alarms(out: &mut String, s: &Snapshot, color: bool) {
    let firing: Vec<_> = s.alarms.iter().filter(|a| a.state.is_firing()).collect();
    let title = format!(
        "alarms firing: {} of {}{}",
        firing.len(),
        s.alarms.len(),
        unsettled(s)
    );
    let _ = writeln!(
        out,
        "{}",
        if color && !firing.is_empty() {
            title.red().bold().to_string()
        } else {
            title
        }
    );
    for a in firing {
        let since = a
            .since
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "?".into());
        let _ = writeln!(
            out,
            "  ✖ {}  {}  [{}]  function {}  since {since}  — {}",
            a.state.as_str(),
            a.name,
            serde_json::to_value(a.source)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            a.function.as_deref().unwrap_or("-"),
            a.reason
        );
    }
}

/// What the snapshot cost: "this snapshot: 272 metrics in 2 GetMetricData calls (~$0.0027)".
fn api_line(s: &Snapshot) -> String {
    format!(
        "this snapshot: {} metrics in {} GetMetricData calls (~${:.4})",
        s.api.metrics_requested, s.api.get_metric_data_calls, s.api.cost_usd
    )
}

/// Markdown-safe text: table bars and emphasis marks escaped.
fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('*', "\\*")
}

/// A Markdown report for tickets and incident notes.
pub fn render_markdown(s: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", md_escape(&header_line(s)));
    let missing = missing_columns(s);
    let headers = HEADERS.map(|h| header_of(h, &missing));
    let headers = headers.map(|h| md_escape(&h));
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let align: Vec<&str> = (0..HEADERS.len())
        .map(|i| if i == 0 || i == 12 { ":---" } else { "---:" })
        .collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    let k = Scales::of(s);
    for f in &s.functions {
        let c: Vec<String> = cells(f, &k).iter().map(|c| md_escape(c)).collect();
        let _ = writeln!(out, "| {} |", c.join(" | "));
    }
    for (name, w) in function_warnings(s) {
        let _ = writeln!(out, "\n⚠ `{name}`: {}", md_escape(&w));
    }
    let _ = writeln!(out, "\n{}\n", md_escape(&account_line(s)));
    let _ = writeln!(out, "{}\n", md_escape(&api_line(s)));
    let firing: Vec<_> = s.alarms.iter().filter(|a| a.state.is_firing()).collect();
    let _ = writeln!(
        out,
        "**Alarms firing: {} of {}{}**\n",
        firing.len(),
        s.alarms.len(),
        unsettled(s)
    );
    for a in firing {
        let _ = writeln!(
            out,
            "- {} `{}` on `{}` since {} — {}",
            a.state.as_str(),
            a.name,
            a.function.as_deref().unwrap_or("-"),
            a.since
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "?".into()),
            md_escape(&a.reason)
        );
    }
    // Notes apart from the alarms: they are why values are n/a, not alarms.
    if !s.errors.is_empty() || !s.warnings.is_empty() {
        let _ = writeln!(out, "\n**Notes**\n");
    }
    for e in &s.errors {
        let subject = md_escape(&note_subject(&e.affects));
        let _ = writeln!(out, "- note: {subject} n/a — {}", md_escape(&e.message));
    }
    for w in &s.warnings {
        let _ = writeln!(out, "- warning: {}", md_escape(w));
    }
    out
}

/// ", 2 pending, 1 no data" (empty when every alarm is settled).
fn unsettled(s: &Snapshot) -> String {
    let count = |st: &[AlarmState]| s.alarms.iter().filter(|a| st.contains(&a.state)).count();
    let pending = count(&[AlarmState::Pending]);
    let no_data = count(&[AlarmState::NoData, AlarmState::InsufficientData]);
    let mut out = String::new();
    if pending > 0 {
        out.push_str(&format!(", {pending} pending"));
    }
    if no_data > 0 {
        out.push_str(&format!(", {no_data} without data"));
    }
    out
}
