//! The report as Markdown: one function per section, in the order an
//! incident note is read (what, where, how bad, what changed, the
//! evidence, how to look again).

use super::{Chosen, Incident};
use crate::format;
use crate::model::alarms::AlarmSource;
use crate::report::markdown::{block, cell, table};
use crate::report::snapshot::{Function, Num, Snapshot};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

mod function;
use function::focus;

/// Functions listed among the worst.
const WORST: usize = 10;
/// Fleet error groups listed.
const FLEET_GROUPS: usize = 10;
/// Samples of request and trace ids per group.
pub(super) const IDS: usize = 3;

pub(super) fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub(super) fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(utc).unwrap_or_else(|| "—".into())
}

pub(super) fn n(v: Num) -> String {
    format::count(v.0)
}

/// The whole report.
pub fn render(i: &Incident) -> String {
    let mut out = String::new();
    header(&mut out, i);
    alarms(&mut out, &i.snapshot);
    worst(&mut out, &i.snapshot, i.now);
    fleet_groups(&mut out, &i.snapshot);
    if let Some(f) = &i.focus {
        focus(&mut out, f, i);
    }
    reproduce(&mut out, i);
    notes(&mut out, &i.snapshot);
    let _ = writeln!(
        out,
        "---\n_Written by lamtop {} from read-only calls. It holds no credential and no \
         environment value; log lines and traces are the functions' own._",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn header(out: &mut String, i: &Incident) {
    let s = &i.snapshot;
    let _ = writeln!(
        out,
        "# Incident report: {} at {}\n",
        cell(&s.region),
        utc(i.now)
    );
    let mut rows = vec![
        vec![
            "Account".into(),
            s.account.id.clone().unwrap_or_else(|| "unknown".into()),
        ],
        vec!["Region".into(), s.region.clone()],
    ];
    if let Some(p) = &s.profile {
        rows.push(vec!["Profile".into(), p.clone()]);
    }
    if s.demo {
        rows.push(vec!["Data".into(), "the synthetic demo fleet".into()]);
    }
    let secs = s.window.seconds.max(0) as u64;
    rows.push(vec![
        "Window".into(),
        format!(
            "{} to {} ({})",
            utc(s.window.start),
            utc(s.window.end),
            format::window(std::time::Duration::from_secs(secs))
        ),
    ]);
    let a = &s.account;
    rows.push(vec![
        "Fleet".into(),
        format!(
            "{} functions · {} invocations · {} errors · {} throttles",
            a.functions,
            n(a.invocations),
            n(a.errors),
            n(a.throttles)
        ),
    ]);
    if let Some(f) = &i.focus {
        let why = match f.chosen {
            Chosen::Named => "asked for",
            Chosen::Worst => {
                "the worst: firing alarms, then a deploy that raised its errors, then the most errors"
            }
        };
        rows.push(vec![
            "Looked into".into(),
            format!("{} ({why})", f.function.name),
        ]);
    }
    out.push_str(&table(&["", ""], &[false, false], &rows));
    out.push('\n');
}

fn alarms(out: &mut String, s: &Snapshot) {
    let firing: Vec<_> = s.alarms.iter().filter(|a| a.state.is_firing()).collect();
    let unsettled: Vec<_> = s.alarms.iter().filter(|a| a.state.is_unsettled()).collect();
    let _ = writeln!(
        out,
        "## Alarms\n\n{} firing, {} waiting for data or their period, {} OK.\n",
        firing.len(),
        unsettled.len(),
        s.alarms.len() - firing.len() - unsettled.len()
    );
    let rows: Vec<Vec<String>> = firing
        .iter()
        .chain(&unsettled)
        .map(|a| {
            vec![
                a.state.as_str().into(),
                a.name.clone(),
                match a.source {
                    AlarmSource::Cloudwatch => "CloudWatch".into(),
                    AlarmSource::Rule => "lamtop rule".into(),
                },
                a.function.clone().unwrap_or_else(|| "—".into()),
                when(a.since),
                a.reason.clone(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&table(
            &["State", "Alarm", "Source", "Function", "Since", "Reason"],
            &[],
            &rows,
        ));
        out.push('\n');
    }
    if !s.alarm_history.is_empty() {
        let _ = writeln!(out, "### Alarm history\n");
        let rows: Vec<Vec<String>> = s
            .alarm_history
            .iter()
            .map(|e| {
                vec![
                    utc(e.at),
                    e.alarm.clone(),
                    e.function.to_string(),
                    format!("{} → {}", e.from.as_str(), e.state.as_str()),
                    match e.threshold {
                        Some(_) => format!("{} (value {})", e.condition(), format::count(e.value)),
                        None => e.condition(),
                    },
                ]
            })
            .collect();
        out.push_str(&table(
            &["At", "Alarm", "Function", "Change", "Condition"],
            &[],
            &rows,
        ));
        out.push('\n');
    }
}

fn troubled(f: &Function) -> bool {
    let some = |v: Num| v.0.is_some_and(|x| x > 0.0);
    some(f.errors) || some(f.throttles) || f.timeout_ratio.0.is_some_and(|r| r >= 0.8)
}

fn worst(out: &mut String, s: &Snapshot, now: DateTime<Utc>) {
    let _ = writeln!(
        out,
        "## The worst functions\n\nFiring alarms first, then the most errors, throttles, and p99 nearest the timeout.\n"
    );
    let mut list: Vec<&Function> = s.functions.iter().filter(|f| troubled(f)).collect();
    let firing = |f: &Function| {
        s.alarms
            .iter()
            .filter(|a| a.state.is_firing() && a.function.as_deref() == Some(f.name.as_str()))
            .count()
    };
    let key = |f: &Function| {
        [
            f.errors.0.unwrap_or(0.0),
            f.throttles.0.unwrap_or(0.0),
            f.timeout_ratio.0.unwrap_or(0.0),
        ]
    };
    list.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        firing(b)
            .cmp(&firing(a))
            .then(kb[0].total_cmp(&ka[0]))
            .then(kb[1].total_cmp(&ka[1]))
            .then(kb[2].total_cmp(&ka[2]))
            .then_with(|| a.name.cmp(&b.name))
    });
    if list.is_empty() {
        let _ = writeln!(
            out,
            "No function failed, throttled or came near its timeout in the window.\n"
        );
        return;
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .take(WORST)
        .map(|f| {
            vec![
                f.name.clone(),
                match firing(f) {
                    0 => String::new(),
                    k => format!("{k} firing"),
                },
                n(f.invocations),
                n(f.errors),
                format::pct(f.error_rate.0),
                n(f.throttles),
                format::ms(f.duration_ms.p99.0),
                format!("{} s", f.timeout_s),
                format::pct(f.timeout_ratio.0),
                f.last_deployed
                    .map(|d| format!("{} ago", format::age((now - d).num_seconds())))
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "Function",
            "Alarms",
            "Invocations",
            "Errors",
            "Err%",
            "Throttles",
            "p99",
            "Timeout",
            "p99/timeout",
            "Deployed",
        ],
        &[false, false, true, true, true, true, true, true, true, true],
        &rows,
    ));
    if list.len() > WORST {
        let _ = writeln!(out, "\n…and {} more.", list.len() - WORST);
    }
    out.push('\n');
}

fn scan_line(s: &Snapshot) -> String {
    match &s.error_scan {
        None => "No failure lines were read (the metrics did not arrive).".into(),
        Some(e) => {
            let mut line = format!(
                "From the failure lines of {} functions ({} FilterLogEvents calls, {} events)",
                e.functions_scanned, e.calls, e.events_read
            );
            if !e.complete {
                line.push_str("; the read did not finish, so counts are partial");
            }
            if !e.truncated.is_empty() {
                line.push_str(&format!(
                    "; the newest failures only for {}",
                    e.truncated.join(", ")
                ));
            }
            if !e.failed.is_empty() {
                line.push_str(&format!("; unreadable: {}", e.failed.join("; ")));
            }
            line.push('.');
            line
        }
    }
}

fn fleet_groups(out: &mut String, s: &Snapshot) {
    let _ = writeln!(out, "## Error groups\n\n{}\n", cell(&scan_line(s)));
    if s.error_groups.is_empty() {
        let _ = writeln!(out, "No error group in the window.\n");
        return;
    }
    let rows: Vec<Vec<String>> = s
        .error_groups
        .iter()
        .take(FLEET_GROUPS)
        .map(|g| {
            vec![
                g.count.to_string(),
                g.kind.label().into(),
                g.title.clone(),
                g.functions.join(", "),
                utc(g.first_seen),
                utc(g.last_seen),
                if g.new { "new".into() } else { String::new() },
                g.fingerprint.clone(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "Count",
            "Kind",
            "Group",
            "Functions",
            "First seen",
            "Last seen",
            "",
            "Fingerprint",
        ],
        &[true],
        &rows,
    ));
    if s.error_groups.len() > FLEET_GROUPS {
        let _ = writeln!(
            out,
            "\n…and {} more groups.",
            s.error_groups.len() - FLEET_GROUPS
        );
    }
    out.push('\n');
}

/// A word the shell passes as it is, else single-quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@=,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn reproduce(out: &mut String, i: &Incident) {
    let s = &i.snapshot;
    let flags: Vec<String> = i.flags.iter().map(|f| shell_word(f)).collect();
    let lamtop = if flags.is_empty() {
        "lamtop".to_string()
    } else {
        format!("lamtop {}", flags.join(" "))
    };
    let window = format::window(std::time::Duration::from_secs(
        s.window.seconds.max(0) as u64
    ));
    let mut lines = vec![
        "# The fleet, as JSON (lamtop.snapshot/v1)".to_string(),
        format!("{lamtop} --once --window {window} --output json"),
    ];
    match &i.focus {
        Some(f) => {
            let name = shell_word(&f.function.name);
            let iso = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            lines.push("# Its error groups".into());
            lines.push(format!("{lamtop} errors {name} --window {window}"));
            lines.push("# Its failure lines over the window".into());
            lines.push(format!(
                "{lamtop} tail {name} --since {} --until {} --errors",
                iso(s.window.start),
                iso(s.window.end)
            ));
            for t in &f.traces {
                lines.push(format!("{lamtop} trace {}", shell_word(&t.summary.id)));
            }
            lines.push("# This report again".into());
            lines.push(format!("{lamtop} report {name} --window {window}"));
        }
        None => {
            lines.push("# The fleet's error groups".into());
            lines.push(format!("{lamtop} errors --window {window}"));
        }
    }
    let _ = writeln!(out, "## Reproduce\n");
    out.push_str(&block("sh", &lines.join("\n")));
    out.push('\n');
}

fn notes(out: &mut String, s: &Snapshot) {
    if s.errors.is_empty() && s.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "## What could not be read\n");
    for e in &s.errors {
        let _ = writeln!(out, "- {} ({})", cell(&e.message), cell(&e.affects));
    }
    for w in &s.warnings {
        let _ = writeln!(out, "- {}", cell(w));
    }
    out.push('\n');
}
