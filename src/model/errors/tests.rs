//! Fingerprints and groups over the real-output corpus
//! (`tests/fixtures/real/logs`, sources in `SOURCES.md`): lines that differ
//! only in ids, times and numbers share a fingerprint; different failures
//! do not.

use super::*;
use crate::model::logs::corpus_tests::samples;
use chrono::TimeZone;
use regex::Regex;

/// The corpus's message for each sample id.
fn corpus() -> HashMap<String, String> {
    samples()
        .into_iter()
        .map(|(_, id, _, message, _)| (id, message))
        .collect()
}

fn fp(corpus: &HashMap<String, String>, id: &str) -> Fingerprint {
    let m = corpus.get(id).unwrap_or_else(|| panic!("no sample {id}"));
    let info = analyze(m);
    assert!(info.is_failure(), "{id} is a failure line");
    fingerprint::fingerprint(m, &info)
}

#[test]
fn every_failure_line_gets_a_title_free_of_ids_and_times() {
    let leftovers = Regex::new(
        r"[0-9a-zA-Z]{8}-[0-9a-zA-Z]{4}-[0-9a-zA-Z]{4}-|1-[0-9a-f]{8}-|\d{4}-\d{2}-\d{2}T|\d{2}:\d{2}:\d{2}",
    )
    .unwrap();
    let mut failures = 0;
    for (_, id, _, message, _) in samples() {
        let info = analyze(&message);
        if !info.is_failure() {
            continue;
        }
        failures += 1;
        let f = fingerprint::fingerprint(&message, &info);
        assert_eq!(f.id.len(), 16, "{id}");
        assert!(!f.title.trim().is_empty(), "{id}: empty title");
        assert!(!leftovers.is_match(&f.title), "{id}: {}", f.title);
        assert!(!f.title.contains(['\n', '\r', '\t', '\u{1b}']), "{id}");
    }
    assert!(failures >= 80, "the corpus has {failures} failure lines");
}

/// Lines of one failure, from different sources, runtimes' formats and
/// copies (tabs as spaces, NBSP indents, lone CRs, one line or two).
const SAME: [&[&str]; 10] = [
    &[
        "pf-ddfwd-task-timed-out",
        "pf-azul5622-task-timed-out",
        "pf-apexup-task-timed-out",
        "pf-redshift-task-timed-out",
        "pf-dd738-task-timed-out-2025",
        "rt-timeout-spaces-up",
        "rt-timeout-spaces-alexa",
    ],
    &[
        "rt-py-error-keyerror-traceback",
        "rt-py-error-keyerror-nbsp-filled",
        "rt-py-error-keyerror-cr-stdout-filled",
    ],
    &[
        "rt-py27-keyerror-old-format",
        "rt-py27-keyerror-old-format-collapsed",
    ],
    &[
        "rt-node-uncaught-importmodule-compact",
        "rt-node-uncaught-importmodule-pretty",
        "rt-node-uncaught-importmodule-no-space",
        "rt-node18-uncaught-importmodule-mjs",
    ],
    &["pf-cpp-segfault-one-line", "rt-runtime-exit-segfault"],
    &["pf-dotnet-exit-status-137", "rt-runtime-exit-status-137"],
    &[
        "rt-node-invoke-error-tabs-as-spaces",
        "rt-node-json-invoke-error-filled",
    ],
    &[
        "rt-py-importmodule-handler",
        "rt-py-importmodule-console-collapsed",
        "rt-py-json-init-error-log_level-filled",
    ],
    &[
        "pf-logsapi-fault-pretty",
        "pf-rust-logsapi-fault",
        "pf-cucc-process-exited",
        "rt-process-exited-before-completing-1",
        "rt-process-exited-before-completing-2",
    ],
    &[
        "pf-ddfwd-json-report-timeout",
        "pf-azul8140-report-status-timeout",
        "pf-dd1237-report-one-field-per-line",
    ],
];

#[test]
fn copies_of_one_failure_share_a_fingerprint() {
    let c = corpus();
    for class in SAME {
        let first = fp(&c, class[0]);
        for id in &class[1..] {
            assert_eq!(fp(&c, id), first, "{id} vs {}", class[0]);
        }
    }
}

/// Failures that read alike but are not one: other code, another exit
/// status, another panic, the same error raised in another frame.
const DIFFERENT: [(&str, &str); 5] = [
    (
        "rt-node43-uncaught-3field",
        "rt-node-uncaught-3field-elb2loggly",
    ),
    ("rt-runtime-exit-status-137", "rt-runtime-exit-status-101"),
    ("rt-rust-panic-tokio-reactor", "rt-rust-panic-next-event"),
    (
        "rt-py-error-keyerror-traceback",
        "rt-py27-keyerror-old-format",
    ),
    ("rt-node-oom-reached-heap-limit", "rt-java-oom-heap-space"),
];

#[test]
fn different_failures_keep_apart() {
    let c = corpus();
    for (a, b) in DIFFERENT {
        assert_ne!(fp(&c, a).id, fp(&c, b).id, "{a} vs {b}");
    }
}

#[test]
fn titles_and_frames_read_as_the_failure() {
    let c = corpus();
    let cases = [
        (
            "rt-timeout-spaces-alexa",
            "Task timed out after <n> seconds",
            None,
        ),
        (
            "rt-py-error-keyerror-traceback",
            "KeyError: '<str>'",
            Some("event_object (scan.py)"),
        ),
        (
            "rt-node-invoke-error-pretty",
            "Error: Unrecognized JSON log",
            Some("module.exports.extractDurationFromJSON (utils.js)"),
        ),
        (
            "rt-node-uncaught-importmodule-pretty",
            "Runtime.ImportModuleError: Error: Cannot find module '<str>'",
            None,
        ),
        (
            "pf-bds-report-oom-init",
            "Runtime.OutOfMemory (REPORT Status: error)",
            None,
        ),
        (
            "rt-runtime-exit-status-137",
            "Runtime.ExitError: Error: Runtime exited with error: exit status 137",
            None,
        ),
        (
            "rt-ruby-init-error-json",
            "Init<LoadError>: cannot load such file -- rack",
            Some("<top (required)> (lambda.rb)"),
        ),
        (
            "rt-go-error-json-filled",
            "errorString: something went wrong!",
            None,
        ),
        (
            "rt-java-class-not-found",
            "java.lang.ClassNotFoundException: Class not found: om.amazonaws.kvstranscribestreaming.KVSTranscribeStreamingLambda",
            None,
        ),
    ];
    for (id, title, frame) in cases {
        let f = fp(&c, id);
        assert_eq!(f.title, title, "{id}");
        assert_eq!(f.frame.as_deref(), frame, "{id}");
    }
}

fn at(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
}

/// The corpus lines `ids`, as events a second apart.
fn events(c: &HashMap<String, String>, ids: &[&str], from: i64) -> Vec<LogEvent> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| LogEvent {
            id: format!("ev-{id}"),
            timestamp: at(from + i as i64),
            ingestion_time: None,
            stream: "s".into(),
            message: c[*id].clone(),
        })
        .collect()
}

fn function(name: &str) -> FunctionId {
    FunctionId::new(name)
}

/// Real requests' lines as the corpus has them (one request id each):
/// one occurrence per request, the line that names the cause speaking.
#[test]
fn one_request_is_one_occurrence() {
    let c = corpus();
    let lines = [
        // Node 4.3: a TypeError, then the process exits (two sources).
        "pf-cucc-report-2017",
        "pf-cucc-process-exited",
        "rt-node43-uncaught-3field",
        "rt-process-exited-before-completing-1",
        // A timeout: START, REPORT without status, `Task timed out`.
        "pf-ddfwd-start-timeoutcase",
        "pf-ddfwd-report-timeout-no-status",
        "pf-ddfwd-task-timed-out",
        // .NET: info, warn, fail and crit lines of one request.
        "rt-dotnet-text-info-filled",
        "rt-dotnet-text-warn-filled",
        "rt-dotnet-text-fail-filled",
        "rt-dotnet-text-crit-filled",
        // Two init failures outside any request.
        "rt-py-importmodule-handler",
        "rt-py-json-init-error-log_level-filled",
    ];
    let occ = occurrences(&function("a"), &events(&c, &lines, 0));
    let kinds: Vec<(Failure, &str)> = occ
        .iter()
        .map(|o| (o.kind, o.fingerprint.title.as_str()))
        .collect();
    assert_eq!(occ.len(), 5, "{kinds:?}");
    assert!(kinds.contains(&(
        Failure::Crash,
        "TypeError: Cannot read property '<str>' of undefined"
    )));
    assert!(kinds.contains(&(Failure::Timeout, "Task timed out after <n> seconds")));
    assert!(kinds.contains(&(Failure::Crash, "Simple Log Message")));
    let node = occ
        .iter()
        .find(|o| o.kind == Failure::Crash && o.request_id.is_some())
        .unwrap();
    assert_eq!(
        node.request_id.as_deref(),
        Some("18fea243-5715-11e7-9ad9-a197117ae4d4")
    );
    assert_eq!(node.at, at(1), "the request's first failure line");

    let mut groups = ErrorGroups::default();
    for o in &occ {
        assert!(groups.add(o));
    }
    for o in &occ {
        assert!(!groups.add(o), "a request counts once");
    }
    let ranked = groups.ranked();
    assert_eq!(ranked.len(), 4);
    assert_eq!(ranked[0].count(), 2, "the two init failures are one group");
    assert_eq!(
        ranked[0].fingerprint.title,
        "Runtime.ImportModuleError: Unable to import module '<str>': No module named '<str>'"
    );
    assert!(ranked[0].request_ids.is_empty());
}

#[test]
fn one_failure_in_two_functions_is_one_group_listing_both() {
    let c = corpus();
    let mut groups = ErrorGroups::default();
    for (name, id, t) in [
        ("a", "pf-ddfwd-task-timed-out", 0),
        ("b", "pf-azul5622-task-timed-out", 100),
        ("b", "pf-dd738-task-timed-out-2025", 200),
    ] {
        for o in occurrences(&function(name), &events(&c, &[id], t)) {
            groups.add(&o);
        }
    }
    let ranked = groups.ranked();
    assert_eq!(ranked.len(), 1);
    let g = ranked[0];
    assert_eq!(g.count(), 3);
    assert_eq!(g.functions[&function("a")].count, 1);
    assert_eq!(g.functions[&function("b")].count, 2);
    assert_eq!((g.first_seen(), g.last_seen()), (at(0), at(200)));
    assert_eq!(
        g.request_ids[0], "08e1cf9c-3915-5eb3-9ecd-af75ed58d3d8",
        "newest first"
    );
    assert!(
        g.sample.contains("33.03 seconds"),
        "the newest line: {}",
        g.sample
    );
    assert_eq!(groups.of_function(&function("b"))[0].1.count, 2);
}

#[test]
fn new_means_after_a_deploy_or_absent_from_the_first_half() {
    let c = corpus();
    let window = TimeRange {
        start: at(0),
        end: at(3600),
    };
    let mut groups = ErrorGroups::default();
    let occ = occurrences(&function("a"), &events(&c, &["rt-timeout-spaces-up"], 1000));
    groups.add(&occ[0]);
    let g = groups.ranked()[0].clone();
    let never = |_: &FunctionId| None;
    assert!(
        !groups.is_new(&g, window, never),
        "not scanned: nothing claimed"
    );
    groups.cover(
        &function("a"),
        Coverage {
            from: at(0),
            truncated: false,
        },
    );
    assert!(!groups.is_new(&g, window, never), "seen in the first half");
    assert!(
        groups.is_new(&g, window, |_| Some(at(900))),
        "after the deploy"
    );
    assert!(
        !groups.is_new(&g, window, |_| Some(at(1100))),
        "before the deploy"
    );
    assert!(
        !groups.is_new(&g, window, |_| Some(at(-10))),
        "deploy before the window"
    );
    // The same error in a second function, deployed after the first had
    // it: not the deploy's error.
    let b = occurrences(
        &function("b"),
        &events(&c, &["rt-timeout-spaces-alexa"], 2000),
    );
    groups.add(&b[0]);
    groups.cover(
        &function("b"),
        Coverage {
            from: at(0),
            truncated: false,
        },
    );
    let g2 = groups.ranked()[0].clone();
    assert_eq!(g2.functions.len(), 2);
    let b_deployed = |f: &FunctionId| (f.name == "b").then(|| at(1500));
    assert!(
        !groups.is_new(&g2, window, b_deployed),
        "function a had it before"
    );
    let late = occurrences(
        &function("a"),
        &events(&c, &["rt-timeout-spaces-alexa"], 2000),
    );
    let mut later = ErrorGroups::default();
    later.add(&late[0]);
    later.cover(
        &function("a"),
        Coverage {
            from: at(2500),
            truncated: true,
        },
    );
    let g = later.ranked()[0].clone();
    assert!(
        !later.is_new(&g, window, never),
        "the first half was not read"
    );
    later.cover(
        &function("a"),
        Coverage {
            from: at(0),
            truncated: false,
        },
    );
    assert!(later.is_new(&g, window, never));
}
