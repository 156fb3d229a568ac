//! Expiry and dates, as typed in the form (days, date, time, zone) and in a CSV `expires`
//! column: never a panic, and whatever is accepted ends after now and within the policy.
//!
//! The property itself, without libFuzzer: `fuzz_targets/expiry.rs` feeds it the fuzzer's inputs,
//! and `tests/fuzz.rs` replays the seeds and the saved corpus through it on every `cargo test`.

use guestlist::domain::Expiry;
use guestlist::domain::import::parse_expires;
use guestlist::domain::policy::{RequestDraft, RequestPolicy, check_expiry, validate_request};

/// Checks the property for one input; panics where it does not hold.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = "2026-12-01T12:00:00Z".parse().unwrap();
    let mut parts = text.split('|');
    let zone_name = parts.next().unwrap_or("");
    let tz = guestlist::domain::expiry::zone(Some(zone_name));
    let policy = RequestPolicy::default();
    if let Ok(Expiry::At { at }) = parse_expires(text, now, tz) {
        assert!(at > now, "{text:?} accepted as a past moment");
    }
    let draft = RequestDraft {
        email: "grace@partner.example".into(),
        full_name: "Grace".into(),
        reason: "fuzz".into(),
        guest_type: Some("single_channel".into()),
        channels: vec!["C0GENERAL".into()],
        expiry_mode: parts.next().map(str::to_string),
        expiry_days: parts.next().map(str::to_string),
        expiry_date: parts.next().map(str::to_string),
        expiry_time: parts.next().map(str::to_string),
        ..RequestDraft::default()
    };
    if let Ok(valid) = validate_request(&draft, &policy, now, tz) {
        assert!(check_expiry(&valid.expiry, &policy, now).is_ok());
        if let Some(end) = valid.expiry.deadline(now) {
            assert!(end > now);
        }
    }
}
