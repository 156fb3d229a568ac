//! What Guestlist says, as values. `workflow` decides *what* to say by building a `Say` (a
//! typed message and its arguments); this module and the Fluent catalogue (`locales/`) decide
//! *how*, in the reader's language, when the message is shown. Messages that wait in the job
//! queue are stored as `Say` values, so a DM is worded in its reader's language when it is
//! sent, not in the language of whoever caused it.
//!
//! Everything a user typed is escaped here (`text::safe`), on its way into a message.

mod account;
mod common;
mod install;
mod inventory;
mod problem;
mod request;
mod review;
mod sync;

pub use account::{AccountSay, Joined, Who, account_refusal};
pub use common::CommonSay;
pub use install::InstallSay;
pub use inventory::InventorySay;
pub use problem::{column_name, file_error, problem};
pub use request::{RequestSay, guest_type_label, state_word};
pub use review::{ReviewGuest, ReviewSay, answer_refusal};
pub use sync::{SyncSay, line_reason};

use crate::domain::{ChannelId, RequestId, UserId};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// A message, by area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "area", rename_all = "snake_case")]
pub enum Say {
    Common(CommonSay),
    Request(RequestSay),
    Account(AccountSay),
    Review(ReviewSay),
    Sync(SyncSay),
    Inventory(InventorySay),
    Install(InstallSay),
}

impl Say {
    /// The message as plain text (a modal's field error shows no formatting).
    pub fn plain(&self, lang: Lang) -> String {
        crate::slack::render::plain(&self.text(lang))
    }

    /// The message's mrkdwn text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Say::Common(say) => say.text(lang),
            Say::Request(say) => say.text(lang),
            Say::Account(say) => say.text(lang),
            Say::Review(say) => say.text(lang),
            Say::Sync(say) => say.text(lang),
            Say::Inventory(say) => say.text(lang),
            Say::Install(say) => say.text(lang),
        }
    }
}

macro_rules! area {
    ($($area:ident => $variant:ident),* $(,)?) => {$(
        impl From<$area> for Say {
            fn from(say: $area) -> Self {
                Say::$variant(say)
            }
        }
        impl From<$area> for Said {
            fn from(say: $area) -> Self {
                Said::Say(Say::$variant(say))
            }
        }
    )*};
}
area!(
    CommonSay => Common,
    RequestSay => Request,
    AccountSay => Account,
    ReviewSay => Review,
    SyncSay => Sync,
    InventorySay => Inventory,
    InstallSay => Install,
);

/// A message as a job keeps it: a `Say` to word when it is shown, or text that was already
/// worded (by the renderer, for a channel whose language is known; or by an earlier version
/// of Guestlist, in jobs it queued before an upgrade).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Said {
    Say(Say),
    Text(String),
}

impl Said {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Said::Say(say) => say.text(lang),
            Said::Text(text) => text.clone(),
        }
    }

    /// Text the renderer already worded.
    pub fn worded(text: String) -> Self {
        Said::Text(text)
    }
}

impl From<Say> for Said {
    fn from(say: Say) -> Self {
        Said::Say(say)
    }
}

/// `<@U123>`.
pub fn mention(user: &UserId) -> String {
    format!("<@{user}>")
}

/// `<#C123>`.
pub fn channel(channel: &ChannelId) -> String {
    format!("<#{channel}>")
}

/// `<#C1> <#C2>`, or a dash for none. A long list shows the channels that fit in 1,500
/// characters and `+N` for the rest: it goes into card fields (2,000 at most) and sentences.
pub fn channels(list: &[ChannelId]) -> String {
    const ROOM: usize = 1500;
    if list.is_empty() {
        return "—".to_string();
    }
    let mut out = String::new();
    for (shown, c) in list.iter().enumerate() {
        let mention = channel(c);
        if out.len() + mention.len() + 1 > ROOM {
            out.push_str(&format!(" +{}", list.len() - shown));
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&mention);
    }
    out
}

/// `#4`.
pub fn id(id: RequestId) -> String {
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queued_message_is_worded_when_shown_and_old_jobs_still_read() {
        let said: Said = CommonSay::NoSuchRequest { id: RequestId(4) }.into();
        let json = serde_json::to_value(&said).unwrap();
        let back: Said = serde_json::from_value(json).unwrap();
        assert_eq!(back, said);
        assert_eq!(back.text(Lang::En), "There is no request #4.");
        assert_eq!(back.text(Lang::Fr), "Il n'y a pas de demande #4.");
        // A job queued by an earlier version held the text itself.
        let old: Said = serde_json::from_value(serde_json::json!("Done.")).unwrap();
        assert_eq!(old.text(Lang::Fr), "Done.");
    }
}
