//! The join page through the front door: a sponsor makes a link with a signed `/guest link`
//! and the modal's submission; a visitor GETs and POSTs the page over HTTP (with its cookie and
//! CSRF token); the fake Slack and the database are checked afterwards.

use crate::helpers::*;
use guestlist::domain::RequestState;
use guestlist::domain::request::Source;
use guestlist::fake_slack::FormInput;
use serde_json::{Value, json};

pub const PUBLIC_URL: &str = "https://guestlist.example.com";

pub fn join_app() -> Builder {
    Builder::new().toml(&format!("[server]\npublic_url = \"{PUBLIC_URL}/\"\n"))
}

/// The link form's `state.values`, as Slack sends them.
pub fn link_values(channels: &[&str], uses: &str, days: &str) -> Value {
    let option = |value: &str| json!({"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}});
    json!({
        "guest_type": {"guest_type": option(if channels.len() == 1 { "single_channel" } else { "multi_channel" })},
        "channels": {"channels": {"type": "multi_conversations_select", "selected_conversations": channels}},
        "expiry_mode": {"expiry_mode": option("days")},
        "expiry_days": {"expiry_days": {"type": "number_input", "value": "30"}},
        "expiry_date": {"expiry_date": {"type": "datepicker", "selected_date": null}},
        "expiry_time": {"expiry_time": {"type": "timepicker", "selected_time": null}},
        "link_uses": {"link_uses": {"type": "number_input", "value": uses}},
        "link_days": {"link_days": {"type": "number_input", "value": days}},
    })
}

/// `/guest link` as `sponsor`, then the modal submitted: returns the link's path (`/join/…`).
pub async fn make_link(app: &TestApp, sponsor: &str, uses: &str, days: &str) -> String {
    let answer = app
        .slack
        .command(sponsor, "CGENERAL", "link")
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    let opened = app.fake.calls_to("views.open");
    let form = &opened.last().expect("the link form opened").args["view"];
    assert_eq!(form["callback_id"], "invite_link");
    let payload = app.slack.view_submission(
        sponsor,
        "invite_link",
        &json!({"tz": "Europe/Paris"}).to_string(),
        link_values(&["CPROJECT", "COTHER"], uses, days),
    );
    let answer = app.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert_eq!(body["response_action"], "update", "{body:#}");
    let shown = body["view"].to_string();
    let start = shown
        .find(&format!("{PUBLIC_URL}/join/"))
        .expect("the link is shown once");
    let url: String = shown[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-'))
        .collect();
    app.run_jobs().await;
    url.trim_start_matches(PUBLIC_URL).to_string()
}

/// A visitor's browser, reduced to what the page needs: its cookie and the form's token.
pub struct Visitor {
    pub client: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub accept_language: Option<String>,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub html: String,
}

impl Visitor {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base_url(),
            cookie: None,
            csrf: None,
            accept_language: None,
        }
    }

    fn remember(&mut self, headers: &reqwest::header::HeaderMap, html: &str) {
        if let Some(set) = headers
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = set.split(';').next().map(str::to_string);
        }
        if let Some(at) = html.find("name=\"csrf\" value=\"") {
            let rest = &html[at + 19..];
            self.csrf = rest.split('"').next().map(str::to_string);
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(lang) = &self.accept_language {
            request = request.header("accept-language", lang);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let html = response.text().await.unwrap();
        self.remember(&headers, &html);
        Page {
            status,
            headers,
            html,
        }
    }

    /// Posts the form with the token and cookie it holds (unless `with_csrf` is false).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)], with_csrf: bool) -> Page {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if with_csrf && let Some(csrf) = &self.csrf {
            form.push(("csrf".into(), csrf.clone()));
        }
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&form).unwrap());
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(lang) = &self.accept_language {
            request = request.header("accept-language", lang);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let html = response.text().await.unwrap();
        self.remember(&headers, &html);
        Page {
            status,
            headers,
            html,
        }
    }
}

pub fn guest_fields(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Grace Hopper".to_string()),
        ("email", email.to_string()),
        ("organisation", "Partner Inc".to_string()),
        ("phone", "+44 20 7946 0000".to_string()),
        ("reason", "Reviews the compiler launch".to_string()),
    ]
}

pub fn fields<'a>(list: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    list.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn requests_for(app: &TestApp, email: &str) -> Option<guestlist::domain::GuestRequest> {
    app.store
        .open_request_for_email(&team(), email)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_link_becomes_a_request_with_the_sponsor_and_serves_once() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "1", "7").await;
    assert!(
        path.starts_with("/join/") && path.len() == "/join/".len() + 48,
        "{path}"
    );
    // The token is stored only as its hash.
    let token = path.trim_start_matches("/join/");
    let home = app.fake.home_view(REQUESTER).expect("App Home published");
    assert!(home.to_string().contains("Your invite links"), "{home}");
    assert!(!home.to_string().contains(token));

    let mut visitor = Visitor::new(&app);
    let page = visitor.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.html.contains("Rita Requester invites you"),
        "{}",
        page.html
    );
    assert!(page.html.contains("#project-x"), "channels by name");
    assert!(page.html.contains("30 days after approval"));
    for (header, value) in [
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(page.headers[header], value, "{header}");
    }
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(visitor.cookie.is_some() && visitor.csrf.is_some());

    let guest = guest_fields("grace@partner.example");
    let sent = visitor.post(&path, &fields(&guest), true).await;
    assert_eq!(sent.status, 200, "{}", sent.html);
    assert!(sent.html.contains("Request sent"));
    app.run_jobs().await;

    let request = requests_for(&app, "grace@partner.example")
        .await
        .expect("stored");
    assert_eq!(request.state, RequestState::Pending);
    assert_eq!(
        request.requester.as_str(),
        REQUESTER,
        "the sponsor is the requester"
    );
    assert_eq!(request.source, Source::InviteLink);
    assert_eq!(request.profile.phone.as_deref(), Some("+442079460000"));
    assert_eq!(request.channels.len(), 2);
    let card = app.card();
    assert!(
        card.all_text().contains(&format!("<@{REQUESTER}>")),
        "{}",
        card.all_text()
    );
    assert!(card.all_text().contains("invite link"));
    let dm = app.texts_in(REQUESTER).join("\n");
    assert!(dm.contains("through your invite link"), "{dm}");

    // Single use: the second visitor is told, and nothing is stored.
    let mut second = Visitor::new(&app);
    let page = second.get(&path).await;
    assert_eq!(page.status, 410);
    assert!(page.html.contains("already been used"), "{}", page.html);
    assert!(page.html.contains("Ask Rita Requester for a new link"));
    let again = second
        .post(&path, &fields(&guest_fields("alan@partner.example")), true)
        .await;
    assert_eq!(again.status, 410);
    assert!(requests_for(&app, "alan@partner.example").await.is_none());

    // The approval invites the guest like any other request.
    app.click(APPROVER, "approve_request", request.id.0).await;
    app.run_jobs().await;
    assert_eq!(
        app.request(request.id.0).await.state,
        RequestState::Approved
    );
}

#[tokio::test]
async fn an_invalid_email_is_answered_on_its_field_and_the_form_is_kept() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "5", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let mut guest = guest_fields("grace@");
    guest[4].1 = "Needs the <b>specs</b>".into();
    let page = visitor.post(&path, &fields(&guest), true).await;
    assert_eq!(page.status, 422);
    let error = page
        .html
        .find("id=\"email-error\"")
        .expect("an error on the email field");
    let input = page.html.find("id=\"email\"").unwrap();
    assert!(error < input, "the error sits with its field");
    assert!(page.html.contains("Enter a valid email address"));
    assert!(
        page.html.contains("value=\"Grace Hopper\""),
        "what was typed is kept"
    );
    assert!(
        page.html.contains("Needs the &#60;b&#62;specs"),
        "kept, escaped: {}",
        page.html
    );
    assert!(!page.html.contains("<b>specs"));
    assert!(page.html.contains("aria-invalid=\"true\""));
    assert!(requests_for(&app, "grace@").await.is_none());
    // Corrected, the same form goes through (its token still holds).
    let page = visitor
        .post(&path, &fields(&guest_fields("grace@partner.example")), true)
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
}

#[tokio::test]
async fn revoked_expired_and_unknown_links_say_which_and_create_nothing() {
    let app = join_app().start().await;
    let revoked = make_link(&app, REQUESTER, "5", "7").await;
    let expiring = make_link(&app, REQUESTER, "5", "1").await;
    let mut visitor = Visitor::new(&app);
    assert_eq!(visitor.get(&revoked).await.status, 200);

    // Revoked from App Home by the sponsor.
    let home = app.fake.home_view(REQUESTER).unwrap().to_string();
    let first_link = home.split("\"action_id\":\"revoke_invite_link\"").count() - 1;
    assert_eq!(first_link, 2, "both links listed with Revoke: {home}");
    let link_id = app
        .store
        .link_by_token_hash(&guestlist::domain::join::token_hash(
            revoked.trim_start_matches("/join/"),
        ))
        .await
        .unwrap()
        .unwrap()
        .id;
    // Someone else may not revoke it.
    let click = app.slack.button_click(
        OUTSIDER,
        "revoke_invite_link",
        &link_id.to_string(),
        None,
        "1.1",
    );
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    app.run_jobs().await;
    assert_eq!(visitor.get(&revoked).await.status, 200, "still open");
    let click = app.slack.button_click(
        REQUESTER,
        "revoke_invite_link",
        &link_id.to_string(),
        None,
        "1.1",
    );
    assert_eq!(app.slack.interaction(&click).await.unwrap().status, 200);
    app.run_jobs().await;
    let page = visitor.get(&revoked).await;
    assert_eq!(page.status, 410);
    assert!(page.html.contains("withdrawn"), "{}", page.html);
    let post = visitor
        .post(
            &revoked,
            &fields(&guest_fields("grace@partner.example")),
            true,
        )
        .await;
    assert_eq!(post.status, 410);
    assert!(requests_for(&app, "grace@partner.example").await.is_none());

    // Expired after its day.
    let mut visitor = Visitor::new(&app);
    assert_eq!(visitor.get(&expiring).await.status, 200);
    app.clock.advance(chrono::Duration::hours(25));
    let page = visitor.get(&expiring).await;
    assert_eq!(page.status, 410);
    assert!(page.html.contains("expired"), "{}", page.html);
    let post = visitor
        .post(
            &expiring,
            &fields(&guest_fields("late@partner.example")),
            true,
        )
        .await;
    assert_eq!(post.status, 410);
    assert!(requests_for(&app, "late@partner.example").await.is_none());

    // Unknown and malformed tokens.
    let page = visitor.get(&format!("/join/{}", "0".repeat(48))).await;
    assert_eq!(page.status, 404);
    assert!(page.html.contains("does not exist"));
    assert_eq!(visitor.get("/join/..%2F..%2Fetc").await.status, 404);
}

#[tokio::test]
async fn a_post_without_its_csrf_token_is_refused_and_kept() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "5", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let guest = guest_fields("grace@partner.example");
    let page = visitor.post(&path, &fields(&guest), false).await;
    assert_eq!(page.status, 403);
    assert!(page.html.contains("form had expired"), "{}", page.html);
    assert!(
        page.html.contains("value=\"grace@partner.example\""),
        "nothing typed is lost"
    );
    assert!(requests_for(&app, "grace@partner.example").await.is_none());
    // Without the cookie, the token alone is not enough either.
    let mut stranger = Visitor::new(&app);
    stranger.csrf = visitor.csrf.clone();
    assert_eq!(
        stranger.post(&path, &fields(&guest), true).await.status,
        403
    );
    assert!(requests_for(&app, "grace@partner.example").await.is_none());
    // The fresh token it was given works.
    assert_eq!(visitor.post(&path, &fields(&guest), true).await.status, 200);
}

#[tokio::test]
async fn the_21st_submission_in_a_minute_gets_429_with_retry_after() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "100", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let bad = guest_fields("not-an-email");
    for n in 0..20 {
        let page = visitor.post(&path, &fields(&bad), true).await;
        assert_eq!(page.status, 422, "submission {}", n + 1);
    }
    let page = visitor.post(&path, &fields(&bad), true).await;
    assert_eq!(page.status, 429);
    let wait: u64 = page.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(page.html.contains("Too many attempts"));
}

#[tokio::test]
async fn the_honeypot_and_a_taken_email_store_nothing() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "5", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let bot_fields = guest_fields("bot@spam.example");
    let mut bot = fields(&bot_fields);
    bot.push(("website", "http://spam.example"));
    let page = visitor.post(&path, &bot, true).await;
    assert_eq!(page.status, 200, "a bot is told it worked");
    assert!(requests_for(&app, "bot@spam.example").await.is_none());

    app.submit(
        APPROVER,
        &FormInput::new("held@partner.example", &["CPROJECT"]),
    )
    .await;
    let page = visitor
        .post(&path, &fields(&guest_fields("held@partner.example")), true)
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("already has a request or an account"),
        "{}",
        page.html
    );
    assert!(
        !page.html.contains("Ada Approver"),
        "a visitor is not told who asked"
    );
    let held = requests_for(&app, "held@partner.example").await.unwrap();
    assert_eq!(
        held.requester.as_str(),
        APPROVER,
        "the first request is untouched"
    );
    // A member's email gets the same answer: the page tells nobody who works here.
    let member = visitor
        .post(
            &path,
            &fields(&guest_fields("ada.approver@example.com")),
            true,
        )
        .await;
    assert_eq!(member.status, 422);
    assert!(
        member.html.contains("already has a request or an account"),
        "{}",
        member.html
    );
    assert!(!member.html.contains("Unknown localization"));
}

#[tokio::test]
async fn the_page_speaks_french_from_accept_language_with_a_switch() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "5", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.accept_language = Some("fr-FR,fr;q=0.9,en;q=0.5".into());
    let page = visitor.get(&path).await;
    assert!(page.html.contains("<html lang=\"fr\">"));
    assert!(
        page.html.contains("Rita Requester vous invite"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("30 jours après l&#39;approbation"),
        "{}",
        page.html
    );
    assert!(page.html.contains("href=\"?lang=en\""), "the switch");
    let page = visitor
        .post(&path, &fields(&guest_fields("pas-un-email")), true)
        .await;
    assert!(page.html.contains("Saisissez une adresse e-mail valide"));
    let english = visitor.get(&format!("{path}?lang=en")).await;
    assert!(english.html.contains("<html lang=\"en\">"));
    assert!(english.html.contains("action=\"/join/"), "{}", english.html);
    assert!(
        english.html.contains("?lang=en\""),
        "the form keeps the chosen language"
    );
}

#[tokio::test]
async fn self_registration_takes_only_allowed_domains() {
    let app = Builder::new()
        .toml(&format!(
            "[server]\npublic_url = \"{PUBLIC_URL}\"\n\
             [self_registration]\nallowed_domains = [\"partner.example\"]\n\
             channels = [\"CPROJECT\"]\nguest_type = \"single_channel\"\nexpiry_days = 14\nsponsor = \"{LEAD}\"\n"
        ))
        .start()
        .await;
    let mut visitor = Visitor::new(&app);
    let page = visitor.get("/join").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("partner.example"));
    let page = visitor
        .post(
            "/join",
            &fields(&guest_fields("eve@elsewhere.example")),
            true,
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("Only addresses at partner.example"),
        "{}",
        page.html
    );
    assert!(requests_for(&app, "eve@elsewhere.example").await.is_none());
    let page = visitor
        .post(
            "/join",
            &fields(&guest_fields("grace@partner.example")),
            true,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    app.run_jobs().await;
    let request = requests_for(&app, "grace@partner.example").await.unwrap();
    assert_eq!(request.source, Source::SelfRegistration);
    assert_eq!(request.requester.as_str(), LEAD);
    assert_eq!(request.channels.len(), 1);
    assert!(app.card().all_text().contains("self-registration"));

    // Off by default.
    let plain = join_app().start().await;
    let page = Visitor::new(&plain).get("/join").await;
    assert_eq!(page.status, 404);
    assert!(page.html.contains("only works through an invitation link"));
}

#[tokio::test]
async fn links_need_a_public_url_and_the_right_to_request() {
    let app = Builder::new().start().await;
    let answer = app
        .slack
        .command(REQUESTER, "CGENERAL", "link")
        .await
        .unwrap();
    assert!(answer.body.contains("server.public_url"), "{}", answer.body);
    assert!(app.fake.calls_to("views.open").is_empty());
    // A link form with out-of-range options is answered on its fields.
    let app = join_app().start().await;
    let payload =
        app.slack
            .view_submission(REQUESTER, "invite_link", "{}", link_values(&[], "0", "45"));
    let body = app.slack.interaction(&payload).await.unwrap().json();
    assert_eq!(body["response_action"], "errors", "{body:#}");
    assert!(body["errors"]["link_uses"].is_string());
    assert!(body["errors"]["link_days"].is_string());
    assert!(
        body["errors"]["channels"].is_string(),
        "a link needs a channel"
    );
}

#[tokio::test]
async fn two_visitors_racing_for_a_single_use_link_get_one_request() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "1", "7").await;
    let mut first = Visitor::new(&app);
    let mut second = Visitor::new(&app);
    first.get(&path).await;
    second.get(&path).await;
    let (a, mut b) = (
        guest_fields("ann@partner.example"),
        guest_fields("bob@partner.example"),
    );
    // Their own phones: a shared one could be refused as taken (422) when the other lands first.
    for (key, value) in b.iter_mut() {
        if *key == "phone" {
            *value = "+44 20 7946 0001".to_string();
        }
    }
    let (fa, fb) = (fields(&a), fields(&b));
    let (pa, pb) = tokio::join!(first.post(&path, &fa, true), second.post(&path, &fb, true));
    let mut statuses = [pa.status, pb.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 410],
        "one wins, one is told the link is used"
    );
    let stored = [
        requests_for(&app, "ann@partner.example").await.is_some(),
        requests_for(&app, "bob@partner.example").await.is_some(),
    ];
    assert_eq!(stored.iter().filter(|s| **s).count(), 1, "{stored:?}");
}

#[tokio::test]
async fn a_link_request_inside_an_auto_approval_rule_still_waits_for_a_person() {
    let app = slack_admin()
        .toml(&format!(
            "[server]\npublic_url = \"{PUBLIC_URL}\"\n\
             [[auto_approve]]\nname = \"partners\"\ndomains = [\"partner.example\"]\nmax_expiry_days = 60\n"
        ))
        .start()
        .await;
    let path = make_link(&app, REQUESTER, "1", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let page = visitor
        .post(&path, &fields(&guest_fields("grace@partner.example")), true)
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(!page.html.contains("was approved"), "{}", page.html);
    app.run_jobs().await;
    // A stranger typed the address: no rule approves it, an approver decides.
    let request = requests_for(&app, "grace@partner.example").await.unwrap();
    assert_eq!(request.state, RequestState::Pending);
    assert_eq!(request.auto_rule, None);
    assert_eq!(request.requester.as_str(), REQUESTER);
    assert!(app.fake.calls_to("admin.users.invite").is_empty());
    // The link was spent by the same transaction.
    let again = Visitor::new(&app).get(&path).await;
    assert_eq!(again.status, 410);
}

#[tokio::test]
async fn the_token_is_not_in_the_logs_or_metrics() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "1", "7").await;
    let token = path.trim_start_matches("/join/").to_string();
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let metrics = get(format!("{}/metrics", app.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("route=\"/join/{token}\""),
        "routes are named by pattern"
    );
    assert!(!metrics.contains(&token));
    // The audit log of the link's creation names it by id, never by token.
    let audit = app.store.audit_since(None).await.unwrap();
    let link_rows: Vec<_> = audit
        .iter()
        .filter(|r| r.entry.action == "link_create")
        .collect();
    assert_eq!(link_rows.len(), 1);
    assert!(audit.iter().all(|r| !r.entry.detail.contains(&token)));
}

#[tokio::test]
async fn a_link_closes_when_its_sponsor_leaves_and_never_outlives_its_end_date() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "5", "30").await;
    app.fake.update_user(REQUESTER, |u| u.deleted = true);
    // The cached sponsor is read again when someone submits.
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let page = visitor
        .post(&path, &fields(&guest_fields("grace@partner.example")), true)
        .await;
    assert_eq!(page.status, 410, "{}", page.html);
    assert!(page.html.contains("withdrawn"));
    assert!(requests_for(&app, "grace@partner.example").await.is_none());

    // A link whose access ends on a date is valid until that date at most.
    let app = join_app().start().await;
    app.slack.command(LEAD, "CGENERAL", "link").await.unwrap();
    let end = (app.now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let mut values = link_values(&["CPROJECT", "COTHER"], "5", "30");
    values["expiry_mode"]["expiry_mode"]["selected_option"]["value"] = json!("date");
    values["expiry_date"]["expiry_date"]["selected_date"] = json!(end);
    values["expiry_time"]["expiry_time"]["selected_time"] = json!("17:00");
    let payload = app.slack.view_submission(
        LEAD,
        "invite_link",
        &json!({"tz": "UTC"}).to_string(),
        values,
    );
    let body = app.slack.interaction(&payload).await.unwrap().json();
    assert_eq!(body["response_action"], "update", "{body:#}");
    let links = app
        .store
        .open_links_of(
            &team(),
            &guestlist::domain::UserId::from(LEAD),
            app.now(),
            5,
        )
        .await
        .unwrap();
    assert_eq!(links.len(), 1);
    assert!(
        links[0].valid_until <= app.now() + chrono::Duration::days(4),
        "{:?}",
        links[0]
    );
}

#[tokio::test]
async fn a_visitors_bidi_overrides_are_dropped_and_links_reach_the_channel_inert() {
    let app = join_app().start().await;
    let path = make_link(&app, REQUESTER, "1", "7").await;
    let mut visitor = Visitor::new(&app);
    visitor.get(&path).await;
    let sent = visitor
        .post(
            &path,
            &[
                ("name", "Grace \u{202E}reppoH"),
                ("email", "grace@partner.example"),
                ("organisation", "www.partner.example"),
                ("phone", ""),
                (
                    "reason",
                    "Sign in at https://evil.example/login\u{200B} first",
                ),
            ],
            true,
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.html);
    app.run_jobs().await;
    let request = requests_for(&app, "grace@partner.example")
        .await
        .expect("stored");
    assert_eq!(request.full_name, "Grace reppoH", "no override character");
    assert_eq!(request.organisation, "www[.]partner[.]example");
    let card = app.card().all_text();
    assert!(
        card.contains("hxxps[://]evil[.]example/login first"),
        "{card}"
    );
    assert!(!card.contains("https://evil"), "{card}");
    assert!(
        !card.chars().any(|c| matches!(c, '\u{202E}' | '\u{200B}')),
        "{card:?}"
    );
}

#[tokio::test]
async fn the_public_page_takes_a_days_share_of_requests_per_email_domain() {
    let app = Builder::new()
        .toml(&format!(
            "[server]\npublic_url = \"{PUBLIC_URL}/\"\njoin_daily_per_domain = 2\n"
        ))
        .start()
        .await;
    let path = make_link(&app, REQUESTER, "10", "7").await;
    let send = |email: String| {
        let app = &app;
        let path = path.clone();
        async move {
            let mut visitor = Visitor::new(app);
            visitor.get(&path).await;
            let mut guest = guest_fields(&email);
            // One open request per phone number: these visitors give none.
            guest.retain(|(k, _)| *k != "phone");
            visitor.post(&path, &fields(&guest), true).await
        }
    };
    for n in 0..2 {
        let page = send(format!("g{n}@partner.example")).await;
        assert_eq!(page.status, 200, "{}", page.html);
    }
    let busy = send("g2@partner.example".into()).await;
    assert_eq!(busy.status, 422);
    assert!(busy.html.contains("try again tomorrow"), "{}", busy.html);
    assert!(requests_for(&app, "g2@partner.example").await.is_none());
    // Another domain has its own share; the next day the first has its share again.
    assert_eq!(send("h0@other.example".into()).await.status, 200);
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(send("g2@partner.example".into()).await.status, 200);
}
