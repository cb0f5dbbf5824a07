//! The text of a config file kept beside its parse, so every message can
//! name the file and the line a value came from.

use super::{ConfigError, parse_duration};
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// A parsed config file with its text (for line numbers in messages).
pub(super) struct Source<'a> {
    /// The file the text was read from, named in every message.
    pub(super) path: &'a Path,
    /// The whole file, for turning byte offsets into line numbers.
    pub(super) text: &'a str,
}

impl Source<'_> {
    /// The 1-based line holding byte `offset` (clamped to the text).
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// An error about `key` at `span`: `file:line: key 'key': msg`.
    pub(super) fn at(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        msg: impl std::fmt::Display,
    ) -> ConfigError {
        ConfigError(format!(
            "{}:{}: key '{key}': {msg}",
            self.path.display(),
            self.line_of(span.start)
        ))
    }

    /// Line of the first `key = …` after `from`, for keys serde gives no span for.
    pub(super) fn key_line(&self, key: &str, from: usize) -> usize {
        let mut offset = 0;
        for line in self.text.lines() {
            let here = offset;
            offset += line.len() + 1;
            if here < from {
                continue;
            }
            let t = line.trim_start();
            if t.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
            {
                return self.line_of(here);
            }
        }
        self.line_of(from)
    }
}

/// Parses a duration value of the file; the error names its line and key.
pub(super) fn duration_value(
    src: &Source<'_>,
    key: &str,
    v: &Spanned<String>,
) -> Result<Duration, ConfigError> {
    parse_duration(v.get_ref()).map_err(|m| src.at(v.span(), key, m))
}
