//! The inventory: reconciliation, adoption, sponsors who leave, invite links and the join page's requests.

use super::{id, mention, state_word};
use crate::domain::text::safe;
use crate::domain::{RequestId, RequestState, UserId};
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum InventorySay {
    // Reconciliation: what Slack shows that Guestlist did not do.
    /// In the card's thread: the account was deactivated outside Guestlist.
    EndedOutsideThread {
        name: String,
        email: String,
    },
    /// To the sponsor: the account was deactivated outside Guestlist.
    EndedOutsideDm {
        name: String,
        email: String,
    },
    /// In the card's thread: the guest was made a full member in Slack.
    BecameMemberThread {
        name: String,
        email: String,
    },
    /// To the sponsor: the guest is a full member now.
    BecameMemberDm {
        name: String,
        email: String,
    },
    /// In the card's thread: an ended account is active again. `approvers`: their mentions
    /// (mrkdwn), or empty.
    ReactivatedOutside {
        name: String,
        email: String,
        state: RequestState,
        approvers: String,
    },

    // Adoption (modal errors are plain text).
    OnlyApproversAdopt,
    AdoptChooseSponsor,
    GuestCannotSponsorItself,
    AdoptPickEndDay,
    AlreadyManaged,
    /// The account is no longer an active guest.
    NothingToAdopt {
        name: String,
    },
    NoEmailToTrack,
    /// `name` is not a member who may sponsor.
    CannotSponsor {
        name: String,
    },
    OpenRequestHolds {
        email: String,
    },
    /// The reason stored on an adopted guest's request when the approver wrote none.
    AdoptedReason,

    // Sponsors who leave.
    /// In the card's thread: the grace period passed; the access stays.
    OrphanKept {
        name: String,
        email: String,
        days: u64,
    },
    /// The grace period passed; the access ends.
    OrphanEnded {
        name: String,
        email: String,
        days: u64,
    },
    OnlyApproversReassign,
    ChooseNewSponsor,
    SponsorWhoLeft,
    /// In the card's thread: `by` made `to` the sponsor instead of `from`.
    Reassigned {
        by: UserId,
        to: UserId,
        from: UserId,
        name: String,
        email: String,
    },
    /// To the new sponsor.
    YouSponsorNow {
        by: UserId,
        name: String,
        email: String,
    },
    ReassignChangedMeanwhile {
        id: RequestId,
    },

    // Invite links.
    /// No `server.public_url`: no links.
    LinksOff,
    /// The same, on the form's field.
    LinksOffShort,
    LinkUsesOutOfRange {
        max: u32,
    },
    LinkDaysOutOfRange {
        max: u32,
    },
    LinkIsForGuests,
    NoSuchLink {
        id: i64,
    },
    OnlyMakerRevokes {
        sponsor: UserId,
        id: i64,
    },
    LinkRevoked {
        id: i64,
    },
    LinkAlreadyRevoked {
        id: i64,
    },
    /// To the sponsor: someone asked through their link (`link`) or self-registration
    /// (`None`); `rule` when an auto-approval rule approved it at once.
    JoinRequest {
        name: String,
        email: String,
        id: RequestId,
        link: Option<i64>,
    },
}

/// `*Grace Hopper* (grace@partner.com)`, escaped.
fn who(name: &str, email: &str) -> String {
    format!("*{}* ({})", safe(name, 100), safe(email, 254))
}

/// Approvers' mentions, or the word for them when there are none to mention.
fn approvers_or_word(approvers: &str, lang: Lang) -> String {
    if approvers.trim().is_empty() {
        t!(lang, "inventory-approvers")
    } else {
        approvers.to_string()
    }
}

impl InventorySay {
    pub fn text(&self, lang: Lang) -> String {
        use InventorySay as S;
        match self {
            S::EndedOutsideThread { name, email } => {
                t!(
                    lang,
                    "inventory-ended-outside-thread",
                    who = who(name, email)
                )
            }
            S::EndedOutsideDm { name, email } => {
                t!(lang, "inventory-ended-outside-dm", who = who(name, email))
            }
            S::BecameMemberThread { name, email } => {
                t!(
                    lang,
                    "inventory-became-member-thread",
                    who = who(name, email)
                )
            }
            S::BecameMemberDm { name, email } => {
                t!(lang, "inventory-became-member-dm", who = who(name, email))
            }
            S::ReactivatedOutside {
                name,
                email,
                state,
                approvers,
            } => t!(
                lang,
                "inventory-reactivated",
                who = who(name, email),
                state = state_word(*state, lang),
                approvers = approvers_or_word(approvers, lang)
            ),
            S::OnlyApproversAdopt => t!(lang, "inventory-only-approvers-adopt"),
            S::AdoptChooseSponsor => t!(lang, "inventory-adopt-choose-sponsor"),
            S::GuestCannotSponsorItself => t!(lang, "inventory-guest-cannot-sponsor-itself"),
            S::AdoptPickEndDay => t!(lang, "inventory-adopt-pick-end-day"),
            S::AlreadyManaged => t!(lang, "inventory-already-managed"),
            S::NothingToAdopt { name } => {
                t!(lang, "inventory-nothing-to-adopt", name = safe(name, 100))
            }
            S::NoEmailToTrack => t!(lang, "inventory-no-email-to-track"),
            S::CannotSponsor { name } => {
                t!(lang, "inventory-cannot-sponsor", name = safe(name, 100))
            }
            S::OpenRequestHolds { email } => {
                t!(
                    lang,
                    "inventory-open-request-holds",
                    email = safe(email, 254)
                )
            }
            S::AdoptedReason => t!(lang, "inventory-adopted-reason"),
            S::OrphanKept { name, email, days } => t!(
                lang,
                "inventory-orphan-kept",
                who = who(name, email),
                days = *days
            ),
            S::OrphanEnded { name, email, days } => t!(
                lang,
                "inventory-orphan-ended",
                who = who(name, email),
                days = *days
            ),
            S::OnlyApproversReassign => t!(lang, "inventory-only-approvers-reassign"),
            S::ChooseNewSponsor => t!(lang, "inventory-choose-new-sponsor"),
            S::SponsorWhoLeft => t!(lang, "inventory-sponsor-who-left"),
            S::Reassigned {
                by,
                to,
                from,
                name,
                email,
            } => t!(
                lang,
                "inventory-reassigned",
                by = mention(by),
                to = mention(to),
                from = mention(from),
                who = who(name, email)
            ),
            S::YouSponsorNow { by, name, email } => t!(
                lang,
                "inventory-you-sponsor-now",
                by = mention(by),
                who = who(name, email)
            ),
            S::ReassignChangedMeanwhile { id: request } => t!(
                lang,
                "inventory-reassign-changed-meanwhile",
                id = id(*request)
            ),
            S::LinksOff => t!(lang, "link-off"),
            S::LinksOffShort => t!(lang, "link-off-short"),
            S::LinkUsesOutOfRange { max } => t!(lang, "link-uses-out-of-range", max = *max),
            S::LinkDaysOutOfRange { max } => t!(lang, "link-days-out-of-range", max = *max),
            S::LinkIsForGuests => t!(lang, "link-for-guests"),
            S::NoSuchLink { id: link } => t!(lang, "link-no-such", id = *link),
            S::OnlyMakerRevokes { sponsor, id: link } => t!(
                lang,
                "link-only-maker-revokes",
                sponsor = mention(sponsor),
                id = *link
            ),
            S::LinkRevoked { id: link } => t!(lang, "link-revoked", id = *link),
            S::LinkAlreadyRevoked { id: link } => t!(lang, "link-already-revoked", id = *link),
            S::JoinRequest {
                name,
                email,
                id: request,
                link,
            } => t!(
                lang,
                "link-sponsor-dm",
                name = safe(name, 100),
                email = safe(email, 254),
                door = if link.is_some() { "link" } else { "self" },
                link = link.unwrap_or_default(),
                id = id(*request)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(path: &str) -> BTreeSet<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap().trim().to_string())
            .collect()
    }

    #[test]
    fn english_and_french_have_the_same_keys() {
        let en = keys(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/locales/en/inventory.ftl"
        ));
        let fr = keys(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/locales/fr/inventory.ftl"
        ));
        assert!(!en.is_empty());
        assert_eq!(en, fr);
        for key in &en {
            assert!(
                key.starts_with("inventory-") || key.starts_with("link-"),
                "{key}"
            );
        }
    }

    #[test]
    fn the_sponsor_hears_of_a_request_through_their_link_in_their_language() {
        let say = InventorySay::JoinRequest {
            name: "Grace <Hopper>".into(),
            email: "grace@partner.example".into(),
            id: RequestId(4),
            link: Some(7),
        };
        assert_eq!(
            say.text(Lang::En),
            "*Grace &lt;Hopper&gt;* (grace@partner.example) asked for a guest account through your invite link 7. Request *#4*, with you as sponsor, is waiting for an approver. I will tell you here when anything changes."
        );
        assert_eq!(
            say.text(Lang::Fr),
            "*Grace &lt;Hopper&gt;* (grace@partner.example) a demandé un compte invité via votre lien d'invitation 7. La demande *#4*, dont vous êtes le parrain, attend un approbateur. Je vous tiendrai informé ici de toute évolution."
        );
        let own = InventorySay::JoinRequest {
            name: "Grace".into(),
            email: "grace@partner.example".into(),
            id: RequestId(4),
            link: None,
        };
        assert!(
            own.text(Lang::En)
                .contains("through your self-registration")
        );
        assert!(own.text(Lang::Fr).contains("l'auto-inscription"));
    }

    #[test]
    fn french_plurals_of_the_grace_period() {
        let kept = |days| InventorySay::OrphanKept {
            name: "Grace".into(),
            email: "g@p.example".into(),
            days,
        };
        assert!(kept(1).text(Lang::Fr).contains("dans un délai de 1 jour."));
        assert!(kept(7).text(Lang::Fr).contains("dans un délai de 7 jours."));
        assert_eq!(
            kept(7).text(Lang::En),
            ":information_source: Nobody gave *Grace* (g@p.example) a new sponsor within 7 day(s). The access stays (policy: keep); approvers can still reassign or end it."
        );
    }

    #[test]
    fn no_approver_to_mention_reads_as_the_word() {
        let say = InventorySay::ReactivatedOutside {
            name: "Grace".into(),
            email: "g@p.example".into(),
            state: RequestState::Revoked,
            approvers: String::new(),
        };
        assert!(say.text(Lang::En).contains(" Approvers, please check it"));
        assert!(say.text(Lang::Fr).contains("(demande révoquée)"));
        assert!(say.text(Lang::Fr).contains(" Approbateurs, merci"));
    }

    #[test]
    fn a_queued_message_keeps_its_arguments() {
        let said: super::super::Said = InventorySay::LinkRevoked { id: 3 }.into();
        let json = serde_json::to_value(&said).unwrap();
        let back: super::super::Said = serde_json::from_value(json).unwrap();
        assert_eq!(
            back.text(Lang::En),
            "Link 3 is revoked: nobody can use it any more."
        );
        assert_eq!(
            back.text(Lang::Fr),
            "Le lien 3 est révoqué : plus personne ne peut l'utiliser."
        );
    }
}
