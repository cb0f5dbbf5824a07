//! The engine: every rule on every function it covers, each with its own
//! [`Tracker`], fed once per refresh; it keeps the bounded history of state
//! changes and reports the rules' states as alarms.

use super::{AlarmEvent, HISTORY_LEN, Inputs, Tracker, samples};
use crate::model::alarms::{Alarm, AlarmKind, AlarmRule, AlarmSource, AlarmState};
use crate::model::function::{FunctionFilter, FunctionInfo};
use crate::model::id::FunctionId;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use std::collections::{HashMap, VecDeque};

/// Every rule on every function it covers.
#[derive(Debug, Clone, Default)]
pub struct RuleEngine {
    rules: Vec<(AlarmRule, FunctionFilter)>,
    trackers: HashMap<(usize, FunctionId), Tracker>,
    /// State changes, oldest first (bounded by [`HISTORY_LEN`]).
    pub history: VecDeque<AlarmEvent>,
}

impl RuleEngine {
    /// Adds changes from elsewhere (CloudWatch alarms, dated by their
    /// state time) to the history, which stays in time order.
    pub fn record(&mut self, events: &[AlarmEvent]) {
        if events.is_empty() {
            return;
        }
        self.history.extend(events.iter().cloned());
        self.history.make_contiguous().sort_by_key(|e| e.at);
        self.trim_history();
    }

    /// Keeps the newest [`HISTORY_LEN`] entries.
    fn trim_history(&mut self) {
        while self.history.len() > HISTORY_LEN {
            self.history.pop_front();
        }
    }

    /// An engine for validated rules.
    pub fn new(rules: &[AlarmRule]) -> Self {
        let rules = rules
            .iter()
            .map(|r| {
                let filter =
                    FunctionFilter::new(std::slice::from_ref(&r.functions)).unwrap_or_default();
                (r.clone(), filter)
            })
            .collect();
        Self {
            rules,
            ..Self::default()
        }
    }

    /// The functions covered by a rule whose condition holds at zero
    /// (`invocations < 10`): such a rule can fire on a quiet function, so
    /// those stay fresh whatever the budget.
    pub fn fire_when_quiet(&self, functions: &[FunctionInfo]) -> Vec<FunctionId> {
        let quiet: Vec<&FunctionFilter> = self
            .rules
            .iter()
            .filter(|(r, _)| r.op.holds(0.0, r.threshold))
            .map(|(_, f)| f)
            .collect();
        functions
            .iter()
            .filter(|f| quiet.iter().any(|q| q.matches(&f.id)))
            .map(|f| f.id.clone())
            .collect()
    }

    /// Whether any rule is configured.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The (function, period) pairs whose p99 a rule needs.
    pub fn p99_needs(&self, functions: &[FunctionInfo]) -> Vec<(FunctionId, u32)> {
        needs_p99(self.rules.iter().map(|(r, f)| (r, f)), functions)
    }

    /// Evaluates every rule on `functions`; returns the changes worth
    /// telling someone about (each into or out of FIRING; a replay at start
    /// tells only of a rule that ends FIRING). The history records every
    /// change into or out of FIRING, the replayed ones too, so an incident
    /// that ended before lamtop started is still there to read.
    pub fn evaluate(&mut self, functions: &[FunctionInfo], inp: &Inputs<'_>) -> Vec<AlarmEvent> {
        let mut events = Vec::new();
        let mut replayed = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (ri, (rule, filter)) in self.rules.iter().enumerate() {
            let hold = ChronoDuration::from_std(rule.hold_for).unwrap_or_default();
            for f in functions.iter().filter(|f| filter.matches(&f.id)) {
                let key = (ri, f.id.clone());
                seen.insert(key.clone());
                let tracker = self.trackers.entry(key).or_default();
                let replay = tracker.last_at.is_none();
                let mut last_change = None;
                for (t, v) in samples(rule, f, inp, tracker.last_at) {
                    let breach = v.map(|v| rule.op.holds(v, rule.threshold));
                    if let Some(prev) = tracker.observe(t, v, breach, hold) {
                        let firing_edge =
                            prev == AlarmState::Firing || tracker.state == AlarmState::Firing;
                        let ev = event(rule, f, prev, tracker.state, t, v);
                        if replay {
                            if firing_edge {
                                replayed.push(ev.clone());
                            }
                            last_change = Some(ev);
                        } else if firing_edge {
                            events.push(ev);
                        }
                    }
                }
                if let Some(ev) = last_change.filter(|e| e.state == AlarmState::Firing) {
                    // Still firing after the replay: that one is told.
                    replayed.retain(|r| r != &ev);
                    events.push(AlarmEvent {
                        from: AlarmState::Ok,
                        ..ev
                    });
                }
            }
        }
        // Functions gone from the inventory take their trackers with them.
        self.trackers.retain(|k, _| seen.contains(k));
        replayed.sort_by_key(|e| e.at);
        self.history.extend(replayed);
        for e in &events {
            self.history.push_back(e.clone());
        }
        self.trim_history();
        events
    }

    /// The rules' states as alarms, one per rule and function.
    pub fn alarms(&self) -> Vec<Alarm> {
        let mut out: Vec<Alarm> = self
            .trackers
            .iter()
            .map(|((ri, function), t)| {
                let rule = &self.rules[*ri].0;
                Alarm {
                    name: rule.name.clone(),
                    source: AlarmSource::Rule,
                    kind: AlarmKind::Metric,
                    state: t.state,
                    function: Some(function.clone()),
                    namespace: None,
                    metric: Some(rule.metric.name().to_string()),
                    since: t.since,
                    reason: reason(rule, t),
                    rule: None,
                    severity: Some(rule.severity),
                    value: t.value,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.name, &a.function).cmp(&(&b.name, &b.function)));
        out
    }
}

/// The (function, period) pairs whose p99 the rules need.
pub fn needs_p99<'a>(
    rules: impl Iterator<Item = (&'a AlarmRule, &'a FunctionFilter)>,
    functions: &[FunctionInfo],
) -> Vec<(FunctionId, u32)> {
    let mut out: Vec<(FunctionId, u32)> = Vec::new();
    for (rule, filter) in rules.filter(|(r, _)| r.metric.needs_p99()) {
        let p = rule.period.as_secs().max(60) as u32;
        for f in functions.iter().filter(|f| filter.matches(&f.id)) {
            let pair = (f.id.clone(), p);
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}

/// The history entry for `rule` on `f` changing from `from` to `state`.
fn event(
    rule: &AlarmRule,
    f: &FunctionInfo,
    from: AlarmState,
    state: AlarmState,
    at: DateTime<Utc>,
    value: Option<f64>,
) -> AlarmEvent {
    AlarmEvent {
        at,
        alarm: rule.name.clone(),
        source: AlarmSource::Rule,
        function: f.id.clone(),
        from,
        state,
        severity: Some(rule.severity),
        metric: rule.metric.name().to_string(),
        op: rule.op.as_str(),
        threshold: Some(rule.threshold),
        value,
    }
}

/// "error_rate 0.25 > 0.1 for 3m (5m period)": what the rule says and saw.
fn reason(rule: &AlarmRule, t: &Tracker) -> String {
    let period = humantime::format_duration(rule.period);
    let hold = humantime::format_duration(rule.hold_for);
    let cond = format!(
        "{} {} {}",
        rule.metric.name(),
        rule.op.as_str(),
        rule.threshold
    );
    match (t.state, t.value) {
        (AlarmState::NoData, _) | (_, None) => {
            format!("no data for {} ({period} period)", rule.metric.name())
        }
        (AlarmState::Pending, Some(v)) => format!(
            "{} = {} {} {} since {}, firing after {hold}",
            rule.metric.name(),
            fmt_value(v),
            rule.op.as_str(),
            rule.threshold,
            t.breach_since
                .map_or("?".into(), |s| s.format("%H:%M").to_string())
        ),
        (_, Some(v)) => format!(
            "{} = {} ({cond} over {period})",
            rule.metric.name(),
            fmt_value(v)
        ),
    }
}

/// A value short enough for a reason: whole numbers and large values
/// without decimals, the rest to three places.
fn fmt_value(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}
