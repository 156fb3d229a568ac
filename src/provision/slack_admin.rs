//! Enterprise Grid: `admin.users.invite`, `.setExpiration`, `.remove` and `.setRegular` with the
//! org admin user token (`SLACK_ADMIN_TOKEN`). slack-morphism does not model `admin.*`, so these
//! go through its generic `http_post`.

use super::*;
use crate::slack::{SlackApi, SlackCallError, TokenKind};
use serde_json::{Value, json};

pub struct SlackAdminProvisioner {
    slack: SlackApi,
}

impl SlackAdminProvisioner {
    pub fn new(slack: SlackApi) -> Self {
        Self { slack }
    }

    async fn call(&self, method: &'static str, body: Value) -> Result<(), SlackCallError> {
        self.slack
            .post_method::<Value, Value>(method, TokenKind::Admin, &body)
            .await
            .map(|_| ())
    }

    async fn user_id(&self, account: &Account) -> Result<Option<String>, ProvisionError> {
        if let Some(id) = &account.slack_user_id {
            return Ok(Some(id.clone()));
        }
        let found = self
            .slack
            .lookup_user_by_email(account.email.as_str())
            .await
            .map_err(map_error)?;
        Ok(found.map(|u| u.id.0))
    }
}

/// Slack's documented `admin.users.*` errors, sorted by who can fix them.
fn map_error(e: SlackCallError) -> ProvisionError {
    let code = e.code().unwrap_or_default().to_string();
    match code.as_str() {
        "invalid_email" => ProvisionError::Request("Slack says this is not a valid email address.".into()),
        "user_disabled" => ProvisionError::Request("This person's Slack account is disabled; an admin has to reactivate it.".into()),
        "not_an_admin" => ProvisionError::Configuration(
            "not_an_admin: the user behind SLACK_ADMIN_TOKEN must be an Org Admin or Owner.".into(),
        ),
        "feature_not_enabled" => ProvisionError::Configuration(
            "feature_not_enabled: guest invitations through the admin API need Enterprise Grid with guest accounts enabled.".into(),
        ),
        "admin_token_not_configured" => ProvisionError::Configuration(
            "provisioning.mode is slack_admin but SLACK_ADMIN_TOKEN is not set.".into(),
        ),
        "not_allowed_token_type" | "missing_scope" | "invalid_auth" | "not_authed" | "token_revoked" | "team_not_found" => {
            ProvisionError::Configuration(format!(
                "{code}: SLACK_ADMIN_TOKEN must be an org-level user token with admin.users:write."
            ))
        }
        c if c.starts_with("failed_to_validate_") => ProvisionError::Configuration(format!(
            "{c}: Slack refused part of the invitation (check the channels, the expiration and the custom message)."
        )),
        _ if e.retry_after().is_some() => ProvisionError::RateLimited(e.retry_after().unwrap_or_default()),
        _ if e.is_retryable() => ProvisionError::Transient(e.to_string()),
        _ => ProvisionError::Fatal(e.to_string()),
    }
}

#[async_trait]
impl Provisioner for SlackAdminProvisioner {
    fn mode(&self) -> ProvisioningMode {
        ProvisioningMode::SlackAdmin
    }

    async fn invite(&self, invitation: &Invitation) -> Result<Invited, ProvisionError> {
        let channel_ids: Vec<&str> = invitation.channels.iter().map(|c| c.as_str()).collect();
        let mut body = json!({
            "team_id": invitation.team_id.as_str(),
            "email": invitation.email.as_str(),
            "channel_ids": channel_ids.join(","),
            "real_name": invitation.full_name,
            "resend": invitation.resend,
        });
        match invitation.guest_type {
            GuestType::SingleChannel => body["is_ultra_restricted"] = json!(true),
            GuestType::MultiChannel => body["is_restricted"] = json!(true),
            GuestType::Member => {}
        }
        if let (Some(at), true) = (
            invitation.expires_at,
            invitation.guest_type != GuestType::Member,
        ) {
            body["guest_expiration_ts"] = json!(at.timestamp().to_string());
        }
        if let Some(message) = &invitation.custom_message {
            body["custom_message"] = json!(message);
        }
        match self.call("admin.users.invite", body).await {
            Ok(()) => Ok(Invited::Sent {
                slack_user_id: None,
                external_id: None,
                note: None,
            }),
            // Already there: link the account instead of failing.
            Err(e) if e.code() == Some("already_in_team") => {
                let account = Account {
                    team_id: invitation.team_id.clone(),
                    email: invitation.email.clone(),
                    slack_user_id: None,
                    external_id: None,
                };
                Ok(Invited::Existing {
                    slack_user_id: self.user_id(&account).await?,
                    external_id: None,
                })
            }
            Err(e) if e.code() == Some("already_in_team_invited_user") => Ok(Invited::Sent {
                slack_user_id: None,
                external_id: None,
                note: None,
            }),
            Err(e) => Err(map_error(e)),
        }
    }

    async fn set_expiry(
        &self,
        account: &Account,
        at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError> {
        let Some(user_id) = self.user_id(account).await? else {
            // Not joined yet: the invitation carried the expiry, and the bot's own timer checks it.
            tracing::info!(email = %account.email, "no account yet to set an expiration on");
            return Ok(Done::Completed);
        };
        let body = json!({"team_id": account.team_id.as_str(), "user_id": user_id, "expiration_ts": at.timestamp()});
        self.call("admin.users.setExpiration", body)
            .await
            .map_err(map_error)?;
        Ok(Done::Completed)
    }

    async fn deactivate(&self, account: &Account) -> Result<Done, ProvisionError> {
        let Some(user_id) = self.user_id(account).await? else {
            return Ok(Done::Completed);
        };
        match self
            .call(
                "admin.users.remove",
                json!({"team_id": account.team_id.as_str(), "user_id": user_id}),
            )
            .await
        {
            Ok(()) => Ok(Done::Completed),
            Err(e)
                if e.code() == Some("user_already_deleted")
                    || e.code() == Some("user_not_found") =>
            {
                Ok(Done::Completed)
            }
            Err(e) => Err(map_error(e)),
        }
    }

    async fn make_member(&self, account: &Account) -> Result<Done, ProvisionError> {
        let user_id = self.user_id(account).await?.ok_or_else(|| {
            ProvisionError::Request(
                "The guest has not joined yet, so there is no account to convert.".into(),
            )
        })?;
        self.call(
            "admin.users.setRegular",
            json!({"team_id": account.team_id.as_str(), "user_id": user_id}),
        )
        .await
        .map_err(map_error)?;
        Ok(Done::Completed)
    }

    async fn is_active(&self, account: &Account) -> Result<Option<bool>, ProvisionError> {
        let Some(user_id) = self.user_id(account).await? else {
            return Ok(None);
        };
        match self.slack.user_info(&user_id.as_str().into()).await {
            Ok(user) => Ok(Some(!user.deleted.unwrap_or(false))),
            Err(e) if e.code() == Some("user_not_found") => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> SlackCallError {
        SlackCallError::Api {
            method: "admin.users.invite",
            code: code.into(),
        }
    }

    #[test]
    fn documented_errors_are_sorted_by_who_can_fix_them() {
        assert!(matches!(
            map_error(api("invalid_email")),
            ProvisionError::Request(_)
        ));
        for code in [
            "not_an_admin",
            "feature_not_enabled",
            "failed_to_validate_channels",
            "failed_to_validate_expiration",
            "missing_scope",
        ] {
            assert!(
                matches!(map_error(api(code)), ProvisionError::Configuration(_)),
                "{code}"
            );
        }
        assert!(matches!(
            map_error(api("internal_error")),
            ProvisionError::Transient(_)
        ));
        assert!(matches!(
            map_error(api("failed_to_send_invite")),
            ProvisionError::Fatal(_)
        ));
        let limited = SlackCallError::RateLimited {
            method: "admin.users.invite",
            retry_after: std::time::Duration::from_secs(3),
        };
        assert!(matches!(map_error(limited), ProvisionError::RateLimited(d) if d.as_secs() == 3));
    }
}
