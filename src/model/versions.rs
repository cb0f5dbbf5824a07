//! A function's published versions and its aliases (ListVersionsByFunction,
//! ListAliases): which version each deploy made, and where an alias sends
//! its traffic — one version, or two with weights (a canary).

use super::id::FunctionId;
use super::metrics::{MetricKey, MetricKind, MetricQuery, Series, TimeRange};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The unpublished version every function has.
pub const LATEST: &str = "$LATEST";

/// One published version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// `1`, `2`, … (`$LATEST` is not listed here).
    pub version: String,
    /// When it was published (its `LastModified`).
    #[serde(serialize_with = "rfc3339_opt")]
    pub published: Option<DateTime<Utc>>,
    /// Its description, inert.
    pub description: String,
}

/// RFC 3339 to the second, as every time lamtop prints in JSON.
fn rfc3339_opt<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}

/// One alias and its routing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    /// `live`, `prod`, …
    pub name: String,
    /// The version it points at.
    pub version: String,
    /// Other versions and the share of traffic each gets (0..1); JSON
    /// `[{"version": "43", "weight": 0.1}]`.
    #[serde(serialize_with = "weights_json")]
    pub weights: Vec<(String, f64)>,
}

fn weights_json<S: serde::Serializer>(w: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    #[derive(Serialize)]
    struct Weight<'a> {
        version: &'a str,
        weight: f64,
    }
    let mut seq = s.serialize_seq(Some(w.len()))?;
    for (version, weight) in w {
        seq.serialize_element(&Weight {
            version,
            weight: *weight,
        })?;
    }
    seq.end()
}

impl Alias {
    /// Every version it routes to with its share, the primary first.
    pub fn routing(&self) -> Vec<(String, f64)> {
        let rest: f64 = self.weights.iter().map(|(_, w)| w).sum();
        let mut out = vec![(self.version.clone(), (1.0 - rest).clamp(0.0, 1.0))];
        out.extend(self.weights.iter().cloned());
        out
    }

    /// Whether it splits traffic between versions (a canary).
    pub fn is_weighted(&self) -> bool {
        self.weights.iter().any(|(_, w)| *w > 0.0)
    }

    /// `live → 42` or `live → 42 90% · 41 10%`.
    pub fn describe(&self) -> String {
        if !self.is_weighted() {
            return format!("{} → {}", self.name, self.version);
        }
        let parts: Vec<String> = self
            .routing()
            .iter()
            .map(|(v, w)| format!("{v} {}", crate::format::pct(Some(*w))))
            .collect();
        format!("{} → {}", self.name, parts.join(" · "))
    }
}

/// A function's versions and aliases.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Deployments {
    /// Published versions, oldest first.
    pub versions: Vec<Version>,
    /// Aliases, by name.
    pub aliases: Vec<Alias>,
    /// Each version's share of a traffic-splitting alias over the window
    /// (read by the function view's poller, not by the source).
    #[serde(skip)]
    pub shares: Vec<VersionShare>,
    /// Why the shares could not be read, if so.
    #[serde(skip)]
    pub shares_error: Option<String>,
}

/// What one version of a canary alias did in the window: the
/// `ExecutedVersion` metrics of the alias.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionShare {
    /// The alias.
    pub alias: String,
    /// The version that ran.
    pub version: String,
    /// Its configured share of the alias's traffic.
    pub weight: f64,
    /// Invocations of the alias that ran it (`None`: no datapoint).
    pub invocations: Option<f64>,
    /// Errors among them.
    pub errors: Option<f64>,
}

impl VersionShare {
    /// As one side of a comparison.
    pub fn side(&self) -> super::deploys::Side {
        super::deploys::Side {
            invocations: self.invocations.unwrap_or(0.0),
            errors: self.errors.unwrap_or(0.0),
            ..Default::default()
        }
    }

    /// Whether this (not the primary) version fails significantly more
    /// than the alias's primary version `primary`.
    pub fn fails_more_than(&self, primary: &VersionShare) -> bool {
        super::deploys::fails_more(&primary.side(), &self.side())
    }

    /// Errors ÷ invocations.
    pub fn error_rate(&self) -> Option<f64> {
        match (self.invocations, self.errors) {
            (Some(i), e) if i > 0.0 => Some(e.unwrap_or(0.0) / i),
            _ => None,
        }
    }
}

/// The queries of every version's share of every traffic-splitting alias
/// (Invocations and Errors, summed per `period_s`).
pub fn share_queries(function: &FunctionId, d: &Deployments, period_s: u32) -> Vec<MetricQuery> {
    let mut out = Vec::new();
    for a in d.weighted() {
        for (version, _) in a.routing() {
            for kind in [MetricKind::Invocations, MetricKind::Errors] {
                out.push(MetricQuery {
                    key: MetricKey::executed(function, kind, &a.name, &version),
                    period_s,
                });
            }
        }
    }
    out
}

/// The shares, from what [`share_queries`] fetched.
pub fn shares_of(
    function: &FunctionId,
    d: &Deployments,
    fetched: &[(MetricKey, Series)],
) -> Vec<VersionShare> {
    let sum = |kind, alias: &str, version: &str| {
        let key = MetricKey::executed(function, kind, alias, version);
        fetched
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s.sum())
    };
    let mut out = Vec::new();
    for a in d.weighted() {
        for (version, weight) in a.routing() {
            let invocations = sum(MetricKind::Invocations, &a.name, &version).filter(|v| *v > 0.0);
            out.push(VersionShare {
                alias: a.name.clone(),
                version: version.clone(),
                weight,
                invocations,
                errors: sum(MetricKind::Errors, &a.name, &version),
            });
        }
    }
    out
}

/// How close a version's publication must be to a deploy to be its
/// version (PublishVersion usually follows the code update at once).
const SAME_DEPLOY_S: i64 = 300;

impl Deployments {
    /// Puts versions oldest first (by number) and aliases by name.
    pub fn sorted(mut self) -> Self {
        self.versions
            .retain(|v| v.version != LATEST && !v.version.is_empty());
        self.versions.sort_by_key(|v| {
            (
                v.version.parse::<u64>().unwrap_or(u64::MAX),
                v.version.clone(),
            )
        });
        self.aliases.sort_by(|a, b| a.name.cmp(&b.name));
        self
    }

    /// The versions published inside `range`, oldest first.
    pub fn in_range(&self, range: TimeRange) -> Vec<&Version> {
        self.versions
            .iter()
            .filter(|v| {
                v.published
                    .is_some_and(|t| t >= range.start && t < range.end)
            })
            .collect()
    }

    /// The version a deploy at `deployed` published, if one was published
    /// within minutes after it (the newest such).
    pub fn version_of(&self, deployed: DateTime<Utc>) -> Option<&Version> {
        self.versions.iter().rev().find(|v| {
            v.published.is_some_and(|t| {
                let d = (t - deployed).num_seconds();
                (-SAME_DEPLOY_S..=SAME_DEPLOY_S).contains(&d)
            })
        })
    }

    /// Whether `share` is a canary (not its alias's primary version, the
    /// first of its shares) that fails significantly more than the primary.
    pub fn canary_fails_more(&self, share: &VersionShare) -> bool {
        self.shares
            .iter()
            .find(|s| s.alias == share.alias)
            .is_some_and(|primary| primary != share && share.fails_more_than(primary))
    }

    /// The aliases that split traffic.
    pub fn weighted(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.iter().filter(|a| a.is_weighted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_764_250_000 + min * 60, 0).unwrap()
    }

    fn v(n: &str, min: i64) -> Version {
        Version {
            version: n.into(),
            published: Some(at(min)),
            description: String::new(),
        }
    }

    #[test]
    fn versions_in_the_window_and_the_deploys_version() {
        let d = Deployments {
            versions: vec![v("10", 30), v(LATEST, 40), v("9", -90), v("11", 41)],
            aliases: vec![],
            ..Deployments::default()
        }
        .sorted();
        let names: Vec<&str> = d.versions.iter().map(|v| v.version.as_str()).collect();
        assert_eq!(names, ["9", "10", "11"], "numeric order, no $LATEST");
        let range = TimeRange {
            start: at(0),
            end: at(60),
        };
        let inside: Vec<&str> = d
            .in_range(range)
            .iter()
            .map(|v| v.version.as_str())
            .collect();
        assert_eq!(inside, ["10", "11"]);
        assert_eq!(d.version_of(at(40)).unwrap().version, "11");
        assert!(d.version_of(at(-30)).is_none());
    }

    #[test]
    fn a_canary_alias_routes_the_rest_to_its_primary() {
        let a = Alias {
            name: "live".into(),
            version: "42".into(),
            weights: vec![("43".into(), 0.1)],
        };
        assert!(a.is_weighted());
        assert_eq!(
            a.routing(),
            [("42".to_string(), 0.9), ("43".to_string(), 0.1)]
        );
        assert_eq!(a.describe(), "live → 42 90.0% · 43 10.0%");
        let plain = Alias {
            weights: vec![],
            ..a
        };
        assert_eq!(plain.describe(), "live → 42");
    }
}
