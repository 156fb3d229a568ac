//! Slack request signing: `v0=` + hex HMAC-SHA256(secret, `v0:{ts}:{raw body}`).
//!
//! Checked before anything parses the body. Any configured secret may match, so a secret can be
//! rotated without downtime. The clock is injected so Slack's documented example can be replayed.

use crate::clock::SharedClock;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// Slack's replay window: requests older (or newer) than this are refused.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
pub const SIGNATURE_HEADER: &str = "x-slack-signature";

/// Why a request was refused. Never shown to the caller; logged and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    MissingTimestamp,
    MissingSignature,
    MalformedTimestamp,
    StaleTimestamp,
    MalformedSignature,
    BadSignature,
}

impl Rejection {
    /// Stable label for logs and the `signature_failures_total{reason}` metric.
    pub fn reason(self) -> &'static str {
        match self {
            Rejection::MissingTimestamp => "missing_timestamp",
            Rejection::MissingSignature => "missing_signature",
            Rejection::MalformedTimestamp => "malformed_timestamp",
            Rejection::StaleTimestamp => "stale_timestamp",
            Rejection::MalformedSignature => "malformed_signature",
            Rejection::BadSignature => "bad_signature",
        }
    }
}

#[derive(Clone)]
pub struct SignatureVerifier {
    secrets: Vec<SecretString>,
    clock: SharedClock,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureVerifier")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

impl SignatureVerifier {
    pub fn new(secrets: Vec<SecretString>, clock: SharedClock) -> Self {
        Self { secrets, clock }
    }

    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<(), Rejection> {
        let timestamp = timestamp.ok_or(Rejection::MissingTimestamp)?;
        let signature = signature.ok_or(Rejection::MissingSignature)?;
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| Rejection::MalformedTimestamp)?;
        let now = self.clock.now().timestamp();
        if (now - ts).abs() > MAX_CLOCK_SKEW_SECS {
            return Err(Rejection::StaleTimestamp);
        }
        let expected = signature
            .strip_prefix("v0=")
            .and_then(|hex_digest| hex::decode(hex_digest).ok())
            .filter(|bytes| bytes.len() == 32)
            .ok_or(Rejection::MalformedSignature)?;
        // Every secret is tried (no early exit on the first), and each comparison is constant-time.
        let mut matched = false;
        for secret in &self.secrets {
            let mac = mac_for(secret.expose_secret().as_bytes(), timestamp.trim(), body);
            matched |= mac.verify_slice(&expected).is_ok();
        }
        if matched {
            Ok(())
        } else {
            Err(Rejection::BadSignature)
        }
    }
}

fn mac_for(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

/// Computes the `X-Slack-Signature` value for a body; used by the fake Slack, the demo and tests.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac_for(secret.as_bytes(), &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v0={}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use chrono::{TimeZone, Utc};

    // Slack's worked example (api.slack.com/authentication/verifying-requests-from-slack).
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const EXPECTED: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn verifier_at(secrets: &[&str], now: i64) -> SignatureVerifier {
        let clock = ManualClock::new(Utc.timestamp_opt(now, 0).unwrap());
        SignatureVerifier::new(
            secrets
                .iter()
                .map(|s| SecretString::from(s.to_string()))
                .collect(),
            clock,
        )
    }

    #[test]
    fn slack_documented_example_verifies() {
        assert_eq!(sign(SECRET, TS.parse().unwrap(), BODY.as_bytes()), EXPECTED);
        let v = verifier_at(&[SECRET], 1531420618);
        assert_eq!(v.verify(Some(TS), Some(EXPECTED), BODY.as_bytes()), Ok(()));
    }

    #[test]
    fn one_changed_byte_is_refused() {
        let v = verifier_at(&[SECRET], 1531420618);
        let mut body = BODY.as_bytes().to_vec();
        body[10] ^= 1;
        assert_eq!(
            v.verify(Some(TS), Some(EXPECTED), &body),
            Err(Rejection::BadSignature)
        );
    }

    #[test]
    fn window_is_300_seconds_either_way() {
        let ok = verifier_at(&[SECRET], 1531420618 + 300);
        assert_eq!(ok.verify(Some(TS), Some(EXPECTED), BODY.as_bytes()), Ok(()));
        let stale = verifier_at(&[SECRET], 1531420618 + 301);
        assert_eq!(
            stale.verify(Some(TS), Some(EXPECTED), BODY.as_bytes()),
            Err(Rejection::StaleTimestamp)
        );
        let future = verifier_at(&[SECRET], 1531420618 - 301);
        assert_eq!(
            future.verify(Some(TS), Some(EXPECTED), BODY.as_bytes()),
            Err(Rejection::StaleTimestamp)
        );
    }

    #[test]
    fn missing_and_malformed_headers_are_refused() {
        let v = verifier_at(&[SECRET], 1531420618);
        let body = BODY.as_bytes();
        assert_eq!(
            v.verify(None, Some(EXPECTED), body),
            Err(Rejection::MissingTimestamp)
        );
        assert_eq!(
            v.verify(Some(TS), None, body),
            Err(Rejection::MissingSignature)
        );
        assert_eq!(
            v.verify(Some("soon"), Some(EXPECTED), body),
            Err(Rejection::MalformedTimestamp)
        );
        assert_eq!(
            v.verify(Some(TS), Some(&EXPECTED[3..]), body),
            Err(Rejection::MalformedSignature)
        );
        assert_eq!(
            v.verify(Some(TS), Some("v0=zz"), body),
            Err(Rejection::MalformedSignature)
        );
    }

    #[test]
    fn any_secret_in_the_list_may_match() {
        let rotated = verifier_at(&["new-secret", SECRET], 1531420618);
        assert_eq!(
            rotated.verify(Some(TS), Some(EXPECTED), BODY.as_bytes()),
            Ok(())
        );
        let wrong = verifier_at(&["new-secret"], 1531420618);
        assert_eq!(
            wrong.verify(Some(TS), Some(EXPECTED), BODY.as_bytes()),
            Err(Rejection::BadSignature)
        );
    }
}
