//! Reconciliation: what Guestlist believes about an account against what Slack says now.
//! Pure: the loop reads Slack, this decides what that means, the workflow records it. Nothing
//! found here ever changes an account in Slack; it is recorded, reported or asked about.

use super::RequestState;

/// An account as Slack shows it now, read by its bound user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// Not in what Slack returned (another workspace, or not visible): nothing is concluded.
    Absent,
    /// `deleted`: deactivated.
    Deactivated,
    /// An active single- or multi-channel guest.
    Guest,
    /// An active full member (or admin, owner).
    Member,
}

impl Observed {
    pub fn from_flags(deleted: bool, is_restricted: bool, is_ultra_restricted: bool) -> Self {
        if deleted {
            Observed::Deactivated
        } else if is_restricted || is_ultra_restricted {
            Observed::Guest
        } else {
            Observed::Member
        }
    }
}

/// What a difference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    InSync,
    /// Active here, deactivated in Slack by someone else: ended here.
    EndedOutside,
    /// Active here as a guest, a full member in Slack now: Guestlist lets go of it.
    BecameMember,
    /// Ended here, an active guest in Slack again (reactivated by hand): approvers are asked.
    ReactivatedOutside,
}

/// What Guestlist itself has set in motion for an account, so that its own doing is never
/// taken for someone else's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    /// The deadline has come: Slack (its expiration) or an admin (manual mode) ends the
    /// account now, as Guestlist asked.
    pub deadline_passed: bool,
    /// Guestlist made (or is making) this guest a full member.
    pub made_member: bool,
}

pub fn reconcile(state: RequestState, observed: Observed, expected: Expected) -> Finding {
    use RequestState as S;
    match (state, observed) {
        (_, Observed::Absent) => Finding::InSync,
        (S::Active, Observed::Deactivated) if expected.deadline_passed => Finding::InSync,
        (S::Active, Observed::Deactivated) => Finding::EndedOutside,
        (S::Active, Observed::Member) if expected.made_member => Finding::InSync,
        (S::Active, Observed::Member) => Finding::BecameMember,
        (S::Expired | S::Revoked | S::EndedOutside, Observed::Guest) => Finding::ReactivatedOutside,
        _ => Finding::InSync,
    }
}

/// A sponsor who can no longer vouch for anyone: deactivated, or a guest now.
pub fn sponsor_left(sponsor: Observed) -> bool {
    matches!(sponsor, Observed::Deactivated | Observed::Guest)
}

/// What happens to a guest whose sponsor left, when nobody reassigns or ends it in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrphanPolicy {
    /// The guest stays (with a note on its card); approvers can still act.
    Keep,
    /// The access ends (revoked by Guestlist).
    End,
}

impl OrphanPolicy {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "keep" => Some(OrphanPolicy::Keep),
            "end" => Some(OrphanPolicy::End),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrphanPolicy::Keep => "keep",
            OrphanPolicy::End => "end",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState as S;

    #[test]
    fn flags_read_as_slack_means_them() {
        assert_eq!(
            Observed::from_flags(true, true, false),
            Observed::Deactivated
        );
        assert_eq!(Observed::from_flags(false, true, false), Observed::Guest);
        assert_eq!(Observed::from_flags(false, false, true), Observed::Guest);
        assert_eq!(Observed::from_flags(false, false, false), Observed::Member);
    }

    #[test]
    fn a_sponsor_leaves_by_deactivation_or_by_becoming_a_guest() {
        assert!(sponsor_left(Observed::Deactivated));
        assert!(sponsor_left(Observed::Guest));
        assert!(!sponsor_left(Observed::Member));
        assert!(!sponsor_left(Observed::Absent));
        assert_eq!(OrphanPolicy::parse("end"), Some(OrphanPolicy::End));
        assert_eq!(OrphanPolicy::parse("drop"), None);
    }

    fn reconcile(state: RequestState, observed: Observed) -> Finding {
        super::reconcile(state, observed, Expected::default())
    }

    #[test]
    fn guestlists_own_doing_is_not_someone_elses() {
        let due = Expected {
            deadline_passed: true,
            ..Expected::default()
        };
        assert_eq!(
            super::reconcile(S::Active, Observed::Deactivated, due),
            Finding::InSync
        );
        let member = Expected {
            made_member: true,
            ..Expected::default()
        };
        assert_eq!(
            super::reconcile(S::Active, Observed::Member, member),
            Finding::InSync
        );
        // Only what Guestlist set in motion is excused.
        assert_eq!(
            super::reconcile(S::Active, Observed::Member, due),
            Finding::BecameMember
        );
        assert_eq!(
            super::reconcile(S::Active, Observed::Deactivated, member),
            Finding::EndedOutside
        );
    }

    #[test]
    fn each_difference_has_one_meaning() {
        assert_eq!(reconcile(S::Active, Observed::Guest), Finding::InSync);
        assert_eq!(
            reconcile(S::Active, Observed::Deactivated),
            Finding::EndedOutside
        );
        assert_eq!(
            reconcile(S::Active, Observed::Member),
            Finding::BecameMember
        );
        assert_eq!(reconcile(S::Active, Observed::Absent), Finding::InSync);
        for ended in [S::Expired, S::Revoked, S::EndedOutside] {
            assert_eq!(
                reconcile(ended, Observed::Guest),
                Finding::ReactivatedOutside
            );
            assert_eq!(reconcile(ended, Observed::Deactivated), Finding::InSync);
            // A member with the same id is someone Guestlist never touches: nothing to ask.
            assert_eq!(reconcile(ended, Observed::Member), Finding::InSync);
        }
        // Not yet joined, or closed for other reasons: nothing is concluded.
        for other in [
            S::Pending,
            S::Approved,
            S::Invited,
            S::AlreadyMember,
            S::Denied,
        ] {
            for observed in [Observed::Guest, Observed::Member, Observed::Deactivated] {
                assert_eq!(
                    reconcile(other, observed),
                    Finding::InSync,
                    "{other} {observed:?}"
                );
            }
        }
    }
}
