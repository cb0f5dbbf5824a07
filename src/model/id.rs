//! Which function, which log group: identities by value.
//!
//! The same function name is common in two regions (one stack deployed
//! twice), so a name alone does not say which function is meant. Everything
//! between the sources and the faces carries a [`FunctionId`] (name and
//! region); the string `name@region` exists only at the edges: what a user
//! types, what the screen and the table show. The region is `None` when
//! lamtop watches one region, whose source needs no routing. Room is left
//! for the account once lamtop watches several.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One function: its name (the `FunctionName` dimension) and, when lamtop
/// watches several regions, its region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct FunctionId {
    /// The function name as Lambda knows it.
    pub name: String,
    /// The region, when lamtop watches several (`None` for the only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl FunctionId {
    /// A function of the only region.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: None,
        }
    }

    /// A function of one of several regions.
    pub fn in_region(name: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: Some(region.into()),
        }
    }

    /// Reads what a user typed: `name` or `name@region` (Lambda names cannot
    /// contain `@`, so the split is unambiguous).
    pub fn parse(s: &str) -> Self {
        let (name, region) = split_typed(s);
        Self {
            name: name.to_string(),
            region: region.map(str::to_string),
        }
    }

    /// The same function, placed in `region` (a multi-region source tags
    /// what its regions hand up).
    pub fn placed(mut self, region: &str) -> Self {
        self.region = Some(region.to_string());
        self
    }
}

/// Reads `name` or `name@region`, as [`FunctionId::parse`] (what a user
/// typed, or a test's literal).
impl From<&str> for FunctionId {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

/// `name`, or `name@region`.
impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        shown(f, &self.name, self.region.as_deref())
    }
}

/// How an id is shown at the edges: `name`, or `name@region`.
fn shown(f: &mut fmt::Formatter<'_>, name: &str, region: Option<&str>) -> fmt::Result {
    match region {
        Some(r) => write!(f, "{name}@{r}"),
        None => f.write_str(name),
    }
}

/// Splits what a user typed into a name and, after the last `@`, a region
/// (Lambda function and log group names cannot contain `@`).
fn split_typed(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once('@') {
        Some((name, region)) if !name.is_empty() && !region.is_empty() => (name, Some(region)),
        _ => (s, None),
    }
}

/// Serializes an id as it is shown (`name@region`), for records read by
/// people and scripts (`--alarm-log`, notifications).
pub fn as_shown<S: serde::Serializer>(id: &FunctionId, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

/// One log group: its name and, when lamtop watches several regions, its
/// region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LogGroup {
    /// The log group name (`/aws/lambda/api`).
    pub name: String,
    /// The region, when lamtop watches several.
    pub region: Option<String>,
}

impl LogGroup {
    /// A log group of the only region.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: None,
        }
    }

    /// Reads what a user typed: `/group` or `/group@region` (log group
    /// names cannot contain `@`).
    pub fn parse(s: &str) -> Self {
        let (name, region) = split_typed(s);
        Self {
            name: name.to_string(),
            region: region.map(str::to_string),
        }
    }
}

/// A log group of the only region.
impl From<&str> for LogGroup {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

/// `name`, or `name@region`.
impl fmt::Display for LogGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        shown(f, &self.name, self.region.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_shows_both_forms() {
        assert_eq!(
            FunctionId::parse("api@eu-west-1"),
            FunctionId::in_region("api", "eu-west-1")
        );
        assert_eq!(FunctionId::parse("api"), FunctionId::new("api"));
        assert_eq!(FunctionId::parse("api@"), FunctionId::new("api@"));
        assert_eq!(
            FunctionId::in_region("api", "eu-west-1").to_string(),
            "api@eu-west-1"
        );
        assert_eq!(FunctionId::new("api").to_string(), "api");
        let g = LogGroup {
            name: "/aws/lambda/api".into(),
            region: Some("us-east-1".into()),
        };
        assert_eq!(g.to_string(), "/aws/lambda/api@us-east-1");
    }

    #[test]
    fn the_same_name_in_two_regions_is_two_functions() {
        let a = FunctionId::in_region("api", "us-east-1");
        let b = FunctionId::in_region("api", "eu-west-1");
        assert_ne!(a, b);
        assert_eq!(a.clone(), FunctionId::new("api").placed("us-east-1"));
    }
}
