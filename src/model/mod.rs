//! The domain, pure: no IO, no aws-sdk, no ratatui.

pub mod access;
pub mod alarms;
pub mod budget;
pub mod deploys;
pub mod errors;
pub mod fleet;
pub mod function;
pub mod id;
pub mod insight;
pub mod insights_query;
pub mod invoke;
pub mod logs;
pub mod metrics;
pub mod rules;
pub mod runtimes;
pub mod segments;
pub mod signals;
pub mod sources;
pub mod text;
pub mod traces;
pub mod versions;
