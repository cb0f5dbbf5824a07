//! How a run of lamtop ends: the exit codes scripts rely on, and the
//! errors above the source layer that end a run early. `main` turns an
//! [`Error`] into its message and its code; nothing else exits.

use crate::config::ConfigError;

/// The exit codes, the one place they are defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything fetched (`tail`: every group followed to the end).
    Ok,
    /// An AWS or runtime error.
    Error,
    /// Bad usage or configuration.
    Usage,
    /// `--fail-on-alarm` and an alarm is in ALARM (or a rule FIRING).
    Alarm,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::Error => 1,
            Self::Usage => 2,
            Self::Alarm => 3,
        }
    }
}

/// Why a run ended before its face could finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config file or a flag is wrong; the message names the value.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// The AWS configuration could not be loaded (profile, region, SSO).
    #[error("{0}")]
    Connect(String),
    /// The terminal or the async runtime could not be set up, or output
    /// could not be written.
    #[error("{0}")]
    Io(String),
    /// A fetch failed in a way that leaves nothing to show.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// The exit code of this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Config(_) | Self::Usage(_) => Exit::Usage,
            Self::Connect(_) | Self::Io(_) | Self::Failed(_) => Exit::Error,
        }
    }
}
