//! The command line: `guestlist serve | migrate | manifest | config check | audit export | demo`.

use crate::clock::SystemClock;
use crate::config::{Config, ConfigError, Sources, process_env};
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use secrecy::ExposeSecret;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

mod guests;
mod progress;
mod spreadsheet;

#[derive(Debug, Parser)]
#[command(
    name = "guestlist",
    version,
    about = "A Slack bot that runs guest access: requests, approvals, invitations, expiry and group sync."
)]
pub struct Cli {
    /// Configuration file (TOML). Defaults to ./guestlist.toml when it exists.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The workspace (T…) a one-workspace command (sync, import, review, guests) acts in, when
    /// Guestlist is installed through OAuth and serves many.
    #[arg(long, global = true, value_name = "TEAM_ID")]
    pub team: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot: HTTP server, job worker and scheduler in one process.
    Serve {
        /// Take Slack's traffic over Socket Mode (needs SLACK_APP_TOKEN) instead of public HTTP
        /// endpoints; the HTTP server still answers /healthz, /readyz and /metrics.
        #[arg(long)]
        socket_mode: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Print the Slack app manifest (YAML) for a deployment.
    Manifest {
        /// The public base URL Slack will call, e.g. https://bot.example.com (default:
        /// `server.public_url` of the configuration).
        #[arg(long)]
        url: Option<String>,
        /// A manifest for Socket Mode (no public URL).
        #[arg(long)]
        socket_mode: bool,
        /// For installs through OAuth (`SLACK_CLIENT_ID`): the redirect URL, org-wide
        /// deployment and the uninstall events. Implied when the configuration has a client id.
        #[arg(long)]
        distributed: bool,
        /// With --distributed: Slack rotates the tokens (implied by `slack.token_rotation`).
        #[arg(long)]
        token_rotation: bool,
        /// Grid's admin user scopes (the org admin's user token: `SLACK_ADMIN_TOKEN`, or the
        /// installer's with --distributed) and Slack's own invite requests (implied by
        /// `provisioning.mode = "slack_admin"`).
        #[arg(long)]
        grid_admin: bool,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Play a request, a refused click and an approval against a fake Slack on this machine,
    /// printing what Slack would show. Needs no Slack workspace.
    #[cfg(feature = "fake-slack")]
    Demo,
    /// Run group sync once: work out each rule's plan and apply it (or only print it).
    Sync {
        /// Only this rule.
        #[arg(long)]
        rule: Option<String>,
        /// Print the plan; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
        /// Apply even a plan larger than the rule's max_changes (audited).
        #[arg(long)]
        force: bool,
        /// Include unchanged lines in the table.
        #[arg(long)]
        all: bool,
    },
    /// Import guests from a CSV file: print a preview, then create approved requests for the
    /// valid rows (invitations go out through the running bot's job queue).
    Import {
        /// The CSV file (UTF-8, a header row; see `/guest import` for the columns).
        file: PathBuf,
        /// Print the preview; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the preview as JSON.
        #[arg(long)]
        json: bool,
        /// The Slack user ID recorded as the approver. Rows this person sponsors are refused:
        /// nobody approves their own guests.
        #[arg(long, value_name = "USER_ID")]
        importer: Option<String>,
        /// The Slack user ID that sponsors rows naming no sponsor.
        #[arg(long, value_name = "USER_ID")]
        sponsor: Option<String>,
        /// Time zone for dates and times without an offset (default UTC).
        #[arg(long, value_name = "ZONE", default_value = "UTC")]
        tz: String,
    },
    /// Access reviews: start one now, or see where the open one stands.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// The inventory of live guest accounts (soonest end first), or one request's evidence.
    Guests {
        /// Only accounts that end within this long: 7d, 12h, 90m.
        #[arg(long, value_name = "DURATION")]
        expiring_within: Option<String>,
        /// Only the guests of this sponsor (a Slack user id; repeat for several).
        #[arg(long, value_name = "USER_ID")]
        sponsor: Vec<String>,
        /// Only emails in this domain.
        #[arg(long)]
        domain: Option<String>,
        /// The guests in Slack that Guestlist does not manage (as the last reconciliation run
        /// saw them); an approver can adopt them from App Home.
        #[arg(long, conflicts_with_all = ["expiring_within", "sponsor", "id"])]
        unmanaged: bool,
        /// One request's evidence instead: who asked, who approved and when, votes,
        /// invitations, extensions, the end, and its audit trail (JSON).
        #[arg(long, value_name = "N")]
        id: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: GuestsFormat,
    },
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and validate the configuration and print what is in effect (secrets redacted).
    Check,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Ask each sponsor, by DM, about each of their active guests (the running bot sends the
    /// messages through its job queue).
    Start {
        /// Only guests whose email is in this domain (or a subdomain).
        #[arg(long)]
        domain: Option<String>,
        /// Only guests with access to this channel (its id, e.g. C0123ABCD).
        #[arg(long)]
        channel: Option<String>,
        /// Days the sponsors have (default: `review.deadline_days`).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=90))]
        deadline_days: Option<u32>,
    },
    /// Where the open review (or the last one) stands.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Write the audit log to standard output.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Only entries at or after this date (YYYY-MM-DD) or time (RFC 3339), UTC.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GuestsFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Parses arguments, runs the command, and turns any error into one line on stderr.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<ConfigError>() {
                Some(config_error) => eprintln!("{config_error}"),
                None => eprintln!("error: {}", format!("{e:#}").replace('\n', " ")),
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn load_config(flag: Option<PathBuf>) -> Result<Config, ConfigError> {
    Config::load(&Sources::new(flag, &process_env))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Kept on `cli` as well: a listing (`guests`) narrows to that workspace.
    let Some(team) = cli.team.clone() else {
        return dispatch(cli).await;
    };
    // The command runs inside that workspace's installation: its tokens carry every Slack
    // call, its settings hold (the scope is the task's, whichever app the command builds).
    let config = load_config(cli.config.clone())?;
    let app = crate::app::App::for_command(config, Arc::new(SystemClock)).await?;
    let team = crate::domain::TeamId(team);
    let tenant = app
        .workflow
        .enter(&team, None)
        .await?
        .with_context(|| format!("Guestlist is not installed in workspace {team}"))?;
    app.workflow
        .in_workspace(tenant, Box::pin(dispatch(cli)))
        .await
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { socket_mode } => {
            let mut config = load_config(cli.config)?;
            if socket_mode {
                config.mode = crate::config::IngressMode::Socket;
            }
            crate::telemetry::init_logging(config.log_format);
            config.require_for_serve()?;
            crate::app::run_serve(config, Arc::new(SystemClock)).await
        }
        Command::Migrate => {
            let config = load_config(cli.config)?;
            crate::telemetry::init_logging(config.log_format);
            let store = crate::store::connect(config.database_url.expose_secret(), 1).await?;
            store.migrate().await.context("applying migrations")?;
            println!(
                "migrations applied ({})",
                crate::store::redact_url(config.database_url.expose_secret())
            );
            Ok(())
        }
        Command::Manifest {
            url,
            socket_mode,
            distributed,
            token_rotation,
            grid_admin,
        } => {
            // The configuration, when there is one, says how this deployment is installed.
            let config = match (&url, socket_mode) {
                (None, false) => Some(load_config(cli.config)?),
                _ => load_config(cli.config).ok(),
            };
            let from_config = config.as_ref().and_then(|c| c.slack.distribution.as_ref());
            let distributed = distributed || from_config.is_some();
            anyhow::ensure!(
                distributed || !token_rotation,
                "--token-rotation applies to installs through OAuth: add --distributed"
            );
            let distributed = distributed.then(|| crate::slack::manifest::Distributed {
                token_rotation: token_rotation || from_config.is_some_and(|d| d.token_rotation),
            });
            let grid_admin = grid_admin
                || config.as_ref().is_some_and(|c| {
                    c.provisioning.mode == crate::provision::ProvisioningMode::SlackAdmin
                });
            let url = match url {
                Some(url) => url,
                None if socket_mode => String::new(),
                None => config.and_then(|c| c.join.public_url).ok_or_else(|| {
                    anyhow::anyhow!("give --url, or set server.public_url in the configuration")
                })?,
            };
            if !socket_mode {
                let parsed =
                    url::Url::parse(&url).with_context(|| format!("--url {url:?} is not a URL"))?;
                anyhow::ensure!(
                    parsed.scheme() == "https",
                    "--url must be https (Slack only calls https URLs)"
                );
            }
            print!(
                "{}",
                crate::slack::manifest::manifest_yaml_for(
                    &url,
                    socket_mode,
                    distributed,
                    grid_admin
                )
            );
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let config = load_config(cli.config)?;
            print!("{}", config.describe());
            match config.require_for_serve() {
                Ok(()) => println!("\nconfiguration OK"),
                Err(e) => println!("\nconfiguration loads, but `serve` will refuse to start: {e}"),
            }
            Ok(())
        }
        Command::Sync {
            rule,
            dry_run,
            json,
            force,
            all,
        } => {
            let config = load_config(cli.config)?;
            crate::telemetry::init_logging_with("warn", config.log_format);
            let app = crate::app::App::for_command(config, Arc::new(SystemClock)).await?;
            let team = app
                .workflow
                .home_team()
                .await
                .context("asking Slack which workspace this is (auth.test)")?;
            let mode = if dry_run {
                crate::workflow::sync::SyncMode::DryRun
            } else {
                crate::workflow::sync::SyncMode::Apply { force }
            };
            let reason = if force {
                "guestlist sync --force"
            } else {
                "guestlist sync"
            };
            let progress = progress::Progress::new();
            let outcome = app
                .workflow
                .sync_run_watched(&team, rule.as_deref(), mode, reason, &progress)
                .await;
            progress.finish();
            let outcome = outcome?;
            if json {
                println!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                print!(
                    "{}",
                    crate::slack::render::plan_table(
                        &outcome.plans,
                        all,
                        usize::MAX,
                        crate::i18n::Lang::En
                    )
                );
                for held in &outcome.held {
                    println!(
                        "{}: {} changes exceed max_changes ({}); held as plan {} for an approver (or run with --force)",
                        held.rule, held.changes, held.limit, held.plan_id
                    );
                }
                println!(
                    "{} ({} Slack calls)",
                    if outcome.dry_run {
                        "dry run: nothing changed"
                    } else {
                        "applied; invitations go out through the job queue"
                    },
                    outcome.slack_calls
                );
            }
            Ok(())
        }
        #[cfg(feature = "fake-slack")]
        Command::Demo => {
            // Keep the story readable: only warnings from the bot itself.
            if std::env::var_os("RUST_LOG").is_none() {
                crate::telemetry::init_logging_with("warn", crate::telemetry::LogFormat::Text);
            }
            let mut out = String::new();
            let result = crate::demo::run(&mut out).await;
            print!("{out}");
            result
        }
        Command::Import {
            file,
            dry_run,
            json,
            importer,
            sponsor,
            tz,
        } => import_command(cli.config, file, dry_run, json, importer, sponsor, &tz).await,
        Command::Guests {
            expiring_within,
            sponsor,
            domain,
            unmanaged,
            id,
            format,
        } => {
            let config = load_config(cli.config)?;
            let store = crate::store::connect(config.database_url.expose_secret(), 1).await?;
            store.migrate().await?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if let Some(id) = id {
                anyhow::ensure!(
                    format == GuestsFormat::Json,
                    "--id gives the evidence as JSON: add --format json"
                );
                let evidence = guests::evidence(&store, crate::domain::RequestId(id)).await?;
                serde_json::to_writer_pretty(&mut out, &evidence)?;
                writeln!(out)?;
                return Ok(());
            }
            if unmanaged {
                let team = cli.team.clone().map(crate::domain::TeamId);
                let mut rows = store.unmanaged_guests(team.as_ref(), i64::MAX).await?;
                if let Some(domain) = &domain {
                    let domain = domain.trim_start_matches('@').to_lowercase();
                    rows.retain(|g| {
                        g.email.as_deref().is_some_and(|e| {
                            crate::domain::Email::parse(e).is_ok_and(|e| e.is_in_domain(&domain))
                        })
                    });
                }
                return guests::write_unmanaged(&mut out, &rows, format);
            }
            let filter = guests::GuestFilter {
                expiring_within: expiring_within
                    .as_deref()
                    .map(guests::parse_within)
                    .transpose()?,
                sponsors: sponsor,
                domain,
                team: cli.team.clone().map(crate::domain::TeamId),
            };
            let rows = guests::inventory(&store, &filter, chrono::Utc::now()).await?;
            match format {
                GuestsFormat::Table => guests::write_table(&mut out, &rows)?,
                GuestsFormat::Csv => guests::write_csv(&mut out, &rows)?,
                GuestsFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &rows)?;
                    writeln!(out)?;
                }
            }
            Ok(())
        }
        Command::Review { command } => review_command(cli.config, command).await,
        Command::Audit {
            command: AuditCommand::Export { format, since },
        } => {
            let config = load_config(cli.config)?;
            let since = since.as_deref().map(parse_since).transpose()?;
            let store = crate::store::connect(config.database_url.expose_secret(), 1).await?;
            store.migrate().await?;
            let rows = store.audit_since(since).await?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match format {
                ExportFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &rows)?;
                    writeln!(out)?;
                }
                ExportFormat::Csv => write_audit_csv(&mut out, &rows)?,
            }
            Ok(())
        }
    }
}

async fn review_command(config: Option<PathBuf>, command: ReviewCommand) -> anyhow::Result<()> {
    let config = load_config(config)?;
    crate::telemetry::init_logging_with("warn", config.log_format);
    let app = crate::app::App::for_command(config, Arc::new(SystemClock)).await?;
    let team = app
        .workflow
        .home_team()
        .await
        .context("asking Slack which workspace this is (auth.test)")?;
    match command {
        ReviewCommand::Start {
            domain,
            channel,
            deadline_days,
        } => {
            let scope = crate::domain::review::Scope {
                domain: domain.map(|d| d.trim().trim_start_matches('@').to_lowercase()),
                channel: channel.map(|c| c.trim().to_string()),
            };
            let started = app
                .workflow
                .start_review(
                    &team,
                    crate::workflow::ReviewStart {
                        scope,
                        answer_within: deadline_days.map(|d| chrono::Duration::days(d.into())),
                        started_by: "cli".into(),
                    },
                )
                .await?;
            match started {
                crate::workflow::ReviewStarted::Started {
                    campaign,
                    guests,
                    sponsors,
                } => println!(
                    "access review #{} of {}: {guests} guest(s), {sponsors} sponsor(s); answers due {}; then {}",
                    campaign.id,
                    campaign.scope,
                    campaign.deadline.to_rfc3339(),
                    campaign.outcome.as_str()
                ),
                crate::workflow::ReviewStarted::AlreadyOpen(open) => anyhow::bail!(
                    "access review #{} is still open (answers due {}); one at a time",
                    open.id,
                    open.deadline.to_rfc3339()
                ),
                crate::workflow::ReviewStarted::NoGuests => {
                    println!("no active guest in that scope: nothing to review")
                }
            }
        }
        ReviewCommand::Status => {
            let store = app.workflow.store();
            let campaign = store.latest_review(&team).await?;
            let Some(campaign) = campaign else {
                println!("no access review yet");
                return Ok(());
            };
            let items = store.review_items(&team, campaign.id).await?;
            let p = crate::domain::review::progress(items.iter().map(|i| i.state));
            println!(
                "access review #{} of {} ({}): {} of {} reviewed, {} ended, {} waiting, {} with approvers; answers due {}",
                campaign.id,
                campaign.scope,
                if campaign.closed_at.is_some() {
                    "closed"
                } else {
                    "open"
                },
                p.reviewed,
                p.total,
                p.ended,
                p.waiting,
                p.escalated,
                campaign.deadline.to_rfc3339()
            );
        }
    }
    Ok(())
}

fn parse_since(raw: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").with_context(|| {
        format!("--since {raw:?} is not a date (YYYY-MM-DD) or an RFC 3339 time")
    })?;
    Ok(date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc())
}

pub fn write_audit_csv(
    out: &mut impl Write,
    rows: &[crate::store::AuditRecord],
) -> anyhow::Result<()> {
    let mut sheet = spreadsheet::Sheet::new(
        out,
        &[
            "id",
            "at",
            "team_id",
            "request_id",
            "actor",
            "action",
            "from_state",
            "to_state",
            "detail",
        ],
    )?;
    for row in rows {
        let e = &row.entry;
        sheet.row([
            row.id.to_string(),
            e.at.to_rfc3339(),
            e.team_id.to_string(),
            e.request_id.map(|id| id.0.to_string()).unwrap_or_default(),
            e.actor.clone(),
            e.action.clone(),
            e.from_state
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            e.to_state
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            e.detail.clone(),
        ])?;
    }
    sheet.finish()
}

/// `guestlist import FILE`: the same checks and preview as in Slack, then batches with progress.
async fn import_command(
    config_path: Option<PathBuf>,
    file: PathBuf,
    dry_run: bool,
    json: bool,
    importer: Option<String>,
    sponsor: Option<String>,
    tz: &str,
) -> anyhow::Result<()> {
    use crate::domain::import::{FileError, MAX_IMPORT_BYTES};
    let tz: chrono_tz::Tz = tz.parse().map_err(|_| {
        anyhow::anyhow!("--tz: {tz:?} is not an IANA time zone such as Europe/Paris")
    })?;
    let user_flag = |flag: &str,
                     value: Option<String>|
     -> anyhow::Result<Option<crate::domain::UserId>> {
        match value {
            None => Ok(None),
            Some(id)
                if id.starts_with(['U', 'W']) && id.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Ok(Some(crate::domain::UserId(id)))
            }
            Some(id) => anyhow::bail!("{flag}: {id:?} is not a Slack user ID such as U012ABCDEF"),
        }
    };
    let importer = user_flag("--importer", importer)?;
    let sponsor = user_flag("--sponsor", sponsor)?;
    let shown = file.display().to_string();
    // Refuse a huge file before reading it.
    let size = std::fs::metadata(&file)
        .with_context(|| format!("reading {shown}"))?
        .len();
    if size > MAX_IMPORT_BYTES {
        anyhow::bail!(
            "{shown}: {}",
            crate::slack::say::file_error(
                &FileError::TooLarge {
                    max: MAX_IMPORT_BYTES
                },
                crate::i18n::Lang::En
            )
        );
    }
    let bytes = std::fs::read(&file).with_context(|| format!("reading {shown}"))?;
    let config = load_config(config_path)?;
    crate::telemetry::init_logging_with("warn", config.log_format);
    let app = crate::app::App::for_command(config, Arc::new(SystemClock)).await?;
    let workflow = &app.workflow;
    let team = workflow
        .home_team()
        .await
        .context("asking Slack which workspace this is (auth.test)")?;
    let progress = progress::Progress::new();
    progress.spinning("preview", format!("checking {shown}"));
    let preview = workflow
        .import_preview(&team, &bytes, sponsor.as_ref(), importer.as_ref(), tz)
        .await;
    progress.finish();
    let preview = match preview? {
        Ok(preview) => preview,
        Err(e) => anyhow::bail!(
            "{shown}: {} Nothing was written.",
            crate::slack::say::file_error(&e, crate::i18n::Lang::En)
        ),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&preview)?);
    } else {
        print!(
            "{}",
            crate::slack::render::import_table(&preview, usize::MAX, crate::i18n::Lang::En)
        );
        println!(
            "{}",
            crate::slack::render::import_counts(&preview, crate::i18n::Lang::En)
        );
    }
    if dry_run {
        eprintln!("dry run: nothing written");
        return Ok(());
    }
    let total = preview.valid.len();
    let label = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| shown.clone());
    let mut imported = 0;
    let mut done = 0;
    let progress = progress::Progress::new();
    for chunk in preview.valid.chunks(crate::workflow::IMPORT_BATCH) {
        imported += workflow
            .import_batch(&team, chunk, importer.as_ref(), &label)
            .await?;
        done += chunk.len();
        progress.counting("rows imported", done as u64, total as u64);
    }
    progress.finish();
    eprintln!(
        "done: {imported} approved requests created ({} skipped: email taken since the preview); invitations go out through the bot's job queue",
        total - imported
    );
    Ok(())
}
