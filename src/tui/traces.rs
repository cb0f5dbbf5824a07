//! The traces pane's list and the trace view's rows, derived from the
//! store (pure, shared by drawing and key handling), and the log → trace
//! pivot.

use super::app::TraceState;
use super::logview::LogView;
use crate::model::logs::{LineKind, classify, request_id};
use crate::model::segments::{Row, rows};
use crate::model::traces::TraceSummary;
use crate::store::Store;

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

fn xray_id(message: &str) -> Option<String> {
    let rest = message.trim_start().strip_prefix("XRAY TraceId: ")?;
    let id: String = rest
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    crate::poll::traces::valid_trace_id(&id).then_some(id)
}

/// The X-Ray trace id of the request of the log pane's bottom line: the
/// `XRAY TraceId` line Lambda writes after START when tracing is active.
pub fn trace_id_of_bottom_line(store: &Store, view: &LogView) -> Option<String> {
    let buf = store.logs.as_ref()?;
    let vis: Vec<_> = buf.events.iter().collect();
    let bottom = {
        let shown = view.visible(buf);
        let i = view.bottom(&shown)?;
        vis.iter().position(|e| e.id == shown[i].id)?
    };
    if let Some(id) = xray_id(&vis[bottom].message) {
        return Some(id);
    }
    let req = request_id(&vis[bottom].message)?;
    let start = (0..=bottom).rev().take(2_000).find(|i| {
        classify(&vis[*i].message) == LineKind::Start
            && request_id(&vis[*i].message).as_deref() == Some(req.as_str())
    })?;
    vis.iter()
        .skip(start)
        .take(20)
        .find_map(|e| xray_id(&e.message))
}

#[cfg(test)]
mod tests {
    #[test]
    fn xray_lines() {
        assert_eq!(
            super::xray_id("XRAY TraceId: 1-5e1b4151-5ac6c58f5b5daa6532e4f2e8\tSegmentId: 6b3d3e2a1f7c9d0e\tSampled: true").as_deref(),
            Some("1-5e1b4151-5ac6c58f5b5daa6532e4f2e8")
        );
        assert_eq!(super::xray_id("START RequestId: x"), None);
    }
}
