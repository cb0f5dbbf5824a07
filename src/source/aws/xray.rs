//! X-Ray: trace summaries of one function and whole traces.

use super::errors::map_err;
use super::{AwsSource, to_chrono, to_sdk};
use crate::model::traces::{RawTrace, TraceQuery, TraceSummary, TraceSummaryPage};
use crate::source::{SourceError, Traces};

/// The filter expression selecting one Lambda function's traces.
pub fn function_filter(function: &str) -> String {
    let escaped = function.replace('\\', "\\\\").replace('"', "\\\"");
    format!("service(id(name: \"{escaped}\", type: \"AWS::Lambda::Function\"))")
}

/// BatchGetTraces takes at most this many ids.
pub const MAX_TRACE_IDS: usize = 5;

impl Traces for AwsSource {
    async fn trace_summaries(&self, query: &TraceQuery) -> Result<TraceSummaryPage, SourceError> {
        let out = self
            .xray
            .get_trace_summaries()
            .start_time(to_sdk(query.start))
            .end_time(to_sdk(query.end))
            .filter_expression(function_filter(&query.function))
            .set_next_token(query.next_token.clone())
            .send()
            .await
            .map_err(|e| map_err("xray:GetTraceSummaries", e))?;
        let summaries = out
            .trace_summaries()
            .iter()
            .filter_map(|t| {
                Some(TraceSummary {
                    id: t.id()?.to_string(),
                    start: t.start_time().and_then(to_chrono),
                    duration_s: t.duration().filter(|d| d.is_finite()),
                    response_time_s: t.response_time().filter(|d| d.is_finite()),
                    has_fault: t.has_fault().unwrap_or(false),
                    has_error: t.has_error().unwrap_or(false),
                    has_throttle: t.has_throttle().unwrap_or(false),
                    http_status: t
                        .http()
                        .and_then(|h| h.http_status())
                        .and_then(|s| u16::try_from(s).ok()),
                })
            })
            .collect();
        Ok(TraceSummaryPage {
            summaries,
            next_token: out
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        })
    }

    async fn batch_get_traces(&self, ids: &[String]) -> Result<Vec<RawTrace>, SourceError> {
        let ids: Vec<String> = ids.iter().take(MAX_TRACE_IDS).cloned().collect();
        let out = self
            .xray
            .batch_get_traces()
            .set_trace_ids(Some(ids))
            .send()
            .await
            .map_err(|e| map_err("xray:BatchGetTraces", e))?;
        Ok(out
            .traces()
            .iter()
            .filter_map(|t| {
                Some(RawTrace {
                    id: t.id()?.to_string(),
                    duration_s: t.duration().filter(|d| d.is_finite()),
                    segments: t
                        .segments()
                        .iter()
                        .filter_map(|s| s.document().map(str::to_string))
                        .collect(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::function_filter;

    #[test]
    fn filter_expression_quotes_the_name() {
        assert_eq!(
            function_filter("api"),
            "service(id(name: \"api\", type: \"AWS::Lambda::Function\"))"
        );
        assert!(function_filter("a\"b").contains("a\\\"b"));
    }
}
