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

/// The real traces of `tests/fixtures/real/xray` (see EXPECT.md there).
mod real {
    use super::super::*;
    use std::collections::HashSet;

    fn load(name: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/real/xray")
            .join(name);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    fn all_rows(t: &TraceTree) -> Vec<Row<'_>> {
        rows(t, &HashSet::new())
    }

    fn problems(t: &TraceTree) -> Vec<String> {
        let mut p = t.problems.clone();
        for r in all_rows(t) {
            p.extend(
                r.node
                    .problems
                    .iter()
                    .map(|x| format!("{}: {x}", r.node.name)),
            );
        }
        p
    }

    fn request_ids(t: &TraceTree) -> Vec<(String, String)> {
        all_rows(t)
            .iter()
            .filter_map(|r| Some((r.node.name.clone(), r.node.request_id.clone()?)))
            .collect()
    }

    #[test]
    fn lambda_trace_from_the_developer_guide() {
        let t = build(
            "1-x",
            &load("devguide-scorekeep-lambda-batchgettraces.json"),
        );
        assert_eq!(t.roots.len(), 1);
        assert_eq!(t.roots[0].name, "Scorekeep");
        assert_eq!(all_rows(&t).len(), 11);
        // Initialization before its function segment is Lambda's normal shape.
        assert!(problems(&t).is_empty(), "{:?}", problems(&t));
        // Only Lambda's invocation ids, never SNS's or DynamoDB's.
        let id = "ac086670-6373-11e7-a174-f31b3397f190".to_string();
        assert_eq!(
            request_ids(&t),
            [
                ("Lambda".to_string(), id.clone()),
                ("random-name".to_string(), id)
            ]
        );
        let meta: Vec<_> = all_rows(&t)
            .iter()
            .flat_map(|r| r.node.metadata.clone())
            .collect();
        assert_eq!(
            meta,
            [(
                "debug.test".to_string(),
                "Metadata string from UserModel.saveUser".to_string()
            )]
        );
    }

    #[test]
    fn cold_start_with_links_and_step_functions_fan_out() {
        let t = build(
            "1-x",
            &load("iatk-lambda-init-invocation-overhead-links.json"),
        );
        assert_eq!((t.roots.len(), all_rows(&t).len()), (1, 5));
        assert!(problems(&t).is_empty(), "{:?}", problems(&t));
        assert_eq!(request_ids(&t)[0].1, "74ba6aea-2855-490a-a20d-d6dd1c39916c");
        let t = build("1-x", &load("iatk-stepfunctions-map-lambdas.json"));
        assert_eq!((t.roots.len(), all_rows(&t).len()), (1, 765));
        // Child executions outlive their StartExecution call: async, not skew.
        assert!(
            problems(&t).iter().all(|p| p.contains("no end_time")),
            "{:?}",
            problems(&t)
        );
        assert!(
            request_ids(&t).is_empty(),
            "GetFunction calls are not invocations"
        );
        assert!(all_rows(&t).iter().all(|r| r.node.exceptions.is_empty()));
    }

    #[test]
    fn faults_sql_and_orphans() {
        let t = build("1-x", &load("otelcontrib-go-sdk-dynamodb-fault.json"));
        let faults = all_rows(&t).iter().filter(|r| r.node.fault).count();
        assert_eq!((t.roots.len(), all_rows(&t).len(), faults), (1, 18, 5));
        assert!(request_ids(&t).is_empty());
        let t = build("1-x", &load("grafana-petsite-ecs-sql.json"));
        let sql: Vec<_> = all_rows(&t)
            .iter()
            .filter_map(|r| r.node.sql.as_ref()?.sanitized_query.clone())
            .collect();
        // The inferred Database::SQL segment repeats its subsegment's block.
        assert_eq!(
            sql,
            ["INSERT INTO transactions_history SELECT * FROM transactions"; 2]
        );
        let t = build("1-x", &load("otelcontrib-independent-sql-subsegment.json"));
        let s = t.roots[0].sql.as_ref().unwrap();
        assert_eq!(
            s.sanitized_query.as_deref(),
            Some("SELECT  *  FROM  customers  WHERE  customer_id=?;")
        );
        let t = build("1-x", &load("devguide-api-tutorial-inferred-orphans.json"));
        assert_eq!(t.roots.len(), 2);
        assert_eq!(
            t.problems.iter().filter(|p| p.contains("orphan")).count(),
            2
        );
    }

    #[test]
    fn documents_from_two_runs_show_as_skew() {
        let t = build("1-x", &load("powertools-ts-readme-s3-inferred.json"));
        assert_eq!(t.roots.len(), 2);
        assert_eq!(
            request_ids(&t),
            [(
                "foo-bar-function".to_string(),
                "27df07c5-1c35-42eb-ae6f-55193c404205".to_string()
            )]
        );
        let skew: Vec<_> = problems(&t)
            .into_iter()
            .filter(|p| p.contains("clock skew"))
            .collect();
        assert_eq!(skew.len(), 1, "{skew:?}");
        assert!(
            skew[0].starts_with("S3: clock skew: starts 8399."),
            "{skew:?}"
        );
    }

    #[test]
    fn a_real_subsegment_nested_deeper_than_serde_allows_is_kept_and_cut() {
        // The developer guide's remote subsegment, nested 80 levels deep.
        let docs = load("devguide-embedded-remote-subsegment.json");
        let v: serde_json::Value = serde_json::from_str(&docs[0]).unwrap();
        let mut child = v["subsegments"][0].clone();
        for i in 0..80 {
            let mut parent = v["subsegments"][0].clone();
            parent["id"] = serde_json::json!(format!("{i:016x}"));
            parent["subsegments"] = serde_json::json!([child]);
            child = parent;
        }
        let mut root = v.clone();
        root["subsegments"] = serde_json::json!([child]);
        let doc = serde_json::to_string(&root).unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&doc).is_err(),
            "deeper than serde_json's limit"
        );
        let t = build("1-x", &[doc]);
        assert_eq!(t.roots.len(), 1, "{:?}", t.problems);
        assert!(
            t.problems.iter().any(|p| p.contains("deeper")),
            "{:?}",
            t.problems
        );
        assert!(all_rows(&t).len() >= 40);
    }

    #[test]
    fn duplicate_ids_and_parent_cycles_are_flagged() {
        let docs = load("devguide-scorekeep-lambda-batchgettraces.json");
        let mut twice = docs.clone();
        twice.push(docs[0].clone());
        let t = build("1-x", &twice);
        assert!(
            t.problems.iter().any(|p| p.contains("appears 2 times")),
            "{:?}",
            t.problems
        );
        // Two real segments made each other's parent.
        let mut a: serde_json::Value = serde_json::from_str(&docs[0]).unwrap();
        let mut b: serde_json::Value = serde_json::from_str(&docs[1]).unwrap();
        a["parent_id"] = b["id"].clone();
        b["parent_id"] = a["id"].clone();
        let t = build("1-x", &[a.to_string(), b.to_string()]);
        assert!(
            t.problems.iter().any(|p| p.contains("cycle")),
            "{:?}",
            t.problems
        );
        assert_eq!(t.roots.len(), 2, "both are still shown");
    }
}
