//! The request use cases: open the form and submit it (`form`), approve, deny and cancel
//! (`decide`), and what both say about a request.

mod approvals;
mod decide;
mod form;

use crate::domain::policy::FieldErrors;
use crate::domain::roles::Right;
use crate::domain::{GuestRequest, UserId};
use crate::i18n::Lang;
use crate::slack::ids::field_block_id;
use crate::slack::say::{RequestSay, problem};
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
    pub(super) fn already_decided(&self, request: &GuestRequest) -> RequestSay {
        RequestSay::AlreadyDecided {
            id: request.id,
            state: request.state,
            by: request.decided_by.clone(),
            at: request.decided_at,
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
        let roles = &self.settings().roles;
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

    /// The reminder for a request that has waited, naming who can decide it.
    pub(super) fn stale_reminder(&self, request: &GuestRequest, now: DateTime<Utc>) -> RequestSay {
        RequestSay::StaleReminder {
            id: request.id,
            hours: (now - request.created_at).num_hours(),
            approvers: self.approver_mention_list(Some(request)),
            workspace_admins: self
                .settings()
                .roles
                .covering(Right::Decide, &request.channels)
                .any(|r| r.holders.workspace_admins || r.holders.workspace_owners),
            lapses: request.decide_by,
        }
    }
}

/// Who is looking at a form: their time zone (for reading dates) and language, looked up
/// within the time a trigger id lives; Slack being slow gives UTC and the workspace language.
#[derive(Debug, Clone)]
pub(in crate::workflow) struct Viewer {
    pub tz: Option<String>,
    pub lang: Lang,
}

impl Workflow {
    pub(in crate::workflow) async fn viewer(&self, user: &UserId) -> Viewer {
        match tokio::time::timeout(LOOKUP_BUDGET, self.directory.person(user)).await {
            Ok(Ok(person)) => Viewer {
                lang: person
                    .locale
                    .as_deref()
                    .and_then(Lang::from_tag)
                    .unwrap_or(self.settings().language),
                tz: person.tz,
            },
            _ => Viewer {
                tz: None,
                lang: self.settings().language,
            },
        }
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
