//! The fake Slack refuses what Slack refuses, with Slack's answers: a rule per test, called as
//! Guestlist calls it (HTTP, a token in `Authorization`).

use guestlist::fake_slack::FakeSlack;
use serde_json::{Value, json};

const BOT: &str = "xoxb-deployment";

async fn call(fake: &FakeSlack, method: &str, token: &str, body: Value) -> Value {
    crate::helpers::web_api(fake, method, token, body).await
}

fn trigger(serial: u64) -> String {
    guestlist::fake_slack::mint_trigger_id(serial, std::time::Duration::ZERO)
}

fn modal(title: &str) -> Value {
    json!({"type": "modal", "title": {"type": "plain_text", "text": title},
           "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]})
}

#[tokio::test]
async fn a_view_over_blockkit_limits_is_refused_with_what_and_where() {
    let fake = FakeSlack::start().await.unwrap();
    let ok = call(
        &fake,
        "views.open",
        BOT,
        json!({"trigger_id": trigger(1), "view": modal("Approve with changes")}),
    )
    .await;
    assert_eq!(ok["ok"], true, "{ok}");
    let refused = call(
        &fake,
        "views.open",
        BOT,
        json!({"trigger_id": trigger(2), "view": modal("Approve #100 with changes")}),
    )
    .await;
    assert_eq!(refused["error"], "invalid_arguments", "{refused}");
    assert!(
        refused["response_metadata"]["messages"][0]
            .as_str()
            .unwrap()
            .ends_with("[json-pointer:/view/title/text]"),
        "{refused}"
    );
    // Home: two buttons with one action id in a block.
    let button = |text: &str| json!({"type": "button", "action_id": "page", "value": text, "text": {"type": "plain_text", "text": text}});
    let home = json!({"type": "home", "blocks": [{"type": "actions", "elements": [button("Previous"), button("Next")]}]});
    let refused = call(
        &fake,
        "views.publish",
        BOT,
        json!({"user_id": "U1", "view": home}),
    )
    .await;
    assert_eq!(refused["error"], "invalid_arguments", "{refused}");
    assert!(
        fake.home_view("U1").is_none(),
        "a refused view is not shown"
    );
}

#[tokio::test]
async fn a_message_over_blockkit_limits_is_refused_as_invalid_blocks() {
    let fake = FakeSlack::start().await.unwrap();
    fake.add_channel("C1", "general");
    let blocks: Vec<Value> = (0..51)
        .map(|i| json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("{i}")}}))
        .collect();
    let refused = call(
        &fake,
        "chat.postMessage",
        BOT,
        json!({"channel": "C1", "blocks": blocks}),
    )
    .await;
    assert_eq!(refused["error"], "invalid_blocks", "{refused}");
    let long =
        json!([{"type": "section", "text": {"type": "mrkdwn", "text": "&amp;".repeat(601)}}]);
    let refused = call(
        &fake,
        "chat.postMessage",
        BOT,
        json!({"channel": "C1", "blocks": long}),
    )
    .await;
    assert_eq!(refused["error"], "invalid_blocks", "{refused}");
    assert!(
        fake.messages_in("C1").is_empty(),
        "nothing refused was posted"
    );
}

#[tokio::test]
async fn an_external_id_names_one_view() {
    let fake = FakeSlack::start().await.unwrap();
    let mut view = modal("Adopt a guest");
    view["external_id"] = json!("adopt:U1");
    let first = call(
        &fake,
        "views.open",
        BOT,
        json!({"trigger_id": trigger(1), "view": view.clone()}),
    )
    .await;
    assert_eq!(first["ok"], true, "{first}");
    let second = call(
        &fake,
        "views.open",
        BOT,
        json!({"trigger_id": trigger(2), "view": view}),
    )
    .await;
    assert_eq!(second["error"], "duplicate_external_id", "{second}");
}

#[tokio::test]
async fn a_call_without_its_scope_is_refused_as_slack_does() {
    let fake = FakeSlack::start().await.unwrap();
    // By default the deployment's tokens hold what `guestlist manifest` asks for.
    let listed = call(&fake, "users.list", BOT, json!({})).await;
    assert_eq!(listed["ok"], true, "{listed}");
    // A manifest without users:read: users.list is refused, naming what it needs and has.
    let mut manifest = guestlist::slack::manifest::manifest("https://bot.example.com", false);
    manifest["oauth_config"]["scopes"]["bot"] = json!(["chat:write"]);
    fake.grant_manifest(&manifest);
    let refused = call(&fake, "users.list", BOT, json!({})).await;
    assert_eq!(refused["error"], "missing_scope", "{refused}");
    assert_eq!(refused["needed"], "users:read");
    assert_eq!(refused["provided"], "chat:write");
    // Without user scopes, an admin token may not remove anyone from a channel.
    let refused = call(
        &fake,
        "conversations.kick",
        "xoxp-admin",
        json!({"channel": "C1", "user": "U1"}),
    )
    .await;
    assert_eq!(refused["error"], "missing_scope", "{refused}");
}

#[tokio::test]
async fn a_trigger_opens_one_view() {
    let fake = FakeSlack::start().await.unwrap();
    let trigger = trigger(1);
    let first = call(
        &fake,
        "views.open",
        BOT,
        json!({"trigger_id": trigger, "view": modal("Request a guest")}),
    )
    .await;
    assert_eq!(first["ok"], true, "{first}");
    let again = call(
        &fake,
        "views.open",
        BOT,
        json!({"trigger_id": trigger, "view": modal("Request a guest")}),
    )
    .await;
    assert_eq!(again["error"], "exchanged_trigger_id", "{again}");
}

#[tokio::test]
async fn arguments_are_read_against_slacks_openapi_spec() {
    let fake = FakeSlack::start().await.unwrap();
    fake.add_channel("C1", "general");
    // `admin.users.setExpiration` requires `expiration_ts` (and `user_id`, `team_id`).
    let refused = call(
        &fake,
        "admin.users.setExpiration",
        "xoxp-admin",
        json!({"team_id": "T0FAKE", "user_id": "U1"}),
    )
    .await;
    assert_eq!(refused["error"], "invalid_arguments", "{refused}");
    assert_eq!(
        refused["response_metadata"]["messages"][0],
        "[ERROR] missing required field: expiration_ts",
        "{refused}"
    );
    // A misspelt argument is refused (Slack would ignore it, and the post would go nowhere).
    let refused = call(
        &fake,
        "chat.postMessage",
        BOT,
        json!({"channel": "C1", "text": "hi", "thread": "1.2"}),
    )
    .await;
    assert_eq!(refused["error"], "invalid_arguments", "{refused}");
    assert!(
        refused["response_metadata"]["messages"][0]
            .as_str()
            .unwrap()
            .starts_with("[ERROR] unknown argument: thread"),
        "{refused}"
    );
    let ok = call(
        &fake,
        "chat.postMessage",
        BOT,
        json!({"channel": "C1", "text": "hi", "unfurl_links": false}),
    )
    .await;
    assert_eq!(ok["ok"], true, "{ok}");
}

#[tokio::test]
async fn a_trigger_id_lives_three_seconds_and_must_be_one_slack_minted() {
    let fake = FakeSlack::start().await.unwrap();
    let open = |trigger: String| {
        call(
            &fake,
            "views.open",
            BOT,
            json!({"trigger_id": trigger, "view": modal("Request a guest")}),
        )
    };
    let stale = guestlist::fake_slack::mint_trigger_id(1, std::time::Duration::from_millis(3100));
    assert_eq!(open(stale).await["error"], "expired_trigger_id");
    assert_eq!(open("t1".into()).await["error"], "invalid_trigger_id");
    let fresh = guestlist::fake_slack::mint_trigger_id(2, std::time::Duration::from_millis(2500));
    assert_eq!(open(fresh).await["ok"], true);
}

#[tokio::test]
async fn a_post_to_a_person_lands_in_a_dm_updated_by_its_own_id() {
    let fake = FakeSlack::start().await.unwrap();
    fake.add_user(guestlist::fake_slack::FakeUser::new("UANN", "Ann"));
    let posted = call(
        &fake,
        "chat.postMessage",
        BOT,
        json!({"channel": "UANN", "text": "hello"}),
    )
    .await;
    let dm = posted["channel"].as_str().unwrap().to_string();
    assert!(dm.starts_with('D'), "{posted}");
    let ts = posted["ts"].clone();
    let by_person = call(
        &fake,
        "chat.update",
        BOT,
        json!({"channel": "UANN", "ts": ts, "text": "edited"}),
    )
    .await;
    assert_eq!(by_person["error"], "channel_not_found", "{by_person}");
    let by_dm = call(
        &fake,
        "chat.update",
        BOT,
        json!({"channel": dm, "ts": ts, "text": "edited"}),
    )
    .await;
    assert_eq!(by_dm["ok"], true, "{by_dm}");
}

#[tokio::test]
async fn general_keeps_everyone_and_a_single_channel_guest_gets_one_channel() {
    let fake = FakeSlack::start().await.unwrap();
    fake.add_channel("CGEN", "general")
        .add_channel("CONE", "one")
        .add_channel("CTWO", "two");
    fake.add_user(guestlist::fake_slack::FakeUser::new("UGUEST", "Gus").guest(true));
    let admin = "xoxp-admin";
    let invite = |channel: &str| {
        call(
            &fake,
            "admin.conversations.invite",
            admin,
            json!({"channel_id": channel, "user_ids": "UGUEST"}),
        )
    };
    assert_eq!(invite("CONE").await["ok"], true);
    assert_eq!(invite("CTWO").await["error"], "failed_for_some_users");
    let kicked = call(
        &fake,
        "conversations.kick",
        admin,
        json!({"channel": "CGEN", "user": "UGUEST"}),
    )
    .await;
    assert_eq!(kicked["error"], "cant_kick_from_general", "{kicked}");
}
