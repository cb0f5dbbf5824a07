//! The real AWS source: the only module that names aws-sdk types.

pub(crate) mod client;
mod cloudwatch;
mod discovery;
pub mod doctor;
mod errors;
mod lambda;
mod logs;
mod meter;
mod xray;

pub use client::{ConnectOptions, Timeouts, https_client};

use crate::source::{Source, SourceInfo};
use aws_config::SdkConfig;

/// One client per service, built from one shared configuration.
#[derive(Debug, Clone)]
pub struct AwsSource {
    lambda: aws_sdk_lambda::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    xray: aws_sdk_xray::Client,
    sts: aws_sdk_sts::Client,
    info: SourceInfo,
    calls: meter::CallCounter,
}

impl AwsSource {
    /// Connects (lazily: no call is made here) with the given options.
    pub async fn connect(opts: &ConnectOptions) -> Result<Self, String> {
        let conf = client::load(opts).await?;
        Ok(Self::from_config(&conf, opts.profile.clone()))
    }

    /// Builds the clients from an existing configuration.
    pub fn from_config(conf: &SdkConfig, profile: Option<String>) -> Self {
        let calls = meter::CallCounter::default();
        macro_rules! client {
            ($krate:ident) => {
                $krate::Client::from_conf(
                    $krate::config::Builder::from(conf)
                        .interceptor(calls.clone())
                        .build(),
                )
            };
        }
        Self {
            lambda: client!(aws_sdk_lambda),
            cloudwatch: client!(aws_sdk_cloudwatch),
            logs: client!(aws_sdk_cloudwatchlogs),
            xray: client!(aws_sdk_xray),
            sts: client!(aws_sdk_sts),
            info: SourceInfo {
                region: conf.region().map(|r| r.to_string()).unwrap_or_default(),
                profile,
                demo: false,
            },
            calls,
        }
    }

    /// Builds a source from individual clients (tests use mock clients).
    pub fn from_clients(
        lambda: aws_sdk_lambda::Client,
        cloudwatch: aws_sdk_cloudwatch::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
        xray: aws_sdk_xray::Client,
    ) -> Self {
        Self {
            lambda,
            cloudwatch,
            logs,
            xray,
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::Config::builder()
                    .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
                    .region(aws_sdk_sts::config::Region::new("us-east-1"))
                    .http_client(https_client())
                    .build(),
            ),
            info: SourceInfo {
                region: "test".into(),
                profile: None,
                demo: false,
            },
            calls: meter::CallCounter::default(),
        }
    }
}

impl Source for AwsSource {
    fn describe(&self) -> SourceInfo {
        self.info.clone()
    }

    fn api_calls(&self) -> u64 {
        self.calls.get()
    }

    fn throttled_calls(&self) -> u64 {
        self.calls.throttled()
    }
}

/// Converts an SDK timestamp to chrono.
fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// Converts chrono to an SDK timestamp.
fn to_sdk(t: chrono::DateTime<chrono::Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs_and_nanos(t.timestamp(), t.timestamp_subsec_nanos())
}

/// Follows pagination tokens defensively: a token that repeats, or more
/// pages than any real fleet has, ends the loop instead of spinning forever.
struct PageGuard {
    seen: std::collections::HashSet<String>,
    pages: u32,
}

impl PageGuard {
    const MAX_PAGES: u32 = 10_000;

    fn new() -> Self {
        Self {
            seen: Default::default(),
            pages: 0,
        }
    }

    /// Returns the token to continue with, or `None` to stop.
    fn next(&mut self, token: Option<&str>) -> Option<String> {
        self.pages += 1;
        let t = token.filter(|t| !t.is_empty())?;
        if self.pages >= Self::MAX_PAGES || !self.seen.insert(t.to_string()) {
            tracing::warn!(
                pages = self.pages,
                "pagination stopped: repeated token or page cap"
            );
            return None;
        }
        Some(t.to_string())
    }
}

/// Every item of a marker-paged list: `page(marker)` fetches one page and
/// returns its items and the next marker; the [`PageGuard`] ends the loop.
async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, crate::source::SourceError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), crate::source::SourceError>>,
{
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    let mut guard = PageGuard::new();
    loop {
        let (items, next) = page(marker.take()).await?;
        out.extend(items);
        match guard.next(next.as_deref()) {
            Some(m) => marker = Some(m),
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::AwsSource;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client};

    fn interceptor(rules: &[&Rule], mode: RuleMode) -> MockResponseInterceptor {
        rules
            .iter()
            .fold(MockResponseInterceptor::new().rule_mode(mode), |i, r| {
                i.with_rule(r)
            })
    }

    macro_rules! client {
        ($krate:ident, $rules:expr) => {
            client!($krate, $rules, RuleMode::Sequential)
        };
        ($krate:ident, $rules:expr, $mode:expr) => {
            $krate::Client::from_conf(
                $krate::Config::builder()
                    .behavior_version($krate::config::BehaviorVersion::latest())
                    .region($krate::config::Region::new("us-east-1"))
                    .credentials_provider($krate::config::Credentials::new(
                        "AKIDTEST", "secret", None, None, "test",
                    ))
                    .http_client(create_mock_http_client())
                    .interceptor(interceptor($rules, $mode))
                    .build(),
            )
        };
    }

    /// A source whose clients answer from the given mock rules.
    pub fn mock_source(lambda: &[&Rule], cloudwatch: &[&Rule], logs: &[&Rule]) -> AwsSource {
        mock_source_with_xray(lambda, cloudwatch, logs, &[])
    }

    /// Same, with X-Ray rules.
    pub fn mock_source_with_xray(
        lambda: &[&Rule],
        cloudwatch: &[&Rule],
        logs: &[&Rule],
        xray: &[&Rule],
    ) -> AwsSource {
        AwsSource::from_clients(
            client!(aws_sdk_lambda, lambda),
            client!(aws_sdk_cloudwatch, cloudwatch),
            client!(aws_sdk_cloudwatchlogs, logs),
            client!(aws_sdk_xray, xray),
        )
    }

    /// A source whose CloudWatch client answers from rules matched in any
    /// order (for concurrent calls), the other clients from none.
    pub fn mock_cloudwatch_any(cloudwatch: &[&Rule]) -> AwsSource {
        AwsSource::from_clients(
            client!(aws_sdk_lambda, &[]),
            client!(aws_sdk_cloudwatch, cloudwatch, RuleMode::MatchAny),
            client!(aws_sdk_cloudwatchlogs, &[]),
            client!(aws_sdk_xray, &[]),
        )
    }

    /// A source whose Logs client answers from rules matched in any order
    /// (for concurrent calls), the other clients from none.
    pub fn mock_logs_any(logs: &[&Rule]) -> AwsSource {
        AwsSource::from_clients(
            client!(aws_sdk_lambda, &[]),
            client!(aws_sdk_cloudwatch, &[]),
            client!(aws_sdk_cloudwatchlogs, logs, RuleMode::MatchAny),
            client!(aws_sdk_xray, &[]),
        )
    }
}
