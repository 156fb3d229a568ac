//! HTTP ingress: Slack's signed requests, the public join page (`join`), health probes and
//! metrics. Every `/slack/*` request is
//! size-limited and its signature verified before anything parses it; handlers only parse, call
//! the workflow and turn its answer into Slack's response shape.

mod install;
pub mod join;
pub mod server;
mod slack;
pub mod verify;

pub use join::{JoinGuard, JoinGuardSettings};
pub use verify::SignatureVerifier;

use crate::workflow::Workflow;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

/// Slack's bodies are small; anything near this is not from Slack.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A request to `/slack/*` is answered within this, or with 408 (Slack itself gives up after 3 s).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

pub struct HttpState {
    pub workflow: Arc<Workflow>,
    pub verifier: SignatureVerifier,
    /// At most this many `/slack/*` requests at once; more are answered 503 at once.
    pub max_concurrent: usize,
    /// A body must arrive within this (Slack sends it at once; a slow drip is not Slack).
    pub body_read_timeout: std::time::Duration,
    /// The join page's CSRF key and rate limits.
    pub join: JoinGuard,
}

pub fn router(state: Arc<HttpState>) -> Router {
    let overload = tower::ServiceBuilder::new()
        .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
        .load_shed()
        .concurrency_limit(state.max_concurrent.max(1));
    let slack = Router::new()
        .route("/slack/commands", post(slack::commands))
        .route("/slack/interactions", post(slack::interactions))
        .route("/slack/events", post(slack::events))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            slack::verify_signature,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(overload);
    let request_id = header::HeaderName::from_static("x-request-id");
    let join = join::routes().layer(tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    let install = install::routes().layer(tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    Router::new()
        .merge(slack)
        .merge(join)
        .merge(install)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn(count_requests))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(LogResponse),
        )
        .layer(SetRequestIdLayer::new(request_id, SequentialIds::default()))
        .with_state(state)
}

/// One span per request: its id, route, and (recorded by the workflow) the Slack team and user.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("")
        .to_string();
    // Probes and scrapes are frequent and dull: their spans (and end lines) are DEBUG.
    if matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics") {
        tracing::debug_span!("request", request_id = %id, method = %request.method(), route = %route)
    } else {
        tracing::info_span!(
            "request",
            request_id = %id,
            method = %request.method(),
            route = %route,
            slack.team = tracing::field::Empty,
            slack.user = tracing::field::Empty,
        )
    }
}

/// Marks a response whose "request finished" line is DEBUG: Events API deliveries are the
/// high-volume traffic and carry nothing an operator reads line by line.
#[derive(Clone, Copy)]
pub struct QuietLog;

/// One line per finished request, at the level of its span.
#[derive(Clone, Copy)]
struct LogResponse;

impl<B> tower_http::trace::OnResponse<B> for LogResponse {
    fn on_response(
        self,
        response: &axum::http::Response<B>,
        latency: std::time::Duration,
        span: &tracing::Span,
    ) {
        let status = response.status().as_u16();
        let latency_ms = latency.as_secs_f64() * 1000.0;
        let quiet = response.extensions().get::<QuietLog>().is_some();
        if quiet
            || span
                .metadata()
                .is_some_and(|m| *m.level() == tracing::Level::DEBUG)
        {
            tracing::debug!(status, latency_ms, "request finished");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    }
}

/// Request ids: a per-process random prefix and a counter (cheap, unique enough for logs).
#[derive(Clone)]
struct SequentialIds {
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl Default for SequentialIds {
    fn default() -> Self {
        Self {
            prefix: rand::random(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for SequentialIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// `http_requests_total{route, status}`.
async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    metrics::counter!("http_requests_total", "route" => route, "status" => response.status().as_u16().to_string())
        .increment(1);
    response
}

/// More requests than `max_concurrent` at once: a clear 503 (Slack retries events), not a hang.
async fn overloaded(error: tower::BoxError) -> Response {
    metrics::counter!("http_overloaded_total").increment(1);
    tracing::warn!(error = %error, "refused a request: too many at once");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
    )
        .into_response()
}

/// How long readiness waits for the database. A database that hangs (a dropped network, a
/// full connection pool) makes this replica not ready, answered well within a probe's timeout,
/// rather than a probe left waiting.
const READINESS_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

async fn readyz(State(state): State<Arc<HttpState>>) -> Response {
    let checked = tokio::time::timeout(READINESS_BUDGET, state.workflow.readiness()).await;
    match checked {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
        Err(_) => {
            tracing::warn!(budget = ?READINESS_BUDGET, "not ready: the database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
    }
}

async fn metrics(State(state): State<Arc<HttpState>>) -> Response {
    // Gauges that live in the database are read at scrape time, so they are never stale.
    if let Err(e) = state.workflow.refresh_gauges().await {
        tracing::warn!(error = %format!("{e:#}"), "could not refresh gauges");
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics().render(),
    )
        .into_response()
}
