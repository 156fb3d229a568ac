-- Account safety.

-- The workspace the guest account lives in, when it is not the request's own team (a group
-- sync rule inviting into another workspace of the organisation).
ALTER TABLE requests ADD COLUMN account_team TEXT;

-- At most one pending extension per guest. Older databases may hold duplicates: the oldest
-- stays pending, the others are cancelled, so the index can be built.
UPDATE requests SET state = 'cancelled'
 WHERE kind = 'extension' AND state = 'pending'
   AND id NOT IN (SELECT MIN(id) FROM requests WHERE kind = 'extension' AND state = 'pending'
                  GROUP BY team_id, parent_id);
CREATE UNIQUE INDEX requests_one_pending_extension ON requests (team_id, parent_id)
    WHERE kind = 'extension' AND state = 'pending';

-- A counter per user group, bumped by every membership event: a replica's cached members of an
-- approver group are stale as soon as the counter moved past what it saw when it read them.
CREATE TABLE usergroup_versions (
    team_id      TEXT   NOT NULL,
    usergroup_id TEXT   NOT NULL,
    version      BIGINT NOT NULL,
    PRIMARY KEY (team_id, usergroup_id)
);

-- For a request group sync made for someone who is already in the organisation: their user id,
-- so the provisioner assigns that person (`admin.users.assign`) instead of inviting an email.
ALTER TABLE requests ADD COLUMN source_user_id TEXT;
