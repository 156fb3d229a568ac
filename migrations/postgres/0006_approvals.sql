-- Approvals as strong as the best access tools: several approvers, time limits, changes.

-- What a request needs (JSON of domain::quorum::Quorum; NULL = one approval), the round its
-- votes belong to (an approver's change starts a new one), when it lapses undecided, and what
-- an approver narrowed (JSON of the changes).
ALTER TABLE requests ADD COLUMN quorum TEXT;
ALTER TABLE requests ADD COLUMN approval_round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE requests ADD COLUMN decide_by TIMESTAMPTZ;
ALTER TABLE requests ADD COLUMN amendment TEXT;

-- One vote per person per round; the final transition is still one compare-and-set on requests.
CREATE TABLE votes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id     TEXT    NOT NULL,
    request_id  BIGINT NOT NULL REFERENCES requests (id),
    round       BIGINT NOT NULL,
    voter_id    TEXT    NOT NULL,
    verdict     TEXT    NOT NULL CHECK (verdict IN ('approve', 'deny')),
    roles       TEXT    NOT NULL,  -- JSON array: the roles that let the voter decide it
    note        TEXT,
    at          TIMESTAMPTZ NOT NULL,
    UNIQUE (request_id, round, voter_id)
);
