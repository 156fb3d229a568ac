//! The one place that decides what a failed Slack call means: wait and retry, or give up.

use slack_morphism::errors::SlackClientError;
use std::time::Duration;

/// Waiting this long is assumed when Slack sends a 429 without `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackCallError {
    /// 429: Slack asks us to wait; not a failure of the job.
    #[error("{method}: rate limited, retry after {}s", retry_after.as_secs())]
    RateLimited {
        method: &'static str,
        retry_after: Duration,
    },
    /// `{"ok":false,"error":code}`.
    #[error("{method}: {code}")]
    Api { method: &'static str, code: String },
    /// A status other than 200 or 429.
    #[error("{method}: HTTP {status}")]
    Http { method: &'static str, status: u16 },
    #[error("{method}: no answer within {}s", after.as_secs())]
    Timeout {
        method: &'static str,
        after: Duration,
    },
    /// Could not connect, or the connection broke.
    #[error("{method}: {message}")]
    Transport {
        method: &'static str,
        message: String,
    },
    /// Slack answered something we cannot read; retrying will not help.
    #[error("{method}: unreadable response: {message}")]
    Protocol {
        method: &'static str,
        message: String,
    },
}

/// `ok:false` codes that mean "try again later" rather than "this request is wrong".
const TRANSIENT_CODES: &[&str] = &[
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
    "team_added_to_org",
];

impl SlackCallError {
    pub fn from_client(method: &'static str, err: SlackClientError) -> Self {
        match err {
            SlackClientError::RateLimitError(e) => SlackCallError::RateLimited {
                method,
                retry_after: e.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            },
            SlackClientError::ApiError(e) => SlackCallError::Api {
                method,
                code: e.code,
            },
            SlackClientError::HttpError(e) => SlackCallError::Http {
                method,
                status: e.status_code.as_u16(),
            },
            SlackClientError::HttpProtocolError(e) => SlackCallError::Transport {
                method,
                message: e
                    .cause
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "connection failed".into()),
            },
            SlackClientError::EndOfStream(_) => SlackCallError::Transport {
                method,
                message: "connection closed".into(),
            },
            SlackClientError::SystemError(e) => SlackCallError::Transport {
                method,
                message: e.message.unwrap_or_else(|| "system error".into()),
            },
            other => SlackCallError::Protocol {
                method,
                message: other.to_string(),
            },
        }
    }

    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            SlackCallError::RateLimited { .. }
            | SlackCallError::Timeout { .. }
            | SlackCallError::Transport { .. } => true,
            SlackCallError::Http { status, .. } => *status >= 500 || *status == 408,
            SlackCallError::Api { code, .. } => TRANSIENT_CODES.contains(&code.as_str()),
            SlackCallError::Protocol { .. } => false,
        }
    }

    /// How long Slack asked us to wait, for a 429.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SlackCallError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Slack's error code, for an `ok:false` answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            SlackCallError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn method(&self) -> &'static str {
        match self {
            SlackCallError::RateLimited { method, .. }
            | SlackCallError::Api { method, .. }
            | SlackCallError::Http { method, .. }
            | SlackCallError::Timeout { method, .. }
            | SlackCallError::Transport { method, .. }
            | SlackCallError::Protocol { method, .. } => method,
        }
    }

    /// Label for the `slack_api_calls_total{outcome}` metric.
    pub fn outcome(&self) -> &'static str {
        match self {
            SlackCallError::RateLimited { .. } => "rate_limited",
            SlackCallError::Api { .. } => "api_error",
            SlackCallError::Http { .. } => "http_error",
            SlackCallError::Timeout { .. } => "timeout",
            SlackCallError::Transport { .. } => "transport_error",
            SlackCallError::Protocol { .. } => "protocol_error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let api = |code: &str| SlackCallError::Api {
            method: "m",
            code: code.into(),
        };
        assert!(api("internal_error").is_retryable());
        assert!(!api("channel_not_found").is_retryable());
        assert!(!api("invalid_auth").is_retryable());
        assert!(
            SlackCallError::Http {
                method: "m",
                status: 503
            }
            .is_retryable()
        );
        assert!(
            !SlackCallError::Http {
                method: "m",
                status: 404
            }
            .is_retryable()
        );
        let limited = SlackCallError::RateLimited {
            method: "m",
            retry_after: Duration::from_secs(3),
        };
        assert!(limited.is_retryable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
        assert!(
            SlackCallError::Timeout {
                method: "m",
                after: Duration::from_secs(1)
            }
            .is_retryable()
        );
        assert!(
            !SlackCallError::Protocol {
                method: "m",
                message: "x".into()
            }
            .is_retryable()
        );
    }
}
