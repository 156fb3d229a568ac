//! Periodic work, enqueued as jobs with a slot-named dedupe key, so any number of replicas may
//! run a scheduler and each slot still runs once. Also keeps the queue and request gauges fresh.

use crate::workflow::{Job, Workflow};
use chrono::{DateTime, Datelike, Timelike, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub struct Scheduler {
    workflow: Arc<Workflow>,
    tick: Duration,
}

impl Scheduler {
    pub fn new(workflow: Arc<Workflow>) -> Self {
        Self {
            workflow,
            tick: Duration::from_secs(15),
        }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let mut interval = tokio::time::interval(self.tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = interval.tick() => {}
            }
            if let Err(e) = self.tick_once().await {
                tracing::warn!(error = %format!("{e:#}"), "scheduler tick failed");
            }
        }
    }

    /// Enqueues the periodic jobs whose slot has come (for each workspace served), refreshes
    /// rotating tokens that run out soon, and refreshes the gauges.
    pub async fn tick_once(&self) -> anyhow::Result<()> {
        let now = self.workflow.clock().now();
        let store = self.workflow.store();
        let max_attempts = self.workflow.settings().max_attempts;
        let everyone = crate::domain::TeamId::from("*");
        store
            .enqueue_jobs(&[Job::Housekeeping.at(
                &everyone,
                now,
                max_attempts,
                Some(format!("housekeeping@{}", hour_slot(now))),
            )])
            .await?;
        self.workflow.refresh_due_installations().await?;
        for (team, tenant) in self.workflow.scheduled_workspaces().await? {
            let work = self.tick_workspace(&team, now, max_attempts);
            if let Err(e) = self.workflow.in_workspace(tenant, work).await {
                tracing::warn!(%team, error = %format!("{e:#}"), "scheduler tick failed for a workspace");
            }
        }
        self.workflow.refresh_gauges().await
    }

    /// One workspace's periodic jobs, in its installation (its settings). Each slot's dedupe
    /// key names the workspace, so replicas racing here enqueue it once.
    async fn tick_workspace(
        &self,
        team: &crate::domain::TeamId,
        now: DateTime<Utc>,
        max_attempts: i64,
    ) -> anyhow::Result<()> {
        let store = self.workflow.store();
        let settings = self.workflow.settings();
        if let Some(every) = settings.reconcile_every {
            let slot = now.timestamp() / every.as_secs().max(60) as i64;
            let job = Job::Reconcile {
                reason: "schedule".into(),
            };
            store
                .enqueue_jobs(&[job.at(
                    team,
                    now,
                    max_attempts,
                    Some(format!("reconcile@{team}@{slot}")),
                )])
                .await?;
        }
        if settings.weekly_digest {
            // One per ISO week, whichever replica gets here first.
            let week = now.iso_week();
            store
                .enqueue_jobs(&[Job::WeeklyDigest.at(
                    team,
                    now,
                    max_attempts,
                    Some(format!("digest@{team}@{}-W{:02}", week.year(), week.week())),
                )])
                .await?;
        }
        if settings.review.every.is_some() && self.workflow.review_due(team).await? {
            // The store keeps one open campaign per workspace: replicas racing here start one.
            let started = self
                .workflow
                .start_review(
                    team,
                    crate::workflow::ReviewStart {
                        scope: Default::default(),
                        answer_within: None,
                        started_by: crate::store::BOT_ACTOR.to_string(),
                    },
                )
                .await?;
            if let crate::workflow::ReviewStarted::Started { campaign, .. } = started {
                tracing::info!(review = campaign.id, "scheduled access review started");
            }
        }
        // No guest outlives their end: whatever became of an expiry's own job, the sweep ends
        // what is past its end (one job per account and end, so running it each tick is cheap).
        self.workflow.sweep_past_their_end(team).await?;
        let sync = &settings.sync;
        if !sync.rules.is_empty() {
            // One slot per interval: whichever replica gets here first enqueues it.
            let slot = now.timestamp() / sync.interval.as_secs().max(60) as i64;
            let job = Job::SyncRun {
                rule: None,
                reason: "schedule".into(),
            };
            store
                .enqueue_jobs(&[job.at(
                    team,
                    now,
                    max_attempts,
                    Some(format!("sync@{team}@{slot}")),
                )])
                .await?;
        }
        if self.workflow.is_distributed() {
            // Slack's own invite requests whose event was missed (org installs with admin scopes).
            let slot = now.timestamp() / 900;
            store
                .enqueue_jobs(&[Job::PollInviteRequests.at(
                    team,
                    now,
                    max_attempts,
                    Some(format!("invite_requests@{team}@{slot}")),
                )])
                .await?;
        }
        Ok(())
    }
}

fn hour_slot(now: DateTime<Utc>) -> String {
    now.with_minute(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(now)
        .format("%Y-%m-%dT%H")
        .to_string()
}
