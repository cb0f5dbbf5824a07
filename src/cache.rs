//! The function list of the previous run, so the dashboard shows the fleet
//! at once and fetches its metrics while ListFunctions is still paging
//! (100 pages for 5,000 functions). One file per profile, region and
//! endpoint under the XDG cache directory, written atomically with mode
//! 0600. It holds what ListFunctions returns about each function (names,
//! ARNs, runtimes, sizes): never credentials, never metric data.

use crate::model::function::FunctionInfo;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bump when the file shape changes; other versions are ignored.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    saved_at: DateTime<Utc>,
    functions: Vec<FunctionInfo>,
}

/// The cache file for a profile, region and endpoint (`None` when there is
/// no cache directory).
pub fn path(profile: Option<&str>, region: &str, endpoint: Option<&str>) -> Option<PathBuf> {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect()
    };
    let mut name = format!(
        "inventory-{}-{}",
        clean(profile.unwrap_or("default")),
        clean(region)
    );
    if let Some(e) = endpoint {
        // An emulator's fleet must not show up as the real account's.
        name.push_str(&format!("-{:016x}", fnv1a(e.as_bytes())));
    }
    Some(dirs::cache_dir()?.join("lamtop").join(name + ".json"))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cached list and when it was saved; `None` when missing, unreadable
/// or of another version (a cache is never worth an error).
pub fn load(path: &Path) -> Option<(DateTime<Utc>, Vec<FunctionInfo>)> {
    let text = std::fs::read(path).ok()?;
    let f: File = serde_json::from_slice(&text).ok()?;
    (f.version == VERSION).then_some((f.saved_at, f.functions))
}

/// Saves the list (to a temporary file renamed over the old one).
pub fn save(path: &Path, functions: &[FunctionInfo], at: DateTime<Utc>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let body = serde_json::to_vec(&File {
        version: VERSION,
        saved_at: at,
        functions: functions.to_vec(),
    })?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_private_file_and_separate_endpoints() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lamtop").join("inv.json");
        let fns = vec![FunctionInfo::for_test("api", "python3.12")];
        let at = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        save(&p, &fns, at).unwrap();
        assert_eq!(load(&p), Some((at, fns)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&p, b"{not json").unwrap();
        assert_eq!(load(&p), None);
        let a = path(Some("prod"), "us-east-1", None).unwrap();
        let b = path(Some("prod"), "us-east-1", Some("http://127.0.0.1:4566")).unwrap();
        let c = path(Some("../etc"), "eu-west-1", None).unwrap();
        assert_ne!(a, b);
        assert!(a.ends_with("inventory-prod-us-east-1.json"), "{a:?}");
        assert!(
            c.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("inventory-___etc-eu-west-1")
        );
    }
}
