//! Everything about Slack's wire format: incoming payloads, Block Kit rendering, the Web API
//! client and the app manifest. No business rules and no storage.

pub mod client;
pub mod error;
pub mod ids;
pub mod manifest;
pub mod oauth;
pub mod payload;
pub mod render;
pub mod say;
pub mod scopes;

pub use client::{SlackApi, SlackResult, TokenKind};
pub use error::SlackCallError;
