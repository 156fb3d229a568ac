//! What the store takes and gives: audit rows, jobs, state changes and their outcomes.

use crate::domain::quorum::{TermChange, Terms, Vote};
use crate::domain::{GuestRequest, RequestId, RequestState, TeamId, UserId};
use chrono::{DateTime, Utc};
use serde::Serialize;

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

/// The job an event delivery brings.
#[derive(Debug, Clone, PartialEq)]
pub struct EventJob {
    pub job: NewJob,
    /// Enqueued only if a request of the team names this person (by email, or bound to the
    /// user id): the profile edits of people Guestlist never dealt with are recorded (for
    /// dedup) and cost no job.
    pub only_if_known: Option<KnownPerson>,
}

/// What recording an event delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The event id was already taken (a Slack retry): nothing was written.
    Duplicate,
    /// Recorded for the first time; `job_queued` says whether it became work (a stranger's
    /// profile edit does not), so that only real work wakes the job worker.
    New { job_queued: bool },
}

impl Recorded {
    pub fn is_new(self) -> bool {
        matches!(self, Recorded::New { .. })
    }

    pub fn job_queued(self) -> bool {
        matches!(self, Recorded::New { job_queued: true })
    }
}

/// Who an event is about, as far as relevance goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownPerson {
    pub user_id: Option<String>,
    /// Lower-cased, as requests store it.
    pub email: Option<String>,
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
    /// Applies only if the decision deadline is still this one (a lapse timer).
    pub only_if_decide_by: Option<DateTime<Utc>>,
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
            only_if_decide_by: None,
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
    /// The phone number already belongs to an open request or account.
    PhoneTaken(GuestRequest),
}

/// What using an invite link gave.
#[derive(Debug, Clone, PartialEq)]
pub enum RedeemOutcome {
    Created(GuestRequest),
    /// The email already has an open request or account; the link's use was not spent.
    Duplicate(GuestRequest),
    /// Revoked, expired or used up by the time the transaction ran.
    LinkClosed,
}

/// One approver's vote on a pending request, with what it brings. The store locks the request
/// (still pending, still in `round`), applies the amendment if any (which starts the next
/// round), records the vote once per person and round, writes its audit row, then asks `then`
/// what the votes so far mean: jobs to enqueue and, when they decide the request, the final
/// compare-and-set, all in the same transaction.
pub struct VoteCast {
    pub team_id: TeamId,
    pub request_id: RequestId,
    /// The round the voter saw.
    pub round: i64,
    pub vote: Vote,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    /// The approver narrowed the request before approving.
    pub amendment: Option<Amendment>,
    pub audit: AuditEntry,
    pub then: VoteThen,
}

impl std::fmt::Debug for VoteCast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoteCast")
            .field("team_id", &self.team_id)
            .field("request_id", &self.request_id)
            .field("round", &self.round)
            .field("vote", &self.vote)
            .field("amendment", &self.amendment)
            .finish_non_exhaustive()
    }
}

/// Narrowed terms, and every change since the request was made (shown on the card).
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub terms: Terms,
    pub changes: Vec<TermChange>,
}

/// Decides, inside the vote's transaction, what the round's votes mean. It gets the request
/// (amended, if it was) and every vote of its current round, this one included.
pub type VoteThen = Box<dyn FnOnce(&GuestRequest, &[Vote]) -> VoteEffects + Send + Sync>;

#[derive(Debug, Default)]
pub struct VoteEffects {
    pub jobs: Vec<NewJob>,
    /// The decision the votes reached, applied as one compare-and-set from `pending`.
    pub decision: Option<StateChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VoteOutcome {
    /// The vote was recorded; `decided` is the request after the decision it completed.
    Counted {
        request: Box<GuestRequest>,
        votes: Vec<Vote>,
        decided: Option<Box<GuestRequest>>,
    },
    /// This person already voted in this round; nothing was written.
    AlreadyVoted(GuestRequest),
    /// The request is no longer pending, or an approver's change started a new round since the
    /// voter looked; nothing was written.
    Conflict(GuestRequest),
    NotFound,
    /// The extension's parent account is no longer open; nothing was written.
    ParentClosed,
}

/// A guest in Slack that Guestlist does not manage (found by reconciliation).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct UnmanagedGuest {
    pub team_id: String,
    pub slack_user_id: String,
    pub email: Option<String>,
    pub name: String,
    /// `single_channel` or `multi_channel`.
    pub guest_type: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// An access review campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCampaign {
    pub id: i64,
    pub team_id: TeamId,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub outcome: crate::domain::review::ReviewOutcome,
    /// How the scope reads (`every guest`, `guests from example.com`).
    pub scope: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub progress_channel: Option<String>,
    pub progress_ts: Option<String>,
}

/// A campaign to store: its terms and its items.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub team_id: TeamId,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub outcome: crate::domain::review::ReviewOutcome,
    pub scope: String,
    /// Request, sponsor and first state of each item.
    pub items: Vec<(RequestId, String, crate::domain::review::ItemState)>,
}

/// One guest of a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    pub id: i64,
    pub campaign_id: i64,
    pub request_id: RequestId,
    pub sponsor: String,
    pub state: crate::domain::review::ItemState,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub dm_channel: Option<String>,
    pub dm_ts: Option<String>,
    pub escalation_ts: Option<String>,
}

/// An answer about one item: its compare-and-set (`from` → `to`), the account change it makes
/// (if any), its audit row and jobs, all in one transaction.
#[derive(Debug, Clone)]
pub struct ReviewAnswer {
    pub team_id: TeamId,
    pub item_id: i64,
    pub from: crate::domain::review::ItemState,
    pub to: crate::domain::review::ItemState,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The account's change (its audit row is the answer's).
    pub change: Option<StateChange>,
    /// The audit row, when no change carries it.
    pub audit: Option<AuditEntry>,
    pub jobs: Vec<NewJob>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnswerOutcome {
    Answered,
    /// Someone answered first (or the deadline did).
    AlreadyAnswered,
    /// The account changed meanwhile (ended, extended); nothing was written.
    RequestChanged(Box<GuestRequest>),
}

/// Which of an item's messages a post was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewMessage {
    /// The sponsor's DM.
    Sponsor,
    /// The approvers' message in the request channel.
    Escalation,
}

/// An installation of the app, as stored: its tokens are sealed (`store::cipher`), opened only
/// by whoever makes a Slack call with them.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallationRecord {
    /// The workspace (`T…`), or the organisation for an org-wide install (`E…`).
    pub key: TeamId,
    pub enterprise_id: Option<String>,
    pub is_enterprise_install: bool,
    pub team_name: String,
    pub app_id: String,
    pub bot_user_id: String,
    /// Who installed it (they get the settings DM).
    pub installer: String,
    pub bot: SealedTokens,
    /// The installer's user token, when user scopes were asked (`admin.*` on Grid).
    pub user: Option<(String, SealedTokens)>,
    /// Moves on every change of tokens; a refresh stores its tokens only over the version it
    /// read.
    pub version: i64,
    pub installed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One token with its rotation state, sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedTokens {
    pub token: String,
    pub refresh_token: Option<String>,
    /// When the token stops working (token rotation); `None`: it does not expire.
    pub expires_at: Option<DateTime<Utc>>,
    pub scopes: String,
}

/// What an owner set for their workspace in Slack (the file's settings are the defaults).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkspaceSettingsRecord {
    pub team_id: TeamId,
    pub request_channel: Option<String>,
    pub language: Option<String>,
    pub provisioning: Option<String>,
    /// JSON: `{"users": [...], "usergroups": [...]}`.
    pub approvers: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}
