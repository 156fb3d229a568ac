//! Socket Mode ingress: a WebSocket to Slack (no public URL needed), through slack-morphism's
//! Socket Mode client. Envelopes feed the same workflow handlers as HTTP, and the acks carry the
//! same responses (modal errors, ephemeral replies). slack-morphism reconnects on `disconnect`
//! frames, failed pings and dropped connections.

use crate::workflow::Workflow;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;
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

struct SocketState {
    workflow: Arc<Workflow>,
}

async fn workflow_of(state: &SlackClientEventsUserState) -> Option<Arc<Workflow>> {
    state
        .read()
        .await
        .get_user_state::<SocketState>()
        .map(|s| s.workflow.clone())
}

fn missing_state() -> Box<dyn std::error::Error + Send + Sync> {
    "socket mode state missing".into()
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let workflow = workflow_of(&state).await.ok_or_else(missing_state)?;
    metrics::counter!("socket_envelopes_total", "type" => "slash_commands").increment(1);
    Ok(workflow
        .handle_command(&event, None)
        .await
        .into_response()
        .unwrap_or_else(|| SlackCommandEventResponse::new(SlackMessageContent::new())))
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse> {
    let workflow = workflow_of(&state).await.ok_or_else(missing_state)?;
    metrics::counter!("socket_envelopes_total", "type" => "interactive").increment(1);
    // Socket Mode acks every envelope; what nothing handled is logged by the workflow.
    Ok(match workflow.handle_interaction(&event, None).await {
        crate::workflow::InteractionAck::Handled(response) => response,
        crate::workflow::InteractionAck::Unhandled(_) => SlackInteractionResponse::Empty,
    })
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let workflow = workflow_of(&state).await.ok_or_else(missing_state)?;
    metrics::counter!("socket_envelopes_total", "type" => "events_api").increment(1);
    let callback =
        crate::slack::payload::EventCallback::from_push(&event).map_err(|e| e.to_string())?;
    // An error here leaves the envelope unacknowledged, so Slack delivers it again.
    workflow
        .handle_event(&callback)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(())
}

/// A failed callback is logged; events are then left unacknowledged (Slack redelivers them),
/// while commands and interactions, which Slack does not redeliver, are acknowledged.
fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::error!(error = %error, "socket mode envelope failed");
    metrics::counter!("socket_envelope_failures_total").increment(1);
    HttpStatusCode::SERVICE_UNAVAILABLE
}

/// Connects and serves envelopes until `shutdown`.
pub async fn run(
    workflow: Arc<Workflow>,
    app_token: SecretString,
    settings: SocketSettings,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let client = workflow.slack().morphism_client();
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(SocketState { workflow }),
    );
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push);
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(settings.connections)
        .with_initial_backoff_in_seconds(1)
        .with_reconnect_timeout_in_seconds(settings.reconnect_after.as_secs().max(1));
    let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
    let token = SlackApiToken::new(app_token.expose_secret().to_string().into());
    listener.listen_for(&token).await?;
    listener.start().await;
    tracing::info!(connections = settings.connections, "socket mode connected");
    shutdown.cancelled().await;
    listener.shutdown().await;
    tracing::info!("socket mode closed");
    Ok(())
}
