//! The report's section on one function: its numbers, its deploys and
//! versions (a canary's shares), its error groups, its last failure lines
//! and its slowest or failed traces.

use super::{IDS, n, utc, when};
use crate::format;
use crate::report::incident::{Focus, Incident, ShownTrace};
use crate::report::markdown::{block, cell, code, table};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

pub(super) fn focus(out: &mut String, f: &Focus, i: &Incident) {
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
            let worse = d.canary_fails_more(s);
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
