//! Screen geometry, shared by the views (to draw) and the app (to map
//! mouse clicks and page sizes), so both always agree.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable terminal.
pub const MIN_HEIGHT: u16 = 16;
/// From this width the alarms and account panels sit beside the table.
const WIDE: u16 = 150;

/// Whether the terminal is big enough for the layout.
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// The fleet screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetLayout {
    /// Top bar.
    pub header: Rect,
    /// Function table (with border).
    pub table: Rect,
    /// Alarms panel.
    pub alarms: Rect,
    /// Account panel.
    pub account: Rect,
    /// Bottom line: hints, filter, command, messages.
    pub footer: Rect,
}

impl FleetLayout {
    /// Where the table's data rows are (inside the border, below the header row).
    pub fn table_rows(&self) -> Rect {
        let inner = self.table.inner(Margin::new(1, 1));
        Rect {
            y: inner.y.saturating_add(1),
            height: inner.height.saturating_sub(1),
            ..inner
        }
    }
}

fn frame(area: Rect) -> (Rect, Rect, Rect) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    (header, body, footer)
}

/// Lays out the fleet screen.
pub fn fleet(area: Rect) -> FleetLayout {
    let (header, body, footer) = frame(area);
    let (table, alarms, account) = if area.width >= WIDE {
        let [table, side] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(side_width(area.width)),
        ])
        .areas(body);
        let [alarms, account] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(8)]).areas(side);
        (table, alarms, account)
    } else {
        let [table, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(8)]).areas(body);
        let [alarms, account] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(bottom);
        (table, alarms, account)
    };
    FleetLayout {
        header,
        table,
        alarms,
        account,
        footer,
    }
}

/// The side column of a wide fleet screen (alarms over account): a third
/// of the width, 48 to 80 columns — alarm lines carry a name, a function
/// and an age, and the table's name column needs less than it gets.
fn side_width(width: u16) -> u16 {
    (width / 3).clamp(48, 80)
}

/// The errors screen: the groups over the selected group's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorsLayout {
    /// Top bar.
    pub header: Rect,
    /// The groups (with border).
    pub table: Rect,
    /// The selected group (with border).
    pub detail: Rect,
    /// Bottom line.
    pub footer: Rect,
}

/// Lays out the errors screen: the details take 9 rows (7 lines), fewer
/// on a short terminal, so the table keeps at least 4 rows.
pub fn errors(area: Rect) -> ErrorsLayout {
    let (header, body, footer) = frame(area);
    let detail = if body.height >= 24 { 9 } else { 6 };
    let [table, detail] =
        Layout::vertical([Constraint::Min(6), Constraint::Length(detail)]).areas(body);
    ErrorsLayout {
        header,
        table,
        detail,
        footer,
    }
}

/// The function screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionLayout {
    /// Top bar.
    pub header: Rect,
    /// Configuration summary.
    pub config: Rect,
    /// Window numbers.
    pub numbers: Rect,
    /// Insights: cost, rates, cold starts, memory.
    pub insights: Rect,
    /// Invocations / errors / throttles chart.
    pub calls: Rect,
    /// Duration chart.
    pub duration: Rect,
    /// Concurrency chart.
    pub concurrency: Rect,
    /// Logs pane.
    pub logs: Rect,
    /// Logs pane in full screen.
    pub full_logs: Rect,
    /// Traces pane.
    pub traces: Rect,
    /// Bottom line.
    pub footer: Rect,
}

/// Lays out the function screen.
pub fn function(area: Rect) -> FunctionLayout {
    let (header, body, footer) = frame(area);
    // On a short terminal the logs keep rows to show: the charts go first
    // (under 20 rows), then the boxes above them (under 14).
    let (top_h, charts) = match body.height {
        h if h >= 20 => (7, Constraint::Percentage(40)),
        h if h >= 14 => (7, Constraint::Length(0)),
        _ => (0, Constraint::Length(0)),
    };
    let [top, charts, bottom] =
        Layout::vertical([Constraint::Length(top_h), charts, Constraint::Min(0)]).areas(body);
    let [config, numbers, insights] = Layout::horizontal([
        Constraint::Percentage(36),
        Constraint::Percentage(32),
        Constraint::Percentage(32),
    ])
    .areas(top);
    let [calls, duration, concurrency] = Layout::horizontal([
        Constraint::Percentage(36),
        Constraint::Percentage(40),
        Constraint::Percentage(24),
    ])
    .areas(charts);
    let [logs, traces] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);
    FunctionLayout {
        full_logs: body,
        traces,
        header,
        config,
        numbers,
        insights,
        calls,
        duration,
        concurrency,
        logs,
        footer,
    }
}

/// The first visible row so that `selected` is on screen, given the
/// preferred `offset`.
pub fn visible_offset(offset: usize, selected: usize, height: u16, len: usize) -> usize {
    let h = usize::from(height).max(1);
    let mut o = offset.min(len.saturating_sub(h));
    if selected < o {
        o = selected;
    } else if selected >= o + h {
        o = selected + 1 - h;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_keeps_selection_visible() {
        assert_eq!(visible_offset(0, 0, 10, 100), 0);
        assert_eq!(visible_offset(0, 15, 10, 100), 6);
        assert_eq!(visible_offset(50, 3, 10, 100), 3);
        assert_eq!(visible_offset(95, 99, 10, 100), 90);
        assert_eq!(visible_offset(5, 0, 10, 3), 0);
    }

    #[test]
    fn wide_and_narrow_layouts() {
        let wide = fleet(Rect::new(0, 0, 200, 50));
        assert_eq!(wide.alarms.x, wide.table.width);
        let narrow = fleet(Rect::new(0, 0, 100, 40));
        assert!(narrow.alarms.y > narrow.table.y);
        assert_eq!(narrow.table_rows().y, 3);
    }
}
