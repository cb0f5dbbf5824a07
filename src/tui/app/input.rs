//! Keys of a text input being typed (the `/` filter, the `:` command line,
//! the log pane's filter pattern and search) and what accepting it does.

use super::{App, Effect, Input};
use crate::store::Store;
use crate::tui::command::{self, Command, Since};
use crate::tui::keymap::{GlobalAction, InputAction};
use crate::tui::logview::search_regex;
use crate::tui::rows::Filter;
use chrono::Utc;

impl App {
    /// Handles an input action.
    pub(super) fn act_input(&mut self, action: InputAction, store: &Store) -> Effect {
        match action {
            InputAction::Accept => return self.accept_input(store),
            InputAction::Cancel => {
                if let Some(Input::Filter(_)) = self.input.take() {
                    self.filter = self.filter_before_input.take();
                }
            }
            InputAction::Complete => {
                let shown: Vec<String> = self.names(store).iter().map(|f| f.to_string()).collect();
                let names: Vec<&str> = shown.iter().map(String::as_str).collect();
                match &mut self.input {
                    Some(Input::Command(t)) => *t = command::complete(t, &names),
                    Some(Input::Filter(t)) => {
                        let line = command::complete(&format!("filter {t}"), &names);
                        *t = line.trim_start_matches("filter ").trim_end().to_string();
                    }
                    Some(Input::LogFilter(_) | Input::LogSearch(_)) | None => {}
                }
                self.after_input_edit();
            }
            InputAction::Backspace => {
                if let Some(text) = self.input.as_mut().map(Input::text_mut) {
                    text.pop();
                }
                self.after_input_edit();
            }
        }
        Effect::None
    }

    /// The `/` filter applies while it is typed.
    pub(super) fn after_input_edit(&mut self) {
        if let Some(Input::Filter(t)) = &self.input {
            self.filter = Filter::parse(t);
            self.offset = 0;
        }
    }

    fn accept_input(&mut self, store: &Store) -> Effect {
        match self.input.take() {
            Some(Input::Filter(_)) | None => Effect::None,
            Some(Input::LogFilter(p)) => {
                self.set_log_filter(Some(p.trim().to_string()));
                self.logs.follow_newest();
                Effect::None
            }
            Some(Input::LogSearch(p)) => {
                self.logs.search = search_regex(&p);
                if self.logs.search.is_some() && !self.logs.next_match(store.logs.as_ref(), false) {
                    self.say(format!("no match for '{p}' (n/N search again)"), false);
                }
                Effect::None
            }
            Some(Input::Command(line)) if line.trim().is_empty() => Effect::None,
            Some(Input::Command(line)) => match command::parse(&line) {
                Ok(cmd) => self.run_command(cmd),
                Err(e) => {
                    self.say(e, true);
                    Effect::None
                }
            },
        }
    }

    /// `:since`: the log pane of the function on screen reads from then on
    /// (the newer events it has stay).
    fn since(&mut self, since: Since) {
        let back = match since {
            Since::Ago(d) => d,
            Since::Window => self.window,
        };
        let from = Utc::now() - chrono::Duration::from_std(back).unwrap_or_default();
        if self.on_screen().is_none() {
            self.say(
                "open a function first: since sets how far back its logs go",
                true,
            );
            return;
        }
        self.log_from = Some(from);
        self.say(
            format!(
                "logs since {} ago (reading older events…)",
                crate::format::window(back)
            ),
            false,
        );
    }

    fn run_command(&mut self, cmd: Command) -> Effect {
        match cmd {
            Command::Sort(c, rev) => {
                self.sort = Some(c);
                self.reverse = rev;
                self.say(format!("sorted by {}", c.name()), false);
            }
            Command::Filter(p) => {
                self.filter = Filter::parse(&p);
                self.offset = 0;
            }
            Command::Window(d) => {
                self.window = d;
                self.say(format!("window {}", crate::format::window(d)), false);
            }
            Command::Region(r) => {
                if self.info.demo && !self.info.region.contains(',') {
                    self.say("the demo fleet has only one region", true);
                } else if r != self.info.region {
                    self.say(format!("switching to {r}…"), false);
                    return Effect::Region(r);
                }
            }
            Command::Since(since) => self.since(since),
            Command::Refresh => return self.act_global(GlobalAction::Refresh),
            Command::Help => self.help = true,
            Command::Quit => return Effect::Quit,
        }
        Effect::None
    }
}
