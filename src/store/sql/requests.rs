// Requests and accounts (included by `mod.rs`; see there).

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
