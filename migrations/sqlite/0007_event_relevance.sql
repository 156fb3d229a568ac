-- Relevance at ingress: one query per batch of user_change / team_join deliveries asks whether
-- any request names these people, by email (any state) or by bound account.
CREATE INDEX requests_by_email ON requests (email, team_id);
CREATE INDEX requests_by_slack_user ON requests (slack_user_id, team_id) WHERE slack_user_id IS NOT NULL;
