// Sync and import, audit, inspection, and the schema (included by `mod.rs`; see there).

/// Reads `HELD_EMAILS`'s packed text (a field that does not parse drops its record).
fn unpack_held(packed: &str) -> Vec<HeldEmail> {
    packed
        .split('\u{1e}')
        .filter_map(|record| {
            let mut fields = record.splitn(4, '\u{1f}');
            let id = fields.next()?.parse().ok()?;
            let state = RequestState::parse(fields.next()?)?;
            let sync_rule = Some(fields.next()?)
                .filter(|r| !r.is_empty())
                .map(str::to_string);
            let email = fields.next()?.to_string();
            Some(HeldEmail {
                email,
                request_id: RequestId(id),
                state,
                sync_rule,
            })
        })
        .collect()
}

/// Rows per multi-row request insert: 27 binds each, within SQLite's 32,766.
const REQUESTS_PER_INSERT: usize = 250;

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
            // Multi-row statements: requests (RETURNING the inserted ones: a conflict with an open
            // request for the same email skips that row), then their audit rows and jobs.
            let mut tx = self.writer.begin().await?;
            let mut created = Vec::with_capacity(batch.len());
            for rows in batch.chunks(REQUESTS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::<Db>::new(concat!(
                    "INSERT INTO requests (",
                    new_request_columns!(),
                    ", decided_by, decided_at, auto_rule) "
                ));
                insert.push_values(rows, |mut row, new| {
                    let (expiry_kind, expiry_days, expiry_at) = expiry_columns(&new.expiry);
                    row.push_bind(new.team_id.as_str())
                        .push_bind(new.kind.as_str())
                        .push_bind(new.parent_id.map(|p| p.0))
                        .push_bind(new.requester.as_str())
                        .push_bind(new.email.as_str())
                        .push_bind(clean_line(&new.full_name))
                        .push_bind(clean_line(&new.organisation))
                        .push_bind(strip_controls(&new.reason))
                        .push_bind(new.guest_type.as_str())
                        .push_bind(channels_json(&new.channels))
                        .push_bind(expiry_kind)
                        .push_bind(expiry_days)
                        .push_bind(expiry_at.map(ms))
                        .push_bind(new.expiry.deadline(now).map(ms))
                        .push_bind(RequestState::Approved.as_str())
                        .push_bind(new.source.as_str())
                        .push_bind(new.sync_rule.as_deref())
                        .push_bind(ms(now))
                        .push_bind(new.profile.phone.as_deref())
                        .push_bind(new.account_team.as_ref().map(|t| t.as_str()))
                        .push_bind(new.source_user.as_ref().map(|u| u.as_str()))
                        .push_bind(serde_json::to_string(&new.quorum).ok())
                        .push_bind(new.decide_by.map(ms))
                        .push_bind(new.profile.title.as_deref().map(clean_line))
                        .push_bind(new.profile.department.as_deref().map(clean_line))
                        .push_bind(new.profile.manager.as_ref().map(|u| u.as_str()))
                        .push_bind(new.profile.employee_id.as_deref().map(clean_line))
                        .push_bind(new.slack_invite_request.as_deref())
                        .push_bind(ms(now))
                        .push_bind(approval.decided_by.as_ref().map(|u| u.as_str()))
                        .push_bind(ms(now))
                        .push_bind(approval.auto_rule.as_deref());
                });
                insert.push(concat!(
                    // An email or a phone held meanwhile: the row is left out (both indexes).
                    " ON CONFLICT DO NOTHING RETURNING ",
                    request_columns!()
                ));
                let inserted: Vec<RequestRow> = insert.build_query_as().fetch_all(&mut *tx).await?;
                for row in inserted {
                    created.push(GuestRequest::try_from(row)?);
                }
            }
            // RETURNING gives no order; the ids do (and keep audit and jobs in request order).
            created.sort_by_key(|r| r.id.0);
            let audits: Vec<AuditEntry> = created
                .iter()
                .map(|request| AuditEntry {
                    team_id: request.team_id.clone(),
                    request_id: Some(request.id),
                    actor: approval.audit_actor.clone(),
                    action: approval.audit_action.clone(),
                    from_state: None,
                    to_state: Some(RequestState::Approved),
                    detail: approval.audit_detail.clone(),
                    at: now,
                })
                .collect();
            insert_audits(&mut tx, &audits).await?;
            let all_jobs: Vec<NewJob> = created.iter().flat_map(&jobs).collect();
            insert_jobs(&mut tx, &all_jobs, now).await?;
            tx.commit().await?;
            Ok(created)
        })
        .await
    }

    async fn held_emails(&self, team_id: &TeamId) -> StoreResult<Vec<HeldEmail>> {
        measured(NAME, "held_emails", async move {
            let packed: Option<String> = sqlx::query_scalar(HELD_EMAILS)
                .bind(team_id.as_str())
                .fetch_one(&self.reader)
                .await?;
            Ok(packed.as_deref().map(unpack_held).unwrap_or_default())
        })
        .await
    }

    async fn held_phones(
        &self,
        team_id: &TeamId,
    ) -> StoreResult<Vec<(String, RequestId, RequestState)>> {
        measured(NAME, "held_phones", async move {
            let rows: Vec<(String, i64, String)> = sqlx::query_as(
                "SELECT phone, id, state FROM requests
                 WHERE team_id = $1 AND kind = 'guest' AND phone IS NOT NULL
                   AND state IN ('pending', 'approved', 'invited', 'active')",
            )
            .bind(team_id.as_str())
            .fetch_all(&self.reader)
            .await?;
            rows.into_iter()
                .map(|(phone, id, state)| {
                    RequestState::parse(&state)
                        .map(|s| (phone, RequestId(id), s))
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!("request {id}: bad state {state:?}"))
                        })
                })
                .collect()
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
