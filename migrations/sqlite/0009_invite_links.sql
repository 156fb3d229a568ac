-- Invite links: a sponsor hands one out; whoever opens it may ask for a guest account on the
-- link's terms. Only the token's SHA-256 is kept. `uses` moves by compare-and-set in the
-- transaction that stores the request, so a link never serves more than `max_uses` people.
CREATE TABLE invite_links (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    sponsor_id  TEXT    NOT NULL,
    guest_type  TEXT    NOT NULL,
    channels    TEXT    NOT NULL,  -- JSON array of channel ids
    expiry_kind TEXT    NOT NULL CHECK (expiry_kind IN ('days', 'at', 'never')),
    expiry_days INTEGER,
    expiry_at   TEXT,
    max_uses    INTEGER NOT NULL CHECK (max_uses > 0),
    uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    valid_until TEXT    NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX invite_links_by_sponsor ON invite_links (team_id, sponsor_id, created_at);
