//! Building the shared SDK configuration: profile, region, endpoint, and
//! retry/timeout settings chosen for an interactive tool (standard retries,
//! never adaptive: adaptive retry can stall a pane for tens of seconds).

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// Where and as whom to connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Named profile; `None` uses the SDK's default chain (`AWS_PROFILE`, default).
    pub profile: Option<String>,
    /// Region; `None` uses the SDK's default chain (`AWS_REGION`, profile).
    pub region: Option<String>,
    /// Endpoint for every service; `None` lets the SDK honour
    /// `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.
    pub endpoint_url: Option<String>,
}

/// Attempt timeout: one hung call must never freeze a pane.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Whole-operation timeout, retries included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// Loads the SDK configuration. Fails only when no region can be found,
/// since every other problem (credentials included) surfaces per call.
pub async fn load(opts: &ConnectOptions) -> Result<SdkConfig, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    let conf = loader.load().await;
    if conf.region().is_none() {
        return Err(match &opts.profile {
            Some(p) => {
                format!("no AWS region: profile '{p}' sets none; pass --region or set AWS_REGION")
            }
            None => {
                "no AWS region: pass --region, set AWS_REGION, or pick a profile with --profile"
                    .into()
            }
        });
    }
    Ok(conf)
}
