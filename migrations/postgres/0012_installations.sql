-- Installations of the app through OAuth (`SLACK_CLIENT_ID` / `SLACK_CLIENT_SECRET`): one row
-- per workspace (`team_id` = T…) or per organisation for an org-wide install (`team_id` =
-- the enterprise id, E…). Tokens are sealed (AES-256-GCM, `GUESTLIST_ENCRYPTION_KEY`) before
-- they reach this table: `v1.<key id>.<base64>`, bound to the row and the column.
CREATE TABLE installations (
    team_id               TEXT    PRIMARY KEY,
    enterprise_id         TEXT,
    is_enterprise_install BOOLEAN NOT NULL DEFAULT FALSE,
    team_name             TEXT    NOT NULL DEFAULT '',
    app_id                TEXT    NOT NULL DEFAULT '',
    bot_user_id           TEXT    NOT NULL DEFAULT '',
    installer_id          TEXT    NOT NULL DEFAULT '',
    bot_token             TEXT    NOT NULL,
    bot_refresh_token     TEXT,
    bot_expires_at        TIMESTAMPTZ,
    bot_scopes            TEXT    NOT NULL DEFAULT '',
    user_id               TEXT,
    user_token            TEXT,
    user_refresh_token    TEXT,
    user_expires_at       TIMESTAMPTZ,
    user_scopes           TEXT    NOT NULL DEFAULT '',
    -- One replica refreshes a rotating token at a time: it takes this lease first.
    refresh_owner         TEXT,
    refresh_lease_until   TIMESTAMPTZ,
    version               BIGINT  NOT NULL DEFAULT 1,
    installed_at          TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX installations_by_enterprise ON installations (enterprise_id) WHERE enterprise_id IS NOT NULL;

-- The `state` of OAuth flows under way, spent on first use. `team_id` is the workspace the
-- flow installed into, known once Slack answered.
CREATE TABLE oauth_states (
    nonce_hash TEXT PRIMARY KEY,
    team_id    TEXT,
    used_at    TIMESTAMPTZ NOT NULL
);

-- The organisation each workspace seen belongs to (Enterprise Grid), so work for a workspace
-- finds its organisation's org-wide install.
CREATE TABLE workspaces (
    team_id       TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL,
    seen_at       TIMESTAMPTZ NOT NULL
);

-- What an owner set for their workspace in Slack after installing; the configuration file's
-- values are the defaults for every workspace.
CREATE TABLE workspace_settings (
    team_id         TEXT PRIMARY KEY,
    request_channel TEXT,
    language        TEXT,
    provisioning    TEXT,
    approvers       TEXT,   -- JSON: {"users": [...], "usergroups": [...]}
    updated_by      TEXT    NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
