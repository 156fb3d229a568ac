// Installations, OAuth states and workspace settings (included by `mod.rs`; see there).

macro_rules! select_installations {
    ($tail:literal) => {
        concat!(
            "SELECT team_id, enterprise_id, is_enterprise_install, team_name, app_id, bot_user_id, \
             installer_id, bot_token, bot_refresh_token, bot_expires_at, bot_scopes, user_id, \
             user_token, user_refresh_token, user_expires_at, user_scopes, version, installed_at, \
             updated_at FROM installations ",
            $tail
        )
    };
}

#[derive(Debug, sqlx::FromRow)]
struct InstallationRow {
    team_id: String,
    enterprise_id: Option<String>,
    is_enterprise_install: bool,
    team_name: String,
    app_id: String,
    bot_user_id: String,
    installer_id: String,
    bot_token: String,
    bot_refresh_token: Option<String>,
    bot_expires_at: Option<DateTime<Utc>>,
    bot_scopes: String,
    user_id: Option<String>,
    user_token: Option<String>,
    user_refresh_token: Option<String>,
    user_expires_at: Option<DateTime<Utc>>,
    user_scopes: String,
    version: i64,
    installed_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<InstallationRow> for InstallationRecord {
    fn from(row: InstallationRow) -> Self {
        let user = match (row.user_id, row.user_token) {
            (Some(id), Some(token)) => Some((
                id,
                SealedTokens {
                    token,
                    refresh_token: row.user_refresh_token,
                    expires_at: row.user_expires_at,
                    scopes: row.user_scopes,
                },
            )),
            _ => None,
        };
        InstallationRecord {
            key: TeamId(row.team_id),
            enterprise_id: row.enterprise_id,
            is_enterprise_install: row.is_enterprise_install,
            team_name: row.team_name,
            app_id: row.app_id,
            bot_user_id: row.bot_user_id,
            installer: row.installer_id,
            bot: SealedTokens {
                token: row.bot_token,
                refresh_token: row.bot_refresh_token,
                expires_at: row.bot_expires_at,
                scopes: row.bot_scopes,
            },
            user,
            version: row.version,
            installed_at: row.installed_at,
            updated_at: row.updated_at,
        }
    }
}

async fn installation_in(
    tx: &mut Transaction<'_, Db>,
    key: &TeamId,
) -> StoreResult<Option<InstallationRecord>> {
    let row: Option<InstallationRow> = sqlx::query_as(select_installations!("WHERE team_id = $1"))
        .bind(key.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(InstallationRecord::from))
}

#[async_trait]
impl Installations for This {
    async fn save_installation(
        &self,
        i: &InstallationRecord,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()> {
        measured(NAME, "save_installation", async move {
            let user = i.user.as_ref();
            let mut tx = self.writer.begin().await?;
            sqlx::query(
                "INSERT INTO installations (team_id, enterprise_id, is_enterprise_install, team_name,
                     app_id, bot_user_id, installer_id, bot_token, bot_refresh_token, bot_expires_at,
                     bot_scopes, user_id, user_token, user_refresh_token, user_expires_at,
                     user_scopes, version, installed_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17)
                 ON CONFLICT (team_id) DO UPDATE SET
                     enterprise_id = excluded.enterprise_id,
                     is_enterprise_install = excluded.is_enterprise_install,
                     team_name = excluded.team_name, app_id = excluded.app_id,
                     bot_user_id = excluded.bot_user_id,
                     installer_id = CASE WHEN installations.installer_id = ''
                         THEN excluded.installer_id ELSE installations.installer_id END,
                     bot_token = excluded.bot_token, bot_refresh_token = excluded.bot_refresh_token,
                     bot_expires_at = excluded.bot_expires_at, bot_scopes = excluded.bot_scopes,
                     user_id = excluded.user_id, user_token = excluded.user_token,
                     user_refresh_token = excluded.user_refresh_token,
                     user_expires_at = excluded.user_expires_at, user_scopes = excluded.user_scopes,
                     refresh_owner = NULL, refresh_lease_until = NULL,
                     version = installations.version + 1, installed_at = excluded.installed_at,
                     updated_at = excluded.updated_at",
            )
            .bind(i.key.as_str())
            .bind(i.enterprise_id.as_deref())
            .bind(i.is_enterprise_install)
            .bind(i.team_name.as_str())
            .bind(i.app_id.as_str())
            .bind(i.bot_user_id.as_str())
            .bind(i.installer.as_str())
            .bind(i.bot.token.as_str())
            .bind(i.bot.refresh_token.as_deref())
            .bind(i.bot.expires_at.map(ms))
            .bind(i.bot.scopes.as_str())
            .bind(user.map(|(id, _)| id.as_str()))
            .bind(user.map(|(_, t)| t.token.as_str()))
            .bind(user.and_then(|(_, t)| t.refresh_token.as_deref()))
            .bind(user.and_then(|(_, t)| t.expires_at.map(ms)))
            .bind(user.map(|(_, t)| t.scopes.as_str()).unwrap_or(""))
            .bind(ms(i.installed_at))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs, audit.at).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn installation(&self, key: &TeamId) -> StoreResult<Option<InstallationRecord>> {
        measured(NAME, "installation", async move {
            let row: Option<InstallationRow> =
                sqlx::query_as(select_installations!("WHERE team_id = $1"))
                    .bind(key.as_str())
                    .fetch_optional(&self.reader)
                    .await?;
            Ok(row.map(InstallationRecord::from))
        })
        .await
    }

    async fn installations(&self) -> StoreResult<Vec<InstallationRecord>> {
        measured(NAME, "installations", async move {
            let rows: Vec<InstallationRow> =
                sqlx::query_as(select_installations!("ORDER BY team_id"))
                    .fetch_all(&self.reader)
                    .await?;
            Ok(rows.into_iter().map(InstallationRecord::from).collect())
        })
        .await
    }

    async fn remove_installation(
        &self,
        key: &TeamId,
        installed_before: DateTime<Utc>,
        audit: AuditEntry,
    ) -> StoreResult<bool> {
        measured(NAME, "remove_installation", async move {
            let mut tx = self.writer.begin().await?;
            let removed =
                sqlx::query("DELETE FROM installations WHERE team_id = $1 AND installed_at < $2")
                    .bind(key.as_str())
                    .bind(ms(installed_before))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
            if removed {
                sqlx::query("DELETE FROM workspace_settings WHERE team_id = $1")
                    .bind(key.as_str())
                    .execute(&mut *tx)
                    .await?;
                // An org-wide install's workspaces set theirs under their own ids; they go
                // with it, unless a workspace has an installation of its own.
                sqlx::query(
                    "DELETE FROM workspace_settings
                     WHERE team_id IN (SELECT team_id FROM workspaces WHERE enterprise_id = $1)
                       AND team_id NOT IN (SELECT team_id FROM installations)",
                )
                .bind(key.as_str())
                .execute(&mut *tx)
                .await?;
                insert_audit(&mut tx, &audit).await?;
            }
            tx.commit().await?;
            Ok(removed)
        })
        .await
    }

    async fn remove_user_token(
        &self,
        key: &TeamId,
        user_id: &str,
        audit: AuditEntry,
    ) -> StoreResult<bool> {
        measured(NAME, "remove_user_token", async move {
            let mut tx = self.writer.begin().await?;
            let removed = sqlx::query(
                "UPDATE installations SET user_id = NULL, user_token = NULL,
                     user_refresh_token = NULL, user_expires_at = NULL, user_scopes = '',
                     version = version + 1, updated_at = $3
                 WHERE team_id = $1 AND user_id = $2",
            )
            .bind(key.as_str())
            .bind(user_id)
            .bind(ms(audit.at))
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if removed {
                insert_audit(&mut tx, &audit).await?;
            }
            tx.commit().await?;
            Ok(removed)
        })
        .await
    }

    async fn lease_refresh(
        &self,
        key: &TeamId,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<InstallationRecord>> {
        measured(NAME, "lease_refresh", async move {
            let mut tx = self.writer.begin().await?;
            let taken = sqlx::query(
                "UPDATE installations SET refresh_owner = $2, refresh_lease_until = $4
                 WHERE team_id = $1 AND (refresh_lease_until IS NULL OR refresh_lease_until <= $3)",
            )
            .bind(key.as_str())
            .bind(owner)
            .bind(ms(now))
            .bind(ms(until))
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            let installation = if taken {
                installation_in(&mut tx, key).await?
            } else {
                None
            };
            tx.commit().await?;
            Ok(installation)
        })
        .await
    }

    async fn store_refreshed(
        &self,
        key: &TeamId,
        owner: &str,
        bot: &SealedTokens,
        user: Option<&SealedTokens>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        measured(NAME, "store_refreshed", async move {
            let stored = sqlx::query(
                "UPDATE installations SET bot_token = $3, bot_refresh_token = $4,
                     bot_expires_at = $5,
                     user_token = CASE WHEN user_id IS NULL THEN NULL ELSE COALESCE($6, user_token) END,
                     user_refresh_token = CASE WHEN user_id IS NULL THEN NULL
                         ELSE COALESCE($7, user_refresh_token) END,
                     user_expires_at = CASE WHEN user_id IS NULL THEN NULL
                         ELSE COALESCE($8, user_expires_at) END,
                     refresh_owner = NULL, refresh_lease_until = NULL,
                     version = version + 1, updated_at = $9
                 WHERE team_id = $1 AND refresh_owner = $2",
            )
            .bind(key.as_str())
            .bind(owner)
            .bind(bot.token.as_str())
            .bind(bot.refresh_token.as_deref())
            .bind(bot.expires_at.map(ms))
            .bind(user.map(|t| t.token.as_str()))
            .bind(user.and_then(|t| t.refresh_token.as_deref()))
            .bind(user.and_then(|t| t.expires_at.map(ms)))
            .bind(ms(now))
            .execute(&self.writer)
            .await?
            .rows_affected()
                > 0;
            Ok(stored)
        })
        .await
    }

    async fn release_refresh(&self, key: &TeamId, owner: &str) -> StoreResult<()> {
        measured(NAME, "release_refresh", async move {
            sqlx::query(
                "UPDATE installations SET refresh_owner = NULL, refresh_lease_until = NULL
                 WHERE team_id = $1 AND refresh_owner = $2",
            )
            .bind(key.as_str())
            .bind(owner)
            .execute(&self.writer)
            .await?;
            Ok(())
        })
        .await
    }

    async fn remember_workspace(
        &self,
        team: &TeamId,
        enterprise: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        measured(NAME, "remember_workspace", async move {
            sqlx::query(
                "INSERT INTO workspaces (team_id, enterprise_id, seen_at) VALUES ($1, $2, $3)
                 ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id",
            )
            .bind(team.as_str())
            .bind(enterprise)
            .bind(ms(at))
            .execute(&self.writer)
            .await?;
            Ok(())
        })
        .await
    }

    async fn workspace_enterprise(&self, team: &TeamId) -> StoreResult<Option<String>> {
        measured(NAME, "workspace_enterprise", async move {
            Ok(
                sqlx::query_scalar("SELECT enterprise_id FROM workspaces WHERE team_id = $1")
                    .bind(team.as_str())
                    .fetch_optional(&self.reader)
                    .await?,
            )
        })
        .await
    }

    async fn workspaces_of(&self, enterprise: &str) -> StoreResult<Vec<TeamId>> {
        measured(NAME, "workspaces_of", async move {
            let teams: Vec<String> = sqlx::query_scalar(
                "SELECT team_id FROM workspaces WHERE enterprise_id = $1 ORDER BY team_id",
            )
            .bind(enterprise)
            .fetch_all(&self.reader)
            .await?;
            Ok(teams.into_iter().map(TeamId).collect())
        })
        .await
    }

    async fn spend_oauth_state(&self, nonce_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        measured(NAME, "spend_oauth_state", async move {
            let spent = sqlx::query(
                "INSERT INTO oauth_states (nonce_hash, used_at) VALUES ($1, $2)
                 ON CONFLICT (nonce_hash) DO NOTHING",
            )
            .bind(nonce_hash)
            .bind(ms(now))
            .execute(&self.writer)
            .await?
            .rows_affected()
                > 0;
            Ok(spent)
        })
        .await
    }

    async fn purge_oauth_states(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        measured(NAME, "purge_oauth_states", async move {
            Ok(sqlx::query("DELETE FROM oauth_states WHERE used_at < $1")
                .bind(ms(before))
                .execute(&self.writer)
                .await?
                .rows_affected())
        })
        .await
    }

    async fn oauth_state_installed(&self, nonce_hash: &str, team: &TeamId) -> StoreResult<()> {
        measured(NAME, "oauth_state_installed", async move {
            sqlx::query("UPDATE oauth_states SET team_id = $2 WHERE nonce_hash = $1")
                .bind(nonce_hash)
                .bind(team.as_str())
                .execute(&self.writer)
                .await?;
            Ok(())
        })
        .await
    }

    async fn workspace_settings(
        &self,
        team: &TeamId,
    ) -> StoreResult<Option<WorkspaceSettingsRecord>> {
        measured(NAME, "workspace_settings", async move {
            let row: Option<(
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
                DateTime<Utc>,
            )> = sqlx::query_as(
                "SELECT team_id, request_channel, language, provisioning, approvers, updated_by,
                        updated_at
                 FROM workspace_settings WHERE team_id = $1",
            )
            .bind(team.as_str())
            .fetch_optional(&self.reader)
            .await?;
            Ok(row.map(
                |(
                    team_id,
                    request_channel,
                    language,
                    provisioning,
                    approvers,
                    updated_by,
                    updated_at,
                )| {
                    WorkspaceSettingsRecord {
                        team_id: TeamId(team_id),
                        request_channel,
                        language,
                        provisioning,
                        approvers,
                        updated_by,
                        updated_at,
                    }
                },
            ))
        })
        .await
    }

    async fn save_workspace_settings(
        &self,
        s: &WorkspaceSettingsRecord,
        audit: AuditEntry,
        jobs: Vec<NewJob>,
    ) -> StoreResult<()> {
        measured(NAME, "save_workspace_settings", async move {
            let mut tx = self.writer.begin().await?;
            sqlx::query(
                "INSERT INTO workspace_settings (team_id, request_channel, language, provisioning,
                     approvers, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (team_id) DO UPDATE SET request_channel = excluded.request_channel,
                     language = excluded.language, provisioning = excluded.provisioning,
                     approvers = excluded.approvers, updated_by = excluded.updated_by,
                     updated_at = excluded.updated_at",
            )
            .bind(s.team_id.as_str())
            .bind(s.request_channel.as_deref())
            .bind(s.language.as_deref())
            .bind(s.provisioning.as_deref())
            .bind(s.approvers.as_deref())
            .bind(s.updated_by.as_str())
            .bind(ms(s.updated_at))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            insert_jobs(&mut tx, &jobs, audit.at).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
