//! Installs (OAuth v2) and the tokens they hand out, and Slack's own invite requests (Enterprise
//! Grid's "Invite people" dialog and `admin.inviteRequests.*`), as Slack documents them.
//!
//! Until a test registers an install, the fake takes any well-shaped token (one workspace, its
//! token from the environment). Once tokens have been issued, a call must carry one of them:
//! an unknown one is `invalid_auth`, an expired one `token_expired`, a revoked one
//! `token_revoked`; and a workspace's token does not reach another workspace's channels
//! (`channel_not_found`), while an organisation's (org-wide install) reaches all of its
//! workspaces'.

use super::FakeState;
use serde_json::{Map, Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a code authorises once exchanged (`oauth.v2.access`).
#[derive(Debug, Clone, PartialEq)]
pub struct InstallGrant {
    /// The workspace (`T…`); `None` for an org-wide install.
    pub team: Option<(String, String)>,
    /// The organisation (`E…`, name), on Enterprise Grid.
    pub enterprise: Option<(String, String)>,
    pub installer: String,
    pub bot_scopes: String,
    /// User scopes asked (`admin.*`): the installer's user token comes with the bot's.
    pub user_scopes: Option<String>,
    /// Token rotation: the tokens last this long, and come with refresh tokens.
    pub expires_in: Option<Duration>,
}

impl InstallGrant {
    /// A workspace install.
    pub fn workspace(team: &str, name: &str, installer: &str) -> Self {
        Self {
            team: Some((team.into(), name.into())),
            enterprise: None,
            installer: installer.into(),
            bot_scopes: "commands,chat:write,users:read,users:read.email".into(),
            user_scopes: None,
            expires_in: None,
        }
    }

    /// An org-wide install on Enterprise Grid (one install for every workspace).
    pub fn organisation(enterprise: &str, name: &str, installer: &str) -> Self {
        Self {
            team: None,
            enterprise: Some((enterprise.into(), name.into())),
            installer: installer.into(),
            bot_scopes: "commands,chat:write,users:read,users:read.email".into(),
            user_scopes: Some(
                "admin.users:read,admin.users:write,admin.invites:read,admin.invites:write".into(),
            ),
            expires_in: None,
        }
    }

    pub fn rotating(mut self, expires_in: Duration) -> Self {
        self.expires_in = Some(expires_in);
        self
    }

    pub fn with_user_scopes(mut self, scopes: &str) -> Self {
        self.user_scopes = Some(scopes.into());
        self
    }

    /// The install's key: the workspace, or the organisation for an org-wide install.
    fn key(&self) -> String {
        match (&self.team, &self.enterprise) {
            (Some((team, _)), _) => team.clone(),
            (None, Some((enterprise, _))) => enterprise.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A token the fake handed out.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedToken {
    /// The workspace or organisation it works for.
    pub key: String,
    pub enterprise: Option<String>,
    pub is_enterprise_install: bool,
    pub user: bool,
    pub expires_at: Option<SystemTime>,
    pub revoked: bool,
    /// The grant it came from (a refresh hands out the same again).
    grant: InstallGrant,
}

impl IssuedToken {
    /// The scopes this token was granted.
    pub(super) fn scopes(&self) -> std::collections::BTreeSet<String> {
        let granted = if self.user {
            self.grant.user_scopes.as_deref().unwrap_or_default()
        } else {
            self.grant.bot_scopes.as_str()
        };
        granted
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// An invitation request made in Slack's own dialog, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteRequest {
    pub payload: Value,
    /// `None` while pending; `approved` / `denied`.
    pub decision: Option<String>,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

impl FakeState {
    fn issue(&mut self, grant: &InstallGrant, user: bool) -> (String, Option<String>) {
        let kind = if user { "xoxp" } else { "xoxb" };
        let rotating = grant.expires_in.is_some();
        let serial = self.next_id("");
        let token = if rotating {
            format!("xoxe.{kind}-{}-{serial}", grant.key())
        } else {
            format!("{kind}-{}-{serial}", grant.key())
        };
        self.tokens.insert(
            token.clone(),
            IssuedToken {
                key: grant.key(),
                enterprise: grant.enterprise.as_ref().map(|(id, _)| id.clone()),
                is_enterprise_install: grant.team.is_none(),
                user,
                expires_at: grant.expires_in.map(|d| SystemTime::now() + d),
                revoked: false,
                grant: grant.clone(),
            },
        );
        let refresh = rotating.then(|| {
            let refresh = format!("xoxe-1-{}-{serial}", grant.key());
            self.refresh_tokens
                .insert(refresh.clone(), (grant.clone(), user));
            refresh
        });
        (token, refresh)
    }

    /// Checks a call's token once installs exist; `Ok(None)` when the fake takes any token.
    pub(super) fn authorise(&self, token: &str) -> Result<Option<&IssuedToken>, &'static str> {
        if self.tokens.is_empty() {
            return Ok(None);
        }
        let Some(issued) = self.tokens.get(token) else {
            return Err("invalid_auth");
        };
        if issued.revoked {
            return Err("token_revoked");
        }
        if issued.expires_at.is_some_and(|at| at <= SystemTime::now()) {
            return Err("token_expired");
        }
        Ok(Some(issued))
    }

    /// Whether a token may reach a channel (its workspace's, or its organisation's).
    pub(super) fn reaches(&self, issued: &IssuedToken, channel: &str) -> bool {
        match self.channels.get(channel) {
            // DMs (a user id as channel) and unknown channels are checked elsewhere.
            None => true,
            Some(c) => {
                c.team == issued.key
                    || issued.is_enterprise_install
                        && self.team_enterprise.get(&c.team) == issued.enterprise.as_ref()
            }
        }
    }
}

/// `oauth.v2.access`: a code (once, with the redirect URI it was asked with) or a refresh
/// token for tokens, authenticated by the app's client id and secret.
pub(super) fn oauth_access(
    state: &mut FakeState,
    args: &Map<String, Value>,
    basic: Option<(String, String)>,
) -> Result<Map<String, Value>, String> {
    let str_arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_string);
    let (client_id, client_secret) = match basic {
        Some(pair) => pair,
        None => (
            str_arg("client_id").unwrap_or_default(),
            str_arg("client_secret").unwrap_or_default(),
        ),
    };
    let Some((id, secret)) = state.oauth_client.clone() else {
        return Err("invalid_client_id".into());
    };
    if client_id != id {
        return Err("invalid_client_id".into());
    }
    if client_secret != secret {
        return Err("bad_client_secret".into());
    }
    let (grant, user_only) = match str_arg("grant_type").as_deref() {
        Some("refresh_token") => {
            let refresh = str_arg("refresh_token").ok_or("invalid_refresh_token")?;
            // A refresh token works once: the answer carries the next one.
            let (grant, user) = state
                .refresh_tokens
                .remove(&refresh)
                .ok_or("invalid_refresh_token")?;
            state.refreshes += 1;
            (grant, Some(user))
        }
        Some("authorization_code") | None => {
            let code = str_arg("code").ok_or("invalid_code")?;
            let (grant, redirect) = state.codes.remove(&code).ok_or("invalid_code")?;
            if str_arg("redirect_uri") != redirect {
                return Err("bad_redirect_uri".into());
            }
            (grant, None)
        }
        Some(_) => return Err("invalid_grant_type".into()),
    };
    let team = grant
        .team
        .as_ref()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .unwrap_or(Value::Null);
    let enterprise = grant
        .enterprise
        .as_ref()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .unwrap_or(Value::Null);
    let mut answer = json!({
        "app_id": "A0GUESTLIST",
        "team": team,
        "enterprise": enterprise,
        "is_enterprise_install": grant.team.is_none(),
    });
    let expires_in = grant.expires_in.map(|d| d.as_secs());
    // A refresh of a user token answers with the user token alone, as Slack does.
    if user_only != Some(true) {
        let (token, refresh) = state.issue(&grant, false);
        answer["access_token"] = json!(token);
        answer["token_type"] = json!("bot");
        answer["scope"] = json!(grant.bot_scopes);
        answer["bot_user_id"] = json!("UGUESTBOT");
        if let (Some(refresh), Some(expires_in)) = (refresh, expires_in) {
            answer["refresh_token"] = json!(refresh);
            answer["expires_in"] = json!(expires_in);
        }
    }
    if let Some(scopes) = &grant.user_scopes
        && user_only != Some(false)
    {
        let (token, refresh) = state.issue(&grant, true);
        let mut authed = json!({
            "id": grant.installer, "scope": scopes, "access_token": token, "token_type": "user",
        });
        if let (Some(refresh), Some(expires_in)) = (refresh, expires_in) {
            authed["refresh_token"] = json!(refresh);
            authed["expires_in"] = json!(expires_in);
        }
        if user_only == Some(true) {
            answer["access_token"] = authed["access_token"].clone();
            answer["token_type"] = json!("user");
            answer["refresh_token"] = authed["refresh_token"].clone();
            answer["expires_in"] = authed["expires_in"].clone();
        }
        answer["authed_user"] = authed;
    } else {
        answer["authed_user"] = json!({"id": grant.installer});
    }
    Ok(match answer {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

/// `admin.inviteRequests.list`, `.approve`, `.deny` (user token, `admin.invites:*`).
pub(super) fn invite_requests(
    state: &mut FakeState,
    method: &str,
    args: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let str_arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_string);
    match method {
        "admin.inviteRequests.list" => {
            let team = str_arg("team_id");
            let pending: Vec<Value> = state
                .invite_requests
                .values()
                .filter(|r| r.decision.is_none())
                .filter(|r| {
                    team.as_deref()
                        .is_none_or(|t| r.payload["team"]["id"].as_str() == Some(t))
                })
                .map(|r| r.payload.clone())
                .collect();
            Ok(obj(json!({
                "invite_requests": pending,
                "response_metadata": {"next_cursor": ""},
            })))
        }
        "admin.inviteRequests.approve" | "admin.inviteRequests.deny" => {
            let id = str_arg("invite_request_id").ok_or("invalid_arguments")?;
            let request = state
                .invite_requests
                .get_mut(&id)
                .ok_or("invalid_request")?;
            if request.decision.is_some() {
                return Err("already_processed".into());
            }
            let approve = method.ends_with("approve");
            request.decision = Some(if approve { "approved" } else { "denied" }.into());
            if approve {
                // Slack sends the invitation itself, as the request asked.
                let payload = request.payload.clone();
                let email = payload["email"].as_str().unwrap_or_default().to_lowercase();
                let user_id = state.next_id("U");
                let kind = payload["invite_type"].as_str().unwrap_or("restricted");
                state.invited.insert(
                    email.clone(),
                    json!({
                        "user_id": user_id,
                        "args": {
                            "email": email,
                            "real_name": payload["real_name"],
                            "is_restricted": kind == "restricted",
                            "is_ultra_restricted": kind == "ultra_restricted",
                            "channel_ids": payload["channel_ids"],
                            "team_id": payload["team"]["id"],
                        },
                    }),
                );
            }
            Ok(Map::new())
        }
        _ => Err("unknown_method".into()),
    }
}

/// Slack's authorize page: the installer approves (or cancels) and is sent back to the
/// `redirect_uri` with a code (or `error=access_denied`) and the `state` as it came.
pub(super) async fn authorize_page(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<std::sync::Mutex<FakeState>>>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut state = state.lock().expect("fake slack lock");
    let (Some(redirect), Some(client)) = (query.get("redirect_uri"), query.get("client_id")) else {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            "redirect_uri and client_id are required",
        )
            .into_response();
    };
    if state.oauth_client.as_ref().map(|(id, _)| id) != Some(client) {
        return (axum::http::StatusCode::BAD_REQUEST, "invalid_client_id").into_response();
    }
    let mut target = match url::Url::parse(redirect) {
        Ok(url) => url,
        Err(_) => return (axum::http::StatusCode::BAD_REQUEST, "bad_redirect_uri").into_response(),
    };
    match state.authorizations.pop_front().flatten() {
        Some(mut grant) => {
            // Slack grants what the authorize URL asks for.
            if let Some(scopes) = query.get("scope") {
                grant.bot_scopes = scopes.clone();
            }
            if let Some(scopes) = query.get("user_scope") {
                grant.user_scopes = Some(scopes.clone());
            }
            let code = format!("code-{}", state.next_id(""));
            state
                .codes
                .insert(code.clone(), (grant, Some(redirect.clone())));
            target.query_pairs_mut().append_pair("code", &code);
        }
        None => {
            target
                .query_pairs_mut()
                .append_pair("error", "access_denied");
        }
    }
    if let Some(s) = query.get("state") {
        target.query_pairs_mut().append_pair("state", s);
    }
    (
        axum::http::StatusCode::FOUND,
        [(axum::http::header::LOCATION, target.to_string())],
    )
        .into_response()
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl super::FakeSlack {
    /// The app's OAuth credentials (`SLACK_CLIENT_ID` / `SLACK_CLIENT_SECRET`).
    pub fn set_oauth_client(&self, client_id: &str, client_secret: &str) -> &Self {
        self.state().oauth_client = Some((client_id.into(), client_secret.into()));
        self
    }

    /// The code Slack's authorize page hands back for this install, to be exchanged with
    /// `redirect_uri` (as Slack binds a code to the redirect URI it was asked with).
    pub fn grant_install(&self, code: &str, grant: InstallGrant, redirect_uri: &str) -> &Self {
        self.state()
            .codes
            .insert(code.into(), (grant, Some(redirect_uri.to_string())));
        self
    }

    /// The next visitor of the authorize page installs the app as `grant` (`None`: cancels).
    pub fn queue_authorization(&self, grant: Option<InstallGrant>) -> &Self {
        self.state().authorizations.push_back(grant);
        self
    }

    /// A workspace of the organisation `enterprise` (channels there are reached by the
    /// organisation's tokens).
    pub fn add_workspace(&self, team: &str, enterprise: Option<&str>) -> &Self {
        if let Some(enterprise) = enterprise {
            let mut state = self.state();
            state.team_enterprise.insert(team.into(), enterprise.into());
            // Its people are the organisation's (user objects carry `enterprise_user`).
            state.enterprise.get_or_insert_with(|| enterprise.into());
        }
        self
    }

    /// A channel of a given workspace.
    pub fn add_team_channel(&self, team: &str, id: &str, name: &str) -> &Self {
        self.state().channels.insert(
            id.into(),
            super::FakeChannel {
                id: id.into(),
                name: name.into(),
                is_private: false,
                bot_member: false,
                members: Default::default(),
                team: team.into(),
            },
        );
        self
    }

    /// Every token the fake handed out, with what it is for.
    pub fn issued_tokens(&self) -> Vec<(String, IssuedToken)> {
        let mut tokens: Vec<(String, IssuedToken)> = self
            .state()
            .tokens
            .iter()
            .map(|(t, i)| (t.clone(), i.clone()))
            .collect();
        tokens.sort_by(|a, b| a.0.cmp(&b.0));
        tokens
    }

    /// Revokes the tokens of an install (what uninstalling the app does).
    pub fn revoke_tokens_of(&self, key: &str) {
        for issued in self.state().tokens.values_mut() {
            if issued.key == key {
                issued.revoked = true;
            }
        }
    }

    /// How many times a refresh token was exchanged.
    pub fn refresh_count(&self) -> usize {
        self.state().refreshes
    }

    /// Someone asks for an invitation in Slack's own dialog: the request is pending in
    /// `admin.inviteRequests.list`; returns the `invite_request` an `invite_requested` event
    /// carries.
    #[allow(clippy::too_many_arguments)]
    pub fn add_invite_request(
        &self,
        team: &str,
        email: &str,
        requester: &str,
        channels: &[&str],
        invite_type: &str,
        reason: &str,
        date_expire: Option<i64>,
    ) -> Value {
        let mut state = self.state();
        let id = state.next_id("");
        let payload = json!({
            "id": id,
            "email": email,
            "date_created": unix_now(),
            "requester_ids": [requester],
            "channel_ids": channels,
            "invite_type": invite_type,
            "real_name": email.split('@').next().unwrap_or_default(),
            "date_expire": date_expire.unwrap_or(0),
            "request_reason": reason,
            "team": {"id": team, "name": "Fake", "domain": "fake"},
        });
        state.invite_requests.insert(
            id,
            InviteRequest {
                payload: payload.clone(),
                decision: None,
            },
        );
        payload
    }

    /// What became of an invite request (`approved`, `denied`), if anything.
    pub fn invite_request_decision(&self, id: &str) -> Option<String> {
        self.state()
            .invite_requests
            .get(id)
            .and_then(|r| r.decision.clone())
    }

    /// An admin decides the request in Slack's own admin page first.
    pub fn decide_invite_request_in_slack(&self, id: &str, approve: bool) {
        if let Some(r) = self.state().invite_requests.get_mut(id) {
            r.decision = Some(if approve { "approved" } else { "denied" }.into());
        }
    }
}
