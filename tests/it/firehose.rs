//! The firehose (issue 18): profile edits of people Guestlist never dealt with cost no work;
//! those about a known person still do theirs.

use crate::helpers::*;
use guestlist::domain::RequestState;
use guestlist::fake_slack::FakeUser;
use serde_json::json;

fn user_change(id: &str, email: &str, restricted: bool) -> serde_json::Value {
    json!({"type": "user_change", "user": {"id": id, "team_id": "T0FAKE", "name": id, "deleted": false,
        "is_restricted": restricted, "profile": {"email": email, "real_name": "Someone", "status_text": "lunch"}}})
}

/// How many `account_event` jobs the store holds (done or not).
async fn account_jobs(app: &TestApp) -> usize {
    app.store
        .jobs_of_kind("account_event", 100)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_user_change_for_an_invited_guest_marks_them_active_and_one_for_a_stranger_costs_no_job()
{
    for backend in Backend::all() {
        let app = slack_admin().backend(backend).start().await;
        let id = app.approved("grace@partner.com", &["CPROJECT"]).await;
        assert_eq!(app.state(id).await, RequestState::Invited);
        let jobs_before = account_jobs(&app).await;

        // A stranger edits their status: recorded, no job.
        let answer = app
            .slack
            .event(
                "EvStranger",
                user_change("WSTRANGER", "someone@acme.test", false),
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(
            account_jobs(&app).await,
            jobs_before,
            "no work for a stranger"
        );

        // The invited guest's profile arrives (they accepted): they are active.
        app.fake.add_user(
            FakeUser::new("WGRACE", "Grace Hopper")
                .email("grace@partner.com")
                .guest(true),
        );
        let answer = app
            .slack
            .event("EvGrace", user_change("WGRACE", "Grace@Partner.com", true))
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(account_jobs(&app).await, jobs_before + 1);
        app.run_jobs().await;
        let request = app.request(id).await;
        assert_eq!(request.state, RequestState::Active);
        assert_eq!(request.slack_user_id.as_deref(), Some("WGRACE"));
    }
}

#[tokio::test]
async fn a_click_whose_process_dies_before_its_follow_up_still_updates_the_card_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kill.db").display());
    let fake = guestlist::fake_slack::FakeSlack::start().await.unwrap();
    seed_workspace(&fake);
    let build = || {
        Builder::new()
            .fake(&fake)
            .backend(Backend::Sqlite)
            .store_url(&db)
    };
    let first = build().start().await;
    let id = first
        .request_posted("grace@partner.com", &["CPROJECT"])
        .await;
    let updates_before = fake.calls_to("chat.update").len();
    // The decision commits with its follow-ups; the process dies before any of them runs.
    first.click(APPROVER, "approve_request", id).await;
    assert_eq!(first.state(id).await, RequestState::Approved);
    first.shutdown.cancel();
    drop(first);
    assert_eq!(fake.calls_to("chat.update").len(), updates_before);

    let second = build().start().await;
    second.run_jobs().await;
    let updates = fake.calls_to("chat.update");
    assert_eq!(
        updates.len(),
        updates_before + 1,
        "the card is refreshed once"
    );
    assert!(
        updates
            .last()
            .unwrap()
            .arg("blocks")
            .unwrap()
            .to_string()
            .contains("Approved by"),
        "{:?}",
        updates.last()
    );
    assert!(
        fake.messages_in(REQUESTER)
            .iter()
            .any(|m| m.all_text().contains("was approved")),
        "the requester is told"
    );
    drop(second);
    fake.stop();
}
