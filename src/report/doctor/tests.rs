use super::*;
use crate::model::access::{ACTIONS, Credentials, NOT_CALLED};

fn checkup(denied: &[&str]) -> Checkup {
    let probes = ACTIONS
        .iter()
        .map(|(action, used_for)| Probe {
            action,
            used_for,
            outcome: if denied.contains(action) {
                Outcome::Denied(format!("{action} was denied"))
            } else if NOT_CALLED.contains(action) {
                Outcome::NotChecked(
                    "not called: a Logs Insights query is billed by the data it scans",
                )
            } else if *action == "lambda:GetAccountSettings" {
                Outcome::Unsupported("not supported".into())
            } else {
                Outcome::Ok
            },
        })
        .collect();
    Checkup {
        profile: Some("dev".into()),
        credentials: Ok(Credentials {
            source: "profile 'dev': SSO (renew with `aws sso login --profile dev`)".into(),
            key_id: "ASIA…MPLE".into(),
            expires: Some(now() + chrono::Duration::minutes(95)),
        }),
        region: ("eu-west-1".into(), "profile 'dev'".into()),
        endpoint: ("AWS".into(), "the region's public endpoints".into()),
        identity: Ok((
            "123456789012".into(),
            "arn:aws:sts::123456789012:assumed-role/ReadOnly/dev".into(),
        )),
        tried_on: Some("orders-api".into()),
        probes,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-06T14:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn a_healthy_checkup_says_so_without_a_policy() {
    let text = render(&checkup(&[]), now());
    insta::assert_snapshot!(text);
    assert!(text.contains("lamtop will work here"));
    assert!(!text.contains("policy"));
}

#[test]
fn denied_actions_are_named_with_the_grant_and_the_policy() {
    let text = render(
        &checkup(&["logs:FilterLogEvents", "xray:BatchGetTraces"]),
        now(),
    );
    let line = text
        .lines()
        .find(|l| l.contains("logs:FilterLogEvents"))
        .unwrap_or_default();
    assert!(line.starts_with("✖ denied "), "{line}");
    assert!(
        line.ends_with("grant logs:FilterLogEvents (log pane, tail, error groups)"),
        "{line}"
    );
    assert!(text.contains("lamtop will not fully work here"), "{text}");
    let json = &text[text.find('{').expect("a policy")..text.rfind('}').unwrap() + 1];
    let policy: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    assert_eq!(
        policy["Statement"][0]["Action"],
        serde_json::json!(["logs:FilterLogEvents", "xray:BatchGetTraces"])
    );
    assert!(
        text.contains("11 ok · 1 not supported · 2 denied · 3 not checked"),
        "{text}"
    );
}
