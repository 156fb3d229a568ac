//! Manual mode (Slack Free/Pro/Business+ without SCIM): the bot posts a task for an admin and
//! keeps track; Slack's own UI does the inviting and deactivating. The bot changes no account
//! itself, and it asks an admin to change only a bound account it has just read again with
//! `users.info` and found to be a guest.

use super::*;
use crate::slack::SlackApi;

pub struct ManualProvisioner {
    slack: SlackApi,
}

impl ManualProvisioner {
    pub fn new(slack: SlackApi) -> Self {
        Self { slack }
    }
}

#[async_trait]
impl Provisioner for ManualProvisioner {
    fn mode(&self) -> ProvisioningMode {
        ProvisioningMode::Manual
    }

    async fn invite(&self, _invitation: &Invitation) -> Result<Invited, ProvisionError> {
        Ok(Invited::AdminTask)
    }

    async fn check(
        &self,
        account: &BoundAccount,
        change: Change,
    ) -> Result<Checked, ProvisionError> {
        let Some(id) = &account.slack_user_id else {
            return Ok(Checked::Refused(Refusal::Unbound));
        };
        let observed = match self.slack.user_info(&id.as_str().into()).await {
            Ok(user) => Some(Observed {
                id: user.id.0.clone(),
                standing: Standing::from_slack_flags(
                    user.flags.is_restricted.unwrap_or(false),
                    user.flags.is_ultra_restricted.unwrap_or(false),
                ),
                deactivated: user.deleted.unwrap_or(false),
            }),
            Err(e) if e.code() == Some("user_not_found") => None,
            Err(e) if e.retry_after().is_some() => {
                return Err(ProvisionError::RateLimited(
                    e.retry_after().unwrap_or_default(),
                ));
            }
            Err(e) => return Err(ProvisionError::Transient(e.to_string())),
        };
        Ok(Checked::from_observed(
            account.team(),
            id,
            observed.as_ref(),
            change,
        ))
    }

    async fn set_expiry(
        &self,
        _guest: &VerifiedGuest,
        _at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError> {
        // The bot itself enforces the deadline with a "Deactivate now" task.
        Ok(Done::Completed)
    }

    async fn deactivate(&self, _guest: &VerifiedGuest) -> Result<Done, ProvisionError> {
        Ok(Done::AdminTask)
    }

    async fn make_member(&self, _guest: &VerifiedGuest) -> Result<Done, ProvisionError> {
        Ok(Done::AdminTask)
    }
}
