-- Group sync: plans held back by the blast-radius guard until a person applies them.
CREATE TABLE sync_plans (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id     TEXT        NOT NULL,
    rule        TEXT        NOT NULL,
    plan        TEXT        NOT NULL,  -- JSON
    status      TEXT        NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'applied', 'superseded')),
    created_at  TIMESTAMPTZ NOT NULL,
    decided_by  TEXT,
    decided_at  TIMESTAMPTZ
);
CREATE INDEX sync_plans_by_rule ON sync_plans (team_id, rule, status);
CREATE INDEX requests_by_sync_rule ON requests (team_id, sync_rule) WHERE sync_rule IS NOT NULL;
