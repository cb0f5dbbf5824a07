//! What a careful reader would flag in a trace: the same segment id twice,
//! segments whose parents form a cycle, and clock skew (a child far outside
//! its parent's time span, which makes a waterfall lie).

use super::Node;
use std::collections::{HashMap, HashSet};

/// How far (seconds) a child may reach outside its parent before it is
/// called skew: services' clocks differ by a few milliseconds normally.
pub const SKEW_TOLERANCE_S: f64 = 0.1;

/// Depth the skew walk goes to (the tree's rows stop there too).
const MAX_DEPTH: usize = 64;

/// One problem per id that appears more than once in the trace.
pub fn duplicate_ids(nodes: &[(Node, Option<String>)]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut stack: Vec<&Node> = nodes.iter().map(|(n, _)| n).collect();
    while let Some(n) = stack.pop() {
        if !n.id.is_empty() {
            *seen.entry(n.id.as_str()).or_default() += 1;
        }
        stack.extend(n.children.iter());
    }
    let mut dups: Vec<String> = seen
        .into_iter()
        .filter(|(_, c)| *c > 1)
        .map(|(id, c)| format!("segment id {id} appears {c} times"))
        .collect();
    dups.sort();
    dups
}

/// Segments that never found their parent although it is in the trace:
/// their parent links run in a circle.
pub fn cycles(pending: &[(Node, Option<String>)]) -> Vec<String> {
    let parent: HashMap<&str, &str> = pending
        .iter()
        .filter_map(|(n, p)| p.as_deref().map(|p| (n.id.as_str(), p)))
        .collect();
    let mut reported: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for (n, _) in pending {
        let mut path = vec![n.id.as_str()];
        let mut at = n.id.as_str();
        while let Some(p) = parent.get(at).copied() {
            if let Some(i) = path.iter().position(|x| *x == p) {
                let cycle = &path[i..];
                if cycle.iter().all(|x| reported.insert(x)) {
                    out.push(format!(
                        "parent links form a cycle: {} → {p}",
                        cycle.join(" → ")
                    ));
                }
                break;
            }
            if path.len() > pending.len() {
                break;
            }
            path.push(p);
            at = p;
        }
    }
    out
}

/// A child starting this long (seconds) after its parent ended is not
/// asynchronous work any more but a clock (or documents from other runs).
pub const FAR_AFTER_S: f64 = 3600.0;

/// Marks children that start before their parent by more than
/// [`SKEW_TOLERANCE_S`], or more than [`FAR_AFTER_S`] after it ended. A
/// child that merely ends after its parent is asynchronous work (a Step
/// Functions execution outlives its StartExecution call), not skew.
pub fn skew(n: &mut Node, depth: usize) {
    if depth >= MAX_DEPTH {
        return;
    }
    let (start, end, name) = (n.start, n.end, n.name.clone());
    for c in n.children.iter_mut() {
        let early = start - c.start;
        // Lambda's Initialization (and SnapStart's Restore) really begin
        // before the function segment does: real traces show 0.4–0.8 s.
        let init = matches!(c.name.as_str(), "Initialization" | "Restore");
        if start > 0.0 && c.start > 0.0 && early > SKEW_TOLERANCE_S && !init {
            c.problems.push(format!(
                "clock skew: starts {} before its parent '{name}'",
                secs(early)
            ));
        }
        if let Some(pe) = end
            && c.start - pe > FAR_AFTER_S
        {
            c.problems.push(format!(
                "clock skew: starts {} after its parent '{name}' ended",
                secs(c.start - pe)
            ));
        }
        skew(c, depth + 1);
    }
}

fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0}ms", s * 1000.0)
    } else {
        format!("{s:.2}s")
    }
}
