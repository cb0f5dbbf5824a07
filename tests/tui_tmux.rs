//! The dashboard end to end: the real binary in a real terminal (tmux)
//! against the emulator: it starts, shows the seeded functions, opens a
//! function view, shows help, and quits cleanly with the terminal restored.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::{Emulator, seed};

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    fn send(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "lamtop"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
        // Let the escape-sequence parser see each key on its own.
        std::thread::sleep(Duration::from_millis(300));
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "lamtop"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (bounded) until the screen satisfies `ok`.
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits (bounded) until the screen contains `text`.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

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

    let home = std::env::temp_dir().join(format!("lamtop-tmux-{}", emu.port));
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color \
         AWS_ACCESS_KEY_ID={ak} AWS_SECRET_ACCESS_KEY={sk} AWS_REGION=us-east-1 \
         AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 {bin} --endpoint-url {ep} --window 15m; \
         echo EXITED $?; sleep 30",
        home = shell_quote(&home.to_string_lossy()),
        ak = support::ACCESS_KEY,
        sk = support::SECRET_KEY,
        bin = shell_quote(env!("CARGO_BIN_EXE_lamtop")),
        ep = emu.endpoint(),
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
    let s = tmux.wait_for("1 ALARM");
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
    tmux.send(&["?"]);
    tmux.wait_for("Help — keys");
    tmux.send(&["Escape"]);
    tmux.send(&["Escape"]);
    tmux.wait_for("Functions 1/5");
    tmux.send(&["q"]);
    let s = tmux.wait_for("EXITED 0");
    // The alternate screen is gone: the shell's screen is back.
    assert!(!s.contains("Functions 1/5"), "{s}");
}
