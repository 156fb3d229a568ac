//! Installs through OAuth: the installer's welcome, and a workspace's own settings.

use super::form::radio;
use super::*;
use crate::slack::ids::{
    SETTINGS_APPROVERS_BLOCK, SETTINGS_CHANNEL_BLOCK, SETTINGS_GROUPS_BLOCK,
    SETTINGS_LANGUAGE_BLOCK, SETTINGS_PROVISIONING_BLOCK, View,
};

/// The installer's DM: the welcome (worded by the caller) and the settings button.
pub fn install_welcome(text: &str, lang: Lang) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(text.to_string())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                button(
                    &t!(lang, "install-open-settings"),
                    &Button::WorkspaceSettings
                )
                .with_style(SlackBlockButtonStyle::Primary)
            )]))
        ])
}

/// What the settings form starts from: the workspace's choices, else the file's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkspaceSettingsView {
    pub request_channel: Option<String>,
    pub approvers: Vec<String>,
    /// The user groups of the workspace (id, handle), at most 100, and those chosen.
    pub groups: Vec<(String, String)>,
    pub chosen_groups: Vec<String>,
    /// `manual`, `slack_admin`, `scim`: those this deployment can use, and the one chosen.
    pub modes: Vec<&'static str>,
    pub mode: &'static str,
    pub language: Lang,
}

/// The workspace's settings: request channel, approvers, how accounts are made, language.
pub fn workspace_settings_form(current: &WorkspaceSettingsView, lang: Lang) -> SlackView {
    let mut channel = SlackBlockConversationsSelectElement::new()
        .with_action_id(SETTINGS_CHANNEL_BLOCK.into())
        .with_filter(
            SlackBlockConversationFilter::new()
                .with_include(vec![
                    SlackConversationFilterInclude::Public,
                    SlackConversationFilterInclude::Private,
                ])
                .with_exclude_bot_users(true),
        );
    channel.initial_conversation = current
        .request_channel
        .as_ref()
        .map(|c| SlackConversationId(c.clone()));
    let mut approvers =
        SlackBlockMultiUsersSelectElement::new().with_action_id(SETTINGS_APPROVERS_BLOCK.into());
    if !current.approvers.is_empty() {
        approvers.initial_users = Some(current.approvers.clone());
    }
    let group_option = |(id, handle): &(String, String)| {
        SlackBlockChoiceItem::new(pt!(format!("@{handle}")), id.clone())
    };
    let group_options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> =
        current.groups.iter().take(100).map(group_option).collect();
    let mut groups = SlackBlockMultiStaticSelectElement::new()
        .with_action_id(SETTINGS_GROUPS_BLOCK.into())
        .with_options(group_options.clone());
    let chosen: Vec<_> = group_options
        .iter()
        .filter(|o| current.chosen_groups.contains(&o.value))
        .cloned()
        .collect();
    if !chosen.is_empty() {
        groups.initial_options = Some(chosen);
    }
    let mode_labels: Vec<(&str, String)> = current
        .modes
        .iter()
        .map(|m| (*m, t!(lang, "settings-mode", mode = *m)))
        .collect();
    let modes: Vec<(&str, &str)> = mode_labels.iter().map(|(v, l)| (*v, l.as_str())).collect();
    let mode_options = radio(&modes);
    let initial_mode = mode_options
        .iter()
        .find(|o| o.value == current.mode)
        .unwrap_or(&mode_options[0])
        .clone();
    let language_option = |l: Lang| {
        SlackBlockChoiceItem::new(
            pt!(t!(lang, "settings-language-name", code = l.code())),
            l.code().to_string(),
        )
    };
    let languages: Vec<_> = Lang::ALL.into_iter().map(language_option).collect();
    let mut blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(md!("{}", t!(lang, "settings-intro")))
            .into(),
        SlackInputBlock::new(pt!(t!(lang, "settings-channel")), channel.into())
            .with_block_id(SETTINGS_CHANNEL_BLOCK.into())
            .with_hint(pt!(t!(lang, "settings-channel-hint")))
            .into(),
        SlackInputBlock::new(pt!(t!(lang, "settings-approvers")), approvers.into())
            .with_block_id(SETTINGS_APPROVERS_BLOCK.into())
            .with_optional(true)
            .with_hint(pt!(t!(lang, "settings-approvers-hint")))
            .into(),
    ];
    if !group_options.is_empty() {
        blocks.push(
            SlackInputBlock::new(pt!(t!(lang, "settings-groups")), groups.into())
                .with_block_id(SETTINGS_GROUPS_BLOCK.into())
                .with_optional(true)
                .into(),
        );
    }
    blocks.push(
        SlackInputBlock::new(
            pt!(t!(lang, "settings-provisioning")),
            SlackBlockRadioButtonsElement::new(mode_options.clone())
                .with_action_id(SETTINGS_PROVISIONING_BLOCK.into())
                .with_initial_option(initial_mode)
                .into(),
        )
        .with_block_id(SETTINGS_PROVISIONING_BLOCK.into())
        .into(),
    );
    blocks.push(
        SlackInputBlock::new(
            pt!(t!(lang, "settings-language")),
            SlackBlockStaticSelectElement::new()
                .with_action_id(SETTINGS_LANGUAGE_BLOCK.into())
                .with_options(languages.clone())
                .with_initial_option(language_option(current.language))
                .into(),
        )
        .with_block_id(SETTINGS_LANGUAGE_BLOCK.into())
        .into(),
    );
    SlackView::Modal(
        SlackModalView::new(pt!(t!(lang, "settings-title")), blocks)
            .with_submit(pt!(t!(lang, "settings-save")))
            .with_close(pt!(t!(lang, "button-cancel")))
            .with_callback_id(View::WorkspaceSettings.callback_id().into()),
    )
}
