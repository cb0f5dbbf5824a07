//! Keys of the alarms pane of the fleet view (Tab gives it the keys): move
//! through the alarms, open the function of one with why it fires.

use super::App;
use crate::model::text::sanitize;
use crate::store::Store;
use crate::tui::keymap::AlarmsAction;
use crate::tui::rows::alarm_rows;

impl App {
    /// Handles an alarms-pane action.
    pub(super) fn act_alarms(&mut self, action: AlarmsAction, store: &Store) {
        let rows = alarm_rows(store);
        let last = rows.len().saturating_sub(1);
        match action {
            AlarmsAction::Up => self.alarm_row = self.alarm_row.min(last).saturating_sub(1),
            AlarmsAction::Down => self.alarm_row = (self.alarm_row + 1).min(last),
            AlarmsAction::Leave => self.alarms_focus = false,
            AlarmsAction::Open => {
                let Some((alarm, _)) = rows.get(self.alarm_row.min(last)) else {
                    return;
                };
                let (name, reason) = (sanitize(&alarm.name), sanitize(&alarm.reason));
                match alarm.function.clone() {
                    Some(f) if store.functions().iter().any(|x| x.id == f) => {
                        self.alarms_focus = false;
                        self.selected = Some(f.clone());
                        self.show_function(f);
                        let why = if reason.is_empty() {
                            String::new()
                        } else {
                            format!(": {reason}")
                        };
                        self.say(format!("{name} {}{why}", alarm.state.as_str()), false);
                    }
                    _ => self.say(
                        format!("{name} watches no function in scope{}", {
                            if reason.is_empty() {
                                String::new()
                            } else {
                                format!(" ({reason})")
                            }
                        }),
                        false,
                    ),
                }
            }
        }
    }
}
