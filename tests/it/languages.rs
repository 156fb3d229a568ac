//! Each person reads Guestlist in their own Slack language; the request channel reads the
//! workspace's (`slack.language`). Profile fields (`[profile]`) on the form, the card and the
//! account; one open request per phone number.

use crate::helpers::*;
use guestlist::domain::RequestState;
use guestlist::fake_slack::{FakeUser, FormInput};
use serde_json::Value;

const FRANCOIS: &str = "UFRANCOIS";

async fn french_app(toml: &str) -> TestApp {
    let app = Builder::new().toml(toml).start().await;
    app.fake.add_user(
        FakeUser::new(FRANCOIS, "François Dupont")
            .locale("fr-FR")
            .tz("Europe/Paris"),
    );
    app
}

fn texts_of(view: &Value) -> String {
    view.to_string()
}

#[tokio::test]
async fn a_french_requester_gets_french_forms_and_dms_while_the_card_follows_the_workspace() {
    let app = french_app("").await;

    // The form opens in French, read from Slack's locale (asked with include_locale).
    app.slack.command(FRANCOIS, "CGENERAL", "").await.unwrap();
    let view = app.fake.calls_to("views.open")[0]
        .arg("view")
        .cloned()
        .unwrap();
    assert_eq!(view["title"]["text"], "Demander un invité", "{view}");
    assert!(
        texts_of(&view).contains("Pourquoi cette personne"),
        "{view}"
    );
    assert!(app.fake.calls_to("users.info").iter().any(
        |c| c.arg_str("user") == Some(FRANCOIS) && c.arg_str("include_locale") == Some("true")
    ));

    // A field error comes back in French, on its block.
    let mut bad = FormInput::new("not-an-email", &["CPROJECT"]);
    bad.reason = String::new();
    let answer = app.submit(FRANCOIS, &bad).await;
    assert_eq!(
        answer["errors"]["email"],
        "Cette adresse e-mail n'est pas valide."
    );

    // The request: a French confirmation in the modal and the DM, an English card.
    let answer = app
        .submit(
            FRANCOIS,
            &FormInput::new("grace@partner.com", &["CPROJECT"]),
        )
        .await;
    assert!(
        answer["view"].to_string().contains("Demande envoyée"),
        "{answer}"
    );
    app.run_jobs().await;
    let card = app.card();
    assert!(
        card.all_text().contains("Guest request"),
        "{}",
        card.all_text()
    );
    assert!(card.all_text().contains("Approve"));
    let dm = app.texts_in(FRANCOIS).join("\n");
    assert!(dm.contains("Votre demande"), "{dm}");
    assert!(dm.contains("attend un approbateur"), "{dm}");

    // An English approver decides: the thread in English, the requester told in French.
    let id = app.request_id("grace@partner.com").await;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Approved);
    let thread = app.thread_texts().join("\n");
    assert!(thread.contains("Approved by <@UAPPROVER>"), "{thread}");
    let dm = app.texts_in(FRANCOIS).join("\n");
    assert!(dm.contains("a été approuvée par <@UAPPROVER>"), "{dm}");
}

#[tokio::test]
async fn a_french_workspace_gets_french_cards_and_english_speakers_english_dms() {
    // `slack.language`, here from its environment variable.
    let app = Builder::new().env("GUESTLIST_LANGUAGE", "fr").start().await;
    app.request_posted("grace@partner.com", &["CPROJECT"]).await;
    let card = app.card().all_text();
    assert!(card.contains("Demande d'invité"), "{card}");
    assert!(card.contains("Approuver"), "{card}");
    assert!(!card.contains("Guest request"), "{card}");
    let dm = app.texts_in(REQUESTER).join("\n");
    assert!(
        dm.contains("Your request"),
        "an en-US requester reads English: {dm}"
    );
}

#[tokio::test]
async fn required_profile_fields_are_refused_on_their_blocks_and_shown_on_the_card() {
    let app = Builder::new()
        .toml("[profile]\ntitle = \"required\"\ndepartment = \"optional\"\nmanager = \"optional\"\nemployee_id = \"optional\"\nphone = \"optional\"\n")
        .start()
        .await;
    app.slack.command(REQUESTER, "CGENERAL", "").await.unwrap();
    let view = app.fake.calls_to("views.open")[0]
        .arg("view")
        .cloned()
        .unwrap();
    let blocks: Vec<(String, bool)> = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| {
            Some((
                b["block_id"].as_str()?.to_string(),
                b["optional"].as_bool().unwrap_or(false),
            ))
        })
        .collect();
    for (block, optional) in [
        ("title", false),
        ("department", true),
        ("manager", true),
        ("employee_id", true),
        ("phone", true),
    ] {
        assert!(
            blocks.contains(&(block.to_string(), optional)),
            "{block} (optional {optional}) in {blocks:?}"
        );
    }

    let form = FormInput::new("grace@partner.com", &["CPROJECT"]).with("phone", "0612");
    let answer = app.submit(REQUESTER, &form).await;
    assert_eq!(answer["response_action"], "errors");
    assert!(answer["errors"]["title"].is_string(), "{answer}");
    assert!(
        answer["errors"]["phone"]
            .as_str()
            .unwrap()
            .contains("international format"),
        "{answer}"
    );
    assert!(
        app.store
            .open_request_for_email(&team(), "grace@partner.com")
            .await
            .unwrap()
            .is_none(),
        "nothing is stored"
    );

    let form = FormInput::new("grace@partner.com", &["CPROJECT"])
        .with("title", "Consultant <b>")
        .with("department", "Sales")
        .with("manager", LEAD)
        .with("employee_id", "E-42")
        .with("phone", "+44 20 7946 0000");
    let answer = app.submit(REQUESTER, &form).await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    app.run_jobs().await;
    let id = app.request_id("grace@partner.com").await;
    let request = app.request(id).await;
    assert_eq!(request.profile.title.as_deref(), Some("Consultant <b>"));
    assert_eq!(request.profile.phone.as_deref(), Some("+442079460000"));
    assert_eq!(
        request.profile.manager.as_ref().map(|m| m.as_str()),
        Some(LEAD)
    );
    let card = app.card().all_text();
    for shown in [
        "Job title",
        "Consultant &lt;b&gt;",
        "Department",
        "Sales",
        "Manager",
        "<@ULEAD>",
        "Employee ID",
        "E-42",
        "+442079460000",
    ] {
        assert!(card.contains(shown), "{shown} on the card: {card}");
    }
}

#[tokio::test]
async fn a_phone_already_on_an_open_request_is_refused_on_the_field() {
    let app = Builder::new()
        .toml("[profile]\nphone = \"optional\"\n")
        .start()
        .await;
    let first =
        FormInput::new("grace@partner.com", &["CPROJECT"]).with("phone", "+33 6 12 34 56 78");
    assert_eq!(
        app.submit(REQUESTER, &first).await["response_action"],
        "update"
    );
    // The same number, written differently, for another guest.
    let second = FormInput::new("ada@partner.com", &["CPROJECT"]).with("phone", "+33612345678");
    // A requester who may not decide that request learns nothing about it.
    let answer = app.submit(OUTSIDER, &second).await;
    let message = answer["errors"]["phone"].as_str().unwrap();
    assert!(message.contains("already in use"), "{message}");
    assert!(!message.contains("Rita"), "{message}");
    // An approver is told whose it is.
    let answer = app.submit(APPROVER, &second).await;
    let message = answer["errors"]["phone"].as_str().unwrap();
    assert!(
        message.contains("Rita Requester") && message.contains("waiting for approval"),
        "{message}"
    );
    assert!(
        app.store
            .open_request_for_email(&team(), "ada@partner.com")
            .await
            .unwrap()
            .is_none()
    );
    let held = app
        .store
        .open_request_for_phone(&team(), "+33612345678")
        .await
        .unwrap()
        .expect("held");
    assert_eq!(held.email.as_str(), "grace@partner.com");
}

#[tokio::test]
async fn profile_fields_reach_scim_with_the_enterprise_extension() {
    let Some((url, token)) =
        crate::lifecycle::scim_server("languages::scim (profile, enterprise extension)")
    else {
        return;
    };
    let app = crate::lifecycle::scim_app(&url, &token)
        .toml("[profile]\ntitle = \"required\"\ndepartment = \"required\"\nmanager = \"optional\"\nemployee_id = \"optional\"\nphone = \"optional\"\n")
        .start()
        .await;
    let email = format!("profile-{}@partner.com", rand_u64() % 1_000_000);
    let form = FormInput::new(&email, &["CPROJECT", "COTHER"])
        .with("title", "Auditor")
        .with("department", "Finance")
        .with("manager", LEAD)
        .with("employee_id", "E-7")
        .with("phone", "+1 415 555 0100");
    assert_eq!(
        app.submit(REQUESTER, &form).await["response_action"],
        "update"
    );
    app.run_jobs().await;
    let id = app.request_id(&email).await;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    let user = crate::lifecycle::scim_user(&url, &token, &email)
        .await
        .expect("the user exists on the SCIM server");
    assert_eq!(user["title"], "Auditor", "{user}");
    assert_eq!(user["phoneNumbers"][0]["value"], "+14155550100", "{user}");
    let enterprise = &user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    assert_eq!(enterprise["department"], "Finance", "{user}");
    assert_eq!(enterprise["employeeNumber"], "E-7", "{user}");
    assert_eq!(enterprise["manager"]["value"], LEAD, "{user}");
    assert!(
        user["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
        "{user}"
    );
}

/// On Grid, a request for grace@partner.com with the job title "Auditor", approved (invited,
/// no account yet).
async fn approved_on_grid_with_a_title() -> (TestApp, i64) {
    let app = slack_admin()
        .toml("[profile]\ntitle = \"optional\"\n")
        .start()
        .await;
    let form = FormInput::new("grace@partner.com", &["CPROJECT"]).with("title", "Auditor");
    assert_eq!(
        app.submit(REQUESTER, &form).await["response_action"],
        "update"
    );
    app.run_jobs().await;
    let id = app.request_id("grace@partner.com").await;
    app.click(APPROVER, "approve_request", id).await;
    app.run_jobs().await;
    (app, id)
}

#[tokio::test]
async fn on_grid_the_job_title_is_written_to_the_guest_once_the_account_exists() {
    let (app, id) = approved_on_grid_with_a_title().await;
    assert!(
        app.fake.calls_to("users.profile.set").is_empty(),
        "no account yet: nothing to write"
    );
    let invited = app.only_call("admin.users.invite");
    assert_eq!(invited.arg_str("real_name"), Some("Grace Hopper"));
    app.team_join("WGRACE", "grace@partner.com").await;
    assert_eq!(app.state(id).await, RequestState::Active);
    let set = app.only_call("users.profile.set");
    assert_eq!(set.arg_str("user"), Some("WGRACE"), "the bound account");
    assert_eq!(set.arg("profile").unwrap()["title"], "Auditor");
    assert_eq!(set.token.as_deref(), Some(ADMIN_TOKEN));
}

#[tokio::test]
async fn a_job_title_slack_will_not_let_guestlist_write_is_handed_to_an_admin_on_the_card() {
    let (app, id) = approved_on_grid_with_a_title().await;
    // Slack refuses profile writes by a token that is not an admin's of that workspace.
    app.fake.fail_next(
        "users.profile.set",
        1,
        guestlist::fake_slack::Failure::Error("not_admin".into()),
    );
    app.team_join("WGRACE", "grace@partner.com").await;
    app.run_jobs().await;
    assert_eq!(app.state(id).await, RequestState::Active, "the guest is in");
    assert_eq!(
        app.fake.calls_to("users.profile.set").len(),
        1,
        "tried once"
    );
    let task: Vec<String> = app
        .thread_texts()
        .into_iter()
        .filter(|t| t.contains("Admin task"))
        .collect();
    assert_eq!(task.len(), 1, "{:?}", app.thread_texts());
    assert!(task[0].contains("*Auditor*"), "{}", task[0]);
    assert!(task[0].contains("WGRACE"), "{}", task[0]);
    app.run_jobs().await;
    assert_eq!(
        app.fake.calls_to("users.profile.set").len(),
        1,
        "handed over, not retried"
    );
}
