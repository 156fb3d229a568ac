//! Installs through OAuth v2: the installer is sent to Slack's authorize page with a signed,
//! single-use, ten-minute `state` (also kept in their browser's cookie); Slack sends them back
//! with a code, traded for tokens that are stored sealed. Rotating tokens are refreshed before
//! they run out, by one replica at a time. Uninstalling removes what the installation held.

use super::tenants::{REFRESH_BEFORE, Tenancy, sealed};
use super::{Job, Workflow};
use crate::domain::TeamId;
use crate::slack::oauth::{Grant, OAuthAccess};
use crate::slack::say::InstallSay;
use crate::store::{AuditEntry, BOT_ACTOR, InstallationRecord, SealedTokens};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use hmac::{KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// How long an installer has between Guestlist's redirect and Slack's.
const STATE_LIFETIME: Duration = Duration::minutes(10);

/// Where to send the installer, and the state their browser keeps.
#[derive(Debug, Clone)]
pub struct InstallStart {
    pub authorize_url: String,
    pub state: String,
}

/// What an install became, for the page the installer lands on.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    pub key: TeamId,
    pub name: String,
    pub org_wide: bool,
}

/// Why an install did not happen (the page says it in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallError {
    /// Installs through OAuth are off (no `SLACK_CLIENT_ID`).
    Off,
    /// The installer cancelled on Slack's page.
    Cancelled,
    /// The state is not one Guestlist made.
    BadState,
    /// The state is older than ten minutes.
    Stale,
    /// The state was used before.
    Replayed,
    /// The browser that came back is not the one that left.
    OtherBrowser,
    /// Slack refused the code (its error code).
    Refused(String),
    /// Slack or the database could not be reached; trying again may work.
    Unavailable,
    /// The workspace (or organisation) is not one this deployment serves (its name).
    NotAllowed(String),
}

impl InstallError {
    pub fn code(&self) -> &str {
        match self {
            InstallError::Off => "off",
            InstallError::Cancelled => "cancelled",
            InstallError::BadState => "bad_state",
            InstallError::Stale => "stale_state",
            InstallError::Replayed => "replayed_state",
            InstallError::OtherBrowser => "other_browser",
            InstallError::Refused(_) => "refused",
            InstallError::Unavailable => "unavailable",
            InstallError::NotAllowed(_) => "not_allowed",
        }
    }
}

impl Workflow {
    /// The key that signs install states: from the client secret, so every replica accepts
    /// every other's.
    fn state_key(&self) -> Option<Vec<u8>> {
        let Tenancy::Distributed(d) = &self.tenancy else {
            return None;
        };
        let mut mac =
            hmac::Hmac::<Sha256>::new_from_slice(d.client.client_secret.expose_secret().as_bytes())
                .expect("HMAC takes any key length");
        mac.update(b"guestlist-oauth-state-v1");
        Some(mac.finalize().into_bytes().to_vec())
    }

    fn sign_state(key: &[u8], body: &str) -> String {
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(body.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether the install's state cookie may only travel over HTTPS (the redirect URL is).
    pub fn install_over_https(&self) -> bool {
        matches!(&self.tenancy, Tenancy::Distributed(d) if d.redirect_uri.starts_with("https://"))
    }

    /// The path the state cookie is sent back on: the redirect URL's, as the browser sees it
    /// (a `server.public_url` behind a path prefix included).
    pub fn install_cookie_path(&self) -> String {
        match &self.tenancy {
            Tenancy::Distributed(d) => url::Url::parse(&d.redirect_uri)
                .map(|u| u.path().to_string())
                .unwrap_or_else(|_| "/slack/oauth_redirect".into()),
            Tenancy::Single => "/slack/oauth_redirect".into(),
        }
    }

    /// Where an installer starts again: the install page beside the redirect URL (a path
    /// prefix of `server.public_url` included).
    pub fn install_path(&self) -> String {
        let redirect = self.install_cookie_path();
        match redirect.strip_suffix("/oauth_redirect") {
            Some(base) => format!("{base}/install"),
            None => "/slack/install".into(),
        }
    }

    /// `GET /slack/install`: Slack's authorize page with this app's scopes and a fresh state.
    pub fn begin_install(&self) -> Result<InstallStart, InstallError> {
        let (Tenancy::Distributed(d), Some(key)) = (&self.tenancy, self.state_key()) else {
            return Err(InstallError::Off);
        };
        let body = format!(
            "v1.{}.{}",
            self.now().timestamp(),
            hex::encode(rand::random::<[u8; 16]>())
        );
        let state = format!("{body}.{}", Self::sign_state(&key, &body));
        let user_scopes =
            if self.defaults.provisioning.mode == crate::provision::ProvisioningMode::SlackAdmin {
                crate::slack::manifest::ADMIN_USER_SCOPES.join(",")
            } else {
                String::new()
            };
        Ok(InstallStart {
            authorize_url: self.slack.authorize_url(
                &d.client.client_id,
                &crate::slack::manifest::bot_scopes().join(","),
                &user_scopes,
                &d.redirect_uri,
                &state,
            ),
            state,
        })
    }

    /// Checks a state: made here, within ten minutes, the browser's own, and spent now.
    async fn spend_state(&self, state: &str, cookie: Option<&str>) -> Result<String, InstallError> {
        let key = self.state_key().ok_or(InstallError::Off)?;
        let Some((body, mac)) = state.rsplit_once('.') else {
            return Err(InstallError::BadState);
        };
        let expected = Self::sign_state(&key, body);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            mac.as_bytes(),
        )) {
            return Err(InstallError::BadState);
        }
        let mut parts = body.split('.');
        let (Some("v1"), Some(issued), Some(nonce)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(InstallError::BadState);
        };
        let issued = issued
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .ok_or(InstallError::BadState)?;
        if self.now() - issued > STATE_LIFETIME || issued - self.now() > Duration::minutes(1) {
            return Err(InstallError::Stale);
        }
        if cookie != Some(state) {
            return Err(InstallError::OtherBrowser);
        }
        let nonce_hash = hex::encode(Sha256::digest(nonce.as_bytes()));
        match self.store.spend_oauth_state(&nonce_hash, self.now()).await {
            Ok(true) => Ok(nonce_hash),
            Ok(false) => Err(InstallError::Replayed),
            Err(e) => {
                tracing::error!(error = %e, "could not spend an OAuth state");
                Err(InstallError::Unavailable)
            }
        }
    }

    /// `GET /slack/oauth_redirect`: the state checked and spent, the code traded for tokens,
    /// the installation stored sealed, and its installer asked (by DM) to set it up.
    pub async fn complete_install(
        &self,
        code: Option<&str>,
        error: Option<&str>,
        state: &str,
        cookie: Option<&str>,
    ) -> Result<Installed, InstallError> {
        let Tenancy::Distributed(d) = &self.tenancy else {
            return Err(InstallError::Off);
        };
        let nonce_hash = self.spend_state(state, cookie).await?;
        let code = match (code, error) {
            (Some(code), None) => code,
            _ => return Err(InstallError::Cancelled),
        };
        let access = self
            .slack
            .oauth_access(
                &self.http,
                &d.client,
                Grant::Code {
                    code,
                    redirect_uri: &d.redirect_uri,
                },
            )
            .await
            .map_err(|e| match e.code() {
                Some(code) => InstallError::Refused(code.to_string()),
                None => {
                    tracing::warn!(error = %e, "oauth.v2.access failed");
                    InstallError::Unavailable
                }
            })?;
        if !d.allowed_installs.is_empty() {
            let ids = [
                access.team.as_ref().map(|t| t.id.as_str()),
                access.enterprise.as_ref().map(|e| e.id.as_str()),
            ];
            if !ids
                .into_iter()
                .flatten()
                .any(|id| d.allowed_installs.iter().any(|a| a == id))
            {
                let name = access
                    .team
                    .as_ref()
                    .and_then(|t| t.name.clone())
                    .or_else(|| access.enterprise.as_ref().and_then(|e| e.name.clone()))
                    .unwrap_or_default();
                tracing::warn!(team_id = ?ids[0], enterprise_id = ?ids[1], "install refused: not in slack.allowed_installs; nothing stored");
                metrics::counter!("installs_refused_total").increment(1);
                return Err(InstallError::NotAllowed(name));
            }
        }
        let installed = self.store_installation(&access).await.map_err(|e| {
            tracing::error!(error = %format!("{e:#}"), "could not store an installation");
            InstallError::Unavailable
        })?;
        if let Err(e) = self
            .store
            .oauth_state_installed(&nonce_hash, &installed.key)
            .await
        {
            tracing::warn!(error = %e, "could not note the state's workspace");
        }
        Ok(installed)
    }

    async fn store_installation(&self, access: &OAuthAccess) -> anyhow::Result<Installed> {
        let now = self.now();
        let org_wide = access.is_enterprise_install;
        let (key, name) = match (&access.team, &access.enterprise) {
            (Some(team), _) if !org_wide => (team.id.clone(), team.name.clone()),
            (_, Some(enterprise)) => (enterprise.id.clone(), enterprise.name.clone()),
            _ => anyhow::bail!("oauth.v2.access named no workspace and no organisation"),
        };
        let key = TeamId(key);
        let name = name.unwrap_or_else(|| key.to_string());
        let expires = |secs: Option<i64>| secs.map(|s| now + Duration::seconds(s));
        let seal = |token: &SecretString, what: &str| self.seal(token, &key, what);
        let bot_token = SecretString::from(
            access
                .access_token
                .clone()
                .context("no bot token in the answer")?,
        );
        let bot = sealed(
            seal,
            &bot_token,
            access
                .refresh_token
                .clone()
                .map(SecretString::from)
                .as_ref(),
            expires(access.expires_in),
            access.scope.as_deref().unwrap_or(""),
            "bot",
        )?;
        let installer = access
            .authed_user
            .as_ref()
            .map(|u| u.id.clone())
            .unwrap_or_default();
        let user = match access.authed_user.as_ref() {
            Some(u) if u.access_token.is_some() => Some((
                u.id.clone(),
                sealed(
                    seal,
                    &SecretString::from(u.access_token.clone().unwrap_or_default()),
                    u.refresh_token.clone().map(SecretString::from).as_ref(),
                    expires(u.expires_in),
                    u.scope.as_deref().unwrap_or(""),
                    "user",
                )?,
            )),
            _ => None,
        };
        let record = InstallationRecord {
            key: key.clone(),
            enterprise_id: access.enterprise.as_ref().map(|e| e.id.clone()),
            is_enterprise_install: org_wide,
            team_name: name.clone(),
            app_id: access.app_id.clone().unwrap_or_default(),
            bot_user_id: access.bot_user_id.clone().unwrap_or_default(),
            installer: installer.clone(),
            bot,
            user,
            version: 1,
            installed_at: now,
            updated_at: now,
        };
        let audit = AuditEntry {
            team_id: key.clone(),
            request_id: None,
            actor: if installer.is_empty() {
                BOT_ACTOR.into()
            } else {
                installer.clone()
            },
            action: "install".into(),
            from_state: None,
            to_state: None,
            detail: format!(
                "{} {name}; rotating tokens: {}",
                if org_wide {
                    "organisation"
                } else {
                    "workspace"
                },
                access.expires_in.is_some()
            ),
            at: now,
        };
        let mut jobs = Vec::new();
        if org_wide {
            jobs.push(self.job(&key, Job::LearnWorkspaces));
        }
        if !installer.is_empty() {
            jobs.push(self.job(
                &key,
                Job::InstallWelcome {
                    user: installer.clone(),
                    name: name.clone(),
                },
            ));
        }
        self.store.save_installation(&record, audit, jobs).await?;
        self.forget_installation(&key);
        self.queued();
        tracing::info!(installation = %key, org_wide, "installed");
        metrics::counter!("installs_total", "kind" => if org_wide { "organisation" } else { "workspace" })
            .increment(1);
        Ok(Installed {
            key,
            name,
            org_wide,
        })
    }

    /// Refreshes an installation's rotating tokens, one pair (bot, then user) per lease, each
    /// stored before the next is asked for: Slack retires a refresh token as it answers, so a
    /// new pair held only in memory is a pair that can be lost. Another replica holding the
    /// lease is left to it (its tokens are read from the store when they land). Returns
    /// whether this replica stored anything.
    pub(crate) async fn refresh_installation(&self, key: &TeamId) -> anyhow::Result<bool> {
        let Tenancy::Distributed(d) = &self.tenancy else {
            return Ok(false);
        };
        let mut refreshed = false;
        for pair in ["bot", "user"] {
            match self.refresh_pair(d, key, pair).await? {
                Some(stored) => refreshed |= stored,
                None => return Ok(refreshed),
            }
        }
        Ok(refreshed)
    }

    /// One pair: `None` when another replica holds the lease, else whether a new pair was
    /// stored.
    async fn refresh_pair(
        &self,
        d: &super::tenants::Distributed,
        key: &TeamId,
        pair: &'static str,
    ) -> anyhow::Result<Option<bool>> {
        let now = self.now();
        let lease_until = now + Duration::seconds(60);
        let Some(record) = self
            .store
            .lease_refresh(key, &self.replica, now, lease_until)
            .await?
        else {
            self.forget_installation(key);
            return Ok(None);
        };
        let current = match pair {
            "bot" => Some(&record.bot),
            _ => record.user.as_ref().map(|(_, u)| u),
        };
        let unsaved = d
            .unsaved
            .lock()
            .expect("unsaved tokens")
            .get(&(key.clone(), pair))
            .cloned();
        let fresh = match unsaved {
            // Rotated already; only the write is missing.
            Some(fresh) if current.is_some() => fresh,
            _ => {
                let due = current.filter(|t| {
                    t.refresh_token.is_some()
                        && t.expires_at.is_some_and(|at| at - now < REFRESH_BEFORE)
                });
                let Some(tokens) = due else {
                    self.store.release_refresh(key, &self.replica).await?;
                    return Ok(Some(false));
                };
                match self.refreshed_tokens(d, key, tokens, pair).await {
                    Ok(fresh) => fresh,
                    Err(e) => {
                        let dead = e
                            .downcast_ref::<crate::slack::SlackCallError>()
                            .and_then(|s| s.code())
                            == Some("invalid_refresh_token");
                        metrics::counter!("token_refreshes_total", "outcome" => if dead { "dead" } else { "failed" })
                            .increment(1);
                        self.store.release_refresh(key, &self.replica).await?;
                        if dead {
                            self.tell_tokens_dead(&record, tokens).await?;
                        }
                        return Err(e.context(format!("refreshing the {pair} tokens of {key}")));
                    }
                }
            }
        };
        let (bot, user) = match pair {
            "bot" => (&fresh, None),
            _ => (&record.bot, Some(&fresh)),
        };
        let mut attempt = 0u32;
        let stored = loop {
            match self
                .store
                .store_refreshed(key, &self.replica, bot, user, self.now())
                .await
            {
                Ok(stored) => break stored,
                Err(e) if attempt < 3 => {
                    attempt += 1;
                    tracing::warn!(installation = %key, pair, attempt, error = %e, "storing refreshed tokens failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * u64::from(attempt)))
                        .await;
                }
                Err(e) => {
                    d.unsaved
                        .lock()
                        .expect("unsaved tokens")
                        .insert((key.clone(), pair), fresh.clone());
                    metrics::counter!("token_refreshes_total", "outcome" => "unsaved").increment(1);
                    return Err(anyhow::Error::new(e).context(format!(
                        "storing the refreshed {pair} tokens of {key}; kept in memory and written at the next attempt"
                    )));
                }
            }
        };
        d.unsaved
            .lock()
            .expect("unsaved tokens")
            .remove(&(key.clone(), pair));
        self.forget_installation(key);
        if stored {
            tracing::info!(installation = %key, pair, "tokens refreshed");
            metrics::counter!("token_refreshes_total", "outcome" => "ok").increment(1);
        }
        Ok(Some(stored))
    }

    /// Slack refused a refresh token: the installation works only until its current token
    /// runs out. The installer (by DM) and the request channel are told, once per token.
    async fn tell_tokens_dead(
        &self,
        record: &crate::store::InstallationRecord,
        tokens: &SealedTokens,
    ) -> anyhow::Result<()> {
        let until = tokens.expires_at.unwrap_or_else(|| self.now());
        tracing::error!(installation = %record.key, %until, "Slack refused the refresh token; the installation stops working when its token runs out");
        let said = |channel: String| Job::PostMessage {
            channel,
            text: crate::slack::say::InstallSay::TokensDead {
                until: until.timestamp(),
            }
            .into(),
            blocks: None,
            thread_ts: None,
        };
        let mut channels = Vec::new();
        if !record.installer.is_empty() {
            channels.push(record.installer.clone());
        }
        if let Some(channel) = &self.defaults.request_channel {
            channels.push(channel.to_string());
        }
        let jobs: Vec<_> = channels
            .into_iter()
            .map(|channel| {
                let dedupe = format!("tokens_dead:{}:{channel}:{}", record.key, until.timestamp());
                said(channel).at(
                    &record.key,
                    self.now(),
                    self.settings().max_attempts,
                    Some(dedupe),
                )
            })
            .collect();
        self.store.enqueue_jobs(&jobs).await?;
        self.queued();
        Ok(())
    }

    async fn refreshed_tokens(
        &self,
        d: &super::tenants::Distributed,
        key: &TeamId,
        tokens: &SealedTokens,
        what: &str,
    ) -> anyhow::Result<SealedTokens> {
        let refresh_token = d.cipher.open(
            tokens.refresh_token.as_deref().unwrap_or_default(),
            &super::tenants::binding(key, &format!("{what}_refresh")),
        )?;
        let access = self
            .slack
            .oauth_access(
                &self.http,
                &d.client,
                Grant::Refresh {
                    refresh_token: &refresh_token,
                },
            )
            .await?;
        // A rotating token comes back with its next refresh token; without one the
        // installation could not be refreshed again, so the answer is not stored.
        if access.expires_in.is_some() && access.refresh_token.is_none() {
            anyhow::bail!("Slack's refresh answer for the {what} token had no refresh token");
        }
        let now = self.now();
        sealed(
            |token, what| self.seal(token, key, what),
            &SecretString::from(access.access_token.unwrap_or_default()),
            access.refresh_token.map(SecretString::from).as_ref(),
            access.expires_in.map(|s| now + Duration::seconds(s)),
            &tokens.scopes,
            what,
        )
    }

    /// The scheduler's sweep: every installation whose rotating token runs out within two
    /// hours is refreshed (one replica each, by lease).
    pub async fn refresh_due_installations(&self) -> anyhow::Result<usize> {
        if !self.is_distributed() {
            return Ok(0);
        }
        let now = self.now();
        let mut refreshed = 0;
        for record in self.store.installations().await? {
            let due = |t: &SealedTokens| {
                t.refresh_token.is_some()
                    && t.expires_at.is_some_and(|at| at - now < REFRESH_BEFORE)
            };
            if due(&record.bot) || record.user.as_ref().is_some_and(|(_, u)| due(u)) {
                match self.refresh_installation(&record.key).await {
                    Ok(true) => refreshed += 1,
                    Ok(false) => {}
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "token refresh failed"),
                }
            }
        }
        Ok(refreshed)
    }

    /// `app_uninstalled`, or the bot's token revoked: the installation and what its workspace
    /// set are removed; later work for it is dropped. `event_time` (whole seconds, as Slack
    /// sends it) keeps a late or retried event from removing a reinstall made after it.
    pub(crate) async fn uninstall(
        &self,
        key: &TeamId,
        why: &str,
        event_time: Option<DateTime<Utc>>,
    ) -> anyhow::Result<()> {
        let audit = AuditEntry {
            team_id: key.clone(),
            request_id: None,
            actor: BOT_ACTOR.into(),
            action: "uninstall".into(),
            from_state: None,
            to_state: None,
            detail: why.to_string(),
            at: self.now(),
        };
        let installed_before = event_time.map_or(self.now(), |t| t + Duration::seconds(1));
        if self
            .store
            .remove_installation(key, installed_before, audit)
            .await?
        {
            tracing::info!(installation = %key, why, "uninstalled");
        } else {
            tracing::info!(installation = %key, why, "nothing to uninstall (none, or reinstalled since)");
        }
        self.forget_installation(key);
        Ok(())
    }

    /// `tokens_revoked` naming user tokens: the installation keeps its bot, loses that user's
    /// token (and with it the admin API).
    pub(crate) async fn revoke_user_tokens(
        &self,
        key: &TeamId,
        users: &[String],
    ) -> anyhow::Result<()> {
        for user in users {
            let audit = AuditEntry {
                team_id: key.clone(),
                request_id: None,
                actor: BOT_ACTOR.into(),
                action: "user_token_revoked".into(),
                from_state: None,
                to_state: None,
                detail: user.clone(),
                at: self.now(),
            };
            self.store.remove_user_token(key, user, audit).await?;
        }
        self.forget_installation(key);
        Ok(())
    }

    /// An org-wide installation's workspaces, as Slack lists them, remembered for routing and
    /// for periodic work.
    pub(crate) async fn learn_workspaces(&self, key: &TeamId) -> anyhow::Result<()> {
        let teams = self
            .slack
            .org_workspaces()
            .await
            .context("listing the organisation's workspaces")?;
        let now = self.now();
        for team in &teams {
            if team != key.as_str() {
                self.store
                    .remember_workspace(&TeamId::from(team.as_str()), key.as_str(), now)
                    .await?;
            }
        }
        tracing::info!(installation = %key, workspaces = teams.len(), "organisation's workspaces learned");
        Ok(())
    }

    /// The DM an installer gets: Guestlist is in, and how to set it up.
    pub(crate) async fn welcome_installer(&self, user: &str, name: &str) -> anyhow::Result<()> {
        let user = crate::domain::UserId::from(user);
        let lang = self.lang_of(&user).await;
        let message = crate::slack::render::install_welcome(
            &InstallSay::Welcome { name: name.into() }.text(lang),
            lang,
        );
        self.slack
            .post_message(user.as_str(), message, None)
            .await
            .context("the installer's welcome")?;
        Ok(())
    }
}
