//! Credentials that expire mid-shift, end to end: the dashboard in tmux
//! against the emulator, its profile's `credential_process` (in a
//! temporary AWS config) handing out credentials that live 30 seconds,
//! then failing, then working again — as when an SSO session runs out and
//! the user logs in again in another terminal. The header must say so in
//! one line, the fleet stay on screen, and the dashboard recover by itself.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use support::tmux::{Tmux, shell_quote};
use support::{Emulator, now_minute, seed};

/// Prints short-lived credentials while `mode` says `ok`, else fails the
/// way an expired session's helper does; counts its runs.
const PROCESS: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo run >> "$dir/runs"
if [ "$(cat "$dir/mode")" != ok ]; then
  echo "Error loading SSO Token: Token for lamtop-test has expired" >&2
  exit 1
fi
exp=$(date -u -d '+30 seconds' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version":1,"AccessKeyId":"ASIALAMTOPTEST","SecretAccessKey":"short-lived-secret","SessionToken":"session","Expiration":"%s"}\n' "$exp"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn expired_credentials_show_one_line_keep_the_data_and_recover_by_themselves() {
    let emu = Emulator::start();
    let conf = emu.sdk_config().await;
    seed::functions(&conf, 5).await;
    let m = now_minute();
    seed::metrics(&conf, 5, [m - 480, m - 240]).await;

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("creds.sh");
    std::fs::write(&script, PROCESS).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    std::fs::write(dir.path().join("mode"), "ok").unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile shortlived]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color \
         AWS_CONFIG_FILE={config} AWS_SHARED_CREDENTIALS_FILE={home}/none AWS_PROFILE=shortlived \
         AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 \
         {bin} --endpoint-url {ep} --window 15m --refresh 10s; echo EXITED $?; sleep 60",
        home = shell_quote(&home.to_string_lossy()),
        config = shell_quote(&config.to_string_lossy()),
        bin = shell_quote(env!("CARGO_BIN_EXE_lamtop")),
        ep = emu.endpoint(),
    );
    let tmux = Tmux::start(format!("lamtop-creds-{}", emu.port), 160, 40, &command);
    let first = tmux.wait_for("seeded-fn-004");
    assert!(
        first.contains("(shortlived)"),
        "the header names the profile:\n{first}"
    );

    // The session runs out: within the credentials' 30 s and one retry.
    std::fs::write(dir.path().join("mode"), "expired").unwrap();
    let expired = tmux.wait_for("credentials expired for profile shortlived");
    let header = expired.lines().next().unwrap_or_default();
    assert!(
        header.contains("run `aws sso login --profile shortlived`"),
        "one line says what to run:\n{expired}"
    );
    assert!(
        expired.contains("seeded-fn-004"),
        "the data stays:\n{expired}"
    );
    assert!(!expired.contains("EXITED"), "no restart needed:\n{expired}");

    // Logged in again in another terminal: back within one retry.
    std::fs::write(dir.path().join("mode"), "ok").unwrap();
    let back = tmux.wait_until("the header to recover", |s| {
        !s.contains("credentials expired") && s.contains("seeded-fn-004")
    });
    assert!(!back.contains("EXITED"), "{back}");
    let runs = std::fs::read_to_string(dir.path().join("runs")).unwrap();
    assert!(runs.lines().count() >= 3, "the process ran again: {runs}");
}
