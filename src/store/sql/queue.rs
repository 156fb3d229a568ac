// Event log and job queue (included by `mod.rs`; see there).

#[async_trait]
impl EventLog for This {
    async fn record_event(
        &self,
        team_id: &TeamId,
        event_id: &str,
        event_type: &str,
        at: DateTime<Utc>,
        job: Option<EventJob>,
    ) -> StoreResult<Recorded> {
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

/// The most jobs one claim leases (a worker with more free slots claims again).
const MAX_CLAIM: usize = 64;

/// `CLAIM_JOBS` with its limit written in. Bound, the limit would make SQLite re-plan the
/// statement at every claim (it reads a bound LIMIT's value while planning, so rebinding it
/// expires the statement); as text there are at most `MAX_CLAIM` prepared statements, each
/// planned once.
fn claim_statement(limit: i64) -> sqlx::AssertSqlSafe<&'static str> {
    static STATEMENTS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        (1..=MAX_CLAIM)
            .map(|n| CLAIM_JOBS.replace("__limit__", &n.to_string()))
            .collect()
    });
    let n = usize::try_from(limit).unwrap_or(1).clamp(1, MAX_CLAIM);
    sqlx::AssertSqlSafe(STATEMENTS[n - 1].as_str())
}

#[async_trait]
impl JobQueue for This {
    async fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<()> {
        measured(NAME, "enqueue_jobs", async move {
            // In the next group commit, with every other enqueue and event of the moment.
            self.events.enqueue(jobs.to_vec(), Utc::now()).await
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
            let rows: Vec<JobRow> = sqlx::query_as(claim_statement(limit))
                .bind(owner)
                .bind(ms(lease_until))
                .bind(ms(now))
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

    async fn complete_jobs(
        &self,
        ids: &[i64],
        owner: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>> {
        measured(NAME, "complete_jobs", async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut update = sqlx::QueryBuilder::<Db>::new(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ",
            );
            update
                .push_bind(ms(now))
                .push(", finished_at = ")
                .push_bind(ms(now))
                .push(" WHERE state = 'running' AND lease_owner = ")
                .push_bind(owner)
                .push(" AND id IN (");
            let mut list = update.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            update.push(") RETURNING id");
            Ok(update
                .build_query_scalar::<i64>()
                .fetch_all(&self.writer)
                .await?)
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

    async fn watch_due_jobs(&self, wake: std::sync::Arc<tokio::sync::Notify>) -> StoreResult<()> {
        listen_for_jobs(&self.writer, wake).await
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
