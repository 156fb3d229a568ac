//! Reconciliation through the front door: a guest joined through Guestlist, then someone changes
//! the account in (the fake) Slack by hand; the hourly run (the real scheduler's job) or the
//! `user_change` event records it, tells the sponsor and the card, and changes nothing in Slack.

use crate::helpers::*;
use guestlist::domain::RequestState;
use guestlist::jobs::Scheduler;
use serde_json::json;

const GUEST: &str = "UGUEST1";
const EMAIL: &str = "grace@partner.example";

/// An active guest, joined from its invitation (bound to `GUEST`). Returns the request id.
async fn active_guest(app: &TestApp) -> i64 {
    let id = app.approved(EMAIL, &["CPROJECT"]).await;
    app.team_join(GUEST, EMAIL).await;
    assert_eq!(app.state(id).await, RequestState::Active);
    id
}

/// One scheduled run, as `serve` makes it an hour after the last: the scheduler's tick (one
/// job per hour slot), then the worker. Checks that the run read `users.list`.
async fn hourly_run(app: &TestApp) {
    app.clock.advance(chrono::Duration::minutes(61));
    let before = app.fake.calls_to("users.list").len();
    Scheduler::new(app.workflow.clone())
        .tick_once()
        .await
        .unwrap();
    app.run_jobs().await;
    assert!(
        app.fake.calls_to("users.list").len() > before,
        "the run read users.list"
    );
}

/// The request cards in the request channel (not the weekly digest the scheduler also posts).
fn cards(app: &TestApp) -> Vec<guestlist::fake_slack::FakeMessage> {
    app.fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .filter(|m| !m.all_text().contains("Weekly guest digest"))
        .collect()
}

/// What Guestlist asked Slack to change since the last `clear_calls`: nothing, for this loop.
fn writes(app: &TestApp) -> Vec<String> {
    app.fake
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| {
            m.starts_with("admin.")
                || m.starts_with("users.admin")
                || m == "users.profile.set"
                || m == "conversations.kick"
        })
        .collect()
}

#[tokio::test]
async fn a_guest_deactivated_in_slack_is_ended_within_one_run() {
    let app = slack_admin().start().await;
    let id = active_guest(&app).await;
    app.fake.update_user(GUEST, |u| u.deleted = true);
    app.fake.clear_calls();
    hourly_run(&app).await;
    assert_eq!(app.state(id).await, RequestState::EndedOutside);
    assert!(
        writes(&app).is_empty(),
        "the loop changes nothing: {:?}",
        writes(&app)
    );
    assert!(
        !app.fake.calls_to("users.list").is_empty(),
        "read from users.list"
    );
    let audit = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(id))
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "ended_outside"
                && r.entry.detail.contains("outside Guestlist")),
        "{audit:#?}"
    );
    let dm = app.texts_in(REQUESTER).join("\n");
    assert!(
        dm.contains("deactivated in Slack by someone other than Guestlist"),
        "{dm}"
    );
    assert!(
        cards(&app)[0]
            .all_text()
            .contains("Ended outside Guestlist")
    );
    // Its timers find it ended: at the deadline nothing is sent to Slack.
    app.fake.clear_calls();
    app.clock.advance(chrono::Duration::days(31));
    app.run_jobs().await;
    assert!(writes(&app).is_empty(), "{:?}", writes(&app));
    // A second run finds nothing new.
    hourly_run(&app).await;
    let ended = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(id))
        .await
        .unwrap();
    assert_eq!(
        ended
            .iter()
            .filter(|r| r.entry.action == "ended_outside")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_guest_made_a_member_in_slack_is_let_go_on_the_event() {
    let app = slack_admin().start().await;
    let id = active_guest(&app).await;
    app.fake.update_user(GUEST, |u| {
        u.is_restricted = false;
        u.is_ultra_restricted = false;
    });
    app.fake.clear_calls();
    let user = json!({"id": GUEST, "team_id": "T0FAKE", "name": "grace", "deleted": false,
        "is_restricted": false, "is_ultra_restricted": false,
        "profile": {"email": EMAIL, "real_name": "Grace Hopper"}});
    let answer = app
        .slack
        .event("EvPromoted", json!({"type": "user_change", "user": user}))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::AlreadyMember);
    assert!(writes(&app).is_empty(), "{:?}", writes(&app));
    let thread = app
        .fake
        .messages_in(REQUEST_CHANNEL)
        .iter()
        .map(|m| m.all_text())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        thread.contains("was made a full member in Slack"),
        "{thread}"
    );
    // No expiry will ever touch the member's account.
    app.fake.clear_calls();
    app.clock.advance(chrono::Duration::days(31));
    app.run_jobs().await;
    assert!(writes(&app).is_empty(), "{:?}", writes(&app));
}

#[tokio::test]
async fn a_revoked_guest_reactivated_by_hand_is_flagged_once() {
    let app = slack_admin().start().await;
    let id = active_guest(&app).await;
    app.click(APPROVER, "revoke_access", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Revoked);
    assert_eq!(app.fake.calls_to("admin.users.remove").len(), 1);
    // Still ended in Slack: nothing to say.
    hourly_run(&app).await;
    let flagged = |app: &TestApp| {
        app.texts_in(REQUEST_CHANNEL)
            .iter()
            .filter(|t| t.contains("reactivated the account by hand"))
            .count()
    };
    assert_eq!(flagged(&app), 0);
    // Someone puts the guest back by hand.
    app.fake.update_user(GUEST, |u| u.in_workspace = true);
    app.fake.clear_calls();
    hourly_run(&app).await;
    assert_eq!(flagged(&app), 1, "{:#?}", app.texts_in(REQUEST_CHANNEL));
    assert!(
        writes(&app).is_empty(),
        "approvers are asked; nothing is undone: {:?}",
        writes(&app)
    );
    assert_eq!(app.state(id).await, RequestState::Revoked);
    hourly_run(&app).await;
    assert_eq!(flagged(&app), 1, "asked once");
}

#[tokio::test]
async fn a_guest_still_waiting_for_its_deactivation_is_not_called_reactivated() {
    // Manual mode: the admin has not done the deactivation task yet, so the guest is still
    // active in Slack; that is not a reactivation.
    let app = Builder::new().start().await;
    let id = app.approved(EMAIL, &["CPROJECT"]).await;
    app.fake.add_user(
        guestlist::fake_slack::FakeUser::new(GUEST, "Grace Hopper")
            .email(EMAIL)
            .guest(false),
    );
    // The admin confirms the invitation, then the guest joins.
    let payload = app.slack.button_click(
        APPROVER,
        "task_done",
        &format!("{id}:invite"),
        Some(REQUEST_CHANNEL),
        "1.1",
    );
    assert_eq!(app.slack.interaction(&payload).await.unwrap().status, 200);
    app.run_jobs().await;
    app.team_join(GUEST, EMAIL).await;
    assert_eq!(app.state(id).await, RequestState::Active);
    app.click(APPROVER, "revoke_access", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Revoked);
    hourly_run(&app).await;
    let flagged = app
        .texts_in(REQUEST_CHANNEL)
        .iter()
        .filter(|t| t.contains("reactivated the account by hand"))
        .count();
    assert_eq!(flagged, 0);
}

/// `guestlist guests …` against this app's SQLite file.
fn guests_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let db = app.dir.path().join("guestlist.db");
    std::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
        .arg("guests")
        .args(args)
        .env_clear()
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("SLACK_ADMIN_TOKEN", ADMIN_TOKEN)
        .current_dir(app.dir.path())
        .output()
        .unwrap()
}

fn stdout_of(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn the_inventory_lists_live_accounts_with_filters_and_an_evidence_export() {
    let app = slack_admin().backend(Backend::Sqlite).start().await;
    let active = active_guest(&app).await;
    let other = app
        .approved("alan@other.example", &["CPROJECT", "COTHER"])
        .await;
    let pending = app
        .request_posted("pending@partner.example", &["CPROJECT"])
        .await;
    let denied = app
        .request_posted("denied@partner.example", &["CPROJECT"])
        .await;
    app.deny_with(APPROVER, denied, "no NDA").await;
    app.run_jobs().await;

    let csv = stdout_of(guests_cli(&app, &["--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,team_id,state,email"), "{csv}");
    assert_eq!(lines.len(), 3, "two live accounts: {csv}");
    assert!(
        csv.contains(&format!("{active},T0FAKE,active,{EMAIL}")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("{other},T0FAKE,invited,alan@other.example")),
        "{csv}"
    );
    assert!(!csv.contains(&format!("\n{pending},")) && !csv.contains(&format!("\n{denied},")));

    let json: serde_json::Value = serde_json::from_str(&stdout_of(guests_cli(
        &app,
        &["--domain", "partner.example", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["email"], EMAIL);

    let table = stdout_of(guests_cli(&app, &["--sponsor", "UNOBODY"]));
    assert!(table.contains("0 guest account(s)"), "{table}");
    let table = stdout_of(guests_cli(&app, &["--expiring-within", "31d"]));
    assert!(
        table.starts_with("ID") && table.contains("2 guest account(s)"),
        "{table}"
    );
    let table = stdout_of(guests_cli(&app, &["--expiring-within", "7d"]));
    assert!(table.contains("0 guest account(s)"), "{table}");

    let evidence: serde_json::Value = serde_json::from_str(&stdout_of(guests_cli(
        &app,
        &["--id", &active.to_string(), "--format", "json"],
    )))
    .unwrap();
    assert_eq!(evidence["requested_by"], REQUESTER);
    assert_eq!(evidence["approved_by"], APPROVER);
    assert_eq!(evidence["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(
        evidence["approval_rounds"][0]["votes"][0]["voter"],
        APPROVER
    );
    assert!(evidence["audit"].as_array().unwrap().len() >= 4);

    let refused = guests_cli(&app, &["--id", "1"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--format json"));
    let bad = guests_cli(&app, &["--expiring-within", "soon"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--expiring-within"));
}

async fn open_home(app: &TestApp, user: &str, n: u32) -> String {
    let answer = app
        .slack
        .event(
            &format!("EvHome{user}{n}"),
            json!({"type": "app_home_opened", "user": user, "tab": "home"}),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    app.run_jobs().await;
    app.fake
        .home_view(user)
        .expect("App Home published")
        .to_string()
}

fn adopt_values(sponsor: &str, date: &str) -> serde_json::Value {
    json!({
        "adopt_sponsor": {"adopt_sponsor": {"type": "users_select", "selected_user": sponsor}},
        "adopt_date": {"adopt_date": {"type": "datepicker", "selected_date": date}},
        "adopt_reason": {"adopt_reason": {"type": "plain_text_input", "value": "Vendor, set up by IT in 2025"}},
    })
}

async fn submit_adopt(
    app: &TestApp,
    adopter: &str,
    sponsor: &str,
    date: &str,
) -> serde_json::Value {
    let metadata = json!({"slack_user_id": "UHAND", "tz": "Europe/Paris"}).to_string();
    let payload = app.slack.view_submission(
        adopter,
        "adopt_guest",
        &metadata,
        adopt_values(sponsor, date),
    );
    let answer = app.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.status, 200);
    if answer.body.is_empty() {
        serde_json::Value::Null
    } else {
        answer.json()
    }
}

#[tokio::test]
async fn a_hand_made_guest_is_listed_unmanaged_and_once_adopted_is_reminded_and_ends_on_time() {
    let app = slack_admin().backend(Backend::Sqlite).start().await;
    app.fake.add_user(
        guestlist::fake_slack::FakeUser::new("UHAND", "Hank Hand")
            .email("hank@vendor.example")
            .guest(false),
    );
    let managed = active_guest(&app).await;
    hourly_run(&app).await;

    // The CLI and App Home list it; the guest Guestlist invited is not listed.
    let listed: serde_json::Value = serde_json::from_str(&stdout_of(guests_cli(
        &app,
        &["--unmanaged", "--format", "json"],
    )))
    .unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["slack_user_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["UHAND"], "{listed:#}");
    assert_eq!(listed[0]["guest_type"], "multi_channel");
    let home = open_home(&app, APPROVER, 1).await;
    assert!(
        home.contains("Guests Guestlist does not manage (1)"),
        "{home}"
    );
    assert!(home.contains("\"action_id\":\"adopt_guest\"") && home.contains("\"value\":\"UHAND\""));
    let requester_home = open_home(&app, REQUESTER, 1).await;
    assert!(
        !requester_home.contains("adopt_guest"),
        "only approvers see them"
    );

    // Only approvers may adopt.
    let click = app
        .slack
        .button_click(OUTSIDER, "adopt_guest", "UHAND", None, "1.1");
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    app.run_jobs().await;
    assert!(app.views_opened("adopt_guest").is_empty());
    let click = app
        .slack
        .button_click(APPROVER, "adopt_guest", "UHAND", None, "1.1");
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    app.only_view("adopt_guest");

    // Bad answers land on their fields; nothing is stored.
    let today = app.now().date_naive();
    let past = (today - chrono::Duration::days(1)).to_string();
    let answer = submit_adopt(&app, APPROVER, REQUESTER, &past).await;
    assert!(answer["errors"]["adopt_date"].is_string(), "{answer:#}");
    let answer = submit_adopt(&app, APPROVER, "UHAND", &today.to_string()).await;
    assert!(answer["errors"]["adopt_sponsor"].is_string(), "{answer:#}");
    let answer = submit_adopt(
        &app,
        OUTSIDER,
        REQUESTER,
        &(today + chrono::Duration::days(10)).to_string(),
    )
    .await;
    assert!(
        answer["errors"]["adopt_sponsor"]
            .as_str()
            .unwrap()
            .contains("Only approvers")
    );
    assert!(
        app.store
            .open_request_for_email(&team(), "hank@vendor.example")
            .await
            .unwrap()
            .is_none()
    );

    // Adopted: active, bound by its user id, sponsored, with a card.
    let ends = (today + chrono::Duration::days(10)).to_string();
    assert_eq!(
        submit_adopt(&app, APPROVER, REQUESTER, &ends).await,
        serde_json::Value::Null
    );
    app.run_jobs().await;
    let adopted = app
        .store
        .open_request_for_email(&team(), "hank@vendor.example")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(adopted.state, RequestState::Active);
    assert_eq!(adopted.slack_user_id.as_deref(), Some("UHAND"));
    assert_eq!(adopted.requester.as_str(), REQUESTER);
    assert_eq!(
        adopted.decided_by.as_ref().map(|u| u.as_str()),
        Some(APPROVER)
    );
    assert!(adopted.expires_at.is_some());
    let cards = cards(&app);
    assert_eq!(cards.len(), 2);
    assert!(
        cards[1].all_text().contains("an existing guest, adopted"),
        "{}",
        cards[1].all_text()
    );
    let listed = stdout_of(guests_cli(&app, &["--unmanaged"]));
    assert!(listed.contains("0 unmanaged guest(s)"), "{listed}");
    assert_ne!(adopted.id.0, managed);

    // Reminded before the end, ended on time (its bound account, checked to be a guest).
    app.fake.clear_calls();
    app.clock.advance(chrono::Duration::days(8));
    app.run_jobs().await;
    let dm = app.texts_in(REQUESTER).join("\n");
    assert!(
        dm.contains("Heads-up: the guest account of *Hank Hand*"),
        "{dm}"
    );
    app.clock.advance(chrono::Duration::days(3));
    app.run_jobs().await;
    assert_eq!(app.state(adopted.id.0).await, RequestState::Expired);
    let removed = app.fake.calls_to("admin.users.remove");
    assert_eq!(removed.len(), 1, "{removed:#?}");
    assert_eq!(removed[0].arg_str("user_id"), Some("UHAND"));
}

#[tokio::test]
async fn a_run_reads_one_users_list_page_per_200_people() {
    let app = slack_admin().start().await;
    active_guest(&app).await;
    // The seeded workspace has 8 people and the guest; 441 more make 450: three pages of 200.
    for i in 0..441 {
        app.fake.add_user(guestlist::fake_slack::FakeUser::new(
            &format!("UMEMBER{i:03}"),
            &format!("Member {i}"),
        ));
    }
    app.fake.clear_calls();
    hourly_run(&app).await;
    let pages = app.fake.calls_to("users.list");
    assert_eq!(pages.len(), 3, "{} pages", pages.len());
    assert!(
        app.fake.calls().iter().all(|c| c.method != "users.info"),
        "no per-person look-ups"
    );
}

fn orphan_cards(app: &TestApp) -> Vec<guestlist::fake_slack::FakeMessage> {
    app.fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .filter(|m| m.all_text().contains("has left"))
        .collect()
}

#[tokio::test]
async fn a_sponsors_deactivation_puts_their_guests_on_cards_and_the_policy_applies_once() {
    let app = slack_admin()
        .toml("[inventory]\norphan_policy = \"end\"\nsponsor_grace_days = 3\n")
        .start()
        .await;
    let first = active_guest(&app).await;
    let second = app.approved("alan@partner.example", &["CPROJECT"]).await;
    app.fake.update_user(REQUESTER, |u| u.deleted = true);
    hourly_run(&app).await;
    let cards = orphan_cards(&app);
    assert_eq!(cards.len(), 2, "one card per guest");
    for card in &cards {
        let actions = buttons(card);
        assert_eq!(
            actions,
            ["reassign_sponsor", "revoke_access"],
            "{actions:?}"
        );
    }
    hourly_run(&app).await;
    assert_eq!(orphan_cards(&app).len(), 2, "told once");
    assert_eq!(app.state(first).await, RequestState::Active);

    // Nobody answers within the grace period: the policy (end), once.
    app.fake.clear_calls();
    app.clock.advance(chrono::Duration::days(3));
    app.run_jobs().await;
    assert_eq!(app.state(first).await, RequestState::Revoked);
    assert_eq!(app.state(second).await, RequestState::Revoked);
    let removed = app.fake.calls_to("admin.users.remove");
    assert_eq!(
        removed.len(),
        1,
        "the joined guest's account, checked first: {removed:#?}"
    );
    assert_eq!(removed[0].arg_str("user_id"), Some(GUEST));
    hourly_run(&app).await;
    app.clock.advance(chrono::Duration::days(4));
    app.run_jobs().await;
    let audit = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(first))
        .await
        .unwrap();
    assert_eq!(
        audit.iter().filter(|r| r.entry.action == "revoke").count(),
        1
    );
}

#[tokio::test]
async fn a_guest_can_be_reassigned_and_an_unanswered_one_is_kept_by_default() {
    let app = slack_admin().start().await;
    let reassigned = active_guest(&app).await;
    let kept = app.approved("alan@partner.example", &["CPROJECT"]).await;
    // The sponsor becomes a guest: a sponsor no more.
    app.fake.update_user(REQUESTER, |u| u.is_restricted = true);
    hourly_run(&app).await;
    assert_eq!(orphan_cards(&app).len(), 2);

    let click = app.slack.button_click(
        APPROVER,
        "reassign_sponsor",
        &reassigned.to_string(),
        Some(REQUEST_CHANNEL),
        "1.1",
    );
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    let opened = app.only_view("reassign_sponsor");
    let metadata = opened.args["view"]["private_metadata"]
        .as_str()
        .unwrap()
        .to_string();
    let submit = |sponsor: &str| {
        app.slack.view_submission(
            APPROVER,
            "reassign_sponsor",
            &metadata,
            json!({"reassign_sponsor": {"reassign_sponsor": {"type": "users_select", "selected_user": sponsor}}}),
        )
    };
    // A guest cannot sponsor.
    let answer = app.slack.interaction(&submit(GUEST)).await.unwrap().json();
    assert!(
        answer["errors"]["reassign_sponsor"].is_string(),
        "{answer:#}"
    );
    let answer = app.slack.interaction(&submit(LEAD)).await.unwrap();
    assert!(answer.body.is_empty(), "{}", answer.body);
    app.run_jobs().await;
    assert_eq!(app.request(reassigned).await.requester.as_str(), LEAD);
    let dm = app.texts_in(LEAD).join("\n");
    assert!(
        dm.contains("made you the sponsor of *Grace Hopper*"),
        "{dm}"
    );

    // The grace period passes: the reassigned guest is left alone, the other is kept (policy).
    app.clock.advance(chrono::Duration::days(8));
    app.run_jobs().await;
    let kept_audit = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(kept))
        .await
        .unwrap();
    assert_eq!(
        kept_audit
            .iter()
            .filter(|r| r.entry.action == "orphan_kept")
            .count(),
        1
    );
    assert_ne!(app.state(kept).await, RequestState::Revoked);
    let moved_audit = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(reassigned))
        .await
        .unwrap();
    assert!(moved_audit.iter().all(|r| r.entry.action != "orphan_kept"));
    assert!(moved_audit.iter().any(|r| r.entry.action == "reassign"));
}

#[tokio::test]
async fn app_home_pages_through_every_guest_account() {
    use guestlist::domain::Expiry;
    let app = Builder::new().start().await;
    // The order App Home shows: soonest end first.
    let expiries: Vec<Expiry> = (0..25)
        .map(|i| Expiry::AfterDays { days: 10 + i })
        .collect();
    let created = approved_in_bulk(&app, "guest", &expiries).await;
    assert_eq!(created.len(), 25);

    let home = open_home(&app, APPROVER, 1).await;
    assert!(
        home.contains("Guest accounts (25), ending soonest first"),
        "{home}"
    );
    assert!(home.contains("Showing 1–10 of 25"), "{home}");
    assert!(home.contains("guest00@partner.example") && !home.contains("guest10@partner.example"));
    assert!(home.contains("\"action_id\":\"home_page\"") && !home.contains("‹ Previous"));
    let page = |n: usize| {
        app.slack
            .button_click(APPROVER, "home_page", &n.to_string(), None, "1.1")
    };
    assert_eq!(app.slack.interaction(&page(1)).await.unwrap().status, 200);
    app.run_jobs().await;
    let home = app.fake.home_view(APPROVER).unwrap().to_string();
    assert!(home.contains("Showing 11–20 of 25"), "{home}");
    assert!(home.contains("guest10@partner.example") && !home.contains("guest09@partner.example"));
    assert!(home.contains("‹ Previous") && home.contains("Next ›"));
    assert_eq!(app.slack.interaction(&page(2)).await.unwrap().status, 200);
    app.run_jobs().await;
    let home = app.fake.home_view(APPROVER).unwrap().to_string();
    assert!(home.contains("Showing 21–25 of 25"), "{home}");
    assert!(!home.contains("Next ›"));
    // A page past the end shows the last one.
    assert_eq!(app.slack.interaction(&page(40)).await.unwrap().status, 200);
    app.run_jobs().await;
    assert!(
        app.fake
            .home_view(APPROVER)
            .unwrap()
            .to_string()
            .contains("Showing 21–25 of 25")
    );

    // The filter menu, as Slack sends a static_select's choice (no value, a selected option).
    let choose = |filter: &str| {
        let mut payload = app
            .slack
            .button_click(APPROVER, "home_filter", "", None, "1.1");
        payload["actions"][0] = serde_json::json!({
            "type": "static_select", "action_id": "home_filter", "block_id": "accounts_filter",
            "selected_option": {"text": {"type": "plain_text", "text": filter}, "value": filter},
            "action_ts": "1.2"});
        payload
    };
    let ends: Vec<_> = created.iter().map(|r| r.expires_at).collect();
    let within_30 = ends
        .iter()
        .filter(|e| e.is_some_and(|at| at <= app.now() + chrono::Duration::days(30)))
        .count();
    assert!(within_30 > 0 && within_30 < 25, "{ends:?}");
    assert_eq!(
        app.slack.interaction(&choose("30d")).await.unwrap().status,
        200
    );
    app.run_jobs().await;
    let home = app.fake.home_view(APPROVER).unwrap().to_string();
    assert!(
        home.contains(&format!(
            "Guest accounts ({within_30}), ending soonest first"
        )),
        "{home}"
    );
    assert!(
        home.contains("Ending within 30 days"),
        "the menu shows the filter"
    );
    // Its pages keep the filter.
    assert!(home.contains("\"value\":\"1:30d\""), "{home}");
    assert_eq!(
        app.slack.interaction(&choose("7d")).await.unwrap().status,
        200
    );
    app.run_jobs().await;
    let home = app.fake.home_view(APPROVER).unwrap().to_string();
    assert!(
        home.contains("No guest account matches this filter."),
        "{home}"
    );
    // A value that is not ours changes nothing, and Slack hears that nothing handled it.
    app.run_jobs().await;
    assert_eq!(
        app.slack
            .interaction(&choose("<!here>"))
            .await
            .unwrap()
            .status,
        404
    );
    assert_eq!(app.run_jobs().await, 0, "no home is published for it");
}

#[tokio::test]
async fn the_weekly_digest_lists_what_ends_soon_and_the_unmanaged_once_a_week() {
    let app = slack_admin().start().await;
    app.fake.add_user(
        guestlist::fake_slack::FakeUser::new("UHAND", "Hank Hand")
            .email("hank@vendor.example")
            .guest(true),
    );
    let id = active_guest(&app).await;
    let digests = |app: &TestApp| {
        app.texts_in(REQUEST_CHANNEL)
            .into_iter()
            .filter(|t| t.contains("Weekly guest digest"))
            .collect::<Vec<_>>()
    };
    hourly_run(&app).await;
    let first = digests(&app);
    assert_eq!(first.len(), 1, "{first:#?}");
    assert!(
        first[0].contains("No guest account ends in the next 7 days"),
        "{}",
        first[0]
    );
    assert!(first[0].contains("*1 guest(s) in Slack are not managed by Guestlist"));
    hourly_run(&app).await;
    assert_eq!(digests(&app).len(), 1, "once a week");
    // Three weeks later the guest ends within 7 days: the next digest says so.
    app.clock.advance(chrono::Duration::days(24));
    hourly_run(&app).await;
    let last = digests(&app).pop().unwrap();
    assert!(
        last.contains("*1 guest account(s) end in the next 7 days:*"),
        "{last}"
    );
    assert!(last.contains("Grace Hopper") && last.contains(&format!("<@{REQUESTER}>")));
    assert_eq!(app.state(id).await, RequestState::Active);
}

#[tokio::test]
async fn an_account_ended_by_its_own_deadline_is_not_called_ended_outside() {
    let app = slack_admin().start().await;
    let id = active_guest(&app).await;
    // Slack ends the account at the deadline Guestlist set; the next run comes after.
    app.fake.update_user(GUEST, |u| u.deleted = true);
    app.clock.advance(chrono::Duration::days(31));
    hourly_run(&app).await;
    assert_eq!(app.state(id).await, RequestState::Expired);
    let audit = app
        .store
        .audit_for_request(&team(), guestlist::domain::RequestId(id))
        .await
        .unwrap();
    assert!(
        audit.iter().all(|r| r.entry.action != "ended_outside"),
        "{audit:#?}"
    );
}

/// Approved requests made straight in the store (as an import makes them), one per expiry:
/// `{prefix}{NN}@partner.example`, sponsored by the requester.
async fn approved_in_bulk(
    app: &TestApp,
    prefix: &str,
    expiries: &[guestlist::domain::Expiry],
) -> Vec<guestlist::domain::GuestRequest> {
    use guestlist::domain::request::{NewRequest, Source};
    use guestlist::domain::{ChannelId, Email, GuestType, RequestKind, UserId};
    let batch: Vec<NewRequest> = expiries
        .iter()
        .enumerate()
        .map(|(i, expiry)| NewRequest {
            team_id: team(),
            kind: RequestKind::Guest,
            parent_id: None,
            requester: UserId::from(REQUESTER),
            email: Email::parse(&format!("{prefix}{i:02}@partner.example")).unwrap(),
            full_name: format!("Guest {i:02}"),
            organisation: String::new(),
            reason: "many".into(),
            guest_type: GuestType::SingleChannel,
            channels: vec![ChannelId::from("CPROJECT")],
            expiry: *expiry,
            source: Source::Import,
            sync_rule: None,
            profile: Default::default(),
            slack_invite_request: None,
            account_team: None,
            source_user: None,
            quorum: Default::default(),
            decide_by: None,
        })
        .collect();
    let approval = guestlist::store::Approval {
        decided_by: Some(guestlist::domain::UserId::from(APPROVER)),
        auto_rule: None,
        audit_actor: APPROVER.into(),
        audit_action: "import".into(),
        audit_detail: String::new(),
    };
    app.store
        .create_approved(&batch, &approval, app.now(), Box::new(|_| Vec::new()))
        .await
        .unwrap()
}

#[tokio::test]
async fn app_home_filters_accounts_without_an_end() {
    use guestlist::domain::Expiry;
    let app = Builder::new().start().await;
    approved_in_bulk(
        &app,
        "guest",
        &[
            Expiry::AfterDays { days: 5 },
            Expiry::Never,
            Expiry::AfterDays { days: 40 },
            Expiry::Never,
        ],
    )
    .await;
    let home = open_home(&app, APPROVER, 1).await;
    assert!(home.contains("Guest accounts (4)"), "{home}");
    let home = app.home_filter(APPROVER, "no_end").await;
    assert!(home.contains("Guest accounts (2)"), "{home}");
    assert!(
        home.contains("guest01@partner.example") && home.contains("guest03@partner.example"),
        "{home}"
    );
    assert!(
        !home.contains("guest00@partner.example") && !home.contains("guest02@partner.example"),
        "{home}"
    );
    let home = app.home_filter(APPROVER, "7d").await;
    assert!(
        home.contains("Guest accounts (1)") && home.contains("guest00@partner.example"),
        "{home}"
    );
}

#[tokio::test]
async fn guests_as_csv_defuses_every_cell_a_spreadsheet_would_run() {
    let app = Builder::new().backend(Backend::Sqlite).start().await;
    // A valid address that a spreadsheet would read as a formula.
    app.approved("=2+5@vendor.test", &["CPROJECT"]).await;
    let output = app.cli(&["guests", "--format", "csv"]).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = String::from_utf8(output.stdout).unwrap();
    let row = csv.lines().nth(1).expect("one guest");
    assert!(row.contains(",'=2+5@vendor.test,"), "{csv}");
    assert!(!row.contains(",=2+5"), "{csv}");
}

#[tokio::test]
async fn guests_with_team_lists_that_workspaces_accounts_only() {
    let app = Builder::new().backend(Backend::Sqlite).start().await;
    app.approved("grace@partner.example", &["CPROJECT"]).await;
    let listed = |team: &'static str| {
        let app = &app;
        async move {
            let output = app
                .cli(&["--team", team, "guests", "--format", "json"])
                .await;
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
            rows.iter()
                .map(|r| r["email"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("T0FAKE").await, vec!["grace@partner.example"]);
    assert!(listed("T0ELSEWHERE").await.is_empty());
}
