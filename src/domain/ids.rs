//! Identifier newtypes. Slack ids are opaque strings; our request ids are integers.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! slack_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }
    };
}

slack_id!(
    /// A Slack workspace (`T…`). Every stored row carries one.
    TeamId
);
slack_id!(
    /// A Slack user (`U…` / `W…`).
    UserId
);
slack_id!(
    /// A Slack conversation (`C…` public, `G…` private).
    ChannelId
);
slack_id!(
    /// A Slack user group (`S…`).
    UserGroupId
);

/// Our own id for a guest request; shown to people as `#42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub i64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl RequestId {
    /// Accepts `42` or `#42`, as people type it after `/guest status`.
    pub fn parse(text: &str) -> Option<Self> {
        text.trim()
            .trim_start_matches('#')
            .parse()
            .ok()
            .map(RequestId)
    }
}
