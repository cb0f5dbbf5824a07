//! How a function is invoked beyond its code, read for the function on
//! screen: the async settings (GetFunctionEventInvokeConfig: retries,
//! maximum event age, destinations) and provisioned concurrency per alias
//! or version (ListProvisionedConcurrencyConfigs).

/// A function's async invocation settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AsyncConfig {
    /// Retries after a failed attempt (0–2; Lambda's default is 2).
    pub retries: Option<u32>,
    /// Seconds an event may wait before it is dropped.
    pub max_event_age_s: Option<u32>,
    /// Where successful results go.
    pub on_success: Option<String>,
    /// Where failed events go.
    pub on_failure: Option<String>,
}

/// Provisioned concurrency of one alias or version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedConfig {
    /// The alias or version (from the ARN's qualifier).
    pub qualifier: String,
    /// Environments asked for.
    pub requested: Option<u32>,
    /// Environments ready.
    pub allocated: Option<u32>,
    /// `IN_PROGRESS`, `READY` or `FAILED`.
    pub status: Option<String>,
    /// Why it failed.
    pub status_reason: Option<String>,
}

impl ProvisionedConfig {
    /// The qualifier of a function ARN (`…:function:name:live` → `live`).
    pub fn qualifier_of(arn: &str) -> String {
        let parts: Vec<&str> = arn.split(':').collect();
        parts.get(7).copied().unwrap_or("").to_string()
    }
}

/// Environments allocated over every alias and version (`None` when no
/// alias has provisioned concurrency).
pub fn allocated(list: &[ProvisionedConfig]) -> Option<u32> {
    let known: Vec<u32> = list.iter().filter_map(|p| p.allocated).collect();
    (!known.is_empty()).then(|| known.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_and_allocation() {
        assert_eq!(
            ProvisionedConfig::qualifier_of(
                "arn:aws:lambda:us-east-2:123456789012:function:my-function:BLUE"
            ),
            "BLUE"
        );
        let pc = |q: &str, n| ProvisionedConfig {
            qualifier: q.into(),
            requested: Some(n),
            allocated: Some(n),
            status: Some("READY".into()),
            status_reason: None,
        };
        assert_eq!(allocated(&[pc("BLUE", 100), pc("GREEN", 20)]), Some(120));
        assert_eq!(allocated(&[]), None);
    }
}
