//! Use cases: what happens when someone runs `/guest`, clicks a button, submits a form, when an
//! event arrives or a job comes due. The HTTP and Socket Mode layers call in here; so does the
//! job worker. This layer decides (with `domain`), records (with `store`) and talks to Slack
//! (with `slack`), and nothing below it knows about the others.

mod authority;
mod commands;
mod directory;
mod events;
mod import;
mod install;
mod interactions;
pub mod job;
mod join;
mod lifecycle;
mod requests;
mod run;
mod settings;
pub mod sync;
mod tenants;
mod workspace;

pub use commands::CommandReply;
pub use directory::{Directory, Person};
pub use import::{IMPORT_BATCH, file_digest};
pub use install::{InstallError, InstallStart, Installed};
pub use interactions::InteractionAck;
pub use job::{Job, JobError};
pub use join::{JoinDoor, JoinOffer, JoinOutcome, JoinView};
pub use lifecycle::{ReviewStart, ReviewStarted};
pub use settings::{
    ApprovalSettings, Escalation, JoinSettings, ProvisioningSettings, ReviewSettings,
    SelfRegistration, SyncSettings, WorkflowSettings,
};
pub use tenants::Tenant;

use crate::clock::SharedClock;
use crate::domain::{TeamId, UserId};
use crate::i18n::Lang;
use crate::provision::{Provisioners, SharedProvisioner};
use crate::slack::SlackApi;
use crate::slack::say::Said;
use crate::store::{NewJob, SharedStore};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::Notify;

pub struct Workflow {
    store: SharedStore,
    slack: SlackApi,
    clock: SharedClock,
    /// The file's settings: every workspace's defaults (see `settings()`).
    defaults: Arc<WorkflowSettings>,
    /// One workspace, or installs through OAuth (see `tenants`).
    tenancy: tenants::Tenancy,
    directory: Directory,
    provisioners: Provisioners,
    /// Keeps group sync within Slack's rate tiers.
    pacer: sync::Pacer,
    home_team: std::sync::OnceLock<TeamId>,
    http: reqwest::Client,
    /// Wakes the job worker when a transaction has queued work, so Slack hears about a
    /// decision in milliseconds rather than at the next poll.
    wake: Arc<Notify>,
    /// This process, for the leases it takes (token refresh).
    replica: String,
}

/// Where to tell someone the outcome of their click: the button's `response_url` (ephemeral,
/// in place), else an ephemeral message in the channel, else a DM.
#[derive(Debug, Clone)]
pub struct Feedback {
    pub user: UserId,
    pub response_url: Option<String>,
    pub channel: Option<String>,
    /// The message the clicked button is on.
    pub message_ts: Option<String>,
}

impl Workflow {
    pub fn new(
        store: SharedStore,
        slack: SlackApi,
        clock: SharedClock,
        settings: WorkflowSettings,
        provisioners: Provisioners,
    ) -> Self {
        let directory = Directory::new(slack.clone(), settings.directory_ttl);
        let pacer = sync::Pacer::new(settings.sync.pace);
        let http = crate::slack::client::http_client(crate::slack::client::CALL_TIMEOUT);
        Self {
            store,
            slack,
            clock,
            defaults: Arc::new(settings),
            tenancy: tenants::Tenancy::Single,
            directory,
            pacer,
            home_team: std::sync::OnceLock::new(),
            provisioners,
            http,
            wake: Arc::new(Notify::new()),
            replica: format!("replica-{}", hex::encode(rand::random::<[u8; 6]>())),
        }
    }

    /// Serves installs through OAuth: each workspace installs Guestlist and brings its tokens.
    pub fn with_distribution(
        mut self,
        client: crate::slack::oauth::OAuthClient,
        cipher: crate::store::cipher::TokenCipher,
        redirect_uri: String,
    ) -> Self {
        self.tenancy = tenants::Tenancy::Distributed(Box::new(tenants::Distributed::new(
            client,
            cipher,
            redirect_uri,
        )));
        self
    }

    /// Only these workspaces (`T…`) and organisations (`E…`) may install; empty: any.
    pub fn with_allowed_installs(mut self, allowed: Vec<String>) -> Self {
        if let tenants::Tenancy::Distributed(d) = &mut self.tenancy {
            d.allowed_installs = allowed;
        }
        self
    }

    /// Who provisions this request: its sync rule's provisioner, else its workspace's
    /// chosen mode, else the deployment's.
    fn provisioner(&self, request: &crate::domain::GuestRequest) -> &SharedProvisioner {
        self.provisioners.for_request(
            request.sync_rule.as_deref(),
            self.tenant().and_then(|t| t.provisioning),
        )
    }

    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    pub fn slack(&self) -> &SlackApi {
        &self.slack
    }

    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The worker waits on this between polls.
    pub fn wake_signal(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    fn queued(&self) {
        self.wake.notify_one();
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn job(&self, team_id: &TeamId, job: Job) -> NewJob {
        job.now(team_id, self.now(), self.settings().max_attempts)
    }

    /// The language `user` reads Slack in (their locale, looked up and cached with the rest of
    /// who they are), else the workspace's.
    pub(crate) async fn lang_of(&self, user: &UserId) -> Lang {
        match self.directory.person(user).await {
            Ok(person) => person
                .locale
                .as_deref()
                .and_then(Lang::from_tag)
                .unwrap_or(self.settings().language),
            Err(e) => {
                tracing::debug!(%user, error = %e, "no locale; using the workspace's language");
                self.settings().language
            }
        }
    }

    /// The language of messages in channels (cards, thread replies, digests).
    pub(crate) fn channel_lang(&self) -> Lang {
        self.settings().language
    }

    /// A message to `channel`: a user's id is a DM (their language), else a channel's.
    pub(crate) async fn lang_of_channel(&self, channel: &str) -> Lang {
        if channel.starts_with(['U', 'W']) {
            self.lang_of(&UserId(channel.to_string())).await
        } else {
            self.channel_lang()
        }
    }

    /// Sets the gauges read from the database: the job queue and requests by state.
    pub async fn refresh_gauges(&self) -> anyhow::Result<()> {
        let stats = self.store.queue_stats(self.now()).await?;
        metrics::gauge!("jobs_queue_depth").set(stats.due as f64);
        metrics::gauge!("jobs_scheduled").set(stats.scheduled as f64);
        metrics::gauge!("jobs_running").set(stats.running as f64);
        metrics::gauge!("jobs_failed").set(stats.failed as f64);
        metrics::gauge!("jobs_oldest_due_age_seconds").set(stats.oldest_due_age_secs as f64);
        let counts = self.store.count_by_state().await?;
        for state in crate::domain::RequestState::ALL {
            let count = counts
                .iter()
                .find(|(s, _)| *s == state)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            metrics::gauge!("requests", "state" => state.as_str()).set(count as f64);
        }
        Ok(())
    }

    /// The workspace this deployment serves (from `auth.test`, asked once).
    pub async fn home_team(&self) -> anyhow::Result<TeamId> {
        if let Some(team) = self.home_team.get() {
            return Ok(team.clone());
        }
        if let Some(tenant) = self.tenant() {
            return Ok(tenant.team.clone());
        }
        if self.is_distributed() {
            anyhow::bail!(
                "this deployment serves every workspace that installed it: name one (--team T…)"
            );
        }
        let answer = self.slack.auth_test().await?;
        let team = TeamId(answer.team_id.0);
        Ok(self.home_team.get_or_init(|| team).clone())
    }

    /// The workspaces periodic work runs for: this deployment's one, or every installed
    /// workspace (an org-wide install: each of its workspaces seen so far), each with the
    /// installation to run it in.
    pub async fn scheduled_workspaces(&self) -> anyhow::Result<Vec<(TeamId, Arc<Tenant>)>> {
        if !self.is_distributed() {
            let team = self.home_team().await?;
            let tenant = self
                .enter(&team, None)
                .await?
                .context("one workspace always has its tenant")?;
            return Ok(vec![(team, tenant)]);
        }
        let mut out = Vec::new();
        for record in self.store.installations().await? {
            let teams = if record.is_enterprise_install {
                self.store.workspaces_of(record.key.as_str()).await?
            } else {
                vec![record.key.clone()]
            };
            for team in teams {
                // One installation that cannot be entered (tokens out, unopenable) does not
                // hold up the others' periodic work.
                match self.enter(&team, record.enterprise_id.as_deref()).await {
                    Ok(Some(tenant)) => out.push((team, tenant)),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(team_id = %team, error = %format!("{e:#}"), "workspace skipped this round");
                    }
                }
            }
        }
        Ok(out)
    }

    /// Runs `work` in a workspace's installation (its tokens, its settings).
    pub async fn in_workspace<F: Future>(&self, tenant: Arc<Tenant>, work: F) -> F::Output {
        self.within(tenant, work).await
    }

    /// `/readyz`: the database answers and is migrated.
    pub async fn readiness(&self) -> anyhow::Result<()> {
        self.store.readiness().await?;
        Ok(())
    }

    /// The job that tells `feedback.user` something, through the best channel available, in
    /// their language.
    fn feedback_job(&self, team_id: &TeamId, feedback: &Feedback, text: impl Into<Said>) -> NewJob {
        self.job(
            team_id,
            Job::Tell {
                user: feedback.user.to_string(),
                response_url: feedback.response_url.clone(),
                channel: feedback.channel.clone(),
                text: text.into(),
            },
        )
    }

    async fn tell(
        &self,
        team_id: &TeamId,
        feedback: &Feedback,
        text: impl Into<Said>,
    ) -> anyhow::Result<()> {
        self.store
            .enqueue_jobs(&[self.feedback_job(team_id, feedback, text)])
            .await?;
        self.queued();
        Ok(())
    }
}

/// Logs an internal error once, at the boundary where it is handled.
fn log_internal(what: &str, error: &anyhow::Error) {
    tracing::error!(error = %format!("{error:#}"), "{what} failed");
}
