//! The guest request and the account it becomes: one record, one pure state machine.
//!
//! ```text
//! pending ──approve──▶ approved ──invite──▶ invited ──accept──▶ active ──expire──▶ expired
//!    │                                        │  ▲
//!    ├──deny──▶ denied                        │  └──resend── invite_expired ◀──lapse──┘
//!    └──cancel─▶ cancelled          any open state ──revoke──▶ revoked
//!
//! approved | invited | invite_expired | active ──found_member──▶ already_member
//! active ──end_outside──▶ ended_outside   (deactivated in Slack by hand: recorded, not done)
//! pending ──lapse──▶ lapsed   (nobody decided within the time limit)
//! ```
//! `already_member`: the email turned out to belong to a full member of the workspace. The
//! request ends there and nobody's account is touched (see `domain::account`).
//! An extension is a request of its own kind (pending → approved | denied | cancelled) that,
//! once approved, moves its parent's expiry.

use super::email::Email;
use super::expiry::Expiry;
use super::ids::{ChannelId, RequestId, TeamId, UserId};
use super::profile::Profile;
use super::quorum::{Quorum, TermChange, Terms};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Pending,
    Approved,
    Denied,
    Cancelled,
    Invited,
    Active,
    InviteExpired,
    Expired,
    Revoked,
    /// The email belongs to a full member: the request ended, no account was touched.
    AlreadyMember,
    /// Nobody decided within the time limit.
    Lapsed,
    /// The account was deactivated in Slack, not by Guestlist (found by reconciliation).
    EndedOutside,
}

impl RequestState {
    pub const ALL: [RequestState; 12] = [
        RequestState::Pending,
        RequestState::Approved,
        RequestState::Denied,
        RequestState::Cancelled,
        RequestState::Invited,
        RequestState::Active,
        RequestState::InviteExpired,
        RequestState::Expired,
        RequestState::Revoked,
        RequestState::AlreadyMember,
        RequestState::Lapsed,
        RequestState::EndedOutside,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Denied => "denied",
            RequestState::Cancelled => "cancelled",
            RequestState::Invited => "invited",
            RequestState::Active => "active",
            RequestState::InviteExpired => "invite_expired",
            RequestState::Expired => "expired",
            RequestState::Revoked => "revoked",
            RequestState::AlreadyMember => "already_member",
            RequestState::Lapsed => "lapsed",
            RequestState::EndedOutside => "ended_outside",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// States in which the email is taken: a second request for it is refused.
    /// The database's partial unique index lists the same states.
    pub fn holds_email(self) -> bool {
        matches!(
            self,
            RequestState::Pending
                | RequestState::Approved
                | RequestState::Invited
                | RequestState::Active
        )
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Denied
                | RequestState::Cancelled
                | RequestState::Expired
                | RequestState::Revoked
                | RequestState::AlreadyMember
                | RequestState::Lapsed
                | RequestState::EndedOutside
        )
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// A new guest account.
    Guest,
    /// A later expiry for an existing guest.
    Extension,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Guest => "guest",
            RequestKind::Extension => "extension",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "guest" => Some(RequestKind::Guest),
            "extension" => Some(RequestKind::Extension),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestType {
    SingleChannel,
    MultiChannel,
    /// A full member (group sync targets and guest-to-member conversions).
    Member,
}

impl GuestType {
    pub fn as_str(self) -> &'static str {
        match self {
            GuestType::SingleChannel => "single_channel",
            GuestType::MultiChannel => "multi_channel",
            GuestType::Member => "member",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "single_channel" | "single" => Some(GuestType::SingleChannel),
            "multi_channel" | "multi" => Some(GuestType::MultiChannel),
            "member" | "full_member" => Some(GuestType::Member),
            _ => None,
        }
    }
}

/// What a decision or lifecycle event does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Approve,
    Deny,
    Cancel,
    /// The provisioner sent (or an admin confirmed) the invitation.
    Invite,
    /// The guest joined.
    Accept,
    /// The invitation lapsed unaccepted.
    LapseInvite,
    /// A new invitation replaced an expired one.
    Resend,
    Expire,
    Revoke,
    /// The email turned out to be a full member's.
    FoundMember,
    /// Nobody decided in time.
    Lapse,
    /// Reconciliation found the account deactivated in Slack.
    EndOutside,
    /// An admin decided the Slack invite request in Slack's own page first.
    DecidedInSlack,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Deny => "deny",
            Action::Cancel => "cancel",
            Action::Invite => "invite",
            Action::Accept => "accept",
            Action::LapseInvite => "lapse_invite",
            Action::Resend => "resend",
            Action::Expire => "expire",
            Action::Revoke => "revoke",
            Action::FoundMember => "found_member",
            Action::Lapse => "lapse",
            Action::EndOutside => "end_outside",
            Action::DecidedInSlack => "decided_in_slack",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a request that is {} cannot be {verb}", from.as_str())]
pub struct InvalidTransition {
    pub from: RequestState,
    pub action: Action,
    verb: &'static str,
}

/// The one place that says which moves are legal.
pub fn transition(
    kind: RequestKind,
    from: RequestState,
    action: Action,
) -> Result<RequestState, InvalidTransition> {
    use Action as A;
    use RequestState as S;
    let to = match (kind, from, action) {
        (_, S::Pending, A::Approve) => Some(S::Approved),
        (_, S::Pending, A::Deny) => Some(S::Denied),
        (_, S::Pending, A::Cancel) => Some(S::Cancelled),
        // Slack's own invite request was decided in Slack's admin page before our decision
        // reached it: nothing was sent by us, the request ends.
        (RequestKind::Guest, S::Pending | S::Approved, A::DecidedInSlack) => Some(S::Cancelled),
        (_, S::Pending, A::Lapse) => Some(S::Lapsed),
        (RequestKind::Guest, S::Approved, A::Invite) => Some(S::Invited),
        // Linking an account that already exists skips the invitation.
        (RequestKind::Guest, S::Approved | S::Invited | S::InviteExpired, A::Accept) => {
            Some(S::Active)
        }
        (RequestKind::Guest, S::Invited, A::LapseInvite) => Some(S::InviteExpired),
        (RequestKind::Guest, S::Invited | S::InviteExpired, A::Resend) => Some(S::Invited),
        // An account ends at its deadline whether or not the guest ever joined.
        (
            RequestKind::Guest,
            S::Approved | S::Invited | S::InviteExpired | S::Active,
            A::Expire,
        ) => Some(S::Expired),
        (
            RequestKind::Guest,
            S::Approved | S::Invited | S::InviteExpired | S::Active,
            A::Revoke,
        ) => Some(S::Revoked),
        (
            RequestKind::Guest,
            S::Approved | S::Invited | S::InviteExpired | S::Active,
            A::FoundMember,
        ) => Some(S::AlreadyMember),
        (RequestKind::Guest, S::Active, A::EndOutside) => Some(S::EndedOutside),
        _ => None,
    };
    to.ok_or(InvalidTransition {
        from,
        action,
        verb: match action {
            A::Approve => "approved",
            A::Deny => "denied",
            A::Cancel => "cancelled",
            A::Invite => "invited",
            A::Accept => "activated",
            A::LapseInvite => "marked as an expired invitation",
            A::Resend => "re-invited",
            A::Expire => "expired",
            A::Revoke => "revoked",
            A::FoundMember => "ended as a full member's",
            A::Lapse => "marked as lapsed",
            A::EndOutside => "ended outside Guestlist",
            A::DecidedInSlack => "decided in Slack",
        },
    })
}

/// What approving an extension does to the deadline of the account it extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionEffect {
    /// The deadline moves to the extension's end.
    Move(DateTime<Utc>),
    /// The account already runs at least that long: an approval never moves a deadline earlier
    /// (shortening is an approver's explicit action, not a side effect of an old extension).
    AlreadyLater(DateTime<Utc>),
    /// The account is no longer open: there is nothing to extend.
    ParentClosed,
}

pub fn extension_effect(
    parent_state: RequestState,
    parent_expires_at: Option<DateTime<Utc>>,
    new_end: DateTime<Utc>,
) -> ExtensionEffect {
    let open = matches!(
        parent_state,
        RequestState::Approved
            | RequestState::Invited
            | RequestState::InviteExpired
            | RequestState::Active
    );
    match parent_expires_at {
        _ if !open => ExtensionEffect::ParentClosed,
        // An account that never ends cannot be extended.
        None => ExtensionEffect::ParentClosed,
        Some(current) if current >= new_end => ExtensionEffect::AlreadyLater(current),
        Some(_) => ExtensionEffect::Move(new_end),
    }
}

/// Where a request came from; shown on the card and kept for audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Form,
    Import,
    Sync,
    /// The join page, through a sponsor's invite link.
    InviteLink,
    /// The join page, self-registration for an allowed domain.
    SelfRegistration,
    /// A guest that existed in Slack, adopted by an approver.
    Adopted,
    /// An extension that gives a live guest other channels (it never moves the end).
    AccessChange,
    /// Slack's own "Invite people" dialog (Enterprise Grid): decided here, approved in Slack.
    InviteRequest,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Form => "form",
            Source::Import => "import",
            Source::Sync => "sync",
            Source::InviteLink => "invite_link",
            Source::SelfRegistration => "self_registration",
            Source::Adopted => "adopted",
            Source::AccessChange => "access_change",
            Source::InviteRequest => "invite_request",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "import" => Source::Import,
            "sync" => Source::Sync,
            "invite_link" => Source::InviteLink,
            "self_registration" => Source::SelfRegistration,
            "adopted" => Source::Adopted,
            "access_change" => Source::AccessChange,
            "invite_request" => Source::InviteRequest,
            _ => Source::Form,
        }
    }
}

/// A request as submitted, validated, not yet stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRequest {
    pub team_id: TeamId,
    pub kind: RequestKind,
    pub parent_id: Option<RequestId>,
    pub requester: UserId,
    pub email: Email,
    pub full_name: String,
    pub organisation: String,
    pub reason: String,
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expiry: Expiry,
    pub source: Source,
    /// The sync rule that produced this request, if any.
    pub sync_rule: Option<String>,
    /// Job title, department, manager, employee id and phone, as asked.
    pub profile: Profile,
    /// The id of the Slack invite request this request decides (Grid's "Invite people").
    pub slack_invite_request: Option<String>,
    /// The workspace the account is made in, when not `team_id` (a sync rule's target team).
    pub account_team: Option<TeamId>,
    /// Group sync: the person's user id when they are already in the organisation, so they are
    /// assigned to `account_team` rather than invited by email. Not a binding.
    pub source_user: Option<UserId>,
    /// What the request needs before it is approved (fixed when it is made).
    pub quorum: Quorum,
    /// When it lapses if nobody decided.
    pub decide_by: Option<DateTime<Utc>>,
}

impl NewRequest {
    /// The workspace the guest account lives in.
    pub fn account_team(&self) -> &TeamId {
        self.account_team.as_ref().unwrap_or(&self.team_id)
    }
}

/// Where a request's card lives in Slack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRef {
    pub channel: ChannelId,
    pub ts: String,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestRequest {
    pub id: RequestId,
    pub team_id: TeamId,
    pub kind: RequestKind,
    pub parent_id: Option<RequestId>,
    pub requester: UserId,
    pub email: Email,
    pub full_name: String,
    pub organisation: String,
    pub reason: String,
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expiry: Expiry,
    /// The deadline, once known: fixed dates from the start, durations from approval.
    pub expires_at: Option<DateTime<Utc>>,
    pub state: RequestState,
    /// Bumped by every change; cards remember which version they show.
    pub version: i64,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// The auto-approval rule that decided, when the bot decided.
    pub auto_rule: Option<String>,
    pub card: Option<CardRef>,
    /// The `version` the card last showed.
    pub card_version: Option<i64>,
    pub source: Source,
    pub sync_rule: Option<String>,
    /// Job title, department, manager, employee id and phone (E.164), as asked.
    pub profile: Profile,
    /// The id of the Slack invite request this request decides (Grid's "Invite people").
    pub slack_invite_request: Option<String>,
    /// The Slack user id of the guest account this request is bound to (see `domain::account`).
    pub slack_user_id: Option<String>,
    /// The provisioner's own id for the bound account (a SCIM user id).
    pub external_id: Option<String>,
    /// The workspace the account lives in, when not `team_id` (group sync into another team).
    pub account_team: Option<TeamId>,
    /// Group sync: the organisation member to assign to `account_team` (not a binding).
    pub source_user: Option<UserId>,
    pub quorum: Quorum,
    /// Votes count in this round; an approver's change starts the next.
    pub approval_round: i64,
    pub decide_by: Option<DateTime<Utc>>,
    /// What an approver narrowed before approving, if anything.
    pub amendment: Vec<TermChange>,
    pub invited_at: Option<DateTime<Utc>>,
    pub invite_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl GuestRequest {
    /// What an approver may narrow.
    pub fn terms(&self) -> Terms {
        Terms {
            guest_type: self.guest_type,
            channels: self.channels.clone(),
            expiry: self.expiry,
        }
    }

    /// The workspace the guest account lives in.
    pub fn account_team(&self) -> &TeamId {
        self.account_team.as_ref().unwrap_or(&self.team_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use RequestState as S;

    #[test]
    fn a_request_is_decided_once() {
        let k = RequestKind::Guest;
        assert_eq!(transition(k, S::Pending, A::Approve), Ok(S::Approved));
        assert_eq!(transition(k, S::Pending, A::Deny), Ok(S::Denied));
        for decided in [S::Approved, S::Denied, S::Cancelled] {
            assert!(transition(k, decided, A::Approve).is_err());
            assert!(transition(k, decided, A::Deny).is_err());
        }
    }

    #[test]
    fn lifecycle_follows_the_diagram() {
        let k = RequestKind::Guest;
        assert_eq!(transition(k, S::Approved, A::Invite), Ok(S::Invited));
        assert_eq!(transition(k, S::Invited, A::Accept), Ok(S::Active));
        assert_eq!(transition(k, S::Active, A::Expire), Ok(S::Expired));
        assert_eq!(
            transition(k, S::Invited, A::LapseInvite),
            Ok(S::InviteExpired)
        );
        assert_eq!(transition(k, S::InviteExpired, A::Resend), Ok(S::Invited));
        assert!(transition(k, S::Pending, A::Invite).is_err());
        assert_eq!(transition(k, S::Invited, A::Expire), Ok(S::Expired));
        assert!(transition(k, S::Pending, A::Expire).is_err());
        assert!(transition(k, S::Expired, A::Accept).is_err());
    }

    #[test]
    fn every_open_account_state_can_be_revoked_and_final_states_cannot() {
        let k = RequestKind::Guest;
        for open in [S::Approved, S::Invited, S::InviteExpired, S::Active] {
            assert_eq!(transition(k, open, A::Revoke), Ok(S::Revoked), "{open}");
        }
        for state in S::ALL.into_iter().filter(|s| s.is_final()) {
            for action in [
                A::Approve,
                A::Deny,
                A::Cancel,
                A::Invite,
                A::Accept,
                A::Expire,
                A::Revoke,
            ] {
                assert!(transition(k, state, action).is_err(), "{state} {action:?}");
            }
        }
    }

    #[test]
    fn a_member_found_ends_an_open_request_and_nothing_else() {
        let k = RequestKind::Guest;
        // An active guest made a member in Slack (reconciliation) is let go the same way.
        for open in [S::Approved, S::Invited, S::InviteExpired, S::Active] {
            assert_eq!(transition(k, open, A::FoundMember), Ok(S::AlreadyMember));
        }
        for other in [S::Pending, S::Denied, S::Expired, S::AlreadyMember] {
            assert!(transition(k, other, A::FoundMember).is_err(), "{other}");
        }
        assert!(S::AlreadyMember.is_final());
        assert!(!S::AlreadyMember.holds_email());
        for action in [A::Revoke, A::Expire, A::Accept, A::Resend] {
            assert!(transition(k, S::AlreadyMember, action).is_err());
        }
    }

    #[test]
    fn an_invite_request_decided_in_slack_ends_before_anything_is_sent() {
        let k = RequestKind::Guest;
        for open in [S::Pending, S::Approved] {
            assert_eq!(transition(k, open, A::DecidedInSlack), Ok(S::Cancelled));
        }
        // Once we sent something, the account is ours to track.
        for later in [S::Invited, S::Active, S::Denied, S::Cancelled] {
            assert!(transition(k, later, A::DecidedInSlack).is_err(), "{later}");
        }
        assert!(transition(RequestKind::Extension, S::Approved, A::DecidedInSlack).is_err());
    }

    #[test]
    fn only_an_active_account_ends_outside() {
        let k = RequestKind::Guest;
        assert_eq!(transition(k, S::Active, A::EndOutside), Ok(S::EndedOutside));
        for other in S::ALL.into_iter().filter(|s| *s != S::Active) {
            assert!(transition(k, other, A::EndOutside).is_err(), "{other}");
        }
        assert!(S::EndedOutside.is_final() && !S::EndedOutside.holds_email());
        assert_eq!(S::parse("ended_outside"), Some(S::EndedOutside));
        for action in [A::Revoke, A::Expire, A::Accept, A::Resend, A::FoundMember] {
            assert!(transition(k, S::EndedOutside, action).is_err());
        }
    }

    #[test]
    fn an_extension_never_moves_a_deadline_earlier() {
        let at = |d: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + d * 86400, 0).unwrap();
        assert_eq!(
            extension_effect(S::Active, Some(at(10)), at(20)),
            ExtensionEffect::Move(at(20))
        );
        assert_eq!(
            extension_effect(S::Active, Some(at(30)), at(20)),
            ExtensionEffect::AlreadyLater(at(30))
        );
        assert_eq!(
            extension_effect(S::Active, Some(at(20)), at(20)),
            ExtensionEffect::AlreadyLater(at(20))
        );
        assert_eq!(
            extension_effect(S::Expired, Some(at(10)), at(20)),
            ExtensionEffect::ParentClosed
        );
        assert_eq!(
            extension_effect(S::Active, None, at(20)),
            ExtensionEffect::ParentClosed
        );
    }

    #[test]
    fn extensions_only_get_decided() {
        let k = RequestKind::Extension;
        assert_eq!(transition(k, S::Pending, A::Approve), Ok(S::Approved));
        assert!(transition(k, S::Approved, A::Invite).is_err());
        assert!(transition(k, S::Approved, A::Revoke).is_err());
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for state in S::ALL {
            assert_eq!(S::parse(state.as_str()), Some(state));
        }
        let err = transition(RequestKind::Guest, S::Denied, A::Approve).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a request that is denied cannot be approved"
        );
    }
}
