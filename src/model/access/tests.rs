use super::*;

fn probe(action: &'static str, outcome: Outcome) -> Probe {
    Probe {
        action,
        used_for: "",
        outcome,
    }
}

fn checkup(probes: Vec<Probe>) -> Checkup {
    Checkup {
        profile: None,
        credentials: Ok(Credentials {
            source: "environment".into(),
            key_id: mask_key_id("AKIAIOSFODNN7EXAMPLE"),
            expires: None,
        }),
        region: ("us-east-1".into(), "AWS_REGION".into()),
        endpoint: ("AWS".into(), "default".into()),
        identity: Ok((
            "123456789012".into(),
            "arn:aws:iam::123456789012:user/x".into(),
        )),
        tried_on: None,
        probes,
    }
}

#[test]
fn key_ids_are_masked_to_their_ends() {
    // The AWS documentation's example key id.
    assert_eq!(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
    assert_eq!(mask_key_id("ASIA1234"), "…");
    assert_eq!(mask_key_id(""), "");
}

#[test]
fn denied_unreachable_and_failing_calls_are_problems_the_rest_are_not() {
    let ok = checkup(vec![
        probe("lambda:ListFunctions", Outcome::Ok),
        probe(
            "lambda:GetAccountSettings",
            Outcome::Unsupported("moto".into()),
        ),
        probe("logs:StartQuery", Outcome::NotChecked("costs money")),
        probe(
            "xray:GetTraceSummaries",
            Outcome::Throttled("slow down".into()),
        ),
    ]);
    assert!(ok.healthy());
    assert_eq!(ok.policy_for_denied(), None);
    let bad = checkup(vec![
        probe("lambda:ListFunctions", Outcome::Ok),
        probe("logs:FilterLogEvents", Outcome::Denied("no".into())),
        probe("xray:BatchGetTraces", Outcome::Denied("no".into())),
    ]);
    assert!(!bad.healthy());
    assert_eq!(
        bad.denied(),
        ["logs:FilterLogEvents", "xray:BatchGetTraces"]
    );
    let policy: serde_json::Value =
        serde_json::from_str(&bad.policy_for_denied().expect("a policy")).unwrap();
    assert_eq!(
        policy["Statement"][0]["Action"],
        serde_json::json!(["logs:FilterLogEvents", "xray:BatchGetTraces"])
    );
    assert_eq!(policy["Statement"][0]["Effect"], "Allow");
    for o in [
        Outcome::Unreachable("x".into()),
        Outcome::Failed("x".into()),
        Outcome::Credentials("x".into()),
    ] {
        assert!(!checkup(vec![probe("lambda:ListFunctions", o)]).healthy());
    }
}

#[test]
fn the_action_list_is_the_readmes_minimal_policy() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let start = readme
        .find("\"Sid\": \"LamtopReadOnly\"")
        .expect("policy in README");
    let block = &readme[start
        ..readme[start..]
            .find("]")
            .map_or(readme.len(), |e| start + e)];
    let listed: Vec<&str> = block
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .filter(|a| a.contains(':'))
        .collect();
    let ours: Vec<&str> = ACTIONS.iter().map(|(a, _)| *a).collect();
    assert_eq!(listed, ours);
    assert!(NOT_CALLED.iter().all(|a| ours.contains(a)));
}
