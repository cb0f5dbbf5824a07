//! Event source mappings (ListEventSourceMappings): the queues and streams
//! that invoke a function by polling, and whether their last poll worked.
//! A mapping whose `LastProcessingResult` starts with `PROBLEM:` is failing
//! to deliver, which no invocation metric shows.

use super::id::FunctionId;
use serde::Serialize;

/// One mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSource {
    /// Its id.
    pub uuid: String,
    /// The function it invokes.
    #[serde(skip)]
    pub function: FunctionId,
    /// The queue, stream or cluster.
    pub source_arn: String,
    /// `sqs`, `kinesis`, `dynamodb`, `kafka`, `mq`, `docdb` or `other`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `Enabled`, `Disabled`, `Creating`, `Updating`…
    pub state: String,
    /// Why it is in that state.
    pub state_reason: Option<String>,
    /// `OK`, `No records processed`, `PROBLEM: …`.
    pub last_processing_result: Option<String>,
    /// Records per batch.
    pub batch_size: Option<u32>,
}

impl EventSource {
    /// The source's type from its ARN's service.
    pub fn kind_of(arn: &str) -> &'static str {
        match arn.split(':').nth(2).unwrap_or("") {
            "sqs" => "sqs",
            "kinesis" => "kinesis",
            "dynamodb" => "dynamodb",
            "kafka" => "kafka",
            "mq" => "mq",
            "rds" | "docdb" => "docdb",
            _ => "other",
        }
    }

    /// The source's short name: the queue, stream or table after the last
    /// `:` or `/` of the ARN (a DynamoDB stream reads as its table).
    pub fn name(&self) -> &str {
        let arn = self.source_arn.as_str();
        let arn = arn.split("/stream/").next().unwrap_or(arn);
        arn.rsplit([':', '/']).next().unwrap_or(arn)
    }

    /// The failing poll, if the last one failed.
    pub fn problem(&self) -> Option<&str> {
        self.last_processing_result
            .as_deref()
            .filter(|r| r.starts_with("PROBLEM"))
    }

    /// `sqs orders Enabled OK`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {} {}", self.kind, self.name(), self.state);
        if let Some(r) = &self.last_processing_result {
            s.push(' ');
            s.push_str(r);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(arn: &str, result: Option<&str>) -> EventSource {
        EventSource {
            uuid: "u".into(),
            function: "f".into(),
            source_arn: arn.into(),
            kind: EventSource::kind_of(arn),
            state: "Enabled".into(),
            state_reason: None,
            last_processing_result: result.map(String::from),
            batch_size: Some(10),
        }
    }

    #[test]
    fn kinds_names_and_problems() {
        let sqs = source("arn:aws:sqs:us-east-1:123456789012:orders", Some("OK"));
        assert_eq!((sqs.kind, sqs.name()), ("sqs", "orders"));
        assert!(sqs.problem().is_none());
        assert_eq!(sqs.describe(), "sqs orders Enabled OK");
        let ddb = source(
            "arn:aws:dynamodb:us-east-1:123456789012:table/carts/stream/2024-01-01T00:00:00.000",
            Some("PROBLEM: Function call failed"),
        );
        assert_eq!((ddb.kind, ddb.name()), ("dynamodb", "carts"));
        assert_eq!(ddb.problem(), Some("PROBLEM: Function call failed"));
        let k = source("arn:aws:kinesis:us-east-1:123456789012:stream/clicks", None);
        assert_eq!((k.kind, k.name()), ("kinesis", "clicks"));
    }
}
