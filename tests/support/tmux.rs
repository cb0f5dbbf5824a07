//! A tmux server of our own for driving the real dashboard in a real
//! terminal: send keys, read the screen, wait (bounded) for text.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed on drop.
pub struct Tmux {
    /// The server's socket name (unique per test).
    pub socket: String,
}

impl Tmux {
    /// A tmux command on this server.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    /// Sends keys, one by one.
    pub fn send(&self, keys: &[&str]) {
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

    /// The visible screen.
    pub fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "lamtop"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (bounded) until the screen satisfies `ok`.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
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
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// Quotes for sh.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Tmux {
    /// Starts a detached session `lamtop` of `w`x`h` running `command`.
    pub fn start(socket: String, w: u16, h: u16, command: &str) -> Self {
        let t = Tmux { socket };
        let status = t
            .cmd()
            .args(["new-session", "-d", "-s", "lamtop", "-x"])
            .arg(w.to_string())
            .arg("-y")
            .arg(h.to_string())
            .arg(command)
            .status()
            .expect("tmux is needed for this test");
        assert!(status.success());
        t
    }

    /// Resizes the window.
    pub fn resize(&self, w: u16, h: u16) {
        let status = self
            .cmd()
            .args(["resize-window", "-t", "lamtop", "-x"])
            .arg(w.to_string())
            .arg("-y")
            .arg(h.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}
