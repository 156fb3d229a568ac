-- Profile fields an administrator may ask for with each guest (`[profile]`), and one open
-- request or account per phone number, as there is per email.
ALTER TABLE requests ADD COLUMN title TEXT;
ALTER TABLE requests ADD COLUMN department TEXT;
ALTER TABLE requests ADD COLUMN manager_id TEXT;
ALTER TABLE requests ADD COLUMN employee_id TEXT;

-- Phones came only from CSV imports and the join page, which did not check them against each
-- other: where two open requests share one, the later one gives it up, and the audit log keeps
-- it, so the index below can be built.
INSERT INTO audit_log (team_id, request_id, actor, action, from_state, to_state, detail, at)
SELECT r.team_id, r.id, 'guestlist', 'phone_moved_to_audit', r.state, NULL,
       'phone ' || r.phone || ' is also on an earlier open request', r.updated_at
  FROM requests r
 WHERE r.kind = 'guest' AND r.phone IS NOT NULL
   AND r.state IN ('pending', 'approved', 'invited', 'active')
   AND EXISTS (SELECT 1 FROM requests o
                WHERE o.team_id = r.team_id AND o.phone = r.phone AND o.kind = 'guest'
                  AND o.state IN ('pending', 'approved', 'invited', 'active') AND o.id < r.id);
UPDATE requests SET phone = NULL
 WHERE kind = 'guest' AND phone IS NOT NULL
   AND state IN ('pending', 'approved', 'invited', 'active')
   AND EXISTS (SELECT 1 FROM requests o
                WHERE o.team_id = requests.team_id AND o.phone = requests.phone
                  AND o.kind = 'guest'
                  AND o.state IN ('pending', 'approved', 'invited', 'active')
                  AND o.id < requests.id);

CREATE UNIQUE INDEX requests_one_open_per_phone ON requests (team_id, phone)
    WHERE kind = 'guest' AND phone IS NOT NULL AND state IN ('pending', 'approved', 'invited', 'active');
