//! What `lamtop doctor` finds out: where the credentials came from, which
//! region and endpoint, and for every IAM action lamtop uses whether one
//! cheap read-only call of it works. Pure: the probing is the AWS source's
//! (`source::aws::doctor`), the printing the report's.

use chrono::{DateTime, Utc};

/// Every IAM action lamtop calls, with what it is for — the README's
/// minimal policy, in its order (a test holds the two together).
pub const ACTIONS: [(&str, &str); 17] = [
    ("lambda:ListFunctions", "the fleet"),
    (
        "lambda:GetFunctionConcurrency",
        "reserved concurrency (function view)",
    ),
    ("lambda:GetAccountSettings", "account concurrency limit"),
    (
        "lambda:ListVersionsByFunction",
        "deploys (function view, report, errors)",
    ),
    ("lambda:ListAliases", "aliases and canary weights"),
    ("lambda:ListEventSourceMappings", "event sources"),
    (
        "lambda:GetFunctionEventInvokeConfig",
        "async retries, max age, destinations",
    ),
    (
        "lambda:ListProvisionedConcurrencyConfigs",
        "provisioned concurrency",
    ),
    ("cloudwatch:GetMetricData", "every metric"),
    ("cloudwatch:DescribeAlarms", "CloudWatch alarms"),
    (
        "cloudwatch:ListMetrics",
        "which functions publish the signal metrics",
    ),
    ("logs:FilterLogEvents", "log pane, tail, error groups"),
    ("logs:StartQuery", "Logs Insights (I, --insights)"),
    ("logs:GetQueryResults", "Logs Insights results"),
    ("logs:StopQuery", "cancelling Logs Insights"),
    ("xray:GetTraceSummaries", "traces pane"),
    ("xray:BatchGetTraces", "trace view, lamtop trace"),
];

/// Actions the doctor never calls: a Logs Insights query is billed by the
/// data it scans, and stopping or reading one needs one running.
pub const NOT_CALLED: [&str; 3] = ["logs:StartQuery", "logs:GetQueryResults", "logs:StopQuery"];

/// How one call went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It answered (a "not found" answer counts: IAM is checked first).
    Ok,
    /// IAM said no.
    Denied(String),
    /// The endpoint does not implement it (an emulator).
    Unsupported(String),
    /// The endpoint could not be reached or timed out.
    Unreachable(String),
    /// The credentials were refused or could not be found.
    Credentials(String),
    /// Throttled: the permission is there, the quota was not.
    Throttled(String),
    /// Another service error.
    Failed(String),
    /// Not called, and why (costs money, nothing to call it on).
    NotChecked(&'static str),
}

impl Outcome {
    /// Whether lamtop will not work as it should because of this.
    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            Self::Denied(_) | Self::Unreachable(_) | Self::Credentials(_) | Self::Failed(_)
        )
    }
}

/// One action and how its call went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The IAM action.
    pub action: &'static str,
    /// What lamtop uses it for.
    pub used_for: &'static str,
    /// How it went.
    pub outcome: Outcome,
}

/// Where the credentials came from, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The source in words (`environment (AWS_ACCESS_KEY_ID)`, `profile
    /// dev: SSO`, `credential_process of profile ci` …).
    pub source: String,
    /// The access key id, all but its last four characters masked.
    pub key_id: String,
    /// When they run out (temporary credentials only).
    pub expires: Option<DateTime<Utc>>,
}

/// `AKIA…WXYZ`: enough to tell two keys apart, not enough to use one.
pub fn mask_key_id(id: &str) -> String {
    let n = id.chars().count();
    if n <= 8 {
        return "…".repeat(usize::from(n > 0));
    }
    let head: String = id.chars().take(4).collect();
    let tail: String = id.chars().skip(n - 4).collect();
    format!("{head}…{tail}")
}

/// Everything the doctor found for one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkup {
    /// The profile in use (`None`: the default chain without a profile).
    pub profile: Option<String>,
    /// The credentials, or why none could be had.
    pub credentials: Result<Credentials, String>,
    /// The region and where it was set.
    pub region: (String, String),
    /// The endpoint and where it was set.
    pub endpoint: (String, String),
    /// Whose credentials these are: account id and ARN (sts:GetCallerIdentity).
    pub identity: Result<(String, String), String>,
    /// The function and log group the per-function calls were tried on.
    pub tried_on: Option<String>,
    /// One per action of [`ACTIONS`], in its order.
    pub probes: Vec<Probe>,
}

impl Checkup {
    /// The actions that were denied.
    pub fn denied(&self) -> Vec<&'static str> {
        self.probes
            .iter()
            .filter(|p| matches!(p.outcome, Outcome::Denied(_)))
            .map(|p| p.action)
            .collect()
    }

    /// Whether lamtop will work here: credentials found, nothing denied,
    /// unreachable or failing.
    pub fn healthy(&self) -> bool {
        self.credentials.is_ok() && !self.probes.iter().any(|p| p.outcome.is_problem())
    }

    /// The smallest policy that grants what was denied (`None`: nothing was).
    pub fn policy_for_denied(&self) -> Option<String> {
        let denied = self.denied();
        (!denied.is_empty()).then(|| policy(&denied))
    }
}

/// An IAM policy document allowing `actions` on every resource.
pub fn policy(actions: &[&str]) -> String {
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "LamtopReadOnly",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests;
