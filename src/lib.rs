//! Guestlist: a self-hosted Slack bot that runs guest access.
//!
//! The data flows down the module tree, and modules only use what is below them (checked by
//! `tests/layers.rs`):
//!
//! ```text
//! http (verify, parse, ack) ─┐
//! socket (Socket Mode) ──────┼─▶ workflow (use cases) ─▶ provision (Grid admin, SCIM, manual)
//! jobs (queue, timers) ──────┘        │                        │
//!                                     ├─▶ slack  (ids, payloads, Block Kit, Web API) ◀─┘
//!                                     ├─▶ store  (traits; shared SQL for SQLite and Postgres)
//!                                     └─▶ domain (pure rules and types), clock, telemetry, i18n
//! ```
//!
//! `app` wires the parts together and `cli` is the command line. `fake_slack` is a stand-in
//! for Slack's Web API used by the tests and by `guestlist demo`; it is built with the
//! `fake-slack` feature (on by default, off in the container image). See ARCHITECTURE.md.
//!
//! Modules are public where the binary, the integration tests or the benchmarks reach in.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
#[cfg(feature = "fake-slack")]
mod demo;
pub mod domain;
#[cfg(feature = "fake-slack")]
pub mod fake_slack;
pub mod http;
pub mod i18n;
pub mod jobs;
mod provision;
pub mod slack;
pub mod socket;
pub mod store;
mod telemetry;
pub mod workflow;
