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

/// What Guestlist asked Slack to change since the last `clear_calls`: nothing, for this loop.
fn writes(app: &TestApp) -> Vec<String> {
    app.fake
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| {
            m.starts_with("admin.") || m.starts_with("users.admin") || m == "users.profile.set"
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
    assert!(app.card().all_text().contains("Ended outside Guestlist"));
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
