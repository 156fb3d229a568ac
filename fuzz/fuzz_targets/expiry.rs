//! Expiry and dates, as typed in the form (days, date, time, zone) and in a CSV `expires`
//! column: never a panic, and whatever is accepted ends after now and within the policy.
#![no_main]

#[path = "../checks/expiry.rs"]
mod property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| property::check(data));
