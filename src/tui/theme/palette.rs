//! The colours of a theme: the built-in `dark` (lamtop's colours since the
//! start), `light` (dark ink for light terminal backgrounds, from the
//! 256-colour cube so it does not depend on the terminal's idea of "red")
//! and `high-contrast` (bright colours, black on bright for selection and
//! bars), with the config's single colours over the chosen one.

use crate::config::{ColorSetting, ThemeChoice, suggest};
use ratatui::style::Color;

/// Every colour the views use, by what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Pane titles.
    pub title: Color,
    /// The top bar's text.
    pub bar_text: Color,
    /// The top bar's background.
    pub bar: Color,
    /// Table headers' text (`None`: the terminal's own).
    pub header: Option<Color>,
    /// The selected row's text (`None`: unchanged).
    pub selection_text: Option<Color>,
    /// The selected row's background.
    pub selection: Color,
    /// Errors and firing alarms.
    pub alarm: Color,
    /// The header's alarm counter: text.
    pub badge_text: Color,
    /// The header's alarm counter: background.
    pub badge: Color,
    /// Throttles and limits close by.
    pub warning: Color,
    /// Healthy.
    pub ok: Color,
    /// Secondary text and stale data.
    pub stale: Color,
    /// Keys in hints and help.
    pub key: Color,
    /// Chart series, in order.
    pub series: [Color; 5],
}

/// The built-in themes, by name.
pub const THEMES: [(&str, Palette); 3] =
    [("dark", DARK), ("light", LIGHT), ("high-contrast", HIGH)];

const DARK: Palette = Palette {
    title: Color::Cyan,
    bar_text: Color::White,
    bar: Color::Blue,
    header: None,
    selection_text: None,
    selection: Color::DarkGray,
    alarm: Color::Red,
    badge_text: Color::White,
    badge: Color::Red,
    warning: Color::Yellow,
    ok: Color::Green,
    stale: Color::DarkGray,
    key: Color::Yellow,
    series: [
        Color::Cyan,
        Color::Red,
        Color::Yellow,
        Color::Magenta,
        Color::Green,
    ],
};

const LIGHT: Palette = Palette {
    title: Color::Indexed(25),
    bar_text: Color::Indexed(231),
    bar: Color::Indexed(25),
    header: Some(Color::Indexed(16)),
    selection_text: Some(Color::Indexed(16)),
    selection: Color::Indexed(252),
    alarm: Color::Indexed(160),
    badge_text: Color::Indexed(231),
    badge: Color::Indexed(160),
    warning: Color::Indexed(166),
    ok: Color::Indexed(28),
    stale: Color::Indexed(244),
    key: Color::Indexed(90),
    series: [
        Color::Indexed(25),
        Color::Indexed(160),
        Color::Indexed(166),
        Color::Indexed(90),
        Color::Indexed(28),
    ],
};

const HIGH: Palette = Palette {
    title: Color::LightCyan,
    bar_text: Color::Black,
    bar: Color::White,
    header: Some(Color::White),
    selection_text: Some(Color::Black),
    selection: Color::LightYellow,
    alarm: Color::LightRed,
    badge_text: Color::Black,
    badge: Color::LightRed,
    warning: Color::LightYellow,
    ok: Color::LightGreen,
    stale: Color::Gray,
    key: Color::LightYellow,
    series: [
        Color::LightCyan,
        Color::LightRed,
        Color::LightYellow,
        Color::LightMagenta,
        Color::LightGreen,
    ],
};

/// The names a `[theme]` table may set (besides `base`).
pub const COLOR_NAMES: [&str; 14] = [
    "title",
    "bar",
    "bar_text",
    "header",
    "selection",
    "selection_text",
    "alarm",
    "badge",
    "badge_text",
    "warning",
    "ok",
    "stale",
    "key",
    "series",
];

impl Default for Palette {
    fn default() -> Self {
        DARK
    }
}

impl Palette {
    /// The palette `choice` names: its base theme with its colours over it.
    /// An unknown theme, colour name or colour is refused, naming where it
    /// was written and the closest valid name.
    pub fn chosen(choice: &ThemeChoice) -> Result<Self, String> {
        let mut p = match choice.base.as_deref() {
            None => DARK,
            Some(name) => builtin(name).ok_or_else(|| unknown_theme(choice, name))?,
        };
        for c in &choice.colors {
            p.set(c)?;
        }
        Ok(p)
    }

    fn set(&mut self, c: &ColorSetting) -> Result<(), String> {
        let at = format!("{}:{}: [theme] {}", c.file.display(), c.line, c.name);
        let colors = c
            .values
            .iter()
            .map(|v| parse_color(v).map_err(|e| format!("{at}: {e}")))
            .collect::<Result<Vec<Color>, String>>()?;
        if c.name == "series" {
            if colors.is_empty() || colors.len() > self.series.len() {
                return Err(format!(
                    "{at}: give 1 to {} colours (the chart series in order)",
                    self.series.len()
                ));
            }
            self.series[..colors.len()].copy_from_slice(&colors);
            return Ok(());
        }
        let [one] = colors[..] else {
            return Err(format!("{at}: give one colour, e.g. \"red\""));
        };
        match c.name.as_str() {
            "title" => self.title = one,
            "bar" => self.bar = one,
            "bar_text" => self.bar_text = one,
            "header" => self.header = Some(one),
            "selection" => self.selection = one,
            "selection_text" => self.selection_text = Some(one),
            "alarm" => self.alarm = one,
            "badge" => self.badge = one,
            "badge_text" => self.badge_text = one,
            "warning" => self.warning = one,
            "ok" => self.ok = one,
            "stale" => self.stale = one,
            "key" => self.key = one,
            other => return Err(unknown_color_name(&c.file, c.line, other)),
        }
        Ok(())
    }
}

fn builtin(name: &str) -> Option<Palette> {
    THEMES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

fn unknown_theme(choice: &ThemeChoice, name: &str) -> String {
    let names: Vec<&str> = THEMES.iter().map(|(n, _)| *n).collect();
    let at = match &choice.base_at {
        Some((file, line)) => format!("{}:{line}: theme", file.display()),
        None => "--theme".to_string(),
    };
    let hint = suggest(name, &names)
        .map(|s| format!(" — did you mean '{s}'?"))
        .unwrap_or_default();
    format!(
        "{at}: unknown theme '{name}'{hint} (themes: {})",
        names.join(", ")
    )
}

fn unknown_color_name(file: &std::path::Path, line: usize, name: &str) -> String {
    let hint = match suggest(name, &COLOR_NAMES) {
        Some(s) => format!(" — did you mean '{s}'?"),
        None => format!(" (names: base, {})", COLOR_NAMES.join(", ")),
    };
    format!(
        "{}:{line}: [theme]: unknown colour name '{name}'{hint}",
        file.display()
    )
}

/// A colour as the config writes it: a name (`red`, `light-blue`,
/// `dark-gray`), `#rrggbb`, or a 256-colour index (`208`).
pub fn parse_color(text: &str) -> Result<Color, String> {
    text.trim().parse::<Color>().map_err(|_| {
        format!(
            "'{text}' is not a colour (write a name such as \"red\" or \"light-blue\", \
             \"#ff8800\", or a 256-colour index 0–255)"
        )
    })
}

#[cfg(test)]
mod tests;
