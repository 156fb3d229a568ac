//! CSV import and domain policies through the front door: a file shared in the request channel,
//! the preview, the Import button, `guestlist import`, auto-approval and blocked domains.

use crate::helpers::*;
use guestlist::domain::request::Source;
use guestlist::domain::{RequestState, UserId};
use guestlist::fake_slack::{FakeMessage, FakeUser, FormInput};
use serde_json::Value;

const POLICY: &str = r#"
[requests]
blocked_domains = ["blocked.example"]
max_expiry_days = 90

[[auto_approve]]
name = "partner-fast-lane"
domains = ["partner.example"]
guest_types = ["single_channel"]
max_expiry_days = 30
channels = ["CPROJECT"]
"#;

async fn import_app(backend: Backend) -> TestApp {
    let app = Builder::new().backend(backend).toml(POLICY).start().await;
    app.fake
        .add_user(FakeUser::new("USPONSOR", "Sam Sponsor").email("sam@corp.example"));
    app
}

/// Valid, invalid, duplicate and unknown-channel rows; `taken@old.example` is requested before.
fn mixed_csv() -> String {
    [
        "email,name,organisation,guest_type,channels,expires,sponsor,phone",
        "ann@vendor.example,Ann Vendor,Vendor,single_channel,#project-x,30d,,+44 20 7946 0000",
        "bob@vendor.example,Bob <b>Vendor</b>,Vendor,multi_channel,project-x;COTHER,2027-01-31,sam@corp.example,",
        "not-an-email,Nobody,,single_channel,project-x,30d,,",
        "cy@vendor.example,Cy,,single_channel,#nowhere,30d,,",
        "eve@blocked.example,Eve,,single_channel,project-x,30d,,",
        "fay@vendor.example,Fay,,single_channel,project-x,400d,,",
        "ANN@vendor.example,Ann Again,,single_channel,project-x,30d,,",
        "taken@old.example,Taken,,single_channel,project-x,30d,,",
    ]
    .join("\n")
}

/// `taken@old.example` is asked for first, so `mixed_csv`'s last row is a duplicate.
async fn request_taken(app: &TestApp) {
    let taken = app
        .submit(
            REQUESTER,
            &FormInput::new("taken@old.example", &["CGENERAL"]),
        )
        .await;
    assert_eq!(taken["response_action"], "update", "{taken}");
    app.run_jobs().await;
}

async fn request_count(app: &TestApp) -> usize {
    app.store.held_emails(&team()).await.unwrap().len()
}

/// Shares `content` in the request channel as `user`; returns the file message's ts.
async fn share(app: &TestApp, user: &str, file_id: &str, content: Vec<u8>) -> String {
    let event = app
        .fake
        .share_file(REQUEST_CHANNEL, user, file_id, "partners.csv", content);
    let ts = event["ts"].as_str().unwrap().to_string();
    let answer = app
        .slack
        .event(&format!("Ev{file_id}"), event)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    app.run_jobs().await;
    ts
}

fn import_value(message: &FakeMessage) -> String {
    message
        .blocks
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().unwrap().iter())
        .find(|e| e["action_id"] == "import_guests")
        .and_then(|e| e["value"].as_str())
        .expect("an Import button")
        .to_string()
}

async fn click_import(app: &TestApp, user: &str, preview: &FakeMessage) {
    let click = app.slack.button_click(
        user,
        "import_guests",
        &import_value(preview),
        Some(REQUEST_CHANNEL),
        &preview.ts,
    );
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    app.run_jobs().await;
}

#[tokio::test]
async fn a_shared_csv_is_previewed_and_confirming_imports_exactly_the_valid_rows() {
    for backend in Backend::all() {
        let app = import_app(backend).await;
        request_taken(&app).await;
        let before = request_count(&app).await;

        let file_ts = share(&app, APPROVER, "FMIXED", mixed_csv().into_bytes()).await;
        let thread = app.fake.thread(REQUEST_CHANNEL, &file_ts);
        assert_eq!(thread.len(), 1, "one preview in the file's thread");
        let preview = &thread[0];
        let text = preview.all_text();
        assert!(
            text.contains("8 rows: 2 to import, 4 invalid, 2 duplicates"),
            "{text}"
        );
        for expected in [
            "line 4     invalid    not-an-email  That is not a valid email address.",
            "line 5     invalid    cy@vendor.example  unknown channel #nowhere",
            "eve@blocked.example  Guests from blocked.example cannot be invited (blocked domain).",
            "fay@vendor.example  expires: The longest allowed is 90 days.",
            "line 8     duplicate  ANN@vendor.example  the same email as line 2",
            "line 9     duplicate  taken@old.example  already has #1 (waiting for approval)",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in {text}");
        }
        // The name is user input: escaped on its way to Slack.
        assert!(text.contains("Bob &lt;b&gt;Vendor&lt;/b&gt;"), "{text}");
        assert_eq!(buttons(preview), vec!["import_guests"]);
        assert_eq!(
            request_count(&app).await,
            before,
            "a preview writes nothing"
        );

        // Someone who is not an approver cannot press Import.
        click_import(&app, OUTSIDER, preview).await;
        assert_eq!(request_count(&app).await, before);
        assert!(
            app.fake
                .calls_to("response_url")
                .iter()
                .any(|c| c.arg_str("text")
                    == Some("Only approvers whose role has the `import` right can import guests.")),
            "the outsider is told"
        );

        // A second approver confirms what the first one shared.
        click_import(&app, APPROVER_2, preview).await;
        let imported: Vec<_> = app
            .store
            .requests_in_state(&team(), RequestState::Approved, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.source == Source::Import)
            .collect();
        let mut emails: Vec<&str> = imported.iter().map(|r| r.email.as_str()).collect();
        emails.sort();
        assert_eq!(emails, vec!["ann@vendor.example", "bob@vendor.example"]);
        let bob = imported
            .iter()
            .find(|r| r.email.as_str() == "bob@vendor.example")
            .unwrap();
        assert_eq!(
            bob.requester,
            UserId::from("USPONSOR"),
            "the sponsor column"
        );
        assert_eq!(
            bob.decided_by,
            Some(UserId::from(APPROVER_2)),
            "the approver who confirmed"
        );
        assert_eq!(bob.channels.len(), 2);
        let ann = imported
            .iter()
            .find(|r| r.email.as_str() == "ann@vendor.example")
            .unwrap();
        assert_eq!(
            ann.requester,
            UserId::from(APPROVER),
            "who shared the file sponsors by default, as the preview said"
        );
        assert_eq!(ann.profile.phone.as_deref(), Some("+442079460000"));
        let audit = app.store.audit_since(None).await.unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.entry.action == "import" && a.entry.actor == APPROVER_2)
                .count(),
            2
        );

        // The thread tells how it went, the preview lost its button, and a second click
        // (from a stale client) imports nothing more.
        let thread = app.fake.thread(REQUEST_CHANNEL, &file_ts);
        assert!(buttons(&thread[0]).is_empty(), "the Import button is gone");
        assert!(
            thread[0]
                .all_text()
                .contains(&format!("Import confirmed by <@{APPROVER_2}>"))
        );
        let last = thread.last().unwrap().all_text();
        assert!(last.contains("imported 2 guests"), "{last}");
        assert!(
            thread
                .iter()
                .any(|m| m.all_text().contains("2 of 2 rows done"))
        );
        click_import(&app, APPROVER, preview).await;
        assert_eq!(request_count(&app).await, before + 2);
    }
}

#[tokio::test]
async fn only_approvers_get_a_preview_and_a_changed_file_is_not_imported() {
    let app = import_app(Backend::from_env()).await;
    let csv =
        "email,name,guest_type,channels,expires\nann@vendor.example,Ann,single,project-x,30d\n";
    let file_ts = share(&app, REQUESTER, "FNOPE", csv.as_bytes().to_vec()).await;
    assert!(
        app.fake.thread(REQUEST_CHANNEL, &file_ts).is_empty(),
        "no preview for a requester"
    );
    let ephemeral = app.fake.calls_to("chat.postEphemeral");
    assert_eq!(ephemeral.len(), 1);
    assert!(
        ephemeral[0]
            .arg_str("text")
            .unwrap()
            .contains("Only approvers")
    );

    let file_ts = share(&app, APPROVER, "FEDIT", csv.as_bytes().to_vec()).await;
    let preview = app.fake.thread(REQUEST_CHANNEL, &file_ts)[0].clone();
    app.fake.add_file(
        "FEDIT",
        "partners.csv",
        format!("{csv}bob@vendor.example,Bob,single,project-x,30d\n").into_bytes(),
    );
    click_import(&app, APPROVER, &preview).await;
    assert_eq!(
        request_count(&app).await,
        0,
        "nothing imported from a changed file"
    );
    let last = app
        .fake
        .thread(REQUEST_CHANNEL, &file_ts)
        .last()
        .unwrap()
        .all_text();
    assert!(last.contains("changed since its preview"), "{last}");
}

#[tokio::test]
async fn malformed_files_are_refused_whole_with_the_reason() {
    let app = import_app(Backend::from_env()).await;
    let header = "email,name,guest_type,channels,expires\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "FQUOTE",
            format!("{header}ann@vendor.example,\"Ann,single,project-x,30d\nbob@vendor.example,Bob,single,project-x,30d\n").into_bytes(),
            "never closed",
        ),
        (
            "FLATIN",
            [header.as_bytes(), b"ann@vendor.example,Ren\xe9e,single,project-x,30d\n"].concat(),
            "not UTF-8",
        ),
        (
            "FBIG",
            {
                // 50 MB of well-formed rows.
                let row = "someone@vendor.example,Some One,single_channel,project-x,30d\n";
                let mut big = header.as_bytes().to_vec();
                while big.len() < 50 * 1024 * 1024 {
                    big.extend_from_slice(row.as_bytes());
                }
                big
            },
            "at most 10485760 bytes",
        ),
        ("FCOLS", b"email,name,shoe_size\nx,y,z\n".to_vec(), "unknown column"),
    ];
    for (id, content, expected) in cases {
        let file_ts = share(&app, APPROVER, id, content).await;
        let thread = app.fake.thread(REQUEST_CHANNEL, &file_ts);
        assert_eq!(thread.len(), 1, "{id}");
        let text = thread[0].all_text();
        assert!(
            text.contains("I cannot import") && text.contains(expected),
            "{id}: {text}"
        );
        assert!(
            !thread[0].blocks.to_string().contains("import_guests"),
            "{id}: no Import button"
        );
    }
    assert_eq!(request_count(&app).await, 0);
}

#[tokio::test]
async fn guestlist_import_previews_with_dry_run_and_imports_without() {
    let app = import_app(Backend::Sqlite).await;
    let db = app.dir.path().join("guestlist.db");
    let config = app.dir.path().join("guestlist.toml");
    let csv = app.dir.path().join("guests.csv");
    std::fs::write(&csv, mixed_csv()).unwrap();
    let run = |extra: &'static [&'static str]| {
        let mut args = vec![
            "--config".to_string(),
            config.display().to_string(),
            "import".to_string(),
            csv.display().to_string(),
            "--importer".to_string(),
            APPROVER.to_string(),
            "--sponsor".to_string(),
            REQUESTER.to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        tokio::process::Command::new(env!("CARGO_BIN_EXE_guestlist"))
            .args(args)
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("SLACK_API_URL", app.fake.api_url())
            .env("SLACK_BOT_TOKEN", "xoxb-test-bot")
            .output()
    };
    let output = run(&["--dry-run", "--json"]).await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let preview: Value = serde_json::from_slice(&output.stdout).unwrap();
    // Nothing is taken in this workspace yet, so taken@old.example is valid here.
    assert_eq!(preview["valid"].as_array().unwrap().len(), 3, "{preview:#}");
    assert_eq!(
        preview["invalid"].as_array().unwrap().len(),
        4,
        "{preview:#}"
    );
    assert_eq!(
        preview["duplicates"].as_array().unwrap().len(),
        1,
        "nothing is taken yet"
    );
    assert_eq!(request_count(&app).await, 0, "a dry run writes nothing");
    assert!(app.store.audit_since(None).await.unwrap().is_empty());

    let output = run(&[]).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("rows imported: 3/3"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("8 rows: 3 to import, 4 invalid, 1 duplicate")
    );
    assert_eq!(
        request_count(&app).await,
        3,
        "{:?}",
        app.store.held_emails(&team()).await.unwrap()
    );
    // The running bot sends the invitations (manual mode: an admin task per guest).
    app.run_jobs().await;
    assert_eq!(
        app.store
            .requests_in_state(&team(), RequestState::Approved, 10)
            .await
            .unwrap()
            .len(),
        3
    );

    // A second import finds both taken.
    let output = run(&["--dry-run"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("8 rows: 0 to import, 4 invalid, 4 duplicates"),
        "{stdout}"
    );
    std::fs::write(&csv, "email,name\n").unwrap();
    let output = run(&[]).await.unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no guest_type column"));
}

#[tokio::test]
async fn an_auto_approve_domain_is_approved_by_the_bot_within_its_limits() {
    for backend in Backend::all() {
        let app = import_app(backend).await;
        // Inside the rule: approved at once, the card names the rule, provisioning starts.
        let answer = app
            .submit(
                REQUESTER,
                &FormInput::new("pat@partner.example", &["CPROJECT"]),
            )
            .await;
        assert_eq!(answer["response_action"], "update", "{answer}");
        assert!(
            answer
                .to_string()
                .contains("approved automatically by rule"),
            "{answer}"
        );
        app.run_jobs().await;
        let fast = app
            .store
            .open_request_for_email(&team(), "pat@partner.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fast.auto_rule.as_deref(), Some("partner-fast-lane"));
        assert_eq!(fast.decided_by, None);
        assert_ne!(fast.state, RequestState::Pending);
        let card = app.fake.top_level_in(REQUEST_CHANNEL);
        assert_eq!(card.len(), 1);
        assert!(
            card[0]
                .all_text()
                .contains("Approved automatically by rule *partner-fast-lane*"),
            "{}",
            card[0].all_text()
        );
        assert!(
            !buttons(&card[0]).contains(&"approve_request".to_string()),
            "no decision left to make"
        );

        // Outside it (a subdomain fits; another channel, a longer expiry or another type do not).
        for (email, channels, days) in [
            ("q@partner.example", vec!["COTHER"], "30"),
            ("r@partner.example", vec!["CPROJECT"], "45"),
            ("s@partner.example", vec!["CPROJECT", "COTHER"], "10"),
            ("t@elsewhere.example", vec!["CPROJECT"], "10"),
        ] {
            let mut form = FormInput::new(email, &channels);
            form.expiry_days = Some(days.into());
            let answer = app.submit(REQUESTER, &form).await;
            assert_eq!(answer["response_action"], "update", "{answer}");
            let request = app
                .store
                .open_request_for_email(&team(), email)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                request.state,
                RequestState::Pending,
                "{email} waits for an approver"
            );
            assert_eq!(request.auto_rule, None);
        }
        let sub = app
            .submit(
                REQUESTER,
                &FormInput::new("u@eu.partner.example", &["CPROJECT"]),
            )
            .await;
        assert_eq!(sub["response_action"], "update");
        let sub = app
            .store
            .open_request_for_email(&team(), "u@eu.partner.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sub.auto_rule.as_deref(), Some("partner-fast-lane"));
        let audit = app.store.audit_since(None).await.unwrap();
        assert!(
            audit.iter().any(|a| a.entry.action == "auto_approve"
                && a.entry.detail.contains("partner-fast-lane"))
        );
    }
}

#[tokio::test]
async fn a_blocked_domain_is_refused_at_submit_and_at_import() {
    let app = import_app(Backend::from_env()).await;
    let answer = app
        .submit(
            REQUESTER,
            &FormInput::new("mal@sub.blocked.example", &["CPROJECT"]),
        )
        .await;
    assert_eq!(answer["response_action"], "errors", "{answer}");
    assert!(
        answer["errors"]["email"]
            .as_str()
            .unwrap()
            .contains("blocked domain"),
        "{answer}"
    );
    assert_eq!(request_count(&app).await, 0);

    let csv =
        "email,name,guest_type,channels,expires\nmal@blocked.example,Mal,single,project-x,30d\n";
    let file_ts = share(&app, APPROVER, "FBLOCK", csv.as_bytes().to_vec()).await;
    let preview = &app.fake.thread(REQUEST_CHANNEL, &file_ts)[0];
    assert!(
        preview
            .all_text()
            .contains("1 rows: 0 to import, 1 invalid"),
        "{}",
        preview.all_text()
    );
    assert!(preview.all_text().contains("blocked domain"));
    assert!(buttons(preview).is_empty(), "nothing to import, no button");
}

/// A preview reads the directory (users.list, conversations.list, sponsor look-ups) through the
/// same pacer as sync: a 429 on each is waited out (Retry-After) and the preview still comes.
#[tokio::test]
async fn a_rate_limited_directory_read_is_waited_out_and_the_preview_comes() {
    use guestlist::fake_slack::Failure;
    let app = import_app(Backend::Sqlite).await;
    request_taken(&app).await;
    for method in ["users.list", "conversations.list", "users.lookupByEmail"] {
        app.fake.fail_next(
            method,
            1,
            Failure::RateLimited {
                retry_after_secs: 1,
            },
        );
    }
    let file_ts = share(&app, APPROVER, "FLIMITED", mixed_csv().into_bytes()).await;
    let thread = app.fake.thread(REQUEST_CHANNEL, &file_ts);
    assert_eq!(thread.len(), 1, "one preview in the file's thread");
    let text = thread[0].all_text();
    assert!(
        text.contains("8 rows: 2 to import, 4 invalid, 2 duplicates"),
        "{text}"
    );
    for method in ["users.list", "conversations.list", "users.lookupByEmail"] {
        assert!(
            app.fake.calls_to(method).len() >= 2,
            "{method} was tried again after its 429"
        );
    }
}

#[tokio::test]
async fn a_large_import_goes_in_batches_and_shows_its_progress_in_one_message() {
    let app = import_app(Backend::from_env()).await;
    let before = request_count(&app).await;
    let rows = 1_201;
    let mut csv = vec!["email,name,organisation,guest_type,channels,expires".to_string()];
    csv.extend((0..rows).map(|i| {
        format!("guest{i:04}@vendor.example,Guest {i},Vendor,single_channel,#project-x,30d")
    }));
    let file_ts = share(&app, APPROVER, "FLARGE", csv.join("\n").into_bytes()).await;
    let preview = app.fake.thread(REQUEST_CHANNEL, &file_ts)[0].clone();
    assert!(
        preview
            .all_text()
            .contains(&format!("{rows} rows: {rows} to import")),
        "{}",
        preview.all_text()
    );
    // The sharer sponsors the rows; another approver confirms.
    click_import(&app, APPROVER_2, &preview).await;
    assert_eq!(
        request_count(&app).await - before,
        rows,
        "every row imported: {:#?}",
        app.fake
            .thread(REQUEST_CHANNEL, &file_ts)
            .iter()
            .map(|m| m.all_text())
            .collect::<Vec<_>>()
    );
    let thread = app.fake.thread(REQUEST_CHANNEL, &file_ts);
    let progress: Vec<&FakeMessage> = thread
        .iter()
        .filter(|m| m.all_text().contains("is importing"))
        .collect();
    assert_eq!(progress.len(), 1, "one progress message, updated in place");
    // Three batches of at most 500: the message is updated after each.
    assert_eq!(progress[0].updates, 3);
    assert!(
        progress[0]
            .all_text()
            .contains(&format!("{rows} of {rows} rows done")),
        "{}",
        progress[0].all_text()
    );
    let done: Vec<&FakeMessage> = thread
        .iter()
        .filter(|m| m.all_text().contains("imported 1201"))
        .collect();
    assert_eq!(
        done.len(),
        1,
        "{:#?}",
        thread.iter().map(|m| m.all_text()).collect::<Vec<_>>()
    );
}
