//! Slack Web API egress through slack-morphism, pointed at `SLACK_API_URL`. Methods the crate
//! does not model (`admin.*`, `usergroups.users.update`, …) go through its generic
//! `http_post` / `http_get`. Every call is timed out, counted and classified in one place.

use super::error::SlackCallError;
use crate::domain::{ChannelId, UserGroupId, UserId};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type SlackResult<T> = Result<T, SlackCallError>;

/// How long one Slack call may take before it counts as failed (and is retried by its job).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Which token a call needs: the bot token for almost everything, the org admin user token for
/// Enterprise Grid's `admin.*` methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Bot,
    Admin,
}

/// The tokens of the workspace (or organisation) a piece of work is for. Work for a workspace
/// runs inside `scoped`, and every Slack call made within it carries these tokens: one
/// installation's token is never used for another's work.
#[derive(Clone)]
pub struct WorkspaceTokens {
    /// The workspace the work is for.
    pub team: String,
    pub bot: SlackApiToken,
    /// The user token with `admin.*` scopes, when the installation has one.
    pub admin: Option<SlackApiToken>,
    /// For an org-wide install (Enterprise Grid), the workspace the work is for: an org-level
    /// token must name it (`team_id`) on workspace-scoped list methods (`users.list`,
    /// `conversations.list`, `usergroups.list`, `usergroups.users.list`), which Slack otherwise
    /// refuses.
    pub org_workspace: Option<String>,
}

impl WorkspaceTokens {
    pub fn new(team: &str, bot: &SecretString, admin: Option<&SecretString>) -> Self {
        let token = |s: &SecretString| SlackApiToken::new(s.expose_secret().to_string().into());
        Self {
            team: team.to_string(),
            bot: token(bot),
            admin: admin.map(token),
            org_workspace: None,
        }
    }

    /// The same tokens, as an org-wide install's working for `workspace`.
    pub fn for_org_workspace(mut self, workspace: &str) -> Self {
        self.org_workspace = Some(workspace.to_string());
        self
    }
}

impl std::fmt::Debug for WorkspaceTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkspaceTokens")
            .field("team", &self.team)
            .field("bot", &"[redacted]")
            .field("admin", &self.admin.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

tokio::task_local! {
    static SCOPE: Arc<WorkspaceTokens>;
}

/// Runs `work` with `tokens` as the tokens of every Slack call it makes.
pub async fn scoped<F: Future>(tokens: WorkspaceTokens, work: F) -> F::Output {
    SCOPE.scope(Arc::new(tokens), work).await
}

/// The workspace an org-level token must name on workspace-scoped list methods, if the work
/// under way is an org-wide install's.
fn org_workspace() -> Option<String> {
    SCOPE.try_with(|s| s.org_workspace.clone()).ok().flatten()
}

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackHyperClient>,
    /// The deployment's own tokens (one workspace, from the environment); work in a
    /// `scoped` installation uses that installation's instead.
    bot_token: Option<SlackApiToken>,
    admin_token: Option<SlackApiToken>,
    api_url: String,
    timeout: Duration,
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi")
            .field("api_url", &self.api_url)
            .field("bot_token", &self.bot_token.as_ref().map(|_| "[redacted]"))
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl SlackApi {
    /// `api_url` is Slack's (`https://slack.com/api`) or a stand-in's; plain `http://` is
    /// allowed for the fake Slack, proxies and GovSlack.
    pub fn new(
        api_url: &str,
        bot_token: Option<&SecretString>,
        admin_token: Option<&SecretString>,
    ) -> anyhow::Result<Self> {
        install_crypto_provider();
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = match builder.with_native_roots() {
            Ok(b) => b,
            // A machine without CA certificates can still talk plain http to a local stand-in.
            Err(_) if api_url.starts_with("http://") => hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(
                    rustls::ClientConfig::builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth(),
                ),
            Err(e) => return Err(anyhow::anyhow!("loading the system's CA certificates: {e}")),
        };
        let https = builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let api_url = api_url.trim_end_matches('/').to_string();
        let connector = SlackClientHyperConnector::from(https).with_slack_api_url(&api_url);
        let token = |s: &SecretString| SlackApiToken::new(s.expose_secret().to_string().into());
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            bot_token: bot_token.map(token),
            admin_token: admin_token.map(token),
            api_url,
            timeout: CALL_TIMEOUT,
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn has_admin_token(&self) -> bool {
        SCOPE
            .try_with(|s| s.admin.is_some())
            .unwrap_or(self.admin_token.is_some())
    }

    /// The underlying slack-morphism client (Socket Mode shares it).
    pub fn morphism_client(&self) -> Arc<SlackHyperClient> {
        self.client.clone()
    }

    /// The token a call needs: the scoped installation's, else the deployment's own.
    fn token(&self, kind: TokenKind, method: &'static str) -> SlackResult<SlackApiToken> {
        let scoped = SCOPE.try_with(|s| match kind {
            TokenKind::Bot => Some(s.bot.clone()),
            TokenKind::Admin => s.admin.clone(),
        });
        let token = match scoped {
            Ok(token) => token,
            Err(_) => match kind {
                TokenKind::Bot => self.bot_token.clone(),
                TokenKind::Admin => self.admin_token.clone(),
            },
        };
        token.ok_or_else(|| SlackCallError::Api {
            method,
            code: match kind {
                TokenKind::Bot => "bot_token_not_configured",
                TokenKind::Admin => "admin_token_not_configured",
            }
            .into(),
        })
    }

    /// Times out, classifies and counts one call.
    async fn finish<T>(
        &self,
        method: &'static str,
        call: impl Future<Output = ClientResult<T>>,
    ) -> SlackResult<T> {
        let started = Instant::now();
        let result = match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(SlackCallError::from_client(method, e)),
            Err(_) => Err(SlackCallError::Timeout {
                method,
                after: self.timeout,
            }),
        };
        record_call(method, started, &result);
        result
    }

    // --- messages ---

    /// Posts a message; a user id as `channel` posts in the bot's DM with that person.
    pub async fn post_message(
        &self,
        channel: &str,
        content: SlackMessageContent,
        thread_ts: Option<&str>,
    ) -> SlackResult<String> {
        let token = self.token(TokenKind::Bot, "chat.postMessage")?;
        let session = self.client.open_session(&token);
        let request = SlackApiChatPostMessageRequest::new(channel.into(), content)
            .opt_thread_ts(thread_ts.map(|ts| ts.into()))
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        let response = self
            .finish("chat.postMessage", session.chat_post_message(&request))
            .await?;
        Ok(response.ts.0)
    }

    /// Posts a message and says where it landed (a DM's channel id is not the user's id): the
    /// channel and ts to update it by later.
    pub async fn post_message_located(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> SlackResult<(String, String)> {
        let token = self.token(TokenKind::Bot, "chat.postMessage")?;
        let session = self.client.open_session(&token);
        let request = SlackApiChatPostMessageRequest::new(channel.into(), content)
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        let response = self
            .finish("chat.postMessage", session.chat_post_message(&request))
            .await?;
        Ok((response.channel.0, response.ts.0))
    }

    pub async fn update_message(
        &self,
        channel: &str,
        ts: &str,
        content: SlackMessageContent,
    ) -> SlackResult<()> {
        let token = self.token(TokenKind::Bot, "chat.update")?;
        let session = self.client.open_session(&token);
        let request = SlackApiChatUpdateRequest::new(channel.into(), content, ts.into());
        self.finish("chat.update", session.chat_update(&request))
            .await?;
        Ok(())
    }

    pub async fn post_ephemeral(
        &self,
        channel: &str,
        user: &UserId,
        content: SlackMessageContent,
        thread_ts: Option<&str>,
    ) -> SlackResult<()> {
        let token = self.token(TokenKind::Bot, "chat.postEphemeral")?;
        let session = self.client.open_session(&token);
        let request =
            SlackApiChatPostEphemeralRequest::new(channel.into(), user.as_str().into(), content)
                .opt_thread_ts(thread_ts.map(|ts| ts.into()));
        self.finish("chat.postEphemeral", session.chat_post_ephemeral(&request))
            .await?;
        Ok(())
    }

    // --- views ---

    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> SlackResult<String> {
        let token = self.token(TokenKind::Bot, "views.open")?;
        let session = self.client.open_session(&token);
        let request = SlackApiViewsOpenRequest::new(trigger_id.into(), view);
        let response = self
            .finish("views.open", session.views_open(&request))
            .await?;
        Ok(response.view.state_params.id.0)
    }

    pub async fn push_view(&self, trigger_id: &str, view: SlackView) -> SlackResult<()> {
        let token = self.token(TokenKind::Bot, "views.push")?;
        let session = self.client.open_session(&token);
        let request = SlackApiViewsPushRequest::new(trigger_id.into(), view);
        self.finish("views.push", session.views_push(&request))
            .await?;
        Ok(())
    }

    pub async fn update_view(&self, view_id: &str, view: SlackView) -> SlackResult<()> {
        let token = self.token(TokenKind::Bot, "views.update")?;
        let session = self.client.open_session(&token);
        let request = SlackApiViewsUpdateRequest::new(view).with_view_id(view_id.into());
        self.finish("views.update", session.views_update(&request))
            .await?;
        Ok(())
    }

    pub async fn publish_home(&self, user: &UserId, view: SlackView) -> SlackResult<()> {
        let token = self.token(TokenKind::Bot, "views.publish")?;
        let session = self.client.open_session(&token);
        let request = SlackApiViewsPublishRequest::new(user.as_str().into(), view);
        self.finish("views.publish", session.views_publish(&request))
            .await?;
        Ok(())
    }

    // --- people ---

    pub async fn user_info(&self, user: &UserId) -> SlackResult<SlackUser> {
        let token = self.token(TokenKind::Bot, "users.info")?;
        let session = self.client.open_session(&token);
        // With the locale, so each person reads Guestlist in their own language.
        let request = SlackApiUsersInfoRequest::new(user.as_str().into()).with_include_locale(true);
        let response = self
            .finish("users.info", session.users_info(&request))
            .await?;
        Ok(response.user)
    }

    pub async fn lookup_user_by_email(&self, email: &str) -> SlackResult<Option<SlackUser>> {
        let token = self.token(TokenKind::Bot, "users.lookupByEmail")?;
        let session = self.client.open_session(&token);
        let request = SlackApiUsersLookupByEmailRequest::new(email.into());
        match self
            .finish(
                "users.lookupByEmail",
                session.users_lookup_by_email(&request),
            )
            .await
        {
            Ok(response) => Ok(Some(response.user)),
            Err(SlackCallError::Api { code, .. }) if code == "users_not_found" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One page of `users.list`.
    /// One page of `users.list`, read into `DirectoryUser`s (the few fields sync needs: at
    /// 100,000 people, reading whole user objects costs more CPU than the rest of a run).
    pub async fn users_page(
        &self,
        cursor: Option<&str>,
        limit: u16,
    ) -> SlackResult<Page<DirectoryUser>> {
        let mut params = vec![("limit", limit.to_string())];
        if let Some(cursor) = cursor {
            params.push(("cursor", cursor.to_string()));
        }
        params.extend(org_workspace().map(|team| ("team_id", team)));
        let response: UsersPage = self
            .get_method("users.list", TokenKind::Bot, &params)
            .await?;
        Ok(Page {
            items: response.members,
            next_cursor: response
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.is_empty()),
        })
    }

    /// Every user group with its members, in one `usergroups.list` call. A group whose member list
    /// came back shorter than its `user_count` must be read with `usergroup_members`.
    pub async fn usergroups_with_members(&self) -> SlackResult<Vec<GroupListing>> {
        let mut params = vec![
            ("include_users", "true".to_string()),
            ("include_count", "true".to_string()),
        ];
        params.extend(org_workspace().map(|team| ("team_id", team)));
        let response: GroupList = self
            .get_method("usergroups.list", TokenKind::Bot, &params)
            .await?;
        Ok(response.usergroups)
    }

    /// `users.info`, read into a `DirectoryUser`.
    pub async fn directory_user(&self, user: &UserId) -> SlackResult<DirectoryUser> {
        let response: UserInfo = self
            .get_method("users.info", TokenKind::Bot, &[("user", user.to_string())])
            .await?;
        Ok(response.user)
    }

    pub async fn usergroup_members(&self, group: &UserGroupId) -> SlackResult<Vec<UserId>> {
        let token = self.token(TokenKind::Bot, "usergroups.users.list")?;
        let session = self.client.open_session(&token);
        let request = SlackApiUserGroupsUsersListRequest::new(group.as_str().into())
            .opt_team_id(org_workspace().map(SlackTeamId));
        let response = self
            .finish(
                "usergroups.users.list",
                session.usergroups_users_list(&request),
            )
            .await?;
        Ok(response.users.into_iter().map(|u| UserId(u.0)).collect())
    }

    pub async fn usergroups(&self) -> SlackResult<Vec<SlackUserGroup>> {
        let token = self.token(TokenKind::Bot, "usergroups.list")?;
        let session = self.client.open_session(&token);
        let request = SlackApiUserGroupsListRequest::new()
            .with_include_users(false)
            .with_include_count(true)
            .opt_team_id(org_workspace().map(SlackTeamId));
        let response = self
            .finish("usergroups.list", session.usergroups_list(&request))
            .await?;
        Ok(response.usergroups)
    }

    /// `conversations.info` with the bot token.
    async fn channel_info(&self, channel: &ChannelId) -> SlackResult<SlackChannelInfo> {
        let token = self.token(TokenKind::Bot, "conversations.info")?;
        let session = self.client.open_session(&token);
        let request = SlackApiConversationsInfoRequest::new(channel.as_str().into());
        let response = self
            .finish("conversations.info", session.conversations_info(&request))
            .await?;
        Ok(response.channel)
    }

    pub async fn channel_name(&self, channel: &ChannelId) -> SlackResult<Option<String>> {
        Ok(self.channel_info(channel).await?.name)
    }

    /// Whether the bot can post in `channel`: it was invited, or the channel is public (the
    /// manifest asks for `chat:write.public`). A private channel it is not in answers false.
    pub async fn bot_may_post_in(&self, channel: &ChannelId) -> SlackResult<bool> {
        let flags = self.channel_info(channel).await?.flags;
        Ok(flags.is_member == Some(true) || flags.is_private != Some(true))
    }

    /// One page of the channels the bot can see (public, and private ones it is in). Read by
    /// hand because slack-morphism's request has no `team_id`, which an org-level token needs.
    pub async fn channels_page(
        &self,
        cursor: Option<&str>,
    ) -> SlackResult<Page<(ChannelId, String)>> {
        let mut params = vec![
            ("limit", "1000".to_string()),
            ("exclude_archived", "true".to_string()),
            ("types", "public_channel,private_channel".to_string()),
        ];
        if let Some(cursor) = cursor {
            params.push(("cursor", cursor.to_string()));
        }
        params.extend(org_workspace().map(|team| ("team_id", team)));
        let response: ChannelsPage = self
            .get_method("conversations.list", TokenKind::Bot, &params)
            .await?;
        Ok(Page {
            items: response
                .channels
                .into_iter()
                .filter_map(|c| Some((ChannelId(c.id), c.name?)))
                .collect(),
            next_cursor: response
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.is_empty()),
        })
    }

    pub async fn file_info(&self, file: &str) -> SlackResult<SlackFile> {
        let token = self.token(TokenKind::Bot, "files.info")?;
        let session = self.client.open_session(&token);
        let request = SlackApiFilesInfoRequest::new(SlackFileId(file.to_string()));
        let response = self
            .finish("files.info", session.files_info(&request))
            .await?;
        Ok(response.file)
    }

    /// Downloads a file Slack hosts, with the bot token, reading at most `max` bytes
    /// (`Ok(None)` when the file is larger). The token only goes to Slack's own hosts.
    pub async fn download_file(
        &self,
        http: &reqwest::Client,
        url: &str,
        max: u64,
    ) -> SlackResult<Option<Vec<u8>>> {
        const METHOD: &str = "files.download";
        let fail = |code: String| SlackCallError::Api {
            method: METHOD,
            code,
        };
        let target = reqwest::Url::parse(url).map_err(|_| fail("invalid_file_url".into()))?;
        let api = reqwest::Url::parse(&self.api_url).map_err(|_| fail("invalid_api_url".into()))?;
        let trusted = target.scheme() == api.scheme()
            && target.host_str() == api.host_str()
            && target.port() == api.port()
            || (target.scheme() == "https"
                && target
                    .host_str()
                    .is_some_and(|h| h == "files.slack.com" || h.ends_with(".slack.com")));
        if !trusted {
            return Err(fail(format!(
                "untrusted_file_host:{}",
                target.host_str().unwrap_or("")
            )));
        }
        let started = Instant::now();
        let result = async {
            let mut response = http
                .get(target)
                .bearer_auth(
                    self.token(TokenKind::Bot, "files.download")?
                        .token_value
                        .0
                        .as_str(),
                )
                .send()
                .await
                .map_err(|e| fail(format!("download_failed: {e}")))?;
            if !response.status().is_success() {
                return Err(fail(format!(
                    "download_status_{}",
                    response.status().as_u16()
                )));
            }
            // Without the token Slack answers with its sign-in page, not the file.
            if response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"))
            {
                return Err(fail("download_not_authorised".into()));
            }
            if response.content_length().is_some_and(|n| n > max) {
                return Ok(None);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| fail(format!("download_failed: {e}")))?
            {
                if (body.len() + chunk.len()) as u64 > max {
                    return Ok(None);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Some(body))
        }
        .await;
        record_call(METHOD, started, &result);
        result
    }

    pub async fn auth_test(&self) -> SlackResult<SlackApiAuthTestResponse> {
        let token = self.token(TokenKind::Bot, "auth.test")?;
        let session = self.client.open_session(&token);
        self.finish("auth.test", session.auth_test()).await
    }

    // --- methods slack-morphism does not model ---

    /// Every page of a cursor-paginated method: `body` plus `limit` and `cursor`, each page's
    /// items taken out by `items`. At most `MAX_PAGES` pages (a million items): a cursor that
    /// never ends (a Slack bug, a proxy replaying an answer) stops with an error instead of
    /// looping for good.
    async fn all_pages<P, T>(
        &self,
        method: &'static str,
        token: TokenKind,
        mut body: serde_json::Value,
        items: impl Fn(P) -> (Vec<T>, Option<SlackResponseMetadata>),
    ) -> SlackResult<Vec<T>>
    where
        P: DeserializeOwned + Send,
    {
        const MAX_PAGES: usize = 1000;
        body["limit"] = 1000.into();
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: P = self.post_method(method, token, &body).await?;
            let (found, meta) = items(page);
            all.extend(found);
            match meta
                .and_then(|m| m.next_cursor)
                .map(|c| c.0)
                .filter(|c| !c.is_empty())
            {
                Some(cursor) => body["cursor"] = cursor.into(),
                None => return Ok(all),
            }
        }
        Err(SlackCallError::Api {
            method,
            code: "too_many_pages".into(),
        })
    }

    /// The workspaces an org-wide installation serves (`auth.teams.list`, every page).
    pub async fn org_workspaces(&self) -> SlackResult<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Team {
            id: String,
        }
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            teams: Vec<Team>,
            #[serde(default)]
            response_metadata: Option<SlackResponseMetadata>,
        }
        self.all_pages(
            "auth.teams.list",
            TokenKind::Bot,
            serde_json::json!({}),
            |p: Page| {
                (
                    p.teams.into_iter().map(|t| t.id).collect(),
                    p.response_metadata,
                )
            },
        )
        .await
    }

    /// The workspace's invite requests nobody decided yet (`admin.inviteRequests.list`, every
    /// page).
    pub async fn pending_invite_requests(
        &self,
        team: &str,
    ) -> SlackResult<Vec<super::payload::SlackInviteRequest>> {
        #[derive(serde::Deserialize)]
        struct Page {
            #[serde(default)]
            invite_requests: Vec<super::payload::SlackInviteRequest>,
            #[serde(default)]
            response_metadata: Option<SlackResponseMetadata>,
        }
        self.all_pages(
            "admin.inviteRequests.list",
            TokenKind::Admin,
            serde_json::json!({"team_id": team}),
            |p: Page| (p.invite_requests, p.response_metadata),
        )
        .await
    }

    /// Approves or denies an invite request (`admin.inviteRequests.approve` / `.deny`); an
    /// approval makes Slack send the invitation.
    pub async fn decide_invite_request(
        &self,
        team: &str,
        invite_request: &str,
        approve: bool,
    ) -> SlackResult<()> {
        let method = if approve {
            "admin.inviteRequests.approve"
        } else {
            "admin.inviteRequests.deny"
        };
        let body = serde_json::json!({"team_id": team, "invite_request_id": invite_request});
        let _: serde_json::Value = self.post_method(method, TokenKind::Admin, &body).await?;
        Ok(())
    }

    /// POSTs JSON to any Web API method with the chosen token.
    pub async fn post_method<RQ: Serialize + Send + Sync, RS: DeserializeOwned + Send>(
        &self,
        method: &'static str,
        token: TokenKind,
        body: &RQ,
    ) -> SlackResult<RS> {
        let token = self.token(token, method)?;
        let session = self.client.open_session(&token);
        self.finish(
            method,
            session.http_session_api.http_post(method, body, None),
        )
        .await
    }

    /// GETs any Web API method with query parameters and the chosen token.
    pub async fn get_method<RS: DeserializeOwned + Send>(
        &self,
        method: &'static str,
        token: TokenKind,
        params: &[(&str, String)],
    ) -> SlackResult<RS> {
        let token = self.token(token, method)?;
        let session = self.client.open_session(&token);
        let params: Vec<(&str, Option<&String>)> =
            params.iter().map(|(k, v)| (*k, Some(v))).collect();
        self.finish(
            method,
            session.http_session_api.http_get(method, &params, None),
        )
        .await
    }
}

/// Counts and times one call, by method and outcome.
fn record_call<T>(method: &'static str, started: Instant, result: &SlackResult<T>) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(e) => e.outcome(),
    };
    metrics::counter!("slack_api_calls_total", "method" => method, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("slack_api_call_seconds", "method" => method)
        .record(started.elapsed().as_secs_f64());
    if let Err(e) = result {
        tracing::debug!(slack.method = method, error = %e, "slack call failed");
    }
}

/// A person as group sync reads them from `users.list`, `users.info` or a `team_join` event.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DirectoryUser {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub is_app_user: bool,
    /// A guest (multi- or single-channel).
    #[serde(default)]
    pub is_restricted: bool,
    #[serde(default)]
    pub is_ultra_restricted: bool,
    #[serde(default)]
    pub profile: DirectoryProfile,
    /// Enterprise Grid: the person's organisation account and its workspaces.
    #[serde(default)]
    pub enterprise_user: Option<EnterpriseUser>,
}

/// `enterprise_user` of a Grid user object: the workspaces of the organisation they are in.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EnterpriseUser {
    #[serde(default)]
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DirectoryProfile {
    #[serde(default)]
    pub email: Option<String>,
}

/// A user group as `usergroups.list` lists it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct GroupListing {
    pub id: String,
    pub handle: String,
    #[serde(default)]
    pub users: Option<Vec<String>>,
    /// Slack sends a number here (and a string in some events); either is read.
    #[serde(default, deserialize_with = "number_or_string")]
    pub user_count: Option<u64>,
}

impl GroupListing {
    /// The members, if the listing holds all of them.
    pub fn complete_members(&self) -> Option<&Vec<String>> {
        self.users
            .as_ref()
            .filter(|users| self.user_count.is_none_or(|n| users.len() as u64 >= n))
    }
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::Deserialize;
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    })
}

#[derive(serde::Deserialize)]
struct GroupList {
    usergroups: Vec<GroupListing>,
}

#[derive(serde::Deserialize)]
struct UsersPage {
    members: Vec<DirectoryUser>,
    response_metadata: Option<CursorMetadata>,
}

#[derive(serde::Deserialize)]
struct ChannelsPage {
    channels: Vec<ChannelListing>,
    response_metadata: Option<CursorMetadata>,
}

#[derive(serde::Deserialize)]
struct ChannelListing {
    id: String,
    name: Option<String>,
}

#[derive(serde::Deserialize)]
struct CursorMetadata {
    next_cursor: Option<String>,
}

#[derive(serde::Deserialize)]
struct UserInfo {
    user: DirectoryUser,
}

/// rustls needs one process-wide crypto provider; ring is the one we build with.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A reqwest client for calls outside the Web API (`response_url`, file downloads, SCIM).
pub fn http_client(timeout: Duration) -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("guestlist/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("HTTP client builds")
}
