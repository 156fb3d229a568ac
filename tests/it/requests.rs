//! The guest-request channel through the front door: `/guest`, the form, the card, decisions,
//! refusals, races, escaping, reminders and App Home.

use crate::helpers::*;
use chrono::Duration;
use guestlist::domain::{RequestId, RequestState};
use guestlist::fake_slack::{FAKE_TEAM_ID, FakeMessage, FakeUser, FormInput};
use serde_json::{Value, json};

#[tokio::test]
async fn slash_guest_opens_the_form_in_the_requesters_time_zone() {
    let app = TestApp::start().await;
    let answer = app.slack.command(REQUESTER, "CGENERAL", "").await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "", "nothing to show; the modal is the answer");
    let opens = app.fake.calls_to("views.open");
    assert_eq!(opens.len(), 1);
    let view = opens[0].arg("view").unwrap();
    assert_eq!(view["callback_id"], "guest_request");
    let blocks: Vec<&str> = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["block_id"].as_str().unwrap())
        .collect();
    for block in [
        "email",
        "full_name",
        "organisation",
        "reason",
        "guest_type",
        "channels",
        "expiry_mode",
        "expiry_days",
        "expiry_date",
        "expiry_time",
    ] {
        assert!(blocks.contains(&block), "missing {block}: {blocks:?}");
    }
    let metadata: Value = serde_json::from_str(view["private_metadata"].as_str().unwrap()).unwrap();
    assert_eq!(metadata["tz"], "America/New_York");
    assert!(opens[0].arg_str("trigger_id").is_some());
}

#[tokio::test]
async fn a_trigger_that_expires_before_the_form_opens_gets_an_answer_to_run_it_again() {
    let app = TestApp::start().await;
    // Slack takes longer than the trigger id lives to take the `views.open`.
    app.fake.delay_next(
        "views.open",
        1,
        guestlist::fake_slack::TRIGGER_LIFETIME + std::time::Duration::from_millis(200),
    );
    let answer = app.slack.command(REQUESTER, "CGENERAL", "").await.unwrap();
    assert_eq!(answer.status, 200);
    let said = answer.json();
    assert_eq!(said["response_type"], "ephemeral", "{}", answer.body);
    assert!(
        said["text"]
            .as_str()
            .unwrap()
            .contains("Please run `/guest` again"),
        "{}",
        answer.body
    );
    let opens = app.fake.calls_to("views.open");
    assert_eq!(opens.len(), 1, "one attempt, refused as Slack refuses it");
    // Run again, on time: the form opens.
    app.slack.command(REQUESTER, "CGENERAL", "").await.unwrap();
    assert_eq!(app.fake.calls_to("views.open").len(), 2);
    assert_eq!(
        app.fake.views_shown().len(),
        1,
        "one view shown: the second"
    );
}

#[tokio::test]
async fn an_end_at_a_date_and_time_is_read_in_the_requesters_time_zone() {
    let app = TestApp::start().await;
    // India keeps one offset all year (UTC+5:30), so the expected instant is exact.
    app.fake
        .add_user(FakeUser::new("UKOLKATA", "Kiran Rao").tz("Asia/Kolkata"));
    app.slack.command("UKOLKATA", "CGENERAL", "").await.unwrap();
    let day = (app.now() + Duration::days(20)).date_naive();
    let mut form = FormInput::new("kiran.guest@partner.example", &["CPROJECT"]);
    form.expiry_mode = "date".into();
    form.expiry_days = None;
    form.expiry_date = Some(day.format("%Y-%m-%d").to_string());
    form.expiry_time = Some("17:30".into());
    // The form Slack shows carries the zone it was opened in; the submission returns it.
    let answer = app.submit_opened("UKOLKATA", form.state_values()).await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    let request = app
        .request(app.request_id("kiran.guest@partner.example").await)
        .await;
    let noon_utc = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    assert_eq!(
        request.expiry,
        guestlist::domain::expiry::Expiry::At { at: noon_utc },
        "17:30 in Kolkata is 12:00 UTC"
    );
}

#[tokio::test]
async fn a_bad_email_is_answered_on_its_block_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let mut form = FormInput::new("not-an-email", &["CPROJECT"]);
    form.channels = vec!["CPROJECT".into(), "COTHER".into()];
    let answer = app.submit(REQUESTER, &form).await;
    assert_eq!(answer["response_action"], "errors");
    assert_eq!(
        answer["errors"]["email"],
        "That is not a valid email address."
    );
    assert_eq!(
        answer["errors"]["channels"],
        "A single-channel guest gets exactly one channel."
    );
    assert!(
        app.store
            .requests_by_requester(&team(), &REQUESTER.into(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.run_jobs().await, 0);
    assert!(app.fake.messages().is_empty());
}

#[tokio::test]
async fn past_dates_and_expiries_beyond_policy_are_refused_on_their_blocks() {
    let app = TestApp::start().await;
    let mut form = FormInput::new("a@partner.com", &["CPROJECT"]);
    form.expiry_mode = "date".into();
    form.expiry_date = Some("2020-01-01".into());
    let answer = app.submit(REQUESTER, &form).await;
    assert!(
        answer["errors"]["expiry_date"]
            .as_str()
            .unwrap()
            .contains("already passed"),
        "{answer}"
    );
    form.expiry_mode = "days".into();
    form.expiry_days = Some("365".into());
    let answer = app.submit(REQUESTER, &form).await;
    assert_eq!(
        answer["errors"]["expiry_days"],
        "The longest allowed is 90 days."
    );
    form.expiry_mode = "never".into();
    let answer = app.submit(REQUESTER, &form).await;
    assert!(
        answer["errors"]["expiry_mode"]
            .as_str()
            .unwrap()
            .contains("must end"),
        "{answer}"
    );
    assert!(
        app.store
            .requests_by_requester(&team(), &REQUESTER.into(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_valid_request_is_stored_posted_as_a_card_and_confirmed_by_dm() {
    let app = TestApp::start().await;
    let answer = app
        .submit(
            REQUESTER,
            &FormInput::new(" Grace@Partner.com ", &["CPROJECT"]),
        )
        .await;
    assert_eq!(
        answer["response_action"], "update",
        "the form turns into a confirmation"
    );
    let request = app
        .store
        .open_request_for_email(&team(), "grace@partner.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.state, RequestState::Pending);
    assert_eq!(request.requester.as_str(), REQUESTER);

    app.run_jobs().await;
    let card = app.card();
    assert_eq!(
        buttons(&card),
        vec!["approve_request", "approve_with_changes", "deny_request"]
    );
    let text = card.all_text();
    assert!(
        text.contains("grace@partner.com")
            && text.contains("<#CPROJECT>")
            && text.contains("30 days after approval"),
        "{text}"
    );
    let dms = app.fake.messages_in(REQUESTER);
    assert_eq!(dms.len(), 1);
    assert!(
        dms[0].all_text().contains(&format!("#{}", request.id.0)),
        "the DM names the request id"
    );
    assert!(
        app.store
            .get_request(&team(), request.id)
            .await
            .unwrap()
            .unwrap()
            .card
            .is_some()
    );
}

#[tokio::test]
async fn an_approver_approves_and_everyone_hears_of_it() {
    let app = TestApp::start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    app.click(APPROVER, "approve_request", id).await;
    assert_eq!(app.state(id).await, RequestState::Approved);
    app.run_jobs().await;

    let updates = app.fake.calls_to("chat.update");
    assert_eq!(updates.len(), 1);
    let card = app.card();
    assert_eq!(
        buttons(&card),
        vec!["revoke_access"],
        "no decision buttons once decided; only revocation"
    );
    assert!(
        card.all_text()
            .contains(&format!("Approved by <@{APPROVER}>")),
        "{}",
        card.all_text()
    );
    let thread = app.fake.thread(REQUEST_CHANNEL, &card.ts);
    assert!(
        thread.iter().any(|m| m.all_text().contains("Approved by")),
        "a thread reply records the step"
    );
    let dms = app.fake.messages_in(REQUESTER);
    assert!(
        dms.iter().any(|m| m.all_text().contains("was approved")),
        "the requester is told"
    );
    let request = app
        .store
        .get_request(&team(), RequestId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.decided_by.unwrap().as_str(), APPROVER);
    let expires = request
        .expires_at
        .expect("a duration becomes a deadline at approval");
    assert!(
        (expires - (app.now() + Duration::days(30)))
            .num_seconds()
            .abs()
            < 5
    );
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap();
    assert_eq!(
        audit
            .iter()
            .map(|a| a.entry.action.as_str())
            .collect::<Vec<_>>(),
        vec!["submit", "vote_approve", "approve", "admin_task"],
        "manual provisioning (the default) hands the invitation to an admin"
    );
}

#[tokio::test]
async fn a_non_approver_is_refused_and_nothing_changes() {
    let app = TestApp::start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    app.click(OUTSIDER, "approve_request", id).await;
    app.click(OUTSIDER, "deny_request", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Pending);
    assert!(
        app.fake.calls_to("chat.update").is_empty(),
        "the card does not change"
    );
    assert!(
        app.views_opened("deny_reason").is_empty(),
        "no deny form for a non-approver"
    );
    let texts = app.ephemeral_texts();
    assert_eq!(texts.len(), 2);
    assert!(
        texts.iter().all(|t| t.contains("Only approvers")),
        "{texts:?}"
    );
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|a| a.entry.action.starts_with("refused_"))
        .collect();
    assert_eq!(refused.len(), 2);
    assert!(
        refused
            .iter()
            .all(|a| a.entry.actor == OUTSIDER && a.entry.detail == "not_allowed")
    );
}

#[tokio::test]
async fn a_requester_who_is_an_approver_cannot_decide_their_own_request() {
    let app = TestApp::start().await;
    let answer = app
        .submit(APPROVER, &FormInput::new("own@partner.com", &["CPROJECT"]))
        .await;
    assert_eq!(answer["response_action"], "update");
    app.run_jobs().await;
    let id = app
        .store
        .open_request_for_email(&team(), "own@partner.com")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Pending);
    assert!(app.fake.calls_to("chat.update").is_empty());
    assert!(app.ephemeral_texts()[0].contains("your own request"));
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "refused_approve" && a.entry.detail == "own_request")
    );
}

#[tokio::test]
async fn twenty_concurrent_clicks_give_one_decision_and_one_card_update() {
    let app = Builder::new().toml("").start().await;
    let approvers: Vec<String> = (1..=20).map(|i| format!("UAPP{i:02}")).collect();
    for (i, id) in approvers.iter().enumerate() {
        app.fake
            .add_user(FakeUser::new(id, &format!("Approver {i}")).admin());
    }
    let id = app.request_posted("race@partner.com", &["CPROJECT"]).await;
    let clicks = approvers.iter().enumerate().map(|(i, user)| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                app.click(user, "approve_request", id).await;
            } else {
                app.deny_with(user, id, "not this time").await;
            }
        }
    });
    futures_join_all(clicks).await;
    app.run_jobs().await;

    let final_state = app.state(id).await;
    assert!(matches!(
        final_state,
        RequestState::Approved | RequestState::Denied
    ));
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap();
    let decisions: Vec<_> = audit
        .iter()
        .filter(|a| a.entry.action == "approve" || a.entry.action == "deny")
        .collect();
    assert_eq!(decisions.len(), 1, "exactly one decision: {audit:#?}");
    assert_eq!(
        app.fake.calls_to("chat.update").len(),
        1,
        "exactly one card update"
    );
    let card = app.card();
    let winner = decisions[0].entry.actor.clone();
    assert!(
        card.all_text().contains(&format!("<@{winner}>")),
        "the card names the winner"
    );
    let thread = app.fake.thread(REQUEST_CHANNEL, &card.ts);
    assert_eq!(
        thread
            .iter()
            .filter(|m| m.all_text().contains("Approved by") || m.all_text().contains("Denied by"))
            .count(),
        1
    );
    // Losers who clicked a button were told who decided first.
    let told: Vec<String> = app
        .ephemeral_texts()
        .into_iter()
        .filter(|t| t.contains("already"))
        .collect();
    assert!(!told.is_empty());
    assert!(
        told.iter().all(|t| t.contains(&format!("<@{winner}>"))),
        "every loser told is told who decided first: {told:?}"
    );
}

/// `futures::future::join_all` without the dependency: spawn-free, on the current task.
async fn futures_join_all<F: std::future::Future<Output = ()>>(
    futures: impl IntoIterator<Item = F>,
) {
    let futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut pending: Vec<_> = futures.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    done = false;
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

#[tokio::test]
async fn a_channel_scoped_approver_decides_only_for_their_channels() {
    let app = TestApp::start().await;
    let mine = app
        .request_posted("inside@partner.com", &["CPROJECT"])
        .await;
    app.click(LEAD, "approve_request", mine).await;
    assert_eq!(app.state(mine).await, RequestState::Approved);

    let answer = app
        .submit(
            REQUESTER,
            &FormInput::new("outside@partner.com", &["COTHER"]),
        )
        .await;
    assert_eq!(answer["response_action"], "update");
    app.run_jobs().await;
    let other = app
        .store
        .open_request_for_email(&team(), "outside@partner.com")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    app.click(LEAD, "approve_request", other).await;
    app.run_jobs().await;
    assert_eq!(app.state(other).await, RequestState::Pending);
    assert!(
        app.ephemeral_texts()
            .iter()
            .any(|t| t.contains("<#COTHER>")),
        "the refusal names the channel outside the scope"
    );
}

#[tokio::test]
async fn what_users_type_reaches_slack_escaped() {
    let app = TestApp::start().await;
    let mut form = FormInput::new("mallory@partner.com", &["CPROJECT"]);
    form.reason = "<!channel> <@U123> & <script>".into();
    form.full_name = "<!here> Mallory".into();
    form.organisation = "<https://evil.example|Totally Legit>".into();
    app.submit(REQUESTER, &form).await;
    app.run_jobs().await;
    let id = app
        .store
        .open_request_for_email(&team(), "mallory@partner.com")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    app.deny_on_card(APPROVER, id, "<!everyone> no").await;
    app.run_jobs().await;

    let everything: String = app
        .fake
        .calls()
        .iter()
        .map(|c| c.args.to_string())
        .collect();
    for raw in [
        "<!channel>",
        "<@U123>",
        "<script>",
        "<!here>",
        "<https://evil",
        "<!everyone>",
    ] {
        assert!(!everything.contains(raw), "{raw} reached Slack unescaped");
    }
    let card = app.card().all_text();
    assert!(
        card.contains("&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;script&gt;"),
        "{card}"
    );
    assert!(card.contains("&lt;!here&gt; Mallory"), "{card}");
}

#[tokio::test]
async fn a_second_request_for_the_same_email_is_refused_with_who_asked_and_when() {
    let app = TestApp::start().await;
    app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    let answer = app
        .submit(APPROVER, &FormInput::new("GRACE@partner.com", &["COTHER"]))
        .await;
    assert_eq!(answer["response_action"], "errors");
    let message = answer["errors"]["email"].as_str().unwrap();
    assert!(
        message.contains("Rita Requester") && message.contains("waiting for approval"),
        "{message}"
    );
    assert_eq!(
        app.store
            .requests_by_requester(&team(), &APPROVER.into(), 10)
            .await
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn denying_asks_for_a_reason_and_tells_the_requester() {
    let app = TestApp::start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    app.click(APPROVER, "deny_request", id).await;
    let opens = app.views_opened("deny_reason");
    assert_eq!(opens.len(), 1);
    let reason = |text: &str| json!({"deny_reason": {"deny_reason": {"type": "plain_text_input", "value": text}}});
    let empty = app.submit_opened(APPROVER, reason("  ")).await;
    assert!(empty["errors"]["deny_reason"].is_string());
    assert_eq!(app.state(id).await, RequestState::Pending);
    let answer = app.submit_opened(APPROVER, reason("No NDA on file")).await;
    assert_eq!(answer, Value::Null, "an empty 200 closes the modal");
    assert_eq!(app.state(id).await, RequestState::Denied);
    app.run_jobs().await;
    assert!(
        app.fake
            .messages_in(REQUESTER)
            .iter()
            .any(|m| m.all_text().contains("No NDA on file"))
    );
    assert!(app.card().all_text().contains("Denied by"));
    // A late approval is told who decided first.
    app.click(APPROVER_2, "approve_request", id).await;
    app.run_jobs().await;
    assert!(
        app.ephemeral_texts()
            .iter()
            .any(|t| t.contains("already denied") && t.contains(APPROVER))
    );
}

#[tokio::test]
async fn a_stale_request_reminds_approvers_once() {
    let app = TestApp::start().await;
    let id = app.request_posted("slow@partner.com", &["CPROJECT"]).await;
    app.clock.advance(Duration::hours(47));
    app.run_jobs().await;
    let ts = app.card().ts;
    assert!(app.fake.thread(REQUEST_CHANNEL, &ts).is_empty(), "not yet");
    app.clock.advance(Duration::hours(2));
    app.run_jobs().await;
    let thread = app.fake.thread(REQUEST_CHANNEL, &ts);
    assert_eq!(thread.len(), 1);
    let text = thread[0].all_text();
    assert!(
        text.contains(&format!("<@{APPROVER}>")) && text.contains(&format!("#{id}")),
        "{text}"
    );
    app.clock.advance(Duration::hours(100));
    app.run_jobs().await;
    assert_eq!(
        app.fake.thread(REQUEST_CHANNEL, &ts).len(),
        1,
        "one reminder only"
    );
}

#[tokio::test]
async fn a_message_in_the_request_channel_gets_a_button_in_its_thread() {
    let app = TestApp::start().await;
    let event = json!({"type": "message", "channel": REQUEST_CHANNEL, "user": REQUESTER, "text": "can I get a guest?", "ts": "1700000100.000100", "channel_type": "channel"});
    app.fake.state().messages.push(FakeMessage {
        channel: REQUEST_CHANNEL.into(),
        ts: "1700000100.000100".into(),
        thread_ts: None,
        text: Some("can I get a guest?".into()),
        blocks: Value::Null,
        updates: 0,
    });
    app.slack.event("EvMsg1", event.clone()).await.unwrap();
    // Bot posts, edits and thread replies are not offered a button.
    app.slack.event("EvMsg2", json!({"type": "message", "subtype": "bot_message", "channel": REQUEST_CHANNEL, "bot_id": "B1", "ts": "1700000101.1"})).await.unwrap();
    app.slack.event("EvMsg3", json!({"type": "message", "channel": REQUEST_CHANNEL, "user": REQUESTER, "ts": "1700000102.1", "thread_ts": "1700000100.000100"})).await.unwrap();
    app.slack.event("EvMsg4", json!({"type": "message", "channel": "CGENERAL", "user": REQUESTER, "ts": "1700000103.1"})).await.unwrap();
    app.run_jobs().await;
    let replies = app.fake.thread(REQUEST_CHANNEL, "1700000100.000100");
    assert_eq!(replies.len(), 1);
    assert_eq!(buttons(&replies[0]), vec!["open_request_form"]);
    // The button opens the same form.
    let click = app.slack.button_click(
        REQUESTER,
        "open_request_form",
        "",
        Some(REQUEST_CHANNEL),
        &replies[0].ts,
    );
    app.slack.interaction(&click).await.unwrap();
    assert_eq!(
        app.fake.calls_to("views.open")[0].arg("view").unwrap()["callback_id"],
        "guest_request"
    );
}

#[tokio::test]
async fn the_global_shortcut_opens_the_form() {
    let app = TestApp::start().await;
    let payload = json!({
        "type": "shortcut", "callback_id": "request_guest", "trigger_id": app.slack.trigger_id(),
        "team": {"id": FAKE_TEAM_ID, "domain": "fake"}, "user": {"id": REQUESTER, "username": "rita", "team_id": FAKE_TEAM_ID},
        "api_app_id": "AGUESTLIST", "token": "t", "action_ts": "1700000000.1",
    });
    let answer = app.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    let opened = app.only_call("views.open");
    assert_eq!(opened.arg_str("trigger_id"), payload["trigger_id"].as_str());
    let view = opened.arg("view").unwrap();
    assert_eq!(view["callback_id"], "guest_request", "{view}");
    assert_eq!(view["title"]["text"], "Request a guest", "{view}");
    assert!(
        view.to_string().contains("\"block_id\":\"email\""),
        "the form asks for the guest's email: {view}"
    );
}

#[tokio::test]
async fn app_home_shows_my_requests_and_the_approvers_queue() {
    let app = TestApp::start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    app.slack
        .event(
            "EvHome1",
            json!({"type": "app_home_opened", "user": APPROVER, "tab": "home"}),
        )
        .await
        .unwrap();
    app.slack
        .event(
            "EvHome2",
            json!({"type": "app_home_opened", "user": OUTSIDER, "tab": "home"}),
        )
        .await
        .unwrap();
    app.run_jobs().await;
    let approver_home = app.fake.home_view(APPROVER).unwrap().to_string();
    assert!(
        approver_home.contains("Waiting for approval (1)")
            && approver_home.contains("approve_request"),
        "{approver_home}"
    );
    let outsider_home = app.fake.home_view(OUTSIDER).unwrap().to_string();
    assert!(
        !outsider_home.contains("approve_request"),
        "non-approvers see no queue"
    );
    let requester_home = app.fake.home_view(REQUESTER).unwrap().to_string();
    assert!(
        requester_home.contains(&format!("#{id}")) && requester_home.contains("grace@partner.com")
    );

    // Approving from App Home (no response_url) works the same and answers by DM when refused.
    let from_home = app
        .slack
        .button_click(OUTSIDER, "approve_request", &id.to_string(), None, "");
    app.slack.interaction(&from_home).await.unwrap();
    let from_home = app
        .slack
        .button_click(APPROVER, "approve_request", &id.to_string(), None, "");
    app.slack.interaction(&from_home).await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Approved);
    assert!(
        app.fake
            .messages_in(OUTSIDER)
            .iter()
            .any(|m| m.all_text().contains("Only approvers"))
    );
}

#[tokio::test]
async fn list_status_and_cancel() {
    let app = TestApp::start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    let list = app
        .slack
        .command(REQUESTER, "CGENERAL", "list")
        .await
        .unwrap()
        .json();
    assert!(list["text"].as_str().unwrap().contains("grace@partner.com"));
    assert_eq!(list["response_type"], "ephemeral");
    let status = app
        .slack
        .command(REQUESTER, "CGENERAL", &format!("status {id}"))
        .await
        .unwrap()
        .json();
    assert!(
        status["text"].as_str().unwrap().contains("EST")
            || status["text"].as_str().unwrap().contains("EDT"),
        "shown in the requester's zone: {status}"
    );
    let nosy = app
        .slack
        .command(OUTSIDER, "CGENERAL", &format!("status {id}"))
        .await
        .unwrap()
        .json();
    assert!(nosy["text"].as_str().unwrap().contains("not yours"));
    let not_theirs = app
        .slack
        .command(APPROVER, "CGENERAL", &format!("cancel {id}"))
        .await
        .unwrap()
        .json();
    assert!(
        not_theirs["text"]
            .as_str()
            .unwrap()
            .contains("Only the person who asked")
    );
    let cancelled = app
        .slack
        .command(REQUESTER, "CGENERAL", &format!("cancel #{id}"))
        .await
        .unwrap()
        .json();
    assert!(
        cancelled["text"].as_str().unwrap().contains("cancelled"),
        "{cancelled}"
    );
    assert_eq!(app.state(id).await, RequestState::Cancelled);
    app.run_jobs().await;
    assert!(buttons(&app.card()).is_empty());
    let help = app
        .slack
        .command(REQUESTER, "CGENERAL", "help")
        .await
        .unwrap()
        .json();
    assert!(help["text"].as_str().unwrap().contains("/guest cancel"));
    let unknown = app
        .slack
        .command(REQUESTER, "CGENERAL", "frobnicate")
        .await
        .unwrap()
        .json();
    assert!(unknown["text"].as_str().unwrap().contains("don't know"));
}

#[tokio::test]
async fn requesters_can_be_limited_to_groups() {
    let app = Builder::new()
        .toml("[requests]\nrequester_usergroups = [\"SREQ\"]\n")
        .start()
        .await;
    app.fake
        .add_usergroup("SREQ", "guest-requesters", &[REQUESTER]);
    let refused = app
        .slack
        .command(OUTSIDER, "CGENERAL", "")
        .await
        .unwrap()
        .json();
    assert!(
        refused["text"]
            .as_str()
            .unwrap()
            .contains("<!subteam^SREQ>"),
        "{refused}"
    );
    let allowed = app.slack.command(REQUESTER, "CGENERAL", "").await.unwrap();
    assert_eq!(allowed.body, "");
    assert_eq!(app.fake.calls_to("views.open").len(), 1);
}

#[tokio::test]
async fn approver_groups_and_workspace_admins_decide() {
    let app = Builder::new().toml("").start().await;
    let id = app.request_posted("a@partner.com", &["CPROJECT"]).await;
    app.click("UADMIN", "approve_request", id).await;
    assert_eq!(
        app.state(id).await,
        RequestState::Approved,
        "a workspace admin approves (workspace_admins = true)"
    );
}

#[tokio::test]
async fn the_audit_log_exports_as_csv_and_json() {
    let app = Builder::new().backend(Backend::Sqlite).start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    app.click(OUTSIDER, "approve_request", id).await;
    app.click(APPROVER, "approve_request", id).await;
    let db = app.dir.path().join("guestlist.db");
    let run = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
            .args(["audit", "export", "--format", format])
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .current_dir(app.dir.path())
            .output()
            .unwrap()
    };
    let csv = run("csv");
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let csv = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,team_id,request_id,actor,action,from_state,to_state,detail"
    );
    // The vote is its own row, then the decision it completed.
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(
        lines[2].contains("refused_approve")
            && lines[3].contains(",vote_approve,pending,,")
            && lines[4].contains(",approve,pending,approved,"),
        "{csv}"
    );
    let json: Value = serde_json::from_slice(&run("json").stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 4);
    assert_eq!(json[1]["actor"], OUTSIDER);
}

#[tokio::test]
async fn guestlist_audit_export_since_gives_the_rows_from_that_time_on() {
    let app = Builder::new().backend(Backend::Sqlite).start().await;
    let early = app
        .request_posted("early@partner.example", &["CPROJECT"])
        .await;
    app.clock.advance(Duration::days(3));
    let cut = app.now() - Duration::hours(1);
    let late = app
        .request_posted("late@partner.example", &["CPROJECT"])
        .await;
    let output = app
        .cli(&[
            "audit",
            "export",
            "--format",
            "json",
            "--since",
            &cut.to_rfc3339(),
        ])
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r["request_id"] == late),
        "only the late request's rows: {rows:#?}"
    );
    // A date is midnight UTC; every row of both requests is after the first day began.
    let day = (app.now() - Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let output = app
        .cli(&["audit", "export", "--format", "csv", "--since", &day])
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = String::from_utf8(output.stdout).unwrap();
    assert!(csv.starts_with("id,at,team_id,request_id,actor"), "{csv}");
    for id in [early, late] {
        assert!(csv.contains(&format!(",{id},")), "request {id} in {csv}");
    }
    // A --since that is no date is refused by name.
    let output = app.cli(&["audit", "export", "--since", "last week"]).await;
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--since \"last week\" is not a date"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn an_approver_named_by_id_who_is_a_guest_or_deactivated_decides_nothing() {
    let app = Builder::new()
        .approvers(
            "[approvers]\nusers = [\"UAPPROVER\", \"UGUESTAPPR\", \"UGONEAPPR\"]\nworkspace_admins = false\n",
        )
        .start()
        .await;
    app.fake
        .add_user(FakeUser::new("UGUESTAPPR", "Gina Guest").guest(false))
        .add_user(FakeUser::new("UGONEAPPR", "Gus Gone").deleted());
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    for clicker in ["UGUESTAPPR", "UGONEAPPR"] {
        app.click(clicker, "approve_request", id).await;
        app.run_jobs().await;
        assert_eq!(app.state(id).await, RequestState::Pending, "{clicker}");
    }
    let refused: Vec<String> = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.entry.action == "refused_approve")
        .map(|a| a.entry.actor)
        .collect();
    assert_eq!(refused, vec!["UGUESTAPPR", "UGONEAPPR"]);
    assert_eq!(app.ephemeral_texts().len(), 2, "each is told why");
    // The approver who is neither decides.
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    assert_ne!(app.state(id).await, RequestState::Pending);
}
