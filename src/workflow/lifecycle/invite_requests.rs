//! Slack's own invite requests (Enterprise Grid's "Invite people" dialog): each becomes a
//! Guestlist request decided on a card with the usual roles and quorum; the decision goes back
//! to Slack (`admin.inviteRequests.approve` / `.deny`), and Slack sends the invitation. An
//! admin who decides in Slack's own page first wins: the request ends, nothing is sent by us.
//! The event can be missed, so a periodic list catches what it did not bring.

use crate::domain::expiry::from_slack_invite_request;
use crate::domain::quorum::Terms;
use crate::domain::request::{Source, transition};
use crate::domain::{
    Action, ChannelId, Email, GuestRequest, NewRequest, RequestKind, RequestState, TeamId, UserId,
};
use crate::slack::SlackCallError;
use crate::slack::payload::SlackInviteRequest;
use crate::slack::say::RequestSay;
use crate::store::{AuditEntry, BOT_ACTOR, CreateOutcome, NewJob, StateChange};
use crate::workflow::{Job, JobError, Workflow};

use super::invite::SentInvitation;

/// Slack's answer when the request was already approved or denied elsewhere.
const ALREADY_PROCESSED: &str = "already_processed";

impl Workflow {
    /// Job: an invite request Slack told us of (event or list). Made into a pending request
    /// once; a full-member invitation is left to Slack's admins.
    pub(in crate::workflow) async fn take_invite_request(
        &self,
        team: &TeamId,
        invite: &SlackInviteRequest,
    ) -> anyhow::Result<()> {
        let Some(guest_type) = invite.guest_type() else {
            tracing::info!(%team, invite_request = %invite.id, "a full-member invite request; left to Slack's admins");
            return Ok(());
        };
        if self
            .store
            .request_for_invite_request(team, &invite.id)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let Ok(email) = Email::parse(&invite.email) else {
            tracing::warn!(%team, invite_request = %invite.id, "an invite request without a usable email; left to Slack's admins");
            return Ok(());
        };
        let Some(requester) = invite.requester_ids.first() else {
            tracing::warn!(%team, invite_request = %invite.id, "an invite request without a requester; left to Slack's admins");
            return Ok(());
        };
        let now = self.now();
        let settings = self.settings();
        let policy = &settings.policy;
        let expiry = from_slack_invite_request(
            invite.expires(),
            policy.max_expiry_days,
            policy.allow_never,
            now,
        );
        let channels: Vec<ChannelId> = invite
            .channel_ids
            .iter()
            .map(|c| ChannelId::from(c.as_str()))
            .collect();
        let (quorum, decide_by) = self.approval_terms(
            &Terms {
                guest_type,
                channels: channels.clone(),
                expiry,
            },
            &email,
            now,
        );
        let name = invite
            .real_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().into());
        let new = NewRequest {
            team_id: team.clone(),
            kind: RequestKind::Guest,
            parent_id: None,
            requester: UserId::from(requester.as_str()),
            organisation: email.domain().to_string(),
            email,
            full_name: name,
            reason: invite.request_reason.clone().unwrap_or_default(),
            guest_type,
            channels,
            expiry,
            source: Source::InviteRequest,
            sync_rule: None,
            profile: Default::default(),
            slack_invite_request: Some(invite.id.clone()),
            account_team: None,
            source_user: None,
            quorum,
            decide_by,
        };
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: requester.clone(),
            action: "submit".into(),
            from_state: None,
            to_state: Some(RequestState::Pending),
            // audit
            detail: format!(
                "{} as {}, through Slack invite request {}",
                new.email,
                new.guest_type.as_str(),
                invite.id
            ),
            at: now,
        };
        let max_attempts = settings.max_attempts;
        let timers = self.pending_timers();
        let at = team.clone();
        let jobs = Box::new(move |r: &GuestRequest| -> Vec<NewJob> {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&at, now, max_attempts),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: RequestSay::WaitingDm {
                        id: r.id,
                        guest: r.full_name.clone(),
                        email: r.email.to_string(),
                    }
                    .into(),
                }
                .now(&at, now, max_attempts),
            ];
            jobs.extend(timers.jobs(&at, r));
            jobs
        });
        match self
            .store
            .create_request(&new, RequestState::Pending, now, audit, jobs)
            .await?
        {
            CreateOutcome::Created(request) => {
                self.queued();
                metrics::counter!("invite_requests_taken_total").increment(1);
                tracing::info!(request.id = request.id.0, %team, invite_request = %invite.id, "Slack invite request taken");
            }
            // Already ours, or the email is held by an open request (whose card decides).
            CreateOutcome::Duplicate(existing) | CreateOutcome::PhoneTaken(existing) => {
                tracing::info!(request.id = existing.id.0, %team, invite_request = %invite.id, "Slack invite request matches an open request; not taken again");
            }
        }
        Ok(())
    }

    /// Job: the backstop for missed `invite_requested` events. Needs the installation's admin
    /// token; without one there is nothing to list.
    pub(in crate::workflow) async fn poll_invite_requests(
        &self,
        team: &TeamId,
    ) -> Result<(), JobError> {
        if !self.slack.has_admin_token() {
            return Ok(());
        }
        let pending = self.slack.pending_invite_requests(team.as_str()).await?;
        for invite in &pending {
            // The list answers for the workspace asked; never take another's.
            if invite.team.as_ref().is_some_and(|t| t.id != team.as_str()) {
                continue;
            }
            self.take_invite_request(team, invite).await?;
        }
        Ok(())
    }

    /// Part of provisioning an approved request that came from Slack's dialog: approving it in
    /// Slack makes Slack send the invitation, which is then tracked like one we sent.
    pub(super) async fn approve_invite_request(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        invite: &str,
    ) -> Result<(), JobError> {
        match self
            .slack
            .decide_invite_request(request.account_team().as_str(), invite, true)
            .await
        {
            Ok(()) => {
                self.record_invited(team, request, SentInvitation::by(BOT_ACTOR))
                    .await?;
                Ok(())
            }
            Err(SlackCallError::Api { code, .. }) if code == ALREADY_PROCESSED => {
                self.decided_in_slack(team, request).await?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Job: an approver denied a request from Slack's dialog; Slack is told so. If an admin
    /// decided it in Slack first, that is recorded and nothing else happens.
    pub(in crate::workflow) async fn deny_invite_request(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        let Some(invite) = request.slack_invite_request.as_deref() else {
            return Ok(());
        };
        let detail = match self
            .slack
            .decide_invite_request(request.account_team().as_str(), invite, false)
            .await
        {
            Ok(()) => format!("Slack invite request {invite} denied"), // audit
            Err(SlackCallError::Api { code, .. }) if code == ALREADY_PROCESSED => {
                format!("Slack invite request {invite} was already decided in Slack") // audit
            }
            Err(e) => return Err(e.into()),
        };
        let audit = self.audit(
            team,
            &request,
            BOT_ACTOR,
            "deny_invite_request",
            None,
            detail,
        );
        self.store.append_audit(audit, Vec::new()).await?;
        Ok(())
    }

    /// An admin decided the invite request in Slack's own page before our decision reached
    /// Slack: the request ends; whatever Slack did is Slack's (no account is bound or tracked).
    async fn decided_in_slack(&self, team: &TeamId, request: &GuestRequest) -> anyhow::Result<()> {
        let to = transition(request.kind, request.state, Action::DecidedInSlack)?;
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            to,
            self.audit(
                team,
                request,
                BOT_ACTOR,
                "decided_in_slack",
                Some(to),
                // audit
                "already_processed: an admin decided it in Slack's admin page first".into(),
            ),
        );
        change.jobs = self.tell_all(
            team,
            request.id,
            RequestSay::DecidedInSlack,
            Some(
                RequestSay::DecidedInSlackDm {
                    id: request.id,
                    guest: request.full_name.clone(),
                }
                .into(),
            ),
        );
        change.jobs.push(self.job(
            team,
            Job::PublishHome {
                user: request.requester.to_string(),
            },
        ));
        self.store.change_state(change).await?;
        metrics::counter!("invite_requests_decided_in_slack_total").increment(1);
        self.queued();
        Ok(())
    }
}
