// The SQL both backends share, written once and compiled for each: `sqlite.rs` and
// `postgres.rs` include this file in a module of their own after naming their database (`Db`),
// their store (`This`, with the fields `writer`, `reader` and `events`), their name (`NAME`), their
// migrations (`MIGRATOR`) and the three statements that differ between them (`CLAIM_JOBS`,
// `QUEUE_STATS`, `AUDIT_SINCE`). Binds are `$n` in both. (No `//!` here: an included file
// cannot carry inner attributes.)

use super::super::group_commit::{PendingEvent, jobs_of_new};
use super::super::rows::{
    AuditRow, JobRecordRow, JobRow, RequestRow, change_request_state, channels_json,
    expiry_columns, insert_approved_request, insert_request, ms, requests_from, select_requests,
};
use super::super::*;
use super::{AUDIT_SINCE, CLAIM_JOBS, Db, MIGRATOR, NAME, QUEUE_STATS, This};
use crate::domain::RequestKind;
use crate::domain::text::{clean_line, strip_controls};
use sqlx::{Pool, Transaction};
use std::collections::HashSet;

const OPEN_FOR_EMAIL: &str = select_requests!(
    "WHERE team_id = $1 AND email = $2 AND kind = 'guest' AND state IN ('pending', 'approved', 'invited', 'active')"
);

/// Records a batch of event deliveries (group commit) with the jobs of the new ones: one
/// statement when no delivery brings a job (its own transaction, one commit), else one
/// transaction. Returns the ids that were new.
pub(super) async fn write_event_batch(
    pool: &Pool<Db>,
    batch: &[PendingEvent],
) -> StoreResult<HashSet<String>> {
    let mut insert = sqlx::QueryBuilder::<Db>::new(
        "INSERT INTO slack_events (event_id, team_id, event_type, received_at) ",
    );
    insert.push_values(batch, |mut row, e| {
        row.push_bind(e.event_id.as_str())
            .push_bind(e.team_id.as_str())
            .push_bind(e.event_type.as_str())
            .push_bind(ms(e.at));
    });
    insert.push(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id");
    if batch.iter().all(|e| e.job.is_none()) {
        let new_ids = insert
            .build_query_scalar::<String>()
            .fetch_all(pool)
            .await?;
        return Ok(new_ids.into_iter().collect());
    }
    let mut tx = pool.begin().await?;
    let new_ids: HashSet<String> = insert
        .build_query_scalar::<String>()
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    if let Some(at) = batch.first().map(|e| e.at) {
        insert_jobs(&mut tx, &jobs_of_new(batch, &new_ids), at).await?;
    }
    tx.commit().await?;
    Ok(new_ids)
}

/// A new request's columns, $1 to $21, in the order both insert statements take them.
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
        .bind(new.phone.as_deref())
        .bind(new.account_team.as_ref().map(|t| t.as_str()))
        .bind(new.source_user.as_ref().map(|u| u.as_str()))
}

async fn insert_jobs(
    tx: &mut Transaction<'_, Db>,
    jobs: &[NewJob],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for job in jobs {
        sqlx::query(
            "INSERT INTO jobs (team_id, kind, payload, run_at, max_attempts, serial_key, dedupe_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(job.team_id.as_str())
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(ms(job.run_at))
        .bind(job.max_attempts)
        .bind(job.serial_key.as_deref())
        .bind(job.dedupe_key.as_deref())
        .bind(ms(now))
        .execute(&mut **tx)
        .await?;
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

#[async_trait]
impl Store for This {
    fn backend(&self) -> &'static str {
        NAME
    }

    async fn migrate(&self) -> StoreResult<()> {
        measured(NAME, "migrate", async move {
            MIGRATOR.run(&self.writer).await?;
            Ok(())
        })
        .await
    }

    async fn readiness(&self) -> StoreResult<()> {
        measured(NAME, "readiness", async move {
            let applied: Vec<i64> =
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(&self.reader)
                    .await?;
            let missing = MIGRATOR
                .iter()
                .filter(|m| !applied.contains(&m.version))
                .count();
            if missing > 0 {
                return Err(StoreError::NotMigrated { missing });
            }
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl EventLog for This {
    async fn record_event(
        &self,
        team_id: &TeamId,
        event_id: &str,
        event_type: &str,
        at: DateTime<Utc>,
        job: Option<NewJob>,
    ) -> StoreResult<bool> {
        measured(NAME, "record_event", async move {
            self.events
                .record(team_id, event_id, event_type, at, job)
                .await
        })
        .await
    }

    async fn purge_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        measured(NAME, "purge_events", async move {
            let done = sqlx::query("DELETE FROM slack_events WHERE received_at < $1")
                .bind(ms(before))
                .execute(&self.writer)
                .await?;
            Ok(done.rows_affected())
        })
        .await
    }

    async fn bump_usergroup_version(&self, team_id: &TeamId, usergroup: &str) -> StoreResult<()> {
        measured(NAME, "bump_usergroup_version", async move {
            sqlx::query(
                "INSERT INTO usergroup_versions (team_id, usergroup_id, version) VALUES ($1, $2, 1)
                 ON CONFLICT (team_id, usergroup_id) DO UPDATE SET version = usergroup_versions.version + 1",
            )
            .bind(team_id.as_str())
            .bind(usergroup)
            .execute(&self.writer)
            .await?;
            Ok(())
        })
        .await
    }

    async fn usergroup_versions(
        &self,
        team_id: &TeamId,
        usergroups: &[String],
    ) -> StoreResult<Vec<(String, i64)>> {
        measured(NAME, "usergroup_versions", async move {
            if usergroups.is_empty() {
                return Ok(Vec::new());
            }
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT usergroup_id, version FROM usergroup_versions WHERE team_id = ",
            );
            query
                .push_bind(team_id.as_str())
                .push(" AND usergroup_id IN (");
            let mut ids = query.separated(", ");
            for group in usergroups {
                ids.push_bind(group.as_str());
            }
            ids.push_unseparated(")");
            Ok(query.build_query_as().fetch_all(&self.writer).await?)
        })
        .await
    }
}

#[async_trait]
impl JobQueue for This {
    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<()> {
        measured(NAME, "enqueue_jobs", async move {
            let now = Utc::now();
            let mut tx = self.writer.begin().await?;
            insert_jobs(&mut tx, jobs, now).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn claim_jobs(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedJob>> {
        measured(NAME, "claim_jobs", async move {
            let rows: Vec<JobRow> = sqlx::query_as(CLAIM_JOBS)
                .bind(owner)
                .bind(ms(lease_until))
                .bind(ms(now))
                .bind(limit)
                .fetch_all(&self.writer)
                .await?;
            let mut jobs: Vec<ClaimedJob> = rows
                .into_iter()
                .map(ClaimedJob::try_from)
                .collect::<Result<_, _>>()?;
            jobs.sort_by_key(|j| (j.run_at, j.id));
            Ok(jobs)
        })
        .await
    }

    async fn complete_job(&self, id: i64, owner: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        measured(NAME, "complete_job", async move {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = $3, finished_at = $3
                 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            )
            .bind(id)
            .bind(owner)
            .bind(ms(now))
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    async fn retry_job(
        &self,
        id: i64,
        owner: &str,
        run_at: DateTime<Utc>,
        error: &str,
        count_attempt: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        measured(NAME, "retry_job", async move {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, run_at = $3,
                        last_error = $4, attempts = attempts - $5, updated_at = $6
                 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            )
            .bind(id)
            .bind(owner)
            .bind(ms(run_at))
            .bind(error)
            .bind(if count_attempt { 0_i64 } else { 1 })
            .bind(ms(now))
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    async fn fail_job(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        measured(NAME, "fail_job", async move {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, last_error = $3,
                        updated_at = $4, finished_at = $4
                 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            )
            .bind(id)
            .bind(owner)
            .bind(error)
            .bind(ms(now))
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    async fn release_leases(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64> {
        measured(NAME, "release_leases", async move {
            let done = sqlx::query(
                "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL,
                        attempts = attempts - 1, updated_at = $2
                 WHERE lease_owner = $1 AND state = 'running'",
            )
            .bind(owner)
            .bind(ms(now))
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected())
        })
        .await
    }

    async fn extend_lease(&self, id: i64, owner: &str, until: DateTime<Utc>) -> StoreResult<bool> {
        measured(NAME, "extend_lease", async move {
            let done = sqlx::query(
                "UPDATE jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            )
            .bind(id)
            .bind(owner)
            .bind(ms(until))
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }

    async fn queue_stats(&self, now: DateTime<Utc>) -> StoreResult<QueueStats> {
        measured(NAME, "queue_stats", async move {
            let (due, scheduled, running, failed, oldest): (
                i64,
                i64,
                i64,
                i64,
                Option<DateTime<Utc>>,
            ) = sqlx::query_as(QUEUE_STATS)
                .bind(ms(now))
                .fetch_one(&self.reader)
                .await?;
            Ok(QueueStats {
                due,
                scheduled,
                running,
                failed,
                oldest_due_age_secs: oldest.map(|o| (now - o).num_seconds().max(0)).unwrap_or(0),
            })
        })
        .await
    }

    async fn purge_finished_jobs(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        measured(NAME, "purge_finished_jobs", async move {
            let done = sqlx::query(
                "DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < $1",
            )
            .bind(ms(before))
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected())
        })
        .await
    }
}

#[async_trait]
impl Requests for This {
    async fn create_request(
        &self,
        new: &NewRequest,
        state: RequestState,
        now: DateTime<Utc>,
        mut audit: AuditEntry,
        jobs: JobsFor,
    ) -> StoreResult<CreateOutcome> {
        measured(NAME, "create_request", async move {
            let mut tx = self.writer.begin().await?;
            let inserted: Result<RequestRow, sqlx::Error> = bind_new_request(
                insert_request!(),
                new,
                state,
                new.expiry.fixed_deadline(),
                now,
            )
            .fetch_one(&mut *tx)
            .await;
            let row = match inserted {
                Ok(row) => row,
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    drop(tx);
                    let mut tx = self.writer.begin().await?;
                    let existing = match (new.kind, new.parent_id) {
                        (RequestKind::Extension, Some(parent)) => {
                            pending_extension_in(&mut tx, &new.team_id, parent).await?
                        }
                        _ => open_for_email_in(&mut tx, &new.team_id, new.email.as_str()).await?,
                    };
                    tx.commit().await?;
                    return match existing {
                        Some(existing) => Ok(CreateOutcome::Duplicate(existing)),
                        None => Err(StoreError::Corrupt(
                            "unique violation without an open request".into(),
                        )),
                    };
                }
                Err(e) => return Err(e.into()),
            };
            let request = GuestRequest::try_from(row)?;
            audit.request_id = Some(request.id);
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs(&request), now).await?;
            tx.commit().await?;
            Ok(CreateOutcome::Created(request))
        })
        .await
    }

    async fn get_request(
        &self,
        team_id: &TeamId,
        id: RequestId,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "get_request", async move {
            let row: Option<RequestRow> =
                sqlx::query_as(select_requests!("WHERE team_id = $1 AND id = $2"))
                    .bind(team_id.as_str())
                    .bind(id.0)
                    .fetch_optional(&self.reader)
                    .await?;
            row.map(GuestRequest::try_from).transpose()
        })
        .await
    }

    async fn open_request_for_email(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "open_request_for_email", async move {
            let row: Option<RequestRow> = sqlx::query_as(OPEN_FOR_EMAIL)
                .bind(team_id.as_str())
                .bind(email)
                .fetch_optional(&self.reader)
                .await?;
            row.map(GuestRequest::try_from).transpose()
        })
        .await
    }

    async fn change_state(&self, change: StateChange) -> StoreResult<ChangeOutcome> {
        measured(NAME, "change_state", async move {
            let f = &change.fields;
            let mut tx = self.writer.begin().await?;
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
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = updated else {
                let current: Option<RequestRow> =
                    sqlx::query_as(select_requests!("WHERE team_id = $1 AND id = $2"))
                        .bind(change.team_id.as_str())
                        .bind(change.request_id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.commit().await?;
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
                .execute(&mut *tx)
                .await?;
                if moved.rows_affected() == 0 {
                    tx.rollback().await?;
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
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit(&mut tx, &change.audit).await?;
            insert_jobs(&mut tx, &change.jobs, change.at).await?;
            tx.commit().await?;
            Ok(ChangeOutcome::Applied(row.try_into()?))
        })
        .await
    }

    async fn set_card(
        &self,
        team_id: &TeamId,
        id: RequestId,
        card: &CardRef,
        shown_version: i64,
    ) -> StoreResult<()> {
        measured(NAME, "set_card", async move {
            sqlx::query(
                "UPDATE requests SET card_channel = $3, card_ts = $4, card_version = $5 WHERE team_id = $1 AND id = $2",
            )
            .bind(team_id.as_str())
            .bind(id.0)
            .bind(card.channel.as_str())
            .bind(&card.ts)
            .bind(shown_version)
            .execute(&self.writer)
            .await?;
            Ok(())
        })
        .await
    }

    async fn set_card_version(
        &self,
        team_id: &TeamId,
        id: RequestId,
        shown_version: i64,
    ) -> StoreResult<()> {
        measured(NAME, "set_card_version", async move {
            sqlx::query(
                "UPDATE requests SET card_version = $3
                 WHERE team_id = $1 AND id = $2 AND (card_version IS NULL OR card_version < $3)",
            )
            .bind(team_id.as_str())
            .bind(id.0)
            .bind(shown_version)
            .execute(&self.writer)
            .await?;
            Ok(())
        })
        .await
    }

    async fn requests_by_requester(
        &self,
        team_id: &TeamId,
        requester: &UserId,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "requests_by_requester", async move {
            let rows: Vec<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND requester_id = $2 ORDER BY id DESC LIMIT $3"
            ))
            .bind(team_id.as_str())
            .bind(requester.as_str())
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            requests_from(rows)
        })
        .await
    }

    async fn requests_in_state(
        &self,
        team_id: &TeamId,
        state: RequestState,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "requests_in_state", async move {
            let rows: Vec<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND state = $2 ORDER BY id LIMIT $3"
            ))
            .bind(team_id.as_str())
            .bind(state.as_str())
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            requests_from(rows)
        })
        .await
    }

    async fn account_for_email(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "account_for_email", async move {
            let row: Option<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND email = $2 AND kind = 'guest'
                   AND state IN ('approved', 'invited', 'invite_expired', 'active') ORDER BY id DESC LIMIT 1"
            ))
            .bind(team_id.as_str())
            .bind(email)
            .fetch_optional(&self.reader)
            .await?;
            row.map(GuestRequest::try_from).transpose()
        })
        .await
    }

    async fn latest_guest_request(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "latest_guest_request", async move {
            let row: Option<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND email = $2 AND kind = 'guest' ORDER BY id DESC LIMIT 1"
            ))
            .bind(team_id.as_str())
            .bind(email)
            .fetch_optional(&self.reader)
            .await?;
            row.map(GuestRequest::try_from).transpose()
        })
        .await
    }

    async fn last_invitation(
        &self,
        team_id: &TeamId,
        email: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        measured(NAME, "last_invitation", async move {
            let last: Option<DateTime<Utc>> = sqlx::query_scalar(
                "SELECT MAX(sent_at) FROM invitations WHERE team_id = $1 AND email = $2",
            )
            .bind(team_id.as_str())
            .bind(email)
            .fetch_one(&self.reader)
            .await?;
            Ok(last)
        })
        .await
    }

    async fn count_by_state(&self) -> StoreResult<Vec<(RequestState, i64)>> {
        measured(NAME, "count_by_state", async move {
            let rows: Vec<(String, i64)> =
                sqlx::query_as("SELECT state, COUNT(*) FROM requests GROUP BY state")
                    .fetch_all(&self.reader)
                    .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(s, n)| RequestState::parse(&s).map(|s| (s, n)))
                .collect())
        })
        .await
    }
}

#[async_trait]
impl SyncImport for This {
    async fn create_approved(
        &self,
        batch: &[NewRequest],
        approval: &Approval,
        now: DateTime<Utc>,
        jobs: JobsForEach,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "create_approved", async move {
            let mut tx = self.writer.begin().await?;
            let mut created = Vec::with_capacity(batch.len());
            for new in batch {
                let row: Option<RequestRow> = bind_new_request(
                    insert_approved_request!(),
                    new,
                    RequestState::Approved,
                    new.expiry.deadline(now),
                    now,
                )
                .bind(approval.decided_by.as_ref().map(|u| u.as_str()))
                .bind(approval.auto_rule.as_deref())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else { continue };
                let request = GuestRequest::try_from(row)?;
                let audit = AuditEntry {
                    team_id: request.team_id.clone(),
                    request_id: Some(request.id),
                    actor: approval.audit_actor.clone(),
                    action: approval.audit_action.clone(),
                    from_state: None,
                    to_state: Some(RequestState::Approved),
                    detail: approval.audit_detail.clone(),
                    at: now,
                };
                insert_audit(&mut tx, &audit).await?;
                insert_jobs(&mut tx, &jobs(&request), now).await?;
                created.push(request);
            }
            tx.commit().await?;
            Ok(created)
        })
        .await
    }

    async fn held_emails(&self, team_id: &TeamId) -> StoreResult<Vec<HeldEmail>> {
        measured(NAME, "held_emails", async move {
            let rows: Vec<(String, i64, String, Option<String>)> = sqlx::query_as(
                "SELECT email, id, state, sync_rule FROM requests
                 WHERE team_id = $1 AND kind = 'guest'
                   AND state IN ('pending', 'approved', 'invited', 'invite_expired', 'active')",
            )
            .bind(team_id.as_str())
            .fetch_all(&self.reader)
            .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(email, id, state, sync_rule)| {
                    Some(HeldEmail {
                        email,
                        request_id: RequestId(id),
                        state: RequestState::parse(&state)?,
                        sync_rule,
                    })
                })
                .collect())
        })
        .await
    }

    async fn hold_plan(
        &self,
        team_id: &TeamId,
        rule: &str,
        plan: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        measured(NAME, "hold_plan", async move {
            let mut tx = self.writer.begin().await?;
            sqlx::query("UPDATE sync_plans SET status = 'superseded' WHERE team_id = $1 AND rule = $2 AND status = 'held'")
                .bind(team_id.as_str())
                .bind(rule)
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sync_plans (team_id, rule, plan, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(team_id.as_str())
            .bind(rule)
            .bind(plan)
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    async fn take_held_plan(
        &self,
        team_id: &TeamId,
        id: i64,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(String, String)>> {
        measured(NAME, "take_held_plan", async move {
            let taken: Option<(String, String)> = sqlx::query_as(
                "UPDATE sync_plans SET status = 'applied', decided_by = $3, decided_at = $4
                 WHERE team_id = $1 AND id = $2 AND status = 'held' RETURNING rule, plan",
            )
            .bind(team_id.as_str())
            .bind(id)
            .bind(actor.as_str())
            .bind(ms(now))
            .fetch_optional(&self.writer)
            .await?;
            Ok(taken)
        })
        .await
    }
}

#[async_trait]
impl Audit for This {
    async fn append_audit(&self, entry: AuditEntry, jobs: Vec<NewJob>) -> StoreResult<()> {
        measured(NAME, "append_audit", async move {
            let mut tx = self.writer.begin().await?;
            insert_audit(&mut tx, &entry).await?;
            insert_jobs(&mut tx, &jobs, entry.at).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn audit_since(&self, since: Option<DateTime<Utc>>) -> StoreResult<Vec<AuditRecord>> {
        measured(NAME, "audit_since", async move {
            let rows: Vec<AuditRow> = sqlx::query_as(AUDIT_SINCE)
                .bind(since.map(ms))
                .fetch_all(&self.reader)
                .await?;
            Ok(rows.into_iter().map(AuditRecord::from).collect())
        })
        .await
    }

    async fn audit_for_request(
        &self,
        team_id: &TeamId,
        id: RequestId,
    ) -> StoreResult<Vec<AuditRecord>> {
        measured(NAME, "audit_for_request", async move {
            let rows: Vec<AuditRow> = sqlx::query_as(
                "SELECT id, team_id, request_id, actor, action, from_state, to_state, detail, at
                 FROM audit_log WHERE team_id = $1 AND request_id = $2 ORDER BY id",
            )
            .bind(team_id.as_str())
            .bind(id.0)
            .fetch_all(&self.reader)
            .await?;
            Ok(rows.into_iter().map(AuditRecord::from).collect())
        })
        .await
    }
}

#[async_trait]
impl Inspect for This {
    async fn jobs_of_kind(&self, kind: &str, limit: i64) -> StoreResult<Vec<JobRecord>> {
        measured(NAME, "jobs_of_kind", async move {
            let rows: Vec<JobRecordRow> = sqlx::query_as(
                "SELECT id, kind, payload, state, attempts, run_at, dedupe_key, last_error
                 FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(kind)
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            rows.into_iter().map(JobRecord::try_from).collect()
        })
        .await
    }

    async fn invitation_count(&self, team_id: &TeamId, email: &str) -> StoreResult<i64> {
        measured(NAME, "invitation_count", async move {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM invitations WHERE team_id = $1 AND email = $2",
            )
            .bind(team_id.as_str())
            .bind(email)
            .fetch_one(&self.reader)
            .await?;
            Ok(count)
        })
        .await
    }
}
