//! Several accounts as one fleet, end to end: moto keeps one state per
//! account (the gateway maps an access key `AKIDACCT<12 digits>` to that
//! account), two profiles in a temporary AWS config read them, a third
//! profile's credentials have run out. The same function name in both
//! accounts is two functions, each with its own account's numbers; the
//! account-level numbers are never summed; the expired profile is named
//! with the command that fixes it and the others keep working.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::time::Duration;
use support::{Emulator, now_minute, run, seed};

const PROD: &str = "111111111111";
const STAGING: &str = "222222222222";

/// A `credential_process` whose SSO session has run out.
const EXPIRED: &str =
    "#!/bin/sh\necho 'Error loading SSO Token: Token for expired has expired' >&2\nexit 1\n";

fn function<'a>(snap: &'a Value, name: &str, profile: &str) -> &'a Value {
    snap["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name && f["profile"] == profile)
        .unwrap_or_else(|| panic!("{name} of {profile} in {snap}"))
}

fn account<'a>(snap: &'a Value, profile: &str) -> &'a Value {
    snap["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["profile"] == profile)
        .unwrap_or_else(|| panic!("account {profile} in {}", snap["accounts"]))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_are_one_fleet_with_each_accounts_numbers_and_an_expired_one_named() {
    let emu = Emulator::start();
    let prod = emu.sdk_config_in(PROD).await;
    let staging = emu.sdk_config_in(STAGING).await;
    seed::functions_in(&prod, PROD, 3).await;
    seed::functions_in(&staging, STAGING, 2).await;
    let m = now_minute();
    seed::metrics(&prod, 3, [m - 480, m - 240]).await;
    seed::counts(&staging, &seed::name(0), "Invocations", &[(m - 300, 77.0)]).await;
    seed::counts(&staging, &seed::name(0), "Errors", &[(m - 300, 7.0)]).await;

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("expired.sh");
    std::fs::write(&script, EXPIRED).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile prod]\nregion = us-east-1\n[profile staging]\nregion = us-east-1\n\
             [profile expired]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[prod]\naws_access_key_id = {}\naws_secret_access_key = {sk}\n\
             [staging]\naws_access_key_id = {}\naws_secret_access_key = {sk}\n",
            support::account_key(PROD),
            support::account_key(STAGING),
            sk = support::SECRET_KEY,
        ),
    )
    .unwrap();
    emu.reset_calls();
    let mut cmd = emu.lamtop();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .args([
            "--once",
            "--output",
            "json",
            "--window",
            "15m",
            "--profile",
            "prod,staging,expired",
            "--deadline",
            "60s",
        ]);
    let (code, out, err) = run(cmd, Duration::from_secs(120));
    let snap: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));

    // One fleet: 3 + 2 functions, the same names apart by profile.
    assert_eq!(snap["functions"].as_array().unwrap().len(), 5, "{err}");
    let e0 = seed::expected(0);
    let prod0 = function(&snap, &e0.name, "prod");
    assert_eq!(prod0["account"], PROD);
    assert_eq!(prod0["region"], "us-east-1");
    assert_eq!(prod0["invocations"].as_f64(), Some(e0.invocations));
    assert_eq!(prod0["errors"].as_f64(), Some(e0.errors));
    let staging0 = function(&snap, &e0.name, "staging");
    assert_eq!(staging0["account"], STAGING);
    assert_eq!(staging0["invocations"].as_f64(), Some(77.0));
    assert_eq!(staging0["errors"].as_f64(), Some(7.0));
    let staging1 = function(&snap, &seed::name(1), "staging");
    assert_eq!(staging1["invocations"].as_f64(), Some(0.0));

    // Each account's own numbers, never summed across accounts.
    let p = account(&snap, "prod");
    assert_eq!(p["id"], PROD);
    assert_eq!(p["functions"], 3);
    let want: f64 = (0..3).map(|i| seed::expected(i).invocations).sum();
    assert_eq!(p["invocations"].as_f64(), Some(want));
    assert_eq!(p["concurrency_max"].as_f64(), Some(75.0));
    let s = account(&snap, "staging");
    assert_eq!(s["id"], STAGING);
    assert_eq!(
        (s["functions"].as_u64(), s["invocations"].as_f64()),
        (Some(2), Some(77.0))
    );
    assert!(
        s["concurrency_max"].is_null(),
        "staging has no account series: {s}"
    );
    assert!(
        snap["account"]["concurrency_max"].is_null(),
        "no cross-account total"
    );
    assert!(p["problems"].as_array().unwrap().is_empty(), "{p}");

    // The expired profile: named, with what to run; the rest worked.
    let x = account(&snap, "expired");
    let problems = x["problems"].to_string();
    assert!(
        problems.contains("expired/us-east-1")
            && problems.contains("'aws sso login --profile expired'"),
        "{problems}"
    );
    assert_eq!(x["functions"], 0);
    let errors = snap["errors"].as_array().unwrap();
    let e = errors
        .iter()
        .find(|e| e["affects"] == "functions of expired/us-east-1")
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(e["kind"], "credentials");
    // Partial data: exit 1, as for any part that could not be read.
    assert_eq!(code, 1, "{err}");
}
