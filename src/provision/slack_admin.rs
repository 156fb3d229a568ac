//! Enterprise Grid: `admin.users.invite` / `.assign`, `.setExpiration`, `.remove` and
//! `.setRegular` with the org admin user token (`SLACK_ADMIN_TOKEN`). slack-morphism does not
//! model `admin.*`, so these go through its generic `http_post`.
//!
//! Every change goes to the bound user id, after `check` read that id again: `users.info` in
//! the request's own workspace, `admin.users.list` in another workspace of the organisation
//! (a user's guest flags are per workspace, and `users.info` answers for the token's).

use super::*;
use crate::slack::{SlackApi, SlackCallError, TokenKind};
use serde::Deserialize;
use serde_json::{Value, json};

pub struct SlackAdminProvisioner {
    slack: SlackApi,
}

/// One user as `admin.users.list` lists them.
#[derive(Debug, Deserialize)]
struct AdminUser {
    id: String,
    #[serde(default)]
    is_restricted: bool,
    #[serde(default)]
    is_ultra_restricted: bool,
    #[serde(default = "active_by_default")]
    is_active: bool,
}

fn active_by_default() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct AdminUsersPage {
    #[serde(default)]
    users: Vec<AdminUser>,
    #[serde(default)]
    response_metadata: Option<NextCursor>,
}

#[derive(Debug, Deserialize)]
struct NextCursor {
    #[serde(default)]
    next_cursor: Option<String>,
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

    /// Whether `user` is in `channel` (`conversations.members`, every page, admin token).
    async fn is_member(&self, channel: &ChannelId, user: &str) -> Result<bool, ProvisionError> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            members: Vec<String>,
            response_metadata: Option<Cursor>,
        }
        #[derive(serde::Deserialize)]
        struct Cursor {
            next_cursor: Option<String>,
        }
        let mut body = json!({"channel": channel.as_str(), "limit": 1000});
        // At most a million members read (a thousand pages), then a clear error.
        for _ in 0..1000 {
            let page: Page = self
                .slack
                .post_method("conversations.members", TokenKind::Admin, &body)
                .await
                .map_err(map_error)?;
            if page.members.iter().any(|m| m == user) {
                return Ok(true);
            }
            match page
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.is_empty())
            {
                Some(next) => body["cursor"] = json!(next),
                None => return Ok(false),
            }
        }
        Err(ProvisionError::Fatal(format!(
            "conversations.members of {channel}: too many pages"
        )))
    }

    /// The account with this id as the request's workspace sees it (`None`: no such user).
    async fn observe_here(&self, id: &str) -> Result<Option<Observed>, ProvisionError> {
        match self.slack.user_info(&id.into()).await {
            Ok(user) => Ok(Some(Observed {
                id: user.id.0.clone(),
                standing: Standing::from_slack_flags(
                    user.flags.is_restricted.unwrap_or(false),
                    user.flags.is_ultra_restricted.unwrap_or(false),
                ),
                deactivated: user.deleted.unwrap_or(false),
            })),
            Err(e) if e.code() == Some("user_not_found") => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    /// The account with this id as another workspace of the organisation sees it, from that
    /// workspace's `admin.users.list` (`None`: not a member of it). Slack has no look-up of
    /// one user there, so the list is paged: first its guests only (`only_guests`, a short
    /// list, and where a guest Guestlist manages is found), then, when the account is not
    /// among them, everyone, to tell a promoted member from someone who left.
    async fn observe_in(
        &self,
        team: &TeamId,
        id: &str,
    ) -> Result<Option<Observed>, ProvisionError> {
        match self.find_in(team, id, true).await? {
            Some(found) => Ok(Some(found)),
            None => self.find_in(team, id, false).await,
        }
    }

    async fn find_in(
        &self,
        team: &TeamId,
        id: &str,
        only_guests: bool,
    ) -> Result<Option<Observed>, ProvisionError> {
        /// 100 a page: a workspace of 100,000 people.
        const MAX_PAGES: usize = 1000;
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut body = json!({"team_id": team.as_str(), "limit": 100});
            if only_guests {
                body["only_guests"] = json!(true);
            }
            if let Some(cursor) = &cursor {
                body["cursor"] = json!(cursor);
            }
            let page: AdminUsersPage = self
                .slack
                .post_method("admin.users.list", TokenKind::Admin, &body)
                .await
                .map_err(map_error)?;
            if let Some(user) = page.users.into_iter().find(|u| u.id == id) {
                return Ok(Some(Observed {
                    id: user.id,
                    standing: Standing::from_slack_flags(
                        user.is_restricted,
                        user.is_ultra_restricted,
                    ),
                    deactivated: !user.is_active,
                }));
            }
            match page
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.is_empty())
            {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
        Err(ProvisionError::Fatal(format!(
            "admin.users.list of {team}: more than {MAX_PAGES} pages"
        )))
    }

    async fn observe(
        &self,
        account: &BoundAccount,
        id: &str,
    ) -> Result<Option<Observed>, ProvisionError> {
        match &account.account_team {
            Some(team) => self.observe_in(team, id).await,
            None => self.observe_here(id).await,
        }
    }

    /// `already_in_team`: the email has an account here. Linked only if it is a guest.
    async fn existing_account(&self, invitation: &Invitation) -> Result<Invited, ProvisionError> {
        let Some(user) = self
            .slack
            .lookup_user_by_email(invitation.email.as_str())
            .await
            .map_err(map_error)?
        else {
            return Err(ProvisionError::Transient(
                "Slack says the email is in the workspace, but users.lookupByEmail does not find it yet".into(),
            ));
        };
        let standing = Standing::from_slack_flags(
            user.flags.is_restricted.unwrap_or(false),
            user.flags.is_ultra_restricted.unwrap_or(false),
        );
        if !crate::domain::account::may_link(standing) {
            return Ok(Invited::AlreadyMember {
                detail: format!("{} is a full member of this workspace", invitation.email),
            });
        }
        Ok(Invited::Existing(VerifiedGuest::new(
            invitation.team_id.clone(),
            user.id.0,
            standing,
        )))
    }

    /// A person of the organisation made a guest of another workspace (`admin.users.assign`).
    async fn assign(&self, invitation: &Invitation, user: &str) -> Result<Invited, ProvisionError> {
        let channel_ids: Vec<&str> = invitation.channels.iter().map(|c| c.as_str()).collect();
        let mut body = json!({
            "team_id": invitation.team_id.as_str(),
            "user_id": user,
            "channel_ids": channel_ids.join(","),
        });
        match invitation.guest_type {
            GuestType::SingleChannel => body["is_ultra_restricted"] = json!(true),
            GuestType::MultiChannel => body["is_restricted"] = json!(true),
            GuestType::Member => {}
        }
        match self.call("admin.users.assign", body).await {
            // The membership Guestlist just made is the binding.
            Ok(()) => Ok(Invited::Existing(VerifiedGuest::new(
                invitation.team_id.clone(),
                user.to_string(),
                if invitation.guest_type == GuestType::SingleChannel {
                    Standing::SingleChannelGuest
                } else {
                    Standing::MultiChannelGuest
                },
            ))),
            Err(e) if e.code() == Some("user_already_team_member") => {
                match self.observe_in(&invitation.team_id, user).await? {
                    Some(seen) if seen.standing.is_guest() && !seen.deactivated => {
                        Ok(Invited::Existing(VerifiedGuest::new(
                            invitation.team_id.clone(),
                            user.to_string(),
                            seen.standing,
                        )))
                    }
                    _ => Ok(Invited::AlreadyMember {
                        detail: format!("{user} is already a member of {}", invitation.team_id),
                    }),
                }
            }
            Err(e) => Err(map_error(e)),
        }
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
        "invitor_cannot_see_channel" | "invalid_role_for_user" => ProvisionError::Configuration(format!(
            "{code}: Slack refused to add the person to the workspace (check the rule's channels and the admin's rights)."
        )),
        "user_is_not_a_guest" => ProvisionError::Refused(
            "Slack says this account is not a guest; Guestlist will not change it.".into(),
        ),
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
        if let Some(user) = &invitation.assign_user {
            return self.assign(invitation, user).await;
        }
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
            Err(e) if e.code() == Some("already_in_team") => {
                self.existing_account(invitation).await
            }
            Err(e) if e.code() == Some("already_in_team_invited_user") => Ok(Invited::Sent {
                slack_user_id: None,
                external_id: None,
                note: None,
            }),
            Err(e) => Err(map_error(e)),
        }
    }

    async fn check(
        &self,
        account: &BoundAccount,
        change: Change,
    ) -> Result<Checked, ProvisionError> {
        let Some(id) = &account.slack_user_id else {
            return Ok(Checked::Refused(Refusal::Unbound));
        };
        let observed = self.observe(account, id).await?;
        Ok(Checked::from_observed(
            account.team(),
            id,
            observed.as_ref(),
            change,
        ))
    }

    async fn set_expiry(
        &self,
        guest: &VerifiedGuest,
        at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError> {
        let body = json!({"team_id": guest.team_id.as_str(), "user_id": guest.id, "expiration_ts": at.timestamp()});
        self.call("admin.users.setExpiration", body)
            .await
            .map_err(map_error)?;
        Ok(Done::Completed)
    }

    /// Grid: `admin.conversations.invite` (org admin token) adds; `conversations.kick` (the same
    /// token: the admin must be able to see the channel) takes out. Already there / already
    /// gone count as done.
    async fn change_channels(
        &self,
        guest: &VerifiedGuest,
        add: &[ChannelId],
        remove: &[ChannelId],
    ) -> Result<Done, ProvisionError> {
        for channel in add {
            match self
                .call(
                    "admin.conversations.invite",
                    json!({"channel_id": channel.as_str(), "user_ids": guest.id}),
                )
                .await
            {
                Ok(()) => {}
                Err(e) if e.code() == Some("already_in_channel") => {}
                Err(e) => return Err(map_error(e)),
            }
        }
        for channel in remove {
            match self
                .call(
                    "conversations.kick",
                    json!({"channel": channel.as_str(), "user": guest.id}),
                )
                .await
            {
                Ok(()) => {}
                // Slack says `not_in_channel` both when the guest is not there and when the
                // caller cannot act in the channel: only the channel's members tell which.
                Err(e) if e.code() == Some("not_in_channel") => {
                    if self.is_member(channel, &guest.id).await? {
                        return Err(ProvisionError::Configuration(format!(
                            "not_in_channel: Slack would not take the guest out of {channel}, \
                             though they are in it (the admin behind SLACK_ADMIN_TOKEN must be \
                             able to act in that channel)."
                        )));
                    }
                }
                Err(e) => return Err(map_error(e)),
            }
        }
        Ok(Done::Completed)
    }

    async fn deactivate(&self, guest: &VerifiedGuest) -> Result<Done, ProvisionError> {
        match self
            .call(
                "admin.users.remove",
                json!({"team_id": guest.team_id.as_str(), "user_id": guest.id}),
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

    /// `users.profile.set` with the admin token on the guest's account: Slack lets an admin
    /// write another person's title on paid plans; where it does not (`not_admin`,
    /// `cannot_update_admin_user`, `not_allowed`), an admin sets it by hand.
    async fn set_profile(
        &self,
        guest: &VerifiedGuest,
        profile: &crate::domain::profile::Profile,
    ) -> Result<Done, ProvisionError> {
        let Some(title) = &profile.title else {
            return Ok(Done::Completed);
        };
        match self
            .call(
                "users.profile.set",
                json!({"user": guest.id, "profile": {"title": title}}),
            )
            .await
        {
            Ok(()) => Ok(Done::Completed),
            Err(e)
                if matches!(
                    e.code(),
                    Some(
                        "not_admin" | "cannot_update_admin_user" | "not_allowed" | "missing_scope"
                    )
                ) =>
            {
                Ok(Done::AdminTask)
            }
            Err(e) => Err(map_error(e)),
        }
    }

    async fn make_member(&self, guest: &VerifiedGuest) -> Result<Done, ProvisionError> {
        self.call(
            "admin.users.setRegular",
            json!({"team_id": guest.team_id.as_str(), "user_id": guest.id}),
        )
        .await
        .map_err(map_error)?;
        Ok(Done::Completed)
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
            map_error(api("user_is_not_a_guest")),
            ProvisionError::Refused(_)
        ));
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
