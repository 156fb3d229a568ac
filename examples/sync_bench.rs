//! Group sync at scale: the fake Slack serves 100,000 people in 1,000 user groups (Slack's page
//! size of 200 for users.list), and one rule reads every group. Measures a full first run (plan and
//! apply), a no-change run, and an incremental `subteam_members_changed`: wall time, the bot's own
//! CPU time, Slack calls against the minimum, and peak RSS.
//!
//!   cargo run --release --example sync_bench [-- --people 100000 --groups 1000]
//!
//! The fake runs as a child process (`sync_bench fake …`), so the CPU and memory measured are the
//! bot's alone.

#[path = "support/measure.rs"]
mod measure;

use clap::{Parser, Subcommand};
use measure::{cpu_seconds, peak_rss_mib};

/// The same allocator as the `guestlist` binary, so the CPU and memory measured are the bot's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use guestlist::clock::SystemClock;
use guestlist::config::{Config, Sources};
use guestlist::fake_slack::{FakeSlack, FakeUser};
use guestlist::workflow::sync::SyncMode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[arg(long, default_value_t = 100_000)]
    people: usize,
    #[arg(long, default_value_t = 1_000)]
    groups: usize,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the fake workspace (used by the benchmark itself).
    Fake {
        #[arg(long)]
        listen: String,
        #[arg(long)]
        people: usize,
        #[arg(long)]
        groups: usize,
    },
}

const PAGE: usize = 200;

fn group_id(g: usize) -> String {
    format!("S{g:07}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(Cmd::Fake {
        listen,
        people,
        groups,
    }) = args.command
    {
        let fake = FakeSlack::start_on(&listen).await?;
        fake.enable_grid();
        fake.add_channel("C0REQUESTS", "guest-requests")
            .add_channel("C0PROJECT", "project");
        {
            let mut state = fake.state();
            for i in 0..people {
                // Members of this workspace (an Enterprise Grid organisation's) whom the rule
                // invites into the partner workspace, with a few bots and deleted accounts.
                let mut user = FakeUser::new(&format!("U{i:07}"), &format!("Person {i}"))
                    .email(&format!("Person.{i}@Partner.Example"));
                if i % 997 == 0 {
                    user = user.bot();
                } else if i % 991 == 0 {
                    user = user.deleted();
                }
                state.users.insert(user.id.clone(), user);
            }
        }
        let per_group = people.div_ceil(groups);
        for g in 0..groups {
            // Each group holds its own slice of people plus a few from the next slice (overlaps).
            let members: Vec<String> = (g * per_group..((g + 1) * per_group + 5).min(people))
                .map(|i| format!("U{i:07}"))
                .collect();
            let refs: Vec<&str> = members.iter().map(String::as_str).collect();
            fake.add_usergroup(&group_id(g), &format!("group-{g}"), &refs);
        }
        println!("ready");
        std::future::pending::<()>().await;
        return Ok(());
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args([
            "fake",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--people",
            &args.people.to_string(),
            "--groups",
            &args.groups.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line)?;
    }
    let dir = tempfile::tempdir()?;
    let groups: Vec<String> = (0..args.groups)
        .map(|g| format!("\"{}\"", group_id(g)))
        .collect();
    let toml = format!(
        "[slack]\nrequest_channel = \"C0REQUESTS\"\n[group_sync]\npace = false\nusers_page_size = {PAGE}\n\
         [[sync]]\nname = \"everyone-in-groups\"\ntarget_team = \"T0PARTNER\"\nusergroups = [{}]\nchannels = [\"C0PROJECT\"]\nexpiry_days = 90\nmax_changes = \"100%\"\n",
        groups.join(", ")
    );
    std::fs::write(dir.path().join("guestlist.toml"), toml)?;
    let env = std::collections::HashMap::from([
        ("SLACK_BOT_TOKEN", "xoxb-bench".to_string()),
        ("SLACK_API_URL", format!("http://127.0.0.1:{port}/api")),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bench.db").display()),
        ),
    ]);
    let lookup = move |k: &str| env.get(k).cloned();
    let config = Config::load(&Sources {
        path: dir.path().join("guestlist.toml"),
        explicit: true,
        env: &lookup,
    })?;
    let app = guestlist::app::App::for_command(config, Arc::new(SystemClock)).await?;
    let workflow = app.workflow.clone();
    let team = workflow.home_team().await?;

    // users.list pages, and one usergroups.list that carries every group's members.
    let minimum_full = args.people.div_ceil(PAGE) + 1;
    println!(
        "| scenario | wall s | bot CPU s | Slack calls | minimum calls | invited | revoked | unchanged | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let measure = |name: &str,
                   started: Instant,
                   cpu: f64,
                   calls: usize,
                   minimum: usize,
                   counts: (usize, usize, usize)| {
        println!(
            "| {name} | {:.2} | {:.2} | {calls} | {minimum} | {} | {} | {} | {:.0} |",
            started.elapsed().as_secs_f64(),
            cpu_seconds() - cpu,
            counts.0,
            counts.1,
            counts.2,
            peak_rss_mib()
        );
    };
    let counts = |outcome: &guestlist::workflow::sync::SyncOutcome| {
        use guestlist::domain::sync::LineAction;
        outcome.plans.iter().fold((0, 0, 0), |(i, r, u), p| {
            (
                i + p.count(LineAction::Invite),
                r + p.count(LineAction::Revoke),
                u + p.count(LineAction::Unchanged),
            )
        })
    };

    let (started, cpu) = (Instant::now(), cpu_seconds());
    let first = workflow
        .sync_run(
            &team,
            None,
            SyncMode::Apply { force: false },
            "benchmark: first run",
        )
        .await?;
    measure(
        "full first run (plan + apply)",
        started,
        cpu,
        first.slack_calls,
        minimum_full,
        counts(&first),
    );

    let (started, cpu) = (Instant::now(), cpu_seconds());
    let again = workflow
        .sync_run(
            &team,
            None,
            SyncMode::Apply { force: false },
            "benchmark: no change",
        )
        .await?;
    measure(
        "full run, nothing changed",
        started,
        cpu,
        again.slack_calls,
        minimum_full,
        counts(&again),
    );

    // Five people join group 7 and five leave it; Slack sends the delta.
    let group = group_id(7);
    let per_group = args.people.div_ceil(args.groups);
    let base: Vec<String> = (7 * per_group..8 * per_group + 5)
        .map(|i| format!("U{i:07}"))
        .collect();
    let added: Vec<String> = (0..5)
        .map(|k| format!("U{:07}", (500 * per_group + k) % args.people))
        .collect();
    let removed: Vec<String> = base.iter().skip(10).take(5).cloned().collect();
    let members: Vec<String> = base
        .iter()
        .filter(|u| !removed.contains(u))
        .chain(added.iter())
        .cloned()
        .collect();
    let http = guestlist::slack::client::http_client(std::time::Duration::from_secs(30));
    http.post(format!(
        "http://127.0.0.1:{port}/api/usergroups.users.update"
    ))
    .bearer_auth("xoxb-bench")
    .form(&[("usergroup", group.as_str()), ("users", &members.join(","))])
    .send()
    .await?
    .error_for_status()?;
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let calls = workflow
        .sync_delta(&team, &group, &added, &removed)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The delta's minimum: one users.info per person in it, and one usergroups.list.
    measure(
        "incremental subteam_members_changed (+5 −5)",
        started,
        cpu,
        calls,
        added.len() + removed.len() + 1,
        (0, 0, 0),
    );
    let audit = app.store.audit_since(None).await?;
    let last = audit
        .iter()
        .rev()
        .find(|a| a.entry.action == "sync_run")
        .map(|a| a.entry.detail.clone())
        .unwrap_or_default();
    println!("\nincremental run: {last}");
    child.kill().ok();
    Ok(())
}
