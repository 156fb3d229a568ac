-- Access reviews: a campaign asks each sponsor about each of their guests (keep, shorten, end)
-- by a deadline; what is unanswered then gets the campaign's outcome. One open campaign per
-- workspace. An item moves by compare-and-set on its state, in the transaction that changes
-- the account (if the answer does).
CREATE TABLE review_campaigns (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id          TEXT NOT NULL,
    started_by       TEXT NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    deadline         TIMESTAMPTZ NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('end', 'escalate', 'keep')),
    scope            TEXT NOT NULL,
    closed_at        TIMESTAMPTZ,
    progress_channel TEXT,
    progress_ts      TEXT
);
CREATE UNIQUE INDEX review_campaigns_one_open ON review_campaigns (team_id) WHERE closed_at IS NULL;

CREATE TABLE review_items (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id        TEXT NOT NULL,
    campaign_id    BIGINT NOT NULL REFERENCES review_campaigns (id),
    request_id     BIGINT NOT NULL,
    sponsor        TEXT NOT NULL,
    state          TEXT NOT NULL,
    decided_by     TEXT,
    decided_at     TIMESTAMPTZ,
    dm_channel     TEXT,
    dm_ts          TEXT,
    escalation_ts  TEXT,
    UNIQUE (campaign_id, request_id)
);
CREATE INDEX review_items_by_sponsor ON review_items (team_id, campaign_id, sponsor);
