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
                self.input_back = 0;
                if let Some(Input::Filter(_)) = self.input.take() {
                    self.filter = self.filter_before_input.take();
                }
            }
            InputAction::Complete => self.complete(store),
            InputAction::Backspace => self.edit_before_cursor(|before| {
                before.pop();
            }),
            InputAction::DeleteWord => self.edit_before_cursor(|before| {
                let kept = before.trim_end().len();
                before.truncate(kept);
                let word = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                before.truncate(word);
            }),
            InputAction::DeleteToStart => self.edit_before_cursor(String::clear),
            InputAction::Start => {
                self.input_back = self
                    .input
                    .as_mut()
                    .map_or(0, |i| i.text_mut().chars().count());
            }
            InputAction::End => self.input_back = 0,
            InputAction::Left => {
                let len = self
                    .input
                    .as_mut()
                    .map_or(0, |i| i.text_mut().chars().count());
                self.input_back = (self.input_back + 1).min(len);
            }
            InputAction::Right => self.input_back = self.input_back.saturating_sub(1),
        }
        Effect::None
    }

    /// Tab: completes the word as far as the candidates agree; when they
    /// do not, shows them and puts each in turn on further Tabs.
    fn complete(&mut self, store: &Store) {
        let shown: Vec<String> = self.names(store).iter().map(|f| f.to_string()).collect();
        let names: Vec<&str> = shown.iter().map(String::as_str).collect();
        let (prefix, line) = match &self.input {
            Some(Input::Command(t)) => ("", t.clone()),
            Some(Input::Filter(t)) => ("filter ", format!("filter {t}")),
            Some(Input::LogFilter(_) | Input::LogSearch(_)) | None => return,
        };
        let next = match self.completions.take() {
            // Tab again: the next candidate in place of the last word.
            Some((all, i)) if !all.is_empty() => {
                let (head, _) = line.rsplit_once(' ').unwrap_or(("", ""));
                let pick = &all[i % all.len()];
                self.completions = Some((all.clone(), i + 1));
                if head.is_empty() {
                    pick.clone()
                } else {
                    format!("{head} {pick}")
                }
            }
            _ => {
                let done = command::complete(&line, &names);
                let (_, all) = command::candidates(&line, &names);
                if done == line && all.len() > 1 {
                    self.completions = Some((all, 0));
                }
                done
            }
        };
        if let Some(text) = self.input.as_mut().map(Input::text_mut) {
            *text = next
                .strip_prefix(prefix)
                .unwrap_or(&next)
                .trim_end_matches(' ')
                .to_string();
            if prefix.is_empty() {
                *text = next;
            }
        }
        self.input_back = 0;
        self.after_input_edit();
    }

    /// Edits the text before the cursor (the text after it stays, and the
    /// cursor with it).
    fn edit_before_cursor(&mut self, f: impl FnOnce(&mut String)) {
        if let Some(text) = self.input.as_mut().map(Input::text_mut) {
            let at = super::byte_at(text, self.input_back);
            let after = text.split_off(at);
            f(text);
            text.push_str(&after);
        }
        self.after_input_edit();
    }

    /// The `/` filter applies while it is typed.
    pub(super) fn after_input_edit(&mut self) {
        if let Some(Input::Filter(t)) = &self.input {
            self.filter = Filter::parse(t);
            self.offset = 0;
        }
    }

    fn accept_input(&mut self, store: &Store) -> Effect {
        self.input_back = 0;
        match self.input.take() {
            Some(Input::Filter(t)) => {
                if let Some(why) = regex_error(t.strip_prefix('!').unwrap_or(&t)) {
                    let msg = format!(
                        "'{t}' is not a valid regex ({why}): filtering by the text as typed"
                    );
                    self.say(msg, true);
                }
                Effect::None
            }
            None => Effect::None,
            Some(Input::LogFilter(p)) => {
                self.set_log_filter(Some(p.trim().to_string()));
                self.logs.follow_newest();
                Effect::None
            }
            Some(Input::LogSearch(p)) => {
                self.logs.search = search_regex(&p);
                let found =
                    self.logs.search.is_some() && self.logs.next_match(store.logs.as_ref(), false);
                if let Some(why) = regex_error(&p) {
                    self.say(
                        format!("'{p}' is not a valid regex ({why}): searching the text as typed"),
                        true,
                    );
                } else if self.logs.search.is_some() && !found {
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
            Command::Report(path) => return self.report(path.map(std::path::PathBuf::from)),
            Command::Help => self.help = true,
            Command::Quit => return Effect::Quit,
        }
        Effect::None
    }
}

/// Why `text` is not a regex (the parser's last line, e.g. "unclosed
/// group"), or `None` when it is one.
fn regex_error(text: &str) -> Option<String> {
    let e = regex::Regex::new(text).err()?.to_string();
    let why = e.lines().last().unwrap_or_default();
    Some(why.trim_start_matches("error: ").to_string())
}
