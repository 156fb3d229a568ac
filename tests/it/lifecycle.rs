//! Provisioning and the guest lifecycle through the front door: the exact calls each provisioner
//! makes, its mapped errors, acceptance, lapses, resends, reminders, extensions, expiry and
//! restarts.

use crate::helpers::*;
use chrono::{DateTime, Duration, Utc};
use guestlist::domain::{RequestId, RequestState};
use guestlist::fake_slack::{Failure, FakeUser};
use serde_json::{Value, json};

// ---- slack_admin (Enterprise Grid) ----

#[tokio::test]
async fn grid_invites_with_the_documented_arguments_and_the_admin_token() {
    let app = slack_admin().start().await;
    let id = app
        .approved("grace@partner.com", &["CPROJECT", "COTHER"])
        .await;
    let invite = app.only_call("admin.users.invite");
    assert_eq!(
        invite.token.as_deref(),
        Some(ADMIN_TOKEN),
        "admin.* goes with the org admin user token"
    );
    assert_eq!(invite.arg_str("team_id"), Some("T0FAKE"));
    assert_eq!(invite.arg_str("email"), Some("grace@partner.com"));
    assert_eq!(invite.arg_str("channel_ids"), Some("CPROJECT,COTHER"));
    assert_eq!(invite.arg_str("real_name"), Some("Grace Hopper"));
    assert_eq!(
        invite.arg("is_restricted"),
        Some(&json!(true)),
        "multi-channel guest"
    );
    assert_eq!(invite.arg("is_ultra_restricted"), None);
    assert_eq!(invite.arg("resend"), Some(&json!(false)));
    let request = app.request(id).await;
    let expiry = request.expires_at.unwrap().timestamp().to_string();
    assert_eq!(
        invite.arg_str("guest_expiration_ts"),
        Some(expiry.as_str()),
        "a string, per the docs"
    );
    assert_eq!(request.state, RequestState::Invited);
    assert_eq!(
        app.store
            .invitation_count(&team(), "grace@partner.com")
            .await
            .unwrap(),
        1
    );
    let card = app.card();
    assert_eq!(buttons(&card), vec!["resend_invite", "revoke_access"]);
    assert!(
        app.fake
            .thread("CREQUESTS", &card.ts)
            .iter()
            .any(|m| m.all_text().contains("Invitation sent"))
    );

    let single = app.approved("ada@partner.com", &["CPROJECT"]).await;
    let invites = app.fake.calls_to("admin.users.invite");
    assert_eq!(
        invites[1].arg("is_ultra_restricted"),
        Some(&json!(true)),
        "single-channel guest"
    );
    assert_eq!(invites[1].arg("is_restricted"), None);
    assert_eq!(app.state(single).await, RequestState::Invited);
}

#[tokio::test]
async fn grid_errors_are_mapped_to_who_can_fix_them() {
    let app = slack_admin().start().await;

    // already_in_team: an existing guest account is linked instead of failing.
    app.fake.add_user(
        FakeUser::new("UEXISTS", "Existing Person")
            .email("exists@partner.com")
            .guest(false),
    );
    app.fake.fail_next(
        "admin.users.invite",
        1,
        Failure::Error("already_in_team".into()),
    );
    let linked = app.approved("exists@partner.com", &["CPROJECT"]).await;
    let linked = app.request(linked).await;
    assert_eq!(linked.state, RequestState::Active);
    assert_eq!(linked.slack_user_id.as_deref(), Some("UEXISTS"));
    let set = app.fake.calls_to("admin.users.setExpiration");
    assert_eq!(set.len(), 1, "the linked account gets our expiry");
    assert_eq!(set[0].arg_str("user_id"), Some("UEXISTS"));
    assert_eq!(
        set[0].arg("expiration_ts").and_then(Value::as_i64),
        linked.expires_at.map(|t| t.timestamp())
    );

    // already_in_team_invited_user: tracked as invited.
    app.fake.fail_next(
        "admin.users.invite",
        1,
        Failure::Error("already_in_team_invited_user".into()),
    );
    let pending = app.approved("pending@partner.com", &["CPROJECT"]).await;
    assert_eq!(app.state(pending).await, RequestState::Invited);

    // invalid_email goes back to the requester; the request stays approved.
    app.fake.fail_next(
        "admin.users.invite",
        1,
        Failure::Error("invalid_email".into()),
    );
    let bad = app.approved("odd@partner.com", &["CPROJECT"]).await;
    assert_eq!(app.state(bad).await, RequestState::Approved);
    assert!(
        app.texts_in(REQUESTER)
            .iter()
            .any(|t| t.contains("could not be sent") && t.contains("not a valid email"))
    );

    // Configuration problems are shown to approvers, with a Retry button.
    for code in [
        "not_an_admin",
        "feature_not_enabled",
        "failed_to_validate_channels",
    ] {
        app.fake
            .fail_next("admin.users.invite", 1, Failure::Error(code.into()));
        let id = app
            .approved(
                &format!("{code}@partner.com").replace('_', "-"),
                &["CPROJECT"],
            )
            .await;
        assert_eq!(app.state(id).await, RequestState::Approved, "{code}");
        let cards = app.fake.top_level_in(REQUEST_CHANNEL);
        let card = cards
            .iter()
            .find(|c| c.all_text().contains(&format!("#{id}")))
            .unwrap();
        let thread = app.fake.thread(REQUEST_CHANNEL, &card.ts);
        let problem = thread
            .iter()
            .find(|m| m.all_text().contains(code))
            .unwrap_or_else(|| panic!("{code}: {thread:#?}"));
        assert_eq!(buttons(problem), vec!["retry_provision"]);
        let audit = app
            .store
            .audit_for_request(&team(), RequestId(id))
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.entry.action == "provision_failed" && a.entry.detail.contains(code))
        );
    }

    // Fixed: the retry goes out.
    let failed = app
        .store
        .requests_in_state(&team(), RequestState::Approved, 10)
        .await
        .unwrap();
    let retry = failed
        .iter()
        .find(|r| r.email.as_str().starts_with("not-an-admin"))
        .unwrap()
        .id
        .0;
    app.click(APPROVER, "retry_provision", retry).await;
    app.run_jobs().await;
    assert_eq!(app.state(retry).await, RequestState::Invited);
}

#[tokio::test]
async fn a_team_join_with_the_invited_email_marks_the_guest_active() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "Grace@Partner.com").await;
    let request = app.request(id).await;
    assert_eq!(request.state, RequestState::Active);
    assert_eq!(request.slack_user_id.as_deref(), Some("WGRACE"));
    assert!(app.texts_in(REQUESTER).iter().any(|t| t.contains("joined")));
    assert_eq!(
        buttons(&app.card()),
        vec!["change_access", "make_member", "revoke_access"]
    );
}

#[tokio::test]
async fn grid_expiry_is_checked_and_enforced_once() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    let deadline = app.request(id).await.expires_at.unwrap();
    app.clock.set(deadline + Duration::minutes(30));
    app.run_jobs().await;
    assert_eq!(
        app.state(id).await,
        RequestState::Active,
        "Slack applies expirations hourly: we wait an hour"
    );
    app.clock.set(deadline + Duration::minutes(61));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    let remove = app.only_call("admin.users.remove");
    assert_eq!(remove.token.as_deref(), Some(ADMIN_TOKEN));
    assert_eq!(
        (remove.arg_str("team_id"), remove.arg_str("user_id")),
        (Some("T0FAKE"), Some("WGRACE"))
    );
    assert!(
        app.texts_in(REQUESTER)
            .iter()
            .any(|t| t.contains("has ended"))
    );
}

#[tokio::test]
async fn when_slack_already_ended_the_account_nothing_is_removed() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    app.fake.state().users.get_mut("WGRACE").unwrap().deleted = true;
    app.clock
        .set(app.request(id).await.expires_at.unwrap() + Duration::hours(2));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    assert!(
        app.fake.calls_to("admin.users.remove").is_empty(),
        "the expiry took in Slack; nothing to enforce"
    );
}

#[tokio::test]
async fn an_expiry_that_passed_while_the_bot_was_down_is_handled_once_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("restart.db").display());
    let first = slack_admin()
        .env("DATABASE_URL", &db)
        .backend(Backend::Sqlite)
        .store_url(&db)
        .start()
        .await;
    let id = first.approved("grace@partner.com", &["CPROJECT"]).await;
    first.team_join("WGRACE", "grace@partner.com").await;
    let deadline = first.request(id).await.expires_at.unwrap();
    drop(first);

    // Down for the deadline; a new process over the same file, later.
    for run in 0..2 {
        let next = slack_admin()
            .backend(Backend::Sqlite)
            .store_url(&db)
            .start()
            .await;
        next.fake.add_user(
            FakeUser::new("WGRACE", "Grace Hopper")
                .email("grace@partner.com")
                .guest(true),
        );
        next.clock.set(deadline + Duration::days(3 + run));
        next.run_jobs().await;
        assert_eq!(next.state(id).await, RequestState::Expired);
        let removes = next.fake.calls_to("admin.users.remove").len();
        assert_eq!(
            removes,
            if run == 0 { 1 } else { 0 },
            "run {run}: handled exactly once"
        );
        let audit = next
            .store
            .audit_for_request(&team(), RequestId(id))
            .await
            .unwrap();
        assert_eq!(
            audit.iter().filter(|a| a.entry.action == "expire").count(),
            1
        );
    }
}

// ---- resend, lapse ----

#[tokio::test]
async fn a_resend_within_the_hour_is_refused_with_the_wait_and_goes_out_after() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.clock.advance(Duration::minutes(20));
    app.click(REQUESTER, "resend_invite", id).await;
    app.run_jobs().await;
    let refused = app.ephemeral_texts();
    assert!(
        refused.iter().any(|t| t.contains("resend in 40 minutes")),
        "{refused:?}"
    );
    assert_eq!(app.fake.calls_to("admin.users.invite").len(), 1);

    app.clock.advance(Duration::minutes(41));
    app.click(REQUESTER, "resend_invite", id).await;
    app.run_jobs().await;
    let invites = app.fake.calls_to("admin.users.invite");
    assert_eq!(invites.len(), 2);
    assert_eq!(invites[1].arg("resend"), Some(&json!(true)));
    assert_eq!(
        app.store
            .invitation_count(&team(), "grace@partner.com")
            .await
            .unwrap(),
        2
    );
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.entry.action == "refused_resend"));
    assert!(audit.iter().any(|a| a.entry.action == "resend"));

    // Two clicks at once after the hour: one new invitation.
    app.clock.advance(Duration::minutes(61));
    let (a, b) = tokio::join!(
        app.click(REQUESTER, "resend_invite", id),
        app.click(APPROVER, "resend_invite", id)
    );
    let _ = (a, b);
    app.run_jobs().await;
    assert_eq!(app.fake.calls_to("admin.users.invite").len(), 3);
    // Someone who is neither sponsor nor approver cannot resend.
    app.clock.advance(Duration::minutes(61));
    app.click(OUTSIDER, "resend_invite", id).await;
    app.run_jobs().await;
    assert_eq!(app.fake.calls_to("admin.users.invite").len(), 3);
}

#[tokio::test]
async fn an_unaccepted_invitation_lapses_on_day_7_after_a_reminder_on_day_5() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    let invited_at: DateTime<Utc> = app.request(id).await.invited_at.unwrap();
    let dms = |app: &TestApp| app.texts_in(REQUESTER).len();
    let before = dms(&app);
    app.clock
        .set(invited_at + Duration::days(5) - Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(dms(&app), before);
    app.clock
        .set(invited_at + Duration::days(5) + Duration::minutes(1));
    app.run_jobs().await;
    let reminder = app.fake.messages_in(REQUESTER).pop().unwrap();
    assert!(
        reminder.all_text().contains("has not accepted"),
        "{}",
        reminder.all_text()
    );
    assert_eq!(buttons(&reminder), vec!["resend_invite"]);
    app.clock
        .set(invited_at + Duration::days(7) - Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Invited);
    app.clock.set(invited_at + Duration::days(7));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::InviteExpired);
    let lapsed = app.fake.messages_in(REQUESTER).pop().unwrap();
    assert!(lapsed.all_text().contains("lapsed"));
    // A resend brings it back to invited, with a fresh week.
    app.click_dm(REQUESTER, "resend_invite", id).await;
    assert_eq!(app.state(id).await, RequestState::Invited);
    assert_eq!(app.fake.calls_to("admin.users.invite").len(), 2);
}

// ---- reminders, extension ----

#[tokio::test]
async fn reminder_then_extend_then_approval_moves_the_expiry() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    let old_deadline = app.request(id).await.expires_at.unwrap();

    app.clock
        .set(old_deadline - Duration::days(7) + Duration::minutes(1));
    app.run_jobs().await;
    let reminder = app.fake.messages_in(REQUESTER).pop().unwrap();
    assert!(
        reminder.all_text().contains("ends"),
        "{}",
        reminder.all_text()
    );
    assert_eq!(buttons(&reminder), vec!["extend_access", "let_expire"]);

    app.click_dm(REQUESTER, "extend_access", id).await;
    let form = app.fake.calls_to("views.open").pop().unwrap();
    assert_eq!(form.arg("view").unwrap()["callback_id"], "extend_request");
    let metadata = form.arg("view").unwrap()["private_metadata"]
        .as_str()
        .unwrap()
        .to_string();
    let values = json!({
        "extend_mode": {"extend_mode": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "d"}, "value": "days"}}},
        "extend_days": {"extend_days": {"type": "number_input", "value": "14"}},
        "extend_date": {"extend_date": {"type": "datepicker", "selected_date": null}},
        "extend_reason": {"extend_reason": {"type": "plain_text_input", "value": "The launch slipped"}},
    });
    let answer = app
        .slack
        .interaction(
            &app.slack
                .view_submission(REQUESTER, "extend_request", &metadata, values),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "", "the form closes");
    app.run_jobs().await;
    let cards = app.fake.top_level_in(REQUEST_CHANNEL);
    assert_eq!(cards.len(), 2);
    let extension_card = &cards[1];
    assert!(
        extension_card
            .all_text()
            .contains(&format!("Extension request #{} for #{id}", id + 1)),
        "{}",
        extension_card.all_text()
    );
    assert_eq!(
        buttons(extension_card),
        vec!["approve_request", "deny_request"]
    );

    app.click(APPROVER, "approve_request", id + 1).await;
    app.run_jobs().await;
    let new_deadline = app.request(id).await.expires_at.unwrap();
    assert_eq!(
        new_deadline,
        old_deadline + Duration::days(14),
        "the expiry moved"
    );
    let set = app.fake.calls_to("admin.users.setExpiration");
    assert_eq!(
        set.last()
            .unwrap()
            .arg("expiration_ts")
            .and_then(Value::as_i64),
        Some(new_deadline.timestamp())
    );

    // The old deadline passes: nothing happens. The new one: the account ends.
    app.clock.set(old_deadline + Duration::hours(2));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Active);
    app.clock.set(new_deadline + Duration::hours(2));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    assert_eq!(app.fake.calls_to("admin.users.remove").len(), 1);
}

#[tokio::test]
async fn let_it_expire_stops_reminders_and_it_expires_on_time() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    let deadline = app.request(id).await.expires_at.unwrap();
    app.clock
        .set(deadline - Duration::days(7) + Duration::minutes(1));
    app.run_jobs().await;
    let reminders = |app: &TestApp| {
        app.texts_in(REQUESTER)
            .iter()
            .filter(|t| t.contains("Heads-up"))
            .count()
    };
    assert_eq!(reminders(&app), 1);
    app.click_dm(REQUESTER, "let_expire", id).await;
    app.clock
        .set(deadline - Duration::days(1) + Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(
        reminders(&app),
        1,
        "no more reminders once the sponsor let it go"
    );
    app.clock
        .set(deadline + Duration::hours(1) + Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
}

// ---- revoke, member ----

#[tokio::test]
async fn approvers_revoke_at_once_and_convert_guests_to_members() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    app.click(OUTSIDER, "make_member", id).await;
    app.run_jobs().await;
    assert!(app.fake.calls_to("admin.users.setRegular").is_empty());
    app.click(APPROVER, "make_member", id).await;
    app.run_jobs().await;
    let regular = app.only_call("admin.users.setRegular");
    assert_eq!(regular.arg_str("user_id"), Some("WGRACE"));
    let member = app.request(id).await;
    assert_eq!(member.guest_type, guestlist::domain::GuestType::Member);
    assert_eq!(member.expires_at, None, "a full member does not expire");

    let other = app.approved("ada@partner.com", &["CPROJECT"]).await;
    app.team_join("WADA", "ada@partner.com").await;
    app.click(APPROVER, "revoke_access", other).await;
    app.run_jobs().await;
    assert_eq!(app.state(other).await, RequestState::Revoked);
    let remove = app.only_call("admin.users.remove");
    assert_eq!(remove.arg_str("user_id"), Some("WADA"));
    assert!(
        app.texts_in(REQUESTER)
            .iter()
            .any(|t| t.contains("revoked"))
    );
}

// ---- manual ----

#[tokio::test]
async fn manual_mode_posts_admin_tasks_and_tracks_the_guest() {
    let app = Builder::new()
        .toml("[provisioning]\nmode = \"manual\"\ndeactivation_reminder_hours = 24\n")
        .start()
        .await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    let card_ts = app.card().ts;
    let task = app
        .fake
        .thread(REQUEST_CHANNEL, &card_ts)
        .into_iter()
        .find(|m| m.all_text().contains("Admin task"))
        .unwrap();
    assert!(
        task.all_text()
            .contains("invite *grace@partner.com* as a single-channel guest to <#CPROJECT>"),
        "{}",
        task.all_text()
    );
    assert_eq!(buttons(&task), vec!["task_done"]);
    assert_eq!(app.state(id).await, RequestState::Approved);

    let done = app.slack.button_click(
        APPROVER,
        "task_done",
        &format!("{id}:invite"),
        Some(REQUEST_CHANNEL),
        &task.ts,
    );
    app.slack.interaction(&done).await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Invited);

    app.team_join("UGRACE", "grace@partner.com").await;
    assert_eq!(app.state(id).await, RequestState::Active);

    // At the deadline the bot asks an admin to deactivate, and keeps asking until someone confirms.
    let deadline = app.request(id).await.expires_at.unwrap();
    app.clock.set(deadline + Duration::minutes(1));
    app.run_jobs().await;
    let deactivate_tasks = |app: &TestApp| {
        app.fake
            .thread(REQUEST_CHANNEL, &card_ts)
            .into_iter()
            .filter(|m| {
                m.all_text()
                    .contains("deactivate the guest account <@UGRACE> (*grace@partner.com*)")
            })
            .count()
    };
    assert_eq!(deactivate_tasks(&app), 1);
    assert_eq!(
        app.state(id).await,
        RequestState::Active,
        "still active until an admin confirms"
    );
    app.clock.advance(Duration::hours(25));
    app.run_jobs().await;
    assert_eq!(deactivate_tasks(&app), 2, "reminded a day later");
    let task = app
        .fake
        .thread(REQUEST_CHANNEL, &card_ts)
        .into_iter()
        .rev()
        .find(|m| m.all_text().contains("deactivate"))
        .unwrap();
    let done = app.slack.button_click(
        APPROVER,
        "task_done",
        &format!("{id}:deactivate"),
        Some(REQUEST_CHANNEL),
        &task.ts,
    );
    app.slack.interaction(&done).await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    app.clock.advance(Duration::hours(25));
    app.run_jobs().await;
    assert_eq!(
        deactivate_tasks(&app),
        2,
        "no reminders after the confirmation"
    );
}

#[tokio::test]
async fn a_missed_join_event_is_caught_by_looking_the_guest_up() {
    let app = Builder::new()
        .toml("[provisioning]\nmode = \"manual\"\n")
        .start()
        .await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    let task = app
        .fake
        .thread(REQUEST_CHANNEL, &app.card().ts)
        .into_iter()
        .find(|m| m.all_text().contains("Admin task"))
        .unwrap();
    let done = app.slack.button_click(
        APPROVER,
        "task_done",
        &format!("{id}:invite"),
        Some(REQUEST_CHANNEL),
        &task.ts,
    );
    app.slack.interaction(&done).await.unwrap();
    app.run_jobs().await;
    app.fake.add_user(
        FakeUser::new("UGRACE", "Grace Hopper")
            .email("grace@partner.com")
            .guest(true),
    );
    app.clock.advance(Duration::hours(7));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Active);
    assert!(!app.fake.calls_to("users.lookupByEmail").is_empty());
}

// ---- SCIM against a real SCIM 2.0 server (scim2-server; .ci/run starts one) ----

/// The SCIM server, or `None` after a SKIPPED line naming `suite`.
pub fn scim_server(suite: &str) -> Option<(String, String)> {
    match crate::services::scim() {
        Ok(server) => Some(server),
        Err(why) => {
            crate::services::skipped(suite, &why);
            None
        }
    }
}

pub fn scim_app(url: &str, token: &str) -> Builder {
    Builder::new()
        .env("SCIM_TOKEN", token)
        .toml(&format!("[provisioning]\nmode = \"scim\"\n[provisioning.scim]\nbase_url = \"{url}\"\nguest_extension = true\n"))
}

pub async fn scim_user(url: &str, token: &str, email: &str) -> Option<Value> {
    let client = guestlist::slack::client::http_client(std::time::Duration::from_secs(10));
    let body: Value = client
        .get(format!("{url}/Users"))
        .bearer_auth(token)
        .query(&[("filter", format!("emails.value eq \"{email}\""))])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["Resources"]
        .as_array()
        .and_then(|r| r.first().cloned())
}

#[tokio::test]
async fn scim_creates_finds_extends_and_deactivates_users_on_a_real_server() {
    let Some((url, token)) = scim_server("lifecycle::scim (create, extend, deactivate)") else {
        return;
    };
    let app = scim_app(&url, &token).start().await;
    let email = format!("scim-{}@partner.com", rand_u64() % 1_000_000);
    let id = app.approved(&email, &["CPROJECT", "COTHER"]).await;
    let request = app.request(id).await;
    assert_eq!(request.state, RequestState::Invited);
    let user = scim_user(&url, &token, &email)
        .await
        .expect("the user exists on the SCIM server");
    assert_eq!(request.external_id.as_deref(), user["id"].as_str());
    assert_eq!(user["userName"], email.as_str());
    assert_eq!(user["active"], true);
    assert_eq!(user["name"]["familyName"], "Hopper");
    let guest = &user["urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"];
    assert_eq!(guest["type"], "multi");
    assert_eq!(
        guest["expiration"]
            .as_str()
            .map(|e| e.parse::<DateTime<Utc>>().unwrap().timestamp()),
        request.expires_at.map(|t| t.timestamp())
    );

    app.team_join("WSCIM", &email).await;
    assert_eq!(app.state(id).await, RequestState::Active);
    app.clock
        .set(request.expires_at.unwrap() + Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    let user = scim_user(&url, &token, &email).await.unwrap();
    assert_eq!(user["active"], false, "PATCH active=false at expiry");
}

/// Creates a user directly on the SCIM server (as an admin would), a guest or not.
pub async fn create_scim_user(url: &str, token: &str, email: &str, guest: bool) -> Value {
    let mut user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email, "emails": [{"value": email}], "active": true});
    if guest {
        let ext = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User";
        user["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ext]);
        user[ext] = json!({"type": "multi"});
    } else {
        user["userType"] = json!("Employee");
    }
    let client = guestlist::slack::client::http_client(std::time::Duration::from_secs(10));
    client
        .post(format!("{url}/Users"))
        .bearer_auth(token)
        .header("content-type", "application/scim+json")
        .body(user.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn scim_links_an_existing_guest_and_refuses_a_wrong_token_as_configuration() {
    let Some((url, token)) = scim_server("lifecycle::scim (link a guest, refuse a token)") else {
        return;
    };
    let email = format!("existing-{}@partner.com", rand_u64() % 1_000_000);
    let created = create_scim_user(&url, &token, &email, true).await;
    let app = scim_app(&url, &token).start().await;
    let id = app.approved(&email, &["CPROJECT"]).await;
    let linked = app.request(id).await;
    assert_eq!(
        linked.state,
        RequestState::Active,
        "found by filter=emails.value eq, a guest, linked"
    );
    assert_eq!(linked.external_id.as_deref(), created["id"].as_str());

    let wrong = scim_app(&url, "not-the-token").start().await;
    let id = wrong.approved("nope@partner.com", &["CPROJECT"]).await;
    assert_eq!(wrong.state(id).await, RequestState::Approved);
    let thread = wrong.fake.thread(REQUEST_CHANNEL, &wrong.card().ts);
    assert!(
        thread
            .iter()
            .any(|m| m.all_text().contains("refused our token")),
        "{thread:#?}"
    );
}

#[tokio::test]
async fn approvers_see_open_accounts_in_app_home_and_revoke_from_there() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    app.slack
        .event(
            "EvHomeA",
            json!({"type": "app_home_opened", "user": APPROVER, "tab": "home"}),
        )
        .await
        .unwrap();
    app.run_jobs().await;
    let home = app.fake.home_view(APPROVER).unwrap().to_string();
    assert!(
        home.contains("ending soonest first") && home.contains("revoke_access"),
        "{home}"
    );
    let from_home = app
        .slack
        .button_click(APPROVER, "revoke_access", &id.to_string(), None, "");
    app.slack.interaction(&from_home).await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Revoked);
    assert_eq!(
        app.only_call("admin.users.remove").arg_str("user_id"),
        Some("WGRACE")
    );
}

/// An account whose expiry job is gone (lost with a database restored from a backup, or
/// never made) is found by the scheduler's sweep and ended through the normal path, once.
#[tokio::test]
async fn the_sweep_ends_an_account_past_its_end_whose_expiry_job_is_gone() {
    let app = slack_admin().backend(Backend::Sqlite).start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("UGRACE", "grace@partner.com").await;
    assert_eq!(app.state(id).await, RequestState::Active);
    let db = format!("sqlite://{}", app.dir.path().join("guestlist.db").display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let lost = sqlx::query("DELETE FROM jobs WHERE dedupe_key LIKE 'expire:%'")
        .execute(&pool)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(lost, 1, "the expiry's own job");
    let end = app.request(id).await.expires_at.unwrap();
    app.clock.set(end + Duration::hours(3));
    let scheduler = guestlist::jobs::Scheduler::new(app.workflow.clone());
    scheduler.tick_once().await.unwrap();
    scheduler.tick_once().await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    assert_eq!(
        app.fake.calls_to("admin.users.remove").len(),
        1,
        "ended once"
    );
    let audit = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(id))
        .await
        .unwrap();
    assert!(
        audit.iter().any(|a| a.entry.action == "expire"
            && a.entry.detail.contains("found past its end by the sweep")),
        "{audit:#?}"
    );
    scheduler.tick_once().await.unwrap();
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls_to("admin.users.remove").len(),
        1,
        "nothing twice"
    );
}
