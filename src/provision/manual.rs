//! Manual mode (Slack Free/Pro/Business+ without SCIM): the bot posts a task for an admin and
//! keeps track; Slack's own UI does the inviting and deactivating.

use super::*;

#[derive(Debug, Default, Clone)]
pub struct ManualProvisioner;

#[async_trait]
impl Provisioner for ManualProvisioner {
    fn mode(&self) -> ProvisioningMode {
        ProvisioningMode::Manual
    }

    async fn invite(&self, _invitation: &Invitation) -> Result<Invited, ProvisionError> {
        Ok(Invited::AdminTask)
    }

    async fn set_expiry(
        &self,
        _account: &Account,
        _at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError> {
        // The bot itself enforces the deadline with a "Deactivate now" task.
        Ok(Done::Completed)
    }

    async fn deactivate(&self, _account: &Account) -> Result<Done, ProvisionError> {
        Ok(Done::AdminTask)
    }

    async fn make_member(&self, _account: &Account) -> Result<Done, ProvisionError> {
        Ok(Done::AdminTask)
    }

    async fn is_active(&self, _account: &Account) -> Result<Option<bool>, ProvisionError> {
        Ok(None)
    }
}
