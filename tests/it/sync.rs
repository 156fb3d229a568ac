//! Group sync through the front door: `/guest sync`, `guestlist sync`, the events, and what the
//! fake Slack and the database show afterwards.

use crate::helpers::*;
use guestlist::domain::RequestState;
use guestlist::fake_slack::{Failure, FakeUser, TeamRole};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const RULES: &str = r#"
[provisioning]
mode = "slack_admin"

[group_sync]
pace = false
users_page_size = 3

[[sync]]
name = "partners"
target_team = "T0PARTNER"
usergroups = ["S0PARTNERS"]
channels = ["CPROJECT"]
expiry_days = 30
max_changes = 10

[[sync]]
name = "contractors"
target_team = "T0PARTNER"
usergroups = ["@contractors"]
guest_type = "single_channel"
channels = ["CPROJECT"]
expiry_days = 14
on_removal = "deactivate"
"#;

/// The workspace of the organisation the rules invite into.
const TARGET: &str = "T0PARTNER";

async fn sync_app(extra: &str) -> TestApp {
    sync_app_on(Backend::from_env(), extra).await
}

async fn sync_app_on(backend: Backend, extra: &str) -> TestApp {
    let app = Builder::new()
        .backend(backend)
        .env("SLACK_ADMIN_TOKEN", "xoxp-admin")
        .toml(RULES)
        .toml(extra)
        .start()
        .await;
    // An Enterprise Grid organisation: the people of this workspace, some of them already in
    // the target workspace.
    app.fake.enable_grid();
    app.fake
        .add_user(FakeUser::new("UP1", "Ann Partner").email("Ann@Partner.io"))
        .add_user(FakeUser::new("UP2", "Ben Partner").email("ben@partner.io"))
        .add_user(FakeUser::new("UBOT1", "Robo").bot())
        .add_user(
            FakeUser::new("UDEL1", "Gone Person")
                .email("gone@partner.io")
                .deleted(),
        )
        .add_user(
            FakeUser::new("UGST1", "Already Guest")
                .email("guest@partner.io")
                .guest(false),
        )
        .add_user(FakeUser::new("UP6", "Manual Person").email("manual@partner.io"))
        .add_user(
            FakeUser::new("UTM1", "Tess Member")
                .email("tess@partner.io")
                .in_team(TARGET, TeamRole::Member),
        )
        .add_user(FakeUser::new("UC1", "Cat Contractor").email("cat@contract.io"))
        .add_user(FakeUser::new("UC2", "Dan Contractor").email("dan@contract.io"));
    app.fake.add_usergroup(
        "S0PARTNERS",
        "partners",
        &["UP1", "UP2", "UBOT1", "UDEL1", "UGST1", "UP6", "UTM1"],
    );
    app.fake
        .add_usergroup("S0CONTRACT", "contractors", &["UP1", "UC1"]);
    app
}

/// Who Guestlist brought into a workspace: emails invited (`admin.users.invite`) and the emails
/// of the organisation's people it assigned (`admin.users.assign`).
fn invited_emails(app: &TestApp) -> Vec<String> {
    let mut emails: Vec<String> = app
        .fake
        .calls_to("admin.users.invite")
        .iter()
        .map(|c| c.arg_str("email").unwrap().to_string())
        .collect();
    for call in app.fake.calls_to("admin.users.assign") {
        assert_eq!(call.arg_str("team_id"), Some(TARGET), "{call:?}");
        let user = app.fake.user(call.arg_str("user_id").unwrap()).unwrap();
        emails.push(user.email.unwrap().to_lowercase());
    }
    emails.sort();
    emails
}

async fn sync_command(app: &TestApp, text: &str) -> Value {
    let answer = app.slack.command(APPROVER, "CGENERAL", text).await.unwrap();
    assert_eq!(answer.status, 200);
    answer.json()
}

/// The text the bot sent back through the slash command's response_url.
fn last_response(app: &TestApp) -> String {
    app.fake
        .calls_to("response_url")
        .last()
        .map(|c| c.arg_str("text").unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_full_run_invites_the_right_people_once_each() {
    let app = sync_app("").await;
    // A person asked for by hand cannot be in the group: they are a member of this workspace,
    // and the form refuses members (see account_safety.rs).

    let ack = sync_command(&app, "sync now").await;
    assert!(
        ack["text"].as_str().unwrap().contains("Running group sync"),
        "{ack}"
    );
    app.run_jobs().await;

    // Case-folded, bots, deleted and guests left out, a member of the target left alone, and
    // the person in both rules invited once (by the first rule).
    assert_eq!(
        invited_emails(&app),
        vec![
            "ann@partner.io",
            "ben@partner.io",
            "cat@contract.io",
            "manual@partner.io"
        ]
    );
    let ann = app
        .store
        .open_request_for_email(&team(), "ann@partner.io")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.sync_rule.as_deref(), Some("partners"));
    // In the organisation already: added to the target workspace at once, and bound to that
    // membership.
    assert_eq!(ann.state, RequestState::Active);
    assert_eq!(ann.slack_user_id.as_deref(), Some("UP1"));
    assert_eq!(ann.account_team.as_ref().map(|t| t.as_str()), Some(TARGET));
    // A member of the target workspace is a plan line, never an invitation.
    assert!(
        app.fake
            .calls_to("admin.users.assign")
            .iter()
            .all(|c| c.arg_str("user_id") != Some("UTM1"))
    );
    assert!(
        app.store
            .open_request_for_email(&team(), "tess@partner.io")
            .await
            .unwrap()
            .is_none()
    );
    let cat = app
        .store
        .open_request_for_email(&team(), "cat@contract.io")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (cat.sync_rule.as_deref(), cat.guest_type.as_str()),
        (Some("contractors"), "single_channel")
    );
    let assign = app
        .fake
        .calls_to("admin.users.assign")
        .into_iter()
        .find(|c| c.arg_str("user_id") == Some("UC1"))
        .unwrap();
    assert_eq!(assign.arg("is_ultra_restricted"), Some(&json!(true)));
    assert_eq!(assign.token.as_deref(), Some("xoxp-admin"));
    // Each assigned guest gets the rule's end date, in the target workspace.
    let expirations = app.fake.calls_to("admin.users.setExpiration");
    assert_eq!(expirations.len(), 4, "{expirations:#?}");
    assert!(
        expirations
            .iter()
            .all(|c| c.arg_str("team_id") == Some(TARGET))
    );

    // Paged through users.list with cursors, and resolved the handle with one usergroups.list.
    let pages = app.fake.calls_to("users.list");
    assert!(pages.len() >= 3, "{} pages", pages.len());
    assert!(
        pages[0].arg("cursor").is_none()
            && pages[1..].iter().all(|p| p.arg_str("cursor").is_some())
    );
    assert_eq!(app.fake.calls_to("usergroups.list").len(), 1);
    // The approver who ran it is looked up (for their language); the members never are.
    let looked_up: Vec<String> = app
        .fake
        .calls_to("users.info")
        .iter()
        .filter_map(|c| c.arg_str("user").map(str::to_string))
        .collect();
    assert!(
        looked_up.iter().all(|u| u == "UAPPROVER"),
        "no per-member users.info on a full run: {looked_up:?}"
    );

    // One summary per rule that changed something, and audit rows.
    let summaries: Vec<String> = app
        .fake
        .top_level_in(REQUEST_CHANNEL)
        .iter()
        .map(|m| m.all_text())
        .filter(|t| t.contains("Group sync"))
        .collect();
    assert_eq!(summaries.len(), 2, "{summaries:#?}");
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("*partners*: 3 invited") && s.contains("1 already members")),
        "{summaries:#?}"
    );
    let audit = app.store.audit_since(None).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.entry.action == "sync_invite")
            .count(),
        4
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.entry.action == "sync_run")
            .count(),
        2
    );
    assert!(
        last_response(&app).contains("Sync run"),
        "{}",
        last_response(&app)
    );
    // A short run shows only its outcome (no progress lines).
    assert_eq!(app.fake.calls_to("response_url").len(), 1);

    // A second run changes nothing.
    app.fake.clear_calls();
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    assert!(invited_emails(&app).is_empty());
}

#[tokio::test]
async fn a_dry_run_changes_nothing() {
    let app = sync_app("").await;
    let db = app.dir.path().join("guestlist.db");
    let config = app.dir.path().join("guestlist.toml");
    let counts = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            (
                store.held_emails(&team()).await.unwrap().len(),
                store.audit_since(None).await.unwrap().len(),
                store.queue_stats(chrono::Utc::now()).await.unwrap(),
            )
        }
    };
    let before = counts(&app).await;
    let messages_before = app.fake.messages().len();
    // tokio's Command: the fake Slack answers on this test's runtime while the CLI runs.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "sync",
            "--dry-run",
            "--json",
        ])
        .env_clear()
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("SLACK_API_URL", app.fake.api_url())
        .env("SLACK_BOT_TOKEN", "xoxb-test-bot")
        .env("SLACK_ADMIN_TOKEN", "xoxp-admin")
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let outcome: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(outcome["dry_run"], true);
    let partners = &outcome["plans"][0];
    let invites: BTreeSet<&str> = partners["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["action"] == "invite")
        .map(|l| l["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        invites,
        BTreeSet::from(["ann@partner.io", "ben@partner.io", "manual@partner.io"])
    );
    assert!(
        partners["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["reason"]["why"].is_string()),
        "every line says why"
    );

    assert_eq!(counts(&app).await, before, "the database is unchanged");
    assert_eq!(
        app.fake.messages().len(),
        messages_before,
        "Slack saw no message"
    );
    let writes = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| {
            ![
                "users.list",
                "usergroups.list",
                "usergroups.users.list",
                "auth.test",
            ]
            .contains(&c.method.as_str())
        })
        .count();
    assert_eq!(writes, 0, "only reads: {:#?}", app.fake.calls());

    // The same from Slack: `/guest sync preview` answers with the plan and changes nothing.
    sync_command(&app, "sync preview").await;
    app.run_jobs().await;
    let preview = last_response(&app);
    assert!(
        preview.contains("Sync preview")
            && preview.contains("ann@partner.io")
            && preview.contains("invite"),
        "{preview}"
    );
    assert!(app.fake.calls_to("admin.users.invite").is_empty());
    assert_eq!(app.store.held_emails(&team()).await.unwrap().len(), 0);
    // Non-approvers cannot.
    let refused = app
        .slack
        .command(OUTSIDER, "CGENERAL", "sync preview")
        .await
        .unwrap()
        .json();
    assert!(refused["text"].as_str().unwrap().contains("Only approvers"));
}

#[tokio::test]
async fn the_guard_holds_a_large_plan_until_an_approver_applies_it() {
    let app = sync_app("").await;
    let app_rules = app.config.sync.rules.clone();
    assert_eq!(app_rules.len(), 2);
    // A tighter copy of the rules: at most one change for partners.
    let app = {
        drop(app);
        let tight = RULES.replace("max_changes = 10", "max_changes = 1");
        let app = Builder::new()
            .env("SLACK_ADMIN_TOKEN", "xoxp-admin")
            .toml(&tight)
            .start()
            .await;
        app.fake.enable_grid();
        app.fake
            .add_user(FakeUser::new("UP1", "Ann Partner").email("ann@partner.io"));
        app.fake
            .add_user(FakeUser::new("UP2", "Ben Partner").email("ben@partner.io"));
        app.fake
            .add_usergroup("S0PARTNERS", "partners", &["UP1", "UP2"]);
        app.fake.add_usergroup("S0CONTRACT", "contractors", &[]);
        app
    };
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    assert!(invited_emails(&app).is_empty(), "nothing applied");
    let held = app
        .fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .find(|m| m.all_text().contains("more than its limit"))
        .expect("the plan is posted");
    assert_eq!(buttons(&held), vec!["apply_sync_plan"]);
    assert!(
        held.all_text().contains("ann@partner.io")
            && held.all_text().contains(&format!("<@{APPROVER}>"))
    );
    assert!(last_response(&app).contains("exceed the limit"));
    let plan_id = held
        .blocks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .unwrap()["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();

    let click = |user: &str| {
        app.slack.button_click(
            user,
            "apply_sync_plan",
            &plan_id,
            Some(REQUEST_CHANNEL),
            &held.ts,
        )
    };
    app.slack.interaction(&click(OUTSIDER)).await.unwrap();
    app.run_jobs().await;
    assert!(
        invited_emails(&app).is_empty(),
        "a non-approver cannot apply it"
    );
    assert!(
        app.ephemeral_texts()
            .iter()
            .any(|t| t.contains("Only approvers"))
    );

    app.slack.interaction(&click(APPROVER)).await.unwrap();
    app.run_jobs().await;
    assert_eq!(
        invited_emails(&app),
        vec!["ann@partner.io", "ben@partner.io"]
    );
    // Applying twice does nothing more.
    app.slack.interaction(&click(APPROVER_2)).await.unwrap();
    app.run_jobs().await;
    assert_eq!(invited_emails(&app).len(), 2);
    let audit = app.store.audit_since(None).await.unwrap();
    for action in [
        "sync_held",
        "refused_sync_apply",
        "sync_apply_anyway",
        "sync_run",
    ] {
        assert!(
            audit.iter().any(|a| a.entry.action == action),
            "{action} audited"
        );
    }
}

#[tokio::test]
async fn a_membership_change_event_touches_only_its_delta() {
    let app = sync_app("").await;
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    assert_eq!(
        invited_emails(&app),
        vec![
            "ann@partner.io",
            "ben@partner.io",
            "cat@contract.io",
            "manual@partner.io"
        ]
    );
    app.fake.clear_calls();

    // Dan joins the contractors, Cat leaves them.
    app.fake
        .set_usergroup_members("S0CONTRACT", &["UP1", "UC2"]);
    let event = json!({"type": "subteam_members_changed", "subteam_id": "S0CONTRACT", "team_id": "T0FAKE",
        "date_previous_update": 1700000000, "date_update": 1700000100,
        "added_users": ["UC2"], "added_users_count": "1", "removed_users": ["UC1"], "removed_users_count": "1"});
    assert_eq!(app.slack.event("EvSub1", event).await.unwrap().status, 200);
    app.run_jobs().await;

    assert_eq!(invited_emails(&app), vec!["dan@contract.io"]);
    let looked_up: BTreeSet<String> = app
        .fake
        .calls_to("users.info")
        .iter()
        .map(|c| c.arg_str("user").unwrap().to_string())
        .collect();
    assert_eq!(
        looked_up,
        BTreeSet::from(["UC1".to_string(), "UC2".to_string()]),
        "only the delta is looked up"
    );
    assert!(
        app.fake.calls_to("users.list").is_empty(),
        "no full pass for a delta"
    );
    let cat = app
        .store
        .held_emails(&team())
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.email == "cat@contract.io");
    let audit = app.store.audit_since(None).await.unwrap();
    assert!(
        cat.is_none(),
        "Cat's access was withdrawn: {cat:?} {:#?}",
        audit.iter().rev().take(4).collect::<Vec<_>>()
    );
    // ...from the target workspace, after Guestlist checked she is still a guest there.
    let removes = app.fake.calls_to("admin.users.remove");
    assert_eq!(removes.len(), 1, "{removes:#?}");
    assert_eq!(
        (removes[0].arg_str("team_id"), removes[0].arg_str("user_id")),
        (Some(TARGET), Some("UC1"))
    );
    // Checked first, among the target's guests only (Slack has no look-up of one user there;
    // the guests are the short list).
    let checks = app.fake.calls_to("admin.users.list");
    assert!(!checks.is_empty(), "checked first");
    assert!(
        checks
            .iter()
            .all(|c| c.arg("only_guests") == Some(&json!(true))
                && c.arg_str("team_id") == Some(TARGET)),
        "{checks:#?}"
    );
    assert!(app.fake.user("UC1").unwrap().role_in(TARGET).is_none());
    let audit = app.store.audit_since(None).await.unwrap();
    assert!(audit.iter().any(
        |a| a.entry.action == "sync_revoke" && a.entry.to_state == Some(RequestState::Revoked)
    ));
}

#[tokio::test]
async fn a_group_change_runs_only_the_rules_that_read_that_group() {
    let app = sync_app("").await;
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    app.fake.clear_calls();

    // Both groups gain someone; Slack then reports only the contractors group as updated, by
    // id, and the rule names that group by handle.
    app.fake
        .add_user(FakeUser::new("UP7", "Eve Partner").email("eve@partner.io"))
        .add_user(FakeUser::new("UC3", "Fay Contractor").email("fay@contract.io"));
    app.fake.set_usergroup_members(
        "S0PARTNERS",
        &[
            "UP1", "UP2", "UBOT1", "UDEL1", "UGST1", "UP6", "UTM1", "UP7",
        ],
    );
    app.fake
        .set_usergroup_members("S0CONTRACT", &["UP1", "UC1", "UC3"]);
    let event = json!({"type": "subteam_updated", "team_id": "T0FAKE",
        "subteam": {"id": "S0CONTRACT", "team_id": "T0FAKE", "handle": "contractors", "name": "Contractors",
                    "is_usergroup": true, "date_update": 1700000200}});
    assert_eq!(app.slack.event("EvUpd1", event).await.unwrap().status, 200);
    app.run_jobs().await;
    assert_eq!(
        invited_emails(&app),
        vec!["fay@contract.io"],
        "only the contractors rule ran"
    );

    // A group that no rule reads is no work: no job, no Slack call.
    app.fake.clear_calls();
    let before = app.store.jobs_of_kind("sync_run", 100).await.unwrap().len();
    let event = json!({"type": "subteam_updated", "team_id": "T0FAKE",
        "subteam": {"id": "S0OTHER", "team_id": "T0FAKE", "handle": "designers", "name": "Designers",
                    "is_usergroup": true, "date_update": 1700000300}});
    assert_eq!(app.slack.event("EvUpd2", event).await.unwrap().status, 200);
    app.run_jobs().await;
    assert_eq!(
        app.store.jobs_of_kind("sync_run", 100).await.unwrap().len(),
        before
    );
    assert!(
        app.fake.calls_to("users.list").is_empty() && invited_emails(&app).is_empty(),
        "{:?}",
        app.fake.calls()
    );
}

#[tokio::test]
async fn a_long_run_started_from_slack_shows_its_progress_in_one_message() {
    let app = sync_app("").await;
    // Slack is slow with the first users.list page: the run outlasts the 2 s before progress.
    app.fake.delay_next("users.list", 1, Duration::from_secs(3));
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    let answers = app.fake.calls_to("response_url");
    assert_eq!(
        answers.len(),
        2,
        "one progress line, then the outcome: {answers:#?}"
    );
    let progress = answers[0].arg_str("text").unwrap();
    assert!(
        progress.contains("reading the directory (3 people in 1 page so far)"),
        "{progress}"
    );
    assert!(answers[1].arg_str("text").unwrap().contains("Sync run"));
    assert!(
        answers
            .iter()
            .all(|a| a.arg("replace_original") == Some(&json!(true))),
        "the same message is replaced: {answers:#?}"
    );
}

#[tokio::test]
async fn a_429_in_the_middle_of_a_run_is_waited_out() {
    let app = sync_app("").await;
    app.fake.fail_after(
        "users.list",
        2,
        1,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    let started = Instant::now();
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(
        invited_emails(&app),
        vec![
            "ann@partner.io",
            "ben@partner.io",
            "cat@contract.io",
            "manual@partner.io"
        ]
    );
    let pages = app.fake.calls_to("users.list");
    assert_eq!(
        pages[2].arg("cursor"),
        pages[3].arg("cursor"),
        "the refused page was asked for again"
    );
}

#[tokio::test]
async fn workspace_rules_invite_newcomers_from_team_join() {
    let app = Builder::new()
        .env("SLACK_ADMIN_TOKEN", "xoxp-admin")
        .toml("[provisioning]\nmode = \"slack_admin\"\n[group_sync]\npace = false\n[[sync]]\nname = \"everyone\"\ntarget_team = \"T0PARTNER\"\nworkspace = true\nchannels = [\"CPROJECT\"]\nexpiry_days = 30\n")
        .start()
        .await;
    let user = json!({"id": "UNEW", "team_id": "T0FAKE", "name": "newbie", "real_name": "New Person", "deleted": false,
        "is_bot": false, "profile": {"email": "New@Example.org", "real_name": "New Person"}});
    app.slack
        .event("EvJoinNew", json!({"type": "team_join", "user": user}))
        .await
        .unwrap();
    app.run_jobs().await;
    assert_eq!(invited_emails(&app), vec!["new@example.org"]);
    let invite = &app.fake.calls_to("admin.users.invite")[0];
    assert_eq!(
        invite.arg_str("team_id"),
        Some(TARGET),
        "a newcomer of this workspace is invited into the target, not into their own"
    );
    let bot = json!({"id": "UB2", "name": "bot", "deleted": false, "is_bot": true, "profile": {"email": "bot@example.org"}});
    app.slack
        .event("EvJoinBot", json!({"type": "team_join", "user": bot}))
        .await
        .unwrap();
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls_to("admin.users.invite").len(),
        1,
        "bots are left out"
    );
}

#[tokio::test]
async fn a_rule_can_name_its_own_provisioner() {
    // Appended to the last rule (contractors): its guests are invited by hand, the rest by Grid.
    let app = sync_app("provisioner = \"manual\"").await;
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    assert_eq!(
        invited_emails(&app),
        vec!["ann@partner.io", "ben@partner.io", "manual@partner.io"]
    );
    let cat = app
        .store
        .open_request_for_email(&team(), "cat@contract.io")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cat.sync_rule.as_deref(), Some("contractors"));
    assert_eq!(cat.state, RequestState::Approved, "waiting for an admin");
    let tasks: Vec<String> = app
        .fake
        .messages_in(REQUEST_CHANNEL)
        .iter()
        .map(|m| m.all_text())
        .filter(|t| t.contains("*Admin task:* invite"))
        .collect();
    assert_eq!(tasks.len(), 1, "{tasks:#?}");
    assert!(tasks[0].contains("cat@contract.io"), "{}", tasks[0]);
}

#[tokio::test]
async fn rules_run_on_their_schedule_once_a_slot_and_when_a_group_they_read_is_created() {
    // A third rule reads a group that does not exist yet.
    let app = sync_app(
        "[[sync]]\nname = \"auditors\"\ntarget_team = \"T0PARTNER\"\nusergroups = [\"@auditors\"]\nchannels = [\"CPROJECT\"]\nexpiry_days = 7\n",
    )
    .await;
    let scheduler = guestlist::jobs::Scheduler::new(app.workflow.clone());
    // The first tick runs every rule; a second tick in the same 15-minute slot adds nothing.
    scheduler.tick_once().await.unwrap();
    scheduler.tick_once().await.unwrap();
    app.run_jobs().await;
    let first = invited_emails(&app);
    assert_eq!(
        first,
        vec![
            "ann@partner.io",
            "ben@partner.io",
            "cat@contract.io",
            "manual@partner.io"
        ],
        "both rules ran once"
    );
    let scheduled: Vec<_> = app.store.jobs_of_kind("sync_run", 100).await.unwrap();
    assert_eq!(scheduled.len(), 1, "one run for the slot: {scheduled:?}");

    // Someone joins the partners group; the next slot's run brings them in, and only them.
    app.fake.clear_calls();
    app.fake
        .add_user(FakeUser::new("UP7", "Eve Partner").email("eve@partner.io"));
    app.fake.set_usergroup_members(
        "S0PARTNERS",
        &[
            "UP1", "UP2", "UBOT1", "UDEL1", "UGST1", "UP6", "UTM1", "UP7",
        ],
    );
    scheduler.tick_once().await.unwrap();
    app.run_jobs().await;
    assert!(invited_emails(&app).is_empty(), "same slot: no second run");
    app.clock.advance(chrono::Duration::minutes(16));
    scheduler.tick_once().await.unwrap();
    app.run_jobs().await;
    assert_eq!(invited_emails(&app), vec!["eve@partner.io"]);

    // The group the third rule names (by handle) is created: it is read when Slack announces
    // it, not at the next slot.
    app.fake.clear_calls();
    app.fake
        .add_user(FakeUser::new("UC3", "Fay Contractor").email("fay@contract.io"));
    app.fake.add_usergroup("S0AUDIT", "auditors", &["UC3"]);
    let event = json!({"type": "subteam_created", "team_id": "T0FAKE",
        "subteam": {"id": "S0AUDIT", "team_id": "T0FAKE", "is_usergroup": true, "name": "Auditors",
                    "description": "", "handle": "auditors", "date_create": 1700000400,
                    "date_update": 1700000400, "date_delete": 0, "auto_type": null, "created_by": "U0",
                    "updated_by": "U0", "deleted_by": null, "prefs": {"channels": [], "groups": []},
                    "user_count": "0"}});
    assert_eq!(app.slack.event("EvNew1", event).await.unwrap().status, 200);
    app.run_jobs().await;
    assert_eq!(invited_emails(&app), vec!["fay@contract.io"]);
}

#[tokio::test]
async fn a_review_sends_guests_no_one_sponsors_straight_to_approvers() {
    let app = sync_app("").await;
    sync_command(&app, "sync now").await;
    app.run_jobs().await;
    // Guests a rule brought in have no person behind them to answer for them.
    let active: Vec<i64> = app
        .store
        .requests_in_state(&team(), RequestState::Active, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id.0)
        .collect();
    assert!(!active.is_empty(), "the run left live guests");
    let payload = app
        .slack
        .button_click(APPROVER, "start_review", "open", None, "1.1");
    assert_eq!(app.slack.interaction(&payload).await.unwrap().status, 200);
    app.run_jobs().await;
    let campaign = app
        .store
        .latest_review(&team())
        .await
        .unwrap()
        .expect("a campaign");
    let items = app.store.review_items(&team(), campaign.id).await.unwrap();
    assert_eq!(items.len(), active.len(), "{items:?}");
    for item in &items {
        assert_eq!(
            item.state,
            guestlist::domain::review::ItemState::Escalated,
            "{item:?}"
        );
        assert!(
            item.escalation_ts.is_some(),
            "posted for approvers: {item:?}"
        );
        assert!(item.dm_ts.is_none(), "no sponsor asked: {item:?}");
    }
    let escalations: Vec<String> = app
        .fake
        .top_level_in(REQUEST_CHANNEL)
        .into_iter()
        .filter(|m| m.all_text().contains("Approvers decide"))
        .map(|m| m.ts)
        .collect();
    for item in &items {
        assert!(
            escalations.contains(item.escalation_ts.as_ref().unwrap()),
            "{item:?} is in a message for approvers: {escalations:?}"
        );
    }
    let asked: Vec<_> = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.args.to_string().contains("you sponsor these guests"))
        .collect();
    assert!(asked.is_empty(), "no sponsor asked: {asked:#?}");
}

#[tokio::test]
async fn guestlist_sync_runs_one_rule_and_force_applies_a_plan_over_its_limit() {
    // A third rule reads the partners group with room for one change only.
    let app = sync_app_on(
        Backend::Sqlite,
        "[[sync]]\nname = \"narrow\"\ntarget_team = \"T0PARTNER\"\nusergroups = [\"S0PARTNERS\"]\nchannels = [\"CPROJECT\"]\nexpiry_days = 7\nmax_changes = 1\n",
    )
    .await;
    let unknown = app.cli(&["sync", "--rule", "nosuch"]).await;
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("there is no sync rule named \"nosuch\""),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );

    let one = app.cli(&["sync", "--rule", "contractors", "--json"]).await;
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let outcome: Value = serde_json::from_slice(&one.stdout).unwrap();
    let rules: Vec<&str> = outcome["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["contractors"], "{outcome}");
    // The invitations go out through the queue, which the running bot works (its clock
    // catches up with the command's).
    app.clock.advance(chrono::Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(
        invited_emails(&app),
        vec!["ann@partner.io", "cat@contract.io"],
        "the contractors group only: {outcome:#} {:#?}",
        app.fake
            .calls()
            .iter()
            .map(|c| c.method.clone())
            .collect::<Vec<_>>()
    );

    // Over its limit, the plan is held for an approver…
    app.fake.clear_calls();
    let held = app.cli(&["sync", "--rule", "narrow"]).await;
    assert!(
        held.status.success(),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );
    let printed = String::from_utf8_lossy(&held.stdout);
    assert!(printed.contains("exceed max_changes (1)"), "{printed}");
    app.clock.advance(chrono::Duration::minutes(1));
    app.run_jobs().await;
    assert!(invited_emails(&app).is_empty(), "held, not applied");
    // …and `--force` applies it, audited as forced.
    let forced = app.cli(&["sync", "--rule", "narrow", "--force"]).await;
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    app.clock.advance(chrono::Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(
        invited_emails(&app),
        vec!["ben@partner.io", "manual@partner.io"],
        "ann was brought in by the contractors rule already"
    );
    let audit = app.store.audit_since(None).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.detail.contains("guestlist sync --force")),
        "{audit:#?}"
    );
}
