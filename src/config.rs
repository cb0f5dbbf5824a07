//! Settings: locate and parse the TOML config file (unknown keys rejected,
//! with the closest valid key suggested), merge it under the command line
//! and environment (one rule for every field: CLI > environment > file >
//! default), and validate everything, naming the file, line, key and value.
//!
//! This module merges; `file` parses one config file (syntax, keys, types,
//! ranges), `rules` checks its `[[alarm]]` tables, and `spans` turns byte
//! offsets into the line numbers every message names.

use crate::cli::{Cli, ColorChoice};
use crate::model::alarms::{AlarmRule, Severity};
use crate::model::fleet::SortColumn;
use crate::model::function::FunctionFilter;
use crate::model::insight::Prices;
use crate::source::aws::Timeouts;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod file;
mod look;
mod rules;
mod spans;

/// A configuration problem; the message is the whole user-facing text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Top-level keys of the config file.
pub const TOP_KEYS: [&str; 19] = [
    "profile",
    "region",
    "endpoint_url",
    "functions",
    "window",
    "refresh",
    "color",
    "log_calls_per_second",
    "api_budget_per_hour",
    "log_buffer",
    "bell",
    "notify_command",
    "prices",
    "once_deadline",
    "report_dir",
    "aws",
    "alarm",
    "keys",
    "theme",
];
/// Keys of the `[aws]` table.
pub const AWS_KEYS: [&str; 3] = ["connect_timeout", "attempt_timeout", "operation_timeout"];
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
/// How long `--once` waits for the whole snapshot by default.
pub const DEFAULT_ONCE_DEADLINE: Duration = Duration::from_secs(120);
/// The `--once` deadline's range: a snapshot needs a few calls, and a
/// cron job must not hang for hours.
const ONCE_DEADLINE_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(1)..=Duration::from_secs(3600);

/// Everything a face needs to know, merged and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// AWS profile as given (`prod`, or `prod,staging` for several).
    pub profile: Option<String>,
    /// The profiles, when several are watched as one fleet (empty with
    /// one or none: the default chain or `profile` alone).
    pub profiles: Vec<String>,
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
    /// What the dashboard may spend on GetMetricData, USD per hour
    /// (`None`: no limit; `--api-budget 0`).
    pub api_budget: Option<f64>,
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
    /// `--deadline` / `once_deadline`: the longest a `--once` snapshot may
    /// take; then what arrived is printed, the rest marked missing.
    pub once_deadline: Duration,
    /// `[aws]`: how long one AWS call may take (every face).
    pub aws_timeouts: Timeouts,
    /// `report_dir`: where incident reports go when no file is named
    /// (default: the current directory).
    pub report_dir: PathBuf,
    /// `[keys]`: the dashboard's rebindings, checked by the dashboard
    /// against its key table (which knows the actions and contexts).
    pub keys: Vec<KeyOverride>,
    /// `theme` / `[theme]` / `--theme`: the dashboard's colours, checked by
    /// the dashboard against its built-in themes.
    pub theme: ThemeChoice,
}

/// One line of the `[keys]` table: `action = "key"` or `action = ["k", "k2"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOverride {
    /// The action as the table names it (`open`, `filter`, `down` …).
    pub action: String,
    /// The keys as written (`o`, `ctrl-f`, `pgdn` …).
    pub keys: Vec<String>,
    /// The config file, for messages.
    pub file: PathBuf,
    /// The line of this entry, for messages.
    pub line: usize,
}

/// The colours asked for: a built-in theme and single colours over it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThemeChoice {
    /// `--theme`, `theme = "…"` or `[theme] base = "…"` (`None`: dark).
    pub base: Option<String>,
    /// Where `base` was written (`None`: the command line or nowhere).
    pub base_at: Option<(PathBuf, usize)>,
    /// `[theme]` entries other than `base`, in file order.
    pub colors: Vec<ColorSetting>,
}

/// One colour of the `[theme]` table: `alarm = "red"`, `series = ["cyan", …]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColorSetting {
    /// The semantic name (`alarm`, `warning`, `selection` …).
    pub name: String,
    /// The colours as written.
    pub values: Vec<String>,
    /// The config file, for messages.
    pub file: PathBuf,
    /// The line of this entry, for messages.
    pub line: usize,
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

/// Parses `15m`, `1h`, `3d`, `90s`; the error names the value and the fix.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|_| format!("invalid duration '{s}' (use e.g. 90s, 15m, 1h, 3d)"))
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
    let (rules, settings) = file::parse(path, &text)?;
    Ok((Some(path.to_path_buf()), rules, settings))
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
    /// `api_budget_per_hour`
    pub api_budget_per_hour: Option<f64>,
    /// `log_buffer`
    pub log_buffer: Option<usize>,
    /// `bell`
    pub bell: Option<bool>,
    /// `notify_command`
    pub notify_command: Option<Vec<String>>,
    /// `[prices]` merged over the defaults.
    pub prices: Prices,
    /// `once_deadline`
    pub once_deadline: Option<Duration>,
    /// `[aws]` merged over the defaults.
    pub aws_timeouts: Timeouts,
    /// `report_dir` (`~/` expanded).
    pub report_dir: Option<PathBuf>,
    /// `[keys]`, in file order.
    pub keys: Vec<KeyOverride>,
    /// `theme` / `[theme]`.
    pub theme: ThemeChoice,
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
    // `lamtop errors` and `lamtop report` take their window (and `errors`
    // its functions) after the subcommand.
    let (cli_window, cli_functions) = match &cli.command {
        Some(crate::cli::Mode::Report(a)) => (
            a.window.clone().or_else(|| cli.window.clone()),
            cli.functions.clone(),
        ),
        Some(crate::cli::Mode::Errors(a)) => (
            a.window.clone().or_else(|| cli.window.clone()),
            if a.functions.is_empty() {
                cli.functions.clone()
            } else {
                a.functions.clone()
            },
        ),
        _ => (cli.window.clone(), cli.functions.clone()),
    };
    let window = cli_duration(&cli_window, "window")?
        .or(file.window)
        .unwrap_or(DEFAULT_WINDOW);
    if window < Duration::from_secs(60) || window > MAX_WINDOW {
        // Named as it was typed (`20d`, not `20days`).
        let typed = cli_window
            .clone()
            .unwrap_or_else(|| humantime::format_duration(window).to_string());
        return Err(ConfigError(format!(
            "window '{typed}' is out of range: use between 1m and 15d"
        )));
    }
    let refresh = cli_duration(&cli.refresh, "refresh")?
        .or(file.refresh)
        .unwrap_or(DEFAULT_REFRESH);
    if refresh < MIN_REFRESH {
        let typed = cli
            .refresh
            .clone()
            .unwrap_or_else(|| humantime::format_duration(refresh).to_string());
        return Err(ConfigError(format!(
            "refresh '{typed}' is too fast: Lambda metrics change once per minute; use at least 10s"
        )));
    }
    let functions = if cli_functions.is_empty() {
        file.functions.unwrap_or_default()
    } else {
        cli_functions
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
    let profile = cli.profile.clone().or(file.profile);
    let sort = cli.sort.as_deref().map(parse_sort_column).transpose()?;
    let once_deadline = cli_duration(&cli.deadline, "deadline")?
        .or(file.once_deadline)
        .unwrap_or(DEFAULT_ONCE_DEADLINE);
    if !ONCE_DEADLINE_RANGE.contains(&once_deadline) {
        return Err(ConfigError(format!(
            "--deadline '{}' is out of range: use 1s to 1h",
            cli.deadline.as_deref().unwrap_or_default()
        )));
    }
    let fail_on_alarm = cli.fail_on_alarm.as_deref().map(|s| match s {
        "critical" => Severity::Critical,
        _ => Severity::Warning,
    });
    Ok(Settings {
        profiles: parse_profiles(&profile)?,
        profile,
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
        api_budget: api_budget(cli.api_budget.as_deref(), file.api_budget_per_hour)?,
        log_capacity: file
            .log_buffer
            .unwrap_or(crate::store::logbuf::DEFAULT_CAPACITY),
        bell: file.bell.unwrap_or(false),
        notify_command: file.notify_command,
        prices: file.prices,
        alarm_log: cli.alarm_log.clone(),
        sort,
        fail_on_alarm,
        once_deadline,
        aws_timeouts: file.aws_timeouts,
        report_dir: file.report_dir.unwrap_or_else(|| PathBuf::from(".")),
        keys: file.keys,
        theme: match &cli.theme {
            Some(name) => ThemeChoice {
                base: Some(name.clone()),
                base_at: None,
                ..file.theme
            },
            None => file.theme,
        },
    })
}

/// `region = "a"` or `--region a,b`: the list, each entry checked.
/// The metrics budget: `--api-budget` (USD per hour) over the file's
/// `api_budget_per_hour`, else the default; 0 means no limit.
fn api_budget(cli: Option<&str>, file: Option<f64>) -> Result<Option<f64>, ConfigError> {
    let value = match cli {
        Some(typed) => match typed.trim().trim_start_matches('$').parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=1000.0).contains(&v) => v,
            _ => {
                return Err(ConfigError(format!(
                    "--api-budget '{typed}' is not a budget: give US dollars per hour \
                     from 0 to 1000, e.g. 0.5 (0 = no limit)"
                )));
            }
        },
        None => file.unwrap_or(crate::model::budget::DEFAULT_BUDGET_PER_HOUR),
    };
    Ok((value > 0.0).then_some(value))
}

/// `prod,staging` as the profiles of one fleet; one profile (or none)
/// is no list. Empty and repeated names are refused.
fn parse_profiles(profile: &Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(p) = profile.as_deref().filter(|p| p.contains(',')) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<String> = Vec::new();
    for name in p.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(ConfigError(format!(
                "--profile '{p}' has an empty name: list profiles as prod,staging"
            )));
        }
        if out.iter().any(|o| o == name) {
            return Err(ConfigError(format!(
                "--profile '{p}' names '{name}' twice: list each profile once"
            )));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

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
