//! Provisioning: turning an approved request into a real account and ending it on time, through
//! Enterprise Grid's admin API, SCIM 2.0, or an admin doing it by hand while the bot keeps track.
//! One trait; the workflow does not know which one it talks to.

mod manual;
mod scim;
mod slack_admin;

pub use manual::ManualProvisioner;
pub use scim::{ScimProvisioner, ScimSettings};
pub use slack_admin::SlackAdminProvisioner;

use crate::domain::account::{Change, Observed, Refusal, Standing, Verdict, check};
use crate::domain::{ChannelId, Email, GuestType, TeamId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub type SharedProvisioner = Arc<dyn Provisioner>;

/// The deployment's provisioner, and those sync rules name instead of it.
#[derive(Clone)]
pub struct Provisioners {
    default: SharedProvisioner,
    by_rule: std::collections::HashMap<String, SharedProvisioner>,
    /// Every mode this deployment can use, for a workspace that chose its own.
    by_mode: std::collections::HashMap<ProvisioningMode, SharedProvisioner>,
}

impl Provisioners {
    pub fn new(default: SharedProvisioner) -> Self {
        Self {
            default,
            by_rule: Default::default(),
            by_mode: Default::default(),
        }
    }

    /// A mode a workspace may choose for itself.
    pub fn with_mode(mut self, provisioner: SharedProvisioner) -> Self {
        self.by_mode.insert(provisioner.mode(), provisioner);
        self
    }

    pub fn has_mode(&self, mode: ProvisioningMode) -> bool {
        self.default.mode() == mode || self.by_mode.contains_key(&mode)
    }

    /// The provisioner for a request: its sync rule's, else its workspace's chosen mode (when
    /// this deployment has it), else the deployment's.
    pub fn for_request(
        &self,
        rule: Option<&str>,
        workspace: Option<ProvisioningMode>,
    ) -> &SharedProvisioner {
        if let Some(p) = rule.and_then(|r| self.by_rule.get(r)) {
            return p;
        }
        match workspace {
            Some(mode) if self.default.mode() != mode => {
                self.by_mode.get(&mode).unwrap_or(&self.default)
            }
            _ => &self.default,
        }
    }

    pub fn with_rule(mut self, rule: &str, provisioner: SharedProvisioner) -> Self {
        self.by_rule.insert(rule.to_string(), provisioner);
        self
    }

    /// The provisioner for requests of this sync rule (or of none).
    pub fn for_rule(&self, rule: Option<&str>) -> &SharedProvisioner {
        rule.and_then(|r| self.by_rule.get(r))
            .unwrap_or(&self.default)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisioningMode {
    /// Enterprise Grid `admin.users.*` with an org admin user token.
    SlackAdmin,
    /// SCIM 2.0 (`/Users`), Slack's or any other directory's.
    Scim,
    /// An admin invites and deactivates in Slack's UI; the bot asks, tracks and reminds.
    Manual,
}

impl ProvisioningMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProvisioningMode::SlackAdmin => "slack_admin",
            ProvisioningMode::Scim => "scim",
            ProvisioningMode::Manual => "manual",
        }
    }
    /// Whether this mode's accounts are bound by the directory's id (SCIM) rather than by the
    /// Slack user id.
    pub fn binds_directory_id(self) -> bool {
        self == ProvisioningMode::Scim
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "slack_admin" => Some(ProvisioningMode::SlackAdmin),
            "scim" => Some(ProvisioningMode::Scim),
            "manual" => Some(ProvisioningMode::Manual),
            _ => None,
        }
    }
}

/// What an invitation needs to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    /// The workspace the guest is invited into.
    pub team_id: TeamId,
    pub email: Email,
    pub full_name: String,
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expires_at: Option<DateTime<Utc>>,
    pub custom_message: Option<String>,
    /// A new invitation replacing an earlier one.
    pub resend: bool,
    /// The account this request is already bound to (a SCIM resend, or a retry after our own
    /// guest was deactivated): the only deactivated account that may be switched back on.
    pub external_id: Option<String>,
    /// A person already in the organisation (group sync into another workspace): assigned
    /// with `admin.users.assign` instead of invited by email.
    pub assign_user: Option<String>,
    /// Job title, department, manager, employee id and phone, for the directories that keep
    /// them (SCIM's core and enterprise attributes; Slack's profile).
    pub profile: crate::domain::profile::Profile,
}

/// The account a request is bound to: the ids Guestlist may act on. Never an email: an email
/// says who was invited, not whose account may be changed (see `domain::account`).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundAccount {
    /// The request's workspace.
    pub team_id: TeamId,
    /// The workspace the account lives in, when not `team_id` (group sync's target team).
    pub account_team: Option<TeamId>,
    pub slack_user_id: Option<String>,
    pub external_id: Option<String>,
}

impl BoundAccount {
    /// The workspace the account lives in.
    pub fn team(&self) -> &TeamId {
        self.account_team.as_ref().unwrap_or(&self.team_id)
    }
}

/// A bound account that was read again by its id just now and is still a guest. Its fields are
/// private to this module, so only a provisioner's `check` makes one: every change to an
/// account goes through that check first, by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedGuest {
    team_id: TeamId,
    /// The id the provisioner acts on (a Slack user id, or a SCIM id).
    id: String,
    standing: Standing,
}

impl VerifiedGuest {
    fn new(team_id: TeamId, id: String, standing: Standing) -> Self {
        Self {
            team_id,
            id,
            standing,
        }
    }

    /// The id that was checked (shown in audit rows).
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn standing(&self) -> Standing {
        self.standing
    }
}

/// What a provisioner's `check` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// Still that account and still a guest: the change may be made.
    Proceed(VerifiedGuest),
    /// Nothing to do (deactivating an account that is already off or gone).
    AlreadyDone,
    /// No call may be made, for this reason.
    Refused(Refusal),
}

impl Checked {
    /// Applies the rule of `domain::account::check` to what the directory said.
    fn from_observed(
        team_id: &TeamId,
        bound: &str,
        observed: Option<&Observed>,
        change: Change,
    ) -> Self {
        match (check(bound, observed, change), observed) {
            (Verdict::Proceed, Some(seen)) => Checked::Proceed(VerifiedGuest::new(
                team_id.clone(),
                bound.to_string(),
                seen.standing,
            )),
            (Verdict::Proceed, None) | (Verdict::AlreadyDone, _) => Checked::AlreadyDone,
            (Verdict::Refuse(refusal), _) => Checked::Refused(refusal),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Invited {
    /// An invitation went out; `note` is something approvers should know about it. A known
    /// `slack_user_id` / `external_id` is the account Guestlist just created: the binding.
    Sent {
        slack_user_id: Option<String>,
        external_id: Option<String>,
        note: Option<String>,
    },
    /// The person already had a guest account (checked just now): it is linked.
    Existing(VerifiedGuest),
    /// The email belongs to a full member: nothing was created, nothing will be changed.
    AlreadyMember { detail: String },
    /// An admin has to do it (manual mode).
    AdminTask,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Completed,
    /// An admin has to do it (manual mode).
    AdminTask,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProvisionError {
    /// Something about the request itself (e.g. `invalid_email`); goes back to the requester.
    #[error("{0}")]
    Request(String),
    /// Our setup is wrong (missing admin rights, feature off); approvers are told.
    #[error("{0}")]
    Configuration(String),
    /// Guestlist will not do it (an account it may not take over); approvers are told.
    #[error("{0}")]
    Refused(String),
    /// Try again later.
    #[error("{0}")]
    Transient(String),
    /// The directory asked us to wait this long.
    #[error("rate limited for {}s", .0.as_secs())]
    RateLimited(std::time::Duration),
    /// Retrying will not help, and it is nobody's input error.
    #[error("{0}")]
    Fatal(String),
}

#[async_trait]
pub trait Provisioner: Send + Sync {
    fn mode(&self) -> ProvisioningMode;

    /// Sends an invitation (or a new one, when `resend`). An account that already exists is
    /// linked only if it is a guest.
    async fn invite(&self, invitation: &Invitation) -> Result<Invited, ProvisionError>;

    /// Reads the bound account again, by its id, and says whether `change` may be made to it.
    async fn check(
        &self,
        account: &BoundAccount,
        change: Change,
    ) -> Result<Checked, ProvisionError>;

    /// Moves the account's deadline in the directory, where the directory keeps one.
    async fn set_expiry(
        &self,
        guest: &VerifiedGuest,
        at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError>;

    /// Ends access.
    async fn deactivate(&self, guest: &VerifiedGuest) -> Result<Done, ProvisionError>;

    /// Makes a guest a full member.
    async fn make_member(&self, guest: &VerifiedGuest) -> Result<Done, ProvisionError>;

    /// Writes what the directory keeps of the guest's profile (Slack: the job title) once the
    /// account exists. Directories that took it with the invitation (SCIM) need nothing more;
    /// elsewhere an admin does it.
    async fn set_profile(
        &self,
        _guest: &VerifiedGuest,
        _profile: &crate::domain::profile::Profile,
    ) -> Result<Done, ProvisionError> {
        Ok(Done::AdminTask)
    }

    /// Adds the guest to `add` and takes it out of `remove`. Where the directory has no
    /// channels (SCIM, manual), an admin does it.
    async fn change_channels(
        &self,
        _guest: &VerifiedGuest,
        _add: &[ChannelId],
        _remove: &[ChannelId],
    ) -> Result<Done, ProvisionError> {
        Ok(Done::AdminTask)
    }
}

/// What became of a change to a bound account.
#[derive(Debug, Clone, PartialEq)]
pub enum Changed {
    /// Made (or handed to an admin), on the account with this id.
    Made { done: Done, id: String },
    /// Nothing was needed.
    AlreadyDone,
    /// Not made, and why.
    Refused(Refusal),
}

/// Checks the bound account, then makes the change: the one way the workflow changes accounts.
pub async fn change_account(
    provisioner: &dyn Provisioner,
    account: &BoundAccount,
    change: Change,
    expires_at: Option<DateTime<Utc>>,
) -> Result<Changed, ProvisionError> {
    let guest = match provisioner.check(account, change).await? {
        Checked::Proceed(guest) => guest,
        Checked::AlreadyDone => return Ok(Changed::AlreadyDone),
        Checked::Refused(refusal) => return Ok(Changed::Refused(refusal)),
    };
    let done = match (change, expires_at) {
        (Change::SetExpiry, Some(at)) => provisioner.set_expiry(&guest, at).await?,
        (Change::SetExpiry, None) => return Ok(Changed::AlreadyDone),
        (Change::Deactivate, _) => provisioner.deactivate(&guest).await?,
        (Change::MakeMember, _) => provisioner.make_member(&guest).await?,
        (Change::Channels, _) | (Change::Profile, _) => {
            return Err(ProvisionError::Fatal(
                "channel and profile changes have their own functions".into(),
            ));
        }
        (Change::Reactivate, _) => {
            return Err(ProvisionError::Fatal(
                "reactivation happens only inside an invitation".into(),
            ));
        }
    };
    Ok(Changed::Made { done, id: guest.id })
}

/// Checks the bound account, then writes its profile.
pub async fn change_profile(
    provisioner: &dyn Provisioner,
    account: &BoundAccount,
    profile: &crate::domain::profile::Profile,
) -> Result<Changed, ProvisionError> {
    let guest = match provisioner.check(account, Change::Profile).await? {
        Checked::Proceed(guest) => guest,
        Checked::AlreadyDone => return Ok(Changed::AlreadyDone),
        Checked::Refused(refusal) => return Ok(Changed::Refused(refusal)),
    };
    let done = provisioner.set_profile(&guest, profile).await?;
    Ok(Changed::Made { done, id: guest.id })
}

/// Checks the bound account, then changes its channels.
pub async fn change_channels(
    provisioner: &dyn Provisioner,
    account: &BoundAccount,
    add: &[ChannelId],
    remove: &[ChannelId],
) -> Result<Changed, ProvisionError> {
    let guest = match provisioner.check(account, Change::Channels).await? {
        Checked::Proceed(guest) => guest,
        Checked::AlreadyDone => return Ok(Changed::AlreadyDone),
        Checked::Refused(refusal) => return Ok(Changed::Refused(refusal)),
    };
    let done = provisioner.change_channels(&guest, add, remove).await?;
    Ok(Changed::Made { done, id: guest.id })
}

/// First and last name from a full name, for directories that want them apart.
pub(crate) fn split_name(full: &str) -> (String, String) {
    let full = full.trim();
    match full.rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_string(), family.trim().to_string()),
        None => (full.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_split_on_the_last_space() {
        assert_eq!(
            super::split_name("Grace Brewster Hopper"),
            ("Grace Brewster".into(), "Hopper".into())
        );
        assert_eq!(super::split_name("Cher"), ("Cher".into(), String::new()));
    }
}
