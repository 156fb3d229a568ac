//! Configuration, read once at start: a TOML file for policy and tuning, the environment for
//! secrets and deployment. Environment wins over the file; the file wins over defaults.
//! A bad value stops the start with one line naming the key.

use crate::domain::policy::{ApproverRules, AutoApproveRule, RequestPolicy, ScopedApprover};
use crate::domain::{ChannelId, GuestType, UserGroupId, UserId};
use crate::provision::{ProvisioningMode, ScimSettings};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
pub enum LogFormat {
    Text,
    Json,
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
    pub approvers: ApproverRules,
    pub approver_cache: Duration,
    pub requests: RequestPolicy,
    /// Requests that fit one of these entirely are approved by the bot.
    pub auto_approve: Vec<AutoApproveRule>,
    /// Who may ask for guests: members of these groups, or everyone when empty.
    pub requester_usergroups: Vec<UserGroupId>,
    /// A pending request this old gets one reminder to approvers.
    pub stale_after: Duration,
    pub provisioning: ProvisioningSettings,
    pub sync: SyncSettings,
}

/// Group sync: the rules and how often they run.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    pub rules: Vec<crate::domain::sync::SyncRule>,
    /// A full run of every rule this often.
    pub interval: Duration,
    /// Where run summaries go (default: the request channel).
    pub report_channel: Option<ChannelId>,
    /// `users.list` page size (Slack recommends 200 at most).
    pub page_size: u16,
    /// Keep within Slack's per-method rate tiers (turn off only against a stand-in).
    pub pace: bool,
    /// Rules that provision through another mode than `provisioning.mode`.
    pub rule_provisioners: Vec<(String, ProvisioningMode)>,
}

/// How approved requests become accounts, and the lifecycle's clocks.
#[derive(Debug, Clone)]
pub struct ProvisioningSettings {
    pub mode: ProvisioningMode,
    /// An invitation not accepted within this lapses.
    pub invite_valid: Duration,
    /// The sponsor hears this long before an invitation lapses.
    pub invite_reminder_before: Duration,
    /// The sponsor hears this long before an account ends (each offset once).
    pub expiry_reminders: Vec<Duration>,
    /// At most one invitation per email per this long, by any path.
    pub resend_min_gap: Duration,
    pub custom_message: Option<String>,
    /// Manual mode: how often to remind admins of a deactivation nobody confirmed.
    pub deactivation_reminder_every: Duration,
    pub scim: Option<ScimSettings>,
}

impl Default for ProvisioningSettings {
    fn default() -> Self {
        Self {
            mode: ProvisioningMode::Manual,
            invite_valid: Duration::from_secs(7 * 86400),
            invite_reminder_before: Duration::from_secs(2 * 86400),
            expiry_reminders: vec![Duration::from_secs(7 * 86400), Duration::from_secs(86400)],
            resend_min_gap: Duration::from_secs(3600),
            custom_message: None,
            deactivation_reminder_every: Duration::from_secs(86400),
            scim: None,
        }
    }
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobSettings {
    /// Jobs run at once by one process.
    pub workers: usize,
    pub max_attempts: i64,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A claimed job is someone else's to take after this long without an answer.
    pub lease: Duration,
    pub poll_interval: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            workers: 4,
            max_attempts: 8,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
        }
    }
}

// ---- the file, as written ----

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: FileServer,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    slack: FileSlack,
    #[serde(default)]
    jobs: FileJobs,
    #[serde(default)]
    approvers: FileApprovers,
    #[serde(default)]
    requests: FileRequests,
    #[serde(default)]
    provisioning: FileProvisioning,
    #[serde(default)]
    group_sync: FileGroupSync,
    #[serde(default)]
    sync: Vec<FileSyncRule>,
    #[serde(default)]
    auto_approve: Vec<FileAutoApprove>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAutoApprove {
    name: String,
    domains: Vec<String>,
    guest_types: Option<Vec<String>>,
    max_expiry_days: Option<u32>,
    #[serde(default)]
    channels: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGroupSync {
    interval_minutes: Option<u64>,
    report_channel: Option<String>,
    users_page_size: Option<u16>,
    pace: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSyncRule {
    name: String,
    #[serde(default)]
    usergroups: Vec<String>,
    workspace: Option<bool>,
    include_guests: Option<bool>,
    guest_type: Option<String>,
    #[serde(default)]
    channels: Vec<String>,
    expiry_days: Option<u32>,
    expires: Option<String>,
    custom_message: Option<String>,
    on_removal: Option<String>,
    max_changes: Option<toml::Value>,
    sponsor: Option<String>,
    provisioner: Option<String>,
    target_team: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProvisioning {
    mode: Option<String>,
    invite_valid_days: Option<u64>,
    invite_reminder_days_before: Option<u64>,
    expiry_reminder_days: Option<Vec<u64>>,
    resend_min_minutes: Option<u64>,
    custom_message: Option<String>,
    deactivation_reminder_hours: Option<u64>,
    scim: Option<FileScim>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileScim {
    base_url: Option<String>,
    guest_extension: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    listen: Option<String>,
    log_format: Option<String>,
    mode: Option<String>,
    shutdown_grace_seconds: Option<u64>,
    max_concurrent_requests: Option<usize>,
    header_read_timeout_seconds: Option<u64>,
    body_read_timeout_seconds: Option<u64>,
    socket_connections: Option<u32>,
    socket_reconnect_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
    max_connections: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSlack {
    api_url: Option<String>,
    request_channel: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJobs {
    workers: Option<usize>,
    max_attempts: Option<i64>,
    backoff_base_ms: Option<u64>,
    backoff_max_seconds: Option<u64>,
    lease_seconds: Option<u64>,
    poll_interval_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApprovers {
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    usergroups: Vec<String>,
    workspace_admins: Option<bool>,
    cache_seconds: Option<u64>,
    #[serde(default)]
    channel_scoped: Vec<FileScopedApprover>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileScopedApprover {
    user: String,
    channels: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRequests {
    max_expiry_days: Option<u32>,
    allow_never: Option<bool>,
    guest_types: Option<Vec<String>>,
    #[serde(default)]
    blocked_domains: Vec<String>,
    #[serde(default)]
    requester_usergroups: Vec<String>,
    stale_after_hours: Option<f64>,
    max_channels: Option<usize>,
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
        let file = read_file(&sources.path, sources.explicit)?;
        let env = |key: &str| {
            (sources.env)(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        build(file, &env)
    }

    /// `serve` cannot run without these; says which are missing, in one line.
    pub fn require_for_serve(&self) -> Result<(), ConfigError> {
        let mut missing = Vec::new();
        if self.slack.signing_secrets.is_empty() && self.mode == IngressMode::Http {
            missing.push("SLACK_SIGNING_SECRET");
        }
        if self.slack.bot_token.is_none() {
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

    /// What is in effect, secrets redacted, for `guestlist config check`.
    pub fn describe(&self) -> String {
        let secret = |s: &Option<SecretString>| match s {
            Some(_) => "set (redacted)".to_string(),
            None => "not set".to_string(),
        };
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "(none)".to_string()
            } else {
                items.join(", ")
            }
        };
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<34} {v}\n"));
        line("server.listen (GUESTLIST_LISTEN)", self.listen.to_string());
        line(
            "server.mode (GUESTLIST_MODE)",
            format!("{:?}", self.mode).to_lowercase(),
        );
        line(
            "server.log_format",
            format!("{:?}", self.log_format).to_lowercase(),
        );
        line(
            "server.shutdown_grace_seconds",
            self.shutdown_grace.as_secs().to_string(),
        );
        line(
            "server.max_concurrent_requests",
            self.max_concurrent_requests.to_string(),
        );
        line(
            "server.header_read_timeout_seconds",
            self.header_read_timeout.as_secs().to_string(),
        );
        line(
            "server.body_read_timeout_seconds",
            self.body_read_timeout.as_secs().to_string(),
        );
        line(
            "database.url (DATABASE_URL)",
            crate::store::redact_url(self.database_url.expose_secret()),
        );
        line(
            "database.max_connections",
            self.database_max_connections.to_string(),
        );
        line("slack.api_url (SLACK_API_URL)", self.slack.api_url.clone());
        line(
            "SLACK_SIGNING_SECRET",
            match self.slack.signing_secrets.len() {
                0 => "not set".into(),
                1 => "set (redacted)".into(),
                n => format!("{n} secrets set (redacted)"),
            },
        );
        line("SLACK_BOT_TOKEN", secret(&self.slack.bot_token));
        line("SLACK_ADMIN_TOKEN", secret(&self.slack.admin_token));
        line("SLACK_APP_TOKEN", secret(&self.slack.app_token));
        line(
            "slack.request_channel",
            self.slack
                .request_channel
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "not set".into()),
        );
        line("jobs.workers", self.jobs.workers.to_string());
        line("jobs.max_attempts", self.jobs.max_attempts.to_string());
        line("jobs.lease_seconds", self.jobs.lease.as_secs().to_string());
        line(
            "approvers.users",
            list(self.approvers.users.iter().map(|u| u.to_string()).collect()),
        );
        line(
            "approvers.usergroups",
            list(
                self.approvers
                    .usergroups
                    .iter()
                    .map(|u| u.to_string())
                    .collect(),
            ),
        );
        line(
            "approvers.workspace_admins",
            self.approvers.workspace_admins.to_string(),
        );
        line(
            "approvers.channel_scoped",
            list(
                self.approvers
                    .channel_scoped
                    .iter()
                    .map(|s| {
                        format!(
                            "{} → {}",
                            s.user,
                            s.channels
                                .iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join("/")
                        )
                    })
                    .collect(),
            ),
        );
        line(
            "approvers.cache_seconds",
            self.approver_cache.as_secs().to_string(),
        );
        line(
            "requests.max_expiry_days",
            self.requests
                .max_expiry_days
                .map(|d| d.to_string())
                .unwrap_or_else(|| "no limit".into()),
        );
        line(
            "requests.allow_never",
            self.requests.allow_never.to_string(),
        );
        line(
            "requests.guest_types",
            list(
                self.requests
                    .guest_types
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect(),
            ),
        );
        line(
            "requests.blocked_domains",
            list(self.requests.blocked_domains.clone()),
        );
        for rule in &self.sync.rules {
            let source = match &rule.source {
                crate::domain::sync::SyncSource::UserGroups(groups) => list(groups.clone()),
                crate::domain::sync::SyncSource::Workspace { include_guests } => format!(
                    "the whole workspace{}",
                    if *include_guests { " (guests too)" } else { "" }
                ),
            };
            let provisioner = self
                .sync
                .rule_provisioners
                .iter()
                .find(|(name, _)| *name == rule.name)
                .map(|(_, mode)| *mode)
                .unwrap_or(self.provisioning.mode);
            line(
                &format!("sync.{}", rule.name),
                format!(
                    "{source} → {} in {}; on removal {}; max changes {}; via {}",
                    rule.guest_type.as_str(),
                    list(rule.channels.iter().map(|c| c.to_string()).collect()),
                    rule.on_removal.as_str(),
                    rule.max_changes,
                    provisioner.as_str()
                ),
            );
        }
        for rule in &self.auto_approve {
            line(
                &format!("auto_approve.{}", rule.name),
                format!(
                    "domains {}; types {}; at most {} days; channels {}",
                    list(rule.domains.clone()),
                    list(
                        rule.guest_types
                            .iter()
                            .map(|t| t.as_str().to_string())
                            .collect()
                    ),
                    rule.max_expiry_days,
                    if rule.channels.is_empty() {
                        "any".to_string()
                    } else {
                        list(rule.channels.iter().map(|c| c.to_string()).collect())
                    }
                ),
            );
        }
        line(
            "requests.requester_usergroups",
            if self.requester_usergroups.is_empty() {
                "(everyone may request)".into()
            } else {
                list(
                    self.requester_usergroups
                        .iter()
                        .map(|g| g.to_string())
                        .collect(),
                )
            },
        );
        line(
            "requests.stale_after_hours",
            format!("{}", self.stale_after.as_secs_f64() / 3600.0),
        );
        let p = &self.provisioning;
        line("provisioning.mode", p.mode.as_str().to_string());
        line(
            "provisioning.invite_valid_days",
            (p.invite_valid.as_secs() / 86400).to_string(),
        );
        line(
            "provisioning.invite_reminder_days_before",
            (p.invite_reminder_before.as_secs() / 86400).to_string(),
        );
        line(
            "provisioning.expiry_reminder_days",
            list(
                p.expiry_reminders
                    .iter()
                    .map(|d| (d.as_secs() / 86400).to_string())
                    .collect(),
            ),
        );
        line(
            "provisioning.resend_min_minutes",
            (p.resend_min_gap.as_secs() / 60).to_string(),
        );
        line(
            "provisioning.deactivation_reminder_hours",
            (p.deactivation_reminder_every.as_secs() / 3600).to_string(),
        );
        if let Some(scim) = &p.scim {
            line("provisioning.scim.base_url", scim.base_url.clone());
            line(
                "provisioning.scim.guest_extension",
                scim.guest_extension.to_string(),
            );
            line(
                "SCIM_TOKEN",
                if scim.token.expose_secret().is_empty() {
                    "not set".into()
                } else {
                    "set (redacted)".into()
                },
            );
        }
        out
    }
}

fn read_file(path: &Path, explicit: bool) -> Result<FileConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(FileConfig::default());
        }
        Err(e) => {
            return Err(ConfigError::new(
                "--config",
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start].matches('\n').count() + 1);
        let message = e.message().replace('\n', " ");
        ConfigError::new(
            match line {
                Some(line) => format!("{}:{line}", path.display()),
                None => path.display().to_string(),
            },
            message,
        )
    })
}

fn build(file: FileConfig, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let listen_raw = env("GUESTLIST_LISTEN")
        .or(file.server.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.into());
    let listen = listen_raw.parse::<SocketAddr>().map_err(|_| {
        ConfigError::new(
            "GUESTLIST_LISTEN",
            format!("{listen_raw:?} is not an address such as 0.0.0.0:3000"),
        )
    })?;

    let database_url = env("DATABASE_URL")
        .or(file.database.url)
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
    if !["sqlite:", "postgres:", "postgresql:"]
        .iter()
        .any(|p| database_url.starts_with(p))
    {
        return Err(ConfigError::new(
            "DATABASE_URL",
            "must start with sqlite: (e.g. sqlite://guestlist.db) or postgres:// ",
        ));
    }
    let database_max_connections = positive(
        "database.max_connections",
        file.database.max_connections.unwrap_or(10),
    )?;

    let log_format = match env("GUESTLIST_LOG_FORMAT")
        .or(file.server.log_format)
        .as_deref()
    {
        None | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            return Err(ConfigError::new(
                "GUESTLIST_LOG_FORMAT",
                format!("{other:?} is not text or json"),
            ));
        }
    };
    let mode = match env("GUESTLIST_MODE").or(file.server.mode).as_deref() {
        None | Some("http") => IngressMode::Http,
        Some("socket") => IngressMode::Socket,
        Some(other) => {
            return Err(ConfigError::new(
                "GUESTLIST_MODE",
                format!("{other:?} is not http or socket"),
            ));
        }
    };

    let api_url = env("SLACK_API_URL")
        .or(file.slack.api_url)
        .unwrap_or_else(|| DEFAULT_SLACK_API_URL.into());
    match url::Url::parse(&api_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => {
            return Err(ConfigError::new(
                "SLACK_API_URL",
                format!("{api_url:?} is not an http(s) URL"),
            ));
        }
    }
    let signing_secrets: Vec<SecretString> = env("SLACK_SIGNING_SECRET")
        .map(|all| {
            all.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| SecretString::from(s.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let token = |key: &str, prefixes: &[&str]| -> Result<Option<SecretString>, ConfigError> {
        match env(key) {
            None => Ok(None),
            Some(t) if prefixes.iter().any(|p| t.starts_with(p)) => Ok(Some(SecretString::from(t))),
            // The value is a secret: say what shape it should have, never echo it.
            Some(_) => Err(ConfigError::new(
                key,
                format!(
                    "does not look like a Slack token (expected {})",
                    prefixes.join(" or ")
                ),
            )),
        }
    };
    let request_channel = match env("GUESTLIST_REQUEST_CHANNEL").or(file.slack.request_channel) {
        None => None,
        Some(c) => Some(channel_id("slack.request_channel", &c)?),
    };
    let slack = SlackSettings {
        api_url: api_url.trim_end_matches('/').to_string(),
        signing_secrets,
        bot_token: token("SLACK_BOT_TOKEN", &["xoxb-"])?,
        admin_token: token("SLACK_ADMIN_TOKEN", &["xoxp-"])?,
        app_token: token("SLACK_APP_TOKEN", &["xapp-"])?,
        request_channel,
    };

    let defaults = JobSettings::default();
    let jobs = JobSettings {
        workers: positive(
            "jobs.workers",
            file.jobs.workers.unwrap_or(defaults.workers),
        )?,
        max_attempts: positive(
            "jobs.max_attempts",
            file.jobs.max_attempts.unwrap_or(defaults.max_attempts),
        )?,
        backoff_base: file
            .jobs
            .backoff_base_ms
            .map(Duration::from_millis)
            .unwrap_or(defaults.backoff_base),
        backoff_max: file
            .jobs
            .backoff_max_seconds
            .map(Duration::from_secs)
            .unwrap_or(defaults.backoff_max),
        lease: Duration::from_secs(positive(
            "jobs.lease_seconds",
            file.jobs.lease_seconds.unwrap_or(defaults.lease.as_secs()),
        )?),
        poll_interval: Duration::from_millis(positive(
            "jobs.poll_interval_ms",
            file.jobs
                .poll_interval_ms
                .unwrap_or(defaults.poll_interval.as_millis() as u64),
        )?),
    };

    let approvers = ApproverRules {
        users: file
            .approvers
            .users
            .iter()
            .map(|u| user_id("approvers.users", u))
            .collect::<Result<_, _>>()?,
        usergroups: file
            .approvers
            .usergroups
            .iter()
            .map(|g| usergroup_id("approvers.usergroups", g))
            .collect::<Result<_, _>>()?,
        workspace_admins: file.approvers.workspace_admins.unwrap_or(true),
        channel_scoped: file
            .approvers
            .channel_scoped
            .iter()
            .map(|s| {
                Ok(ScopedApprover {
                    user: user_id("approvers.channel_scoped.user", &s.user)?,
                    channels: s
                        .channels
                        .iter()
                        .map(|c| channel_id("approvers.channel_scoped.channels", c))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, ConfigError>>()?,
    };

    let policy_defaults = RequestPolicy::default();
    let guest_types = match file.requests.guest_types {
        None => policy_defaults.guest_types.clone(),
        Some(names) => guest_types("requests.guest_types", &names)?,
    };
    if guest_types.is_empty() {
        return Err(ConfigError::new(
            "requests.guest_types",
            "allow at least one guest type",
        ));
    }
    let max_expiry_days = match file.requests.max_expiry_days {
        Some(0) => None,
        Some(days) => Some(days),
        None => policy_defaults.max_expiry_days,
    };
    for domain in &file.requests.blocked_domains {
        if !domain.trim_start_matches('@').contains('.') {
            return Err(ConfigError::new(
                "requests.blocked_domains",
                format!("{domain:?} is not a domain such as example.com"),
            ));
        }
    }
    let requests = RequestPolicy {
        max_expiry_days,
        allow_never: file
            .requests
            .allow_never
            .unwrap_or(policy_defaults.allow_never),
        guest_types,
        blocked_domains: file
            .requests
            .blocked_domains
            .iter()
            .map(|d| d.trim_start_matches('@').to_lowercase())
            .collect(),
        max_channels: positive(
            "requests.max_channels",
            file.requests
                .max_channels
                .unwrap_or(policy_defaults.max_channels),
        )?,
    };

    let provisioning = provisioning_settings(file.provisioning, env, slack.admin_token.is_some())?;
    let sync = sync_settings(
        file.group_sync,
        file.sync,
        &provisioning,
        slack.admin_token.is_some(),
    )?;
    let auto_approve = auto_approve_rules(file.auto_approve, &requests)?;

    let socket_defaults = crate::socket::SocketSettings::default();
    let socket = crate::socket::SocketSettings {
        connections: positive(
            "server.socket_connections",
            file.server
                .socket_connections
                .unwrap_or(socket_defaults.connections),
        )?,
        reconnect_after: file
            .server
            .socket_reconnect_seconds
            .map(Duration::from_secs)
            .unwrap_or(socket_defaults.reconnect_after),
    };

    Ok(Config {
        sync,
        auto_approve,
        socket,
        provisioning,
        listen,
        database_url: SecretString::from(database_url),
        database_max_connections,
        log_format,
        mode,
        shutdown_grace: Duration::from_secs(file.server.shutdown_grace_seconds.unwrap_or(25)),
        max_concurrent_requests: positive(
            "server.max_concurrent_requests",
            file.server.max_concurrent_requests.unwrap_or(1024),
        )?,
        header_read_timeout: Duration::from_secs(positive(
            "server.header_read_timeout_seconds",
            file.server.header_read_timeout_seconds.unwrap_or(10),
        )?),
        body_read_timeout: Duration::from_secs(positive(
            "server.body_read_timeout_seconds",
            file.server.body_read_timeout_seconds.unwrap_or(10),
        )?),
        slack,
        jobs,
        approvers,
        approver_cache: Duration::from_secs(file.approvers.cache_seconds.unwrap_or(300)),
        requests,
        requester_usergroups: file
            .requests
            .requester_usergroups
            .iter()
            .map(|g| usergroup_id("requests.requester_usergroups", g))
            .collect::<Result<_, _>>()?,
        // Fractions are allowed (0.5 = 30 minutes).
        stale_after: Duration::from_secs_f64(
            3600.0
                * positive(
                    "requests.stale_after_hours",
                    file.requests.stale_after_hours.unwrap_or(48.0),
                )?,
        ),
    })
}

fn auto_approve_rules(
    rules: Vec<FileAutoApprove>,
    policy: &RequestPolicy,
) -> Result<Vec<AutoApproveRule>, ConfigError> {
    let mut names = std::collections::HashSet::new();
    rules
        .into_iter()
        .map(|rule| {
            let key = |field: &str| format!("auto_approve.{}.{field}", rule.name);
            if rule.name.trim().is_empty() || !names.insert(rule.name.clone()) {
                return Err(ConfigError::new(
                    "auto_approve.name",
                    format!(
                        "every [[auto_approve]] rule needs a unique name ({:?})",
                        rule.name
                    ),
                ));
            }
            if rule.domains.is_empty() {
                return Err(ConfigError::new(key("domains"), "list at least one domain"));
            }
            let mut domains = Vec::new();
            for domain in &rule.domains {
                let domain = domain.trim().trim_start_matches('@').to_lowercase();
                if !domain.contains('.') || domain.contains(['@', ' ', '*']) {
                    return Err(ConfigError::new(
                        key("domains"),
                        format!("{domain:?} is not a domain such as partner.com"),
                    ));
                }
                if policy
                    .blocked_domains
                    .iter()
                    .any(|b| domain == *b || domain.ends_with(&format!(".{b}")))
                {
                    return Err(ConfigError::new(
                        key("domains"),
                        format!("{domain} is also in requests.blocked_domains"),
                    ));
                }
                domains.push(domain);
            }
            let guest_types = match rule.guest_types {
                None => policy.guest_types.clone(),
                Some(names) => guest_types(&key("guest_types"), &names)?,
            };
            let max_expiry_days = positive(
                &key("max_expiry_days"),
                rule.max_expiry_days.unwrap_or(DEFAULT_AUTO_APPROVE_DAYS),
            )?;
            Ok(AutoApproveRule {
                name: rule.name.trim().to_string(),
                domains,
                guest_types,
                max_expiry_days,
                channels: rule
                    .channels
                    .iter()
                    .map(|c| channel_id(&key("channels"), c))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// Guest type names (single- or multi-channel only: a request never asks for a full member).
fn guest_types(key: &str, names: &[String]) -> Result<Vec<GuestType>, ConfigError> {
    names
        .iter()
        .map(|n| match GuestType::parse(n) {
            Some(t @ (GuestType::SingleChannel | GuestType::MultiChannel)) => Ok(t),
            _ => Err(ConfigError::new(
                key,
                format!("{n:?} is not single_channel or multi_channel"),
            )),
        })
        .collect()
}

/// An auto-approved account lasts at most this long unless the rule says otherwise.
const DEFAULT_AUTO_APPROVE_DAYS: u32 = 30;

fn sync_settings(
    settings: FileGroupSync,
    rules: Vec<FileSyncRule>,
    provisioning: &ProvisioningSettings,
    has_admin_token: bool,
) -> Result<SyncSettings, ConfigError> {
    use crate::domain::Expiry;
    use crate::domain::sync::{MaxChanges, OnRemoval, SyncRule, SyncSource};
    let mut names = std::collections::HashSet::new();
    let mut parsed = Vec::new();
    let mut rule_provisioners = Vec::new();
    for rule in rules {
        let key = |field: &str| format!("sync.{}.{field}", rule.name);
        if let Some(name) = rule.provisioner.as_deref() {
            let mode = ProvisioningMode::parse(name).ok_or_else(|| {
                ConfigError::new(
                    key("provisioner"),
                    format!("{name:?} is not slack_admin, scim or manual"),
                )
            })?;
            match mode {
                ProvisioningMode::SlackAdmin if !has_admin_token => {
                    return Err(ConfigError::new(
                        key("provisioner"),
                        "slack_admin needs SLACK_ADMIN_TOKEN",
                    ));
                }
                ProvisioningMode::Scim if provisioning.scim.is_none() => {
                    return Err(ConfigError::new(
                        key("provisioner"),
                        "scim needs a [provisioning.scim] section and SCIM_TOKEN",
                    ));
                }
                _ => {}
            }
            if mode != provisioning.mode {
                rule_provisioners.push((rule.name.clone(), mode));
            }
        }
        if rule.name.trim().is_empty() || !names.insert(rule.name.clone()) {
            return Err(ConfigError::new(
                "sync.name",
                format!("every [[sync]] rule needs a unique name ({:?})", rule.name),
            ));
        }
        let source = match (rule.workspace.unwrap_or(false), rule.usergroups.is_empty()) {
            (true, true) => SyncSource::Workspace {
                include_guests: rule.include_guests.unwrap_or(false),
            },
            (false, false) => SyncSource::UserGroups(
                rule.usergroups
                    .iter()
                    .map(|g| g.trim().to_string())
                    .collect(),
            ),
            (true, false) => {
                return Err(ConfigError::new(
                    key("usergroups"),
                    "a rule reads user groups or the whole workspace, not both",
                ));
            }
            (false, true) => {
                return Err(ConfigError::new(
                    key("usergroups"),
                    "name the user groups to read, or set workspace = true",
                ));
            }
        };
        let guest_type = match rule.guest_type.as_deref() {
            None => GuestType::MultiChannel,
            Some(t) => GuestType::parse(t).ok_or_else(|| {
                ConfigError::new(
                    key("guest_type"),
                    format!("{t:?} is not single_channel, multi_channel or member"),
                )
            })?,
        };
        let channels: Vec<ChannelId> = rule
            .channels
            .iter()
            .map(|c| channel_id(&key("channels"), c))
            .collect::<Result<_, _>>()?;
        match guest_type {
            GuestType::SingleChannel if channels.len() != 1 => {
                return Err(ConfigError::new(
                    key("channels"),
                    "a single-channel guest gets exactly one channel",
                ));
            }
            _ if channels.is_empty() => {
                return Err(ConfigError::new(
                    key("channels"),
                    "name at least one channel",
                ));
            }
            _ => {}
        }
        let expiry = match (rule.expiry_days, rule.expires.as_deref()) {
            (Some(days), None) if days > 0 => Expiry::AfterDays { days },
            (None, Some("never")) => Expiry::Never,
            (None, None) if guest_type == GuestType::Member => Expiry::Never,
            _ => {
                return Err(ConfigError::new(
                    key("expiry_days"),
                    "set expiry_days = N (days after the invitation is approved) or expires = \"never\"",
                ));
            }
        };
        let on_removal = match rule.on_removal.as_deref() {
            None => OnRemoval::RevokePending,
            Some(r) => OnRemoval::parse(r).ok_or_else(|| {
                ConfigError::new(
                    key("on_removal"),
                    format!("{r:?} is not keep, revoke_pending or deactivate"),
                )
            })?,
        };
        let max_changes = match &rule.max_changes {
            None => MaxChanges::Count(50),
            Some(toml::Value::Integer(n)) if *n >= 0 => MaxChanges::Count(*n as usize),
            Some(toml::Value::String(s)) => MaxChanges::parse(s).ok_or_else(|| {
                ConfigError::new(
                    key("max_changes"),
                    format!("{s:?} is not a count or a percentage like \"10%\""),
                )
            })?,
            Some(other) => {
                return Err(ConfigError::new(
                    key("max_changes"),
                    format!("{other} is not a count or a percentage like \"10%\""),
                ));
            }
        };
        let sponsor = rule
            .sponsor
            .as_deref()
            .map(|u| user_id(&key("sponsor"), u))
            .transpose()?;
        let target_team = match rule.target_team.as_deref() {
            Some(raw) => {
                crate::domain::TeamId(slack_id(&key("target_team"), raw, "T", "workspace")?)
            }
            None => {
                return Err(ConfigError::new(
                    key("target_team"),
                    "name the workspace this rule invites into (a T… id); it must be another workspace than the one its people are in",
                ));
            }
        };
        parsed.push(SyncRule {
            name: rule.name.clone(),
            source,
            guest_type,
            channels,
            expiry,
            custom_message: rule.custom_message.filter(|m| !m.trim().is_empty()),
            on_removal,
            max_changes,
            sponsor,
            target_team,
        });
    }
    Ok(SyncSettings {
        rules: parsed,
        rule_provisioners,
        interval: Duration::from_secs(
            60 * positive(
                "group_sync.interval_minutes",
                settings.interval_minutes.unwrap_or(15),
            )?,
        ),
        report_channel: settings
            .report_channel
            .map(|c| channel_id("group_sync.report_channel", &c))
            .transpose()?,
        page_size: positive(
            "group_sync.users_page_size",
            settings.users_page_size.unwrap_or(200),
        )?,
        pace: settings.pace.unwrap_or(true),
    })
}

fn provisioning_settings(
    file: FileProvisioning,
    env: &dyn Fn(&str) -> Option<String>,
    has_admin_token: bool,
) -> Result<ProvisioningSettings, ConfigError> {
    let defaults = ProvisioningSettings::default();
    let day = |d: u64| Duration::from_secs(d * 86400);
    let mode = match file.mode.as_deref() {
        None => defaults.mode,
        Some(m) => ProvisioningMode::parse(m).ok_or_else(|| {
            ConfigError::new(
                "provisioning.mode",
                format!("{m:?} is not slack_admin, scim or manual"),
            )
        })?,
    };
    if mode == ProvisioningMode::SlackAdmin && !has_admin_token {
        return Err(ConfigError::new(
            "SLACK_ADMIN_TOKEN",
            "not set; provisioning.mode = \"slack_admin\" needs an org admin user token (xoxp-…)",
        ));
    }
    let scim = match (mode, file.scim) {
        (ProvisioningMode::Scim, None) => {
            return Err(ConfigError::new(
                "provisioning.scim",
                "missing; provisioning.mode = \"scim\" needs a [provisioning.scim] base_url",
            ));
        }
        (_, None) => None,
        (_, Some(scim)) => {
            let base_url = scim.base_url.ok_or_else(|| {
                ConfigError::new(
                    "provisioning.scim.base_url",
                    "not set (e.g. https://api.slack.com/scim/v2)",
                )
            })?;
            match url::Url::parse(&base_url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => {
                    return Err(ConfigError::new(
                        "provisioning.scim.base_url",
                        format!("{base_url:?} is not an http(s) URL"),
                    ));
                }
            }
            let token = env("SCIM_TOKEN");
            if mode == ProvisioningMode::Scim && token.is_none() {
                return Err(ConfigError::new(
                    "SCIM_TOKEN",
                    "not set; provisioning.mode = \"scim\" needs the directory's bearer token",
                ));
            }
            Some(ScimSettings {
                base_url,
                token: SecretString::from(token.unwrap_or_default()),
                guest_extension: scim.guest_extension.unwrap_or(true),
            })
        }
    };
    let invite_valid = day(positive(
        "provisioning.invite_valid_days",
        file.invite_valid_days.unwrap_or(7),
    )?);
    let invite_reminder_before = day(file.invite_reminder_days_before.unwrap_or(2));
    if invite_reminder_before >= invite_valid {
        return Err(ConfigError::new(
            "provisioning.invite_reminder_days_before",
            "must be shorter than invite_valid_days",
        ));
    }
    Ok(ProvisioningSettings {
        mode,
        invite_valid,
        invite_reminder_before,
        expiry_reminders: file
            .expiry_reminder_days
            .map(|days| days.into_iter().map(day).collect())
            .unwrap_or(defaults.expiry_reminders),
        resend_min_gap: Duration::from_secs(60 * file.resend_min_minutes.unwrap_or(60)),
        custom_message: file.custom_message.filter(|m| !m.trim().is_empty()),
        deactivation_reminder_every: Duration::from_secs(
            3600 * positive(
                "provisioning.deactivation_reminder_hours",
                file.deactivation_reminder_hours.unwrap_or(24),
            )?,
        ),
        scim,
    })
}

fn positive<T: PartialOrd + Default + Copy + std::fmt::Display>(
    key: &str,
    value: T,
) -> Result<T, ConfigError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(ConfigError::new(
            key,
            format!("must be greater than 0, not {value}"),
        ))
    }
}

fn slack_id(key: &str, raw: &str, prefixes: &str, what: &str) -> Result<String, ConfigError> {
    let id = raw.trim();
    let well_formed = id.len() >= 3
        && id.starts_with(|c| prefixes.contains(c))
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if well_formed {
        Ok(id.to_string())
    } else {
        Err(ConfigError::new(
            key,
            format!(
                "{raw:?} is not a Slack {what} id (like {}0123ABCD)",
                &prefixes[..1]
            ),
        ))
    }
}

fn user_id(key: &str, raw: &str) -> Result<UserId, ConfigError> {
    slack_id(key, raw, "UW", "user").map(UserId)
}

fn channel_id(key: &str, raw: &str) -> Result<ChannelId, ConfigError> {
    slack_id(key, raw, "CG", "channel").map(ChannelId)
}

fn usergroup_id(key: &str, raw: &str) -> Result<UserGroupId, ConfigError> {
    slack_id(key, raw, "S", "user group").map(UserGroupId)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_with(file: Option<&str>, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("guestlist.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |k: &str| vars.get(k).cloned();
        Config::load(&Sources {
            path,
            explicit: file.is_some(),
            env: &env,
        })
    }

    #[test]
    fn defaults_need_no_file() {
        let config = load_with(None, &[]).unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:3000");
        assert_eq!(config.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(config.slack.api_url, DEFAULT_SLACK_API_URL);
        assert_eq!(config.requests.max_expiry_days, Some(90));
        assert!(config.approvers.workspace_admins);
    }

    #[test]
    fn serve_names_what_is_missing() {
        let config = load_with(None, &[]).unwrap();
        let err = config.require_for_serve().unwrap_err();
        assert_eq!(err.key, "SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN");
        assert!(!err.to_string().contains('\n'));
        let config = load_with(
            None,
            &[("SLACK_SIGNING_SECRET", "s"), ("SLACK_BOT_TOKEN", "xoxb-1")],
        )
        .unwrap();
        assert!(config.require_for_serve().is_ok());
    }

    #[test]
    fn signing_secrets_are_a_comma_separated_list() {
        let config = load_with(None, &[("SLACK_SIGNING_SECRET", "old, new,")]).unwrap();
        let secrets: Vec<&str> = config
            .slack
            .signing_secrets
            .iter()
            .map(|s| s.expose_secret())
            .collect();
        assert_eq!(secrets, vec!["old", "new"]);
    }

    #[test]
    fn environment_overrides_the_file() {
        let file =
            "[server]\nlisten = \"127.0.0.1:4000\"\n[database]\nurl = \"sqlite://from-file.db\"\n";
        let config = load_with(Some(file), &[("GUESTLIST_LISTEN", "127.0.0.1:5000")]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:5000");
        assert_eq!(config.database_url.expose_secret(), "sqlite://from-file.db");
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = load_with(None, &[("GUESTLIST_LISTEN", "three thousand")]).unwrap_err();
        assert_eq!(err.key, "GUESTLIST_LISTEN");
        let err = load_with(None, &[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(err.key, "DATABASE_URL");
        let err = load_with(None, &[("SLACK_API_URL", "slack.com")]).unwrap_err();
        assert_eq!(err.key, "SLACK_API_URL");
        let err = load_with(None, &[("SLACK_BOT_TOKEN", "hunter2")]).unwrap_err();
        assert_eq!(err.key, "SLACK_BOT_TOKEN");
        assert!(
            !err.to_string().contains("hunter2"),
            "a secret must never be echoed"
        );
        let err = load_with(Some("[approvers]\nusers = [\"alice\"]\n"), &[]).unwrap_err();
        assert_eq!(err.key, "approvers.users");
        let err = load_with(Some("[requests]\nguest_types = [\"vip\"]\n"), &[]).unwrap_err();
        assert_eq!(err.key, "requests.guest_types");
        let err = load_with(Some("[jobs]\nworkers = 0\n"), &[]).unwrap_err();
        assert_eq!(err.key, "jobs.workers");
    }

    #[test]
    fn provisioning_modes_need_their_credentials() {
        let err = load_with(Some("[provisioning]\nmode = \"slack_admin\"\n"), &[]).unwrap_err();
        assert_eq!(err.key, "SLACK_ADMIN_TOKEN");
        let ok = load_with(
            Some("[provisioning]\nmode = \"slack_admin\"\n"),
            &[("SLACK_ADMIN_TOKEN", "xoxp-1")],
        )
        .unwrap();
        assert_eq!(ok.provisioning.mode, ProvisioningMode::SlackAdmin);
        let err = load_with(Some("[provisioning]\nmode = \"scim\"\n"), &[]).unwrap_err();
        assert_eq!(err.key, "provisioning.scim");
        let scim = "[provisioning]\nmode = \"scim\"\n[provisioning.scim]\nbase_url = \"https://api.slack.com/scim/v2\"\n";
        assert_eq!(load_with(Some(scim), &[]).unwrap_err().key, "SCIM_TOKEN");
        let ok = load_with(Some(scim), &[("SCIM_TOKEN", "tok-sekrit")]).unwrap();
        assert!(!format!("{ok:?}").contains("tok-sekrit"));
        let err = load_with(Some("[provisioning]\nmode = \"carrier_pigeon\"\n"), &[]).unwrap_err();
        assert_eq!(err.key, "provisioning.mode");
        let defaults = load_with(None, &[]).unwrap().provisioning;
        assert_eq!(defaults.mode, ProvisioningMode::Manual);
        assert_eq!(defaults.invite_valid.as_secs(), 7 * 86400);
        assert_eq!(defaults.resend_min_gap.as_secs(), 3600);
    }

    #[test]
    fn sync_rules_are_read_and_checked() {
        let good = "[[sync]]\nname = \"partners\"\ntarget_team = \"T0PARTNERS\"\nusergroups = [\"S0PARTNERS\", \"@contractors\"]\nchannels = [\"C0PROJECT\"]\nexpiry_days = 30\nmax_changes = \"10%\"\n\n[[sync]]\nname = \"everyone\"\ntarget_team = \"T0SHARED\"\nworkspace = true\nguest_type = \"member\"\nchannels = [\"C0GENERAL\"]\non_removal = \"deactivate\"\n";
        let config = load_with(Some(good), &[]).unwrap();
        assert_eq!(config.sync.rules.len(), 2);
        assert_eq!(
            config.sync.rules[0].max_changes,
            crate::domain::sync::MaxChanges::Percent(10.0)
        );
        assert!(config.sync.rules[0].uses_group("SX", Some("contractors")));
        assert_eq!(config.sync.rules[0].target_team.as_str(), "T0PARTNERS");
        assert_eq!(config.sync.interval.as_secs(), 15 * 60);
        let without_target = "[[sync]]\nname = \"r\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\n";
        let err = load_with(Some(without_target), &[]).unwrap_err();
        assert_eq!(err.key, "sync.r.target_team");
        assert!(err.message.contains("another workspace"), "{err}");
        for (bad, key) in [
            (
                "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nchannels = [\"C0001\"]\nexpiry_days = 3\n",
                "sync.r.usergroups",
            ),
            (
                "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\n",
                "sync.r.expiry_days",
            ),
            (
                "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\nmax_changes = \"lots\"\n",
                "sync.r.max_changes",
            ),
            (
                "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = []\nexpiry_days = 3\n",
                "sync.r.channels",
            ),
            (
                "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\nprovisioner = \"scim\"\n",
                "sync.r.provisioner",
            ),
            (
                "[[sync]]\nname = \"r\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0001\"]\nchannels = [\"C0001\"]\nexpiry_days = 3\nprovisioner = \"fax\"\n",
                "sync.r.provisioner",
            ),
        ] {
            assert_eq!(load_with(Some(bad), &[]).unwrap_err().key, key, "{bad}");
        }
    }

    #[test]
    fn auto_approve_rules_load_and_bad_ones_name_their_key() {
        let good = "[[auto_approve]]\nname = \"partners\"\ndomains = [\"@Partner.example\"]\nchannels = [\"C0PROJECT\"]\n";
        let config = load_with(Some(good), &[]).unwrap();
        let rule = &config.auto_approve[0];
        assert_eq!(rule.domains, vec!["partner.example".to_string()]);
        assert_eq!(rule.max_expiry_days, 30);
        assert_eq!(rule.guest_types, config.requests.guest_types);
        for (bad, key) in [
            (
                "[[auto_approve]]\nname = \"p\"\ndomains = []\n",
                "auto_approve.p.domains",
            ),
            (
                "[[auto_approve]]\nname = \"p\"\ndomains = [\"nodot\"]\n",
                "auto_approve.p.domains",
            ),
            (
                "[requests]\nblocked_domains = [\"partner.example\"]\n[[auto_approve]]\nname = \"p\"\ndomains = [\"eu.partner.example\"]\n",
                "auto_approve.p.domains",
            ),
            (
                "[[auto_approve]]\nname = \"p\"\ndomains = [\"a.example\"]\nguest_types = [\"member\"]\n",
                "auto_approve.p.guest_types",
            ),
            (
                "[[auto_approve]]\nname = \"p\"\ndomains = [\"a.example\"]\nmax_expiry_days = 0\n",
                "auto_approve.p.max_expiry_days",
            ),
        ] {
            assert_eq!(load_with(Some(bad), &[]).unwrap_err().key, key, "{bad}");
        }
    }

    #[test]
    fn the_shipped_configuration_files_load() {
        for file in [
            "guestlist.example.toml",
            "manifests/kubernetes/base/guestlist.toml",
        ] {
            let text =
                std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            let config = load_with(Some(&text), &[]).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(config.slack.request_channel.is_some(), "{file}");
        }
    }

    #[test]
    fn typos_in_the_file_are_caught_with_their_line() {
        let err = load_with(Some("[slack]\n\nrequest_chanel = \"C1\"\n"), &[]).unwrap_err();
        assert!(err.key.ends_with("guestlist.toml:3"), "{err}");
        assert!(err.message.contains("request_chanel"), "{err}");
    }

    #[test]
    fn an_explicit_file_must_exist() {
        let vars: HashMap<String, String> = HashMap::new();
        let env = move |k: &str| vars.get(k).cloned();
        let err = Config::load(&Sources {
            path: "/nonexistent/g.toml".into(),
            explicit: true,
            env: &env,
        })
        .unwrap_err();
        assert_eq!(err.key, "--config");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let config = load_with(
            None,
            &[
                ("SLACK_SIGNING_SECRET", "sekrit-signing"),
                ("SLACK_BOT_TOKEN", "xoxb-sekrit"),
                ("DATABASE_URL", "postgres://u:pw-sekrit@h/db"),
            ],
        )
        .unwrap();
        let debug = format!("{config:?}");
        let described = config.describe();
        for text in [debug, described.clone()] {
            assert!(!text.contains("sekrit"), "{text}");
        }
        assert!(
            described.contains("postgres://u:REDACTED@h/db"),
            "{described}"
        );
    }
}
