-- Provisioning and the guest lifecycle.

-- The provisioner's own id for the account (e.g. a SCIM user id).
ALTER TABLE requests ADD COLUMN external_id TEXT;

-- Every invitation sent, by any path (form, import, sync, resend): the one-per-hour resend
-- limit is per email across all of them.
CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id    TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    via        TEXT    NOT NULL,  -- slack_admin | scim | manual
    sent_at    TEXT    NOT NULL
);
CREATE INDEX invitations_by_email ON invitations (team_id, email, sent_at);
