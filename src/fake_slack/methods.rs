//! The Web API methods the fake answers, each reading its arguments as Slack documents them.

use super::blockkit;
use super::{FAKE_TEAM_ID, FakeMessage, FakeState};
use serde_json::{Map, Value, json};

type Answer = Result<Map<String, Value>, Refusal>;

/// `{"ok": false, "error": …}`, with Slack's `response_metadata.messages` where it gives them
/// (Block Kit refusals say what and where).
#[derive(Debug)]
pub(super) struct Refusal {
    pub error: String,
    pub messages: Vec<String>,
}

impl From<String> for Refusal {
    fn from(error: String) -> Self {
        Self {
            error,
            messages: Vec::new(),
        }
    }
}

impl From<&str> for Refusal {
    fn from(error: &str) -> Self {
        error.to_string().into()
    }
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn arg<'a>(args: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    args.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn required<'a>(args: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    arg(args, key).ok_or_else(|| "invalid_arguments".to_string())
}

fn flag(args: &Map<String, Value>, key: &str) -> bool {
    match args.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        _ => false,
    }
}

/// Slack's limit on `users.list` pages.
const MAX_PAGE: usize = 1000;

pub(super) fn dispatch(state: &mut FakeState, method: &str, args: &Map<String, Value>) -> Answer {
    match method {
        "auth.test" => Ok(obj(json!({
            "url": "https://fake.slack.com/", "team": "Fake", "user": "guestlist",
            "team_id": FAKE_TEAM_ID, "user_id": "UBOT", "bot_id": "BBOT",
        }))),
        "chat.postMessage" => post_message(state, args),
        "chat.update" => update_message(state, args),
        "chat.postEphemeral" => {
            let channel = required(args, "channel")?;
            let user = required(args, "user")?;
            if !state.users.contains_key(user) {
                return Err("user_not_found".into());
            }
            if !state.channels.contains_key(channel) && !state.users.contains_key(channel) {
                return Err("channel_not_found".into());
            }
            check_blocks(args.get("blocks").unwrap_or(&Value::Null))?;
            Ok(obj(json!({"message_ts": state.next_ts()})))
        }
        "views.open" | "views.push" => {
            let trigger = required(args, "trigger_id")?.to_string();
            // A trigger id lives three seconds from the interaction that minted it.
            let Some(age) = super::trigger_age(&trigger) else {
                return Err("invalid_trigger_id".into());
            };
            if age > super::TRIGGER_LIFETIME {
                return Err("expired_trigger_id".into());
            }
            // A trigger opens one view (Slack: `exchanged_trigger_id` the second time).
            if state.used_triggers.contains(&trigger) {
                return Err("exchanged_trigger_id".into());
            }
            let opened = open_view(state, args, true)?;
            state.used_triggers.insert(trigger);
            Ok(opened)
        }
        "views.update" => open_view(state, args, false),
        "views.publish" => {
            let user = required(args, "user_id")?.to_string();
            let view = args.get("view").cloned().ok_or("invalid_arguments")?;
            check_view(&view)?;
            state.home_views.insert(user, view.clone());
            let id = state.next_id("V");
            Ok(obj(json!({"view": stateful_view(view, &id)})))
        }
        "users.info" => {
            let id = required(args, "user")?;
            let user = state.users.get(id).ok_or("user_not_found")?;
            let mut json = user.to_json(state.enterprise.as_deref());
            // Slack adds the locale only when asked.
            if arg(args, "include_locale") == Some("true") {
                json["locale"] = json!(user.locale);
            }
            Ok(obj(json!({ "user": json })))
        }
        "users.lookupByEmail" => {
            // A workspace token finds the active people of its workspace: "if the user has
            // been deactivated, users_not_found will be returned" (the method's page).
            let email = required(args, "email")?.to_lowercase();
            let user = state
                .users
                .values()
                .filter(|u| u.in_workspace && !u.deleted)
                .find(|u| {
                    u.email.as_deref().map(str::to_lowercase).as_deref() == Some(email.as_str())
                })
                .ok_or("users_not_found")?;
            Ok(obj(
                json!({"user": user.to_json(state.enterprise.as_deref())}),
            ))
        }
        "users.list" => {
            // `team_id` (an org token's) lists another workspace of the organisation.
            let team = arg(args, "team_id").unwrap_or(FAKE_TEAM_ID).to_string();
            let enterprise = state.enterprise.clone();
            let members: Vec<&super::FakeUser> = state
                .users
                .values()
                .filter(|u| u.role_in(&team).is_some())
                .collect();
            paginate(members.len(), args, "members", |offset, limit| {
                members
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|u| u.to_json_in(&team, enterprise.as_deref()))
                    .collect()
            })
        }
        "usergroups.list" => {
            let include_users = flag(args, "include_users");
            let groups: Vec<Value> = state
                .usergroups
                .values()
                .map(|g| {
                    let mut group = json!({
                        "id": g.id, "team_id": FAKE_TEAM_ID, "name": g.name, "handle": g.handle,
                        "is_external": false, "date_create": 1700000000, "created_by": "U0",
                        "prefs": {"channels": [], "groups": []}, "user_count": g.users.len(),
                    });
                    if include_users {
                        group["users"] = json!(g.users);
                    }
                    group
                })
                .collect();
            Ok(obj(json!({"usergroups": groups})))
        }
        "usergroups.users.list" => {
            let id = required(args, "usergroup")?;
            let group = state.usergroups.get(id).ok_or("no_such_subteam")?;
            Ok(obj(json!({"users": group.users})))
        }
        "usergroups.users.update" => {
            let id = required(args, "usergroup")?.to_string();
            let users: Vec<String> = required(args, "users")?
                .split(',')
                .map(str::to_string)
                .collect();
            let group = state.usergroups.get_mut(&id).ok_or("no_such_subteam")?;
            group.users = users;
            Ok(obj(json!({"usergroup": {"id": id}})))
        }
        "conversations.info" => {
            let id = required(args, "channel")?;
            let channel = state.channels.get(id).ok_or("channel_not_found")?;
            Ok(obj(json!({"channel": {
                "id": channel.id, "name": channel.name, "created": 1700000000,
                "is_channel": !channel.is_private, "is_private": channel.is_private,
                "is_member": channel.bot_member,
            }})))
        }
        "conversations.list" => {
            let total = state.channels.len();
            paginate(total, args, "channels", |offset, limit| {
                state
                    .channels
                    .values()
                    .skip(offset)
                    .take(limit)
                    .map(|c| json!({"id": c.id, "name": c.name, "created": 1700000000, "is_private": c.is_private}))
                    .collect()
            })
        }
        "files.info" => {
            let id = required(args, "file")?;
            let (name, content) = state.files.get(id).ok_or("file_not_found")?;
            Ok(obj(json!({"file": {
                "id": id, "name": name, "filetype": "csv", "size": content.len(),
                "url_private": format!("{}/files/{id}", state.base_url),
                "url_private_download": format!("{}/files/{id}?download=1", state.base_url),
            }})))
        }
        "apps.connections.open" => {
            let url = state.socket_url.clone().ok_or("internal_error")?;
            Ok(obj(json!({"url": url})))
        }
        "admin.users.invite" => admin_invite(state, args),
        "admin.inviteRequests.list"
        | "admin.inviteRequests.approve"
        | "admin.inviteRequests.deny" => {
            super::oauth::invite_requests(state, method, args).map_err(Refusal::from)
        }
        "admin.users.setExpiration" => {
            let user = required(args, "user_id")?.to_string();
            required_number(args, "expiration_ts")?;
            let team = arg(args, "team_id").unwrap_or(FAKE_TEAM_ID).to_string();
            let found = state.users.get(&user).ok_or("user_not_found")?;
            if found.deleted {
                return Err("user_is_deactivated".into());
            }
            match found.role_in(&team) {
                Some(super::TeamRole::Member) => Err("user_is_not_a_guest".into()),
                Some(_) => Ok(Map::new()),
                None => Err("user_not_found".into()),
            }
        }
        "admin.users.remove" => {
            let team = required(args, "team_id")?.to_string();
            let user = required(args, "user_id")?.to_string();
            let found = state.users.get_mut(&user).ok_or("user_not_found")?;
            if found.role_in(&team).is_none() {
                return Err("user_not_found".into());
            }
            if team == FAKE_TEAM_ID {
                found.in_workspace = false;
            } else {
                found.other_teams.remove(&team);
            }
            Ok(Map::new())
        }
        // Grid: one user id (or several, comma-separated) into a channel.
        "admin.conversations.invite" => {
            let channel = required(args, "channel_id")?;
            if !state.channels.contains_key(channel) {
                return Err("channel_not_found".into());
            }
            let users = required(args, "user_ids")?;
            for user in users.split(',') {
                let user = user.trim();
                let found = state.users.get(user).ok_or("user_not_found")?;
                if found.deleted || found.role_in(FAKE_TEAM_ID).is_none() {
                    return Err("failed_for_some_users".into());
                }
                // A single-channel guest is in one channel: a second is refused.
                let elsewhere = state
                    .channels
                    .values()
                    .any(|c| c.id != channel && c.members.contains(user));
                if found.role_in(FAKE_TEAM_ID) == Some(super::TeamRole::SingleChannelGuest)
                    && elsewhere
                {
                    return Err("failed_for_some_users".into());
                }
            }
            let channel = channel.to_string();
            let members = &mut state.channels.get_mut(&channel).expect("checked").members;
            for user in users.split(',') {
                members.insert(user.trim().to_string());
            }
            Ok(Map::new())
        }
        "conversations.kick" => {
            let channel = required(args, "channel")?.to_string();
            let user = required(args, "user")?.to_string();
            if !state.users.contains_key(&user) {
                return Err("user_not_found".into());
            }
            let found = state
                .channels
                .get_mut(&channel)
                .ok_or("channel_not_found")?;
            // Nobody leaves a workspace's #general (Slack: the default channel).
            if found.name == "general" {
                return Err("cant_kick_from_general".into());
            }
            if !found.members.remove(&user) {
                return Err("not_in_channel".into());
            }
            Ok(Map::new())
        }
        "conversations.members" => {
            let channel = required(args, "channel")?;
            let members: Vec<String> = state
                .channels
                .get(channel)
                .ok_or("channel_not_found")?
                .members
                .iter()
                .cloned()
                .collect();
            paginate(members.len(), args, "members", |offset, limit| {
                members
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|m| json!(m))
                    .collect()
            })
        }
        "users.profile.set" => {
            // An admin's user token may write another person's profile (paid plans).
            let user = required(args, "user")?.to_string();
            let profile = args.get("profile").cloned().ok_or("invalid_arguments")?;
            let found = state.users.get_mut(&user).ok_or("user_not_found")?;
            if let Some(title) = profile.get("title").and_then(Value::as_str) {
                found.title = Some(title.to_string());
            }
            Ok(obj(json!({"profile": {"title": found.title}})))
        }
        "admin.users.setRegular" => {
            let team = required(args, "team_id")?.to_string();
            let user = required(args, "user_id")?.to_string();
            let found = state.users.get_mut(&user).ok_or("user_not_found")?;
            match found.role_in(&team) {
                None => return Err("user_not_found".into()),
                Some(super::TeamRole::Member) => return Err("user_is_not_a_guest".into()),
                Some(_) => {}
            }
            if team == FAKE_TEAM_ID {
                found.is_restricted = false;
                found.is_ultra_restricted = false;
            } else {
                found.other_teams.insert(team, super::TeamRole::Member);
            }
            Ok(Map::new())
        }
        "admin.users.assign" => {
            let team = required(args, "team_id")?.to_string();
            let user = required(args, "user_id")?.to_string();
            let role = if flag(args, "is_ultra_restricted") {
                super::TeamRole::SingleChannelGuest
            } else if flag(args, "is_restricted") {
                super::TeamRole::MultiChannelGuest
            } else {
                super::TeamRole::Member
            };
            let found = state.users.get_mut(&user).ok_or("user_not_found")?;
            if found.role_in(&team).is_some() {
                return Err("user_already_team_member".into());
            }
            if team == FAKE_TEAM_ID {
                found.in_workspace = true;
                (found.is_restricted, found.is_ultra_restricted) = role.flags();
            } else {
                found.other_teams.insert(team, role);
            }
            Ok(Map::new())
        }
        "admin.users.list" => {
            let team = arg(args, "team_id").unwrap_or(FAKE_TEAM_ID).to_string();
            let only_guests = flag(args, "only_guests");
            let listed: Vec<Value> = state
                .users
                .values()
                .filter_map(|u| {
                    let role = u.role_in(&team)?;
                    let (is_restricted, is_ultra_restricted) = role.flags();
                    (!only_guests || is_restricted).then(|| {
                        json!({
                            "id": u.id, "email": u.email, "full_name": u.real_name,
                            "username": u.name, "is_admin": u.is_admin, "is_owner": u.is_owner,
                            "is_primary_owner": false, "is_bot": u.is_bot,
                            "is_restricted": is_restricted, "is_ultra_restricted": is_ultra_restricted,
                            "is_active": !u.deleted, "date_created": 1700000000,
                        })
                    })
                })
                .collect();
            paginate(listed.len(), args, "users", |offset, limit| {
                listed.iter().skip(offset).take(limit).cloned().collect()
            })
        }
        _ => Err("unknown_method".into()),
    }
}

fn required_number(args: &Map<String, Value>, key: &str) -> Result<i64, String> {
    match args.get(key) {
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| "invalid_arguments".to_string()),
        Some(Value::String(s)) => s.parse().map_err(|_| "invalid_arguments".to_string()),
        _ => Err("invalid_arguments".into()),
    }
}

fn post_message(state: &mut FakeState, args: &Map<String, Value>) -> Answer {
    let mut channel = required(args, "channel")?.to_string();
    // A user id posts in the app's DM with that person: Slack answers with the DM's own id
    // (`D…`), which is what `chat.update` needs later.
    if state.users.contains_key(&channel) {
        channel = super::dm_channel(&channel);
    } else if !state.channels.contains_key(&channel) && !is_dm_of_someone(state, &channel) {
        return Err("channel_not_found".into());
    }
    let text = arg(args, "text").map(str::to_string);
    let blocks = args.get("blocks").cloned().unwrap_or(Value::Null);
    if text.is_none() && blocks.is_null() {
        return Err("no_text".into());
    }
    check_blocks(&blocks)?;
    let thread_ts = arg(args, "thread_ts").map(str::to_string);
    if let Some(parent) = &thread_ts
        && !state
            .messages
            .iter()
            .any(|m| &m.ts == parent && m.channel == channel)
    {
        return Err("thread_not_found".into());
    }
    let ts = state.next_ts();
    state.messages.push(FakeMessage {
        channel: channel.clone(),
        ts: ts.clone(),
        thread_ts,
        text: text.clone(),
        blocks: blocks.clone(),
        updates: 0,
    });
    Ok(obj(
        json!({"channel": channel, "ts": ts, "message": {"ts": ts, "text": text, "blocks": blocks}}),
    ))
}

fn update_message(state: &mut FakeState, args: &Map<String, Value>) -> Answer {
    let channel = required(args, "channel")?.to_string();
    let ts = required(args, "ts")?.to_string();
    // A message is updated in its conversation: a DM by its `D…` id, never by the person's.
    if state.users.contains_key(&channel) {
        return Err("channel_not_found".into());
    }
    let blocks = args.get("blocks").cloned();
    if let Some(blocks) = &blocks {
        check_blocks(blocks)?;
    }
    let text = arg(args, "text").map(str::to_string);
    let message = state
        .messages
        .iter_mut()
        .find(|m| m.channel == channel && m.ts == ts)
        .ok_or("message_not_found")?;
    if let Some(blocks) = blocks {
        message.blocks = blocks;
    }
    if text.is_some() {
        message.text = text;
    }
    message.updates += 1;
    Ok(obj(
        json!({"channel": channel, "ts": ts, "message": {"ts": ts}}),
    ))
}

fn is_dm_of_someone(state: &FakeState, channel: &str) -> bool {
    state
        .users
        .keys()
        .any(|user| super::dm_channel(user) == channel)
}

/// A message's blocks as Slack checks them (`invalid_blocks`, with what and where).
fn check_blocks(blocks: &Value) -> Result<(), Refusal> {
    if blocks.is_null() {
        return Ok(());
    }
    blockkit::check_message(blocks).map_err(|messages| Refusal {
        error: "invalid_blocks".into(),
        messages,
    })
}

/// A view as Slack checks it (`invalid_arguments`, with what and where).
fn check_view(view: &Value) -> Result<(), Refusal> {
    blockkit::check_view(view).map_err(|messages| Refusal {
        error: "invalid_arguments".into(),
        messages,
    })
}

fn stateful_view(mut view: Value, id: &str) -> Value {
    if let Value::Object(map) = &mut view {
        map.insert("id".into(), json!(id));
        map.insert("team_id".into(), json!(FAKE_TEAM_ID));
        map.insert("hash".into(), json!(format!("hash-{id}")));
        map.entry("blocks").or_insert(json!([]));
    }
    view
}

fn open_view(state: &mut FakeState, args: &Map<String, Value>, opening: bool) -> Answer {
    let view = args.get("view").cloned().ok_or("invalid_arguments")?;
    check_view(&view)?;
    if view
        .get("blocks")
        .and_then(Value::as_array)
        .is_some_and(|b| b.len() > 100)
    {
        return Err("view_too_large".into());
    }
    // An `external_id` names one view of the workspace: a second view opened under it is refused.
    if opening
        && let Some(external_id) = view.get("external_id").and_then(Value::as_str)
        && !state.external_ids.insert(external_id.to_string())
    {
        return Err("duplicate_external_id".into());
    }
    state.views.push(view.clone());
    let id = arg(args, "view_id")
        .map(str::to_string)
        .unwrap_or_else(|| state.next_id("V"));
    Ok(obj(json!({"view": stateful_view(view, &id)})))
}

/// One page of `total` items starting at the request's cursor; `page` builds just that page.
fn paginate(
    total: usize,
    args: &Map<String, Value>,
    key: &str,
    page: impl FnOnce(usize, usize) -> Vec<Value>,
) -> Answer {
    let limit = arg(args, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .or_else(|| {
            args.get("limit")
                .and_then(Value::as_u64)
                .map(|l| l as usize)
        })
        .filter(|l| *l > 0)
        .unwrap_or(100)
        .min(MAX_PAGE);
    let offset = match arg(args, "cursor") {
        None => 0,
        Some(cursor) => decode_cursor(cursor).ok_or("invalid_cursor")?,
    };
    let end = (offset + limit).min(total);
    let items = if offset < total {
        page(offset, end - offset)
    } else {
        Vec::new()
    };
    let next = if end < total {
        encode_cursor(end)
    } else {
        String::new()
    };
    Ok(obj(
        json!({key: items, "response_metadata": {"next_cursor": next}}),
    ))
}

/// Opaque-looking cursors, like Slack's (`dXNlcjpVMDYx…`).
fn encode_cursor(offset: usize) -> String {
    hex::encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = String::from_utf8(hex::decode(cursor).ok()?).ok()?;
    raw.strip_prefix("offset:")?.parse().ok()
}

fn admin_invite(state: &mut FakeState, args: &Map<String, Value>) -> Answer {
    required(args, "team_id")?;
    let email = required(args, "email")?.to_lowercase();
    let channels = required(args, "channel_ids")?;
    if channels
        .split(',')
        .any(|c| !state.channels.contains_key(c.trim()))
    {
        return Err("failed_to_validate_channels".into());
    }
    if !email.contains('@') {
        return Err("invalid_email".into());
    }
    let same_email = |u: &&super::FakeUser| {
        u.email.as_deref().map(str::to_lowercase).as_deref() == Some(email.as_str())
    };
    if let Some(user) = state
        .users
        .values()
        .filter(|u| u.in_workspace)
        .find(same_email)
    {
        return Err(if user.deleted {
            "user_disabled"
        } else {
            "already_in_team"
        }
        .into());
    }
    let resend = flag(args, "resend");
    if state.invited.contains_key(&email) && !resend {
        return Err("already_in_team_invited_user".into());
    }
    let user_id = match state.invited.get(&email) {
        Some(existing) => existing["user_id"].as_str().unwrap_or_default().to_string(),
        None => state.next_id("W"),
    };
    state.invited.insert(
        email.clone(),
        json!({"user_id": user_id, "args": Value::Object(args.clone())}),
    );
    Ok(Map::new())
}
