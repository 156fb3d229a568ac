//! SCIM 2.0 (RFC 7643/7644): Slack's SCIM API on Business+ and Grid, or any directory that speaks
//! it. Users are created with `POST /Users` (with Slack's guest extension when configured),
//! found with `filter=emails.value eq "…"`, and ended with `PATCH active=false`.

use super::*;
use crate::domain::GuestType;
use crate::domain::account::{Change, Refusal, Verdict, check};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643 §4.3: department, employee number, manager.
const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
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

    /// Every SCIM user whose email is exactly this one (the filter may match loosely).
    async fn find(&self, email: &str) -> Result<Vec<Observed>, ProvisionError> {
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
            .map(|users| {
                users
                    .iter()
                    .filter(|user| has_email(user, email))
                    .filter_map(observed)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The user with this id (`None`: 404).
    async fn read(&self, id: &str) -> Result<Option<Observed>, ProvisionError> {
        let (status, body) = self
            .send(
                self.http.get(self.url(&format!("/Users/{id}"))),
                "read user",
            )
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(observed(&body))
    }

    /// An account found by email when Guestlist invited: exactly one user, and a guest, or
    /// nothing is linked. A deactivated one is not switched back on: it is not this request's.
    fn link_found(
        &self,
        invitation: &Invitation,
        found: Vec<Observed>,
    ) -> Result<Option<Invited>, ProvisionError> {
        let mut found = found.into_iter();
        let Some(user) = found.next() else {
            return Ok(None);
        };
        if found.next().is_some() {
            return Err(ProvisionError::Refused(format!(
                "the directory has more than one user with the email {}; Guestlist links an account only when exactly one matches",
                invitation.email
            )));
        }
        if !crate::domain::account::may_link(user.standing) {
            return Ok(Some(Invited::AlreadyMember {
                detail: format!(
                    "{} already has a directory account that is not a guest",
                    invitation.email
                ),
            }));
        }
        if user.deactivated {
            return Err(ProvisionError::Refused(format!(
                "{} has a deactivated directory account that Guestlist did not create for this request; an admin has to reactivate it",
                invitation.email
            )));
        }
        Ok(Some(Invited::Existing(VerifiedGuest::new(
            invitation.team_id.clone(),
            user.id,
            user.standing,
        ))))
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

    /// The invitation's resource carried the profile (core and enterprise attributes).
    async fn set_profile(
        &self,
        _guest: &VerifiedGuest,
        _profile: &crate::domain::profile::Profile,
    ) -> Result<Done, ProvisionError> {
        Ok(Done::Completed)
    }

    async fn invite(&self, invitation: &Invitation) -> Result<Invited, ProvisionError> {
        // Slack's SCIM API has no single-channel guests: they are created multi-channel.
        let note = (self.settings.guest_extension && invitation.guest_type == GuestType::SingleChannel).then(|| {
            "SCIM cannot create single-channel guests, so this one was created as a multi-channel guest; an admin can change the role in Slack.".to_string()
        });
        if let Some(id) = &invitation.external_id {
            // This request's own account: the only one that may be switched back on.
            let seen = self.read(id).await?;
            match check(id, seen.as_ref(), Change::Reactivate) {
                Verdict::Proceed => {
                    self.patch(
                        id,
                        json!([{"op": "replace", "path": "active", "value": true}]),
                        "reactivate user",
                    )
                    .await?;
                    return Ok(Invited::Sent {
                        slack_user_id: None,
                        external_id: Some(id.clone()),
                        note,
                    });
                }
                Verdict::Refuse(Refusal::FullMember) => {
                    return Ok(Invited::AlreadyMember {
                        detail: format!("directory user {id} is no longer a guest"),
                    });
                }
                // Gone from the directory: a new account is created below.
                Verdict::Refuse(Refusal::NotFound) | Verdict::AlreadyDone => {}
                Verdict::Refuse(other) => {
                    return Err(ProvisionError::Refused(format!(
                        "directory user {id}: {other}"
                    )));
                }
            }
        } else if let Some(linked) =
            self.link_found(invitation, self.find(invitation.email.as_str()).await?)?
        {
            return Ok(linked);
        }
        let user = user_resource(invitation, self.settings.guest_extension);
        let request = self
            .http
            .post(self.url("/Users"))
            .header(reqwest::header::CONTENT_TYPE, SCIM_JSON)
            .body(user.to_string());
        let (status, body) = self.send(request, "create user").await?;
        if status == StatusCode::CONFLICT {
            // Someone made the account meanwhile: it is linked only if it is a single guest.
            let found = self.find(invitation.email.as_str()).await?;
            return self.link_found(invitation, found)?.ok_or_else(|| {
                ProvisionError::Transient(
                    "the directory reported a conflict but no user with this email".into(),
                )
            });
        }
        // The account Guestlist just created is the binding.
        let id = body["id"].as_str().map(str::to_string);
        Ok(Invited::Sent {
            slack_user_id: None,
            external_id: id,
            note,
        })
    }

    async fn check(
        &self,
        account: &BoundAccount,
        change: Change,
    ) -> Result<Checked, ProvisionError> {
        let Some(id) = &account.external_id else {
            return Ok(Checked::Refused(Refusal::Unbound));
        };
        let seen = self.read(id).await?;
        Ok(Checked::from_observed(
            account.team(),
            id,
            seen.as_ref(),
            change,
        ))
    }

    async fn set_expiry(
        &self,
        guest: &VerifiedGuest,
        at: DateTime<Utc>,
    ) -> Result<Done, ProvisionError> {
        if !self.settings.guest_extension {
            // The directory keeps no deadline; the bot's own timer deactivates.
            return Ok(Done::Completed);
        }
        let value = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.patch(
            &guest.id,
            json!([{"op": "replace", "path": format!("{SLACK_GUEST}:expiration"), "value": value}]),
            "set expiration",
        )
        .await?;
        Ok(Done::Completed)
    }

    async fn deactivate(&self, guest: &VerifiedGuest) -> Result<Done, ProvisionError> {
        self.patch(
            &guest.id,
            json!([{"op": "replace", "path": "active", "value": false}]),
            "deactivate user",
        )
        .await?;
        Ok(Done::Completed)
    }

    async fn make_member(&self, guest: &VerifiedGuest) -> Result<Done, ProvisionError> {
        let mut operations =
            vec![json!({"op": "replace", "path": "userType", "value": MEMBER_TYPE})];
        if self.settings.guest_extension {
            operations.push(json!({"op": "remove", "path": SLACK_GUEST}));
        }
        self.patch(&guest.id, Value::Array(operations), "make member")
            .await?;
        Ok(Done::Completed)
    }
}

/// `userType` of the accounts Guestlist creates, and of a guest made a full member (RFC 7643
/// §4.1.1): it marks a guest in directories without Slack's guest extension.
const GUEST_TYPE: &str = "Guest";
const MEMBER_TYPE: &str = "Member";

/// A SCIM user's id, standing and state. A guest carries Slack's guest extension or the
/// `userType` Guestlist gives its guests; anyone else is a full member.
fn observed(user: &Value) -> Option<Observed> {
    let id = user["id"].as_str()?.to_string();
    let has_extension = user.get(SLACK_GUEST).is_some_and(Value::is_object)
        || user["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(SLACK_GUEST)));
    let guest_type = user["userType"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(GUEST_TYPE));
    let standing = if has_extension || guest_type {
        Standing::MultiChannelGuest
    } else {
        Standing::FullMember
    };
    Some(Observed {
        id,
        standing,
        deactivated: !user["active"].as_bool().unwrap_or(true),
    })
}

/// Whether one of the user's emails (or its userName) is exactly `email`, case aside.
fn has_email(user: &Value, email: &str) -> bool {
    let same = |v: &Value| v.as_str().is_some_and(|e| e.eq_ignore_ascii_case(email));
    user["emails"]
        .as_array()
        .is_some_and(|emails| emails.iter().any(|e| same(&e["value"])))
        || same(&user["userName"])
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
        "userType": GUEST_TYPE,
        "active": true,
    });
    let profile = &invitation.profile;
    if let Some(phone) = &profile.phone {
        user["phoneNumbers"] = json!([{"value": phone, "type": "work"}]);
    }
    if let Some(title) = &profile.title {
        user["title"] = json!(title);
    }
    let mut schemas = vec![CORE_USER];
    // RFC 7643 §4.3: department, employee number and manager belong to the enterprise
    // extension (Slack's SCIM API reads it too). A manager is named by their SCIM id, which
    // in Slack is their user id.
    let mut enterprise = serde_json::Map::new();
    if let Some(department) = &profile.department {
        enterprise.insert("department".into(), json!(department));
    }
    if let Some(number) = &profile.employee_id {
        enterprise.insert("employeeNumber".into(), json!(number));
    }
    if let Some(manager) = &profile.manager {
        enterprise.insert("manager".into(), json!({"value": manager.as_str()}));
    }
    if !enterprise.is_empty() {
        schemas.push(ENTERPRISE_USER);
        user[ENTERPRISE_USER] = Value::Object(enterprise);
    }
    user["schemas"] = json!(schemas);
    if invitation.guest_type == GuestType::Member {
        user["userType"] = json!(MEMBER_TYPE);
    }
    if guest_extension && invitation.guest_type != GuestType::Member {
        let mut extension = json!({"type": "multi"});
        if let Some(at) = invitation.expires_at {
            extension["expiration"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        schemas.push(SLACK_GUEST);
        user["schemas"] = json!(schemas);
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
            assign_user: None,
            profile: crate::domain::profile::Profile {
                phone: Some("+14155550100".into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn only_accounts_marked_as_guests_read_as_guests() {
        let slack_guest = json!({"id": "1", "schemas": [CORE_USER, SLACK_GUEST], SLACK_GUEST: {"type": "multi"}, "active": true});
        assert_eq!(
            observed(&slack_guest).unwrap().standing,
            Standing::MultiChannelGuest
        );
        let typed = json!({"id": "2", "userType": "guest", "active": false});
        let seen = observed(&typed).unwrap();
        assert_eq!(seen.standing, Standing::MultiChannelGuest);
        assert!(seen.deactivated);
        let employee = json!({"id": "3", "userType": "Employee", "active": true});
        assert_eq!(observed(&employee).unwrap().standing, Standing::FullMember);
        let bare = json!({"id": "4"});
        assert_eq!(observed(&bare).unwrap().standing, Standing::FullMember);
        assert!(observed(&json!({"userName": "no id"})).is_none());
    }

    #[test]
    fn emails_must_match_exactly() {
        let user = json!({"id": "1", "userName": "x", "emails": [{"value": "Grace@Partner.com"}]});
        assert!(has_email(&user, "grace@partner.com"));
        assert!(!has_email(&user, "grace@partner.co"));
        assert!(has_email(&json!({"userName": "a@b.co"}), "a@b.co"));
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
        assert_eq!(user["userType"], "Guest");
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
