//! The inventory at size: a SQLite file with 5,000 live guest accounts (and 1,000 closed
//! requests around them), then `guestlist guests --format csv` run against it, as an operator
//! would, several times. Prints each run's wall time and the row count.
//!
//!   cargo build --release && cargo run --release --example inventory_bench [-- --guests 5000]

use chrono::Utc;
use clap::Parser;
use guestlist::domain::request::{NewRequest, Source};
use guestlist::domain::{ChannelId, Email, Expiry, GuestType, RequestKind, TeamId, UserId};
use guestlist::store::{Approval, SqliteStore, Store, SyncImport};
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 5_000)]
    guests: usize,
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The binary to run.
    #[arg(long, default_value = "target/release/guestlist")]
    bin: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The child runs in the database's folder: name the binary absolutely.
    let bin = std::fs::canonicalize(&args.bin)?;
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("guestlist.db").display());
    let store = SqliteStore::connect(&url).await?;
    store.migrate().await?;
    let team = TeamId::from("T0BENCH");
    let now = Utc::now();
    let new = |i: usize| NewRequest {
        team_id: team.clone(),
        kind: RequestKind::Guest,
        parent_id: None,
        requester: UserId::from(format!("USPONSOR{}", i % 40).as_str()),
        email: Email::parse(&format!("guest.{i}@partner{}.example", i % 50)).unwrap(),
        full_name: format!("Guest Number {i}"),
        organisation: format!("Partner {}", i % 50),
        reason: "Benchmark".into(),
        guest_type: if i.is_multiple_of(3) {
            GuestType::MultiChannel
        } else {
            GuestType::SingleChannel
        },
        channels: vec![ChannelId::from("C0PROJECT")],
        expiry: Expiry::AfterDays {
            days: 30 + (i % 60) as u32,
        },
        source: Source::Import,
        sync_rule: None,
        profile: Default::default(),
        slack_invite_request: None,
        account_team: None,
        source_user: None,
        quorum: Default::default(),
        decide_by: None,
    };
    let approval = Approval {
        decided_by: Some(UserId::from("UIMPORTER")),
        auto_rule: None,
        audit_actor: "UIMPORTER".into(),
        audit_action: "import".into(),
        audit_detail: "benchmark".into(),
    };
    let all: Vec<NewRequest> = (0..args.guests).map(new).collect();
    for batch in all.chunks(500) {
        store
            .create_approved(batch, &approval, now, Box::new(|_| Vec::new()))
            .await?;
    }
    println!(
        "seeded {} live guest accounts in {}",
        args.guests,
        dir.path().display()
    );
    for run in 1..=args.runs {
        let started = Instant::now();
        let output = std::process::Command::new(&bin)
            .args(["guests", "--format", "csv"])
            .env_clear()
            .env("DATABASE_URL", &url)
            .current_dir(dir.path())
            .output()?;
        let elapsed = started.elapsed();
        anyhow::ensure!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows = output.stdout.iter().filter(|b| **b == b'\n').count() - 1;
        println!(
            "run {run}: {rows} rows in {:.0} ms",
            elapsed.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
