//! SQLite: the zero-setup default. One writer connection (SQLite allows one writer at a time,
//! so queueing in the pool beats retrying on SQLITE_BUSY) and a few readers, in WAL mode. The
//! queries are shared with Postgres (`sql/`); what is SQLite's own is here: the connection,
//! background WAL checkpoints, and four statements.

use super::group_commit::{BatchWriter, EventQueue, PendingEvent, Written};
use super::rows::claimable_jobs;
use super::{StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Sqlite;
type This = SqliteStore;
const NAME: &str = "sqlite";
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// Leases due jobs. One statement, so it is atomic; SQLite has a single writer, so no row
/// locks are needed.
const CLAIM_JOBS: &str = concat!(
    "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2,
            attempts = attempts + 1, updated_at = $3
     WHERE id IN (",
    claimable_jobs!(),
    ") RETURNING id, team_id, kind, payload, attempts, max_attempts, run_at"
);
/// Counts the queue (SQLite sums booleans).
const QUEUE_STATS: &str = "SELECT
                 COALESCE(SUM(state = 'queued' AND run_at <= $1), 0),
                 COALESCE(SUM(state = 'queued' AND run_at > $1), 0),
                 COALESCE(SUM(state = 'running'), 0),
                 COALESCE(SUM(state = 'failed'), 0),
                 MIN(CASE WHEN state = 'queued' AND run_at <= $1 THEN run_at END)
             FROM jobs WHERE state IN ('queued', 'running', 'failed')";
/// One process: nobody else to wake.
const NOTIFY_DUE_JOBS: Option<&str> = None;
/// Every open request's email, id, state and sync rule, packed into one text (fields split by
/// U+001F, records by U+001E): 100,000 rows cost one row's round trip instead of 100,000.
const HELD_EMAILS: &str = "SELECT group_concat(CAST(id AS TEXT) || char(31) || state || char(31) || COALESCE(sync_rule, '') || char(31) || email, char(30))
     FROM requests WHERE team_id = $1 AND kind = 'guest'
       AND state IN ('pending', 'approved', 'invited', 'invite_expired', 'active')";

const AUDIT_SINCE: &str =
    "SELECT id, team_id, request_id, actor, action, from_state, to_state, detail, at
             FROM audit_log WHERE $1 IS NULL OR at >= $1 ORDER BY at, id";

/// One process, which wakes its own worker: nothing to listen to.
async fn listen_for_jobs(
    _pool: &SqlitePool,
    _wake: std::sync::Arc<tokio::sync::Notify>,
) -> StoreResult<()> {
    Ok(())
}

mod shared {
    include!("sql/mod.rs");
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Event deliveries go through group commit (see `group_commit`).
    events: EventQueue,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file named by a `sqlite:` URL.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives power loss, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        // No automatic checkpoints on the writer: a checkpoint inside a commit stalls every
        // request waiting on that commit. A background task checkpoints instead (below).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let events = EventQueue::start(SqliteEvents {
            pool: writer.clone(),
            last_restart: std::sync::Mutex::new(std::time::Instant::now()),
        });
        tokio::spawn(checkpoint_wal(reader.clone()));
        Ok(Self {
            writer,
            reader,
            events,
        })
    }
}

/// Copies the WAL back into the database file now and then, off the write path. PASSIVE never
/// waits for the writer, so requests do not notice. Ends when the pool closes.
async fn checkpoint_wal(pool: SqlitePool) {
    let mut every = tokio::time::interval(Duration::from_millis(250));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::debug!(error = %e, "WAL checkpoint skipped");
        }
    }
}

/// How often the event writer restarts the WAL (see `between_batches`).
const WAL_RESTART_EVERY: Duration = Duration::from_secs(2);

/// SQLite's side of group commit.
struct SqliteEvents {
    pool: SqlitePool,
    last_restart: std::sync::Mutex<std::time::Instant>,
}

#[async_trait]
impl BatchWriter for SqliteEvents {
    async fn write(&self, batch: &[PendingEvent]) -> StoreResult<Written> {
        shared::write_event_batch(&self.pool, batch).await
    }

    /// Now and then, restart the WAL from its beginning. The background checkpoints did the
    /// copying, so this is short, and the WAL file stops growing (a growing file makes every
    /// commit's fsync slower).
    async fn between_batches(&self) {
        {
            let mut last = self.last_restart.lock().expect("restart clock");
            if last.elapsed() < WAL_RESTART_EVERY {
                return;
            }
            *last = std::time::Instant::now();
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(RESTART)")
            .execute(&self.pool)
            .await
        {
            tracing::debug!(error = %e, "WAL restart skipped");
        }
    }
}
