//! Error groups: a window's failures, one occurrence per failed request,
//! folded by fingerprint across the fleet. One group says what failed
//! (its title and frame), how often and where (count per function), since
//! when (first and last seen, and whether it is new), and which requests
//! and traces to look at.
//!
//! One request is one occurrence however many failure lines it wrote: a
//! timeout writes `Task timed out …` and a REPORT with `Status: timeout`,
//! an out-of-memory kill a runtime exit and a REPORT with
//! `Runtime.OutOfMemory`. The most telling failure speaks for the request
//! (see `rank`), a line with a message before a REPORT.
//! Lines that name no request (init failures) are occurrences of their own.

pub mod fingerprint;
mod frames;
mod normalize;

pub use fingerprint::Fingerprint;
pub use normalize::normalize;

use super::id::FunctionId;
use super::logs::{Failure, LineInfo, LineKind, LogEvent, analyze};
use super::metrics::TimeRange;
use super::text::{cut_chars, one_line};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Sample ids kept per group.
pub const MAX_SAMPLES: usize = 5;
/// The longest sample message kept, in characters.
const MAX_SAMPLE: usize = 400;

/// One failed request (or one failure line that names no request).
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The function it happened in.
    pub function: FunctionId,
    /// Its request id, or the event id of a line that names none: the key
    /// that keeps one failure from counting twice.
    pub key: String,
    /// When (the first failure line of the request).
    pub at: DateTime<Utc>,
    /// The failure that speaks for it.
    pub kind: Failure,
    /// The error type it names.
    pub error_type: Option<String>,
    /// Its fingerprint.
    pub fingerprint: Fingerprint,
    /// The line that speaks for it, on one line, inert and cut.
    pub sample: String,
    /// The request id, when a line named it.
    pub request_id: Option<String>,
    /// The X-Ray trace id, when a line of the request carried it.
    pub trace_id: Option<String>,
}

/// Which failure speaks for a request: the taxonomy's order, except that
/// a crash comes before the runtime exit it caused (Node's `TypeError …`
/// then `Process exited before completing request`): the crash names the
/// cause.
fn rank(f: Option<Failure>) -> u8 {
    match f {
        Some(Failure::Timeout) => 0,
        Some(Failure::InitTimeout) => 1,
        Some(Failure::OutOfMemory) => 2,
        Some(Failure::InitError) => 3,
        Some(Failure::Crash) => 4,
        Some(Failure::RuntimeExit) => 5,
        Some(Failure::Error) => 6,
        None => 7,
    }
}

/// How well a line speaks for its request: the most telling failure
/// first, then a line with a message rather than a report.
fn speaks_better(a: &(LineInfo, &LogEvent), b: &(LineInfo, &LogEvent)) -> bool {
    let (fa, fb) = (rank(a.0.failure), rank(b.0.failure));
    if fa != fb {
        return fa < fb;
    }
    let report = |i: &LineInfo| matches!(i.kind, LineKind::Report | LineKind::InitReport);
    !report(&a.0) && report(&b.0)
}

/// The occurrences in `events` (one function's lines, in any order): one
/// per failed request, one per failure line without a request.
pub fn occurrences(function: &FunctionId, events: &[LogEvent]) -> Vec<Occurrence> {
    let mut by_request: BTreeMap<String, Vec<(LineInfo, &LogEvent)>> = BTreeMap::new();
    let mut alone = Vec::new();
    for e in events {
        let info = analyze(&e.message);
        match info.request_id.clone() {
            Some(r) if r != "undefined" => by_request.entry(r).or_default().push((info, e)),
            _ if info.is_failure() => alone.push((info, e)),
            _ => {}
        }
    }
    let mut out: Vec<Occurrence> = alone
        .into_iter()
        .map(|(info, e)| occurrence(function, e.id.clone(), e.timestamp, &info, e, None))
        .collect();
    for (request, lines) in by_request {
        let mut best: Option<&(LineInfo, &LogEvent)> = None;
        for l in lines.iter().filter(|l| l.0.is_failure()) {
            if best.is_none_or(|b| speaks_better(l, b)) {
                best = Some(l);
            }
        }
        let Some((info, e)) = best else { continue };
        let at = lines
            .iter()
            .filter(|l| l.0.is_failure())
            .map(|l| l.1.timestamp)
            .min();
        let trace = lines.iter().find_map(|l| l.0.trace_id.clone());
        let mut occ = occurrence(
            function,
            request.clone(),
            at.unwrap_or(e.timestamp),
            info,
            e,
            trace,
        );
        occ.request_id = Some(request);
        out.push(occ);
    }
    out.sort_by_key(|o| o.at);
    out
}

fn occurrence(
    function: &FunctionId,
    key: String,
    at: DateTime<Utc>,
    info: &LineInfo,
    e: &LogEvent,
    trace_id: Option<String>,
) -> Occurrence {
    Occurrence {
        function: function.clone(),
        key,
        at,
        kind: info.failure.unwrap_or(Failure::Error),
        error_type: info.error_type.clone(),
        fingerprint: fingerprint::fingerprint(&e.message, info),
        sample: cut_chars(&one_line(e.message.trim_end()), MAX_SAMPLE),
        request_id: None,
        trace_id: trace_id.or_else(|| info.trace_id.clone()),
    }
}

/// One group's numbers in one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFunction {
    /// Occurrences.
    pub count: u64,
    /// The first one.
    pub first_seen: DateTime<Utc>,
    /// The last one.
    pub last_seen: DateTime<Utc>,
}

/// Failures with one fingerprint, across the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorGroup {
    /// The fingerprint (id, title, frame).
    pub fingerprint: Fingerprint,
    /// The failure kind of its first occurrence.
    pub kind: Failure,
    /// The error type it names.
    pub error_type: Option<String>,
    /// Per function.
    pub functions: BTreeMap<FunctionId, InFunction>,
    /// The newest occurrence's line.
    pub sample: String,
    /// Request ids of the newest occurrences, newest first.
    pub request_ids: Vec<String>,
    /// Trace ids of the newest occurrences that carried one, newest first.
    pub trace_ids: Vec<String>,
}

impl ErrorGroup {
    /// Occurrences in every function.
    pub fn count(&self) -> u64 {
        self.functions.values().map(|f| f.count).sum()
    }

    /// The first occurrence anywhere.
    pub fn first_seen(&self) -> DateTime<Utc> {
        self.functions
            .values()
            .map(|f| f.first_seen)
            .min()
            .unwrap_or_default()
    }

    /// The last occurrence anywhere.
    pub fn last_seen(&self) -> DateTime<Utc> {
        self.functions
            .values()
            .map(|f| f.last_seen)
            .max()
            .unwrap_or_default()
    }

    fn add(&mut self, o: &Occurrence) {
        let f = self
            .functions
            .entry(o.function.clone())
            .or_insert(InFunction {
                count: 0,
                first_seen: o.at,
                last_seen: o.at,
            });
        f.count += 1;
        f.first_seen = f.first_seen.min(o.at);
        if o.at >= f.last_seen {
            f.last_seen = o.at;
        }
        if o.at >= self.last_seen() {
            self.sample = o.sample.clone();
        }
        push_newest(&mut self.request_ids, o.request_id.as_ref());
        push_newest(&mut self.trace_ids, o.trace_id.as_ref());
    }
}

/// Keeps the ids of the newest occurrences (occurrences arrive roughly in
/// time order; the newest are kept first).
fn push_newest(ids: &mut Vec<String>, id: Option<&String>) {
    let Some(id) = id else { return };
    if ids.contains(id) {
        return;
    }
    ids.insert(0, id.clone());
    ids.truncate(MAX_SAMPLES);
}

/// What a scan of one function covered, so "new" is claimed only where
/// the failures before were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// The earliest instant read.
    pub from: DateTime<Utc>,
    /// Whether a cap stopped the read (older failures were not read).
    pub truncated: bool,
}

/// The fleet's error groups, with the occurrences already counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorGroups {
    groups: HashMap<String, ErrorGroup>,
    seen: HashSet<(FunctionId, String)>,
    coverage: HashMap<FunctionId, Coverage>,
}

impl ErrorGroups {
    /// Counts `o` unless its request was counted already; `true` if new.
    pub fn add(&mut self, o: &Occurrence) -> bool {
        if !self.seen.insert((o.function.clone(), o.key.clone())) {
            return false;
        }
        self.groups
            .entry(o.fingerprint.id.clone())
            .or_insert_with(|| ErrorGroup {
                fingerprint: o.fingerprint.clone(),
                kind: o.kind,
                error_type: o.error_type.clone(),
                functions: BTreeMap::new(),
                sample: o.sample.clone(),
                request_ids: Vec::new(),
                trace_ids: Vec::new(),
            })
            .add(o);
        true
    }

    /// Records what was read of `function`.
    pub fn cover(&mut self, function: &FunctionId, coverage: Coverage) {
        self.coverage.insert(function.clone(), coverage);
    }

    /// What was read of `function`, if it was scanned.
    pub fn coverage(&self, function: &FunctionId) -> Option<Coverage> {
        self.coverage.get(function).copied()
    }

    /// Every group, most occurrences first (then the newest, then by id,
    /// so the order is stable).
    pub fn ranked(&self) -> Vec<&ErrorGroup> {
        let mut v: Vec<&ErrorGroup> = self.groups.values().collect();
        v.sort_by(|a, b| {
            b.count()
                .cmp(&a.count())
                .then(b.last_seen().cmp(&a.last_seen()))
                .then(a.fingerprint.id.cmp(&b.fingerprint.id))
        });
        v
    }

    /// The groups `function` has, most occurrences there first.
    pub fn of_function(&self, function: &FunctionId) -> Vec<(&ErrorGroup, InFunction)> {
        let mut v: Vec<_> = self
            .ranked()
            .into_iter()
            .filter_map(|g| g.functions.get(function).map(|f| (g, *f)))
            .collect();
        v.sort_by_key(|g| std::cmp::Reverse(g.1.count));
        v
    }

    /// Whether no failure was counted.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether `g` is new in `window`: first seen (in any function) after
    /// the deploy inside the window of a function it is in, or absent from
    /// the window's first half — claimed only where the scans of the
    /// functions it is in read that far back.
    pub fn is_new(
        &self,
        g: &ErrorGroup,
        window: TimeRange,
        deployed: impl Fn(&FunctionId) -> Option<DateTime<Utc>>,
    ) -> bool {
        let read_back_to =
            |f: &FunctionId, t: DateTime<Utc>| self.coverage(f).is_some_and(|c| c.from <= t);
        // The group's first occurrence anywhere, not in that function: an
        // error other functions had all along is not the deploy's.
        let first = g.first_seen();
        let after_deploy = g.functions.keys().any(|f| {
            deployed(f).is_some_and(|d| {
                d >= window.start && first >= d && g.functions.keys().all(|f| read_back_to(f, d))
            })
        });
        let mid = window.start + (window.end - window.start) / 2;
        let late = g.first_seen() >= mid && g.functions.keys().all(|f| read_back_to(f, mid));
        after_deploy || late
    }
}

#[cfg(test)]
mod tests;
