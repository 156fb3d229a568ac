//! A stand-in for Slack's Web API on loopback, speaking Slack's wire format, for tests and
//! `guestlist demo`. It records every call (method, arguments, token), holds users, user groups
//! and channels, paginates with cursors, answers `{ok:false,error}` for bad arguments, and can be
//! told to fail the next N calls of a method with a 429, a 5xx or an error code.

mod arguments;
pub mod blockkit;
mod methods;
mod oauth;
mod sender;

pub use arguments::is_described;
pub use oauth::{InstallGrant, IssuedToken};
pub use sender::{Answer, FormInput, SlackSender};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

pub const FAKE_TEAM_ID: &str = "T0FAKE";

/// The id of the app's DM with a person (`D…`), as Slack answers a post to their user id.
pub fn dm_channel(user: &str) -> String {
    format!("D{}", user.get(1..).unwrap_or_default())
}

/// How long Slack honours a trigger id after the interaction that carried it.
pub const TRIGGER_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3);

/// A trigger id shaped as Slack's (`<digits>.<digits>.<hex>`; here the first part is the
/// minting time in milliseconds, which the expiry reads), minted `age` ago. Wall clock, not the test's
/// clock: the three seconds are real ones on Slack's side.
pub fn mint_trigger_id(serial: u64, age: std::time::Duration) -> String {
    let minted = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(age)
        .as_millis();
    format!(
        "{minted}.{serial}.{:016x}",
        serial.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    )
}

/// How long ago the trigger id was minted; `None` when it is not one the fake minted.
fn trigger_age(trigger: &str) -> Option<std::time::Duration> {
    let minted: u64 = trigger.split('.').next()?.parse().ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    Some(std::time::Duration::from_millis(
        u64::try_from(now).ok()?.saturating_sub(minted),
    ))
}

/// Methods that an org-level token (an org-wide install's) may call only with `team_id`
/// (java-slack-sdk: "required if org token is passed").
const ORG_TOKEN_NEEDS_TEAM: [&str; 4] = [
    "users.list",
    "conversations.list",
    "usergroups.list",
    "usergroups.users.list",
];

/// One request the fake received.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedCall {
    pub method: String,
    pub args: Value,
    pub token: Option<String>,
}

impl RecordedCall {
    pub fn arg(&self, key: &str) -> Option<&Value> {
        self.args.get(key)
    }
    pub fn arg_str(&self, key: &str) -> Option<&str> {
        self.args.get(key).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeUser {
    pub id: String,
    pub name: String,
    pub real_name: String,
    pub email: Option<String>,
    pub tz: String,
    /// The person's Slack language (`users.info` gives it only with `include_locale`).
    pub locale: String,
    /// The profile's job title.
    pub title: Option<String>,
    pub is_admin: bool,
    pub is_owner: bool,
    pub is_bot: bool,
    pub deleted: bool,
    pub is_restricted: bool,
    pub is_ultra_restricted: bool,
    /// False for an org member who is not (yet) in this workspace: Grid's admin.users.invite
    /// invites them rather than answering already_in_team.
    pub in_workspace: bool,
    /// Other workspaces of the organisation the user is in (Enterprise Grid), with their place
    /// in each (a person's guest flags are per workspace).
    pub other_teams: BTreeMap<String, TeamRole>,
}

/// A person's place in one workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRole {
    Member,
    MultiChannelGuest,
    SingleChannelGuest,
}

impl TeamRole {
    fn flags(self) -> (bool, bool) {
        match self {
            TeamRole::Member => (false, false),
            TeamRole::MultiChannelGuest => (true, false),
            TeamRole::SingleChannelGuest => (true, true),
        }
    }
}

impl FakeUser {
    pub fn new(id: &str, name: &str) -> Self {
        Self {
            id: id.into(),
            name: name.to_lowercase().replace(' ', "."),
            real_name: name.into(),
            email: Some(format!(
                "{}@example.com",
                name.to_lowercase().replace(' ', ".")
            )),
            tz: "Europe/London".into(),
            locale: "en-US".into(),
            title: None,
            is_admin: false,
            is_owner: false,
            is_bot: false,
            deleted: false,
            is_restricted: false,
            is_ultra_restricted: false,
            in_workspace: true,
            other_teams: BTreeMap::new(),
        }
    }

    /// Also in another workspace of the organisation, in this role.
    pub fn in_team(mut self, team: &str, role: TeamRole) -> Self {
        self.other_teams.insert(team.into(), role);
        self
    }

    /// The user's place in `team` (the fake's own workspace or another of the organisation).
    pub fn role_in(&self, team: &str) -> Option<TeamRole> {
        if team == FAKE_TEAM_ID {
            self.in_workspace
                .then_some(match (self.is_restricted, self.is_ultra_restricted) {
                    (_, true) => TeamRole::SingleChannelGuest,
                    (true, false) => TeamRole::MultiChannelGuest,
                    _ => TeamRole::Member,
                })
        } else {
            self.other_teams.get(team).copied()
        }
    }

    /// An org member not in this workspace (Enterprise Grid).
    pub fn elsewhere(mut self) -> Self {
        self.in_workspace = false;
        self
    }
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.into());
        self
    }
    pub fn tz(mut self, tz: &str) -> Self {
        self.tz = tz.into();
        self
    }
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.into();
        self
    }
    pub fn admin(mut self) -> Self {
        self.is_admin = true;
        self
    }
    pub fn owner(mut self) -> Self {
        self.is_owner = true;
        self
    }
    pub fn bot(mut self) -> Self {
        self.is_bot = true;
        self.email = None;
        self
    }
    pub fn deleted(mut self) -> Self {
        self.deleted = true;
        self
    }
    pub fn guest(mut self, single_channel: bool) -> Self {
        self.is_restricted = true;
        self.is_ultra_restricted = single_channel;
        self
    }

    /// The user object as Slack sends it; on Enterprise Grid (`enterprise` set) with the
    /// `enterprise_user` part that lists the person's workspaces.
    fn to_json(&self, enterprise: Option<&str>) -> Value {
        self.to_json_in(FAKE_TEAM_ID, enterprise)
    }

    /// The user object as seen from `team` (flags are that workspace's).
    fn to_json_in(&self, team: &str, enterprise: Option<&str>) -> Value {
        let (is_restricted, is_ultra_restricted) = match self.role_in(team) {
            Some(role) if team != FAKE_TEAM_ID => role.flags(),
            _ => (self.is_restricted, self.is_ultra_restricted),
        };
        let mut user = self.base_json(team, is_restricted, is_ultra_restricted);
        if let Some(enterprise) = enterprise {
            let mut teams: Vec<&str> = Vec::new();
            if self.in_workspace {
                teams.push(FAKE_TEAM_ID);
            }
            teams.extend(self.other_teams.keys().map(String::as_str));
            user["enterprise_user"] = json!({
                "id": self.id, "enterprise_id": enterprise, "enterprise_name": "Fake Org",
                "is_admin": self.is_admin, "is_owner": self.is_owner, "teams": teams,
            });
        }
        user
    }

    fn base_json(&self, team: &str, is_restricted: bool, is_ultra_restricted: bool) -> Value {
        json!({
            "id": self.id,
            "team_id": team,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "tz": self.tz,
            "tz_offset": 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": false,
            "is_bot": self.is_bot,
            "is_app_user": false,
            "is_restricted": is_restricted,
            "is_ultra_restricted": is_ultra_restricted,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "email": self.email,
                "title": self.title.clone().unwrap_or_default(),
            },
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeChannel {
    pub id: String,
    pub name: String,
    pub is_private: bool,
    /// Whether the app's bot was invited into it. A private channel takes posts only from its
    /// members; a public one from anyone holding `chat:write.public` too.
    pub bot_member: bool,
    /// The people in it (guests join the channels they were invited to when they accept).
    pub members: BTreeSet<String>,
    /// The workspace it belongs to.
    pub team: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeUserGroup {
    pub id: String,
    pub handle: String,
    pub name: String,
    pub users: Vec<String>,
}

/// A message as the fake holds it: what was posted, then what the last update made of it.
#[derive(Debug, Clone, Serialize)]
pub struct FakeMessage {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub text: Option<String>,
    pub blocks: Value,
    pub updates: usize,
}

impl FakeMessage {
    /// Every text in the message (fallback text and block texts), for assertions.
    pub fn all_text(&self) -> String {
        let mut out = self.text.clone().unwrap_or_default();
        collect_text(&self.blocks, &mut out);
        out
    }
}

fn collect_text(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get("text") {
                out.push('\n');
                out.push_str(text);
            }
            for (key, v) in map {
                if key != "text" || !v.is_string() {
                    collect_text(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_text(v, out)),
        _ => {}
    }
}

/// What the next call of a method should do instead of succeeding.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// HTTP 429 with `Retry-After`.
    RateLimited { retry_after_secs: u64 },
    /// An HTTP status such as 500 or 503.
    Status(u16),
    /// HTTP 200 with `{"ok":false,"error":code}`.
    Error(String),
}

#[derive(Debug, Default)]
pub struct FakeState {
    pub calls: Vec<RecordedCall>,
    pub users: BTreeMap<String, FakeUser>,
    pub channels: BTreeMap<String, FakeChannel>,
    pub usergroups: BTreeMap<String, FakeUserGroup>,
    pub messages: Vec<FakeMessage>,
    pub views: Vec<Value>,
    /// Trigger ids already exchanged for a view (each opens one).
    pub used_triggers: std::collections::HashSet<String>,
    /// Posts to each `response_url` so far (Slack takes five).
    pub response_url_uses: HashMap<String, usize>,
    /// The `external_id`s of the views opened so far (Slack: unique per workspace).
    pub external_ids: std::collections::HashSet<String>,
    pub home_views: HashMap<String, Value>,
    /// What the next calls of a method do instead of succeeding (`None`: succeed normally).
    pub failures: HashMap<String, VecDeque<Option<Failure>>>,
    /// Delays before handling the next calls of a method (a slow Slack); the call is only
    /// recorded and carried out after the delay, so an abandoned call leaves no trace.
    pub delays: HashMap<String, VecDeque<std::time::Duration>>,
    /// Accounts created through admin.users.invite or SCIM-like paths, by email.
    pub invited: BTreeMap<String, Value>,
    /// Uploaded files for files.info: id → (name, content).
    pub files: HashMap<String, (String, Vec<u8>)>,
    /// `http://addr`, for the absolute URLs Slack hands out (file downloads).
    pub base_url: String,
    /// Served by apps.connections.open (Socket Mode tests set it).
    pub socket_url: Option<String>,
    /// The scopes of the tokens the fake did not issue itself (the deployment's own
    /// `SLACK_BOT_TOKEN` and `SLACK_ADMIN_TOKEN`): those a manifest of `guestlist manifest` asks
    /// for, bot scopes for `xoxb-` tokens and user scopes for `xoxp-` ones. By default the
    /// manifest for one workspace on Grid's admin API (`grant_manifest` sets another).
    pub granted_bot: BTreeSet<String>,
    pub granted_user: BTreeSet<String>,
    /// Enterprise Grid: the organisation's id. User objects then carry `enterprise_user`.
    pub enterprise: Option<String>,
    /// The app's OAuth client id and secret.
    pub oauth_client: Option<(String, String)>,
    /// Codes from Slack's authorize page, with the redirect URI each was asked with.
    pub codes: HashMap<String, (oauth::InstallGrant, Option<String>)>,
    /// Tokens handed out by `oauth.v2.access`; once there are any, every call needs one.
    pub tokens: HashMap<String, oauth::IssuedToken>,
    /// Refresh tokens (token rotation), each good once: its grant, and whether it refreshes the
    /// installer's user token.
    pub refresh_tokens: HashMap<String, (oauth::InstallGrant, bool)>,
    pub refreshes: usize,
    /// Workspaces of an organisation (Enterprise Grid), for org-wide tokens.
    pub team_enterprise: HashMap<String, String>,
    /// What the next visitor of the authorize page installs (`None`: they cancel).
    pub authorizations: VecDeque<Option<oauth::InstallGrant>>,
    /// Requests made in Slack's own "Invite people" dialog, by id.
    pub invite_requests: BTreeMap<String, oauth::InviteRequest>,
    next_ts: u64,
    next_id: u64,
}

impl FakeState {
    /// The deployment's own tokens get the scopes `manifest` asks for.
    fn grant(&mut self, manifest: &Value) {
        let scopes = |kind: &str| -> BTreeSet<String> {
            manifest["oauth_config"]["scopes"][kind]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        self.granted_bot = scopes("bot");
        self.granted_user = scopes("user");
    }

    fn next_ts(&mut self) -> String {
        self.next_ts += 1;
        format!("1700000000.{:06}", self.next_ts)
    }
    fn next_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:08}", self.next_id)
    }
}

#[derive(Clone)]
pub struct FakeSlack {
    addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
    shutdown: Arc<Mutex<Option<oneshot::Sender<()>>>>,
}

impl std::fmt::Debug for FakeSlack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSlack")
            .field("addr", &self.addr)
            .finish()
    }
}

impl FakeSlack {
    /// Starts on 127.0.0.1 with an OS-chosen port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0").await
    }

    /// Starts on the given address (benchmarks run it as a process of its own).
    pub async fn start_on(addr: &str) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(FakeState {
            next_ts: 0,
            next_id: 0,
            base_url: format!("http://{addr}"),
            ..Default::default()
        }));
        state
            .lock()
            .expect("fake slack lock")
            .grant(&crate::slack::manifest::manifest_for(
                crate::slack::manifest::PLACEHOLDER_URL,
                false,
                None,
                true,
            ));
        let app = Router::new()
            .route("/api/{method}", get(api).post(api))
            .route("/response/{id}", post(response_url))
            .route("/files/{id}", get(file_download))
            .route("/oauth/v2/authorize", get(oauth::authorize_page))
            .with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            state,
            shutdown: Arc::new(Mutex::new(Some(tx))),
        })
    }

    pub fn stop(&self) {
        if let Some(tx) = self.shutdown.lock().expect("fake lock").take() {
            let _ = tx.send(());
        }
    }

    /// The value for `SLACK_API_URL`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A `response_url` the fake accepts and records (as method `response_url`).
    pub fn response_url(&self, id: &str) -> String {
        format!("http://{}/response/{id}", self.addr)
    }

    pub fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().expect("fake slack lock")
    }

    /// The deployment's own tokens get the scopes this manifest (one printed by
    /// `guestlist manifest` for another mode) asks for.
    pub fn grant_manifest(&self, manifest: &Value) -> &Self {
        self.state().grant(manifest);
        self
    }

    pub fn add_user(&self, user: FakeUser) -> &Self {
        self.state().users.insert(user.id.clone(), user);
        self
    }

    pub fn add_channel(&self, id: &str, name: &str) -> &Self {
        self.add_team_channel(FAKE_TEAM_ID, id, name)
    }

    /// A private channel of this workspace; `bot_member`: the bot was invited into it.
    pub fn add_private_channel(&self, id: &str, name: &str, bot_member: bool) -> &Self {
        self.state().channels.insert(
            id.into(),
            FakeChannel {
                id: id.into(),
                name: name.into(),
                is_private: true,
                bot_member,
                members: BTreeSet::new(),
                team: FAKE_TEAM_ID.into(),
            },
        );
        self
    }

    /// Who is in `channel`.
    pub fn members_of(&self, channel: &str) -> BTreeSet<String> {
        self.state()
            .channels
            .get(channel)
            .map(|c| c.members.clone())
            .unwrap_or_default()
    }

    /// `user` joins `channel` (by hand, as an admin would add them).
    pub fn join_channel(&self, channel: &str, user: &str) {
        if let Some(c) = self.state().channels.get_mut(channel) {
            c.members.insert(user.to_string());
        }
    }

    /// Someone invites the bot into `channel`.
    pub fn invite_bot(&self, channel: &str) {
        if let Some(c) = self.state().channels.get_mut(channel) {
            c.bot_member = true;
        }
    }

    pub fn add_usergroup(&self, id: &str, handle: &str, users: &[&str]) -> &Self {
        self.state().usergroups.insert(
            id.into(),
            FakeUserGroup {
                id: id.into(),
                handle: handle.into(),
                name: handle.into(),
                users: users.iter().map(|u| u.to_string()).collect(),
            },
        );
        self
    }

    pub fn set_usergroup_members(&self, id: &str, users: &[&str]) {
        if let Some(group) = self.state().usergroups.get_mut(id) {
            group.users = users.iter().map(|u| u.to_string()).collect();
        }
    }

    /// Makes the fake an Enterprise Grid organisation: user objects list their workspaces.
    pub fn enable_grid(&self) -> &Self {
        self.state().enterprise = Some("E0FAKE".into());
        self
    }

    /// A person accepts Guestlist's invitation: the pending invitation becomes a guest account
    /// (multi- or single-channel, as invited) in this workspace. Returns the user object a
    /// `team_join` event carries, or `None` when no invitation is pending for the email.
    pub fn accept_invitation(&self, email: &str) -> Option<Value> {
        let mut state = self.state();
        let email = email.to_lowercase();
        let invite = state.invited.remove(&email)?;
        let id = invite["user_id"].as_str().unwrap_or_default().to_string();
        let args = &invite["args"];
        let single = args["is_ultra_restricted"] == json!(true);
        let name = args["real_name"]
            .as_str()
            .unwrap_or("Invited Guest")
            .to_string();
        let mut user = FakeUser::new(&id, &name).email(&email).guest(single);
        user.name = email.split('@').next().unwrap_or("guest").to_string();
        // The guest lands in the channels of the invitation.
        let channels: Vec<String> = args["channel_ids"]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .map(|c| c.trim().to_string())
            .collect();
        for channel in channels {
            if let Some(c) = state.channels.get_mut(&channel) {
                c.members.insert(id.clone());
            }
        }
        let json = user.to_json(state.enterprise.as_deref());
        state.users.insert(id, user);
        Some(json)
    }

    /// The user object Slack would send for this user (in `team_join`, `user_change`).
    pub fn user_json(&self, id: &str) -> Option<Value> {
        let state = self.state();
        let enterprise = state.enterprise.clone();
        state
            .users
            .get(id)
            .map(|u| u.to_json(enterprise.as_deref()))
    }

    /// Changes a user in place (an admin promoting a guest, deactivating an account…).
    pub fn update_user(&self, id: &str, change: impl FnOnce(&mut FakeUser)) {
        if let Some(user) = self.state().users.get_mut(id) {
            change(user);
        }
    }

    pub fn user(&self, id: &str) -> Option<FakeUser> {
        self.state().users.get(id).cloned()
    }

    pub fn add_file(&self, id: &str, name: &str, content: Vec<u8>) {
        self.state().files.insert(id.into(), (name.into(), content));
    }

    /// `user` shares a file in `channel`: the file and the message exist, and the return value
    /// is the `message` event (subtype `file_share`) Slack would deliver.
    pub fn share_file(
        &self,
        channel: &str,
        user: &str,
        id: &str,
        name: &str,
        content: Vec<u8>,
    ) -> Value {
        self.add_file(id, name, content);
        let mut state = self.state();
        let ts = state.next_ts();
        state.messages.push(FakeMessage {
            channel: channel.into(),
            ts: ts.clone(),
            thread_ts: None,
            text: Some(String::new()),
            blocks: Value::Null,
            updates: 0,
        });
        serde_json::json!({
            "type": "message", "subtype": "file_share", "channel": channel, "user": user,
            "text": "", "ts": ts, "channel_type": "channel",
            "files": [{"id": id, "name": name, "filetype": "csv", "mimetype": "text/csv"}],
        })
    }

    /// Makes the next `times` calls of `method` fail this way.
    pub fn fail_next(&self, method: &str, times: usize, failure: Failure) {
        let mut state = self.state();
        let queue = state.failures.entry(method.into()).or_default();
        queue.extend(std::iter::repeat_n(Some(failure), times));
    }

    /// Lets `successes` calls of `method` through, then fails the next `times` this way.
    pub fn fail_after(&self, method: &str, successes: usize, times: usize, failure: Failure) {
        let mut state = self.state();
        let queue = state.failures.entry(method.into()).or_default();
        queue.extend(std::iter::repeat_n(None, successes));
        queue.extend(std::iter::repeat_n(Some(failure), times));
    }

    /// Makes the next `times` calls of `method` wait `delay` before they are handled.
    pub fn delay_next(&self, method: &str, times: usize, delay: std::time::Duration) {
        let mut state = self.state();
        state
            .delays
            .entry(method.into())
            .or_default()
            .extend(std::iter::repeat_n(delay, times));
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.state().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<RecordedCall> {
        self.state()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    pub fn messages(&self) -> Vec<FakeMessage> {
        self.state().messages.clone()
    }

    /// Messages posted in `channel` (a user id means the bot's DM with that person).
    /// The messages of a conversation; a user id names the app's DM with that person.
    pub fn messages_in(&self, channel: &str) -> Vec<FakeMessage> {
        let state = self.state();
        let channel = if state.users.contains_key(channel) {
            dm_channel(channel)
        } else {
            channel.to_string()
        };
        state
            .messages
            .iter()
            .filter(|m| m.channel == channel)
            .cloned()
            .collect()
    }

    /// Top-level messages in `channel`, without thread replies.
    pub fn top_level_in(&self, channel: &str) -> Vec<FakeMessage> {
        self.messages_in(channel)
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect()
    }

    pub fn thread(&self, channel: &str, ts: &str) -> Vec<FakeMessage> {
        self.messages_in(channel)
            .into_iter()
            .filter(|m| m.thread_ts.as_deref() == Some(ts))
            .collect()
    }

    /// Every modal Slack accepted (`views.open`, `views.push`, `views.update`), in order.
    pub fn views_shown(&self) -> Vec<Value> {
        self.state().views.clone()
    }

    pub fn home_view(&self, user: &str) -> Option<Value> {
        self.state().home_views.get(user).cloned()
    }
}

async fn api(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let delay = state
        .lock()
        .expect("fake slack lock")
        .delays
        .get_mut(&method)
        .and_then(VecDeque::pop_front);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let args = parse_args(query.as_deref(), &headers, &body);
    let token = token.or_else(|| {
        args.get("token")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let mut state = state.lock().expect("fake slack lock");
    state.calls.push(RecordedCall {
        method: method.clone(),
        args: Value::Object(args.clone()),
        token: token.clone(),
    });
    if let Some(Some(failure)) = state
        .failures
        .get_mut(&method)
        .and_then(VecDeque::pop_front)
    {
        return match failure {
            Failure::RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                axum::Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response(),
            Failure::Status(status) => (
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "upstream trouble",
            )
                .into_response(),
            Failure::Error(code) => error(&code),
        };
    }

    if method == "oauth.v2.access" {
        // The app authenticates with its client id and secret (form fields or HTTP Basic).
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(b).ok()
            })
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            });
        return match oauth::oauth_access(&mut state, &args, basic) {
            Ok(mut body) => {
                body.insert("ok".into(), Value::Bool(true));
                axum::Json(Value::Object(body)).into_response()
            }
            Err(code) => error(&code),
        };
    }

    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return error("not_authed");
    };
    let admin_method = method.starts_with("admin.");
    // A rotating token is the same kind behind an `xoxe.` prefix.
    let kind = token.strip_prefix("xoxe.").unwrap_or(&token);
    let token_ok = if method == "apps.connections.open" {
        kind.starts_with("xapp-")
    } else if admin_method {
        kind.starts_with("xoxp-")
    } else {
        kind.starts_with("xoxb-") || kind.starts_with("xoxp-")
    };
    if !token_ok {
        return error(if admin_method {
            "not_allowed_token_type"
        } else {
            "invalid_auth"
        });
    }
    let caller = match state.authorise(&token) {
        Err(code) => return error(code),
        Ok(issued) => issued.cloned(),
    };
    // Slack answers a call whose token lacks the method's scope with `missing_scope`.
    let granted = match &caller {
        Some(issued) => issued.scopes(),
        None if kind.starts_with("xoxp-") => state.granted_user.clone(),
        None => state.granted_bot.clone(),
    };
    if let Some(call) = crate::slack::scopes::of(&method)
        && !call.any_of.is_empty()
        && !call.any_of.iter().any(|s| granted.contains(*s))
    {
        return axum::Json(json!({
            "ok": false, "error": "missing_scope",
            "needed": call.any_of.join(","),
            "provided": granted.into_iter().collect::<Vec<_>>().join(","),
        }))
        .into_response();
    }
    // The bot posts where it was invited; in other public channels only with
    // `chat:write.public`, and never in a private channel it is not in.
    if matches!(method.as_str(), "chat.postMessage" | "chat.postEphemeral")
        && kind.starts_with("xoxb-")
        && let Some(channel) = args
            .get("channel")
            .and_then(Value::as_str)
            .and_then(|c| state.channels.get(c))
        && !channel.bot_member
        && (channel.is_private || !granted.contains("chat:write.public"))
    {
        return error("not_in_channel");
    }
    if method == "auth.teams.list" {
        // An org-wide token lists its organisation's workspaces; any other, its own one.
        let teams: Vec<String> = match &caller {
            Some(t) if t.is_enterprise_install => state
                .team_enterprise
                .iter()
                .filter(|(_, e)| Some(*e) == t.enterprise.as_ref())
                .map(|(team, _)| team.clone())
                .collect(),
            Some(t) => vec![t.key.clone()],
            None => vec![FAKE_TEAM_ID.to_string()],
        };
        let teams: Vec<Value> = teams
            .into_iter()
            .map(|id| json!({"id": id, "name": id}))
            .collect();
        return axum::Json(json!({"ok": true, "teams": teams,
            "response_metadata": {"next_cursor": ""}}))
        .into_response();
    }
    if let Some(issued) = caller.as_ref() {
        if admin_method && !issued.user {
            return error("not_allowed_token_type");
        }
        // An org-level token must say which workspace a workspace-scoped list is of.
        if issued.is_enterprise_install
            && ORG_TOKEN_NEEDS_TEAM.contains(&method.as_str())
            && args
                .get("team_id")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            return error("missing_argument");
        }
        // A workspace's token does not see another workspace's channels.
        let channel = args
            .get("channel")
            .or_else(|| args.get("channel_id"))
            .and_then(Value::as_str);
        if let Some(channel) = channel
            && !state.reaches(issued, channel)
        {
            return error("channel_not_found");
        }
    }
    if let Err(refusal) = arguments::check(&method, &args) {
        return refused(&refusal);
    }
    match methods::dispatch(&mut state, &method, &args) {
        Ok(mut body) => {
            body.insert("ok".into(), Value::Bool(true));
            axum::Json(Value::Object(body)).into_response()
        }
        Err(refusal) => refused(&refusal),
    }
}

fn refused(refusal: &methods::Refusal) -> Response {
    if refusal.messages.is_empty() {
        return error(&refusal.error);
    }
    axum::Json(json!({"ok": false, "error": refusal.error,
        "response_metadata": {"messages": refusal.messages}}))
    .into_response()
}

async fn response_url(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut args: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let problems = match args.get("blocks") {
        Some(blocks) => blockkit::check_message(blocks).err(),
        None => None,
    };
    if let Value::Object(map) = &mut args {
        map.insert("response_url_id".into(), Value::String(id.clone()));
    }
    let mut state = state.lock().expect("fake slack lock");
    state.calls.push(RecordedCall {
        method: "response_url".into(),
        args,
        token: None,
    });
    // Slack takes at most five posts to one response_url.
    let uses = state.response_url_uses.entry(id).or_default();
    *uses += 1;
    if *uses > 5 {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"ok": false, "error": "used_url"})),
        )
            .into_response();
    }
    match problems {
        // Slack answers a refused response_url post with a 400 naming the error.
        Some(messages) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"ok": false, "error": "invalid_blocks",
                "response_metadata": {"messages": messages}})),
        )
            .into_response(),
        None => (StatusCode::OK, "ok").into_response(),
    }
}

async fn file_download(
    State(state): State<Arc<Mutex<FakeState>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let authed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer xox"));
    if !authed {
        return (StatusCode::FOUND, [(header::LOCATION, "/signin")]).into_response();
    }
    let state = state.lock().expect("fake slack lock");
    match state.files.get(&id) {
        Some((_, content)) => (StatusCode::OK, content.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn error(code: &str) -> Response {
    axum::Json(json!({"ok": false, "error": code})).into_response()
}

/// Query string, then a JSON or form body, merged into one argument map. Form values that hold
/// JSON (`blocks`, `view`) are decoded, as Slack does.
fn parse_args(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let mut args = Map::new();
    let mut add_pairs = |raw: &str| {
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            let value = match k.as_ref() {
                "blocks" | "view" | "attachments" | "channel_ids_json" => {
                    serde_json::from_str(&v).unwrap_or(Value::String(v.to_string()))
                }
                _ => Value::String(v.to_string()),
            };
            args.insert(k.to_string(), value);
        }
    };
    if let Some(q) = query {
        add_pairs(q);
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            args.extend(map);
        }
    } else if let Ok(text) = std::str::from_utf8(body) {
        add_pairs(text);
    }
    args
}
