//! The policy sections, checked: approvers, auto-approval rules, sync rules and provisioning,
//! and the Slack id shapes they name. Every error names its key.

use super::ConfigError;
use super::file::*;
use crate::domain::policy::{AutoApproveRule, RequestPolicy};
use crate::domain::{ChannelId, GuestType, UserGroupId, UserId};
use crate::provision::{ProvisioningMode, ScimSettings};
use crate::workflow::{ProvisioningSettings, SyncSettings};
use secrecy::SecretString;
use std::time::Duration;

pub(super) fn auto_approve_rules(
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
            let domains = email_domains(&key("domains"), &rule.domains, policy)?;
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
pub(super) fn guest_types(key: &str, names: &[String]) -> Result<Vec<GuestType>, ConfigError> {
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

pub(super) fn sync_settings(
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
        let source_team = rule
            .source_team
            .as_deref()
            .map(|raw| slack_id(&key("source_team"), raw, "T", "workspace"))
            .transpose()?
            .map(crate::domain::TeamId);
        if source_team.as_ref() == Some(&target_team) {
            return Err(ConfigError::new(
                key("target_team"),
                "the rule's people come from source_team: invite them into another workspace",
            ));
        }
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
            source_team,
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

pub(super) fn provisioning_settings(
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

pub(super) fn positive<T: PartialOrd + Default + Copy + std::fmt::Display>(
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

pub(super) fn slack_id(
    key: &str,
    raw: &str,
    prefixes: &str,
    what: &str,
) -> Result<String, ConfigError> {
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

pub(super) fn user_id(key: &str, raw: &str) -> Result<UserId, ConfigError> {
    slack_id(key, raw, "UW", "user").map(UserId)
}

pub(super) fn channel_id(key: &str, raw: &str) -> Result<ChannelId, ConfigError> {
    slack_id(key, raw, "CG", "channel").map(ChannelId)
}

pub(super) fn usergroup_id(key: &str, raw: &str) -> Result<UserGroupId, ConfigError> {
    slack_id(key, raw, "S", "user group").map(UserGroupId)
}

/// `server.public_url` and `[self_registration]`.
pub(super) fn join_settings(
    public_url: Option<String>,
    file: Option<super::file::FileSelfRegistration>,
    policy: &RequestPolicy,
) -> Result<crate::workflow::JoinSettings, ConfigError> {
    let public_url = match public_url.map(|u| u.trim().trim_end_matches('/').to_string()) {
        None => None,
        Some(raw) if raw.is_empty() => None,
        Some(raw) => match url::Url::parse(&raw) {
            Ok(url) if matches!(url.scheme(), "https" | "http") && url.host().is_some() => {
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(ConfigError::new(
                        "server.public_url",
                        "give the address people reach Guestlist at, without ? or #",
                    ));
                }
                Some(raw)
            }
            _ => {
                return Err(ConfigError::new(
                    "server.public_url",
                    format!(
                        "{raw:?} is not an http(s) address such as https://guestlist.example.com"
                    ),
                ));
            }
        },
    };
    let self_registration = match file {
        None => None,
        Some(file) if file.allowed_domains.is_empty() => {
            return Err(ConfigError::new(
                "self_registration.allowed_domains",
                "list the email domains that may register themselves (or remove [self_registration])",
            ));
        }
        Some(file) => {
            let key = |k: &str| format!("self_registration.{k}");
            if public_url.is_none() {
                return Err(ConfigError::new(
                    "server.public_url",
                    "self-registration is served at <public_url>/join: set server.public_url",
                ));
            }
            let domains = email_domains(&key("allowed_domains"), &file.allowed_domains, policy)?;
            let guest_type = match file.guest_type.as_deref() {
                None => GuestType::MultiChannel,
                Some(t) => match GuestType::parse(t) {
                    Some(t) if policy.guest_types.contains(&t) && t != GuestType::Member => t,
                    _ => {
                        return Err(ConfigError::new(
                            key("guest_type"),
                            format!("{t:?} is not a guest type requests.guest_types allows"),
                        ));
                    }
                },
            };
            let channels: Vec<ChannelId> = file
                .channels
                .iter()
                .map(|c| channel_id(&key("channels"), c))
                .collect::<Result<_, _>>()?;
            if let Err(message) =
                crate::domain::policy::check_channel_count(guest_type, channels.len(), policy)
            {
                return Err(ConfigError::new(
                    key("channels"),
                    crate::slack::say::problem(&message, crate::i18n::Lang::En),
                ));
            }
            let days = file.expiry_days.unwrap_or(30);
            if days == 0 || policy.max_expiry_days.is_some_and(|max| days > max) {
                return Err(ConfigError::new(
                    key("expiry_days"),
                    format!(
                        "{days} is outside 1..={} (requests.max_expiry_days)",
                        policy
                            .max_expiry_days
                            .unwrap_or(crate::domain::policy::MAX_EXPIRY_DAYS)
                    ),
                ));
            }
            let sponsor = match file.sponsor.as_deref() {
                Some(raw) => user_id(&key("sponsor"), raw)?,
                None => {
                    return Err(ConfigError::new(
                        key("sponsor"),
                        "name the person (a Slack user id) who sponsors self-registered guests",
                    ));
                }
            };
            let team = match file.team.as_deref().map(str::trim) {
                None => None,
                Some(t) if t.starts_with('T') && t.len() > 1 => {
                    Some(crate::domain::TeamId::from(t))
                }
                Some(t) => {
                    return Err(ConfigError::new(
                        key("team"),
                        format!("{t:?} is not a workspace id (T…)"),
                    ));
                }
            };
            Some(crate::workflow::SelfRegistration {
                team,
                allowed_domains: domains,
                terms: crate::domain::join::JoinTerms {
                    guest_type,
                    channels,
                    expiry: crate::domain::Expiry::AfterDays { days },
                },
                sponsor,
            })
        }
    };
    Ok(crate::workflow::JoinSettings {
        public_url,
        self_registration,
        daily_per_domain: 20,
    })
}

/// Email domains as written in the file: lower case, no `@`, each a real domain, none blocked.
fn email_domains(
    key: &str,
    raw: &[String],
    policy: &RequestPolicy,
) -> Result<Vec<String>, ConfigError> {
    raw.iter()
        .map(|domain| {
            let domain = domain.trim().trim_start_matches('@').to_lowercase();
            if !domain.contains('.') || domain.contains(['@', ' ', '*']) {
                return Err(ConfigError::new(
                    key,
                    format!("{domain:?} is not a domain such as partner.com"),
                ));
            }
            if policy
                .blocked_domains
                .iter()
                .any(|b| domain == *b || domain.ends_with(&format!(".{b}")))
            {
                return Err(ConfigError::new(
                    key,
                    format!("{domain} is also in requests.blocked_domains"),
                ));
            }
            Ok(domain)
        })
        .collect()
}
