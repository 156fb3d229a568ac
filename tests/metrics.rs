//! Metrics get a test binary (a process) of their own: the Prometheus recorder is process-wide,
//! so counters here move only for what this test does.

#[path = "it/helpers.rs"]
mod helpers;
#[path = "it/services.rs"]
mod services;

use guestlist::domain::TeamId;
use guestlist::fake_slack::Failure;
use guestlist::workflow::Job;
use helpers::*;

async fn scrape(app: &TestApp) -> String {
    get(format!("{}/metrics", app.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of one series (labels written as Prometheus renders them), or 0 when absent.
fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn counters_move_for_requests_refused_signatures_and_429s() {
    let app = TestApp::start().await;
    let before = scrape(&app).await;

    let answer = app
        .slack
        .command(REQUESTER, "CGENERAL", "help")
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let unsigned = app
        .slack
        .post_with_headers(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            "text=help".into(),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(unsigned.status, 401);
    app.fake.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    let job = Job::PostMessage {
        channel: "CGENERAL".into(),
        text: guestlist::slack::say::Said::worded("hi".into()),
        blocks: None,
        thread_ts: None,
    };
    app.store
        .enqueue_jobs(&[job.now(&TeamId::from("T0FAKE"), app.now(), 4)])
        .await
        .unwrap();
    app.run_jobs().await;

    let after = scrape(&app).await;
    let delta = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(
        delta(r#"http_requests_total{route="/slack/commands",status="200"}"#),
        1.0,
        "{after}"
    );
    assert_eq!(
        delta(r#"http_requests_total{route="/slack/commands",status="401"}"#),
        1.0
    );
    assert_eq!(
        delta(r#"signature_failures_total{reason="missing_timestamp"}"#),
        1.0
    );
    assert_eq!(
        delta(r#"slack_api_calls_total{method="chat.postMessage",outcome="rate_limited"}"#),
        1.0
    );
    assert_eq!(
        delta(r#"jobs_total{kind="post_message",outcome="retried"}"#),
        1.0
    );
    // Gauges read from the database at scrape time.
    assert_eq!(
        value(&after, "jobs_scheduled"),
        1.0,
        "the rate-limited job waits for its Retry-After"
    );
    assert!(after.contains(r#"requests{state="pending"} 0"#), "{after}");
    assert!(after.contains("jobs_oldest_due_age_seconds"));
}
