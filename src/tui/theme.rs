//! One semantic theme. Every style says what it means (error, warning,
//! stale …); its colours come from the chosen [`Palette`] (`dark`, `light`,
//! `high-contrast`, or the config's own). With colour off (`NO_COLOR`,
//! `--color never`) the same meanings are carried by modifiers, and the
//! views always add a word or symbol.

mod palette;

pub use palette::{COLOR_NAMES, Palette, THEMES, parse_color};
use ratatui::style::{Modifier, Style};

/// The theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours may be used.
    pub color: bool,
    /// The colours, when they may be used.
    pub palette: Palette,
}

impl Theme {
    /// The default (`dark`) colours, painted only if `color`.
    pub fn new(color: bool) -> Self {
        Self {
            color,
            palette: Palette::default(),
        }
    }

    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    /// Ordinary text.
    pub fn text(self) -> Style {
        Style::default()
    }

    /// Pane titles.
    pub fn title(self) -> Style {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.palette.title), bold)
    }

    /// The top bar.
    pub fn bar(self) -> Style {
        self.pick(
            Style::default()
                .bg(self.palette.bar)
                .fg(self.palette.bar_text),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    /// Table headers.
    pub fn header(self) -> Style {
        let plain = Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        match self.palette.header {
            Some(c) if self.color => plain.fg(c),
            _ => plain,
        }
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        let mut colored = Style::default()
            .bg(self.palette.selection)
            .add_modifier(Modifier::BOLD);
        if let Some(c) = self.palette.selection_text {
            colored = colored.fg(c);
        }
        self.pick(colored, Style::default().add_modifier(Modifier::REVERSED))
    }

    /// Failures: errors, firing alarms.
    pub fn error(self) -> Style {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.palette.alarm), bold)
    }

    /// The header's alarm counter while something is firing.
    pub fn alarm_badge(self) -> Style {
        self.pick(
            Style::default()
                .bg(self.palette.badge)
                .fg(self.palette.badge_text)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    }

    /// Throttles, approaching limits.
    pub fn warn(self) -> Style {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.palette.warning), bold)
    }

    /// Healthy.
    pub fn ok(self) -> Style {
        self.pick(Style::default().fg(self.palette.ok), Style::default())
    }

    /// Secondary text, and stale data.
    pub fn dim(self) -> Style {
        self.pick(
            Style::default().fg(self.palette.stale),
            Style::default().add_modifier(Modifier::DIM),
        )
    }

    /// Keys in hints and help.
    pub fn key(self) -> Style {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        self.pick(bold.fg(self.palette.key), bold)
    }

    /// Chart series, by index.
    pub fn series(self, i: usize) -> Style {
        let s = &self.palette.series;
        self.pick(Style::default().fg(s[i % s.len()]), Style::default())
    }
}
