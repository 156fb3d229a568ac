#![allow(clippy::needless_range_loop)] // request i, its card cards[i] and its id id_of(i) go together

//! Two `guestlist serve` processes on one Postgres database, nothing shared but the database:
//! interleaved clicks for the same requests go to both, both run the worker and the scheduler, and
//! one is killed with SIGKILL while it holds leased jobs. Every request gets exactly one decision,
//! every job and timer runs, the dead process's leased jobs are taken over after the lease.

use crate::helpers::*;
use guestlist::clock::SharedClock;
use guestlist::domain::RequestState;
use guestlist::fake_slack::{FakeSlack, FakeUser, FormInput, SlackSender};
use guestlist::store::{Audit, Inspect, JobQueue, JobState, PgStore, Requests};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_guestlist");
const SECRET: &str = "replica-secret";
const APPROVERS: [&str; 4] = ["UREP1", "UREP2", "UREP3", "UREP4"];

struct Replica {
    child: Child,
    slack: SlackSender,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_replica(
    dir: &std::path::Path,
    name: &str,
    database_url: &str,
    fake: &FakeSlack,
) -> Replica {
    let port = free_port();
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    let child = Command::new(BIN)
        .arg("--config")
        .arg(dir.join("guestlist.toml"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOSTNAME", name)
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_BOT_TOKEN", "xoxb-replicas")
        .env("SLACK_API_URL", fake.api_url())
        .env("DATABASE_URL", database_url)
        .env("GUESTLIST_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let clock: SharedClock = Arc::new(guestlist::clock::SystemClock);
    Replica {
        child,
        slack: SlackSender::new(
            &format!("http://127.0.0.1:{port}"),
            SECRET,
            clock,
            &fake.base_url(),
        ),
    }
}

async fn wait_until<F: Fn() -> bool>(what: &str, timeout: Duration, check: F) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_replicas_on_one_database_decide_once_and_survive_a_sigkill() {
    let base_url = match crate::services::postgres() {
        Ok(url) => url,
        Err(why) => {
            return crate::services::skipped("replicas (two processes on one Postgres)", &why);
        }
    };
    // A database of its own, created fresh.
    let name = format!("guestlist_replicas_{:x}", rand_u64());
    let admin = sqlx::PgPool::connect(&base_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(&base_url).unwrap();
    url.set_path(&format!("/{name}"));
    let database_url = url.to_string();

    let fake = FakeSlack::start().await.unwrap();
    seed_workspace(&fake);
    for (i, id) in APPROVERS.iter().enumerate() {
        fake.add_user(FakeUser::new(id, &format!("Replica Approver {i}")));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guestlist.toml"),
        format!(
            "[slack]\nrequest_channel = \"{REQUEST_CHANNEL}\"\n[approvers]\nusers = {APPROVERS:?}\nworkspace_admins = false\n\
             [jobs]\nworkers = 2\nlease_seconds = 3\npoll_interval_ms = 50\nbackoff_base_ms = 100\nbackoff_max_seconds = 1\n\
             [requests]\nstale_after_hours = 0.0025\n"
        ),
    )
    .unwrap();
    let mut a = start_replica(dir.path(), "replica-a", &database_url, &fake);
    let b = start_replica(dir.path(), "replica-b", &database_url, &fake);
    for replica in [&a, &b] {
        let ready = replica.slack.command(REQUESTER, "CGENERAL", "help");
        let started = Instant::now();
        let mut answer = ready.await;
        while answer.as_ref().map(|r| r.status).unwrap_or(0) != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "replica never came up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
            answer = replica.slack.command(REQUESTER, "CGENERAL", "help").await;
        }
    }
    let store = PgStore::connect(&database_url, 2).await.unwrap();

    // Twelve requests, submitted alternately to each replica.
    const REQUESTS: usize = 12;
    const DECIDED: usize = 8;
    for i in 0..REQUESTS {
        let replica = if i % 2 == 0 { &a } else { &b };
        let form = FormInput::new(&format!("guest{i}@partner.com"), &["CPROJECT"]);
        let payload =
            replica
                .slack
                .view_submission(REQUESTER, "guest_request", "{}", form.state_values());
        let answer = replica.slack.interaction(&payload).await.unwrap();
        assert_eq!(
            answer.json()["response_action"],
            "update",
            "{}",
            answer.body
        );
    }
    wait_until("every card posted", Duration::from_secs(30), || {
        fake.top_level_in(REQUEST_CHANNEL).len() == REQUESTS
    })
    .await;
    let cards = fake.top_level_in(REQUEST_CHANNEL);
    let id_of = |i: usize| -> i64 {
        let text = cards[i].all_text();
        let start = text.find("Guest request #").unwrap() + "Guest request #".len();
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .unwrap()
    };

    // Slack is slow to update messages for a while, so card updates are in flight when A dies.
    fake.delay_next("chat.update", DECIDED, Duration::from_secs(2));
    // Interleaved clicks: four approvers per request, alternating replicas, all at once.
    let mut clicks = Vec::new();
    for i in 0..DECIDED {
        for (n, approver) in APPROVERS.iter().enumerate() {
            let replica = if (i + n) % 2 == 0 { &a } else { &b };
            let action = if n % 3 == 0 {
                "deny_request"
            } else {
                "approve_request"
            };
            let payload = if action == "deny_request" {
                let values = json!({"deny_reason": {"deny_reason": {"type": "plain_text_input", "value": "not now"}}});
                replica.slack.view_submission(
                    approver,
                    "deny_reason",
                    &json!({"request_id": id_of(i)}).to_string(),
                    values,
                )
            } else {
                replica.slack.button_click(
                    approver,
                    action,
                    &id_of(i).to_string(),
                    Some(REQUEST_CHANNEL),
                    &cards[i].ts,
                )
            };
            clicks.push(async move { replica.slack.interaction(&payload).await.unwrap().status });
        }
    }
    let statuses = futures_util::future::join_all(clicks).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    // Kill A while it holds leased jobs (card updates in flight). Two workers per replica and
    // eight slow card updates: B cannot take them all, so A's workers end up waiting on some.
    let db = sqlx::PgPool::connect(&database_url).await.unwrap();
    let started = Instant::now();
    loop {
        let held: i64 = sqlx::query_scalar(
            // Card work only: the hourly reconcile run may hold a lease at start too.
            "SELECT count(*) FROM jobs WHERE state = 'running' AND lease_owner LIKE 'replica-a-%'
               AND kind IN ('post_card', 'refresh_card', 'card_reply')",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        if held > 0 || started.elapsed() > Duration::from_secs(10) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    db.close().await;
    a.child.kill().unwrap();
    a.child.wait().unwrap();

    // B finishes everything, including what A had leased (after the 3 s lease).
    let settled = |store: &PgStore| {
        let store = store.clone();
        async move {
            let stats = store.queue_stats(chrono::Utc::now()).await.unwrap();
            stats.due == 0 && stats.running == 0
        }
    };
    let started = Instant::now();
    loop {
        let updated = fake.calls_to("chat.update").len();
        if updated >= DECIDED && settled(&store).await {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "queue never settled: {} updates",
            updated
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Stale reminders for the undecided requests (9 s after they were made).
    wait_until("stale reminders", Duration::from_secs(30), || {
        (DECIDED..REQUESTS).all(|i| !fake.thread(REQUEST_CHANNEL, &cards[i].ts).is_empty())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    for i in 0..REQUESTS {
        let id = guestlist::domain::RequestId(id_of(i));
        let request = store.get_request(&team(), id).await.unwrap().unwrap();
        let audit = store.audit_for_request(&team(), id).await.unwrap();
        let decisions = audit
            .iter()
            .filter(|e| e.entry.action == "approve" || e.entry.action == "deny")
            .count();
        let updates: Vec<_> = fake
            .calls_to("chat.update")
            .into_iter()
            .filter(|c| c.arg_str("ts") == Some(cards[i].ts.as_str()))
            .collect();
        let thread = fake.thread(REQUEST_CHANNEL, &cards[i].ts);
        if i < DECIDED {
            assert!(
                matches!(request.state, RequestState::Approved | RequestState::Denied),
                "{id}: {:?}",
                request.state
            );
            assert_eq!(decisions, 1, "{id}: exactly one decision");
            assert_eq!(updates.len(), 1, "{id}: exactly one card update");
            let decided_lines = thread
                .iter()
                .filter(|m| {
                    m.all_text().contains("Approved by") || m.all_text().contains("Denied by")
                })
                .count();
            assert_eq!(decided_lines, 1, "{id}: one thread reply for the decision");
        } else {
            assert_eq!(request.state, RequestState::Pending);
            assert_eq!(decisions, 0);
            let reminders = thread
                .iter()
                .filter(|m| m.all_text().contains("waited"))
                .count();
            assert_eq!(reminders, 1, "{id}: the stale timer ran exactly once");
        }
    }
    assert_eq!(
        fake.top_level_in(REQUEST_CHANNEL).len(),
        REQUESTS,
        "each card posted once"
    );

    // Nothing lost: every job finished, none failed; some were taken over from the dead replica.
    let mut taken_over = 0;
    for kind in [
        "post_card",
        "refresh_card",
        "card_reply",
        "notify_requester",
        "stale_reminder",
        "publish_home",
        "respond",
    ] {
        for job in store.jobs_of_kind(kind, 1000).await.unwrap() {
            assert_eq!(
                job.state,
                JobState::Done,
                "{kind} job {}: {:?} {:?}",
                job.id,
                job.state,
                job.last_error
            );
            if job.attempts > 1 {
                taken_over += 1;
            }
        }
    }
    let refreshes = store.jobs_of_kind("refresh_card", 1000).await.unwrap();
    assert_eq!(refreshes.len(), DECIDED, "one card refresh per decision");
    let log_a = std::fs::read_to_string(dir.path().join("replica-a.log")).unwrap_or_default();
    eprintln!(
        "jobs taken over after A's lease ran out: {taken_over}; A's log has {} lines",
        log_a.lines().count()
    );
    assert!(
        taken_over > 0,
        "A held leased jobs when it was killed, and B ran them after the lease"
    );

    drop(b);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .ok();
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_replica_that_runs_no_jobs_wakes_the_one_that_does_at_commit() {
    let base_url = match crate::services::postgres() {
        Ok(url) => url,
        Err(why) => {
            return crate::services::skipped("replica wake-ups (LISTEN/NOTIFY)", &why);
        }
    };
    let name = format!("guestlist_wake_{:x}", rand_u64());
    let admin = sqlx::PgPool::connect(&base_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(&base_url).unwrap();
    url.set_path(&format!("/{name}"));
    let database_url = url.to_string();
    let fake = FakeSlack::start().await.unwrap();
    seed_workspace(&fake);
    let config = |jobs: &str| {
        format!(
            "[slack]\nrequest_channel = \"{REQUEST_CHANNEL}\"\n[approvers]\nusers = [\"{APPROVER}\"]\nworkspace_admins = false\n[jobs]\n{jobs}\n"
        )
    };
    // A takes requests and runs no jobs; B runs them, and polls only once a minute: only a
    // notification at A's commit can make B act within seconds.
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(dir_a.path().join("guestlist.toml"), config("workers = 0")).unwrap();
    std::fs::write(
        dir_b.path().join("guestlist.toml"),
        config("poll_interval_ms = 60000"),
    )
    .unwrap();
    let a = start_replica(dir_a.path(), "ingress-a", &database_url, &fake);
    let b = start_replica(dir_b.path(), "worker-b", &database_url, &fake);
    for replica in [&a, &b] {
        let started = Instant::now();
        while replica
            .slack
            .command(REQUESTER, "CGENERAL", "help")
            .await
            .map(|r| r.status)
            .unwrap_or(0)
            != 200
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "replica never came up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // B has polled once at start; from now on it sleeps for a minute unless woken.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let form = FormInput::new("grace@partner.com", &["CPROJECT"]);
    let payload = a
        .slack
        .view_submission(REQUESTER, "guest_request", "{}", form.state_values());
    let answer = a.slack.interaction(&payload).await.unwrap();
    assert_eq!(answer.json()["response_action"], "update");
    wait_until(
        "B posts the card A's commit queued",
        Duration::from_secs(15),
        || fake.top_level_in(REQUEST_CHANNEL).len() == 1,
    )
    .await;
    let card = fake.top_level_in(REQUEST_CHANNEL).remove(0);
    let click = a.slack.button_click(
        APPROVER,
        "approve_request",
        "1",
        Some(REQUEST_CHANNEL),
        &card.ts,
    );
    assert_eq!(a.slack.interaction(&click).await.unwrap().status, 200);
    wait_until(
        "B updates the card after A's decision",
        Duration::from_secs(15),
        || {
            fake.calls_to("chat.update").iter().any(|c| {
                c.arg("blocks")
                    .is_some_and(|b| b.to_string().contains("Approved by"))
            })
        },
    )
    .await;
    for mut replica in [a, b] {
        let _ = replica.child.kill();
        let _ = replica.child.wait();
    }
    fake.stop();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .unwrap();
}
