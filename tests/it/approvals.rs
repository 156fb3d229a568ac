//! Approvals (issue 12): roles and their scopes, several approvers per request, racing votes,
//! time limits with escalation, approve with changes and request again. Through the front
//! door, on both databases where the race matters.

use crate::helpers::*;
use chrono::Duration;
use futures_util::future::join_all;
use guestlist::domain::{RequestId, RequestState};
use guestlist::fake_slack::{FakeSlack, FakeUser, FormInput};
use serde_json::{Value, json};

/// Two approvals for multi-channel guests; the requester is an approver too.
const TWO_FOR_MULTI: &str = "[approvers]\nusers = [\"UAPPROVER\", \"UAPPROVER2\", \"UREQUESTER\"]\nworkspace_admins = true\n\n\
     [[quorum]]\nname = \"multi-channel\"\nguest_types = [\"multi_channel\"]\napprovals = 2\n";

fn audit_actions(records: &[guestlist::store::AuditRecord]) -> Vec<String> {
    records.iter().map(|r| r.entry.action.clone()).collect()
}

async fn actions(app: &TestApp, id: i64) -> Vec<String> {
    audit_actions(
        &app.store
            .audit_for_request(&team(), RequestId(id))
            .await
            .unwrap(),
    )
}

/// The text of every message in the request's card thread.
fn thread(app: &TestApp) -> Vec<String> {
    let card = app.card();
    app.fake
        .thread(REQUEST_CHANNEL, &card.ts)
        .iter()
        .map(|m| m.all_text())
        .collect()
}

#[tokio::test]
async fn two_approvals_need_two_distinct_approvers_and_nobody_else_counts() {
    for backend in Backend::all() {
        let app = slack_admin()
            .backend(backend)
            .approvers(TWO_FOR_MULTI)
            .start()
            .await;
        let id = app
            .request_posted("grace@partner.com", &["CPROJECT", "COTHER"])
            .await;
        assert_eq!(app.request(id).await.quorum.approvals, 2);

        // The requester is an approver, and still never counts for their own request.
        app.click(REQUESTER, "approve_request", id).await;
        app.run_jobs().await;
        assert_eq!(app.state(id).await, RequestState::Pending);
        assert!(
            app.ephemeral_texts()
                .iter()
                .any(|t| t.contains("cannot decide your own request")),
            "{:?}",
            app.ephemeral_texts()
        );

        app.click(APPROVER, "approve_request", id).await;
        app.run_jobs().await;
        assert_eq!(app.state(id).await, RequestState::Pending);
        let card = app.card().all_text();
        assert!(
            card.contains(&format!("1 of 2 approvals: <@{APPROVER}>")),
            "{card}"
        );
        assert!(buttons(&app.card()).contains(&"approve_request".to_string()));

        // The same person twice is one approval.
        app.click(APPROVER, "approve_request", id).await;
        app.run_jobs().await;
        assert_eq!(app.state(id).await, RequestState::Pending);
        assert!(
            app.ephemeral_texts()
                .iter()
                .any(|t| t.contains("already voted")),
            "{:?}",
            app.ephemeral_texts()
        );
        assert!(app.fake.calls_to("admin.users.invite").is_empty());

        app.click(APPROVER_2, "approve_request", id).await;
        app.run_jobs().await;
        assert_eq!(app.state(id).await, RequestState::Invited);
        assert_eq!(app.fake.calls_to("admin.users.invite").len(), 1);
        let card = app.card();
        assert!(!buttons(&card).contains(&"approve_request".to_string()));
        assert!(
            thread(&app)
                .iter()
                .any(|t| t.contains(&format!("Approved by <@{APPROVER}> and <@{APPROVER_2}>"))),
            "{:?}",
            thread(&app)
        );

        // A third click, by a workspace admin, changes nothing (the invitation went out).
        app.click("UADMIN", "approve_request", id).await;
        app.run_jobs().await;
        assert_eq!(app.fake.calls_to("admin.users.invite").len(), 1);
        assert!(
            app.ephemeral_texts()
                .iter()
                .any(|t| t.contains("already approved")),
            "{:?}",
            app.ephemeral_texts()
        );
        let actions = actions(&app, id).await;
        assert_eq!(
            actions
                .iter()
                .filter(|a| a.as_str() == "vote_approve")
                .count(),
            2,
            "every approval is an audit row: {actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| a.as_str() == "approve").count(),
            1
        );
        assert!(actions.contains(&"refused_approve".to_string()));

        // A single-channel request needs one approval, as before.
        let single = app.request_posted("ada@partner.com", &["CPROJECT"]).await;
        app.click(APPROVER_2, "approve_request", single).await;
        app.run_jobs().await;
        assert_eq!(app.state(single).await, RequestState::Invited);
    }
}

#[tokio::test]
async fn twenty_racing_clicks_from_five_approvers_give_exactly_one_invitation() {
    let approvers = ["UAPPROVER", "UAPPROVER2", "ULEAD", "UADMIN", "UOUTSIDER"];
    let section = format!(
        "[approvers]\nusers = {}\nworkspace_admins = false\n\n\
         [[quorum]]\nname = \"everything\"\napprovals = 2\n",
        serde_json::to_string(&approvers).unwrap()
    );
    for backend in Backend::all() {
        let app = slack_admin()
            .backend(backend)
            .approvers(&section)
            .start()
            .await;
        let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
        let clicks = (0..20).map(|n| app.click(approvers[n % 5], "approve_request", id));
        join_all(clicks).await;
        app.run_jobs().await;
        assert_eq!(app.state(id).await, RequestState::Invited);
        assert_eq!(
            app.fake.calls_to("admin.users.invite").len(),
            1,
            "one decision, one invitation"
        );
        let request = app.request(id).await;
        let votes = app
            .store
            .votes(&team(), RequestId(id), request.approval_round)
            .await
            .unwrap();
        assert_eq!(votes.len(), 2, "the votes stop at the quorum: {votes:?}");
        assert_ne!(votes[0].voter, votes[1].voter);
        let actions = actions(&app, id).await;
        assert_eq!(
            actions.iter().filter(|a| a.as_str() == "approve").count(),
            1,
            "{actions:?}"
        );
    }
}

/// An owner, a manager of #project-x, and everyone a member.
const ROLES: &str = "[[roles]]\nname = \"owner\"\npreset = \"owner\"\nusers = [\"UAPPROVER\"]\n\n\
     [[roles]]\nname = \"manager\"\npreset = \"manager\"\nusers = [\"ULEAD\"]\nchannels = [\"CPROJECT\"]\n\n\
     [[roles]]\nname = \"member\"\npreset = \"member\"\neveryone = true\n";

#[tokio::test]
async fn a_manager_decides_in_their_channels_an_owner_everywhere_and_a_member_only_asks() {
    let app = slack_admin().approvers(ROLES).start().await;
    let inside = app.request_posted("in@partner.com", &["CPROJECT"]).await;
    let outside = app
        .request_posted("out@partner.com", &["CPROJECT", "COTHER"])
        .await;

    // App Home: the manager's queue has only what they may decide.
    app.slack
        .event(
            "EvHomeLead",
            json!({"type": "app_home_opened", "user": LEAD, "tab": "home"}),
        )
        .await
        .unwrap();
    app.run_jobs().await;
    let home = app.fake.home_view(LEAD).unwrap().to_string();
    assert!(home.contains("Waiting for approval (1)"), "{home}");
    assert!(home.contains("in@partner.com") && !home.contains("out@partner.com"));

    app.click(LEAD, "approve_request", inside).await;
    app.run_jobs().await;
    assert_eq!(app.state(inside).await, RequestState::Invited);

    app.click(LEAD, "approve_request", outside).await;
    app.run_jobs().await;
    assert_eq!(app.state(outside).await, RequestState::Pending);
    let refused = app.ephemeral_texts().join("\n");
    assert!(
        refused.contains("your own channels only") && refused.contains("<#COTHER>"),
        "{refused}"
    );
    let audit = app
        .store
        .audit_for_request(&team(), RequestId(outside))
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "refused_approve" && a.entry.detail == "outside_scope")
    );

    // A member may ask, but not decide.
    let asked = app
        .submit(
            OUTSIDER,
            &FormInput::new("friend@partner.com", &["CGENERAL"]),
        )
        .await;
    assert_eq!(asked["response_action"], "update", "{asked}");
    app.click(OUTSIDER, "approve_request", outside).await;
    app.run_jobs().await;
    assert_eq!(app.state(outside).await, RequestState::Pending);
    assert!(
        app.ephemeral_texts()
            .iter()
            .any(|t| t.contains("Only approvers can decide")),
        "{:?}",
        app.ephemeral_texts()
    );
    // A member does not revoke either.
    app.click(OUTSIDER, "revoke_access", inside).await;
    app.run_jobs().await;
    assert_eq!(app.state(inside).await, RequestState::Invited);

    // The owner decides both.
    app.click(APPROVER, "approve_request", outside).await;
    app.run_jobs().await;
    assert_eq!(app.state(outside).await, RequestState::Invited);
}

#[tokio::test]
async fn someone_removed_from_a_roles_group_is_refused_on_the_next_click() {
    let roles = "[[roles]]\nname = \"owner\"\npreset = \"owner\"\nusergroups = [\"S0OWNERS\"]\n\n\
                 [[roles]]\nname = \"member\"\npreset = \"member\"\neveryone = true\n";
    let fake = FakeSlack::start().await.unwrap();
    seed_workspace(&fake);
    fake.add_usergroup("S0OWNERS", "guest-owners", &[APPROVER]);
    let app = Builder::new().fake(&fake).approvers(roles).start().await;
    let first = app.request_posted("one@partner.com", &["CPROJECT"]).await;
    app.click(APPROVER, "approve_request", first).await;
    app.run_jobs().await;
    assert_eq!(app.state(first).await, RequestState::Approved);

    let second = app
        .submit(REQUESTER, &FormInput::new("two@partner.com", &["CPROJECT"]))
        .await;
    assert_eq!(second["response_action"], "update");
    let second = first + 1;
    fake.set_usergroup_members("S0OWNERS", &[]);
    let event = json!({"type": "subteam_members_changed", "subteam_id": "S0OWNERS", "team_id": "T0FAKE",
        "date_previous_update": 1, "date_update": 2, "added_users": [], "added_users_count": "0",
        "removed_users": [APPROVER], "removed_users_count": "1"});
    assert_eq!(app.slack.event("EvOut", event).await.unwrap().status, 200);
    app.run_jobs().await;
    app.click(APPROVER, "approve_request", second).await;
    app.run_jobs().await;
    assert_eq!(app.state(second).await, RequestState::Pending);
    drop(app);
    fake.stop();
}

#[tokio::test]
async fn reminders_escalation_and_lapse_come_at_their_times_once_each_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("timers.db").display());
    let fake = FakeSlack::start().await.unwrap();
    seed_workspace(&fake);
    let timers = "[approvals]\nremind_after_hours = [4, 24]\nescalate_after_hours = 48\n\
                  escalate_to_channel = \"CGENERAL\"\nescalate_to_owners = true\n\
                  escalate_to_usergroup = \"S0OWNERS\"\ndecide_within_days = 3\n";
    let build = || {
        Builder::new()
            .fake(&fake)
            .backend(Backend::Sqlite)
            .store_url(&db)
            .toml(timers)
    };
    let first = build().start().await;
    let id = first
        .request_posted("slow@partner.com", &["CPROJECT"])
        .await;
    let created = first.request(id).await.created_at;
    assert_eq!(
        first.request(id).await.decide_by,
        Some(created + Duration::days(3))
    );
    let card_ts = first.card().ts;
    let reminders = || {
        fake.thread(REQUEST_CHANNEL, &card_ts)
            .iter()
            .filter(|m| m.all_text().contains(":alarm_clock:"))
            .count()
    };
    first.clock.set(created + Duration::hours(3));
    first.run_jobs().await;
    assert_eq!(reminders(), 0, "not yet");
    first.clock.set(created + Duration::hours(5));
    first.run_jobs().await;
    assert_eq!(reminders(), 1);
    drop(first);

    // A new process over the same file, for the rest.
    let second = build().start().await;
    second.clock.set(created + Duration::hours(23));
    second.run_jobs().await;
    assert_eq!(reminders(), 1, "the first reminder does not come again");
    second.clock.set(created + Duration::hours(25));
    second.run_jobs().await;
    assert_eq!(reminders(), 2);

    let escalations = || fake.messages_in("CGENERAL");
    assert!(escalations().is_empty());
    second.clock.set(created + Duration::hours(49));
    second.run_jobs().await;
    let posted = escalations();
    assert_eq!(posted.len(), 1);
    assert!(
        posted[0].all_text().contains("has waited 2 days"),
        "{}",
        posted[0].all_text()
    );
    assert!(
        buttons(&posted[0]).contains(&"approve_request".to_string()),
        "the escalated card can be decided where it lands"
    );
    // The escalation group is called in the card's thread.
    assert!(fake.thread(REQUEST_CHANNEL, &card_ts).iter().any(|m| {
        m.all_text()
            .contains("<!subteam^S0OWNERS>, can you decide it?")
    }));
    // Owners (people named in roles that decide everywhere) get it by DM.
    assert!(
        fake.messages_in(APPROVER)
            .iter()
            .any(|m| m.all_text().contains("has waited 2 days"))
    );
    assert_eq!(second.state(id).await, RequestState::Pending);

    second
        .clock
        .set(created + Duration::days(3) + Duration::minutes(1));
    second.run_jobs().await;
    assert_eq!(second.state(id).await, RequestState::Lapsed);
    let card = second.card();
    assert!(card.all_text().contains("Lapsed"), "{}", card.all_text());
    assert!(!buttons(&card).contains(&"approve_request".to_string()));
    let dm = fake
        .messages_in(REQUESTER)
        .into_iter()
        .find(|m| m.all_text().contains("lapsed"))
        .expect("the requester is told");
    assert_eq!(buttons(&dm), vec!["request_again"]);

    // Nothing comes twice, however late it runs.
    second.clock.set(created + Duration::days(10));
    second.run_jobs().await;
    assert_eq!(reminders(), 2);
    assert_eq!(escalations().len(), 1);
    let actions = actions(&second, id).await;
    assert_eq!(
        actions.iter().filter(|a| a.as_str() == "escalate").count(),
        1
    );
    assert_eq!(actions.iter().filter(|a| a.as_str() == "lapse").count(), 1);
    // A late approval is told why not.
    second.click(APPROVER, "approve_request", id).await;
    second.run_jobs().await;
    assert!(
        second
            .ephemeral_texts()
            .iter()
            .any(|t| t.contains("lapsed")),
        "{:?}",
        second.ephemeral_texts()
    );
    drop(second);
    fake.stop();
}

/// Submits the approve-with-changes modal for request `id` as `user`.
async fn submit_changes(app: &TestApp, user: &str, id: i64, round: i64, form: &FormInput) -> Value {
    let payload = app.slack.view_submission(
        user,
        "approve_changes",
        &json!({"request_id": id, "round": round, "tz": "Europe/Berlin"}).to_string(),
        form.state_values(),
    );
    let answer = app.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.status, 200);
    if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    }
}

fn changes(guest_type: &str, channels: &[&str], days: &str) -> FormInput {
    FormInput {
        guest_type: guest_type.into(),
        expiry_days: Some(days.into()),
        ..FormInput::new("ignored@example.com", channels)
    }
}

#[tokio::test]
async fn approve_with_changes_narrows_the_invitation_and_refuses_widening_on_the_field() {
    for backend in Backend::all() {
        let app = slack_admin().backend(backend).start().await;
        let asked = FormInput {
            expiry_days: Some("60".into()),
            ..FormInput::new("grace@partner.com", &["CPROJECT", "COTHER"])
        };
        let answer = app.submit(REQUESTER, &asked).await;
        assert_eq!(answer["response_action"], "update", "{answer}");
        app.run_jobs().await;
        let id = app
            .store
            .open_request_for_email(&team(), "grace@partner.com")
            .await
            .unwrap()
            .expect("stored")
            .id
            .0;

        app.click(APPROVER, "approve_with_changes", id).await;
        let opened = app.only_view("approve_changes");
        let view = opened.arg("view").unwrap();
        assert!(
            view.to_string()
                .contains("\"initial_conversations\":[\"CPROJECT\",\"COTHER\"]")
        );

        // Widening is refused on the field it is about; nothing changes.
        let wider = submit_changes(
            &app,
            APPROVER,
            id,
            1,
            &changes("multi_channel", &["CPROJECT", "CGENERAL"], "60"),
        )
        .await;
        assert_eq!(wider["response_action"], "errors");
        assert!(wider["errors"]["channels"].is_string(), "{wider}");
        let longer = submit_changes(
            &app,
            APPROVER,
            id,
            1,
            &changes("multi_channel", &["CPROJECT"], "90"),
        )
        .await;
        assert!(longer["errors"]["expiry_days"].is_string(), "{longer}");
        let member = submit_changes(
            &app,
            APPROVER,
            id,
            1,
            &changes("member", &["CPROJECT"], "30"),
        )
        .await;
        assert!(member["errors"]["guest_type"].is_string(), "{member}");
        assert_eq!(app.state(id).await, RequestState::Pending);
        assert!(app.fake.calls_to("admin.users.invite").is_empty());

        // Narrowed: one channel, single-channel, 20 days.
        let narrowed = submit_changes(
            &app,
            APPROVER,
            id,
            1,
            &changes("single_channel", &["CPROJECT"], "20"),
        )
        .await;
        assert_eq!(narrowed, Value::Null, "closes the modal");
        app.run_jobs().await;
        let request = app.request(id).await;
        assert_eq!(request.state, RequestState::Invited);
        assert_eq!(request.channels, vec!["CPROJECT".into()]);
        assert_eq!(request.amendment.len(), 3, "{:?}", request.amendment);
        let invite = app.only_call("admin.users.invite");
        assert_eq!(invite.arg_str("channel_ids"), Some("CPROJECT"));
        assert_eq!(invite.arg("is_ultra_restricted"), Some(&json!(true)));
        let ends: i64 = invite
            .arg_str("guest_expiration_ts")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (ends - (app.now() + Duration::days(20)).timestamp()).abs() < 5,
            "the narrowed end"
        );
        let card = app.card().all_text();
        assert!(
            card.contains("channels: <#CPROJECT>, <#COTHER> → <#CPROJECT>"),
            "{card}"
        );
        assert!(
            app.fake
                .messages_in(REQUESTER)
                .iter()
                .any(|m| m.all_text().contains("with changes")
                    && m.all_text().contains("<#COTHER> → <#CPROJECT>")),
            "the requester is told what changed"
        );
    }
}

#[tokio::test]
async fn a_change_restarts_the_count_of_a_quorum() {
    let app = slack_admin().approvers(TWO_FOR_MULTI).start().await;
    let id = app
        .request_posted("grace@partner.com", &["CPROJECT", "COTHER"])
        .await;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    // The second approver narrows: the first approval was for something else.
    let answer = submit_changes(
        &app,
        APPROVER_2,
        id,
        1,
        &changes("multi_channel", &["CPROJECT"], "30"),
    )
    .await;
    assert_eq!(answer, Value::Null, "{answer}");
    app.run_jobs().await;
    let request = app.request(id).await;
    assert_eq!(request.state, RequestState::Pending);
    assert_eq!(request.approval_round, 2);
    let card = app.card().all_text();
    assert!(
        card.contains(&format!("1 of 2 approvals: <@{APPROVER_2}>"))
            && card.contains("count restarted"),
        "{card}"
    );
    assert!(
        thread(&app)
            .iter()
            .any(|t| t.contains("approved with changes")),
        "{:?}",
        thread(&app)
    );
    // A form opened before the change is not applied blindly.
    let stale = submit_changes(
        &app,
        APPROVER,
        id,
        1,
        &changes("multi_channel", &["CPROJECT"], "30"),
    )
    .await;
    assert!(
        stale["errors"]["guest_type"]
            .as_str()
            .unwrap()
            .contains("changed request"),
        "{stale}"
    );
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Invited);
    let invite = app.only_call("admin.users.invite");
    assert_eq!(invite.arg_str("channel_ids"), Some("CPROJECT"));
}

#[tokio::test]
async fn a_denied_requester_can_request_again_with_the_form_filled_in() {
    let app = TestApp::start().await;
    let id = app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    app.deny_on_card(APPROVER, id, "Needs an NDA first").await;
    app.run_jobs().await;
    let dm = app
        .fake
        .messages_in(REQUESTER)
        .into_iter()
        .find(|m| m.all_text().contains("denied"))
        .expect("told");
    assert_eq!(buttons(&dm), vec!["request_again"]);

    // Someone else's click opens nothing.
    app.click_dm(OUTSIDER, "request_again", id).await;
    let forms = app.views_opened("guest_request").len();
    assert_eq!(forms, 1, "only the form the request was made with");

    app.click_dm(REQUESTER, "request_again", id).await;
    let opens = app.views_opened("guest_request");
    assert_eq!(opens.len(), 2);
    let view = opens[1].arg("view").unwrap().to_string();
    assert!(view.contains("grace@partner.com") && view.contains("Needs an NDA first"));

    // Sent again, it is a new request.
    let again = app
        .submit(
            REQUESTER,
            &FormInput::new("grace@partner.com", &["CPROJECT"]),
        )
        .await;
    assert_eq!(again["response_action"], "update", "{again}");
    assert_eq!(app.state(id + 1).await, RequestState::Pending);
}

/// The README's worked example, as written there (ids of this fake workspace): security owns
/// everything, Ada leads #project-x, anyone asks; a multi-channel guest needs a lead *and*
/// someone from security; nothing waits more than three days.
const WORKED_EXAMPLE: &str = r#"
[[roles]]
name = "security"
preset = "owner"
usergroups = ["S0SECURITY"]

[[roles]]
name = "leads"
preset = "manager"
users = ["U0ADA"]
channels = ["CPROJECT"]

[[roles]]
name = "staff"
preset = "member"
everyone = true

[[quorum]]
name = "multi-channel"
guest_types = ["multi_channel"]
approvals = 2
from_roles = ["leads", "security"]

[approvals]
remind_after_hours = [4, 24]
escalate_after_hours = 48
escalate_to_usergroup = "S0SECURITY"
decide_within_days = 3
"#;

/// The worked example, with `quorum_extra` added to its quorum rule.
async fn worked_example(quorum_extra: &str) -> TestApp {
    let from_roles = "from_roles = [\"leads\", \"security\"]\n";
    let config = WORKED_EXAMPLE.replace(from_roles, &format!("{from_roles}{quorum_extra}"));
    let app = Builder::new().approvers(&config).start().await;
    app.fake
        .add_user(FakeUser::new("U0ADA", "Ada Lead"))
        .add_user(FakeUser::new("U0SEC", "Sam Security"))
        .add_user(FakeUser::new("U0SEC2", "Sue Security"))
        .add_usergroup("S0SECURITY", "security", &["U0SEC", "U0SEC2"]);
    app
}

/// Rita's multi-channel guest in #project-x.
async fn multi_channel_request(app: &TestApp, email: &str) -> i64 {
    let mut form = FormInput::new(email, &["CPROJECT"]);
    form.guest_type = "multi_channel".into();
    let answer = app.submit(REQUESTER, &form).await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    app.run_jobs().await;
    app.request_id(email).await
}

#[tokio::test]
async fn the_readmes_worked_example_needs_a_lead_and_security_and_lapses_after_three_days() {
    let app = worked_example("").await;
    let id = multi_channel_request(&app, "grace@partner.example").await;
    assert_eq!(app.request(id).await.quorum.approvals, 2);

    // Ada (a lead) approves: one of two, and security is still needed.
    app.click("U0ADA", "approve_request", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Pending);
    let card = app.card().all_text();
    assert!(card.contains("1 of 2 approvals: <@U0ADA>"), "{card}");
    assert!(card.contains("security"), "still needs security: {card}");

    // Nobody from security looks: reminders at 4 and 24 hours, @security at 48, lapse at 3 days.
    let created = app.request(id).await.created_at;
    for hours in [5, 25, 49] {
        app.clock.set(created + Duration::hours(hours));
        app.run_jobs().await;
    }
    let thread = app.thread_texts();
    assert_eq!(
        thread
            .iter()
            .filter(|t| t.contains(":alarm_clock:"))
            .count(),
        2,
        "{thread:#?}"
    );
    assert!(
        thread.iter().any(|t| t.contains("<!subteam^S0SECURITY>")),
        "security is called in the thread: {thread:#?}"
    );
    app.clock
        .set(created + Duration::days(3) + Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Lapsed);

    // The same request answered in time: Ada, then someone from security, approve it.
    let id = multi_channel_request(&app, "hedy@partner.example").await;
    app.click("U0ADA", "approve_request", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Pending);
    let card_ts = app
        .fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .find(|m| m.all_text().contains("hedy@partner.example"))
        .expect("the second card")
        .ts;
    let click = app.slack.button_click(
        "U0SEC",
        "approve_request",
        &id.to_string(),
        Some(REQUEST_CHANNEL),
        &card_ts,
    );
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Approved);
}

#[tokio::test]
async fn under_deny_threshold_one_deny_is_a_vote_and_as_many_denies_as_approvals_end_it() {
    let app = worked_example("deny = \"threshold\"\n").await;
    let id = multi_channel_request(&app, "grace@partner.example").await;
    app.deny_with("U0SEC", id, "not yet").await;
    app.run_jobs().await;
    assert_eq!(
        app.state(id).await,
        RequestState::Pending,
        "one deny of two needed is a vote, not the end"
    );
    app.deny_with("U0SEC2", id, "agreed, not yet").await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Denied);
}
