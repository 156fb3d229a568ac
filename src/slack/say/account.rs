//! A guest account's life: invitations, resends, expiry, extensions, revocation, becoming a
//! member, and why Guestlist refuses to change an account.

use super::{id, mention, state_word};
use crate::domain::account::Refusal;
use crate::domain::text::{escape, safe};
use crate::domain::{GuestRequest, RequestId, RequestState, UserId};
use crate::i18n::{Lang, t};
use crate::slack::render::date;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The guest a message is about, as the request names them (raw; escaped when worded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Who {
    pub name: String,
    pub email: String,
}

impl Who {
    pub fn of(request: &GuestRequest) -> Self {
        Who {
            name: request.full_name.clone(),
            email: request.email.as_str().to_string(),
        }
    }

    /// `*Grace Hopper* (grace@partner.com)`, escaped.
    fn words(&self) -> String {
        format!("*{}* ({})", safe(&self.name, 100), safe(&self.email, 254))
    }
}

/// How a guest came to have the account a request is now bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joined {
    /// They accepted the invitation.
    Joined,
    /// In the organisation already: added to the workspace as a guest.
    Added,
    /// They already had a guest account, now linked to the request.
    Linked,
    /// An unmanaged guest account was adopted.
    Adopted,
}

impl Joined {
    fn code(self) -> &'static str {
        match self {
            Joined::Joined => "joined",
            Joined::Added => "added",
            Joined::Linked => "linked",
            Joined::Adopted => "adopted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum AccountSay {
    /// Nothing is bound to the request, so the change (`Change::as_str`) had nothing to act on.
    RefusedUnbound {
        who: Who,
        change: String,
    },
    /// Guestlist will not change the account (card thread).
    Refused {
        who: Who,
        refusal: Refusal,
    },
    /// The email belongs to a full member: card thread, then the sponsor's DM.
    FoundMember {
        who: Who,
    },
    FoundMemberDm {
        who: Who,
    },
    /// The invitation went out (card thread), with what the provisioner wants approvers to know.
    Invited {
        who: Who,
        lapses: DateTime<Utc>,
        note: Option<String>,
    },
    InvitedDm {
        who: Who,
        lapses: DateTime<Utc>,
    },
    /// The guest joined, or their account was linked or adopted.
    Accepted {
        who: Who,
        how: Joined,
    },
    AcceptedDm {
        who: Who,
        how: Joined,
        ends: Option<DateTime<Utc>>,
    },
    /// The provisioner refused the invitation (the sponsor's DM).
    InvitationFailed {
        who: Who,
        problem: String,
    },
    /// An admin task's button, when the request moved on meanwhile.
    TaskChangedMeanwhile {
        id: RequestId,
    },
    TaskAlreadyDone {
        id: RequestId,
        state: RequestState,
    },
    /// An admin deactivated the account (manual mode, card thread).
    AdminDeactivated {
        actor: UserId,
        who: Who,
    },
    /// Slack did not let Guestlist write the guest's job title: an admin sets it.
    ProfileAdminTask {
        who: Who,
        user: String,
        title: String,
    },
    /// The sponsor's DM when an admin ended the account.
    AccountEndedDm {
        who: Who,
    },
    AdminConfirmedEnded {
        actor: UserId,
    },
    /// A guest joined through an invitation of a request that has ended since.
    LateJoin {
        who: Who,
    },
    NothingToResend {
        id: RequestId,
        state: RequestState,
    },
    ResendTooSoon {
        email: String,
        minutes: i64,
    },
    ResendAskedAdmin {
        email: String,
    },
    ResendOnItsWay {
        email: String,
    },
    ResendRaced {
        email: String,
    },
    InvitationLapsed {
        who: Who,
    },
    NothingToRevoke {
        id: RequestId,
        state: RequestState,
    },
    Revoked {
        actor: UserId,
        who: Who,
    },
    RevokedDm {
        actor: UserId,
        who: Who,
    },
    NotActiveGuest {
        id: RequestId,
    },
    /// Converted to a full member: card thread, then the sponsor's DM.
    Member {
        who: Who,
    },
    MemberDm {
        who: Who,
    },
    /// "Retry invitation" on a request that is no longer approved.
    AlreadyInState {
        id: RequestId,
        state: RequestState,
    },
    Retrying {
        id: RequestId,
    },
    /// The deadline passed: card thread, then the sponsor's DM.
    Ended {
        who: Who,
    },
    EndedDm {
        who: Who,
    },
    /// The sponsor chose to let the account end.
    LetExpire {
        who: Who,
        at: DateTime<Utc>,
    },
    NothingToExtend {
        id: RequestId,
        state: RequestState,
    },
    /// The requester's DM when an extension request is created.
    ExtensionWaiting {
        id: RequestId,
        name: String,
    },
    /// An extension moved the end (the parent's card thread, then its sponsor's DM).
    Extended {
        until: DateTime<Utc>,
        extension: RequestId,
    },
    ExtendedDm {
        who: Who,
        until: DateTime<Utc>,
    },
    ExtensionAlreadyLater {
        extension: RequestId,
        until: DateTime<Utc>,
    },
    /// The extension form's field errors.
    ExtendGone,
    ExtendNoEnd,
    ExtendPickDate,
    ExtendTooFar,
    ExtendAtMost {
        days: i64,
    },
    ExtendWholeDays,
    ExtendNotLater,
    ExtendSayWhy,
    ExtendDuplicate,
}

impl AccountSay {
    pub fn text(&self, lang: Lang) -> String {
        use AccountSay as S;
        match self {
            S::RefusedUnbound { who, change } => t!(
                lang,
                "account-refused-unbound",
                who = who.words(),
                change = change.as_str()
            ),
            S::Refused { who, refusal } => t!(
                lang,
                "account-refused",
                who = who.words(),
                refusal = account_refusal(refusal, lang)
            ),
            S::FoundMember { who } => t!(lang, "account-found-member", who = who.words()),
            S::FoundMemberDm { who } => t!(lang, "account-found-member-dm", who = who.words()),
            S::Invited { who, lapses, note } => {
                let line = t!(
                    lang,
                    "account-invited",
                    who = who.words(),
                    lapses = date(*lapses, lang)
                );
                match note {
                    Some(note) => format!(
                        "{line}\n{}",
                        t!(lang, "account-invited-note", note = escape(note))
                    ),
                    None => line,
                }
            }
            S::InvitedDm { who, lapses } => t!(
                lang,
                "account-invited-dm",
                who = who.words(),
                lapses = date(*lapses, lang)
            ),
            S::Accepted { who, how } => t!(
                lang,
                "account-accepted",
                who = who.words(),
                how = joined(*how, lang)
            ),
            S::AcceptedDm {
                who,
                how,
                ends: Some(ends),
            } => t!(
                lang,
                "account-accepted-dm",
                who = who.words(),
                how = joined(*how, lang),
                ends = date(*ends, lang)
            ),
            S::AcceptedDm {
                who,
                how,
                ends: None,
            } => t!(
                lang,
                "account-accepted-dm-no-end",
                who = who.words(),
                how = joined(*how, lang)
            ),
            S::InvitationFailed { who, problem } => t!(
                lang,
                "account-invitation-failed",
                who = who.words(),
                problem = escape(problem)
            ),
            S::TaskChangedMeanwhile { id: request } => {
                t!(lang, "account-task-changed-meanwhile", id = id(*request))
            }
            S::TaskAlreadyDone { id: request, state } => t!(
                lang,
                "account-task-already-done",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            S::AdminDeactivated { actor, who } => t!(
                lang,
                "account-admin-deactivated",
                actor = mention(actor),
                who = who.words()
            ),
            S::ProfileAdminTask { who, user, title } => t!(
                lang,
                "account-profile-admin-task",
                who = who.words(),
                user = format!("<@{}>", crate::domain::text::escape(user)),
                title = crate::domain::text::safe(title, 100)
            ),
            S::AccountEndedDm { who } => t!(lang, "account-ended-dm", who = who.words()),
            S::AdminConfirmedEnded { actor } => {
                t!(
                    lang,
                    "account-admin-confirmed-ended",
                    actor = mention(actor)
                )
            }
            S::LateJoin { who } => t!(lang, "account-late-join", who = who.words()),
            S::NothingToResend { id: request, state } => t!(
                lang,
                "account-nothing-to-resend",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            S::ResendTooSoon { email, minutes } => t!(
                lang,
                "account-resend-too-soon",
                email = safe(email, 254),
                minutes = *minutes
            ),
            S::ResendAskedAdmin { email } => {
                t!(lang, "account-resend-asked-admin", email = safe(email, 254))
            }
            S::ResendOnItsWay { email } => {
                t!(lang, "account-resend-on-its-way", email = safe(email, 254))
            }
            S::ResendRaced { email } => {
                t!(lang, "account-resend-raced", email = safe(email, 254))
            }
            S::InvitationLapsed { who } => {
                t!(lang, "account-invitation-lapsed", who = who.words())
            }
            S::NothingToRevoke { id: request, state } => t!(
                lang,
                "account-nothing-to-revoke",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            S::Revoked { actor, who } => t!(
                lang,
                "account-revoked",
                actor = mention(actor),
                who = who.words()
            ),
            S::RevokedDm { actor, who } => t!(
                lang,
                "account-revoked-dm",
                actor = mention(actor),
                who = who.words()
            ),
            S::NotActiveGuest { id: request } => {
                t!(lang, "account-not-active-guest", id = id(*request))
            }
            S::Member { who } => t!(lang, "account-member", who = who.words()),
            S::MemberDm { who } => t!(lang, "account-member-dm", who = who.words()),
            S::AlreadyInState { id: request, state } => t!(
                lang,
                "account-already-in-state",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            S::Retrying { id: request } => t!(lang, "account-retrying", id = id(*request)),
            S::Ended { who } => t!(lang, "account-ended", who = who.words()),
            S::EndedDm { who } => t!(lang, "account-ended-sponsored-dm", who = who.words()),
            S::LetExpire { who, at } => t!(
                lang,
                "account-let-expire",
                who = who.words(),
                at = date(*at, lang)
            ),
            S::NothingToExtend { id: request, state } => t!(
                lang,
                "account-nothing-to-extend",
                id = id(*request),
                state = state_word(*state, lang)
            ),
            S::ExtensionWaiting { id: request, name } => t!(
                lang,
                "account-extension-waiting",
                id = id(*request),
                name = safe(name, 100)
            ),
            S::Extended { until, extension } => t!(
                lang,
                "account-extended",
                until = date(*until, lang),
                extension = id(*extension)
            ),
            S::ExtendedDm { who, until } => t!(
                lang,
                "account-extended-dm",
                who = who.words(),
                until = date(*until, lang)
            ),
            S::ExtensionAlreadyLater { extension, until } => t!(
                lang,
                "account-extension-already-later",
                extension = id(*extension),
                until = date(*until, lang)
            ),
            S::ExtendGone => t!(lang, "account-extend-gone"),
            S::ExtendNoEnd => t!(lang, "account-extend-no-end"),
            S::ExtendPickDate => t!(lang, "account-extend-pick-date"),
            S::ExtendTooFar => t!(lang, "account-extend-too-far"),
            S::ExtendAtMost { days } => t!(lang, "account-extend-at-most", days = *days),
            S::ExtendWholeDays => t!(lang, "account-extend-whole-days"),
            S::ExtendNotLater => t!(lang, "account-extend-not-later"),
            S::ExtendSayWhy => t!(lang, "account-extend-say-why"),
            S::ExtendDuplicate => t!(lang, "account-extend-duplicate"),
        }
    }
}

/// "joined", "was adopted", … (what follows the guest's name).
fn joined(how: Joined, lang: Lang) -> String {
    t!(lang, "account-how", how = how.code())
}

/// Why Guestlist will not change an account, for the middle of a sentence ("it is a full
/// member"). `Refusal`'s `Display` is the English for logs.
pub fn account_refusal(refusal: &Refusal, lang: Lang) -> String {
    match refusal {
        Refusal::IdMismatch { asked, answered } => t!(
            lang,
            "account-refusal-id-mismatch",
            asked = escape(asked),
            answered = escape(answered)
        ),
        other => t!(lang, "account-refusal", refusal = other.code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who() -> Who {
        Who {
            name: "Grace <Hopper>".into(),
            email: "grace@partner.com".into(),
        }
    }

    #[test]
    fn refusals_in_both_languages() {
        let refused = AccountSay::Refused {
            who: who(),
            refusal: Refusal::FullMember,
        };
        assert_eq!(
            refused.text(Lang::En),
            ":shield: *Grace &lt;Hopper&gt;* (grace@partner.com): it is a full member. Guestlist will not change this account; nothing was done."
        );
        assert_eq!(
            refused.text(Lang::Fr),
            ":shield: *Grace &lt;Hopper&gt;* (grace@partner.com) : c'est un membre à part entière. Guestlist ne modifiera pas ce compte ; rien n'a été fait."
        );
        // Every refusal has its words, and the English ones are the log's.
        for refusal in [
            Refusal::Unbound,
            Refusal::FullMember,
            Refusal::IdMismatch {
                asked: "U1".into(),
                answered: "U2".into(),
            },
            Refusal::NotFound,
            Refusal::NotOurs,
            Refusal::Deactivated,
        ] {
            assert_eq!(account_refusal(&refusal, Lang::En), refusal.to_string());
            assert_ne!(
                account_refusal(&refusal, Lang::Fr),
                refusal.to_string(),
                "{refusal:?}"
            );
        }
        let unbound = AccountSay::RefusedUnbound {
            who: who(),
            change: "deactivate".into(),
        };
        assert!(
            unbound
                .text(Lang::En)
                .ends_with("so there was nothing to end.")
        );
        assert!(
            unbound
                .text(Lang::Fr)
                .ends_with("donc aucun compte à désactiver.")
        );
    }

    #[test]
    fn a_resend_waits_minutes_in_the_plural() {
        let say = |minutes| AccountSay::ResendTooSoon {
            email: "grace@partner.com".into(),
            minutes,
        };
        assert!(say(1).text(Lang::En).ends_with("resend in 1 minute."));
        assert!(say(12).text(Lang::En).ends_with("resend in 12 minutes."));
        assert!(say(1).text(Lang::Fr).ends_with("dans 1 minute."));
        assert!(say(12).text(Lang::Fr).ends_with("dans 12 minutes."));
    }

    #[test]
    fn a_joined_guest_in_french() {
        let say = AccountSay::AcceptedDm {
            who: who(),
            how: Joined::Joined,
            ends: None,
        };
        assert_eq!(
            say.text(Lang::En),
            ":tada: *Grace &lt;Hopper&gt;* (grace@partner.com) joined. Their access ends never."
        );
        assert_eq!(
            say.text(Lang::Fr),
            ":tada: *Grace &lt;Hopper&gt;* (grace@partner.com) a rejoint l'espace de travail. Son accès n'a pas de date de fin."
        );
        assert_eq!(
            AccountSay::ExtendAtMost { days: 36_500 }.text(Lang::En),
            "At most 36500 days at a time."
        );
    }
}
