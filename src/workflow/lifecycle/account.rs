//! An approver's actions on a live account (revoke, make member, retry) and the jobs that carry
//! them out. Each job re-reads the request, and changes only the bound account after the
//! provisioner found it still a guest.

use crate::domain::account::{Change, Refusal};
use crate::domain::request::transition;
use crate::domain::roles::Right;
use crate::domain::{Action, GuestRequest, GuestType, RequestId, RequestState, TeamId, UserId};
use crate::provision::{Changed, Done, ProvisioningMode, change_account};
use crate::slack::ids::AdminTask;
use crate::slack::say::{AccountSay, CommonSay, Who};
use crate::store::{BOT_ACTOR, ChangeOutcome, StateChange};
use crate::workflow::authority::MayClick;
use crate::workflow::{Feedback, Job, JobError, Workflow};

impl Workflow {
    /// Button (approvers): revoke access at once.
    pub(in crate::workflow) async fn revoke(
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
                "revoke",
                MayClick::Holder(Right::Revoke),
                feedback,
            )
            .await?
        else {
            return Ok(());
        };
        let Ok(to) = transition(request.kind, request.state, Action::Revoke) else {
            return self
                .tell(
                    team,
                    feedback,
                    AccountSay::NothingToRevoke {
                        id,
                        state: request.state,
                    },
                )
                .await;
        };
        let mut change = StateChange::new(
            team,
            id,
            request.state,
            to,
            self.audit(
                team,
                &request,
                actor.as_str(),
                "revoke",
                Some(to),
                String::new(),
            ),
        );
        change.fields.decided_by = Some(actor.clone());
        let mut jobs = self.tell_all(
            team,
            id,
            AccountSay::Revoked {
                actor: actor.clone(),
                who: Who::of(&request),
            },
            Some(
                AccountSay::RevokedDm {
                    actor: actor.clone(),
                    who: Who::of(&request),
                }
                .into(),
            ),
        );
        if request.state != RequestState::Approved
            || self.provisioner(&request).mode() != ProvisioningMode::Manual
        {
            jobs.push(self.job(team, Job::Deactivate { request_id: id }));
        }
        change.jobs = jobs;
        match self.store.change_state(change).await? {
            ChangeOutcome::Applied(_) => self.queued(),
            _ => {
                self.tell(team, feedback, CommonSay::ChangedMeanwhile { id })
                    .await?
            }
        }
        Ok(())
    }

    /// Job: end the account of a revoked or expired request: the bound account, checked again
    /// to be a guest, and nothing else.
    pub(in crate::workflow) async fn deactivate(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if !matches!(request.state, RequestState::Revoked | RequestState::Expired) {
            return Ok(());
        }
        let provisioner = self.provisioner(&request);
        match change_account(
            provisioner.as_ref(),
            &self.bound(&request),
            Change::Deactivate,
            None,
        )
        .await?
        {
            Changed::Made {
                done: Done::Completed,
                id,
            } => {
                self.store
                    .append_audit(
                        self.audit(team, &request, BOT_ACTOR, "deactivated", None, id),
                        Vec::new(),
                    )
                    .await?;
            }
            Changed::Made {
                done: Done::AdminTask,
                ..
            } => {
                self.queue_admin_task(team, &request, BOT_ACTOR, AdminTask::Deactivate, Vec::new())
                    .await?;
            }
            Changed::AlreadyDone => {}
            // Manual mode: an invitation nobody accepted is withdrawn by an admin.
            Changed::Refused(Refusal::Unbound)
                if provisioner.mode() == ProvisioningMode::Manual
                    && request.invited_at.is_some() =>
            {
                self.queue_admin_task(
                    team,
                    &request,
                    BOT_ACTOR,
                    AdminTask::WithdrawInvitation,
                    Vec::new(),
                )
                .await?;
            }
            Changed::Refused(refusal) => {
                self.record_refusal(team, &request, Change::Deactivate, &refusal)
                    .await?;
            }
        }
        Ok(())
    }

    /// Job: write the account's deadline to the directory (the bound account, checked).
    pub(in crate::workflow) async fn set_expiry(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        let (Some(at), RequestState::Active | RequestState::Invited) =
            (request.expires_at, request.state)
        else {
            return Ok(());
        };
        match change_account(
            self.provisioner(&request).as_ref(),
            &self.bound(&request),
            Change::SetExpiry,
            Some(at),
        )
        .await?
        {
            // Not joined yet: the invitation carried the deadline, and the bot's timer enforces it.
            Changed::Refused(Refusal::Unbound) | Changed::AlreadyDone | Changed::Made { .. } => {}
            Changed::Refused(refusal) => {
                self.record_refusal(team, &request, Change::SetExpiry, &refusal)
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes the guest's profile to the bound account (re-checked as still a guest first);
    /// where the directory does not take it, an admin task in the card's thread.
    pub(in crate::workflow) async fn set_profile(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Active || request.profile.title.is_none() {
            return Ok(());
        }
        match crate::provision::change_profile(
            self.provisioner(&request).as_ref(),
            &self.bound(&request),
            &request.profile,
        )
        .await?
        {
            Changed::Made {
                done: crate::provision::Done::AdminTask,
                id,
            } => {
                let task = AccountSay::ProfileAdminTask {
                    who: Who::of(&request),
                    user: id,
                    title: request.profile.title.clone().unwrap_or_default(),
                };
                let job = self.job(
                    team,
                    Job::CardReply {
                        request_id: request.id,
                        text: task.into(),
                    },
                );
                self.store.enqueue_jobs(&[job]).await?;
                self.queued();
            }
            Changed::Made { .. } | Changed::AlreadyDone | Changed::Refused(Refusal::Unbound) => {}
            Changed::Refused(refusal) => {
                self.record_refusal(team, &request, Change::Profile, &refusal)
                    .await?;
            }
        }
        Ok(())
    }

    /// Button (approvers, after a confirmation dialog): make the guest a full member.
    pub(in crate::workflow) async fn make_member_click(
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
                "make_member",
                MayClick::Holder(Right::Convert),
                feedback,
            )
            .await?
        else {
            return Ok(());
        };
        if request.state != RequestState::Active || request.guest_type == GuestType::Member {
            return self
                .tell(team, feedback, AccountSay::NotActiveGuest { id })
                .await;
        }
        let audit = self.audit(
            team,
            &request,
            actor.as_str(),
            "make_member_requested",
            None,
            String::new(),
        );
        self.store
            .append_audit(
                audit,
                vec![self.job(team, Job::MakeMember { request_id: id })],
            )
            .await?;
        self.queued();
        Ok(())
    }

    /// Job: convert through the provisioner (or hand it to an admin), the bound account only.
    pub(in crate::workflow) async fn make_member(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Active || request.guest_type == GuestType::Member {
            return Ok(());
        }
        match change_account(
            self.provisioner(&request).as_ref(),
            &self.bound(&request),
            Change::MakeMember,
            None,
        )
        .await
        {
            Ok(Changed::Made {
                done: Done::Completed,
                ..
            }) => self.record_member(team, &request, BOT_ACTOR).await?,
            Ok(Changed::Made {
                done: Done::AdminTask,
                ..
            }) => {
                self.queue_admin_task(team, &request, BOT_ACTOR, AdminTask::MakeMember, Vec::new())
                    .await?;
            }
            Ok(Changed::AlreadyDone) => {}
            Ok(Changed::Refused(refusal)) => {
                self.record_refusal(team, &request, Change::MakeMember, &refusal)
                    .await?;
            }
            Err(e) => return self.provisioning_failed(team, &request, e).await,
        }
        Ok(())
    }

    pub(super) async fn record_member(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        actor: &str,
    ) -> anyhow::Result<()> {
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            request.state,
            self.audit(
                team,
                request,
                actor,
                "make_member",
                Some(request.state),
                String::new(),
            ),
        );
        change.fields.guest_type = Some(GuestType::Member);
        change.fields.clear_expires_at = true;
        change.jobs = self.tell_all(
            team,
            request.id,
            AccountSay::Member {
                who: Who::of(request),
            },
            Some(
                AccountSay::MemberDm {
                    who: Who::of(request),
                }
                .into(),
            ),
        );
        self.store.change_state(change).await?;
        self.queued();
        Ok(())
    }

    /// Button: an approver retries a failed invitation (after fixing the configuration).
    pub(in crate::workflow) async fn retry_provision(
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
                "retry_provision",
                MayClick::Holder(Right::Decide),
                feedback,
            )
            .await?
        else {
            return Ok(());
        };
        if request.state != RequestState::Approved {
            return self
                .tell(
                    team,
                    feedback,
                    AccountSay::AlreadyInState {
                        id,
                        state: request.state,
                    },
                )
                .await;
        }
        let audit = self.audit(
            team,
            &request,
            actor.as_str(),
            "retry_provision",
            None,
            String::new(),
        );
        // A fresh dedupe-free job: a retry is a new attempt.
        self.store
            .append_audit(
                audit,
                vec![self.job(team, Job::Provision { request_id: id })],
            )
            .await?;
        self.queued();
        self.tell(team, feedback, AccountSay::Retrying { id }).await
    }
}
