//! Row shapes shared by both backends (`FromRow` is generic over the row type) and their
//! conversion into domain values.

use super::{AuditEntry, AuditRecord, ClaimedJob, JobRecord, JobState, StoreError};
use crate::domain::profile::Profile;
use crate::domain::quorum::{Quorum, Verdict, Vote};
use crate::domain::request::{CardRef, Source};
use crate::domain::{
    ChannelId, Email, Expiry, GuestRequest, GuestType, RequestId, RequestKind, RequestState,
    TeamId, UserId,
};
use chrono::{DateTime, Utc};

/// Every column of `requests`, in `RequestRow`'s order.
macro_rules! request_columns {
    () => {
        "id, team_id, kind, parent_id, requester_id, email, full_name, organisation, reason, \
         guest_type, channels, expiry_kind, expiry_days, expiry_at, expires_at, state, version, \
         decided_by, decided_at, decision_note, auto_rule, card_channel, card_ts, card_version, \
         source, sync_rule, phone, slack_user_id, external_id, invited_at, invite_expires_at, \
         created_at, updated_at, account_team, source_user_id, quorum, approval_round, decide_by, \
         amendment, title, department, manager_id, employee_id, slack_invite_request"
    };
}

/// `SELECT <every request column> FROM requests <tail>`, as a `&'static str` (sqlx wants
/// literal SQL, so the column list is spliced in at compile time).
macro_rules! select_requests {
    ($tail:literal) => {
        concat!("SELECT ", request_columns!(), " FROM requests ", $tail)
    };
}

/// The columns a new request is inserted with: $1 to $28, then `created_at` again as
/// `updated_at` ($18).
macro_rules! new_request_columns {
    () => {
        "team_id, kind, parent_id, requester_id, email, full_name, organisation, reason, \
         guest_type, channels, expiry_kind, expiry_days, expiry_at, expires_at, state, source, \
         sync_rule, created_at, phone, account_team, source_user_id, quorum, decide_by, title, \
         department, manager_id, employee_id, slack_invite_request, updated_at"
    };
}

/// Inserts a request (28 binds, `bind_new_request`) and returns every column.
macro_rules! insert_request {
    () => {
        concat!(
            "INSERT INTO requests (",
            new_request_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $18) RETURNING ",
            request_columns!()
        )
    };
}

/// The compare-and-set: moves `state` from $3 to $4 and sets the given columns, or matches nothing.
macro_rules! change_request_state {
    () => {
        concat!(
            "UPDATE requests SET state = $4, version = version + 1, updated_at = $5,
             decided_by = COALESCE($6, decided_by), decided_at = COALESCE($7, decided_at),
             decision_note = COALESCE($8, decision_note), auto_rule = COALESCE($9, auto_rule),
             expires_at = CASE WHEN $16 THEN NULL ELSE COALESCE($10, expires_at) END,
             slack_user_id = COALESCE($11, slack_user_id),
             invited_at = COALESCE($12, invited_at), invite_expires_at = COALESCE($13, invite_expires_at),
             external_id = COALESCE($14, external_id), guest_type = COALESCE($15, guest_type)
             WHERE id = $1 AND team_id = $2 AND state = $3
               AND ($17 IS NULL OR invited_at IS NULL OR invited_at <= $17)
               AND ($18 IS NULL OR expires_at = $18)
               AND ($19 IS NULL OR decide_by = $19)
             RETURNING ",
            request_columns!()
        )
    };
}

/// The ids of the jobs `owner` may lease now ($3 = now, $4 = how many): due (or with a lease
/// that ran out), and not held back by an earlier job of their serial key that is running, due,
/// or waiting to be retried (`last_error` set). An earlier timer not due yet holds nobody.
/// Each kind is picked in its index's order (`jobs_due`; `jobs_serial` for the hold-back), so
/// a backlog of thousands costs a claim no sort. The outer test is repeated so that Postgres,
/// re-reading a row another replica just claimed, lets it go; it is a CASE so that SQLite
/// drives the outer query by the ids rather than by an index scan.
macro_rules! claimable_jobs {
    () => {
        "SELECT j.id FROM jobs j
         WHERE j.id IN (
             SELECT id FROM (
                 SELECT q.id FROM jobs q
                 WHERE q.state = 'queued' AND q.run_at <= $3
                   AND (q.serial_key IS NULL OR NOT EXISTS (
                       SELECT 1 FROM jobs k
                       WHERE k.serial_key = q.serial_key AND k.id < q.id
                         AND k.state IN ('queued', 'running')
                         AND (k.state = 'running' OR k.run_at <= $3 OR k.last_error IS NOT NULL)))
                 ORDER BY q.run_at, q.id LIMIT __limit__) due
             UNION ALL
             SELECT id FROM (
                 SELECT r.id FROM jobs r
                 WHERE r.state = 'running' AND r.lease_until <= $3
                 ORDER BY r.lease_until LIMIT __limit__) expired)
           AND CASE j.state WHEN 'queued' THEN j.run_at <= $3 WHEN 'running' THEN j.lease_until <= $3 ELSE FALSE END
         ORDER BY j.run_at, j.id
         LIMIT __limit__"
    };
}

pub(crate) use {
    change_request_state, claimable_jobs, insert_request, new_request_columns, request_columns,
    select_requests,
};

#[derive(Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub team_id: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub requester_id: String,
    pub email: String,
    pub full_name: String,
    pub organisation: String,
    pub reason: String,
    pub guest_type: String,
    pub channels: String,
    pub expiry_kind: String,
    pub expiry_days: Option<i64>,
    pub expiry_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub state: String,
    pub version: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub auto_rule: Option<String>,
    pub card_channel: Option<String>,
    pub card_ts: Option<String>,
    pub card_version: Option<i64>,
    pub source: String,
    pub sync_rule: Option<String>,
    pub phone: Option<String>,
    pub slack_user_id: Option<String>,
    pub external_id: Option<String>,
    pub invited_at: Option<DateTime<Utc>>,
    pub invite_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub account_team: Option<String>,
    pub source_user_id: Option<String>,
    pub quorum: Option<String>,
    pub approval_round: i64,
    pub decide_by: Option<DateTime<Utc>>,
    pub amendment: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub manager_id: Option<String>,
    pub employee_id: Option<String>,
    pub slack_invite_request: Option<String>,
}

fn corrupt(what: &str, value: &str, id: i64) -> StoreError {
    StoreError::Corrupt(format!("request {id}: bad {what} {value:?}"))
}

impl TryFrom<RequestRow> for GuestRequest {
    type Error = StoreError;

    fn try_from(row: RequestRow) -> Result<Self, StoreError> {
        let id = row.id;
        let expiry = match row.expiry_kind.as_str() {
            "days" => Expiry::AfterDays {
                days: row
                    .expiry_days
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(|| corrupt("expiry_days", "", id))?,
            },
            "at" => Expiry::At {
                at: row.expiry_at.ok_or_else(|| corrupt("expiry_at", "", id))?,
            },
            "never" => Expiry::Never,
            other => return Err(corrupt("expiry_kind", other, id)),
        };
        let channels: Vec<ChannelId> = serde_json::from_str(&row.channels)
            .map_err(|_| corrupt("channels", &row.channels, id))?;
        let card = match (row.card_channel, row.card_ts) {
            (Some(channel), Some(ts)) => Some(CardRef {
                channel: ChannelId(channel),
                ts,
            }),
            _ => None,
        };
        Ok(GuestRequest {
            id: RequestId(id),
            team_id: TeamId(row.team_id),
            kind: RequestKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind, id))?,
            parent_id: row.parent_id.map(RequestId),
            requester: UserId(row.requester_id),
            email: Email::parse(&row.email).map_err(|_| corrupt("email", &row.email, id))?,
            full_name: row.full_name,
            organisation: row.organisation,
            reason: row.reason,
            guest_type: GuestType::parse(&row.guest_type)
                .ok_or_else(|| corrupt("guest_type", &row.guest_type, id))?,
            channels,
            expiry,
            expires_at: row.expires_at,
            state: RequestState::parse(&row.state)
                .ok_or_else(|| corrupt("state", &row.state, id))?,
            version: row.version,
            decided_by: row.decided_by.map(UserId),
            decided_at: row.decided_at,
            decision_note: row.decision_note,
            auto_rule: row.auto_rule,
            card,
            card_version: row.card_version,
            source: Source::parse(&row.source),
            sync_rule: row.sync_rule,
            profile: Profile {
                title: row.title,
                department: row.department,
                manager: row.manager_id.map(UserId),
                employee_id: row.employee_id,
                phone: row.phone,
            },
            slack_invite_request: row.slack_invite_request,
            slack_user_id: row.slack_user_id,
            external_id: row.external_id,
            invited_at: row.invited_at,
            invite_expires_at: row.invite_expires_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            account_team: row.account_team.map(TeamId),
            source_user: row.source_user_id.map(UserId),
            quorum: match &row.quorum {
                Some(json) => {
                    serde_json::from_str(json).map_err(|_| corrupt("quorum", json, id))?
                }
                None => Quorum::default(),
            },
            approval_round: row.approval_round,
            decide_by: row.decide_by,
            amendment: match &row.amendment {
                Some(json) => {
                    serde_json::from_str(json).map_err(|_| corrupt("amendment", json, id))?
                }
                None => Vec::new(),
            },
        })
    }
}

pub fn requests_from(rows: Vec<RequestRow>) -> Result<Vec<GuestRequest>, StoreError> {
    rows.into_iter().map(GuestRequest::try_from).collect()
}

/// The expiry columns (`expiry_kind`, `expiry_days`, `expiry_at`) for an `Expiry`.
pub fn expiry_columns(expiry: &Expiry) -> (&'static str, Option<i64>, Option<DateTime<Utc>>) {
    match *expiry {
        Expiry::AfterDays { days } => ("days", Some(i64::from(days)), None),
        Expiry::At { at } => ("at", None, Some(at)),
        Expiry::Never => ("never", None, None),
    }
}

pub fn channels_json(channels: &[ChannelId]) -> String {
    serde_json::to_string(channels).expect("channel ids serialise")
}

#[derive(Debug, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub team_id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: DateTime<Utc>,
}

impl TryFrom<JobRow> for ClaimedJob {
    type Error = StoreError;
    fn try_from(row: JobRow) -> Result<Self, StoreError> {
        Ok(ClaimedJob {
            id: row.id,
            team_id: TeamId(row.team_id),
            kind: row.kind,
            payload: serde_json::from_str(&row.payload)
                .map_err(|e| StoreError::Corrupt(format!("job {}: payload: {e}", row.id)))?,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            run_at: row.run_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct JobRecordRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub dedupe_key: Option<String>,
    pub last_error: Option<String>,
}

impl TryFrom<JobRecordRow> for JobRecord {
    type Error = StoreError;
    fn try_from(row: JobRecordRow) -> Result<Self, StoreError> {
        Ok(JobRecord {
            id: row.id,
            kind: row.kind,
            payload: serde_json::from_str(&row.payload)
                .map_err(|e| StoreError::Corrupt(format!("job {}: payload: {e}", row.id)))?,
            state: JobState::parse(&row.state).ok_or_else(|| {
                StoreError::Corrupt(format!("job {}: state {}", row.id, row.state))
            })?,
            attempts: row.attempts,
            run_at: row.run_at,
            dedupe_key: row.dedupe_key,
            last_error: row.last_error,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub team_id: String,
    pub request_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub detail: String,
    pub at: DateTime<Utc>,
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        AuditRecord {
            id: row.id,
            entry: AuditEntry {
                team_id: TeamId(row.team_id),
                request_id: row.request_id.map(RequestId),
                actor: row.actor,
                action: row.action,
                from_state: row.from_state.as_deref().and_then(RequestState::parse),
                to_state: row.to_state.as_deref().and_then(RequestState::parse),
                detail: row.detail,
                at: row.at,
            },
        }
    }
}

/// Milliseconds are the finest precision stored, so values compare the same in both backends.
pub fn ms(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

#[derive(Debug, sqlx::FromRow)]
pub struct VoteRow {
    pub voter_id: String,
    pub verdict: String,
    pub roles: String,
}

impl TryFrom<VoteRow> for Vote {
    type Error = StoreError;
    fn try_from(row: VoteRow) -> Result<Self, StoreError> {
        Ok(Vote {
            voter: UserId(row.voter_id),
            verdict: Verdict::parse(&row.verdict)
                .ok_or_else(|| StoreError::Corrupt(format!("vote: verdict {}", row.verdict)))?,
            roles: serde_json::from_str(&row.roles)
                .map_err(|_| StoreError::Corrupt(format!("vote: roles {}", row.roles)))?,
        })
    }
}

/// Every column of `invite_links`, in `LinkRow`'s order.
macro_rules! link_columns {
    () => {
        "id, team_id, sponsor_id, guest_type, channels, expiry_kind, expiry_days, expiry_at, \
         max_uses, uses, valid_until, revoked_at, created_at"
    };
}
pub(crate) use link_columns;

#[derive(Debug, sqlx::FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub team_id: String,
    pub sponsor_id: String,
    pub guest_type: String,
    pub channels: String,
    pub expiry_kind: String,
    pub expiry_days: Option<i64>,
    pub expiry_at: Option<DateTime<Utc>>,
    pub max_uses: i64,
    pub uses: i64,
    pub valid_until: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<LinkRow> for crate::domain::join::InviteLink {
    type Error = StoreError;

    fn try_from(row: LinkRow) -> Result<Self, StoreError> {
        let bad = |what: &str, value: &str| {
            StoreError::Corrupt(format!("invite link {}: bad {what} {value:?}", row.id))
        };
        let expiry = match row.expiry_kind.as_str() {
            "days" => Expiry::AfterDays {
                days: row
                    .expiry_days
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(|| bad("expiry_days", ""))?,
            },
            "at" => Expiry::At {
                at: row.expiry_at.ok_or_else(|| bad("expiry_at", ""))?,
            },
            "never" => Expiry::Never,
            other => return Err(bad("expiry_kind", other)),
        };
        Ok(crate::domain::join::InviteLink {
            id: row.id,
            team_id: TeamId(row.team_id.clone()),
            sponsor: UserId(row.sponsor_id.clone()),
            terms: crate::domain::join::JoinTerms {
                guest_type: GuestType::parse(&row.guest_type)
                    .ok_or_else(|| bad("guest_type", &row.guest_type))?,
                channels: serde_json::from_str(&row.channels)
                    .map_err(|_| bad("channels", &row.channels))?,
                expiry,
            },
            max_uses: u32::try_from(row.max_uses).map_err(|_| bad("max_uses", ""))?,
            uses: u32::try_from(row.uses).map_err(|_| bad("uses", ""))?,
            valid_until: row.valid_until,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        })
    }
}

/// Every column of `review_campaigns`, in `ReviewRow`'s order.
macro_rules! review_columns {
    () => {
        "id, team_id, started_by, started_at, deadline, outcome, scope, closed_at, \
         progress_channel, progress_ts"
    };
}
pub(crate) use review_columns;

/// Every column of `review_items`, in `ReviewItemRow`'s order.
macro_rules! review_item_columns {
    () => {
        "id, campaign_id, request_id, sponsor, state, decided_by, decided_at, dm_channel, dm_ts, \
         escalation_ts"
    };
}
pub(crate) use review_item_columns;

#[derive(Debug, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub team_id: String,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub outcome: String,
    pub scope: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub progress_channel: Option<String>,
    pub progress_ts: Option<String>,
}

impl TryFrom<ReviewRow> for crate::store::ReviewCampaign {
    type Error = StoreError;

    fn try_from(row: ReviewRow) -> Result<Self, StoreError> {
        Ok(Self {
            outcome: crate::domain::review::ReviewOutcome::parse(&row.outcome).ok_or_else(
                || StoreError::Corrupt(format!("review {}: bad outcome {:?}", row.id, row.outcome)),
            )?,
            id: row.id,
            team_id: TeamId::from(row.team_id.as_str()),
            started_by: row.started_by,
            started_at: row.started_at,
            deadline: row.deadline,
            scope: row.scope,
            closed_at: row.closed_at,
            progress_channel: row.progress_channel,
            progress_ts: row.progress_ts,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ReviewItemRow {
    pub id: i64,
    pub campaign_id: i64,
    pub request_id: i64,
    pub sponsor: String,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub dm_channel: Option<String>,
    pub dm_ts: Option<String>,
    pub escalation_ts: Option<String>,
}

impl TryFrom<ReviewItemRow> for crate::store::ReviewItem {
    type Error = StoreError;

    fn try_from(row: ReviewItemRow) -> Result<Self, StoreError> {
        Ok(Self {
            state: crate::domain::review::ItemState::parse(&row.state).ok_or_else(|| {
                StoreError::Corrupt(format!("review item {}: bad state {:?}", row.id, row.state))
            })?,
            id: row.id,
            campaign_id: row.campaign_id,
            request_id: RequestId(row.request_id),
            sponsor: row.sponsor,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            dm_channel: row.dm_channel,
            dm_ts: row.dm_ts,
            escalation_ts: row.escalation_ts,
        })
    }
}
