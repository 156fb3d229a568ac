//! Completions committed together: a job that succeeded waits for the next batch, and one
//! statement marks every job finished meanwhile as done (group commit, as for event
//! deliveries). Under load a click's follow-up no longer costs a commit of its own.

use crate::clock::SharedClock;
use crate::store::{SharedStore, StoreResult};
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

/// The most completions one statement takes.
const MAX_BATCH: usize = 256;

type Pending = (i64, oneshot::Sender<Result<bool, String>>);

#[derive(Clone)]
pub(super) struct Completer(mpsc::Sender<Pending>);

impl Completer {
    /// Starts the writer task; it ends when every clone is dropped.
    pub(super) fn start(store: SharedStore, clock: SharedClock, owner: String) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(store, clock, owner, receiver));
        Completer(sender)
    }

    /// Marks the job done; false if its lease was lost meanwhile.
    pub(super) async fn complete(&self, id: i64) -> StoreResult<bool> {
        let (reply, answer) = oneshot::channel();
        let stopped =
            || crate::store::StoreError::Corrupt("the completion writer has stopped".into());
        self.0.send((id, reply)).await.map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(|e| crate::store::StoreError::Database(sqlx::Error::Protocol(e)))
    }
}

async fn run(
    store: SharedStore,
    clock: SharedClock,
    owner: String,
    mut queue: mpsc::Receiver<Pending>,
) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        metrics::histogram!("job_completion_batch_size").record(batch.len() as f64);
        let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        match store.complete_jobs(&ids, &owner, clock.now()).await {
            Ok(done) => {
                let done: HashSet<i64> = done.into_iter().collect();
                for (id, reply) in batch.drain(..) {
                    let _ = reply.send(Ok(done.contains(&id)));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(message.clone()));
                }
            }
        }
    }
}
