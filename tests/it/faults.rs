//! Faults, through the front door, on both databases: nothing lost and nothing done twice when
//! the clock jumps past several deadlines at once, or Slack answers a storm of 5xx.

use crate::helpers::*;
use chrono::Duration;
use guestlist::domain::RequestState;
use guestlist::fake_slack::Failure;

/// Live guests on Grid, each ending `days[i]` days after approval. Returns (request, user).
async fn live_guests(app: &TestApp, days: &[u32]) -> Vec<(i64, String)> {
    let mut guests = Vec::new();
    for (i, days) in days.iter().enumerate() {
        let email = format!("guest{i}@partner.example");
        let mut form = guestlist::fake_slack::FormInput::new(&email, &["CPROJECT"]);
        form.expiry_days = Some(days.to_string());
        let answer = app.submit(REQUESTER, &form).await;
        assert_eq!(answer["response_action"], "update", "{answer}");
        app.run_jobs().await;
        let id = app.request_id(&email).await;
        app.click(APPROVER, "approve_request", id).await;
        app.run_jobs().await;
        let user = format!("UG{i}");
        app.team_join(&user, &email).await;
        assert_eq!(app.state(id).await, RequestState::Active);
        guests.push((id, user));
    }
    guests
}

fn removals_of(app: &TestApp, user: &str) -> usize {
    app.fake
        .calls_to("admin.users.remove")
        .iter()
        .filter(|c| c.arg_str("user_id") == Some(user))
        .count()
}

#[tokio::test]
async fn a_clock_that_jumps_past_several_deadlines_ends_each_guest_once() {
    for backend in Backend::all() {
        let app = slack_admin().backend(backend.clone()).start().await;
        let guests = live_guests(&app, &[10, 20, 30]).await;
        // The host slept (or the clock was set) forty days ahead.
        app.clock.advance(Duration::days(40));
        app.run_jobs().await;
        app.run_jobs().await;
        for (id, user) in &guests {
            assert_eq!(
                app.state(*id).await,
                RequestState::Expired,
                "{backend:?} #{id}"
            );
            assert_eq!(removals_of(&app, user), 1, "{backend:?}: {user} ended once");
        }
        // And the scheduler's sweep finds nothing left to do.
        guestlist::jobs::Scheduler::new(app.workflow.clone())
            .tick_once()
            .await
            .unwrap();
        app.run_jobs().await;
        for (_, user) in &guests {
            assert_eq!(removals_of(&app, user), 1, "{backend:?}: nothing twice");
        }
    }
}

#[tokio::test]
async fn a_storm_of_slack_5xx_delays_the_end_and_loses_nothing() {
    for backend in Backend::all() {
        let app = slack_admin().backend(backend.clone()).start().await;
        let guests = live_guests(&app, &[5, 5]).await;
        let posts_before = app.fake.calls_to("chat.postMessage").len();
        // Slack is down for a while: every write of the moment fails, a few times each.
        for method in ["admin.users.remove", "chat.postMessage", "chat.update"] {
            app.fake.fail_next(method, 3, Failure::Status(503));
        }
        app.clock.advance(Duration::days(5) + Duration::hours(2));
        for _ in 0..8 {
            app.run_jobs().await;
            app.clock.advance(Duration::seconds(2));
        }
        for (id, user) in &guests {
            assert_eq!(
                app.state(*id).await,
                RequestState::Expired,
                "{backend:?} #{id}"
            );
            // The failed calls are in the fake's log too; the account is out, once.
            assert!(
                !app.fake.user(user).unwrap().in_workspace,
                "{backend:?}: {user} removed"
            );
            let expiries = app
                .store
                .audit_for_request(&team(), guestlist::domain::RequestId(*id))
                .await
                .unwrap()
                .into_iter()
                .filter(|a| a.entry.action == "expire")
                .count();
            assert_eq!(expiries, 1, "{backend:?}: #{id} expired once");
        }
        assert_eq!(
            app.fake.calls_to("admin.users.remove").len(),
            3 + guests.len(),
            "{backend:?}: three 503s, then one removal each"
        );
        let ended_notes = app
            .fake
            .calls_to("chat.postMessage")
            .into_iter()
            .skip(posts_before)
            .filter(|c| c.args.to_string().contains("ended"))
            .count();
        assert!(
            ended_notes >= guests.len(),
            "{backend:?}: the ends were told"
        );
        let stats = app.store.queue_stats(app.now()).await.unwrap();
        assert_eq!(stats.failed, 0, "{backend:?}: no job gave up: {stats:?}");
    }
}
