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
            "server.public_url",
            self.join
                .public_url
                .clone()
                .unwrap_or_else(|| "not set (no invite links, no /join)".into()),
        );
        line(
            "server.join_submissions_per_minute",
            self.join_guard.submissions_per_minute.to_string(),
        );
        line(
            "server.join_daily_per_domain",
            self.join.daily_per_domain.to_string(),
        );
        line(
            "server.trust_forwarded_for",
            self.join_guard.trust_forwarded_for.to_string(),
        );
        line(
            "inventory.reconcile_minutes",
            self.reconcile_every
                .map(|d| (d.as_secs() / 60).to_string())
                .unwrap_or_else(|| "0 (on Slack events only)".into()),
        );
        line(
            "inventory.sponsor_grace_days",
            (self.orphan_grace.as_secs() / 86400).to_string(),
        );
        line("inventory.weekly_digest", self.weekly_digest.to_string());
        line(
            "review.every_days",
            self.review
                .every
                .map(|d| (d.as_secs() / 86400).to_string())
                .unwrap_or_else(|| "0 (on demand only)".into()),
        );
        line(
            "review.deadline_days",
            (self.review.answer_within.as_secs() / 86400).to_string(),
        );
        line("review.outcome", self.review.outcome.as_str().to_string());
        line(
            "inventory.orphan_policy",
            self.orphan_policy.as_str().to_string(),
        );
        line(
            "self_registration",
            match &self.join.self_registration {
                None => "off".to_string(),
                Some(r) => format!(
                    "{} as {} in {} channel(s), {}, sponsor {}",
                    r.allowed_domains.join(", "),
                    r.terms.guest_type.as_str(),
                    r.terms.channels.len(),
                    match r.terms.expiry {
                        crate::domain::Expiry::AfterDays { days } => format!("{days} days"),
                        _ => "no end".to_string(),
                    },
                    r.sponsor
                ),
            },
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
        match &self.slack.distribution {
            Some(d) => {
                line("SLACK_CLIENT_ID", d.client.client_id.clone());
                line("SLACK_CLIENT_SECRET", "set (redacted)".into());
                line(
                    "GUESTLIST_ENCRYPTION_KEY",
                    format!("set (redacted; seals with key {})", d.cipher.current_key_id()),
                );
                line("oauth redirect", d.redirect_uri.clone());
                line("slack.token_rotation", d.token_rotation.to_string());
                line(
                    "slack.allowed_installs",
                    if d.allowed_installs.is_empty() {
                        "any workspace Slack lets install the app".into()
                    } else {
                        d.allowed_installs.join(", ")
                    },
                );
            }
            None => line(
                "installs",
                "one workspace (SLACK_BOT_TOKEN); SLACK_CLIENT_ID and SLACK_CLIENT_SECRET turn on OAuth installs".into(),
            ),
        }
        line(
            "slack.request_channel",
            self.slack
                .request_channel
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "not set".into()),
        );
        line("slack.language", self.slack.language.to_string());
        let profile = &self.requests.profile;
        for field in crate::domain::profile::ProfileField::ALL {
            let requirement = match profile.requirement(field) {
                crate::domain::profile::Requirement::Off => "off",
                crate::domain::profile::Requirement::Optional => "optional",
                crate::domain::profile::Requirement::Required => "required",
            };
            line(
                &format!("profile.{}", field.as_str()),
                requirement.to_string(),
            );
        }
        line("jobs.workers", self.jobs.workers.to_string());
        line("jobs.max_attempts", self.jobs.max_attempts.to_string());
        line("jobs.lease_seconds", self.jobs.lease.as_secs().to_string());
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
        let a = &self.approvals;
        let hours = |d: &Duration| format!("{}", d.as_secs_f64() / 3600.0);
        line(
            "approvals.remind_after_hours",
            list(a.reminders.iter().map(hours).collect()),
        );
        line(
            "approvals.escalate_after_hours",
            match &a.escalation {
                None => "(no escalation)".into(),
                Some(e) => {
                    let mut to = Vec::new();
                    if let Some(g) = &e.usergroup {
                        to.push(format!("user group {g}"));
                    }
                    if let Some(c) = &e.channel {
                        to.push(format!("channel {c}"));
                    }
                    if e.owners {
                        to.push("DMs to the people of roles that decide everywhere".into());
                    }
                    format!("{} → {}", hours(&e.after), to.join(", "))
                }
            },
        );
        line(
            "approvals.decide_within_days",
            a.decide_within
                .map(|d| format!("{}", d.as_secs_f64() / 86400.0))
                .unwrap_or_else(|| "never lapses".into()),
        );
        out.push_str(&self.describe_roles());
        out
    }

    /// Every role's effective rights and holders, then the quorum rules.
    fn describe_roles(&self) -> String {
        use crate::domain::roles::Scope;
        let mut out = String::from(
            "\nroles (rights re-checked on every click, from current group membership):\n",
        );
        for role in &self.roles.0 {
            let rights: Vec<&str> = role.rights.iter().map(|r| r.as_str()).collect();
            let scope = match &role.scope {
                Scope::Everywhere if role.holders == Default::default() => String::new(),
                Scope::Everywhere => "everywhere".to_string(),
                Scope::Channels(channels) => format!(
                    "for requests only in {}",
                    channels
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let h = &role.holders;
            let mut who: Vec<String> = Vec::new();
            if h.everyone {
                who.push("everyone (not guests)".into());
            }
            if h.workspace_owners && !h.workspace_admins {
                who.push("workspace owners".into());
            }
            if h.workspace_admins {
                who.push("workspace admins and owners".into());
            }
            who.extend(h.users.iter().map(|u| u.to_string()));
            who.extend(h.usergroups.iter().map(|g| format!("members of {g}")));
            who.extend(
                role.channel_admins
                    .iter()
                    .map(|(c, g)| format!("members of {g} for {c}")),
            );
            out.push_str(&format!(
                "  {:<20} {}{}{}\n  {:<20} held by: {}\n",
                role.name,
                rights.join(", "),
                if scope.is_empty() { "" } else { " · " },
                scope,
                "",
                who.join(", ")
            ));
        }
        out.push_str("\nquorum rules (the strictest that applies; otherwise one approval):\n");
        if self.quorum.is_empty() {
            out.push_str("  (none: every request needs one approval)\n");
        }
        for rule in &self.quorum {
            let mut when = Vec::new();
            if !rule.guest_types.is_empty() {
                when.push(format!(
                    "guest type {}",
                    rule.guest_types
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            }
            if !rule.channels.is_empty() {
                when.push(format!(
                    "any of channels {}",
                    rule.channels
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !rule.domains.is_empty() {
                when.push(format!("email at {}", rule.domains.join(" or ")));
            }
            if let Some(days) = rule.expiry_over_days {
                when.push(format!("expiry over {days} days (or never)"));
            }
            out.push_str(&format!(
                "  {:<20} {} approval(s){}, {}{} · when {}\n",
                rule.name,
                rule.approvals,
                if rule.from_roles.is_empty() {
                    String::new()
                } else {
                    format!(" including one from each of {}", rule.from_roles.join(", "))
                },
                match rule.deny {
                    crate::domain::quorum::DenyRule::Wins => "one deny ends it",
                    crate::domain::quorum::DenyRule::Threshold =>
                        "as many denies as approvals end it",
                },
                rule.decide_within
                    .map(|d| format!(", lapses after {} days", d.num_hours() as f64 / 24.0))
                    .unwrap_or_default(),
                if when.is_empty() {
                    "always".to_string()
                } else {
                    when.join(" and ")
                }
            ));
        }
        out
    }
}
