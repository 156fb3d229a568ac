// The SQL both backends share, written once and compiled for each: `sqlite.rs` and
// `postgres.rs` include this file (which includes the others here) in a module of their own after naming their database (`Db`),
// their store (`This`, with the fields `writer`, `reader` and `events`), their name (`NAME`), their
// migrations (`MIGRATOR`) and the statements that differ between them (`CLAIM_JOBS`,
// `QUEUE_STATS`, `AUDIT_SINCE`, `HELD_EMAILS`). Binds are `$n` in both. (No `//!` here: an included file
// cannot carry inner attributes.)

use super::super::group_commit::{
    PendingEvent, Written, first_of_new, jobs_of_new, people_to_check,
};
use super::super::rows::{
    AuditRow, JobRecordRow, JobRow, LinkRow, RequestRow, ReviewItemRow, ReviewRow, VoteRow,
    change_request_state, channels_json, expiry_columns, insert_request, link_columns, ms,
    new_request_columns, request_columns, requests_from, review_columns, review_item_columns,
    select_requests,
};
use super::super::*;
use super::{
    AUDIT_SINCE, CLAIM_JOBS, Db, HELD_EMAILS, MIGRATOR, NAME, NOTIFY_DUE_JOBS, QUEUE_STATS, This,
    listen_for_jobs,
};
use crate::domain::RequestKind;
use crate::domain::quorum::Vote;
use crate::domain::text::{clean_line, strip_controls};
use sqlx::{Pool, Transaction};
use std::collections::HashSet;

const OPEN_FOR_EMAIL: &str = select_requests!(
    "WHERE team_id = $1 AND email = $2 AND kind = 'guest' AND state IN ('pending', 'approved', 'invited', 'active')"
);
const OPEN_FOR_PHONE: &str = select_requests!(
    "WHERE team_id = $1 AND phone = $2 AND kind = 'guest' AND state IN ('pending', 'approved', 'invited', 'active')"
);

/// Records a batch of event deliveries (group commit) with the jobs of the new ones: one
/// statement when no delivery brings a job (its own transaction, one commit), else one
/// transaction. A job that only matters for a known person is kept when one query for the whole
/// batch finds a request naming them. That query runs just before the write, on the same pool,
/// and is coherent with the writes that matter: a request is committed before its invitation is
/// sent, and Slack only tells of a person's joining after the invitation, so any request an
/// event can be about was committed before the event arrived. Read first, a batch of strangers'
/// profile edits costs one read and one insert, not a transaction of four statements.
/// Returns the ids that were new, and those that brought a job.
pub(super) async fn write_event_batch(
    pool: &Pool<Db>,
    batch: &[PendingEvent],
) -> StoreResult<Written> {
    let events: Vec<&PendingEvent> = batch.iter().filter(|e| e.is_event()).collect();
    let mut insert = sqlx::QueryBuilder::<Db>::new(
        "INSERT INTO slack_events (event_id, team_id, event_type, received_at) ",
    );
    if !events.is_empty() {
        insert.push_values(&events, |mut row, e| {
            row.push_bind(e.event_id.as_str())
                .push_bind(e.team_id.as_str())
                .push_bind(e.event_type.as_str())
                .push_bind(ms(e.at));
        });
        insert.push(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id");
    }
    let known = known_people(pool, &people_to_check(&events)).await?;
    let is_known = |team: &TeamId, person: &KnownPerson| {
        person
            .email
            .as_ref()
            .is_some_and(|e| known.contains(&(team.to_string(), Key::Email(e.clone()))))
            || person
                .user_id
                .as_ref()
                .is_some_and(|u| known.contains(&(team.to_string(), Key::User(u.clone()))))
    };
    let brings_job = batch
        .iter()
        .any(|e| !e.enqueued.is_empty() || e.kept_job(is_known).is_some());
    let without_work = |jobs: usize| {
        let conditional = events.iter().filter(|e| e.job.is_some()).count();
        metrics::counter!("events_without_work_total")
            .increment(conditional.saturating_sub(jobs) as u64);
    };
    if !brings_job {
        let new_ids = insert
            .build_query_scalar::<String>()
            .fetch_all(pool)
            .await?;
        without_work(0);
        return Ok(Written {
            new: new_ids.into_iter().collect(),
            queued: HashSet::new(),
        });
    }
    let mut tx = pool.begin().await?;
    let new_ids: HashSet<String> = if events.is_empty() {
        HashSet::new()
    } else {
        insert
            .build_query_scalar::<String>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect()
    };
    let new = first_of_new(batch, &new_ids);
    let conditional = jobs_of_new(&new, is_known);
    without_work(conditional.len());
    let queued: HashSet<String> = conditional.iter().map(|(id, _)| id.to_string()).collect();
    let jobs: Vec<NewJob> = conditional
        .into_iter()
        .map(|(_, job)| job)
        .chain(batch.iter().flat_map(|e| e.enqueued.iter().cloned()))
        .collect();
    if let Some(at) = batch.first().map(|e| e.at) {
        insert_jobs(&mut tx, &jobs, at).await?;
    }
    tx.commit().await?;
    Ok(Written {
        new: new_ids,
        queued,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    User(String),
}

/// Which of these people some request names, in one indexed query (`requests_by_email`,
/// `requests_by_slack_user`).
async fn known_people(
    pool: &Pool<Db>,
    people: &[(&TeamId, &KnownPerson)],
) -> StoreResult<HashSet<(String, Key)>> {
    let emails: Vec<&str> = people
        .iter()
        .filter_map(|(_, p)| p.email.as_deref())
        .collect();
    let users: Vec<&str> = people
        .iter()
        .filter_map(|(_, p)| p.user_id.as_deref())
        .collect();
    if emails.is_empty() && users.is_empty() {
        return Ok(HashSet::new());
    }
    let mut query =
        sqlx::QueryBuilder::<Db>::new("SELECT team_id, email, slack_user_id FROM requests WHERE ");
    if !emails.is_empty() {
        query.push("email IN (");
        let mut list = query.separated(", ");
        for email in &emails {
            list.push_bind(*email);
        }
        query.push(")");
    }
    if !users.is_empty() {
        if !emails.is_empty() {
            query.push(" OR ");
        }
        query.push("slack_user_id IN (");
        let mut list = query.separated(", ");
        for user in &users {
            list.push_bind(*user);
        }
        query.push(")");
    }
    let rows: Vec<(String, String, Option<String>)> =
        query.build_query_as().fetch_all(pool).await?;
    let mut known = HashSet::new();
    for (team, email, user) in rows {
        known.insert((team.clone(), Key::Email(email)));
        if let Some(user) = user {
            known.insert((team, Key::User(user)));
        }
    }
    Ok(known)
}

/// A new request's columns, $1 to $23, in the order both insert statements take them.
fn bind_new_request<'q>(
    sql: &'static str,
    new: &'q NewRequest,
    state: RequestState,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> sqlx::query::QueryAs<'q, Db, RequestRow, <Db as sqlx::Database>::Arguments> {
    let (expiry_kind, expiry_days, expiry_at) = expiry_columns(&new.expiry);
    sqlx::query_as(sql)
        .bind(new.team_id.as_str())
        .bind(new.kind.as_str())
        .bind(new.parent_id.map(|p| p.0))
        .bind(new.requester.as_str())
        .bind(new.email.as_str())
        .bind(clean_line(&new.full_name))
        .bind(clean_line(&new.organisation))
        .bind(strip_controls(&new.reason))
        .bind(new.guest_type.as_str())
        .bind(channels_json(&new.channels))
        .bind(expiry_kind)
        .bind(expiry_days)
        .bind(expiry_at.map(ms))
        .bind(expires_at.map(ms))
        .bind(state.as_str())
        .bind(new.source.as_str())
        .bind(new.sync_rule.as_deref())
        .bind(ms(now))
        .bind(new.profile.phone.as_deref())
        .bind(new.account_team.as_ref().map(|t| t.as_str()))
        .bind(new.source_user.as_ref().map(|u| u.as_str()))
        .bind(serde_json::to_string(&new.quorum).ok())
        .bind(new.decide_by.map(ms))
        .bind(new.profile.title.as_deref().map(clean_line))
        .bind(new.profile.department.as_deref().map(clean_line))
        .bind(new.profile.manager.as_ref().map(|u| u.as_str()))
        .bind(new.profile.employee_id.as_deref().map(clean_line))
        .bind(new.slack_invite_request.as_deref())
}

/// The compare-and-set of a state change with everything it brings, inside `tx`. On
/// `ParentClosed` the caller rolls back (the request row was already changed).
async fn change_state_in(
    tx: &mut Transaction<'_, Db>,
    change: &StateChange,
) -> StoreResult<ChangeOutcome> {
    let f = &change.fields;
    let updated: Option<RequestRow> = sqlx::query_as(change_request_state!())
        .bind(change.request_id.0)
        .bind(change.team_id.as_str())
        .bind(change.from.as_str())
        .bind(change.to.as_str())
        .bind(ms(change.at))
        .bind(f.decided_by.as_ref().map(|u| u.as_str()))
        .bind(f.decided_at.map(ms))
        .bind(f.decision_note.as_deref().map(strip_controls))
        .bind(f.auto_rule.as_deref())
        .bind(f.expires_at.map(ms))
        .bind(f.slack_user_id.as_deref())
        .bind(f.invited_at.map(ms))
        .bind(f.invite_expires_at.map(ms))
        .bind(f.external_id.as_deref())
        .bind(f.guest_type.map(|t| t.as_str()))
        .bind(f.clear_expires_at)
        .bind(change.only_if_invited_before.map(ms))
        .bind(change.only_if_expires_at.map(ms))
        .bind(change.only_if_decide_by.map(ms))
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = updated else {
        let current: Option<RequestRow> =
            sqlx::query_as(select_requests!("WHERE team_id = $1 AND id = $2"))
                .bind(change.team_id.as_str())
                .bind(change.request_id.0)
                .fetch_optional(&mut **tx)
                .await?;
        return Ok(match current {
            Some(row) => ChangeOutcome::Conflict(row.try_into()?),
            None => ChangeOutcome::NotFound,
        });
    };
    if let Some((parent, expires_at)) = change.parent_expiry {
        let moved = sqlx::query(
            "UPDATE requests SET expires_at = $3, version = version + 1, updated_at = $4
             WHERE team_id = $1 AND id = $2 AND state IN ('approved', 'invited', 'invite_expired', 'active')
               AND expires_at < $3",
        )
        .bind(change.team_id.as_str())
        .bind(parent.0)
        .bind(ms(expires_at))
        .bind(ms(change.at))
        .execute(&mut **tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(ChangeOutcome::ParentClosed);
        }
    }
    if let Some(via) = &change.invitation_via {
        sqlx::query("INSERT INTO invitations (team_id, email, request_id, via, sent_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(change.team_id.as_str())
            .bind(&row.email)
            .bind(row.id)
            .bind(via)
            .bind(ms(change.at))
            .execute(&mut **tx)
            .await?;
    }
    insert_audit(tx, &change.audit).await?;
    insert_jobs(tx, &change.jobs, change.at).await?;
    Ok(ChangeOutcome::Applied(row.try_into()?))
}

async fn insert_jobs(
    tx: &mut Transaction<'_, Db>,
    jobs: &[NewJob],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    // Multi-row inserts: one statement per 500 jobs (9 binds each, well within SQLite's limit).
    for chunk in jobs.chunks(500) {
        let mut insert = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO jobs (team_id, kind, payload, run_at, max_attempts, serial_key, dedupe_key, created_at, updated_at) ",
        );
        insert.push_values(chunk, |mut row, job| {
            row.push_bind(job.team_id.as_str())
                .push_bind(job.kind.as_str())
                .push_bind(job.payload.to_string())
                .push_bind(ms(job.run_at))
                .push_bind(job.max_attempts)
                .push_bind(job.serial_key.as_deref())
                .push_bind(job.dedupe_key.as_deref())
                .push_bind(ms(now))
                .push_bind(ms(now));
        });
        insert.push(" ON CONFLICT (dedupe_key) DO NOTHING");
        insert.build().execute(&mut **tx).await?;
    }
    if let Some(notify) = NOTIFY_DUE_JOBS
        && jobs.iter().any(|j| j.run_at <= now)
    {
        sqlx::query(notify).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Many audit rows in multi-row statements (8 binds each).
async fn insert_audits(tx: &mut Transaction<'_, Db>, entries: &[AuditEntry]) -> StoreResult<()> {
    for chunk in entries.chunks(1000) {
        let mut insert = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO audit_log (team_id, request_id, actor, action, from_state, to_state, detail, at) ",
        );
        insert.push_values(chunk, |mut row, entry| {
            row.push_bind(entry.team_id.as_str())
                .push_bind(entry.request_id.map(|id| id.0))
                .push_bind(entry.actor.as_str())
                .push_bind(entry.action.as_str())
                .push_bind(entry.from_state.map(|s| s.as_str()))
                .push_bind(entry.to_state.map(|s| s.as_str()))
                .push_bind(strip_controls(&entry.detail))
                .push_bind(ms(entry.at));
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_audit(tx: &mut Transaction<'_, Db>, entry: &AuditEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (team_id, request_id, actor, action, from_state, to_state, detail, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.team_id.as_str())
    .bind(entry.request_id.map(|id| id.0))
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(entry.from_state.map(|s| s.as_str()))
    .bind(entry.to_state.map(|s| s.as_str()))
    .bind(strip_controls(&entry.detail))
    .bind(ms(entry.at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn open_for_phone_in(
    tx: &mut Transaction<'_, Db>,
    team_id: &TeamId,
    phone: &str,
) -> StoreResult<Option<GuestRequest>> {
    let row: Option<RequestRow> = sqlx::query_as(OPEN_FOR_PHONE)
        .bind(team_id.as_str())
        .bind(phone)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(GuestRequest::try_from).transpose()
}

/// What made a new request's insert break a unique index: the open request that holds its
/// email (or, for an extension, the pending extension), else the one that holds its phone.
async fn holder_of(
    tx: &mut Transaction<'_, Db>,
    new: &NewRequest,
) -> StoreResult<Option<CreateOutcome>> {
    if let Some(invite) = &new.slack_invite_request {
        let row: Option<RequestRow> = sqlx::query_as(select_requests!(
            "WHERE team_id = $1 AND slack_invite_request = $2"
        ))
        .bind(new.team_id.as_str())
        .bind(invite)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            return Ok(Some(CreateOutcome::Duplicate(GuestRequest::try_from(row)?)));
        }
    }
    let by_email = match (new.kind, new.parent_id) {
        (RequestKind::Extension, Some(parent)) => {
            pending_extension_in(tx, &new.team_id, parent).await?
        }
        _ => open_for_email_in(tx, &new.team_id, new.email.as_str()).await?,
    };
    if let Some(existing) = by_email {
        return Ok(Some(CreateOutcome::Duplicate(existing)));
    }
    Ok(match &new.profile.phone {
        Some(phone) => open_for_phone_in(tx, &new.team_id, phone)
            .await?
            .map(CreateOutcome::PhoneTaken),
        None => None,
    })
}

async fn open_for_email_in(
    tx: &mut Transaction<'_, Db>,
    team_id: &TeamId,
    email: &str,
) -> StoreResult<Option<GuestRequest>> {
    let row: Option<RequestRow> = sqlx::query_as(OPEN_FOR_EMAIL)
        .bind(team_id.as_str())
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(GuestRequest::try_from).transpose()
}

async fn pending_extension_in(
    tx: &mut Transaction<'_, Db>,
    team_id: &TeamId,
    parent: RequestId,
) -> StoreResult<Option<GuestRequest>> {
    let row: Option<RequestRow> = sqlx::query_as(select_requests!(
        "WHERE team_id = $1 AND parent_id = $2 AND kind = 'extension' AND state = 'pending'"
    ))
    .bind(team_id.as_str())
    .bind(parent.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(GuestRequest::try_from).transpose()
}

// The trait implementations, by concern. (`cargo fmt` reaches the files through the `mod`
// lines, which never compile: the `include!`s do.)
#[cfg(any())]
mod batch;
#[cfg(any())]
mod installations;
#[cfg(any())]
mod inventory;
#[cfg(any())]
mod links;
#[cfg(any())]
mod queue;
#[cfg(any())]
mod requests;
#[cfg(any())]
mod reviews;
#[cfg(any())]
mod votes;
include!("queue.rs");
include!("requests.rs");
include!("votes.rs");
include!("batch.rs");
include!("links.rs");
include!("inventory.rs");
include!("reviews.rs");
include!("installations.rs");
