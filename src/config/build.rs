//! File and environment in, a checked `Config` out. The environment wins over the file; the
//! file wins over defaults.

use super::file::FileConfig;
use super::rules::*;
use super::*;
use crate::domain::profile::{ProfilePolicy, Requirement};

pub(super) fn build(
    file: FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
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
    let language = match env("GUESTLIST_LANGUAGE").or(file.slack.language) {
        None => crate::i18n::Lang::default(),
        Some(tag) => crate::i18n::Lang::from_tag(&tag).ok_or_else(|| {
            ConfigError::new(
                "slack.language",
                format!("{tag:?} is not a language Guestlist speaks (en or fr)"),
            )
        })?,
    };
    let distribution = distribution(
        env("SLACK_CLIENT_ID").or(file.slack.client_id.clone()),
        env("SLACK_CLIENT_SECRET"),
        env("GUESTLIST_ENCRYPTION_KEY"),
        env("GUESTLIST_PUBLIC_URL").or(file.server.public_url.clone()),
        file.slack.token_rotation.unwrap_or(false),
        env("GUESTLIST_ALLOWED_INSTALLS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .or(file.slack.allowed_installs.clone())
            .unwrap_or_default(),
    )?;
    if distribution.is_some() && env("SLACK_BOT_TOKEN").is_some() {
        return Err(ConfigError::new(
            "SLACK_BOT_TOKEN",
            "is for one workspace; with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET each workspace installs Guestlist and brings its own tokens: set one or the other",
        ));
    }
    let slack = SlackSettings {
        distribution,
        api_url: api_url.trim_end_matches('/').to_string(),
        signing_secrets,
        bot_token: token("SLACK_BOT_TOKEN", &["xoxb-"])?,
        admin_token: token("SLACK_ADMIN_TOKEN", &["xoxp-"])?,
        app_token: token("SLACK_APP_TOKEN", &["xapp-"])?,
        request_channel,
        language,
    };

    let defaults = JobSettings::default();
    if file.jobs.workers == Some(0) && database_url.starts_with("sqlite:") {
        return Err(ConfigError::new(
            "jobs.workers",
            "0 (no job worker) needs Postgres and another replica that runs jobs; with SQLite this process is the only one",
        ));
    }
    let jobs = JobSettings {
        // 0: this process takes requests only; other replicas run the jobs (Postgres).
        workers: file.jobs.workers.unwrap_or(defaults.workers),
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

    let approver_cache = Duration::from_secs(
        file.approvers
            .as_ref()
            .and_then(|a| a.cache_seconds)
            .unwrap_or(300),
    );
    let roles = super::roles::roles(
        file.roles,
        file.approvers,
        &file.requests.requester_usergroups,
    )?;
    let quorum = super::roles::quorum_rules(file.quorum, &roles)?;
    let approvals =
        super::roles::approval_settings(file.approvals, file.requests.stale_after_hours)?;

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
    let requirement = |key: &str, raw: &Option<String>| match raw {
        None => Ok(Requirement::Off),
        Some(raw) => Requirement::parse(raw).ok_or_else(|| {
            ConfigError::new(
                key,
                format!("{raw:?} is not one of off, optional, required"),
            )
        }),
    };
    let profile = ProfilePolicy {
        title: requirement("profile.title", &file.profile.title)?,
        department: requirement("profile.department", &file.profile.department)?,
        manager: requirement("profile.manager", &file.profile.manager)?,
        employee_id: requirement("profile.employee_id", &file.profile.employee_id)?,
        phone: requirement("profile.phone", &file.profile.phone)?,
    };
    let requests = RequestPolicy {
        profile,
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

    // Installs through OAuth bring the admin token with the installation (its user token).
    let admin_token_possible = slack.admin_token.is_some() || slack.distribution.is_some();
    let provisioning = provisioning_settings(file.provisioning, env, admin_token_possible)?;
    // The SCIM directory and its token are this deployment's own: with installs through OAuth
    // every installed workspace could choose it, so who may install must be named.
    if provisioning.scim.is_some()
        && slack
            .distribution
            .as_ref()
            .is_some_and(|d| d.allowed_installs.is_empty())
    {
        return Err(ConfigError::new(
            "slack.allowed_installs",
            "must name the workspaces (T…) or organisations (E…) that may install Guestlist when [provisioning.scim] is set: every installed workspace can provision through your SCIM directory",
        ));
    }
    let sync = sync_settings(
        file.group_sync,
        file.sync,
        &provisioning,
        admin_token_possible,
    )?;
    let auto_approve = auto_approve_rules(file.auto_approve, &requests)?;
    let mut join = super::rules::join_settings(
        env("GUESTLIST_PUBLIC_URL").or(file.server.public_url),
        file.self_registration,
        &requests,
    )?;
    join.daily_per_domain = positive(
        "server.join_daily_per_domain",
        file.server.join_daily_per_domain.unwrap_or(20),
    )?;
    if slack.distribution.is_some()
        && join
            .self_registration
            .as_ref()
            .is_some_and(|s| s.team.is_none())
    {
        return Err(ConfigError::new(
            "self_registration.team",
            "name the workspace (T…) that /join's requests go to: this deployment serves every workspace that installs it",
        ));
    }
    let join_guard = crate::http::JoinGuardSettings {
        submissions_per_minute: positive(
            "server.join_submissions_per_minute",
            file.server.join_submissions_per_minute.unwrap_or(20),
        )?,
        trust_forwarded_for: file.server.trust_forwarded_for.unwrap_or(false),
        secure_cookies: join
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https:")),
    };

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

    let reconcile_every = match file.inventory.reconcile_minutes.unwrap_or(60) {
        0 => None,
        minutes if minutes < 5 => {
            return Err(ConfigError::new(
                "inventory.reconcile_minutes",
                "at least 5 (each run reads every user of the workspace), or 0 for events only",
            ));
        }
        minutes => Some(Duration::from_secs(minutes * 60)),
    };
    let orphan_grace = Duration::from_secs(
        positive(
            "inventory.sponsor_grace_days",
            file.inventory.sponsor_grace_days.unwrap_or(7),
        )? * 86400,
    );
    let orphan_policy = match file.inventory.orphan_policy.as_deref() {
        None => crate::domain::reconcile::OrphanPolicy::Keep,
        Some(raw) => crate::domain::reconcile::OrphanPolicy::parse(raw).ok_or_else(|| {
            ConfigError::new(
                "inventory.orphan_policy",
                format!("{raw:?} is not keep or end"),
            )
        })?,
    };
    let review_defaults = crate::workflow::ReviewSettings::default();
    let review = crate::workflow::ReviewSettings {
        every: match file.review.every_days.unwrap_or(0) {
            0 => None,
            days => Some(Duration::from_secs(days * 86400)),
        },
        answer_within: match file.review.deadline_days {
            None => review_defaults.answer_within,
            Some(days @ 1..=90) => Duration::from_secs(days * 86400),
            Some(_) => {
                return Err(ConfigError::new(
                    "review.deadline_days",
                    "between 1 and 90 days",
                ));
            }
        },
        outcome: match file.review.outcome.as_deref() {
            None => review_defaults.outcome,
            Some(raw) => crate::domain::review::ReviewOutcome::parse(raw).ok_or_else(|| {
                ConfigError::new(
                    "review.outcome",
                    format!("{raw:?} is not end, escalate or keep"),
                )
            })?,
        },
    };
    Ok(Config {
        review,
        sync,
        auto_approve,
        join,
        join_guard,
        reconcile_every,
        orphan_grace,
        orphan_policy,
        weekly_digest: file.inventory.weekly_digest.unwrap_or(true),
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
        roles,
        quorum,
        approvals,
        approver_cache,
        requests,
    })
}

/// Installs through OAuth: on when the client id and secret are set; then the encryption key
/// and the public URL (where Slack sends installers back) are needed too.
fn distribution(
    client_id: Option<String>,
    client_secret: Option<String>,
    encryption_key: Option<String>,
    public_url: Option<String>,
    token_rotation: bool,
    allowed_installs: Vec<String>,
) -> Result<Option<crate::config::Distribution>, ConfigError> {
    let (client_id, client_secret) = match (client_id, client_secret) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(ConfigError::new(
                "SLACK_CLIENT_SECRET",
                "not set; SLACK_CLIENT_ID needs it (both come from the app's Basic Information page)",
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "SLACK_CLIENT_ID",
                "not set; SLACK_CLIENT_SECRET needs it",
            ));
        }
        (Some(id), Some(secret)) => (id.trim().to_string(), SecretString::from(secret)),
    };
    if let Some(bad) = allowed_installs
        .iter()
        .find(|id| !(id.starts_with('T') || id.starts_with('E')) || id.len() < 2)
    {
        return Err(ConfigError::new(
            "slack.allowed_installs",
            format!("{bad:?} is not a workspace id (T…) or an organisation id (E…)"),
        ));
    }
    let key = encryption_key.ok_or_else(|| {
        ConfigError::new(
            "GUESTLIST_ENCRYPTION_KEY",
            "not set; installations keep their tokens sealed with it (make one with `openssl rand -base64 32`)",
        )
    })?;
    let cipher = crate::store::cipher::TokenCipher::from_config(&SecretString::from(key))
        .map_err(|e| ConfigError::new("GUESTLIST_ENCRYPTION_KEY", e.to_string()))?;
    let public_url = public_url.ok_or_else(|| {
        ConfigError::new(
            "server.public_url",
            "not set; Slack sends installers back to <public_url>/slack/oauth_redirect",
        )
    })?;
    Ok(Some(crate::config::Distribution {
        client: crate::slack::oauth::OAuthClient {
            client_id,
            client_secret,
        },
        cipher,
        redirect_uri: format!("{}/slack/oauth_redirect", public_url.trim_end_matches('/')),
        token_rotation,
        allowed_installs,
    }))
}
