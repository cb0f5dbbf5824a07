//! The on-call flow in a real terminal (tmux) on the demo fleet: a log
//! filter stays with its function, `:since` and `e` reach back, help
//! scrolls at 80x24 with the footer naming `? help` and `q quit`, and the
//! traces pane never shows a cut trace id at 80, 120 or 200 columns; the
//! errors screen reads the fleet and opens a group; `ctrl-s` and `:report`
//! write the incident report and never overwrite one.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use support::tmux::{Tmux, shell_quote};

/// `lamtop --demo` in a `w`x`h` tmux session of its own.
fn demo(label: &str, w: u16, h: u16) -> Tmux {
    let home = std::env::temp_dir().join(format!("lamtop-oncall-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color \
         {bin} --demo; echo EXITED $?; sleep 30",
        home = shell_quote(&home.to_string_lossy()),
        bin = shell_quote(env!("CARGO_BIN_EXE_lamtop")),
    );
    Tmux::start(
        format!("lamtop-oncall-{label}-{}", std::process::id()),
        w,
        h,
        &command,
    )
}

/// The traces pane of `screen`: its title line and the lines below it,
/// from the pane's left edge on (the log pane beside it may cut its lines;
/// it wraps them on `w`).
fn traces_pane(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(top) = lines.iter().position(|l| l.contains("┌ Traces")) else {
        return String::new();
    };
    let col = lines[top]
        .split("┌ Traces")
        .next()
        .map_or(0, |before| before.chars().count());
    lines[top..]
        .iter()
        .map(|l| l.chars().skip(col).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every trace id in `pane` is whole (35 characters) — none is cut.
fn ids_are_whole(pane: &str) -> bool {
    let id = regex::Regex::new(r"1-[0-9a-f]{1,8}(-[0-9a-f]*)?").unwrap();
    id.find_iter(pane).all(|m| m.as_str().len() == 35)
}

#[test]
fn the_log_filter_stays_with_its_function_and_the_pane_reaches_back() {
    let t = demo("filter", 120, 40);
    fleet_ready(&t);
    t.send(&["Enter"]);
    t.wait_for("Logs");
    t.send(&["f", "E", "R", "R", "O", "R", "Enter"]);
    t.wait_for("filter 'ERROR' (c clears)");
    // The next function: no filter of its own.
    t.send(&[">"]);
    let next = t.wait_until("the next function's pane", |s| {
        s.contains("Logs · following") && !s.contains("filter 'ERROR'")
    });
    assert!(!next.contains("filter 'ERROR'"), "{next}");
    // Back: the filter is still that function's.
    t.send(&["<"]);
    t.wait_for("filter 'ERROR' (c clears)");
    t.send(&["c"]);
    t.wait_for("log filter cleared");
    // `:since 1h`: the pane's bottom edge says how far back it reads.
    t.send(&[":", "s", "i", "n", "c", "e", " ", "1", "h", "Enter"]);
    t.wait_for("logs since 1h ago");
    // `e`: the window's failures, from the server.
    t.send(&["e"]);
    let s = t.wait_until("failures in the pane", |s| {
        s.contains("errors only") && s.contains("events · live")
    });
    assert!(s.contains("errors only"), "{s}");
    t.send(&["q"]);
    t.wait_for("EXITED 0");
}

#[test]
fn help_scrolls_at_80x24_and_the_footer_names_help_and_quit() {
    let t = demo("help", 80, 24);
    let s = fleet_ready(&t);
    assert!(s.contains("? help") && s.contains("q quit"), "{s}");
    t.send(&["?"]);
    t.wait_for("Help — keys · lines 1–22 of");
    for _ in 0..9 {
        t.send(&["PageDown"]);
    }
    t.wait_for("Commands (:)");
    // One key per send: ESC and Enter together read as Alt-Enter.
    t.send(&["Escape"]);
    t.send(&["Enter"]);
    let s = t.wait_for("Logs");
    assert!(s.contains("? help") && s.contains("q quit"), "{s}");
    t.send(&["q"]);
    t.wait_for("EXITED 0");
}

#[test]
fn the_traces_pane_never_cuts_a_trace_id() {
    let t = demo("traces", 80, 24);
    fleet_ready(&t);
    t.send(&["Enter"]);
    for (w, h) in [(80u16, 24u16), (120, 40), (200, 50)] {
        t.resize(w, h);
        let s = t.wait_until("the traces pane with its rows", |s| {
            s.contains("DURATION") && s.contains("STATUS") && s.contains("✓ ok")
        });
        let pane = traces_pane(&s);
        assert!(pane.contains("DURATION"), "{w}x{h}: no traces pane\n{s}");
        assert!(ids_are_whole(&pane), "{w}x{h}: a cut trace id\n{pane}");
        // Whole, or where to find it: the pane says so.
        assert!(
            pane.contains("TRACE ID") || pane.contains("id: Enter"),
            "{w}x{h}: the id is neither shown nor pointed to\n{pane}"
        );
    }
    t.send(&["q"]);
    t.wait_for("EXITED 0");
}

/// The errors screen in a real terminal: `E` reads the failing functions,
/// the groups show at 80 and 160 columns, Enter opens the group's function
/// with the window's failures, Esc goes back.
#[test]
fn errors_screen_reads_the_fleet_and_opens_a_group() {
    for (w, h) in [(80, 24), (160, 45)] {
        let t = demo(&format!("errors-{w}"), w, h);
        fleet_ready(&t);
        t.send(&["E"]);
        let s = t.wait_until("the scan to finish", |s| {
            s.contains("functions read") && s.contains("COUNT")
        });
        assert!(s.contains("Task timed out after <n> seconds"), "{s}");
        assert!(s.contains("┌ Group"), "{s}");
        t.send(&["Enter"]);
        let f = t.wait_until("the group's function", |s| s.contains("errors only"));
        if w >= 160 {
            assert!(s.contains("s order"), "the footer names the keys: {s}");
            assert!(f.contains("n/N: its lines"), "{f}");
        }
        t.send(&["Escape"]);
        t.wait_until("the fleet", |s| s.contains("Functions 30/30"));
    }
}

/// `ctrl-s` in the function view writes the incident report into
/// `report_dir` and the footer names the file; `:report NAME` twice keeps
/// the first and says why.
#[test]
fn ctrl_s_writes_the_incident_report_and_never_overwrites() {
    let label = "report";
    let home = std::env::temp_dir().join(format!("lamtop-oncall-{label}-{}", std::process::id()));
    let reports = home.join("reports");
    let _ = std::fs::remove_dir_all(&reports);
    std::fs::create_dir_all(home.join(".config/lamtop")).unwrap();
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::write(
        home.join(".config/lamtop/config.toml"),
        format!("report_dir = {:?}\n", reports.to_string_lossy()),
    )
    .unwrap();
    let t = demo(label, 200, 50);
    fleet_ready(&t);
    t.send(&["Enter"]);
    t.wait_for("Logs");
    t.send(&["C-s"]);
    let s = t.wait_until("the report to be written", |s| {
        s.contains("incident report written to") || s.contains("no report:")
    });
    assert!(s.contains("incident report written to"), "{s}");
    let made: Vec<std::path::PathBuf> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let text = std::fs::read_to_string(&made[0]).unwrap();
    assert!(text.starts_with("# Incident report: demo at "), "{text}");
    assert!(text.contains("| Looked into |"), "{text}");
    assert!(text.contains("(asked for) |"), "the open function: {text}");
    assert!(text.contains("## Reproduce"), "{text}");

    let named = reports.join("mine.md");
    for _ in 0..2 {
        t.send(&[":"]);
        t.send(&[&format!("report {}", named.display())]);
        t.send(&["Enter"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let s = t.wait_until("the second report to be refused", |s| {
        s.contains("exists; lamtop never overwrites")
    });
    assert!(!s.contains("EXITED"), "{s}");
    assert!(named.is_file());
    let _ = std::fs::remove_dir_all(&home);
}

/// `l` on a trace twenty minutes old shows its request's lines: the pane
/// reads the trace's own time range, not the last quarter hour.
#[test]
fn l_on_a_twenty_minute_old_trace_shows_its_lines() {
    let t = demo("old-trace", 160, 45);
    fleet_ready(&t);
    t.send(&["Enter"]);
    t.wait_until("the traces pane with its rows", |s| s.contains("✓ ok"));
    t.send(&["Tab"]);
    t.wait_for("Traces [focus]");
    for _ in 0..20 {
        t.send(&["j"]);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.send(&["Enter"]);
    t.wait_for("SEGMENT");
    t.send(&["l"]);
    // The pane stops at the request's own lines once they arrive.
    let id_of = |s: &str| {
        regex::Regex::new(r"search /([0-9a-f-]{36})/")
            .unwrap()
            .captures(s)
            .map(|c| c[1].to_string())
    };
    let s = t.wait_until("the request's START line in view", |s| {
        id_of(s).is_some_and(|id| s.contains(&format!("START RequestId: {id}")))
    });
    let id = id_of(&s).unwrap();
    // The time of the request's START line, against now (the pane shows
    // UTC here: the session has no TZ).
    let time = regex::Regex::new(&format!(
        r"(\d\d):(\d\d):(\d\d)\.\d{{3}}Z? START RequestId: {id}"
    ))
    .unwrap();
    let c = time
        .captures(&s)
        .unwrap_or_else(|| panic!("no START line\n{s}"));
    let secs = |h: &str, m: &str, s: &str| {
        h.parse::<i64>().unwrap() * 3600
            + m.parse::<i64>().unwrap() * 60
            + s.parse::<i64>().unwrap()
    };
    let line = secs(&c[1], &c[2], &c[3]);
    let now = chrono::Utc::now();
    let now_s = secs(
        &now.format("%H").to_string(),
        &now.format("%M").to_string(),
        &now.format("%S").to_string(),
    );
    let age = (now_s - line).rem_euclid(86_400);
    assert!(
        (16 * 60..=25 * 60).contains(&age),
        "the request's START is {age} s old, not the trace's twenty minutes\n{s}"
    );
    t.send(&["q"]);
    t.wait_for("EXITED 0");
}

/// `c` twice shows the signal columns at 80, 120 and 200 columns, whole
/// headers only (none cut); sorting by dropped events puts the demo's async
/// dropper first, and its view shows the signals box.
#[test]
fn signal_columns_at_three_sizes_and_the_signals_box() {
    for (w, h, headers) in [
        (80u16, 24u16, &["DROPPED", "DLQ"][..]),
        (
            120,
            40,
            &["ITER AGE", "ASYNC AGE", "DROPPED", "DLQ", "PC%"][..],
        ),
        (
            200,
            50,
            &["ITER AGE", "ASYNC AGE", "DROPPED", "DLQ", "PC%", "SPILL"][..],
        ),
    ] {
        let t = demo(&format!("signals-{w}"), w, h);
        fleet_ready(&t);
        t.send(&["c"]);
        t.wait_for("$/H");
        t.send(&["c"]);
        let s = t.wait_for("DLQ");
        let head = s
            .lines()
            .find(|l| l.contains("FUNCTION"))
            .unwrap_or_default();
        for h in headers {
            assert!(
                head.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(h),
                "{w} columns: {h} missing in\n{head}"
            );
        }
        if w == 120 {
            t.send(&[":"]);
            t.send(&["sort dropped"]);
            t.send(&["Enter"]);
            let s = t.wait_for("sort dropped");
            let first = s.lines().find(|l| l.contains('▶')).unwrap_or_default();
            assert!(first.contains("webhook-fanout"), "{s}");
            t.send(&["Enter"]);
            let s = t.wait_for(" signals ");
            assert!(s.contains("retries 2 · max age 10m"), "{s}");
            assert!(s.contains("DLQ → webhook-fanout-dlq"), "{s}");
        }
        t.send(&["q"]);
        t.wait_for("EXITED 0");
    }
}

/// Waits (bounded) for the fleet and its first metrics refresh, so the
/// first row is the one the default order puts there (before the metrics
/// only the warned functions stand out).
fn fleet_ready(t: &Tmux) -> String {
    t.wait_until("the fleet with its metrics", |s| {
        s.contains("Functions 30/30") && s.contains(" old │")
    })
}
