//! The three Slack endpoints.

use super::HttpState;
use super::verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::slack::payload::{self, EventBody, PayloadError};
use crate::workflow::InteractionAck;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use slack_morphism::prelude::SlackInteractionResponse;
use std::sync::Arc;

/// Reads the raw body (within the size limit) and checks Slack's signature over it; only then
/// does the request reach a handler. Refusals say nothing; the reason goes to logs and metrics.
pub async fn verify_signature(
    State(state): State<Arc<HttpState>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(
        state.body_read_timeout,
        axum::body::to_bytes(body, super::MAX_BODY_BYTES),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Err(_) => {
            tracing::warn!(path = %parts.uri.path(), "request body took too long");
            return StatusCode::REQUEST_TIMEOUT.into_response();
        }
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(rejection) =
        state
            .verifier
            .verify(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), &bytes)
    {
        tracing::warn!(reason = rejection.reason(), path = %parts.uri.path(), "refused a request with a bad signature");
        metrics::counter!("signature_failures_total", "reason" => rejection.reason()).increment(1);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn ok_empty() -> Response {
    StatusCode::OK.into_response()
}

pub async fn commands(State(state): State<Arc<HttpState>>, body: Bytes) -> Response {
    match payload::parse_command(&body) {
        Ok(None) => ok_empty(),
        Ok(Some(command)) => match state
            .workflow
            .handle_command(&command, payload::command_enterprise(&body).as_deref())
            .await
            .into_response()
        {
            None => ok_empty(),
            Some(reply) => Json(reply).into_response(),
        },
        Err(e) => {
            tracing::warn!(error = %e, "unreadable slash command");
            Json(serde_json::json!({"response_type": "ephemeral", "text": state.workflow.unreadable_command()}))
                .into_response()
        }
    }
}

pub async fn interactions(State(state): State<Arc<HttpState>>, body: Bytes) -> Response {
    match payload::parse_interaction(&body) {
        Ok(event) => match state
            .workflow
            .handle_interaction(&event, payload::interaction_enterprise(&body).as_deref())
            .await
        {
            InteractionAck::Handled(SlackInteractionResponse::Empty) => ok_empty(),
            InteractionAck::Handled(other) => Json(other).into_response(),
            // As Bolt answers a request no listener matched: Slack shows the clicker that
            // nothing happened (it does not retry interactions).
            InteractionAck::Unhandled(what) => {
                (StatusCode::NOT_FOUND, format!("{what} not handled")).into_response()
            }
        },
        Err(PayloadError::UnknownInteraction(kind)) => {
            tracing::info!(kind, "interaction type not handled");
            (StatusCode::NOT_FOUND, format!("{kind} not handled")).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "unreadable interaction payload");
            (StatusCode::BAD_REQUEST, "unreadable interaction payload").into_response()
        }
    }
}

pub async fn events(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let retry = headers
        .get("x-slack-retry-num")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match payload::parse_event_body(&body) {
        Ok(EventBody::UrlVerification { challenge }) => {
            Json(serde_json::json!({ "challenge": challenge })).into_response()
        }
        Ok(EventBody::EventCallback(callback)) => {
            match state.workflow.handle_event(&callback).await {
                Ok(_) => {
                    let mut response = ok_empty();
                    response.extensions_mut().insert(super::QuietLog);
                    response
                }
                Err(e) => {
                    // Not recorded, so not acknowledged: Slack will deliver it again.
                    tracing::error!(error = %format!("{e:#}"), event_id = %callback.event_id, retry = ?retry, "could not record an event");
                    StatusCode::SERVICE_UNAVAILABLE.into_response()
                }
            }
        }
        Ok(EventBody::AppRateLimited {
            team_id,
            minute_rate_limited,
        }) => {
            tracing::warn!(
                ?team_id,
                ?minute_rate_limited,
                "Slack is rate limiting event deliveries to this app"
            );
            ok_empty()
        }
        Ok(EventBody::Other) => {
            tracing::info!("event body type not handled");
            ok_empty()
        }
        Err(e) => {
            tracing::warn!(error = %e, "unreadable event body");
            ok_empty()
        }
    }
}
