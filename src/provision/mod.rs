//! Provisioning: turning an approved request into a real account and ending it on time, through
//! Enterprise Grid's admin API, SCIM 2.0, or an admin doing it by hand while the bot keeps track.
//! One trait; the workflow does not know which one it talks to.

mod manual;
mod scim;
mod slack_admin;

pub use manual::ManualProvisioner;
pub use scim::{ScimProvisioner, ScimSettings};
pub use slack_admin::SlackAdminProvisioner;

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
}

impl Provisioners {
    pub fn new(default: SharedProvisioner) -> Self {
        Self {
            default,
            by_rule: Default::default(),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub team_id: TeamId,
    pub email: Email,
    pub full_name: String,
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expires_at: Option<DateTime<Utc>>,
    pub custom_message: Option<String>,
    /// A new invitation replacing an earlier one.
    pub resend: bool,
    /// The provisioner's id for the account, when it exists already (SCIM resend).
    pub external_id: Option<String>,
    /// The guest's phone (E.164), for directories that keep one (SCIM `phoneNumbers`).
    pub phone: Option<String>,
}

/// An existing (or invited) account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub team_id: TeamId,
    pub email: Email,
    pub slack_user_id: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Invited {
    /// An invitation went out; `note` is something approvers should know about it.
    Sent {
        slack_user_id: Option<String>,
        external_id: Option<String>,
        note: Option<String>,
    },
    /// The person already has an account: it is linked instead of invited.
    Existing {
        slack_user_id: Option<String>,
        external_id: Option<String>,
    },
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

    /// Sends an invitation (or a new one, when `resend`).
    async fn invite(&self, invitation: &Invitation) -> Result<Invited, ProvisionError>;

    /// Moves the account's deadline in the directory, where the directory keeps one.
    async fn set_expiry(
        &self,
        account: &Account,
        at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError>;

    /// Ends access.
    async fn deactivate(&self, account: &Account) -> Result<Done, ProvisionError>;

    /// Makes a guest a full member.
    async fn make_member(&self, account: &Account) -> Result<Done, ProvisionError>;

    /// Whether the account is active in the directory (`None`: unknown or not found).
    async fn is_active(&self, account: &Account) -> Result<Option<bool>, ProvisionError>;
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
