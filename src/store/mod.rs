//! Persistence: one trait with a method per use case, and two implementations (SQLite, the
//! zero-setup default, and PostgreSQL, for several replicas). Every method that changes state
//! is one transaction; a compare-and-set on the state column decides races.

mod group_commit;
mod postgres;
mod rows;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::domain::{
    GuestRequest, NewRequest, RequestId, RequestState, TeamId, UserId, request::CardRef,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
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

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store named by a `DATABASE_URL` (`sqlite:` or `postgres:`).
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<SharedStore> {
    use anyhow::Context;
    // sqlx's own errors may quote the URL (a bad option, an unparseable port): they are
    // reported with every secret of the URL replaced.
    let scrub = |e: StoreError| anyhow::anyhow!("{}", scrub_secrets(&e.to_string(), url));
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

/// `text` with the URL's secrets (password, `password=`) replaced, wherever they appear.
fn scrub_secrets(text: &str, url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return "(the database URL could not be read)".to_string();
    };
    let mut secrets: Vec<String> = parsed.password().map(str::to_string).into_iter().collect();
    secrets.extend(
        parsed
            .query_pairs()
            .filter(|(k, _)| is_secret_param(k))
            .map(|(_, v)| v.to_string()),
    );
    let mut out = text.replace(url, &redact_url(url));
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), "REDACTED");
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        out = out.replace(&encoded, "REDACTED");
    }
    out
}

/// Hides the password of a database URL for logs and `config check`: the one in the user
/// part, and a `password=` query parameter (libpq and sqlx accept both).
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL we can take apart: say nothing of what is in it.
        return "(unparseable URL)".to_string();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("REDACTED"));
    }
    if parsed.query_pairs().any(|(k, _)| is_secret_param(&k)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_param(&k) {
                    "REDACTED".to_string()
                } else {
                    v.to_string()
                };
                (k.to_string(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

fn is_secret_param(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "password" | "sslpassword" | "passfile" | "sslkey"
    )
}

/// One append-only audit row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub team_id: TeamId,
    pub request_id: Option<RequestId>,
    /// A Slack user id, or `guestlist` for the bot itself.
    pub actor: String,
    pub action: String,
    pub from_state: Option<RequestState>,
    pub to_state: Option<RequestState>,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// The actor name used when the bot acts on its own (timers, auto-approval, sync).
pub const BOT_ACTOR: &str = "guestlist";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// Work to do later, written in the same transaction as the change that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub team_id: TeamId,
    /// The job's type, for logs and metrics; the payload says the rest.
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
    /// Jobs with the same key run one at a time, oldest first (e.g. every message of one card).
    pub serial_key: Option<String>,
    /// A job with a key already in the table is not enqueued again (timers, periodic slots).
    pub dedupe_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: i64,
    pub team_id: TeamId,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(JobState::Queued),
            "running" => Some(JobState::Running),
            "done" => Some(JobState::Done),
            "failed" => Some(JobState::Failed),
            _ => None,
        }
    }
}

/// A job as stored, for operators and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub dedupe_key: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Queued jobs already due.
    pub due: i64,
    /// Queued jobs scheduled for later.
    pub scheduled: i64,
    pub running: i64,
    pub failed: i64,
    /// How long the oldest due job has waited, in seconds.
    pub oldest_due_age_secs: i64,
}

/// A compare-and-set state change with the audit row and jobs it brings. `from == to` updates
/// fields of a request that must still be in that state.
#[derive(Debug, Clone)]
pub struct StateChange {
    pub team_id: TeamId,
    pub request_id: RequestId,
    pub from: RequestState,
    pub to: RequestState,
    pub at: DateTime<Utc>,
    pub fields: ChangedFields,
    /// Applies only if the last invitation went out at or before this moment (resend limit).
    pub only_if_invited_before: Option<DateTime<Utc>>,
    /// Applies only if the deadline is still this one (an expiry timer: an extension approved
    /// meanwhile moved it, and wins).
    pub only_if_expires_at: Option<DateTime<Utc>>,
    /// Records an invitation sent `via` this provisioner, at `at`, for the request's email.
    pub invitation_via: Option<String>,
    /// Moves another request's deadline later, in the same transaction (an approved extension).
    /// A deadline is never moved earlier: if it already runs later, nothing is written.
    pub parent_expiry: Option<(RequestId, DateTime<Utc>)>,
    pub audit: AuditEntry,
    pub jobs: Vec<NewJob>,
}

impl StateChange {
    /// A change with nothing but the state, audit and jobs; set the rest with struct update.
    pub fn new(
        team_id: &TeamId,
        request_id: RequestId,
        from: RequestState,
        to: RequestState,
        audit: AuditEntry,
    ) -> Self {
        Self {
            team_id: team_id.clone(),
            request_id,
            from,
            to,
            at: audit.at,
            fields: ChangedFields::default(),
            only_if_invited_before: None,
            only_if_expires_at: None,
            invitation_via: None,
            parent_expiry: None,
            audit,
            jobs: Vec::new(),
        }
    }
}

/// Columns a state change may set alongside the state (`None` leaves a column as it is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangedFields {
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub auto_rule: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub slack_user_id: Option<String>,
    pub invited_at: Option<DateTime<Utc>>,
    pub invite_expires_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub guest_type: Option<crate::domain::GuestType>,
    /// Removes the deadline (a guest who became a full member).
    pub clear_expires_at: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeOutcome {
    /// The change was made; here is the request after it.
    Applied(GuestRequest),
    /// Someone else changed the request first; here is what it is now.
    Conflict(GuestRequest),
    NotFound,
    /// The extension's parent account is no longer open; nothing was written.
    ParentClosed,
}

/// Builds the jobs for a request being created, once its id is known (inside the transaction).
pub type JobsFor = Box<dyn FnOnce(&GuestRequest) -> Vec<NewJob> + Send + Sync>;

/// Builds the jobs for each of several requests being created.
pub type JobsForEach = Box<dyn Fn(&GuestRequest) -> Vec<NewJob> + Send + Sync>;

/// Who approved requests that are created approved (group sync, CSV import, auto-approval).
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// The person who approved (the importer); `None` when the bot did.
    pub decided_by: Option<UserId>,
    /// The rule that approved (a sync rule, an auto-approval rule).
    pub auto_rule: Option<String>,
    pub audit_actor: String,
    pub audit_action: String,
    pub audit_detail: String,
}

/// Who holds an email: an open request or account (lapsed invitations included).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldEmail {
    pub email: String,
    pub request_id: RequestId,
    pub state: RequestState,
    pub sync_rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    Created(GuestRequest),
    /// The email already has an open request or account.
    Duplicate(GuestRequest),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is, for logs and `/readyz`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;

    /// The database answers and every migration this build knows is applied.
    async fn readiness(&self) -> StoreResult<()>;

    // --- Events API deduplication ---

    /// Records an event delivery, and the job that handles it, once. Returns false when the
    /// event id was already taken (a Slack retry), in which case nothing is written.
    async fn record_event(
        &self,
        team_id: &TeamId,
        event_id: &str,
        event_type: &str,
        at: DateTime<Utc>,
        job: Option<NewJob>,
    ) -> StoreResult<bool>;

    /// Forgets deliveries older than `before` (Slack stops retrying after minutes).
    async fn purge_events(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    // --- Job queue ---

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

    /// Hands back jobs leased to `owner` that it will not run (on shutdown).
    async fn release_leases(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64>;

    async fn queue_stats(&self, now: DateTime<Utc>) -> StoreResult<QueueStats>;

    /// Deletes finished jobs older than `before`.
    async fn purge_finished_jobs(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// Jobs of one kind, newest first (operators and tests).
    async fn jobs_of_kind(&self, kind: &str, limit: i64) -> StoreResult<Vec<JobRecord>>;

    // --- Requests ---

    /// Stores a new pending request with its audit row and jobs, unless its email already has
    /// an open request or account (enforced by a unique index, so races are caught too).
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

    /// Requests in a state, oldest first.
    async fn requests_in_state(
        &self,
        team_id: &TeamId,
        state: RequestState,
        limit: i64,
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

    /// How many invitations this email has been sent.
    async fn invitation_count(&self, team_id: &TeamId, email: &str) -> StoreResult<i64>;

    /// Counts by state, for the `requests` gauge.
    async fn count_by_state(&self) -> StoreResult<Vec<(RequestState, i64)>>;

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

    // --- Group sync ---

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

    /// Keeps a long job's lease alive; false if the lease was lost.
    async fn extend_lease(&self, id: i64, owner: &str, until: DateTime<Utc>) -> StoreResult<bool>;

    // --- Approver groups ---

    /// Bumps a user group's version (its members changed): every replica's cached members of
    /// it are stale from now on.
    async fn bump_usergroup_version(&self, team_id: &TeamId, usergroup: &str) -> StoreResult<()>;

    /// The current version of each of these groups (0 for one never bumped).
    async fn usergroup_versions(
        &self,
        team_id: &TeamId,
        usergroups: &[String],
    ) -> StoreResult<Vec<(String, i64)>>;

    // --- Audit ---

    async fn append_audit(&self, entry: AuditEntry, jobs: Vec<NewJob>) -> StoreResult<()>;

    /// Audit rows since `since` (all when `None`), oldest first.
    async fn audit_since(&self, since: Option<DateTime<Utc>>) -> StoreResult<Vec<AuditRecord>>;

    async fn audit_for_request(
        &self,
        team_id: &TeamId,
        id: RequestId,
    ) -> StoreResult<Vec<AuditRecord>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_never_show_their_passwords() {
        let url = "postgres://app:s3cr3t-pw@db.internal:5432/guestlist?sslmode=require&password=other-s3cr3t";
        let shown = redact_url(url);
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("db.internal") && shown.contains("sslmode=require"));
        assert_eq!(redact_url("not a url s3cr3t"), "(unparseable URL)");
        let message = format!("error with configuration: {url}: bad s3cr3t-pw");
        assert!(!scrub_secrets(&message, url).contains("s3cr3t"));
    }
}
