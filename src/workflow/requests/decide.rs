//! Decisions: Approve, Deny (with its reason modal) and the requester's cancel. A decision is
//! one compare-and-set: of racing clicks exactly one applies, the others are told who won.

use super::strip_mrkdwn;
use crate::domain::request::transition;
use crate::domain::text::safe;
use crate::domain::{Action, GuestRequest, RequestId, RequestKind, RequestState, TeamId, UserId};
use crate::slack::ids::DenyMetadata;
use crate::slack::render;
use crate::store::{AuditEntry, ChangeOutcome, ChangedFields, StateChange};
use crate::workflow::authority::MayClick;
use crate::workflow::{Feedback, Job, Workflow};
use anyhow::Context;
use std::collections::HashMap;

/// What an approver decided about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::workflow) struct Decision {
    /// `Approve` or `Deny`.
    pub action: Action,
    pub by: UserId,
    /// The deny reason.
    pub note: Option<String>,
}

impl Workflow {
    /// The start of a decision click: an approver for the request, and the request pending
    /// (a late clicker is told who decided first).
    async fn decision_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        verb: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<Option<GuestRequest>> {
        let Some(request) = self
            .clicked_request(team, actor, id, verb, MayClick::Approver, feedback)
            .await?
        else {
            return Ok(None);
        };
        if request.state != RequestState::Pending {
            self.tell(team, feedback, self.already_decided_text(&request))
                .await?;
            return Ok(None);
        }
        Ok(Some(request))
    }

    /// The Approve button.
    pub(in crate::workflow) async fn approve(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .decision_click(team, actor, id, "approve", feedback)
            .await?
        else {
            return Ok(());
        };
        let decision = Decision {
            action: Action::Approve,
            by: actor.clone(),
            note: None,
        };
        self.decide(team, request, decision, feedback)
            .await
            .map(|_| ())
    }

    /// Applies a decision with a compare-and-set; a loser is told who decided first.
    /// Returns the request after the decision, or `None` when someone else decided first.
    pub(in crate::workflow) async fn decide(
        &self,
        team: &TeamId,
        request: GuestRequest,
        decision: Decision,
        feedback: &Feedback,
    ) -> anyhow::Result<Option<GuestRequest>> {
        let Decision { action, by, note } = decision;
        let now = self.now();
        let to = transition(request.kind, request.state, action)?;
        let expires_at = if action == Action::Approve {
            request.expiry.deadline(now)
        } else {
            None
        };
        let (thread, dm) = match action {
            Action::Approve => (
                format!(":white_check_mark: Approved by <@{by}>."),
                format!(
                    "Your request *{}* for *{}* was approved by <@{by}>. {}",
                    request.id,
                    safe(&request.full_name, 100),
                    "The invitation comes next; I will keep you posted."
                ),
            ),
            Action::Deny => {
                let reason = note
                    .as_deref()
                    .map(|n| format!("\n>{}", safe(n, 500).replace('\n', "\n>")))
                    .unwrap_or_default();
                (
                    format!(":no_entry: Denied by <@{by}>.{reason}"),
                    format!(
                        "Your request *{}* for *{}* was denied by <@{by}>.{reason}",
                        request.id,
                        safe(&request.full_name, 100)
                    ),
                )
            }
            other => anyhow::bail!("{other:?} is not a decision"),
        };
        let mut jobs = self.decision_jobs(team, &request, thread, dm);
        let mut parent_expiry = None;
        match (action, request.kind) {
            (Action::Approve, RequestKind::Guest) => {
                jobs.push(self.job(
                    team,
                    Job::Provision {
                        request_id: request.id,
                    },
                ));
                jobs.extend(self.expiry_jobs(team, &request, expires_at));
            }
            (Action::Approve, RequestKind::Extension) => {
                let (moved, more) = self.extension_approval(team, &request).await?;
                parent_expiry = moved;
                jobs.extend(more);
            }
            _ => {}
        }
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: Some(request.id),
            actor: by.to_string(),
            action: action.as_str().into(),
            from_state: Some(RequestState::Pending),
            to_state: Some(to),
            detail: note.clone().unwrap_or_default(),
            at: now,
        };
        let mut change = StateChange::new(team, request.id, RequestState::Pending, to, audit);
        change.fields = ChangedFields {
            decided_by: Some(by.clone()),
            decided_at: Some(now),
            decision_note: note,
            expires_at,
            ..Default::default()
        };
        change.parent_expiry = parent_expiry;
        change.jobs = jobs;
        let answer = match self.store.change_state(change).await? {
            ChangeOutcome::Applied(decided) => {
                self.queued();
                metrics::counter!("decisions_total", "outcome" => to.as_str()).increment(1);
                metrics::histogram!("request_decision_seconds")
                    .record((now - request.created_at).num_milliseconds() as f64 / 1000.0);
                tracing::info!(request.id = decided.id.0, %team, actor = %by, outcome = %to, "request decided");
                return Ok(Some(decided));
            }
            ChangeOutcome::Conflict(current) => self.already_decided_text(&current),
            ChangeOutcome::NotFound => format!("There is no request {}.", request.id),
            ChangeOutcome::ParentClosed => format!(
                "The guest account that {} would extend has ended, so there is nothing to extend.",
                request.id
            ),
        };
        self.tell(team, feedback, answer).await?;
        Ok(None)
    }

    /// The Deny button: checks authority, then asks for a reason in a modal.
    pub(in crate::workflow) async fn deny_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .decision_click(team, actor, id, "deny", feedback)
            .await?
        else {
            return Ok(());
        };
        let metadata = DenyMetadata {
            request_id: id.0,
            response_url: feedback.response_url.clone(),
        };
        self.slack
            .open_view(trigger_id, render::deny_form(&request, &metadata))
            .await
            .context("opening the deny form")?;
        Ok(())
    }

    /// The deny form's submission. `Ok(None)` closes the modal; errors land on the reason block.
    pub(in crate::workflow) async fn submit_deny(
        &self,
        team: &TeamId,
        actor: &UserId,
        metadata: &DenyMetadata,
        reason: String,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        let reason = reason.trim().to_string();
        let error = |message: String| {
            Ok(Some(HashMap::from([(
                crate::slack::ids::DENY_REASON_BLOCK.to_string(),
                message,
            )])))
        };
        if reason.is_empty() {
            return error("Say why, so the requester knows what to change.".into());
        }
        let feedback = Feedback {
            user: actor.clone(),
            response_url: metadata.response_url.clone(),
            channel: None,
            message_ts: None,
        };
        let id = RequestId(metadata.request_id);
        let Some(request) = self.store.get_request(team, id).await? else {
            return error(format!("There is no request {id}."));
        };
        if request.state != RequestState::Pending {
            return error(strip_mrkdwn(&self.already_decided_text(&request)));
        }
        // Checked again at submission: the modal may have stayed open while roles changed.
        if let Err(refusal) = self.authorize(actor, &request).await? {
            let audit = self.refused_audit(team, actor, "deny", &request, &refusal);
            self.store.append_audit(audit, vec![]).await?;
            return error(strip_mrkdwn(&self.refusal_text(&refusal, &request)));
        }
        let decision = Decision {
            action: Action::Deny,
            by: actor.clone(),
            note: Some(reason),
        };
        match self.decide(team, request, decision, &feedback).await? {
            Some(_) => Ok(None),
            None => {
                let current = self.store.get_request(team, id).await?;
                error(
                    current
                        .map(|c| strip_mrkdwn(&self.already_decided_text(&c)))
                        .unwrap_or_default(),
                )
            }
        }
    }

    /// `/guest cancel <id>`: the requester withdraws a pending request.
    pub(in crate::workflow) async fn cancel(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        id: RequestId,
    ) -> anyhow::Result<String> {
        let Some(request) = self.store.get_request(team_id, id).await? else {
            return Ok(format!("There is no request {id}."));
        };
        if &request.requester != actor {
            return Ok(format!(
                "Only the person who asked can cancel request {id}."
            ));
        }
        if request.state != RequestState::Pending {
            return Ok(format!(
                "Request {id} is {} and can no longer be cancelled.",
                request.state.label()
            ));
        }
        let audit = AuditEntry {
            team_id: team_id.clone(),
            request_id: Some(id),
            actor: actor.to_string(),
            action: "cancel".into(),
            from_state: Some(RequestState::Pending),
            to_state: Some(RequestState::Cancelled),
            detail: String::new(),
            at: self.now(),
        };
        let mut change = StateChange::new(
            team_id,
            id,
            RequestState::Pending,
            RequestState::Cancelled,
            audit,
        );
        change.jobs = vec![
            self.job(team_id, Job::RefreshCard { request_id: id }),
            self.job(
                team_id,
                Job::CardReply {
                    request_id: id,
                    text: format!(":no_entry_sign: Cancelled by <@{actor}>."),
                },
            ),
            self.job(
                team_id,
                Job::PublishHome {
                    user: actor.to_string(),
                },
            ),
        ];
        Ok(match self.store.change_state(change).await? {
            ChangeOutcome::Applied(_) => {
                self.queued();
                format!("Request {id} is cancelled.")
            }
            ChangeOutcome::Conflict(current) => self.already_decided_text(&current),
            ChangeOutcome::NotFound | ChangeOutcome::ParentClosed => {
                format!("There is no request {id}.")
            }
        })
    }
}
