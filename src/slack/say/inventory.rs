//! The inventory: reconciliation, adoption, sponsors who leave, invite links and the join page's requests.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum InventorySay {}

impl InventorySay {
    pub fn text(&self, _lang: Lang) -> String {
        match *self {}
    }
}
