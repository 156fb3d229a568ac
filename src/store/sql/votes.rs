// Votes (included by `mod.rs`; see there).

#[async_trait]
impl Votes for This {
    async fn cast_vote(&self, cast: VoteCast) -> StoreResult<VoteOutcome> {
        measured(NAME, "cast_vote", async move {
            let VoteCast {
                team_id,
                request_id,
                round,
                vote,
                note,
                at,
                amendment,
                audit,
                then,
            } = cast;
            let mut tx = self.writer.begin().await?;
            // Takes the row (Postgres: its lock; SQLite: the one writer) so that racing votes
            // are counted one after another, each seeing the ones before. The version moves:
            // the card shows the count.
            let locked: Option<RequestRow> = sqlx::query_as(concat!(
                "UPDATE requests SET version = version + 1
                 WHERE team_id = $1 AND id = $2 AND state = 'pending' AND approval_round = $3
                 RETURNING ",
                request_columns!()
            ))
            .bind(team_id.as_str())
            .bind(request_id.0)
            .bind(round)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(mut row) = locked else {
                let current: Option<RequestRow> =
                    sqlx::query_as(select_requests!("WHERE team_id = $1 AND id = $2"))
                        .bind(team_id.as_str())
                        .bind(request_id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.commit().await?;
                return Ok(match current {
                    Some(row) => VoteOutcome::Conflict(row.try_into()?),
                    None => VoteOutcome::NotFound,
                });
            };
            if let Some(amendment) = &amendment {
                let terms = &amendment.terms;
                let (expiry_kind, expiry_days, expiry_at) = expiry_columns(&terms.expiry);
                row = sqlx::query_as(concat!(
                    "UPDATE requests SET guest_type = $3, channels = $4, expiry_kind = $5,
                         expiry_days = $6, expiry_at = $7, expires_at = $8, amendment = $9,
                         approval_round = approval_round + 1, version = version + 1,
                         updated_at = $10
                     WHERE team_id = $1 AND id = $2
                     RETURNING ",
                    request_columns!()
                ))
                .bind(team_id.as_str())
                .bind(request_id.0)
                .bind(terms.guest_type.as_str())
                .bind(channels_json(&terms.channels))
                .bind(expiry_kind)
                .bind(expiry_days)
                .bind(expiry_at.map(ms))
                .bind(terms.expiry.fixed_deadline().map(ms))
                .bind(serde_json::to_string(&amendment.changes).ok())
                .bind(ms(at))
                .fetch_one(&mut *tx)
                .await?;
            }
            let request = GuestRequest::try_from(row)?;
            let inserted = sqlx::query(
                "INSERT INTO votes (team_id, request_id, round, voter_id, verdict, roles, note, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (request_id, round, voter_id) DO NOTHING",
            )
            .bind(team_id.as_str())
            .bind(request_id.0)
            .bind(request.approval_round)
            .bind(vote.voter.as_str())
            .bind(vote.verdict.as_str())
            .bind(serde_json::to_string(&vote.roles).unwrap_or_else(|_| "[]".into()))
            .bind(note.as_deref().map(strip_controls))
            .bind(ms(at))
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(VoteOutcome::AlreadyVoted(request));
            }
            let votes = votes_in(&mut tx, &team_id, request_id, request.approval_round).await?;
            insert_audit(&mut tx, &audit).await?;
            let effects = then(&request, &votes);
            insert_jobs(&mut tx, &effects.jobs, at).await?;
            let decided = match &effects.decision {
                None => None,
                Some(decision) => match change_state_in(&mut tx, decision).await? {
                    ChangeOutcome::Applied(decided) => Some(decided),
                    ChangeOutcome::ParentClosed => {
                        tx.rollback().await?;
                        return Ok(VoteOutcome::ParentClosed);
                    }
                    // Cannot happen while the row is held; written out rather than assumed.
                    ChangeOutcome::Conflict(current) => {
                        tx.rollback().await?;
                        return Ok(VoteOutcome::Conflict(current));
                    }
                    ChangeOutcome::NotFound => {
                        tx.rollback().await?;
                        return Ok(VoteOutcome::NotFound);
                    }
                },
            };
            tx.commit().await?;
            Ok(VoteOutcome::Counted {
                request: Box::new(request),
                votes,
                decided: decided.map(Box::new),
            })
        })
        .await
    }

    async fn votes(&self, team_id: &TeamId, id: RequestId, round: i64) -> StoreResult<Vec<Vote>> {
        measured(NAME, "votes", async move {
            let rows: Vec<VoteRow> = sqlx::query_as(VOTES_OF_ROUND)
                .bind(team_id.as_str())
                .bind(id.0)
                .bind(round)
                .fetch_all(&self.reader)
                .await?;
            rows.into_iter().map(Vote::try_from).collect()
        })
        .await
    }
}

const VOTES_OF_ROUND: &str = "SELECT voter_id, verdict, roles FROM votes
     WHERE team_id = $1 AND request_id = $2 AND round = $3 ORDER BY id";

async fn votes_in(
    tx: &mut Transaction<'_, Db>,
    team_id: &TeamId,
    id: RequestId,
    round: i64,
) -> StoreResult<Vec<Vote>> {
    let rows: Vec<VoteRow> = sqlx::query_as(VOTES_OF_ROUND)
        .bind(team_id.as_str())
        .bind(id.0)
        .bind(round)
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter().map(Vote::try_from).collect()
}
