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
            .set_filter_expression(
                query
                    .server_filter
                    .then(|| function_filter(&query.function.name)),
            )
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
                    cold_start: None,
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
    use crate::model::metrics::TimeRange;
    use crate::poll::traces::list_traces;
    use crate::source::aws::tests::mock_source_with_xray;
    use aws_sdk_xray::operation::batch_get_traces::BatchGetTracesOutput;
    use aws_sdk_xray::operation::get_trace_summaries::{
        GetTraceSummariesError, GetTraceSummariesOutput,
    };
    use aws_sdk_xray::types::{Segment, Trace, TraceSummary};
    use aws_smithy_mocks::mock;
    use chrono::Utc;
    use std::time::Duration;

    #[tokio::test]
    async fn filter_expression_first_then_client_side_fallback() {
        let filtered = mock!(aws_sdk_xray::Client::get_trace_summaries)
            .match_requests(|r| {
                r.filter_expression() == Some(function_filter("api").as_str())
                    && r.start_time().is_some()
                    && r.end_time().is_some()
            })
            .then_error(|| GetTraceSummariesError::unhandled("filter expressions unsupported"));
        let all = mock!(aws_sdk_xray::Client::get_trace_summaries)
            .match_requests(|r| r.filter_expression().is_none())
            .then_output(|| {
                GetTraceSummariesOutput::builder()
                    .trace_summaries(
                        TraceSummary::builder()
                            .id("1-00000001-000000000000000000000001")
                            .duration(0.2)
                            .build(),
                    )
                    .trace_summaries(
                        TraceSummary::builder()
                            .id("1-00000001-000000000000000000000002")
                            .duration(0.3)
                            .build(),
                    )
                    .build()
            });
        let batch = mock!(aws_sdk_xray::Client::batch_get_traces)
            .match_requests(|r| r.trace_ids().len() == 2)
            .then_output(|| {
                let seg = |id: &str, name: &str| {
                    Trace::builder()
                        .id(id)
                        .segments(
                            Segment::builder()
                                .id("s")
                                .document(format!(r#"{{"id":"s","name":"{name}","origin":"AWS::Lambda::Function","start_time":1,"end_time":2}}"#))
                                .build(),
                        )
                        .build()
                };
                BatchGetTracesOutput::builder()
                    .traces(seg("1-00000001-000000000000000000000001", "api"))
                    .traces(seg("1-00000001-000000000000000000000002", "other"))
                    .build()
            });
        let src = mock_source_with_xray(&[], &[], &[], &[&filtered, &all, &batch]);
        let list = list_traces(
            &src,
            &"api".into(),
            TimeRange::ending_at(Utc::now(), Duration::from_secs(3600)),
        )
        .await
        .unwrap();
        assert!(list.client_filtered);
        assert_eq!(list.summaries.len(), 1);
        assert_eq!(list.summaries[0].id, "1-00000001-000000000000000000000001");
    }

    #[tokio::test]
    async fn filtered_summaries_when_the_service_can() {
        let filtered = mock!(aws_sdk_xray::Client::get_trace_summaries)
            .match_requests(|r| r.filter_expression() == Some(function_filter("api").as_str()))
            .then_output(|| {
                GetTraceSummariesOutput::builder()
                    .trace_summaries(
                        TraceSummary::builder()
                            .id("1-00000001-000000000000000000000003")
                            .has_fault(true)
                            .build(),
                    )
                    .build()
            });
        let batch = mock!(aws_sdk_xray::Client::batch_get_traces)
            .match_requests(|r| r.trace_ids().len() == 1)
            .then_output(|| {
                let doc = r#"{"id":"s","name":"api","origin":"AWS::Lambda::Function","start_time":1,"end_time":2,"subsegments":[{"id":"i","name":"Initialization","start_time":1,"end_time":1.2}]}"#;
                BatchGetTracesOutput::builder()
                    .traces(
                        Trace::builder()
                            .id("1-00000001-000000000000000000000003")
                            .segments(Segment::builder().id("s").document(doc).build())
                            .build(),
                    )
                    .build()
            });
        let src = mock_source_with_xray(&[], &[], &[], &[&filtered, &batch]);
        let list = list_traces(
            &src,
            &"api".into(),
            TimeRange::ending_at(Utc::now(), Duration::from_secs(3600)),
        )
        .await
        .unwrap();
        assert!(!list.client_filtered);
        assert!(list.summaries[0].has_fault);
        assert_eq!(
            list.summaries[0].cold_start,
            Some(true),
            "Initialization = cold start"
        );
    }

    #[test]
    fn filter_expression_quotes_the_name() {
        assert_eq!(
            function_filter("api"),
            "service(id(name: \"api\", type: \"AWS::Lambda::Function\"))"
        );
        assert!(function_filter("a\"b").contains("a\\\"b"));
    }
}
