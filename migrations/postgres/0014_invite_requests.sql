-- Slack's own invite requests ("Invite people" on Enterprise Grid) that Guestlist decides: the
-- request's id in Slack, once per workspace (the event and the periodic list may both bring
-- it).
ALTER TABLE requests ADD COLUMN slack_invite_request TEXT;
CREATE UNIQUE INDEX requests_one_per_invite_request ON requests (team_id, slack_invite_request)
    WHERE slack_invite_request IS NOT NULL;
