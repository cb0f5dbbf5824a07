//! Which function, which log group: identities by value.
//!
//! The same function name is common in two regions (one stack deployed
//! twice), so a name alone does not say which function is meant. Everything
//! between the sources and the faces carries a [`FunctionId`] (name and
//! region); the string `name@region` exists only at the edges: what a user
//! types, what the screen and the table show. The region is `None` when
//! lamtop watches one region, whose source needs no routing. With several
//! profiles (accounts) an id also carries the profile it was read through,
//! and then always its region: `name@profile/region`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One function: its name (the `FunctionName` dimension) and, when lamtop
/// watches several regions or accounts, where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct FunctionId {
    /// The function name as Lambda knows it.
    pub name: String,
    /// The region, when lamtop watches several regions or accounts
    /// (`None` for the only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The AWS profile it was read through, when lamtop watches several
    /// (each profile is an account; `None` for the only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// Where a source of a multi-place fleet reads: a region, and with
/// several profiles the profile too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Place {
    /// The profile (account), when lamtop watches several.
    pub account: Option<String>,
    /// The region (set whenever the fleet has more than one place).
    pub region: Option<String>,
}

impl Place {
    /// A region of the only account.
    pub fn region(region: impl Into<String>) -> Self {
        Self {
            account: None,
            region: Some(region.into()),
        }
    }

    /// A region of one of several profiles.
    pub fn of(profile: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            account: Some(profile.into()),
            region: Some(region.into()),
        }
    }

    /// Where `id` lives.
    pub fn of_function(id: &FunctionId) -> Self {
        Self {
            account: id.account.clone(),
            region: id.region.clone(),
        }
    }

    /// Where `group` lives.
    pub fn of_group(group: &LogGroup) -> Self {
        Self {
            account: group.account.clone(),
            region: group.region.clone(),
        }
    }
}

/// `region`, or `profile/region`.
impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.account, &self.region) {
            (Some(a), Some(r)) => write!(f, "{a}/{r}"),
            (Some(a), None) => f.write_str(a),
            (None, Some(r)) => f.write_str(r),
            (None, None) => Ok(()),
        }
    }
}

impl FunctionId {
    /// A function of the only region.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: None,
            account: None,
        }
    }

    /// A function of one of several regions.
    pub fn in_region(name: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: Some(region.into()),
            account: None,
        }
    }

    /// Reads what a user typed: `name`, `name@region` or
    /// `name@profile/region` (Lambda names cannot contain `@`, regions
    /// cannot contain `/`, so the split is unambiguous).
    pub fn parse(s: &str) -> Self {
        let (name, place) = split_typed(s);
        Self {
            name: name.to_string(),
            region: place.region,
            account: place.account,
        }
    }

    /// The same function, placed in `place` (a multi-place source tags
    /// what its places hand up).
    pub fn placed(mut self, place: &Place) -> Self {
        self.region = place.region.clone();
        self.account = place.account.clone();
        self
    }

    /// Where it lives (empty for the only place).
    pub fn place(&self) -> Place {
        Place::of_function(self)
    }
}

/// Reads `name` or `name@region`, as [`FunctionId::parse`] (what a user
/// typed, or a test's literal).
impl From<&str> for FunctionId {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

/// `name`, `name@region` or `name@profile/region`.
impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        shown(f, &self.name, &self.place())
    }
}

/// How an id is shown at the edges: `name`, or `name@place`.
fn shown(f: &mut fmt::Formatter<'_>, name: &str, place: &Place) -> fmt::Result {
    if place.account.is_none() && place.region.is_none() {
        return f.write_str(name);
    }
    write!(f, "{name}@{place}")
}

/// Splits what a user typed into a name and, after the last `@`, a place:
/// `region` or `profile/region` (function and log group names cannot
/// contain `@`, regions cannot contain `/`).
fn split_typed(s: &str) -> (&str, Place) {
    match s.rsplit_once('@') {
        Some((name, place)) if !name.is_empty() && !place.is_empty() => {
            let place = match place.rsplit_once('/') {
                Some((a, r)) if !a.is_empty() && !r.is_empty() => Place::of(a, r),
                _ => Place::region(place),
            };
            (name, place)
        }
        _ => (s, Place::default()),
    }
}

/// Serializes an id as it is shown (`name@region`), for records read by
/// people and scripts (`--alarm-log`, notifications).
pub fn as_shown<S: serde::Serializer>(id: &FunctionId, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

/// One log group: its name and, when lamtop watches several regions or
/// accounts, where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LogGroup {
    /// The log group name (`/aws/lambda/api`).
    pub name: String,
    /// The region, when lamtop watches several places.
    pub region: Option<String>,
    /// The profile, when lamtop watches several.
    pub account: Option<String>,
}

impl LogGroup {
    /// A log group of the only region.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: None,
            account: None,
        }
    }

    /// The log group `name` where `function` lives.
    pub fn of(function: &FunctionId, name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: function.region.clone(),
            account: function.account.clone(),
        }
    }

    /// Reads what a user typed: `/group`, `/group@region` or
    /// `/group@profile/region` (log group names cannot contain `@`).
    pub fn parse(s: &str) -> Self {
        let (name, place) = split_typed(s);
        Self {
            name: name.to_string(),
            region: place.region,
            account: place.account,
        }
    }
}

/// A log group of the only region.
impl From<&str> for LogGroup {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

/// `name`, `name@region` or `name@profile/region`.
impl fmt::Display for LogGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        shown(f, &self.name, &Place::of_group(self))
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
            account: None,
        };
        assert_eq!(g.to_string(), "/aws/lambda/api@us-east-1");
        let prod = FunctionId::new("api").placed(&Place::of("prod", "eu-west-1"));
        assert_eq!(prod.to_string(), "api@prod/eu-west-1");
        assert_eq!(FunctionId::parse("api@prod/eu-west-1"), prod);
        let g = LogGroup::parse("/aws/lambda/api@prod/eu-west-1");
        assert_eq!(g, LogGroup::of(&prod, "/aws/lambda/api"));
        assert_eq!(g.to_string(), "/aws/lambda/api@prod/eu-west-1");
    }

    #[test]
    fn the_same_name_in_two_regions_is_two_functions() {
        let a = FunctionId::in_region("api", "us-east-1");
        let b = FunctionId::in_region("api", "eu-west-1");
        assert_ne!(a, b);
        assert_eq!(
            a.clone(),
            FunctionId::new("api").placed(&Place::region("us-east-1"))
        );
        let prod = FunctionId::new("api").placed(&Place::of("prod", "us-east-1"));
        let staging = FunctionId::new("api").placed(&Place::of("staging", "us-east-1"));
        assert_ne!(prod, staging);
    }
}
