//! The CSV import: any file is read without panicking, and every row it yields is sorted into
//! exactly one of valid, invalid or duplicate.
#![no_main]

use guestlist::domain::import::{ImportFacts, check_rows, parse_csv};
use guestlist::domain::policy::RequestPolicy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
