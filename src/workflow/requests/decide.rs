//! The clicks and modals of a decision: Approve, Deny (with its reason), Approve with changes,
//! the requester's cancel, and Request again after a denial or lapse. Each Approve or Deny is
//! a ballot, counted by `approvals`.

use super::approvals::{Ballot, Cast, amendment_of};
use super::errors_by_block;
use crate::domain::expiry::zone;
use crate::domain::policy::{Field, narrowed_terms};
use crate::domain::quorum::Verdict;
use crate::domain::roles::Right;
use crate::domain::{GuestRequest, RequestId, RequestState, TeamId, UserId};
use crate::slack::ids::{ChangesMetadata, DenyMetadata, FormMetadata, field_block_id};
use crate::slack::payload::request_draft;
use crate::slack::render::{self, Again};
use crate::slack::say::{CommonSay, RequestSay, Say};
use crate::store::{AuditEntry, ChangeOutcome, StateChange};
use crate::workflow::{Feedback, Job, Workflow};
use anyhow::Context;
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;

impl Workflow {
    /// The start of every decision click: the clicker may decide this request (checked from
    /// their roles and current group membership), and it is still pending (a late clicker is
    /// told who decided first). Returns the request and the roles that let them decide.
    async fn decision_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        verb: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<Option<(GuestRequest, Vec<String>)>> {
        let Some(request) = self.store.get_request(team, id).await? else {
            self.tell(team, feedback, CommonSay::NoSuchRequest { id })
                .await?;
            return Ok(None);
        };
        let roles = match self.may_on(actor, Right::Decide, &request).await? {
            Ok(roles) => roles,
            Err(refusal) => {
                self.refuse(team, actor, verb, &request, &refusal, feedback)
                    .await?;
                return Ok(None);
            }
        };
        if request.state != RequestState::Pending {
            self.tell(team, feedback, self.already_decided(&request))
                .await?;
            return Ok(None);
        }
        Ok(Some((request, roles)))
    }

    /// The Approve button: a vote; it decides once the quorum is reached.
    pub(in crate::workflow) async fn approve(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some((request, roles)) = self
            .decision_click(team, actor, id, "approve", feedback)
            .await?
        else {
            return Ok(());
        };
        let ballot = Ballot {
            voter: actor.clone(),
            verdict: Verdict::Approve,
            roles,
            note: None,
            amendment: None,
        };
        match self.cast(team, request, ballot).await? {
            Cast::Decided(_) => Ok(()),
            Cast::Counted(say) | Cast::NotCounted(say) => self.tell(team, feedback, say).await,
        }
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
        let Some((request, _)) = self
            .decision_click(team, actor, id, "deny", feedback)
            .await?
        else {
            return Ok(());
        };
        let metadata = DenyMetadata {
            request_id: id.0,
            response_url: feedback.response_url.clone(),
        };
        let lang = self.viewer(actor).await.lang;
        self.slack
            .open_view(trigger_id, render::deny_form(&request, &metadata, lang))
            .await
            .context("opening the deny form")?;
        Ok(())
    }

    /// A modal's submission about a pending request: it is still pending (and, for a change,
    /// in the round the approver saw), and the approver may still decide it (the modal may
    /// have stayed open while roles changed). `Err` says why, for the modal.
    async fn submitted_decision(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        verb: &str,
        round: Option<i64>,
    ) -> anyhow::Result<Result<(GuestRequest, Vec<String>), Say>> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(Err(CommonSay::NoSuchRequest { id }.into()));
        };
        if request.state != RequestState::Pending {
            return Ok(Err(self.already_decided(&request).into()));
        }
        if round.is_some_and(|r| r != request.approval_round) {
            return Ok(Err(RequestSay::ChangedWhileOpen { id }.into()));
        }
        match self.may_on(actor, Right::Decide, &request).await? {
            Ok(roles) => Ok(Ok((request, roles))),
            Err(refusal) => {
                let audit = self.refused_audit(team, actor, verb, &request, &refusal);
                self.store.append_audit(audit, vec![]).await?;
                Ok(Err(RequestSay::Refused { id, refusal }.into()))
            }
        }
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
        let lang = self.viewer(actor).await.lang;
        let error = |say: Say| {
            Ok(Some(HashMap::from([(
                crate::slack::ids::DENY_REASON_BLOCK.to_string(),
                say.plain(lang),
            )])))
        };
        if reason.is_empty() {
            return error(RequestSay::DenyReasonMissing.into());
        }
        let feedback = Feedback {
            user: actor.clone(),
            response_url: metadata.response_url.clone(),
            channel: None,
            message_ts: None,
        };
        let id = RequestId(metadata.request_id);
        let (request, roles) = match self
            .submitted_decision(team, actor, id, "deny", None)
            .await?
        {
            Ok(found) => found,
            Err(say) => return error(say),
        };
        let ballot = Ballot {
            voter: actor.clone(),
            verdict: Verdict::Deny,
            roles,
            note: Some(reason),
            amendment: None,
        };
        match self
            .cast_submitted(team, request, ballot, &feedback)
            .await?
        {
            Ok(()) => Ok(None),
            Err(say) => error(say),
        }
    }

    /// The Approve-with-changes button: the request's own terms in a modal, to narrow.
    pub(in crate::workflow) async fn changes_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some((request, _)) = self
            .decision_click(team, actor, id, "approve_with_changes", feedback)
            .await?
        else {
            return Ok(());
        };
        if request.kind != crate::domain::RequestKind::Guest {
            return self
                .tell(team, feedback, RequestSay::ExtensionAsAsked { id })
                .await;
        }
        let viewer = self.viewer(actor).await;
        let metadata = ChangesMetadata {
            request_id: id.0,
            round: request.approval_round,
            response_url: feedback.response_url.clone(),
            tz: viewer.tz,
        };
        self.slack
            .open_view(
                trigger_id,
                render::changes_form(&request, &self.settings().policy, &metadata, viewer.lang),
            )
            .await
            .context("opening the approve-with-changes form")?;
        Ok(())
    }

    /// The approve-with-changes form's submission: only a narrowing is accepted (each problem
    /// on its field); then it is an approval of the narrowed request, in a new round.
    pub(in crate::workflow) async fn submit_changes(
        &self,
        team: &TeamId,
        actor: &UserId,
        metadata: &ChangesMetadata,
        state: Option<&SlackViewState>,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        let id = RequestId(metadata.request_id);
        let lang = self.viewer(actor).await.lang;
        let on_type = |say: Say| {
            Ok(Some(HashMap::from([(
                field_block_id(Field::GuestType).to_string(),
                say.plain(lang),
            )])))
        };
        let (request, roles) = match self
            .submitted_decision(
                team,
                actor,
                id,
                "approve_with_changes",
                Some(metadata.round),
            )
            .await?
        {
            Ok(found) => found,
            Err(say) => return on_type(say),
        };
        let tz = zone(metadata.tz.as_deref());
        let (terms, changes) = match narrowed_terms(
            &request_draft(state),
            &request.terms(),
            &self.settings().policy,
            self.now(),
            tz,
        ) {
            Ok(narrowed) => narrowed,
            Err(errors) => return Ok(Some(errors_by_block(&errors, lang))),
        };
        let amendment = (!changes.is_empty()).then(|| amendment_of(&request, terms, changes));
        let ballot = Ballot {
            voter: actor.clone(),
            verdict: Verdict::Approve,
            roles,
            note: None,
            amendment,
        };
        let feedback = Feedback {
            user: actor.clone(),
            response_url: metadata.response_url.clone(),
            channel: None,
            message_ts: None,
        };
        match self
            .cast_submitted(team, request, ballot, &feedback)
            .await?
        {
            Ok(()) => Ok(None),
            Err(say) => on_type(say),
        }
    }

    /// Casts a vote submitted from a modal: a counted vote is told to the voter, a vote that
    /// does not count comes back as what the modal's field says.
    async fn cast_submitted(
        &self,
        team: &TeamId,
        request: GuestRequest,
        ballot: Ballot,
        feedback: &Feedback,
    ) -> anyhow::Result<Result<(), Say>> {
        Ok(match self.cast(team, request, ballot).await? {
            Cast::Decided(_) => Ok(()),
            Cast::Counted(say) => {
                self.tell(team, feedback, say).await?;
                Ok(())
            }
            Cast::NotCounted(say) => Err(say),
        })
    }

    /// **Request again**, in the requester's DM after a denial or a lapse: the form, filled in
    /// with what they asked, the reason it ended above it.
    pub(in crate::workflow) async fn request_again(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return self
                .tell(team, feedback, CommonSay::NoSuchRequest { id })
                .await;
        };
        if &request.requester != actor {
            return self
                .tell(team, feedback, RequestSay::OnlyRequesterAgain { id })
                .await;
        }
        if let Some(refusal) = self.may_request(team, actor).await? {
            return self.tell(team, feedback, refusal).await;
        }
        let viewer = self.viewer(actor).await;
        let note = match request.state {
            RequestState::Denied => request.decision_note.clone(),
            RequestState::Lapsed => Some(RequestSay::LapsedNote.text(viewer.lang)),
            _ => None,
        };
        let view = render::request_form(
            &self.settings().policy,
            &FormMetadata {
                tz: viewer.tz,
                origin: None,
            },
            Some(Again {
                request: &request,
                note: note.as_deref(),
            }),
            viewer.lang,
        );
        self.slack
            .open_view(trigger_id, view)
            .await
            .context("opening the request form again")?;
        Ok(())
    }

    /// `/guest cancel <id>`: the requester withdraws a pending request.
    pub(in crate::workflow) async fn cancel(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        id: RequestId,
    ) -> anyhow::Result<Say> {
        let Some(request) = self.store.get_request(team_id, id).await? else {
            return Ok(CommonSay::NoSuchRequest { id }.into());
        };
        if &request.requester != actor {
            return Ok(RequestSay::OnlyRequesterCancel { id }.into());
        }
        if request.state != RequestState::Pending {
            return Ok(RequestSay::CannotCancel {
                id,
                state: request.state,
            }
            .into());
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
                    text: RequestSay::CancelledBy {
                        actor: actor.clone(),
                    }
                    .into(),
                },
            ),
            self.job(
                team_id,
                Job::PublishHome {
                    user: actor.to_string(),
                },
            ),
        ];
        if request.slack_invite_request.is_some() {
            // Withdrawn here, withdrawn in Slack's own queue too.
            change
                .jobs
                .push(self.job(team_id, Job::DenyInviteRequest { request_id: id }));
        }
        Ok(match self.store.change_state(change).await? {
            ChangeOutcome::Applied(_) => {
                self.queued();
                RequestSay::Cancelled { id }.into()
            }
            ChangeOutcome::Conflict(current) => self.already_decided(&current).into(),
            ChangeOutcome::NotFound | ChangeOutcome::ParentClosed => {
                CommonSay::NoSuchRequest { id }.into()
            }
        })
    }
}
