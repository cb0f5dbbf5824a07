//! The fleet table's rows: functions in scope, filtered and sorted. Pure,
//! used by the view to draw and by the app to move the selection, so both
//! always agree on which row is where.

use crate::model::alarms::{Alarm, AlarmSource, AlarmState};
use crate::model::fleet::{SortColumn, compare};
use crate::model::function::FunctionInfo;
use crate::store::{FunctionSummary, Store};
use regex::Regex;

/// A `/` filter: a case-insensitive regex over name and runtime; `!` in
/// front inverts it. Text that is not a valid regex matches literally.
#[derive(Debug, Clone)]
pub struct Filter {
    /// What the user typed, without the `!`.
    pub text: String,
    /// Keep the rows that do NOT match.
    pub invert: bool,
    regex: Regex,
    /// Set when the text was not a valid regex and is matched literally.
    pub literal: bool,
}

impl Filter {
    /// Parses `pattern` or `!pattern`; `None` for an empty pattern.
    pub fn parse(input: &str) -> Option<Self> {
        let (invert, text) = match input.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        if text.is_empty() {
            return None;
        }
        // Invariant-free: an escaped literal always compiles, so only a
        // pathological pattern (size limit) yields no filter.
        let (regex, literal) = crate::model::text::user_regex(text)?;
        Some(Self {
            text: text.to_string(),
            invert,
            regex,
            literal,
        })
    }

    /// Whether a function passes the filter.
    pub fn keeps(&self, f: &FunctionInfo) -> bool {
        let hit = self.regex.is_match(&f.id.name)
            || (f.id.region.is_some() && self.regex.is_match(&f.id.to_string()))
            || self.regex.is_match(&f.runtime);
        hit != self.invert
    }

    /// How the filter is shown in the table title.
    pub fn describe(&self) -> String {
        let kind = if self.literal { "text" } else { "regex" };
        format!(
            "{}{} ({kind})",
            if self.invert { "!" } else { "" },
            self.text
        )
    }
}

/// One row.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// The function.
    pub info: &'a FunctionInfo,
    /// Its window numbers.
    pub summary: &'a FunctionSummary,
}

/// The rows in display order.
pub fn fleet_rows<'a>(
    store: &'a Store,
    filter: Option<&Filter>,
    sort: Option<SortColumn>,
    reverse: bool,
) -> Vec<Row<'a>> {
    let mut rows: Vec<(Row<'a>, bool)> = store
        .functions_with_warnings()
        .filter(|(f, _, _)| filter.is_none_or(|flt| flt.keeps(f)))
        .map(|(info, summary, warned)| (Row { info, summary }, warned))
        .collect();
    rows.sort_by(|(a, aw), (b, bw)| {
        compare(
            sort,
            reverse,
            (a.info, a.summary, *aw),
            (b.info, b.summary, *bw),
        )
    });
    rows.into_iter().map(|(r, _)| r).collect()
}

/// The alarms pane's lines: firing first (then pending, without data,
/// OK), severe first, by name; a rule's OK and NO_DATA entries fold into
/// one line per rule and state (with the count), FIRING and PENDING stay
/// one line each. Used by the pane to draw and by the app to select.
pub fn alarm_rows(store: &Store) -> Vec<(&Alarm, usize)> {
    let mut sorted: Vec<&Alarm> = store.all_alarms().collect();
    sorted.sort_by_key(|a| (rank(a.state), std::cmp::Reverse(a.severity), a.name.clone()));
    let mut out: Vec<(&Alarm, usize)> = Vec::new();
    for a in sorted {
        let folds =
            a.source == AlarmSource::Rule && matches!(a.state, AlarmState::Ok | AlarmState::NoData);
        if folds
            && let Some(entry) = out.iter_mut().find(|(b, _)| {
                b.source == AlarmSource::Rule && b.name == a.name && b.state == a.state
            })
        {
            entry.1 += 1;
            continue;
        }
        out.push((a, 1));
    }
    out
}

/// Firing, then pending, then without data, then OK.
fn rank(s: AlarmState) -> u8 {
    match s {
        AlarmState::Alarm | AlarmState::Firing => 0,
        AlarmState::Pending => 1,
        AlarmState::InsufficientData | AlarmState::NoData => 2,
        AlarmState::Ok => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, runtime: &str) -> FunctionInfo {
        FunctionInfo::for_test(name, runtime)
    }

    #[test]
    fn regex_inverse_and_literal_fallback() {
        let api = f("orders-api", "nodejs20.x");
        let py = f("report", "python3.12");
        let flt = Filter::parse("^ORDERS").unwrap();
        assert!(flt.keeps(&api) && !flt.keeps(&py));
        let inv = Filter::parse("!orders").unwrap();
        assert!(!inv.keeps(&api) && inv.keeps(&py));
        assert!(Filter::parse("python").unwrap().keeps(&py));
        let lit = Filter::parse("a[").unwrap();
        assert!(lit.literal);
        assert!(lit.keeps(&f("x-a[1", "")));
        assert!(Filter::parse("").is_none() && Filter::parse("!").is_none());
    }
}
