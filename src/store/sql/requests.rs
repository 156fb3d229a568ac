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
                    let holder = holder_of(&mut tx, new).await?;
                    tx.commit().await?;
                    return holder.ok_or_else(|| {
                        StoreError::Corrupt("unique violation without an open request".into())
                    });
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

    async fn request_for_invite_request(
        &self,
        team_id: &TeamId,
        invite_request: &str,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "request_for_invite_request", async move {
            let row: Option<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND slack_invite_request = $2"
            ))
            .bind(team_id.as_str())
            .bind(invite_request)
            .fetch_optional(&self.reader)
            .await?;
            row.map(GuestRequest::try_from).transpose()
        })
        .await
    }

    async fn open_request_for_phone(
        &self,
        team_id: &TeamId,
        phone: &str,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "open_request_for_phone", async move {
            let row: Option<RequestRow> = sqlx::query_as(OPEN_FOR_PHONE)
                .bind(team_id.as_str())
                .bind(phone)
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
            let mut tx = self.writer.begin().await?;
            let outcome = change_state_in(&mut tx, &change).await?;
            match outcome {
                ChangeOutcome::ParentClosed => tx.rollback().await?,
                _ => tx.commit().await?,
            }
            Ok(outcome)
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

    async fn set_channels(
        &self,
        team_id: &TeamId,
        id: RequestId,
        channels: &[crate::domain::ChannelId],
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<bool> {
        measured(NAME, "set_channels", async move {
            let mut tx = self.writer.begin().await?;
            let moved = sqlx::query(
                "UPDATE requests SET channels = $3, version = version + 1, updated_at = $4
                 WHERE team_id = $1 AND id = $2 AND state IN ('approved', 'invited', 'invite_expired', 'active')",
            )
            .bind(team_id.as_str())
            .bind(id.0)
            .bind(channels_json(channels))
            .bind(ms(audit.at))
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs, audit.at).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    async fn live_accounts(
        &self,
        after: Option<RequestId>,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "live_accounts", async move {
            let rows: Vec<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE kind = 'guest' AND state IN ('approved', 'invited', 'invite_expired', 'active')
                   AND id > $1 ORDER BY id LIMIT $2"
            ))
            .bind(after.map(|a| a.0).unwrap_or(0))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            requests_from(rows)
        })
        .await
    }

    async fn reassign_sponsor(
        &self,
        team_id: &TeamId,
        id: RequestId,
        from: &UserId,
        to: &UserId,
        mut audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "reassign_sponsor", async move {
            let now = audit.at;
            let mut tx = self.writer.begin().await?;
            let row: Option<RequestRow> = sqlx::query_as(concat!(
                "UPDATE requests SET requester_id = $4, version = version + 1, updated_at = $5
                 WHERE team_id = $1 AND id = $2 AND requester_id = $3 AND kind = 'guest'
                   AND state IN ('approved', 'invited', 'invite_expired', 'active')
                 RETURNING ",
                request_columns!()
            ))
            .bind(team_id.as_str())
            .bind(id.0)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(ms(now))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                tx.commit().await?;
                return Ok(None);
            };
            audit.request_id = Some(id);
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs, now).await?;
            tx.commit().await?;
            Ok(Some(GuestRequest::try_from(row)?))
        })
        .await
    }

    async fn requests_by_parent(
        &self,
        team_id: &TeamId,
        parent: RequestId,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "requests_by_parent", async move {
            let rows: Vec<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND parent_id = $2 ORDER BY id"
            ))
            .bind(team_id.as_str())
            .bind(parent.0)
            .fetch_all(&self.reader)
            .await?;
            requests_from(rows)
        })
        .await
    }

    async fn request_by_id(&self, id: RequestId) -> StoreResult<Option<GuestRequest>> {
        measured(NAME, "request_by_id", async move {
            let row: Option<RequestRow> = sqlx::query_as(select_requests!("WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&self.reader)
                .await?;
            row.map(GuestRequest::try_from).transpose()
        })
        .await
    }

    async fn requests_bound_to(
        &self,
        team_id: &TeamId,
        slack_user_id: &str,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "requests_bound_to", async move {
            let rows: Vec<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND slack_user_id = $2 AND kind = 'guest'
                   AND account_team IS NULL ORDER BY id DESC LIMIT 20"
            ))
            .bind(team_id.as_str())
            .bind(slack_user_id)
            .fetch_all(&self.reader)
            .await?;
            requests_from(rows)
        })
        .await
    }

    async fn past_their_end(
        &self,
        team_id: &TeamId,
        before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<GuestRequest>> {
        measured(NAME, "past_their_end", async move {
            let rows: Vec<RequestRow> = sqlx::query_as(select_requests!(
                "WHERE team_id = $1 AND kind = 'guest'
                   AND state IN ('approved', 'invited', 'invite_expired', 'active')
                   AND expires_at IS NOT NULL AND expires_at < $2
                 ORDER BY expires_at, id LIMIT $3"
            ))
            .bind(team_id.as_str())
            .bind(ms(before))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            requests_from(rows)
        })
        .await
    }

    async fn join_requests_for_domain(
        &self,
        team_id: &TeamId,
        domain: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        measured(NAME, "join_requests_for_domain", async move {
            // Emails are stored lower-cased; the domain is matched whole (`@x` at the end).
            let suffix = format!("%@{}", domain.to_lowercase().replace(['%', '_'], ""));
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM requests
                 WHERE team_id = $1 AND source IN ('invite_link', 'self_registration')
                   AND email LIKE $2 AND created_at >= $3",
            )
            .bind(team_id.as_str())
            .bind(suffix)
            .bind(ms(since))
            .fetch_one(&self.reader)
            .await?;
            Ok(count)
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
