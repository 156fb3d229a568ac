//! Which installation a piece of work is for. With one workspace (`SLACK_BOT_TOKEN`) every piece
//! of work is that workspace's, with the file's settings. With installs through OAuth, each
//! request, event and job names its workspace (and organisation); the work then runs inside
//! that installation: its tokens carry every Slack call it makes (`slack::client::scoped`),
//! and its settings (the file's, with what the workspace's owner set in Slack) are the ones
//! `Workflow::settings` answers. Work for a workspace without an installation is dropped.

use super::Workflow;
use super::settings::WorkflowSettings;
use crate::domain::{TeamId, UserGroupId, UserId};
use crate::provision::ProvisioningMode;
use crate::slack::client::WorkspaceTokens;
use crate::slack::oauth::OAuthClient;
use crate::store::cipher::TokenCipher;
use crate::store::{InstallationRecord, SealedTokens, WorkspaceSettingsRecord};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A resolved installation is kept this long per process (its tokens, its settings); an
/// uninstall or a change of settings on this replica forgets it at once.
const CACHE_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// A rotating token is refreshed when it has less than this left (Bolt's default).
pub(crate) const REFRESH_BEFORE: Duration = Duration::hours(2);

/// The installation a piece of work runs in.
#[derive(Debug)]
pub struct Tenant {
    /// The installation's key: the workspace, or the organisation of an org-wide install.
    pub key: TeamId,
    /// The workspace the work is for.
    pub team: TeamId,
    /// Its tokens; `None` with one workspace (the environment's).
    pub(crate) tokens: Option<WorkspaceTokens>,
    pub(crate) settings: Arc<WorkflowSettings>,
    /// The workspace's own provisioning mode, if its owner set one.
    pub(crate) provisioning: Option<ProvisioningMode>,
    /// When the bot token stops working (token rotation).
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

tokio::task_local! {
    static TENANT: Arc<Tenant>;
}

/// The workspace of the work under way, if it runs in an installation.
pub(crate) fn current_team() -> Option<TeamId> {
    TENANT.try_with(|t| t.team.clone()).ok()
}

/// How this deployment serves workspaces.
pub(crate) enum Tenancy {
    /// One workspace, the environment's tokens.
    Single,
    /// Installs through OAuth.
    Distributed(Box<Distributed>),
}

pub(crate) struct Distributed {
    pub client: OAuthClient,
    pub cipher: TokenCipher,
    pub redirect_uri: String,
    /// Who may install (workspace and organisation ids); empty: any.
    pub allowed_installs: Vec<String>,
    /// Resolved installations, by the workspace (or organisation) the work named.
    cache: Mutex<HashMap<TeamId, (Instant, Arc<Tenant>)>>,
    /// Token pairs Slack rotated whose store write failed: Slack has retired the pair before
    /// them, so they are kept here and written at the next attempt, never asked for again.
    pub(crate) unsaved: Mutex<HashMap<(TeamId, &'static str), SealedTokens>>,
}

impl Distributed {
    /// Whether `slack.allowed_installs` lets this installation (its workspace or organisation)
    /// be used; an empty list allows every one.
    pub(crate) fn allows(&self, key: &TeamId, enterprise: Option<&str>) -> bool {
        self.allowed_installs.is_empty()
            || self
                .allowed_installs
                .iter()
                .any(|a| a == key.as_str() || Some(a.as_str()) == enterprise)
    }

    pub fn new(client: OAuthClient, cipher: TokenCipher, redirect_uri: String) -> Self {
        Self {
            client,
            cipher,
            redirect_uri,
            allowed_installs: Vec::new(),
            cache: Mutex::default(),
            unsaved: Mutex::default(),
        }
    }
}

/// What a column's sealed token is bound to: its installation and its place.
pub(crate) fn binding(key: &TeamId, what: &str) -> String {
    format!("{key}/{what}")
}

impl Workflow {
    /// The settings of the work under way: its installation's, else the file's.
    pub(crate) fn settings(&self) -> Arc<WorkflowSettings> {
        TENANT
            .try_with(|t| t.settings.clone())
            .unwrap_or_else(|_| self.defaults.clone())
    }

    /// The installation of the work under way, if it runs in one.
    pub(crate) fn tenant(&self) -> Option<Arc<Tenant>> {
        TENANT.try_with(|t| t.clone()).ok()
    }

    /// Whether installs come through OAuth.
    pub fn is_distributed(&self) -> bool {
        matches!(self.tenancy, Tenancy::Distributed(_))
    }

    /// Runs `work` inside an installation: its tokens for Slack, its settings.
    pub(crate) async fn within<F: Future>(&self, tenant: Arc<Tenant>, work: F) -> F::Output {
        match tenant.tokens.clone() {
            Some(tokens) => crate::slack::client::scoped(tokens, TENANT.scope(tenant, work)).await,
            None => TENANT.scope(tenant, work).await,
        }
    }

    /// The installation work for `team` (of organisation `enterprise`, when the request said)
    /// runs in; `None` when Guestlist is not installed there.
    pub async fn enter(
        &self,
        team: &TeamId,
        enterprise: Option<&str>,
    ) -> anyhow::Result<Option<Arc<Tenant>>> {
        let Tenancy::Distributed(d) = &self.tenancy else {
            return Ok(Some(Arc::new(Tenant {
                key: team.clone(),
                team: team.clone(),
                tokens: None,
                settings: self.defaults.clone(),
                provisioning: None,
                expires_at: None,
            })));
        };
        if let Some(tenant) = d.cached(team) {
            if tenant
                .expires_at
                .is_none_or(|at| at - self.now() > Duration::minutes(5))
            {
                return Ok(Some(tenant));
            }
            d.forget(&tenant.key);
        }
        if let Some(enterprise) = enterprise
            && team.as_str() != enterprise
        {
            // Org-wide installs serve workspaces they learn of from the requests that name both.
            self.store
                .remember_workspace(team, enterprise, self.now())
                .await?;
        }
        let mut found = self.store.installation(team).await?;
        if found.is_none() {
            let enterprise = match enterprise {
                Some(e) => Some(e.to_string()),
                None => self.store.workspace_enterprise(team).await?,
            };
            if let Some(enterprise) = enterprise {
                found = self
                    .store
                    .installation(&TeamId(enterprise))
                    .await?
                    .filter(|i| i.is_enterprise_install);
            }
        }
        let Some(mut record) = found else {
            return Ok(None);
        };
        // The allow-list holds on every entry, not only at install: an id taken off it
        // leaves its installation stored but unused, as if uninstalled.
        if !d.allows(&record.key, record.enterprise_id.as_deref()) {
            tracing::warn!(installation = %record.key, "installation not in slack.allowed_installs; its work is not done");
            return Ok(None);
        }
        if record
            .bot
            .expires_at
            .is_some_and(|at| at - self.now() < Duration::minutes(5))
        {
            // The scheduler refreshes two hours ahead; this is the fallback when it could not.
            // One try, without waiting for another replica: a token that still works is used.
            if let Err(e) = self.refresh_installation(&record.key).await {
                tracing::warn!(installation = %record.key, error = %format!("{e:#}"), "token refresh on demand failed");
            }
            let Some(now_record) = self.store.installation(&record.key).await? else {
                return Ok(None);
            };
            record = now_record;
            if record.bot.expires_at.is_some_and(|at| at <= self.now()) {
                anyhow::bail!(
                    "the tokens of installation {} ran out and are not refreshed yet",
                    record.key
                );
            }
        }
        let tenant = Arc::new(self.tenant_of(d, &record, team).await?);
        d.remember(team, tenant.clone());
        Ok(Some(tenant))
    }

    /// An installation's tenant: its tokens opened, its settings laid over the file's.
    async fn tenant_of(
        &self,
        d: &Distributed,
        record: &InstallationRecord,
        team: &TeamId,
    ) -> anyhow::Result<Tenant> {
        let open = |sealed: &str, what: &str| {
            d.cipher
                .open(sealed, &binding(&record.key, what))
                .with_context(|| format!("opening the {what} token of {}", record.key))
        };
        let bot = open(&record.bot.token, "bot")?;
        let admin = match &record.user {
            Some((_, user)) => Some(open(&user.token, "user")?),
            None => None,
        };
        // What the workspace set; an org-wide install's workspaces may each set their own.
        let stored = match self.store.workspace_settings(team).await? {
            Some(stored) => Some(stored),
            None if team != &record.key => self.store.workspace_settings(&record.key).await?,
            None => None,
        };
        let (settings, provisioning) = overlay(&self.defaults, stored.as_ref());
        Ok(Tenant {
            key: record.key.clone(),
            tokens: Some({
                let tokens = WorkspaceTokens::new(record.key.as_str(), &bot, admin.as_ref());
                if record.is_enterprise_install && team != &record.key {
                    tokens.for_org_workspace(team.as_str())
                } else {
                    tokens
                }
            }),
            settings: Arc::new(settings),
            provisioning,
            team: team.clone(),
            expires_at: record.bot.expires_at,
        })
    }

    /// Forgets what this process resolved of an installation (uninstalled, refreshed,
    /// settings changed).
    pub(crate) fn forget_installation(&self, key: &TeamId) {
        if let Tenancy::Distributed(d) = &self.tenancy {
            d.forget(key);
        }
    }

    /// Seals a token for an installation's column.
    pub(crate) fn seal(
        &self,
        token: &SecretString,
        key: &TeamId,
        what: &str,
    ) -> anyhow::Result<String> {
        match &self.tenancy {
            Tenancy::Distributed(d) => Ok(d.cipher.seal(token, &binding(key, what))),
            Tenancy::Single => anyhow::bail!("installations need SLACK_CLIENT_ID"),
        }
    }
}

impl Distributed {
    fn cached(&self, team: &TeamId) -> Option<Arc<Tenant>> {
        let cache = self.cache.lock().expect("tenant cache");
        cache
            .get(team)
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .map(|(_, t)| t.clone())
    }

    fn remember(&self, team: &TeamId, tenant: Arc<Tenant>) {
        self.cache
            .lock()
            .expect("tenant cache")
            .insert(team.clone(), (Instant::now(), tenant));
    }

    fn forget(&self, key: &TeamId) {
        self.cache
            .lock()
            .expect("tenant cache")
            .retain(|team, (_, t)| team != key && &t.key != key);
    }
}

/// The file's settings with what a workspace's owner set in Slack laid over them.
pub(crate) fn overlay(
    defaults: &WorkflowSettings,
    stored: Option<&WorkspaceSettingsRecord>,
) -> (WorkflowSettings, Option<ProvisioningMode>) {
    let mut settings = defaults.clone();
    let Some(stored) = stored else {
        return (settings, None);
    };
    if let Some(channel) = &stored.request_channel {
        settings.request_channel = Some(crate::domain::ChannelId::from(channel.as_str()));
    }
    if let Some(lang) = stored
        .language
        .as_deref()
        .and_then(crate::i18n::Lang::from_tag)
    {
        settings.language = lang;
    }
    if let Some(approvers) = stored
        .approvers
        .as_deref()
        .and_then(|json| serde_json::from_str::<Approvers>(json).ok())
        .filter(|a| !a.users.is_empty() || !a.usergroups.is_empty())
    {
        settings.roles = settings.roles.with_approvers(
            approvers.users.into_iter().map(UserId).collect(),
            approvers.usergroups.into_iter().map(UserGroupId).collect(),
        );
    }
    let provisioning = stored
        .provisioning
        .as_deref()
        .and_then(ProvisioningMode::parse);
    (settings, provisioning)
}

/// The approvers a workspace's owner named (stored as JSON).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Approvers {
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub usergroups: Vec<String>,
}

/// An installation's tokens as Slack handed them, sealed for storage.
pub(crate) fn sealed(
    seal: impl Fn(&SecretString, &str) -> anyhow::Result<String>,
    token: &SecretString,
    refresh: Option<&SecretString>,
    expires_at: Option<DateTime<Utc>>,
    scopes: &str,
    what: &str,
) -> anyhow::Result<SealedTokens> {
    Ok(SealedTokens {
        token: seal(token, what)?,
        refresh_token: refresh
            .map(|r| seal(r, &format!("{what}_refresh")))
            .transpose()?,
        expires_at,
        scopes: scopes.to_string(),
    })
}
