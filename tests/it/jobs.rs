//! The durable queue through the real worker: Retry-After, giving up, and racing workers.

use crate::helpers::*;
use chrono::Duration;
use guestlist::domain::TeamId;
use guestlist::fake_slack::Failure;
use guestlist::jobs::Worker;
use guestlist::store::JobState;
use guestlist::workflow::Job;
use std::collections::HashSet;

fn post(text: &str) -> Job {
    Job::PostMessage {
        channel: "CGENERAL".into(),
        text: guestlist::slack::say::Said::worded(text.into()),
        blocks: None,
        thread_ts: None,
    }
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_job_runs_once_more() {
    let app = TestApp::start().await;
    let team = TeamId::from("T0FAKE");
    app.fake.fail_next(
        "chat.postMessage",
        2,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    app.store
        .enqueue_jobs(&[post("hello").now(&team, app.now(), 4)])
        .await
        .unwrap();

    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 1);
    assert_eq!(
        app.run_jobs().await,
        0,
        "nothing may run before Retry-After has passed"
    );

    app.clock.advance(Duration::milliseconds(1300));
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 2);
    assert_eq!(app.run_jobs().await, 0);

    app.clock.advance(Duration::milliseconds(1300));
    assert_eq!(
        app.run_jobs().await,
        1,
        "after the second wait the job runs once more"
    );
    assert_eq!(
        app.fake.calls_to("chat.postMessage").len(),
        3,
        "the fake saw exactly three calls"
    );
    let job = &app.store.jobs_of_kind("post_message", 10).await.unwrap()[0];
    assert_eq!(job.state, JobState::Done);
    assert_eq!(job.attempts, 1, "rate limits are not failed attempts");
    assert_eq!(app.fake.messages_in("CGENERAL").len(), 1);
}

#[tokio::test]
async fn a_job_that_always_fails_ends_failed_after_its_attempts() {
    let app = TestApp::start().await;
    let team = TeamId::from("T0FAKE");
    app.fake
        .fail_next("chat.postMessage", 100, Failure::Status(503));
    app.store
        .enqueue_jobs(&[post("doomed").now(&team, app.now(), 4)])
        .await
        .unwrap();
    for _ in 0..10 {
        app.run_jobs().await;
        app.clock.advance(Duration::seconds(2));
    }
    let job = &app.store.jobs_of_kind("post_message", 10).await.unwrap()[0];
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.attempts, 4);
    assert!(
        job.last_error.as_deref().unwrap().contains("503"),
        "{:?}",
        job.last_error
    );
    assert_eq!(
        app.fake.calls_to("chat.postMessage").len(),
        4,
        "one call per attempt, then no more"
    );
    let stats = app.store.queue_stats(app.now()).await.unwrap();
    assert_eq!(stats.failed, 1);
}

#[tokio::test]
async fn a_final_slack_error_fails_at_once() {
    let app = TestApp::start().await;
    let team = TeamId::from("T0FAKE");
    let job = Job::PostMessage {
        channel: "CNOPE".into(),
        text: guestlist::slack::say::Said::worded("x".into()),
        blocks: None,
        thread_ts: None,
    };
    app.store
        .enqueue_jobs(&[job.now(&team, app.now(), 4)])
        .await
        .unwrap();
    app.run_jobs().await;
    let job = &app.store.jobs_of_kind("post_message", 10).await.unwrap()[0];
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.attempts, 1);
    assert!(
        job.last_error
            .as_deref()
            .unwrap()
            .contains("channel_not_found")
    );
}

#[tokio::test]
async fn two_workers_racing_over_200_jobs_run_each_exactly_once() {
    // On Postgres this is the SKIP LOCKED claim between two pools; on SQLite, two workers of one process.
    let app = TestApp::start().await;
    let team = TeamId::from("T0FAKE");
    let jobs: Vec<_> = (0..200)
        .map(|i| post(&format!("job {i}")).now(&team, app.now(), 4))
        .collect();
    app.store.enqueue_jobs(&jobs).await.unwrap();
    let a = Worker::new(app.workflow.clone(), app.config.jobs.clone());
    let b = Worker::new(app.workflow.clone(), app.config.jobs.clone());
    let (ran_a, ran_b) = tokio::join!(a.run_due(), b.run_due());
    let (ran_a, ran_b) = (ran_a.unwrap(), ran_b.unwrap());
    assert_eq!(ran_a + ran_b, 200);
    let texts: Vec<String> = app
        .fake
        .messages_in("CGENERAL")
        .into_iter()
        .map(|m| m.text.unwrap())
        .collect();
    assert_eq!(texts.len(), 200, "every job posted exactly once");
    assert_eq!(texts.iter().collect::<HashSet<_>>().len(), 200);
    let stats = app.store.queue_stats(app.now()).await.unwrap();
    assert_eq!((stats.due, stats.running, stats.failed), (0, 0, 0));
    eprintln!("worker a ran {ran_a}, worker b ran {ran_b}");
}

/// Panics on the job whose text is "boom"; runs every other job through the workflow.
struct Panicky(std::sync::Arc<guestlist::workflow::Workflow>);

#[async_trait::async_trait]
impl guestlist::jobs::JobHandler for Panicky {
    async fn run_job(&self, team: &TeamId, job: Job) -> Result<(), guestlist::workflow::JobError> {
        if let Job::PostMessage { text, .. } = &job
            && *text == guestlist::slack::say::Said::worded("boom".into())
        {
            panic!("a bug in a handler");
        }
        self.0.run_job(team, job).await
    }
}

#[tokio::test]
async fn a_panicking_handler_fails_its_job_at_once_and_frees_its_serial_key() {
    let app = TestApp::start().await;
    let team = TeamId::from("T0FAKE");
    let serial = |text: &str| {
        let mut job = post(text).now(&team, app.now(), 4);
        job.serial_key = Some("card:99".into());
        job
    };
    app.store
        .enqueue_jobs(&[serial("boom"), serial("after the boom")])
        .await
        .unwrap();
    let worker = Worker::with_handler(
        std::sync::Arc::new(Panicky(app.workflow.clone())),
        app.store.clone(),
        app.workflow.clock().clone(),
        app.workflow.wake_signal(),
        app.config.jobs.clone(),
    );
    // One pass: the panic does not hold the lease (or the key) until the lease runs out.
    assert_eq!(worker.run_due().await.unwrap(), 2);
    let jobs = app.store.jobs_of_kind("post_message", 10).await.unwrap();
    let boom = jobs.iter().find(|j| j.payload["text"] == "boom").unwrap();
    assert_eq!(boom.state, JobState::Failed);
    assert_eq!(boom.attempts, 1, "not retried: a panic is a bug");
    assert!(
        boom.last_error
            .as_deref()
            .unwrap()
            .contains("panicked: a bug in a handler"),
        "{boom:?}"
    );
    let after = jobs.iter().find(|j| j.payload["text"] != "boom").unwrap();
    assert_eq!(after.state, JobState::Done);
    assert_eq!(app.fake.messages_in("CGENERAL").len(), 1);
    let stats = app.store.queue_stats(app.now()).await.unwrap();
    assert_eq!(stats.running, 0, "no lease left behind");
}
