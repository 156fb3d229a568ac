//! Accounts are sacred: Guestlist changes only a guest account it invited (or linked as a
//! guest), by the id it bound, after reading that account again. Through the front door, with a
//! fake Slack that tells members and guests apart, on whichever database this run uses.

use crate::helpers::*;
use crate::lifecycle::{create_scim_user, scim_app, scim_server, scim_user};
use chrono::Duration;
use guestlist::domain::{RequestId, RequestState};
use guestlist::fake_slack::{Failure, FakeUser, FormInput};
use serde_json::{Value, json};

/// Every call that changes an account, with the argument that names the account.
const ACCOUNT_CHANGES: [(&str, &str); 7] = [
    ("admin.users.remove", "user_id"),
    ("admin.users.setExpiration", "user_id"),
    ("admin.users.setRegular", "user_id"),
    ("admin.users.assign", "user_id"),
    ("admin.conversations.invite", "user_ids"),
    ("conversations.kick", "user"),
    ("users.profile.set", "user"),
];

/// No call that changes an account ever named this user id.
fn assert_untouched(app: &TestApp, user_id: &str) {
    for (method, arg) in ACCOUNT_CHANGES {
        let calls: Vec<_> = app
            .fake
            .calls_to(method)
            .into_iter()
            .filter(|c| {
                c.arg_str(arg)
                    .is_some_and(|named| named.split(',').any(|id| id.trim() == user_id))
            })
            .collect();
        assert!(calls.is_empty(), "{method} on {user_id}: {calls:#?}");
    }
}

fn thread_texts(app: &TestApp) -> Vec<String> {
    app.fake
        .thread(REQUEST_CHANNEL, &app.card().ts)
        .into_iter()
        .map(|m| m.all_text())
        .collect()
}

/// Everything that could end or change an account, tried: revoke, make member, the deadline.
async fn try_everything(app: &TestApp, id: i64) {
    app.click(APPROVER, "revoke_access", id).await;
    app.click(APPROVER, "make_member", id).await;
    app.run_jobs().await;
    app.clock.advance(Duration::days(400));
    app.run_jobs().await;
}

fn otto() -> FakeUser {
    FakeUser::new("UOTTO", "Otto Employee").email("otto@acme.test")
}

#[tokio::test]
async fn a_full_members_email_is_refused_on_the_form() {
    let app = slack_admin().start().await;
    app.fake.add_user(otto());
    for email in ["otto@acme.test", "Otto@Acme.test"] {
        let answer = app
            .submit(REQUESTER, &FormInput::new(email, &["CPROJECT"]))
            .await;
        assert_eq!(answer["response_action"], "errors", "{answer}");
        let message = answer["errors"]["email"].as_str().unwrap();
        assert!(
            message.contains("is already a full member of this workspace"),
            "{message}"
        );
    }
    assert!(app.store.held_emails(&team()).await.unwrap().is_empty());
    assert!(app.fake.top_level_in(REQUEST_CHANNEL).is_empty());
    // A guest of the workspace is not a member: asking for them is fine.
    app.fake.add_user(
        FakeUser::new("UGUEST", "Gail Guest")
            .email("gail@partner.test")
            .guest(true),
    );
    let answer = app
        .submit(
            REQUESTER,
            &FormInput::new("gail@partner.test", &["CPROJECT"]),
        )
        .await;
    assert_eq!(answer["response_action"], "update", "{answer}");
}

#[tokio::test]
async fn a_deactivated_members_email_is_refused_by_slack_at_the_invitation_and_left_alone() {
    // `users.lookupByEmail` answers `users_not_found` for a deactivated person (Slack's page
    // for the method), so the form cannot know; Slack refuses the invitation, and the account
    // is not touched.
    let app = slack_admin().start().await;
    app.fake.add_user(
        FakeUser::new("UFORMER", "Former Employee")
            .email("former@acme.test")
            .deleted(),
    );
    let id = app.approved("former@acme.test", &["CPROJECT"]).await;
    app.run_jobs().await;
    let invites = app.fake.calls_to("admin.users.invite");
    assert_eq!(invites.len(), 1, "asked once, refused");
    assert!(
        app.thread_texts()
            .iter()
            .any(|t| t.contains("Slack account is disabled; an admin has to reactivate it")),
        "{:#?}",
        app.thread_texts()
    );
    assert_ne!(app.state(id).await, RequestState::Invited);
    assert_untouched(&app, "UFORMER");
}

#[tokio::test]
async fn a_member_who_appears_after_the_form_is_never_invited_linked_or_changed() {
    let app = slack_admin().start().await;
    let id = app.request_posted("otto@acme.test", &["CPROJECT"]).await;
    // Otto's account is made between the submission and the approval.
    app.fake.add_user(otto());
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;

    let otto_request = app.request(id).await;
    assert_eq!(otto_request.state, RequestState::AlreadyMember);
    assert_eq!(otto_request.slack_user_id, None, "nothing is bound");
    assert!(app.fake.calls_to("admin.users.invite").is_empty());
    assert!(
        thread_texts(&app)
            .iter()
            .any(|t| t.contains("already a full member")),
        "{:#?}",
        thread_texts(&app)
    );
    assert!(
        app.fake
            .messages_in(REQUESTER)
            .iter()
            .any(|m| m.all_text().contains("already a full member")),
        "the requester is told"
    );
    try_everything(&app, id).await;
    assert_eq!(app.state(id).await, RequestState::AlreadyMember);
    assert_untouched(&app, "UOTTO");
}

#[tokio::test]
async fn already_in_team_links_only_a_guest() {
    let app = slack_admin().start().await;
    let id = app.request_posted("otto@acme.test", &["CPROJECT"]).await;
    app.fake.add_user(otto());
    // The check before the invitation misses him (Slack answered "not found" just then), so the
    // invitation goes out and Slack answers already_in_team.
    app.fake.fail_next(
        "users.lookupByEmail",
        1,
        Failure::Error("users_not_found".into()),
    );
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    let invites = app.fake.calls_to("admin.users.invite");
    assert_eq!(invites.len(), 1);
    let otto_request = app.request(id).await;
    assert_eq!(otto_request.state, RequestState::AlreadyMember);
    assert_eq!(otto_request.slack_user_id, None);
    try_everything(&app, id).await;
    assert_untouched(&app, "UOTTO");
}

#[tokio::test]
async fn a_guest_who_became_a_member_is_left_alone_and_the_card_says_why() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    let user = app
        .fake
        .accept_invitation("grace@partner.com")
        .expect("invited");
    let user_id = user["id"].as_str().unwrap().to_string();
    assert_eq!(user["is_restricted"], true);
    app.slack
        .event("EvJoinGrace", json!({"type": "team_join", "user": user}))
        .await
        .unwrap();
    app.run_jobs().await;
    let joined = app.request(id).await;
    assert_eq!(joined.state, RequestState::Active);
    assert_eq!(
        joined.slack_user_id.as_deref(),
        Some(user_id.as_str()),
        "bound to the account that came from our invitation"
    );

    // An admin makes Grace a full member in Slack; later an approver revokes.
    app.fake.update_user(&user_id, |u| {
        u.is_restricted = false;
        u.is_ultra_restricted = false;
    });
    app.fake.clear_calls();
    app.click(APPROVER, "revoke_access", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Revoked);
    assert!(
        !app.fake.calls_to("users.info").is_empty(),
        "read again first"
    );
    assert_untouched(&app, &user_id);
    assert!(
        thread_texts(&app)
            .iter()
            .any(|t| t.contains("full member")
                && t.contains("Guestlist will not change this account")),
        "{:#?}",
        thread_texts(&app)
    );
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(id))
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "refused_deactivate" && a.entry.detail == "full_member")
    );
}

#[tokio::test]
async fn whoever_has_the_email_now_is_not_the_guest() {
    let app = slack_admin().start().await;
    // Invited, never joined: nothing is bound.
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    assert_eq!(app.state(id).await, RequestState::Invited);
    // Someone else's full account gets that email (an employee, made by an admin).
    app.fake
        .add_user(FakeUser::new("UEMPLOYEE", "Grace Employee").email("grace@partner.com"));
    app.click(APPROVER, "revoke_access", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Revoked);
    assert_untouched(&app, "UEMPLOYEE");
    assert!(
        thread_texts(&app)
            .iter()
            .any(|t| t.contains("No Slack account") && t.contains("never accepted")),
        "{:#?}",
        thread_texts(&app)
    );
    // And a request that reaches its deadline unjoined ends without touching anyone either.
    let other = app.approved("hal@partner.com", &["CPROJECT"]).await;
    app.fake
        .add_user(FakeUser::new("UHAL", "Hal Employee").email("hal@partner.com"));
    app.clock
        .set(app.request(other).await.expires_at.unwrap() + Duration::hours(2));
    app.run_jobs().await;
    // The deadline's timer was queued first (at approval), so it runs first: the request
    // expires with no account bound, and the look-ups for a missed join that follow do nothing.
    assert_eq!(app.state(other).await, RequestState::Expired);
    assert_untouched(&app, "UHAL");
}

#[tokio::test]
async fn scim_never_links_patches_or_reactivates_an_account_that_is_not_its_guest() {
    let Some((url, token)) = scim_server("account_safety::scim") else {
        return;
    };
    let app = scim_app(&url, &token).start().await;
    let unique = rand_u64() % 1_000_000;

    // A full member in the directory (no guest marker) is found by email: the request ends.
    let member_email = format!("employee-{unique}@acme.test");
    let member = create_scim_user(&url, &token, &member_email, false).await;
    let id = app.approved(&member_email, &["CPROJECT"]).await;
    assert_eq!(app.state(id).await, RequestState::AlreadyMember);
    assert_eq!(app.request(id).await.external_id, None);
    try_everything(&app, id).await;
    let after = scim_user(&url, &token, &member_email).await.unwrap();
    assert_eq!(after["active"], true);
    assert_eq!(
        after["meta"], member["meta"],
        "the member's account was never PATCHed"
    );

    // A deactivated guest account the request did not create is not switched back on.
    let off_email = format!("former-guest-{unique}@partner.test");
    let off = create_scim_user(&url, &token, &off_email, true).await;
    let client = guestlist::slack::client::http_client(std::time::Duration::from_secs(10));
    client
        .patch(format!("{url}/Users/{}", off["id"].as_str().unwrap()))
        .bearer_auth(&token)
        .header("content-type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]}).to_string())
        .send()
        .await
        .unwrap();
    let before = scim_user(&url, &token, &off_email).await.unwrap();
    let id = app.approved(&off_email, &["CPROJECT"]).await;
    assert_eq!(app.state(id).await, RequestState::Approved);
    let after = scim_user(&url, &token, &off_email).await.unwrap();
    assert_eq!(after["active"], false, "not reactivated");
    assert_eq!(after["meta"], before["meta"]);
}

#[tokio::test]
async fn a_resend_waiting_on_a_rate_limit_sends_nothing_after_a_revoke() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.clock.advance(Duration::minutes(61));
    // The resend is recorded, then Slack rate-limits the invitation.
    app.fake.fail_next(
        "admin.users.invite",
        1,
        Failure::RateLimited {
            retry_after_secs: 30,
        },
    );
    app.click_dm(REQUESTER, "resend_invite", id).await;
    assert_eq!(app.fake.calls_to("admin.users.invite").len(), 2);
    // Revoked while the resend waits out the limit.
    app.click(APPROVER, "revoke_access", id).await;
    app.run_jobs().await;
    let audit = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .audit_for_request(&team(), RequestId(id))
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.entry.action)
                .collect::<Vec<_>>()
        }
    };
    assert!(
        !audit(&app).await.iter().any(|a| a == "refused_deactivate"),
        "the revocation's job waits behind the retrying resend: {:?}",
        audit(&app).await
    );
    app.clock.advance(Duration::minutes(2));
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls_to("admin.users.invite").len(),
        2,
        "nothing was sent after the revoke"
    );
    assert_eq!(app.state(id).await, RequestState::Revoked);
    assert!(
        audit(&app).await.iter().any(|a| a == "refused_deactivate"),
        "then the revocation ran: {:?}",
        audit(&app).await
    );
}

/// Submits the extension form for request `id` as `user`, asking for `days` more.
async fn ask_extension(app: &TestApp, user: &str, id: i64, days: &str) -> String {
    let metadata = json!({"request_id": id, "tz": "UTC"}).to_string();
    let values = json!({
        "extend_mode": {"extend_mode": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "d"}, "value": "days"}}},
        "extend_days": {"extend_days": {"type": "number_input", "value": days}},
        "extend_date": {"extend_date": {"type": "datepicker", "selected_date": null}},
        "extend_reason": {"extend_reason": {"type": "plain_text_input", "value": "More work"}},
    });
    let answer = app
        .slack
        .interaction(
            &app.slack
                .view_submission(user, "extend_request", &metadata, values),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    answer.body
}

#[tokio::test]
async fn extensions_are_capped_one_at_a_time_and_never_shorten() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    let deadline = app.request(id).await.expires_at.unwrap();

    // Absurd numbers are answered on the field, no panic.
    for days in ["9223372036854775807", "40000"] {
        let body = ask_extension(&app, REQUESTER, id, days).await;
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert!(
            answer["errors"]["extend_days"]
                .as_str()
                .is_some_and(|e| e.contains("At most")),
            "{answer}"
        );
    }
    // One pending extension per guest.
    assert_eq!(ask_extension(&app, REQUESTER, id, "30").await, "");
    let second: Value =
        serde_json::from_str(&ask_extension(&app, REQUESTER, id, "10").await).unwrap();
    assert!(
        second["errors"].to_string().contains("already waiting"),
        "{second}"
    );
    app.run_jobs().await;
    let long = id + 1;
    app.click(APPROVER, "approve_request", long).await;
    app.run_jobs().await;
    assert_eq!(
        app.request(id).await.expires_at,
        Some(deadline + Duration::days(30))
    );
}

#[tokio::test]
async fn an_extension_approved_before_the_expiry_runs_keeps_the_guest() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.team_join("WGRACE", "grace@partner.com").await;
    let deadline = app.request(id).await.expires_at.unwrap();
    assert_eq!(ask_extension(&app, REQUESTER, id, "14").await, "");
    app.run_jobs().await;
    // The deadline passes with the extension still pending, and is approved just as the
    // expiry timer comes due: the approval is committed first.
    app.clock
        .set(deadline + Duration::hours(1) + Duration::minutes(1));
    app.click(APPROVER, "approve_request", id + 1).await;
    app.run_jobs().await;
    let guest = app.request(id).await;
    assert_eq!(guest.state, RequestState::Active);
    assert_eq!(guest.expires_at, Some(deadline + Duration::days(14)));
    assert!(app.fake.calls_to("admin.users.remove").is_empty());
}

#[tokio::test]
async fn removing_someone_from_an_approver_group_bites_on_the_next_click_on_every_replica() {
    let approvers = "[approvers]\nusergroups = [\"S0APPROVE\"]\ncache_seconds = 3600\n";
    let first = Builder::new().approvers(approvers).start().await;
    first
        .fake
        .add_user(FakeUser::new("UGROUPIE", "Gil Groupie"));
    first
        .fake
        .add_usergroup("S0APPROVE", "approvers", &["UGROUPIE"]);
    let second = Builder::new()
        .approvers(approvers)
        .store(first.store.clone())
        .fake(&first.fake)
        .start()
        .await;
    let one = first
        .request_posted("one@partner.test", &["CPROJECT"])
        .await;
    let two = first
        .submit(
            REQUESTER,
            &FormInput::new("two@partner.test", &["CPROJECT"]),
        )
        .await;
    assert_eq!(two["response_action"], "update");
    let two = one + 1;
    // The first replica reads (and caches) the group on Gil's first click.
    first.click("UGROUPIE", "approve_request", one).await;
    first.run_jobs().await;
    assert_eq!(first.state(one).await, RequestState::Approved);

    // Gil leaves the group; the event reaches the other replica.
    first.fake.set_usergroup_members("S0APPROVE", &[]);
    let event = json!({"type": "subteam_members_changed", "subteam_id": "S0APPROVE", "team_id": "T0FAKE",
        "date_previous_update": 1, "date_update": 2, "added_users": [], "added_users_count": "0",
        "removed_users": ["UGROUPIE"], "removed_users_count": "1"});
    assert_eq!(
        second.slack.event("EvLeft", event).await.unwrap().status,
        200
    );
    first.click("UGROUPIE", "approve_request", two).await;
    first.run_jobs().await;
    assert_eq!(
        first.state(two).await,
        RequestState::Pending,
        "the first replica's cache did not outlive the change"
    );
}

#[tokio::test]
async fn the_approver_who_confirms_an_import_cannot_be_the_sponsor_and_members_are_refused() {
    let app = Builder::new()
        .toml("[provisioning]\nmode = \"manual\"\n")
        .start()
        .await;
    app.fake.add_user(otto());
    let csv = "email,name,guest_type,channels,expires\n\
               new@partner.test,New Guest,single_channel,#project-x,30d\n\
               otto@acme.test,Otto,single_channel,#project-x,30d\n";
    let event = app
        .fake
        .share_file(REQUEST_CHANNEL, APPROVER, "FMINE", "guests.csv", csv.into());
    app.slack.event("EvShare", event.clone()).await.unwrap();
    app.run_jobs().await;
    let thread = app
        .fake
        .thread(REQUEST_CHANNEL, event["ts"].as_str().unwrap());
    let preview = thread.last().unwrap();
    assert!(
        preview
            .all_text()
            .contains("otto@acme.test is already a full member"),
        "{}",
        preview.all_text()
    );
    let value = preview
        .blocks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .unwrap()["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let confirm = |user: &str| {
        app.slack.button_click(
            user,
            "import_guests",
            &value,
            Some(REQUEST_CHANNEL),
            &preview.ts,
        )
    };
    // The sharer sponsors rows that name nobody: they may not also approve them.
    app.slack.interaction(&confirm(APPROVER)).await.unwrap();
    app.run_jobs().await;
    assert!(app.store.held_emails(&team()).await.unwrap().is_empty());
    let done = app
        .fake
        .thread(REQUEST_CHANNEL, event["ts"].as_str().unwrap())
        .last()
        .unwrap()
        .all_text();
    assert!(done.contains("imported 0 guests"), "{done}");
}

#[tokio::test]
async fn a_second_approver_confirms_what_the_first_shared() {
    let app = Builder::new()
        .toml("[provisioning]\nmode = \"manual\"\n")
        .start()
        .await;
    let csv = "email,name,guest_type,channels,expires\n\
               new@partner.test,New\u{0}Guest,single_channel,#project-x,30d\n";
    let event = app.fake.share_file(
        REQUEST_CHANNEL,
        APPROVER,
        "FOTHER",
        "guests.csv",
        csv.into(),
    );
    app.slack.event("EvShare2", event.clone()).await.unwrap();
    app.run_jobs().await;
    let thread = app
        .fake
        .thread(REQUEST_CHANNEL, event["ts"].as_str().unwrap());
    let preview = thread.last().unwrap();
    let value = preview
        .blocks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .unwrap()["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let click = app.slack.button_click(
        APPROVER_2,
        "import_guests",
        &value,
        Some(REQUEST_CHANNEL),
        &preview.ts,
    );
    app.slack.interaction(&click).await.unwrap();
    app.run_jobs().await;
    let held = app
        .store
        .open_request_for_email(&team(), "new@partner.test")
        .await
        .unwrap()
        .expect("imported");
    assert_eq!(held.requester.as_str(), APPROVER);
    assert_eq!(
        held.decided_by.as_ref().map(|u| u.as_str()),
        Some(APPROVER_2)
    );
    assert_eq!(
        held.full_name, "NewGuest",
        "the NUL is gone, on either database"
    );
}

#[tokio::test]
async fn free_text_is_stored_without_control_characters_and_exported_safely() {
    let app = TestApp::start().await;
    let mut form = FormInput::new("ctrl@partner.test", &["CPROJECT"]);
    form.full_name = "Ada\u{0}\u{7} Lovelace".into();
    form.reason = "Line one\u{0}\nline two".into();
    let answer = app.submit(REQUESTER, &form).await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    app.run_jobs().await;
    let stored = app
        .store
        .open_request_for_email(&team(), "ctrl@partner.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.full_name, "Ada Lovelace");
    assert_eq!(stored.reason, "Line one\nline two");
    // A reason that a spreadsheet would run as a formula is exported as text.
    app.deny_with(
        APPROVER,
        stored.id.0,
        "=HYPERLINK(\"http://evil.test\",\"x\")",
    )
    .await;
    let rows = app.store.audit_since(None).await.unwrap();
    let mut out = Vec::new();
    guestlist::cli::write_audit_csv(&mut out, &rows).unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",\"=HYPERLINK"), "{csv}");
}

#[tokio::test]
async fn a_response_url_never_lands_in_a_jobs_last_error() {
    let app = TestApp::start().await;
    // A response_url that cannot be reached: the job fails and is retried.
    let url = "http://127.0.0.1:9/hooks/T0FAKE/1234/secret-response-token";
    let job = guestlist::workflow::Job::Respond {
        url: url.into(),
        body: json!({"text": "hi"}),
    }
    .now(&team(), app.now(), 3);
    app.store.enqueue_jobs(&[job]).await.unwrap();
    app.run_jobs().await;
    let jobs = app.store.jobs_of_kind("respond", 5).await.unwrap();
    let error = jobs[0].last_error.clone().unwrap_or_default();
    assert!(!error.is_empty(), "{jobs:#?}");
    assert!(!error.contains("secret-response-token"), "{error}");
    assert!(!error.contains("/hooks/"), "{error}");
}

#[tokio::test]
async fn a_database_password_never_appears_in_an_error() {
    let url =
        "postgres://guestlist:pw-3f9e-secret@127.0.0.1:1/guestlist?password=other-3f9e-secret";
    let error = match guestlist::store::connect(url, 1).await {
        Ok(_) => panic!("nothing listens on port 1"),
        Err(e) => format!("{e:#}"),
    };
    assert!(!error.contains("3f9e-secret"), "{error}");
    assert!(error.contains("REDACTED"), "{error}");
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_a_full_house_answers_503() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = Builder::new()
        .toml("[server]\nheader_read_timeout_seconds = 1\nbody_read_timeout_seconds = 1\nmax_concurrent_requests = 1\n")
        .start()
        .await;
    // Headers a byte at a time, slower than the limit: the connection is closed.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let started = std::time::Instant::now();
    let mut closed = false;
    for byte in b"POST /slack/events HTTP/1.1\r\nHost: x\r\n" {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if started.elapsed() > std::time::Duration::from_secs(6) {
            break;
        }
    }
    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        slow.read_to_end(&mut rest),
    )
    .await;
    assert!(
        closed || matches!(read, Ok(Ok(_)) | Ok(Err(_))),
        "the server closed the slow connection"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(12));

    // A body that trickles in holds the only slot; the next request gets 503 at once; the
    // trickling one ends with 408.
    let mut trickle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    trickle
        .write_all(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nx-slack-request-timestamp: 1\r\nx-slack-signature: v0=00\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let busy = app
        .slack
        .event("EvBusy", json!({"type": "app_mention"}))
        .await
        .unwrap();
    assert_eq!(busy.status, 503);
    assert_eq!(
        busy.retry_after.as_deref(),
        Some("1"),
        "Slack is told when to retry"
    );
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), trickle.read(&mut answer))
        .await
        .expect("answered")
        .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
}

#[tokio::test]
async fn an_invitation_accepted_after_a_revoke_is_ended_at_once() {
    let app = slack_admin().start().await;
    let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
    app.click(APPROVER, "revoke_access", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Revoked);
    assert!(
        app.fake.calls_to("admin.users.remove").is_empty(),
        "nobody to remove yet"
    );
    // The invitation was still open in Slack, and Grace accepts it.
    let user = app.fake.accept_invitation("grace@partner.com").unwrap();
    let user_id = user["id"].as_str().unwrap().to_string();
    app.slack
        .event("EvLateJoin", json!({"type": "team_join", "user": user}))
        .await
        .unwrap();
    app.run_jobs().await;
    let removes = app.fake.calls_to("admin.users.remove");
    assert_eq!(removes.len(), 1, "{removes:#?}");
    assert_eq!(removes[0].arg_str("user_id"), Some(user_id.as_str()));
    assert_eq!(
        app.request(id).await.slack_user_id.as_deref(),
        Some(user_id.as_str())
    );
    // Someone else joining with a full account is never taken for her.
    app.fake
        .add_user(FakeUser::new("UEMP2", "Emp").email("emp@partner.com"));
    let emp = app.fake.user_json("UEMP2").unwrap();
    app.slack
        .event("EvEmpJoin", json!({"type": "team_join", "user": emp}))
        .await
        .unwrap();
    app.run_jobs().await;
    assert_untouched(&app, "UEMP2");
}

#[tokio::test]
async fn sync_never_removes_someone_who_is_a_member_of_the_target_now() {
    let app = slack_admin()
        .toml("[group_sync]\npace = false\n[[sync]]\nname = \"partners\"\ntarget_team = \"T0PARTNER\"\nusergroups = [\"S0PARTNERS\"]\nchannels = [\"CPROJECT\"]\nexpiry_days = 30\non_removal = \"deactivate\"\n")
        .start()
        .await;
    app.fake.enable_grid();
    app.fake
        .add_user(FakeUser::new("UPAT", "Pat Partner").email("pat@acme.test"));
    app.fake.add_usergroup("S0PARTNERS", "partners", &["UPAT"]);
    let answer = app
        .slack
        .command(APPROVER, "CGENERAL", "sync now")
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    app.run_jobs().await;
    let pat = app
        .store
        .open_request_for_email(&team(), "pat@acme.test")
        .await
        .unwrap()
        .expect("assigned");
    assert_eq!(pat.state, RequestState::Active);
    assert_eq!(app.fake.calls_to("admin.users.assign").len(), 1);
    // Pat is made a full member of the target workspace by its admins, then leaves the group.
    app.fake.update_user("UPAT", |u| {
        u.other_teams
            .insert("T0PARTNER".into(), guestlist::fake_slack::TeamRole::Member);
    });
    app.fake.set_usergroup_members("S0PARTNERS", &[]);
    let event = json!({"type": "subteam_members_changed", "subteam_id": "S0PARTNERS", "team_id": "T0FAKE",
        "date_previous_update": 1, "date_update": 2, "added_users": [], "added_users_count": "0",
        "removed_users": ["UPAT"], "removed_users_count": "1"});
    app.slack.event("EvPatLeft", event).await.unwrap();
    app.run_jobs().await;
    assert_eq!(app.state(pat.id.0).await, RequestState::Revoked);
    assert!(
        app.fake.calls_to("admin.users.remove").is_empty(),
        "a member of the target is never removed"
    );
    // Not among the target's guests, so everyone was read: a member, not someone who left.
    let checks = app.fake.calls_to("admin.users.list");
    assert!(
        checks
            .iter()
            .any(|c| c.arg("only_guests") == Some(&json!(true)))
            && checks.iter().any(|c| c.arg("only_guests").is_none()),
        "it was checked, guests first: {checks:#?}"
    );
    let audit = app.store.audit_for_request(&team(), pat.id).await.unwrap();
    assert!(audit.iter().any(|a| a.entry.action == "refused_deactivate"));
}
