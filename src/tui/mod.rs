//! The interactive dashboard: terminal setup and restore (also on panic and
//! on signals), and the event loop that folds poller updates into the store,
//! feeds input to the app, publishes the Scope, and redraws only when
//! something changed or the visible clock ticks.

mod action;
pub mod app;
pub(crate) mod command;
pub(crate) mod keymap;
pub(crate) mod layout;
pub(crate) mod logview;
pub mod rows;
pub mod theme;
pub(crate) mod traces;
pub mod view;

use crate::config::Settings;
use crate::poll::{PollerConfig, Scope, Update, spawn_all};
use crate::source::Source;
use crate::store::Store;
use app::{App, Effect};
use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::future::Future;
use std::io::Stdout;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use theme::Theme;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Makes a source for another region (`:region`).
pub type Reconnect<S> =
    Box<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<S, String>> + Send>>>;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal back: raw mode off, main screen, mouse released.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

fn setup_terminal() -> Result<Term, String> {
    // Restore before the default hook prints the panic message.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    enable_raw_mode().map_err(|e| format!("cannot use this terminal: {e}"))?;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture)
        .map_err(|e| format!("cannot use this terminal: {e}"))?;
    Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(|e| e.to_string())
}

/// Reads terminal events on a thread of its own (crossterm's reader
/// blocks) and forwards them; stops when the loop is gone.
fn spawn_input() -> mpsc::Receiver<Event> {
    let (tx, rx) = mpsc::channel(256);
    std::thread::spawn(move || {
        loop {
            match event::poll(Duration::from_millis(200)) {
                Ok(true) => match event::read() {
                    Ok(ev) => {
                        if tx.blocking_send(ev).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                },
                Ok(false) if tx.is_closed() => return,
                Ok(false) => {}
                Err(_) => return,
            }
        }
    });
    rx
}

struct Session {
    updates: mpsc::Receiver<Update>,
    /// For work the face starts itself (the Logs Insights run).
    tx: mpsc::Sender<Update>,
    scope: watch::Sender<Scope>,
    handles: Vec<JoinHandle<()>>,
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
        let handles = spawn_all(src, cfg, tx.clone(), scope_rx);
        Self {
            tx,
            updates,
            scope: scope_tx,
            handles,
        }
    }

    fn stop(self) {
        for h in self.handles {
            h.abort();
        }
    }
}

/// Runs the dashboard until the user quits or a signal arrives.
pub async fn run<S: Source>(
    src: Arc<S>,
    settings: &Settings,
    color: bool,
    reconnect: Reconnect<S>,
) -> Result<(), String> {
    let mut terminal = setup_terminal()?;
    let result = event_loop(&mut terminal, src, settings, color, reconnect).await;
    restore_terminal();
    result
}

/// The dashboard's running state: what the loop owns between two events.
struct Dashboard<'a, S> {
    settings: &'a Settings,
    app: App,
    store: Store,
    sink: crate::notify::AlarmSink,
    /// The source of the region on screen.
    current: Arc<S>,
    session: Session,
    /// Stops the fleet Logs Insights run, while one runs.
    insights_cancel: Option<watch::Sender<bool>>,
    reconnect: Reconnect<S>,
}

/// One turn of the loop: what woke it.
enum Wake {
    /// A key, the mouse or a resize.
    Input(Event),
    /// Pollers sent updates (already folded in).
    Data,
    /// The clock: redraw ages and staleness.
    Tick,
    /// Leave: input closed, pollers gone, SIGTERM or SIGHUP.
    Stop,
}

async fn event_loop<S: Source>(
    terminal: &mut Term,
    src: Arc<S>,
    settings: &Settings,
    color: bool,
    reconnect: Reconnect<S>,
) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term_sig = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut hup_sig = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let mut input = spawn_input();
    let mut d = Dashboard::new(src, settings, color, reconnect);
    if let Ok(size) = terminal.size() {
        d.app.on_resize(size.width, size.height);
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let debug_panic = cfg!(debug_assertions) && std::env::var_os("LAMTOP_DEBUG_PANIC").is_some();
    loop {
        if dirty {
            terminal
                .draw(|f| view::render(f, &d.app, &d.store, Utc::now()))
                .map_err(|e| format!("cannot draw: {e}"))?;
            dirty = false;
            // Debug builds only: a deliberate panic, so the tests can prove
            // the terminal is restored and the message printed.
            if debug_panic {
                panic!("LAMTOP_DEBUG_PANIC is set: deliberate panic after the first frame");
            }
        }
        let wake = tokio::select! {
            ev = input.recv() => ev.map_or(Wake::Stop, Wake::Input),
            update = d.session.updates.recv() => match update {
                Some(u) => {
                    dirty |= d.fold(u);
                    Wake::Data
                }
                None => Wake::Stop,
            },
            _ = tick.tick() => Wake::Tick,
            _ = term_sig.recv() => Wake::Stop,
            _ = hup_sig.recv() => Wake::Stop,
        };
        let effect = match wake {
            Wake::Stop => break,
            Wake::Data => Effect::None,
            Wake::Tick => {
                dirty = true;
                Effect::None
            }
            Wake::Input(ev) => {
                dirty = true;
                d.on_input(ev)
            }
        };
        if !d.act(effect).await {
            break;
        }
        d.publish_scope();
    }
    d.shutdown().await;
    Ok(())
}

impl<'a, S: Source> Dashboard<'a, S> {
    fn new(src: Arc<S>, settings: &'a Settings, color: bool, reconnect: Reconnect<S>) -> Self {
        let app = App::new(
            src.describe(),
            settings.window,
            settings.refresh,
            Theme { color },
        );
        let session = Session::start(src.clone(), settings, app.scope());
        Self {
            settings,
            app,
            store: Store::new(&settings.alarms, settings.prices),
            sink: crate::notify::AlarmSink::from_settings(settings),
            current: src,
            session,
            insights_cancel: None,
            reconnect,
        }
    }

    /// Folds `first` and the rest of a burst of updates in (one redraw);
    /// returns whether anything visible changed.
    fn fold(&mut self, first: Update) -> bool {
        let mut dirty = self.store.apply(first);
        while let Ok(u) = self.session.updates.try_recv() {
            dirty |= self.store.apply(u);
        }
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
        dirty
    }

    fn on_input(&mut self, ev: Event) -> Effect {
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
    async fn act(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::None => {}
            Effect::FleetInsights => self.toggle_insights(),
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

    /// `:region`: a new source, a new store, new pollers; the UI state stays.
    async fn switch_region(&mut self, region: String) {
        match (self.reconnect)(region.clone()).await {
            Ok(new) => {
                let new = Arc::new(new);
                self.stop_insights();
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
    fn publish_scope(&self) {
        let scope = self.app.scope();
        self.session.scope.send_if_modified(|s| {
            let changed = *s != scope;
            *s = scope;
            changed
        });
    }

    async fn shutdown(mut self) {
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
    use crate::model::alarms::AlarmState;
    use std::io::Write;
    let events = store.take_alarm_events();
    let firing: Vec<_> = events
        .iter()
        .filter(|e| e.state == AlarmState::Firing)
        .collect();
    if let Some(e) = firing.last() {
        app.message = Some(app::Message {
            text: format!(
                "alarm FIRING: {} on {}{}",
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

#[cfg(test)]
mod tests;
