//! Where a report goes: a file that did not exist before, never an
//! overwrite (an incident's earlier notes are worth more than a name).

use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Names tried in a directory before giving up (`…-2.md` … `…-99.md`).
const MAX_SUFFIX: u32 = 99;

/// Where to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A new file named after the time and the function in this directory.
    Directory(PathBuf),
    /// Exactly this file, which must not exist yet.
    File(PathBuf),
}

impl Target {
    /// `:report PATH` / `-o PATH`: an existing directory gets a generated
    /// name inside it, anything else is the file itself; no path: the
    /// report directory.
    pub fn of(path: Option<&Path>, report_dir: &Path) -> Self {
        match path {
            Some(p) if p.is_dir() => Self::Directory(p.to_path_buf()),
            Some(p) => Self::File(p.to_path_buf()),
            None => Self::Directory(report_dir.to_path_buf()),
        }
    }
}

/// `lamtop-incident-20261127-1425-payments-webhook.md`: sorts by time,
/// names the function, safe in every file system.
pub fn file_name(now: DateTime<Utc>, function: Option<&str>, suffix: u32) -> String {
    let mut name = format!("lamtop-incident-{}", now.format("%Y%m%d-%H%M%S"));
    if let Some(f) = function {
        name.push('-');
        name.extend(f.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        }));
    }
    if suffix > 1 {
        name.push_str(&format!("-{suffix}"));
    }
    name.push_str(".md");
    name
}

/// Writes `text` into a new file at `target`; returns its path. An
/// existing file is never replaced: a named one is an error saying so,
/// a generated name gets the next free suffix.
pub fn write_new(
    target: &Target,
    now: DateTime<Utc>,
    function: Option<&str>,
    text: &str,
) -> Result<PathBuf, String> {
    match target {
        Target::File(p) => create(p, text).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "'{}' exists; lamtop never overwrites a report: name another file or a directory",
                p.display()
            ),
            _ => format!("cannot write the report to '{}': {e}", p.display()),
        }),
        Target::Directory(dir) => {
            for suffix in 1..=MAX_SUFFIX {
                let p = dir.join(file_name(now, function, suffix));
                match create(&p, text) {
                    Ok(p) => return Ok(p),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => {
                        return Err(format!(
                            "cannot write the report into '{}': {e} (set report_dir or name a file)",
                            dir.display()
                        ));
                    }
                }
            }
            Err(format!(
                "'{}' already holds {MAX_SUFFIX} reports of this second; name a file",
                dir.display()
            ))
        }
    }
}

fn create(p: &Path, text: &str) -> std::io::Result<PathBuf> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(p)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_and_names_the_next_free_file() {
        let dir = std::env::temp_dir().join(format!("lamtop-report-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-27T14:25:30Z")
            .unwrap()
            .with_timezone(&Utc);
        let target = Target::of(None, &dir);
        let a = write_new(&target, now, Some("pay/ments"), "one").unwrap();
        let b = write_new(&target, now, Some("pay/ments"), "two").unwrap();
        assert_eq!(
            a.file_name().unwrap(),
            "lamtop-incident-20261127-142530-pay_ments.md"
        );
        assert_eq!(
            b.file_name().unwrap(),
            "lamtop-incident-20261127-142530-pay_ments-2.md"
        );
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "one");
        let named = Target::of(Some(&a), &dir);
        let err = write_new(&named, now, None, "three").unwrap_err();
        assert!(err.contains("exists; lamtop never overwrites"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "one");
        let missing = Target::File(dir.join("no/such/dir/r.md"));
        let err = write_new(&missing, now, None, "x").unwrap_err();
        assert!(err.contains("cannot write the report to"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
