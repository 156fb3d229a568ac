//! Requests: the form, the decision clicks, votes and the quorum, reminders, escalation and
//! lapse, `/guest` and its answers, refusals.

use crate::domain::{GuestType, RequestState};
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum RequestSay {}

impl RequestSay {
    pub fn text(&self, _lang: Lang) -> String {
        match *self {}
    }
}

/// How a state reads in a sentence ("Request #4 is *approved*").
pub fn state_word(state: RequestState, lang: Lang) -> String {
    t!(lang, "state", state = state.as_str())
}

/// "Single-channel guest", "Multi-channel guest", "Full member".
pub fn guest_type_label(guest_type: GuestType, lang: Lang) -> String {
    t!(lang, "guest-type", kind = guest_type.as_str())
}
