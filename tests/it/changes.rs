//! Changes to a live guest through the front door: an approver narrows (a channel removed, an
//! earlier end: applied now, through the bound account) or widens (a channel added: an
//! extension request that another approver decides, then the channel is added).

use crate::helpers::*;
use chrono::Duration;
use guestlist::domain::{ChannelId, RequestId, RequestState};
use guestlist::fake_slack::FormInput;
use serde_json::{Value, json};

const GUEST: &str = "UG1";
const EMAIL: &str = "grace@partner.example";

async fn active_multi_channel_guest(app: &TestApp) -> i64 {
    let answer = app
        .submit(REQUESTER, &FormInput::new(EMAIL, &["CPROJECT", "COTHER"]))
        .await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    app.run_jobs().await;
    let id = app
        .store
        .open_request_for_email(&team(), EMAIL)
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    app.team_join(GUEST, EMAIL).await;
    assert_eq!(app.state(id).await, RequestState::Active);
    id
}

async fn submit_change(
    app: &TestApp,
    user: &str,
    id: i64,
    channels: &[&str],
    date: Option<&str>,
    reason: &str,
) -> Value {
    let version = app.request(id).await.version;
    let mut values = json!({
        "change_channels": {"change_channels": {"type": "multi_conversations_select", "selected_conversations": channels}},
        "change_reason": {"change_reason": {"type": "plain_text_input", "value": reason}},
    });
    if let Some(date) = date {
        values["change_date"] =
            json!({"change_date": {"type": "datepicker", "selected_date": date}});
    }
    let payload = app.slack.view_submission(
        user,
        "change_access",
        &json!({"request_id": id, "version": version, "tz": "UTC"}).to_string(),
        values,
    );
    let answer = app.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.status, 200);
    app.run_jobs().await;
    if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    }
}

fn channels(request: &guestlist::domain::GuestRequest) -> Vec<&str> {
    request.channels.iter().map(ChannelId::as_str).collect()
}

#[tokio::test]
async fn an_approver_narrows_a_live_guest_now_and_widens_it_through_approval() {
    let app = slack_admin().start().await;
    let id = active_multi_channel_guest(&app).await;
    assert!(buttons(&app.card()).contains(&"change_access".to_string()));

    // The sponsor is not an approver: no form.
    app.fake.clear_calls();
    app.click(REQUESTER, "change_access", id).await;
    app.run_jobs().await;
    assert!(app.fake.calls_to("views.open").is_empty());
    app.click(APPROVER, "change_access", id).await;
    assert_eq!(
        app.only_call("views.open").args["view"]["callback_id"],
        "change_access"
    );
    // Nor may the sponsor submit one.
    let refused = submit_change(&app, REQUESTER, id, &["CPROJECT"], None, "Done with it").await;
    assert!(
        refused["errors"]["change_channels"].is_string(),
        "{refused}"
    );

    // Bad input on its field, nothing applied.
    let answer = submit_change(&app, APPROVER, id, &["CPROJECT"], None, " ").await;
    assert!(answer["errors"]["change_reason"].is_string(), "{answer}");
    let answer = submit_change(&app, APPROVER, id, &["CPROJECT", "COTHER"], None, "x").await;
    assert_eq!(answer["errors"]["change_channels"], "Nothing changed.");
    let answer = submit_change(&app, APPROVER, id, &[], None, "x").await;
    assert!(answer["errors"]["change_channels"].is_string(), "{answer}");
    assert_eq!(channels(&app.request(id).await), ["CPROJECT", "COTHER"]);

    // Narrowing: one channel fewer and an earlier end, at once.
    let before = app.request(id).await.expires_at.unwrap();
    let earlier = (app.now() + Duration::days(10)).date_naive();
    app.fake.clear_calls();
    let answer = submit_change(
        &app,
        APPROVER,
        id,
        &["CPROJECT"],
        Some(&earlier.to_string()),
        "The other project is over",
    )
    .await;
    assert_eq!(answer, Value::Null);
    let kick = app.only_call("conversations.kick");
    assert_eq!(kick.args["channel"], "COTHER");
    assert_eq!(kick.args["user"], GUEST);
    let after = app.request(id).await;
    assert_eq!(channels(&after), ["CPROJECT"]);
    assert_eq!(after.expires_at.unwrap().date_naive(), earlier);
    assert!(after.expires_at.unwrap() < before);
    assert_eq!(
        app.only_call("admin.users.setExpiration").args["expiration_ts"],
        after.expires_at.unwrap().timestamp()
    );
    let audit: Vec<String> = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect();
    assert!(audit.contains(&"change_access".into()) && audit.contains(&"channels_changed".into()));
    assert!(
        app.texts_in(REQUESTER)
            .iter()
            .any(|t| t.contains("changed the access of")),
        "the sponsor is told"
    );

    // Widening: a channel more goes to approvers first.
    app.fake.clear_calls();
    let answer = submit_change(
        &app,
        APPROVER,
        id,
        &["CPROJECT", "CGENERAL"],
        None,
        "Joins the launch",
    )
    .await;
    assert_eq!(answer, Value::Null);
    assert!(app.fake.calls_to("admin.conversations.invite").is_empty());
    assert_eq!(channels(&app.request(id).await), ["CPROJECT"]);
    let extension = app
        .store
        .requests_by_parent(&team(), RequestId(id))
        .await
        .unwrap()
        .pop()
        .expect("an extension request");
    assert_eq!(extension.state, RequestState::Pending);
    assert_eq!(channels(&extension), ["CPROJECT", "CGENERAL"]);
    // A second widening while it waits is refused.
    let again = submit_change(&app, APPROVER, id, &["CPROJECT", "CGENERAL"], None, "Again").await;
    assert!(again["errors"]["change_channels"].is_string(), "{again}");
    // The asker cannot approve it; another approver does.
    app.click(APPROVER, "approve_request", extension.id.0).await;
    app.run_jobs().await;
    assert!(app.fake.calls_to("admin.conversations.invite").is_empty());
    app.click(APPROVER_2, "approve_request", extension.id.0)
        .await;
    app.run_jobs().await;
    let invite = app.only_call("admin.conversations.invite");
    assert_eq!(invite.args["channel_id"], "CGENERAL");
    assert_eq!(invite.args["user_ids"], GUEST);
    assert_eq!(channels(&app.request(id).await), ["CPROJECT", "CGENERAL"]);
    // The end stayed where the narrowing put it.
    assert_eq!(app.request(id).await.expires_at, after.expires_at);
}

#[tokio::test]
async fn a_channel_change_refuses_an_account_that_is_no_longer_a_guest() {
    let app = slack_admin().start().await;
    let id = active_multi_channel_guest(&app).await;
    // Made a full member in Slack, and Guestlist has not heard yet.
    app.fake.update_user(GUEST, |u| {
        u.is_restricted = false;
        u.is_ultra_restricted = false;
    });
    app.fake.clear_calls();
    let answer = submit_change(&app, APPROVER, id, &["CPROJECT"], None, "Fewer channels").await;
    assert_eq!(answer, Value::Null);
    assert!(
        app.fake.calls_to("conversations.kick").is_empty(),
        "a member's account is never changed"
    );
    assert_eq!(channels(&app.request(id).await), ["CPROJECT", "COTHER"]);
    let audit: Vec<String> = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect();
    assert!(audit.contains(&"channels_refused".into()), "{audit:?}");
}

#[tokio::test]
async fn replacing_every_channel_waits_for_approval_so_the_guest_is_never_left_in_none() {
    let app = slack_admin().start().await;
    let id = active_multi_channel_guest(&app).await;
    let end = app.request(id).await.expires_at;
    let later = (app.now() + Duration::days(60)).date_naive().to_string();
    let both = submit_change(
        &app,
        APPROVER,
        id,
        &["CGENERAL"],
        Some(&later),
        "Moves team",
    )
    .await;
    assert!(both["errors"]["change_date"].is_string(), "{both}");
    app.fake.clear_calls();
    let answer = submit_change(&app, APPROVER, id, &["CGENERAL"], None, "Moves team").await;
    assert_eq!(answer, Value::Null);
    assert!(
        app.fake.calls_to("conversations.kick").is_empty(),
        "nothing removed yet"
    );
    assert_eq!(channels(&app.request(id).await), ["CPROJECT", "COTHER"]);
    let extension = app
        .store
        .requests_by_parent(&team(), RequestId(id))
        .await
        .unwrap()
        .pop()
        .unwrap();
    app.click(APPROVER_2, "approve_request", extension.id.0)
        .await;
    app.run_jobs().await;
    assert_eq!(
        app.only_call("admin.conversations.invite").args["channel_id"],
        "CGENERAL"
    );
    let kicked: Vec<String> = app
        .fake
        .calls_to("conversations.kick")
        .iter()
        .map(|c| c.args["channel"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kicked, ["CPROJECT", "COTHER"]);
    assert_eq!(channels(&app.request(id).await), ["CGENERAL"]);
    assert_eq!(app.request(id).await.expires_at, end, "the end never moves");
}

/// Taking a guest out of a channel removes them from it; a `not_in_channel` answer is read
/// again from the channel's members before it counts as done, since Slack says the same when
/// the admin cannot act in the channel.
#[tokio::test]
async fn a_removal_is_checked_against_the_channels_members() {
    use guestlist::fake_slack::Failure;
    let app = slack_admin().start().await;
    let id = active_multi_channel_guest(&app).await;
    app.fake.join_channel("CPROJECT", GUEST);
    app.fake.join_channel("COTHER", GUEST);

    // Slack answers not_in_channel, yet the guest is there: not done, approvers told.
    app.fake.fail_next(
        "conversations.kick",
        1,
        Failure::Error("not_in_channel".into()),
    );
    submit_change(
        &app,
        APPROVER,
        id,
        &["CPROJECT"],
        None,
        "The other project is over",
    )
    .await;
    assert!(app.fake.members_of("COTHER").contains(GUEST));
    assert!(
        !app.fake.calls_to("conversations.members").is_empty(),
        "the members were read again"
    );
    let thread = app.thread_texts().join("\n");
    assert!(
        thread.contains("were not changed") && thread.contains("not_in_channel"),
        "approvers are told: {thread}"
    );
    assert_eq!(
        channels(&app.request(id).await),
        ["CPROJECT", "COTHER"],
        "the request keeps the channel Slack still has"
    );

    // Without the false answer, the guest leaves the channel.
    submit_change(&app, APPROVER, id, &["CPROJECT"], None, "Again").await;
    assert_eq!(channels(&app.request(id).await), ["CPROJECT"]);
    assert!(
        !app.fake.members_of("COTHER").contains(GUEST),
        "{:?}",
        app.fake.members_of("COTHER")
    );
    assert!(app.fake.members_of("CPROJECT").contains(GUEST));
}

#[tokio::test]
async fn in_manual_mode_a_narrowing_is_recorded_and_handed_to_an_admin() {
    let app = Builder::new()
        .toml("[provisioning]\nmode = \"manual\"\n")
        .start()
        .await;
    let answer = app
        .submit(REQUESTER, &FormInput::new(EMAIL, &["CPROJECT", "COTHER"]))
        .await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    app.run_jobs().await;
    let id = app.request_id(EMAIL).await;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    // The admin invites by hand and says so; the person joins.
    let invite_task = app
        .fake
        .thread(REQUEST_CHANNEL, &app.card().ts)
        .into_iter()
        .find(|m| m.all_text().contains("Admin task"))
        .expect("the invitation task");
    let done = app.slack.button_click(
        APPROVER,
        "task_done",
        &format!("{id}:invite"),
        Some(REQUEST_CHANNEL),
        &invite_task.ts,
    );
    assert_eq!(app.slack.interaction(&done).await.unwrap().status, 200);
    app.run_jobs().await;
    app.team_join(GUEST, EMAIL).await;
    assert_eq!(app.state(id).await, RequestState::Active);

    app.fake.clear_calls();
    app.click(APPROVER, "change_access", id).await;
    assert_eq!(
        app.only_call("views.open").args["view"]["callback_id"],
        "change_access"
    );
    let answer = submit_change(
        &app,
        APPROVER,
        id,
        &["CPROJECT"],
        None,
        "Other project over",
    )
    .await;
    assert_eq!(answer, Value::Null, "{answer}");
    assert_eq!(channels(&app.request(id).await), ["CPROJECT"]);
    // Guestlist has no admin API here: nothing is called on the account, an admin is asked.
    for method in [
        "conversations.kick",
        "admin.conversations.invite",
        "admin.users.setExpiration",
    ] {
        assert!(app.fake.calls_to(method).is_empty(), "{method} called");
    }
    let tasks: Vec<String> = app
        .thread_texts()
        .into_iter()
        .filter(|t| t.contains("take them out of <#COTHER>"))
        .collect();
    assert_eq!(tasks.len(), 1, "{:#?}", app.thread_texts());
    assert!(tasks[0].contains("<@UG1>"), "{}", tasks[0]);
}

#[tokio::test]
async fn in_scim_mode_a_narrowing_is_recorded_and_handed_to_an_admin() {
    let Some((url, token)) = crate::lifecycle::scim_server("changes::scim (change access)") else {
        return;
    };
    let app = crate::lifecycle::scim_app(&url, &token).start().await;
    let email = format!("change-{}@partner.com", rand_u64() % 1_000_000);
    let id = app.approved(&email, &["CPROJECT", "COTHER"]).await;
    assert_eq!(app.state(id).await, RequestState::Invited);
    app.team_join(GUEST, &email).await;
    assert_eq!(app.state(id).await, RequestState::Active);
    let before = crate::lifecycle::scim_user(&url, &token, &email)
        .await
        .expect("on the SCIM server");

    app.click(APPROVER, "change_access", id).await;
    app.only_view("change_access");
    let answer = submit_change(
        &app,
        APPROVER,
        id,
        &["CPROJECT"],
        None,
        "Other project over",
    )
    .await;
    assert_eq!(answer, Value::Null, "{answer}");
    assert_eq!(channels(&app.request(id).await), ["CPROJECT"]);
    // SCIM has no channels: an admin is asked, and the directory entry is as it was.
    let tasks: Vec<String> = app
        .thread_texts()
        .into_iter()
        .filter(|t| t.contains("take them out of <#COTHER>"))
        .collect();
    assert_eq!(tasks.len(), 1, "{:#?}", app.thread_texts());
    assert!(app.fake.calls_to("conversations.kick").is_empty());
    let after = crate::lifecycle::scim_user(&url, &token, &email)
        .await
        .unwrap();
    assert_eq!(after["active"], before["active"]);
    assert_eq!(
        after["meta"]["version"], before["meta"]["version"],
        "{after}"
    );
}
