//! The pollers of the whole fleet: the function list (with the account id
//! and limits), the fleet metrics and the CloudWatch alarms. The inventory
//! step publishes the list it saw; the others wait for it.

use super::context::{Ctx, Fleet};
use super::runner::{fetch, outcome_of};
use super::schedule::Outcome;
use crate::message::{DataKind, Update};
use crate::model::alarms::relevant_alarms;
use crate::model::function::FunctionInfo;
use crate::model::id::FunctionId;
use crate::source::Source;
use chrono::Utc;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::watch;

/// Lists the functions (the previous run's list first, when cached), then
/// reads the account id and limits.
pub(super) async fn inventory<S: Source>(c: Arc<Ctx<S>>) -> Option<Outcome> {
    if matches!(*c.fleet_tx.borrow(), Fleet::Pending) {
        show_cached(&c).await;
    }
    let _ = c.tx.send(Update::Started(DataKind::Inventory)).await;
    let result = c.src.list_functions().await;
    let outcome = outcome_of(&result);
    let (result, unmatched) = match result {
        Ok(all) => {
            save_cache(&c, &all);
            let (kept, unmatched) = c.cfg.filter.apply(all);
            c.fleet_tx
                .send_replace(Fleet::Ready(Arc::new(kept.clone())));
            (Ok(kept), unmatched)
        }
        Err(e) => {
            // Keep a fleet we already had; only a first failure blocks the others.
            c.fleet_tx.send_if_modified(|f| match f {
                Fleet::Pending => {
                    *f = Fleet::Failed;
                    true
                }
                _ => false,
            });
            (Err(e), Vec::new())
        }
    };
    let at = Utc::now();
    let _ =
        c.tx.send(Update::Inventory {
            at,
            result,
            unmatched,
        })
        .await;
    let identity = c.src.account_id().await;
    let _ = c.tx.send(Update::Identity { result: identity }).await;
    let account = c.src.account_limits().await;
    let at = Utc::now();
    let _ =
        c.tx.send(Update::Account {
            at,
            result: account,
        })
        .await;
    Some(outcome)
}

/// First run with a cache: show the last run's list now, and let the
/// metrics poller start on it while ListFunctions pages.
async fn show_cached<S>(c: &Ctx<S>) {
    let Some((saved_at, all)) = c
        .cfg
        .inventory_cache
        .as_deref()
        .and_then(crate::cache::load)
    else {
        return;
    };
    let (kept, _) = c.cfg.filter.apply(all);
    c.fleet_tx
        .send_replace(Fleet::Ready(Arc::new(kept.clone())));
    let functions = kept;
    let _ =
        c.tx.send(Update::CachedInventory {
            saved_at,
            functions,
        })
        .await;
}

fn save_cache<S>(c: &Ctx<S>, all: &[FunctionInfo]) {
    if let Some(path) = c.cfg.inventory_cache.as_deref()
        && let Err(e) = crate::cache::save(path, all, Utc::now())
    {
        tracing::warn!(error = %e, path = %path.display(), "cannot save the function list cache");
    }
}

/// Waits for the first inventory; `None` when it failed and there is no fleet.
pub(super) async fn wait_fleet(
    mut rx: watch::Receiver<Fleet>,
    once: bool,
) -> Option<Arc<Vec<FunctionInfo>>> {
    loop {
        let state = rx.borrow_and_update().clone();
        match state {
            Fleet::Ready(f) => return Some(f),
            Fleet::Failed if once => return None,
            Fleet::Pending | Fleet::Failed => {
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        }
    }
}

/// The CloudWatch alarms that concern the functions in scope.
/// The fleet's event source mappings (one paged list for the region),
/// those of the fleet's functions kept.
pub(super) async fn event_sources<S: Source>(c: Arc<Ctx<S>>) -> Option<Outcome> {
    let functions = wait_fleet(c.fleet_tx.subscribe(), c.cfg.once).await?;
    let ids: HashSet<&FunctionId> = functions.iter().map(|f| &f.id).collect();
    let call = async {
        let all = c.src.event_sources().await?;
        Ok(all
            .into_iter()
            .filter(|e| ids.contains(&e.function))
            .collect())
    };
    let wrap = |at, result| Update::EventSources { at, result };
    Some(fetch(&c.tx, DataKind::EventSources, call, wrap).await)
}

pub(super) async fn alarms<S: Source>(c: Arc<Ctx<S>>) -> Option<Outcome> {
    let functions = wait_fleet(c.fleet_tx.subscribe(), c.cfg.once).await?;
    let ids: HashSet<&FunctionId> = functions.iter().map(|f| &f.id).collect();
    let call = async {
        let all = c.src.describe_alarms().await?;
        Ok(relevant_alarms(all, |f| ids.contains(f)))
    };
    let wrap = |at, result| Update::Alarms { at, result };
    Some(fetch(&c.tx, DataKind::Alarms, call, wrap).await)
}
