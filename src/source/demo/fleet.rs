//! The synthetic fleet: about 30 functions whose per-minute behaviour is a
//! pure function of (seed, function, minute), so every refresh agrees with
//! the previous one and the fleet evolves in real time: diurnal load, cold
//! starts, an hourly error burst, a throttled function, a timeout-prone
//! function, an idle one.

mod names;

use crate::model::function::{Architecture, FunctionInfo, TracingMode};
use crate::model::id::FunctionId;
use chrono::{DateTime, Utc};
use names::NAMES;

/// What makes a demo function interesting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Steady traffic, few errors.
    Normal,
    /// Deployed at :20 every hour; the deploy fails a quarter of the
    /// requests with a new error until it is rolled back at :30.
    ErrorBurst,
    /// Reserved concurrency too low: throttles under load.
    Throttled,
    /// Slow, often runs into its timeout.
    TimeoutProne,
    /// No traffic at all.
    Idle,
}

/// One synthetic function.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The inventory entry.
    pub info: FunctionInfo,
    /// Mean invocations per minute at the diurnal average.
    pub per_minute: f64,
    /// Baseline error ratio.
    pub error_ratio: f64,
    /// Mean duration in ms.
    pub duration_ms: f64,
    /// Reserved concurrency, if any.
    pub reserved: Option<u32>,
    /// Its story.
    pub behaviour: Behaviour,
}

/// One minute of one function.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Minute {
    /// Invocations started in the minute.
    pub invocations: f64,
    /// Of which failed.
    pub errors: f64,
    /// Requests rejected.
    pub throttles: f64,
    /// Mean duration (ms).
    pub avg_ms: f64,
    /// Longest duration (ms).
    pub max_ms: f64,
    /// Percentiles (ms).
    pub p50_ms: f64,
    /// 90th percentile (ms).
    pub p90_ms: f64,
    /// 99th percentile (ms).
    pub p99_ms: f64,
    /// Peak concurrency.
    pub concurrency: f64,
    /// Cold starts in the minute.
    pub cold_starts: f64,
}

/// A deterministic hash of the inputs onto [0, 1).
pub fn unit(seed: u64, a: u64, b: u64) -> f64 {
    // splitmix64 finaliser over the mixed inputs.
    let mut z = seed
        .wrapping_add(a.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(b.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Builds the fleet for a seed: names and roles are fixed, sizes and rates
/// vary a little with the seed.
pub fn build(seed: u64) -> Vec<Spec> {
    NAMES
        .iter()
        .enumerate()
        .map(
            |(i, &(name, runtime, memory, timeout, rate, ms, behaviour))| {
                let jitter = 0.85 + 0.3 * unit(seed, i as u64, 1);
                let arch = if unit(seed, i as u64, 2) < 0.35 {
                    Architecture::Arm64
                } else {
                    Architecture::X86_64
                };
                let reserved = match behaviour {
                    Behaviour::Throttled => Some(6),
                    _ if i % 7 == 3 => Some(100),
                    _ => None,
                };
                let modified_days = 1 + (unit(seed, i as u64, 3) * 90.0) as i64;
                Spec {
                    info: FunctionInfo {
                        id: FunctionId::new(name),
                        arn: format!("arn:aws:lambda:demo-1:123456789012:function:{name}"),
                        runtime: runtime.to_string(),
                        architecture: arch,
                        memory_mb: memory,
                        timeout_s: timeout,
                        last_modified: Some(
                            DateTime::from_timestamp(1_790_000_000 - modified_days * 86_400, 0)
                                .unwrap_or_default(),
                        ),
                        tracing: if i % 3 == 0 {
                            TracingMode::Active
                        } else {
                            TracingMode::PassThrough
                        },
                        log_group: FunctionInfo::default_log_group(name),
                        health: health_of(name),
                        setup: setup_of(name, runtime),
                    },
                    per_minute: rate * jitter,
                    error_ratio: 0.002 + 0.006 * unit(seed, i as u64, 4),
                    duration_ms: ms * jitter,
                    reserved,
                    behaviour,
                }
            },
        )
        .collect()
}

/// The demo's mappings: a Kinesis stream and a healthy SQS queue, and
/// one SQS queue whose last poll failed.
pub fn event_sources(specs: &[Spec]) -> Vec<crate::model::sources::EventSource> {
    use crate::model::sources::EventSource;
    let mapping = |n: usize, function: &str, arn: String, result: &str| EventSource {
        uuid: format!("6f1e0c5a-0000-4000-8000-{n:012}"),
        function: FunctionId::new(function),
        kind: EventSource::kind_of(&arn),
        source_arn: arn,
        state: "Enabled".into(),
        state_reason: Some("USER_INITIATED".into()),
        last_processing_result: Some(result.into()),
        batch_size: Some(if result == "OK" { 100 } else { 10 }),
    };
    let account = "arn:aws:{svc}:demo-1:123456789012";
    let arn = |svc: &str, rest: &str| format!("{}:{rest}", account.replace("{svc}", svc));
    [
        mapping(
            1,
            "stream-consumer",
            arn("kinesis", "stream/clickstream"),
            "OK",
        ),
        mapping(2, "email-sender", arn("sqs", "outbound-email"), "OK"),
        mapping(
            3,
            "sms-notifier",
            arn("sqs", "outbound-sms"),
            "PROBLEM: Function call failed",
        ),
    ]
    .into_iter()
    .filter(|m| specs.iter().any(|s| s.info.id == m.function))
    .collect()
}

/// The demo's function whose last update failed (its reason code is one
/// of Lambda's `LastUpdateStatusReasonCode`s); the others are healthy.
pub const UPDATE_FAILED: &str = "dlq-redrive";

/// The demo's packaging: zip with a handler, the async dropper with a
/// dead-letter queue, the extension's function with the Lambda Insights
/// layer, the stream consumer in a VPC.
fn setup_of(name: &str, runtime: &str) -> crate::model::function::Setup {
    let handler = match runtime.split(|c: char| c.is_ascii_digit()).next() {
        Some("nodejs") => "index.handler",
        Some("java") => "example.Handler::handleRequest",
        _ => "app.handler",
    };
    let layer = "arn:aws:lambda:demo-1:580247275435:layer:LambdaInsightsExtension:56";
    crate::model::function::Setup {
        package_type: Some("Zip".into()),
        handler: Some(handler.into()),
        layers: if name == EXTENDED {
            vec![layer.into()]
        } else {
            Vec::new()
        },
        vpc_id: (name == LAGGING).then(|| "vpc-0d1e2f3a4b5c6d7e8".into()),
        ephemeral_storage_mb: Some(512),
        snap_start: None,
        dead_letter_target: (name == DROPPING)
            .then(|| "arn:aws:sqs:demo-1:123456789012:webhook-fanout-dlq".into()),
    }
}

/// The Kinesis consumer that falls behind from :40 to the hour.
pub const LAGGING: &str = "stream-consumer";
/// The async function that drops events after its retries.
pub const DROPPING: &str = "webhook-fanout";
/// The async function that keeps up.
pub const ASYNC_OK: &str = "audit-logger";
/// The function whose `live` alias has provisioned concurrency.
pub const PROVISIONED: &str = CANARY;
/// The function with a telemetry extension.
pub const EXTENDED: &str = "auth-authorizer";

/// The demo's function stuck in the `Failed` state (its reason code is one
/// of Lambda's `StateReasonCode`s).
pub const STATE_FAILED: &str = "translate-text";

fn health_of(name: &str) -> crate::model::function::Health {
    let failed = name == UPDATE_FAILED;
    let stuck = name == STATE_FAILED;
    crate::model::function::Health {
        state: Some(if stuck { "Failed" } else { "Active" }.into()),
        state_reason: stuck.then(|| {
            "InsufficientRolePermissions: the execution role cannot be assumed by Lambda".into()
        }),
        last_update_status: Some(if failed { "Failed" } else { "Successful" }.into()),
        last_update_reason: failed.then(|| {
            "SubnetOutOfIPAddresses: the function's subnets have no free IP addresses".into()
        }),
    }
}

/// Minutes of the hour the bad deploy of an [`Behaviour::ErrorBurst`]
/// function is live.
pub const BURST: std::ops::Range<i64> = 20..30;

/// Whether `minute` (epoch minutes) falls in a bad deploy's burst.
pub fn in_burst(spec: &Spec, minute: i64) -> bool {
    spec.behaviour == Behaviour::ErrorBurst && BURST.contains(&minute.rem_euclid(60))
}

/// The function whose `live` alias sends a share of its traffic to a new
/// version (a canary), published every hour at [`CANARY_MINUTE`].
pub const CANARY: &str = "checkout-flow";
/// The minute of the hour the canary is published.
pub const CANARY_MINUTE: i64 = 35;
/// The canary's share of the alias's traffic.
pub const CANARY_WEIGHT: f64 = 0.1;
/// The share of the canary's requests that fail.
pub const CANARY_ERRORS: f64 = 0.08;

/// The latest `hh:mm` (minute `of_hour` of some hour) at or before `now`.
fn hourly_at(now: DateTime<Utc>, of_hour: i64) -> Option<DateTime<Utc>> {
    let minute = now.timestamp().div_euclid(60);
    let hour = minute - minute.rem_euclid(60);
    let at = if minute.rem_euclid(60) >= of_hour {
        hour + of_hour
    } else {
        hour - 60 + of_hour
    };
    DateTime::from_timestamp(at * 60, 0)
}

/// The function's latest deploy as of `now`: a bursting function is
/// deployed at :20 of every hour (the bad version, whose errors stop when
/// traffic moves away at :30), the canary's at :35; the others keep their
/// inventory date.
pub fn last_deployed(spec: &Spec, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if spec.behaviour == Behaviour::ErrorBurst {
        hourly_at(now, BURST.start)
    } else if spec.info.id.name == CANARY {
        hourly_at(now, CANARY_MINUTE)
    } else {
        spec.info.last_modified
    }
}

/// The versions a function published and its `live` alias: a bursting
/// function publishes one version per hourly deploy (the last day of
/// them, numbered by the hour), the others one at their inventory date.
pub fn deployments(spec: &Spec, now: DateTime<Utc>) -> crate::model::versions::Deployments {
    use crate::model::versions::{Alias, Deployments, Version};
    let version = |n: i64, at: Option<DateTime<Utc>>| Version {
        version: n.to_string(),
        published: at,
        description: String::new(),
    };
    let hourly = spec.behaviour == Behaviour::ErrorBurst || spec.info.id.name == CANARY;
    let versions: Vec<Version> = match (hourly, last_deployed(spec, now)) {
        (true, Some(latest)) => (0..24)
            .rev()
            .map(|h| {
                let at = latest - chrono::Duration::hours(h);
                // Numbered by the hour since 2026 began: one per deploy, rising.
                version(
                    (at.timestamp() - 1_767_225_600).div_euclid(3600).max(1),
                    Some(at),
                )
            })
            .collect(),
        (_, at) => vec![version(1, at)],
    };
    let alias = match (spec.info.id.name == CANARY, &versions[..]) {
        // The primary is the version before; the newest takes a tenth.
        (true, [.., primary, canary]) => Some(Alias {
            name: "live".into(),
            version: primary.version.clone(),
            weights: vec![(canary.version.clone(), CANARY_WEIGHT)],
        }),
        (_, [.., v]) => Some(Alias {
            name: "live".into(),
            version: v.version.clone(),
            weights: Vec::new(),
        }),
        _ => None,
    };
    Deployments {
        versions,
        aliases: alias.into_iter().collect(),
        ..Deployments::default()
    }
    .sorted()
}

/// Daily load curve: quiet at night, busy in the afternoon (UTC).
fn diurnal(minute: i64) -> f64 {
    let day = (minute.rem_euclid(1440)) as f64 / 1440.0;
    1.0 + 0.55 * (std::f64::consts::TAU * (day - 0.375)).sin()
}

/// The behaviour of function `idx` in the minute starting at `minute · 60 s`.
pub fn minute(seed: u64, idx: usize, spec: &Spec, minute: i64) -> Minute {
    if spec.behaviour == Behaviour::Idle {
        return Minute::default();
    }
    let n = |k: u64| unit(seed, (idx as u64) << 8 | k, minute as u64);
    let load = spec.per_minute * diurnal(minute) * (0.8 + 0.4 * n(1));
    let mut invocations = load.round();
    let mut throttles = 0.0;
    let timeout_ms = f64::from(spec.info.timeout_s) * 1000.0;
    let mut avg = spec.duration_ms * (0.9 + 0.2 * n(2));
    if spec.behaviour == Behaviour::Throttled {
        // Concurrency needed above the reservation is rejected.
        let cap = f64::from(spec.reserved.unwrap_or(1)) * 60_000.0 / avg;
        if invocations > cap {
            throttles = (invocations - cap).round();
            invocations = cap.floor();
        }
    }
    let mut error_ratio = spec.error_ratio;
    if spec.info.id.name == CANARY {
        // The canary's failures on top of the primary's.
        error_ratio += CANARY_WEIGHT * CANARY_ERRORS;
    }
    if in_burst(spec, minute) {
        error_ratio = 0.25;
    }
    let mut max = (avg * (2.5 + 2.0 * n(3))).min(timeout_ms);
    if spec.behaviour == Behaviour::TimeoutProne {
        avg = avg.min(timeout_ms * 0.8);
        if n(4) < 0.4 {
            max = timeout_ms;
            error_ratio = error_ratio.max(0.1);
        }
    }
    if invocations <= 0.0 {
        return Minute {
            throttles,
            ..Minute::default()
        };
    }
    let errors = (invocations * error_ratio + n(5) - 0.5)
        .round()
        .clamp(0.0, invocations);
    let concurrency = (invocations / 60.0 * avg / 1000.0 * 1.6).ceil().max(1.0);
    Minute {
        invocations,
        errors,
        throttles,
        avg_ms: avg,
        max_ms: max.max(avg),
        p50_ms: avg * 0.8,
        p90_ms: (avg * 1.7).min(max),
        p99_ms: (avg * 2.4).min(max),
        concurrency: match spec.reserved {
            Some(r) => concurrency.min(f64::from(r)),
            None => concurrency,
        },
        cold_starts: (invocations * 0.01 * (0.5 + n(6))).round().min(invocations),
    }
}

#[cfg(test)]
mod tests;
