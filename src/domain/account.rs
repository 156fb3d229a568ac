//! Which accounts Guestlist may change, as pure rules.
//!
//! Guestlist changes (expires, removes, deactivates, converts) only an account that is **bound**
//! to a request: by the Slack user id or the directory (SCIM) id that Guestlist saw come into
//! being as a guest through its own invitation, or that an approver linked. Before every change
//! the account is read again by that id, and the change goes ahead only if it is still that
//! account and still a guest. An email address never decides whose account is changed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the directory says about an account, read by its id just now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The id the directory answered for (it must be the one asked for).
    pub id: String,
    pub standing: Standing,
    /// Deactivated (Slack `deleted`, SCIM `active: false`).
    pub deactivated: bool,
}

/// A person's place in a workspace or directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// A multi-channel guest (`is_restricted`).
    MultiChannelGuest,
    /// A single-channel guest (`is_ultra_restricted`).
    SingleChannelGuest,
    /// A full member (or admin, owner): never changed by Guestlist.
    FullMember,
}

impl Standing {
    /// Reads Slack's two guest flags (`is_ultra_restricted` implies a guest).
    pub fn from_slack_flags(is_restricted: bool, is_ultra_restricted: bool) -> Self {
        match (is_restricted, is_ultra_restricted) {
            (_, true) => Standing::SingleChannelGuest,
            (true, false) => Standing::MultiChannelGuest,
            (false, false) => Standing::FullMember,
        }
    }

    pub fn is_guest(self) -> bool {
        self != Standing::FullMember
    }
}

/// The change Guestlist is about to make to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    SetExpiry,
    Deactivate,
    MakeMember,
    /// Switch a deactivated account back on (a SCIM re-invitation).
    Reactivate,
    /// Add the guest to channels, or take it out of some.
    Channels,
    /// Write the guest's job title (and the like) to their profile.
    Profile,
}

impl Change {
    /// Every change, for the checks that must hold for each.
    pub const ALL: [Change; 6] = [
        Change::SetExpiry,
        Change::Deactivate,
        Change::MakeMember,
        Change::Reactivate,
        Change::Channels,
        Change::Profile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Change::SetExpiry => "set_expiry",
            Change::Deactivate => "deactivate",
            Change::MakeMember => "make_member",
            Change::Reactivate => "reactivate",
            Change::Channels => "channels",
            Change::Profile => "profile",
        }
    }
}

/// What the check says about a change to a bound account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Still that account and still a guest: go ahead.
    Proceed,
    /// Nothing to do: a deactivation of an account that is already deactivated.
    AlreadyDone,
    /// No call is made; the card and the audit log say why.
    Refuse(Refusal),
}

/// Why Guestlist will not change an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// No account is bound to the request (the guest never joined, or it was never linked).
    Unbound,
    /// The account is (now) a full member.
    FullMember,
    /// The directory answered for another id than the bound one.
    IdMismatch { asked: String, answered: String },
    /// The directory no longer knows the bound id.
    NotFound,
    /// A deactivated account that this request did not create (reactivation only).
    NotOurs,
    /// The account is deactivated, so there is nothing left to change.
    Deactivated,
}

impl Refusal {
    /// A stable label for audit rows and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unbound => "unbound",
            Refusal::FullMember => "full_member",
            Refusal::IdMismatch { .. } => "id_mismatch",
            Refusal::NotFound => "not_found",
            Refusal::NotOurs => "not_ours",
            Refusal::Deactivated => "deactivated",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unbound => f.write_str("no account is bound to this request"),
            Refusal::FullMember => f.write_str("it is a full member"),
            Refusal::IdMismatch { asked, answered } => {
                write!(f, "the directory answered for {answered}, not {asked}")
            }
            Refusal::NotFound => f.write_str("the directory no longer knows this account"),
            Refusal::NotOurs => f.write_str("it is a deactivated account Guestlist did not create"),
            Refusal::Deactivated => f.write_str("it is deactivated"),
        }
    }
}

/// The one rule: may Guestlist make `change` to the account bound as `bound`, now that the
/// directory says `observed` (`None`: the directory does not know the id)?
pub fn check(bound: &str, observed: Option<&Observed>, change: Change) -> Verdict {
    let Some(observed) = observed else {
        return match change {
            // Gone from the directory: nothing is left to deactivate.
            Change::Deactivate => Verdict::AlreadyDone,
            _ => Verdict::Refuse(Refusal::NotFound),
        };
    };
    if observed.id != bound {
        return Verdict::Refuse(Refusal::IdMismatch {
            asked: bound.to_string(),
            answered: observed.id.clone(),
        });
    }
    if !observed.standing.is_guest() {
        return Verdict::Refuse(Refusal::FullMember);
    }
    match (change, observed.deactivated) {
        (Change::Deactivate, true) => Verdict::AlreadyDone,
        (Change::Reactivate, _) => Verdict::Proceed,
        (_, true) => Verdict::Refuse(Refusal::Deactivated),
        (_, false) => Verdict::Proceed,
    }
}

/// May an account found by email be linked to a request (it already existed when Guestlist
/// invited)? Only a guest; a full member's account is never linked.
pub fn may_link(standing: Standing) -> bool {
    standing.is_guest()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(id: &str, standing: Standing, deactivated: bool) -> Observed {
        Observed {
            id: id.into(),
            standing,
            deactivated,
        }
    }

    #[test]
    fn a_full_member_is_never_changed() {
        // `ALL` lists every variant: a new one that is missing fails to compile here.
        let _every: fn(Change) = |change| match change {
            Change::SetExpiry
            | Change::Deactivate
            | Change::MakeMember
            | Change::Reactivate
            | Change::Channels
            | Change::Profile => {}
        };
        for change in Change::ALL {
            for deactivated in [false, true] {
                let member = seen("U1", Standing::FullMember, deactivated);
                assert_eq!(
                    check("U1", Some(&member), change),
                    Verdict::Refuse(Refusal::FullMember),
                    "{change:?} deactivated={deactivated}"
                );
            }
        }
    }

    #[test]
    fn a_guest_that_is_still_ours_may_be_changed() {
        let guest = seen("U1", Standing::MultiChannelGuest, false);
        for change in [Change::SetExpiry, Change::Deactivate, Change::MakeMember] {
            assert_eq!(check("U1", Some(&guest), change), Verdict::Proceed);
        }
        let single = seen("U1", Standing::SingleChannelGuest, false);
        assert_eq!(
            check("U1", Some(&single), Change::Deactivate),
            Verdict::Proceed
        );
    }

    #[test]
    fn another_id_is_refused_whatever_it_is() {
        let other = seen("U2", Standing::MultiChannelGuest, false);
        assert!(matches!(
            check("U1", Some(&other), Change::Deactivate),
            Verdict::Refuse(Refusal::IdMismatch { .. })
        ));
    }

    #[test]
    fn deactivated_or_gone_accounts_need_no_deactivation_and_take_no_other_change() {
        let off = seen("U1", Standing::MultiChannelGuest, true);
        assert_eq!(
            check("U1", Some(&off), Change::Deactivate),
            Verdict::AlreadyDone
        );
        assert_eq!(
            check("U1", Some(&off), Change::SetExpiry),
            Verdict::Refuse(Refusal::Deactivated)
        );
        assert_eq!(
            check("U1", Some(&off), Change::Reactivate),
            Verdict::Proceed
        );
        assert_eq!(check("U1", None, Change::Deactivate), Verdict::AlreadyDone);
        assert_eq!(
            check("U1", None, Change::MakeMember),
            Verdict::Refuse(Refusal::NotFound)
        );
    }

    #[test]
    fn slack_flags_read_as_slack_documents_them() {
        assert_eq!(
            Standing::from_slack_flags(false, false),
            Standing::FullMember
        );
        assert_eq!(
            Standing::from_slack_flags(true, false),
            Standing::MultiChannelGuest
        );
        assert_eq!(
            Standing::from_slack_flags(true, true),
            Standing::SingleChannelGuest
        );
        assert!(!may_link(Standing::FullMember));
        assert!(may_link(Standing::SingleChannelGuest));
    }
}
