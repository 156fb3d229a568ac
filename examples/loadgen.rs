//! Ingress load generator and its comparison servers.
//!
//!   loadgen ceiling    --listen 127.0.0.1:3900 --secret S   # verifies signatures, answers 200
//!   loadgen fake-slack --listen 127.0.0.1:3901              # the fake Slack Web API
//!   loadgen fake-slack --listen 127.0.0.1:3902 --oauth-client ID:SECRET  # ... taking one OAuth install
//!   loadgen run --target http://127.0.0.1:3000 --secret S --workload events --connections 64 --seconds 10 --pid PID
//!   loadgen wakeups --target http://127.0.0.1:3000 --secret S --count 200
//!
//! `wakeups` clicks one at a time on a replica that runs no jobs and times how long each reply
//! takes to reach its response_url (served here), i.e. until another replica, woken by the
//! commit's notification, has run the job. See bench/wakeups.sh.
//!
//! `run` sends correctly signed requests over keep-alive connections, `connections` at a time, and
//! prints one Markdown table row: requests/s, p50 and p99 latency, errors, and the target's peak RSS
//! (VmHWM of --pid). See bench/ingress.sh and BENCHMARKS.md.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use clap::{Parser, Subcommand, ValueEnum};
use guestlist::clock::{SharedClock, SystemClock};
use guestlist::http::verify::{SIGNATURE_HEADER, SignatureVerifier, TIMESTAMP_HEADER, sign};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The ceiling: an axum server that only verifies the signature and answers 200.
    Ceiling {
        #[arg(long)]
        listen: String,
        #[arg(long)]
        secret: String,
    },
    /// The fake Slack Web API, with the demo workspace's channels and people.
    FakeSlack {
        #[arg(long)]
        listen: String,
        /// `client_id:client_secret`: the fake takes OAuth installs, and the first visitor of
        /// its authorize page installs the app in T0FAKE (installs through OAuth).
        #[arg(long)]
        oauth_client: Option<String>,
    },
    /// Clicks one at a time and times each reply's arrival at its response_url.
    Wakeups {
        #[arg(long)]
        target: String,
        #[arg(long)]
        secret: String,
        #[arg(long, default_value_t = 200)]
        count: u64,
    },
    /// Send load and print a result row.
    Run {
        #[arg(long)]
        target: String,
        #[arg(long)]
        secret: String,
        #[arg(long, value_enum)]
        workload: Workload,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Warm-up before measuring.
        #[arg(long, default_value_t = 2)]
        warmup: u64,
        /// The target's process id, for its peak RSS.
        #[arg(long)]
        pid: Option<u32>,
        /// A label for the first column.
        #[arg(long, default_value = "target")]
        label: String,
        /// Where response_url points (the fake Slack).
        #[arg(long, default_value = "http://127.0.0.1:3901")]
        slack: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Workload {
    /// Events API callbacks (`message` events), each with a new event_id.
    Events,
    /// `user_change` events about people Guestlist never dealt with (profile and status edits:
    /// the loudest event of a large workspace), each with a new event_id.
    UserChanges,
    /// `/guest list`.
    Commands,
    /// Approve clicks (on a request that does not exist: a lookup and an ephemeral reply job).
    Clicks,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Events => "message events",
            Workload::UserChanges => "user_change events",
            Workload::Commands => "/guest list",
            Workload::Clicks => "button clicks",
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Cmd::Ceiling { listen, secret } => ceiling(&listen, &secret).await,
        Cmd::FakeSlack {
            listen,
            oauth_client,
        } => {
            let fake = guestlist::fake_slack::FakeSlack::start_on(&listen).await?;
            if let Some((id, secret)) = oauth_client.as_deref().and_then(|c| c.split_once(':')) {
                fake.set_oauth_client(id, secret).queue_authorization(Some(
                    guestlist::fake_slack::InstallGrant::workspace("T0FAKE", "Fake", "ULOAD00"),
                ));
            }
            fake.add_channel("CREQUESTS", "guest-requests")
                .add_channel("CGENERAL", "general");
            for i in 0..64 {
                fake.add_user(guestlist::fake_slack::FakeUser::new(
                    &format!("ULOAD{i:02}"),
                    &format!("Load {i}"),
                ));
            }
            println!("fake Slack on {}", fake.api_url());
            std::future::pending::<()>().await;
            Ok(())
        }
        Cmd::Wakeups {
            target,
            secret,
            count,
        } => wakeups(&target, &secret, count).await,
        Cmd::Run {
            target,
            secret,
            workload,
            connections,
            seconds,
            warmup,
            pid,
            label,
            slack,
        } => {
            run(
                &target,
                &secret,
                workload,
                connections,
                Duration::from_secs(seconds),
                Duration::from_secs(warmup),
                pid,
                &label,
                &slack,
            )
            .await
        }
    }
}

async fn ceiling(listen: &str, secret: &str) -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    let verifier = Arc::new(SignatureVerifier::new(
        vec![SecretString::from(secret.to_string())],
        clock,
    ));
    let handler = move |headers: HeaderMap, body: Bytes| {
        let verifier = verifier.clone();
        async move {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
            match verifier.verify(header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), &body) {
                Ok(()) => StatusCode::OK,
                Err(_) => StatusCode::UNAUTHORIZED,
            }
        }
    };
    let app = axum::Router::new().fallback(axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// `n` is unique per run; event ids grow with it, as Slack's grow with time.
fn request_for(
    workload: Workload,
    connection: usize,
    n: u64,
    nonce: u64,
    slack: &str,
) -> (&'static str, &'static str, String) {
    match workload {
        Workload::Events => (
            "/slack/events",
            "application/json",
            json!({
                "token": "t", "team_id": "T0FAKE", "api_app_id": "AGUESTLIST", "type": "event_callback",
                "event_id": format!("Ev{nonce:08x}{n:012}"), "event_time": 1700000000,
                "event": {"type": "message", "channel": "CGENERAL", "user": format!("ULOAD{connection:02}"), "text": "hello", "ts": format!("1700000000.{n:06}")},
            })
            .to_string(),
        ),
        Workload::UserChanges => (
            "/slack/events",
            "application/json",
            json!({
                "token": "t", "team_id": "T0FAKE", "api_app_id": "AGUESTLIST", "type": "event_callback",
                "event_id": format!("Ev{nonce:08x}{n:012}"), "event_time": 1700000000,
                "event": {"type": "user_change", "user": {
                    "id": format!("W{nonce:08X}{n:09}"), "team_id": "T0FAKE", "name": format!("person{n}"),
                    "deleted": false, "is_bot": false, "is_restricted": false, "is_ultra_restricted": false,
                    "tz": "Europe/Paris", "updated": 1700000000 + n,
                    "profile": {"email": format!("person{n}.{nonce:08x}@staff.example"), "real_name": format!("Person {n}"),
                        "display_name": format!("p{n}"), "status_text": "In a meeting", "status_emoji": ":calendar:"}}},
            })
            .to_string(),
        ),
        Workload::Commands => (
            "/slack/commands",
            "application/x-www-form-urlencoded",
            serde_urlencoded::to_string([
                ("team_id", "T0FAKE"),
                ("channel_id", "CGENERAL"),
                ("user_id", &format!("ULOAD{connection:02}")),
                ("command", "/guest"),
                ("text", "list"),
                ("response_url", &format!("{slack}/response/c{connection}-{n}")),
                ("trigger_id", &format!("1.{n}.t{connection}")),
            ])
            .expect("form encodes"),
        ),
        Workload::Clicks => {
            let payload = json!({
                "type": "block_actions", "team": {"id": "T0FAKE", "domain": "fake"},
                "user": {"id": format!("ULOAD{connection:02}"), "username": "load", "team_id": "T0FAKE"},
                "api_app_id": "AGUESTLIST", "trigger_id": format!("1.{n}.t{connection}"),
                "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "CREQUESTS", "is_ephemeral": false},
                "channel": {"id": "CREQUESTS", "name": "guest-requests"},
                "response_url": format!("{slack}/response/k{connection}-{n}"),
                "actions": [{"type": "button", "action_id": "approve_request", "block_id": "decide:999999", "value": "999999", "action_ts": "1700000000.1"}],
            });
            ("/slack/interactions", "application/x-www-form-urlencoded", serde_urlencoded::to_string([("payload", payload.to_string())]).expect("form encodes"))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    target: &str,
    secret: &str,
    workload: Workload,
    connections: usize,
    duration: Duration,
    warmup: Duration,
    pid: Option<u32>,
    label: &str,
    slack: &str,
) -> anyhow::Result<()> {
    let errors = Arc::new(AtomicU64::new(0));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let sequence = Arc::new(AtomicU64::new(0));
    let nonce: u32 = rand::random();
    let authority = target
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let mut tasks = Vec::new();
    for connection in 0..connections {
        let (errors, acknowledged, sequence, authority, secret, slack) = (
            errors.clone(),
            acknowledged.clone(),
            sequence.clone(),
            authority.clone(),
            secret.to_string(),
            slack.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            // One keep-alive HTTP/1.1 connection per task, driven with hyper directly: the load
            // generator should spend as little CPU as it can, since it shares the machine.
            let stream = tokio::net::TcpStream::connect(&authority)
                .await
                .expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("handshake");
            tokio::spawn(conn);
            let mut latencies: Vec<u32> = Vec::with_capacity(200_000);
            loop {
                if Instant::now() >= end {
                    break;
                }
                let n = sequence.fetch_add(1, Ordering::Relaxed);
                let (path, content_type, body) =
                    request_for(workload, connection, n, u64::from(nonce), &slack);
                let ts = chrono::Utc::now().timestamp();
                let signature = sign(&secret, ts, body.as_bytes());
                let request = hyper::Request::post(path)
                    .header("host", authority.as_str())
                    .header("content-type", content_type)
                    .header(TIMESTAMP_HEADER, ts.to_string())
                    .header(SIGNATURE_HEADER, signature)
                    .body(http_body_util::Full::new(Bytes::from(body)))
                    .expect("request builds");
                let sent = Instant::now();
                let ok = match sender.send_request(request).await {
                    Ok(response) => {
                        let status = response.status();
                        let _ = http_body_util::BodyExt::collect(response.into_body()).await;
                        status.is_success()
                    }
                    Err(_) => false,
                };
                let micros = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
                if ok {
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                }
                if sent >= measure_from {
                    if ok {
                        latencies.push(micros);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                if !ok && sender.ready().await.is_err() {
                    break;
                }
            }
            latencies
        }));
    }
    let mut all: Vec<u32> = Vec::new();
    for task in tasks {
        all.extend(task.await?);
    }
    all.sort_unstable();
    let count = all.len();
    let pct = |p: f64| {
        all.get(((count as f64 * p) as usize).min(count.saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let rss = pid
        .and_then(peak_rss_mib)
        .map(|m| format!("{m:.1}"))
        .unwrap_or_else(|| "-".into());
    println!(
        "| {label} | {} | {connections} | {:.0} | {:.2} | {:.2} | {rss} | {} |",
        workload.name(),
        count as f64 / duration.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        errors.load(Ordering::Relaxed)
    );
    // Warm-up included: what the server acknowledged, for the nothing-lost check.
    eprintln!("acknowledged {}", acknowledged.load(Ordering::Relaxed));
    Ok(())
}

async fn wakeups(target: &str, secret: &str, count: u64) -> anyhow::Result<()> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    // The response_urls land here; each arrival is stamped.
    let arrivals: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let stamp = arrivals.clone();
    let receiver = axum::Router::new().route(
        "/r/{n}",
        axum::routing::post(move |axum::extract::Path(n): axum::extract::Path<u64>| {
            let stamp = stamp.clone();
            async move {
                stamp.lock().unwrap().insert(n, Instant::now());
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let client = guestlist::slack::client::http_client(Duration::from_secs(10));
    let mut acked: HashMap<u64, Instant> = HashMap::new();
    for n in 0..count {
        let payload = json!({
            "type": "block_actions", "team": {"id": "T0FAKE", "domain": "fake"},
            "user": {"id": "ULOAD00", "username": "load", "team_id": "T0FAKE"},
            "api_app_id": "AGUESTLIST", "trigger_id": format!("1.{n}.w"),
            "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "CREQUESTS", "is_ephemeral": false},
            "channel": {"id": "CREQUESTS", "name": "guest-requests"},
            "response_url": format!("http://127.0.0.1:{port}/r/{n}"),
            "actions": [{"type": "button", "action_id": "approve_request", "block_id": "decide:999999", "value": "999999", "action_ts": "1700000000.1"}],
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())])?;
        let ts = chrono::Utc::now().timestamp();
        let answer = client
            .post(format!(
                "{}/slack/interactions",
                target.trim_end_matches('/')
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(SIGNATURE_HEADER, sign(secret, ts, body.as_bytes()))
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(
            answer.status().is_success(),
            "click answered {}",
            answer.status()
        );
        // The answer comes after the commit that queued the reply.
        acked.insert(n, Instant::now());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let arrivals = arrivals.lock().unwrap();
    let mut latencies: Vec<f64> = acked
        .iter()
        .filter_map(|(n, at)| {
            arrivals
                .get(n)
                .map(|got| got.saturating_duration_since(*at))
        })
        .map(|d| d.as_secs_f64() * 1000.0)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    anyhow::ensure!(!latencies.is_empty(), "no reply arrived");
    println!(
        "| {} clicks | {} replies arrived | median {:.1} ms | p90 {:.1} ms | p99 {:.1} ms | max {:.1} ms |",
        count,
        latencies.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    Ok(())
}

/// VmHWM: the process's peak resident set, in MiB.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
