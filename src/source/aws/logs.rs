//! CloudWatch Logs: one FilterLogEvents page at a time (the log poller owns
//! paging, de-duplication and the shared rate limit).

use super::AwsSource;
use super::errors::map_err;
use crate::model::logs::{LogEvent, LogPage, LogQuery};
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
            .log_group_name(&query.log_group)
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
}
