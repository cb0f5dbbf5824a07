//! Turning SDK errors into [`SourceError`]s a user can act on.

use crate::source::SourceError;
use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

const THROTTLE_CODES: [&str; 7] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
];
const DENIED_CODES: [&str; 3] = [
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
];
const CREDENTIAL_CODES: [&str; 6] = [
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
];
const NOT_FOUND_CODES: [&str; 3] = [
    "ResourceNotFoundException",
    "ResourceNotFound",
    "NotFoundException",
];
const UNSUPPORTED_CODES: [&str; 3] = [
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
];

/// Maps any SDK error of the operation behind IAM action `api`.
pub fn map_err<E>(api: &str, err: SdkError<E, HttpResponse>) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let api = api.to_string();
    let context = DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let code = se.err().code().unwrap_or("").to_string();
            let msg = se.err().message().unwrap_or("").to_string();
            classify(api, status, &code, &msg)
        }
        SdkError::ResponseError(re) => {
            let status = re.raw().status().as_u16();
            if (200..300).contains(&status) {
                // A success that did not parse: say so, not "failed: HTTP 200".
                return SourceError::Service {
                    api,
                    message: format!(
                        "the endpoint answered HTTP {status}, but its response could not be read ({})",
                        short(&context)
                    ),
                };
            }
            classify(api, status, "", &context)
        }
        SdkError::TimeoutError(_) => SourceError::Transport {
            api,
            message: "timed out".into(),
        },
        SdkError::DispatchFailure(_) => {
            if context.to_ascii_lowercase().contains("credential") {
                credentials(&context)
            } else {
                SourceError::Transport {
                    api,
                    message: short(&context),
                }
            }
        }
        _ if context.to_ascii_lowercase().contains("credential") => credentials(&context),
        _ => SourceError::Service {
            api,
            message: short(&context),
        },
    }
}

/// The message of a credential chain that failed outside any call (the
/// doctor asks the chain itself).
pub fn credential_error(e: &impl std::error::Error) -> String {
    credentials(&DisplayErrorContext(e).to_string()).to_string()
}

fn credentials(context: &str) -> SourceError {
    tracing::debug!(detail = %short(context), "credential chain failed");
    let expired = context.to_ascii_lowercase().contains("expired");
    SourceError::Credentials {
        message: if expired {
            "the AWS session has expired: run 'aws sso login' (SSO profiles) or refresh your credentials".into()
        } else {
            "none found in the environment, the profile files, web identity, or container/instance roles: \
             run 'aws sso login --profile NAME' or 'aws configure', or set AWS_PROFILE / --profile \
             (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
                .into()
        },
    }
}

/// Classifies by error code first, then by HTTP status.
pub fn classify(api: String, status: u16, code: &str, msg: &str) -> SourceError {
    let message = if code.is_empty() {
        short(msg)
    } else if msg.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {}", short(msg))
    };
    if THROTTLE_CODES.contains(&code) || status == 429 {
        SourceError::Throttled { api, message }
    } else if DENIED_CODES.contains(&code) {
        SourceError::Denied { api, message }
    } else if CREDENTIAL_CODES.contains(&code) {
        SourceError::Credentials {
            message: format!(
                "{api}: {message} (refresh credentials: 'aws sso login', or check AWS_PROFILE / --profile)"
            ),
        }
    } else if NOT_FOUND_CODES.contains(&code) {
        SourceError::NotFound { api, message }
    } else if UNSUPPORTED_CODES.contains(&code) || status == 404 || status == 501 {
        SourceError::Unsupported { api, message }
    } else if status == 403 {
        SourceError::Denied { api, message }
    } else {
        SourceError::Service {
            api,
            message: format!("HTTP {status}: {message}"),
        }
    }
}

/// One line, bounded, cut between words: error bodies can be whole HTML
/// pages, so their tags go and their text stays.
fn short(s: &str) -> String {
    let text = without_tags(s);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 300;
    if line.chars().count() <= MAX {
        return crate::model::text::sanitize(&line);
    }
    let cut: String = line.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    crate::model::text::sanitize(&format!("{cut} …"))
}

/// The text of an HTML body (`<title>500 Internal Server Error</title>` →
/// `500 Internal Server Error`); other text as it is.
fn without_tags(s: &str) -> String {
    if !(s.contains("</") || s.to_ascii_lowercase().contains("<!doctype")) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_code_then_status() {
        let api = || "lambda:ListFunctions".to_string();
        assert!(classify(api(), 429, "", "").is_throttling());
        assert!(classify(api(), 400, "Throttling", "Rate exceeded").is_throttling());
        assert!(matches!(
            classify(api(), 400, "AccessDeniedException", "no"),
            SourceError::Denied { .. }
        ));
        assert!(classify(api(), 404, "", "<html>").is_unsupported());
        assert!(matches!(
            classify(api(), 400, "ExpiredTokenException", "x"),
            SourceError::Credentials { .. }
        ));
        let e = classify(api(), 500, "InternalFailure", "boom");
        assert_eq!(
            e.to_string(),
            "lambda:ListFunctions failed: HTTP 500: InternalFailure: boom"
        );
    }

    /// A real HTML error page (Werkzeug's, as moto's server sends it) reads
    /// as its text, cut between words.
    #[test]
    fn html_bodies_read_as_text() {
        let body = "<!doctype html> <html lang=en> <title>500 Internal Server Error</title> \
                    <h1>Internal Server Error</h1> <p>The server encountered an internal error \
                    and was unable to complete your request. Either the server is overloaded or \
                    there is an error in the application.</p>";
        let e = classify(api_name(), 500, "InternalFailure", body);
        let m = e.to_string();
        assert!(!m.contains('<') && !m.contains('>'), "{m}");
        assert!(
            m.contains("500 Internal Server Error Internal Server Error The server"),
            "{m}"
        );
        let long = format!("{} end", "word ".repeat(100));
        let cut = short(&long);
        assert!(
            cut.ends_with("word …") && cut.chars().count() <= 302,
            "{cut}"
        );
    }

    fn api_name() -> String {
        "cloudwatch:GetMetricData".to_string()
    }

    #[test]
    fn denied_message_names_the_action() {
        let e = classify(
            "xray:GetTraceSummaries".into(),
            400,
            "AccessDeniedException",
            "nope",
        );
        assert!(
            e.to_string()
                .contains("grant the IAM action 'xray:GetTraceSummaries'")
        );
    }
}
