//! Group commit for Events API deliveries and plain job enqueues: concurrent writers wait in a
//! queue, one writer takes everything waiting and records it in one transaction (one fsync), then
//! answers each. An event is acknowledged to Slack only after the commit that holds it; a click's
//! reply job is queued by the commit it shares with every other click of that moment.

use super::{EventJob, KnownPerson, NewJob, Recorded, StoreError, StoreResult};
use crate::domain::TeamId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

/// The most deliveries one commit takes (SQLite binds at most 32766 parameters; 4 per row).
pub const MAX_BATCH: usize = 256;

/// One delivery (or, with `event_id` empty, one enqueue of `enqueued` jobs) waiting for the
/// next commit.
#[derive(Debug)]
pub struct PendingEvent {
    pub team_id: TeamId,
    pub event_id: String,
    pub event_type: String,
    pub at: DateTime<Utc>,
    pub job: Option<EventJob>,
    /// Jobs enqueued as they are (no event).
    pub enqueued: Vec<NewJob>,
    /// What was recorded, once it is durable.
    reply: oneshot::Sender<Result<Recorded, String>>,
}

/// What one batch wrote: the event ids recorded for the first time, and those of them whose job
/// was enqueued.
#[derive(Debug, Default)]
pub struct Written {
    pub new: HashSet<String>,
    pub queued: HashSet<String>,
}

/// A backend's way of writing one batch.
#[async_trait]
pub trait BatchWriter: Send + Sync + 'static {
    /// Records the batch in one transaction, with the jobs of its new events.
    async fn write(&self, batch: &[PendingEvent]) -> StoreResult<Written>;

    /// Runs between two batches (SQLite restarts its WAL here now and then).
    async fn between_batches(&self) {}
}

impl PendingEvent {
    /// Whether this entry is an event delivery (rather than a plain enqueue).
    pub fn is_event(&self) -> bool {
        !self.event_id.is_empty()
    }

    /// The job this delivery brings: an unconditional one, or a conditional one when `is_known`
    /// says the store knows its person.
    pub fn kept_job(&self, is_known: impl Fn(&TeamId, &KnownPerson) -> bool) -> Option<&NewJob> {
        let job = self.job.as_ref()?;
        match &job.only_if_known {
            Some(person) if !is_known(&self.team_id, person) => None,
            _ => Some(&job.job),
        }
    }
}

/// The events a batch recorded for the first time (once per id, first delivery wins).
pub fn first_of_new<'a>(
    batch: &'a [PendingEvent],
    new_ids: &HashSet<String>,
) -> Vec<&'a PendingEvent> {
    let mut claimed = HashSet::new();
    batch
        .iter()
        .filter(|e| new_ids.contains(&e.event_id) && claimed.insert(e.event_id.as_str()))
        .collect()
}

/// The people the new events' conditional jobs are about (to look up in one query).
pub fn people_to_check<'a>(new: &[&'a PendingEvent]) -> Vec<(&'a TeamId, &'a KnownPerson)> {
    new.iter()
        .filter_map(|e| {
            let person = e.job.as_ref()?.only_if_known.as_ref()?;
            Some((&e.team_id, person))
        })
        .collect()
}

/// The jobs to enqueue, with the id of the event each comes from: every new event's
/// unconditional job, and a conditional one when `is_known` says the store knows its person.
pub fn jobs_of_new<'a>(
    new: &[&'a PendingEvent],
    is_known: impl Fn(&TeamId, &KnownPerson) -> bool,
) -> Vec<(&'a str, NewJob)> {
    new.iter()
        .filter_map(|e| Some((e.event_id.as_str(), e.kept_job(&is_known)?.clone())))
        .collect()
}

/// The queue's front door, held by the store.
#[derive(Debug, Clone)]
pub struct EventQueue(mpsc::Sender<PendingEvent>);

impl EventQueue {
    /// Starts the writer task; it ends when every `EventQueue` clone is dropped.
    pub fn start(writer: impl BatchWriter) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writer, receiver));
        EventQueue(sender)
    }

    pub async fn record(
        &self,
        team_id: &TeamId,
        event_id: &str,
        event_type: &str,
        at: DateTime<Utc>,
        job: Option<EventJob>,
    ) -> StoreResult<Recorded> {
        let (reply, answer) = oneshot::channel();
        let pending = PendingEvent {
            team_id: team_id.clone(),
            event_id: event_id.to_string(),
            event_type: event_type.to_string(),
            at,
            job,
            enqueued: Vec::new(),
            reply,
        };
        let closed = || StoreError::Corrupt("the event writer has stopped".into());
        self.0.send(pending).await.map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| closed())?
            .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e)))
    }
}

impl EventQueue {
    /// Enqueues jobs in the next group commit.
    pub async fn enqueue(&self, jobs: Vec<NewJob>, at: DateTime<Utc>) -> StoreResult<()> {
        let Some(team_id) = jobs.first().map(|j| j.team_id.clone()) else {
            return Ok(());
        };
        let (reply, answer) = oneshot::channel();
        let pending = PendingEvent {
            team_id,
            event_id: String::new(),
            event_type: String::new(),
            at,
            job: None,
            enqueued: jobs,
            reply,
        };
        let closed = || StoreError::Corrupt("the event writer has stopped".into());
        self.0.send(pending).await.map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| closed())?
            .map(|_| ())
            .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e)))
    }
}

async fn run(writer: impl BatchWriter, mut queue: mpsc::Receiver<PendingEvent>) {
    let mut batch: Vec<PendingEvent> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        writer.between_batches().await;
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        metrics::histogram!("event_group_commit_size").record(batch.len() as f64);
        let started = std::time::Instant::now();
        let written = writer.write(&batch).await;
        metrics::histogram!("event_group_commit_seconds").record(started.elapsed().as_secs_f64());
        match written {
            Ok(mut written) => {
                for pending in batch.drain(..) {
                    // `remove`: if one batch holds the same id twice, only the first is new.
                    let recorded = if written.new.remove(&pending.event_id) {
                        Recorded::New {
                            job_queued: written.queued.contains(&pending.event_id),
                        }
                    } else {
                        Recorded::Duplicate
                    };
                    let _ = pending.reply.send(Ok(recorded));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for pending in batch.drain(..) {
                    let _ = pending.reply.send(Err(message.clone()));
                }
            }
        }
    }
}
