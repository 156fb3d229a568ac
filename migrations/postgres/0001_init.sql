-- Guestlist schema (PostgreSQL). Times are timestamptz (UTC).
-- Every row carries the Slack team id so one deployment can serve several workspaces.

-- A guest request and, once approved, the guest account it becomes.
CREATE TABLE requests (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id           TEXT        NOT NULL,
    kind              TEXT        NOT NULL DEFAULT 'guest' CHECK (kind IN ('guest', 'extension')),
    parent_id         BIGINT REFERENCES requests (id),
    requester_id      TEXT        NOT NULL,
    email             TEXT        NOT NULL,  -- trimmed and lowercased
    full_name         TEXT        NOT NULL,
    organisation      TEXT        NOT NULL,
    reason            TEXT        NOT NULL,
    guest_type        TEXT        NOT NULL,
    channels          TEXT        NOT NULL,  -- JSON array of channel ids
    expiry_kind       TEXT        NOT NULL CHECK (expiry_kind IN ('days', 'at', 'never')),
    expiry_days       BIGINT,
    expiry_at         TIMESTAMPTZ,
    expires_at        TIMESTAMPTZ,
    state             TEXT        NOT NULL,
    version           BIGINT      NOT NULL DEFAULT 1,
    decided_by        TEXT,
    decided_at        TIMESTAMPTZ,
    decision_note     TEXT,
    auto_rule         TEXT,
    card_channel      TEXT,
    card_ts           TEXT,
    card_version      BIGINT,
    source            TEXT        NOT NULL DEFAULT 'form',
    sync_rule         TEXT,
    slack_user_id     TEXT,
    invited_at        TIMESTAMPTZ,
    invite_expires_at TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- One open request or account per email and workspace; the states match RequestState::holds_email.
CREATE UNIQUE INDEX requests_one_open_per_email ON requests (team_id, email)
    WHERE kind = 'guest' AND state IN ('pending', 'approved', 'invited', 'active');
CREATE INDEX requests_by_requester ON requests (team_id, requester_id, id);
CREATE INDEX requests_by_state ON requests (team_id, state, id);
CREATE INDEX requests_by_parent ON requests (parent_id) WHERE parent_id IS NOT NULL;

-- Append-only: every state change and every refused action.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id     TEXT        NOT NULL,
    request_id  BIGINT,
    actor       TEXT        NOT NULL,  -- a Slack user id, or 'guestlist' for the bot itself
    action      TEXT        NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    detail      TEXT        NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at, id);
CREATE INDEX audit_log_by_request ON audit_log (request_id) WHERE request_id IS NOT NULL;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- Events API deliveries already taken, so Slack's retries are acknowledged and ignored.
CREATE TABLE slack_events (
    event_id    TEXT PRIMARY KEY,
    team_id     TEXT        NOT NULL,
    event_type  TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX slack_events_by_time ON slack_events (received_at);

-- Durable work: Slack calls and timers, written in the transaction that caused them.
CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id      TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    payload      TEXT        NOT NULL,  -- JSON
    state        TEXT        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    run_at       TIMESTAMPTZ NOT NULL,
    attempts     BIGINT      NOT NULL DEFAULT 0,
    max_attempts BIGINT      NOT NULL,
    serial_key   TEXT,              -- jobs sharing a key run one at a time, in id order
    dedupe_key   TEXT UNIQUE,       -- a timer or periodic slot is enqueued once
    lease_owner  TEXT,
    lease_until  TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);
CREATE INDEX jobs_serial ON jobs (serial_key, id) WHERE serial_key IS NOT NULL AND state IN ('queued', 'running');
