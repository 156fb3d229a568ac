//! The configuration file as written (TOML). Unknown keys are errors, so a typo names itself.

use serde::Deserialize;
use std::path::Path;

use super::ConfigError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) server: FileServer,
    #[serde(default)]
    pub(super) database: FileDatabase,
    #[serde(default)]
    pub(super) slack: FileSlack,
    #[serde(default)]
    pub(super) jobs: FileJobs,
    /// Read as roles (see `config::roles`); `None` when the section is absent.
    pub(super) approvers: Option<FileApprovers>,
    #[serde(default)]
    pub(super) roles: Vec<FileRole>,
    #[serde(default)]
    pub(super) quorum: Vec<FileQuorum>,
    #[serde(default)]
    pub(super) approvals: FileApprovals,
    #[serde(default)]
    pub(super) requests: FileRequests,
    #[serde(default)]
    pub(super) provisioning: FileProvisioning,
    #[serde(default)]
    pub(super) group_sync: FileGroupSync,
    #[serde(default)]
    pub(super) sync: Vec<FileSyncRule>,
    #[serde(default)]
    pub(super) auto_approve: Vec<FileAutoApprove>,
    pub(super) self_registration: Option<FileSelfRegistration>,
    #[serde(default)]
    pub(super) inventory: FileInventory,
    /// `[profile]`: each field `off`, `optional` or `required`.
    #[serde(default)]
    pub(super) profile: FileProfile,
    #[serde(default)]
    pub(super) review: FileReview,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProfile {
    pub(super) title: Option<String>,
    pub(super) department: Option<String>,
    pub(super) manager: Option<String>,
    pub(super) employee_id: Option<String>,
    pub(super) phone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileReview {
    pub(super) every_days: Option<u64>,
    pub(super) deadline_days: Option<u64>,
    pub(super) outcome: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileInventory {
    pub(super) reconcile_minutes: Option<u64>,
    pub(super) sponsor_grace_days: Option<u64>,
    pub(super) orphan_policy: Option<String>,
    pub(super) weekly_digest: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSelfRegistration {
    #[serde(default)]
    pub(super) allowed_domains: Vec<String>,
    pub(super) guest_type: Option<String>,
    #[serde(default)]
    pub(super) channels: Vec<String>,
    pub(super) expiry_days: Option<u32>,
    pub(super) sponsor: Option<String>,
    /// The workspace (`T…`) its requests go to, when installs come through OAuth.
    pub(super) team: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAutoApprove {
    pub(super) name: String,
    pub(super) domains: Vec<String>,
    pub(super) guest_types: Option<Vec<String>>,
    pub(super) max_expiry_days: Option<u32>,
    #[serde(default)]
    pub(super) channels: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileGroupSync {
    pub(super) interval_minutes: Option<u64>,
    pub(super) report_channel: Option<String>,
    pub(super) users_page_size: Option<u16>,
    pub(super) pace: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSyncRule {
    pub(super) name: String,
    #[serde(default)]
    pub(super) usergroups: Vec<String>,
    pub(super) workspace: Option<bool>,
    pub(super) include_guests: Option<bool>,
    pub(super) guest_type: Option<String>,
    #[serde(default)]
    pub(super) channels: Vec<String>,
    pub(super) expiry_days: Option<u32>,
    pub(super) expires: Option<String>,
    pub(super) custom_message: Option<String>,
    pub(super) on_removal: Option<String>,
    pub(super) max_changes: Option<toml::Value>,
    pub(super) sponsor: Option<String>,
    pub(super) provisioner: Option<String>,
    pub(super) source_team: Option<String>,
    pub(super) target_team: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileProvisioning {
    pub(super) mode: Option<String>,
    pub(super) invite_valid_days: Option<u64>,
    pub(super) invite_reminder_days_before: Option<u64>,
    pub(super) expiry_reminder_days: Option<Vec<u64>>,
    pub(super) resend_min_minutes: Option<u64>,
    pub(super) custom_message: Option<String>,
    pub(super) deactivation_reminder_hours: Option<u64>,
    pub(super) scim: Option<FileScim>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileScim {
    pub(super) base_url: Option<String>,
    pub(super) guest_extension: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServer {
    pub(super) listen: Option<String>,
    pub(super) log_format: Option<String>,
    pub(super) mode: Option<String>,
    pub(super) shutdown_grace_seconds: Option<u64>,
    pub(super) max_concurrent_requests: Option<usize>,
    pub(super) header_read_timeout_seconds: Option<u64>,
    pub(super) body_read_timeout_seconds: Option<u64>,
    pub(super) socket_connections: Option<u32>,
    pub(super) socket_reconnect_seconds: Option<u64>,
    pub(super) public_url: Option<String>,
    pub(super) trust_forwarded_for: Option<bool>,
    pub(super) join_submissions_per_minute: Option<u32>,
    pub(super) join_daily_per_domain: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDatabase {
    pub(super) url: Option<String>,
    pub(super) max_connections: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileSlack {
    pub(super) api_url: Option<String>,
    pub(super) request_channel: Option<String>,
    pub(super) language: Option<String>,
    /// The app's OAuth client id (`SLACK_CLIENT_ID`); the secret comes from the environment.
    pub(super) client_id: Option<String>,
    /// Ask Slack to rotate tokens (the manifest's `token_rotation_enabled`).
    pub(super) token_rotation: Option<bool>,
    /// The workspaces (`T…`) and organisations (`E…`) that may install Guestlist; empty: any
    /// that Slack lets install the app.
    pub(super) allowed_installs: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileJobs {
    pub(super) workers: Option<usize>,
    pub(super) max_attempts: Option<i64>,
    pub(super) backoff_base_ms: Option<u64>,
    pub(super) backoff_max_seconds: Option<u64>,
    pub(super) lease_seconds: Option<u64>,
    pub(super) poll_interval_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileApprovers {
    #[serde(default)]
    pub(super) users: Vec<String>,
    #[serde(default)]
    pub(super) usergroups: Vec<String>,
    pub(super) workspace_admins: Option<bool>,
    pub(super) cache_seconds: Option<u64>,
    #[serde(default)]
    pub(super) channel_scoped: Vec<FileScopedApprover>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRole {
    pub(super) name: String,
    pub(super) preset: Option<String>,
    pub(super) rights: Option<Vec<String>>,
    #[serde(default)]
    pub(super) users: Vec<String>,
    #[serde(default)]
    pub(super) usergroups: Vec<String>,
    pub(super) workspace_admins: Option<bool>,
    pub(super) workspace_owners: Option<bool>,
    pub(super) everyone: Option<bool>,
    #[serde(default)]
    pub(super) channels: Vec<String>,
    #[serde(default)]
    pub(super) channel_admins: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileQuorum {
    pub(super) name: String,
    #[serde(default)]
    pub(super) guest_types: Vec<String>,
    #[serde(default)]
    pub(super) channels: Vec<String>,
    #[serde(default)]
    pub(super) domains: Vec<String>,
    pub(super) expiry_over_days: Option<u32>,
    pub(super) approvals: Option<u32>,
    #[serde(default)]
    pub(super) from_roles: Vec<String>,
    pub(super) deny: Option<String>,
    pub(super) decide_within_days: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileApprovals {
    pub(super) remind_after_hours: Option<Vec<f64>>,
    pub(super) escalate_after_hours: Option<f64>,
    pub(super) escalate_to_usergroup: Option<String>,
    pub(super) escalate_to_channel: Option<String>,
    pub(super) escalate_to_owners: Option<bool>,
    pub(super) decide_within_days: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileScopedApprover {
    pub(super) user: String,
    pub(super) channels: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRequests {
    pub(super) max_expiry_days: Option<u32>,
    pub(super) allow_never: Option<bool>,
    pub(super) guest_types: Option<Vec<String>>,
    #[serde(default)]
    pub(super) blocked_domains: Vec<String>,
    #[serde(default)]
    pub(super) requester_usergroups: Vec<String>,
    pub(super) stale_after_hours: Option<f64>,
    pub(super) max_channels: Option<usize>,
}

pub(super) fn read_file(path: &Path, explicit: bool) -> Result<FileConfig, ConfigError> {
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
