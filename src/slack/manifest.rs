//! The Slack app manifest: what to paste into "Create an app → From a manifest".

use serde_json::{Value, json};

/// Bot scopes the features need, and why.
pub const BOT_SCOPES: &[(&str, &str)] = &[
    ("commands", "the /guest command"),
    (
        "chat:write",
        "request cards, thread replies, DMs (to a user id: the app's own DM)",
    ),
    (
        "chat:write.public",
        "posting in a public channel the bot was not invited to (escalate_to_channel)",
    ),
    ("users:read", "time zones, admin flags, group sync"),
    ("users:read.email", "matching invited guests to accounts"),
    ("usergroups:read", "approver groups and group sync"),
    ("channels:read", "channel names on cards"),
    ("groups:read", "private channel names on cards"),
    (
        "channels:history",
        "messages posted in a public request channel",
    ),
    (
        "groups:history",
        "messages posted in a private request channel",
    ),
    ("files:read", "CSV files uploaded for import"),
];

/// The bot scopes, as an install asks for them.
pub fn bot_scopes() -> Vec<&'static str> {
    BOT_SCOPES.iter().map(|(scope, _)| *scope).collect()
}

/// Events the bot subscribes to.
pub const BOT_EVENTS: &[&str] = &[
    "app_home_opened",
    "message.channels",
    "message.groups",
    "team_join",
    "user_change",
    "subteam_created",
    "subteam_updated",
    "subteam_members_changed",
];

/// The user scopes an install asks for when accounts are made through Grid's admin API
/// (`admin.users.*`, Slack's own invite requests, channels of guests, removing a guest from a
/// channel, a guest's job title). The installing org admin's user token carries them: with
/// OAuth installs Guestlist keeps it; for one workspace it is `SLACK_ADMIN_TOKEN`.
pub const ADMIN_USER_SCOPES: &[&str] = &[
    "admin.users:read",
    "admin.users:write",
    "admin.invites:read",
    "admin.invites:write",
    "admin.conversations:write",
    "channels:read",
    "channels:write",
    "groups:read",
    "groups:write",
    "users.profile:write",
];

/// Events every installation sends when it is removed (installs through OAuth).
pub const INSTALL_EVENTS: &[&str] = &["app_uninstalled", "tokens_revoked"];

/// Events the installing admin's user token brings (Slack's own invite requests).
pub const ADMIN_USER_EVENTS: &[&str] = &["invite_requested"];

pub const SLASH_COMMAND: &str = "/guest";

/// How an app installed through OAuth differs in its manifest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Distributed {
    /// Slack rotates tokens every 12 hours (`slack.token_rotation`).
    pub token_rotation: bool,
}

/// The base URL in the committed `manifests/slack-app.yaml`.
pub const PLACEHOLDER_URL: &str = "https://guestlist.example.com";

/// The manifest for a deployment reachable at `base_url` (HTTP mode), or for Socket Mode.
pub fn manifest(base_url: &str, socket_mode: bool) -> Value {
    manifest_for(base_url, socket_mode, None, false)
}

/// The manifest, for an app installed through OAuth when `distributed` says how (the redirect
/// URL, org-wide deployment, the uninstall events), and with Grid's admin user scopes and
/// `invite_requested` when accounts are made through Grid's admin API (`grid_admin`).
pub fn manifest_for(
    base_url: &str,
    socket_mode: bool,
    distributed: Option<Distributed>,
    grid_admin: bool,
) -> Value {
    let base = base_url.trim_end_matches('/');
    let mut command = json!({
        "command": SLASH_COMMAND,
        "description": "Ask for a guest account, or see your requests",
        "usage_hint": "[help | list | status <id> | cancel <id> | sync preview | sync now | import]",
        "should_escape": false,
    });
    let mut events = json!({ "bot_events": BOT_EVENTS });
    let mut interactivity = json!({ "is_enabled": true });
    if !socket_mode {
        command["url"] = json!(format!("{base}/slack/commands"));
        events["request_url"] = json!(format!("{base}/slack/events"));
        interactivity["request_url"] = json!(format!("{base}/slack/interactions"));
    }
    let mut oauth = json!({
        "scopes": { "bot": bot_scopes() },
    });
    if distributed.is_some() {
        let mut bot_events: Vec<&str> = BOT_EVENTS.to_vec();
        bot_events.extend(INSTALL_EVENTS);
        events["bot_events"] = json!(bot_events);
        oauth["redirect_urls"] = json!([format!("{base}/slack/oauth_redirect")]);
    }
    if grid_admin {
        oauth["scopes"]["user"] = json!(ADMIN_USER_SCOPES);
        events["user_events"] = json!(ADMIN_USER_EVENTS);
    }
    json!({
        "_metadata": { "major_version": 1, "minor_version": 1 },
        "display_information": {
            "name": "Guestlist",
            "description": "Guest accounts on request: approvals, invitations, expiry and group sync.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": true,
                "messages_tab_enabled": true,
                "messages_tab_read_only_enabled": true,
            },
            "bot_user": { "display_name": "Guestlist", "always_online": true },
            "shortcuts": [{
                "name": "Request a guest",
                "type": "global",
                "callback_id": super::ids::View::RequestShortcut.callback_id(),
                "description": "Ask for a guest account",
            }],
            "slash_commands": [command],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": distributed.is_some(),
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": distributed.is_some_and(|d| d.token_rotation),
        },
    })
}

/// The manifest as YAML, with a comment saying how it was made.
pub fn manifest_yaml(base_url: &str, socket_mode: bool) -> String {
    manifest_yaml_for(base_url, socket_mode, None, false)
}

pub fn manifest_yaml_for(
    base_url: &str,
    socket_mode: bool,
    distributed: Option<Distributed>,
    grid_admin: bool,
) -> String {
    let body = serde_yaml::to_string(&manifest_for(
        base_url,
        socket_mode,
        distributed,
        grid_admin,
    ))
    .expect("manifest serialises");
    let mut how = if socket_mode {
        "guestlist manifest --socket-mode".to_string()
    } else {
        format!("guestlist manifest --url {base_url}")
    };
    if let Some(d) = distributed {
        how.push_str(" --distributed");
        if d.token_rotation {
            how.push_str(" --token-rotation");
        }
    }
    if grid_admin {
        how.push_str(" --grid-admin");
    }
    format!(
        "# Slack app manifest for Guestlist, made by `{how}`.\n# Paste it at https://api.slack.com/apps → Create New App → From a manifest.\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_point_at_the_base() {
        let m = manifest("https://bot.example.com/", false);
        assert_eq!(
            m["features"]["slash_commands"][0]["url"],
            "https://bot.example.com/slack/commands"
        );
        assert_eq!(
            m["settings"]["event_subscriptions"]["request_url"],
            "https://bot.example.com/slack/events"
        );
        assert_eq!(
            m["settings"]["interactivity"]["request_url"],
            "https://bot.example.com/slack/interactions"
        );
        assert!(
            m["oauth_config"]["scopes"]["bot"]
                .as_array()
                .unwrap()
                .contains(&json!("usergroups:read"))
        );
    }

    #[test]
    fn socket_mode_has_no_urls() {
        let m = manifest("https://ignored", true);
        assert_eq!(m["settings"]["socket_mode_enabled"], true);
        assert!(m["features"]["slash_commands"][0].get("url").is_none());
        assert!(
            m["settings"]["event_subscriptions"]
                .get("request_url")
                .is_none()
        );
    }

    #[test]
    fn a_distributed_app_has_its_redirect_url_events_and_scopes() {
        let m = manifest_for(
            "https://bot.example.com",
            false,
            Some(Distributed {
                token_rotation: true,
            }),
            true,
        );
        assert_eq!(
            m["oauth_config"]["redirect_urls"][0],
            "https://bot.example.com/slack/oauth_redirect"
        );
        assert_eq!(m["settings"]["org_deploy_enabled"], true);
        assert_eq!(m["settings"]["token_rotation_enabled"], true);
        let bot_events = m["settings"]["event_subscriptions"]["bot_events"]
            .as_array()
            .unwrap();
        for event in ["app_uninstalled", "tokens_revoked", "team_join"] {
            assert!(bot_events.contains(&json!(event)), "{event}");
        }
        assert_eq!(
            m["settings"]["event_subscriptions"]["user_events"],
            json!(["invite_requested"])
        );
        assert!(
            m["oauth_config"]["scopes"]["user"]
                .as_array()
                .unwrap()
                .contains(&json!("admin.invites:write"))
        );
        // Without Grid's admin API: no user scopes, no user events, no rotation.
        let plain = manifest_for(
            "https://bot.example.com",
            false,
            Some(Distributed::default()),
            false,
        );
        assert!(plain["oauth_config"]["scopes"].get("user").is_none());
        assert!(
            plain["settings"]["event_subscriptions"]
                .get("user_events")
                .is_none()
        );
        assert_eq!(plain["settings"]["token_rotation_enabled"], false);
        // One workspace: no redirect URL, no org-wide deployment.
        let single = manifest("https://bot.example.com", false);
        assert!(single["oauth_config"].get("redirect_urls").is_none());
        assert_eq!(single["settings"]["org_deploy_enabled"], false);
        // One workspace on Grid's admin API: the user scopes SLACK_ADMIN_TOKEN needs.
        let admin = manifest_for("https://bot.example.com", false, None, true);
        assert!(admin["oauth_config"].get("redirect_urls").is_none());
        assert_eq!(
            admin["oauth_config"]["scopes"]["user"],
            json!(ADMIN_USER_SCOPES)
        );
    }

    /// Every mode `guestlist manifest` makes asks for the scope of every method the code calls
    /// in that mode, with the token that calls it (`scopes::METHODS`).
    #[test]
    fn every_mode_asks_for_every_scope_its_calls_need() {
        use super::super::scopes::{Holder, METHODS};
        for socket_mode in [false, true] {
            for distributed in [None, Some(Distributed::default())] {
                for grid_admin in [false, true] {
                    let m = manifest_for(
                        "https://bot.example.com",
                        socket_mode,
                        distributed,
                        grid_admin,
                    );
                    let granted = |kind: &str| -> Vec<String> {
                        m["oauth_config"]["scopes"][kind]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|s| s.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default()
                    };
                    let (bot, user) = (granted("bot"), granted("user"));
                    for call in METHODS {
                        let held = match call.holder {
                            Holder::Bot => &bot,
                            // Admin calls are made only where there is an admin token.
                            Holder::Admin if grid_admin => &user,
                            Holder::Admin | Holder::Any => continue,
                        };
                        assert!(
                            call.any_of.is_empty()
                                || call.any_of.iter().any(|s| held.contains(&s.to_string())),
                            "{} needs one of {:?}; the manifest (socket {socket_mode}, distributed {}, grid admin {grid_admin}) asks for {held:?}",
                            call.method,
                            call.any_of,
                            distributed.is_some()
                        );
                    }
                    // Nothing asked for that no call needs (bar what events and commands need).
                    let events_need = ["commands", "channels:history", "groups:history"];
                    for scope in bot.iter().chain(user.iter()) {
                        assert!(
                            events_need.contains(&scope.as_str())
                                || METHODS.iter().any(|c| c.any_of.contains(&scope.as_str())),
                            "{scope} is asked for but no call needs it"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_committed_manifest_is_current() {
        let committed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/manifests/slack-app.yaml"
        ))
        .expect("manifests/slack-app.yaml exists");
        assert_eq!(
            committed,
            manifest_yaml(PLACEHOLDER_URL, false),
            "regenerate with: cargo run -- manifest --url {PLACEHOLDER_URL} > manifests/slack-app.yaml"
        );
    }
}
