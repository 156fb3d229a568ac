//! The CSV import: any file is read without panicking, and every row it yields is sorted into
//! exactly one of valid, invalid or duplicate.
#![no_main]

#[path = "../checks/csv_import.rs"]
mod property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| property::check(data));
