//! Installs through OAuth: `GET /slack/install` sends the installer to Slack's authorize page
//! with a signed state, also set as a cookie on this browser; `GET /slack/oauth_redirect`
//! is where Slack sends them back. The workflow checks the state and trades the code; this
//! only reads the query and the cookie and says the outcome in words (askama, Fluent).

use super::HttpState;
use super::join::page::{Lang, Words, plain_message};
use crate::workflow::InstallError;
use axum::Router;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The cookie that ties Slack's redirect back to the browser that started the install.
const STATE_COOKIE: &str = "guestlist_oauth_state";

pub fn routes() -> Router<Arc<HttpState>> {
    Router::new()
        .route("/slack/install", get(install))
        .route("/slack/oauth_redirect", get(oauth_redirect))
}

fn words(headers: &HeaderMap) -> Words {
    Words(Lang::choose(
        None,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ))
}

fn page(status: StatusCode, body: String, cookie: Option<String>) -> Response {
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn cookie(state: &HttpState, value: &str, max_age: u32) -> String {
    // Lax: Slack's redirect back is a top-level GET, which Lax lets the cookie ride along.
    format!(
        "{STATE_COOKIE}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        state.workflow.install_cookie_path(),
        if state.workflow.install_over_https() {
            "; Secure"
        } else {
            ""
        }
    )
}

/// The install routes share the public page's per-address limit on page views: each visit
/// signs a state, each redirect trades a code with Slack.
fn limited(state: &HttpState, headers: &HeaderMap, peer: SocketAddr) -> Option<Response> {
    let ip = state.join.client_ip(headers, Some(peer));
    state
        .join
        .check_view(ip)
        .err()
        .map(|wait| super::join::too_many(words(headers), wait))
}

async fn install(
    State(state): State<Arc<HttpState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = limited(&state, &headers, peer) {
        return refused;
    }
    match state.workflow.begin_install() {
        Ok(start) => {
            let mut response = StatusCode::FOUND.into_response();
            let h = response.headers_mut();
            if let Ok(location) = HeaderValue::from_str(&start.authorize_url) {
                h.insert(header::LOCATION, location);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(c) = HeaderValue::from_str(&cookie(&state, &start.state, 600)) {
                h.insert(header::SET_COOKIE, c);
            }
            response
        }
        Err(e) => failed(&state, words(&headers), &e, None),
    }
}

#[derive(Deserialize)]
struct Redirect {
    code: Option<String>,
    error: Option<String>,
    #[serde(default)]
    state: String,
}

async fn oauth_redirect(
    State(state): State<Arc<HttpState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<Redirect>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = limited(&state, &headers, peer) {
        return refused;
    }
    let words = words(&headers);
    let sent_cookie = state_cookie(&headers);
    // Spent either way: the browser forgets it.
    let clear = Some(cookie(&state, "", 0));
    match state
        .workflow
        .complete_install(
            query.code.as_deref(),
            query.error.as_deref(),
            &query.state,
            sent_cookie.as_deref(),
        )
        .await
    {
        Ok(installed) => {
            let name = crate::i18n::Arg::from(installed.name.as_str());
            let line = words.with(
                if installed.org_wide {
                    "oauth-installed-org"
                } else {
                    "oauth-installed"
                },
                &[("name", name)],
            );
            page(
                StatusCode::OK,
                plain_message(words, "oauth-title-installed", vec![line], None),
                clear,
            )
        }
        Err(e) => failed(&state, words, &e, clear),
    }
}

fn failed(state: &HttpState, words: Words, e: &InstallError, cookie: Option<String>) -> Response {
    let (status, line) = match e {
        InstallError::Off => (StatusCode::NOT_FOUND, words.get("oauth-off")),
        InstallError::Cancelled => (StatusCode::OK, words.get("oauth-cancelled")),
        InstallError::BadState => (StatusCode::BAD_REQUEST, words.get("oauth-bad-state")),
        InstallError::Stale => (StatusCode::BAD_REQUEST, words.get("oauth-stale")),
        InstallError::Replayed => (StatusCode::BAD_REQUEST, words.get("oauth-replayed")),
        InstallError::OtherBrowser => (StatusCode::BAD_REQUEST, words.get("oauth-other-browser")),
        InstallError::Refused(code) => (
            StatusCode::BAD_GATEWAY,
            words.with(
                "oauth-refused",
                &[("code", crate::i18n::Arg::from(code.as_str()))],
            ),
        ),
        InstallError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            words.get("oauth-unavailable"),
        ),
        InstallError::NotAllowed(name) => (
            StatusCode::FORBIDDEN,
            words.with(
                "oauth-not-allowed",
                &[("name", crate::i18n::Arg::from(name.as_str()))],
            ),
        ),
    };
    tracing::info!(outcome = e.code(), "install not completed");
    let again = (!matches!(e, InstallError::Off | InstallError::NotAllowed(_)))
        .then(|| (state.workflow.install_path(), words.get("oauth-again")));
    page(
        status,
        plain_message(words, "oauth-title-failed", vec![line], again),
        cookie,
    )
}

fn state_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == STATE_COOKIE)
        .map(|(_, value)| value.to_string())
}
