//! A new invitation for a guest who has not joined: at most one per email per hour, by any path;
//! recorded before it is sent, so two clicks send one; sent only while the request still calls
//! for it (a resend waiting out a rate limit never invites a guest revoked meanwhile).

use super::invite::SentInvitation;
use super::std_to_chrono;
use crate::domain::request::transition;
use crate::domain::{Action, GuestRequest, RequestId, RequestState, TeamId, UserId};
use crate::provision::{Invited, ProvisioningMode};
use crate::slack::ids::AdminTask;
use crate::slack::say::{AccountSay, Who};
use crate::store::{BOT_ACTOR, ChangeOutcome, StateChange};
use crate::workflow::authority::MayClick;
use crate::workflow::{Feedback, Job, JobError, Workflow};

impl Workflow {
    /// Button: resend the invitation (sponsor or approver), at most once an hour per email.
    pub(in crate::workflow) async fn resend(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .clicked_request(
                team,
                actor,
                id,
                "resend",
                MayClick::SponsorOr(crate::domain::roles::Right::Decide),
                feedback,
            )
            .await?
        else {
            return Ok(());
        };
        if !matches!(
            request.state,
            RequestState::Invited | RequestState::InviteExpired
        ) {
            return self
                .tell(
                    team,
                    feedback,
                    AccountSay::NothingToResend {
                        id,
                        state: request.state,
                    },
                )
                .await;
        }
        let now = self.now();
        let gap = std_to_chrono(self.settings().provisioning.resend_min_gap);
        if let Some(last) = self
            .store
            .last_invitation(team, request.email.as_str())
            .await?
            && last + gap > now
        {
            let minutes = ((last + gap - now).num_seconds() + 59) / 60;
            let audit = self.audit(
                team,
                &request,
                actor.as_str(),
                "refused_resend",
                None,
                format!("last invitation {}", last.to_rfc3339()),
            );
            let explain = self.feedback_job(
                team,
                feedback,
                AccountSay::ResendTooSoon {
                    email: request.email.as_str().to_string(),
                    minutes,
                },
            );
            self.store.append_audit(audit, vec![explain]).await?;
            self.queued();
            return Ok(());
        }
        if self.provisioner(&request).mode() == ProvisioningMode::Manual {
            self.queue_admin_task(
                team,
                &request,
                actor.as_str(),
                AdminTask::Resend,
                Vec::new(),
            )
            .await?;
            return self
                .tell(
                    team,
                    feedback,
                    AccountSay::ResendAskedAdmin {
                        email: request.email.as_str().to_string(),
                    },
                )
                .await;
        }
        // Record first (the compare-and-set on invited_at lets one of two racing clicks through),
        // then send: a resend can never go out twice.
        let send = self.job(team, Job::ResendInvite { request_id: id });
        match self
            .record_invited(
                team,
                &request,
                SentInvitation {
                    resend_gap: Some(now - gap),
                    extra_jobs: vec![send],
                    ..SentInvitation::by(actor.as_str())
                },
            )
            .await?
        {
            ChangeOutcome::Applied(_) => {
                self.tell(
                    team,
                    feedback,
                    AccountSay::ResendOnItsWay {
                        email: request.email.as_str().to_string(),
                    },
                )
                .await
            }
            _ => {
                self.tell(
                    team,
                    feedback,
                    AccountSay::ResendRaced {
                        email: request.email.as_str().to_string(),
                    },
                )
                .await
            }
        }
    }

    /// Job: the new invitation itself, read against the request as it is now.
    pub(in crate::workflow) async fn send_resend(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        // The resend was recorded as `invited`; anything else (revoked, expired, joined) means
        // the request no longer calls for an invitation.
        if request.state != RequestState::Invited {
            tracing::info!(request.id = request.id.0, state = %request.state, "resend no longer needed");
            return Ok(());
        }
        if request.account_team.is_none()
            && let super::invite::EmailOwner::FullMember =
                self.email_owner(request.email.as_str()).await?
        {
            return self
                .found_member(
                    team,
                    &request,
                    format!("{} is a full member of this workspace", request.email), // audit
                )
                .await
                .map_err(JobError::from);
        }
        match self
            .provisioner(&request)
            .invite(&self.invitation(&request, true))
            .await
        {
            Ok(Invited::Existing(guest)) => {
                self.link_existing(team, &request, &guest).await?;
                Ok(())
            }
            Ok(Invited::AlreadyMember { detail }) => {
                self.found_member(team, &request, detail).await?;
                Ok(())
            }
            Ok(Invited::Sent {
                external_id: Some(id),
                ..
            }) if request.external_id.as_deref() != Some(id.as_str()) => {
                // A directory account made anew (the old one was gone): bind it.
                let mut change = StateChange::new(
                    team,
                    request.id,
                    request.state,
                    request.state,
                    self.audit(
                        team,
                        &request,
                        BOT_ACTOR,
                        "rebind",
                        Some(request.state),
                        format!("bound to {id}"),
                    ),
                );
                change.fields.external_id = Some(id);
                self.store.change_state(change).await?;
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => self.provisioning_failed(team, &request, e).await,
        }
    }

    /// Job: an invitation lapses unaccepted.
    pub(in crate::workflow) async fn lapse_invite(
        &self,
        team: &TeamId,
        request: GuestRequest,
        invited_at: i64,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Invited
            || request.invited_at.map(|t| t.timestamp()) != Some(invited_at)
        {
            return Ok(());
        }
        let to = transition(request.kind, request.state, Action::LapseInvite)
            .map_err(|e| JobError::Fatal(e.to_string()))?;
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            to,
            self.audit(
                team,
                &request,
                BOT_ACTOR,
                "lapse_invite",
                Some(to),
                String::new(),
            ),
        );
        let mut jobs = self.tell_all(
            team,
            request.id,
            AccountSay::InvitationLapsed {
                who: Who::of(&request),
            },
            None,
        );
        jobs.push(self.job(
            team,
            Job::InviteLapsedNotice {
                request_id: request.id,
            },
        ));
        change.jobs = jobs;
        self.store.change_state(change).await?;
        self.queued();
        Ok(())
    }
}
