//! The durable jobs the workflow writes and later runs: Slack calls that change something, and
//! timers. A job names what to do, not how it looked when it was queued: cards are rendered from
//! the request as it is when the job runs, so a late job never shows stale state.

use crate::domain::{RequestId, TeamId};
use crate::slack::SlackCallError;
use crate::slack::ids::AdminTask;
use crate::store::NewJob;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Post a prepared message; a user id as `channel` means the bot's DM with them.
    PostMessage {
        channel: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blocks: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_ts: Option<String>,
    },
    /// An ephemeral message only `user` sees.
    PostEphemeral {
        channel: String,
        user: String,
        text: String,
    },
    /// Answer through a slash command's or button's `response_url`.
    Respond { url: String, body: Value },
    /// Post the request's card in the request channel.
    PostCard { request_id: RequestId },
    /// Re-render the card from the request as it is now (`chat.update`).
    RefreshCard { request_id: RequestId },
    /// A reply in the card's thread (the text is already rendered and escaped).
    CardReply { request_id: RequestId, text: String },
    /// A DM to the requester about their request (already rendered and escaped).
    NotifyRequester { request_id: RequestId, text: String },
    /// Publish someone's App Home tab.
    PublishHome { user: String },
    /// Remind approvers once about a request still pending.
    StaleReminder { request_id: RequestId },
    /// The threaded "Request a guest account" button under a message in the request channel.
    OfferRequestButton {
        channel: String,
        thread_ts: String,
        user: String,
    },
    /// Hand an approved request to the configured provisioner.
    Provision { request_id: RequestId },
    /// Send a new invitation (the resend was already recorded, so it goes out once).
    ResendInvite { request_id: RequestId },
    /// The invitation sent at `invited_at` (unix seconds) lapses if still unaccepted.
    LapseInvite {
        request_id: RequestId,
        invited_at: i64,
    },
    /// Tell the sponsor the invitation sent at `invited_at` is about to lapse.
    InviteReminder {
        request_id: RequestId,
        invited_at: i64,
    },
    /// Look the invited guest up by email, in case the join event was missed.
    CheckJoined {
        request_id: RequestId,
        invited_at: i64,
        round: u32,
    },
    /// Tell the sponsor the account ends in `days_before` days (if it still ends at `expires_at`).
    ExpiryReminder {
        request_id: RequestId,
        expires_at: i64,
        days_before: i64,
    },
    /// End the account whose deadline is `expires_at` (unix seconds).
    Expire {
        request_id: RequestId,
        expires_at: i64,
    },
    /// Manual mode: remind admins of a deactivation nobody has confirmed.
    DeactivationReminder { request_id: RequestId, round: u32 },
    /// Write the account's deadline to the directory.
    SetExpiry { request_id: RequestId },
    /// End access after a revocation.
    Deactivate { request_id: RequestId },
    /// Make a guest a full member.
    MakeMember { request_id: RequestId },
    /// A `team_join` or `user_change`: maybe an invited guest joined (and, for a join,
    /// workspace-wide sync rules may want the newcomer).
    AccountEvent {
        user: Value,
        #[serde(default)]
        joined: bool,
    },
    /// Post an admin task (manual mode) in the card's thread.
    CardTask {
        request_id: RequestId,
        task: AdminTask,
    },
    /// Tell approvers, in the card's thread, why the invitation could not be sent.
    ProvisioningProblem {
        request_id: RequestId,
        problem: String,
    },
    /// Tell the sponsor the invitation lapsed (with a Resend button).
    InviteLapsedNotice { request_id: RequestId },
    /// A full group sync of every rule (or one).
    SyncRun {
        rule: Option<String>,
        reason: String,
    },
    /// A user group's membership changed: apply just the delta.
    SyncDelta {
        subteam: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// A user group was created or updated: a full run of the rules that read it.
    SyncGroupChanged { subteam: String },
    /// Someone joined the workspace: workspace-wide rules may want them.
    SyncJoin { user: Value },
    /// `/guest sync preview|now` for someone waiting on a response_url.
    SyncFor {
        response_url: String,
        apply: bool,
        actor: String,
    },
    /// Apply a plan the guard held, after an approver said so.
    ApplyHeldPlan { plan_id: i64, actor: String },
    /// A CSV file was shared in the request channel: read it and post a preview in its thread.
    ImportPreview {
        channel: String,
        thread_ts: String,
        user: String,
        file_id: String,
    },
    /// An approver confirmed a preview: import the file's valid rows, if it is unchanged.
    ImportApply {
        channel: String,
        thread_ts: String,
        user: String,
        file_id: String,
        /// SHA-256 of the bytes the preview was made from.
        digest: String,
        /// The preview message, whose button is replaced once the import starts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        preview_ts: Option<String>,
        /// Who shared the file (default sponsor, time zone); `user` confirmed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sharer: Option<String>,
    },
    /// Delete old event ids and finished jobs.
    Housekeeping,
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Job::PostMessage { .. } => "post_message",
            Job::PostEphemeral { .. } => "post_ephemeral",
            Job::Respond { .. } => "respond",
            Job::PostCard { .. } => "post_card",
            Job::RefreshCard { .. } => "refresh_card",
            Job::CardReply { .. } => "card_reply",
            Job::NotifyRequester { .. } => "notify_requester",
            Job::PublishHome { .. } => "publish_home",
            Job::StaleReminder { .. } => "stale_reminder",
            Job::OfferRequestButton { .. } => "offer_request_button",
            Job::Provision { .. } => "provision",
            Job::ResendInvite { .. } => "resend_invite",
            Job::LapseInvite { .. } => "lapse_invite",
            Job::InviteReminder { .. } => "invite_reminder",
            Job::CheckJoined { .. } => "check_joined",
            Job::ExpiryReminder { .. } => "expiry_reminder",
            Job::Expire { .. } => "expire",
            Job::DeactivationReminder { .. } => "deactivation_reminder",
            Job::SetExpiry { .. } => "set_expiry",
            Job::Deactivate { .. } => "deactivate",
            Job::MakeMember { .. } => "make_member",
            Job::AccountEvent { .. } => "account_event",
            Job::CardTask { .. } => "card_task",
            Job::ProvisioningProblem { .. } => "provisioning_problem",
            Job::InviteLapsedNotice { .. } => "invite_lapsed_notice",
            Job::SyncRun { .. } => "sync_run",
            Job::SyncDelta { .. } => "sync_delta",
            Job::SyncGroupChanged { .. } => "sync_run",
            Job::SyncJoin { .. } => "sync_join",
            Job::SyncFor { .. } => "sync_preview",
            Job::ApplyHeldPlan { .. } => "apply_held_plan",
            Job::ImportPreview { .. } => "import_preview",
            Job::ImportApply { .. } => "import_apply",
            Job::Housekeeping => "housekeeping",
        }
    }

    /// Jobs that share a key run strictly one after another, in the order they were queued, also
    /// while an earlier one waits to be retried (see `Store::claim_jobs`):
    /// - `card:N`: every message about request N's card, so a refresh never overtakes the post
    ///   it refreshes and thread replies keep their order;
    /// - `account:N`: everything that invites, changes or ends request N's account, and the
    ///   timers that move its state, so a resend retrying a rate limit can never run after
    ///   the revocation that followed it.
    fn serial_key(&self) -> Option<String> {
        match self {
            Job::PostCard { request_id }
            | Job::RefreshCard { request_id }
            | Job::CardReply { request_id, .. }
            | Job::StaleReminder { request_id }
            | Job::CardTask { request_id, .. }
            | Job::ProvisioningProblem { request_id, .. } => Some(format!("card:{}", request_id.0)),
            Job::Provision { request_id }
            | Job::ResendInvite { request_id }
            | Job::SetExpiry { request_id }
            | Job::Deactivate { request_id }
            | Job::MakeMember { request_id }
            | Job::Expire { request_id, .. }
            | Job::LapseInvite { request_id, .. }
            | Job::CheckJoined { request_id, .. } => Some(format!("account:{}", request_id.0)),
            Job::InviteLapsedNotice { request_id } => Some(format!("dm:{}", request_id.0)),
            // One sync at a time per workspace: runs never interleave their plans.
            Job::SyncRun { .. }
            | Job::SyncDelta { .. }
            | Job::SyncGroupChanged { .. }
            | Job::SyncJoin { .. }
            | Job::ApplyHeldPlan { .. } => Some("sync".to_string()),
            Job::NotifyRequester { request_id, .. } => Some(format!("dm:{}", request_id.0)),
            // A file is imported once at a time; a second confirmation waits and finds it done.
            Job::ImportApply { file_id, .. } => Some(format!("import:{file_id}")),
            _ => None,
        }
    }

    /// Queued now.
    pub fn now(self, team_id: &TeamId, now: DateTime<Utc>, max_attempts: i64) -> NewJob {
        self.at(team_id, now, max_attempts, None)
    }

    /// Queued for `run_at`; a `dedupe_key` makes it a one-off timer.
    pub fn at(
        self,
        team_id: &TeamId,
        run_at: DateTime<Utc>,
        max_attempts: i64,
        dedupe_key: Option<String>,
    ) -> NewJob {
        NewJob {
            team_id: team_id.clone(),
            kind: self.kind().to_string(),
            serial_key: self.serial_key(),
            payload: serde_json::to_value(&self).expect("jobs serialise"),
            run_at,
            max_attempts,
            dedupe_key,
        }
    }
}

/// Why a job did not finish, and what the queue should do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobError {
    /// Try again later: after `after` if given, else with backoff.
    #[error("{reason}")]
    Retry {
        reason: String,
        after: Option<Duration>,
        rate_limited: bool,
    },
    /// Retrying cannot help.
    #[error("{0}")]
    Fatal(String),
}

impl From<SlackCallError> for JobError {
    fn from(e: SlackCallError) -> Self {
        if let Some(after) = e.retry_after() {
            JobError::Retry {
                reason: e.to_string(),
                after: Some(after),
                rate_limited: true,
            }
        } else if e.is_retryable() {
            JobError::Retry {
                reason: e.to_string(),
                after: None,
                rate_limited: false,
            }
        } else {
            JobError::Fatal(e.to_string())
        }
    }
}

impl From<anyhow::Error> for JobError {
    /// Our own trouble (database busy, …) is worth another try.
    fn from(e: anyhow::Error) -> Self {
        JobError::Retry {
            reason: format!("{e:#}"),
            after: None,
            rate_limited: false,
        }
    }
}

impl From<crate::store::StoreError> for JobError {
    fn from(e: crate::store::StoreError) -> Self {
        JobError::Retry {
            reason: e.to_string(),
            after: None,
            rate_limited: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_and_share_a_card_queue() {
        let job = Job::CardReply {
            request_id: RequestId(7),
            text: "hi".into(),
        };
        let new = job.clone().now(&"T1".into(), Utc::now(), 5);
        assert_eq!(new.kind, "card_reply");
        assert_eq!(new.payload["kind"], "card_reply");
        assert_eq!(new.serial_key.as_deref(), Some("card:7"));
        let back: Job = serde_json::from_value(new.payload).unwrap();
        assert_eq!(back, job);
        let refresh = Job::RefreshCard {
            request_id: RequestId(7),
        }
        .now(&"T1".into(), Utc::now(), 5);
        assert_eq!(refresh.serial_key, new.serial_key);
    }

    #[test]
    fn slack_errors_become_queue_decisions() {
        let limited = SlackCallError::RateLimited {
            method: "m",
            retry_after: Duration::from_secs(1),
        };
        assert_eq!(
            JobError::from(limited),
            JobError::Retry {
                reason: "m: rate limited, retry after 1s".into(),
                after: Some(Duration::from_secs(1)),
                rate_limited: true
            }
        );
        let gone = SlackCallError::Api {
            method: "m",
            code: "channel_not_found".into(),
        };
        assert!(matches!(JobError::from(gone), JobError::Fatal(_)));
        let down = SlackCallError::Http {
            method: "m",
            status: 503,
        };
        assert!(matches!(
            JobError::from(down),
            JobError::Retry {
                rate_limited: false,
                ..
            }
        ));
    }
}
