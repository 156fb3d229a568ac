//! OAuth v2: where an installer is sent (`authorize_url`), and `oauth.v2.access`, which trades a
//! code (or, with token rotation, a refresh token) for tokens. slack-morphism's model of the
//! answer has no refresh tokens and no org-wide installs (`team` is null there), so the answer
//! is read here.

use super::client::SlackApi;
use super::error::SlackCallError;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const METHOD: &str = "oauth.v2.access";

/// The app's OAuth credentials.
#[derive(Clone)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// What is traded for tokens.
pub enum Grant<'a> {
    /// The code Slack's authorize page handed back, with the redirect URI it was asked with.
    Code {
        code: &'a str,
        redirect_uri: &'a str,
    },
    /// A refresh token (token rotation); each is good once.
    Refresh { refresh_token: &'a SecretString },
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedId {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `oauth.v2.access`'s answer (a code: the bot's token and, with user scopes, the
/// installer's; a refresh: the refreshed token).
#[derive(Deserialize)]
pub struct OAuthAccess {
    pub access_token: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub bot_user_id: Option<String>,
    #[serde(default)]
    pub app_id: Option<String>,
    #[serde(default)]
    pub team: Option<NamedId>,
    #[serde(default)]
    pub enterprise: Option<NamedId>,
    #[serde(default)]
    pub is_enterprise_install: bool,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub authed_user: Option<AuthedUser>,
}

impl std::fmt::Debug for OAuthAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthAccess")
            .field("token_type", &self.token_type)
            .field("team", &self.team)
            .field("enterprise", &self.enterprise)
            .field("is_enterprise_install", &self.is_enterprise_install)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
pub struct AuthedUser {
    pub id: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(flatten)]
    access: Option<OAuthAccess>,
}

impl SlackApi {
    /// Where an installer is sent: Slack's authorize page, next to the Web API's address.
    pub fn authorize_url(
        &self,
        client_id: &str,
        bot_scopes: &str,
        user_scopes: &str,
        redirect_uri: &str,
        state: &str,
    ) -> String {
        let base = self
            .api_url()
            .strip_suffix("/api")
            .unwrap_or("https://slack.com");
        let mut url = url::Url::parse(&format!("{base}/oauth/v2/authorize"))
            .expect("the Web API's address is a URL");
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("scope", bot_scopes)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state);
        if !user_scopes.is_empty() {
            url.query_pairs_mut().append_pair("user_scope", user_scopes);
        }
        url.to_string()
    }

    /// Trades a code or a refresh token for tokens (client id and secret in HTTP Basic).
    pub async fn oauth_access(
        &self,
        http: &reqwest::Client,
        client: &OAuthClient,
        grant: Grant<'_>,
    ) -> Result<OAuthAccess, SlackCallError> {
        let form: Vec<(&str, &str)> = match &grant {
            Grant::Code { code, redirect_uri } => vec![
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ],
            Grant::Refresh { refresh_token } => vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
            ],
        };
        let started = std::time::Instant::now();
        let result = async {
            let response = http
                .post(format!("{}/{METHOD}", self.api_url()))
                .basic_auth(
                    &client.client_id,
                    Some(client.client_secret.expose_secret()),
                )
                .form(&form)
                .send()
                .await
                .map_err(|e| SlackCallError::Transport {
                    method: METHOD,
                    message: if e.is_timeout() {
                        "timed out".into()
                    } else {
                        "connection failed".into()
                    },
                })?;
            if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(std::time::Duration::from_secs)
                    .unwrap_or(super::error::DEFAULT_RETRY_AFTER);
                return Err(SlackCallError::RateLimited {
                    method: METHOD,
                    retry_after,
                });
            }
            if !response.status().is_success() {
                return Err(SlackCallError::Http {
                    method: METHOD,
                    status: response.status().as_u16(),
                });
            }
            let envelope: Envelope =
                response
                    .json()
                    .await
                    .map_err(|_| SlackCallError::Protocol {
                        method: METHOD,
                        message: "not the JSON Slack sends".into(),
                    })?;
            match (envelope.ok, envelope.access) {
                (true, Some(access)) if access.access_token.is_some() => Ok(access),
                (true, _) => Err(SlackCallError::Protocol {
                    method: METHOD,
                    message: "no access token in the answer".into(),
                }),
                (false, _) => Err(SlackCallError::Api {
                    method: METHOD,
                    code: envelope.error.unwrap_or_else(|| "unknown_error".into()),
                }),
            }
        }
        .await;
        metrics::counter!("slack_api_calls_total", "method" => METHOD, "outcome" => match &result {
            Ok(_) => "ok",
            Err(e) => e.outcome(),
        })
        .increment(1);
        metrics::histogram!("slack_api_call_seconds", "method" => METHOD)
            .record(started.elapsed().as_secs_f64());
        result
    }
}
