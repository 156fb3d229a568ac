//! Integration tests: signed HTTP requests into the real router, real databases (a SQLite file,
//! or Postgres when GUESTLIST_TEST_POSTGRES_URL is set), the fake Slack checked afterwards.
//! One test binary, so it links once.

mod helpers;
mod services;

mod account_safety;
mod approvals;
mod browser;
mod changes;
mod demo;
mod fake_conformance;
mod faults;
mod firehose;
mod import;
mod ingress;
mod installs;
mod inventory;
mod jobs;
mod join;
mod languages;
mod lifecycle;
mod replicas;
mod requests;
mod reviews;
mod serve;
mod socket;
mod store_contract;
mod sync;
