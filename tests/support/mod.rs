//! The emulator harness: moto (pinned) behind the translating, counting,
//! fault-injecting gateway (`gateway.py`), one instance per test on a free
//! loopback port, plus helpers to seed it through the real SDK and to run
//! the real `lamtop` binary against it.

// Test helpers fail loudly: unwrapping is how they report a broken setup.
#![allow(clippy::unwrap_used)]
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod seed;
pub mod tmux;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The moto version every test runs against.
pub const MOTO_REQUIREMENT: &str = "moto[server]==5.2.5";
/// CBOR codec for the gateway.
pub const CBOR_REQUIREMENT: &str = "cbor2==6.3.0";
/// Test credentials: fake, and never valid anywhere.
pub const ACCESS_KEY: &str = "AKIDLAMTOPTEST";
/// Matching fake secret.
pub const SECRET_KEY: &str = "lamtop-test-secret-do-not-use";

/// The access key the gateway maps to `account` (12 digits).
pub fn account_key(account: &str) -> String {
    format!("AKIDACCT{account}")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python() -> PathBuf {
    repo().join(".venv").join("bin").join("python")
}

fn venv_ready(python: &Path) -> bool {
    python.is_file()
        && Command::new(python)
            .args([
                "-c",
                "import moto, cbor2, boto3; assert moto.__version__ == '5.2.5'",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Creates `.venv` with the pinned emulator on first use. Test binaries run
/// in parallel, so creation happens under a file lock.
pub fn ensure_venv() -> PathBuf {
    let python = venv_python();
    if venv_ready(&python) {
        return python;
    }
    let lock_path = repo().join("target").join("lamtop-venv.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().expect("lock the venv");
    if !venv_ready(&python) {
        let status = Command::new("python3")
            .args(["-m", "venv", ".venv"])
            .current_dir(repo())
            .status()
            .expect("python3 is needed for the emulator tests");
        assert!(status.success(), "python3 -m venv .venv failed");
        let status = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                MOTO_REQUIREMENT,
                CBOR_REQUIREMENT,
            ])
            .status()
            .expect("run pip");
        assert!(status.success(), "pip install of the emulator failed");
    }
    python
}

/// A running gateway + moto. Stopped on drop.
pub struct Emulator {
    child: Child,
    /// Gateway port on 127.0.0.1.
    pub port: u16,
}

impl Emulator {
    /// Starts a fresh emulator (empty state) on a free port.
    pub fn start() -> Self {
        let python = ensure_venv();
        let mut child = Command::new(python)
            .arg(repo().join("tests/support/gateway.py"))
            .args(["--port", "0"])
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the gateway");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(90))
            .expect("gateway did not report READY within 90 s");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected gateway output: {line:?}"));
        Self { child, port }
    }

    /// `http://127.0.0.1:<port>`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn control(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to gateway");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
    }

    /// Calls per `service:Operation` since start (or the last reset).
    pub fn calls(&self) -> HashMap<String, u64> {
        let v = self.control("GET", "/__gateway/calls", "");
        v["counts"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// GetMetricData queries per `"MetricName FunctionName"` since start
    /// (or the last reset).
    pub fn queries(&self) -> HashMap<String, u64> {
        let v = self.control("GET", "/__gateway/queries", "");
        v["queries"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Calls of one operation.
    pub fn count(&self, op: &str) -> u64 {
        self.calls().get(op).copied().unwrap_or(0)
    }

    /// Clears the counters.
    pub fn reset_calls(&self) {
        self.control("POST", "/__gateway/reset-calls", "");
    }

    /// Replaces the fault set, e.g.
    /// `[{"ops": ["GetMetricData"], "kind": "throttle", "rate": 0.3}]`.
    pub fn set_faults(&self, faults: serde_json::Value) {
        self.control(
            "POST",
            "/__gateway/faults",
            &serde_json::json!({ "faults": faults }).to_string(),
        );
    }

    /// Stops (`false`) or restarts (`true`, empty state) the emulator.
    pub fn backend(&self, up: bool) {
        self.control(
            "POST",
            "/__gateway/backend",
            &serde_json::json!({ "up": up }).to_string(),
        );
    }

    /// SDK configuration for seeding another account (moto keeps one
    /// state per account; the gateway reads the account from the key).
    pub async fn sdk_config_in(&self, account: &str) -> aws_config::SdkConfig {
        self.sdk_config_with(&account_key(account)).await
    }

    /// SDK configuration for seeding: fake credentials, loopback endpoint.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        self.sdk_config_with(ACCESS_KEY).await
    }

    async fn sdk_config_with(&self, access_key: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(lamtop::source::aws::https_client())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(aws_sdk_lambda::config::Credentials::new(
                access_key,
                SECRET_KEY,
                None,
                None,
                "lamtop-tests",
            ))
            .load()
            .await
    }

    /// The real binary, pointed at this emulator, isolated from the
    /// developer's own AWS and lamtop configuration.
    pub fn lamtop(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lamtop"));
        let home = std::env::temp_dir().join(format!("lamtop-test-home-{}", self.port));
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().to_string();
            if k.starts_with("AWS_") || k.starts_with("LAMTOP_") || k == "NO_COLOR" {
                c.env_remove(&k);
            }
        }
        c.env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .arg("--endpoint-url")
            .arg(self.endpoint());
        c
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The function named `name` in a `--once` JSON snapshot.
pub fn function_named(snap: &serde_json::Value, name: &str) -> serde_json::Value {
    snap["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .cloned()
        .unwrap()
}

/// The start of the current minute (epoch seconds), for seeding.
pub fn now_minute() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    now - now % 60
}

/// Runs `lamtop tail GROUP --since SINCE --no-follow --format json` and
/// returns the messages it printed, in order (asserting exit 0).
pub fn tail_messages(emu: &Emulator, group: &str, since: &str) -> Vec<String> {
    let mut cmd = emu.lamtop();
    cmd.args([
        "tail",
        group,
        "--since",
        since,
        "--no-follow",
        "--format",
        "json",
    ]);
    let (code, out, err) = run(cmd, Duration::from_secs(240));
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["message"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Runs a command with a time bound; returns (exit code, stdout, stderr).
pub fn run(mut cmd: Command, limit: Duration) -> (i32, String, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lamtop");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("command did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        t_out.join().unwrap(),
        t_err.join().unwrap(),
    )
}
