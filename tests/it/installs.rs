//! Installs through OAuth (issue #14): the install flow end to end through the fake's
//! authorize page, tokens sealed at rest, every request routed to its own installation and
//! token, org-wide installs, uninstall, token rotation across replicas, and Slack's own
//! invite requests decided on cards.

use crate::helpers::*;
use guestlist::domain::{RequestState, TeamId};
use guestlist::fake_slack::{FAKE_TEAM_ID, FakeSlack, FakeUser, FormInput, InstallGrant};
use serde_json::{Value, json};
use std::time::Duration;

const CLIENT_ID: &str = "1234.5678";
const CLIENT_SECRET: &str = "client-secret-for-tests";
/// 32 bytes, base64 (`0123456789abcdef` twice).
const ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const PUBLIC_URL: &str = "https://guestlist.test";
const INSTALLER: &str = "UINSTALLER";
const ORG: &str = "E0ORG";
const OTHER_TEAM: &str = "T0OTHER";
const OTHER_CHANNEL: &str = "C0OTHERREQ";

/// A deployment that serves whoever installs it (no `SLACK_BOT_TOKEN`).
fn distributed() -> Builder {
    Builder::new()
        .without_env("SLACK_BOT_TOKEN")
        .env("SLACK_CLIENT_ID", CLIENT_ID)
        .env("SLACK_CLIENT_SECRET", CLIENT_SECRET)
        .env("GUESTLIST_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("GUESTLIST_PUBLIC_URL", PUBLIC_URL)
}

async fn start(builder: Builder) -> TestApp {
    let app = builder.start().await;
    app.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET);
    app.fake
        .add_user(FakeUser::new(INSTALLER, "Ines Installer").admin());
    app
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_string()
}

/// `GET /slack/install`: the authorize URL and the state cookie it set.
async fn begin(app: &TestApp) -> (String, String) {
    let response = browser()
        .get(format!("{}/slack/install", app.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("a state cookie")
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    (location(&response), pair)
}

/// The installer approves on Slack's page: where Slack sends their browser back (on the
/// app's own address rather than the public one).
async fn authorize(app: &TestApp, authorize_url: &str, grant: Option<InstallGrant>) -> String {
    app.fake.queue_authorization(grant);
    let response = browser().get(authorize_url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let back = location(&response);
    assert!(
        back.starts_with(&format!("{PUBLIC_URL}/slack/oauth_redirect?")),
        "{back}"
    );
    back.replacen(PUBLIC_URL, &app.base_url(), 1)
}

/// Slack's redirect arriving with (or without) the browser's cookie: status and page.
async fn land(url: &str, cookie: Option<&str>) -> (u16, String) {
    let mut request = browser().get(url).header("accept-language", "en");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The whole install as an installer's browser does it.
async fn install(app: &TestApp, grant: InstallGrant) -> String {
    let (url, cookie) = begin(app).await;
    let back = authorize(app, &url, Some(grant)).await;
    let (status, page) = land(&back, Some(&cookie)).await;
    assert_eq!(status, 200, "{page}");
    app.run_jobs().await;
    page
}

/// A `/guest` command from a workspace (of an organisation, org-wide).
async fn command_in(
    app: &TestApp,
    team: &str,
    enterprise: Option<&str>,
    text: &str,
) -> (u16, String) {
    let mut fields = vec![
        ("token", "legacy-verification-token".to_string()),
        ("team_id", team.to_string()),
        ("team_domain", "fake".into()),
        ("channel_id", "CGENERAL".into()),
        ("user_id", REQUESTER.into()),
        ("user_name", "rita".into()),
        ("command", "/guest".into()),
        ("text", text.into()),
        ("api_app_id", "AGUESTLIST".into()),
        ("response_url", app.slack.response_url()),
        ("trigger_id", app.slack.trigger_id()),
    ];
    if let Some(e) = enterprise {
        fields.push(("enterprise_id", e.to_string()));
        fields.push(("is_enterprise_install", "true".into()));
    }
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let answer = app
        .slack
        .post_signed("/slack/commands", "application/x-www-form-urlencoded", body)
        .await
        .unwrap();
    (answer.status, answer.body)
}

/// An interaction payload moved to another workspace (of an organisation).
fn in_team(mut payload: Value, team: &str, enterprise: Option<&str>) -> Value {
    payload["team"]["id"] = json!(team);
    payload["user"]["team_id"] = json!(team);
    if payload.get("view").is_some() {
        payload["view"]["team_id"] = json!(team);
    }
    if let Some(e) = enterprise {
        payload["enterprise"] = json!({"id": e, "name": "Org"});
        payload["is_enterprise_install"] = json!(true);
    }
    payload
}

/// Submits the request form in a workspace.
async fn submit_in(app: &TestApp, team: &str, enterprise: Option<&str>, email: &str) -> Value {
    let form = FormInput::new(email, &["CPROJECT"]);
    let payload = app.slack.view_submission(
        REQUESTER,
        "guest_request",
        &json!({"tz": "UTC", "origin": "CGENERAL"}).to_string(),
        form.state_values(),
    );
    let answer = app
        .slack
        .interaction(&in_team(payload, team, enterprise))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    }
}

/// An Events API delivery for an installation (org-wide when `enterprise` is given).
async fn event_in(
    app: &TestApp,
    team: &str,
    enterprise: Option<&str>,
    id: &str,
    event: Value,
) -> u16 {
    let mut body: Value =
        serde_json::from_str(&guestlist::fake_slack::SlackSender::event_body(id, event)).unwrap();
    body["team_id"] = json!(team);
    body["event_time"] = json!(app.now().timestamp());
    body["authorizations"] = json!([{
        "team_id": team,
        "enterprise_id": enterprise,
        "user_id": "UGUESTBOT",
        "is_bot": true,
        "is_enterprise_install": enterprise.is_some(),
    }]);
    if let Some(e) = enterprise {
        body["enterprise_id"] = json!(e);
    }
    app.slack
        .post_signed("/slack/events", "application/json", body.to_string())
        .await
        .unwrap()
        .status
}

/// The installer's settings form, submitted with `channel` as the request channel and
/// themselves as the approver.
fn settings_submission(app: &TestApp, channel: &str) -> Value {
    let values = json!({
        "settings_channel": {"settings_channel": {"type": "conversations_select", "selected_conversation": channel}},
        "settings_approvers": {"settings_approvers": {"type": "multi_users_select", "selected_users": [INSTALLER]}},
    });
    app.slack
        .view_submission(INSTALLER, "workspace_settings", "", values)
}

/// Whether an installation is stored under `key`.
async fn installed(app: &TestApp, key: &str) -> bool {
    app.store
        .installation(&TeamId::from(key))
        .await
        .unwrap()
        .is_some()
}

/// Whether `team` holds an open request for `email`.
async fn open_request(app: &TestApp, team: &str, email: &str) -> bool {
    app.store
        .open_request_for_email(&TeamId::from(team), email)
        .await
        .unwrap()
        .is_some()
}

/// The token the fake issued for an installation (its bot token).
fn bot_token_of(fake: &FakeSlack, key: &str) -> String {
    fake.issued_tokens()
        .into_iter()
        .filter(|(_, t)| t.key == key && !t.user && !t.revoked)
        .map(|(token, _)| token)
        .next_back()
        .unwrap_or_else(|| panic!("a bot token for {key}"))
}

/// Every byte the SQLite database keeps on disk (the file and its write-ahead log).
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["guestlist.db", "guestlist.db-wal"] {
        if let Ok(b) = std::fs::read(app.dir.path().join(name)) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_install_flow_seals_the_tokens_and_refuses_replayed_stale_and_foreign_states() {
    let app = start(distributed()).await;
    let page = install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    assert!(page.contains("Guestlist is installed in Acme"), "{page}");

    // Stored, sealed: the database never holds the token's bytes.
    let token = bot_token_of(&app.fake, FAKE_TEAM_ID);
    let record = app
        .store
        .installation(&TeamId::from(FAKE_TEAM_ID))
        .await
        .unwrap()
        .expect("the installation is stored");
    assert_eq!(record.installer, INSTALLER);
    assert!(
        record.bot.token.starts_with("v1."),
        "sealed: {}",
        record.bot.token
    );
    assert!(!record.bot.token.contains(&token));
    if matches!(Backend::from_env(), Backend::Sqlite) {
        let bytes = database_bytes(&app);
        assert!(!bytes.is_empty(), "the SQLite file is read");
        assert!(!contains(&bytes, &token), "the token's bytes are on disk");
    }

    // The installer was welcomed in a DM, with the settings button, through the new token.
    let welcome = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.arg_str("channel") == Some(INSTALLER))
        .expect("a DM to the installer");
    assert_eq!(welcome.token.as_deref(), Some(token.as_str()));
    assert!(
        welcome.args.to_string().contains("workspace_settings"),
        "{welcome:?}"
    );

    // The same redirect again: the state is spent.
    let (url, cookie) = begin(&app).await;
    let back = authorize(
        &app,
        &url,
        Some(InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER)),
    )
    .await;
    assert_eq!(land(&back, Some(&cookie)).await.0, 200);
    let (status, page) = land(&back, Some(&cookie)).await;
    assert_eq!(status, 400);
    assert!(page.contains("already used"), "{page}");

    // Another browser (no cookie) is refused, and the code is not traded.
    let exchanges = app.fake.calls_to("oauth.v2.access").len();
    let (url, _) = begin(&app).await;
    let back = authorize(
        &app,
        &url,
        Some(InstallGrant::workspace(OTHER_TEAM, "Other", INSTALLER)),
    )
    .await;
    let (status, page) = land(&back, None).await;
    assert_eq!(status, 400);
    assert!(page.contains("another browser"), "{page}");

    // Stale: more than ten minutes between the install page and Slack's redirect.
    let (url, cookie) = begin(&app).await;
    let back = authorize(
        &app,
        &url,
        Some(InstallGrant::workspace(OTHER_TEAM, "Other", INSTALLER)),
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(11));
    let (status, page) = land(&back, Some(&cookie)).await;
    assert_eq!(status, 400);
    assert!(page.contains("longer than ten minutes"), "{page}");

    // A forged state.
    let forged = back.replace("state=v1.", "state=v1.9");
    assert_eq!(land(&forged, Some(&cookie)).await.0, 400);

    // Cancelled on Slack's page.
    let (url, cookie) = begin(&app).await;
    let back = authorize(&app, &url, None).await;
    let (status, page) = land(&back, Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(page.contains("cancelled"), "{page}");

    assert_eq!(
        app.fake.calls_to("oauth.v2.access").len(),
        exchanges,
        "no refused state traded a code"
    );
    assert!(
        !installed(&app, OTHER_TEAM).await,
        "nothing installed by a refused state"
    );

    // A reinstall by someone else brings new tokens but keeps the first installer (who may
    // change the workspace's settings).
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", "UMEMBERAGAIN"),
    )
    .await;
    let record = app
        .store
        .installation(&TeamId::from(FAKE_TEAM_ID))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.installer, INSTALLER);
    assert!(record.version > 1, "reinstalled over the first");
}

#[tokio::test]
async fn two_workspaces_each_use_their_own_channel_and_token_and_strangers_are_dropped() {
    let app = start(distributed()).await;
    app.fake
        .add_team_channel(OTHER_TEAM, OTHER_CHANNEL, "other-requests")
        .add_team_channel(OTHER_TEAM, "CPROJECT2", "project-two");
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    install(
        &app,
        InstallGrant::workspace(OTHER_TEAM, "Other", INSTALLER),
    )
    .await;

    // The second workspace's installer picks its request channel in Slack.
    let payload = settings_submission(&app, OTHER_CHANNEL);
    let answer = app
        .slack
        .interaction(&in_team(payload, OTHER_TEAM, None))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body.is_empty(),
        "saved without errors: {}",
        answer.body
    );
    app.run_jobs().await;

    assert_eq!(
        submit_in(&app, FAKE_TEAM_ID, None, "one@partner.example").await["response_action"],
        "update"
    );
    assert_eq!(
        submit_in(&app, OTHER_TEAM, None, "two@partner.example").await["response_action"],
        "update"
    );
    app.run_jobs().await;

    let acme = bot_token_of(&app.fake, FAKE_TEAM_ID);
    let other = bot_token_of(&app.fake, OTHER_TEAM);
    let card = |channel: &str| {
        app.fake
            .calls_to("chat.postMessage")
            .into_iter()
            .find(|c| c.arg_str("channel") == Some(channel))
            .unwrap_or_else(|| panic!("a card in {channel}"))
    };
    let first = card(REQUEST_CHANNEL);
    let second = card(OTHER_CHANNEL);
    assert!(first.args.to_string().contains("one@partner.example"));
    assert!(second.args.to_string().contains("two@partner.example"));
    assert_eq!(first.token.as_deref(), Some(acme.as_str()));
    assert_eq!(second.token.as_deref(), Some(other.as_str()));
    // Each request is stored under its own workspace.
    assert!(open_request(&app, OTHER_TEAM, "two@partner.example").await);
    assert!(!open_request(&app, FAKE_TEAM_ID, "two@partner.example").await);
    // The second workspace's approvers are its own: the file's approver is refused there.
    let second_request = app
        .store
        .open_request_for_email(&TeamId::from(OTHER_TEAM), "two@partner.example")
        .await
        .unwrap()
        .unwrap();
    let card_ts = app.fake.top_level_in(OTHER_CHANNEL)[0].ts.clone();
    for approver in [APPROVER, INSTALLER] {
        let click = app.slack.button_click(
            approver,
            "approve_request",
            &second_request.id.0.to_string(),
            Some(OTHER_CHANNEL),
            &card_ts,
        );
        let answer = app
            .slack
            .interaction(&in_team(click, OTHER_TEAM, None))
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        app.run_jobs().await;
        let state = app
            .store
            .get_request(&TeamId::from(OTHER_TEAM), second_request.id)
            .await
            .unwrap()
            .unwrap()
            .state;
        let expected = if approver == APPROVER {
            RequestState::Pending
        } else {
            RequestState::Approved
        };
        assert!(
            state == expected || (approver == INSTALLER && state == RequestState::Invited),
            "{approver}: {state:?}"
        );
    }

    // No call ever carried one workspace's token into the other's channels.
    for call in app.fake.calls() {
        let Some(channel) = call.arg_str("channel") else {
            continue;
        };
        if channel == OTHER_CHANNEL || channel == "CPROJECT2" {
            assert_eq!(call.token.as_deref(), Some(other.as_str()), "{call:?}");
        }
        if channel == REQUEST_CHANNEL {
            assert_eq!(call.token.as_deref(), Some(acme.as_str()), "{call:?}");
        }
    }

    // A workspace that never installed Guestlist: answered 200 and dropped.
    let calls = app.fake.calls().len();
    let (status, _) = command_in(&app, "T0STRANGER", None, "list").await;
    assert_eq!(status, 200);
    assert_eq!(
        event_in(
            &app,
            "T0STRANGER",
            None,
            "EvStranger",
            json!({"type": "app_home_opened", "user": REQUESTER, "tab": "home"})
        )
        .await,
        200
    );
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls().len(),
        calls,
        "nothing was said for a stranger"
    );
}

#[tokio::test]
async fn an_org_wide_install_serves_its_workspaces_until_it_is_uninstalled() {
    let app = start(distributed()).await;
    app.fake
        .add_workspace(FAKE_TEAM_ID, Some(ORG))
        .add_workspace(OTHER_TEAM, Some(ORG))
        .add_team_channel(OTHER_TEAM, OTHER_CHANNEL, "other-requests");
    let page = install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    assert!(page.contains("whole organisation Org"), "{page}");
    let org_token = bot_token_of(&app.fake, ORG);

    // The organisation's workspaces are learned at install (auth.teams.list), so a request
    // that does not name the organisation (Socket Mode's) is served too.
    let listed = app.only_call("auth.teams.list");
    assert_eq!(listed.token.as_deref(), Some(org_token.as_str()));
    for team in [FAKE_TEAM_ID, OTHER_TEAM] {
        assert_eq!(
            app.store
                .workspace_enterprise(&TeamId::from(team))
                .await
                .unwrap()
                .as_deref(),
            Some(ORG)
        );
    }
    let (status, body) = command_in(&app, OTHER_TEAM, None, "list").await;
    assert_eq!(status, 200);
    assert!(!body.is_empty(), "answered, not dropped");

    // Both workspaces of the organisation are served, with the organisation's token.
    for (team, email) in [
        (FAKE_TEAM_ID, "a@partner.example"),
        (OTHER_TEAM, "b@partner.example"),
    ] {
        assert_eq!(
            submit_in(&app, team, Some(ORG), email).await["response_action"],
            "update",
            "{team}"
        );
    }
    app.run_jobs().await;
    let cards: Vec<_> = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.arg_str("channel") == Some(REQUEST_CHANNEL))
        .collect();
    assert_eq!(cards.len(), 2, "{cards:#?}");
    assert!(
        cards
            .iter()
            .all(|c| c.token.as_deref() == Some(org_token.as_str()))
    );
    assert!(open_request(&app, OTHER_TEAM, "b@partner.example").await);

    // A workspace of the organisation sets its own request channel.
    let answer = app
        .slack
        .interaction(&in_team(
            settings_submission(&app, OTHER_CHANNEL),
            OTHER_TEAM,
            Some(ORG),
        ))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.is_empty(), "saved: {}", answer.body);
    let other = TeamId::from(OTHER_TEAM);
    assert!(
        app.store
            .workspace_settings(&other)
            .await
            .unwrap()
            .is_some()
    );

    // An uninstall from before this install (a late retry of an older one) removes nothing.
    let mut late: Value = serde_json::from_str(&guestlist::fake_slack::SlackSender::event_body(
        "EvOldUninstall",
        json!({"type": "app_uninstalled"}),
    ))
    .unwrap();
    late["team_id"] = json!(OTHER_TEAM);
    late["enterprise_id"] = json!(ORG);
    late["event_time"] = json!((app.now() - chrono::Duration::hours(1)).timestamp());
    late["authorizations"] = json!([{"team_id": OTHER_TEAM, "enterprise_id": ORG,
        "user_id": "UGUESTBOT", "is_bot": true, "is_enterprise_install": true}]);
    let answer = app
        .slack
        .post_signed("/slack/events", "application/json", late.to_string())
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(
        installed(&app, ORG).await,
        "a stale uninstall leaves the installation"
    );

    // Uninstalled: the tokens are gone, and later requests from its workspaces are dropped.
    assert_eq!(
        event_in(
            &app,
            OTHER_TEAM,
            Some(ORG),
            "EvUninstall",
            json!({"type": "app_uninstalled"})
        )
        .await,
        200
    );
    assert!(!installed(&app, ORG).await);
    assert!(
        app.store
            .workspace_settings(&other)
            .await
            .unwrap()
            .is_none(),
        "the organisation's workspaces' settings go with it"
    );
    app.fake.revoke_tokens_of(ORG);
    let calls = app.fake.calls().len();
    let answer = submit_in(&app, OTHER_TEAM, Some(ORG), "c@partner.example").await;
    assert_eq!(answer, Value::Null, "dropped without an answer");
    app.run_jobs().await;
    assert!(!open_request(&app, OTHER_TEAM, "c@partner.example").await);
    assert_eq!(app.fake.calls().len(), calls);
}

#[tokio::test]
async fn a_rotating_token_is_refreshed_before_it_expires_by_one_of_two_replicas() {
    let first = start(distributed()).await;
    let second = distributed()
        .fake(&first.fake)
        .store(first.store.clone())
        .start()
        .await;
    install(
        &first,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER)
            .rotating(Duration::from_secs(12 * 3600)),
    )
    .await;
    let before = bot_token_of(&first.fake, FAKE_TEAM_ID);
    assert!(before.starts_with("xoxe.xoxb-"), "{before}");

    // Not due yet: nothing is refreshed.
    assert_eq!(first.workflow.refresh_due_installations().await.unwrap(), 0);
    assert_eq!(first.fake.refresh_count(), 0);

    // Under two hours left: both replicas try at once; one refreshes.
    for app in [&first, &second] {
        app.clock.advance(chrono::Duration::hours(11));
    }
    let (a, b) = tokio::join!(
        first.workflow.refresh_due_installations(),
        second.workflow.refresh_due_installations()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one replica refreshed");
    assert_eq!(first.fake.refresh_count(), 1);
    let record = first
        .store
        .installation(&TeamId::from(FAKE_TEAM_ID))
        .await
        .unwrap()
        .unwrap();
    assert!(record.bot.expires_at.unwrap() > first.now() + chrono::Duration::hours(11));
    // Run again: the new token is fresh, nobody refreshes it.
    let (a, b) = tokio::join!(
        first.workflow.refresh_due_installations(),
        second.workflow.refresh_due_installations()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 0);
    assert_eq!(first.fake.refresh_count(), 1);

    // Work goes on with the new token, on either replica.
    let after = bot_token_of(&first.fake, FAKE_TEAM_ID);
    assert_ne!(after, before);
    assert_eq!(
        submit_in(&second, FAKE_TEAM_ID, None, "rotated@partner.example").await["response_action"],
        "update"
    );
    second.run_jobs().await;
    let card = first
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.arg_str("channel") == Some(REQUEST_CHANNEL))
        .expect("a card");
    assert_eq!(card.token.as_deref(), Some(after.as_str()));
}

/// An org-wide Grid install with the admin scopes, accounts made through Grid's admin API.
async fn grid_org() -> TestApp {
    let app = start(distributed().toml("[provisioning]\nmode = \"slack_admin\"\n")).await;
    app.fake.add_workspace(FAKE_TEAM_ID, Some(ORG));
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    app
}

async fn invite_requested(app: &TestApp, id: &str, invite: Value) {
    let status = event_in(
        app,
        ORG,
        Some(ORG),
        id,
        json!({"type": "invite_requested", "invite_request": invite}),
    )
    .await;
    assert_eq!(status, 200);
    app.run_jobs().await;
}

async fn request_for(app: &TestApp, invite: &Value) -> guestlist::domain::GuestRequest {
    app.store
        .request_for_invite_request(&team(), invite["id"].as_str().unwrap())
        .await
        .unwrap()
        .expect("a request for the invite request")
}

#[tokio::test]
async fn slack_invite_requests_become_cards_and_the_decision_goes_back_to_slack_once() {
    let app = grid_org().await;
    let ends = (app.now() + chrono::Duration::days(20)).timestamp();
    let invite = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "vera@partner.example",
        REQUESTER,
        &["CPROJECT"],
        "restricted",
        "Audits the <!channel> books",
        Some(ends),
    );
    invite_requested(&app, "EvInvite1", invite.clone()).await;

    // A card like any other, saying where it came from, with Slack's end date.
    let request = request_for(&app, &invite).await;
    assert_eq!(request.state, RequestState::Pending);
    assert_eq!(request.requester.as_str(), REQUESTER);
    assert_eq!(
        request.guest_type,
        guestlist::domain::GuestType::MultiChannel
    );
    assert_eq!(request.expires_at.map(|t| t.timestamp()), Some(ends));
    let card = app.card();
    let text = card.all_text();
    assert!(text.contains("vera@partner.example"), "{text}");
    assert!(text.contains("Invite people"), "{text}");
    assert!(!text.contains("<!channel>"), "escaped: {text}");
    // The same request again (the event redelivered, or found by the list): one request.
    invite_requested(&app, "EvInvite1b", invite.clone()).await;
    assert_eq!(app.fake.top_level_in(REQUEST_CHANNEL).len(), 1);

    // The requester may not decide it; two approvers click at once: one decision, one call.
    app.click(REQUESTER, "approve_request", request.id.0).await;
    let id = request.id.0;
    tokio::join!(
        app.click(APPROVER, "approve_request", id),
        app.click(APPROVER_2, "approve_request", id)
    );
    app.run_jobs().await;
    let approve = app.only_call("admin.inviteRequests.approve");
    assert_eq!(approve.arg_str("invite_request_id"), invite["id"].as_str());
    assert_eq!(approve.arg_str("team_id"), Some(FAKE_TEAM_ID));
    assert!(
        approve.token.as_deref().unwrap().starts_with("xoxp-"),
        "the admin's token"
    );
    assert_eq!(
        app.fake
            .invite_request_decision(invite["id"].as_str().unwrap())
            .as_deref(),
        Some("approved")
    );
    assert_eq!(app.state(id).await, RequestState::Invited);

    // The guest joins: tracked like one Guestlist invited, its end written to Slack.
    app.team_join("UVERA", "vera@partner.example").await;
    let request = app.request(id).await;
    assert_eq!(request.state, RequestState::Active);
    assert_eq!(request.slack_user_id.as_deref(), Some("UVERA"));
    let expiry = app.only_call("admin.users.setExpiration");
    assert_eq!(expiry.arg_str("user_id"), Some("UVERA"));
}

#[tokio::test]
async fn an_invite_request_decided_in_slack_first_ends_cleanly_and_the_list_finds_missed_ones() {
    let app = grid_org().await;
    // Decided in Slack's own page before Guestlist's approval reached Slack.
    let first = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "early@partner.example",
        REQUESTER,
        &["CPROJECT"],
        "ultra_restricted",
        "Short visit",
        None,
    );
    invite_requested(&app, "EvInviteEarly", first.clone()).await;
    let request = request_for(&app, &first).await;
    assert_eq!(
        request.guest_type,
        guestlist::domain::GuestType::SingleChannel
    );
    app.fake
        .decide_invite_request_in_slack(first["id"].as_str().unwrap(), true);
    app.click(APPROVER, "approve_request", request.id.0).await;
    app.run_jobs().await;
    assert_eq!(app.fake.calls_to("admin.inviteRequests.approve").len(), 1);
    assert_eq!(app.state(request.id.0).await, RequestState::Cancelled);
    assert!(
        app.thread_texts()
            .iter()
            .any(|t| t.contains("Slack's own admin page")),
        "{:?}",
        app.thread_texts()
    );
    let audit = app
        .store
        .audit_for_request(&team(), request.id)
        .await
        .unwrap();
    assert!(
        audit.iter().any(|a| a.entry.action == "decided_in_slack"),
        "{audit:#?}"
    );
    assert!(
        app.fake.calls_to("admin.users.invite").is_empty(),
        "nothing sent by Guestlist"
    );

    // A request whose event never came: the periodic list finds it.
    let missed = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "missed@partner.example",
        REQUESTER,
        &["CPROJECT"],
        "restricted",
        "No event",
        None,
    );
    guestlist::jobs::Scheduler::new(app.workflow.clone())
        .tick_once()
        .await
        .unwrap();
    app.run_jobs().await;
    let found = request_for(&app, &missed).await;
    assert_eq!(found.state, RequestState::Pending);
    assert!(
        app.fake
            .calls_to("admin.inviteRequests.list")
            .iter()
            .all(|c| c.arg_str("team_id") == Some(FAKE_TEAM_ID))
    );

    // Denied here: Slack is told.
    let answer = app
        .deny_with(APPROVER, found.id.0, "Not this quarter")
        .await;
    assert_eq!(answer, Value::Null, "{answer}");
    app.run_jobs().await;
    let deny = app.only_call("admin.inviteRequests.deny");
    assert_eq!(deny.arg_str("invite_request_id"), missed["id"].as_str());
    assert_eq!(
        app.fake
            .invite_request_decision(missed["id"].as_str().unwrap())
            .as_deref(),
        Some("denied")
    );
    assert_eq!(app.state(found.id.0).await, RequestState::Denied);

    // Withdrawn by its requester in Guestlist: withdrawn in Slack's queue too.
    let withdrawn = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "withdrawn@partner.example",
        REQUESTER,
        &["CPROJECT"],
        "restricted",
        "Changed plans",
        None,
    );
    invite_requested(&app, "EvInviteWithdrawn", withdrawn.clone()).await;
    let request = request_for(&app, &withdrawn).await;
    let (status, _) = command_in(
        &app,
        FAKE_TEAM_ID,
        Some(ORG),
        &format!("cancel {}", request.id.0),
    )
    .await;
    assert_eq!(status, 200);
    app.run_jobs().await;
    assert_eq!(app.state(request.id.0).await, RequestState::Cancelled);
    assert_eq!(
        app.fake
            .invite_request_decision(withdrawn["id"].as_str().unwrap())
            .as_deref(),
        Some("denied")
    );
}

#[tokio::test]
async fn only_the_workspaces_and_organisations_named_may_install() {
    let allowed = format!("{FAKE_TEAM_ID}, {ORG}");
    let app = start(distributed().env("GUESTLIST_ALLOWED_INSTALLS", &allowed)).await;
    let (url, cookie) = begin(&app).await;
    let back = authorize(
        &app,
        &url,
        Some(InstallGrant::workspace(OTHER_TEAM, "Other <Co>", INSTALLER)),
    )
    .await;
    let (status, page) = land(&back, Some(&cookie)).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("does not serve Other &#60;Co&#62;"), "{page}");
    assert!(
        !installed(&app, OTHER_TEAM).await,
        "nothing stored for a workspace not named"
    );
    app.run_jobs().await;
    assert!(
        app.fake.calls_to("chat.postMessage").is_empty(),
        "no welcome"
    );

    // The named ones install: a workspace, and an organisation (org-wide).
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    for key in [FAKE_TEAM_ID, ORG] {
        assert!(installed(&app, key).await, "{key}");
    }
}

#[tokio::test]
async fn an_invite_request_left_undecided_lapses_and_is_denied_in_slack() {
    let app = start(
        distributed()
            .toml("[provisioning]\nmode = \"slack_admin\"\n[approvals]\nremind_after_hours = [4]\ndecide_within_days = 1\n"),
    )
    .await;
    app.fake.add_workspace(FAKE_TEAM_ID, Some(ORG));
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    let invite = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "slow@partner.example",
        REQUESTER,
        &["CPROJECT"],
        "restricted",
        "Nobody looked",
        None,
    );
    invite_requested(&app, "EvInviteSlow", invite.clone()).await;
    let request = request_for(&app, &invite).await;
    assert!(request.decide_by.is_some(), "{request:?}");
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(app.state(request.id.0).await, RequestState::Lapsed);
    let deny = app.only_call("admin.inviteRequests.deny");
    assert_eq!(deny.arg_str("team_id"), Some(FAKE_TEAM_ID));
    assert_eq!(
        app.fake
            .invite_request_decision(invite["id"].as_str().unwrap())
            .as_deref(),
        Some("denied")
    );
}

#[tokio::test]
async fn the_public_page_serves_the_workspace_it_names() {
    // Without the workspace named, a deployment serving every install refuses to start.
    let toml = format!(
        "[self_registration]\nallowed_domains = [\"partner.example\"]\n\
         channels = [\"CPROJECT\"]\nsponsor = \"{INSTALLER}\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guestlist.toml");
    std::fs::write(&path, &toml).unwrap();
    let config = guestlist::config::Config::load(&guestlist::config::Sources {
        path,
        explicit: true,
        env: &|k: &str| match k {
            "SLACK_CLIENT_ID" => Some(CLIENT_ID.into()),
            "SLACK_CLIENT_SECRET" => Some(CLIENT_SECRET.into()),
            "GUESTLIST_ENCRYPTION_KEY" => Some(ENCRYPTION_KEY.into()),
            "GUESTLIST_PUBLIC_URL" => Some(PUBLIC_URL.into()),
            _ => None,
        },
    });
    assert_eq!(config.unwrap_err().key, "self_registration.team");

    let app = start(distributed().toml(&format!("{toml}team = \"{FAKE_TEAM_ID}\"\n"))).await;
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    let token = bot_token_of(&app.fake, FAKE_TEAM_ID);
    let mut visitor = crate::join::Visitor::new(&app);
    let page = visitor.get("/join").await;
    assert_eq!(page.status, 200, "{}", page.html);
    let guest = crate::join::guest_fields("grace@partner.example");
    let page = visitor
        .post("/join", &crate::join::fields(&guest), true)
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    app.run_jobs().await;
    assert!(open_request(&app, FAKE_TEAM_ID, "grace@partner.example").await);
    let card = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.arg_str("channel") == Some(REQUEST_CHANNEL))
        .expect("a card");
    assert_eq!(card.token.as_deref(), Some(token.as_str()));
}

/// An org-wide install as Slack drives it: interactions arrive with `"team": null` (the
/// workspace is the clicker's, `user.team_id`, or the view's), and every call made with the
/// organisation's token to a workspace-scoped list names that workspace (`team_id`), which the
/// fake, like Slack, otherwise refuses.
#[tokio::test]
async fn an_org_wide_install_takes_team_null_payloads_and_names_the_workspace_on_org_token_lists() {
    let app = start(distributed()).await;
    app.fake
        .add_workspace(FAKE_TEAM_ID, Some(ORG))
        .add_workspace(OTHER_TEAM, Some(ORG))
        .add_team_channel(OTHER_TEAM, OTHER_CHANNEL, "other-requests");
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    let org_token = bot_token_of(&app.fake, ORG);
    // Org-wide: no workspace in `team`, the organisation in `enterprise`.
    let org_wide = |mut payload: Value, team: &str| {
        payload["team"] = Value::Null;
        payload["user"]["team_id"] = json!(team);
        if payload.get("view").is_some() {
            payload["view"]["team_id"] = json!(team);
            payload["view"]["app_installed_team_id"] = json!(ORG);
        }
        payload["enterprise"] = json!({"id": ORG, "name": "Org"});
        payload["is_enterprise_install"] = json!(true);
        payload
    };

    // The global shortcut opens the request form.
    let shortcut = json!({
        "type": "shortcut", "callback_id": "request_guest", "trigger_id": app.slack.trigger_id(),
        "user": {"id": REQUESTER, "username": "rita"},
        "api_app_id": "AGUESTLIST", "token": "t", "action_ts": "1700000000.1",
    });
    let answer = app
        .slack
        .interaction(&org_wide(shortcut, FAKE_TEAM_ID))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    let opened = app.only_call("views.open");
    assert_eq!(opened.token.as_deref(), Some(org_token.as_str()));
    assert_eq!(opened.arg("view").unwrap()["callback_id"], "guest_request");

    // The form's submission (team null, the view's workspace) makes a request there.
    let form = FormInput::new("grace@partner.example", &["CPROJECT"]);
    let submission = app.slack.view_submission(
        REQUESTER,
        "guest_request",
        &json!({"tz": "UTC", "origin": "CGENERAL"}).to_string(),
        form.state_values(),
    );
    let answer = app
        .slack
        .interaction(&org_wide(submission, FAKE_TEAM_ID))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["response_action"], "update");
    app.run_jobs().await;
    assert!(open_request(&app, FAKE_TEAM_ID, "grace@partner.example").await);
    let id = app.request_id("grace@partner.example").await;

    // Approve, clicked with team null: decided, and the card says so.
    let card = app.card();
    let click = app.slack.button_click(
        APPROVER,
        "approve_request",
        &id.to_string(),
        Some(REQUEST_CHANNEL),
        &card.ts,
    );
    let answer = app
        .slack
        .interaction(&org_wide(click, FAKE_TEAM_ID))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    app.run_jobs().await;
    assert_ne!(
        app.state(id).await,
        RequestState::Pending,
        "the click decided"
    );

    // The hourly inventory run lists the workspace's people with the org token: team_id named.
    app.clock.advance(chrono::Duration::minutes(61));
    guestlist::jobs::Scheduler::new(app.workflow.clone())
        .tick_once()
        .await
        .unwrap();
    app.run_jobs().await;
    let lists: Vec<_> = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| {
            matches!(
                c.method.as_str(),
                "users.list" | "conversations.list" | "usergroups.list" | "usergroups.users.list"
            )
        })
        .collect();
    assert!(
        lists.iter().any(|c| c.method == "users.list"),
        "the inventory read users.list"
    );
    for call in &lists {
        assert_eq!(call.token.as_deref(), Some(org_token.as_str()));
        assert!(
            call.arg_str("team_id").is_some_and(|t| !t.is_empty()),
            "{} with the org token names its workspace: {call:?}",
            call.method
        );
    }
}

/// The fake, like Slack, refuses an org-level token's workspace-scoped list without `team_id`.
#[tokio::test]
async fn the_fake_refuses_an_org_token_list_without_team_id() {
    let app = start(distributed()).await;
    app.fake.add_workspace(FAKE_TEAM_ID, Some(ORG));
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    let token = bot_token_of(&app.fake, ORG);
    let refused = web_api(&app.fake, "users.list", &token, json!({})).await;
    assert_eq!(refused["error"], "missing_argument", "{refused}");
    let listed = web_api(
        &app.fake,
        "users.list",
        &token,
        json!({"team_id": FAKE_TEAM_ID}),
    )
    .await;
    assert_eq!(listed["ok"], true, "{listed}");
}

/// `tokens_revoked`: naming the installer's user token drops that token only (the bot keeps
/// working, the admin API is gone); naming bot tokens removes the installation.
#[tokio::test]
async fn tokens_revoked_drops_the_user_token_it_names_and_a_revoked_bot_removes_the_install() {
    let app = start(distributed()).await;
    let grant = InstallGrant::workspace(FAKE_TEAM_ID, "Fake", INSTALLER)
        .with_user_scopes("admin.users:read,admin.users:write");
    install(&app, grant).await;
    let stored = app
        .store
        .installation(&TeamId::from(FAKE_TEAM_ID))
        .await
        .unwrap()
        .expect("installed");
    assert!(stored.user.is_some(), "the installer's user token is kept");

    let revoked_user =
        json!({"type": "tokens_revoked", "tokens": {"oauth": [INSTALLER], "bot": []}});
    assert_eq!(
        event_in(&app, FAKE_TEAM_ID, None, "EvRevokeUser", revoked_user).await,
        200
    );
    let stored = app
        .store
        .installation(&TeamId::from(FAKE_TEAM_ID))
        .await
        .unwrap()
        .expect("still installed: the bot token was not named");
    assert!(stored.user.is_none(), "the named user token is gone");
    let audit = app.store.audit_since(None).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "user_token_revoked" && a.entry.detail == INSTALLER),
        "{audit:#?}"
    );

    let revoked_bot =
        json!({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UGUESTBOT"]}});
    assert_eq!(
        event_in(&app, FAKE_TEAM_ID, None, "EvRevokeBot", revoked_bot).await,
        200
    );
    assert!(
        !installed(&app, FAKE_TEAM_ID).await,
        "a revoked bot token ends the installation"
    );
}

/// A private request channel the bot is not in would lose every card (`not_in_channel`): the
/// settings refuse it on the field until someone invites the app, and the fake, like Slack,
/// refuses the bot's posts there.
#[tokio::test]
async fn a_private_request_channel_needs_the_bot_invited_first() {
    let app = start(distributed()).await;
    app.fake
        .add_private_channel("C0PRIVATE", "guest-requests-private", false);
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    let settings = || settings_submission(&app, "C0PRIVATE");
    let refused = app.slack.interaction(&settings()).await.unwrap();
    assert_eq!(refused.status, 200, "{}", refused.body);
    let errors = &refused.json()["errors"];
    assert!(
        errors["settings_channel"]
            .as_str()
            .is_some_and(|e| e.contains("/invite @Guestlist")),
        "{}",
        refused.body
    );

    // The fake refuses the bot's post there, as Slack does.
    let token = bot_token_of(&app.fake, FAKE_TEAM_ID);
    let post = web_api(
        &app.fake,
        "chat.postMessage",
        &token,
        json!({"channel": "C0PRIVATE", "text": "hello"}),
    )
    .await;
    assert_eq!(post["error"], "not_in_channel", "{post}");

    // Invited: saved, and the next card lands there.
    app.fake.invite_bot("C0PRIVATE");
    let saved = app.slack.interaction(&settings()).await.unwrap();
    assert_eq!(saved.status, 200);
    assert!(
        saved.body.is_empty(),
        "saved without errors: {}",
        saved.body
    );
    app.run_jobs().await;
    assert_eq!(
        submit_in(&app, FAKE_TEAM_ID, None, "one@partner.example").await["response_action"],
        "update"
    );
    app.run_jobs().await;
    assert_eq!(
        app.fake.top_level_in("C0PRIVATE").len(),
        1,
        "the card is posted there"
    );
}

#[tokio::test]
async fn a_full_member_invite_request_is_left_to_slacks_admins() {
    let app = grid_org().await;
    let member = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "colleague@company.example",
        REQUESTER,
        &["CPROJECT"],
        "full_member",
        "New hire",
        None,
    );
    invite_requested(&app, "EvInviteMember", member.clone()).await;
    // Neither the event nor the periodic list makes it a request: Guestlist governs guests.
    guestlist::jobs::Scheduler::new(app.workflow.clone())
        .tick_once()
        .await
        .unwrap();
    app.run_jobs().await;
    assert!(
        !app.fake.calls_to("admin.inviteRequests.list").is_empty(),
        "the list was read"
    );
    assert!(
        app.store
            .request_for_invite_request(&team(), member["id"].as_str().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.fake.top_level_in(REQUEST_CHANNEL).is_empty(), "no card");
    for method in [
        "admin.inviteRequests.approve",
        "admin.inviteRequests.deny",
        "admin.users.invite",
    ] {
        assert!(app.fake.calls_to(method).is_empty(), "{method} was called");
    }
    // A guest's request beside it still becomes a card, so the silence above is a choice.
    let guest = app.fake.add_invite_request(
        FAKE_TEAM_ID,
        "vera@partner.example",
        REQUESTER,
        &["CPROJECT"],
        "restricted",
        "Audit",
        None,
    );
    invite_requested(&app, "EvInviteGuest", guest.clone()).await;
    assert_eq!(app.fake.top_level_in(REQUEST_CHANNEL).len(), 1);
}

/// An org-wide install runs group sync: the rule reads its source workspace's groups and
/// people with the org bot token, and brings them into another workspace with the installer's
/// admin token; every org-token call names the workspace it is for.
#[tokio::test]
async fn an_org_wide_install_runs_group_sync_naming_the_workspace_on_every_org_token_call() {
    const RULES: &str = "[provisioning]\nmode = \"slack_admin\"\n[group_sync]\npace = false\n\
        [[sync]]\nname = \"partners\"\nsource_team = \"T0FAKE\"\ntarget_team = \"T0OTHER\"\n\
        usergroups = [\"S0PARTNERS\"]\nchannels = [\"C0OTHERREQ\"]\nexpiry_days = 30\n";
    let app = start(distributed().toml(RULES)).await;
    app.fake
        .add_workspace(FAKE_TEAM_ID, Some(ORG))
        .add_workspace(OTHER_TEAM, Some(ORG))
        .add_team_channel(OTHER_TEAM, OTHER_CHANNEL, "other-requests");
    app.fake
        .add_user(FakeUser::new("UP1", "Ann Partner").email("ann@partner.io"))
        .add_user(FakeUser::new("UP2", "Ben Partner").email("ben@partner.io"));
    app.fake
        .add_usergroup("S0PARTNERS", "partners", &["UP1", "UP2"]);
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    let org_bot = bot_token_of(&app.fake, ORG);
    // Both workspaces have been seen (a command from each), so both are scheduled.
    for team in [FAKE_TEAM_ID, OTHER_TEAM] {
        let (status, _) = command_in(&app, team, Some(ORG), "help").await;
        assert_eq!(status, 200);
    }
    app.fake.clear_calls();
    guestlist::jobs::Scheduler::new(app.workflow.clone())
        .tick_once()
        .await
        .unwrap();
    app.run_jobs().await;
    let assigned: Vec<String> = app
        .fake
        .calls_to("admin.users.assign")
        .iter()
        .map(|c| {
            assert_eq!(c.arg_str("team_id"), Some(OTHER_TEAM), "{c:?}");
            c.arg_str("user_id").unwrap().to_string()
        })
        .collect();
    assert_eq!(assigned, vec!["UP1", "UP2"], "{:#?}", app.fake.calls());
    for call in app.fake.calls() {
        if call.token.as_deref() == Some(org_bot.as_str())
            && matches!(
                call.method.as_str(),
                "users.list" | "conversations.list" | "usergroups.list" | "usergroups.users.list"
            )
        {
            // Each workspace's own hourly inventory reads its people; the rule's groups are
            // read in its source workspace.
            let team = call.arg_str("team_id");
            assert!(
                team.is_some_and(|t| !t.is_empty()),
                "{} with the org token names its workspace: {call:?}",
                call.method
            );
            if call.method.starts_with("usergroups.") {
                assert_eq!(team, Some(FAKE_TEAM_ID), "{call:?}");
            }
        }
    }
    // The target workspace's own run has no rule to run: nothing failed, nothing retried.
    let failed = app.store.jobs_of_kind("sync_run", 100).await.unwrap();
    assert!(failed.iter().all(|j| j.last_error.is_none()), "{failed:#?}");
}

/// `--team`: with an OAuth deployment, a one-workspace command names its workspace and runs
/// with that installation's tokens.
#[tokio::test]
async fn a_command_line_task_names_its_workspace_with_team() {
    const RULE: &str = "[provisioning]\nmode = \"slack_admin\"\n[group_sync]\npace = false\n\
        [[sync]]\nname = \"partners\"\ntarget_team = \"T0OTHER\"\nusergroups = [\"S0PARTNERS\"]\n\
        channels = [\"C0OTHERREQ\"]\nexpiry_days = 30\n";
    let app = start(distributed().backend(Backend::Sqlite).toml(RULE)).await;
    app.fake
        .add_user(FakeUser::new("UP1", "Ann Partner").email("ann@partner.io"));
    app.fake.add_usergroup("S0PARTNERS", "partners", &["UP1"]);
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Fake", INSTALLER)
            .with_user_scopes("admin.users:read,admin.users:write"),
    )
    .await;
    let bot = bot_token_of(&app.fake, FAKE_TEAM_ID);
    let env = [
        ("SLACK_CLIENT_ID", CLIENT_ID),
        ("SLACK_CLIENT_SECRET", CLIENT_SECRET),
        ("GUESTLIST_ENCRYPTION_KEY", ENCRYPTION_KEY),
        ("GUESTLIST_PUBLIC_URL", PUBLIC_URL),
    ];
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).to_string();
    let unnamed = app.cli_with(&["sync", "--dry-run", "--json"], &env).await;
    assert!(!unnamed.status.success());
    assert!(
        stderr(&unnamed).contains("name one (--team T…)"),
        "{}",
        stderr(&unnamed)
    );
    let elsewhere = app
        .cli_with(&["--team", "T0NOPE", "sync", "--dry-run", "--json"], &env)
        .await;
    assert!(!elsewhere.status.success());
    assert!(
        stderr(&elsewhere).contains("Guestlist is not installed in workspace T0NOPE"),
        "{}",
        stderr(&elsewhere)
    );
    app.fake.clear_calls();
    let named = app
        .cli_with(
            &["--team", FAKE_TEAM_ID, "sync", "--dry-run", "--json"],
            &env,
        )
        .await;
    assert!(named.status.success(), "{}", stderr(&named));
    let outcome: Value = serde_json::from_slice(&named.stdout).unwrap();
    assert_eq!(
        outcome["plans"][0]["lines"][0]["email"], "ann@partner.io",
        "{outcome}"
    );
    let calls = app.fake.calls();
    assert!(!calls.is_empty());
    for call in &calls {
        assert_eq!(
            call.token.as_deref(),
            Some(bot.as_str()),
            "the installation's bot token: {call:?}"
        );
    }
}

/// CSV import in an org-wide install: the file's event and the Import click carry no `team`,
/// and the directory reads behind the preview name the workspace.
#[tokio::test]
async fn an_org_wide_install_imports_a_shared_csv_naming_the_workspace() {
    let app = start(distributed()).await;
    app.fake.add_workspace(FAKE_TEAM_ID, Some(ORG));
    install(&app, InstallGrant::organisation(ORG, "Org", INSTALLER)).await;
    let org_bot = bot_token_of(&app.fake, ORG);
    app.fake.clear_calls();
    let csv = "email,name,organisation,guest_type,channels,expires\n\
        ann@vendor.example,Ann Vendor,Vendor,single_channel,#project-x,30d\n\
        bob@vendor.example,Bob Vendor,Vendor,multi_channel,project-x;COTHER,30d\n";
    let event = app.fake.share_file(
        REQUEST_CHANNEL,
        APPROVER,
        "FORGCSV",
        "partners.csv",
        csv.as_bytes().to_vec(),
    );
    let file_ts = event["ts"].as_str().unwrap().to_string();
    assert_eq!(
        event_in(&app, FAKE_TEAM_ID, Some(ORG), "EvOrgCsv", event).await,
        200
    );
    app.run_jobs().await;
    let preview = app
        .fake
        .thread(REQUEST_CHANNEL, &file_ts)
        .into_iter()
        .next()
        .expect("a preview in the file's thread");
    assert!(
        preview.all_text().contains("2 rows: 2 to import"),
        "{}",
        preview.all_text()
    );
    let value = preview
        .blocks
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["elements"].as_array().into_iter().flatten())
        .find(|e| e["action_id"] == "import_guests")
        .and_then(|e| e["value"].as_str())
        .expect("an Import button")
        .to_string();
    let mut click = app.slack.button_click(
        APPROVER_2,
        "import_guests",
        &value,
        Some(REQUEST_CHANNEL),
        &preview.ts,
    );
    click["team"] = Value::Null;
    click["user"]["team_id"] = json!(FAKE_TEAM_ID);
    click["enterprise"] = json!({"id": ORG, "name": "Org"});
    click["is_enterprise_install"] = json!(true);
    let answer = app.slack.interaction(&click).await.unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    app.run_jobs().await;
    for email in ["ann@vendor.example", "bob@vendor.example"] {
        assert!(
            open_request(&app, FAKE_TEAM_ID, email).await,
            "{email} imported"
        );
    }
    let lists: Vec<_> = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| {
            c.token.as_deref() == Some(org_bot.as_str())
                && matches!(c.method.as_str(), "users.list" | "conversations.list")
        })
        .collect();
    assert!(
        lists.iter().any(|c| c.method == "conversations.list"),
        "the preview read the channels"
    );
    for call in &lists {
        assert_eq!(call.arg_str("team_id"), Some(FAKE_TEAM_ID), "{call:?}");
    }
}

/// Slack retires a refresh token as it answers. The bot pair is stored before the user pair
/// is asked for, so a failed second refresh loses nothing: the next attempt refreshes only
/// the user pair, with the bot's new pair in place.
#[tokio::test]
async fn a_failed_user_token_refresh_keeps_the_new_bot_tokens() {
    let app = start(distributed()).await;
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER)
            .with_user_scopes("admin.users:read,admin.users:write")
            .rotating(Duration::from_secs(12 * 3600)),
    )
    .await;
    let key = TeamId::from(FAKE_TEAM_ID);
    let first = app.store.installation(&key).await.unwrap().unwrap();
    app.clock.advance(chrono::Duration::hours(11));
    // The bot's refresh works; the user's gets a 500 from Slack.
    app.fake.fail_after(
        "oauth.v2.access",
        1,
        1,
        guestlist::fake_slack::Failure::Status(500),
    );
    app.workflow.refresh_due_installations().await.unwrap();
    let after_failure = app.store.installation(&key).await.unwrap().unwrap();
    assert_ne!(
        after_failure.bot.token, first.bot.token,
        "the new bot pair is stored"
    );
    assert_eq!(
        after_failure.user.as_ref().unwrap().1.token,
        first.user.as_ref().unwrap().1.token,
        "the user pair is still the old one"
    );
    // The next tick refreshes the user pair alone, and the bot's stays.
    assert_eq!(app.workflow.refresh_due_installations().await.unwrap(), 1);
    let healed = app.store.installation(&key).await.unwrap().unwrap();
    assert_eq!(healed.bot.token, after_failure.bot.token);
    assert_ne!(
        healed.user.as_ref().unwrap().1.token,
        first.user.as_ref().unwrap().1.token
    );
    assert_eq!(app.fake.refresh_count(), 2, "each refresh token used once");
    // Both pairs are fresh: nothing is due.
    assert_eq!(app.workflow.refresh_due_installations().await.unwrap(), 0);
}

/// A store write that fails after Slack rotated the tokens is tried again; the new pair is
/// never asked for twice (the old refresh token is dead by then).
#[tokio::test]
async fn a_store_write_that_fails_after_a_rotation_is_retried_and_nothing_is_lost() {
    let url = match crate::services::postgres() {
        Ok(url) => url,
        Err(why) => {
            crate::services::skipped("installs::refresh (a store write that fails)", &why);
            return;
        }
    };
    let schema = format!("t_{:016x}", rand_u64());
    let store = guestlist::store::PgStore::connect_in_schema(&url, &schema, 4)
        .await
        .unwrap();
    let app = start(distributed().store(std::sync::Arc::new(store))).await;
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER)
            .rotating(Duration::from_secs(12 * 3600)),
    )
    .await;
    // The database refuses the first write of new bot tokens (a sequence survives the
    // rolled-back transaction, so exactly one write fails).
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    for statement in [
        format!("CREATE SEQUENCE {schema}.fail_once"),
        format!(
            "CREATE FUNCTION {schema}.fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF NEW.bot_token IS DISTINCT FROM OLD.bot_token
                  AND nextval('{schema}.fail_once') = 1 THEN
                 RAISE EXCEPTION 'simulated write failure';
               END IF;
               RETURN NEW;
             END $$"
        ),
        format!(
            "CREATE TRIGGER fail_once BEFORE UPDATE ON {schema}.installations
             FOR EACH ROW EXECUTE FUNCTION {schema}.fail_once()"
        ),
    ] {
        // The schema name is this test's own random one.
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&admin)
            .await
            .unwrap();
    }
    let key = TeamId::from(FAKE_TEAM_ID);
    let first = app.store.installation(&key).await.unwrap().unwrap();
    app.clock.advance(chrono::Duration::hours(11));
    assert_eq!(app.workflow.refresh_due_installations().await.unwrap(), 1);
    let failed_writes: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT last_value FROM {schema}.fail_once"
    )))
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(
        failed_writes >= 2,
        "the first write failed, a later one landed"
    );
    let stored = app.store.installation(&key).await.unwrap().unwrap();
    assert_ne!(stored.bot.token, first.bot.token);
    assert!(stored.bot.expires_at.unwrap() > app.now() + chrono::Duration::hours(11));
    assert_eq!(app.fake.refresh_count(), 1, "Slack was asked once");
    // And the stored pair works.
    assert_eq!(
        submit_in(&app, FAKE_TEAM_ID, None, "rotated@partner.example").await["response_action"],
        "update"
    );
}

/// No guest outlives their end: an expiry that comes due while the app is uninstalled waits
/// for the reinstall (it is not dropped), and then ends the guest.
#[tokio::test]
async fn an_expiry_due_while_uninstalled_ends_the_guest_after_the_reinstall() {
    let app = start(distributed().toml("[provisioning]\nmode = \"slack_admin\"\n")).await;
    let grant = || {
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER)
            .with_user_scopes("admin.users:read,admin.users:write")
    };
    install(&app, grant()).await;
    let id = app.approved("grace@partner.example", &["CPROJECT"]).await;
    app.team_join("UGRACE", "grace@partner.example").await;
    assert_eq!(app.state(id).await, RequestState::Active);
    let end = app.request(id).await.expires_at.unwrap();

    assert_eq!(
        event_in(
            &app,
            FAKE_TEAM_ID,
            None,
            "EvGone",
            json!({"type": "app_uninstalled"})
        )
        .await,
        200
    );
    assert!(!installed(&app, FAKE_TEAM_ID).await);
    app.fake.revoke_tokens_of(FAKE_TEAM_ID);
    app.clock.set(end + chrono::Duration::hours(3));
    app.run_jobs().await;
    assert_eq!(
        app.state(id).await,
        RequestState::Active,
        "nobody to end it with: it waits"
    );

    install(&app, grant()).await;
    app.clock.advance(chrono::Duration::minutes(61));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    let removed = app.only_call("admin.users.remove");
    assert_eq!(removed.arg_str("user_id"), Some("UGRACE"));
}

/// The installer has the settings button, but the right is an admin's: an installer who is
/// no longer a workspace admin is refused on the form and nothing changes.
#[tokio::test]
async fn an_installer_who_is_no_longer_an_admin_may_not_change_the_settings() {
    // Who people are is cached for `cache_seconds`; none here, so the demotion is seen at once.
    let app = start(distributed().approvers(
        "[approvers]\nusers = [\"UAPPROVER\"]\nworkspace_admins = true\ncache_seconds = 0\n",
    ))
    .await;
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    app.fake.update_user(INSTALLER, |u| u.is_admin = false);
    let answer = app
        .slack
        .interaction(&settings_submission(&app, OTHER_CHANNEL))
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    let answer: Value = serde_json::from_str(&answer.body).expect("an answer on the form");
    assert_eq!(answer["response_action"], "errors", "{answer}");
    app.run_jobs().await;
    assert_eq!(
        submit_in(&app, FAKE_TEAM_ID, None, "one@partner.example").await["response_action"],
        "update"
    );
    app.run_jobs().await;
    assert!(
        app.fake
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| c.arg_str("channel") == Some(REQUEST_CHANNEL)),
        "the request channel is still the file's"
    );
}

/// `slack.allowed_installs` holds on every entry: taking an id off the list (a restart with
/// the new configuration) leaves its installation unused, as if uninstalled.
#[tokio::test]
async fn an_installation_taken_off_the_allow_list_is_no_longer_served() {
    let before = start(distributed()).await;
    install(
        &before,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER),
    )
    .await;
    assert_eq!(
        submit_in(&before, FAKE_TEAM_ID, None, "one@partner.example").await["response_action"],
        "update"
    );
    let after = distributed()
        .env("GUESTLIST_ALLOWED_INSTALLS", OTHER_TEAM)
        .fake(&before.fake)
        .store(before.store.clone())
        .start()
        .await;
    let calls = after.fake.calls().len();
    let answer = submit_in(&after, FAKE_TEAM_ID, None, "two@partner.example").await;
    assert_eq!(answer, Value::Null, "nothing done for it: {answer}");
    after.run_jobs().await;
    assert!(!open_request(&after, FAKE_TEAM_ID, "two@partner.example").await);
    assert_eq!(
        after.fake.calls().len(),
        calls,
        "no Slack call with its tokens"
    );
    assert!(
        installed(&after, FAKE_TEAM_ID).await,
        "kept, for an operator to undo"
    );
}

/// The install routes are rate limited per address, as the public page is: each visit signs
/// a state, each redirect trades a code with Slack.
#[tokio::test]
async fn the_install_routes_are_rate_limited_per_address() {
    // One form a minute: six page views a minute per address.
    let app = start(distributed().toml("[server]\njoin_submissions_per_minute = 1\n")).await;
    let client = browser();
    let url = format!("{}/slack/install", app.base_url());
    for n in 0..6 {
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 302, "visit {}", n + 1);
    }
    let refused = client.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let redirect = client
        .get(format!(
            "{}/slack/oauth_redirect?code=x&state=y",
            app.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 429, "the same address, the same budget");
    assert_eq!(
        app.fake.calls_to("oauth.v2.access").len(),
        0,
        "no code traded"
    );
}

/// A refresh token Slack refuses (`invalid_refresh_token`) leaves the installation working
/// only until its token runs out: the installer and the request channel are told, once.
#[tokio::test]
async fn a_dead_refresh_token_is_told_to_the_installer_and_the_request_channel_once() {
    let app = start(distributed()).await;
    install(
        &app,
        InstallGrant::workspace(FAKE_TEAM_ID, "Acme", INSTALLER)
            .rotating(Duration::from_secs(12 * 3600)),
    )
    .await;
    app.run_jobs().await;
    app.clock.advance(chrono::Duration::hours(11));
    for _ in 0..2 {
        app.fake.fail_next(
            "oauth.v2.access",
            1,
            guestlist::fake_slack::Failure::Error("invalid_refresh_token".into()),
        );
        assert_eq!(app.workflow.refresh_due_installations().await.unwrap(), 0);
        app.run_jobs().await;
    }
    let told: Vec<String> = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.args.to_string().contains("refused to renew"))
        .map(|c| c.arg_str("channel").unwrap().to_string())
        .collect();
    assert_eq!(
        told,
        vec![INSTALLER.to_string(), REQUEST_CHANNEL.to_string()],
        "once each"
    );
}
