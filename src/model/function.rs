//! What lamtop knows about one Lambda function and about the account it
//! runs in: the inventory half of the domain, free of any AWS SDK type.

use super::id::{FunctionId, LogGroup};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// CPU architecture of a function; it decides the GB-second price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Intel/AMD, the Lambda default.
    #[default]
    X86_64,
    /// Graviton.
    Arm64,
}

impl Architecture {
    /// Parses the Lambda API's spelling (`x86_64`, `arm64`); anything else is x86_64.
    pub fn from_api(s: &str) -> Self {
        if s.eq_ignore_ascii_case("arm64") {
            Self::Arm64
        } else {
            Self::X86_64
        }
    }

    /// The Lambda API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Arm64 => "arm64",
        }
    }
}

/// X-Ray tracing mode of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TracingMode {
    /// Traces only when the caller sampled the request.
    #[default]
    PassThrough,
    /// The function samples requests itself.
    Active,
}

/// One function as listed by the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionInfo {
    /// Which function: its name (the `FunctionName` metric dimension) and
    /// region. Flattened, so the inventory cache keeps its `name` field.
    #[serde(flatten)]
    pub id: FunctionId,
    /// Full ARN.
    pub arn: String,
    /// Runtime identifier (`python3.12`), or `container` for image functions.
    pub runtime: String,
    /// Architecture (the first one listed).
    pub architecture: Architecture,
    /// Configured memory in MB.
    pub memory_mb: u32,
    /// Configured timeout in seconds.
    pub timeout_s: u32,
    /// When the configuration last changed.
    pub last_modified: Option<DateTime<Utc>>,
    /// X-Ray tracing mode.
    pub tracing: TracingMode,
    /// The CloudWatch log group its logs go to (in the function's region).
    pub log_group: String,
    /// Its state and the last update's status (ListFunctions).
    #[serde(default)]
    pub health: Health,
    /// How it is packaged and wired (ListFunctions): handler, layers, VPC,
    /// storage, SnapStart, dead-letter queue.
    #[serde(default)]
    pub setup: Setup,
}

/// The rest of a function's configuration that ListFunctions returns,
/// for the function view's configuration section.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Setup {
    /// `Zip` or `Image`.
    pub package_type: Option<String>,
    /// The handler (`app.handler`); none for an image.
    pub handler: Option<String>,
    /// Layer ARNs, in order (extensions come as layers).
    pub layers: Vec<String>,
    /// The VPC it runs in, if any.
    pub vpc_id: Option<String>,
    /// Ephemeral storage (`/tmp`) in MB.
    pub ephemeral_storage_mb: Option<u32>,
    /// SnapStart: `PublishedVersions` when on.
    pub snap_start: Option<String>,
    /// The dead-letter queue or topic failed async events go to.
    pub dead_letter_target: Option<String>,
}

impl Setup {
    /// A layer's short name and version (`…:layer:LambdaInsightsExtension:49`
    /// → `LambdaInsightsExtension:49`).
    pub fn layer_name(arn: &str) -> &str {
        arn.split_once(":layer:").map_or(arn, |(_, rest)| rest)
    }

    /// Whether the Lambda Insights extension is one of its layers.
    pub fn has_lambda_insights(&self) -> bool {
        self.layers
            .iter()
            .any(|l| Self::layer_name(l).starts_with("LambdaInsightsExtension"))
    }
}

/// A function's `State` and `LastUpdateStatus` with their reasons: a
/// function stuck `Failed` or `Inactive`, or whose last update failed,
/// runs old code or none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Health {
    /// `Pending`, `Active`, `Inactive`, `Failed`.
    pub state: Option<String>,
    /// Why, when not active.
    pub state_reason: Option<String>,
    /// `Successful`, `Failed`, `InProgress`.
    pub last_update_status: Option<String>,
    /// Why the last update failed.
    pub last_update_reason: Option<String>,
}

impl Health {
    /// What is wrong, if anything: `state Failed: …`, `update Failed: …`.
    pub fn problem(&self) -> Option<String> {
        let with = |what: &str, v: &str, why: &Option<String>| match why {
            Some(r) if !r.is_empty() => format!("{what} {v}: {r}"),
            _ => format!("{what} {v}"),
        };
        match (self.state.as_deref(), self.last_update_status.as_deref()) {
            (Some(s @ ("Failed" | "Inactive")), _) => Some(with("state", s, &self.state_reason)),
            (_, Some(u @ "Failed")) => Some(with("update", u, &self.last_update_reason)),
            _ => None,
        }
    }
}

impl FunctionInfo {
    /// Its log group, placed in the function's region.
    pub fn log_group_id(&self) -> LogGroup {
        LogGroup::of(&self.id, self.log_group.clone())
    }
}

impl FunctionInfo {
    /// The log group Lambda uses when `LoggingConfig.LogGroup` is not set.
    pub fn default_log_group(name: &str) -> String {
        format!("/aws/lambda/{name}")
    }
}

/// Account-wide Lambda settings; every field may be unknown ("n/a") when the
/// endpoint does not implement GetAccountSettings.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct AccountLimits {
    /// Total concurrent executions allowed in the region.
    pub concurrency_limit: Option<u32>,
    /// Concurrency left after reservations.
    pub unreserved_concurrency: Option<u32>,
}

impl AccountLimits {
    /// Both limits added (of two regions of one account); a missing one
    /// counts as nothing.
    pub fn plus(self, other: AccountLimits) -> AccountLimits {
        let add = |a: Option<u32>, b: Option<u32>| match (a, b) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            (a, b) => a.or(b),
        };
        AccountLimits {
            concurrency_limit: add(self.concurrency_limit, other.concurrency_limit),
            unreserved_concurrency: add(self.unreserved_concurrency, other.unreserved_concurrency),
        }
    }
}

/// `--functions` globs: which functions are in scope (all when empty).
#[derive(Debug, Clone, Default)]
pub struct FunctionFilter {
    patterns: Vec<String>,
    matchers: Vec<globset::GlobMatcher>,
}

impl FunctionFilter {
    /// Compiles the patterns; the error names the bad pattern.
    pub fn new(patterns: &[String]) -> Result<Self, String> {
        let matchers = patterns
            .iter()
            .map(|p| {
                globset::Glob::new(p)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| format!("invalid function glob '{p}': {}", e.kind()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            patterns: patterns.to_vec(),
            matchers,
        })
    }

    /// Whether `id` is in scope: a glob matches the plain name or, across
    /// regions, `name@region` (so `*@eu-west-1` keeps one region).
    pub fn matches(&self, id: &FunctionId) -> bool {
        self.matchers.is_empty() || self.matchers.iter().any(|m| matches_id(m, id))
    }

    /// Keeps the functions in scope; also returns the patterns that matched
    /// nothing, so a typo gets a warning instead of an empty screen.
    pub fn apply(&self, functions: Vec<FunctionInfo>) -> (Vec<FunctionInfo>, Vec<String>) {
        let unmatched = self
            .patterns
            .iter()
            .zip(&self.matchers)
            .filter(|(_, m)| !functions.iter().any(|f| matches_id(m, &f.id)))
            .map(|(p, _)| p.clone())
            .collect();
        let kept = functions
            .into_iter()
            .filter(|f| self.matches(&f.id))
            .collect();
        (kept, unmatched)
    }
}

fn matches_id(m: &globset::GlobMatcher, id: &FunctionId) -> bool {
    m.is_match(&id.name) || (id.region.is_some() && m.is_match(id.to_string()))
}

impl FunctionInfo {
    /// A minimal function for tests: x86_64, 128 MB, 3 s, default log group.
    #[cfg(test)]
    pub fn for_test(name: &str, runtime: &str) -> Self {
        Self {
            id: FunctionId::parse(name),
            arn: String::new(),
            runtime: runtime.into(),
            architecture: Architecture::X86_64,
            memory_mb: 128,
            timeout_s: 3,
            last_modified: None,
            tracing: TracingMode::PassThrough,
            log_group: Self::default_log_group(&FunctionId::parse(name).name),
            health: Health::default(),
            setup: Setup::default(),
        }
    }
}

/// Parses the Lambda API's `LastModified` (`2024-01-02T03:04:05.000+0000`).
pub fn parse_last_modified(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lambda_last_modified_formats() {
        let a = parse_last_modified("2024-01-02T03:04:05.123+0000").unwrap();
        assert_eq!(a.to_rfc3339(), "2024-01-02T03:04:05.123+00:00");
        let b = parse_last_modified("2024-01-02T03:04:05Z").unwrap();
        assert_eq!(b.timestamp(), 1_704_164_645);
        assert!(parse_last_modified("yesterday").is_none());
    }

    #[test]
    fn filter_keeps_matches_and_reports_unmatched() {
        let f = FunctionFilter::new(&["api-*".into(), "nope".into()]).unwrap();
        let mk = |n: &str| FunctionInfo::for_test(n, "");
        let (kept, unmatched) = f.apply(vec![mk("api-a"), mk("web")]);
        assert_eq!(kept.len(), 1);
        assert_eq!(unmatched, ["nope"]);
        assert!(
            FunctionFilter::new(&["a[".into()])
                .unwrap_err()
                .contains("'a['")
        );
        assert!(FunctionFilter::default().matches(&"anything".into()));
    }

    #[test]
    fn architecture_from_api() {
        assert_eq!(Architecture::from_api("arm64"), Architecture::Arm64);
        assert_eq!(Architecture::from_api("x86_64"), Architecture::X86_64);
    }
}
