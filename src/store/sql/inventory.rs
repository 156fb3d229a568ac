// Unmanaged guests (included by `mod.rs`; see there).

#[async_trait]
impl Inventory for This {
    async fn replace_unmanaged(
        &self,
        team_id: &TeamId,
        seen: &[UnmanagedGuest],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        measured(NAME, "replace_unmanaged", async move {
            let mut tx = self.writer.begin().await?;
            for chunk in seen.chunks(500) {
                let mut insert = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO unmanaged_guests (team_id, slack_user_id, email, name, guest_type, first_seen, last_seen) ",
                );
                insert.push_values(chunk, |mut row, g| {
                    row.push_bind(team_id.as_str())
                        .push_bind(g.slack_user_id.as_str())
                        .push_bind(g.email.as_deref())
                        .push_bind(g.name.as_str())
                        .push_bind(g.guest_type.as_str())
                        .push_bind(ms(now))
                        .push_bind(ms(now));
                });
                insert.push(
                    " ON CONFLICT (team_id, slack_user_id) DO UPDATE SET email = excluded.email, \
                     name = excluded.name, guest_type = excluded.guest_type, last_seen = excluded.last_seen",
                );
                insert.build().execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM unmanaged_guests WHERE team_id = $1 AND last_seen < $2")
                .bind(team_id.as_str())
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn unmanaged_guests(
        &self,
        team_id: Option<&TeamId>,
        limit: i64,
    ) -> StoreResult<Vec<UnmanagedGuest>> {
        measured(NAME, "unmanaged_guests", async move {
            let rows: Vec<UnmanagedGuest> = sqlx::query_as(
                "SELECT team_id, slack_user_id, email, name, guest_type, first_seen, last_seen
                 FROM unmanaged_guests WHERE ($1 IS NULL OR team_id = $1)
                 ORDER BY name, slack_user_id LIMIT $2",
            )
            .bind(team_id.map(|t| t.as_str()))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
            Ok(rows)
        })
        .await
    }

    async fn bound_user_ids(&self, team_id: &TeamId) -> StoreResult<Vec<String>> {
        measured(NAME, "bound_user_ids", async move {
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT slack_user_id FROM requests
                 WHERE team_id = $1 AND slack_user_id IS NOT NULL AND account_team IS NULL
                   AND state IN ('approved', 'invited', 'invite_expired', 'active')",
            )
            .bind(team_id.as_str())
            .fetch_all(&self.reader)
            .await?;
            Ok(ids)
        })
        .await
    }

    async fn forget_unmanaged(&self, team_id: &TeamId, slack_user_id: &str) -> StoreResult<()> {
        measured(NAME, "forget_unmanaged", async move {
            sqlx::query("DELETE FROM unmanaged_guests WHERE team_id = $1 AND slack_user_id = $2")
                .bind(team_id.as_str())
                .bind(slack_user_id)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
        .await
    }
}
