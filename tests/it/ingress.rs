//! Signed requests through the real router: signatures, sizes, url_verification, event
//! deduplication, and polite answers to what we do not handle.

use crate::helpers::*;
use chrono::{TimeZone, Utc};
use guestlist::fake_slack::SlackSender;
use guestlist::http::verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde_json::json;

// Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
const DOC_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const DOC_TS: i64 = 1531420618;
const DOC_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const DOC_SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

async fn doc_app(secrets: &str) -> TestApp {
    let app = Builder::new()
        .env("SLACK_SIGNING_SECRET", secrets)
        .start()
        .await;
    app.clock.set(Utc.timestamp_opt(DOC_TS, 0).unwrap());
    app
}

async fn post_doc(app: &TestApp, body: &str, headers: &[(&str, String)]) -> u16 {
    app.slack
        .post_with_headers(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            body.to_string(),
            headers,
        )
        .await
        .expect("request sent")
        .status
}

fn doc_headers() -> Vec<(&'static str, String)> {
    vec![
        (TIMESTAMP_HEADER, DOC_TS.to_string()),
        (SIGNATURE_HEADER, DOC_SIGNATURE.to_string()),
    ]
}

#[tokio::test]
async fn slacks_documented_example_is_accepted_and_every_tampering_refused() {
    let app = doc_app(DOC_SECRET).await;
    assert_eq!(
        post_doc(&app, DOC_BODY, &doc_headers()).await,
        200,
        "the documented request verifies"
    );

    let changed = DOC_BODY.replacen("roadrunner", "roadrunnes", 1);
    assert_eq!(
        post_doc(&app, &changed, &doc_headers()).await,
        401,
        "one byte changed"
    );

    assert_eq!(
        post_doc(&app, DOC_BODY, &doc_headers()[..1]).await,
        401,
        "signature header missing"
    );
    assert_eq!(
        post_doc(&app, DOC_BODY, &doc_headers()[1..]).await,
        401,
        "timestamp header missing"
    );

    app.clock.set(Utc.timestamp_opt(DOC_TS + 301, 0).unwrap());
    assert_eq!(
        post_doc(&app, DOC_BODY, &doc_headers()).await,
        401,
        "timestamp 301 s old"
    );
    app.clock.set(Utc.timestamp_opt(DOC_TS + 300, 0).unwrap());
    assert_eq!(
        post_doc(&app, DOC_BODY, &doc_headers()).await,
        200,
        "300 s is still inside the window"
    );

    let metrics = crate::helpers::get(format!("{}/metrics", app.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("signature_failures_total{reason=\"bad_signature\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("signature_failures_total{reason=\"stale_timestamp\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn refusals_carry_no_detail() {
    let app = doc_app(DOC_SECRET).await;
    let answer = app
        .slack
        .post_with_headers(
            "/slack/events",
            "application/json",
            "{}".into(),
            &doc_headers(),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, "", "a refusal must not explain itself");
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_a_second_secret_in_the_list_verifies() {
    let wrong = doc_app("some-other-secret").await;
    assert_eq!(post_doc(&wrong, DOC_BODY, &doc_headers()).await, 401);
    let rotated = doc_app(&format!("new-secret-after-rotation,{DOC_SECRET}")).await;
    assert_eq!(post_doc(&rotated, DOC_BODY, &doc_headers()).await, 200);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_refused_with_413() {
    let app = TestApp::start().await;
    let big = format!("payload={}", "x".repeat(1024 * 1024 + 10));
    let answer = app
        .slack
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            big,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn url_verification_answers_the_challenge() {
    let app = TestApp::start().await;
    let body = json!({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"});
    let answer = app
        .slack
        .post_signed("/slack/events", "application/json", body.to_string())
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json()["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    // Unsigned, the same body is refused.
    let unsigned = app
        .slack
        .post_with_headers("/slack/events", "application/json", body.to_string(), &[])
        .await
        .unwrap();
    assert_eq!(unsigned.status, 401);
}

#[tokio::test]
async fn the_same_event_id_delivered_twice_is_processed_once() {
    let app = TestApp::start().await;
    let event = json!({"type": "app_home_opened", "user": REQUESTER, "channel": "D1", "tab": "home", "event_ts": "1700000000.1"});
    let first = app.slack.event("Ev0001", event.clone()).await.unwrap();
    assert_eq!(first.status, 200);
    // Slack's retry carries X-Slack-Retry-Num; it is acknowledged and ignored.
    let ts = app.now().timestamp();
    let body = SlackSender::event_body("Ev0001", event);
    let signature = guestlist::http::verify::sign(SIGNING_SECRET, ts, body.as_bytes());
    let retry = app
        .slack
        .post_with_headers(
            "/slack/events",
            "application/json",
            body,
            &[
                (TIMESTAMP_HEADER, ts.to_string()),
                (SIGNATURE_HEADER, signature),
                ("x-slack-retry-num", "1".into()),
                ("x-slack-retry-reason", "http_timeout".into()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(retry.status, 200);
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls_to("views.publish").len(),
        1,
        "one delivery, one App Home publish"
    );
    assert_eq!(
        app.store
            .jobs_of_kind("publish_home", 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // A different event id is a different event.
    app.slack
        .event(
            "Ev0002",
            json!({"type": "app_home_opened", "user": REQUESTER, "tab": "home"}),
        )
        .await
        .unwrap();
    app.run_jobs().await;
    assert_eq!(app.fake.calls_to("views.publish").len(), 2);
}

#[tokio::test]
async fn what_we_do_not_handle_gets_a_polite_answer_and_never_a_5xx() {
    let app = TestApp::start().await;
    let unknown_command = app
        .slack
        .post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            app.slack
                .command_body(REQUESTER, "CGENERAL", "")
                .replace("%2Fguest", "%2Fweather"),
        )
        .await
        .unwrap();
    assert_eq!(unknown_command.status, 200);
    assert!(
        unknown_command.json()["text"]
            .as_str()
            .unwrap()
            .contains("/weather")
    );

    // Interactions nothing here handles are a 404, as Bolt answers an unmatched request: Slack
    // shows the clicker that nothing happened (it never retries interactions), and a test whose
    // click or form was not understood fails instead of passing on a silent 200.
    let unknown_interaction = app
        .slack
        .interaction(&json!({"type": "workflow_step_edit", "callback_id": "x"}))
        .await
        .unwrap();
    assert_eq!(unknown_interaction.status, 404);
    let unknown_button = app
        .slack
        .interaction(&app.slack.button_click(
            APPROVER,
            "launch_rockets",
            "1",
            Some(REQUEST_CHANNEL),
            "1.1",
        ))
        .await
        .unwrap();
    assert_eq!(unknown_button.status, 404);
    let bad_value = app
        .slack
        .interaction(&app.slack.button_click(
            APPROVER,
            "approve_request",
            "not-an-id",
            Some(REQUEST_CHANNEL),
            "1.1",
        ))
        .await
        .unwrap();
    assert_eq!(bad_value.status, 404);
    let unknown_view = app
        .slack
        .interaction(
            &app.slack
                .view_submission(REQUESTER, "somebody_elses_modal", "", json!({})),
        )
        .await
        .unwrap();
    assert_eq!(unknown_view.status, 404);
    let unknown_shortcut = app
        .slack
        .interaction(&json!({
            "type": "shortcut", "callback_id": "not_ours", "trigger_id": app.slack.trigger_id(),
            "team": {"id": guestlist::fake_slack::FAKE_TEAM_ID, "domain": "fake"},
            "user": {"id": REQUESTER, "username": "rita", "team_id": guestlist::fake_slack::FAKE_TEAM_ID},
            "api_app_id": "AGUESTLIST", "token": "t", "action_ts": "1700000000.1",
        }))
        .await
        .unwrap();
    assert_eq!(unknown_shortcut.status, 404);
    assert!(
        app.fake.calls_to("views.open").is_empty(),
        "nothing opened for any of them"
    );

    let unknown_event = app
        .slack
        .event("Ev9", json!({"type": "emoji_changed", "subtype": "add"}))
        .await
        .unwrap();
    assert_eq!(unknown_event.status, 200);

    let unknown_body = app
        .slack
        .post_signed(
            "/slack/events",
            "application/json",
            json!({"type": "brand_new"}).to_string(),
        )
        .await
        .unwrap();
    assert_eq!(unknown_body.status, 200);

    let garbage = app
        .slack
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            "payload=%7Bnot-json".into(),
        )
        .await
        .unwrap();
    assert_eq!(garbage.status, 400, "an unreadable payload is a clear 4xx");

    let ssl_check = app
        .slack
        .post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            "ssl_check=1&token=x".into(),
        )
        .await
        .unwrap();
    assert_eq!(ssl_check.status, 200);

    // A command body that is not a command: an ephemeral answer in the deployment's language.
    let french = Builder::new().env("GUESTLIST_LANGUAGE", "fr").start().await;
    for (app, words) in [
        (&app, "could not read that command"),
        (&french, "pas pu lire cette commande"),
    ] {
        let unreadable = app
            .slack
            .post_signed(
                "/slack/commands",
                "application/x-www-form-urlencoded",
                "text=%2Fguest&user_id=".into(),
            )
            .await
            .unwrap();
        assert_eq!(unreadable.status, 200);
        assert_eq!(unreadable.json()["response_type"], "ephemeral");
        let text = unreadable.json()["text"].as_str().unwrap().to_string();
        assert!(text.contains(words), "{text}");
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::start().await;
    let health = crate::helpers::get(format!("{}/healthz", app.base_url()))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = crate::helpers::get(format!("{}/readyz", app.base_url()))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert!(ready.headers().contains_key("x-request-id"));
}

/// `/readyz` says "not ready" (503, so no traffic is routed) while the database lacks a
/// migration this binary needs, and "ready" again once it has it.
#[tokio::test]
async fn readiness_fails_on_an_unmigrated_database() {
    let app = Builder::new().backend(Backend::Sqlite).start().await;
    let url = format!("{}/readyz", app.base_url());
    assert_eq!(crate::helpers::get(&url).await.unwrap().status(), 200);
    let db = format!("sqlite://{}", app.dir.path().join("guestlist.db").display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET success = FALSE WHERE version = ?")
        .bind(newest)
        .execute(&pool)
        .await
        .unwrap();
    let not_ready = crate::helpers::get(&url).await.unwrap();
    assert_eq!(not_ready.status(), 503);
    assert_eq!(
        not_ready.text().await.unwrap(),
        "not ready",
        "no detail leaks"
    );
    sqlx::query("UPDATE _sqlx_migrations SET success = TRUE WHERE version = ?")
        .bind(newest)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(crate::helpers::get(&url).await.unwrap().status(), 200);
}

/// Every sample payload shape of java-slack-sdk's test data (vendored in
/// `tests/fixtures/slack-samples`), signed and sent through the real router: events to
/// `/slack/events`, interactions to `/slack/interactions`. A delivery that cannot be recorded
/// (empty `event_id` or `team_id`, an event type we do not handle) is acknowledged, never a 5xx
/// that Slack would retry; an interaction that names nothing of ours is a 4xx, never a 5xx.
#[tokio::test]
async fn no_sample_payload_shape_gets_a_5xx() {
    let app = TestApp::start().await;
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slack-samples");
    let mut sent = 0;
    for (dir, path) in [
        ("events", "/slack/events"),
        ("interactive", "/slack/interactions"),
    ] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        assert!(files.len() > 5, "samples in {dir}");
        for file in files {
            let json = std::fs::read_to_string(&file).unwrap();
            let (content_type, body) = if dir == "events" {
                ("application/json", json)
            } else {
                let payload: serde_json::Value = serde_json::from_str(&json).unwrap();
                (
                    "application/x-www-form-urlencoded",
                    SlackSender::interaction_body(&payload),
                )
            };
            let answer = app
                .slack
                .post_signed(path, content_type, body)
                .await
                .expect("request sent");
            assert!(
                answer.status < 500,
                "{} answered {}: {}",
                file.display(),
                answer.status,
                answer.body
            );
            if dir == "events" {
                assert_eq!(answer.status, 200, "{} is acknowledged", file.display());
            }
            sent += 1;
            // The same shape routed to this workspace with an id: recorded (or ignored) and
            // acknowledged, whatever its inner fields hold.
            if dir == "events" {
                let mut routed: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
                routed["team_id"] = json!(guestlist::fake_slack::FAKE_TEAM_ID);
                routed["event_id"] = json!(format!("Ev{sent:08}"));
                routed["enterprise_id"] = serde_json::Value::Null;
                let answer = app
                    .slack
                    .post_signed("/slack/events", "application/json", routed.to_string())
                    .await
                    .expect("request sent");
                assert_eq!(
                    answer.status,
                    200,
                    "{} with ids: {}",
                    file.display(),
                    answer.body
                );
            }
        }
    }
    assert!(sent > 90, "{sent} samples sent");
    // Whatever the routed ones queued runs through.
    app.run_jobs().await;
}

/// A TCP relay between the app and Postgres that a test can cut, or turn into a black hole
/// (connections stay open, nothing goes through), and then mend.
struct Relay {
    port: u16,
    mode: std::sync::Arc<std::sync::atomic::AtomicU8>,
    links: std::sync::Arc<std::sync::Mutex<tokio::task::JoinSet<()>>>,
}

const RELAY_OPEN: u8 = 0;
const RELAY_CUT: u8 = 1;
const RELAY_BLACK_HOLE: u8 = 2;

impl Relay {
    async fn to(upstream: std::net::SocketAddr) -> Relay {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(RELAY_OPEN));
        let links = std::sync::Arc::new(std::sync::Mutex::new(tokio::task::JoinSet::new()));
        let (accept_mode, accept_links) = (mode.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mode = accept_mode.load(Ordering::SeqCst);
                if mode == RELAY_CUT {
                    continue; // dropped: the client sees the connection closed
                }
                accept_links.lock().unwrap().spawn(async move {
                    if mode == RELAY_BLACK_HOLE {
                        std::future::pending::<()>().await;
                    }
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Relay { port, mode, links }
    }

    /// Ends every link and treats new ones as `mode` says.
    fn set(&self, mode: u8) {
        self.mode.store(mode, std::sync::atomic::Ordering::SeqCst);
        self.links.lock().unwrap().abort_all();
    }
}

#[tokio::test]
async fn readiness_fails_while_the_database_is_unreachable_and_recovers() {
    let url = match crate::services::postgres() {
        Ok(url) => url,
        Err(why) => {
            crate::services::skipped("ingress::readiness (an unreachable database)", &why);
            return;
        }
    };
    let parsed = url::Url::parse(&url).unwrap();
    let upstream = format!(
        "{}:{}",
        parsed.host_str().unwrap(),
        parsed.port().unwrap_or(5432)
    )
    .parse()
    .unwrap();
    let relay = Relay::to(upstream).await;
    let mut through = parsed.clone();
    through.set_port(Some(relay.port)).unwrap();
    through.set_host(Some("127.0.0.1")).unwrap();
    let schema = format!("t_{:016x}", rand_u64());
    let store = guestlist::store::PgStore::connect_in_schema(through.as_str(), &schema, 4)
        .await
        .unwrap();
    let app = Builder::new()
        .store(std::sync::Arc::new(store))
        .start()
        .await;
    let ready = format!("{}/readyz", app.base_url());
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let status = |client: reqwest::Client, ready: String| async move {
        client
            .get(&ready)
            .send()
            .await
            .expect("readyz answers")
            .status()
    };
    assert_eq!(status(client.clone(), ready.clone()).await, 200);
    // The database goes away: connections drop and new ones are refused.
    relay.set(RELAY_CUT);
    assert_eq!(status(client.clone(), ready.clone()).await, 503);
    // Worse, it hangs: readiness answers anyway, rather than holding the probe.
    relay.set(RELAY_BLACK_HOLE);
    assert_eq!(status(client.clone(), ready.clone()).await, 503);
    relay.set(RELAY_OPEN);
    let mut recovered = false;
    for _ in 0..20 {
        if status(client.clone(), ready.clone()).await == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(recovered, "ready again once the database is back");
}
