//! The interactive dashboard: terminal setup and restore (also on panic and
//! on signals), and the event loop that folds poller updates into the store,
//! feeds input to the app, publishes the Scope, and redraws only when
//! something changed or the visible clock ticks.

mod action;
pub mod app;
pub(crate) mod command;
mod dashboard;
pub(crate) mod errors;
pub(crate) mod keymap;
pub mod keys;
pub(crate) mod layout;
pub(crate) mod logview;
pub mod rows;
pub mod theme;
pub(crate) mod traces;
pub mod view;

use crate::config::Settings;
use crate::source::Source;
use app::Effect;
use chrono::Utc;
use dashboard::Dashboard;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::future::Future;
use std::io::Stdout;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Makes a source for another region (`:region`).
pub type Reconnect<S> =
    Box<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<S, String>> + Send>>>;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// The dashboard's keys and colours: the built-in key table and theme with
/// the config's `[keys]` and `theme` applied. Built (and so checked) before
/// any face runs, so a bad key or colour stops lamtop with exit 2 and the
/// file and line, not half-way into a terminal session.
#[derive(Debug, Clone)]
pub struct Look {
    /// The key table of this run.
    pub keys: keys::KeyTable,
    /// The colours of this run.
    pub theme: theme::Theme,
}

impl Look {
    /// The look `settings` ask for, painted only if `color`.
    pub fn from_settings(settings: &Settings, color: bool) -> Result<Self, String> {
        Ok(Self {
            keys: keys::KeyTable::with_overrides(&settings.keys)?,
            theme: theme::Theme {
                color,
                palette: theme::Palette::chosen(&settings.theme)?,
            },
        })
    }
}

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

/// Runs the dashboard until the user quits or a signal arrives.
pub async fn run<S: Source>(
    src: Arc<S>,
    settings: &Settings,
    look: Look,
    reconnect: Reconnect<S>,
) -> Result<(), String> {
    let mut terminal = setup_terminal()?;
    let result = event_loop(&mut terminal, src, settings, look, reconnect).await;
    restore_terminal();
    result
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
    look: Look,
    reconnect: Reconnect<S>,
) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term_sig = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut hup_sig = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let mut input = spawn_input();
    let mut d = Dashboard::new(src, settings, look, reconnect);
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

#[cfg(test)]
pub(crate) mod tests;
