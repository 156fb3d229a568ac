//! Access reviews through the front door: a reviewer starts one from App Home, each sponsor
//! gets one DM with Keep / Shorten / End per guest, the answers do what they say (in the store
//! and in the fake Slack), the deadline applies the outcome to what is left, and the progress
//! message in the request channel ends with the right counts, across a restart.

use crate::helpers::*;
use chrono::Duration;
use guestlist::domain::RequestState;
use guestlist::domain::review::ItemState;
use guestlist::fake_slack::{FakeSlack, FakeUser, FormInput};
use guestlist::store::ReviewItem;
use serde_json::json;

const SPONSOR_3: &str = "USPONSOR3";

/// An active guest sponsored by `sponsor`, joined as `user_id`. Returns the request id.
async fn active_guest(app: &TestApp, sponsor: &str, email: &str, user_id: &str) -> i64 {
    let answer = app
        .submit(sponsor, &FormInput::new(email, &["CPROJECT"]))
        .await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    app.run_jobs().await;
    let id = app
        .store
        .open_request_for_email(&team(), email)
        .await
        .unwrap()
        .expect("stored")
        .id
        .0;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    app.team_join(user_id, email).await;
    assert_eq!(app.state(id).await, RequestState::Active);
    id
}

/// App Home's Start access review, as `user`.
async fn start_from_home(app: &TestApp, user: &str) {
    let payload = app
        .slack
        .button_click(user, "start_review", "open", None, "1.1");
    assert_eq!(app.slack.interaction(&payload).await.unwrap().status, 200);
    app.run_jobs().await;
}

async fn items(app: &TestApp) -> Vec<ReviewItem> {
    let campaign = app
        .store
        .latest_review(&team())
        .await
        .unwrap()
        .expect("a campaign");
    app.store.review_items(&team(), campaign.id).await.unwrap()
}

async fn item_for(app: &TestApp, request: i64) -> ReviewItem {
    items(app)
        .await
        .into_iter()
        .find(|i| i.request_id.0 == request)
        .expect("an item for the request")
}

/// A click on an item's button in the message it is shown in.
async fn answer(app: &TestApp, user: &str, action: &str, item: &ReviewItem) {
    let channel = item.dm_channel.clone().unwrap_or(REQUEST_CHANNEL.into());
    let ts = item
        .dm_ts
        .clone()
        .or(item.escalation_ts.clone())
        .unwrap_or_default();
    let payload = app
        .slack
        .button_click(user, action, &item.id.to_string(), Some(&channel), &ts);
    assert_eq!(app.slack.interaction(&payload).await.unwrap().status, 200);
    app.run_jobs().await;
}

async fn shorten(app: &TestApp, user: &str, item: &ReviewItem, date: &str) -> serde_json::Value {
    let payload = app.slack.view_submission(
        user,
        "review_shorten",
        &json!({"item_id": item.id, "tz": "UTC"}).to_string(),
        json!({"review_date": {"review_date": {"type": "datepicker", "selected_date": date}}}),
    );
    let answer = app.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.status, 200);
    app.run_jobs().await;
    if answer.body.is_empty() {
        serde_json::Value::Null
    } else {
        answer.json()
    }
}

/// The campaign's progress message (the one top-level message in the request channel that is
/// about the review).
fn progress(fake: &FakeSlack) -> String {
    let found: Vec<String> = fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .map(|m| m.all_text())
        .filter(|t| t.contains("reviewed ·"))
        .collect();
    assert_eq!(found.len(), 1, "one progress message: {found:#?}");
    found[0].clone()
}

fn review_dms(fake: &FakeSlack, user: &str) -> Vec<guestlist::fake_slack::FakeMessage> {
    fake.messages_in(user)
        .into_iter()
        .filter(|m| m.all_text().contains("you sponsor these guests"))
        .collect()
}

async fn actions(app: &TestApp, request: i64) -> Vec<String> {
    app.store
        .audit_for_request(&team(), guestlist::domain::RequestId(request))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect()
}

#[tokio::test]
async fn a_campaign_over_three_sponsors_does_what_each_answer_says_and_ends_unanswered_ones_at_the_deadline()
 {
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::from_env();
    let store = fresh_store(&backend, &dir).await;
    let fake = FakeSlack::start().await.unwrap();
    seed_workspace(&fake);
    fake.add_user(FakeUser::new(SPONSOR_3, "Sam Sponsor"));
    let build = || {
        slack_admin()
            .fake(&fake)
            .store(store.clone())
            .toml("[review]\noutcome = \"end\"\ndeadline_days = 7\n")
    };
    let app = build().start().await;
    let kept = active_guest(&app, REQUESTER, "kept@partner.example", "UG1").await;
    let shortened = active_guest(&app, REQUESTER, "short@partner.example", "UG2").await;
    let ended = active_guest(&app, OUTSIDER, "ended@partner.example", "UG3").await;
    let silent = active_guest(&app, OUTSIDER, "silent@partner.example", "UG4").await;
    let silent_too = active_guest(&app, SPONSOR_3, "silent2@vendor.example", "UG5").await;
    let started = app.now();

    // Only reviewers may start one.
    start_from_home(&app, REQUESTER).await;
    assert!(app.store.latest_review(&team()).await.unwrap().is_none());
    start_from_home(&app, APPROVER).await;
    let campaign = app.store.latest_review(&team()).await.unwrap().unwrap();
    assert_eq!(
        campaign.deadline.timestamp_millis(),
        (started + Duration::days(7)).timestamp_millis()
    );
    assert_eq!(items(&app).await.len(), 5);
    // A second start while it is open starts nothing.
    start_from_home(&app, APPROVER).await;
    assert_eq!(
        app.store.latest_review(&team()).await.unwrap().unwrap().id,
        campaign.id
    );

    // One DM per sponsor, listing exactly their guests with three buttons each.
    for (sponsor, guests) in [(REQUESTER, 2), (OUTSIDER, 2), (SPONSOR_3, 1)] {
        let dms = review_dms(&fake, sponsor);
        assert_eq!(dms.len(), 1, "{sponsor}: one DM");
        let buttons = buttons(&dms[0]);
        assert_eq!(
            buttons.iter().filter(|b| *b == "review_keep").count(),
            guests
        );
        assert_eq!(buttons.len(), guests * 3, "{buttons:?}");
    }
    assert!(review_dms(&fake, APPROVER).is_empty());
    // The reviewer who started it is told so.
    assert!(
        app.texts_in(APPROVER)
            .iter()
            .any(|t| t.contains("Access review #1 started: 5 guest(s), 3 sponsor(s)")),
        "{:?}",
        app.texts_in(APPROVER)
    );
    assert!(
        progress(&fake).contains("0 of 5 reviewed · 0 ended · 5 waiting"),
        "{}",
        progress(&fake)
    );

    // Not the sponsor, not a reviewer: refused, nothing changes.
    let item = item_for(&app, kept).await;
    answer(&app, SPONSOR_3, "review_keep", &item).await;
    assert_eq!(item_for(&app, kept).await.state, ItemState::Pending);
    assert!(
        app.ephemeral_texts()
            .iter()
            .any(|t| t.contains("Only the sponsor or a reviewer")),
        "{:?}",
        app.ephemeral_texts()
    );

    // Keep: recorded, the account untouched, the DM shows who kept it.
    let before = app.request(kept).await;
    answer(&app, REQUESTER, "review_keep", &item).await;
    assert_eq!(item_for(&app, kept).await.state, ItemState::Kept);
    assert_eq!(app.request(kept).await.expires_at, before.expires_at);
    assert!(actions(&app, kept).await.contains(&"review_keep".into()));
    let dm = review_dms(&fake, REQUESTER).remove(0);
    assert!(dm.updates > 0);
    assert!(
        dm.all_text().contains("Kept by <@UREQUESTER>"),
        "{}",
        dm.all_text()
    );
    assert_eq!(buttons(&dm).len(), 3, "only the other guest keeps buttons");
    // A second answer is refused.
    answer(&app, REQUESTER, "review_end", &item).await;
    assert_eq!(app.state(kept).await, RequestState::Active);

    // Shorten: the form, a later date refused on its field, an earlier one applied.
    let item = item_for(&app, shortened).await;
    answer(&app, REQUESTER, "review_shorten", &item).await;
    app.only_view("review_shorten");
    let current = app.request(shortened).await.expires_at.unwrap();
    let later = (current + Duration::days(3)).date_naive().to_string();
    let refused = shorten(&app, REQUESTER, &item, &later).await;
    assert!(
        refused["errors"]["review_date"]
            .as_str()
            .unwrap()
            .contains("before the current end"),
        "{refused}"
    );
    assert_eq!(item_for(&app, shortened).await.state, ItemState::Pending);
    let earlier = (started + Duration::days(5)).date_naive();
    fake.clear_calls();
    assert_eq!(
        shorten(&app, REQUESTER, &item, &earlier.to_string()).await,
        serde_json::Value::Null
    );
    let now_ends = app.request(shortened).await.expires_at.unwrap();
    assert_eq!(now_ends.date_naive(), earlier);
    assert!(now_ends < current);
    assert_eq!(item_for(&app, shortened).await.state, ItemState::Shortened);
    let expiration = app.only_call("admin.users.setExpiration");
    assert_eq!(expiration.args["user_id"], "UG2");
    assert_eq!(expiration.args["expiration_ts"], now_ends.timestamp());
    assert!(
        actions(&app, shortened)
            .await
            .contains(&"review_shorten".into())
    );

    // A restart mid-campaign: a new process over the same database answers the rest.
    drop(app);
    let app = build().start().await;
    app.clock.set(started + Duration::days(1));

    // End: the account goes now, through the bound user id.
    let item = item_for(&app, ended).await;
    fake.clear_calls();
    answer(&app, OUTSIDER, "review_end", &item).await;
    assert_eq!(app.state(ended).await, RequestState::Revoked);
    assert_eq!(item_for(&app, ended).await.state, ItemState::Ended);
    let removed = app.only_call("admin.users.remove");
    assert_eq!(removed.args["user_id"], "UG3");
    assert!(
        progress(&fake).contains("3 of 5 reviewed · 1 ended · 2 waiting"),
        "{}",
        progress(&fake)
    );

    // The shortened access ends on its new date.
    fake.clear_calls();
    app.clock.set(now_ends + Duration::hours(1));
    app.run_jobs().await;
    assert_eq!(app.state(shortened).await, RequestState::Expired);
    assert_eq!(app.only_call("admin.users.remove").args["user_id"], "UG2");

    // The deadline: the two unanswered are ended, once; the campaign closes.
    fake.clear_calls();
    app.clock
        .set(started + Duration::days(7) + Duration::minutes(1));
    app.run_jobs().await;
    for id in [silent, silent_too] {
        assert_eq!(app.state(id).await, RequestState::Revoked);
        assert_eq!(item_for(&app, id).await.state, ItemState::EndedUnanswered);
    }
    assert_eq!(app.state(kept).await, RequestState::Active);
    let removed: Vec<String> = fake
        .calls_to("admin.users.remove")
        .iter()
        .map(|c| c.args["user_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert!(removed.contains(&"UG4".into()) && removed.contains(&"UG5".into()));
    let campaign = app.store.latest_review(&team()).await.unwrap().unwrap();
    assert!(campaign.closed_at.is_some());
    let done = progress(&fake);
    assert!(done.contains("is over"), "{done}");
    assert!(
        done.contains("5 of 5 reviewed · 3 ended · 0 waiting")
            && done.contains("1 shortened")
            && done.contains("2 ended for want of an answer"),
        "{done}"
    );
    let dm = review_dms(&fake, SPONSOR_3).remove(0);
    assert!(
        dm.all_text()
            .contains("Not answered by the deadline: ended"),
        "{}",
        dm.all_text()
    );
    assert!(buttons(&dm).is_empty());
    // Every answer is an audit row on its guest.
    assert!(actions(&app, silent).await.contains(&"review_end".into()));
    // Later runs change nothing more.
    fake.clear_calls();
    app.clock.advance(Duration::days(1));
    app.run_jobs().await;
    assert!(fake.calls_to("admin.users.remove").is_empty());
}

#[tokio::test]
async fn unanswered_guests_go_to_approvers_when_the_outcome_is_escalate() {
    let app = slack_admin()
        .toml("[review]\noutcome = \"escalate\"\ndeadline_days = 3\n")
        .start()
        .await;
    let id = active_guest(&app, REQUESTER, "late@partner.example", "UG1").await;
    let started = app.now();
    start_from_home(&app, APPROVER).await;
    app.clock
        .set(started + Duration::days(3) + Duration::minutes(1));
    app.run_jobs().await;
    let item = item_for(&app, id).await;
    assert_eq!(item.state, ItemState::Escalated);
    assert!(item.escalation_ts.is_some(), "posted for approvers");
    let escalation: Vec<_> = app
        .fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .filter(|m| m.all_text().contains("Approvers decide"))
        .collect();
    assert_eq!(escalation.len(), 1);
    assert!(buttons(&escalation[0]).contains(&"review_keep".to_string()));
    assert!(progress(&app.fake).contains("1 with approvers"));
    // The sponsor's time is up; an approver decides.
    answer(&app, REQUESTER, "review_keep", &item).await;
    assert_eq!(item_for(&app, id).await.state, ItemState::Escalated);
    answer(&app, APPROVER, "review_keep", &item).await;
    assert_eq!(item_for(&app, id).await.state, ItemState::Kept);
    assert_eq!(app.state(id).await, RequestState::Active);
    assert!(progress(&app.fake).contains("1 of 1 reviewed"));
    assert!(actions(&app, id).await.contains(&"review_escalated".into()));
}

#[tokio::test]
async fn a_scoped_review_covers_its_domain_only_and_reviews_come_on_schedule() {
    let app = slack_admin()
        .toml("[review]\nevery_days = 90\noutcome = \"keep\"\n")
        .start()
        .await;
    let inside = active_guest(&app, REQUESTER, "a@partner.example", "UG1").await;
    let outside = active_guest(&app, REQUESTER, "b@vendor.example", "UG2").await;
    let started = app
        .workflow
        .start_review(
            &team(),
            guestlist::workflow::ReviewStart {
                scope: guestlist::domain::review::Scope {
                    domain: Some("partner.example".into()),
                    channel: None,
                },
                answer_within: Some(Duration::days(2)),
                started_by: "cli".into(),
            },
        )
        .await
        .unwrap();
    let guestlist::workflow::ReviewStarted::Started { guests, .. } = started else {
        panic!("{started:?}")
    };
    assert_eq!(guests, 1);
    app.run_jobs().await;
    let listed: Vec<i64> = items(&app).await.iter().map(|i| i.request_id.0).collect();
    assert_eq!(listed, vec![inside]);
    assert!(!listed.contains(&outside));
    // Keep: at the deadline the guest stays, with a note.
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(
        item_for(&app, inside).await.state,
        ItemState::KeptUnanswered
    );
    assert_eq!(app.state(inside).await, RequestState::Active);
    assert!(
        actions(&app, inside)
            .await
            .contains(&"review_unanswered".into())
    );
    // The schedule: 90 days after the last one started, the next covers everyone.
    let scheduler = guestlist::jobs::Scheduler::new(app.workflow.clone());
    scheduler.tick_once().await.unwrap();
    let first = app.store.latest_review(&team()).await.unwrap().unwrap();
    assert_eq!(first.scope, "guests from partner.example", "not due yet");
    app.clock.advance(Duration::days(89));
    scheduler.tick_once().await.unwrap();
    scheduler.tick_once().await.unwrap();
    let next = app.store.latest_review(&team()).await.unwrap().unwrap();
    assert_ne!(next.id, first.id);
    assert_eq!(next.scope, "every guest");
    app.run_jobs().await;
    assert_eq!(items(&app).await.len(), 2);
}

#[tokio::test]
async fn guestlist_review_start_and_status_from_the_command_line() {
    let app = slack_admin().backend(Backend::Sqlite).start().await;
    let inside = active_guest(&app, REQUESTER, "a@partner.example", "UG1").await;
    active_guest(&app, OUTSIDER, "b@vendor.example", "UG2").await;
    let db = app.dir.path().join("guestlist.db");
    let config = app.dir.path().join("guestlist.toml");
    let run = |args: &[&str]| {
        let mut all = vec!["--config".to_string(), config.display().to_string()];
        all.extend(args.iter().map(|s| s.to_string()));
        tokio::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
            .args(all)
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("SLACK_API_URL", app.fake.api_url())
            .env("SLACK_BOT_TOKEN", "xoxb-test-bot")
            .env("SLACK_ADMIN_TOKEN", ADMIN_TOKEN)
            .output()
    };
    let out = run(&[
        "review",
        "start",
        "--domain",
        "@Partner.example",
        "--deadline-days",
        "3",
    ])
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .contains("access review #1 of guests from partner.example: 1 guest(s), 1 sponsor(s)"),
        "{stdout}"
    );
    // One at a time: a second start fails and says which is open.
    let again = run(&["review", "start"]).await.unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("access review #1 is still open"));
    // A bad deadline is refused by the parser, naming the flag.
    let bad = run(&["review", "start", "--deadline-days", "0"])
        .await
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--deadline-days"));
    // The running bot sends the DM the command queued (on the wall clock, ahead of the test's).
    app.clock.set(chrono::Utc::now() + Duration::seconds(1));
    app.run_jobs().await;
    assert_eq!(review_dms(&app.fake, REQUESTER).len(), 1);
    assert!(review_dms(&app.fake, OUTSIDER).is_empty());
    answer(
        &app,
        REQUESTER,
        "review_keep",
        &item_for(&app, inside).await,
    )
    .await;
    let status = run(&["review", "status"]).await.unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        status.contains("(open): 1 of 1 reviewed, 0 ended, 0 waiting"),
        "{status}"
    );
}

#[tokio::test]
async fn app_home_filters_the_accounts_still_waiting_for_a_review_answer() {
    let app = slack_admin().start().await;
    let kept = active_guest(&app, REQUESTER, "kept@partner.example", "UG1").await;
    let waiting = active_guest(&app, REQUESTER, "waiting@partner.example", "UG2").await;
    let home = app.home_filter(APPROVER, "review").await;
    assert!(
        home.contains("No guest account matches this filter."),
        "no review yet: {home}"
    );
    start_from_home(&app, APPROVER).await;
    answer(&app, REQUESTER, "review_keep", &item_for(&app, kept).await).await;
    assert_eq!(item_for(&app, kept).await.state, ItemState::Kept);
    assert_eq!(item_for(&app, waiting).await.state, ItemState::Pending);
    let home = app.home_filter(APPROVER, "review").await;
    assert!(home.contains("Guest accounts (1)"), "{home}");
    assert!(
        home.contains("waiting@partner.example") && !home.contains("kept@partner.example"),
        "{home}"
    );
}
