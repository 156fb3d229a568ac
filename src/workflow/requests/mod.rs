//! The request use cases: open the form and submit it (`form`), approve, deny and cancel
//! (`decide`), and what both say about a request.

mod decide;
mod form;

use crate::domain::GuestRequest;
use crate::domain::policy::FieldErrors;
use crate::domain::{ChannelId, RequestState, TeamId};
use crate::slack::ids::field_block_id;
use crate::slack::render;
use crate::store::NewJob;
use crate::workflow::{Job, Workflow};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// What a form submission answers: close (or replace) the modal, or errors on its blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    Sent(Box<GuestRequest>),
    Errors(HashMap<String, String>),
}

/// Looking someone up must not eat the 3 seconds a trigger id lives.
const LOOKUP_BUDGET: Duration = Duration::from_millis(1200);

impl Workflow {
    /// "Request #4 was already approved by @ada on …": what a late clicker is told.
    pub(super) fn already_decided_text(&self, request: &GuestRequest) -> String {
        let by = request
            .decided_by
            .as_ref()
            .map(|u| format!(" by <@{u}>"))
            .unwrap_or_default();
        let when = request
            .decided_at
            .map(|at| format!(" {}", render::slack_date(at)))
            .unwrap_or_default();
        match request.state {
            RequestState::Cancelled => {
                format!("Request {} was cancelled by the requester.", request.id)
            }
            RequestState::Denied => format!("Request {} was already denied{by}{when}.", request.id),
            RequestState::Pending => {
                format!("Request {} is still waiting for a decision.", request.id)
            }
            _ => format!(
                "Request {} was already approved{by}{when}; it is now {}.",
                request.id,
                request.state.label()
            ),
        }
    }

    /// The jobs every decision brings: the card, its thread, the requester's DM and home.
    pub(super) fn decision_jobs(
        &self,
        team_id: &TeamId,
        request: &GuestRequest,
        thread: String,
        dm: String,
    ) -> Vec<NewJob> {
        vec![
            self.job(
                team_id,
                Job::RefreshCard {
                    request_id: request.id,
                },
            ),
            self.job(
                team_id,
                Job::CardReply {
                    request_id: request.id,
                    text: thread,
                },
            ),
            self.job(
                team_id,
                Job::NotifyRequester {
                    request_id: request.id,
                    text: dm,
                },
            ),
            self.job(
                team_id,
                Job::PublishHome {
                    user: request.requester.to_string(),
                },
            ),
        ]
    }

    /// Who can decide `request`, as Slack mentions (users, groups, channel-scoped approvers).
    pub(super) fn approver_mentions(&self, request: &GuestRequest) -> String {
        self.approver_mention_list(request).join(" ")
    }

    fn approver_mention_list(&self, request: &GuestRequest) -> Vec<String> {
        let rules = &self.settings.approvers;
        let mut who: Vec<String> = rules.users.iter().map(|u| format!("<@{u}>")).collect();
        who.extend(rules.usergroups.iter().map(|g| format!("<!subteam^{g}>")));
        who.extend(
            rules
                .channel_scoped
                .iter()
                .filter(|s| {
                    request
                        .channels
                        .iter()
                        .all(|c: &ChannelId| s.channels.contains(c))
                })
                .map(|s| format!("<@{}>", s.user)),
        );
        who
    }

    /// The reminder text for a request that has waited too long, naming who can decide it.
    pub(super) fn stale_reminder_text(&self, request: &GuestRequest, now: DateTime<Utc>) -> String {
        let mut who = self.approver_mention_list(request);
        if self.settings.approvers.workspace_admins {
            who.push("workspace admins".into());
        }
        let hours = (now - request.created_at).num_hours();
        format!(
            ":alarm_clock: Request {} has waited {hours} hours for a decision. {} can approve or deny it above.",
            request.id,
            if who.is_empty() {
                "An approver".to_string()
            } else {
                who.join(", ")
            }
        )
    }
}

fn errors_by_block(errors: &FieldErrors) -> HashMap<String, String> {
    errors
        .0
        .iter()
        .map(|(field, message)| (field_block_id(*field).to_string(), message.clone()))
        .collect()
}

/// Modal errors are plain text: turn `<@U1>` into `U1` and drop the bold marks.
fn strip_mrkdwn(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let inner = &rest[start + 1..start + end];
        let shown = inner.rsplit('|').next().unwrap_or(inner);
        out.push_str(shown.trim_start_matches(['@', '#', '!']));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace('*', "")
}

#[cfg(test)]
mod tests {
    use super::strip_mrkdwn;

    #[test]
    fn modal_errors_lose_mrkdwn() {
        assert_eq!(
            strip_mrkdwn("Request *#4* was already approved by <@U1> <!date^1^{x}|Mon 1 Jan>."),
            "Request #4 was already approved by U1 Mon 1 Jan."
        );
    }
}
