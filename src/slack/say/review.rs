//! Access reviews and changes to a live guest's access.

use super::{channels, id, mention, state_word};
use crate::domain::account::Refusal;
use crate::domain::review::AnswerRefusal;
use crate::domain::text::safe;
use crate::domain::{ChannelId, GuestRequest, RequestId, RequestState, UserId};
use crate::i18n::{Lang, t};
use crate::slack::render::date;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A guest as these messages name it: `*Grace Hopper* (grace@partner.com)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewGuest {
    pub name: String,
    pub email: String,
}

impl ReviewGuest {
    pub fn of(request: &GuestRequest) -> Self {
        ReviewGuest {
            name: request.full_name.clone(),
            email: request.email.as_str().to_string(),
        }
    }

    fn who(&self) -> String {
        format!("*{}* ({})", safe(&self.name, 100), safe(&self.email, 254))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum ReviewSay {
    /// A click on an item that is not stored.
    NoSuchItem,
    /// The item's guest (or the changed guest) is not stored any more.
    GuestGone,
    /// The item's access is no longer active.
    NothingToReview {
        guest: ReviewGuest,
        state: RequestState,
    },
    /// Who may not answer, and why.
    Refused {
        refusal: AnswerRefusal,
    },
    /// Keep or End, after someone else answered.
    AnsweredFirst,
    /// Keep or End, on an access that changed meanwhile.
    ChangedMeanwhile {
        guest: ReviewGuest,
        state: RequestState,
    },
    /// The Shorten form without a date.
    PickNewEnd,
    /// The Shorten form, after someone else answered.
    AnsweredFirstForm,
    /// The Shorten form, on an access that changed meanwhile.
    ChangedMeanwhileForm {
        state: RequestState,
    },
    /// In the card's thread: a reviewer (`None`: the deadline) shortened the access.
    Shortened {
        by: Option<UserId>,
        guest: ReviewGuest,
        campaign: i64,
        ends: DateTime<Utc>,
    },
    /// The same, to the sponsor.
    ShortenedDm {
        by: Option<UserId>,
        guest: ReviewGuest,
        campaign: i64,
        ends: DateTime<Utc>,
    },
    /// A reviewer (`None`: the deadline) ended the access.
    Ended {
        by: Option<UserId>,
        guest: ReviewGuest,
        campaign: i64,
    },
    /// Nobody answered and `review.outcome = end`.
    EndedUnanswered {
        guest: ReviewGuest,
        campaign: i64,
    },
    /// App Home's Start access review, without the right.
    OnlyReviewersStart,
    Started {
        campaign: i64,
        guests: usize,
        sponsors: usize,
        deadline: DateTime<Utc>,
    },
    AlreadyOpen {
        campaign: i64,
        deadline: DateTime<Utc>,
    },
    NoGuests,
    /// Change access… on a request that is not an active guest.
    ChangeNotActive {
        id: RequestId,
        state: RequestState,
    },
    ChangeNotApprover,
    /// The form is older than the request.
    ChangeStale {
        id: RequestId,
        state: RequestState,
    },
    ChangeNoChannel,
    ChangeOneChannel,
    ChangePickDate,
    ChangeNoReason,
    ChangeNothing,
    ChangeOneAtATime,
    ChangeExtensionWaiting,
    ChangeEndMoved,
    /// To the approver who asked for more: their extension waits.
    ChangeWidenWaiting {
        id: RequestId,
        name: String,
    },
    /// What an approver changed now: channels removed, an earlier end, or both.
    Changed {
        by: UserId,
        guest: ReviewGuest,
        removed: Vec<ChannelId>,
        ends: Option<DateTime<Utc>>,
    },
    /// The channels changed in Slack.
    ChannelsNow {
        guest: ReviewGuest,
        channels: Vec<ChannelId>,
    },
    /// An admin changes the channels in Slack (`user`: the account, else its `account` id).
    ChannelsAdminTask {
        add: Vec<ChannelId>,
        remove: Vec<ChannelId>,
        user: Option<UserId>,
        account: String,
        channels: Vec<ChannelId>,
    },
    /// Guestlist did not change the channels, and why.
    ChannelsRefused {
        guest: ReviewGuest,
        refusal: Refusal,
    },
    /// Slack (or the directory) would not make the change; `problem` says why.
    ChannelsFailed {
        guest: ReviewGuest,
        problem: String,
    },
}

impl ReviewSay {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ReviewSay::NoSuchItem => t!(lang, "review-no-such-item"),
            ReviewSay::GuestGone => t!(lang, "review-guest-gone"),
            ReviewSay::NothingToReview { guest, state } => t!(
                lang,
                "review-nothing-to-review",
                who = guest.who(),
                state = state_word(*state, lang)
            ),
            ReviewSay::Refused { refusal } => answer_refusal(*refusal, lang),
            ReviewSay::AnsweredFirst => t!(lang, "review-answered-first"),
            ReviewSay::ChangedMeanwhile { guest, state } => t!(
                lang,
                "review-changed-meanwhile",
                who = guest.who(),
                state = state_word(*state, lang)
            ),
            ReviewSay::PickNewEnd => t!(lang, "review-pick-new-end"),
            ReviewSay::AnsweredFirstForm => t!(lang, "review-answered-first-form"),
            ReviewSay::ChangedMeanwhileForm { state } => t!(
                lang,
                "review-changed-meanwhile-form",
                state = state_word(*state, lang)
            ),
            ReviewSay::Shortened {
                by: Some(by),
                guest,
                campaign,
                ends,
            } => t!(
                lang,
                "review-shortened-thread",
                by = mention(by),
                who = guest.who(),
                campaign = campaign.to_string(),
                ends = date(*ends, lang)
            ),
            ReviewSay::Shortened {
                by: None,
                guest,
                campaign,
                ends,
            } => t!(
                lang,
                "review-shortened-thread-deadline",
                who = guest.who(),
                campaign = campaign.to_string(),
                ends = date(*ends, lang)
            ),
            ReviewSay::ShortenedDm {
                by: Some(by),
                guest,
                campaign,
                ends,
            } => t!(
                lang,
                "review-shortened-dm",
                by = mention(by),
                who = guest.who(),
                campaign = campaign.to_string(),
                ends = date(*ends, lang)
            ),
            ReviewSay::ShortenedDm {
                by: None,
                guest,
                campaign,
                ends,
            } => t!(
                lang,
                "review-shortened-dm-deadline",
                who = guest.who(),
                campaign = campaign.to_string(),
                ends = date(*ends, lang)
            ),
            ReviewSay::Ended {
                by: Some(by),
                guest,
                campaign,
            } => t!(
                lang,
                "review-ended-thread",
                by = mention(by),
                who = guest.who(),
                campaign = campaign.to_string()
            ),
            ReviewSay::Ended {
                by: None,
                guest,
                campaign,
            } => t!(
                lang,
                "review-ended-thread-deadline",
                who = guest.who(),
                campaign = campaign.to_string()
            ),
            ReviewSay::EndedUnanswered { guest, campaign } => t!(
                lang,
                "review-ended-unanswered-thread",
                who = guest.who(),
                campaign = campaign.to_string()
            ),
            ReviewSay::OnlyReviewersStart => t!(lang, "review-only-reviewers-start"),
            ReviewSay::Started {
                campaign,
                guests,
                sponsors,
                deadline,
            } => t!(
                lang,
                "review-started",
                campaign = campaign.to_string(),
                guests = *guests,
                sponsors = *sponsors,
                deadline = date(*deadline, lang)
            ),
            ReviewSay::AlreadyOpen { campaign, deadline } => t!(
                lang,
                "review-already-open",
                campaign = campaign.to_string(),
                deadline = date(*deadline, lang)
            ),
            ReviewSay::NoGuests => t!(lang, "review-no-guests"),
            ReviewSay::ChangeNotActive { id: request, state } => t!(
                lang,
                "change-not-active",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            ReviewSay::ChangeNotApprover => t!(lang, "change-not-approver"),
            ReviewSay::ChangeStale { id: request, state } => t!(
                lang,
                "change-stale",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            ReviewSay::ChangeNoChannel => t!(lang, "change-no-channel"),
            ReviewSay::ChangeOneChannel => t!(lang, "change-one-channel"),
            ReviewSay::ChangePickDate => t!(lang, "change-pick-date"),
            ReviewSay::ChangeNoReason => t!(lang, "change-no-reason"),
            ReviewSay::ChangeNothing => t!(lang, "change-nothing"),
            ReviewSay::ChangeOneAtATime => t!(lang, "change-one-at-a-time"),
            ReviewSay::ChangeExtensionWaiting => t!(lang, "change-extension-waiting"),
            ReviewSay::ChangeEndMoved => t!(lang, "change-end-moved"),
            ReviewSay::ChangeWidenWaiting { id: request, name } => t!(
                lang,
                "change-widen-waiting",
                id = id(*request),
                name = safe(name, 100)
            ),
            ReviewSay::Changed {
                by,
                guest,
                removed,
                ends,
            } => match (removed.is_empty(), ends) {
                (false, Some(at)) => t!(
                    lang,
                    "change-done-channels-and-end",
                    by = mention(by),
                    who = guest.who(),
                    removed = channels(removed),
                    ends = date(*at, lang)
                ),
                (true, Some(at)) => t!(
                    lang,
                    "change-done-end",
                    by = mention(by),
                    who = guest.who(),
                    ends = date(*at, lang)
                ),
                (_, None) => t!(
                    lang,
                    "change-done-channels",
                    by = mention(by),
                    who = guest.who(),
                    removed = channels(removed)
                ),
            },
            ReviewSay::ChannelsNow {
                guest,
                channels: now,
            } => t!(
                lang,
                "change-channels-now",
                who = guest.who(),
                channels = channels(now)
            ),
            ReviewSay::ChannelsAdminTask {
                add,
                remove,
                user,
                account,
                channels: now,
            } => {
                let what = match (add.is_empty(), remove.is_empty()) {
                    (false, false) => t!(
                        lang,
                        "change-task-add-and-remove",
                        add = channels(add),
                        remove = channels(remove)
                    ),
                    (false, true) => t!(lang, "change-task-add", add = channels(add)),
                    (true, _) => t!(lang, "change-task-remove", remove = channels(remove)),
                };
                let account = match user {
                    Some(user) => mention(user),
                    None => safe(account, 100),
                };
                t!(
                    lang,
                    "change-admin-task",
                    what = what,
                    account = account,
                    channels = channels(now)
                )
            }
            ReviewSay::ChannelsRefused { guest, refusal } => t!(
                lang,
                "change-channels-refused",
                who = guest.who(),
                why = refusal_words(refusal, lang)
            ),
            ReviewSay::ChannelsFailed { guest, problem } => t!(
                lang,
                "change-channels-failed",
                who = guest.who(),
                problem = crate::domain::text::safe(problem, 500)
            ),
        }
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

/// Why the provisioner would not change the channels of an account.
fn refusal_words(refusal: &Refusal, lang: Lang) -> String {
    match refusal {
        Refusal::Unbound => t!(lang, "change-refusal-unbound"),
        Refusal::FullMember => t!(lang, "change-refusal-full-member"),
        Refusal::IdMismatch { asked, answered } => t!(
            lang,
            "change-refusal-id-mismatch",
            asked = safe(asked, 100),
            answered = safe(answered, 100)
        ),
        Refusal::NotFound => t!(lang, "change-refusal-not-found"),
        Refusal::NotOurs => t!(lang, "change-refusal-not-ours"),
        Refusal::Deactivated => t!(lang, "change-refusal-deactivated"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::say::Said;

    fn guest() -> ReviewGuest {
        ReviewGuest {
            name: "Grace <Hopper>".into(),
            email: "grace@partner.com".into(),
        }
    }

    fn at() -> DateTime<Utc> {
        "2026-11-30T16:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_review_start_in_each_language_with_plurals() {
        let say = |guests, sponsors| ReviewSay::Started {
            campaign: 1,
            guests,
            sponsors,
            deadline: at(),
        };
        assert!(
            say(5, 3)
                .text(Lang::En)
                .starts_with("Access review #1 started: 5 guest(s), 3 sponsor(s) asked by DM;")
        );
        assert!(
            say(1, 1)
                .text(Lang::Fr)
                .starts_with("Revue des accès #1 lancée : 1 invité, 1 parrain sollicité par")
        );
        assert!(
            say(5, 3)
                .text(Lang::Fr)
                .starts_with("Revue des accès #1 lancée : 5 invités, 3 parrains sollicités par")
        );
    }

    #[test]
    fn an_access_change_is_one_sentence_and_escapes_the_name() {
        let changed = |removed: Vec<ChannelId>, ends| ReviewSay::Changed {
            by: UserId::from("UAPP"),
            guest: guest(),
            removed,
            ends,
        };
        assert_eq!(
            changed(vec![ChannelId::from("C2")], None).text(Lang::En),
            ":pencil2: <@UAPP> changed the access of *Grace &lt;Hopper&gt;* (grace@partner.com): took them out of <#C2>."
        );
        let both = changed(vec![ChannelId::from("C2")], Some(at()));
        assert!(
            both.text(Lang::En)
                .contains("took them out of <#C2> and moved the end to <!date^")
        );
        assert!(both.text(Lang::Fr).contains(
            "a modifié l'accès de *Grace &lt;Hopper&gt;* (grace@partner.com) : l'a retiré de <#C2> et a avancé la fin (nouvelle fin : <!date^"
        ));
    }

    #[test]
    fn a_queued_review_message_is_worded_for_its_reader() {
        let said: Said = ReviewSay::Ended {
            by: Some(UserId::from("UREQ")),
            guest: guest(),
            campaign: 2,
        }
        .into();
        let back: Said = serde_json::from_value(serde_json::to_value(&said).unwrap()).unwrap();
        assert_eq!(back, said);
        assert_eq!(
            back.text(Lang::En),
            ":lock: <@UREQ> ended the access of *Grace &lt;Hopper&gt;* (grace@partner.com) in access review #2."
        );
        assert_eq!(
            back.text(Lang::Fr),
            ":lock: <@UREQ> a mis fin à l'accès de *Grace &lt;Hopper&gt;* (grace@partner.com) lors de la revue des accès #2."
        );
        let refused = ReviewSay::ChannelsRefused {
            guest: guest(),
            refusal: Refusal::FullMember,
        };
        assert!(
            refused
                .text(Lang::Fr)
                .ends_with(": c'est un membre à part entière.")
        );
    }

    #[test]
    fn every_review_message_exists_in_french() {
        let state = RequestState::Revoked;
        let all = [
            ReviewSay::NoSuchItem,
            ReviewSay::GuestGone,
            ReviewSay::NothingToReview {
                guest: guest(),
                state,
            },
            ReviewSay::Refused {
                refusal: AnswerRefusal::NotYours,
            },
            ReviewSay::AnsweredFirst,
            ReviewSay::ChangedMeanwhile {
                guest: guest(),
                state,
            },
            ReviewSay::PickNewEnd,
            ReviewSay::AnsweredFirstForm,
            ReviewSay::ChangedMeanwhileForm { state },
            ReviewSay::Shortened {
                by: None,
                guest: guest(),
                campaign: 1,
                ends: at(),
            },
            ReviewSay::ShortenedDm {
                by: Some(UserId::from("U1")),
                guest: guest(),
                campaign: 1,
                ends: at(),
            },
            ReviewSay::Ended {
                by: None,
                guest: guest(),
                campaign: 1,
            },
            ReviewSay::EndedUnanswered {
                guest: guest(),
                campaign: 1,
            },
            ReviewSay::OnlyReviewersStart,
            ReviewSay::AlreadyOpen {
                campaign: 1,
                deadline: at(),
            },
            ReviewSay::NoGuests,
            ReviewSay::ChangeNotActive {
                id: RequestId(4),
                state,
            },
            ReviewSay::ChangeNotApprover,
            ReviewSay::ChangeStale {
                id: RequestId(4),
                state,
            },
            ReviewSay::ChangeNoChannel,
            ReviewSay::ChangeOneChannel,
            ReviewSay::ChangePickDate,
            ReviewSay::ChangeNoReason,
            ReviewSay::ChangeNothing,
            ReviewSay::ChangeOneAtATime,
            ReviewSay::ChangeExtensionWaiting,
            ReviewSay::ChangeEndMoved,
            ReviewSay::ChangeWidenWaiting {
                id: RequestId(4),
                name: "Grace".into(),
            },
            ReviewSay::ChannelsNow {
                guest: guest(),
                channels: vec![ChannelId::from("C1")],
            },
            ReviewSay::ChannelsFailed {
                guest: guest(),
                problem: "not_in_channel".into(),
            },
            ReviewSay::ChannelsAdminTask {
                add: vec![ChannelId::from("C1")],
                remove: vec![ChannelId::from("C2")],
                user: None,
                account: "W1".into(),
                channels: vec![ChannelId::from("C1")],
            },
        ];
        for say in all {
            let (en, fr) = (say.text(Lang::En), say.text(Lang::Fr));
            assert!(!en.is_empty() && !en.contains("review-") && !en.contains("change-"));
            assert_ne!(en, fr, "{say:?} is not translated");
        }
    }
}
