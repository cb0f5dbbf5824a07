//! One-shot trace fetches for the faces (`lamtop trace`, the trace view).

use crate::model::segments::{TraceTree, build};
use crate::source::{SourceError, Traces};

/// Whether `id` looks like an X-Ray trace id (`1-<8 hex>-<24 hex>`).
pub fn valid_trace_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    matches!(parts[..], ["1", a, b] if a.len() == 8 && b.len() == 24
        && a.chars().chain(b.chars()).all(|c| c.is_ascii_hexdigit()))
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn trace_ids() {
        assert!(super::valid_trace_id("1-6567b2a0-0123456789abcdef01234567"));
        assert!(!super::valid_trace_id("1-6567b2a0-0123"));
        assert!(!super::valid_trace_id("abc"));
    }
}
