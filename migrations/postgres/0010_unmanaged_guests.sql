-- Guests that exist in Slack but not in Guestlist, as the last reconciliation run saw them.
-- Replaced whole by each run; adoption (an approver names a sponsor and an end) turns one into
-- a managed account, bound by its Slack user id.
CREATE TABLE unmanaged_guests (
    team_id       TEXT NOT NULL,
    slack_user_id TEXT NOT NULL,
    email         TEXT,
    name          TEXT NOT NULL,
    guest_type    TEXT NOT NULL,
    first_seen    TIMESTAMPTZ NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, slack_user_id)
);
