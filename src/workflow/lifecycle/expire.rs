//! The deadline, enforced. The request moves to `expired` first, with a compare-and-set that
//! includes the deadline the timer was scheduled for: an extension approved meanwhile moved the
//! deadline, wins, and the guest keeps access. Only then is the account ended, by a job that
//! checks the bound account again (`account.rs`).

use super::std_to_chrono;
use crate::domain::account::Change;
use crate::domain::request::transition;
use crate::domain::{Action, GuestRequest, RequestKind, RequestState, TeamId};
use crate::provision::{Changed, ProvisioningMode, change_account};
use crate::slack::ids::AdminTask;
use crate::slack::say::{AccountSay, Who};
use crate::store::{BOT_ACTOR, ChangeOutcome, StateChange};
use crate::workflow::{Job, JobError, Workflow};

impl Workflow {
    /// Job: the account's deadline, enforced.
    pub(in crate::workflow) async fn expire(
        &self,
        team: &TeamId,
        request: GuestRequest,
        expires_at: i64,
        found_by_sweep: bool,
    ) -> Result<(), JobError> {
        let Some(deadline) = request.expires_at.filter(|t| t.timestamp() == expires_at) else {
            return Ok(());
        };
        if request.kind != RequestKind::Guest
            || !matches!(
                request.state,
                RequestState::Approved
                    | RequestState::Invited
                    | RequestState::InviteExpired
                    | RequestState::Active
            )
        {
            return Ok(());
        }
        let manual = self.provisioner(&request).mode() == ProvisioningMode::Manual;
        if manual
            && request.state == RequestState::Active
            && self
                .ask_admin_to_deactivate(team, &request, expires_at)
                .await?
        {
            return Ok(());
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
                if found_by_sweep {
                    format!("deadline {expires_at}; found past its end by the sweep (its own expiry had not run)") // audit
                } else {
                    format!("deadline {expires_at}")
                },
            ),
        );
        change.only_if_expires_at = Some(deadline);
        let mut jobs = self.tell_all(
            team,
            request.id,
            AccountSay::Ended {
                who: Who::of(&request),
            },
            Some(
                AccountSay::EndedDm {
                    who: Who::of(&request),
                }
                .into(),
            ),
        );
        if !manual {
            jobs.push(self.job(
                team,
                Job::Deactivate {
                    request_id: request.id,
                },
            ));
        }
        change.jobs = jobs;
        match self.store.change_state(change).await? {
            ChangeOutcome::Applied(_) => self.queued(),
            // Extended (or revoked) meanwhile: the newer state stands.
            other => {
                tracing::info!(request.id = request.id.0, outcome = ?std::mem::discriminant(&other), "expiry superseded")
            }
        }
        Ok(())
    }

    /// Manual mode: the deadline passed and an admin has to deactivate the account, once the
    /// account bound to the request was checked to be a guest still. False when the account is
    /// off already (nothing to ask; the request simply expires).
    async fn ask_admin_to_deactivate(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        expires_at: i64,
    ) -> Result<bool, JobError> {
        match change_account(
            self.provisioner(request).as_ref(),
            &self.bound(request),
            Change::Deactivate,
            None,
        )
        .await?
        {
            Changed::AlreadyDone => return Ok(false),
            Changed::Refused(refusal) if refusal != crate::domain::account::Refusal::Unbound => {
                self.record_refusal(team, request, Change::Deactivate, &refusal)
                    .await?;
                return Ok(true);
            }
            // A guest still (or an account never linked): an admin does it.
            Changed::Made { .. } | Changed::Refused(_) => {}
        }
        let every = std_to_chrono(self.settings().provisioning.deactivation_reminder_every);
        let reminder = Job::DeactivationReminder {
            request_id: request.id,
            round: 1,
        }
        .at(
            team,
            self.now() + every,
            self.settings().max_attempts,
            Some(format!(
                "deactivate-reminder:{}:{expires_at}:1",
                request.id.0
            )),
        );
        self.queue_admin_task(
            team,
            request,
            BOT_ACTOR,
            AdminTask::Deactivate,
            vec![reminder],
        )
        .await?;
        Ok(true)
    }

    /// Job (manual mode): nobody confirmed the deactivation yet; remind, and keep reminding.
    pub(in crate::workflow) async fn deactivation_reminder(
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
        let every = std_to_chrono(self.settings().provisioning.deactivation_reminder_every);
        let next = Job::DeactivationReminder {
            request_id: request.id,
            round: round + 1,
        }
        .at(
            team,
            self.now() + every,
            self.settings().max_attempts,
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
}

/// An end this long past, with no expiry done, is one the sweep takes up (the expiry's own
/// job runs at the end plus Slack's grace; this leaves it room).
const SWEEP_AFTER: chrono::Duration = chrono::Duration::hours(2);
/// Accounts taken up per sweep and workspace; the rest wait for the next one.
const SWEEP_BATCH: i64 = 200;

impl Workflow {
    /// The scheduler's sweep: every live account of the workspace whose end passed a while
    /// ago (its expiry job lost, dropped or never made) is ended through the normal path, once
    /// (one job per account and end), audited as found by the sweep.
    pub async fn sweep_past_their_end(&self, team: &TeamId) -> anyhow::Result<usize> {
        let now = self.now();
        let overdue = self
            .store
            .past_their_end(team, now - SWEEP_AFTER, SWEEP_BATCH)
            .await?;
        let jobs: Vec<_> = overdue
            .iter()
            .filter_map(|r| {
                let ts = r.expires_at?.timestamp();
                Some(
                    Job::Expire {
                        request_id: r.id,
                        expires_at: ts,
                        found_by_sweep: true,
                    }
                    .at(
                        team,
                        now,
                        self.settings().max_attempts,
                        Some(format!("sweep:expire:{}:{ts}", r.id.0)),
                    ),
                )
            })
            .collect();
        if !jobs.is_empty() {
            metrics::counter!("expiry_sweep_found_total").increment(jobs.len() as u64);
            tracing::warn!(%team, accounts = jobs.len(), "live accounts found past their end; ending them");
            self.store.enqueue_jobs(&jobs).await?;
        }
        Ok(jobs.len())
    }
}
