// Access reviews (included by `mod.rs`; see there).

#[async_trait]
impl Reviews for This {
    async fn create_review(
        &self,
        review: &NewReview,
        audit: AuditEntry,
        jobs_for: Box<dyn FnOnce(i64) -> Vec<NewJob> + Send>,
    ) -> StoreResult<Option<ReviewCampaign>> {
        measured(NAME, "create_review", async move {
            let mut tx = self.writer.begin().await?;
            // The partial unique index keeps one open campaign per workspace, also under races.
            let row: Option<ReviewRow> = sqlx::query_as(concat!(
                "INSERT INTO review_campaigns (team_id, started_by, started_at, deadline, outcome, scope)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (team_id) WHERE closed_at IS NULL DO NOTHING RETURNING ",
                review_columns!()
            ))
            .bind(review.team_id.as_str())
            .bind(&review.started_by)
            .bind(ms(review.started_at))
            .bind(ms(review.deadline))
            .bind(review.outcome.as_str())
            .bind(&review.scope)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                tx.rollback().await?;
                return Ok(None);
            };
            let campaign: ReviewCampaign = row.try_into()?;
            for chunk in review.items.chunks(500) {
                let mut insert = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO review_items (team_id, campaign_id, request_id, sponsor, state) ",
                );
                insert.push_values(chunk, |mut row, (request, sponsor, state)| {
                    row.push_bind(review.team_id.as_str())
                        .push_bind(campaign.id)
                        .push_bind(request.0)
                        .push_bind(sponsor.as_str())
                        .push_bind(state.as_str());
                });
                insert.build().execute(&mut *tx).await?;
            }
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs_for(campaign.id), review.started_at).await?;
            tx.commit().await?;
            Ok(Some(campaign))
        })
        .await
    }

    async fn get_review(&self, team_id: &TeamId, id: i64) -> StoreResult<Option<ReviewCampaign>> {
        measured(NAME, "get_review", async move {
            let row: Option<ReviewRow> = sqlx::query_as(concat!(
                "SELECT ",
                review_columns!(),
                " FROM review_campaigns WHERE team_id = $1 AND id = $2"
            ))
            .bind(team_id.as_str())
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn open_review(&self, team_id: &TeamId) -> StoreResult<Option<ReviewCampaign>> {
        measured(NAME, "open_review", async move {
            let row: Option<ReviewRow> = sqlx::query_as(concat!(
                "SELECT ",
                review_columns!(),
                " FROM review_campaigns WHERE team_id = $1 AND closed_at IS NULL"
            ))
            .bind(team_id.as_str())
            .fetch_optional(&self.reader)
            .await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn latest_review(&self, team_id: &TeamId) -> StoreResult<Option<ReviewCampaign>> {
        measured(NAME, "latest_review", async move {
            let row: Option<ReviewRow> = sqlx::query_as(concat!(
                "SELECT ",
                review_columns!(),
                " FROM review_campaigns WHERE team_id = $1 ORDER BY id DESC LIMIT 1"
            ))
            .bind(team_id.as_str())
            .fetch_optional(&self.reader)
            .await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn review_items(
        &self,
        team_id: &TeamId,
        campaign_id: i64,
    ) -> StoreResult<Vec<ReviewItem>> {
        measured(NAME, "review_items", async move {
            let rows: Vec<ReviewItemRow> = sqlx::query_as(concat!(
                "SELECT ",
                review_item_columns!(),
                " FROM review_items WHERE team_id = $1 AND campaign_id = $2 ORDER BY sponsor, id"
            ))
            .bind(team_id.as_str())
            .bind(campaign_id)
            // The writer: a job reads the items its own answer just changed.
            .fetch_all(&self.writer)
            .await?;
            rows.into_iter().map(TryInto::try_into).collect()
        })
        .await
    }

    async fn review_item(&self, team_id: &TeamId, item_id: i64) -> StoreResult<Option<ReviewItem>> {
        measured(NAME, "review_item", async move {
            let row: Option<ReviewItemRow> = sqlx::query_as(concat!(
                "SELECT ",
                review_item_columns!(),
                " FROM review_items WHERE team_id = $1 AND id = $2"
            ))
            .bind(team_id.as_str())
            .bind(item_id)
            .fetch_optional(&self.writer)
            .await?;
            row.map(TryInto::try_into).transpose()
        })
        .await
    }

    async fn set_review_message(
        &self,
        team_id: &TeamId,
        item_ids: &[i64],
        which: ReviewMessage,
        channel: &str,
        ts: &str,
    ) -> StoreResult<()> {
        measured(NAME, "set_review_message", async move {
            let mut tx = self.writer.begin().await?;
            for id in item_ids {
                let query = match which {
                    ReviewMessage::Sponsor => sqlx::query(
                        "UPDATE review_items SET dm_channel = $3, dm_ts = $4 WHERE team_id = $1 AND id = $2",
                    )
                    .bind(team_id.as_str())
                    .bind(id)
                    .bind(channel)
                    .bind(ts),
                    // Always the request channel: only the ts is kept.
                    ReviewMessage::Escalation => sqlx::query(
                        "UPDATE review_items SET escalation_ts = $3 WHERE team_id = $1 AND id = $2",
                    )
                    .bind(team_id.as_str())
                    .bind(id)
                    .bind(ts),
                };
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn set_review_progress(
        &self,
        team_id: &TeamId,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> StoreResult<()> {
        measured(NAME, "set_review_progress", async move {
            sqlx::query(
                "UPDATE review_campaigns SET progress_channel = $3, progress_ts = $4 WHERE team_id = $1 AND id = $2",
            )
            .bind(team_id.as_str())
            .bind(id)
            .bind(channel)
            .bind(ts)
            .execute(&self.writer)
            .await?;
            Ok(())
        })
        .await
    }

    async fn answer_review(&self, answer: ReviewAnswer) -> StoreResult<AnswerOutcome> {
        measured(NAME, "answer_review", async move {
            let mut tx = self.writer.begin().await?;
            let moved = sqlx::query(
                "UPDATE review_items SET state = $4, decided_by = $5, decided_at = $6
                 WHERE team_id = $1 AND id = $2 AND state = $3",
            )
            .bind(answer.team_id.as_str())
            .bind(answer.item_id)
            .bind(answer.from.as_str())
            .bind(answer.to.as_str())
            .bind(&answer.by)
            .bind(ms(answer.at))
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(AnswerOutcome::AlreadyAnswered);
            }
            if let Some(change) = &answer.change {
                match change_state_in(&mut tx, change).await? {
                    ChangeOutcome::Applied(_) => {}
                    ChangeOutcome::Conflict(now) => {
                        tx.rollback().await?;
                        return Ok(AnswerOutcome::RequestChanged(Box::new(now)));
                    }
                    ChangeOutcome::NotFound | ChangeOutcome::ParentClosed => {
                        tx.rollback().await?;
                        return Ok(AnswerOutcome::AlreadyAnswered);
                    }
                }
            }
            if let Some(audit) = &answer.audit {
                insert_audit(&mut tx, audit).await?;
            }
            insert_jobs(&mut tx, &answer.jobs, answer.at).await?;
            tx.commit().await?;
            Ok(AnswerOutcome::Answered)
        })
        .await
    }

    async fn close_review(
        &self,
        team_id: &TeamId,
        id: i64,
        at: DateTime<Utc>,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<bool> {
        measured(NAME, "close_review", async move {
            let mut tx = self.writer.begin().await?;
            let closed = sqlx::query(
                "UPDATE review_campaigns SET closed_at = $3 WHERE team_id = $1 AND id = $2 AND closed_at IS NULL",
            )
            .bind(team_id.as_str())
            .bind(id)
            .bind(ms(at))
            .execute(&mut *tx)
            .await?;
            if closed.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs, at).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }
}
