//! The CloudWatch half of the demo: metric series aggregated from the
//! synthetic per-minute behaviour, and the alarms that behaviour sets off.
//! Separate from the parent because the statistics and alarm stories are
//! the bulk of the demo's arithmetic, while the parent holds the source
//! itself and the simpler inventory, logs and traces answers.

use super::DemoSource;
use super::fleet::{self, Behaviour, Minute, Spec};
use super::signals;
use crate::model::alarms::{Alarm, AlarmKind, AlarmSource, AlarmState};
use crate::model::metrics::{MetricKind, MetricQuery, Series, Stat, TimeRange};
use crate::model::signals::{Discovery, SIGNAL_KINDS};
use crate::source::{Alarms, Metrics, MetricsFetch, SourceError};
use chrono::DateTime;

impl DemoSource {
    /// Minutes of one function inside `[start, end)`, never in the future.
    fn minutes(&self, idx: usize, spec: &Spec, start: i64, end: i64) -> Vec<Minute> {
        self.timed_minutes(idx, spec, start, end)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    /// [`Self::minutes`] with each minute's epoch minute.
    fn timed_minutes(&self, idx: usize, spec: &Spec, start: i64, end: i64) -> Vec<(i64, Minute)> {
        let now_min = self.now().timestamp().div_euclid(60);
        (start.div_euclid(60)..end.div_euclid(60))
            .filter(|m| *m <= now_min)
            .map(|m| (m, fleet::minute(self.seed, idx, spec, m)))
            .collect()
    }

    /// A function's signal metric over one bucket (its alias's is the same:
    /// only the `live` alias carries provisioned concurrency).
    fn signal_value(&self, function: &str, q: &MetricQuery, start: i64, end: i64) -> Option<f64> {
        let (i, spec) = self.spec(function)?;
        let minutes = self.timed_minutes(i, spec, start, end);
        signals::aggregate(spec, q.key.kind, q.key.stat, &minutes)
    }

    /// The value of one statistic over a bucket of minutes; `None` when
    /// Lambda would publish no datapoint (no traffic).
    fn aggregate(kind: MetricKind, stat: Stat, ms: &[Minute]) -> Option<f64> {
        let busy: Vec<&Minute> = ms.iter().filter(|m| m.invocations > 0.0).collect();
        let inv: f64 = busy.iter().map(|m| m.invocations).sum();
        let weighted = |f: fn(&Minute) -> f64| {
            (inv > 0.0).then(|| busy.iter().map(|m| f(m) * m.invocations).sum::<f64>() / inv)
        };
        match (kind, stat) {
            (MetricKind::Invocations, _) => (inv > 0.0).then_some(inv),
            (MetricKind::Errors, _) => (inv > 0.0).then(|| busy.iter().map(|m| m.errors).sum()),
            (MetricKind::Throttles, _) => {
                let t: f64 = ms.iter().map(|m| m.throttles).sum();
                (t > 0.0 || inv > 0.0).then_some(t)
            }
            (MetricKind::Duration, Stat::Average) => weighted(|m| m.avg_ms),
            (MetricKind::Duration, Stat::Maximum) => busy.iter().map(|m| m.max_ms).reduce(f64::max),
            (MetricKind::Duration, Stat::P50) => weighted(|m| m.p50_ms),
            (MetricKind::Duration, Stat::P90) => weighted(|m| m.p90_ms),
            (MetricKind::Duration, Stat::P99) => weighted(|m| m.p99_ms),
            (MetricKind::Duration, Stat::Sum) => {
                (inv > 0.0).then(|| busy.iter().map(|m| m.avg_ms * m.invocations).sum())
            }
            (MetricKind::ConcurrentExecutions, _) => {
                busy.iter().map(|m| m.concurrency).reduce(f64::max)
            }
            // The signal metrics are the story functions' own (`signals`).
            _ => None,
        }
    }

    /// The series one query asks for over `range`, one point per period
    /// with data (a function's own minutes, or the account's).
    fn series(&self, range: TimeRange, q: &MetricQuery) -> Series {
        let period = i64::from(q.period_s.max(60));
        // A version's share is routed once per query, not per period.
        let share = match (&q.key.function, &q.key.executed) {
            (Some(f), Some(e)) => match self.routed(&f.name, e) {
                Some(r) => Some(r),
                None => return Series::from_points(range, q.period_s, []),
            },
            _ => None,
        };
        let mut points = Vec::new();
        let mut t = range.start.timestamp();
        while t < range.end.timestamp() {
            let v = match &q.key.function {
                Some(f)
                    if SIGNAL_KINDS.contains(&q.key.kind) || q.key.kind.is_lambda_insights() =>
                {
                    self.signal_value(&f.name, q, t, t + period)
                }
                Some(f) => self.spec(&f.name).and_then(|(i, s)| {
                    let minutes = self.minutes(i, s, t, t + period);
                    let whole = Self::aggregate(q.key.kind, q.key.stat, &minutes)?;
                    match share {
                        None => Some(whole),
                        Some(r) => Some(Self::version_share(r, q.key.kind, whole, &minutes)),
                    }
                }),
                None => self.account_value(q.key.kind, t, t + period),
            };
            if let Some(v) = v {
                points.push((DateTime::from_timestamp(t, 0).unwrap_or_default(), v));
            }
            t += period;
        }
        Series::from_points(range, q.period_s, points)
    }

    /// One version's part of a canary alias's `whole` (Invocations or
    /// Errors): the canary gets its weight of the calls and fails
    /// [`fleet::CANARY_ERRORS`] of them, the primary the rest.
    fn version_share(
        (canary, weight): (bool, f64),
        kind: MetricKind,
        whole: f64,
        minutes: &[Minute],
    ) -> f64 {
        let calls: f64 = minutes.iter().map(|m| m.invocations).sum();
        let canary_calls = (calls * fleet::CANARY_WEIGHT).round();
        let canary_errors = (canary_calls * fleet::CANARY_ERRORS).round().min(whole);
        match (kind, canary) {
            (MetricKind::Invocations, true) => canary_calls,
            (MetricKind::Invocations, false) => (whole - canary_calls).max(0.0),
            (MetricKind::Errors, true) => canary_errors,
            (MetricKind::Errors, false) => (whole - canary_errors).max(0.0),
            _ => whole * weight,
        }
    }

    /// Whether `e`'s version is the canary of its alias, and its weight;
    /// `None` for a version or alias the function does not route to.
    fn routed(&self, function: &str, e: &crate::model::metrics::Executed) -> Option<(bool, f64)> {
        let (_, spec) = self.spec(function)?;
        let d = fleet::deployments(spec, self.now());
        let alias = d.aliases.iter().find(|a| a.name == e.alias)?;
        let (_, weight) = alias.routing().into_iter().find(|(v, _)| *v == e.version)?;
        Some((e.version != alias.version, weight))
    }

    /// An account-level value over `[start, end)`, the peak over its
    /// minutes; `None` for kinds only functions publish.
    fn account_value(&self, kind: MetricKind, start: i64, end: i64) -> Option<f64> {
        let mut peak: Option<f64> = None;
        for m in start.div_euclid(60)..end.div_euclid(60) {
            if m > self.now().timestamp().div_euclid(60) {
                break;
            }
            let v = match kind {
                MetricKind::ConcurrentExecutions => self
                    .specs
                    .iter()
                    .enumerate()
                    .map(|(i, s)| fleet::minute(self.seed, i, s, m).concurrency)
                    .sum(),
                MetricKind::ClaimedAccountConcurrency => {
                    f64::from(self.specs.iter().filter_map(|s| s.reserved).sum::<u32>())
                }
                _ => return None,
            };
            peak = Some(peak.map_or(v, |p: f64| p.max(v)));
        }
        peak
    }
}

impl Metrics for DemoSource {
    async fn fetch_metrics(
        &self,
        range: TimeRange,
        queries: &[MetricQuery],
    ) -> Result<MetricsFetch, SourceError> {
        let pct = queries
            .iter()
            .filter(|q| q.key.stat.is_percentile())
            .count();
        let calls = (queries.len() - pct).div_ceil(500) + pct.div_ceil(500);
        self.call(calls as u64).await;
        Ok(MetricsFetch {
            series: queries
                .iter()
                .map(|q| (q.key.clone(), self.series(range, q)))
                .collect(),
            failed: Vec::new(),
            calls: calls as u32,
            requested: queries.len(),
        })
    }

    async fn discover_signals(&self) -> Result<Discovery, SourceError> {
        // One ListMetrics per signal metric, each a single page here.
        self.call(SIGNAL_KINDS.len() as u64).await;
        Ok(signals::discovery(&self.specs))
    }
}

impl Alarms for DemoSource {
    async fn describe_alarms(&self) -> Result<Vec<Alarm>, SourceError> {
        self.call(1).await;
        let now = self.now();
        let minute = now.timestamp().div_euclid(60);
        let mut out = Vec::new();
        for (i, s) in self.specs.iter().enumerate() {
            let (name, metric, firing, since_min, reason) = match s.behaviour {
                Behaviour::ErrorBurst => {
                    let in_burst = (20..30).contains(&minute.rem_euclid(60));
                    let edge = minute - minute.rem_euclid(60) + if in_burst { 20 } else { 30 };
                    let edge = if edge > minute { edge - 60 } else { edge };
                    (
                        format!("{}-errors", s.info.id.name),
                        "Errors",
                        in_burst,
                        edge,
                        "Threshold Crossed: errors > 10 for 2 datapoints within 2 minutes",
                    )
                }
                Behaviour::Throttled => {
                    let throttled = |m: i64| fleet::minute(self.seed, i, s, m).throttles > 0.0;
                    let firing = throttled(minute - 1);
                    // The state began where the last minute's kind of
                    // minute began (bounded to a day), so it does not
                    // slide with the clock.
                    let mut since = minute - 1;
                    while since > minute - 1440 && throttled(since - 1) == firing {
                        since -= 1;
                    }
                    (
                        format!("{}-throttles", s.info.id.name),
                        "Throttles",
                        firing,
                        since,
                        "Threshold Crossed: throttles > 0 for 1 datapoint within 1 minute",
                    )
                }
                Behaviour::Normal if s.info.id.name == "orders-api" => (
                    "orders-api-p99".into(),
                    "Duration",
                    false,
                    // OK since the day began.
                    minute - minute.rem_euclid(1440),
                    "Threshold Crossed: p99 < 1000 ms",
                ),
                _ => continue,
            };
            out.push(Alarm {
                name,
                source: AlarmSource::Cloudwatch,
                kind: AlarmKind::Metric,
                state: if firing {
                    AlarmState::Alarm
                } else {
                    AlarmState::Ok
                },
                function: Some(s.info.id.clone()),
                namespace: Some("AWS/Lambda".into()),
                metric: Some(metric.into()),
                since: DateTime::from_timestamp(since_min * 60, 0),
                reason: reason.into(),
                rule: None,
                severity: None,
                value: None,
            });
        }
        Ok(out)
    }
}
