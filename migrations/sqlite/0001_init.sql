-- Guestlist schema (SQLite). Times are UTC, stored as RFC 3339 text (sortable as text).
-- Every row carries the Slack team id so one deployment can serve several workspaces.

-- A guest request and, once approved, the guest account it becomes.
CREATE TABLE requests (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id           TEXT    NOT NULL,
    kind              TEXT    NOT NULL DEFAULT 'guest' CHECK (kind IN ('guest', 'extension')),
    parent_id         INTEGER REFERENCES requests (id),
    requester_id      TEXT    NOT NULL,
    email             TEXT    NOT NULL,  -- trimmed and lowercased
    full_name         TEXT    NOT NULL,
    organisation      TEXT    NOT NULL,
    reason            TEXT    NOT NULL,
    guest_type        TEXT    NOT NULL,
    channels          TEXT    NOT NULL,  -- JSON array of channel ids
    expiry_kind       TEXT    NOT NULL CHECK (expiry_kind IN ('days', 'at', 'never')),
    expiry_days       INTEGER,
    expiry_at         TEXT,              -- the fixed moment, when expiry_kind = 'at'
    expires_at        TEXT,              -- the deadline once known
    state             TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    decided_by        TEXT,
    decided_at        TEXT,
    decision_note     TEXT,
    auto_rule         TEXT,
    card_channel      TEXT,
    card_ts           TEXT,
    card_version      INTEGER,
    source            TEXT    NOT NULL DEFAULT 'form',
    sync_rule         TEXT,
    slack_user_id     TEXT,
    invited_at        TEXT,
    invite_expires_at TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);

-- One open request or account per email and workspace; the states match RequestState::holds_email.
CREATE UNIQUE INDEX requests_one_open_per_email ON requests (team_id, email)
    WHERE kind = 'guest' AND state IN ('pending', 'approved', 'invited', 'active');
CREATE INDEX requests_by_requester ON requests (team_id, requester_id, id);
CREATE INDEX requests_by_state ON requests (team_id, state, id);
CREATE INDEX requests_by_parent ON requests (parent_id) WHERE parent_id IS NOT NULL;

-- Append-only: every state change and every refused action.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     TEXT NOT NULL,
    request_id  INTEGER,
    actor       TEXT NOT NULL,  -- a Slack user id, or 'guestlist' for the bot itself
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at, id);
CREATE INDEX audit_log_by_request ON audit_log (request_id) WHERE request_id IS NOT NULL;

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Events API deliveries already taken, so Slack's retries are acknowledged and ignored.
-- Keyed by event id only (no index on received_at): each delivery touches one B-tree, and the
-- hourly purge scans what is at most a day of ids.
-- No index on received_at: the hourly purge scans (a day of ids at most) so that each
-- delivery touches one B-tree.
CREATE TABLE slack_events (
    event_id    TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    received_at TEXT NOT NULL
) WITHOUT ROWID;

-- Durable work: Slack calls and timers, written in the transaction that caused them.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,  -- JSON
    state        TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    run_at       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    serial_key   TEXT,              -- jobs sharing a key run one at a time, in id order
    dedupe_key   TEXT UNIQUE,       -- a timer or periodic slot is enqueued once
    lease_owner  TEXT,
    lease_until  TEXT,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    finished_at  TEXT
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);
CREATE INDEX jobs_serial ON jobs (serial_key, id) WHERE serial_key IS NOT NULL AND state IN ('queued', 'running');
