//! After approval: invitations, acceptance, lapses, reminders, extensions, expiry, revocation and
//! conversion to full member. Every deadline is a job with a future `run_at`; each checks, when it
//! runs, that the request is still the way it was when the job was queued (same state, same
//! deadline), so a moved deadline or a second replica never makes a timer act twice.

use super::{Feedback, Job, JobError, Workflow};
use crate::domain::expiry::{local_to_utc, zone};
use crate::domain::policy::check_expiry;
use crate::domain::request::{NewRequest, transition};
use crate::domain::text::safe;
use crate::domain::{
    Action, Email, Expiry, GuestRequest, GuestType, RequestId, RequestKind, RequestState, TeamId,
    UserId,
};
use crate::provision::{Account, Done, Invitation, Invited, ProvisionError, ProvisioningMode};
use crate::slack::render::{self, AdminTask, ExtendMetadata, slack_date};
use crate::store::{
    AuditEntry, BOT_ACTOR, ChangeOutcome, ChangedFields, CreateOutcome, NewJob, StateChange,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

/// How often an invited guest is looked up by email, in case their join event was missed.
const CHECK_JOINED_EVERY: Duration = Duration::hours(6);
/// Slack applies `admin.users.setExpiration` on an hourly schedule; check after it had its turn.
const SLACK_EXPIRY_GRACE: Duration = Duration::hours(1);

fn std_to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::zero())
}

/// What the deadline timers of an account look like under the current settings.
#[derive(Clone)]
struct ExpiryTimers {
    /// Waited after the deadline before checking (Slack applies expirations hourly).
    grace: Duration,
    /// The sponsor's reminders, this long before the deadline.
    reminders: Vec<Duration>,
    max_attempts: i64,
}

impl ExpiryTimers {
    fn jobs(
        &self,
        team: &TeamId,
        id: RequestId,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<NewJob> {
        let Some(at) = expires_at else {
            return Vec::new();
        };
        let ts = at.timestamp();
        let mut jobs = vec![
            Job::Expire {
                request_id: id,
                expires_at: ts,
            }
            .at(
                team,
                at + self.grace,
                self.max_attempts,
                Some(format!("expire:{}:{ts}", id.0)),
            ),
        ];
        for offset in &self.reminders {
            let when = at - *offset;
            if when > now {
                let days_before = offset.num_days();
                jobs.push(
                    Job::ExpiryReminder {
                        request_id: id,
                        expires_at: ts,
                        days_before,
                    }
                    .at(
                        team,
                        when,
                        self.max_attempts,
                        Some(format!("remind:{}:{days_before}:{ts}", id.0)),
                    ),
                );
            }
        }
        jobs
    }
}

/// An invitation that went out, as the lifecycle records it.
struct SentInvitation {
    actor: String,
    slack_user_id: Option<String>,
    external_id: Option<String>,
    /// Something approvers should know (shown in the card's thread).
    note: Option<String>,
    /// For a resend: applies only if the last invitation went out before this.
    resend_gap: Option<DateTime<Utc>>,
    extra_jobs: Vec<NewJob>,
}

impl SentInvitation {
    fn by(actor: &str) -> Self {
        Self {
            actor: actor.to_string(),
            slack_user_id: None,
            external_id: None,
            note: None,
            resend_gap: None,
            extra_jobs: Vec::new(),
        }
    }
}

/// The extension form as submitted.
#[derive(Debug, Clone, Default)]
pub struct ExtensionForm {
    /// `days` or `date`.
    pub mode: Option<String>,
    pub days: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub reason: String,
}

impl From<ProvisionError> for JobError {
    fn from(e: ProvisionError) -> Self {
        match e {
            ProvisionError::Transient(reason) => JobError::Retry {
                reason,
                after: None,
                rate_limited: false,
            },
            ProvisionError::RateLimited(after) => JobError::Retry {
                reason: "directory rate limit".into(),
                after: Some(after),
                rate_limited: true,
            },
            other => JobError::Fatal(other.to_string()),
        }
    }
}

impl Workflow {
    fn audit(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        actor: &str,
        action: &str,
        to: Option<RequestState>,
        detail: String,
    ) -> AuditEntry {
        AuditEntry {
            team_id: team.clone(),
            request_id: Some(request.id),
            actor: actor.to_string(),
            action: action.to_string(),
            from_state: Some(request.state),
            to_state: to,
            detail,
            at: self.now(),
        }
    }

    fn account(&self, request: &GuestRequest) -> Account {
        Account {
            team_id: request.team_id.clone(),
            email: request.email.clone(),
            slack_user_id: request.slack_user_id.clone(),
            external_id: request.external_id.clone(),
        }
    }

    fn invitation(&self, request: &GuestRequest, resend: bool) -> Invitation {
        Invitation {
            team_id: request.team_id.clone(),
            email: request.email.clone(),
            full_name: request.full_name.clone(),
            guest_type: request.guest_type,
            channels: request.channels.clone(),
            expires_at: request.expires_at,
            custom_message: self.settings.provisioning.custom_message.clone(),
            resend,
            external_id: request.external_id.clone(),
            phone: request.phone.clone(),
        }
    }

    /// The jobs of a request created already approved (sync, import, auto-approval): the
    /// invitation and the deadline's timers, built inside the creating transaction.
    pub(super) fn approved_jobs(&self, team: &TeamId) -> crate::store::JobsForEach {
        let team = team.clone();
        let now = self.now();
        let max = self.settings.max_attempts;
        let timers = self.expiry_timers(None);
        let provisioners = self.provisioners.clone();
        Box::new(move |r: &GuestRequest| {
            let timers = ExpiryTimers {
                grace: expiry_grace(provisioners.for_rule(r.sync_rule.as_deref()).mode()),
                ..timers.clone()
            };
            let mut jobs = vec![Job::Provision { request_id: r.id }.now(&team, now, max)];
            jobs.extend(timers.jobs(&team, r.id, r.expires_at, now));
            jobs
        })
    }

    /// Asks an admin (manual mode) to do `task`: its audit row, the task in the card's thread and
    /// any follow-up jobs, in one transaction.
    async fn queue_admin_task(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        actor: &str,
        task: AdminTask,
        follow_up: Vec<NewJob>,
    ) -> anyhow::Result<()> {
        let audit = self.audit(
            team,
            request,
            actor,
            "admin_task",
            None,
            task.as_str().into(),
        );
        let mut jobs = vec![self.job(
            team,
            Job::CardTask {
                request_id: request.id,
                task,
            },
        )];
        jobs.extend(follow_up);
        self.store.append_audit(audit, jobs).await?;
        self.queued();
        Ok(())
    }

    /// Timers for an account's deadline: the end itself and the sponsor's reminders.
    pub(super) fn expiry_jobs(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        expires_at: Option<DateTime<Utc>>,
    ) -> Vec<NewJob> {
        self.expiry_timers(Some(request))
            .jobs(team, request.id, expires_at, self.now())
    }

    /// The deadline's timers, with the grace of the request's provisioner.
    fn expiry_timers(&self, request: Option<&GuestRequest>) -> ExpiryTimers {
        let mode = match request {
            Some(r) => self.provisioner(r).mode(),
            None => self.provisioners.for_rule(None).mode(),
        };
        ExpiryTimers {
            grace: expiry_grace(mode),
            reminders: self
                .settings
                .provisioning
                .expiry_reminders
                .iter()
                .map(|d| std_to_chrono(*d))
                .collect(),
            max_attempts: self.settings.max_attempts,
        }
    }

    /// Timers for an invitation sent at `invited_at`.
    fn invitation_jobs(
        &self,
        team: &TeamId,
        id: RequestId,
        invited_at: DateTime<Utc>,
    ) -> Vec<NewJob> {
        let p = &self.settings.provisioning;
        let max = self.settings.max_attempts;
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

    /// The lifecycle's usual companions: the card, its thread and the sponsor's DM.
    fn tell_everyone(
        &self,
        team: &TeamId,
        id: RequestId,
        thread: String,
        dm: Option<String>,
    ) -> Vec<NewJob> {
        let mut jobs = vec![
            self.job(team, Job::RefreshCard { request_id: id }),
            self.job(
                team,
                Job::CardReply {
                    request_id: id,
                    text: thread,
                },
            ),
        ];
        if let Some(dm) = dm {
            jobs.push(self.job(
                team,
                Job::NotifyRequester {
                    request_id: id,
                    text: dm,
                },
            ));
        }
        jobs
    }

    fn who(request: &GuestRequest) -> String {
        format!(
            "*{}* ({})",
            safe(&request.full_name, 100),
            safe(request.email.as_str(), 254)
        )
    }

    /// Records `request` as invited now (from approved, or again after a resend), with its timers.
    async fn record_invited(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        sent: SentInvitation,
    ) -> anyhow::Result<ChangeOutcome> {
        let SentInvitation {
            actor,
            slack_user_id,
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
        let lapses = now + std_to_chrono(self.settings.provisioning.invite_valid);
        let mut jobs = self.invitation_jobs(team, request.id, now);
        let note = note
            .map(|n| format!("\n:information_source: {}", crate::domain::text::escape(&n)))
            .unwrap_or_default();
        jobs.extend(self.tell_everyone(
            team,
            request.id,
            format!(":incoming_envelope: Invitation sent to {}; it lapses {}.{note}", Self::who(request), slack_date(lapses)),
            Some(format!(
                "{} has been invited. The invitation lapses {} unless accepted; I will tell you when they join.",
                Self::who(request),
                slack_date(lapses)
            )),
        ));
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
            slack_user_id,
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

    /// The guest joined (or already had an account): the account is active.
    async fn accept(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        slack_user_id: Option<String>,
        external_id: Option<String>,
        how: &str,
    ) -> anyhow::Result<()> {
        let to = transition(request.kind, request.state, Action::Accept)?;
        let mut jobs = self.tell_everyone(
            team,
            request.id,
            format!(":tada: {} {how}.", Self::who(request)),
            Some(format!(
                ":tada: {} {how}. Their access ends {}.",
                Self::who(request),
                request
                    .expires_at
                    .map(slack_date)
                    .unwrap_or_else(|| "never".into())
            )),
        );
        if request.expires_at.is_some() && request.state == RequestState::Approved {
            // A linked existing account never saw our expiry: write it to the directory.
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
                how.to_string(),
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

    /// Job: send the invitation for an approved request.
    pub(super) async fn provision(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Approved || request.kind != RequestKind::Guest {
            return Ok(());
        }
        // One invitation per person per hour, whichever path sent the last one.
        if let Some(last) = self
            .store
            .last_invitation(team, request.email.as_str())
            .await?
        {
            let free_at = last + std_to_chrono(self.settings.provisioning.resend_min_gap);
            if free_at > self.now() {
                let wait = (free_at - self.now()).to_std().unwrap_or_default();
                return Err(JobError::Retry {
                    reason: "an invitation went to this email less than an hour ago".into(),
                    after: Some(wait),
                    rate_limited: true,
                });
            }
        }
        match self
            .provisioner(&request)
            .invite(&self.invitation(&request, false))
            .await
        {
            Ok(Invited::Sent {
                slack_user_id,
                external_id,
                note,
            }) => {
                let sent = SentInvitation {
                    slack_user_id,
                    external_id,
                    note,
                    ..SentInvitation::by(BOT_ACTOR)
                };
                self.record_invited(team, &request, sent).await?;
            }
            Ok(Invited::Existing {
                slack_user_id,
                external_id,
            }) => {
                self.accept(
                    team,
                    &request,
                    slack_user_id,
                    external_id,
                    "already had an account, which is now linked",
                )
                .await?;
            }
            Ok(Invited::AdminTask) => {
                self.queue_admin_task(team, &request, BOT_ACTOR, AdminTask::Invite, Vec::new())
                    .await?;
            }
            Err(e) => return self.provisioning_failed(team, &request, e).await,
        }
        Ok(())
    }

    /// Tells the right people why provisioning failed; retries only what retrying can fix.
    async fn provisioning_failed(
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
                            text: format!(
                                ":warning: The invitation for {} could not be sent: {}",
                                Self::who(request),
                                crate::domain::text::escape(problem)
                            ),
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
            ProvisionError::Configuration(problem) | ProvisionError::Fatal(problem) => (
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
    pub(super) async fn task_done(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        task: AdminTask,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        if let Err(refusal) = self.authorize_account_action(actor, &request).await? {
            return self
                .refuse(team, actor, "task_done", &request, &refusal, feedback)
                .await;
        }
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
                        self.tell(
                            team,
                            feedback,
                            format!("Request {id} changed meanwhile; nothing to do."),
                        )
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
                change.jobs = self.tell_everyone(
                    team,
                    id,
                    format!(":lock: <@{actor}> deactivated {}.", Self::who(&request)),
                    Some(format!(
                        "The guest account of {} has ended.",
                        Self::who(&request)
                    )),
                );
                self.store.change_state(change).await?;
                self.queued();
            }
            (AdminTask::MakeMember, RequestState::Active) => {
                self.record_member(team, &request, &actor_name).await?
            }
            (AdminTask::Deactivate, RequestState::Revoked | RequestState::Expired) => {
                let audit = self.audit(
                    team,
                    &request,
                    &actor_name,
                    "deactivation_confirmed",
                    None,
                    String::new(),
                );
                let reply = self.job(
                    team,
                    Job::CardReply {
                        request_id: id,
                        text: format!(
                            ":white_check_mark: <@{actor}> confirmed the account is deactivated."
                        ),
                    },
                );
                self.store.append_audit(audit, vec![reply]).await?;
                self.queued();
            }
            _ => {
                self.tell(
                    team,
                    feedback,
                    format!(
                        "That task for {id} is already done ({}).",
                        request.state.label()
                    ),
                )
                .await?
            }
        }
        Ok(())
    }

    /// Approvers decide lifecycle actions the way they decide requests (the requester excepted).
    async fn authorize_account_action(
        &self,
        actor: &UserId,
        request: &GuestRequest,
    ) -> anyhow::Result<Result<(), crate::domain::policy::Refusal>> {
        Ok(self.authorize(actor, request).await?.map(|_| ()))
    }

    /// The sponsor, or an approver for the request, may resend and extend.
    async fn may_sponsor(&self, actor: &UserId, request: &GuestRequest) -> anyhow::Result<bool> {
        Ok(&request.requester == actor || self.authorize(actor, request).await?.is_ok())
    }

    async fn refuse(
        &self,
        team: &TeamId,
        actor: &UserId,
        verb: &str,
        request: &GuestRequest,
        refusal: &crate::domain::policy::Refusal,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let explain = self.feedback_job(team, feedback, self.refusal_text(refusal, request));
        self.store
            .append_audit(
                self.refused_audit(team, actor, verb, request, refusal),
                vec![explain],
            )
            .await?;
        self.queued();
        Ok(())
    }

    /// Button: resend the invitation (sponsor or approver), at most once an hour per email.
    pub(super) async fn resend(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
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
                    format!(
                        "Request {id} is {}; there is no invitation to resend.",
                        request.state.label()
                    ),
                )
                .await;
        }
        if !self.may_sponsor(actor, &request).await? {
            let refusal = crate::domain::policy::Refusal::NotAnApprover;
            return self
                .refuse(team, actor, "resend", &request, &refusal, feedback)
                .await;
        }
        let now = self.now();
        let gap = std_to_chrono(self.settings.provisioning.resend_min_gap);
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
            let explain = self.feedback_job(team, feedback, format!(
                "An invitation went to {} less than an hour ago. You can resend in {minutes} minute{}.",
                safe(request.email.as_str(), 254),
                if minutes == 1 { "" } else { "s" }
            ));
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
                    format!(
                        "Asked an admin to resend the invitation to {}.",
                        safe(request.email.as_str(), 254)
                    ),
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
                    format!(
                        "A new invitation is on its way to {}.",
                        safe(request.email.as_str(), 254)
                    ),
                )
                .await
            }
            _ => {
                self.tell(
                    team,
                    feedback,
                    format!(
                        "Someone else just resent the invitation to {}.",
                        safe(request.email.as_str(), 254)
                    ),
                )
                .await
            }
        }
    }

    /// Job: the new invitation itself.
    pub(super) async fn send_resend(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        match self
            .provisioner(&request)
            .invite(&self.invitation(&request, true))
            .await
        {
            Ok(Invited::Existing {
                slack_user_id,
                external_id,
            }) if request.state == RequestState::Invited => {
                self.accept(
                    team,
                    &request,
                    slack_user_id,
                    external_id,
                    "already had an account, which is now linked",
                )
                .await?;
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => self.provisioning_failed(team, &request, e).await,
        }
    }

    /// Job: an invitation lapses unaccepted.
    pub(super) async fn lapse_invite(
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
        let mut jobs = self.tell_everyone(
            team,
            request.id,
            format!(
                ":hourglass: The invitation to {} lapsed unaccepted.",
                Self::who(&request)
            ),
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

    /// Job: a join may have been missed; look the guest up.
    pub(super) async fn check_joined(
        &self,
        team: &TeamId,
        request: GuestRequest,
        invited_at: i64,
        round: u32,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Invited
            || request.invited_at.map(|t| t.timestamp()) != Some(invited_at)
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
            self.accept(team, &request, Some(user.id.0), None, "joined")
                .await?;
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
                self.settings.max_attempts,
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

    /// Job: `team_join` / `user_change`: an invited guest may have joined.
    pub(super) async fn account_event(
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
        let deleted = user
            .get("deleted")
            .and_then(|d| d.as_bool())
            .unwrap_or(false);
        let is_bot = user
            .get("is_bot")
            .and_then(|d| d.as_bool())
            .unwrap_or(false);
        if let Some(id) = user.get("id").and_then(|i| i.as_str()) {
            self.directory.forget_person(&UserId::from(id));
        }
        if deleted || is_bot {
            return Ok(());
        }
        let Some(request) = self.store.account_for_email(team, email.as_str()).await? else {
            return Ok(());
        };
        if matches!(
            request.state,
            RequestState::Invited | RequestState::Approved | RequestState::InviteExpired
        ) {
            let slack_id = user.get("id").and_then(|i| i.as_str()).map(str::to_string);
            self.accept(team, &request, slack_id, None, "joined")
                .await?;
        }
        Ok(())
    }

    /// Job: the sponsor's heads-up before the end, with Extend / Let it expire.
    pub(super) async fn expiry_reminder(
        &self,
        team: &TeamId,
        request: GuestRequest,
        expires_at: i64,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Active
            || request.expires_at.map(|t| t.timestamp()) != Some(expires_at)
            || request.requester.as_str() == BOT_ACTOR
        {
            return Ok(());
        }
        let declined = self
            .store
            .audit_for_request(team, request.id)
            .await?
            .iter()
            .any(|a| a.entry.action == "let_expire" && a.entry.detail == expires_at.to_string());
        if declined {
            return Ok(());
        }
        self.slack
            .post_message(
                request.requester.as_str(),
                render::expiry_reminder(&request, self.now()),
                None,
            )
            .await?;
        Ok(())
    }

    /// Button: the sponsor lets the account end as planned (no more reminders for this deadline).
    pub(super) async fn let_expire(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        let Some(at) = request.expires_at else {
            return Ok(());
        };
        let audit = self.audit(
            team,
            &request,
            actor.as_str(),
            "let_expire",
            None,
            at.timestamp().to_string(),
        );
        let reply = self.feedback_job(
            team,
            feedback,
            format!(
                "OK: the account of {} ends {} as planned.",
                Self::who(&request),
                slack_date(at)
            ),
        );
        self.store.append_audit(audit, vec![reply]).await?;
        self.queued();
        Ok(())
    }

    /// Button: open the extension form.
    pub(super) async fn extend_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        if !matches!(
            request.state,
            RequestState::Active | RequestState::Invited | RequestState::Approved
        ) || request.expires_at.is_none()
        {
            return self
                .tell(
                    team,
                    feedback,
                    format!(
                        "Request {id} is {}; there is nothing to extend.",
                        request.state.label()
                    ),
                )
                .await;
        }
        if !self.may_sponsor(actor, &request).await? {
            return self
                .tell(
                    team,
                    feedback,
                    "Only the sponsor or an approver can extend this guest.".into(),
                )
                .await;
        }
        let tz = self.directory.person(actor).await.ok().and_then(|p| p.tz);
        let metadata = ExtendMetadata {
            request_id: id.0,
            tz,
        };
        self.slack
            .open_view(
                trigger_id,
                render::extend_form(&request, &metadata, self.now()),
            )
            .await?;
        Ok(())
    }

    /// The extension form: a new request (kind extension) for approvers, with its own card.
    pub(super) async fn submit_extension(
        &self,
        team: &TeamId,
        actor: &UserId,
        metadata: &ExtendMetadata,
        form: ExtensionForm,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        let ExtensionForm {
            mode,
            days,
            date,
            reason,
        } = form;
        let error = |block: &str, message: &str| {
            Ok(Some(HashMap::from([(
                block.to_string(),
                message.to_string(),
            )])))
        };
        let Some(parent) = self
            .store
            .get_request(team, RequestId(metadata.request_id))
            .await?
        else {
            return error(render::EXTEND_MODE_BLOCK, "That guest no longer exists.");
        };
        let Some(current) = parent.expires_at else {
            return error(
                render::EXTEND_MODE_BLOCK,
                "This account has no end date to extend.",
            );
        };
        let now = self.now();
        let new_end = match mode.as_deref() {
            Some("date") => {
                let Some(date) = date
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                else {
                    return error(render::EXTEND_DATE_BLOCK, "Pick the new end date.");
                };
                let five = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
                match local_to_utc(date, five, zone(metadata.tz.as_deref())) {
                    Ok(at) => at,
                    Err(e) => return error(render::EXTEND_DATE_BLOCK, &e.to_string()),
                }
            }
            _ => match days.as_deref().and_then(|d| d.trim().parse::<i64>().ok()) {
                Some(days) if days >= 1 => current + Duration::days(days),
                _ => {
                    return error(
                        render::EXTEND_DAYS_BLOCK,
                        "Enter a whole number of days, 1 or more.",
                    );
                }
            },
        };
        if new_end <= current {
            return error(
                render::EXTEND_DATE_BLOCK,
                "The new end must be later than the current one.",
            );
        }
        let block = if mode.as_deref() == Some("date") {
            render::EXTEND_DATE_BLOCK
        } else {
            render::EXTEND_DAYS_BLOCK
        };
        if let Err(message) = check_expiry(&Expiry::At { at: new_end }, &self.settings.policy, now)
        {
            return error(block, &message);
        }
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return error(
                render::EXTEND_REASON_BLOCK,
                "Say why the guest needs longer.",
            );
        }
        let new = NewRequest {
            team_id: team.clone(),
            kind: RequestKind::Extension,
            parent_id: Some(parent.id),
            requester: actor.clone(),
            email: parent.email.clone(),
            full_name: parent.full_name.clone(),
            organisation: parent.organisation.clone(),
            reason,
            guest_type: parent.guest_type,
            channels: parent.channels.clone(),
            expiry: Expiry::At { at: new_end },
            source: crate::domain::request::Source::Form,
            sync_rule: None,
            phone: None,
        };
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: actor.to_string(),
            action: "submit_extension".into(),
            from_state: None,
            to_state: Some(RequestState::Pending),
            detail: format!("extends {} to {}", parent.id, new_end.to_rfc3339()),
            at: now,
        };
        let (team_for_jobs, max) = (team.clone(), self.settings.max_attempts);
        let jobs = Box::new(move |r: &GuestRequest| {
            vec![
                Job::PostCard { request_id: r.id }.now(&team_for_jobs, now, max),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: format!(
                        "Your extension request *{}* for *{}* is waiting for an approver.",
                        r.id,
                        safe(&r.full_name, 100)
                    ),
                }
                .now(&team_for_jobs, now, max),
            ]
        });
        match self
            .store
            .create_request(&new, RequestState::Pending, now, audit, jobs)
            .await?
        {
            CreateOutcome::Created(_) => {
                self.queued();
                Ok(None)
            }
            CreateOutcome::Duplicate(_) => error(
                render::EXTEND_MODE_BLOCK,
                "An extension for this guest is already waiting.",
            ),
        }
    }

    /// Parts of an extension's approval: move the parent's deadline in the same transaction.
    pub(super) async fn extension_approval(
        &self,
        team: &TeamId,
        extension: &GuestRequest,
    ) -> anyhow::Result<(Option<(RequestId, DateTime<Utc>)>, Vec<NewJob>)> {
        let (Some(parent_id), Some(new_end)) =
            (extension.parent_id, extension.expiry.fixed_deadline())
        else {
            return Ok((None, Vec::new()));
        };
        let Some(parent) = self.store.get_request(team, parent_id).await? else {
            return Ok((None, Vec::new()));
        };
        let mut jobs = self.tell_everyone(
            team,
            parent_id,
            format!(
                ":calendar: Extended until {} (extension {}).",
                slack_date(new_end),
                extension.id
            ),
            (parent.requester != extension.requester).then(|| {
                format!(
                    "The guest account of {} now ends {}.",
                    Self::who(&parent),
                    slack_date(new_end)
                )
            }),
        );
        jobs.extend(self.expiry_jobs(team, &parent, Some(new_end)));
        jobs.push(self.job(
            team,
            Job::SetExpiry {
                request_id: parent_id,
            },
        ));
        Ok((Some((parent_id, new_end)), jobs))
    }

    /// Job: the account's deadline, enforced.
    pub(super) async fn expire(
        &self,
        team: &TeamId,
        request: GuestRequest,
        expires_at: i64,
    ) -> Result<(), JobError> {
        if request.expires_at.map(|t| t.timestamp()) != Some(expires_at)
            || request.kind != RequestKind::Guest
        {
            return Ok(());
        }
        if !matches!(
            request.state,
            RequestState::Approved
                | RequestState::Invited
                | RequestState::InviteExpired
                | RequestState::Active
        ) {
            return Ok(());
        }
        let account = self.account(&request);
        if request.state == RequestState::Active {
            let done = match self.provisioner(&request).is_active(&account).await? {
                // Slack (or the directory) already ended it: the expiry took.
                Some(false) => Done::Completed,
                _ => self.provisioner(&request).deactivate(&account).await?,
            };
            if done == Done::AdminTask {
                let every = std_to_chrono(self.settings.provisioning.deactivation_reminder_every);
                let reminder = Job::DeactivationReminder {
                    request_id: request.id,
                    round: 1,
                }
                .at(
                    team,
                    self.now() + every,
                    self.settings.max_attempts,
                    Some(format!(
                        "deactivate-reminder:{}:{expires_at}:1",
                        request.id.0
                    )),
                );
                self.queue_admin_task(
                    team,
                    &request,
                    BOT_ACTOR,
                    AdminTask::Deactivate,
                    vec![reminder],
                )
                .await?;
                return Ok(());
            }
        } else if self.provisioner(&request).mode() != ProvisioningMode::Manual {
            // Never joined: withdraw whatever the directory holds for them.
            self.provisioner(&request).deactivate(&account).await?;
        }
        let to = transition(request.kind, request.state, Action::Expire)
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
                "expire",
                Some(to),
                format!("deadline {expires_at}"),
            ),
        );
        change.jobs = self.tell_everyone(
            team,
            request.id,
            format!(
                ":lock: The guest account of {} ended as planned.",
                Self::who(&request)
            ),
            Some(format!(
                "The guest account of {} that you sponsored has ended.",
                Self::who(&request)
            )),
        );
        self.store.change_state(change).await?;
        self.queued();
        Ok(())
    }

    /// Job (manual mode): nobody confirmed the deactivation yet; remind, and keep reminding.
    pub(super) async fn deactivation_reminder(
        &self,
        team: &TeamId,
        request: GuestRequest,
        round: u32,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Active
            || request.expires_at.is_none_or(|at| at > self.now())
        {
            return Ok(());
        }
        let expires = request
            .expires_at
            .map(|t| t.timestamp())
            .unwrap_or_default();
        let every = std_to_chrono(self.settings.provisioning.deactivation_reminder_every);
        let next = Job::DeactivationReminder {
            request_id: request.id,
            round: round + 1,
        }
        .at(
            team,
            self.now() + every,
            self.settings.max_attempts,
            Some(format!(
                "deactivate-reminder:{}:{expires}:{}",
                request.id.0,
                round + 1
            )),
        );
        let audit = self.audit(
            team,
            &request,
            BOT_ACTOR,
            "deactivation_reminder",
            None,
            format!("round {round}"),
        );
        self.store
            .append_audit(
                audit,
                vec![
                    self.job(
                        team,
                        Job::CardTask {
                            request_id: request.id,
                            task: AdminTask::Deactivate,
                        },
                    ),
                    next,
                ],
            )
            .await?;
        self.queued();
        Ok(())
    }

    /// Button (approvers): revoke access at once.
    pub(super) async fn revoke(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        if let Err(refusal) = self.authorize_account_action(actor, &request).await? {
            return self
                .refuse(team, actor, "revoke", &request, &refusal, feedback)
                .await;
        }
        let Ok(to) = transition(request.kind, request.state, Action::Revoke) else {
            return self
                .tell(
                    team,
                    feedback,
                    format!(
                        "Request {id} is {}; there is nothing to revoke.",
                        request.state.label()
                    ),
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
        let mut jobs = self.tell_everyone(
            team,
            id,
            format!(
                ":lock: <@{actor}> revoked the access of {}.",
                Self::who(&request)
            ),
            Some(format!(
                "<@{actor}> revoked the guest access of {}.",
                Self::who(&request)
            )),
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
                self.tell(
                    team,
                    feedback,
                    format!("Request {id} changed meanwhile; look at its card."),
                )
                .await?
            }
        }
        Ok(())
    }

    /// Job: end access after a revocation.
    pub(super) async fn deactivate_revoked(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if self
            .provisioner(&request)
            .deactivate(&self.account(&request))
            .await?
            == Done::AdminTask
        {
            self.queue_admin_task(team, &request, BOT_ACTOR, AdminTask::Deactivate, Vec::new())
                .await?;
        }
        Ok(())
    }

    /// Button (approvers, after a confirmation dialog): make the guest a full member.
    pub(super) async fn make_member_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        if let Err(refusal) = self.authorize_account_action(actor, &request).await? {
            return self
                .refuse(team, actor, "make_member", &request, &refusal, feedback)
                .await;
        }
        if request.state != RequestState::Active || request.guest_type == GuestType::Member {
            return self
                .tell(
                    team,
                    feedback,
                    format!("Request {id} is not an active guest account."),
                )
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

    /// Job: convert through the provisioner (or hand it to an admin).
    pub(super) async fn make_member(
        &self,
        team: &TeamId,
        request: GuestRequest,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Active || request.guest_type == GuestType::Member {
            return Ok(());
        }
        match self
            .provisioner(&request)
            .make_member(&self.account(&request))
            .await
        {
            Ok(Done::Completed) => self.record_member(team, &request, BOT_ACTOR).await?,
            Ok(Done::AdminTask) => {
                self.queue_admin_task(team, &request, BOT_ACTOR, AdminTask::MakeMember, Vec::new())
                    .await?;
            }
            Err(e) => return self.provisioning_failed(team, &request, e).await,
        }
        Ok(())
    }

    async fn record_member(
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
        change.jobs = self.tell_everyone(
            team,
            request.id,
            format!(
                ":star: {} is now a full member; the account no longer expires.",
                Self::who(request)
            ),
            Some(format!(
                "{} is now a full member of the workspace.",
                Self::who(request)
            )),
        );
        self.store.change_state(change).await?;
        self.queued();
        Ok(())
    }

    /// Button: an approver retries a failed invitation (after fixing the configuration).
    pub(super) async fn retry_provision(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        if let Err(refusal) = self.authorize_account_action(actor, &request).await? {
            return self
                .refuse(team, actor, "retry_provision", &request, &refusal, feedback)
                .await;
        }
        if request.state != RequestState::Approved {
            return self
                .tell(
                    team,
                    feedback,
                    format!("Request {id} is {} already.", request.state.label()),
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
        self.tell(
            team,
            feedback,
            format!("Trying the invitation for {id} again."),
        )
        .await
    }
}

/// Slack applies Grid expirations hourly, so the end is checked an hour late; other
/// provisioners end accounts themselves, on time.
fn expiry_grace(mode: ProvisioningMode) -> Duration {
    if mode == ProvisioningMode::SlackAdmin {
        SLACK_EXPIRY_GRACE
    } else {
        Duration::zero()
    }
}
