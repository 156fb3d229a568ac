//! Which scope each Web API method Guestlist calls needs, with the token that calls it. The
//! manifest asks for these (a test checks every mode of `guestlist manifest` against this
//! table, and another that the code calls no method missing from it), and the fake Slack
//! refuses a call whose token was not granted one of them, as Slack does (`missing_scope`).
//! Source: slackapi/slack-api-specs (each method's `security`) and the method reference on
//! docs.slack.dev.

/// The token a method is called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The bot token (`xoxb-`).
    Bot,
    /// The org admin's user token (`xoxp-`, `SLACK_ADMIN_TOKEN` or the installer's).
    Admin,
    /// Either (a health check).
    Any,
}

/// One method: who calls it and the scopes that let it (any one of them; none: no scope).
#[derive(Debug, Clone, Copy)]
pub struct MethodScopes {
    pub method: &'static str,
    pub holder: Holder,
    pub any_of: &'static [&'static str],
}

const fn bot(method: &'static str, any_of: &'static [&'static str]) -> MethodScopes {
    MethodScopes {
        method,
        holder: Holder::Bot,
        any_of,
    }
}

const fn admin(method: &'static str, any_of: &'static [&'static str]) -> MethodScopes {
    MethodScopes {
        method,
        holder: Holder::Admin,
        any_of,
    }
}

/// Channel reads: whichever kind of conversation it is.
const CHANNEL_READ: &[&str] = &["channels:read", "groups:read", "im:read", "mpim:read"];

/// Every Web API method Guestlist calls.
pub const METHODS: &[MethodScopes] = &[
    MethodScopes {
        method: "auth.test",
        holder: Holder::Any,
        any_of: &[],
    },
    // An org-wide install's bot token lists its organisation's workspaces.
    bot("auth.teams.list", &[]),
    bot("chat.postMessage", &["chat:write"]),
    // Only to post in a public channel the bot is not in; listed so the manifest asks for it.
    bot(
        "chat.postMessage (public channel, not a member)",
        &["chat:write.public"],
    ),
    bot("chat.update", &["chat:write"]),
    bot("chat.postEphemeral", &["chat:write"]),
    bot("views.open", &[]),
    bot("views.push", &[]),
    bot("views.update", &[]),
    bot("views.publish", &[]),
    bot("users.info", &["users:read"]),
    bot("users.list", &["users:read"]),
    bot("users.lookupByEmail", &["users:read.email"]),
    bot("usergroups.list", &["usergroups:read"]),
    bot("usergroups.users.list", &["usergroups:read"]),
    bot("conversations.info", CHANNEL_READ),
    bot("conversations.list", CHANNEL_READ),
    bot("files.info", &["files:read"]),
    // Not a method: a shared file's `url_private`, fetched with the bot token.
    bot("files.download", &["files:read"]),
    admin("admin.users.list", &["admin.users:read"]),
    admin("admin.users.invite", &["admin.users:write"]),
    admin("admin.users.assign", &["admin.users:write"]),
    admin("admin.users.setExpiration", &["admin.users:write"]),
    admin("admin.users.setRegular", &["admin.users:write"]),
    admin("admin.users.remove", &["admin.users:write"]),
    admin("admin.conversations.invite", &["admin.conversations:write"]),
    admin("admin.inviteRequests.list", &["admin.invites:read"]),
    admin("admin.inviteRequests.approve", &["admin.invites:write"]),
    admin("admin.inviteRequests.deny", &["admin.invites:write"]),
    // Removing a guest from a channel on Change access, with the admin's user token.
    admin("conversations.kick", &["channels:write", "groups:write"]),
    // Who is in a channel, read again when a removal answers `not_in_channel`.
    admin("conversations.members", &["channels:read", "groups:read"]),
    // A guest's job title, set by an admin on the guest's own profile.
    admin("users.profile.set", &["users.profile:write"]),
];

/// What `method` needs, if Guestlist calls it.
pub fn of(method: &str) -> Option<&'static MethodScopes> {
    METHODS.iter().find(|m| m.method == method)
}
