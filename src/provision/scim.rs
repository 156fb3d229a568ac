//! SCIM 2.0 (RFC 7643/7644): Slack's SCIM API on Business+ and Grid, or any directory that speaks
//! it. Users are created with `POST /Users` (with Slack's guest extension when configured),
//! found with `filter=emails.value eq "…"`, and ended with `PATCH active=false`.

use super::*;
use crate::domain::GuestType;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Slack's guest extension: `{"type": "multi", "expiration": "…"}`.
pub const SLACK_GUEST: &str = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User";
const SCIM_JSON: &str = "application/scim+json";

#[derive(Clone)]
pub struct ScimSettings {
    /// E.g. `https://api.slack.com/scim/v2`.
    pub base_url: String,
    pub token: SecretString,
    /// Send Slack's guest extension (type and expiration) with each user.
    pub guest_extension: bool,
}

impl std::fmt::Debug for ScimSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimSettings")
            .field("base_url", &self.base_url)
            .field("token", &"[redacted]")
            .field("guest_extension", &self.guest_extension)
            .finish()
    }
}

pub struct ScimProvisioner {
    settings: ScimSettings,
    http: reqwest::Client,
}

impl ScimProvisioner {
    pub fn new(settings: ScimSettings) -> Self {
        Self {
            http: crate::slack::client::http_client(Duration::from_secs(15)),
            settings,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url.trim_end_matches('/'))
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(StatusCode, Value), ProvisionError> {
        let response = request
            .bearer_auth(self.settings.token.expose_secret())
            .header(reqwest::header::ACCEPT, SCIM_JSON)
            .send()
            .await
            .map_err(|e| ProvisionError::Transient(format!("SCIM {what}: {e}")))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let body: Value = response.json().await.unwrap_or(Value::Null);
        metrics::counter!("scim_calls_total", "call" => what.to_string(), "status" => status.as_u16().to_string()).increment(1);
        let detail = body
            .get("detail")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        match status.as_u16() {
            200..=299 | 404 | 409 => Ok((status, body)),
            401 | 403 => Err(ProvisionError::Configuration(format!(
                "SCIM {what}: the directory refused our token ({status}); check provisioning.scim and SCIM_TOKEN"
            ))),
            429 => Err(ProvisionError::RateLimited(Duration::from_secs(
                retry_after.unwrap_or(30),
            ))),
            400 => Err(ProvisionError::Request(format!(
                "SCIM {what}: the directory refused the values ({detail})"
            ))),
            s if s >= 500 => Err(ProvisionError::Transient(format!(
                "SCIM {what}: {status} {detail}"
            ))),
            _ => Err(ProvisionError::Fatal(format!(
                "SCIM {what}: {status} {detail}"
            ))),
        }
    }

    /// The SCIM user with this email, if any: (id, active).
    async fn find(&self, email: &str) -> Result<Option<(String, bool)>, ProvisionError> {
        let filter = email_filter(email);
        let (_, body) = self
            .send(
                self.http
                    .get(self.url("/Users"))
                    .query(&[("filter", filter)]),
                "find user",
            )
            .await?;
        Ok(body["Resources"]
            .as_array()
            .and_then(|users| users.first())
            .and_then(|user| {
                let id = user["id"].as_str()?.to_string();
                Some((id, user["active"].as_bool().unwrap_or(true)))
            }))
    }

    async fn id_of(&self, account: &Account) -> Result<Option<String>, ProvisionError> {
        match &account.external_id {
            Some(id) => Ok(Some(id.clone())),
            None => Ok(self.find(account.email.as_str()).await?.map(|(id, _)| id)),
        }
    }

    async fn patch(
        &self,
        id: &str,
        operations: Value,
        what: &str,
    ) -> Result<StatusCode, ProvisionError> {
        let body = json!({"schemas": [PATCH_OP], "Operations": operations});
        let request = self
            .http
            .patch(self.url(&format!("/Users/{id}")))
            .header(reqwest::header::CONTENT_TYPE, SCIM_JSON)
            .body(body.to_string());
        Ok(self.send(request, what).await?.0)
    }
}

#[async_trait]
impl Provisioner for ScimProvisioner {
    fn mode(&self) -> ProvisioningMode {
        ProvisioningMode::Scim
    }

    async fn invite(&self, invitation: &Invitation) -> Result<Invited, ProvisionError> {
        // Slack's SCIM API has no single-channel guests: they are created multi-channel.
        let note = (self.settings.guest_extension && invitation.guest_type == GuestType::SingleChannel).then(|| {
            "SCIM cannot create single-channel guests, so this one was created as a multi-channel guest; an admin can change the role in Slack.".to_string()
        });
        let existing = match &invitation.external_id {
            Some(id) => Some((id.clone(), false)),
            None => self.find(invitation.email.as_str()).await?,
        };
        if let Some((id, active)) = existing {
            if active && !invitation.resend {
                return Ok(Invited::Existing {
                    slack_user_id: None,
                    external_id: Some(id),
                });
            }
            // A deactivated user, or a resend: switching the account on sends a new invitation.
            self.patch(
                &id,
                json!([{"op": "replace", "path": "active", "value": true}]),
                "reactivate user",
            )
            .await?;
            return Ok(Invited::Sent {
                slack_user_id: None,
                external_id: Some(id),
                note,
            });
        }
        let user = user_resource(invitation, self.settings.guest_extension);
        let request = self
            .http
            .post(self.url("/Users"))
            .header(reqwest::header::CONTENT_TYPE, SCIM_JSON)
            .body(user.to_string());
        let (status, body) = self.send(request, "create user").await?;
        if status == StatusCode::CONFLICT {
            // Someone made the account meanwhile: link it.
            let found = self.find(invitation.email.as_str()).await?;
            return Ok(Invited::Existing {
                slack_user_id: None,
                external_id: found.map(|(id, _)| id),
            });
        }
        let id = body["id"].as_str().map(str::to_string);
        Ok(Invited::Sent {
            slack_user_id: None,
            external_id: id,
            note,
        })
    }

    async fn set_expiry(
        &self,
        account: &Account,
        at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError> {
        if !self.settings.guest_extension {
            // The directory keeps no deadline; the bot's own timer deactivates.
            return Ok(Done::Completed);
        }
        let Some(id) = self.id_of(account).await? else {
            return Ok(Done::Completed);
        };
        let value = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.patch(
            &id,
            json!([{"op": "replace", "path": format!("{SLACK_GUEST}:expiration"), "value": value}]),
            "set expiration",
        )
        .await?;
        Ok(Done::Completed)
    }

    async fn deactivate(&self, account: &Account) -> Result<Done, ProvisionError> {
        let Some(id) = self.id_of(account).await? else {
            return Ok(Done::Completed);
        };
        self.patch(
            &id,
            json!([{"op": "replace", "path": "active", "value": false}]),
            "deactivate user",
        )
        .await?;
        Ok(Done::Completed)
    }

    async fn make_member(&self, account: &Account) -> Result<Done, ProvisionError> {
        let id = self.id_of(account).await?.ok_or_else(|| {
            ProvisionError::Request("The directory has no account for this guest.".into())
        })?;
        if self.settings.guest_extension {
            self.patch(
                &id,
                json!([{"op": "remove", "path": SLACK_GUEST}]),
                "make member",
            )
            .await?;
        }
        Ok(Done::Completed)
    }

    async fn is_active(&self, account: &Account) -> Result<Option<bool>, ProvisionError> {
        let Some(id) = self.id_of(account).await? else {
            return Ok(None);
        };
        let (status, body) = self
            .send(
                self.http.get(self.url(&format!("/Users/{id}"))),
                "read user",
            )
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(body["active"].as_bool().unwrap_or(true)))
    }
}

/// RFC 7644 §3.4.2.2: a string in a filter is quoted, with quotes and backslashes escaped.
fn email_filter(email: &str) -> String {
    format!(
        "emails.value eq \"{}\"",
        email.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// The SCIM User for an invitation (RFC 7643 §4.1), with Slack's guest extension when asked.
fn user_resource(invitation: &Invitation, guest_extension: bool) -> Value {
    let (given, family) = split_name(&invitation.full_name);
    let mut user = json!({
        "schemas": [CORE_USER],
        "userName": invitation.email.as_str(),
        "displayName": invitation.full_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": invitation.email.as_str(), "primary": true, "type": "work"}],
        "active": true,
    });
    if let Some(phone) = &invitation.phone {
        user["phoneNumbers"] = json!([{"value": phone, "type": "work"}]);
    }
    if guest_extension && invitation.guest_type != GuestType::Member {
        let mut extension = json!({"type": "multi"});
        if let Some(at) = invitation.expires_at {
            extension["expiration"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        user["schemas"] = json!([CORE_USER, SLACK_GUEST]);
        user[SLACK_GUEST] = extension;
    }
    user
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChannelId, TeamId};

    fn invitation(guest_type: GuestType) -> Invitation {
        Invitation {
            team_id: TeamId::from("T1"),
            email: Email::parse("grace@partner.com").unwrap(),
            full_name: "Grace Brewster Hopper".into(),
            guest_type,
            channels: vec![ChannelId::from("C1")],
            expires_at: Some("2026-12-22T11:00:00Z".parse().unwrap()),
            custom_message: None,
            resend: false,
            external_id: None,
            phone: Some("+14155550100".into()),
        }
    }

    #[test]
    fn filters_quote_and_escape_the_email() {
        assert_eq!(email_filter("a@b.co"), r#"emails.value eq "a@b.co""#);
        assert_eq!(
            email_filter(r#"o"k\@b.co"#),
            r#"emails.value eq "o\"k\\@b.co""#
        );
    }

    #[test]
    fn users_carry_the_guest_extension_when_configured() {
        let user = user_resource(&invitation(GuestType::MultiChannel), true);
        assert_eq!(user["schemas"], json!([CORE_USER, SLACK_GUEST]));
        assert_eq!(user["userName"], "grace@partner.com");
        assert_eq!(user["phoneNumbers"][0]["value"], "+14155550100");
        assert_eq!(
            user["name"],
            json!({"givenName": "Grace Brewster", "familyName": "Hopper"})
        );
        assert_eq!(
            user[SLACK_GUEST],
            json!({"type": "multi", "expiration": "2026-12-22T11:00:00Z"})
        );
        let plain = user_resource(&invitation(GuestType::MultiChannel), false);
        assert_eq!(plain["schemas"], json!([CORE_USER]));
        assert!(plain.get(SLACK_GUEST).is_none());
        let member = user_resource(&invitation(GuestType::Member), true);
        assert!(
            member.get(SLACK_GUEST).is_none(),
            "full members are not guests"
        );
    }
}
