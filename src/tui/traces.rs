//! The traces pane's list and the trace view's rows, derived from the
//! store (pure, shared by drawing and key handling), and the log → trace
//! pivot.

use super::logview::LogView;
use crate::model::logs::{LineKind, LogEvent, analyze};
use crate::model::segments::{Row, rows};
use crate::model::traces::TraceSummary;
use crate::store::Store;

/// The traces pane and trace view state.
#[derive(Debug, Clone, Default)]
pub struct TraceState {
    /// Selected row of the traces pane.
    pub selected: usize,
    /// Sort the pane by duration (else newest first).
    pub by_duration: bool,
    /// Only faults.
    pub faults_only: bool,
    /// Selected row of the trace view.
    pub row: usize,
    /// Collapsed subtrees (segment ids) of the trace view.
    pub collapsed: std::collections::HashSet<String>,
}

/// The traces pane's rows, in display order.
pub fn visible<'a>(store: &'a Store, state: &TraceState) -> Vec<&'a TraceSummary> {
    let Some(list) = &store.traces.value else {
        return Vec::new();
    };
    let mut v: Vec<&TraceSummary> = list
        .summaries
        .iter()
        .filter(|t| !state.faults_only || t.has_fault || t.has_error || t.has_throttle)
        .collect();
    if state.by_duration {
        v.sort_by(|a, b| {
            b.duration_s
                .unwrap_or(0.0)
                .total_cmp(&a.duration_s.unwrap_or(0.0))
        });
    }
    v
}

/// The open trace's rows (collapsed subtrees hidden).
pub fn trace_rows<'a>(store: &'a Store, state: &TraceState) -> Vec<Row<'a>> {
    match &store.trace.value {
        Some((_, Some(tree))) => rows(tree, &state.collapsed),
        _ => Vec::new(),
    }
}

/// How far from the line `T` looks for its request's trace id.
const PIVOT_REACH: usize = 5_000;

/// The X-Ray trace id of the request of the log pane's bottom line: the
/// line's own (a REPORT with the `XRAY TraceId` inside, a JSON record's
/// tracing header, a logger's `xray_trace_id`), else that of any nearby
/// line of the same request, else the standalone `XRAY TraceId` line
/// older runtimes write in the same stream right after the request's START.
pub fn trace_id_of_bottom_line(store: &Store, view: &LogView) -> Option<String> {
    let buf = store.logs.as_ref()?;
    let all: Vec<&LogEvent> = buf.events.iter().collect();
    let bottom = {
        let shown = view.visible(buf);
        let i = view.bottom(&shown)?;
        all.iter().position(|e| e.id == shown[i].id)?
    };
    let info = analyze(&all[bottom].message);
    if let Some(id) = info.trace_id {
        return Some(id);
    }
    let req = info.request_id?;
    let lo = bottom.saturating_sub(PIVOT_REACH);
    let hi = (bottom + PIVOT_REACH).min(all.len().saturating_sub(1));
    let mut start = None;
    for (i, e) in all.iter().enumerate().take(hi + 1).skip(lo) {
        let other = analyze(&e.message);
        if other.request_id.as_deref() != Some(req.as_str()) {
            continue;
        }
        if other.trace_id.is_some() {
            return other.trace_id;
        }
        if other.kind == LineKind::Start {
            start = Some(i);
        }
    }
    let start = start?;
    let stream = &all[start].stream;
    all.iter()
        .skip(start + 1)
        .filter(|e| &e.stream == stream)
        .take(20)
        .map(|e| analyze(&e.message))
        .find(|i| i.kind == LineKind::Xray)
        .and_then(|i| i.trace_id)
}

#[cfg(test)]
mod tests {
    use crate::model::logs::analyze;

    #[test]
    fn xray_lines() {
        assert_eq!(
            analyze("XRAY TraceId: 1-5e1b4151-5ac6c58f5b5daa6532e4f2e8\tSegmentId: 6b3d3e2a1f7c9d0e\tSampled: true").trace_id.as_deref(),
            Some("1-5e1b4151-5ac6c58f5b5daa6532e4f2e8")
        );
        assert_eq!(analyze("START RequestId: x").trace_id, None);
    }
}
