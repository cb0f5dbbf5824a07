//! One semantic theme. Every style says what it means (error, warning,
//! stale …); with colour off (`NO_COLOR`, `--color never`) the same meanings
//! are carried by modifiers, and the views always add a word or symbol.

use ratatui::style::{Color, Modifier, Style};

/// The theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours may be used.
    pub color: bool,
}

impl Theme {
    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    /// Ordinary text.
    pub fn text(self) -> Style {
        Style::default()
    }

    /// Pane titles.
    pub fn title(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// The top bar.
    pub fn bar(self) -> Style {
        self.pick(
            Style::default().bg(Color::Blue).fg(Color::White),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    /// Table headers.
    pub fn header(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The selected row.
    pub fn selected(self) -> Style {
        self.pick(
            Style::default()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::REVERSED),
        )
    }

    /// Failures: errors, firing alarms.
    pub fn error(self) -> Style {
        self.pick(
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// The header's alarm counter while something is firing.
    pub fn alarm_badge(self) -> Style {
        self.pick(
            Style::default()
                .bg(Color::Red)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    }

    /// Throttles, approaching limits.
    pub fn warn(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// Healthy.
    pub fn ok(self) -> Style {
        self.pick(Style::default().fg(Color::Green), Style::default())
    }

    /// Secondary text, and stale data.
    pub fn dim(self) -> Style {
        self.pick(
            Style::default().fg(Color::DarkGray),
            Style::default().add_modifier(Modifier::DIM),
        )
    }

    /// Keys in hints and help.
    pub fn key(self) -> Style {
        self.pick(
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::default().add_modifier(Modifier::BOLD),
        )
    }

    /// Chart series, by index.
    pub fn series(self, i: usize) -> Style {
        const COLORS: [Color; 5] = [
            Color::Cyan,
            Color::Red,
            Color::Yellow,
            Color::Magenta,
            Color::Green,
        ];
        self.pick(
            Style::default().fg(COLORS[i % COLORS.len()]),
            Style::default(),
        )
    }
}
