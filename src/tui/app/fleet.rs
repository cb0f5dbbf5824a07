//! Keys of the fleet table: moving the selection, opening a function,
//! sorting, filtering and the fleet-wide toggles.

use super::{App, Effect, Input, Screen};
use crate::model::fleet::SortColumn;
use crate::model::id::FunctionId;
use crate::store::Store;
use crate::tui::keymap::FleetAction;
use crate::tui::layout;
use crate::tui::logview::LogView;
use crate::tui::rows::fleet_rows;

impl App {
    /// Handles a fleet-table action.
    pub(super) fn act_fleet(&mut self, action: FleetAction, store: &Store) -> Effect {
        let page = self.page() as isize;
        match action {
            FleetAction::Up => self.move_by(-1, store),
            FleetAction::Down => self.move_by(1, store),
            FleetAction::Top => self.move_by(isize::MIN / 2, store),
            FleetAction::Bottom => self.move_by(isize::MAX / 2, store),
            FleetAction::PageUp => self.move_by(-page, store),
            FleetAction::PageDown => self.move_by(page, store),
            FleetAction::Open => self.open_selected(store),
            FleetAction::Filter => {
                self.filter_before_input = self.filter.clone();
                self.input = Some(Input::Filter(String::new()));
            }
            FleetAction::SortNext => {
                let next = self.sort.map_or(SortColumn::Name, SortColumn::next);
                self.sort = Some(next);
                self.say(format!("sorted by {}", next.name()), false);
            }
            FleetAction::SortReverse => self.reverse = !self.reverse,
            FleetAction::SortPick => {
                self.input = Some(super::Input::Command("sort ".into()));
                self.say(
                    format!(
                        "columns: {}",
                        crate::model::fleet::SortColumn::names().join(" ")
                    ),
                    false,
                );
            }
            FleetAction::AlarmHistory => self.alarm_history = !self.alarm_history,
            FleetAction::InsightColumns => {
                use crate::tui::app::ColumnSet;
                self.columns = self.columns.next();
                self.say(
                    match self.columns {
                        ColumnSet::Insights => {
                            "insight columns: $/h, throttle %, cold-start %, memory % (I fills the last two; c again: signals)"
                        }
                        ColumnSet::Signals => {
                            "signal columns: iterator age, async age, dropped, DLQ errors, provisioned %, spillover (c again: off)"
                        }
                        ColumnSet::Metrics => "extra columns off",
                    },
                    false,
                );
            }
            FleetAction::FleetInsights => return Effect::FleetInsights,
            FleetAction::Errors => return self.show_errors(),
            FleetAction::FocusAlarms => {
                self.alarms_focus = true;
                self.alarm_history = false;
            }
        }
        Effect::None
    }

    /// The functions of the fleet table, in display order.
    pub(super) fn names<'a>(&self, store: &'a Store) -> Vec<&'a FunctionId> {
        fleet_rows(store, self.filter.as_ref(), self.sort, self.reverse)
            .iter()
            .map(|r| &r.info.id)
            .collect()
    }

    /// The fleet table's rows on screen now (none outside the fleet
    /// view): the metrics refresh keeps them fresh whatever the budget.
    pub fn rows_on_screen(&self, store: &Store) -> Vec<FunctionId> {
        if !matches!(self.screen, Screen::Fleet) {
            return Vec::new();
        }
        let names = self.names(store);
        let page = self.page();
        let selected = self.selected_index(&names);
        let offset = layout::visible_offset(self.offset, selected, page as u16, names.len());
        names.into_iter().skip(offset).take(page).cloned().collect()
    }

    /// Opens the selected function in the function view.
    fn open_selected(&mut self, store: &Store) {
        let names = self.names(store);
        if let Some(n) = names.get(self.selected_index(&names)) {
            self.selected = Some((*n).clone());
            self.show_function((*n).clone());
        }
    }

    /// A log view for another function, keeping the wrap and time choices.
    pub(super) fn fresh_log_view(&self) -> LogView {
        LogView {
            wrap: self.logs.wrap,
            utc: self.logs.utc,
            ..Default::default()
        }
    }

    /// Moves the selection by `delta` rows (the function view follows it).
    pub(super) fn move_by(&mut self, delta: isize, store: &Store) {
        let names = self.names(store);
        if names.is_empty() {
            return;
        }
        let cur = self.selected_index(&names);
        let page = self.page();
        self.offset = layout::visible_offset(self.offset, cur, page as u16, names.len());
        let next = (cur as isize + delta).clamp(0, names.len() as isize - 1) as usize;
        self.selected = Some(names[next].clone());
        if next < self.offset {
            self.offset = next;
        } else if next >= self.offset + page {
            self.offset = next + 1 - page;
        }
        if let Screen::Function(current) = &self.screen
            && current != names[next]
        {
            self.show_function(names[next].clone());
        }
    }
}
