//! The durable queue's engine: a worker that leases due jobs and runs them through the
//! workflow, with retries, backoff and Slack's `Retry-After`; and a scheduler for periodic work.
//! Timers are ordinary jobs with a `run_at` in the future, so they survive restarts.

mod complete;
mod scheduler;

pub use scheduler::Scheduler;

use crate::clock::SharedClock;
use crate::domain::TeamId;
use crate::store::{ClaimedJob, SharedStore};
use crate::workflow::{Job, JobError, Workflow};
use chrono::Duration as ChronoDuration;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// How the worker runs: concurrency, attempts, backoff, leases.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSettings {
    /// Jobs run at once by one process.
    pub workers: usize,
    pub max_attempts: i64,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A claimed job is someone else's to take after this long without an answer.
    pub lease: Duration,
    pub poll_interval: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            // Jobs wait on Slack, not on the CPU; Slack's limits are kept by Retry-After.
            workers: 16,
            max_attempts: 8,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
        }
    }
}

/// The delay before retry `attempt` (1-based): exponential, capped, with "equal jitter" (a random
/// point in the upper half) so failed jobs do not come back in lockstep.
pub fn backoff(attempt: i64, base: Duration, max: Duration) -> Duration {
    let exponent = attempt.saturating_sub(1).clamp(0, 30) as u32;
    let full = base.saturating_mul(2u32.saturating_pow(exponent)).min(max);
    let half = full / 2;
    half + Duration::from_micros(rand::random_range(0..=half.as_micros().max(1) as u64))
}

/// What runs a job: the workflow, in production.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run_job(&self, team: &TeamId, job: Job) -> Result<(), JobError>;
}

#[async_trait::async_trait]
impl JobHandler for Workflow {
    async fn run_job(&self, team: &TeamId, job: Job) -> Result<(), JobError> {
        Workflow::run_job(self, team, job).await
    }
}

#[derive(Clone)]
pub struct Worker {
    handler: Arc<dyn JobHandler>,
    store: SharedStore,
    clock: SharedClock,
    wake: Arc<Notify>,
    settings: JobSettings,
    owner: String,
    completer: complete::Completer,
}

/// What happened to one run of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Done,
    Retried,
    Failed,
    /// The lease was lost before we could record the result (another owner has it now).
    LeaseLost,
}

impl Worker {
    pub fn new(workflow: Arc<Workflow>, settings: JobSettings) -> Self {
        let (store, clock, wake) = (
            workflow.store().clone(),
            workflow.clock().clone(),
            workflow.wake_signal(),
        );
        Self::with_handler(workflow, store, clock, wake, settings)
    }

    /// A worker running jobs through any handler (tests give it one that misbehaves).
    pub fn with_handler(
        handler: Arc<dyn JobHandler>,
        store: SharedStore,
        clock: SharedClock,
        wake: Arc<Notify>,
        settings: JobSettings,
    ) -> Self {
        let owner = format!(
            "{}-{}-{:04x}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "guestlist".into()),
            std::process::id(),
            rand::random::<u16>()
        );
        let completer = complete::Completer::start(store.clone(), clock.clone(), owner.clone());
        Self {
            handler,
            store,
            clock,
            wake,
            settings,
            owner,
            completer,
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn lease(&self) -> ChronoDuration {
        ChronoDuration::from_std(self.settings.lease).unwrap_or(ChronoDuration::seconds(60))
    }

    async fn claim(&self, limit: i64) -> anyhow::Result<Vec<ClaimedJob>> {
        let now = self.clock.now();
        Ok(self
            .store
            .claim_jobs(&self.owner, now, now + self.lease(), limit)
            .await?)
    }

    /// Runs until `shutdown`, then finishes the jobs in hand and hands back its leases.
    pub async fn run(self, shutdown: CancellationToken) {
        if self.settings.workers == 0 {
            tracing::info!("job worker off (jobs.workers = 0): other replicas run the jobs");
            return;
        }
        let permits = Arc::new(Semaphore::new(self.settings.workers));
        let tracker = TaskTracker::new();
        let wake = self.wake.clone();
        tracing::info!(owner = %self.owner, workers = self.settings.workers, "job worker started");
        while !shutdown.is_cancelled() {
            let free = permits.available_permits();
            if free > 0 {
                match self.claim(free as i64).await {
                    Ok(jobs) => {
                        for job in jobs {
                            let permit = permits
                                .clone()
                                .acquire_owned()
                                .await
                                .expect("semaphore open");
                            let worker = self.clone();
                            let wake = wake.clone();
                            tracker.spawn(async move {
                                worker.execute(job).await;
                                drop(permit);
                                // A slot is free and the job may have queued more: look again.
                                wake.notify_one();
                            });
                        }
                    }
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "claiming jobs failed"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracker.close();
        tracker.wait().await;
        match self
            .store
            .release_leases(&self.owner, self.clock.now())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "job leases released"),
            Err(e) => tracing::warn!(error = %e, "releasing job leases failed"),
        }
        tracing::info!(owner = %self.owner, "job worker stopped");
    }

    /// Runs every job due now, one after another, until none is left (tests, `demo`).
    /// Returns how many runs happened.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let mut runs = 0;
        loop {
            let jobs = self.claim(16).await?;
            if jobs.is_empty() {
                return Ok(runs);
            }
            for job in jobs {
                self.execute(job).await;
                runs += 1;
            }
        }
    }

    /// Renews the job's lease every third of a lease until aborted.
    fn keep_lease(&self, id: i64) -> tokio::task::JoinHandle<()> {
        let (store, clock, owner, lease) = (
            self.store.clone(),
            self.clock.clone(),
            self.owner.clone(),
            self.settings.lease,
        );
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                let until = clock.now()
                    + ChronoDuration::from_std(lease).unwrap_or(ChronoDuration::seconds(60));
                match store.extend_lease(id, &owner, until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(error = %e, "could not renew a job lease"),
                }
            }
        })
    }

    /// Runs the handler in a task of its own, within the kind's time limit, with the lease
    /// renewed meanwhile (a long job such as a group sync keeps it; a hung one is given up).
    async fn run_with_limits(&self, claimed: &ClaimedJob, job: Job) -> Result<(), JobError> {
        let heartbeat = self.keep_lease(claimed.id);
        let limit = job.properties().time_limit;
        let mut handler = {
            let (handler, team) = (self.handler.clone(), claimed.team_id.clone());
            tokio::spawn(
                async move { handler.run_job(&team, job).await }
                    .instrument(tracing::Span::current()),
            )
        };
        let result = match tokio::time::timeout(limit, &mut handler).await {
            Ok(Ok(result)) => result,
            Ok(Err(joined)) => Err(JobError::fatal(format!(
                "the handler panicked: {}",
                panic_message(joined)
            ))),
            Err(_) => {
                handler.abort();
                Err(JobError::retry(format!(
                    "took longer than {}s",
                    limit.as_secs()
                )))
            }
        };
        heartbeat.abort();
        result
    }

    /// Runs one leased job and records the outcome. The handler runs in a task of its own: if
    /// it panics, the job fails at once (a panic is a bug, not something a retry fixes), so its
    /// lease and its serial key are released now rather than when the lease runs out.
    pub async fn execute(&self, job: ClaimedJob) -> RunOutcome {
        let span = tracing::info_span!("job", job.id = job.id, job.kind = %job.kind, job.attempt = job.attempts);
        self.execute_in_span(job).instrument(span).await
    }

    async fn execute_in_span(&self, job: ClaimedJob) -> RunOutcome {
        let store = &self.store;
        let parsed = serde_json::from_value::<Job>(job.payload.clone());
        let result = match parsed {
            // Its last lease ran out (its process died) on the final attempt.
            _ if job.attempts > job.max_attempts => Err(JobError::fatal(format!(
                "gave up after {} attempts",
                job.max_attempts
            ))),
            Err(e) => Err(JobError::fatal(format!("unreadable job payload: {e}"))),
            Ok(parsed) => self.run_with_limits(&job, parsed).await,
        };
        let now = self.clock.now();
        let recorded = match &result {
            Ok(()) => self
                .completer
                .complete(job.id)
                .await
                .map(|ok| (ok, RunOutcome::Done)),
            Err(JobError::Retry {
                reason,
                after,
                rate_limited,
            }) if *rate_limited || job.attempts < job.max_attempts => {
                let delay = match after {
                    // Slack said how long; a little jitter keeps replicas from returning together.
                    Some(after) => *after + Duration::from_millis(rand::random_range(0..250)),
                    None => backoff(
                        job.attempts,
                        self.settings.backoff_base,
                        self.settings.backoff_max,
                    ),
                };
                let run_at =
                    now + ChronoDuration::from_std(delay).unwrap_or(ChronoDuration::seconds(1));
                tracing::warn!(error = %reason, retry_in_ms = delay.as_millis() as u64, "job will be retried");
                store
                    .retry_job(job.id, &self.owner, run_at, reason, !rate_limited, now)
                    .await
                    .map(|ok| (ok, RunOutcome::Retried))
            }
            Err(e) => {
                tracing::error!(error = %e, attempts = job.attempts, "job failed for good");
                store
                    .fail_job(job.id, &self.owner, &e.to_string(), now)
                    .await
                    .map(|ok| (ok, RunOutcome::Failed))
            }
        };
        let outcome = match recorded {
            Ok((true, outcome)) => outcome,
            Ok((false, _)) => {
                tracing::warn!("job lease was lost before its result was recorded");
                RunOutcome::LeaseLost
            }
            Err(e) => {
                tracing::error!(error = %e, "recording a job result failed; its lease will expire");
                RunOutcome::LeaseLost
            }
        };
        let label = match outcome {
            RunOutcome::Done => "done",
            RunOutcome::Retried => "retried",
            RunOutcome::Failed => "failed",
            RunOutcome::LeaseLost => "lease_lost",
        };
        metrics::counter!("jobs_total", "kind" => job.kind.clone(), "outcome" => label)
            .increment(1);
        outcome
    }
}

/// What a panicking handler said, for the job's `last_error`.
fn panic_message(joined: tokio::task::JoinError) -> String {
    if !joined.is_panic() {
        return joined.to_string();
    }
    let payload = joined.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let base = Duration::from_secs(2);
        let max = Duration::from_secs(600);
        for attempt in 1..=12 {
            let full = (base * 2u32.pow(attempt as u32 - 1)).min(max);
            for _ in 0..50 {
                let delay = backoff(attempt, base, max);
                assert!(
                    delay >= full / 2 && delay <= full,
                    "attempt {attempt}: {delay:?} outside {full:?}"
                );
            }
        }
        assert!(backoff(1000, base, max) <= max);
    }
}
