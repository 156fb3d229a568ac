//! From approved to invited to active: the invitation, the account it binds, the checks that
//! keep a full member's email from ever becoming a guest request's account, and admin tasks.

use super::{CHECK_JOINED_EVERY, std_to_chrono};
use crate::domain::account::Standing;
use crate::domain::request::transition;
use crate::domain::{
    Action, Email, GuestRequest, RequestId, RequestKind, RequestState, TeamId, UserId,
};
use crate::provision::{Invited, ProvisionError, VerifiedGuest};
use crate::slack::ids::AdminTask;
use crate::slack::say::{AccountSay, Joined, Who};
use crate::store::{BOT_ACTOR, ChangeOutcome, ChangedFields, NewJob, StateChange};
use crate::workflow::authority::MayClick;
use crate::workflow::{Feedback, Job, JobError, Workflow};
use chrono::{DateTime, Utc};

/// An invitation that went out, as the lifecycle records it.
pub(super) struct SentInvitation {
    pub actor: String,
    /// The account Guestlist just created (SCIM), known at once: the binding.
    pub external_id: Option<String>,
    /// Something approvers should know (shown in the card's thread).
    pub note: Option<String>,
    /// For a resend: applies only if the last invitation went out before this.
    pub resend_gap: Option<DateTime<Utc>>,
    pub extra_jobs: Vec<NewJob>,
}

impl SentInvitation {
    pub fn by(actor: &str) -> Self {
        Self {
            actor: actor.to_string(),
            external_id: None,
            note: None,
            resend_gap: None,
            extra_jobs: Vec::new(),
        }
    }
}

/// What Slack says about the owner of an email, for the checks before an invitation.
pub(crate) enum EmailOwner {
    Nobody,
    Guest,
    /// A full member (active or deactivated): never invited, linked or changed.
    FullMember,
}

impl Workflow {
    /// Who holds `email` in this workspace, per `users.lookupByEmail`.
    pub(crate) async fn email_owner(&self, email: &str) -> crate::slack::SlackResult<EmailOwner> {
        Ok(match self.slack.lookup_user_by_email(email).await? {
            None => EmailOwner::Nobody,
            Some(user) => {
                let standing = Standing::from_slack_flags(
                    user.flags.is_restricted.unwrap_or(false),
                    user.flags.is_ultra_restricted.unwrap_or(false),
                );
                if standing.is_guest() {
                    EmailOwner::Guest
                } else {
                    EmailOwner::FullMember
                }
            }
        })
    }

    /// Job: send the invitation for an approved request.
    pub(in crate::workflow) async fn provision(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Approved || request.kind != RequestKind::Guest {
            return Ok(());
        }
        // The form's check may not have been made in time (or the person joined since): it is
        // repeated here, before anything is sent. A sync rule's target workspace is checked by
        // the rule's plan and by Slack's own answer to the assignment.
        if request.account_team.is_none()
            && let EmailOwner::FullMember = self.email_owner(request.email.as_str()).await?
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
        // One invitation per person per hour, whichever path sent the last one.
        if let Some(last) = self
            .store
            .last_invitation(team, request.email.as_str())
            .await?
        {
            let free_at = last + std_to_chrono(self.settings().provisioning.resend_min_gap);
            if free_at > self.now() {
                let wait = (free_at - self.now()).to_std().unwrap_or_default();
                return Err(JobError::wait(
                    "an invitation went to this email less than an hour ago",
                    wait,
                ));
            }
        }
        if let Some(invite) = request.slack_invite_request.as_deref() {
            // Asked in Slack's own dialog: approving it there makes Slack send the invitation.
            return self.approve_invite_request(team, &request, invite).await;
        }
        match self
            .provisioner(&request)
            .invite(&self.invitation(&request, false))
            .await
        {
            Ok(Invited::Sent {
                slack_user_id: _,
                external_id,
                note,
            }) => {
                let sent = SentInvitation {
                    external_id,
                    note,
                    ..SentInvitation::by(BOT_ACTOR)
                };
                self.record_invited(team, &request, sent).await?;
            }
            Ok(Invited::Existing(guest)) => {
                self.link_existing(team, &request, &guest).await?;
            }
            Ok(Invited::AlreadyMember { detail }) => {
                self.found_member(team, &request, detail).await?
            }
            Ok(Invited::AdminTask) => {
                self.queue_admin_task(team, &request, BOT_ACTOR, AdminTask::Invite, Vec::new())
                    .await?;
            }
            Err(e) => return self.provisioning_failed(team, &request, e).await,
        }
        Ok(())
    }

    /// An account that already existed, checked to be a guest: linked and made active.
    pub(super) async fn link_existing(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        guest: &VerifiedGuest,
    ) -> anyhow::Result<()> {
        let id = Some(guest.id().to_string());
        let (slack_user_id, external_id) = if self.provisioner(request).mode().binds_directory_id()
        {
            (None, id)
        } else {
            (id, None)
        };
        let how = if request.source_user.is_some() {
            Joined::Added
        } else {
            Joined::Linked
        };
        self.accept(team, request, slack_user_id, external_id, how)
            .await
    }

    /// The email belongs to a full member: the request ends (`already_member`), and nobody's
    /// account is touched, now or later.
    pub(super) async fn found_member(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        detail: String,
    ) -> anyhow::Result<()> {
        let to = transition(request.kind, request.state, Action::FoundMember)?;
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            to,
            self.audit(team, request, BOT_ACTOR, "found_member", Some(to), detail),
        );
        change.jobs = self.tell_all(
            team,
            request.id,
            AccountSay::FoundMember {
                who: Who::of(request),
            },
            Some(
                AccountSay::FoundMemberDm {
                    who: Who::of(request),
                }
                .into(),
            ),
        );
        self.store.change_state(change).await?;
        metrics::counter!("requests_ended_as_member_total").increment(1);
        self.queued();
        Ok(())
    }

    /// Records `request` as invited now (from approved, or again after a resend), with its timers.
    pub(super) async fn record_invited(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        sent: SentInvitation,
    ) -> anyhow::Result<ChangeOutcome> {
        let SentInvitation {
            actor,
            external_id,
            note,
            resend_gap,
            extra_jobs,
        } = sent;
        let now = self.now();
        let to = transition(
            request.kind,
            request.state,
            if request.state == RequestState::Approved {
                Action::Invite
            } else {
                Action::Resend
            },
        )?;
        let lapses = now + std_to_chrono(self.settings().provisioning.invite_valid);
        let mut jobs = self.invitation_jobs(team, request.id, now);
        jobs.extend(
            self.tell_all(
                team,
                request.id,
                AccountSay::Invited {
                    who: Who::of(request),
                    lapses,
                    note,
                },
                Some(
                    AccountSay::InvitedDm {
                        who: Who::of(request),
                        lapses,
                    }
                    .into(),
                ),
            ),
        );
        jobs.extend(extra_jobs);
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            to,
            self.audit(
                team,
                request,
                &actor,
                if to == request.state {
                    "resend"
                } else {
                    "invite"
                },
                Some(to),
                format!("via {}", self.provisioner(request).mode().as_str()),
            ),
        );
        change.fields = ChangedFields {
            invited_at: Some(now),
            invite_expires_at: Some(lapses),
            external_id,
            ..Default::default()
        };
        change.only_if_invited_before = resend_gap;
        change.invitation_via = Some(self.provisioner(request).mode().as_str().to_string());
        change.jobs = jobs;
        let outcome = self.store.change_state(change).await?;
        self.queued();
        Ok(outcome)
    }

    /// Timers for an invitation sent at `invited_at`.
    fn invitation_jobs(
        &self,
        team: &TeamId,
        id: RequestId,
        invited_at: DateTime<Utc>,
    ) -> Vec<NewJob> {
        let p = &self.settings().provisioning;
        let max = self.settings().max_attempts;
        let ts = invited_at.timestamp();
        let lapses = invited_at + std_to_chrono(p.invite_valid);
        vec![
            Job::LapseInvite {
                request_id: id,
                invited_at: ts,
            }
            .at(team, lapses, max, Some(format!("lapse:{}:{ts}", id.0))),
            Job::InviteReminder {
                request_id: id,
                invited_at: ts,
            }
            .at(
                team,
                lapses - std_to_chrono(p.invite_reminder_before),
                max,
                Some(format!("invite-reminder:{}:{ts}", id.0)),
            ),
            Job::CheckJoined {
                request_id: id,
                invited_at: ts,
                round: 1,
            }
            .at(
                team,
                invited_at + CHECK_JOINED_EVERY,
                max,
                Some(format!("joined:{}:{ts}:1", id.0)),
            ),
        ]
    }

    /// The guest joined (or already had a guest account): the account is active, and bound to
    /// the id given.
    pub(super) async fn accept(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        slack_user_id: Option<String>,
        external_id: Option<String>,
        how: Joined,
    ) -> anyhow::Result<()> {
        let to = transition(request.kind, request.state, Action::Accept)?;
        let mut jobs = self.tell_all(
            team,
            request.id,
            AccountSay::Accepted {
                who: Who::of(request),
                how,
            },
            Some(
                AccountSay::AcceptedDm {
                    who: Who::of(request),
                    how,
                    ends: request.expires_at,
                }
                .into(),
            ),
        );
        if request.profile.title.is_some() {
            // Slack takes a job title only on an account that exists: now it does.
            jobs.push(self.job(
                team,
                Job::SetProfile {
                    request_id: request.id,
                },
            ));
        }
        if request.expires_at.is_some()
            && (request.state == RequestState::Approved || request.slack_invite_request.is_some())
        {
            // A linked existing account never saw our expiry, nor did one Slack invited from
            // its own invite request: write it to the directory.
            jobs.push(self.job(
                team,
                Job::SetExpiry {
                    request_id: request.id,
                },
            ));
        }
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            to,
            self.audit(
                team,
                request,
                BOT_ACTOR,
                "accept",
                Some(to),
                match (&slack_user_id, &external_id) {
                    (Some(id), _) | (None, Some(id)) => {
                        format!("{}; bound to {id}", audit_how(how))
                    }
                    (None, None) => audit_how(how).to_string(),
                },
            ),
        );
        change.fields = ChangedFields {
            slack_user_id,
            external_id,
            ..Default::default()
        };
        change.jobs = jobs;
        self.store.change_state(change).await?;
        self.queued();
        Ok(())
    }

    /// Tells the right people why provisioning failed; retries only what retrying can fix.
    pub(super) async fn provisioning_failed(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        e: ProvisionError,
    ) -> Result<(), JobError> {
        let (jobs, detail) = match &e {
            ProvisionError::Request(problem) => (
                vec![
                    self.job(
                        team,
                        Job::NotifyRequester {
                            request_id: request.id,
                            text: AccountSay::InvitationFailed {
                                who: Who::of(request),
                                problem: problem.clone(),
                            }
                            .into(),
                        },
                    ),
                    self.job(
                        team,
                        Job::ProvisioningProblem {
                            request_id: request.id,
                            problem: problem.clone(),
                        },
                    ),
                ],
                problem.clone(),
            ),
            ProvisionError::Configuration(problem)
            | ProvisionError::Refused(problem)
            | ProvisionError::Fatal(problem) => (
                vec![self.job(
                    team,
                    Job::ProvisioningProblem {
                        request_id: request.id,
                        problem: problem.clone(),
                    },
                )],
                problem.clone(),
            ),
            ProvisionError::Transient(_) | ProvisionError::RateLimited(_) => return Err(e.into()),
        };
        tracing::warn!(request.id = request.id.0, problem = %detail, "provisioning failed");
        self.store
            .append_audit(
                self.audit(team, request, BOT_ACTOR, "provision_failed", None, detail),
                jobs,
            )
            .await?;
        self.queued();
        Ok(())
    }

    /// Button: an admin did the manual task.
    pub(in crate::workflow) async fn task_done(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        task: AdminTask,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .clicked_request(
                team,
                actor,
                id,
                "task_done",
                MayClick::Holder(crate::domain::roles::Right::Decide),
                feedback,
            )
            .await?
        else {
            return Ok(());
        };
        let actor_name = actor.to_string();
        match (task, request.state) {
            (AdminTask::Invite, RequestState::Approved)
            | (AdminTask::Resend, RequestState::Invited | RequestState::InviteExpired) => {
                match self
                    .record_invited(team, &request, SentInvitation::by(&actor_name))
                    .await?
                {
                    ChangeOutcome::Applied(_) => {}
                    _ => {
                        self.tell(team, feedback, AccountSay::TaskChangedMeanwhile { id })
                            .await?
                    }
                }
            }
            (AdminTask::Deactivate, RequestState::Active) => {
                let to = transition(request.kind, request.state, Action::Expire)?;
                let mut change = StateChange::new(
                    team,
                    id,
                    request.state,
                    to,
                    self.audit(
                        team,
                        &request,
                        &actor_name,
                        "expire",
                        Some(to),
                        "deactivated by an admin".into(),
                    ),
                );
                change.jobs = self.tell_all(
                    team,
                    id,
                    AccountSay::AdminDeactivated {
                        actor: actor.clone(),
                        who: Who::of(&request),
                    },
                    Some(
                        AccountSay::AccountEndedDm {
                            who: Who::of(&request),
                        }
                        .into(),
                    ),
                );
                self.store.change_state(change).await?;
                self.queued();
            }
            (AdminTask::MakeMember, RequestState::Active) => {
                self.record_member(team, &request, &actor_name).await?
            }
            (
                AdminTask::Deactivate | AdminTask::WithdrawInvitation,
                RequestState::Revoked | RequestState::Expired,
            ) => {
                let audit = self.audit(
                    team,
                    &request,
                    &actor_name,
                    "deactivation_confirmed",
                    None,
                    task.as_str().to_string(),
                );
                let reply = self.job(
                    team,
                    Job::CardReply {
                        request_id: id,
                        text: AccountSay::AdminConfirmedEnded {
                            actor: actor.clone(),
                        }
                        .into(),
                    },
                );
                self.store.append_audit(audit, vec![reply]).await?;
                self.queued();
            }
            _ => {
                self.tell(
                    team,
                    feedback,
                    AccountSay::TaskAlreadyDone {
                        id,
                        state: request.state,
                    },
                )
                .await?
            }
        }
        Ok(())
    }

    /// Job: a join may have been missed; look the guest up.
    pub(in crate::workflow) async fn check_joined(
        &self,
        team: &TeamId,
        request: GuestRequest,
        invited_at: i64,
        round: u32,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Invited
            || request.invited_at.map(|t| t.timestamp()) != Some(invited_at)
            || request.account_team.is_some()
        {
            return Ok(());
        }
        if let Some(user) = self
            .slack
            .lookup_user_by_email(request.email.as_str())
            .await?
            && !user.deleted.unwrap_or(false)
            && !user.flags.is_invited_user.unwrap_or(false)
        {
            let standing = Standing::from_slack_flags(
                user.flags.is_restricted.unwrap_or(false),
                user.flags.is_ultra_restricted.unwrap_or(false),
            );
            if standing.is_guest() {
                self.accept(team, &request, Some(user.id.0), None, Joined::Joined)
                    .await?;
            } else {
                self.found_member(
                    team,
                    &request,
                    format!("{} joined as a full member, not as a guest", request.email), // audit
                )
                .await?;
            }
            return Ok(());
        }
        let next = self.now() + CHECK_JOINED_EVERY;
        if request.invite_expires_at.is_some_and(|lapse| next < lapse) {
            let job = Job::CheckJoined {
                request_id: request.id,
                invited_at,
                round: round + 1,
            }
            .at(
                team,
                next,
                self.settings().max_attempts,
                Some(format!(
                    "joined:{}:{invited_at}:{}",
                    request.id.0,
                    round + 1
                )),
            );
            self.store.enqueue_jobs(&[job]).await?;
        }
        Ok(())
    }

    /// A guest joined through an invitation Guestlist sent for a request that has ended since
    /// (revoked, or expired, while the invitation was still open in Slack): the account that just
    /// came into being from our invitation is bound, and ended.
    async fn late_join(
        &self,
        team: &TeamId,
        email: &Email,
        user: &serde_json::Value,
        standing: Standing,
    ) -> Result<(), JobError> {
        let Some(request) = self
            .store
            .latest_guest_request(team, email.as_str())
            .await?
        else {
            return Ok(());
        };
        let Some(id) = user.get("id").and_then(|i| i.as_str()) else {
            return Ok(());
        };
        let from_our_invitation =
            matches!(request.state, RequestState::Revoked | RequestState::Expired)
                && request.slack_user_id.is_none()
                && request.account_team.is_none()
                && request
                    .invite_expires_at
                    .is_some_and(|lapses| lapses > self.now());
        if !from_our_invitation || !standing.is_guest() {
            return Ok(());
        }
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            request.state,
            self.audit(
                team,
                &request,
                BOT_ACTOR,
                "late_join",
                Some(request.state),
                format!("joined after the request ended; bound to {id}"),
            ),
        );
        change.fields.slack_user_id = Some(id.to_string());
        change.jobs = vec![
            self.job(
                team,
                Job::CardReply {
                    request_id: request.id,
                    text: AccountSay::LateJoin {
                        who: Who::of(&request),
                    }
                    .into(),
                },
            ),
            self.job(
                team,
                Job::Deactivate {
                    request_id: request.id,
                },
            ),
        ];
        self.store.change_state(change).await?;
        self.queued();
        Ok(())
    }

    /// Job: `team_join` / `user_change`: an invited guest may have joined. The account comes
    /// into being from Guestlist's invitation, so this is where it is bound, if it is a guest.
    pub(in crate::workflow) async fn account_event(
        &self,
        team: &TeamId,
        user: &serde_json::Value,
    ) -> Result<(), JobError> {
        let Some(email) = user.pointer("/profile/email").and_then(|e| e.as_str()) else {
            return Ok(());
        };
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let flag = |key: &str| user.get(key).and_then(|d| d.as_bool()).unwrap_or(false);
        if let Some(id) = user.get("id").and_then(|i| i.as_str()) {
            self.directory.forget_person(&UserId::from(id));
        }
        if flag("deleted") || flag("is_bot") || flag("is_invited_user") {
            return Ok(());
        }
        let standing =
            Standing::from_slack_flags(flag("is_restricted"), flag("is_ultra_restricted"));
        let Some(request) = self.store.account_for_email(team, email.as_str()).await? else {
            return self.late_join(team, &email, user, standing).await;
        };
        if request.account_team.is_some()
            || !matches!(
                request.state,
                RequestState::Invited | RequestState::Approved | RequestState::InviteExpired
            )
        {
            return Ok(());
        }
        let standing =
            Standing::from_slack_flags(flag("is_restricted"), flag("is_ultra_restricted"));
        if standing.is_guest() {
            let slack_id = user.get("id").and_then(|i| i.as_str()).map(str::to_string);
            self.accept(team, &request, slack_id, None, Joined::Joined)
                .await?;
        } else {
            self.found_member(
                team,
                &request,
                format!("{email} is a full member's account, not a guest's"), // audit
            )
            .await?;
        }
        Ok(())
    }
}

/// How a guest came to their account, as the audit log says it.
fn audit_how(how: Joined) -> &'static str {
    match how {
        Joined::Joined => "joined",
        Joined::Added => "was added to the workspace as a guest", // audit
        Joined::Linked => "already had a guest account, which is now linked", // audit
        Joined::Adopted => "was adopted",
    }
}
