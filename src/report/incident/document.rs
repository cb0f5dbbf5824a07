//! The report as Markdown: one function per section, in the order an
//! incident note is read (what, where, how bad, what changed, the
//! evidence, how to look again).

use super::{Chosen, Focus, Incident, ShownTrace};
use crate::format;
use crate::model::alarms::AlarmSource;
use crate::report::markdown::{block, cell, code, table};
use crate::report::snapshot::{Function, Num, Snapshot};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

/// Functions listed among the worst.
const WORST: usize = 10;
/// Fleet error groups listed.
const FLEET_GROUPS: usize = 10;
/// Samples of request and trace ids per group.
const IDS: usize = 3;

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(utc).unwrap_or_else(|| "—".into())
}

fn n(v: Num) -> String {
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
                    format!(
                        "{} {} {} (value {})",
                        e.metric,
                        e.op,
                        e.threshold,
                        format::count(e.value)
                    ),
                ]
            })
            .collect();
        out.push_str(&table(
            &["At", "Rule", "Function", "Change", "Condition"],
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

fn focus(out: &mut String, f: &Focus, i: &Incident) {
    let e = &f.function;
    let _ = writeln!(out, "## {}\n", cell(&e.name));
    let _ = writeln!(
        out,
        "{} · {} MB · timeout {} s · {} · log group {}\n",
        cell(&e.runtime),
        e.memory_mb,
        e.timeout_s,
        e.architecture,
        code(&e.log_group)
    );
    let d = &e.duration_ms;
    let rows = vec![
        vec!["Invocations".into(), n(e.invocations)],
        vec![
            "Errors".into(),
            format!("{} ({})", n(e.errors), format::pct(e.error_rate.0)),
        ],
        vec!["Throttles".into(), n(e.throttles)],
        vec![
            "Duration".into(),
            format!(
                "avg {} · p50 {} · p90 {} · p99 {} · max {}",
                format::ms(d.avg.0),
                format::ms(d.p50.0),
                format::ms(d.p90.0),
                format::ms(d.p99.0),
                format::ms(d.max.0)
            ),
        ],
        vec!["Peak concurrency".into(), n(e.concurrency_max)],
        vec![
            "Cost".into(),
            format!("{}/h", format::money(e.insights.cost_per_hour.0)),
        ],
    ];
    out.push_str(&table(&["", ""], &[], &rows));
    out.push('\n');
    deploy(out, f, i.now);
    groups(out, f);
    recent(out, f);
    traces(out, f);
}

fn deploy(out: &mut String, f: &Focus, now: DateTime<Utc>) {
    let _ = writeln!(out, "### Deploys\n");
    versions(out, f);
    let Some(at) = f.function.last_deployed else {
        let _ = writeln!(out, "The latest deploy is not known.\n");
        return;
    };
    let mut age = format!("{} ago", format::age((now - at).num_seconds()));
    if let Some(v) = f.deployments.as_ref().ok().and_then(|d| d.version_of(at)) {
        age.push_str(&format!(", version {}", code(&v.version)));
    }
    let Some(ba) = &f.before_after else {
        let _ = writeln!(
            out,
            "Latest deploy {} ({age}), before the window.\n",
            utc(at)
        );
        return;
    };
    let _ = writeln!(
        out,
        "Latest deploy {} ({age}), inside the window. Before and after it (the \
         deploy's minute counts as after):\n",
        utc(at)
    );
    let side = |s: &crate::model::deploys::Side| {
        vec![
            format::count(Some(s.invocations)),
            format::count(Some(s.errors)),
            format::pct(s.error_rate()),
            format::ms(s.avg_ms),
            format::count(Some(s.throttles)),
        ]
    };
    let mut before = vec!["before".to_string()];
    before.extend(side(&ba.before));
    let mut after = vec!["after".to_string()];
    after.extend(side(&ba.after));
    out.push_str(&table(
        &[
            "",
            "Invocations",
            "Errors",
            "Err%",
            "Avg duration",
            "Throttles",
        ],
        &[false, true, true, true, true, true],
        &[before, after],
    ));
    let verdict = if ba.regressed() {
        format!(
            "**The error rate rose significantly after the deploy** (z = {:.1}).",
            ba.error_z().unwrap_or(f64::INFINITY)
        )
    } else {
        "The error rate did not rise significantly after the deploy.".into()
    };
    let _ = writeln!(out, "\n{verdict}\n");
}

/// The versions published in the window and where each alias sends
/// its traffic.
fn versions(out: &mut String, f: &Focus) {
    let d = match &f.deployments {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(out, "Its versions could not be read: {}\n", cell(e));
            return;
        }
    };
    let inside = d.in_range(f.range);
    if inside.is_empty() {
        let _ = writeln!(
            out,
            "No version was published in the window ({} published in all).",
            d.versions.len()
        );
    } else {
        let list: Vec<String> = inside
            .iter()
            .map(|v| format!("{} at {}", code(&v.version), when(v.published)))
            .collect();
        let _ = writeln!(out, "Published in the window: {}.", list.join(", "));
    }
    for a in &d.aliases {
        let _ = writeln!(out, "Alias {}.", code(&a.describe()));
    }
    out.push('\n');
    shares(out, d);
}

/// Each version's calls and errors of a traffic-splitting alias.
fn shares(out: &mut String, d: &crate::model::versions::Deployments) {
    if let Some(e) = &d.shares_error {
        let _ = writeln!(out, "The versions' shares could not be read: {}\n", cell(e));
    }
    if d.shares.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = d
        .shares
        .iter()
        .map(|s| {
            let primary = d.shares.iter().find(|p| p.alias == s.alias);
            let worse = primary.is_some_and(|p| p != s && s.fails_more_than(p));
            vec![
                s.alias.clone(),
                s.version.clone(),
                format::pct(Some(s.weight)),
                format::count(s.invocations),
                format::count(s.errors),
                format::pct(s.error_rate()),
                if worse {
                    "fails significantly more".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "Alias",
            "Version",
            "Weight",
            "Invocations",
            "Errors",
            "Err%",
            "",
        ],
        &[false, false, true, true, true, true, false],
        &rows,
    ));
    out.push('\n');
}

fn groups(out: &mut String, f: &Focus) {
    let _ = writeln!(out, "### Its error groups\n");
    if let Some(e) = &f.failures_error {
        let _ = writeln!(out, "Its failure lines could not be read: {}\n", cell(e));
    }
    if let Some(c) = f.coverage.filter(|c| c.truncated) {
        let _ = writeln!(
            out,
            "A cap stopped the read at {}: the counts are of the newest failures.\n",
            utc(c.from)
        );
    }
    if f.groups.is_empty() {
        let _ = writeln!(out, "No failure line in the window.\n");
        return;
    }
    for g in &f.groups {
        let _ = writeln!(
            out,
            "- **{}** × {} · {} · first {} · last {}{}",
            code(&g.title),
            g.count,
            g.kind.label(),
            utc(g.first_seen),
            utc(g.last_seen),
            if g.new { " · **new**" } else { "" }
        );
        if let Some(frame) = &g.frame {
            let _ = writeln!(out, "  - at {}", code(frame));
        }
        let others: Vec<&str> = g
            .functions
            .iter()
            .map(String::as_str)
            .filter(|n| *n != f.function.name)
            .collect();
        if !others.is_empty() {
            let _ = writeln!(out, "  - also in: {}", cell(&others.join(", ")));
        }
        let ids = |v: &[String]| {
            v.iter()
                .take(IDS)
                .map(|s| code(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !g.request_ids.is_empty() {
            let _ = writeln!(out, "  - requests: {}", ids(&g.request_ids));
        }
        if !g.trace_ids.is_empty() {
            let _ = writeln!(out, "  - traces: {}", ids(&g.trace_ids));
        }
        let _ = writeln!(out, "  - sample: {}", code(&g.sample));
    }
    out.push('\n');
}

fn recent(out: &mut String, f: &Focus) {
    let _ = writeln!(out, "### The last {} failure lines\n", f.recent.len());
    if f.recent.is_empty() {
        let _ = writeln!(out, "None read.\n");
        return;
    }
    let body: Vec<String> = f
        .recent
        .iter()
        .map(|e| {
            format!(
                "{}  {}",
                e.timestamp.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                e.message.trim_end()
            )
        })
        .collect();
    out.push_str(&block("text", &body.join("\n")));
    out.push('\n');
}

fn traces(out: &mut String, f: &Focus) {
    let _ = writeln!(out, "### Its slowest or failed traces\n");
    if let Some(e) = &f.traces_error {
        let _ = writeln!(out, "Its traces could not be read: {}\n", cell(e));
        return;
    }
    if f.traces.is_empty() {
        let _ = writeln!(out, "X-Ray has no trace of it in the window.\n");
        return;
    }
    for t in &f.traces {
        trace(out, t);
    }
}

fn trace(out: &mut String, t: &ShownTrace) {
    let s = &t.summary;
    let mut marks = Vec::new();
    if s.has_fault {
        marks.push("fault");
    }
    if s.has_error {
        marks.push("error");
    }
    if s.has_throttle {
        marks.push("throttled");
    }
    if s.cold_start == Some(true) {
        marks.push("cold start");
    }
    let _ = writeln!(
        out,
        "#### {} · {}{}\n",
        code(&s.id),
        format::ms(s.duration_s.map(|d| d * 1000.0)),
        if marks.is_empty() {
            String::new()
        } else {
            format!(" · {}", marks.join(", "))
        }
    );
    match &t.waterfall {
        Some(w) => out.push_str(&block("text", w)),
        None => {
            let _ = writeln!(out, "X-Ray no longer has this trace.");
        }
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
