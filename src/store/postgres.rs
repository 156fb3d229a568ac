//! PostgreSQL: for several replicas behind a load balancer. Jobs are claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease, so two processes never run the same job. The queries
//! are shared with SQLite (`sql/`); what is Postgres's own is here: the pool, a schema per
//! test, and four statements.

use super::StoreError;
use super::StoreResult;
use super::group_commit::{BatchWriter, EventQueue, PendingEvent, Written};
use super::rows::claimable_jobs;
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Postgres;
type This = PgStore;
const NAME: &str = "postgres";
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Leases due jobs. SKIP LOCKED: a row another replica is claiming right now is left to it.
const CLAIM_JOBS: &str = concat!(
    "WITH due AS (",
    claimable_jobs!(),
    " FOR UPDATE OF j SKIP LOCKED)
     UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2,
            attempts = jobs.attempts + 1, updated_at = $3
     FROM due WHERE jobs.id = due.id
     RETURNING jobs.id, jobs.team_id, jobs.kind, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.run_at"
);
/// Counts the queue (`FILTER` clauses).
const QUEUE_STATS: &str = "SELECT
                 COUNT(*) FILTER (WHERE state = 'queued' AND run_at <= $1),
                 COUNT(*) FILTER (WHERE state = 'queued' AND run_at > $1),
                 COUNT(*) FILTER (WHERE state = 'running'),
                 COUNT(*) FILTER (WHERE state = 'failed'),
                 MIN(run_at) FILTER (WHERE state = 'queued' AND run_at <= $1)
             FROM jobs WHERE state IN ('queued', 'running', 'failed')";
/// Every commit that queues work due now tells the other replicas (delivered at commit, once
/// per transaction however many jobs it queued).
const NOTIFY_DUE_JOBS: Option<&str> = Some("SELECT pg_notify('guestlist_jobs', '')");
/// The channel of `NOTIFY_DUE_JOBS`.
const JOBS_CHANNEL: &str = "guestlist_jobs";
/// The cast tells Postgres the type of a bind that may be NULL.
/// Every open request's email, id, state and sync rule, packed into one text (fields split by
/// U+001F, records by U+001E): 100,000 rows cost one row's round trip instead of 100,000.
const HELD_EMAILS: &str = "SELECT string_agg(id::text || chr(31) || state || chr(31) || COALESCE(sync_rule, '') || chr(31) || email, chr(30))
     FROM requests WHERE team_id = $1 AND kind = 'guest'
       AND state IN ('pending', 'approved', 'invited', 'invite_expired', 'active')";

const AUDIT_SINCE: &str =
    "SELECT id, team_id, request_id, actor, action, from_state, to_state, detail, at
             FROM audit_log WHERE $1::timestamptz IS NULL OR at >= $1 ORDER BY at, id";

/// LISTENs on `JOBS_CHANNEL` on a connection of its own and wakes the worker on every
/// notification; reconnects (sqlx's listener does) when the connection drops, and wakes the
/// worker then too, since notifications sent meanwhile are lost.
async fn listen_for_jobs(
    pool: &PgPool,
    wake: std::sync::Arc<tokio::sync::Notify>,
) -> StoreResult<()> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(JOBS_CHANNEL).await?;
    tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => wake.notify_one(),
                // The connection dropped and was made again: look for work now.
                Ok(None) => wake.notify_one(),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for due jobs failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}

mod shared {
    include!("sql/mod.rs");
}

#[derive(Debug, Clone)]
pub struct PgStore {
    /// One pool serves writes and reads (the same pool under both names, for `sql/`).
    writer: PgPool,
    reader: PgPool,
    /// Event deliveries go through group commit (see `group_commit`).
    events: EventQueue,
}

/// Postgres's side of group commit.
struct PgEvents {
    pool: PgPool,
}

#[async_trait]
impl BatchWriter for PgEvents {
    async fn write(&self, batch: &[PendingEvent]) -> StoreResult<Written> {
        shared::write_event_batch(&self.pool, batch).await
    }
}

impl PgStore {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        Self::connect_with(PgConnectOptions::from_str(url)?, max_connections).await
    }

    /// Connects with every table living in `schema` (created if missing); the contract tests
    /// give each test its own schema so they can run in parallel on one database.
    pub async fn connect_in_schema(
        url: &str,
        schema: &str,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let setup = PgPool::connect(url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS \"{}\"",
            schema.replace('"', "")
        )))
        .execute(&setup)
        .await?;
        setup.close().await;
        let options = PgConnectOptions::from_str(url)?.options([("search_path", schema)]);
        Self::connect_with(options, max_connections).await
    }

    async fn connect_with(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        let events = EventQueue::start(PgEvents { pool: pool.clone() });
        Ok(Self {
            writer: pool.clone(),
            reader: pool,
            events,
        })
    }
}
