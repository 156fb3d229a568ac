//! Group sync and CSV import.

use crate::domain::sync::LineReason;
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum SyncSay {}

impl SyncSay {
    pub fn text(&self, _lang: Lang) -> String {
        match *self {}
    }
}

/// Why a sync plan's line does what it does.
pub fn line_reason(reason: &LineReason, lang: Lang) -> String {
    match reason {
        LineReason::InTarget => t!(lang, "sync-why-in-target"),
        LineReason::NotInvited => t!(lang, "sync-why-not-invited"),
        LineReason::Held {
            state,
            this_rule: true,
            ..
        } => t!(
            lang,
            "sync-why-held-this-rule",
            state = super::state_word(*state, lang)
        ),
        LineReason::Held {
            state,
            rule: Some(rule),
            ..
        } => t!(
            lang,
            "sync-why-held-other-rule",
            state = super::state_word(*state, lang),
            rule = rule.as_str()
        ),
        LineReason::Held { state, .. } => t!(
            lang,
            "sync-why-held-request",
            state = super::state_word(*state, lang)
        ),
        LineReason::WantedElsewhere { rule } => {
            t!(lang, "sync-why-wanted-elsewhere", rule = rule.as_str())
        }
        LineReason::LeftKept => t!(lang, "sync-why-left-kept"),
        LineReason::LeftInUse => t!(lang, "sync-why-left-in-use"),
        LineReason::LeftWithdrawn => t!(lang, "sync-why-left-withdrawn"),
        LineReason::LeftEnded => t!(lang, "sync-why-left-ended"),
    }
}
