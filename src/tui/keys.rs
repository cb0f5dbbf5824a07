//! Your keys: the key table of this run, which is the built-in table
//! ([`BINDINGS`]) with the config's `[keys]` rebindings applied. Dispatch,
//! help and the footer's hints read this one table, so what help shows is
//! what the keys do, rebound or not.

use super::action::*;
use super::keymap::{BINDINGS, Binding, Context, Key, label};
use crate::config::KeyOverride;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One binding of this run: a row of [`BINDINGS`] with its keys, perhaps rebound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// Keys that trigger it (the first is shown in the footer).
    pub keys: Vec<Key>,
    /// What it does.
    pub action: Action,
    /// Help text.
    pub help: &'static str,
    /// Where it applies.
    pub context: Context,
    /// Shown in the footer's key hints.
    pub hint: bool,
}

/// The key table of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTable {
    bindings: Vec<Bound>,
}

impl Default for KeyTable {
    fn default() -> Self {
        Self {
            bindings: BINDINGS.iter().map(bound).collect(),
        }
    }
}

fn bound(b: &Binding) -> Bound {
    Bound {
        keys: b.keys.to_vec(),
        action: b.action,
        help: b.help,
        context: b.context,
        hint: b.hint,
    }
}

impl KeyTable {
    /// The built-in table with `overrides` applied: each names an action
    /// (as [`action_name`] writes it) and the keys that replace its keys in
    /// every context it has. Unknown actions, unparsable keys, a plain
    /// character for a text-input action and two actions on one key in one
    /// context are refused, naming the file and line.
    pub fn with_overrides(overrides: &[KeyOverride]) -> Result<Self, String> {
        let mut table = Self::default();
        for o in overrides {
            let at = format!("{}:{}", o.file.display(), o.line);
            let keys = o
                .keys
                .iter()
                .map(|k| parse_key(k).map_err(|e| format!("{at}: [keys] {}: {e}", o.action)))
                .collect::<Result<Vec<Key>, String>>()?;
            if keys.is_empty() {
                return Err(format!(
                    "{at}: [keys] {}: no key given (write a key such as \"o\" or \"ctrl-f\")",
                    o.action
                ));
            }
            let mut found = false;
            for b in table
                .bindings
                .iter_mut()
                .filter(|b| action_name(b.action) == o.action)
            {
                found = true;
                if b.context == Context::Input
                    && let Some(k) = keys.iter().find(|k| is_typed(k))
                {
                    return Err(format!(
                        "{at}: [keys] {}: '{}' is a character you type in the filter and \
                         command line; bind a control key (e.g. \"ctrl-{}\") or a named key",
                        o.action,
                        label(k),
                        label(k).to_lowercase()
                    ));
                }
                b.keys = keys.clone();
            }
            if !found {
                return Err(unknown_action(&at, &o.action));
            }
        }
        table.check_clashes(overrides)?;
        Ok(table)
    }

    /// Two actions on one key in one context: the second could never run.
    fn check_clashes(&self, overrides: &[KeyOverride]) -> Result<(), String> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in self.bindings[i + 1..]
                .iter()
                .filter(|b| b.context == a.context)
            {
                if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                    let (an, bn) = (action_name(a.action), action_name(b.action));
                    let at = overrides
                        .iter()
                        .rfind(|o| o.action == an || o.action == bn)
                        .map_or("the config".to_string(), |o| {
                            format!("{}:{}", o.file.display(), o.line)
                        });
                    return Err(format!(
                        "{at}: [keys]: '{}' would be both '{an}' and '{bn}' in the {}; \
                         bind one of them to another key",
                        label(k),
                        a.context.title().to_lowercase()
                    ));
                }
            }
        }
        Ok(())
    }

    /// The action of `key` in the innermost of `contexts` that binds it.
    pub fn lookup(&self, contexts: &[Context], key: &KeyEvent) -> Option<Action> {
        contexts.iter().find_map(|ctx| {
            self.in_context(*ctx)
                .find(|b| b.keys.iter().any(|k| matches(key, k)))
                .map(|b| b.action)
        })
    }

    /// The bindings of one context, in table order.
    pub fn in_context(&self, ctx: Context) -> impl Iterator<Item = &Bound> {
        self.bindings.iter().filter(move |b| b.context == ctx)
    }

    /// The footer's hints for the active contexts: (key, help).
    pub fn hints(&self, contexts: &[Context]) -> Vec<(String, &'static str)> {
        contexts
            .iter()
            .flat_map(|ctx| self.in_context(*ctx).filter(|b| b.hint))
            .map(|b| (label(&b.keys[0]), short_help(b.help)))
            .collect()
    }

    /// How the user presses `action` (its first key), for messages and
    /// prompts; every action has a key (a rebinding must give one).
    pub fn key_of(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map(|b| label(&b.keys[0]))
            .unwrap_or_default()
    }
}

fn short_help(h: &'static str) -> &'static str {
    h.split(" (").next().unwrap_or(h)
}

/// Whether `key` is written as `b` in the table. Shifted letters arrive
/// with SHIFT set on some terminals, so SHIFT is ignored for characters.
fn matches(key: &KeyEvent, b: &Key) -> bool {
    let mods = if matches!(key.code, KeyCode::Char(_)) {
        key.modifiers - KeyModifiers::SHIFT
    } else {
        key.modifiers
    };
    key.code == b.code && mods == b.mods
}

/// A key that types a character into a text input.
fn is_typed(k: &Key) -> bool {
    matches!(k.code, KeyCode::Char(_)) && !k.mods.contains(KeyModifiers::CONTROL)
}

fn unknown_action(at: &str, name: &str) -> String {
    let names = action_names();
    match crate::config::suggest(name, &names) {
        Some(s) => format!("{at}: [keys]: unknown action '{name}' — did you mean '{s}'?"),
        None => format!(
            "{at}: [keys]: unknown action '{name}' (actions: {})",
            names.join(", ")
        ),
    }
}

/// Every action name the `[keys]` table accepts, in table order, once each.
pub fn action_names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for b in BINDINGS {
        let n = action_name(b.action);
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// A key as the config writes it: one character (`o`, `G`, `/`), a named
/// key (`enter`, `esc`, `tab`, `space`, `backspace`, `up`, `down`, `left`,
/// `right`, `home`, `end`, `pgup`, `pgdn`, `delete`, `insert`, `f1`–`f12`),
/// or `ctrl-` before one of them (`ctrl-f`). Case matters only for one
/// character (`G` is shift-g).
pub fn parse_key(text: &str) -> Result<Key, String> {
    let t = text.trim();
    let (mods, rest) = match t
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("ctrl-") || p.eq_ignore_ascii_case("ctrl+"))
    {
        Some(_) => (KeyModifiers::CONTROL, &t[5..]),
        None => (KeyModifiers::NONE, t),
    };
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if mods == KeyModifiers::CONTROL => KeyCode::Char(c.to_ascii_lowercase()),
        (Some(c), None) => KeyCode::Char(c),
        _ => named(&rest.to_ascii_lowercase()).ok_or_else(|| {
            format!(
                "'{text}' is not a key (write one character such as \"o\", a named key \
                 such as \"enter\", \"pgdn\" or \"f5\", or \"ctrl-\" before one of them)"
            )
        })?,
    };
    Ok(Key { code, mods })
}

fn named(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "space" => KeyCode::Char(' '),
        "backspace" | "bksp" => KeyCode::Backspace,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        f if f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok().filter(|n| (1..=12).contains(n))?;
            KeyCode::F(n)
        }
        _ => return None,
    })
}

/// The name the `[keys]` table gives an action. Actions that mean the same
/// in several panes share a name (`down` moves down in every list), so one
/// line rebinds them all.
pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Global(a) => global_name(a),
        Action::Fleet(a) => fleet_name(a),
        Action::Function(a) => match a {
            FunctionAction::Prev => "prev_function",
            FunctionAction::Next => "next_function",
            FunctionAction::FocusNext => "focus_next",
        },
        Action::Log(a) => log_name(a),
        Action::Traces(a) => match a {
            TracesAction::Up => "up",
            TracesAction::Down => "down",
            TracesAction::Open => "open",
            TracesAction::SortDuration => "sort_duration",
            TracesAction::FaultsOnly => "faults_only",
        },
        Action::Alarms(a) => match a {
            AlarmsAction::Up => "up",
            AlarmsAction::Down => "down",
            AlarmsAction::Open => "open",
            AlarmsAction::Leave => "leave_alarms",
        },
        Action::Trace(a) => match a {
            TraceAction::Up => "up",
            TraceAction::Down => "down",
            TraceAction::Toggle => "toggle",
            TraceAction::ToLogs => "to_logs",
        },
        Action::Errors(a) => match a {
            ErrorsAction::Up => "up",
            ErrorsAction::Down => "down",
            ErrorsAction::Top => "top",
            ErrorsAction::Bottom => "bottom",
            ErrorsAction::Sort => "order",
            ErrorsAction::Rescan => "rescan",
            ErrorsAction::Open => "open",
        },
        Action::Input(a) => input_name(a),
    }
}

fn global_name(a: GlobalAction) -> &'static str {
    match a {
        GlobalAction::Quit => "quit",
        GlobalAction::Help => "help",
        GlobalAction::Refresh => "refresh",
        GlobalAction::Window(0) => "window_15m",
        GlobalAction::Window(1) => "window_1h",
        GlobalAction::Window(2) => "window_3h",
        GlobalAction::Window(3) => "window_12h",
        GlobalAction::Window(4) => "window_24h",
        GlobalAction::Window(_) => "window_3d",
        GlobalAction::Command => "command",
        GlobalAction::Back => "back",
        GlobalAction::HelpScroll(n) => match n {
            1 => "down",
            -1 => "up",
            n if n > 0 => "page_down",
            _ => "page_up",
        },
        GlobalAction::Report => "report",
    }
}

fn fleet_name(a: FleetAction) -> &'static str {
    match a {
        FleetAction::Up => "up",
        FleetAction::Down => "down",
        FleetAction::Top => "top",
        FleetAction::Bottom => "bottom",
        FleetAction::PageUp => "page_up",
        FleetAction::PageDown => "page_down",
        FleetAction::Open => "open",
        FleetAction::Filter => "filter",
        FleetAction::SortNext => "sort_next",
        FleetAction::SortPick => "sort_pick",
        FleetAction::SortReverse => "sort_reverse",
        FleetAction::AlarmHistory => "alarms",
        FleetAction::InsightColumns => "columns",
        FleetAction::FleetInsights => "insights",
        FleetAction::FocusAlarms => "focus_alarms",
        FleetAction::Errors => "errors",
    }
}

fn log_name(a: LogAction) -> &'static str {
    match a {
        LogAction::Follow => "follow",
        LogAction::Wrap => "wrap",
        LogAction::Time => "time",
        LogAction::Filter => "log_filter",
        LogAction::Search => "search",
        LogAction::NextMatch => "next_match",
        LogAction::PrevMatch => "prev_match",
        LogAction::ErrorsOnly => "errors_only",
        LogAction::PrevRequest => "prev_request",
        LogAction::NextRequest => "next_request",
        LogAction::FullScreen => "full_screen",
        LogAction::ClearFilter => "clear_filter",
        LogAction::Expand => "expand",
        LogAction::Up => "up",
        LogAction::Down => "down",
        LogAction::PageUp => "page_up",
        LogAction::PageDown => "page_down",
        LogAction::End => "bottom",
        LogAction::ToTrace => "to_trace",
    }
}

fn input_name(a: InputAction) -> &'static str {
    match a {
        InputAction::Accept => "accept",
        InputAction::Cancel => "cancel",
        InputAction::Complete => "complete",
        InputAction::Backspace => "backspace",
        InputAction::DeleteWord => "delete_word",
        InputAction::DeleteToStart => "delete_to_start",
        InputAction::Start => "cursor_start",
        InputAction::End => "cursor_end",
        InputAction::Left => "cursor_left",
        InputAction::Right => "cursor_right",
    }
}

#[cfg(test)]
mod tests;
