//! The `:` command line: parsing and Tab completion.

use super::keymap::WINDOWS;
use crate::config::{parse_duration, suggest};
use crate::model::fleet::SortColumn;
use std::time::Duration;

/// The command names, the one list: parsing, completion, error messages
/// and the help screen's "Commands" section all read it.
pub const COMMANDS: &[&str] = &[
    "sort", "filter", "window", "since", "region", "refresh", "report", "help", "quit",
];

/// Regions offered by completion (any name is accepted).
const REGIONS: [&str; 17] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
];

/// A parsed command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `sort COLUMN [desc|asc]` (`-` prefix reverses too).
    Sort(SortColumn, bool),
    /// `filter PATTERN` (empty clears).
    Filter(String),
    /// `window 15m|1h|…`.
    Window(Duration),
    /// `since 15m|1h|window`: how far back the log pane reads.
    Since(Since),
    /// `region NAME`.
    Region(String),
    /// `refresh`.
    Refresh,
    /// `report [PATH]`: the incident report, into PATH (a new file, or a
    /// directory) or the report directory.
    Report(Option<String>),
    /// `help`.
    Help,
    /// `quit` / `q`.
    Quit,
}

/// Parses a command line (without the `:`); the error says what is wrong.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (name, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let arg = arg.trim();
    // An exact name, or a prefix that names exactly one command.
    let prefixed: Vec<&str> = COMMANDS
        .iter()
        .copied()
        .filter(|c| !name.is_empty() && c.starts_with(name))
        .collect();
    let full = match prefixed[..] {
        _ if COMMANDS.contains(&name) => Some(name),
        [only] => Some(only),
        _ => None,
    };
    match full {
        Some("sort") => {
            let (col, rev) = match arg.split_whitespace().collect::<Vec<_>>()[..] {
                [c] => (c, false),
                [c, "asc"] | [c, "reverse"] | [c, "rev"] => (c, true),
                [c, "desc"] => (c, false),
                _ => {
                    return Err(format!(
                        "usage: sort COLUMN [asc] — columns: {}",
                        SortColumn::names().join(", ")
                    ));
                }
            };
            let (col, rev) = match col.strip_prefix('-') {
                Some(c) => (c, !rev),
                None => (col, rev),
            };
            SortColumn::parse(col)
                .map(|c| Command::Sort(c, rev))
                .ok_or_else(|| {
                    let names = SortColumn::names();
                    match suggest(col, &names) {
                        Some(s) => format!("unknown column '{col}' — did you mean '{s}'?"),
                        None => format!("unknown column '{col}' (columns: {})", names.join(", ")),
                    }
                })
        }
        Some("filter") => Ok(Command::Filter(arg.to_string())),
        Some("window") => {
            let d = parse_duration(arg)?;
            if d < Duration::from_secs(60) || d > Duration::from_secs(15 * 86_400) {
                return Err(format!(
                    "window '{arg}' is out of range: use between 1m and 15d"
                ));
            }
            Ok(Command::Window(d))
        }
        Some("since") => parse_since(arg).map(Command::Since),
        Some("region") if !arg.is_empty() => Ok(Command::Region(arg.to_string())),
        Some("region") => Err("usage: region NAME (e.g. region eu-west-1)".into()),
        Some("refresh") => Ok(Command::Refresh),
        Some("report") => Ok(Command::Report((!arg.is_empty()).then(|| arg.to_string()))),
        Some("help") => Ok(Command::Help),
        Some("quit") => Ok(Command::Quit),
        _ if name == "q" || name == "q!" => Ok(Command::Quit),
        _ => Err(match suggest(name, COMMANDS) {
            Some(s) => format!("unknown command '{name}' — did you mean '{s}'?"),
            None => format!(
                "unknown command '{name}' (commands: {})",
                COMMANDS.join(", ")
            ),
        }),
    }
}

/// How far back the log pane reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// This long before now.
    Ago(Duration),
    /// The metrics window.
    Window,
}

/// The longest the log pane reaches back at once: CloudWatch keeps logs
/// for as long as the group's retention, but a pane is for an incident.
const MAX_SINCE: Duration = Duration::from_secs(7 * 86_400);

/// `15m`, `1h`, `2d` or `window`; the error names the value and the range.
fn parse_since(arg: &str) -> Result<Since, String> {
    if arg == "window" {
        return Ok(Since::Window);
    }
    if arg.is_empty() {
        return Err("usage: since 15m|1h|window (how far back the log pane reads)".into());
    }
    let d = parse_duration(arg)?;
    if d < Duration::from_secs(60) || d > MAX_SINCE {
        return Err(format!(
            "since '{arg}' is out of range: use 1m to 7d, or window"
        ));
    }
    Ok(Since::Ago(d))
}

/// The longest common prefix of the candidates starting with `word`.
fn complete_word(word: &str, candidates: &[&str]) -> Option<String> {
    let hits: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.starts_with(word))
        .collect();
    let first = *hits.first()?;
    let mut prefix = first.to_string();
    for h in &hits[1..] {
        while !h.starts_with(&prefix) {
            prefix.pop();
        }
    }
    Some(if hits.len() == 1 {
        format!("{first} ")
    } else {
        prefix
    })
}

/// Completes the last word of `line`: command names first, then the
/// arguments of `sort`, `window`, `since`, `region` and `filter`
/// (function names).
pub fn complete(line: &str, functions: &[&str]) -> String {
    let (head, last, candidates) = words_of(line, functions);
    match complete_word(last, &candidates) {
        Some(done) if head.is_empty() => done,
        Some(done) => format!("{head} {done}"),
        None => line.to_string(),
    }
}

/// The candidates for the last word of `line` (what Tab cycles through
/// when completion alone cannot decide), and the line before that word.
pub fn candidates(line: &str, functions: &[&str]) -> (String, Vec<String>) {
    let (head, last, all) = words_of(line, functions);
    let hits = all
        .iter()
        .filter(|c| c.starts_with(last))
        .map(|c| c.to_string())
        .collect();
    (head.to_string(), hits)
}

/// `line` split into the words before the last, the last word, and what
/// that word may be.
fn words_of<'a>(line: &'a str, functions: &[&'a str]) -> (&'a str, &'a str, Vec<&'a str>) {
    let words: Vec<&str> = line.split(' ').collect();
    if words.len() <= 1 {
        return ("", line, COMMANDS.to_vec());
    }
    let (head, last) = line.rsplit_once(' ').unwrap_or(("", line));
    let candidates: Vec<&str> = match words[0] {
        "sort" => SortColumn::names(),
        "window" => WINDOWS.iter().map(|(n, _)| *n).collect(),
        "since" => vec!["15m", "1h", "3h", "12h", "24h", "window"],
        "region" => REGIONS.to_vec(),
        "filter" => functions.to_vec(),
        _ => Vec::new(),
    };
    (head, last, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_names_bad_input() {
        assert_eq!(parse("sort p99"), Ok(Command::Sort(SortColumn::P99, false)));
        assert_eq!(
            parse("sort -name"),
            Ok(Command::Sort(SortColumn::Name, true))
        );
        assert_eq!(
            parse("window 3h"),
            Ok(Command::Window(Duration::from_secs(10_800)))
        );
        assert_eq!(parse("filter api"), Ok(Command::Filter("api".into())));
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(
            parse("region eu-west-1"),
            Ok(Command::Region("eu-west-1".into()))
        );
        assert!(parse("sort p98").unwrap_err().contains("'p98'"));
        assert!(parse("window soon").unwrap_err().contains("'soon'"));
        assert!(parse("srot x").unwrap_err().contains("did you mean 'sort'"));
    }

    #[test]
    fn completes_commands_and_arguments() {
        assert_eq!(complete("so", &[]), "sort ");
        assert_eq!(complete("sort p9", &[]), "sort p9");
        assert_eq!(complete("sort thr", &[]), "sort throttles ");
        assert_eq!(complete("window 1", &[]), "window 1");
        assert_eq!(complete("window 12", &[]), "window 12h ");
        assert_eq!(
            complete("filter ord", &["orders-api", "orders-web", "cart"]),
            "filter orders-"
        );
        assert_eq!(complete("region eu-c", &[]), "region eu-central-1 ");
    }
}
