//! The CSV import: any file is read without panicking, and every row it yields is sorted into
//! exactly one of valid, invalid or duplicate.
//!
//! The property itself, without libFuzzer: `fuzz_targets/csv_import.rs` feeds it the fuzzer's inputs,
//! and `tests/fuzz.rs` replays the seeds and the saved corpus through it on every `cargo test`.

use guestlist::domain::import::{ImportFacts, check_rows, parse_csv};
use guestlist::domain::policy::RequestPolicy;

/// Checks the property for one input; panics where it does not hold.
pub fn check(data: &[u8]) {
    let Ok(rows) = parse_csv(data) else {
        return;
    };
    let mut facts = ImportFacts::default();
    facts.channels.insert("general".into(), "C0GENERAL".into());
    facts
        .channels
        .insert("C0GENERAL".into(), "C0GENERAL".into());
    facts.default_sponsor = Some("U0IMPORTER".into());
    let now = "2026-12-01T12:00:00Z".parse().unwrap();
    let preview = check_rows(
        &rows,
        &facts,
        &RequestPolicy::default(),
        now,
        chrono_tz::Europe::Paris,
    );
    assert_eq!(preview.rows(), rows.len());
    for guest in &preview.valid {
        assert!(!guest.email.as_str().is_empty());
    }
}
