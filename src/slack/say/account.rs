//! A guest account's life: invitations, resends, expiry, extensions, revocation, becoming a member.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum AccountSay {}

impl AccountSay {
    pub fn text(&self, _lang: Lang) -> String {
        match *self {}
    }
}
