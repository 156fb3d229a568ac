//! After approval: invitations, acceptance, lapses, reminders, extensions, expiry, revocation and
//! conversion to full member, one file per use case. Every deadline is a job with a future
//! `run_at`; each checks, when it runs, that the request is still the way it was when the job
//! was queued (same state, same deadline), so a moved deadline or a second replica never makes a
//! timer act twice.
//!
//! Accounts are changed only through `provision::change_account`, on the id the request is
//! bound to, after the provisioner read that account again and found it still a guest.

mod account;
mod adopt;
mod change;
mod expire;
mod extend;
mod invite;
mod invite_requests;
mod reconcile;
mod resend;
mod review;
mod sponsors;

pub use extend::ExtensionForm;
pub(crate) use invite::EmailOwner;
pub use review::{ReviewStart, ReviewStarted};

use super::{Job, Workflow};
use crate::domain::account::Refusal;
use crate::domain::{GuestRequest, RequestId, RequestState, TeamId};
use crate::provision::{BoundAccount, Invitation, ProvisioningMode};
use crate::slack::ids::AdminTask;
use crate::slack::say::{AccountSay, Said, Who};
use crate::store::{AuditEntry, NewJob};
use chrono::{DateTime, Duration, Utc};

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
                found_by_sweep: false,
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

    /// The account the request is bound to: ids only, never the email.
    fn bound(&self, request: &GuestRequest) -> BoundAccount {
        BoundAccount {
            team_id: request.team_id.clone(),
            account_team: request.account_team.clone(),
            slack_user_id: request.slack_user_id.clone(),
            external_id: request.external_id.clone(),
        }
    }

    fn invitation(&self, request: &GuestRequest, resend: bool) -> Invitation {
        Invitation {
            team_id: request.account_team().clone(),
            email: request.email.clone(),
            full_name: request.full_name.clone(),
            guest_type: request.guest_type,
            channels: request.channels.clone(),
            expires_at: request.expires_at,
            custom_message: self.settings().provisioning.custom_message.clone(),
            resend,
            external_id: request.external_id.clone(),
            assign_user: request.source_user.as_ref().map(|u| u.to_string()),
            profile: request.profile.clone(),
        }
    }

    /// The jobs of a request created already approved (sync, import, auto-approval): the
    /// invitation and the deadline's timers, built inside the creating transaction.
    pub(super) fn approved_jobs(&self, team: &TeamId) -> crate::store::JobsForEach {
        let team = team.clone();
        let now = self.now();
        let max = self.settings().max_attempts;
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

    /// Records that Guestlist did not change an account, and why: an audit row and a note in
    /// the card's thread ("x is a full member; Guestlist will not change this account").
    async fn record_refusal(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        change: crate::domain::account::Change,
        refusal: &Refusal,
    ) -> anyhow::Result<()> {
        tracing::warn!(
            request.id = request.id.0,
            change = change.as_str(),
            refusal = refusal.code(),
            "account change refused"
        );
        metrics::counter!("account_changes_refused_total", "change" => change.as_str(), "reason" => refusal.code())
            .increment(1);
        let who = Who::of(request);
        let text = match refusal {
            Refusal::Unbound => AccountSay::RefusedUnbound {
                who,
                change: change.as_str().to_string(),
            },
            other => AccountSay::Refused {
                who,
                refusal: other.clone(),
            },
        };
        let audit = self.audit(
            team,
            request,
            crate::store::BOT_ACTOR,
            &format!("refused_{}", change.as_str()),
            None,
            refusal.code().to_string(),
        );
        let reply = self.job(
            team,
            Job::CardReply {
                request_id: request.id,
                text: text.into(),
            },
        );
        self.store.append_audit(audit, vec![reply]).await?;
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
                .settings()
                .provisioning
                .expiry_reminders
                .iter()
                .map(|d| std_to_chrono(*d))
                .collect(),
            max_attempts: self.settings().max_attempts,
        }
    }

    /// The lifecycle's usual companions: the card, its thread (worded in the channel's
    /// language) and the sponsor's DM (in theirs).
    fn tell_all(
        &self,
        team: &TeamId,
        id: RequestId,
        thread: impl Into<Said>,
        dm: Option<Said>,
    ) -> Vec<NewJob> {
        let mut jobs = vec![
            self.job(team, Job::RefreshCard { request_id: id }),
            self.job(
                team,
                Job::CardReply {
                    request_id: id,
                    text: thread.into(),
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
