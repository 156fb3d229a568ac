// Sync and import, audit, inspection, and the schema (included by `mod.rs`; see there).

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
