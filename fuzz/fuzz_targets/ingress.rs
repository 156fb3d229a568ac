//! Ingress: signature verification, then each endpoint's parser. A body signed with the secret
//! is accepted, the same body signed otherwise (or altered) never is, arbitrary header values
//! never panic, and no body makes a parser panic.
#![no_main]

#[path = "../checks/ingress.rs"]
mod property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| property::check(data));
