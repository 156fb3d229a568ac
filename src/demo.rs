//! `guestlist demo`: the bot and a fake Slack on loopback, a request played through signed HTTP
//! requests, and what Slack would show at each step. Needs no Slack workspace.

use crate::app::App;
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, Sources};
use crate::fake_slack::{FakeMessage, FakeSlack, FakeUser, FormInput, SlackSender};
use anyhow::Context;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const SECRET: &str = "demo-signing-secret";
const REQUESTS: &str = "C0REQUESTS";
const PROJECT: &str = "C0PROJECTX";
const GENERAL: &str = "C0GENERAL";
const RITA: &str = "U0RITA";
const ADA: &str = "U0ADA";
const OSCAR: &str = "U0OSCAR";

/// Runs the demo, writing the story to `out`.
pub async fn run(out: &mut String) -> anyhow::Result<()> {
    let fake = FakeSlack::start()
        .await
        .context("starting the fake Slack")?;
    fake.add_channel(REQUESTS, "guest-requests")
        .add_channel(PROJECT, "project-x")
        .add_channel(GENERAL, "general");
    fake.add_user(FakeUser::new(RITA, "Rita Requester").tz("America/New_York"))
        .add_user(FakeUser::new(ADA, "Ada Approver").tz("Europe/Berlin"))
        .add_user(FakeUser::new(OSCAR, "Oscar Outsider"));

    let dir = tempfile_dir()?;
    let config_path = dir.join("guestlist.toml");
    std::fs::write(
        &config_path,
        format!(
            "[slack]\nrequest_channel = \"{REQUESTS}\"\n[approvers]\nusers = [\"{ADA}\"]\nworkspace_admins = false\n[jobs]\npoll_interval_ms = 20\n"
        ),
    )?;
    let env: HashMap<&str, String> = HashMap::from([
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-demo".to_string()),
        ("SLACK_API_URL", fake.api_url()),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("demo.db").display()),
        ),
    ]);
    let lookup = move |k: &str| env.get(k).cloned();
    let config = Config::load(&Sources {
        path: config_path,
        explicit: true,
        env: &lookup,
    })?;
    let clock: SharedClock = Arc::new(SystemClock);
    let app = App::build(config, clock.clone()).await?;
    let store = app.store.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(app.serve(listener, shutdown.clone()));
    let slack = SlackSender::new(&format!("http://{addr}"), SECRET, clock, &fake.base_url());
    let names = Names::new(&fake);

    writeln!(
        out,
        "Guestlist demo: the bot on http://{addr}, a fake Slack on {}, SQLite in {}.",
        fake.base_url(),
        dir.display()
    )?;
    writeln!(
        out,
        "People: Rita (requester), Ada (approver), Oscar (not an approver). Requests go to #guest-requests.\n"
    )?;

    writeln!(out, "1. Rita types `/guest` in #general.")?;
    let answer = slack.command(RITA, GENERAL, "").await?;
    let opened = fake.calls_to("views.open");
    let view = opened
        .last()
        .and_then(|c| c.arg("view").cloned())
        .unwrap_or(Value::Null);
    writeln!(
        out,
        "   Guestlist answers {} and Slack opens the form \"{}\" with: {}.\n",
        answer.status,
        view["title"]["text"].as_str().unwrap_or("?"),
        labels(&view).join(", ")
    )?;

    writeln!(
        out,
        "2. Rita fills it in (grace@partner.com, single-channel guest in #project-x, 30 days) and submits."
    )?;
    let mut form = FormInput::new("grace@partner.com", &[PROJECT]);
    form.reason = "Joint launch <!channel> & review".into();
    let metadata = serde_json::json!({"tz": "America/New_York", "origin": GENERAL}).to_string();
    let answer = slack
        .interaction(&slack.view_submission(RITA, "guest_request", &metadata, form.state_values()))
        .await?;
    writeln!(
        out,
        "   Guestlist answers {} (response_action: {}): the form now says \"Request sent\".",
        answer.status,
        answer.json()["response_action"].as_str().unwrap_or("none")
    )?;
    settle(&store).await;
    let card = fake
        .top_level_in(REQUESTS)
        .pop()
        .context("the card was not posted")?;
    writeln!(out, "   In #guest-requests, the card:")?;
    write_message(out, &card, &names)?;
    for dm in fake.messages_in(RITA) {
        writeln!(
            out,
            "   DM to Rita: {}",
            names.plain(dm.text.as_deref().unwrap_or(""))
        )?;
    }
    let id = store
        .open_request_for_email(
            &crate::domain::TeamId::from(crate::fake_slack::FAKE_TEAM_ID),
            "grace@partner.com",
        )
        .await?
        .context("the request was not stored")?
        .id;
    writeln!(out)?;

    writeln!(out, "3. Oscar, who is not an approver, clicks Approve.")?;
    slack
        .interaction(&slack.button_click(
            OSCAR,
            "approve_request",
            &id.0.to_string(),
            Some(REQUESTS),
            &card.ts,
        ))
        .await?;
    settle(&store).await;
    for call in fake.calls_to("response_url") {
        writeln!(
            out,
            "   Only Oscar sees: {}",
            names.plain(call.arg_str("text").unwrap_or(""))
        )?;
    }
    writeln!(
        out,
        "   The card is unchanged ({} updates) and the refusal is in the audit log.\n",
        fake.calls_to("chat.update").len()
    )?;

    writeln!(out, "4. Ada, an approver, clicks Approve.")?;
    slack
        .interaction(&slack.button_click(
            ADA,
            "approve_request",
            &id.0.to_string(),
            Some(REQUESTS),
            &card.ts,
        ))
        .await?;
    settle(&store).await;
    let card = fake
        .top_level_in(REQUESTS)
        .pop()
        .context("the card is gone")?;
    writeln!(
        out,
        "   The card is updated (chat.update), its buttons gone:"
    )?;
    write_message(out, &card, &names)?;
    for reply in fake.thread(REQUESTS, &card.ts) {
        writeln!(
            out,
            "   In the card's thread: {}",
            names.plain(reply.text.as_deref().unwrap_or(""))
        )?;
    }
    if let Some(dm) = fake.messages_in(RITA).last() {
        writeln!(
            out,
            "   DM to Rita: {}",
            names.plain(dm.text.as_deref().unwrap_or(""))
        )?;
    }

    writeln!(out, "\n5. The audit log (`guestlist audit export`):")?;
    for row in store.audit_since(None).await? {
        let e = row.entry;
        writeln!(
            out,
            "   {} {:<8} {:<16} {} → {} {}",
            e.at.format("%H:%M:%S"),
            names.name(&e.actor),
            e.action,
            e.from_state.map(|s| s.as_str()).unwrap_or("-"),
            e.to_state.map(|s| s.as_str()).unwrap_or("-"),
            e.detail
        )?;
    }
    writeln!(
        out,
        "\nThe fake Slack received {} Web API calls. Demo finished.",
        fake.calls()
            .iter()
            .filter(|c| c.method != "response_url")
            .count()
    )?;

    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), serving).await;
    fake.stop();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "guestlist-demo-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Waits until the job queue has nothing due or running (the worker runs in the background).
async fn settle(store: &crate::store::SharedStore) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(stats) = store.queue_stats(chrono::Utc::now()).await
            && stats.due == 0
            && stats.running == 0
        {
            return;
        }
    }
}

fn labels(view: &Value) -> Vec<String> {
    view["blocks"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b["label"]["text"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Turns Slack's mrkdwn references into what a person sees.
struct Names(HashMap<String, String>);

impl Names {
    fn new(fake: &FakeSlack) -> Self {
        let state = fake.state();
        let mut names: HashMap<String, String> = state
            .users
            .values()
            .map(|u| (u.id.clone(), u.real_name.clone()))
            .collect();
        names.extend(
            state
                .channels
                .values()
                .map(|c| (c.id.clone(), c.name.clone())),
        );
        Names(names)
    }

    fn name(&self, id: &str) -> String {
        self.0
            .get(id)
            .map(|n| n.split(' ').next().unwrap_or(n).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// `<@U1>` → `@Rita`, `<#C1>` → `#project-x`, `<!date^…|fallback>` → fallback.
    fn plain(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('<') {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('>') else {
                break;
            };
            let inner = &rest[start + 1..start + len];
            let shown = match inner.chars().next() {
                Some('@') => format!("@{}", self.name(&inner[1..])),
                Some('#') => format!(
                    "#{}",
                    self.0
                        .get(&inner[1..])
                        .cloned()
                        .unwrap_or_else(|| inner[1..].to_string())
                ),
                _ => inner.rsplit('|').next().unwrap_or(inner).to_string(),
            };
            out.push_str(&shown);
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }
}

fn write_message(out: &mut String, message: &FakeMessage, names: &Names) -> anyhow::Result<()> {
    for block in message.blocks.as_array().into_iter().flatten() {
        let mut lines: Vec<String> = Vec::new();
        match block["type"].as_str() {
            Some("header") => lines.push(format!(
                "== {} ==",
                block["text"]["text"].as_str().unwrap_or("")
            )),
            Some("section") => {
                if let Some(text) = block["text"]["text"].as_str() {
                    lines.push(text.to_string());
                }
                for field in block["fields"].as_array().into_iter().flatten() {
                    lines.push(field["text"].as_str().unwrap_or("").replace('\n', " "));
                }
            }
            Some("context") => {
                for element in block["elements"].as_array().into_iter().flatten() {
                    lines.push(element["text"].as_str().unwrap_or("").to_string());
                }
            }
            Some("actions") => lines.push(
                block["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| format!("[{}]", e["text"]["text"].as_str().unwrap_or("?")))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => {}
        }
        for line in lines {
            for part in names.plain(&line).lines() {
                writeln!(out, "   | {part}")?;
            }
        }
    }
    Ok(())
}
