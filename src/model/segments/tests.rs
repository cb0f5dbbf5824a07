//! Segment-tree tests over fixture traces.

use super::*;

pub(crate) fn cold_start() -> Vec<String> {
    vec![
        r#"{"id":"a1","trace_id":"1-6567b2a0-0123456789abcdef01234567","name":"orders-api","origin":"AWS::Lambda","start_time":1700000000.000,"end_time":1700000000.450,"http":{"response":{"status":200}},"aws":{"request_id":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa"}}"#.to_string(),
        r#"{"id":"b2","trace_id":"1-6567b2a0-0123456789abcdef01234567","parent_id":"a1","name":"orders-api","origin":"AWS::Lambda::Function","start_time":1700000000.010,"end_time":1700000000.440,"subsegments":[{"id":"c3","name":"Initialization","start_time":1700000000.010,"end_time":1700000000.250},{"id":"c4","name":"Invocation","start_time":1700000000.252,"end_time":1700000000.430,"subsegments":[{"id":"d5","name":"DynamoDB","namespace":"aws","start_time":1700000000.260,"end_time":1700000000.300,"aws":{"operation":"GetItem"}}]},{"id":"c6","name":"Overhead","start_time":1700000000.430,"end_time":1700000000.440}],"annotations":{"tenant":"acme"},"metadata":{"default":{"items":3}}}"#.to_string(),
    ]
}

pub(crate) fn fault_with_exception() -> Vec<String> {
    vec![r#"{"id":"f1","name":"payments","origin":"AWS::Lambda::Function","start_time":1700000000.0,"end_time":1700000001.5,"fault":true,"http":{"request":{"method":"POST","url":"https://api.example.com/pay"},"response":{"status":502}},"cause":{"working_directory":"/var/task","exceptions":[{"id":"e1","type":"UpstreamTimeout","message":"provider did not answer in 5000 ms","stack":[{"path":"handler.py","line":42,"label":"charge"},{"path":"handler.py","line":10,"label":"handler"}]}]},"subsegments":[{"id":"f2","name":"stripe","namespace":"remote","start_time":1700000000.1,"end_time":1700000001.4,"fault":true,"throttle":false},{"id":"f3","name":"SQS","namespace":"aws","start_time":1700000001.41,"end_time":1700000001.45,"throttle":true,"error":true}],"unknown_field":{"x":1}}"#.to_string()]
}

pub(crate) fn deep() -> Vec<String> {
    let mut inner =
        r#"{"id":"n9","name":"level-9","start_time":1700000000.9,"end_time":1700000000.95}"#
            .to_string();
    for i in (1..9).rev() {
        inner = format!(
            r#"{{"id":"n{i}","name":"level-{i}","start_time":1700000000.{i},"end_time":1700000000.99,"subsegments":[{inner}]}}"#
        );
    }
    vec![format!(
        r#"{{"id":"n0","name":"root","origin":"AWS::Lambda::Function","start_time":1700000000.0,"end_time":1700000001.0,"subsegments":[{inner}]}}"#
    )]
}

pub(crate) fn partial() -> Vec<String> {
    vec![
        r#"{"id":"p1","name":"api","origin":"AWS::Lambda::Function","start_time":1700000000.0,"in_progress":true,"subsegments":[{"id":"p2","name":"Invocation","start_time":1700000000.01}]}"#.to_string(),
        r#"{"id":"p3","parent_id":"gone","name":"downstream","start_time":1699999999.5,"end_time":1700000000.2}"#.to_string(),
        "not json at all".to_string(),
    ]
}

#[test]
fn cold_start_tree_nests_segments_under_their_parents() {
    let t = build("1-x", &cold_start());
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(t.roots.len(), 1);
    let lambda = &t.roots[0];
    assert_eq!(lambda.origin.as_deref(), Some("AWS::Lambda"));
    let function = &lambda.children[0];
    assert_eq!(function.origin.as_deref(), Some("AWS::Lambda::Function"));
    let names: Vec<_> = function.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Initialization", "Invocation", "Overhead"]);
    assert_eq!(
        function.children[0].lambda_phase(),
        Some("cold start: init")
    );
    assert_eq!(function.children[1].children[0].name, "DynamoDB");
    assert_eq!(
        lambda.request_id.as_deref(),
        Some("6d68ca91-49c9-448d-89b8-7ca3e6dc66aa")
    );
    assert_eq!(
        function.annotations,
        [("tenant".to_string(), "acme".to_string())]
    );
    assert_eq!(
        function.metadata,
        [("default.items".to_string(), "3".to_string())]
    );
    assert_eq!(rows(&t, &Default::default()).len(), 6);
    let mut collapsed = std::collections::HashSet::new();
    collapsed.insert("b2".to_string());
    assert_eq!(rows(&t, &collapsed).len(), 2);
    let (a, b) = span(&t);
    assert!((b - a - 0.45).abs() < 1e-6);
}

#[test]
fn faults_exceptions_and_unknown_fields() {
    let t = build("1-f", &fault_with_exception());
    let n = &t.roots[0];
    assert!(n.fault);
    assert_eq!(n.http_status, Some(502));
    assert_eq!(n.http_method.as_deref(), Some("POST"));
    assert_eq!(n.exceptions[0].kind, "UpstreamTimeout");
    assert_eq!(n.exceptions[0].stack[0], "charge (handler.py:42)");
    assert!(n.children[1].throttle);
}

#[test]
fn partial_traces_say_what_is_missing() {
    let t = build("1-p", &partial());
    assert_eq!(t.roots.len(), 2);
    assert!(t.problems.iter().any(|p| p.contains("not valid JSON")));
    assert!(t.problems.iter().any(|p| p.contains("orphan")));
    let api = t.roots.iter().find(|r| r.name == "api").unwrap();
    assert!(api.in_progress && api.end.is_none() && api.problems.is_empty());
    assert!(
        api.children[0]
            .problems
            .iter()
            .any(|p| p.contains("no end_time"))
    );
    let deep = build("1-d", &deep());
    assert_eq!(rows(&deep, &Default::default()).len(), 10);
    assert!(build("1-e", &[]).roots.is_empty());
}
