//! Plays Slack's side of ingress: builds slash commands, interaction payloads and event
//! callbacks in Slack's shapes, signs them with the signing secret and posts them to a running
//! Guestlist. Used by the tests and by `guestlist demo`.

use super::FAKE_TEAM_ID;
use crate::clock::SharedClock;
use crate::http::verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct SlackSender {
    base_url: String,
    secret: String,
    clock: SharedClock,
    http: reqwest::Client,
    /// Where `response_url`s point (the fake Slack's base URL).
    response_base: String,
    counter: AtomicU64,
}

/// What Guestlist answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// The `Retry-After` header, when Guestlist sent one (Slack waits that long to retry).
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

impl SlackSender {
    pub fn new(base_url: &str, secret: &str, clock: SharedClock, response_base: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            secret: secret.to_string(),
            clock,
            http: crate::slack::client::http_client(std::time::Duration::from_secs(30)),
            response_base: response_base.trim_end_matches('/').to_string(),
            counter: AtomicU64::new(1),
        }
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A trigger id as Slack mints them (opaque, single use, good for three seconds).
    pub fn trigger_id(&self) -> String {
        super::mint_trigger_id(self.next(), std::time::Duration::ZERO)
    }

    pub fn response_url(&self) -> String {
        format!("{}/response/r{}", self.response_base, self.next())
    }

    /// Posts `body` signed as Slack would sign it now.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> reqwest::Result<Answer> {
        let ts = self.clock.now().timestamp();
        let signature = sign(&self.secret, ts, body.as_bytes());
        self.post_with_headers(
            path,
            content_type,
            body,
            &[
                (TIMESTAMP_HEADER, ts.to_string()),
                (SIGNATURE_HEADER, signature),
            ],
        )
        .await
    }

    pub async fn post_with_headers(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        headers: &[(&str, String)],
    ) -> reqwest::Result<Answer> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("content-type", content_type)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(Answer {
            status,
            retry_after,
            body: response.text().await?,
        })
    }

    /// The form body of `/guest <text>` typed by `user` in `channel`.
    pub fn command_body(&self, user: &str, channel: &str, text: &str) -> String {
        serde_urlencoded::to_string([
            ("token", "legacy-verification-token"),
            ("team_id", FAKE_TEAM_ID),
            ("team_domain", "fake"),
            ("channel_id", channel),
            ("channel_name", "general"),
            ("user_id", user),
            ("user_name", user),
            ("command", "/guest"),
            ("text", text),
            ("api_app_id", "AGUESTLIST"),
            ("is_enterprise_install", "false"),
            ("response_url", &self.response_url()),
            ("trigger_id", &self.trigger_id()),
        ])
        .expect("form encodes")
    }

    pub async fn command(&self, user: &str, channel: &str, text: &str) -> reqwest::Result<Answer> {
        let body = self.command_body(user, channel, text);
        self.post_signed("/slack/commands", "application/x-www-form-urlencoded", body)
            .await
    }

    /// Wraps an interaction payload the way Slack posts it (`payload=<json>`).
    pub fn interaction_body(payload: &Value) -> String {
        serde_urlencoded::to_string([("payload", payload.to_string())]).expect("form encodes")
    }

    pub async fn interaction(&self, payload: &Value) -> reqwest::Result<Answer> {
        self.post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            Self::interaction_body(payload),
        )
        .await
    }

    /// A button click on a message in `channel` (or, with `channel = None`, in App Home).
    pub fn button_click(
        &self,
        user: &str,
        action_id: &str,
        value: &str,
        channel: Option<&str>,
        message_ts: &str,
    ) -> Value {
        let container = match channel {
            Some(channel) => {
                json!({"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": false})
            }
            None => json!({"type": "view", "view_id": "VHOME"}),
        };
        let mut payload = json!({
            "type": "block_actions",
            "team": {"id": FAKE_TEAM_ID, "domain": "fake"},
            "user": {"id": user, "username": user, "name": user, "team_id": FAKE_TEAM_ID},
            "api_app_id": "AGUESTLIST",
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": self.trigger_id(),
            "actions": [{
                "type": "button",
                "action_id": action_id,
                "block_id": format!("decide:{value}"),
                "text": {"type": "plain_text", "text": action_id},
                "value": value,
                "action_ts": format!("{}.{:06}", self.clock.now().timestamp(), self.next()),
            }],
        });
        match channel {
            Some(channel) => {
                payload["channel"] = json!({"id": channel, "name": "guest-requests"});
                payload["response_url"] = json!(self.response_url());
                payload["message"] = json!({"type": "message", "ts": message_ts, "text": "card"});
            }
            // A click in App Home carries the Home view it was made in, as Slack's does.
            None => {
                payload["view"] = json!({
                    "id": "VHOME", "team_id": FAKE_TEAM_ID, "type": "home", "blocks": [],
                    "private_metadata": "", "callback_id": "", "state": {"values": {}},
                    "hash": "1700000000.home", "app_id": "AGUESTLIST", "bot_id": "BBOT",
                    "root_view_id": "VHOME", "previous_view_id": null,
                });
            }
        }
        payload
    }

    /// A modal submission with the given `state.values`.
    pub fn view_submission(
        &self,
        user: &str,
        callback_id: &str,
        private_metadata: &str,
        values: Value,
    ) -> Value {
        json!({
            "type": "view_submission",
            "team": {"id": FAKE_TEAM_ID, "domain": "fake"},
            "user": {"id": user, "username": user, "name": user, "team_id": FAKE_TEAM_ID},
            "api_app_id": "AGUESTLIST",
            "token": "legacy-verification-token",
            "trigger_id": self.trigger_id(),
            "view": {
                "id": format!("V{}", self.next()),
                "team_id": FAKE_TEAM_ID,
                "type": "modal",
                "title": {"type": "plain_text", "text": "Request a guest"},
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": values},
                "hash": "1700000000.abc",
                "root_view_id": "VROOT",
                "app_id": "AGUESTLIST",
                "bot_id": "BBOT",
            },
        })
    }

    /// An Events API callback.
    pub fn event_body(event_id: &str, event: Value) -> String {
        json!({
            "token": "legacy-verification-token",
            "team_id": FAKE_TEAM_ID,
            "api_app_id": "AGUESTLIST",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1700000000,
            "authorizations": [{"team_id": FAKE_TEAM_ID, "user_id": "UBOT", "is_bot": true, "is_enterprise_install": false}],
        })
        .to_string()
    }

    pub async fn event(&self, event_id: &str, event: Value) -> reqwest::Result<Answer> {
        self.post_signed(
            "/slack/events",
            "application/json",
            Self::event_body(event_id, event),
        )
        .await
    }
}

/// `state.values` for the request form, as Slack sends them.
#[derive(Debug, Clone)]
pub struct FormInput {
    pub email: String,
    pub full_name: String,
    pub organisation: String,
    pub reason: String,
    pub guest_type: String,
    pub channels: Vec<String>,
    pub expiry_mode: String,
    pub expiry_days: Option<String>,
    pub expiry_date: Option<String>,
    pub expiry_time: Option<String>,
    /// Profile fields by block id (`title`, `department`, `employee_id`, `phone`; `manager`
    /// is a user id, as the person picker sends it).
    pub profile: Vec<(String, String)>,
}

impl FormInput {
    pub fn new(email: &str, channels: &[&str]) -> Self {
        Self {
            email: email.into(),
            full_name: "Grace Hopper".into(),
            organisation: "Partner Inc".into(),
            reason: "Joint launch of the compiler".into(),
            guest_type: if channels.len() == 1 {
                "single_channel".into()
            } else {
                "multi_channel".into()
            },
            channels: channels.iter().map(|c| c.to_string()).collect(),
            expiry_mode: "days".into(),
            expiry_days: Some("30".into()),
            expiry_date: None,
            expiry_time: None,
            profile: Vec::new(),
        }
    }

    /// A profile field as the form sends it.
    pub fn with(mut self, field: &str, value: &str) -> Self {
        self.profile.push((field.into(), value.into()));
        self
    }

    pub fn state_values(&self) -> Value {
        let text = |kind: &str, value: &str| json!({"type": kind, "value": value});
        let option = |value: &str| json!({"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}});
        let mut values = self.core_values(&text, &option);
        for (field, value) in &self.profile {
            values[field.as_str()] = if field == "manager" {
                json!({ "manager": {"type": "users_select", "selected_user": value} })
            } else {
                json!({ field.clone(): text("plain_text_input", value) })
            };
        }
        values
    }

    fn core_values(
        &self,
        text: &dyn Fn(&str, &str) -> Value,
        option: &dyn Fn(&str) -> Value,
    ) -> Value {
        json!({
            "email": {"email": text("email_text_input", &self.email)},
            "full_name": {"full_name": text("plain_text_input", &self.full_name)},
            "organisation": {"organisation": text("plain_text_input", &self.organisation)},
            "reason": {"reason": text("plain_text_input", &self.reason)},
            "guest_type": {"guest_type": option(&self.guest_type)},
            "channels": {"channels": {"type": "multi_conversations_select", "selected_conversations": self.channels}},
            "expiry_mode": {"expiry_mode": option(&self.expiry_mode)},
            "expiry_days": {"expiry_days": {"type": "number_input", "value": self.expiry_days}},
            "expiry_date": {"expiry_date": {"type": "datepicker", "selected_date": self.expiry_date}},
            "expiry_time": {"expiry_time": {"type": "timepicker", "selected_time": self.expiry_time}},
        })
    }
}
