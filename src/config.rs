//! Settings: locate and parse the TOML config file (unknown keys rejected,
//! with the closest valid key suggested), merge it under the command line
//! and environment (one rule for every field: CLI > environment > file >
//! default), and validate everything, naming the file, line, key and value.

use crate::cli::{Cli, ColorChoice};
use crate::model::alarms::{AlarmRule, Op, RULE_METRICS, RuleMetric, Severity};
use crate::model::fleet::SortColumn;
use crate::model::function::FunctionFilter;
use crate::model::insight::Prices;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// A configuration problem; the message is the whole user-facing text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Top-level keys of the config file.
pub const TOP_KEYS: [&str; 13] = [
    "profile",
    "region",
    "endpoint_url",
    "functions",
    "window",
    "refresh",
    "color",
    "log_calls_per_second",
    "log_buffer",
    "bell",
    "notify_command",
    "prices",
    "alarm",
];
/// Keys of the `[prices]` table.
pub const PRICE_KEYS: [&str; 3] = ["x86_gb_second", "arm64_gb_second", "per_million_requests"];
/// Keys of one `[[alarm]]` table.
pub const ALARM_KEYS: [&str; 8] = [
    "name",
    "functions",
    "metric",
    "op",
    "threshold",
    "period",
    "for",
    "severity",
];

const DEFAULT_WINDOW: Duration = Duration::from_secs(3600);
const DEFAULT_REFRESH: Duration = Duration::from_secs(60);
const MIN_REFRESH: Duration = Duration::from_secs(10);
const MAX_WINDOW: Duration = Duration::from_secs(15 * 86_400);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    functions: Option<Vec<String>>,
    window: Option<Spanned<String>>,
    refresh: Option<Spanned<String>>,
    color: Option<ColorChoice>,
    log_calls_per_second: Option<Spanned<f64>>,
    log_buffer: Option<Spanned<i64>>,
    bell: Option<bool>,
    notify_command: Option<Spanned<Vec<String>>>,
    prices: Option<RawPrices>,
    #[serde(default)]
    alarm: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrices {
    x86_gb_second: Option<Spanned<f64>>,
    arm64_gb_second: Option<Spanned<f64>>,
    per_million_requests: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    functions: Option<Spanned<String>>,
    metric: Spanned<String>,
    op: Spanned<String>,
    threshold: Spanned<f64>,
    period: Option<Spanned<String>>,
    #[serde(rename = "for")]
    hold_for: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
}

/// Everything a face needs to know, merged and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// AWS profile.
    pub profile: Option<String>,
    /// AWS regions: none (the SDK's default chain), one, or several
    /// (`--region a,b`: one fleet, names qualified by region).
    pub regions: Vec<String>,
    /// Explicit endpoint for every service.
    pub endpoint_url: Option<String>,
    /// The config file that was read, if any.
    pub config_path: Option<PathBuf>,
    /// Function globs.
    pub functions: Vec<String>,
    /// Compiled globs.
    pub filter: FunctionFilter,
    /// Metrics window.
    pub window: Duration,
    /// Metrics refresh interval.
    pub refresh: Duration,
    /// Colour choice (before NO_COLOR and TTY detection).
    pub color: ColorChoice,
    /// Use the demo fleet.
    pub demo: bool,
    /// Demo seed.
    pub demo_seed: u64,
    /// lamtop alarm rules.
    pub alarms: Vec<AlarmRule>,
    /// Most FilterLogEvents calls per second (all log polling together).
    pub log_calls_per_second: f64,
    /// Log events kept per view.
    pub log_capacity: usize,
    /// Ring the terminal bell when an alarm starts firing.
    pub bell: bool,
    /// Program and arguments run when an alarm starts firing.
    pub notify_command: Option<Vec<String>>,
    /// Prices for cost estimates.
    pub prices: Prices,
    /// `--alarm-log`: append alarm changes as JSON lines here.
    pub alarm_log: Option<PathBuf>,
    /// `--sort` column of the snapshot (`None`: errors, then invocations).
    pub sort: Option<SortColumn>,
    /// `--fail-on-alarm [SEVERITY]`: the least severity of a FIRING rule
    /// that fails a `--once` run (CloudWatch alarms in ALARM always do).
    pub fail_on_alarm: Option<Severity>,
}

/// A parsed config file with its text (for line numbers in messages).
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn at(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        msg: impl std::fmt::Display,
    ) -> ConfigError {
        ConfigError(format!(
            "{}:{}: key '{key}': {msg}",
            self.path.display(),
            self.line_of(span.start)
        ))
    }

    /// Line of the first `key = …` after `from`, for keys serde gives no span for.
    fn key_line(&self, key: &str, from: usize) -> usize {
        let mut offset = 0;
        for line in self.text.lines() {
            let here = offset;
            offset += line.len() + 1;
            if here < from {
                continue;
            }
            let t = line.trim_start();
            if t.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
            {
                return self.line_of(here);
            }
        }
        self.line_of(from)
    }
}

/// The closest of `valid` to `bad`, if close enough to be a likely typo.
pub fn suggest<'a>(bad: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .map(|v| (strsim::damerau_levenshtein(bad, v), *v))
        .filter(|(d, v)| *d <= 2.max(v.len() / 3))
        .min()
        .map(|(_, v)| v)
}

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
    if let Some(toml::Value::Array(rules)) = doc.get("alarm") {
        // Each [[alarm]] header starts a table; search keys from its header on.
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
    }
    Ok(())
}

fn parse_file(path: &Path, text: &str) -> Result<(FileConfig, Vec<AlarmRule>), ConfigError> {
    let src = Source { path, text };
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map_or(1, |s| src.line_of(s.start));
        ConfigError(format!(
            "{}:{line}: invalid TOML: {}",
            path.display(),
            e.message().trim()
        ))
    })?;
    check_keys(&src, &doc)?;
    let file: FileConfig = toml::from_str(text).map_err(|e| {
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
            path.display(),
            src.line_of(start),
            e.message().trim()
        ))
    })?;
    let rules = validate_rules(&src, &file.alarm)?;
    Ok((file, rules))
}

fn duration_value(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<String>,
) -> Result<Duration, ConfigError> {
    parse_duration(v.get_ref()).map_err(|m| src.at(v.span(), key, m))
}

/// Parses `15m`, `1h`, `3d`, `90s`; the error names the value and the fix.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|_| format!("invalid duration '{s}' (use e.g. 90s, 15m, 1h, 3d)"))
}

fn validate_rules(
    src: &Source<'_>,
    raw: &[Spanned<RawRule>],
) -> Result<Vec<AlarmRule>, ConfigError> {
    let mut out: Vec<AlarmRule> = Vec::new();
    for r in raw.iter().map(Spanned::get_ref) {
        let name = r.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(src.at(r.name.span(), "name", "an alarm needs a non-empty name"));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(src.at(
                r.name.span(),
                "name",
                format!("duplicate alarm name '{name}'"),
            ));
        }
        let functions = r
            .functions
            .as_ref()
            .map_or("*".to_string(), |f| f.get_ref().clone());
        if let Err(m) = FunctionFilter::new(std::slice::from_ref(&functions)) {
            let span = r.functions.as_ref().map_or(r.name.span(), Spanned::span);
            return Err(src.at(span, "functions", m));
        }
        let metric_name = r.metric.get_ref().as_str();
        let Some(metric) = RuleMetric::parse(metric_name) else {
            let metric = metric_name;
            let hint = suggest(metric, &RULE_METRICS).map_or_else(
                || format!("one of {}", RULE_METRICS.join(", ")),
                |s| format!("did you mean '{s}'?"),
            );
            return Err(src.at(
                r.metric.span(),
                "metric",
                format!("unknown metric '{metric}' — {hint}"),
            ));
        };
        let op = Op::parse(r.op.get_ref()).ok_or_else(|| {
            src.at(
                r.op.span(),
                "op",
                format!("invalid operator '{}' (use >, >=, < or <=)", r.op.get_ref()),
            )
        })?;
        let threshold = *r.threshold.get_ref();
        if !threshold.is_finite() {
            return Err(src.at(
                r.threshold.span(),
                "threshold",
                format!("threshold must be a finite number, not '{threshold}'"),
            ));
        }
        let period = match &r.period {
            Some(p) => duration_value(src, "period", p)?,
            None => Duration::from_secs(300),
        };
        if period < Duration::from_secs(60) {
            let span = r.period.as_ref().map_or(0..0, Spanned::span);
            return Err(src.at(span, "period", "period must be at least 1m"));
        }
        let hold_for = match &r.hold_for {
            Some(p) => duration_value(src, "for", p)?,
            None => Duration::ZERO,
        };
        let severity = match r
            .severity
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span()))
        {
            None | Some(("warning", _)) => Severity::Warning,
            Some(("critical", _)) => Severity::Critical,
            Some((other, span)) => {
                return Err(src.at(
                    span,
                    "severity",
                    format!("invalid severity '{other}' (use warning or critical)"),
                ));
            }
        };
        out.push(AlarmRule {
            name,
            functions,
            metric,
            op,
            threshold,
            period,
            hold_for,
            severity,
        });
    }
    Ok(out)
}

/// The config file to read: `--config`/`LAMTOP_CONFIG` (must exist), else the
/// XDG default (read only if present).
fn locate(cli: &Cli) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(p) = &cli.config {
        if !p.is_file() {
            return Err(ConfigError(format!(
                "config file '{}' not found (check --config or LAMTOP_CONFIG)",
                p.display()
            )));
        }
        return Ok(Some(p.clone()));
    }
    Ok(dirs::config_dir()
        .map(|d| d.join("lamtop").join("config.toml"))
        .filter(|p| p.is_file()))
}

/// Reads and validates one config file (also used by tests on the example).
pub fn load_file(
    path: &Path,
) -> Result<(Option<PathBuf>, Vec<AlarmRule>, FileSettings), ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read config file '{}': {e}", path.display())))?;
    let (file, rules) = parse_file(path, &text)?;
    let src = Source { path, text: &text };
    let log_calls_per_second = match &file.log_calls_per_second {
        Some(v) if !(0.1..=25.0).contains(v.get_ref()) => {
            return Err(src.at(v.span(), "log_calls_per_second", format!("'{}' is out of range: use 0.1 to 25 (FilterLogEvents allows about 5/s per account)", v.get_ref())));
        }
        v => v.as_ref().map(|v| *v.get_ref()),
    };
    let log_buffer = match &file.log_buffer {
        Some(v) if !(100..=1_000_000).contains(v.get_ref()) => {
            return Err(src.at(
                v.span(),
                "log_buffer",
                format!(
                    "'{}' is out of range: use 100 to 1000000 events",
                    v.get_ref()
                ),
            ));
        }
        v => v.as_ref().map(|v| *v.get_ref() as usize),
    };
    let mut prices = Prices::default();
    if let Some(p) = &file.prices {
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
    }
    let notify_command = match &file.notify_command {
        Some(c) if c.get_ref().is_empty() || c.get_ref()[0].trim().is_empty() => {
            return Err(src.at(
                c.span(),
                "notify_command",
                "give the program and its arguments, e.g. [\"/usr/local/bin/page\", \"--team\", \"oncall\"]",
            ));
        }
        Some(c) => {
            refuse_writable_by_others(path)?;
            Some(c.get_ref().clone())
        }
        None => None,
    };
    let settings = FileSettings {
        bell: file.bell,
        notify_command,
        prices,
        log_calls_per_second,
        log_buffer,
        window: file
            .window
            .as_ref()
            .map(|w| duration_value(&src, "window", w))
            .transpose()?,
        refresh: file
            .refresh
            .as_ref()
            .map(|w| duration_value(&src, "refresh", w))
            .transpose()?,
        profile: non_empty(file.profile),
        region: non_empty(file.region),
        endpoint_url: non_empty(file.endpoint_url),
        functions: file.functions,
        color: file.color,
    };
    Ok((Some(path.to_path_buf()), rules, settings))
}

/// An empty string in the file means "not set".
fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// The settable fields of a config file, typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSettings {
    /// `profile`
    pub profile: Option<String>,
    /// `region`
    pub region: Option<String>,
    /// `endpoint_url`
    pub endpoint_url: Option<String>,
    /// `functions`
    pub functions: Option<Vec<String>>,
    /// `window`
    pub window: Option<Duration>,
    /// `refresh`
    pub refresh: Option<Duration>,
    /// `color`
    pub color: Option<ColorChoice>,
    /// `log_calls_per_second`
    pub log_calls_per_second: Option<f64>,
    /// `log_buffer`
    pub log_buffer: Option<usize>,
    /// `bell`
    pub bell: Option<bool>,
    /// `notify_command`
    pub notify_command: Option<Vec<String>>,
    /// `[prices]` merged over the defaults.
    pub prices: Prices,
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

/// Whether any `AWS_ENDPOINT_URL*` variable is set (then the environment,
/// which the SDK reads itself, outranks the file's `endpoint_url`).
fn endpoint_env_set() -> bool {
    std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("AWS_ENDPOINT_URL"))
}

/// Merges CLI (which clap already merged with its environment variables),
/// file and defaults, and validates the result.
pub fn resolve(cli: &Cli) -> Result<Settings, ConfigError> {
    let (config_path, alarms, file) = match locate(cli)? {
        Some(p) => load_file(&p)?,
        None => (None, Vec::new(), FileSettings::default()),
    };
    let cli_duration = |v: &Option<String>, flag: &str| -> Result<Option<Duration>, ConfigError> {
        v.as_deref()
            .map(|s| parse_duration(s).map_err(|m| ConfigError(format!("--{flag}: {m}"))))
            .transpose()
    };
    let window = cli_duration(&cli.window, "window")?
        .or(file.window)
        .unwrap_or(DEFAULT_WINDOW);
    if window < Duration::from_secs(60) || window > MAX_WINDOW {
        return Err(ConfigError(format!(
            "window '{}' is out of range: use between 1m and 15d",
            humantime::format_duration(window)
        )));
    }
    let refresh = cli_duration(&cli.refresh, "refresh")?
        .or(file.refresh)
        .unwrap_or(DEFAULT_REFRESH);
    if refresh < MIN_REFRESH {
        return Err(ConfigError(format!(
            "refresh '{}' is too fast: Lambda metrics change once per minute; use at least 10s",
            humantime::format_duration(refresh)
        )));
    }
    let functions = if cli.functions.is_empty() {
        file.functions.unwrap_or_default()
    } else {
        cli.functions.clone()
    };
    let filter = FunctionFilter::new(&functions).map_err(ConfigError)?;
    let endpoint_url = cli.endpoint_url.clone().or_else(|| {
        if endpoint_env_set() {
            None
        } else {
            file.endpoint_url
        }
    });
    let regions = parse_regions(cli.region.clone().or(file.region))?;
    let sort = cli.sort.as_deref().map(parse_sort_column).transpose()?;
    let fail_on_alarm = cli.fail_on_alarm.as_deref().map(|s| match s {
        "critical" => Severity::Critical,
        _ => Severity::Warning,
    });
    Ok(Settings {
        profile: cli.profile.clone().or(file.profile),
        regions,
        endpoint_url,
        config_path,
        functions,
        filter,
        window,
        refresh,
        color: cli.color.or(file.color).unwrap_or(ColorChoice::Auto),
        demo: cli.demo,
        demo_seed: cli.demo_seed.unwrap_or(1),
        alarms,
        log_calls_per_second: file.log_calls_per_second.unwrap_or(3.0),
        log_capacity: file
            .log_buffer
            .unwrap_or(crate::store::logbuf::DEFAULT_CAPACITY),
        bell: file.bell.unwrap_or(false),
        notify_command: file.notify_command,
        prices: file.prices,
        alarm_log: cli.alarm_log.clone(),
        sort,
        fail_on_alarm,
    })
}

/// `region = "a"` or `--region a,b`: the list, each entry checked.
fn parse_regions(region: Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(r) = region else {
        return Ok(Vec::new());
    };
    if !r.contains(',') {
        return Ok(vec![r]);
    }
    let list: Vec<String> = r.split(',').map(|x| x.trim().to_string()).collect();
    if let Some(bad) = list
        .iter()
        .find(|x| x.is_empty() || x.contains('@') || x.contains(' '))
    {
        return Err(ConfigError(format!(
            "region list '{r}' has an invalid entry '{bad}': use e.g. us-east-1,eu-west-1"
        )));
    }
    if let Some((_, dup)) = list
        .iter()
        .enumerate()
        .find(|(i, x)| list[..*i].contains(x))
    {
        return Err(ConfigError(format!(
            "region list '{r}' names '{dup}' twice"
        )));
    }
    Ok(list)
}

/// Parses a `--sort` value; the error names it and suggests the closest column.
pub fn parse_sort_column(c: &str) -> Result<SortColumn, ConfigError> {
    SortColumn::parse(c).ok_or_else(|| {
        let names = SortColumn::names();
        let hint = suggest(c, &names)
            .map(|s| format!(" — did you mean '{s}'?"))
            .unwrap_or_default();
        ConfigError(format!(
            "--sort: unknown column '{c}'{hint} (columns: {})",
            names.join(", ")
        ))
    })
}

#[cfg(test)]
mod tests;
