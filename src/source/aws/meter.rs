//! Counts every HTTP attempt the SDK makes (retries included), so the
//! dashboard can show its own API usage, and every attempt the service
//! throttled — also those the SDK's retries hide — so the pollers can slow
//! down while an account is being throttled, not only once a call fails.

use aws_sdk_lambda::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_lambda::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_lambda::error::BoxError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// An SDK interceptor counting attempts and throttled attempts.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    calls: Arc<AtomicU64>,
    throttled: Arc<AtomicU64>,
}

impl CallCounter {
    /// Attempts so far.
    pub fn get(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Attempts the service throttled so far.
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }
}

/// Whether an HTTP response is a throttling error: 429, or a 4xx whose
/// error code (header or body, every protocol lamtop speaks) says so.
pub fn is_throttle_response(status: u16, error_type: Option<&str>, body: Option<&[u8]>) -> bool {
    if status == 429 {
        return true;
    }
    if !(400..500).contains(&status) {
        return false;
    }
    let says = |s: &str| {
        s.contains("Throttl") || s.contains("TooManyRequests") || s.contains("RequestLimitExceeded")
    };
    error_type.is_some_and(says)
        || body.is_some_and(|b| says(&String::from_utf8_lossy(&b[..b.len().min(512)])))
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "lamtop-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(resp) = context.response() {
            let status = resp.status().as_u16();
            let error_type = resp.headers().get("x-amzn-errortype");
            if is_throttle_response(status, error_type, resp.body().bytes()) {
                self.throttled.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_are_recognised_in_every_protocol() {
        assert!(is_throttle_response(429, None, None));
        assert!(is_throttle_response(
            400,
            Some("ThrottlingException:http://x"),
            None
        ));
        assert!(is_throttle_response(
            400,
            None,
            Some(b"\xa2f__typejThrottling")
        ));
        assert!(is_throttle_response(
            400,
            None,
            Some(b"<Code>RequestLimitExceeded</Code>")
        ));
        assert!(!is_throttle_response(
            400,
            Some("ValidationException"),
            Some(b"{}")
        ));
        assert!(!is_throttle_response(
            503,
            Some("ThrottlingException"),
            None
        ));
        assert!(!is_throttle_response(200, None, Some(b"Throttling")));
    }
}
