//! CloudWatch alarms as events: what changed between two DescribeAlarms
//! answers, so a CloudWatch alarm going into ALARM (or back) takes the
//! same path as a rule — bell, footer, history, `--alarm-log`,
//! `notify_command` with `LAMTOP_SOURCE=cloudwatch`.

use super::AlarmEvent;
use crate::model::alarms::{Alarm, AlarmSource, AlarmState};
use crate::model::id::FunctionId;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The changes from `before` (`None`: the first answer) to `after`, seen
/// at `at`. On the first answer only the alarms already in ALARM are
/// listed (from INSUFFICIENT_DATA: lamtop did not see them change; the
/// store puts those in the history only). A change is dated by
/// CloudWatch's state time when it has one.
pub fn cloudwatch_changes(
    before: Option<&[Alarm]>,
    after: &[Alarm],
    at: DateTime<Utc>,
) -> Vec<AlarmEvent> {
    let previous: HashMap<&str, AlarmState> = before
        .unwrap_or(&[])
        .iter()
        .filter(|a| a.source == AlarmSource::Cloudwatch)
        .map(|a| (a.name.as_str(), a.state))
        .collect();
    let mut told: Vec<AlarmEvent> = after
        .iter()
        .filter(|a| a.source == AlarmSource::Cloudwatch)
        .filter_map(|a| {
            let from = match (before, previous.get(a.name.as_str())) {
                (None, _) if a.state.is_firing() => AlarmState::InsufficientData,
                (None, _) => return None,
                (Some(_), Some(&s)) if s == a.state => return None,
                (Some(_), Some(&s)) => s,
                // New since the last answer: told like a first sight.
                (Some(_), None) if a.state.is_firing() => AlarmState::InsufficientData,
                (Some(_), None) => return None,
            };
            Some(event(a, from, a.since.unwrap_or(at)))
        })
        .collect();
    // Oldest first, as the history reads.
    told.sort_by_key(|e| e.at);
    told
}

fn event(a: &Alarm, from: AlarmState, at: DateTime<Utc>) -> AlarmEvent {
    AlarmEvent {
        at,
        alarm: a.name.clone(),
        source: AlarmSource::Cloudwatch,
        function: a.function.clone().unwrap_or_else(|| FunctionId::new("")),
        from,
        state: a.state,
        severity: None,
        metric: a.metric.clone().unwrap_or_default(),
        op: "",
        threshold: None,
        value: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alarms::AlarmKind;
    use chrono::TimeZone;

    fn alarm(name: &str, state: AlarmState, since_s: i64) -> Alarm {
        Alarm {
            name: name.into(),
            source: AlarmSource::Cloudwatch,
            kind: AlarmKind::Metric,
            state,
            function: Some("api".into()),
            namespace: Some("AWS/Lambda".into()),
            metric: Some("Errors".into()),
            since: Utc.timestamp_opt(since_s, 0).single(),
            reason: String::new(),
            rule: None,
            severity: None,
            value: None,
        }
    }

    #[test]
    fn first_answer_tells_only_alarms_in_alarm_then_every_change() {
        let at = Utc.timestamp_opt(2_000, 0).unwrap();
        let first = [
            alarm("a", AlarmState::Alarm, 100),
            alarm("b", AlarmState::Ok, 100),
        ];
        let told = cloudwatch_changes(None, &first, at);
        assert_eq!(told.len(), 1);
        assert_eq!(
            (told[0].alarm.as_str(), told[0].from, told[0].state),
            ("a", AlarmState::InsufficientData, AlarmState::Alarm)
        );
        assert_eq!(told[0].at, Utc.timestamp_opt(100, 0).unwrap());
        assert_eq!(told[0].condition(), "Errors (CloudWatch)");
        // Nothing changed: nothing told.
        assert!(cloudwatch_changes(Some(&first), &first, at).is_empty());
        let second = [
            alarm("a", AlarmState::Ok, 1_900),
            alarm("b", AlarmState::Alarm, 1_950),
            alarm("c", AlarmState::Alarm, 1_990),
        ];
        let told = cloudwatch_changes(Some(&first), &second, at);
        let got: Vec<(&str, AlarmState, AlarmState)> = told
            .iter()
            .map(|e| (e.alarm.as_str(), e.from, e.state))
            .collect();
        assert_eq!(
            got,
            [
                ("a", AlarmState::Alarm, AlarmState::Ok),
                ("b", AlarmState::Ok, AlarmState::Alarm),
                ("c", AlarmState::InsufficientData, AlarmState::Alarm),
            ]
        );
    }
}
