//! What any use case may say: a request that does not exist, a slow Slack, our own failure.

use super::id;
use crate::domain::RequestId;
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum CommonSay {
    NoSuchRequest {
        id: RequestId,
    },
    /// Our own failure, said once the details are logged.
    Sorry,
    /// `slack.request_channel` is not set.
    NotSetUp,
    /// A trigger id ran out while Slack answered slowly: run `command` again.
    TooSlow {
        command: String,
    },
    /// Slack did not say in time who someone is.
    WhoAreYouTimeout,
    /// The request changed between the click and now.
    ChangedMeanwhile {
        id: RequestId,
    },
    /// A slash command whose form body could not be read.
    UnreadableCommand,
}

impl CommonSay {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            CommonSay::NoSuchRequest { id: request } => {
                t!(lang, "no-such-request", id = id(*request))
            }
            CommonSay::Sorry => t!(lang, "sorry"),
            CommonSay::NotSetUp => t!(lang, "not-set-up"),
            CommonSay::TooSlow { command } => t!(lang, "too-slow", command = command.as_str()),
            CommonSay::WhoAreYouTimeout => t!(lang, "who-are-you-timeout"),
            CommonSay::ChangedMeanwhile { id: request } => {
                t!(lang, "changed-meanwhile", id = id(*request))
            }
            CommonSay::UnreadableCommand => t!(lang, "unreadable-command"),
        }
    }
}
