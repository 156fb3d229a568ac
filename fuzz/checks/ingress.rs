//! Ingress: signature verification, then each endpoint's parser. A body signed with the secret
//! is accepted, the same body signed otherwise (or altered) never is, arbitrary header values
//! never panic, and no body makes a parser panic.
//!
//! The property itself, without libFuzzer: `fuzz_targets/ingress.rs` feeds it the fuzzer's inputs,
//! and `tests/fuzz.rs` replays the seeds and the saved corpus through it on every `cargo test`.

use guestlist::clock::{SharedClock, SystemClock};
use guestlist::http::verify::{SignatureVerifier, sign};
use guestlist::slack::ids::Button;
use guestlist::slack::payload::{parse_command, parse_event_body, parse_interaction};
use secrecy::SecretString;
use std::sync::Arc;

const SECRET: &str = "fuzz-signing-secret";

/// Checks the property for one input; panics where it does not hold.
pub fn check(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let clock: SharedClock = Arc::new(SystemClock);
    let verifier = SignatureVerifier::new(vec![SecretString::from(SECRET.to_string())], clock);
    let ts = chrono::Utc::now().timestamp().to_string();
    let now: i64 = ts.parse().unwrap();
    assert!(
        verifier
            .verify(Some(&ts), Some(&sign(SECRET, now, body)), body)
            .is_ok()
    );
    assert!(
        verifier
            .verify(Some(&ts), Some(&sign("another-secret", now, body)), body)
            .is_err()
    );
    let mut altered = body.to_vec();
    altered.push(b'x');
    assert!(
        verifier
            .verify(Some(&ts), Some(&sign(SECRET, now, body)), &altered)
            .is_err()
    );
    // Header values from the input: whatever they are, no panic, and no pass without the
    // signature of this body.
    if let Ok(text) = std::str::from_utf8(body) {
        let mut lines = text.splitn(3, '\n');
        let (timestamp, signature) = (lines.next(), lines.next());
        let rest = lines.next().unwrap_or("").as_bytes();
        if verifier.verify(timestamp, signature, rest).is_ok() {
            let ts: i64 = timestamp.unwrap().trim().parse().unwrap();
            assert_eq!(signature.unwrap().trim(), sign(SECRET, ts, rest));
        }
    }
    match selector % 3 {
        0 => {
            let _ = parse_command(body);
        }
        1 => {
            if let Ok(slack_morphism::prelude::SlackInteractionEvent::BlockActions(actions)) =
                parse_interaction(body)
            {
                for action in actions.actions.iter().flatten() {
                    let _ = Button::parse(&action.action_id.0, action.value.as_deref());
                }
            }
        }
        _ => {
            let _ = parse_event_body(body);
        }
    }
}
