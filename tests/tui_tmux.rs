//! The dashboard end to end: the real binary in a real terminal (tmux)
//! against the emulator: it starts, shows the seeded functions, opens a
//! function view, shows help, and quits cleanly with the terminal restored.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;
use std::time::Duration;
use support::tmux::{Tmux, shell_quote};
use support::{Emulator, seed};

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_shows_seeded_fleet_opens_function_help_and_quits() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::functions(&conf, 5).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let m = now - now % 60;
    seed::metrics(&conf, 5, [m - 480, m - 240]).await;
    seed::alarm(
        &conf,
        "seeded-fn-001-errors",
        "AWS/Lambda",
        Some("seeded-fn-001"),
        aws_sdk_cloudwatch::types::StateValue::Alarm,
    )
    .await;

    // One function has run (a log group with a REPORT line), so the
    // Logs Insights run of `--once --insights` gets to GetQueryResults.
    seed::log_events(
        &conf,
        "/aws/lambda/seeded-fn-002",
        "2026/11/27/[$LATEST]00000000000000000000000000000002",
        &[(
            (m - 180) * 1000,
            "REPORT RequestId: r\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB",
        )],
    )
    .await;
    let home = std::env::temp_dir().join(format!("lamtop-tmux-{}", emu.port));
    let log_file = home.join("lamtop-tui.log");
    std::fs::create_dir_all(&home).unwrap();
    let trace_id = seed_trace(&conf).await;
    // Everything below is read by lamtop only: record what it calls.
    emu.reset_calls();
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color \
         AWS_ACCESS_KEY_ID={ak} AWS_SECRET_ACCESS_KEY={sk} AWS_REGION=us-east-1 \
         AWS_SESSION_TOKEN={token} AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 \
         {bin} --endpoint-url {ep} --window 15m -vvv --log-file {log}; \
         echo EXITED $?; sleep 30",
        home = shell_quote(&home.to_string_lossy()),
        ak = support::ACCESS_KEY,
        sk = support::SECRET_KEY,
        bin = shell_quote(env!("CARGO_BIN_EXE_lamtop")),
        ep = emu.endpoint(),
        token = SESSION_TOKEN,
        log = shell_quote(&log_file.to_string_lossy()),
    );
    let tmux = Tmux {
        socket: format!("lamtop-test-{}", emu.port),
    };
    let status = tmux
        .cmd()
        .args([
            "new-session",
            "-d",
            "-s",
            "lamtop",
            "-x",
            "160",
            "-y",
            "45",
            &command,
        ])
        .status()
        .expect("tmux is needed for this test");
    assert!(status.success());

    let s = tmux.wait_for("seeded-fn-004");
    assert!(s.contains("Functions 5/5"), "{s}");
    assert!(s.contains("us-east-1"), "{s}");
    let s = tmux.wait_for("1 FIRING");
    assert!(s.contains("seeded-fn-001-errors"), "{s}");
    // Seeded numbers: function 0 has 2+1 invocations (see seed::expected).
    let want = format!(" {} ", seed::expected(0).invocations as i64);
    tmux.wait_until("seeded invocations of seeded-fn-000", |s| {
        s.lines()
            .find(|l| l.contains("seeded-fn-000"))
            .is_some_and(|row| row.contains(&want))
    });

    tmux.send(&["/", "0", "0", "3", "Enter"]);
    tmux.wait_for("Functions 1/5");
    tmux.send(&["Enter"]);
    let s = tmux.wait_for("log group");
    assert!(s.contains("/aws/lambda/seeded-fn-003"), "{s}");
    // The function view's pollers: reserved concurrency, logs, traces.
    tmux.wait_until("the function view's calls", |_| {
        let c = emu.calls();
        [
            "lambda:GetFunctionConcurrency",
            "logs:FilterLogEvents",
            "xray:GetTraceSummaries",
        ]
        .iter()
        .all(|op| c.contains_key(*op))
    });
    tmux.send(&["?"]);
    tmux.wait_for("Help — keys");
    tmux.send(&["Escape"]);
    tmux.send(&["Escape"]);
    tmux.wait_for("Functions 1/5");
    tmux.send(&["q"]);
    let s = tmux.wait_for("EXITED 0");
    // The alternate screen is gone: the shell's screen is back.
    assert!(!s.contains("Functions 1/5"), "{s}");

    // The other faces, verbose, on the same emulator.
    let mut outputs = vec![std::fs::read_to_string(&log_file).unwrap_or_default()];
    assert!(
        outputs[0].contains("DEBUG") || outputs[0].contains("TRACE"),
        "-vvv logged nothing"
    );
    for args in [
        vec!["--once", "--window", "15m", "--insights"],
        vec!["tail", "seeded-fn-00*", "--since", "5m", "--no-follow"],
        vec!["trace", trace_id.as_str()],
    ] {
        let log = home.join(format!("{}.log", args[0].trim_start_matches('-')));
        let mut cmd = emu.lamtop();
        cmd.env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .args(&args)
            .arg("-vvv")
            .arg("--log-file")
            .arg(&log);
        let (code, out, err) = support::run(cmd, Duration::from_secs(120));
        assert!(code == 0 || code == 3, "{args:?}: {err}");
        outputs.extend([out, err, std::fs::read_to_string(&log).unwrap_or_default()]);
    }
    // Credentials never appear in any output or log file.
    for (i, text) in outputs.iter().enumerate() {
        for secret in [support::SECRET_KEY, SESSION_TOKEN] {
            assert!(!text.contains(secret), "output {i} contains a credential");
        }
    }
    // Read-only, and the README's IAM policy lists exactly what was called.
    let called: BTreeSet<String> = emu
        .calls()
        .keys()
        .map(|op| op.split('#').next().unwrap_or(op).to_string())
        .filter(|op| op != "sts:GetCallerIdentity")
        .collect();
    for op in &called {
        let name = op.split(':').nth(1).unwrap_or("");
        // Running a Logs Insights query reads logs; it changes nothing.
        if op == "logs:StartQuery" {
            continue;
        }
        let mutating = [
            "Put", "Create", "Delete", "Update", "Set", "Tag", "Untag", "Start", "Stop", "Invoke",
            "Publish",
        ]
        .iter()
        .any(|p| name.starts_with(p));
        assert!(!mutating, "lamtop called a mutating operation: {op}");
    }
    // StopQuery is only called to cancel a Logs Insights run, which this
    // session does not do (the SDK mock tests cover it).
    let mut expected = called.clone();
    expected.insert("logs:StopQuery".to_string());
    assert_eq!(
        expected,
        readme_policy_actions(),
        "README IAM policy vs operations called"
    );
}

const SESSION_TOKEN: &str = "lamtop-test-session-token-secret";

/// The actions of the README's minimal IAM policy.
fn readme_policy_actions() -> BTreeSet<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("Minimal IAM policy")
        .nth(1)
        .expect("policy section");
    let json = section
        .split("```json")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("policy JSON");
    let v: serde_json::Value = serde_json::from_str(json).expect("policy parses");
    v["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

async fn seed_trace(conf: &aws_config::SdkConfig) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        - 30.0;
    let id = format!("1-{:08x}-00000000000000000000abcd", now as u64);
    let doc = format!(
        r#"{{"id":"a000000000000009","trace_id":"{id}","name":"seeded-fn-003","origin":"AWS::Lambda::Function","start_time":{now},"end_time":{}}}"#,
        now + 0.1
    );
    seed::trace_segments(conf, &[doc]).await;
    id
}
