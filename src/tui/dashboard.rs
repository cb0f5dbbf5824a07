//! The dashboard's running state between two events: the app, the store,
//! the pollers of the region on screen, and what the face starts itself
//! (the Logs Insights run, a region switch). The event loop in `tui`
//! waits; this folds what woke it.

use super::Reconnect;
use super::app::{self, App, Effect};
use crate::config::Settings;
use crate::poll::logs::RateLimiter;
use crate::poll::{PollerConfig, Scope, Update, spawn_all_sharing};
use crate::source::Source;
use crate::store::Store;
use chrono::Utc;
use ratatui::crossterm::event::{Event, KeyEventKind};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// The pollers of one source, and the channels to and from them.
pub(super) struct Session {
    pub(super) updates: mpsc::Receiver<Update>,
    /// For work the face starts itself (the Logs Insights run).
    tx: mpsc::Sender<Update>,
    scope: watch::Sender<Scope>,
    handles: Vec<JoinHandle<()>>,
    /// The FilterLogEvents quota the log pane and the error scan share.
    log_limiter: Arc<RateLimiter>,
}

impl Session {
    fn start<S: Source>(src: Arc<S>, settings: &Settings, scope: Scope) -> Self {
        let (tx, updates) = mpsc::channel(256);
        let (scope_tx, scope_rx) = watch::channel(scope);
        let mut cfg = PollerConfig::from_settings(settings, false);
        if !settings.demo {
            cfg.inventory_cache = crate::cache::path(
                settings.profile.as_deref(),
                &src.describe().region,
                settings.endpoint_url.as_deref(),
            );
        }
        let log_limiter = RateLimiter::new(cfg.log_calls_per_second);
        let handles = spawn_all_sharing(src, cfg, tx.clone(), scope_rx, log_limiter.clone());
        Self {
            tx,
            updates,
            scope: scope_tx,
            handles,
            log_limiter,
        }
    }

    fn stop(self) {
        for h in self.handles {
            h.abort();
        }
    }
}

/// The dashboard's running state: what the loop owns between two events.
pub(super) struct Dashboard<'a, S> {
    settings: &'a Settings,
    pub(super) app: App,
    pub(super) store: Store,
    sink: crate::notify::AlarmSink,
    /// The source of the region on screen.
    current: Arc<S>,
    pub(super) session: Session,
    /// Stops the fleet Logs Insights run, while one runs.
    insights_cancel: Option<watch::Sender<bool>>,
    /// Stops the error scan, while one runs.
    scan_cancel: Option<watch::Sender<bool>>,
    reconnect: Reconnect<S>,
}

impl<'a, S: Source> Dashboard<'a, S> {
    pub(super) fn new(
        src: Arc<S>,
        settings: &'a Settings,
        look: super::Look,
        reconnect: Reconnect<S>,
    ) -> Self {
        let app = App::new(
            src.describe(),
            settings.window,
            settings.refresh,
            look.theme,
        )
        .with_keys(look.keys);
        let session = Session::start(src.clone(), settings, app.scope());
        Self {
            settings,
            app,
            store: Store::new(&settings.alarms, settings.prices),
            sink: crate::notify::AlarmSink::from_settings(settings),
            current: src,
            session,
            insights_cancel: None,
            scan_cancel: None,
            reconnect,
        }
    }

    /// Folds `first` and the rest of a burst of updates in (one redraw);
    /// returns whether anything visible changed.
    pub(super) fn fold(&mut self, first: Update) -> bool {
        let mut dirty = self.fold_one(first);
        while let Ok(u) = self.session.updates.try_recv() {
            dirty |= self.fold_one(u);
        }
        self.app.settle(&self.store);
        on_alarm_events(
            &mut self.store,
            &self.sink,
            &mut self.app,
            self.settings.bell,
        );
        self.app.throttled = self
            .store
            .throttled_last_minute(Utc::now())
            .is_some_and(|n| n > 0);
        if self.app.screen == app::Screen::Errors {
            // The first metrics, a new window, or groups five refreshes old.
            self.scan_errors(false);
        }
        dirty
    }

    /// The report's outcome goes to the footer, everything else to the store.
    fn fold_one(&mut self, u: Update) -> bool {
        match u {
            Update::Report(Ok((path, size))) => {
                let text = format!(
                    "incident report written to {} ({})",
                    path.display(),
                    crate::format::bytes(size as f64)
                );
                self.app.say(text, false);
                true
            }
            Update::Report(Err(e)) => {
                self.app.say(format!("no report: {e}"), true);
                true
            }
            u => self.store.apply(u),
        }
    }

    pub(super) fn on_input(&mut self, ev: Event) -> Effect {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.app.on_key(k, &self.store),
            Event::Mouse(m) => self.app.on_mouse(m, &self.store),
            Event::Resize(w, h) => {
                self.app.on_resize(w, h);
                Effect::None
            }
            _ => Effect::None,
        }
    }

    /// Does what only the loop can do; `false` means quit.
    pub(super) async fn act(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::None => {}
            Effect::FleetInsights => self.toggle_insights(),
            Effect::ErrorScan { force } => self.scan_errors(force),
            Effect::Report { function, path } => self.write_report(function, path),
            Effect::Quit => return false,
            Effect::Region(region) => self.switch_region(region).await,
        }
        true
    }

    /// `I`: starts the fleet Logs Insights run, or stops the running one.
    fn toggle_insights(&mut self) {
        let running = self.store.insights_run.as_ref().is_some_and(|r| r.running);
        if let (Some(cancel), true) = (&self.insights_cancel, running) {
            let _ = cancel.send(true);
            self.app.say("stopping the Logs Insights queries…", false);
            return;
        }
        let groups: Vec<_> = self
            .store
            .functions()
            .iter()
            .map(crate::model::function::FunctionInfo::log_group_id)
            .collect();
        if groups.is_empty() {
            self.app.say("no functions to query yet", true);
            return;
        }
        let (cancel_tx, cancel_rx) = watch::channel(false);
        self.insights_cancel = Some(cancel_tx);
        let window = self.app.window;
        let range = crate::model::metrics::TimeRange::ending_at(Utc::now(), window);
        self.app.say(
            format!(
                "Logs Insights over {} log groups, last {} (I again stops it; billed per GB scanned)",
                groups.len(),
                crate::format::window(window)
            ),
            false,
        );
        tokio::spawn(crate::poll::insights::run_fleet_query(
            self.current.clone(),
            groups,
            range,
            crate::poll::insights::RunLimits::default(),
            self.session.tx.clone(),
            cancel_rx,
        ));
    }

    /// The errors screen reads the failing functions' failures: when asked
    /// (`force`), when none were read, when the window changed, or when the
    /// last read is older than five refreshes. A running scan is stopped
    /// first; the new one replaces its groups.
    fn scan_errors(&mut self, force: bool) {
        let now = Utc::now();
        let scan = &self.store.error_scan;
        let window = chrono::Duration::from_std(self.app.window).unwrap_or_default();
        let same_window = scan.range.is_some_and(|r| r.end - r.start == window);
        let fresh = scan.running
            || scan.finished_at.is_some_and(|t| {
                (now - t).to_std().unwrap_or_default() < self.settings.refresh * 5
            });
        if !force && same_window && fresh {
            return;
        }
        if self.store.metrics.value.is_none() {
            // Who failed is not known yet; the fold asks again when the
            // metrics arrive.
            return;
        }
        if let Some(cancel) = self.scan_cancel.take() {
            let _ = cancel.send(true);
        }
        let targets = crate::poll::errors::targets_of(self.store.functions_with_summaries());
        let range = crate::model::metrics::TimeRange::ending_at(now, self.app.window);
        let (cancel_tx, cancel_rx) = watch::channel(false);
        self.scan_cancel = Some(cancel_tx);
        tokio::spawn(crate::poll::errors::run_error_scan(
            self.current.clone(),
            targets,
            range,
            crate::poll::errors::ScanLimits::default(),
            self.session.log_limiter.clone(),
            self.session.tx.clone(),
            cancel_rx,
        ));
    }

    /// `ctrl-s` / `:report`: composes the report from a copy of the store
    /// in the background (the function's failures and traces are read
    /// through the shared log limiter) and writes it to a new file; the
    /// footer says where.
    fn write_report(
        &mut self,
        function: Option<crate::model::id::FunctionId>,
        path: Option<std::path::PathBuf>,
    ) {
        use crate::report::incident::{self, Request, Target};
        let mut store = self.store.clone();
        let src = self.current.clone();
        let info = self.app.info.clone();
        let window = self.app.window;
        let request = Request {
            function: function.map(|f| f.to_string()),
            now: Utc::now(),
            flags: incident::run::flags_of(self.settings),
        };
        let target = Target::of(path.as_deref(), &self.settings.report_dir);
        let limiter = self.session.log_limiter.clone();
        let tx = self.session.tx.clone();
        tokio::spawn(async move {
            let outcome = async {
                let i =
                    incident::compose(src, &mut store, &info, window, &request, limiter).await?;
                let text = incident::render(&i);
                let focus = i.focus.as_ref().map(|f| f.function.name.as_str());
                let written = incident::write_new(&target, request.now, focus, &text)?;
                Ok((written, text.len()))
            }
            .await;
            let _ = tx.send(Update::Report(outcome)).await;
        });
    }

    /// `:region`: a new source, a new store, new pollers; the UI state stays.
    async fn switch_region(&mut self, region: String) {
        match (self.reconnect)(region.clone()).await {
            Ok(new) => {
                let new = Arc::new(new);
                self.stop_insights();
                if let Some(cancel) = self.scan_cancel.take() {
                    let _ = cancel.send(true);
                }
                self.app.info = new.describe();
                self.store = Store::new(&self.settings.alarms, self.settings.prices);
                let next = Session::start(new.clone(), self.settings, self.app.scope());
                std::mem::replace(&mut self.session, next).stop();
                self.current = new;
            }
            Err(e) => {
                self.app.message = Some(app::Message {
                    text: format!("cannot switch to region '{region}': {e}"),
                    error: true,
                });
            }
        }
    }

    fn stop_insights(&mut self) -> bool {
        match self.insights_cancel.take() {
            Some(c) => {
                let _ = c.send(true);
                true
            }
            None => false,
        }
    }

    /// Tells the pollers what is on screen now (only when it changed).
    pub(super) fn publish_scope(&self) {
        let mut scope = self.app.scope();
        if self.store.inventory.value.is_some() {
            scope.on_screen = Some(self.app.rows_on_screen(&self.store));
        }
        self.session.scope.send_if_modified(|s| {
            let changed = *s != scope;
            *s = scope;
            changed
        });
    }

    pub(super) async fn shutdown(mut self) {
        if self.stop_insights() {
            // Give the queries' StopQuery calls (which end the billing) a moment.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        self.session.stop();
    }
}

/// Acts on rule changes: bell, `--alarm-log`, `notify_command`, and a
/// footer line naming what started firing.
fn on_alarm_events(store: &mut Store, sink: &crate::notify::AlarmSink, app: &mut App, bell: bool) {
    use std::io::Write;
    let events = store.take_alarm_events();
    let firing: Vec<_> = events.iter().filter(|e| e.state.is_firing()).collect();
    if let Some(e) = firing.last() {
        app.message = Some(app::Message {
            text: format!(
                "alarm {}: {} on {}{}",
                e.state.as_str(),
                crate::model::text::sanitize(&e.alarm),
                crate::model::text::sanitize(&e.function.to_string()),
                if firing.len() > 1 {
                    format!(" (+{} more)", firing.len() - 1)
                } else {
                    String::new()
                }
            ),
            error: true,
        });
        if bell {
            let mut out = std::io::stdout();
            let _ = out.write_all(b"\x07").and_then(|_| out.flush());
        }
    }
    for p in sink.handle(&events) {
        app.message = Some(app::Message {
            text: p,
            error: true,
        });
    }
}
