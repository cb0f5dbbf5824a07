//! The printer's filters.

use super::*;
use crate::cli::{Cli, Mode};
use crate::model::id::LogGroup;
use clap::Parser;

fn printer(extra: &[&str]) -> Printer {
    let mut argv = vec!["lamtop", "tail", "api", "--format", "short"];
    argv.extend_from_slice(extra);
    let Some(Mode::Tail(args)) = Cli::try_parse_from(argv).unwrap().command else {
        panic!("a tail command")
    };
    let target = Target {
        label: "api".into(),
        log_group: LogGroup::new("/aws/lambda/api"),
        function: true,
    };
    Printer::new(&args, vec![target], false).unwrap()
}

/// `--grep` reads the stored message, `--grep-shown` the printed one.
/// The REPORT line is the AWS documentation's (Lambda, Python logging).
#[test]
fn grep_reads_the_message_and_grep_shown_the_printed_text() {
    let e = LogEvent {
        id: "1".into(),
        timestamp: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        ingestion_time: None,
        stream: String::new(),
        message: "REPORT RequestId: 1c8df7d3-xmpl-46da-9778-518e6eca8125  Duration: 2.75 ms   \
                  Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 56 MB  \
                  Init Duration: 113.51 ms"
            .into(),
    };
    assert!(printer(&["--grep", "cold"]).line(0, &e).is_none());
    let shown = printer(&["--grep-shown", "cold"]).line(0, &e).unwrap();
    assert!(shown.contains("cold start"), "{shown}");
    assert!(printer(&["--grep", "Init Duration"]).line(0, &e).is_some());
    assert!(
        printer(&["--grep-shown", "Init Duration"])
            .line(0, &e)
            .is_none()
    );
}
