//! One-shot trace fetches for the faces (`lamtop trace`, the trace view).

use crate::model::id::FunctionId;
use crate::model::metrics::TimeRange;
use crate::model::segments::{TraceTree, build};
use crate::model::traces::{TraceList, TraceQuery, TraceSummary};
use crate::source::{SourceError, Traces};
use std::time::Duration;

/// Fetches one trace and builds its tree; `Ok(None)` when X-Ray has no
/// such trace.
pub async fn fetch_tree<S: Traces + ?Sized>(
    src: &S,
    id: &str,
) -> Result<Option<TraceTree>, SourceError> {
    let traces = src.batch_get_traces(&[id.to_string()]).await?;
    Ok(traces
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| build(&t.id, &t.segments)))
}

/// Summaries fetched per refresh of the traces pane (newest first).
const MAX_SUMMARIES: usize = 100;
/// Traces read to filter on the client when the endpoint rejects filter expressions.
const MAX_CLIENT_FILTERED: usize = 50;
/// X-Ray summary queries are kept within 6 hours.
const MAX_RANGE: Duration = Duration::from_secs(6 * 3600);

async fn summaries<S: Traces + ?Sized>(
    src: &S,
    function: &FunctionId,
    range: TimeRange,
    server_filter: bool,
) -> Result<Vec<TraceSummary>, SourceError> {
    let longest = chrono::Duration::from_std(MAX_RANGE).unwrap_or_default();
    let mut q = TraceQuery {
        start: range.start.max(range.end - longest),
        end: range.end,
        function: function.clone(),
        next_token: None,
        server_filter,
    };
    let mut out = Vec::new();
    for _ in 0..5 {
        let page = src.trace_summaries(&q).await?;
        out.extend(page.summaries);
        match page.next_token {
            Some(t) if out.len() < MAX_SUMMARIES => q.next_token = Some(t),
            _ => break,
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.start));
    out.truncate(MAX_SUMMARIES);
    Ok(out)
}

/// Summaries whose cold start is looked up (BatchGetTraces, 5 per call).
const COLD_START_LOOKUPS: usize = 20;

/// Whether a trace has Lambda's Initialization subsegment.
fn has_init(id: &str, docs: &[String]) -> bool {
    crate::model::segments::rows(&build(id, docs), &Default::default())
        .iter()
        .any(|r| r.node.name == "Initialization")
}

/// Marks the cold starts of the newest summaries.
async fn mark_cold_starts<S: Traces + ?Sized>(
    src: &S,
    list: &mut [TraceSummary],
) -> Result<(), SourceError> {
    let n = list.len().min(COLD_START_LOOKUPS);
    for chunk in list[..n].chunks_mut(5) {
        let ids: Vec<String> = chunk
            .iter()
            .filter(|s| s.cold_start.is_none())
            .map(|s| s.id.clone())
            .collect();
        if ids.is_empty() {
            continue;
        }
        for t in src.batch_get_traces(&ids).await? {
            if let Some(s) = chunk.iter_mut().find(|s| s.id == t.id) {
                s.cold_start = Some(has_init(&t.id, &t.segments));
            }
        }
    }
    Ok(())
}

/// Whether a segment document belongs to the function.
fn is_function_segment(doc: &str, function: &FunctionId) -> bool {
    // Segments carry the plain name.
    serde_json::from_str::<serde_json::Value>(doc).is_ok_and(|v| {
        v.get("name").and_then(|n| n.as_str()) == Some(function.name.as_str())
            && v.get("origin")
                .and_then(|o| o.as_str())
                .is_some_and(|o| o.starts_with("AWS::Lambda"))
    })
}

/// The traces pane's list over `range` (its newest 6 hours): summaries
/// filtered by the service, or — when the endpoint rejects filter
/// expressions — all summaries of the range filtered here by segment
/// origin and name.
pub async fn list_traces<S: Traces + ?Sized>(
    src: &S,
    function: &FunctionId,
    range: TimeRange,
) -> Result<TraceList, SourceError> {
    match summaries(src, function, range, true).await {
        Ok(mut s) => {
            mark_cold_starts(src, &mut s).await?;
            Ok(TraceList {
                function: function.clone(),
                summaries: s,
                client_filtered: false,
            })
        }
        Err(e)
            if e.is_throttling()
                || matches!(
                    e,
                    SourceError::Denied { .. }
                        | SourceError::Credentials { .. }
                        | SourceError::Transport { .. }
                ) =>
        {
            Err(e)
        }
        Err(e) => {
            tracing::info!(error = %e, "filter expressions rejected; filtering trace summaries here");
            let all = summaries(src, function, range, false).await?;
            let mut keep = Vec::new();
            for chunk in all.chunks(5).take(MAX_CLIENT_FILTERED / 5) {
                let ids: Vec<String> = chunk.iter().map(|s| s.id.clone()).collect();
                let traces = src.batch_get_traces(&ids).await?;
                for t in traces {
                    if t.segments.iter().any(|d| is_function_segment(d, function))
                        && let Some(s) = chunk.iter().find(|s| s.id == t.id)
                    {
                        let mut s = s.clone();
                        s.cold_start = Some(has_init(&t.id, &t.segments));
                        keep.push(s);
                    }
                }
            }
            keep.sort_by_key(|s| std::cmp::Reverse(s.start));
            Ok(TraceList {
                function: function.clone(),
                summaries: keep,
                client_filtered: true,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trace_ids() {
        assert!(crate::model::logs::valid_trace_id(
            "1-6567b2a0-0123456789abcdef01234567"
        ));
        assert!(!crate::model::logs::valid_trace_id("1-6567b2a0-0123"));
        assert!(!crate::model::logs::valid_trace_id("abc"));
    }
}
