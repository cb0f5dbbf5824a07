//! `lamtop doctor`'s calls: the credentials the SDK chain finds (and from
//! where, from the SDK's own credential features), whose they are, and one
//! cheap read-only call per IAM action lamtop uses, all at once. Nothing
//! here writes, and nothing billed by the data it scans is called.

use super::AwsSource;
use super::client::{self, ConnectOptions};
use super::errors::map_err;
use crate::model::access::{
    ACTIONS, Checkup, Credentials, NOT_CALLED, Outcome, Probe, mask_key_id,
};
use crate::model::function::FunctionFilter;
use crate::source::SourceError;
use aws_config::SdkConfig;
use aws_credential_types::credential_feature::AwsCredentialFeature as Feature;
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat};
use aws_smithy_types::DateTime as SdkTime;
use chrono::{DateTime, Utc};
use std::future::Future;

/// A well-formed trace id no trace has: BatchGetTraces answers it with an
/// "unprocessed" list, which proves the permission without reading a trace.
const NO_TRACE: &str = "1-00000000-000000000000000000000000";
/// The function name tried when the account has none (or none matches):
/// IAM is checked before the function is looked up, so "not found" still
/// says the action is allowed.
const NO_FUNCTION: &str = "lamtop-doctor-probe";

/// Everything the doctor can find out with `opts`. Fails only when the SDK
/// configuration cannot be loaded at all (unknown profile, no region).
pub async fn checkup(opts: &ConnectOptions, filter: &FunctionFilter) -> Result<Checkup, String> {
    let conf = client::load(opts).await?;
    // `--profile` also reads AWS_PROFILE (clap's `env`).
    let profile = opts.profile.clone();
    let credentials = credentials(&conf, profile.as_deref()).await;
    let src = AwsSource::from_config(&conf, opts.profile.clone());
    let (identity, (listed, function)) = tokio::join!(identity(&src), first_function(&src, filter));
    let tried_on = function.clone();
    let function = function.unwrap_or_else(|| NO_FUNCTION.to_string());
    let mut probes = Vec::with_capacity(ACTIONS.len());
    let outcomes = probe_all(&src, &function, listed).await;
    for ((action, used_for), outcome) in ACTIONS.iter().zip(outcomes) {
        probes.push(Probe {
            action,
            used_for,
            outcome,
        });
    }
    Ok(Checkup {
        credentials,
        region: region_origin(opts, &conf, profile.as_deref()),
        endpoint: endpoint_origin(opts),
        profile,
        identity,
        tried_on,
        probes,
    })
}

/// How a failed call shows in the doctor's list.
fn outcome_of(e: &SourceError) -> Outcome {
    let text = e.to_string();
    match e {
        SourceError::NotFound { .. } => Outcome::Ok,
        SourceError::Denied { .. } => Outcome::Denied(text),
        SourceError::Unsupported { .. } => Outcome::Unsupported(text),
        SourceError::Transport { .. } => Outcome::Unreachable(text),
        SourceError::Credentials { .. } => Outcome::Credentials(text),
        SourceError::Throttled { .. } => Outcome::Throttled(text),
        _ => Outcome::Failed(text),
    }
}

/// The outcome of one call of `action`.
async fn probe<T, E, F>(action: &str, call: F) -> Outcome
where
    F: Future<
        Output = Result<
            T,
            aws_sdk_lambda::error::SdkError<E, aws_sdk_lambda::config::http::HttpResponse>,
        >,
    >,
    E: aws_sdk_lambda::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match call.await {
        Ok(_) => Outcome::Ok,
        Err(e) => outcome_of(&map_err(action, e)),
    }
}

/// The account and ARN behind the credentials.
async fn identity(src: &AwsSource) -> Result<(String, String), String> {
    let out = src
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| map_err("sts:GetCallerIdentity", e).to_string())?;
    Ok((
        out.account().unwrap_or("?").to_string(),
        out.arn().unwrap_or("?").to_string(),
    ))
}

/// ListFunctions' outcome and the first function the filter lets through.
async fn first_function(src: &AwsSource, filter: &FunctionFilter) -> (Outcome, Option<String>) {
    match src.lambda.list_functions().max_items(50).send().await {
        Ok(page) => {
            let name = page
                .functions()
                .iter()
                .filter_map(|f| f.function_name())
                .find(|n| filter.matches(&crate::model::id::FunctionId::new(*n)))
                .map(str::to_string);
            (Outcome::Ok, name)
        }
        Err(e) => (outcome_of(&map_err("lambda:ListFunctions", e)), None),
    }
}

/// One outcome per action of [`ACTIONS`], in its order; the calls run at once.
async fn probe_all(src: &AwsSource, f: &str, listed: Outcome) -> Vec<Outcome> {
    let (l, cw, logs, xr) = (&src.lambda, &src.cloudwatch, &src.logs, &src.xray);
    let now = Utc::now();
    let (start, end) = (sdk_time(now - chrono::Duration::minutes(10)), sdk_time(now));
    let lambda = tokio::join!(
        probe(
            "lambda:GetFunctionConcurrency",
            l.get_function_concurrency().function_name(f).send()
        ),
        probe("lambda:GetAccountSettings", l.get_account_settings().send()),
        probe(
            "lambda:ListVersionsByFunction",
            l.list_versions_by_function()
                .function_name(f)
                .max_items(1)
                .send()
        ),
        probe(
            "lambda:ListAliases",
            l.list_aliases().function_name(f).max_items(1).send()
        ),
        probe(
            "lambda:ListEventSourceMappings",
            l.list_event_source_mappings().max_items(1).send()
        ),
        probe(
            "lambda:GetFunctionEventInvokeConfig",
            l.get_function_event_invoke_config().function_name(f).send()
        ),
        probe(
            "lambda:ListProvisionedConcurrencyConfigs",
            l.list_provisioned_concurrency_configs()
                .function_name(f)
                .max_items(1)
                .send()
        ),
    );
    let others = tokio::join!(
        probe(
            "cloudwatch:GetMetricData",
            cw.get_metric_data()
                .metric_data_queries(one_query(f))
                .start_time(start)
                .end_time(end)
                .send()
        ),
        probe(
            "cloudwatch:DescribeAlarms",
            cw.describe_alarms().max_records(1).send()
        ),
        probe(
            "cloudwatch:ListMetrics",
            cw.list_metrics()
                .namespace("AWS/Lambda")
                .metric_name("IteratorAge")
                .send()
        ),
        probe(
            "logs:FilterLogEvents",
            logs.filter_log_events()
                .log_group_name(format!("/aws/lambda/{f}"))
                .start_time(now.timestamp_millis() - 300_000)
                .limit(1)
                .send()
        ),
        probe(
            "xray:GetTraceSummaries",
            xr.get_trace_summaries()
                .start_time(start)
                .end_time(end)
                .send()
        ),
        probe(
            "xray:BatchGetTraces",
            xr.batch_get_traces().trace_ids(NO_TRACE).send()
        ),
    );
    let not_called =
        || Outcome::NotChecked("not called: a Logs Insights query is billed by the data it scans");
    debug_assert_eq!(NOT_CALLED.len(), 3);
    vec![
        listed,
        lambda.0,
        lambda.1,
        lambda.2,
        lambda.3,
        lambda.4,
        lambda.5,
        lambda.6,
        others.0,
        others.1,
        others.2,
        others.3,
        not_called(),
        not_called(),
        not_called(),
        others.4,
        others.5,
    ]
}

/// One metric of one function over the last ten minutes: the cheapest
/// GetMetricData there is ($0.00001).
fn one_query(function: &str) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace("AWS/Lambda")
        .metric_name("Invocations")
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("FunctionName")
                .value(function)
                .build(),
        )
        .build();
    MetricDataQuery::builder()
        .id("doctor")
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(60)
                .stat("Sum")
                .build(),
        )
        .return_data(true)
        .build()
}

fn sdk_time(t: DateTime<Utc>) -> SdkTime {
    SdkTime::from_millis(t.timestamp_millis())
}

/// The credentials the chain resolves now, and where they came from.
async fn credentials(conf: &SdkConfig, profile: Option<&str>) -> Result<Credentials, String> {
    let provider = conf
        .credentials_provider()
        .ok_or("no credential provider is configured")?;
    let creds = provider
        .provide_credentials()
        .await
        .map_err(|e| super::errors::credential_error(&e))?;
    let features = creds
        .get_property::<Vec<Feature>>()
        .cloned()
        .unwrap_or_default();
    Ok(Credentials {
        source: credential_source(&features, profile),
        key_id: mask_key_id(creds.access_key_id()),
        expires: creds.expiry().map(DateTime::<Utc>::from),
    })
}

/// Where credentials came from, in words, from the SDK's features (the
/// same ones it reports in its user agent).
fn credential_source(features: &[Feature], profile: Option<&str>) -> String {
    let p = profile.unwrap_or("default");
    let has = |f: Feature| features.contains(&f);
    if has(Feature::CredentialsEnvVars) {
        "environment (AWS_ACCESS_KEY_ID)".into()
    } else if has(Feature::CredentialsEnvVarsStsWebIdToken) {
        "environment web identity (AWS_WEB_IDENTITY_TOKEN_FILE)".into()
    } else if has(Feature::CredentialsProfileSso) || has(Feature::CredentialsSso) {
        format!("profile '{p}': SSO (renew with `aws sso login --profile {p}`)")
    } else if has(Feature::CredentialsProfileProcess) || has(Feature::CredentialsProcess) {
        format!("profile '{p}': credential_process")
    } else if has(Feature::CredentialsStsAssumeRole)
        || has(Feature::CredentialsProfileSourceProfile)
    {
        format!("profile '{p}': assumed role")
    } else if has(Feature::CredentialsProfileStsWebIdToken) {
        format!("profile '{p}': web identity")
    } else if has(Feature::CredentialsProfileLogin) || has(Feature::CredentialsLogin) {
        format!("profile '{p}': aws login session")
    } else if has(Feature::CredentialsProfile) {
        format!("profile '{p}': keys in the shared files")
    } else if has(Feature::CredentialsHttp) {
        "container credentials endpoint (ECS, EKS)".into()
    } else if has(Feature::CredentialsImds) {
        "instance metadata (EC2 role)".into()
    } else {
        "the SDK's default chain".into()
    }
}

/// The region and who set it.
fn region_origin(
    opts: &ConnectOptions,
    conf: &SdkConfig,
    profile: Option<&str>,
) -> (String, String) {
    let region = conf.region().map(|r| r.to_string()).unwrap_or_default();
    let set = |v: &str| std::env::var(v).is_ok_and(|x| !x.is_empty());
    // `--region` also reads AWS_REGION, so an equal variable set it.
    let from_env = std::env::var("AWS_REGION").is_ok_and(|r| Some(&r) == opts.region.as_ref());
    let origin = if from_env {
        "AWS_REGION".to_string()
    } else if opts.region.is_some() {
        "--region or the config file".to_string()
    } else if set("AWS_REGION") {
        "AWS_REGION".into()
    } else if set("AWS_DEFAULT_REGION") {
        "AWS_DEFAULT_REGION".into()
    } else {
        format!("profile '{}'", profile.unwrap_or("default"))
    };
    (region, origin)
}

/// The endpoint and who set it.
fn endpoint_origin(opts: &ConnectOptions) -> (String, String) {
    if let Some(e) = &opts.endpoint_url {
        return (e.clone(), "--endpoint-url or the config file".into());
    }
    if let Ok(e) = std::env::var("AWS_ENDPOINT_URL") {
        return (e, "AWS_ENDPOINT_URL".into());
    }
    ("AWS".into(), "the region's public endpoints".into())
}
