//! The errors screen's rows: the store's error groups in the order the
//! user chose (shared by drawing and by the keys, so a row is the row).

use crate::model::errors::ErrorGroup;
use crate::store::Store;

/// How the groups are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorSort {
    /// Most occurrences first.
    #[default]
    Count,
    /// Most recent first.
    LastSeen,
    /// New groups first, then by count.
    New,
}

impl ErrorSort {
    /// The next order (`s`).
    pub fn next(self) -> Self {
        match self {
            Self::Count => Self::LastSeen,
            Self::LastSeen => Self::New,
            Self::New => Self::Count,
        }
    }

    /// Its name, for the title and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::LastSeen => "last seen",
            Self::New => "new first",
        }
    }
}

/// The errors screen's state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorsView {
    /// The selected group's fingerprint: the selection stays on its group
    /// while a running scan reorders the rows.
    pub selected: Option<String>,
    /// The order.
    pub sort: ErrorSort,
}

impl ErrorsView {
    /// The selected row of `rows` (the first when unset or gone).
    pub fn row(&self, rows: &[(&ErrorGroup, bool)]) -> usize {
        self.selected
            .as_ref()
            .and_then(|id| rows.iter().position(|(g, _)| &g.fingerprint.id == id))
            .unwrap_or(0)
    }
}

/// The groups with whether each is new, in `sort` order.
pub fn error_rows(store: &Store, sort: ErrorSort) -> Vec<(&ErrorGroup, bool)> {
    let scan = &store.error_scan;
    let mut rows: Vec<(&ErrorGroup, bool)> = scan
        .groups
        .ranked()
        .into_iter()
        .map(|g| {
            let new = scan
                .range
                .is_some_and(|r| scan.groups.is_new(g, r, |f| store.last_deployed(f)));
            (g, new)
        })
        .collect();
    match sort {
        ErrorSort::Count => {}
        ErrorSort::LastSeen => rows.sort_by_key(|r| std::cmp::Reverse(r.0.last_seen())),
        ErrorSort::New => rows.sort_by_key(|r| !r.1),
    }
    rows
}
