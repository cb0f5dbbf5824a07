//! Shell completions and man pages, generated from the clap definitions in
//! `cli.rs`, so they can never disagree with `--help`. Neither reads the
//! configuration or touches the network.

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "lamtop", out);
}

/// Writes the man page lamtop(1), in roff.
pub fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// Writes lamtop.1 and one page per command (lamtop-tail.1, …) into
/// `dir`, which must exist; returns the files written.
pub fn man_pages(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("'{}' is not a directory (create it first)", dir.display()),
        ));
    }
    clap_mangen::generate_to(Cli::command(), dir)?;
    let mut written: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("lamtop") && n.ends_with(".1"))
        })
        .collect();
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand and every long flag of the CLI (help and version
    /// aside), read from the definitions themselves.
    fn surface() -> (Vec<String>, Vec<String>) {
        let cmd = Cli::command();
        let subs: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        let mut flags: Vec<String> = cmd
            .get_arguments()
            .chain(cmd.get_subcommands().flat_map(|s| s.get_arguments()))
            .filter_map(|a| a.get_long().map(String::from))
            .collect();
        flags.sort();
        flags.dedup();
        (subs, flags)
    }

    #[test]
    fn every_shell_script_names_every_subcommand_and_flag() {
        let (subs, flags) = surface();
        assert!(subs.contains(&"tail".to_string()) && flags.contains(&"once".to_string()));
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
            clap_complete::Shell::Elvish,
        ] {
            let mut out = Vec::new();
            completions(shell, &mut out);
            let text = String::from_utf8(out).unwrap();
            for s in &subs {
                assert!(text.contains(s.as_str()), "{shell}: subcommand {s}");
            }
            for f in &flags {
                assert!(text.contains(f.as_str()), "{shell}: --{f}");
            }
        }
        let mut bash = Vec::new();
        completions(clap_complete::Shell::Bash, &mut bash);
        let head: Vec<&str> = std::str::from_utf8(&bash)
            .unwrap()
            .lines()
            .take(3)
            .collect();
        insta::assert_snapshot!("bash_completion_head", head.join("\n"));
    }

    #[test]
    fn the_man_pages_cover_every_command_and_flag() {
        let mut out = Vec::new();
        man_page(&mut out).unwrap();
        let top = String::from_utf8(out).unwrap();
        let head: Vec<&str> = top.lines().take(4).collect();
        insta::assert_snapshot!("man_page_head", head.join("\n"));
        let dir = tempfile::tempdir().unwrap();
        let files = man_pages(dir.path()).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        let (subs, flags) = surface();
        let mut all = top.clone();
        for s in &subs {
            assert!(names.contains(&format!("lamtop-{s}.1")), "{names:?}");
            all.push_str(
                &std::fs::read_to_string(dir.path().join(format!("lamtop-{s}.1"))).unwrap(),
            );
        }
        // roff escapes the dash of a flag: `\-\-once`.
        for f in &flags {
            let roff = format!("\\-\\-{}", f.replace('-', "\\-"));
            assert!(all.contains(&roff), "--{f} missing from the man pages");
        }
        assert!(man_pages(&dir.path().join("nope")).is_err());
    }
}
