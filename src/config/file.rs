//! Parsing one config file: TOML syntax, then unknown keys (so the message
//! can suggest the closest valid key), then types, then each value's range.

use super::rules::{RawRule, validate_rules};
use super::spans::{Source, duration_value};
use super::{ALARM_KEYS, AWS_KEYS, ConfigError, FileSettings, PRICE_KEYS, TOP_KEYS, suggest};
use crate::cli::ColorChoice;
use crate::model::alarms::AlarmRule;
use crate::model::insight::Prices;
use crate::source::aws::Timeouts;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// `profile = "prod"` or `profile = ["prod", "staging"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Profiles {
    One(String),
    Several(Vec<String>),
}

impl Profiles {
    /// As `--profile` takes them: comma-separated.
    fn joined(self) -> String {
        match self {
            Self::One(p) => p,
            Self::Several(list) => list.join(","),
        }
    }
}

/// The file as written, typed by serde, with spans for the messages.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    profile: Option<Profiles>,
    region: Option<String>,
    endpoint_url: Option<String>,
    functions: Option<Vec<String>>,
    window: Option<Spanned<String>>,
    refresh: Option<Spanned<String>>,
    color: Option<ColorChoice>,
    log_calls_per_second: Option<Spanned<f64>>,
    api_budget_per_hour: Option<Spanned<f64>>,
    log_buffer: Option<Spanned<i64>>,
    bell: Option<bool>,
    notify_command: Option<Spanned<Vec<String>>>,
    prices: Option<RawPrices>,
    once_deadline: Option<Spanned<String>>,
    report_dir: Option<String>,
    aws: Option<RawAws>,
    #[serde(default)]
    alarm: Vec<Spanned<RawRule>>,
    keys: Option<toml::Table>,
    theme: Option<toml::Value>,
}

/// The `[aws]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAws {
    connect_timeout: Option<Spanned<String>>,
    attempt_timeout: Option<Spanned<String>>,
    operation_timeout: Option<Spanned<String>>,
}

/// The `[prices]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrices {
    x86_gb_second: Option<Spanned<f64>>,
    arm64_gb_second: Option<Spanned<f64>>,
    per_million_requests: Option<Spanned<f64>>,
}

/// Parses and validates the text of the config file at `path`: its alarm
/// rules and its settings.
pub(super) fn parse(
    path: &Path,
    text: &str,
) -> Result<(Vec<AlarmRule>, FileSettings), ConfigError> {
    let (file, rules) = parse_file(path, text)?;
    let src = Source { path, text };
    let settings = settings_of(&src, file)?;
    Ok((rules, settings))
}

/// The TOML, its keys, its types and its alarm rules, in that order.
fn parse_file(path: &Path, text: &str) -> Result<(FileConfig, Vec<AlarmRule>), ConfigError> {
    let src = Source { path, text };
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| invalid_toml(&src, &e))?;
    check_keys(&src, &doc)?;
    let file: FileConfig = toml::from_str(text).map_err(|e| invalid_type(&src, &e))?;
    let rules = validate_rules(&src, &file.alarm)?;
    Ok((file, rules))
}

/// A syntax error: `file:line: invalid TOML: …`.
fn invalid_toml(src: &Source<'_>, e: &toml::de::Error) -> ConfigError {
    let line = e.span().map_or(1, |s| src.line_of(s.start));
    ConfigError(format!(
        "{}:{line}: invalid TOML: {}",
        src.path.display(),
        e.message().trim()
    ))
}

/// A type error from serde, named by the key on the line it points into.
fn invalid_type(src: &Source<'_>, e: &toml::de::Error) -> ConfigError {
    let text = src.text;
    let start = e.span().map_or(0, |s| s.start);
    let line_text = text[..start.min(text.len())]
        .rsplit('\n')
        .next()
        .unwrap_or("");
    let full_line = text[start.min(text.len())..]
        .split('\n')
        .next()
        .unwrap_or("");
    let key = format!("{line_text}{full_line}")
        .split('=')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    ConfigError(format!(
        "{}:{}: key '{key}': {}",
        src.path.display(),
        src.line_of(start),
        e.message().trim()
    ))
}

/// `unknown key 'k' in table`, with the closest valid key or the list.
fn unknown_key(
    src: &Source<'_>,
    key: &str,
    table: &str,
    valid: &[&str],
    from: usize,
) -> ConfigError {
    let hint = match suggest(key, valid) {
        Some(s) => format!(" — did you mean '{s}'?"),
        None => format!(" (valid keys: {})", valid.join(", ")),
    };
    ConfigError(format!(
        "{}:{}: unknown key '{key}' in {table}{hint}",
        src.path.display(),
        src.key_line(key, from)
    ))
}

/// Rejects unknown keys before typed parsing, so the message can suggest.
fn check_keys(src: &Source<'_>, doc: &toml::Table) -> Result<(), ConfigError> {
    for key in doc.keys() {
        if !TOP_KEYS.contains(&key.as_str()) {
            return Err(unknown_key(src, key, "the top level", &TOP_KEYS, 0));
        }
    }
    if let Some(toml::Value::Table(t)) = doc.get("prices") {
        let from = src.text.find("[prices]").unwrap_or(0);
        for key in t.keys() {
            if !PRICE_KEYS.contains(&key.as_str()) {
                return Err(unknown_key(src, key, "[prices]", &PRICE_KEYS, from));
            }
        }
    }
    if let Some(toml::Value::Table(t)) = doc.get("aws") {
        let from = src.text.find("[aws]").unwrap_or(0);
        for key in t.keys() {
            if !AWS_KEYS.contains(&key.as_str()) {
                return Err(unknown_key(src, key, "[aws]", &AWS_KEYS, from));
            }
        }
    }
    if let Some(toml::Value::Array(rules)) = doc.get("alarm") {
        check_alarm_keys(src, rules)?;
    }
    Ok(())
}

/// Unknown keys of the `[[alarm]]` tables; each table's keys are searched
/// from its own `[[alarm]]` header on, so the line is the right one.
fn check_alarm_keys(src: &Source<'_>, rules: &[toml::Value]) -> Result<(), ConfigError> {
    let headers: Vec<usize> = src
        .text
        .match_indices("[[alarm]]")
        .map(|(i, _)| i)
        .collect();
    for (i, rule) in rules.iter().enumerate() {
        if let toml::Value::Table(t) = rule {
            for key in t.keys() {
                if !ALARM_KEYS.contains(&key.as_str()) {
                    let from = headers.get(i).copied().unwrap_or(0);
                    return Err(unknown_key(src, key, "[[alarm]]", &ALARM_KEYS, from));
                }
            }
        }
    }
    Ok(())
}

/// The typed settings, each range-checked (in the order of the checks'
/// messages: log rate, log buffer, prices, notify command, window, refresh).
fn settings_of(src: &Source<'_>, file: FileConfig) -> Result<FileSettings, ConfigError> {
    let log_calls_per_second = log_calls_per_second(src, file.log_calls_per_second.as_ref())?;
    let api_budget_per_hour = api_budget_per_hour(src, file.api_budget_per_hour.as_ref())?;
    let log_buffer = log_buffer(src, file.log_buffer.as_ref())?;
    let prices = prices(src, file.prices.as_ref())?;
    let notify_command = notify_command(src, file.notify_command.as_ref())?;
    let once_deadline = ranged_duration(
        src,
        "once_deadline",
        file.once_deadline.as_ref(),
        (Duration::from_secs(1), Duration::from_secs(3600)),
    )?;
    let aws_timeouts = aws_timeouts(src, file.aws.as_ref())?;
    let keys = super::look::keys(src, file.keys.as_ref())?;
    let theme = super::look::theme(src, file.theme.as_ref())?;
    Ok(FileSettings {
        keys,
        theme,
        once_deadline,
        aws_timeouts,
        bell: file.bell,
        notify_command,
        prices,
        log_calls_per_second,
        api_budget_per_hour,
        log_buffer,
        window: optional_duration(src, "window", file.window.as_ref())?,
        refresh: optional_duration(src, "refresh", file.refresh.as_ref())?,
        profile: non_empty(file.profile.map(Profiles::joined)),
        region: non_empty(file.region),
        endpoint_url: non_empty(file.endpoint_url),
        functions: file.functions,
        color: file.color,
        report_dir: non_empty(file.report_dir).map(|d| home_expanded(&d)),
    })
}

/// `~/notes` as the home directory's `notes` (as a shell would).
fn home_expanded(dir: &str) -> std::path::PathBuf {
    match (dir.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(dir),
    }
}

/// `log_calls_per_second`, within what FilterLogEvents can sustain.
fn log_calls_per_second(
    src: &Source<'_>,
    v: Option<&Spanned<f64>>,
) -> Result<Option<f64>, ConfigError> {
    ranged_number(
        src,
        "log_calls_per_second",
        v,
        0.1..=25.0,
        "use 0.1 to 25 (FilterLogEvents allows about 5/s per account)",
    )
}

/// `api_budget_per_hour`, US dollars (0 = no limit).
fn api_budget_per_hour(
    src: &Source<'_>,
    v: Option<&Spanned<f64>>,
) -> Result<Option<f64>, ConfigError> {
    ranged_number(
        src,
        "api_budget_per_hour",
        v,
        0.0..=1000.0,
        "use 0 to 1000 US dollars per hour (0 = no limit)",
    )
}

/// A number within `range`; outside it, the line, the key, the value and
/// what to use instead.
fn ranged_number(
    src: &Source<'_>,
    key: &str,
    v: Option<&Spanned<f64>>,
    range: std::ops::RangeInclusive<f64>,
    what_to_use: &str,
) -> Result<Option<f64>, ConfigError> {
    match v {
        Some(v) if !range.contains(v.get_ref()) => Err(src.at(
            v.span(),
            key,
            format!("'{}' is out of range: {what_to_use}", v.get_ref()),
        )),
        v => Ok(v.map(|v| *v.get_ref())),
    }
}

/// `log_buffer`, a number of events kept per view.
fn log_buffer(src: &Source<'_>, v: Option<&Spanned<i64>>) -> Result<Option<usize>, ConfigError> {
    match v {
        Some(v) if !(100..=1_000_000).contains(v.get_ref()) => Err(src.at(
            v.span(),
            "log_buffer",
            format!(
                "'{}' is out of range: use 100 to 1000000 events",
                v.get_ref()
            ),
        )),
        v => Ok(v.map(|v| *v.get_ref() as usize)),
    }
}

/// The `[prices]` table merged over the defaults; each price finite, ≥ 0.
fn prices(src: &Source<'_>, raw: Option<&RawPrices>) -> Result<Prices, ConfigError> {
    let mut prices = Prices::default();
    let Some(p) = raw else {
        return Ok(prices);
    };
    for (key, v, slot) in [
        ("x86_gb_second", &p.x86_gb_second, &mut prices.x86_gb_second),
        (
            "arm64_gb_second",
            &p.arm64_gb_second,
            &mut prices.arm64_gb_second,
        ),
        (
            "per_million_requests",
            &p.per_million_requests,
            &mut prices.per_million_requests,
        ),
    ] {
        if let Some(v) = v {
            let x = *v.get_ref();
            if !x.is_finite() || x < 0.0 {
                return Err(src.at(
                    v.span(),
                    key,
                    format!("price '{x}' must be a finite number ≥ 0 (USD)"),
                ));
            }
            *slot = x;
        }
    }
    Ok(prices)
}

/// `notify_command`: a program (and arguments), allowed only in a file
/// other users cannot write.
fn notify_command(
    src: &Source<'_>,
    v: Option<&Spanned<Vec<String>>>,
) -> Result<Option<Vec<String>>, ConfigError> {
    match v {
        Some(c) if c.get_ref().is_empty() || c.get_ref()[0].trim().is_empty() => Err(src.at(
            c.span(),
            "notify_command",
            "give the program and its arguments, e.g. [\"/usr/local/bin/page\", \"--team\", \"oncall\"]",
        )),
        Some(c) => {
            refuse_writable_by_others(src.path)?;
            Ok(Some(c.get_ref().clone()))
        }
        None => Ok(None),
    }
}

/// The `[aws]` table merged over the defaults: each timeout within a
/// range that keeps lamtop responsive, and a call's whole timeout no
/// shorter than one attempt's (or no retry could ever run).
fn aws_timeouts(src: &Source<'_>, raw: Option<&RawAws>) -> Result<Timeouts, ConfigError> {
    let mut t = Timeouts::default();
    let Some(a) = raw else {
        return Ok(t);
    };
    let secs = Duration::from_secs;
    let ms = Duration::from_millis;
    if let Some(d) = ranged_duration(
        src,
        "connect_timeout",
        a.connect_timeout.as_ref(),
        (ms(100), secs(60)),
    )? {
        t.connect = d;
    }
    if let Some(d) = ranged_duration(
        src,
        "attempt_timeout",
        a.attempt_timeout.as_ref(),
        (secs(1), secs(600)),
    )? {
        t.attempt = d;
    }
    if let Some(d) = ranged_duration(
        src,
        "operation_timeout",
        a.operation_timeout.as_ref(),
        (secs(1), secs(1800)),
    )? {
        t.operation = d;
    }
    if t.operation < t.attempt {
        let span = a
            .operation_timeout
            .as_ref()
            .or(a.attempt_timeout.as_ref())
            .map_or(0..0, |v| v.span());
        return Err(src.at(
            span,
            "operation_timeout",
            format!(
                "'{}' is shorter than attempt_timeout '{}': a call's whole timeout must cover at least one attempt",
                humantime::format_duration(t.operation),
                humantime::format_duration(t.attempt)
            ),
        ));
    }
    Ok(t)
}

/// A duration-valued key within `[lo, hi]`, if present; the error names
/// the key, its line, the value as written and the range.
fn ranged_duration(
    src: &Source<'_>,
    key: &str,
    v: Option<&Spanned<String>>,
    (lo, hi): (Duration, Duration),
) -> Result<Option<Duration>, ConfigError> {
    let Some(v) = v else {
        return Ok(None);
    };
    let d = duration_value(src, key, v)?;
    if d < lo || d > hi {
        return Err(src.at(
            v.span(),
            key,
            format!(
                "'{}' is out of range: use {} to {}",
                v.get_ref(),
                humantime::format_duration(lo),
                humantime::format_duration(hi)
            ),
        ));
    }
    Ok(Some(d))
}

/// A duration-valued key, if present.
fn optional_duration(
    src: &Source<'_>,
    key: &str,
    v: Option<&Spanned<String>>,
) -> Result<Option<Duration>, ConfigError> {
    v.map(|w| duration_value(src, key, w)).transpose()
}

/// An empty string in the file means "not set".
fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// A config that can run a program must not be editable by other users:
/// anyone who could write it could run commands as you.
fn refuse_writable_by_others(path: &Path) -> Result<(), ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| ConfigError(format!("cannot stat '{}': {e}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o002 != 0 {
            return Err(ConfigError(format!(
                "{}: refusing a config with notify_command that other users can write (mode {:o}); run: chmod o-w '{}'",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    Ok(())
}
