//! Incoming payloads: slash commands (form-encoded), interactions (a form field holding JSON)
//! and Events API envelopes, read into slack-morphism's models where it has them.

use crate::domain::policy::{Field, RequestDraft};
use crate::domain::profile::{ProfileDraft, ProfileField};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use slack_morphism::prelude::*;

pub use slack_morphism::prelude::{SlackCommandEvent, SlackInteractionEvent};

use super::ids::field_block_id;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("malformed form body")]
    Form,
    #[error("no payload field")]
    MissingPayload,
    #[error("unsupported interaction type {0:?}")]
    UnknownInteraction(String),
    #[error("malformed JSON: {0}")]
    Json(String),
}

/// A slash command, or `None` for Slack's `ssl_check` probe (answered with an empty 200).
pub fn parse_command(body: &[u8]) -> Result<Option<SlackCommandEvent>, PayloadError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| PayloadError::Form)?;
    if pairs.iter().any(|(k, v)| k == "ssl_check" && v == "1") {
        return Ok(None);
    }
    serde_urlencoded::from_bytes(body)
        .map(Some)
        .map_err(|_| PayloadError::Form)
}

/// A slash command as Socket Mode carries it: the form's fields as a JSON object.
pub fn command_from_value(payload: &Value) -> Result<SlackCommandEvent, PayloadError> {
    serde_json::from_value(payload.clone()).map_err(|e| PayloadError::Json(e.to_string()))
}

/// The organisation a slash command came from (`enterprise_id`, Enterprise Grid only), which
/// slack-morphism's model leaves out.
pub fn command_enterprise(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| k == "enterprise_id" && !v.is_empty())
        .map(|(_, v)| v)
}

/// The organisation an interaction came from (`enterprise.id`, or its team's), which
/// slack-morphism's model leaves out.
pub fn interaction_enterprise(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let payload = pairs.into_iter().find(|(k, _)| k == "payload")?.1;
    let json: Value = serde_json::from_str(&payload).ok()?;
    enterprise_of_interaction(&json)
}

/// The organisation an interaction payload (as JSON) came from.
pub fn enterprise_of_interaction(json: &Value) -> Option<String> {
    json.pointer("/enterprise/id")
        .or_else(|| json.pointer("/team/enterprise_id"))
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
}

/// The `payload=` field of an interactivity request.
pub fn parse_interaction(body: &[u8]) -> Result<SlackInteractionEvent, PayloadError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| PayloadError::Form)?;
    let payload = pairs
        .into_iter()
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v)
        .ok_or(PayloadError::MissingPayload)?;
    interaction_from_json(&payload)
}

pub fn interaction_from_json(json: &str) -> Result<SlackInteractionEvent, PayloadError> {
    let payload: Value =
        serde_json::from_str(json).map_err(|e| PayloadError::Json(e.to_string()))?;
    interaction_from_value(payload)
}

/// An interaction payload already read as JSON (Socket Mode's envelopes carry it so).
pub fn interaction_from_value(mut payload: Value) -> Result<SlackInteractionEvent, PayloadError> {
    with_workspace(&mut payload);
    let kind = payload
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string);
    match serde_json::from_value::<SlackInteractionEvent>(payload) {
        Ok(event) => Ok(event),
        Err(e) => match kind {
            Some(kind) if !is_modelled_interaction(&kind) => {
                Err(PayloadError::UnknownInteraction(kind))
            }
            _ => Err(PayloadError::Json(e.to_string())),
        },
    }
}

/// An org-wide app (Enterprise Grid) gets `"team": null` in `block_actions`, `shortcut` and
/// view payloads (Bolt-js notes it in `App.ts`); the workspace is then the view's
/// (`view.team_id`) for a submitted or closed view and the clicker's (`user.team_id`)
/// otherwise, each falling back on the other. It is written into `team` so that every payload
/// is routed one way; one that names no workspace at all stays unreadable.
fn with_workspace(payload: &mut Value) {
    let Some(object) = payload.as_object_mut() else {
        return;
    };
    if object.get("team").is_some_and(|t| t.get("id").is_some()) {
        return;
    }
    let team_of = |part: &str| {
        object
            .get(part)
            .and_then(|v| v.get("team_id"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (user, view) = (team_of("user"), team_of("view"));
    let viewed = matches!(
        object.get("type").and_then(Value::as_str),
        Some("view_submission" | "view_closed")
    );
    let team = if viewed { view.or(user) } else { user.or(view) };
    if let Some(team) = team {
        object.insert("team".into(), serde_json::json!({ "id": team }));
    }
}

fn is_modelled_interaction(kind: &str) -> bool {
    matches!(
        kind,
        "block_actions"
            | "block_suggestion"
            | "dialog_submission"
            | "message_action"
            | "shortcut"
            | "view_closed"
            | "view_submission"
    )
}

/// The outer Events API body.
#[derive(Debug, Clone)]
pub enum EventBody {
    UrlVerification {
        challenge: String,
    },
    EventCallback(EventCallback),
    AppRateLimited {
        team_id: Option<String>,
        minute_rate_limited: Option<i64>,
    },
    Other,
}

/// One event delivery. The inner event stays JSON until the workflow picks it apart, so a
/// delivery is deduplicated even when its event type is one we do not model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventCallback {
    pub team_id: String,
    pub event_id: String,
    pub event: Value,
    #[serde(default)]
    pub event_time: Option<i64>,
    /// The organisation (Enterprise Grid), when the event came from one.
    #[serde(default)]
    pub enterprise_id: Option<String>,
    /// Which installation the event was delivered for (one, per Slack's docs).
    #[serde(default)]
    pub authorizations: Vec<Authorization>,
}

/// A request made in Slack's own "Invite people" dialog, as `invite_requested` and
/// `admin.inviteRequests.list` carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackInviteRequest {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub requester_ids: Vec<String>,
    #[serde(default)]
    pub channel_ids: Vec<String>,
    /// `restricted` (multi-channel guest), `ultra_restricted` (single-channel) or `full_member`.
    #[serde(default)]
    pub invite_type: String,
    #[serde(default)]
    pub real_name: Option<String>,
    /// Unix seconds; 0 or absent: no end asked.
    #[serde(default)]
    pub date_expire: Option<i64>,
    #[serde(default)]
    pub request_reason: Option<String>,
    #[serde(default)]
    pub team: Option<SlackInviteRequestTeam>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlackInviteRequestTeam {
    pub id: String,
}

impl SlackInviteRequest {
    /// The guest type the dialog asked for; `None` for a full member (left to Slack's admins).
    pub fn guest_type(&self) -> Option<crate::domain::GuestType> {
        use crate::domain::GuestType;
        match self.invite_type.as_str() {
            "ultra_restricted" => Some(GuestType::SingleChannel),
            "restricted" => Some(GuestType::MultiChannel),
            _ => None,
        }
    }

    pub fn expires(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.date_expire
            .filter(|t| *t > 0)
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
    }
}

/// One installation an event is delivered to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    #[serde(default)]
    pub enterprise_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub is_enterprise_install: bool,
}

impl EventCallback {
    /// The organisation the event is for: the envelope's, else its authorization's.
    pub fn enterprise(&self) -> Option<&str> {
        self.enterprise_id
            .as_deref()
            .or_else(|| {
                self.authorizations
                    .first()
                    .and_then(|a| a.enterprise_id.as_deref())
            })
            .filter(|e| !e.is_empty())
    }

    /// The workspace the event is about: the envelope's team, except for an invite request,
    /// which names its own workspace (org-wide events may carry the organisation's).
    pub fn workspace(&self) -> &str {
        self.event
            .pointer("/invite_request/team/id")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .unwrap_or(&self.team_id)
    }

    pub fn event_type(&self) -> &str {
        self.event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
    }
}

/// Every field any outer body has; read in one pass (a tagged enum would buffer the body first).
#[derive(Deserialize)]
struct RawEventBody {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    team_id: Option<String>,
    event_id: Option<String>,
    event: Option<Value>,
    event_time: Option<i64>,
    minute_rate_limited: Option<i64>,
    enterprise_id: Option<String>,
    #[serde(default)]
    authorizations: Vec<Authorization>,
}

pub fn parse_event_body(body: &[u8]) -> Result<EventBody, PayloadError> {
    let RawEventBody {
        kind,
        challenge,
        team_id,
        event_id,
        event,
        event_time,
        minute_rate_limited,
        enterprise_id,
        authorizations,
    } = serde_json::from_slice(body).map_err(|e| PayloadError::Json(e.to_string()))?;
    let missing = |field: &str| PayloadError::Json(format!("{kind} without {field}"));
    // An empty id is no id (the shape of some SDKs' sample payloads): such a delivery cannot be
    // deduplicated or routed, so it is read as unreadable (acknowledged and logged), never
    // stored half-keyed or answered with a 5xx that Slack would retry.
    let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let (team_id, event_id) = (present(team_id), present(event_id));
    Ok(match kind.as_str() {
        "url_verification" => EventBody::UrlVerification {
            challenge: challenge.ok_or_else(|| missing("challenge"))?,
        },
        "event_callback" => EventBody::EventCallback(EventCallback {
            team_id: team_id.ok_or_else(|| missing("team_id"))?,
            event_id: event_id.ok_or_else(|| missing("event_id"))?,
            event: event.ok_or_else(|| missing("event"))?,
            event_time,
            enterprise_id,
            authorizations,
        }),
        "app_rate_limited" => EventBody::AppRateLimited {
            team_id,
            minute_rate_limited,
        },
        _ => EventBody::Other,
    })
}

/// Reads one input's value from a submitted view's state.
pub fn state_value<'a>(
    state: Option<&'a SlackViewState>,
    block_id: &str,
) -> Option<&'a SlackViewStateValue> {
    state?
        .values
        .get(&SlackBlockId::new(block_id.to_string()))?
        .get(&SlackActionId::new(block_id.to_string()))
}

fn text_of(state: Option<&SlackViewState>, field: Field) -> String {
    state_value(state, field_block_id(field))
        .and_then(|v| v.value.clone())
        .unwrap_or_default()
}

fn option_of(state: Option<&SlackViewState>, field: Field) -> Option<String> {
    state_value(state, field_block_id(field))
        .and_then(|v| v.selected_option.as_ref().map(|o| o.value.clone()))
}

/// The request form as submitted.
pub fn request_draft(state: Option<&SlackViewState>) -> RequestDraft {
    let channels = state_value(state, field_block_id(Field::Channels))
        .map(|v| {
            let mut all: Vec<String> = v
                .selected_conversations
                .iter()
                .flatten()
                .map(|c| c.0.clone())
                .collect();
            all.extend(v.selected_conversation.iter().map(|c| c.0.clone()));
            all.extend(v.selected_channel.iter().map(|c| c.0.clone()));
            all
        })
        .unwrap_or_default();
    RequestDraft {
        email: text_of(state, Field::Email),
        full_name: text_of(state, Field::FullName),
        organisation: text_of(state, Field::Organisation),
        reason: text_of(state, Field::Reason),
        guest_type: option_of(state, Field::GuestType),
        channels,
        expiry_mode: option_of(state, Field::ExpiryMode),
        expiry_days: state_value(state, field_block_id(Field::ExpiryDays))
            .and_then(|v| v.value.clone()),
        expiry_date: state_value(state, field_block_id(Field::ExpiryDate))
            .and_then(|v| v.selected_date.clone()),
        expiry_time: state_value(state, field_block_id(Field::ExpiryTime))
            .and_then(|v| v.selected_time.clone()),
        profile: ProfileDraft {
            title: text_of(state, Field::Profile(ProfileField::Title)),
            department: text_of(state, Field::Profile(ProfileField::Department)),
            manager: state_value(state, field_block_id(Field::Profile(ProfileField::Manager)))
                .and_then(|v| v.selected_user.as_ref().map(|u| u.0.clone()))
                .unwrap_or_default(),
            employee_id: text_of(state, Field::Profile(ProfileField::EmployeeId)),
            phone: text_of(state, Field::Profile(ProfileField::Phone)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssl_check_is_not_a_command() {
        assert_eq!(parse_command(b"ssl_check=1&token=x").unwrap(), None);
        let body = b"team_id=T1&channel_id=C1&user_id=U1&command=%2Fguest&text=list&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=1.2.3";
        let cmd = parse_command(body).unwrap().unwrap();
        assert_eq!(cmd.text.as_deref(), Some("list"));
        assert_eq!(cmd.user_id.0, "U1");
    }

    #[test]
    fn unknown_interaction_types_are_named() {
        let err = interaction_from_json(r#"{"type":"workflow_step_edit"}"#).unwrap_err();
        assert_eq!(
            err,
            PayloadError::UnknownInteraction("workflow_step_edit".into())
        );
        assert!(matches!(
            parse_interaction(b"nothing=here"),
            Err(PayloadError::MissingPayload)
        ));
    }

    #[test]
    fn event_bodies() {
        let body = br#"{"type":"url_verification","token":"t","challenge":"abc"}"#;
        assert!(
            matches!(parse_event_body(body).unwrap(), EventBody::UrlVerification { challenge } if challenge == "abc")
        );
        let body = br#"{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"subteam_updated"}}"#;
        match parse_event_body(body).unwrap() {
            EventBody::EventCallback(cb) => assert_eq!(cb.event_type(), "subteam_updated"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_event_body(br#"{"type":"brand_new"}"#).unwrap(),
            EventBody::Other
        ));
    }
}
