//! Access reviews and changes to a live guest's access.

use crate::domain::review::AnswerRefusal;
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum ReviewSay {}

impl ReviewSay {
    pub fn text(&self, _lang: Lang) -> String {
        match *self {}
    }
}

/// Why someone may not answer a review item.
pub fn answer_refusal(refusal: AnswerRefusal, lang: Lang) -> String {
    match refusal {
        AnswerRefusal::AlreadyAnswered => t!(lang, "review-refused-already-answered"),
        AnswerRefusal::NotYours => t!(lang, "review-refused-not-yours"),
        AnswerRefusal::WithApprovers => t!(lang, "review-refused-with-approvers"),
        AnswerRefusal::OwnAccess => t!(lang, "review-refused-own-access"),
    }
}
