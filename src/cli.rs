//! The whole command-line surface. Values here are raw: `config.rs` merges
//! them with the environment and the config file and validates them.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// `top` for AWS Lambda: the fleet at a glance, its alarms, logs and traces.
#[derive(Debug, Clone, Parser)]
#[command(name = "lamtop", version, about, long_about = None)]
pub struct Cli {
    /// AWS profile (default: AWS_PROFILE, then the SDK default). Several,
    /// comma-separated (prod,staging), are watched as one fleet with an
    /// ACCOUNT column (with several regions: every profile × region).
    #[arg(long, env = "AWS_PROFILE", global = true)]
    pub profile: Option<String>,

    /// AWS region (default: AWS_REGION, then the profile's region).
    /// Several, comma-separated (us-east-1,eu-west-1), are watched as one
    /// fleet with a region column.
    #[arg(long, env = "AWS_REGION", global = true)]
    pub region: Option<String>,

    /// Endpoint for every AWS service, e.g. a local emulator. Without it the
    /// SDK honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Config file (default: $LAMTOP_CONFIG, else <XDG config dir>/lamtop/config.toml).
    #[arg(long, env = "LAMTOP_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Limit the fleet to functions matching this glob (repeatable).
    #[arg(
        long = "functions",
        value_name = "GLOB",
        env = "LAMTOP_FUNCTIONS",
        value_delimiter = ','
    )]
    pub functions: Vec<String>,

    /// Time window of the metrics: 15m, 1h, 3h, 12h, 24h, 3d … (default 1h).
    #[arg(long, value_name = "DURATION", env = "LAMTOP_WINDOW")]
    pub window: Option<String>,

    /// Metrics refresh interval (default 60s; Lambda publishes per minute).
    #[arg(long, value_name = "DURATION", env = "LAMTOP_REFRESH")]
    pub refresh: Option<String>,

    /// What the dashboard may spend on GetMetricData, in US dollars per
    /// hour (default 0.50; 0 = no limit). Idle functions are checked less
    /// often to stay under it; --once costs what one snapshot costs.
    #[arg(long, value_name = "USD", env = "LAMTOP_API_BUDGET")]
    pub api_budget: Option<String>,

    /// Run on the built-in synthetic fleet: no AWS account needed.
    #[arg(long, global = true)]
    pub demo: bool,

    /// Seed of the demo fleet.
    #[arg(long, value_name = "N", global = true)]
    pub demo_seed: Option<u64>,

    /// Print one snapshot of the fleet and exit.
    #[arg(long)]
    pub once: bool,

    /// Snapshot format (with --once).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// Sort the snapshot by this column (with --once): name, invocations,
    /// errors, error_rate, throttles, avg, p50, p90, p99, max, concurrency,
    /// timeout_pct, memory, cost, deployed, iterator_age, async_age, dropped,
    /// dlq, provisioned_pct, spillover. Default: errors, then functions marked ⚠, then invocations.
    #[arg(long, value_name = "COLUMN")]
    pub sort: Option<String>,

    /// Exit with code 3 when a CloudWatch alarm is in ALARM or a lamtop rule
    /// is FIRING (with --once). With a severity, only rules at least that
    /// severe count (CloudWatch alarms, which carry none, always count).
    #[arg(long, value_name = "SEVERITY", num_args = 0..=1, default_missing_value = "warning", value_parser = ["warning", "critical"])]
    pub fail_on_alarm: Option<String>,

    /// The longest the whole snapshot may take (with --once; default 120s,
    /// config once_deadline). Then lamtop prints what arrived, marks the
    /// rest missing with the reason, and exits 1.
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,

    /// Run a CloudWatch Logs Insights query over the fleet's REPORT lines
    /// for cold starts, init duration and memory (with --once; costs
    /// $0.005 per GB scanned).
    #[arg(long)]
    pub insights: bool,

    /// Append every alarm rule change (FIRING, resolved) to this file as
    /// JSON lines.
    #[arg(long, value_name = "FILE")]
    pub alarm_log: Option<PathBuf>,

    /// When to use colour (NO_COLOR also turns it off).
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        env = "LAMTOP_COLOR",
        global = true
    )]
    pub color: Option<ColorChoice>,

    /// The dashboard's colours: dark (the default), light or high-contrast
    /// (overrides the config's `theme`; NO_COLOR and --color never still win).
    #[arg(long, value_name = "NAME", env = "LAMTOP_THEME")]
    pub theme: Option<String>,

    /// More logging (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Write logs to this file instead of stderr.
    #[arg(long, value_name = "PATH", global = true)]
    pub log_file: Option<PathBuf>,

    /// A mode other than the dashboard.
    #[command(subcommand)]
    pub command: Option<Mode>,
}

/// Modes besides the dashboard and `--once`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Mode {
    /// Tail the logs of functions (names or globs) or log groups, lossless.
    Tail(TailArgs),
    /// Print one X-Ray trace as a segment waterfall (or JSON).
    Trace(TraceArgs),
    /// Print the window's errors grouped by fingerprint: what failed, how
    /// often, where, since when, with sample request and trace ids.
    Errors(ErrorsArgs),
    /// Write a Markdown incident report: alarms, the worst functions, the
    /// error groups, and one function's deploy, groups, last failure
    /// lines, slowest or failed traces and the commands to look again.
    Report(ReportArgs),
    /// Check, before the incident, that lamtop will work here: which
    /// credentials were found and from where (never the secret), the
    /// region and endpoint, and one cheap read-only call per IAM action
    /// lamtop uses; prints the minimal policy for what is denied. Exit 0
    /// when everything works, 1 otherwise.
    Doctor,
    /// Print the shell completion script (bash, zsh, fish, powershell,
    /// elvish); see the README for where to put it.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one per command into a directory.
    Man(ManArgs),
}

/// `lamtop completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `lamtop man`.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// Write lamtop.1 and one page per command (lamtop-tail.1, …) into
    /// this directory instead of printing lamtop.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// `lamtop report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The function to look into (`name@region` with several regions);
    /// default: the one with the most errors, then throttles.
    #[arg(value_name = "FUNCTION")]
    pub function: Option<String>,
    /// The window to read: 15m, 1h, 3h … (default: the dashboard's window).
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// The file to write (it must not exist; a directory gets a new file
    /// named after the time and the function; `-` prints it). Default: a
    /// new file in `report_dir` (the current directory).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// `lamtop errors`.
#[derive(Debug, Clone, clap::Args)]
pub struct ErrorsArgs {
    /// Function names or globs (`name@region` with several regions);
    /// default: the whole fleet (or --functions).
    #[arg(value_name = "FUNCTION")]
    pub functions: Vec<String>,
    /// The window to read: 15m, 1h, 3h … (default: the dashboard's window).
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// `table`, `json` (`lamtop.errors/v1`) or `markdown`.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "table")]
    pub output: OutputFormat,
}

/// `lamtop trace`.
#[derive(Debug, Clone, clap::Args)]
pub struct TraceArgs {
    /// The trace id (`1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx`).
    pub id: String,
    /// `text` (the waterfall) or `json` (the normalized segment tree).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    /// Width of the waterfall (default: the terminal's, else 120).
    #[arg(long)]
    pub width: Option<usize>,
}

/// `lamtop tail`.
#[derive(Debug, Clone, clap::Args)]
pub struct TailArgs {
    /// Function names or globs; an argument starting with `/` is a log group.
    #[arg(value_name = "FUNCTION|GLOB|/LOG/GROUP")]
    pub targets: Vec<String>,

    /// A log group to tail (repeatable), function or not.
    #[arg(long = "log-group", value_name = "NAME")]
    pub log_groups: Vec<String>,

    /// Start: a duration back (10m, 2h) or an RFC 3339 time. Default: 5m.
    #[arg(long, value_name = "WHEN", default_value = "5m")]
    pub since: String,

    /// End: a duration back or an RFC 3339 time (implies --no-follow once reached).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Keep following new events (the default).
    #[arg(long, overrides_with = "no_follow")]
    pub follow: bool,

    /// Print what is there and exit.
    #[arg(long)]
    pub no_follow: bool,

    /// Server-side CloudWatch filter pattern (e.g. `"ERROR"`, `{ $.level = "ERROR" }`).
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,

    /// Only lines whose message, as CloudWatch stores it, matches this regex
    /// (repeatable: all must match).
    #[arg(long, value_name = "REGEX")]
    pub grep: Vec<String>,

    /// Only lines whose printed text (a REPORT as its summary, e.g.
    /// `❄ cold start`) matches this regex (repeatable: all must match).
    #[arg(long = "grep-shown", value_name = "REGEX")]
    pub grep_shown: Vec<String>,

    /// Drop lines matching this regex (repeatable).
    #[arg(long = "grep-v", value_name = "REGEX")]
    pub grep_v: Vec<String>,

    /// Only failures: timeouts, out-of-memory kills, runtime exits, init
    /// failures, crashes and error-level lines (see README, "Log lines").
    #[arg(long)]
    pub errors: bool,

    /// Only report lines (REPORT, INIT_REPORT, RESTORE_REPORT and their
    /// JSON twins), as one-line summaries.
    #[arg(long)]
    pub reports: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "short")]
    pub format: TailFormat,

    /// Timestamps in UTC instead of local time.
    #[arg(long)]
    pub utc: bool,

    /// Most FilterLogEvents calls per second, shared by all groups.
    #[arg(long, value_name = "N", default_value = "3")]
    pub max_log_calls: f64,
}

/// `lamtop tail --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TailFormat {
    /// Time, function, message.
    Short,
    /// Full timestamp, function, stream, event id, message.
    Long,
    /// One JSON object per event.
    Json,
}

/// Snapshot formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text table.
    Table,
    /// JSON: `lamtop.snapshot/v1` (`lamtop errors`: `lamtop.errors/v1`).
    Json,
    /// A Markdown table, for tickets and incident notes.
    Markdown,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
