//! Keys of the function view's panes (logs, traces) and of the trace
//! view, split from `app.rs` to keep each file readable.

use super::{App, Focus, Input, Screen};
use crate::store::Store;
use crate::tui::keymap::Action;

impl App {
    /// Handles a pane action; false when `action` is not a pane action.
    pub(super) fn act_pane(&mut self, action: Action, store: &Store) -> bool {
        match action {
            Action::PrevFunction => self.move_by(-1, store),
            Action::NextFunction => self.move_by(1, store),
            Action::LogFollow => self.logs.toggle_follow(store.logs.as_ref()),
            Action::LogWrap => self.logs.wrap = !self.logs.wrap,
            Action::LogTime => self.logs.utc = !self.logs.utc,
            Action::LogFilter => {
                self.input = Some(Input::LogFilter(
                    self.log_filter.clone().unwrap_or_default(),
                ))
            }
            Action::LogSearch => self.input = Some(Input::LogSearch(String::new())),
            Action::LogNext | Action::LogPrev => {
                if !self
                    .logs
                    .next_match(store.logs.as_ref(), action == Action::LogNext)
                {
                    self.say("no further match", false);
                }
            }
            Action::LogErrors => self.logs.errors_only = !self.logs.errors_only,
            Action::RequestPrev | Action::RequestNext => {
                self.logs
                    .next_request(store.logs.as_ref(), action == Action::RequestNext);
            }
            Action::LogFull => self.logs.full = !self.logs.full,
            Action::LogUp => self.logs.scroll(store.logs.as_ref(), -1),
            Action::LogDown => self.logs.scroll(store.logs.as_ref(), 1),
            Action::LogPageUp => self
                .logs
                .scroll(store.logs.as_ref(), -(self.log_page() as isize)),
            Action::LogPageDown => self
                .logs
                .scroll(store.logs.as_ref(), self.log_page() as isize),
            Action::LogEnd => self.logs.to_end(),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Logs => Focus::Traces,
                    Focus::Traces => Focus::Logs,
                };
            }
            Action::TraceUp => self.traces.selected = self.traces.selected.saturating_sub(1),
            Action::TraceDown => {
                let n = crate::tui::traces::visible(store, &self.traces).len();
                self.traces.selected = (self.traces.selected + 1).min(n.saturating_sub(1));
            }
            Action::TraceOpen => {
                let list = crate::tui::traces::visible(store, &self.traces);
                if let (Some(t), Screen::Function(f)) =
                    (list.get(self.traces.selected), &self.screen)
                {
                    self.screen = Screen::Trace(f.clone(), t.id.clone());
                    self.traces.row = 0;
                    self.traces.collapsed.clear();
                }
            }
            Action::TraceSortDuration => {
                self.traces.by_duration = !self.traces.by_duration;
                self.traces.selected = 0;
            }
            Action::TraceFaults => {
                self.traces.faults_only = !self.traces.faults_only;
                self.traces.selected = 0;
            }
            Action::RowUp => self.traces.row = self.traces.row.saturating_sub(1),
            Action::RowDown => {
                let n = crate::tui::traces::trace_rows(store, &self.traces).len();
                self.traces.row = (self.traces.row + 1).min(n.saturating_sub(1));
            }
            Action::RowToggle => {
                if let Some(id) = crate::tui::traces::trace_rows(store, &self.traces)
                    .get(self.traces.row)
                    .map(|r| r.node.id.clone())
                    && !self.traces.collapsed.remove(&id)
                {
                    self.traces.collapsed.insert(id);
                }
            }
            Action::TraceToLogs => {
                let request = crate::tui::traces::trace_rows(store, &self.traces)
                    .iter()
                    .find_map(|r| r.node.request_id.clone());
                match (request, &self.screen) {
                    (Some(req), Screen::Trace(f, _)) => {
                        self.screen = Screen::Function(f.clone());
                        self.log_filter = Some(format!("\"{req}\""));
                        self.logs.to_end();
                        self.focus = Focus::Logs;
                        self.say(
                            format!("logs of request {req} (f clears the filter)"),
                            false,
                        );
                    }
                    _ => self.say("this trace names no Lambda request id", true),
                }
            }
            Action::LogToTrace => {
                match crate::tui::traces::trace_id_of_bottom_line(store, &self.logs) {
                    Some(id) => {
                        if let Screen::Function(f) = &self.screen {
                            self.screen = Screen::Trace(f.clone(), id);
                            self.traces.row = 0;
                            self.traces.collapsed.clear();
                        }
                    }
                    None => self.say(
                        "no X-Ray trace id logged for this request (needs active tracing)",
                        true,
                    ),
                }
            }
            Action::LogExpand => {
                if !self.logs.toggle_expand(store.logs.as_ref()) {
                    self.say(
                        "the bottom line is not JSON (pause with s, move with j/k)",
                        false,
                    );
                }
            }
            _ => return false,
        }
        true
    }
}
