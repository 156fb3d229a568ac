//! The join page in a real browser: Debian's Chromium, headless, driven through ChromeDriver
//! with fantoccini. A sponsor makes a link with a signed `/guest link`; the browser opens it,
//! sends an invalid email (the error shows by the field, the rest is kept), then a valid form;
//! the card lands with the sponsor as requester and the approval invites the guest. Then the
//! same page in French (`Accept-Language: fr`). Screenshots go to
//! `target/browser-artifacts/` (`.ci/run` keeps them; README's picture is one of them).

use crate::helpers::*;
use crate::join::{PUBLIC_URL, make_link};
use crate::services::skipped;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_binary(name: &str, env: &str) -> Option<String> {
    if let Ok(path) = std::env::var(env)
        && !path.is_empty()
    {
        return Some(path);
    }
    std::env::var("PATH")
        .ok()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(name))
        .find(|p| p.exists())
        .map(|p| p.display().to_string())
}

/// ChromeDriver on a free port, and the Chromium it drives; `Err` says what is missing.
fn start_driver() -> Result<(Driver, String), String> {
    let chromedriver = find_binary("chromedriver", "CHROMEDRIVER").ok_or(
        "no chromedriver on the PATH (apt-get install chromium chromium-driver; .ci/run does)",
    )?;
    let chromium = find_binary("chromium", "CHROMIUM")
        .ok_or("no chromium on the PATH (apt-get install chromium; .ci/run does)")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{chromedriver} did not start: {e}"))?;
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(20) {
            return Err(format!(
                "{chromedriver} did not listen on {port} within 20 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((driver, chromium))
}

async fn browser(driver: &Driver, chromium: &str, language: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=900,1300", format!("--lang={language}"),
                     format!("--accept-lang={language}")],
            "prefs": {"intl.accept_languages": language},
        }),
    );
    // ChromeDriver is on loopback: plain HTTP, no TLS stack.
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

fn artifact(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("artefact folder");
    dir.join(name)
}

async fn fill(client: &Client, id: &str, text: &str) {
    let field = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn value_of(client: &Client, id: &str) -> String {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn submit(client: &Client) {
    let before = client.find(Locator::Css("main h1")).await.unwrap();
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The answer is a new page: wait until the one we clicked on is gone (its heading stale),
    // or a fast loopback answer can be read from the old page.
    let started = std::time::Instant::now();
    while before.text().await.is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the form was not answered with a new page"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // The answer is a new page: wait until the form we clicked is gone or replaced.
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_guest_joins_through_a_link_in_a_real_browser() {
    let (driver, chromium) = match start_driver() {
        Ok(found) => found,
        Err(why) => {
            skipped("browser (join page in Chromium)", &why);
            return;
        }
    };
    let app = slack_admin()
        .toml(&format!("[server]\npublic_url = \"{PUBLIC_URL}\"\n"))
        .start()
        .await;
    let path = make_link(&app, REQUESTER, "2", "7").await;
    let url = format!("{}{path}", app.base_url());

    let client = browser(&driver, &chromium, "en-GB").await;
    client.goto(&url).await.unwrap();
    let source = client.source().await.unwrap();
    assert!(source.contains("Rita Requester invites you"), "{source}");
    std::fs::write(
        artifact("join-form-en.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();

    // An invalid email: the error is next to the field, the rest of the form is kept.
    fill(&client, "name", "Grace Hopper").await;
    fill(&client, "email", "grace@").await;
    fill(&client, "organisation", "Partner Inc").await;
    fill(&client, "phone", "+44 20 7946 0000").await;
    fill(&client, "reason", "Reviews the compiler launch").await;
    submit(&client).await;
    let error = client
        .find(Locator::Css(".field.has-error #email-error"))
        .await
        .expect("an error by the email field");
    assert!(
        error.text().await.unwrap().contains("valid email address"),
        "{}",
        error.text().await.unwrap()
    );
    assert_eq!(value_of(&client, "name").await, "Grace Hopper");
    assert_eq!(value_of(&client, "email").await, "grace@");
    assert_eq!(
        value_of(&client, "reason").await,
        "Reviews the compiler launch"
    );
    std::fs::write(
        artifact("join-form-error-en.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    app.run_jobs().await;
    assert!(
        app.fake.messages_in(REQUEST_CHANNEL).is_empty(),
        "nothing was sent"
    );
    assert!(
        app.store
            .open_request_for_email(&team(), "grace@partner.example")
            .await
            .unwrap()
            .is_none()
    );

    // Corrected: sent.
    fill(&client, "email", "grace@partner.example").await;
    submit(&client).await;
    let heading = client.find(Locator::Css("main h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Request sent");
    client.close().await.unwrap();

    app.run_jobs().await;
    let card = app.card();
    assert!(
        card.all_text().contains(&format!("<@{REQUESTER}>")),
        "the sponsor is the requester: {}",
        card.all_text()
    );
    let id = app
        .store
        .open_request_for_email(&team(), "grace@partner.example")
        .await
        .unwrap()
        .expect("a request")
        .id;
    app.click(APPROVER, "approve_request", id.0).await;
    app.run_jobs().await;
    let invite = app.only_call("admin.users.invite");
    assert_eq!(invite.arg_str("email"), Some("grace@partner.example"));

    // The same page in French.
    let client = browser(&driver, &chromium, "fr-FR").await;
    client.goto(&url).await.unwrap();
    let source = client.source().await.unwrap();
    assert!(source.contains("<html lang=\"fr\">"), "{source}");
    let intro = client.find(Locator::Css("p.intro")).await.unwrap();
    assert!(
        intro
            .text()
            .await
            .unwrap()
            .contains("Rita Requester vous invite"),
    );
    fill(&client, "email", "pas-une-adresse").await;
    submit(&client).await;
    let error = client.find(Locator::Id("email-error")).await.unwrap();
    assert!(
        error
            .text()
            .await
            .unwrap()
            .contains("Saisissez une adresse e-mail valide")
    );
    std::fs::write(
        artifact("join-form-error-fr.png"),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
    client.close().await.unwrap();
}
