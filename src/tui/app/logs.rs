//! Keys of the function view as a whole and of its log pane.

use super::{App, Focus, Input, Screen};
use crate::store::Store;
use crate::tui::keymap::{FunctionAction, LogAction};

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
                self.input = Some(Input::LogFilter(
                    self.log_filter.clone().unwrap_or_default(),
                ))
            }
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
            LogAction::Up => self.logs.scroll(logs, -1),
            LogAction::Down => self.logs.scroll(logs, 1),
            LogAction::PageUp => self.logs.scroll(logs, -(self.log_page() as isize)),
            LogAction::PageDown => self.logs.scroll(logs, self.log_page() as isize),
            LogAction::End => self.logs.follow_newest(),
            LogAction::ToTrace => self.log_to_trace(store),
            LogAction::Expand => {
                if !self.logs.toggle_expand(logs) {
                    self.say(
                        "the bottom line is not JSON (pause with s, move with j/k)",
                        false,
                    );
                }
            }
        }
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
