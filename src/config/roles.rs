//! Roles, quorum rules and the approval clocks, checked. `[approvers]` and
//! `requests.requester_usergroups` (the keys from before roles) are read as roles: an
//! `approvers` role with every right but `request`, one role per `channel_scoped` entry, and a
//! `requesters` role.

use super::ConfigError;
use super::file::*;
use super::rules::{channel_id, guest_types, positive, user_id, usergroup_id};
use crate::domain::UserGroupId;
use crate::domain::quorum::{DenyRule, QuorumRule};
use crate::domain::roles::{Holders, Preset, Right, Role, Roles, Scope};
use crate::workflow::{ApprovalSettings, Escalation};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

/// Every role in effect: the `[[roles]]`, then the legacy keys read as roles.
pub(super) fn roles(
    file_roles: Vec<FileRole>,
    approvers: Option<FileApprovers>,
    requester_usergroups: &[String],
) -> Result<Roles, ConfigError> {
    let configured = !file_roles.is_empty();
    let mut roles = Vec::new();
    let mut names = HashSet::new();
    for (i, file) in file_roles.into_iter().enumerate() {
        let name = file.name.trim().to_string();
        if name.is_empty() || !names.insert(name.clone()) {
            return Err(ConfigError::new(
                format!("roles[{i}].name"),
                format!(
                    "every [[roles]] entry needs a unique name ({:?})",
                    file.name
                ),
            ));
        }
        roles.push(role(&name, file)?);
    }
    // Before roles, approvers were configured on their own and workspace admins approved by
    // default: with no [[roles]] at all, that default still holds.
    let approvers = match approvers {
        Some(section) => Some(section),
        None if !configured => Some(FileApprovers::default()),
        None => None,
    };
    if let Some(section) = approvers {
        let legacy_rights: BTreeSet<Right> = Right::ALL
            .into_iter()
            .filter(|r| *r != Right::Request)
            .collect();
        let holders = Holders {
            users: ids(&section.users, "approvers.users", user_id)?,
            usergroups: ids(&section.usergroups, "approvers.usergroups", usergroup_id)?,
            workspace_admins: section.workspace_admins.unwrap_or(true),
            ..Holders::default()
        };
        if holders != Holders::default() {
            roles.push(Role {
                name: unique("approvers", &names),
                rights: legacy_rights,
                holders,
                scope: Scope::Everywhere,
                channel_admins: BTreeMap::new(),
            });
        }
        for (i, scoped) in section.channel_scoped.iter().enumerate() {
            roles.push(Role {
                name: unique(&format!("channel_approver_{}", i + 1), &names),
                rights: [Right::Decide, Right::Revoke, Right::Convert, Right::Review].into(),
                holders: Holders {
                    users: vec![user_id("approvers.channel_scoped.user", &scoped.user)?],
                    ..Holders::default()
                },
                scope: Scope::Channels(ids(
                    &scoped.channels,
                    "approvers.channel_scoped.channels",
                    channel_id,
                )?),
                channel_admins: BTreeMap::new(),
            });
        }
    }
    if !requester_usergroups.is_empty() || !configured {
        let usergroups = ids(
            requester_usergroups,
            "requests.requester_usergroups",
            usergroup_id,
        )?;
        roles.push(Role {
            name: unique("requesters", &names),
            rights: Preset::Member.rights(),
            holders: Holders {
                everyone: usergroups.is_empty(),
                usergroups,
                ..Holders::default()
            },
            scope: Scope::Everywhere,
            channel_admins: BTreeMap::new(),
        });
    }
    let roles = Roles(roles);
    for right in [Right::Request, Right::Decide] {
        if !roles.0.iter().any(|r| r.rights.contains(&right)) {
            return Err(ConfigError::new(
                "roles",
                format!(
                    "no role has the `{right}` right, so nobody could {}; give one to a role (e.g. preset = \"{}\")",
                    if right == Right::Request {
                        "ask for a guest"
                    } else {
                        "approve one"
                    },
                    if right == Right::Request {
                        "member\", everyone = true"
                    } else {
                        "owner"
                    },
                ),
            ));
        }
    }
    Ok(roles)
}

fn role(name: &str, file: FileRole) -> Result<Role, ConfigError> {
    let key = |field: &str| format!("roles.{name}.{field}");
    let preset = match &file.preset {
        None => None,
        Some(p) => Some(Preset::parse(p).ok_or_else(|| {
            ConfigError::new(
                key("preset"),
                format!("{p:?} is not a preset: use owner, manager or member"),
            )
        })?),
    };
    let rights: BTreeSet<Right> = match (&file.rights, preset) {
        (Some(names), _) => names
            .iter()
            .map(|n| {
                Right::parse(n.trim()).ok_or_else(|| {
                    ConfigError::new(
                        key("rights"),
                        format!(
                            "{n:?} is not a right: use {}",
                            Right::ALL.map(|r| r.as_str()).join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        (None, Some(preset)) => preset.rights(),
        (None, None) => {
            return Err(ConfigError::new(
                key("preset"),
                "say what the role may do: preset = \"owner\" | \"manager\" | \"member\", or rights = [...]",
            ));
        }
    };
    let holders = Holders {
        users: ids(&file.users, &key("users"), user_id)?,
        usergroups: ids(&file.usergroups, &key("usergroups"), usergroup_id)?,
        workspace_admins: file.workspace_admins.unwrap_or(false),
        workspace_owners: file.workspace_owners.unwrap_or(false),
        everyone: file.everyone.unwrap_or(false),
    };
    let mut channel_admins = BTreeMap::new();
    for (channel, group) in &file.channel_admins {
        channel_admins.insert(
            channel_id(&key("channel_admins"), channel)?,
            usergroup_id(&key("channel_admins"), group)?,
        );
    }
    if holders == Holders::default() && channel_admins.is_empty() {
        return Err(ConfigError::new(
            key("users"),
            "the role names nobody: add users, usergroups, channel_admins, workspace_admins, workspace_owners or everyone",
        ));
    }
    let channels = ids(&file.channels, &key("channels"), channel_id)?;
    let scope = if channels.is_empty() {
        Scope::Everywhere
    } else {
        Scope::Channels(channels)
    };
    match preset {
        Some(Preset::Owner) if scope != Scope::Everywhere || !channel_admins.is_empty() => {
            return Err(ConfigError::new(
                key("channels"),
                "an owner holds everywhere; for a role limited to channels use preset = \"manager\"",
            ));
        }
        Some(Preset::Manager) if scope == Scope::Everywhere && channel_admins.is_empty() => {
            return Err(ConfigError::new(
                key("channels"),
                "a manager decides in their channels: list channels, or channel_admins (a channel's own admin group)",
            ));
        }
        _ => {}
    }
    Ok(Role {
        name: name.to_string(),
        rights,
        holders,
        scope,
        channel_admins,
    })
}

fn ids<T>(
    raw: &[String],
    key: &str,
    parse: fn(&str, &str) -> Result<T, ConfigError>,
) -> Result<Vec<T>, ConfigError> {
    raw.iter().map(|r| parse(key, r)).collect()
}

/// `base`, or `base_2`, … when a configured role already has that name.
fn unique(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|n| !taken.contains(n))
        .expect("some suffix is free")
}

pub(super) fn quorum_rules(
    file_rules: Vec<FileQuorum>,
    roles: &Roles,
) -> Result<Vec<QuorumRule>, ConfigError> {
    let mut names = HashSet::new();
    file_rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| {
            let name = rule.name.trim().to_string();
            if name.is_empty() || !names.insert(name.clone()) {
                return Err(ConfigError::new(
                    format!("quorum[{i}].name"),
                    format!(
                        "every [[quorum]] rule needs a unique name ({:?})",
                        rule.name
                    ),
                ));
            }
            let key = |field: &str| format!("quorum.{name}.{field}");
            for role in &rule.from_roles {
                match roles.by_name(role) {
                    None => {
                        return Err(ConfigError::new(
                            key("from_roles"),
                            format!("there is no role {role:?}"),
                        ));
                    }
                    Some(r) if !r.rights.contains(&Right::Decide) => {
                        return Err(ConfigError::new(
                            key("from_roles"),
                            format!("role {role:?} cannot decide requests"),
                        ));
                    }
                    Some(_) => {}
                }
            }
            let approvals = positive(
                &key("approvals"),
                rule.approvals
                    .unwrap_or(rule.from_roles.len().max(1) as u32),
            )?;
            if (rule.from_roles.len() as u32) > approvals {
                return Err(ConfigError::new(
                    key("approvals"),
                    format!(
                        "{approvals} approval(s) cannot come from {} distinct roles",
                        rule.from_roles.len()
                    ),
                ));
            }
            let deny = match rule.deny.as_deref() {
                None => DenyRule::Wins,
                Some(d) => DenyRule::parse(d).ok_or_else(|| {
                    ConfigError::new(key("deny"), format!("{d:?}: use \"wins\" or \"threshold\""))
                })?,
            };
            let mut domains = Vec::new();
            for domain in &rule.domains {
                let domain = domain.trim().trim_start_matches('@').to_lowercase();
                if !domain.contains('.') || domain.contains(['@', ' ', '*']) {
                    return Err(ConfigError::new(
                        key("domains"),
                        format!("{domain:?} is not a domain such as partner.com"),
                    ));
                }
                domains.push(domain);
            }
            Ok(QuorumRule {
                guest_types: if rule.guest_types.is_empty() {
                    Vec::new()
                } else {
                    guest_types(&key("guest_types"), &rule.guest_types)?
                },
                channels: ids(&rule.channels, &key("channels"), channel_id)?,
                domains,
                expiry_over_days: rule.expiry_over_days,
                approvals,
                from_roles: rule.from_roles.clone(),
                deny,
                decide_within: match rule.decide_within_days {
                    None => None,
                    Some(d) => days(
                        &key("decide_within_days"),
                        positive(&key("decide_within_days"), d)?,
                    )?
                    .map(|d| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)),
                },
                name,
            })
        })
        .collect()
}

/// A number of days as a duration: 0 means none (never).
fn days(key: &str, value: f64) -> Result<Option<Duration>, ConfigError> {
    if !(0.0..=3650.0).contains(&value) {
        return Err(ConfigError::new(
            key,
            format!("{value} is not a number of days between 0 (never) and 3650"),
        ));
    }
    Ok((value > 0.0).then(|| Duration::from_secs_f64(value * 86400.0)))
}

fn hours(key: &str, value: f64) -> Result<Duration, ConfigError> {
    if !(value > 0.0 && value <= 24.0 * 3650.0) {
        return Err(ConfigError::new(
            key,
            format!("{value} is not a number of hours greater than 0"),
        ));
    }
    Ok(Duration::from_secs_f64(value * 3600.0))
}

pub(super) fn approval_settings(
    file: FileApprovals,
    legacy_stale_after_hours: Option<f64>,
) -> Result<ApprovalSettings, ConfigError> {
    let defaults = ApprovalSettings::default();
    let reminders = match (file.remind_after_hours, legacy_stale_after_hours) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                "requests.stale_after_hours",
                "approvals.remind_after_hours replaces it; keep only that one",
            ));
        }
        (Some(list), None) => {
            let mut out = Vec::new();
            for h in list {
                out.push(hours("approvals.remind_after_hours", h)?);
            }
            if out.windows(2).any(|w| w[0] >= w[1]) {
                return Err(ConfigError::new(
                    "approvals.remind_after_hours",
                    "list the hours in increasing order, e.g. [4, 24]",
                ));
            }
            out
        }
        (None, Some(h)) => vec![hours("requests.stale_after_hours", h)?],
        (None, None) => defaults.reminders,
    };
    let decide_within = match file.decide_within_days {
        Some(d) => days("approvals.decide_within_days", d)?,
        None => defaults.decide_within,
    };
    let usergroup: Option<UserGroupId> = file
        .escalate_to_usergroup
        .as_deref()
        .map(|g| usergroup_id("approvals.escalate_to_usergroup", g))
        .transpose()?;
    let channel = file
        .escalate_to_channel
        .as_deref()
        .map(|c| channel_id("approvals.escalate_to_channel", c))
        .transpose()?;
    let owners = file.escalate_to_owners.unwrap_or(false);
    let has_target = usergroup.is_some() || channel.is_some() || owners;
    let escalation = match file.escalate_after_hours {
        None if has_target => {
            return Err(ConfigError::new(
                "approvals.escalate_after_hours",
                "an escalation target is set: say after how many hours to escalate",
            ));
        }
        None => None,
        Some(_) if !has_target => {
            return Err(ConfigError::new(
                "approvals.escalate_after_hours",
                "name where to escalate: escalate_to_usergroup, escalate_to_channel or escalate_to_owners = true",
            ));
        }
        Some(h) => Some(Escalation {
            after: hours("approvals.escalate_after_hours", h)?,
            usergroup,
            channel,
            owners,
        }),
    };
    if let Some(limit) = decide_within {
        if let Some(late) = reminders.iter().find(|r| **r >= limit) {
            return Err(ConfigError::new(
                "approvals.remind_after_hours",
                format!(
                    "a reminder after {} h comes after the request lapses ({} days, approvals.decide_within_days)",
                    late.as_secs_f64() / 3600.0,
                    limit.as_secs_f64() / 86400.0
                ),
            ));
        }
        if escalation.as_ref().is_some_and(|e| e.after >= limit) {
            return Err(ConfigError::new(
                "approvals.escalate_after_hours",
                "escalation would come after the request lapses (approvals.decide_within_days)",
            ));
        }
    }
    Ok(ApprovalSettings {
        reminders,
        escalation,
        decide_within,
    })
}
