//! Socket Mode against a local WebSocket server that plays Slack's side of the envelope protocol:
//! hello, slash_commands / interactive / events_api envelopes, acks with payloads, disconnect.

use crate::helpers::*;
use futures_util::{SinkExt, StreamExt};
use guestlist::fake_slack::{FAKE_TEAM_ID, FormInput};
use guestlist::socket::SocketSettings;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

type Connection = WebSocketStream<tokio::net::TcpStream>;

/// Accepts WebSocket connections, greets each with `hello`, and hands it to the test.
async fn socket_server() -> (String, mpsc::Receiver<Connection>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/link", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                continue;
            };
            let hello = json!({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}, "connection_info": {"app_id": "AGUESTLIST"}});
            if ws.send(Message::text(hello.to_string())).await.is_ok() && tx.send(ws).await.is_err()
            {
                break;
            }
        }
    });
    (url, rx)
}

async fn next_connection(rx: &mut mpsc::Receiver<Connection>) -> Connection {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("the bot connects")
        .expect("server alive")
}

/// Sends an envelope and returns the ack the bot sends back for it.
async fn exchange(ws: &mut Connection, envelope: Value) -> Value {
    let id = envelope["envelope_id"].as_str().unwrap().to_string();
    ws.send(Message::text(envelope.to_string())).await.unwrap();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an ack arrives")
            .expect("open")
            .unwrap();
        if let Message::Text(text) = frame {
            let ack: Value = serde_json::from_str(&text).unwrap();
            if ack["envelope_id"] == id.as_str() {
                return ack;
            }
        }
    }
}

fn command_payload(app: &TestApp, text: &str) -> Value {
    json!({
        "token": "t", "team_id": FAKE_TEAM_ID, "team_domain": "fake", "channel_id": "CGENERAL", "channel_name": "general",
        "user_id": REQUESTER, "user_name": "rita", "command": "/guest", "text": text, "api_app_id": "AGUESTLIST",
        "is_enterprise_install": "false", "response_url": app.slack.response_url(), "trigger_id": app.slack.trigger_id(),
    })
}

#[tokio::test]
async fn socket_mode_feeds_the_same_handlers_and_acks_with_their_answers() {
    let app = TestApp::start().await;
    let (url, mut connections) = socket_server().await;
    app.fake.state().socket_url = Some(url);
    let shutdown = CancellationToken::new();
    let settings = SocketSettings {
        connections: 1,
        reconnect_after: Duration::from_secs(1),
    };
    let socket = tokio::spawn(guestlist::socket::run(
        app.workflow.clone(),
        SecretString::from("xapp-1-test"),
        settings,
        shutdown.clone(),
    ));
    let mut ws = next_connection(&mut connections).await;
    let open = app.fake.calls_to("apps.connections.open");
    assert_eq!(open.len(), 1);
    assert_eq!(
        open[0].token.as_deref(),
        Some("xapp-1-test"),
        "connections open with the app-level token"
    );

    // A slash command: the ack carries the ephemeral answer.
    let ack = exchange(&mut ws, json!({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true, "payload": command_payload(&app, "help")})).await;
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("/guest cancel"),
        "{ack}"
    );

    // A modal submission with a bad email: the ack carries the field errors.
    let submission = app.slack.view_submission(
        REQUESTER,
        "guest_request",
        "{}",
        FormInput::new("nope", &["CPROJECT"]).state_values(),
    );
    let ack = exchange(&mut ws, json!({"envelope_id": "env-2", "type": "interactive", "accepts_response_payload": true, "payload": submission})).await;
    assert_eq!(ack["payload"]["response_action"], "errors", "{ack}");
    assert_eq!(
        ack["payload"]["errors"]["email"],
        "That is not a valid email address."
    );

    // A valid one is stored, and the card follows through the job queue as with HTTP.
    let submission = app.slack.view_submission(
        REQUESTER,
        "guest_request",
        "{}",
        FormInput::new("grace@partner.com", &["CPROJECT"]).state_values(),
    );
    let ack = exchange(&mut ws, json!({"envelope_id": "env-3", "type": "interactive", "accepts_response_payload": true, "payload": submission})).await;
    assert_eq!(ack["payload"]["response_action"], "update");
    app.run_jobs().await;
    assert_eq!(app.fake.top_level_in(REQUEST_CHANNEL).len(), 1);

    // A click shaped as an org-wide app's (no `team`; the workspace in `user.team_id`, the
    // organisation in `enterprise`) decides the request, as over HTTP.
    let card = app.card();
    let id = app.request_id("grace@partner.com").await;
    let mut click = app.slack.button_click(
        APPROVER,
        "approve_request",
        &id.to_string(),
        Some(REQUEST_CHANNEL),
        &card.ts,
    );
    click["team"] = Value::Null;
    click["user"]["team_id"] = json!(FAKE_TEAM_ID);
    click["enterprise"] = json!({"id": "E0FAKE", "name": "Org"});
    click["is_enterprise_install"] = json!(true);
    exchange(&mut ws, json!({"envelope_id": "env-3b", "type": "interactive", "accepts_response_payload": true, "payload": click})).await;
    app.run_jobs().await;
    assert_ne!(
        app.state(id).await,
        guestlist::domain::RequestState::Pending,
        "the click decided"
    );

    // Events: acknowledged, recorded once even when Slack sends the envelope again.
    let event = |envelope: &str, retry: u32| {
        json!({"envelope_id": envelope, "type": "events_api", "accepts_response_payload": false, "retry_attempt": retry, "retry_reason": if retry > 0 { "timeout" } else { "" },
            "payload": {"token": "t", "team_id": FAKE_TEAM_ID, "api_app_id": "AGUESTLIST", "type": "event_callback", "event_id": "EvSock1", "event_time": 1700000000,
                "event": {"type": "app_home_opened", "user": REQUESTER, "channel": "D1", "tab": "home", "event_ts": "1700000000.1"}}})
    };
    let publishes_before = app.fake.calls_to("views.publish").len();
    let ack = exchange(&mut ws, event("env-4", 0)).await;
    assert_eq!(ack, json!({"envelope_id": "env-4"}));
    exchange(&mut ws, event("env-5", 1)).await;
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls_to("views.publish").len(),
        publishes_before + 1,
        "one event, one App Home publish"
    );

    // Slack asks the client to reconnect: it opens a new connection and carries on.
    ws.send(Message::text(json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}}).to_string())).await.unwrap();
    let mut ws = next_connection(&mut connections).await;
    assert_eq!(app.fake.calls_to("apps.connections.open").len(), 2);
    let ack = exchange(&mut ws, json!({"envelope_id": "env-6", "type": "slash_commands", "accepts_response_payload": true, "payload": command_payload(&app, "list")})).await;
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("grace@partner.com"),
        "{ack}"
    );

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), socket)
        .await
        .expect("stops")
        .unwrap()
        .unwrap();
}
