//! Keys of the errors screen: moving, ordering, scanning again, and Enter,
//! which opens a group's function with its failures in the log pane.

use super::{App, Effect, Focus, Screen};
use crate::store::Store;
use crate::tui::errors::error_rows;
use crate::tui::keymap::ErrorsAction;

impl App {
    /// `E`: the errors screen (a scan starts when none is fresh).
    pub(super) fn show_errors(&mut self) -> Effect {
        self.screen = Screen::Errors;
        Effect::ErrorScan { force: false }
    }

    /// Handles an errors-screen action.
    pub(super) fn act_errors(&mut self, action: ErrorsAction, store: &Store) -> Effect {
        let rows = error_rows(store, self.errors.sort);
        let last = rows.len().saturating_sub(1);
        let row = self.errors.row(&rows);
        let select = |i: usize| rows.get(i).map(|(g, _)| g.fingerprint.id.clone());
        match action {
            ErrorsAction::Up => self.errors.selected = select(row.saturating_sub(1)),
            ErrorsAction::Down => self.errors.selected = select((row + 1).min(last)),
            ErrorsAction::Top => self.errors.selected = select(0),
            ErrorsAction::Bottom => self.errors.selected = select(last),
            ErrorsAction::Sort => {
                self.errors.sort = self.errors.sort.next();
                self.say(
                    format!("errors sorted by {}", self.errors.sort.name()),
                    false,
                );
            }
            ErrorsAction::Rescan => {
                self.refresh_generation += 1;
                self.say("reading the failures again…", false);
                return Effect::ErrorScan { force: true };
            }
            ErrorsAction::Open => self.open_group(store),
        }
        Effect::None
    }

    /// Enter: the function with most of the group's failures, its log
    /// pane showing the window's failures, the group's requests found by
    /// the search.
    fn open_group(&mut self, store: &Store) {
        let rows = error_rows(store, self.errors.sort);
        let Some((g, _)) = rows.get(self.errors.row(&rows)) else {
            self.say("no error group to open", true);
            return;
        };
        let Some((f, n)) = g.functions.iter().max_by_key(|(_, n)| n.count) else {
            return;
        };
        let (f, first) = (f.clone(), n.first_seen);
        let search = if g.request_ids.is_empty() {
            // Lines without a request (init failures): the title's words
            // up to its first placeholder.
            let head = g.fingerprint.title.split('<').next().unwrap_or_default();
            regex::escape(head.trim_end_matches(['\'', '"', ' ']))
        } else {
            g.request_ids
                .iter()
                .map(|r| regex::escape(r))
                .collect::<Vec<_>>()
                .join("|")
        };
        let title = g.fingerprint.title.clone();
        self.selected = Some(f.clone());
        self.show_function(f);
        // The window's failures, read from the server (the group's first
        // one is in the window by construction).
        self.logs.errors_only = true;
        self.logs.follow = false;
        self.logs.search = crate::tui::logview::search_regex(&search);
        self.focus = Focus::Logs;
        self.say(
            format!(
                "the window's failures · first “{title}” here at {} · n/N: its lines",
                first.format("%H:%M:%S")
            ),
            false,
        );
    }
}
