//! `guestlist config check`: what is in effect, every secret redacted.

use super::*;
use secrecy::ExposeSecret;

impl Config {
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
