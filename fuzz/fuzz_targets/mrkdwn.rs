//! Escaping: no user input ever produces a mention, a channel link, a special command or a
//! link. `safe` leaves no `<` or `>`; and in a rendered card, every `<` is one Guestlist wrote
//! (the requester, the request's channels, a date).
#![no_main]

#[path = "../checks/mrkdwn.rs"]
mod property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| property::check(data));
