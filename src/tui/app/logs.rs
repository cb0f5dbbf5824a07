//! Keys of the function view as a whole and of its log pane.

use super::{App, Focus, Input, Screen};
use crate::store::Store;
use crate::tui::keymap::{Action, FunctionAction, LogAction};
use chrono::Utc;

impl App {
    /// Handles a function-view action.
    pub(super) fn act_function(&mut self, action: FunctionAction, store: &Store) {
        match action {
            FunctionAction::Prev => self.move_by(-1, store),
            FunctionAction::Next => self.move_by(1, store),
            FunctionAction::FocusNext => {
                self.focus = match self.focus {
                    Focus::Logs => Focus::Traces,
                    Focus::Traces => Focus::Logs,
                };
            }
        }
    }

    /// Handles a log-pane action.
    pub(super) fn act_log(&mut self, action: LogAction, store: &Store) {
        let logs = store.logs.as_ref();
        match action {
            LogAction::Follow => self.logs.toggle_follow(logs),
            LogAction::Wrap => self.logs.wrap = !self.logs.wrap,
            LogAction::Time => self.logs.utc = !self.logs.utc,
            LogAction::Filter => {
                let current = self.log_filter().unwrap_or_default().to_string();
                self.input = Some(Input::LogFilter(current));
            }
            LogAction::ClearFilter => match self.log_filter() {
                Some(_) => {
                    self.set_log_filter(None);
                    self.logs.follow_newest();
                    self.say("log filter cleared", false);
                }
                None => self.say("no log filter on this function", false),
            },
            LogAction::Search => self.input = Some(Input::LogSearch(String::new())),
            LogAction::NextMatch | LogAction::PrevMatch => {
                if !self.logs.next_match(logs, action == LogAction::NextMatch) {
                    self.say("no further match", false);
                }
            }
            LogAction::ErrorsOnly => self.logs.errors_only = !self.logs.errors_only,
            LogAction::PrevRequest | LogAction::NextRequest => {
                self.logs
                    .next_request(logs, action == LogAction::NextRequest);
            }
            LogAction::FullScreen => self.logs.full = !self.logs.full,
            LogAction::Up => self.scroll_logs(store, -1),
            LogAction::Down => self.logs.scroll(logs, 1),
            LogAction::PageUp => self.scroll_logs(store, -(self.log_page() as isize)),
            LogAction::PageDown => self.logs.scroll(logs, self.log_page() as isize),
            LogAction::End => self.logs.follow_newest(),
            LogAction::ToTrace => self.log_to_trace(store),
            LogAction::Expand => {
                if !self.logs.toggle_expand(logs) {
                    let key = |a: LogAction| self.keys.key_of(Action::Log(a));
                    let text = format!(
                        "the bottom line is not JSON (pause with {}, move with {}/{})",
                        key(LogAction::Follow),
                        key(LogAction::Down),
                        key(LogAction::Up)
                    );
                    self.say(text, false);
                }
            }
        }
    }

    /// Scrolls up; from the oldest line on screen, asks for older events
    /// (the pane reads further back, keeping what it has).
    fn scroll_logs(&mut self, store: &Store, delta: isize) {
        let logs = store.logs.as_ref();
        let page = self.log_page();
        let at_oldest = logs.is_some_and(|b| self.logs.oldest_in_view(b, page));
        self.logs.scroll(logs, delta);
        if at_oldest {
            self.reach_back(store);
        }
    }

    /// Moves the pane's start back: by a quarter hour, or by as much again
    /// as it reaches now (so a few presses cover a day), at most 7 days.
    fn reach_back(&mut self, store: &Store) {
        let Some(buf) = store.logs.as_ref() else {
            return;
        };
        if buf.reaching_back {
            self.say("reading older events…", false);
            return;
        }
        let Some(from) = buf.from else {
            return;
        };
        let now = Utc::now();
        let step = (now - from).max(chrono::Duration::minutes(15));
        let to = (from - step).max(now - chrono::Duration::days(7));
        if to >= from {
            self.say("the log pane reaches back 7 days at most", false);
            return;
        }
        self.log_from = Some(to);
        self.say(
            format!(
                "reading older events, back to {}",
                to.format("%Y-%m-%d %H:%M UTC")
            ),
            false,
        );
    }

    /// `T`: opens the X-Ray trace of the bottom line's request.
    fn log_to_trace(&mut self, store: &Store) {
        match crate::tui::traces::trace_id_of_bottom_line(store, &self.logs) {
            Some(id) => {
                if let Screen::Function(f) = &self.screen {
                    let f = f.clone();
                    self.open_trace(f, id);
                }
            }
            None => self.say(
                "no X-Ray trace id logged for this request (needs active tracing)",
                true,
            ),
        }
    }
}
