//! A workspace's own settings, set in Slack after install (installs through OAuth): the
//! request channel, the approvers, how accounts are made, the channels' language. The
//! installer gets the button in their welcome DM; owners and admins find it in App Home, and
//! only they (as Slack says now) may use it. What is left empty follows the configuration file.

use super::tenants::Approvers;
use super::{Feedback, Workflow};
use crate::domain::{ChannelId, TeamId, UserId};
use crate::i18n::Lang;
use crate::provision::ProvisioningMode;
use crate::slack::ids::{
    SETTINGS_APPROVERS_BLOCK, SETTINGS_CHANNEL_BLOCK, SETTINGS_GROUPS_BLOCK,
    SETTINGS_LANGUAGE_BLOCK, SETTINGS_PROVISIONING_BLOCK,
};
use crate::slack::payload::state_value;
use crate::slack::render::{self, WorkspaceSettingsView};
use crate::slack::say::{CommonSay, InstallSay};
use crate::store::{AuditEntry, WorkspaceSettingsRecord};
use anyhow::Context;
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;

impl Workflow {
    /// Who may change a workspace's settings: its owners and admins, as Slack says now. The
    /// installer gets the button in their welcome DM, but no right of their own: one who is no
    /// longer an admin (or was never one, where members may install apps) is refused.
    pub(in crate::workflow) async fn may_set_up(&self, user: &UserId) -> anyhow::Result<bool> {
        let person = self
            .directory
            .person(user)
            .await
            .context("looking up who opens the settings")?;
        Ok(person.is_admin_or_owner && !person.is_guest && !person.deleted)
    }

    /// The provisioning modes this deployment can use in a workspace.
    fn usable_modes(&self) -> Vec<&'static str> {
        let mut modes = vec![ProvisioningMode::Manual.as_str()];
        if self.slack.has_admin_token() {
            modes.push(ProvisioningMode::SlackAdmin.as_str());
        }
        if self.provisioners.has_mode(ProvisioningMode::Scim) {
            modes.push(ProvisioningMode::Scim.as_str());
        }
        modes
    }

    /// The settings button: the form, filled in with what the workspace has now.
    pub(in crate::workflow) async fn open_workspace_settings(
        &self,
        team: &TeamId,
        user: &UserId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        if !self.is_distributed() {
            return self.tell(team, feedback, InstallSay::SettingsOff).await;
        }
        if !self.may_set_up(user).await? {
            return self
                .tell(team, feedback, InstallSay::SettingsNotAllowed)
                .await;
        }
        let lang = self.viewer(user).await.lang;
        let stored = self.store.workspace_settings(team).await?;
        let settings = self.settings();
        let approvers: Approvers = stored
            .as_ref()
            .and_then(|s| s.approvers.as_deref())
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default();
        let groups = match self.slack.usergroups().await {
            Ok(groups) => groups.into_iter().map(|g| (g.id.0, g.handle)).collect(),
            Err(e) => {
                tracing::info!(error = %e, "no user groups for the settings form");
                Vec::new()
            }
        };
        let mode = self
            .tenant()
            .and_then(|t| t.provisioning)
            .unwrap_or(settings.provisioning.mode)
            .as_str();
        let view = WorkspaceSettingsView {
            request_channel: settings.request_channel.as_ref().map(|c| c.to_string()),
            approvers: approvers.users,
            groups,
            chosen_groups: approvers.usergroups,
            modes: self.usable_modes(),
            mode,
            language: settings.language,
        };
        self.slack
            .open_view(trigger_id, render::workspace_settings_form(&view, lang))
            .await
            .context("opening the workspace settings")?;
        Ok(())
    }

    /// The settings form's submission: stored for the workspace (audited), in effect at once
    /// on this replica and within a minute on the others.
    pub(in crate::workflow) async fn submit_workspace_settings(
        &self,
        team: &TeamId,
        user: &UserId,
        state: Option<&SlackViewState>,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        let lang = self.viewer(user).await.lang;
        let refuse =
            |block: &str, text: String| Ok(Some(HashMap::from([(block.to_string(), text)])));
        if !self.may_set_up(user).await? {
            return refuse(
                SETTINGS_CHANNEL_BLOCK,
                InstallSay::SettingsNotAllowed.text(lang),
            );
        }
        let channel = state_value(state, SETTINGS_CHANNEL_BLOCK)
            .and_then(|v| v.selected_conversation.as_ref().map(|c| c.0.clone()));
        let Some(channel) = channel else {
            return refuse(SETTINGS_CHANNEL_BLOCK, CommonSay::NotSetUp.text(lang));
        };
        // Slack refuses the bot's posts in a private channel it is not in (`not_in_channel`):
        // say so on the field now rather than lose every card later.
        if !self
            .slack
            .bot_may_post_in(&ChannelId::from(channel.as_str()))
            .await?
        {
            return refuse(
                SETTINGS_CHANNEL_BLOCK,
                InstallSay::InviteBotFirst {
                    channel: channel.clone(),
                }
                .text(lang),
            );
        }
        let users: Vec<String> = state_value(state, SETTINGS_APPROVERS_BLOCK)
            .and_then(|v| v.selected_users.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|u| u.0)
            .collect();
        let usergroups: Vec<String> = state_value(state, SETTINGS_GROUPS_BLOCK)
            .and_then(|v| v.selected_options.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|o| o.value)
            .collect();
        let mode = state_value(state, SETTINGS_PROVISIONING_BLOCK)
            .and_then(|v| v.selected_option.as_ref().map(|o| o.value.clone()))
            .filter(|m| self.usable_modes().contains(&m.as_str()));
        let language = state_value(state, SETTINGS_LANGUAGE_BLOCK)
            .and_then(|v| v.selected_option.as_ref().map(|o| o.value.clone()))
            .and_then(|code| Lang::from_tag(&code))
            .map(|l| l.code().to_string());
        let approvers = (!users.is_empty() || !usergroups.is_empty()).then(|| {
            serde_json::to_string(&Approvers {
                users: users.clone(),
                usergroups: usergroups.clone(),
            })
            .expect("approvers serialise")
        });
        let now = self.now();
        let record = WorkspaceSettingsRecord {
            team_id: team.clone(),
            request_channel: Some(channel.clone()),
            language: language.clone(),
            provisioning: mode.clone(),
            approvers,
            updated_by: user.to_string(),
            updated_at: now,
        };
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: user.to_string(),
            action: "workspace_settings".into(),
            from_state: None,
            to_state: None,
            detail: format!(
                "request channel {channel}; approvers {} people, {} groups; accounts {}; language {}",
                users.len(),
                usergroups.len(),
                mode.as_deref().unwrap_or("as configured"),
                language.as_deref().unwrap_or("as configured"),
            ),
            at: now,
        };
        let feedback = Feedback {
            user: user.clone(),
            response_url: None,
            channel: None,
            message_ts: None,
        };
        let saved = self.feedback_job(team, &feedback, InstallSay::SettingsSaved);
        let home = self.job(
            team,
            super::Job::PublishHome {
                user: user.to_string(),
            },
        );
        self.store
            .save_workspace_settings(&record, audit, vec![saved, home])
            .await?;
        if let Some(tenant) = self.tenant() {
            self.forget_installation(&tenant.key);
        }
        self.queued();
        Ok(None)
    }
}
