//! Building the shared SDK configuration: profile, region, endpoint, and
//! retry/timeout settings chosen for an interactive tool (standard retries,
//! never adaptive: adaptive retry can stall a pane for tens of seconds).

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_lambda::config::SharedHttpClient;
use aws_smithy_http_client::ConnectorBuilder;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use std::time::Duration;

/// The HTTPS client every AWS client shares: the SDK's default client
/// (hyper, rustls, the system's root certificates, `HTTPS_PROXY` /
/// `NO_PROXY` from the environment, the configured timeouts) with the
/// `ring` crypto provider instead of aws-lc, whose C build was a minute of
/// every cold build on a 2-core machine; lamtop needs no FIPS or
/// post-quantum key exchange.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
        let mut conn = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::Ring));
        conn.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            conn.set_sleep_impl(components.sleep_impl());
        }
        conn.set_proxy_config(Some(ProxyConfig::from_env()));
        conn.build()
    })
}

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
    /// How long a call may take.
    pub timeouts: Timeouts,
}

/// How long one AWS call may take (`[aws]` in the config file). The
/// defaults suit an interactive tool: one hung call must never freeze a
/// pane for long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Duration,
    /// One attempt of a call.
    pub attempt: Duration,
    /// The whole call, retries included.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(10),
            operation: Duration::from_secs(30),
        }
    }
}

/// Whether `profile` is defined in the shared config or credentials file
/// (honouring AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE). `None` when
/// neither file can be read (then the SDK's own error is the best we have).
fn profile_defined(profile: &str) -> Option<bool> {
    let home = dirs::home_dir()?;
    let config = std::env::var_os("AWS_CONFIG_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("config"));
    let creds = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("credentials"));
    let texts: Vec<String> = [config, creds]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if texts.is_empty() {
        return Some(false);
    }
    let headers = [format!("[profile {profile}]"), format!("[{profile}]")];
    Some(texts.iter().any(|t| {
        t.lines().any(|l| {
            let l: String = l.split_whitespace().collect::<Vec<_>>().join(" ");
            headers.contains(&l)
        })
    }))
}

/// Loads the SDK configuration for `opts` (profile, region, endpoint,
/// retries, timeouts); the error says which profile or region is wrong.
pub async fn load(opts: &ConnectOptions) -> Result<SdkConfig, String> {
    // "default" may legitimately exist nowhere (environment credentials).
    if let Some(p) = opts.profile.as_ref().filter(|p| *p != "default")
        && profile_defined(p) == Some(false)
    {
        return Err(format!(
            "unknown AWS profile '{p}': it is not in ~/.aws/config or ~/.aws/credentials \
             (see 'aws configure list-profiles'; set AWS_PROFILE or --profile to one of them)"
        ));
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(opts.timeouts.connect)
                .operation_attempt_timeout(opts.timeouts.attempt)
                .operation_timeout(opts.timeouts.operation)
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
