//! The Slack app manifest: what to paste into "Create an app → From a manifest".

use serde_json::{Value, json};

/// Bot scopes the features need, and why.
pub const BOT_SCOPES: &[(&str, &str)] = &[
    ("commands", "the /guest command"),
    ("chat:write", "request cards, thread replies, DMs"),
    ("im:write", "DMs to requesters and sponsors"),
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

pub const SLASH_COMMAND: &str = "/guest";

/// The base URL in the committed `manifests/slack-app.yaml`.
pub const PLACEHOLDER_URL: &str = "https://guestlist.example.com";

/// The manifest for a deployment reachable at `base_url` (HTTP mode), or for Socket Mode.
pub fn manifest(base_url: &str, socket_mode: bool) -> Value {
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
        "oauth_config": {
            "scopes": { "bot": BOT_SCOPES.iter().map(|(scope, _)| *scope).collect::<Vec<_>>() },
        },
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": false,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": false,
        },
    })
}

/// The manifest as YAML, with a comment saying how it was made.
pub fn manifest_yaml(base_url: &str, socket_mode: bool) -> String {
    let body =
        serde_yaml::to_string(&manifest(base_url, socket_mode)).expect("manifest serialises");
    let how = if socket_mode {
        "guestlist manifest --socket-mode".to_string()
    } else {
        format!("guestlist manifest --url {base_url}")
    };
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
