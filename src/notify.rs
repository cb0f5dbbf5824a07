//! What happens when a rule or a CloudWatch alarm changes state, outside
//! the screen: a JSON line
//! appended to `--alarm-log`, and `notify_command` run with the alarm's
//! fields in environment variables. The command is run directly (never via
//! a shell), so nothing from AWS data can become shell syntax; its output
//! is discarded so it cannot draw over the dashboard, and it is killed if it
//! runs longer than [`NOTIFY_TIMEOUT`].

use crate::model::rules::AlarmEvent;
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// The longest a `notify_command` may run.
pub const NOTIFY_TIMEOUT: Duration = Duration::from_secs(30);

/// Where alarm changes go besides the screen.
#[derive(Debug, Default)]
pub struct AlarmSink {
    /// `--alarm-log` file.
    pub log: Option<PathBuf>,
    /// `notify_command`: program and arguments.
    pub command: Option<Vec<String>>,
    /// Notifiers still running (reaped by [`AlarmSink::drain`]).
    running: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl AlarmSink {
    /// A sink from the settings.
    pub fn from_settings(s: &crate::config::Settings) -> Self {
        Self {
            log: s.alarm_log.clone(),
            command: s.notify_command.clone(),
            running: Default::default(),
        }
    }

    /// Waits for the notifiers started so far (each is bounded by
    /// [`NOTIFY_TIMEOUT`]), so a one-shot run does not exit under them.
    pub async fn drain(&self) {
        let handles = std::mem::take(&mut *self.running.lock().unwrap_or_else(|e| e.into_inner()));
        for h in handles {
            let _ = h.await;
        }
    }

    /// Logs every event and notifies for those that start firing. Returns
    /// problems to show (the sink never fails the caller).
    pub fn handle(&self, events: &[AlarmEvent]) -> Vec<String> {
        let mut problems = Vec::new();
        if events.is_empty() {
            return problems;
        }
        if let Some(path) = &self.log
            && let Err(e) = append_json_lines(path, events)
        {
            problems.push(format!(
                "cannot append to --alarm-log '{}': {e}",
                path.display()
            ));
        }
        if let Some(cmd) = &self.command {
            // A rule FIRING or a CloudWatch alarm in ALARM.
            for e in events.iter().filter(|e| e.state.is_firing()) {
                match spawn_notify(cmd, e) {
                    Ok(h) => {
                        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                        running.retain(|h| !h.is_finished());
                        running.push(h);
                    }
                    Err(err) => {
                        problems.push(format!("notify_command '{}' failed: {err}", cmd[0]));
                    }
                }
            }
        }
        problems
    }
}

fn append_json_lines(path: &PathBuf, events: &[AlarmEvent]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut buf = Vec::new();
    for e in events {
        serde_json::to_writer(&mut buf, e)?;
        buf.push(b'\n');
    }
    // One write per batch, so concurrent readers never see half a line.
    f.write_all(&buf)?;
    f.flush()
}

/// The environment `notify_command` receives.
pub fn notify_env(e: &AlarmEvent) -> Vec<(&'static str, String)> {
    vec![
        ("LAMTOP_ALARM", e.alarm.clone()),
        ("LAMTOP_SOURCE", e.source.as_str().to_string()),
        ("LAMTOP_FUNCTION", e.function.to_string()),
        ("LAMTOP_STATE", e.state.as_str().to_string()),
        ("LAMTOP_PREVIOUS_STATE", e.from.as_str().to_string()),
        (
            "LAMTOP_SEVERITY",
            e.severity
                .map(|s| s.as_str())
                .unwrap_or_default()
                .to_string(),
        ),
        ("LAMTOP_METRIC", e.metric.to_string()),
        ("LAMTOP_OP", e.op.to_string()),
        (
            "LAMTOP_THRESHOLD",
            e.threshold.map(|t| t.to_string()).unwrap_or_default(),
        ),
        (
            "LAMTOP_VALUE",
            e.value.map(|v| v.to_string()).unwrap_or_default(),
        ),
        (
            "LAMTOP_AT",
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    ]
}

fn spawn_notify(cmd: &[String], e: &AlarmEvent) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let mut c = tokio::process::Command::new(&cmd[0]);
    c.args(&cmd[1..])
        .envs(notify_env(e))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(false);
    let mut child = c.spawn()?;
    // Reap it in the background; a hung notifier is killed, not leaked.
    Ok(tokio::spawn(async move {
        if tokio::time::timeout(NOTIFY_TIMEOUT, child.wait())
            .await
            .is_err()
        {
            let _ = child.kill().await;
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alarms::{AlarmSource, AlarmState, Severity};
    use chrono::TimeZone;

    fn event(state: AlarmState) -> AlarmEvent {
        AlarmEvent {
            at: chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            alarm: "api-errors".into(),
            source: AlarmSource::Rule,
            function: "api; rm -rf /".into(),
            from: AlarmState::Pending,
            state,
            severity: Some(Severity::Critical),
            metric: "error_rate".into(),
            op: ">",
            threshold: Some(0.05),
            value: Some(0.25),
        }
    }

    #[tokio::test]
    async fn log_gets_every_change_and_command_gets_fields_in_env() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("alarms.jsonl");
        let out = dir.path().join("env.txt");
        let script = dir.path().join("notify.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s|%s|%s|%s|%s\\n' \"$LAMTOP_ALARM\" \"$LAMTOP_FUNCTION\" \"$LAMTOP_STATE\" \"$LAMTOP_SEVERITY\" \"$LAMTOP_VALUE\" >> '{}'\n",
                out.display()
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let sink = AlarmSink {
            log: Some(log.clone()),
            command: Some(vec![script.display().to_string()]),
            ..Default::default()
        };
        let problems = sink.handle(&[event(AlarmState::Firing), event(AlarmState::Ok)]);
        assert!(problems.is_empty(), "{problems:?}");
        let lines = std::fs::read_to_string(&log).unwrap();
        let parsed: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0]["state"], "FIRING");
        assert_eq!(parsed[0]["source"], "rule");
        assert_eq!(parsed[0]["at"], "2023-11-14T22:13:20Z");
        assert_eq!(parsed[1]["state"], "OK");
        // Only the FIRING change runs the command; the hostile function name
        // arrives as data, never as shell syntax.
        sink.drain().await;
        let got = std::fs::read_to_string(&out).unwrap_or_default();
        assert_eq!(got, "api-errors|api; rm -rf /|FIRING|critical|0.25\n");
    }

    /// A CloudWatch alarm's change carries its source and leaves the rule
    /// fields empty.
    #[test]
    fn a_cloudwatch_change_says_so() {
        let e = AlarmEvent {
            source: AlarmSource::Cloudwatch,
            severity: None,
            metric: "Errors".into(),
            op: "",
            threshold: None,
            value: None,
            from: AlarmState::Ok,
            ..event(AlarmState::Alarm)
        };
        let env: std::collections::HashMap<_, _> = notify_env(&e).into_iter().collect();
        assert_eq!(env["LAMTOP_SOURCE"], "cloudwatch");
        assert_eq!(env["LAMTOP_STATE"], "ALARM");
        assert_eq!(env["LAMTOP_PREVIOUS_STATE"], "OK");
        assert_eq!(
            (
                env["LAMTOP_SEVERITY"].as_str(),
                env["LAMTOP_THRESHOLD"].as_str()
            ),
            ("", "")
        );
        assert_eq!(env["LAMTOP_METRIC"], "Errors");
    }

    #[tokio::test]
    async fn a_missing_program_is_reported_not_fatal() {
        let sink = AlarmSink {
            log: Some(PathBuf::from("/nonexistent-dir/x.jsonl")),
            command: Some(vec!["/nonexistent/notify".into()]),
            ..Default::default()
        };
        let problems = sink.handle(&[event(AlarmState::Firing)]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("/nonexistent-dir/x.jsonl"));
        assert!(problems[1].contains("/nonexistent/notify"));
    }
}
