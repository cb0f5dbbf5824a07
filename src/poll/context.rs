//! What every poller step shares: the source, the channel to the face, the
//! fleet as the inventory last saw it, and how the pollers run.

use super::runner::Tx;
use crate::model::budget::Tiers;
use crate::model::function::{FunctionFilter, FunctionInfo};
use crate::model::rules::RuleEngine;
use crate::model::signals::Discovery;
use crate::source::Source;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How the pollers run.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    /// Fetch everything once, then finish.
    pub once: bool,
    /// Inventory interval.
    pub inventory_every: Duration,
    /// Metrics interval (Lambda publishes per minute: faster buys nothing).
    pub metrics_every: Duration,
    /// Alarms interval.
    pub alarms_every: Duration,
    /// Which functions are in scope.
    pub filter: FunctionFilter,
    /// Most FilterLogEvents calls per second, shared by all log polling.
    pub log_calls_per_second: f64,
    /// Log events kept per view.
    pub log_capacity: usize,
    /// Alarm rules, for the extra p99 series the p99 rules need.
    pub rules: Arc<RuleEngine>,
    /// The function-list cache of this profile and region (dashboard only):
    /// shown at once, then refreshed.
    pub inventory_cache: Option<std::path::PathBuf>,
    /// What metrics may cost, USD per hour (`None`: no limit; `--once`
    /// reads everything).
    pub budget: Option<f64>,
}

/// The inventory is re-read this often (functions change rarely).
pub const INVENTORY_EVERY: Duration = Duration::from_secs(300);

impl PollerConfig {
    /// The configuration every face uses: inventory every 5 minutes, metrics
    /// and alarms every `--refresh`, the log limits from the settings.
    pub fn from_settings(settings: &crate::config::Settings, once: bool) -> Self {
        Self {
            once,
            inventory_every: INVENTORY_EVERY,
            metrics_every: settings.refresh,
            alarms_every: settings.refresh,
            filter: settings.filter.clone(),
            log_calls_per_second: settings.log_calls_per_second,
            log_capacity: settings.log_capacity,
            rules: Arc::new(RuleEngine::new(&settings.alarms)),
            inventory_cache: None,
            budget: if once { None } else { settings.api_budget },
        }
    }
}

/// The fleet as the inventory poller last saw it, shared with the pollers
/// that need the function list.
#[derive(Debug, Clone)]
pub(super) enum Fleet {
    /// No list yet.
    Pending,
    /// The list of functions in scope.
    Ready(Arc<Vec<FunctionInfo>>),
    /// The first fetch failed and there is no list.
    Failed,
}

/// Shared by every step of every poller.
pub(super) struct Ctx<S> {
    /// Where the data comes from.
    pub src: Arc<S>,
    /// Where updates go.
    pub tx: Tx,
    /// How the pollers run.
    pub cfg: PollerConfig,
    /// The fleet as last listed: the inventory step writes it, the
    /// metrics, alarms and log steps read it.
    pub fleet_tx: watch::Sender<Fleet>,
    /// Which functions publish which signal metrics, and when that was
    /// last read (shared by the metrics and detail steps).
    pub signals: tokio::sync::Mutex<(Option<Instant>, Arc<Discovery>)>,
    /// The metrics refresh's tiers: who is active, who was read when.
    pub tiers: std::sync::Mutex<Tiers>,
}

impl<S: Source> Ctx<S> {
    /// The signal discovery. The first call waits for it; after that it is
    /// read again in the background once an inventory interval has passed
    /// (the functions that gain a stream or async traffic appear then),
    /// so a slow or throttled ListMetrics never delays a metrics refresh.
    /// A failed read keeps the last one and is retried next time.
    pub async fn discovery(self: &Arc<Self>) -> Arc<Discovery> {
        let mut cache = self.signals.lock().await;
        match cache.0 {
            None => {
                let found = self.read_discovery().await;
                *cache = (Some(Instant::now()), found.unwrap_or_default().into());
            }
            Some(t) if t.elapsed() >= self.cfg.inventory_every => {
                cache.0 = Some(Instant::now());
                let ctx = self.clone();
                tokio::spawn(async move {
                    if let Some(found) = ctx.read_discovery().await {
                        ctx.signals.lock().await.1 = Arc::new(found);
                    }
                });
            }
            Some(_) => {}
        }
        cache.1.clone()
    }

    /// Whether `function` (as last listed) has the Lambda Insights layer.
    pub fn has_lambda_insights(&self, function: &crate::model::id::FunctionId) -> bool {
        match &*self.fleet_tx.borrow() {
            Fleet::Ready(list) => list
                .iter()
                .any(|f| f.id == *function && f.setup.has_lambda_insights()),
            _ => false,
        }
    }

    async fn read_discovery(&self) -> Option<Discovery> {
        match self.src.discover_signals().await {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the signal metrics");
                None
            }
        }
    }
}
