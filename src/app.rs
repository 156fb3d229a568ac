//! Wiring: configuration in, a running bot out (HTTP server, job worker and scheduler in one
//! process), and a graceful stop on SIGTERM.

use crate::clock::SharedClock;
use crate::config::{Config, IngressMode};
use crate::http::{self, HttpState, SignatureVerifier};
use crate::jobs::{Scheduler, Worker};
use crate::provision::{
    ManualProvisioner, Provisioners, ProvisioningMode, ScimProvisioner, SharedProvisioner,
    SlackAdminProvisioner,
};
use crate::slack::SlackApi;
use crate::store::{self, SharedStore};
use crate::workflow::Workflow;
use anyhow::Context;
use secrecy::ExposeSecret;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct App {
    pub config: Config,
    pub store: SharedStore,
    pub workflow: Arc<Workflow>,
    pub router: axum::Router,
    pub worker: Worker,
}

impl App {
    /// Connects and migrates the database and builds every part; serves nothing yet.
    pub async fn build(config: Config, clock: SharedClock) -> anyhow::Result<App> {
        config.require_for_serve()?;
        let store = store::connect(
            config.database_url.expose_secret(),
            config.database_max_connections,
        )
        .await?;
        Self::with_store(config, clock, store).await
    }

    /// Builds around an open store (tests give each case its own database or schema).
    pub async fn with_store(
        config: Config,
        clock: SharedClock,
        store: SharedStore,
    ) -> anyhow::Result<App> {
        config.require_for_serve()?;
        Self::assemble(config, clock, store).await
    }

    /// For one-off commands (`guestlist sync`): the database and a Slack client; no signing
    /// secret needed, since nothing is served.
    pub async fn for_command(config: Config, clock: SharedClock) -> anyhow::Result<App> {
        let store = store::connect(config.database_url.expose_secret(), 2).await?;
        Self::assemble(config, clock, store).await
    }

    async fn assemble(
        config: Config,
        clock: SharedClock,
        store: SharedStore,
    ) -> anyhow::Result<App> {
        // Install the recorder before anything counts.
        crate::telemetry::metrics();
        store
            .migrate()
            .await
            .context("applying database migrations")?;
        // One workspace: the environment's tokens. Installs through OAuth: each installation's,
        // in scope for the work done for it.
        let slack = match &config.slack.distribution {
            Some(_) => SlackApi::new(&config.slack.api_url, None, None)?,
            None => SlackApi::new(
                &config.slack.api_url,
                Some(
                    config
                        .slack
                        .bot_token
                        .as_ref()
                        .context("SLACK_BOT_TOKEN is not set")?,
                ),
                config.slack.admin_token.as_ref(),
            )?,
        };
        let provisioner = provisioner_for(&config, &slack);
        let mut workflow = Workflow::new(
            store.clone(),
            slack,
            clock.clone(),
            config.workflow_settings(),
            provisioner,
        );
        if let Some(d) = &config.slack.distribution {
            workflow = workflow
                .with_distribution(d.client.clone(), d.cipher.clone(), d.redirect_uri.clone())
                .with_allowed_installs(d.allowed_installs.clone());
        }
        let workflow = Arc::new(workflow);
        let join_guard = http::JoinGuard::new(config.join_guard.clone(), csrf_key(&config));
        let verifier = SignatureVerifier::new(config.slack.signing_secrets.clone(), clock);
        let router = http::router(Arc::new(HttpState {
            workflow: workflow.clone(),
            verifier,
            max_concurrent: config.max_concurrent_requests,
            body_read_timeout: config.body_read_timeout,
            join: join_guard,
        }));
        let worker = Worker::new(workflow.clone(), config.jobs.clone());
        if config.jobs.workers > 0 {
            // Work another replica queued wakes this worker at once, not at its next poll.
            store
                .watch_due_jobs(workflow.wake_signal())
                .await
                .context("listening for due jobs")?;
        }
        Ok(App {
            config,
            store,
            workflow,
            router,
            worker,
        })
    }

    /// Serves on `listener` with the worker and scheduler until `shutdown`, then stops taking
    /// requests, lets in-flight requests and jobs finish, and hands back job leases.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let worker = tokio::spawn(self.worker.clone().run(shutdown.clone()));
        let scheduler = tokio::spawn(Scheduler::new(self.workflow.clone()).run(shutdown.clone()));
        let socket = match (self.config.mode, &self.config.slack.app_token) {
            (IngressMode::Socket, Some(token)) => Some(tokio::spawn(crate::socket::run(
                self.workflow.clone(),
                token.clone(),
                self.config.socket.clone(),
                shutdown.clone(),
            ))),
            _ => None,
        };
        tracing::info!(
            listen = %listener.local_addr()?,
            database = self.store.backend(),
            slack_api = %self.workflow.slack().api_url(),
            "guestlist serving"
        );
        http::server::serve(
            listener,
            self.router,
            self.config.header_read_timeout,
            shutdown.clone(),
        )
        .await
        .context("HTTP server")?;
        let _ = scheduler.await;
        let _ = worker.await;
        if let Some(socket) = socket {
            socket.await.context("socket mode task")??;
        }
        Ok(())
    }
}

/// The provisioners the configuration names: the deployment's, and each sync rule's own.
pub fn provisioner_for(config: &Config, slack: &SlackApi) -> Provisioners {
    let mut provisioners =
        Provisioners::new(provisioner_of_mode(config, slack, config.provisioning.mode));
    for (rule, mode) in &config.sync.rule_provisioners {
        provisioners = provisioners.with_rule(rule, provisioner_of_mode(config, slack, *mode));
    }
    if config.slack.distribution.is_some() {
        // Each workspace's owner picks its mode in Slack: every mode this deployment can run
        // (SCIM only with its connection configured; Grid's with the installation's admin token).
        for mode in [
            ProvisioningMode::Manual,
            ProvisioningMode::SlackAdmin,
            ProvisioningMode::Scim,
        ] {
            if !provisioners.has_mode(mode)
                && (mode != ProvisioningMode::Scim || config.provisioning.scim.is_some())
            {
                provisioners = provisioners.with_mode(provisioner_of_mode(config, slack, mode));
            }
        }
    }
    provisioners
}

fn provisioner_of_mode(
    config: &Config,
    slack: &SlackApi,
    mode: ProvisioningMode,
) -> SharedProvisioner {
    match mode {
        ProvisioningMode::SlackAdmin => Arc::new(SlackAdminProvisioner::new(slack.clone())),
        ProvisioningMode::Scim => match &config.provisioning.scim {
            Some(scim) => Arc::new(ScimProvisioner::new(scim.clone())),
            None => Arc::new(ManualProvisioner::new(slack.clone())),
        },
        ProvisioningMode::Manual => Arc::new(ManualProvisioner::new(slack.clone())),
    }
}

/// `guestlist serve`: runs until SIGTERM or Ctrl-C, then stops within the grace period.
pub async fn run_serve(config: Config, clock: SharedClock) -> anyhow::Result<()> {
    let listen = config.listen;
    let grace = config.shutdown_grace;
    let app = App::build(config, clock).await?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(app.serve(listener, shutdown.clone()));
    let signal = shutdown_signal().await;
    tracing::info!(signal, grace_seconds = grace.as_secs(), "shutting down");
    shutdown.cancel();
    match tokio::time::timeout(grace, serving).await {
        Ok(Ok(result)) => result?,
        Ok(Err(join)) => return Err(join).context("server task"),
        Err(_) => tracing::warn!("grace period over; leftover job leases will expire on their own"),
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() -> &'static str {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => "SIGINT",
        _ = terminate => "SIGTERM",
    }
}

/// The join page's CSRF key: derived from the signing secret, so every replica accepts the
/// forms of every other; without one (Socket Mode), random per process.
fn csrf_key(config: &Config) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    use secrecy::ExposeSecret;
    match config.slack.signing_secrets.first() {
        Some(secret) => {
            let mut mac =
                hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes())
                    .expect("HMAC takes any key length");
            mac.update(b"guestlist join page csrf v1");
            mac.finalize().into_bytes().to_vec()
        }
        None => rand::random::<[u8; 32]>().to_vec(),
    }
}
