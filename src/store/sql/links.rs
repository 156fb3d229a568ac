// Invite links (included by `mod.rs`; see there).

#[async_trait]
impl InviteLinks for This {
    async fn create_link(
        &self,
        link: &crate::domain::join::NewInviteLink,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreResult<crate::domain::join::InviteLink> {
        measured(NAME, "create_link", async move {
            let (expiry_kind, expiry_days, expiry_at) = expiry_columns(&link.terms.expiry);
            let mut tx = self.writer.begin().await?;
            let row: LinkRow = sqlx::query_as(concat!(
                "INSERT INTO invite_links (team_id, token_hash, sponsor_id, guest_type, channels,
                     expiry_kind, expiry_days, expiry_at, max_uses, valid_until, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ",
                link_columns!()
            ))
            .bind(link.team_id.as_str())
            .bind(link.token_hash.as_str())
            .bind(link.sponsor.as_str())
            .bind(link.terms.guest_type.as_str())
            .bind(channels_json(&link.terms.channels))
            .bind(expiry_kind)
            .bind(expiry_days)
            .bind(expiry_at.map(ms))
            .bind(i64::from(link.max_uses))
            .bind(ms(link.valid_until))
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            tx.commit().await?;
            row.try_into()
        })
        .await
    }

    async fn link_by_token_hash(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<crate::domain::join::InviteLink>> {
        measured(NAME, "link_by_token_hash", async move {
            let row: Option<LinkRow> = sqlx::query_as(concat!(
                "SELECT ",
                link_columns!(),
                " FROM invite_links WHERE token_hash = $1"
            ))
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn get_link(
        &self,
        team_id: &TeamId,
        id: i64,
    ) -> StoreResult<Option<crate::domain::join::InviteLink>> {
        measured(NAME, "get_link", async move {
            let row: Option<LinkRow> = sqlx::query_as(concat!(
                "SELECT ",
                link_columns!(),
                " FROM invite_links WHERE team_id = $1 AND id = $2"
            ))
            .bind(team_id.as_str())
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn open_links_of(
        &self,
        team_id: &TeamId,
        sponsor: &UserId,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<crate::domain::join::InviteLink>> {
        measured(NAME, "open_links_of", async move {
            let rows: Vec<LinkRow> = sqlx::query_as(concat!(
                "SELECT ",
                link_columns!(),
                " FROM invite_links WHERE team_id = $1 AND sponsor_id = $2 AND revoked_at IS NULL
                   AND valid_until > $3 AND uses < max_uses
                 ORDER BY created_at DESC, id DESC LIMIT $4"
            ))
            .bind(team_id.as_str())
            .bind(sponsor.as_str())
            .bind(ms(now))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            rows.into_iter().map(TryInto::try_into).collect()
        })
        .await
    }

    async fn revoke_link(
        &self,
        team_id: &TeamId,
        id: i64,
        by: &UserId,
        now: DateTime<Utc>,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Option<crate::domain::join::InviteLink>> {
        measured(NAME, "revoke_link", async move {
            let mut tx = self.writer.begin().await?;
            let row: Option<LinkRow> = sqlx::query_as(concat!(
                "UPDATE invite_links SET revoked_at = $3, revoked_by = $4
                 WHERE team_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING ",
                link_columns!()
            ))
            .bind(team_id.as_str())
            .bind(id)
            .bind(ms(now))
            .bind(by.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_some() {
                insert_audit(&mut tx, &audit).await?;
                insert_jobs(&mut tx, &jobs, now).await?;
            }
            tx.commit().await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn redeem_link(
        &self,
        link_id: i64,
        new: &NewRequest,
        now: DateTime<Utc>,
        mut audit: AuditEntry,
        jobs: JobsFor,
    ) -> StoreResult<RedeemOutcome> {
        measured(NAME, "redeem_link", async move {
            let mut tx = self.writer.begin().await?;
            // The compare-and-set that decides whether this visitor gets one of the link's uses.
            let taken = sqlx::query(
                "UPDATE invite_links SET uses = uses + 1
                 WHERE id = $1 AND team_id = $2 AND revoked_at IS NULL AND valid_until > $3
                   AND uses < max_uses",
            )
            .bind(link_id)
            .bind(new.team_id.as_str())
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() == 0 {
                return Ok(RedeemOutcome::LinkClosed);
            }
            let (state, expires_at) = (RequestState::Pending, new.expiry.fixed_deadline());
            let inserted: Result<RequestRow, sqlx::Error> =
                bind_new_request(insert_request!(), new, state, expires_at, now)
                    .fetch_one(&mut *tx)
                    .await;
            let row = match inserted {
                Ok(row) => row,
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    // Rolls the use back with the failed insert.
                    drop(tx);
                    let mut tx = self.writer.begin().await?;
                    let holder = holder_of(&mut tx, new).await?;
                    tx.commit().await?;
                    return match holder {
                        Some(
                            CreateOutcome::Duplicate(existing)
                            | CreateOutcome::PhoneTaken(existing),
                        ) => Ok(RedeemOutcome::Duplicate(existing)),
                        _ => Err(StoreError::Corrupt(
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
            Ok(RedeemOutcome::Created(request))
        })
        .await
    }
}
