//! The real binary: `guestlist serve` starts with only the two secrets, creates its SQLite file,
//! answers /readyz and stops cleanly on SIGTERM; without the secrets it stops at once, saying why.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_guestlist");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn guestlist(dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[tokio::test]
async fn serve_starts_on_sqlite_with_two_secrets_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = guestlist(dir.path())
        .arg("serve")
        .env("SLACK_SIGNING_SECRET", "secret")
        .env("SLACK_BOT_TOKEN", "xoxb-123")
        .env("GUESTLIST_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .unwrap();
    let ready_url = format!("http://127.0.0.1:{port}/readyz");
    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(response) = crate::helpers::get(&ready_url).await
            && response.status() == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "/readyz never answered 200");
    assert!(
        dir.path().join("guestlist.db").exists(),
        "the SQLite file is created"
    );

    let stop_started = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || {
        let _ = child.wait();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    assert!(
        stop_started.elapsed() < Duration::from_secs(10),
        "stopped within the grace period"
    );
    let logs = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains("shutting down") && logs.contains("stopped"),
        "{logs}"
    );
    assert!(
        !logs.contains("xoxb-123") && !logs.contains("secret\""),
        "secrets never reach the log: {logs}"
    );
}

#[test]
fn serve_without_secrets_stops_at_once_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = guestlist(dir.path()).arg("serve").output().unwrap();
    assert!(!output.status.success());
    assert!(started.elapsed() < Duration::from_secs(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("SLACK_SIGNING_SECRET") && stderr.contains("SLACK_BOT_TOKEN"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("guestlist.db").exists(),
        "nothing is created before the configuration is whole"
    );
}

#[test]
fn a_bad_value_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = guestlist(dir.path())
        .arg("serve")
        .env("SLACK_SIGNING_SECRET", "secret")
        .env("SLACK_BOT_TOKEN", "xoxb-123")
        .env("GUESTLIST_LISTEN", "everywhere")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("config error: GUESTLIST_LISTEN:"),
        "{stderr}"
    );
}

#[test]
fn config_check_prints_what_is_in_effect_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guestlist.toml"),
        "[slack]\nrequest_channel = \"C0123\"\n",
    )
    .unwrap();
    let output = guestlist(dir.path())
        .args(["config", "check"])
        .env("SLACK_SIGNING_SECRET", "very-secret-value")
        .env("SLACK_BOT_TOKEN", "xoxb-very-secret")
        .env("DATABASE_URL", "postgres://bot:pw-very-secret@db/guestlist")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("slack.request_channel") && stdout.contains("C0123"),
        "{stdout}"
    );
    assert!(stdout.contains("configuration OK"), "{stdout}");
    assert!(!stdout.contains("very-secret"), "{stdout}");
}

#[test]
fn manifest_prints_urls_for_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let output = guestlist(dir.path())
        .args(["manifest", "--url", "https://bot.example.com"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let yaml = String::from_utf8_lossy(&output.stdout);
    assert!(
        yaml.contains("url: https://bot.example.com/slack/commands"),
        "{yaml}"
    );
    assert!(
        yaml.contains("request_url: https://bot.example.com/slack/interactions"),
        "{yaml}"
    );
    assert!(
        yaml.contains("request_url: https://bot.example.com/slack/events"),
        "{yaml}"
    );
    let help = guestlist(dir.path())
        .args(["audit", "export", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--since"));
}

#[tokio::test]
async fn json_logs_carry_one_span_per_request_with_its_id_team_user_and_route() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = guestlist(dir.path())
        .arg("serve")
        .env("SLACK_SIGNING_SECRET", "json-log-secret")
        .env("SLACK_BOT_TOKEN", "xoxb-json-log-token")
        .env("GUESTLIST_LISTEN", format!("127.0.0.1:{port}"))
        .env("GUESTLIST_LOG_FORMAT", "json")
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if crate::helpers::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let clock: guestlist::clock::SharedClock = std::sync::Arc::new(guestlist::clock::SystemClock);
    let slack = guestlist::fake_slack::SlackSender::new(
        &base,
        "json-log-secret",
        clock,
        "http://127.0.0.1:9",
    );
    let answer = slack.command("UJSON", "CGENERAL", "help").await.unwrap();
    assert_eq!(answer.status, 200);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!lines.is_empty(), "JSON lines expected: {stdout}");
    let finished = lines
        .iter()
        .find(|l| l["message"] == "request finished" && l["span"]["route"] == "/slack/commands")
        .unwrap_or_else(|| panic!("no request line: {stdout}"));
    assert_eq!(finished["span"]["slack.team"], "T0FAKE");
    assert_eq!(finished["span"]["slack.user"], "UJSON");
    assert!(
        finished["span"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(finished["status"], 200);
    assert!(
        !stdout.contains("json-log-secret") && !stdout.contains("xoxb-json-log-token"),
        "secrets never logged"
    );
}

#[tokio::test]
async fn sigterm_lets_the_job_in_flight_finish_before_exiting() {
    use guestlist::fake_slack::{FakeSlack, FormInput, SlackSender};
    use guestlist::store::{Inspect, JobQueue, JobState, SqliteStore};
    let fake = FakeSlack::start().await.unwrap();
    crate::helpers::seed_workspace(&fake);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guestlist.toml"),
        "[slack]\nrequest_channel = \"CREQUESTS\"\n[server]\nshutdown_grace_seconds = 10\n[jobs]\npoll_interval_ms = 50\n",
    )
    .unwrap();
    let port = free_port();
    let child = guestlist(dir.path())
        .arg("serve")
        .env("SLACK_SIGNING_SECRET", "grace-secret")
        .env("SLACK_BOT_TOKEN", "xoxb-grace")
        .env("SLACK_API_URL", fake.api_url())
        .env("GUESTLIST_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .unwrap();
    let clock: guestlist::clock::SharedClock = std::sync::Arc::new(guestlist::clock::SystemClock);
    let slack = SlackSender::new(
        &format!("http://127.0.0.1:{port}"),
        "grace-secret",
        clock,
        &fake.base_url(),
    );
    let started = Instant::now();
    while slack
        .command("UREQUESTER", "CGENERAL", "help")
        .await
        .map(|a| a.status)
        .unwrap_or(0)
        != 200
    {
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Slack answers chat.postMessage slowly: the card job is mid-call when SIGTERM arrives.
    fake.delay_next("chat.postMessage", 1, Duration::from_secs(2));
    let form = FormInput::new("grace@partner.com", &["CPROJECT"]);
    let answer = slack
        .interaction(&slack.view_submission(
            "UREQUESTER",
            "guest_request",
            "{}",
            form.state_values(),
        ))
        .await
        .unwrap();
    assert_eq!(answer.json()["response_action"], "update");
    let waiting = Instant::now();
    while fake
        .state()
        .delays
        .get("chat.postMessage")
        .is_some_and(|d| !d.is_empty())
    {
        assert!(
            waiting.elapsed() < Duration::from_secs(10),
            "the card job never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stop = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success());
    let took = stop.elapsed();
    assert!(
        took >= Duration::from_millis(1500),
        "it waited for the job ({took:?})"
    );
    assert!(
        took < Duration::from_secs(10),
        "and stopped within the grace period ({took:?})"
    );
    assert_eq!(
        fake.top_level_in("CREQUESTS").len(),
        1,
        "the in-flight card was posted"
    );
    let store = SqliteStore::connect(&format!(
        "sqlite://{}",
        dir.path().join("guestlist.db").display()
    ))
    .await
    .unwrap();
    let post = &store.jobs_of_kind("post_card", 1).await.unwrap()[0];
    assert_eq!(post.state, JobState::Done, "and recorded as done");
    assert_eq!(
        store.queue_stats(chrono::Utc::now()).await.unwrap().running,
        0,
        "no lease left behind"
    );
}
