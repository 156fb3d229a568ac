//! Configuration, read once at start: a TOML file for policy and tuning, the environment for
//! secrets and deployment. Environment wins over the file; the file wins over defaults.
//! A bad value stops the start with one line naming the key.
//!
//! `file` is the file's schema, `build` turns file and environment into a `Config`, `rules`
//! checks the policy sections (approvers, auto-approval, sync rules, provisioning), and
//! `describe` prints what is in effect for `guestlist config check`. Each part of the bot owns
//! its settings type (`jobs::JobSettings`, `workflow::WorkflowSettings`, `socket::SocketSettings`,
//! `telemetry::LogFormat`); this module only reads, checks and hands them over.

mod build;
mod describe;
mod file;
mod roles;
mod rules;
#[cfg(test)]
mod tests;

use crate::domain::ChannelId;
use crate::domain::policy::{AutoApproveRule, RequestPolicy};
use crate::domain::quorum::QuorumRule;
use crate::domain::roles::Roles;
use crate::jobs::JobSettings;
use crate::telemetry::LogFormat;
use crate::workflow::{ApprovalSettings, ProvisioningSettings, SyncSettings, WorkflowSettings};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_CONFIG_PATH: &str = "guestlist.toml";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://guestlist.db";
pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";
pub const DEFAULT_LISTEN: &str = "0.0.0.0:3000";

/// A configuration problem, shown as one line: `config error: <key>: <what is wrong>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngressMode {
    /// Slack posts signed requests to our public URL.
    Http,
    /// We hold a WebSocket to Slack (no public URL needed).
    Socket,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: SecretString,
    pub database_max_connections: u32,
    pub log_format: LogFormat,
    pub mode: IngressMode,
    pub socket: crate::socket::SocketSettings,
    pub shutdown_grace: Duration,
    /// `/slack/*` requests handled at once; more get a 503 at once.
    pub max_concurrent_requests: usize,
    /// A client must send its request headers within this, or the connection is closed.
    pub header_read_timeout: Duration,
    /// A request body must arrive within this, or the answer is 408.
    pub body_read_timeout: Duration,
    pub slack: SlackSettings,
    pub jobs: JobSettings,
    /// Who may do what; `[approvers]` and `requests.requester_usergroups` are read as roles.
    pub roles: Roles,
    /// How many approvals a request needs.
    pub quorum: Vec<QuorumRule>,
    /// Reminders, escalation and lapse of undecided requests.
    pub approvals: ApprovalSettings,
    pub approver_cache: Duration,
    pub requests: RequestPolicy,
    /// Requests that fit one of these entirely are approved by the bot.
    pub auto_approve: Vec<AutoApproveRule>,
    pub provisioning: ProvisioningSettings,
    pub sync: SyncSettings,
    /// The join page: public URL, self-registration.
    pub join: crate::workflow::JoinSettings,
    /// The join page's limits (per address, per link) and cookie flags.
    pub join_guard: crate::http::JoinGuardSettings,
    /// `inventory.reconcile_minutes`: how often tracked guests are compared with Slack.
    pub reconcile_every: Option<Duration>,
    /// `inventory.sponsor_grace_days` and `inventory.orphan_policy`.
    pub orphan_grace: Duration,
    pub orphan_policy: crate::domain::reconcile::OrphanPolicy,
    /// `inventory.weekly_digest`.
    pub weekly_digest: bool,
    /// `[review]`: access reviews.
    pub review: crate::workflow::ReviewSettings,
}

#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub api_url: String,
    /// Any of these may sign a request (rotation: old and new side by side).
    pub signing_secrets: Vec<SecretString>,
    pub bot_token: Option<SecretString>,
    pub admin_token: Option<SecretString>,
    pub app_token: Option<SecretString>,
    /// Where request cards are posted.
    pub request_channel: Option<ChannelId>,
    /// The language of what Guestlist posts in channels (people read their DMs, forms and
    /// App Home in their own Slack language).
    pub language: crate::i18n::Lang,
    /// Installs through OAuth (`SLACK_CLIENT_ID` / `SLACK_CLIENT_SECRET`): any number of
    /// workspaces, each with its own tokens. `None`: one workspace, `SLACK_BOT_TOKEN`.
    pub distribution: Option<Distribution>,
}

/// What serving many installations needs.
#[derive(Clone)]
pub struct Distribution {
    pub client: crate::slack::oauth::OAuthClient,
    /// Seals the installations' tokens (`GUESTLIST_ENCRYPTION_KEY`).
    pub cipher: crate::store::cipher::TokenCipher,
    /// `<server.public_url>/slack/oauth_redirect`.
    pub redirect_uri: String,
    /// The manifest asks Slack to rotate tokens (`slack.token_rotation`).
    pub token_rotation: bool,
    /// Who may install (`slack.allowed_installs`): workspace and organisation ids; empty: anyone
    /// Slack lets install the app.
    pub allowed_installs: Vec<String>,
}

impl std::fmt::Debug for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Distribution")
            .field("client", &self.client)
            .field("cipher", &self.cipher)
            .field("redirect_uri", &self.redirect_uri)
            .field("token_rotation", &self.token_rotation)
            .field("allowed_installs", &self.allowed_installs)
            .finish()
    }
}

/// Where configuration comes from: a file path (if any) and an environment lookup.
pub struct Sources<'a> {
    /// The file to read; `explicit` = named by `--config`/`GUESTLIST_CONFIG`, so it must exist.
    pub path: PathBuf,
    pub explicit: bool,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Sources<'a> {
    /// `--config`, then `GUESTLIST_CONFIG`, then `./guestlist.toml` if it exists.
    pub fn new(flag: Option<PathBuf>, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        match flag.or_else(|| {
            env("GUESTLIST_CONFIG")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
        }) {
            Some(path) => Self {
                path,
                explicit: true,
                env,
            },
            None => Self {
                path: PathBuf::from(DEFAULT_CONFIG_PATH),
                explicit: false,
                env,
            },
        }
    }
}

/// The process environment, as a lookup function.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

impl Config {
    pub fn load(sources: &Sources<'_>) -> Result<Config, ConfigError> {
        let file = file::read_file(&sources.path, sources.explicit)?;
        let env = |key: &str| {
            (sources.env)(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        build::build(file, &env)
    }

    /// `serve` cannot run without these; says which are missing, in one line.
    pub fn require_for_serve(&self) -> Result<(), ConfigError> {
        let mut missing = Vec::new();
        if self.slack.signing_secrets.is_empty() && self.mode == IngressMode::Http {
            missing.push("SLACK_SIGNING_SECRET");
        }
        if self.slack.bot_token.is_none() && self.slack.distribution.is_none() {
            missing.push("SLACK_BOT_TOKEN");
        }
        if self.mode == IngressMode::Socket && self.slack.app_token.is_none() {
            missing.push("SLACK_APP_TOKEN");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::new(
                missing.join(", "),
                format!(
                    "not set; `guestlist serve` needs {} in the environment",
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            ))
        }
    }

    /// What the use cases need of the configuration.
    pub fn workflow_settings(&self) -> WorkflowSettings {
        WorkflowSettings {
            request_channel: self.slack.request_channel.clone(),
            language: self.slack.language,
            policy: self.requests.clone(),
            roles: self.roles.clone(),
            quorum: self.quorum.clone(),
            approvals: self.approvals.clone(),
            directory_ttl: self.approver_cache,
            max_attempts: self.jobs.max_attempts,
            provisioning: self.provisioning.clone(),
            sync: self.sync.clone(),
            auto_approve: self.auto_approve.clone(),
            join: self.join.clone(),
            reconcile_every: self.reconcile_every,
            orphan_grace: self.orphan_grace,
            orphan_policy: self.orphan_policy,
            weekly_digest: self.weekly_digest,
            review: self.review.clone(),
        }
    }
}
