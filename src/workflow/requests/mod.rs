//! The request use cases: open the form and submit it (`form`), approve, deny and cancel
//! (`decide`), and what both say about a request.

mod approvals;
mod decide;
mod form;

use crate::domain::GuestRequest;
use crate::domain::RequestState;
use crate::domain::policy::FieldErrors;
use crate::domain::roles::Right;
use crate::i18n::Lang;
use crate::slack::ids::field_block_id;
use crate::slack::render;
use crate::slack::say::problem;
use crate::workflow::Workflow;
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
            RequestState::Lapsed => format!(
                "Request {} lapsed: nobody decided it in time. The requester can ask again.",
                request.id
            ),
            RequestState::Pending => {
                format!("Request {} is still waiting for a decision.", request.id)
            }
            _ => format!(
                "Request {} was already approved{by}{when}; it is now {}.",
                request.id,
                crate::slack::say::state_word(request.state, crate::i18n::Lang::En)
            ),
        }
    }

    /// Who can decide `request`, as Slack mentions: the people and groups of every role with
    /// the `decide` right for all its channels, and the admin groups of its channels.
    pub(super) fn approver_mentions(&self, request: &GuestRequest) -> String {
        self.approver_mention_list(Some(request)).join(" ")
    }

    /// Who can decide anything (for messages not about one request).
    pub(in crate::workflow) fn approver_mentions_all(&self) -> String {
        self.approver_mention_list(None).join(" ")
    }

    fn approver_mention_list(&self, request: Option<&GuestRequest>) -> Vec<String> {
        let roles = &self.settings.roles;
        let mut who: Vec<String> = Vec::new();
        let mut push = |mention: String| {
            if !who.contains(&mention) {
                who.push(mention);
            }
        };
        let covering: Vec<&crate::domain::roles::Role> = match request {
            Some(r) => roles.covering(Right::Decide, &r.channels).collect(),
            None => roles.everywhere_with(Right::Decide).collect(),
        };
        for role in covering {
            for user in &role.holders.users {
                if request.is_none_or(|r| &r.requester != user) {
                    push(format!("<@{user}>"));
                }
            }
            for group in &role.holders.usergroups {
                push(format!("<!subteam^{group}>"));
            }
        }
        if let Some(r) = request {
            for role in roles
                .0
                .iter()
                .filter(|role| role.rights.contains(&Right::Decide))
            {
                for channel in &r.channels {
                    if let Some(group) = role.channel_admins.get(channel) {
                        push(format!("<!subteam^{group}>"));
                    }
                }
            }
        }
        who
    }

    /// The reminder text for a request that has waited, naming who can decide it.
    pub(super) fn stale_reminder_text(&self, request: &GuestRequest, now: DateTime<Utc>) -> String {
        let mut who = self.approver_mention_list(Some(request));
        let by_admins = self
            .settings
            .roles
            .covering(Right::Decide, &request.channels)
            .any(|r| r.holders.workspace_admins || r.holders.workspace_owners);
        if by_admins {
            who.push("workspace admins".into());
        }
        let hours = (now - request.created_at).num_hours();
        let left = request
            .decide_by
            .map(|at| {
                format!(
                    " It lapses {} unless someone decides.",
                    render::slack_date(at)
                )
            })
            .unwrap_or_default();
        format!(
            ":alarm_clock: Request {} has waited {hours} hours for a decision. {} can approve or deny it above.{left}",
            request.id,
            if who.is_empty() {
                "An approver".to_string()
            } else {
                who.join(", ")
            }
        )
    }
}

/// A form's problems, worded in `lang` and keyed by the block of their field.
pub(in crate::workflow) fn errors_by_block(
    errors: &FieldErrors,
    lang: Lang,
) -> HashMap<String, String> {
    errors
        .0
        .iter()
        .map(|(field, p)| (field_block_id(*field).to_string(), problem(p, lang)))
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
