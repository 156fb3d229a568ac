//! `/join`: the public page for people outside Slack (invite links, self-registration).
//! Server-rendered, no script; strict security headers on every answer; a CSRF token per
//! form; rate limits per address and per link (429 with `Retry-After`); a honeypot field; a
//! small body limit. The link token is a path parameter: logs name the route, never the path.

mod guard;
pub(crate) mod page;

pub use guard::{JoinGuard, JoinGuardSettings};
pub use page::Lang;

use super::HttpState;
use crate::domain::join::{JoinDraft, token_hash};
use crate::workflow::{JoinDoor, JoinOutcome, JoinView};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use page::{Notice, Words};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// A join form is a few kilobytes at most.
pub const MAX_JOIN_BODY_BYTES: usize = 16 * 1024;

const CSS: &str = include_str!("join.css");

pub(super) fn routes() -> Router<Arc<HttpState>> {
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    let mut router = Router::new()
        .route(
            "/join",
            get(self_registration_page).post(self_registration_post),
        )
        .route("/join/assets/join.css", get(stylesheet))
        .route("/join/{token}", get(link_page).post(link_post))
        .layer(RequestBodyLimitLayer::new(MAX_JOIN_BODY_BYTES));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

#[derive(Debug, Default, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The form as posted; unknown fields are ignored, missing ones are empty.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PostedForm {
    name: String,
    email: String,
    organisation: String,
    phone: String,
    reason: String,
    csrf: Option<String>,
    website: String,
}

impl PostedForm {
    fn draft(&self) -> JoinDraft {
        JoinDraft {
            name: self.name.clone(),
            email: self.email.clone(),
            organisation: self.organisation.clone(),
            phone: self.phone.clone(),
            reason: self.reason.clone(),
        }
    }
}

struct Visit {
    words: Words,
    lang: Lang,
    ip: Option<std::net::IpAddr>,
    nonce: Option<String>,
}

fn visit(
    state: &HttpState,
    query: &LangQuery,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Visit {
    let lang = Lang::choose(
        query.lang.as_deref(),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Visit {
        words: Words(lang),
        lang,
        ip: state.join.client_ip(headers, peer),
        nonce: guard::cookie_nonce(headers),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn self_registration_page(
    State(state): State<Arc<HttpState>>,
    Query(query): Query<LangQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    show(
        &state,
        JoinDoor::SelfRegistration,
        "/join",
        &query,
        &headers,
        peer,
    )
    .await
}

async fn link_page(
    State(state): State<Arc<HttpState>>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let action = format!("/join/{token}");
    show(
        &state,
        JoinDoor::Link(token),
        &action,
        &query,
        &headers,
        peer,
    )
    .await
}

async fn self_registration_post(
    State(state): State<Arc<HttpState>>,
    Query(query): Query<LangQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(
        &state,
        JoinDoor::SelfRegistration,
        "/join",
        &query,
        &headers,
        peer,
        &body,
    )
    .await
}

async fn link_post(
    State(state): State<Arc<HttpState>>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let action = format!("/join/{token}");
    submit(
        &state,
        JoinDoor::Link(token),
        &action,
        &query,
        &headers,
        peer,
        &body,
    )
    .await
}

/// The form's action keeps the language the visitor chose.
fn action_for(path: &str, query: &LangQuery, lang: Lang) -> String {
    match query.lang {
        Some(_) => format!("{path}?lang={}", lang.code()),
        None => path.to_string(),
    }
}

async fn show(
    state: &HttpState,
    door: JoinDoor,
    path: &str,
    query: &LangQuery,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Response {
    let visit = visit(state, query, headers, Some(peer));
    if let Err(wait) = state.join.check_view(visit.ip) {
        return too_many(visit.words, wait);
    }
    let self_registration = door == JoinDoor::SelfRegistration;
    match state.workflow.join_view(&door).await {
        Ok(JoinView::Open(offer)) => {
            let (nonce, set_cookie) = match &visit.nonce {
                Some(n) => (n.clone(), None),
                None => {
                    let n = JoinGuard::new_nonce();
                    (n.clone(), Some(state.join.cookie(&n)))
                }
            };
            let csrf = state.join.token(&nonce, now_secs(state));
            let html = page::form(
                visit.words,
                &offer,
                &JoinDraft::default(),
                Notice::None,
                &action_for(path, query, visit.lang),
                &csrf,
            );
            html_response(StatusCode::OK, html, set_cookie)
        }
        Ok(JoinView::Closed { why, sponsor }) => closed(visit.words, why, &sponsor),
        Ok(JoinView::NotFound) => not_found(visit.words, self_registration),
        Err(e) => internal(visit.words, &e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn submit(
    state: &HttpState,
    door: JoinDoor,
    path: &str,
    query: &LangQuery,
    headers: &HeaderMap,
    peer: SocketAddr,
    body: &[u8],
) -> Response {
    let visit = visit(state, query, headers, Some(peer));
    let link_key = match &door {
        JoinDoor::Link(token) => Some(token_hash(token)),
        JoinDoor::SelfRegistration => None,
    };
    if let Err(wait) = state.join.check_post(visit.ip, link_key.as_deref()) {
        metrics::counter!("join_refused_total", "why" => "rate_limit").increment(1);
        return too_many(visit.words, wait);
    }
    let Ok(form) = serde_urlencoded::from_bytes::<PostedForm>(body) else {
        metrics::counter!("join_refused_total", "why" => "unreadable").increment(1);
        return html_response(
            StatusCode::BAD_REQUEST,
            page::bad_request(visit.words),
            None,
        );
    };
    let action = action_for(path, query, visit.lang);
    let self_registration = door == JoinDoor::SelfRegistration;
    if !state.join.token_ok(
        visit.nonce.as_deref(),
        form.csrf.as_deref(),
        now_secs(state),
    ) {
        metrics::counter!("join_refused_total", "why" => "csrf").increment(1);
        tracing::info!("join form refused: missing or stale CSRF token");
        // Shown again with what was typed and a fresh token: nothing is lost.
        return match state.workflow.join_view(&door).await {
            Ok(JoinView::Open(offer)) => {
                let nonce = JoinGuard::new_nonce();
                let csrf = state.join.token(&nonce, now_secs(state));
                html_response(
                    StatusCode::FORBIDDEN,
                    page::form(
                        visit.words,
                        &offer,
                        &form.draft(),
                        Notice::Expired,
                        &action,
                        &csrf,
                    ),
                    Some(state.join.cookie(&nonce)),
                )
            }
            Ok(JoinView::Closed { why, sponsor }) => closed(visit.words, why, &sponsor),
            Ok(JoinView::NotFound) => not_found(visit.words, self_registration),
            Err(e) => internal(visit.words, &e),
        };
    }
    if !form.website.is_empty() {
        // A bot filled the field people never see: it is told "sent", and nothing is stored.
        metrics::counter!("join_refused_total", "why" => "honeypot").increment(1);
        tracing::info!("join form dropped: honeypot field filled");
        let sponsor = match state.workflow.join_view(&door).await {
            Ok(JoinView::Open(offer)) => offer.sponsor,
            _ => String::new(),
        };
        return html_response(StatusCode::OK, page::sent(visit.words, &sponsor), None);
    }
    match state.workflow.submit_join(&door, &form.draft()).await {
        Ok(JoinOutcome::Sent { sponsor }) => {
            html_response(StatusCode::OK, page::sent(visit.words, &sponsor), None)
        }
        Ok(JoinOutcome::Problems(offer, problems)) => {
            let csrf = form.csrf.clone().unwrap_or_default();
            html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                page::form(
                    visit.words,
                    &offer,
                    &form.draft(),
                    Notice::Problems(&problems),
                    &action,
                    &csrf,
                ),
                None,
            )
        }
        Ok(JoinOutcome::Closed { why, sponsor }) => closed(visit.words, why, &sponsor),
        Ok(JoinOutcome::NotFound) => not_found(visit.words, self_registration),
        Err(e) => internal(visit.words, &e),
    }
}

fn now_secs(state: &HttpState) -> u64 {
    state.workflow.clock().now().timestamp().max(0) as u64
}

fn html_response(status: StatusCode, html: String, set_cookie: Option<String>) -> Response {
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response();
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// 410: the link was revoked, expired or used up; the page says which and whom to ask.
fn closed(words: Words, why: crate::domain::join::LinkStatus, sponsor: &str) -> Response {
    html_response(StatusCode::GONE, page::closed(words, why, sponsor), None)
}

fn not_found(words: Words, self_registration: bool) -> Response {
    html_response(
        StatusCode::NOT_FOUND,
        page::not_found(words, self_registration),
        None,
    )
}

pub(super) fn too_many(words: Words, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = html_response(
        StatusCode::TOO_MANY_REQUESTS,
        page::too_many(words, seconds),
        None,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn internal(words: Words, error: &anyhow::Error) -> Response {
    tracing::error!(error = %format!("{error:#}"), "join page failed");
    html_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        page::internal_error(words),
        None,
    )
}
