//! CSV import at size: a 10,000-row file (every row valid, a few sponsors named by email, two
//! channels by name) checked and imported into a SQLite file, through the same calls
//! `guestlist import` makes. Prints wall time, CPU time and peak RSS for the preview and the
//! import (batches of 500 rows, one transaction each).
//!
//!   cargo run --release --example import_bench [-- --rows 10000]
//!
//! The fake Slack runs in this process; it holds three channels and a few people, so the memory
//! measured is the import's.

#[path = "support/measure.rs"]
mod measure;

use clap::Parser;
use guestlist::clock::SystemClock;
use guestlist::config::{Config, Sources};
use guestlist::domain::UserId;
use guestlist::fake_slack::{FakeSlack, FakeUser};
use measure::{cpu_seconds, peak_rss_mib};
use std::sync::Arc;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fake = FakeSlack::start().await?;
    fake.add_channel("C0REQUESTS", "guest-requests")
        .add_channel("C0PROJECT", "project")
        .add_channel("C0DESIGN", "design");
    for i in 0..5 {
        fake.add_user(
            FakeUser::new(&format!("USPONSOR{i}"), &format!("Sponsor {i}"))
                .email(&format!("sponsor{i}@corp.example")),
        );
    }
    let dir = tempfile::tempdir()?;
    let mut csv =
        String::from("email,name,organisation,guest_type,channels,expires,sponsor,phone\n");
    for i in 0..args.rows {
        let (kind, channels) = if i % 3 == 0 {
            ("multi_channel", "#project;design")
        } else {
            ("single_channel", "project")
        };
        csv.push_str(&format!(
            "guest.{i}@partner{}.example,Guest Number {i},Partner {},{kind},{channels},{}d,sponsor{}@corp.example,+4420794{:05}\n",
            i % 50,
            i % 50,
            30 + i % 60,
            i % 5,
            i % 100_000
        ));
    }
    std::fs::write(
        dir.path().join("guestlist.toml"),
        "[slack]\nrequest_channel = \"C0REQUESTS\"\n",
    )?;
    let env = std::collections::HashMap::from([
        ("SLACK_BOT_TOKEN", "xoxb-bench".to_string()),
        ("SLACK_API_URL", fake.api_url()),
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
    let importer = UserId::from("UIMPORTER");
    println!(
        "{} rows, {:.1} MB of CSV",
        args.rows,
        csv.len() as f64 / 1e6
    );
    println!("| step | wall s | CPU s | rows | peak RSS MiB |");
    println!("|---|---|---|---|---|");

    let (started, cpu) = (Instant::now(), cpu_seconds());
    let preview = workflow
        .import_preview(&team, csv.as_bytes(), Some(&importer), None, chrono_tz::UTC)
        .await?
        .map_err(|e| anyhow::anyhow!("{}", e.code()))?;
    println!(
        "| preview (read, check every row) | {:.2} | {:.2} | {} valid, {} invalid, {} duplicates | {:.0} |",
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        preview.valid.len(),
        preview.invalid.len(),
        preview.duplicates.len(),
        peak_rss_mib()
    );

    let (started, cpu) = (Instant::now(), cpu_seconds());
    let mut imported = 0;
    for chunk in preview.valid.chunks(guestlist::workflow::IMPORT_BATCH) {
        imported += workflow
            .import_batch(&team, chunk, Some(&importer), "bench.csv")
            .await?;
    }
    println!(
        "| import (batches of {}, one transaction each) | {:.2} | {:.2} | {imported} created | {:.0} |",
        guestlist::workflow::IMPORT_BATCH,
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        peak_rss_mib()
    );
    let jobs = app.store.queue_stats(chrono::Utc::now()).await?;
    println!(
        "\njobs queued for provisioning and timers: {} due now, {} scheduled",
        jobs.due, jobs.scheduled
    );
    Ok(())
}
