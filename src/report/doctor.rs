//! `lamtop doctor`: the checkup of every region asked for, printed as a
//! short report a new user can act on (which credentials, which account,
//! which region and endpoint, each IAM action `ok` or what to do), with
//! the minimal policy for what was denied. Exit 0 only when all is well.

use crate::exit::{Error, Exit};
use crate::model::access::{Checkup, Outcome, Probe};
use crate::model::text::{cut_chars, one_line};
use chrono::{DateTime, Utc};
use std::fmt::Write;
use std::io::Write as _;

/// Prints the checkup of every region (or why it could not be made) and
/// says how the run ends: 0 only when lamtop will work everywhere.
pub fn print(checkups: &[Result<Checkup, String>]) -> Result<Exit, Error> {
    let mut out = String::new();
    for c in checkups {
        match c {
            Ok(c) => out.push_str(&render(c, Utc::now())),
            Err(e) => {
                let _ = writeln!(out, "✖ {e}\n");
            }
        }
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| Error::Io(format!("cannot write the report: {e}")))?;
    let healthy = checkups
        .iter()
        .all(|c| c.as_ref().is_ok_and(Checkup::healthy));
    Ok(if healthy { Exit::Ok } else { Exit::Error })
}

/// The report of one checkup.
pub fn render(c: &Checkup, now: DateTime<Utc>) -> String {
    let mut s = String::new();
    let row = |s: &mut String, k: &str, v: &str| {
        let _ = writeln!(s, "{k:<12} {v}");
    };
    match &c.credentials {
        Ok(cr) => {
            row(&mut s, "credentials", &cr.source);
            let expiry = cr.expires.map_or("do not expire".to_string(), |t| {
                let left = (t - now).num_seconds();
                if left <= 0 {
                    format!("EXPIRED at {}", t.format("%Y-%m-%d %H:%M UTC"))
                } else {
                    format!(
                        "expire {} (in {})",
                        t.format("%Y-%m-%d %H:%M UTC"),
                        hours_minutes(left)
                    )
                }
            });
            row(&mut s, "", &format!("key {}, {expiry}", cr.key_id));
        }
        Err(e) => row(&mut s, "credentials", &format!("✖ {e}")),
    }
    match &c.identity {
        Ok((account, arn)) => row(&mut s, "identity", &format!("account {account}, {arn}")),
        Err(e) => row(&mut s, "identity", &format!("✖ {}", cut_chars(e, 159))),
    }
    let (region, from) = &c.region;
    row(&mut s, "region", &format!("{region} ({from})"));
    let (endpoint, from) = &c.endpoint;
    row(&mut s, "endpoint", &format!("{endpoint} ({from})"));
    let tried = c.tried_on.as_deref().map_or(
        "no function in scope: per-function calls use a name that does not exist \
         (\"not found\" still proves the permission)"
            .to_string(),
        |f| format!("function {f}, log group /aws/lambda/{f}"),
    );
    row(&mut s, "tried on", &tried);
    s.push('\n');
    for p in &c.probes {
        let _ = writeln!(s, "{:<14}{:<42}{}", status(&p.outcome), p.action, detail(p));
    }
    for problem in shared_problems(c) {
        let _ = writeln!(s, "\n✖ {problem}");
    }
    let _ = writeln!(s, "\n{}", summary(c));
    if let Some(policy) = c.policy_for_denied() {
        let _ = writeln!(
            s,
            "\nlamtop needs these actions too; a policy that grants them:\n{policy}"
        );
    }
    s.push('\n');
    s
}

/// `1h 35m`, `12m`: how long temporary credentials have left.
fn hours_minutes(secs: i64) -> String {
    let m = secs / 60;
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h {m}m"),
    }
}

fn status(o: &Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Denied(_) => "✖ denied",
        Outcome::Unsupported(_) => "not supported",
        Outcome::Unreachable(_) => "✖ unreachable",
        Outcome::Credentials(_) => "✖ credentials",
        Outcome::Throttled(_) => "throttled",
        Outcome::Failed(_) => "✖ failed",
        Outcome::NotChecked(_) => "not checked",
    }
}

fn detail(p: &Probe) -> String {
    match &p.outcome {
        Outcome::Ok => p.used_for.to_string(),
        Outcome::Denied(_) => format!("grant {} ({})", p.action, p.used_for),
        Outcome::Unsupported(_) => format!("by this endpoint: {} shows n/a", p.used_for),
        Outcome::Throttled(_) => "allowed, but throttled just now".into(),
        // Said once below the table: every call fails the same way.
        Outcome::Unreachable(_) | Outcome::Credentials(_) => p.used_for.to_string(),
        Outcome::Failed(m) => cut_chars(&one_line(m), 159),
        Outcome::NotChecked(why) => (*why).to_string(),
    }
}

/// The distinct reasons calls could not be made at all (the endpoint, the
/// credentials), each once, without the action that happened to say it.
fn shared_problems(c: &Checkup) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in &c.probes {
        if let Outcome::Unreachable(m) | Outcome::Credentials(m) = &p.outcome {
            let m = m.strip_prefix(&format!("{}: ", p.action)).unwrap_or(m);
            let m = cut_chars(&one_line(m), 239);
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

fn summary(c: &Checkup) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for p in &c.probes {
        let name = status(&p.outcome).trim_start_matches("✖ ");
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, n)) => *n += 1,
            None => counts.push((name, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(n, k)| format!("{k} {n}")).collect();
    let verdict = if c.healthy() {
        "lamtop will work here"
    } else {
        "lamtop will not fully work here"
    };
    format!("{} — {verdict}", parts.join(" · "))
}

#[cfg(test)]
mod tests;
