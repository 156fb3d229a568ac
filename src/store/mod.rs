//! Persistence: a few traits, one per concern (the job queue, requests and accounts, sync and
//! import, audit, the event log), implemented by two backends (SQLite, the zero-setup default,
//! and PostgreSQL, for several replicas). The SQL is written once (`sql/`, compiled for each
//! backend); only the statements that truly differ live in `sqlite.rs` and `postgres.rs`.
//! Every method that changes state is one transaction; a compare-and-set on the state column
//! decides races. Each method's time is measured (`store_query_seconds{method}`).

pub mod cipher;
mod group_commit;
mod model;
mod postgres;
mod rows;
mod sqlite;
mod url;

// `sql/` is compiled inside each backend (see `sqlite.rs`); this line only lets `cargo fmt`
// reach it.
#[cfg(any())]
mod sql;

pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use url::redact_url;

use crate::domain::{
    GuestRequest, NewRequest, RequestId, RequestState, TeamId, UserId, request::CardRef,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub type SharedStore = Arc<dyn Store>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database has {missing} migration(s) not applied yet")]
    NotMigrated { missing: usize },
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether trying again later may succeed (the database was unreachable or busy), as
    /// opposed to data or schema trouble that needs a person.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => is_transient(e),
            StoreError::Migrate(_) | StoreError::NotMigrated { .. } | StoreError::Corrupt(_) => {
                false
            }
        }
    }
}

/// Whether a database error is the kind that passes: a connection lost or refused, a pool
/// exhausted, SQLite busy or locked, a Postgres serialization failure, deadlock, too many
/// connections or an administrator's shutdown.
pub fn is_transient(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_)
    ) || e
        .as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| matches!(&*code, "5" | "6" | "40001" | "40P01" | "53300" | "57P01"))
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store named by a `DATABASE_URL` (`sqlite:` or `postgres:`).
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<SharedStore> {
    use anyhow::Context;
    // sqlx's own errors may quote the URL (a bad option, an unparseable port): they are
    // reported with every secret of the URL replaced.
    let scrub = |e: StoreError| anyhow::anyhow!("{}", url::scrub_secrets(&e.to_string(), url));
    if url.starts_with("sqlite:") {
        let store = SqliteStore::connect(url)
            .await
            .map_err(scrub)
            .with_context(|| format!("opening SQLite database {}", redact_url(url)))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let store = PgStore::connect(url, max_connections)
            .await
            .map_err(scrub)
            .with_context(|| format!("connecting to PostgreSQL at {}", redact_url(url)))?;
        Ok(Arc::new(store))
    } else {
        anyhow::bail!("DATABASE_URL must start with sqlite: or postgres:")
    }
}

/// Runs one store method and records how long it took (bors measures every query the same way).
async fn measured<T>(
    backend: &'static str,
    method: &'static str,
    work: impl Future<Output = StoreResult<T>>,
) -> StoreResult<T> {
    let started = std::time::Instant::now();
    let result = work.await;
    metrics::histogram!("store_query_seconds", "backend" => backend, "method" => method)
        .record(started.elapsed().as_secs_f64());
    if let Err(e) = &result {
        tracing::debug!(store.method = method, error = %e, "store call failed");
    }
    result
}

/// A store: every concern, plus the schema.
#[async_trait]
pub trait Store:
    EventLog
    + JobQueue
    + Requests
    + Votes
    + SyncImport
    + Audit
    + InviteLinks
    + Inventory
    + Reviews
    + Installations
    + Send
    + Sync
    + 'static
{
    /// Which backend this is, for logs and `/readyz`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;

    /// The database answers and every migration this build knows is applied.
    async fn readiness(&self) -> StoreResult<()>;
}

/// What Slack told us happened: event deliveries (recorded once) and user group changes.
#[async_trait]
pub trait EventLog: Send + Sync {
    /// Records an event delivery, and the job that handles it (if it is about someone known,
    /// when it says so), once: `Recorded::Duplicate` when the event id was already taken (a
    /// Slack retry), in which case nothing is written.
    async fn record_event(
        &self,
        team_id: &TeamId,
        event_id: &str,
        event_type: &str,
        at: DateTime<Utc>,
        job: Option<EventJob>,
    ) -> StoreResult<Recorded>;

    /// Forgets deliveries older than `before` (Slack stops retrying after minutes).
    async fn purge_events(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// Bumps a user group's version (its members changed): every replica's cached members of
    /// it are stale from now on.
    async fn bump_usergroup_version(&self, team_id: &TeamId, usergroup: &str) -> StoreResult<()>;

    /// The current version of each of these groups (0 for one never bumped).
    async fn usergroup_versions(
        &self,
        team_id: &TeamId,
        usergroups: &[String],
    ) -> StoreResult<Vec<(String, i64)>>;
}

/// The durable job queue: leases, retries, serial keys and timers.
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<()>;

    /// Leases up to `limit` due jobs to `owner` until `lease_until`, including jobs whose
    /// previous lease ran out (their owner died). Never hands one job to two owners.
    /// A job with a serial key waits while an earlier job of that key is running, due, or
    /// waiting to be retried (it has failed before: `last_error` is set); an earlier timer that
    /// is simply not due yet does not hold it back.
    async fn claim_jobs(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedJob>>;

    /// Marks a job done; false if the lease was lost meanwhile.
    async fn complete_job(&self, id: i64, owner: &str, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Marks several of `owner`'s jobs done in one statement; returns those it still held.
    async fn complete_jobs(
        &self,
        ids: &[i64],
        owner: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>>;

    /// Puts a job back for `run_at`. `count_attempt = false` for rate limits, which are
    /// Slack asking us to wait, not a failure.
    async fn retry_job(
        &self,
        id: i64,
        owner: &str,
        run_at: DateTime<Utc>,
        error: &str,
        count_attempt: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Gives up on a job for good.
    async fn fail_job(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Wakes `wake` whenever another process commits work that is due now (Postgres: LISTEN on
    /// the channel every such commit NOTIFYs). SQLite has one process, which wakes itself.
    async fn watch_due_jobs(&self, wake: std::sync::Arc<tokio::sync::Notify>) -> StoreResult<()>;

    /// Hands back jobs leased to `owner` that it will not run (on shutdown).
    async fn release_leases(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64>;

    /// Keeps a long job's lease alive; false if the lease was lost.
    async fn extend_lease(&self, id: i64, owner: &str, until: DateTime<Utc>) -> StoreResult<bool>;

    async fn queue_stats(&self, now: DateTime<Utc>) -> StoreResult<QueueStats>;

    /// Deletes finished jobs older than `before`.
    async fn purge_finished_jobs(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// Requests and the accounts they become.
#[async_trait]
pub trait Requests: Send + Sync {
    /// Stores a new request with its audit row and jobs, unless its email already has an open
    /// request or account, or (an extension) its guest already has a pending extension; both
    /// are enforced by unique indexes, so races are caught too.
    async fn create_request(
        &self,
        new: &NewRequest,
        state: RequestState,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: JobsFor,
    ) -> StoreResult<CreateOutcome>;

    async fn get_request(
        &self,
        team_id: &TeamId,
        id: RequestId,
    ) -> StoreResult<Option<GuestRequest>>;

    /// The request made for this Slack invite request, whatever became of it.
    async fn request_for_invite_request(
        &self,
        team_id: &TeamId,
        invite_request: &str,
    ) -> StoreResult<Option<GuestRequest>>;

    /// The open request or account holding this phone number, if any.
    async fn open_request_for_phone(
        &self,
        team_id: &TeamId,
        phone: &str,
    ) -> StoreResult<Option<GuestRequest>>;

    /// The open request or account holding this email, if any.
    async fn open_request_for_email(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<GuestRequest>>;

    /// `UPDATE … WHERE state = from`: exactly one of several racing changes applies.
    async fn change_state(&self, change: StateChange) -> StoreResult<ChangeOutcome>;

    /// Remembers where a request's card was posted and which version it shows.
    async fn set_card(
        &self,
        team_id: &TeamId,
        id: RequestId,
        card: &CardRef,
        shown_version: i64,
    ) -> StoreResult<()>;

    /// Records that the card now shows `shown_version`.
    async fn set_card_version(
        &self,
        team_id: &TeamId,
        id: RequestId,
        shown_version: i64,
    ) -> StoreResult<()>;

    /// A requester's requests, newest first.
    async fn requests_by_requester(
        &self,
        team_id: &TeamId,
        requester: &UserId,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// A workspace's live guest accounts (approved, invited, invitation lapsed, active) whose
    /// end is before `before`, soonest first: what the sweep checks nobody forgot to end.
    async fn past_their_end(
        &self,
        team_id: &TeamId,
        before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// How many requests the public page (invite links, self-registration) made for emails in
    /// `domain` since `since`.
    async fn join_requests_for_domain(
        &self,
        team_id: &TeamId,
        domain: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;

    /// Requests in a state, oldest first.
    async fn requests_in_state(
        &self,
        team_id: &TeamId,
        state: RequestState,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// Live guest accounts (approved, invited, invitation lapsed, active) of every workspace,
    /// by id, `limit` at a time after `after` (the inventory, paged).
    async fn live_accounts(
        &self,
        after: Option<RequestId>,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// Moves a live account to a new sponsor, unless its sponsor is no longer `from` (a
    /// compare-and-set), with its audit row (whose time is the change's) and jobs. Returns the
    /// request after the change.
    async fn reassign_sponsor(
        &self,
        team_id: &TeamId,
        id: RequestId,
        from: &UserId,
        to: &UserId,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Option<GuestRequest>>;

    /// Records a live account's channels as they are in Slack now, with its audit row and
    /// jobs; false (nothing written) if the account is no longer live.
    async fn set_channels(
        &self,
        team_id: &TeamId,
        id: RequestId,
        channels: &[crate::domain::ChannelId],
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<bool>;

    /// The extension requests of an account, oldest first.
    async fn requests_by_parent(
        &self,
        team_id: &TeamId,
        parent: RequestId,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// One request by id, whatever its workspace (operators' reports).
    async fn request_by_id(&self, id: RequestId) -> StoreResult<Option<GuestRequest>>;

    /// The guest requests bound to this Slack user id (in the home workspace), newest first.
    async fn requests_bound_to(
        &self,
        team_id: &TeamId,
        slack_user_id: &str,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// The account (approved, invited or active) held by an email, if any.
    async fn account_for_email(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<GuestRequest>>;

    /// The newest guest request for this email, in any state.
    async fn latest_guest_request(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<GuestRequest>>;

    /// When the last invitation to this email went out, by any path.
    async fn last_invitation(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<DateTime<Utc>>>;

    /// Counts by state, for the `requests` gauge.
    async fn count_by_state(&self) -> StoreResult<Vec<(RequestState, i64)>>;
}

/// Many requests at once: group sync and CSV import.
/// Approvals: votes of several approvers, counted per round.
#[async_trait]
pub trait Votes: Send + Sync {
    /// Records a vote and, when the votes decide the request, the decision, in one
    /// transaction (see `VoteCast`).
    async fn cast_vote(&self, cast: VoteCast) -> StoreResult<VoteOutcome>;

    /// The votes of one round, oldest first.
    async fn votes(
        &self,
        team_id: &TeamId,
        id: RequestId,
        round: i64,
    ) -> StoreResult<Vec<crate::domain::quorum::Vote>>;
}

#[async_trait]
pub trait SyncImport: Send + Sync {
    /// Creates requests already approved, in one transaction, each with its audit row and jobs.
    /// An email that already has an open request or account is skipped, not an error.
    async fn create_approved(
        &self,
        batch: &[NewRequest],
        approval: &Approval,
        now: DateTime<Utc>,
        jobs: JobsForEach,
    ) -> StoreResult<Vec<GuestRequest>>;

    /// Every open request or account (and lapsed invitation) of a workspace, by email.
    async fn held_emails(&self, team_id: &TeamId) -> StoreResult<Vec<HeldEmail>>;

    /// The phone numbers of a workspace's open requests and accounts, with who holds each.
    async fn held_phones(
        &self,
        team_id: &TeamId,
    ) -> StoreResult<Vec<(String, RequestId, RequestState)>>;

    /// Keeps a plan the blast-radius guard stopped; older held plans of the rule are superseded.
    async fn hold_plan(
        &self,
        team_id: &TeamId,
        rule: &str,
        plan: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;

    /// Takes a held plan to apply it (once: a second taker gets `None`), as `(rule, plan)`.
    async fn take_held_plan(
        &self,
        team_id: &TeamId,
        id: i64,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(String, String)>>;
}

/// Invite links: created by a sponsor in Slack, redeemed on the join page.
#[async_trait]
pub trait InviteLinks: Send + Sync {
    /// Stores a new link with its audit row.
    async fn create_link(
        &self,
        link: &crate::domain::join::NewInviteLink,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreResult<crate::domain::join::InviteLink>;

    /// The link whose token hashes to this, in whatever state.
    async fn link_by_token_hash(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<crate::domain::join::InviteLink>>;

    async fn get_link(
        &self,
        team_id: &TeamId,
        id: i64,
    ) -> StoreResult<Option<crate::domain::join::InviteLink>>;

    /// A sponsor's links that are not revoked and still valid, newest first.
    async fn open_links_of(
        &self,
        team_id: &TeamId,
        sponsor: &UserId,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<crate::domain::join::InviteLink>>;

    /// Revokes a link once (`None` when it was already revoked), with its audit row and jobs.
    async fn revoke_link(
        &self,
        team_id: &TeamId,
        id: i64,
        by: &UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Option<crate::domain::join::InviteLink>>;

    /// Uses a link for one request, in one transaction: the link's use is taken by a
    /// compare-and-set (still open, not revoked, a use left), then the request is stored,
    /// pending, with its audit row and jobs. A link with
    /// no use left gives `LinkClosed` and stores nothing; an email already held gives
    /// `Duplicate` and spends no use.
    async fn redeem_link(
        &self,
        link_id: i64,
        new: &NewRequest,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: JobsFor,
    ) -> StoreResult<RedeemOutcome>;
}

/// What reconciliation found in Slack that Guestlist does not manage.
#[async_trait]
pub trait Inventory: Send + Sync {
    /// Replaces a workspace's unmanaged guests with what one run saw (`first_seen` is kept for
    /// those seen before), in one transaction.
    async fn replace_unmanaged(
        &self,
        team_id: &TeamId,
        seen: &[UnmanagedGuest],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Unmanaged guests (of one workspace, or all), by name.
    async fn unmanaged_guests(
        &self,
        team_id: Option<&TeamId>,
        limit: i64,
    ) -> StoreResult<Vec<UnmanagedGuest>>;

    /// Every Slack user id a live account of this workspace is bound to (an ended one that is
    /// active again in Slack is unmanaged: approvers may adopt it).
    async fn bound_user_ids(&self, team_id: &TeamId) -> StoreResult<Vec<String>>;

    /// Forgets one (it was adopted).
    async fn forget_unmanaged(&self, team_id: &TeamId, slack_user_id: &str) -> StoreResult<()>;
}

/// Access review campaigns and their items.
#[async_trait]
pub trait Reviews: Send + Sync {
    /// Stores a campaign, its items, its audit row and the jobs `jobs_for` makes from its id, in
    /// one transaction; `None` (nothing written) while another campaign of the workspace is open.
    async fn create_review(
        &self,
        review: &NewReview,
        audit: AuditEntry,
        jobs_for: Box<dyn FnOnce(i64) -> Vec<NewJob> + Send>,
    ) -> StoreResult<Option<ReviewCampaign>>;

    async fn get_review(&self, team_id: &TeamId, id: i64) -> StoreResult<Option<ReviewCampaign>>;

    /// The open campaign of a workspace, if any.
    async fn open_review(&self, team_id: &TeamId) -> StoreResult<Option<ReviewCampaign>>;

    /// The workspace's latest campaign (open or not).
    async fn latest_review(&self, team_id: &TeamId) -> StoreResult<Option<ReviewCampaign>>;

    /// A campaign's items, by sponsor then id.
    async fn review_items(
        &self,
        team_id: &TeamId,
        campaign_id: i64,
    ) -> StoreResult<Vec<ReviewItem>>;

    async fn review_item(&self, team_id: &TeamId, item_id: i64) -> StoreResult<Option<ReviewItem>>;

    /// Records where the items' message (the sponsor's DM, or the approvers') was posted.
    async fn set_review_message(
        &self,
        team_id: &TeamId,
        item_ids: &[i64],
        which: ReviewMessage,
        channel: &str,
        ts: &str,
    ) -> StoreResult<()>;

    /// Records where the campaign's progress message was posted.
    async fn set_review_progress(
        &self,
        team_id: &TeamId,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> StoreResult<()>;

    /// One answer, by compare-and-set on the item's state (see `ReviewAnswer`).
    async fn answer_review(&self, answer: ReviewAnswer) -> StoreResult<AnswerOutcome>;

    /// Closes an open campaign (false: it was closed already), with its audit row and jobs.
    async fn close_review(
        &self,
        team_id: &TeamId,
        id: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<bool>;
}

/// Installations of the app (OAuth), the OAuth flows under way, and what each workspace set
/// for itself. Tokens arrive and leave sealed.
#[async_trait]
pub trait Installations: Send + Sync {
    /// Stores an installation (a new one, or a reinstall over an old one), with its audit row.
    /// A reinstall keeps the first installer: whoever may authorize the app again does not
    /// thereby get the right to change the workspace's settings.
    async fn save_installation(
        &self,
        installation: &InstallationRecord,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()>;

    /// The installation keyed by a workspace or an organisation id.
    async fn installation(&self, key: &TeamId) -> StoreResult<Option<InstallationRecord>>;

    /// Every installation (for `guestlist installations`, the refresh sweep and rekeying).
    async fn installations(&self) -> StoreResult<Vec<InstallationRecord>>;

    /// Removes an installation and what it set (`app_uninstalled`, a revoked bot token) if it
    /// was (re)installed before `installed_before` (a late event does not undo a reinstall);
    /// false if there was none.
    async fn remove_installation(
        &self,
        key: &TeamId,
        installed_before: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreResult<bool>;

    /// Drops the user token of an installation (`tokens_revoked` naming its user).
    async fn remove_user_token(
        &self,
        key: &TeamId,
        user_id: &str,
        audit: AuditEntry,
    ) -> StoreResult<bool>;

    /// Takes the refresh lease of an installation until `until`, if nobody holds it; returns
    /// the installation as it is then.
    async fn lease_refresh(
        &self,
        key: &TeamId,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<InstallationRecord>>;

    /// Stores refreshed tokens if `owner` still holds the lease (compare-and-set) and frees it;
    /// false if the installation was reinstalled or removed meanwhile. A user token removed
    /// meanwhile (`tokens_revoked`) stays removed.
    async fn store_refreshed(
        &self,
        key: &TeamId,
        owner: &str,
        bot: &SealedTokens,
        user: Option<&SealedTokens>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Frees a refresh lease without storing anything (the refresh failed).
    async fn release_refresh(&self, key: &TeamId, owner: &str) -> StoreResult<()>;

    /// Records that a workspace belongs to an organisation (from a request that said so).
    async fn remember_workspace(
        &self,
        team: &TeamId,
        enterprise: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The organisation a workspace belongs to, if one was seen.
    async fn workspace_enterprise(&self, team: &TeamId) -> StoreResult<Option<String>>;

    /// The workspaces seen of an organisation.
    async fn workspaces_of(&self, enterprise: &str) -> StoreResult<Vec<TeamId>>;

    /// Spends an OAuth `state` (its nonce's hash); false if it was spent before.
    async fn spend_oauth_state(&self, nonce_hash: &str, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Forgets spent OAuth states older than `before` (a state is refused by its signature's
    /// age long before this; the rows only stop a replay within it).
    async fn purge_oauth_states(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// Records which workspace a spent `state` installed into.
    async fn oauth_state_installed(&self, nonce_hash: &str, team: &TeamId) -> StoreResult<()>;

    async fn workspace_settings(
        &self,
        team: &TeamId,
    ) -> StoreResult<Option<WorkspaceSettingsRecord>>;

    async fn save_workspace_settings(
        &self,
        settings: &WorkspaceSettingsRecord,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()>;
}

/// The append-only audit log.
#[async_trait]
pub trait Audit: Send + Sync {
    async fn append_audit(&self, entry: AuditEntry, jobs: Vec<NewJob>) -> StoreResult<()>;

    /// Audit rows since `since` (all when `None`), oldest first.
    async fn audit_since(&self, since: Option<DateTime<Utc>>) -> StoreResult<Vec<AuditRecord>>;

    async fn audit_for_request(
        &self,
        team_id: &TeamId,
        id: RequestId,
    ) -> StoreResult<Vec<AuditRecord>>;
}

/// Reads for operators and tests, never used by the bot itself.
#[async_trait]
pub trait Inspect: Send + Sync {
    /// Jobs of one kind, newest first.
    async fn jobs_of_kind(&self, kind: &str, limit: i64) -> StoreResult<Vec<JobRecord>>;

    /// How many invitations this email has been sent.
    async fn invitation_count(&self, team_id: &TeamId, email: &str) -> StoreResult<i64>;
}
