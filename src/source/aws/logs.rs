//! CloudWatch Logs: one FilterLogEvents page at a time (the log poller owns
//! paging, de-duplication and the shared rate limit).

use super::AwsSource;
use super::errors::map_err;
use crate::model::id::LogGroup;
use crate::model::insights_query::{QueryPoll, QueryStatus};
use crate::model::logs::{LogEvent, LogPage, LogQuery};
use crate::model::metrics::TimeRange;
use crate::source::{Logs, SourceError};
use chrono::{DateTime, Utc};

fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

impl Logs for AwsSource {
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        let out = self
            .logs
            .filter_log_events()
            .log_group_name(&query.log_group.name)
            .start_time(query.start.timestamp_millis())
            .set_end_time(query.end.map(|e| e.timestamp_millis()))
            .set_filter_pattern(query.filter_pattern.clone())
            .set_next_token(query.next_token.clone())
            .send()
            .await
            .map_err(|e| map_err("logs:FilterLogEvents", e))?;
        let events = out
            .events()
            .iter()
            .filter_map(|e| {
                Some(LogEvent {
                    id: e.event_id()?.to_string(),
                    timestamp: from_millis(e.timestamp()?)?,
                    ingestion_time: e.ingestion_time().and_then(from_millis),
                    stream: e.log_stream_name().unwrap_or_default().to_string(),
                    message: e.message().unwrap_or_default().to_string(),
                })
            })
            .collect();
        Ok(LogPage {
            events,
            next_token: out
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        })
    }

    async fn start_query(
        &self,
        log_groups: &[LogGroup],
        range: TimeRange,
        query: &str,
    ) -> Result<String, SourceError> {
        let out = self
            .logs
            .start_query()
            .set_log_group_names(Some(log_groups.iter().map(|g| g.name.clone()).collect()))
            .start_time(range.start.timestamp())
            .end_time(range.end.timestamp())
            .query_string(query)
            .limit(10_000)
            .send()
            .await
            .map_err(|e| map_err("logs:StartQuery", e))?;
        out.query_id()
            .map(str::to_string)
            .ok_or_else(|| SourceError::Service {
                api: "logs:StartQuery".into(),
                message: "the response has no queryId".into(),
            })
    }

    async fn query_results(&self, query_id: &str) -> Result<QueryPoll, SourceError> {
        let out = self
            .logs
            .get_query_results()
            .query_id(query_id)
            .send()
            .await
            .map_err(|e| map_err("logs:GetQueryResults", e))?;
        let rows = out
            .results()
            .iter()
            .map(|row| {
                row.iter()
                    .filter_map(|f| Some((f.field()?.to_string(), f.value()?.to_string())))
                    .collect()
            })
            .collect();
        let stats = out.statistics();
        Ok(QueryPoll {
            status: out.status().map(|s| QueryStatus::from_api(s.as_str())),
            rows,
            bytes_scanned: stats.map_or(0.0, |s| s.bytes_scanned()),
            records_matched: stats.map_or(0.0, |s| s.records_matched()),
        })
    }

    async fn stop_query(&self, query_id: &str) -> Result<(), SourceError> {
        self.logs
            .stop_query()
            .query_id(query_id)
            .send()
            .await
            .map_err(|e| map_err("logs:StopQuery", e))?;
        Ok(())
    }
}
