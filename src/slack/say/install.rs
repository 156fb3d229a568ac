//! Installs: the installer's welcome, the workspace's settings.

use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum InstallSay {
    /// Guestlist is installed in `name`: set it up.
    Welcome { name: String },
    /// Only the installer, workspace owners and admins change the workspace's settings.
    SettingsNotAllowed,
    /// The settings were saved.
    SettingsSaved,
    /// Settings exist only where workspaces install Guestlist themselves.
    SettingsOff,
    /// The request channel chosen is private and the bot is not in it.
    InviteBotFirst { channel: String },
    /// Slack refused to renew the installation's tokens: it stops working at `until` (unix
    /// seconds) unless someone installs it again.
    TokensDead { until: i64 },
}

impl InstallSay {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            InstallSay::Welcome { name } => t!(
                lang,
                "install-welcome",
                name = crate::domain::text::safe(name, 100)
            ),
            InstallSay::SettingsNotAllowed => t!(lang, "install-settings-not-allowed"),
            InstallSay::SettingsSaved => t!(lang, "install-settings-saved"),
            InstallSay::SettingsOff => t!(lang, "install-settings-off"),
            InstallSay::TokensDead { until } => t!(
                lang,
                "install-tokens-dead",
                until = crate::slack::render::date(
                    chrono::DateTime::from_timestamp(*until, 0).unwrap_or_default(),
                    lang
                )
                .as_str()
            ),
            InstallSay::InviteBotFirst { channel } => {
                t!(
                    lang,
                    "install-settings-invite-bot",
                    channel = channel.as_str()
                )
            }
        }
    }
}
