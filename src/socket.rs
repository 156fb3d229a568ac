//! Socket Mode ingress: WebSockets to Slack (no public URL needed). Each envelope's payload is
//! read by the same parsers as an HTTP request (`slack::payload`) and fed to the same workflow
//! handlers, and the ack carries the same answer (modal errors, an ephemeral reply). So an
//! org-wide install's `"team": null`, the `enterprise` of a command or a click, and an event
//! delivery without ids are treated exactly as over HTTP.
//!
//! The client is our own, on tokio-tungstenite: slack-morphism's Socket Mode listener reads
//! envelopes into its models, which require `team`, and acknowledges what does not fit them
//! without handing it on, so an org-wide install's clicks were lost. The Web API call that opens
//! a connection (`apps.connections.open`) is still slack-morphism's.

use crate::slack::payload::{self, EventBody, PayloadError};
use crate::workflow::{InteractionAck, Workflow};
use futures_util::{SinkExt, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// Settings for the WebSocket connections.
#[derive(Debug, Clone)]
pub struct SocketSettings {
    /// Slack delivers each envelope on one of the open connections; two give a spare during
    /// Slack's periodic refreshes.
    pub connections: u32,
    /// Wait between reconnection attempts.
    pub reconnect_after: Duration,
}

impl Default for SocketSettings {
    fn default() -> Self {
        Self {
            connections: 2,
            reconnect_after: Duration::from_secs(5),
        }
    }
}

/// We ping every connection this often (Slack answers with a pong, as it pings us)…
const PING_EVERY: Duration = Duration::from_secs(30);
/// …so one that has been silent this long is taken for dead and replaced.
const SILENCE_LIMIT: Duration = Duration::from_secs(90);

/// Connects and serves envelopes until `shutdown`.
pub async fn run(
    workflow: Arc<Workflow>,
    app_token: SecretString,
    settings: SocketSettings,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let token = SlackApiToken::new(app_token.expose_secret().to_string().into());
    let mut connections = tokio::task::JoinSet::new();
    for n in 0..settings.connections.max(1) {
        connections.spawn(connection(
            n,
            workflow.clone(),
            token.clone(),
            settings.clone(),
            shutdown.clone(),
        ));
    }
    tracing::info!(connections = settings.connections, "socket mode started");
    shutdown.cancelled().await;
    while connections.join_next().await.is_some() {}
    tracing::info!("socket mode closed");
    Ok(())
}

/// How a connection ended.
enum Ended {
    /// Slack asked for a new one (`disconnect`), or closed this one.
    Reconnect,
    Shutdown,
}

/// One connection slot: connect, serve, and connect again, until shutdown.
async fn connection(
    n: u32,
    workflow: Arc<Workflow>,
    token: SlackApiToken,
    settings: SocketSettings,
    shutdown: CancellationToken,
) {
    loop {
        match serve_one(n, &workflow, &token, &shutdown).await {
            Ok(Ended::Shutdown) => return,
            Ok(Ended::Reconnect) => continue,
            Err(e) => {
                metrics::counter!("socket_connection_failures_total").increment(1);
                tracing::warn!(connection = n, error = %format!("{e:#}"), wait = ?settings.reconnect_after, "socket mode connection failed");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(settings.reconnect_after) => {}
                }
            }
        }
    }
}

async fn serve_one(
    n: u32,
    workflow: &Arc<Workflow>,
    token: &SlackApiToken,
    shutdown: &CancellationToken,
) -> anyhow::Result<Ended> {
    let opened = workflow
        .slack()
        .morphism_client()
        .open_session(token)
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await?;
    let (mut socket, _) = tokio_tungstenite::connect_async(opened.url.value().as_str()).await?;
    tracing::debug!(connection = n, "socket mode connected");
    // Envelopes are handled concurrently (a slow one must not hold the others past Slack's
    // three seconds); their acks come back here to be written.
    let (acks, mut to_send) = mpsc::channel::<String>(64);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        tokio::select! {
            _ = ping.tick() => socket.send(Message::Ping(Default::default())).await?,
            _ = shutdown.cancelled() => {
                let _ = socket.close(None).await;
                return Ok(Ended::Shutdown);
            }
            Some(ack) = to_send.recv() => socket.send(Message::text(ack)).await?,
            frame = tokio::time::timeout(SILENCE_LIMIT, socket.next()) => {
                let frame = match frame {
                    Err(_) => anyhow::bail!("no frame for {SILENCE_LIMIT:?}"),
                    Ok(None) => return Ok(Ended::Reconnect),
                    Ok(Some(frame)) => frame?,
                };
                match frame {
                    Message::Text(text) => {
                        let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
                            tracing::warn!(connection = n, "socket mode frame is not JSON");
                            continue;
                        };
                        match frame.get("type").and_then(Value::as_str) {
                            Some("hello") => tracing::debug!(connection = n, "socket mode hello"),
                            Some("disconnect") => {
                                let reason = frame.get("reason").and_then(Value::as_str).unwrap_or("");
                                tracing::info!(connection = n, reason, "Slack asked for a new socket mode connection");
                                let _ = socket.close(None).await;
                                return Ok(Ended::Reconnect);
                            }
                            _ => {
                                let (workflow, acks) = (workflow.clone(), acks.clone());
                                tokio::spawn(async move {
                                    if let Some(ack) = envelope(&workflow, frame).await {
                                        let _ = acks.send(ack.to_string()).await;
                                    }
                                });
                            }
                        }
                    }
                    Message::Close(_) => return Ok(Ended::Reconnect),
                    // tungstenite answers pings itself.
                    _ => {}
                }
            }
        }
    }
}

/// Handles one envelope; the ack to send, or `None` to leave it unacknowledged (an event that
/// could not be recorded: Slack delivers it again).
async fn envelope(workflow: &Workflow, frame: Value) -> Option<Value> {
    let id = frame
        .get("envelope_id")
        .and_then(Value::as_str)?
        .to_string();
    let kind = frame
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    metrics::counter!("socket_envelopes_total", "type" => kind.clone()).increment(1);
    let accepts_payload = frame
        .get("accepts_response_payload")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let payload = frame.get("payload").cloned().unwrap_or(Value::Null);
    let bare = json!({ "envelope_id": id });
    let with = |answer: Value| {
        if accepts_payload {
            json!({ "envelope_id": id, "payload": answer })
        } else {
            json!({ "envelope_id": id })
        }
    };
    match kind.as_str() {
        "slash_commands" => match payload::command_from_value(&payload) {
            Ok(command) => {
                let enterprise = payload
                    .get("enterprise_id")
                    .and_then(Value::as_str)
                    .filter(|e| !e.is_empty());
                match workflow
                    .handle_command(&command, enterprise)
                    .await
                    .into_response()
                {
                    Some(reply) => Some(with(serde_json::to_value(reply).ok()?)),
                    None => Some(bare),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "unreadable slash command");
                Some(with(
                    json!({"response_type": "ephemeral", "text": workflow.unreadable_command()}),
                ))
            }
        },
        "interactive" => {
            let enterprise = payload::enterprise_of_interaction(&payload);
            match payload::interaction_from_value(payload) {
                Ok(event) => match workflow
                    .handle_interaction(&event, enterprise.as_deref())
                    .await
                {
                    InteractionAck::Handled(SlackInteractionResponse::Empty)
                    | InteractionAck::Unhandled(_) => Some(bare),
                    InteractionAck::Handled(answer) => {
                        Some(with(serde_json::to_value(answer).ok()?))
                    }
                },
                Err(PayloadError::UnknownInteraction(kind)) => {
                    tracing::info!(kind, "interaction type not handled");
                    Some(bare)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable interaction payload");
                    Some(bare)
                }
            }
        }
        "events_api" => {
            let body = serde_json::to_vec(&payload).ok()?;
            match payload::parse_event_body(&body) {
                Ok(EventBody::EventCallback(callback)) => {
                    match workflow.handle_event(&callback).await {
                        Ok(_) => Some(bare),
                        Err(e) => {
                            metrics::counter!("socket_envelope_failures_total").increment(1);
                            tracing::error!(error = %format!("{e:#}"), event_id = %callback.event_id, "could not record an event; Slack will deliver it again");
                            None
                        }
                    }
                }
                Ok(_) => Some(bare),
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable event body");
                    Some(bare)
                }
            }
        }
        other => {
            tracing::info!(kind = other, "socket mode envelope type not handled");
            Some(bare)
        }
    }
}
