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

    /// Enqueues the periodic jobs whose slot has come, and refreshes the gauges.
    pub async fn tick_once(&self) -> anyhow::Result<()> {
        let now = self.workflow.clock().now();
        let store = self.workflow.store();
        let max_attempts = self.workflow.settings().max_attempts;
        let team = crate::domain::TeamId::from("*");
        store
            .enqueue_jobs(&[Job::Housekeeping.at(
                &team,
                now,
                max_attempts,
                Some(format!("housekeeping@{}", hour_slot(now))),
            )])
            .await?;
        if let Some(every) = self.workflow.settings().reconcile_every {
            let slot = now.timestamp() / every.as_secs().max(60) as i64;
            let team = self.workflow.home_team().await?;
            let job = Job::Reconcile {
                reason: "schedule".into(),
            };
            store
                .enqueue_jobs(&[job.at(
                    &team,
                    now,
                    max_attempts,
                    Some(format!("reconcile@{slot}")),
                )])
                .await?;
        }
        if self.workflow.settings().weekly_digest {
            // One per ISO week, whichever replica gets here first.
            let week = now.iso_week();
            let team = self.workflow.home_team().await?;
            store
                .enqueue_jobs(&[Job::WeeklyDigest.at(
                    &team,
                    now,
                    max_attempts,
                    Some(format!("digest@{}-W{:02}", week.year(), week.week())),
                )])
                .await?;
        }
        if self.workflow.settings().review.every.is_some() {
            let team = self.workflow.home_team().await?;
            if self.workflow.review_due(&team).await? {
                // The store keeps one open campaign per workspace: replicas racing here start one.
                let started = self
                    .workflow
                    .start_review(
                        &team,
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
        }
        let sync = &self.workflow.settings().sync;
        if !sync.rules.is_empty() {
            // One slot per interval: whichever replica gets here first enqueues it.
            let slot = now.timestamp() / sync.interval.as_secs().max(60) as i64;
            let team = self.workflow.home_team().await?;
            let job = Job::SyncRun {
                rule: None,
                reason: "schedule".into(),
            };
            store
                .enqueue_jobs(&[job.at(&team, now, max_attempts, Some(format!("sync@{slot}")))])
                .await?;
        }
        self.workflow.refresh_gauges().await
    }
}

fn hour_slot(now: DateTime<Utc>) -> String {
    now.with_minute(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(now)
        .format("%Y-%m-%dT%H")
        .to_string()
}
