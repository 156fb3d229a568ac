//! The durable jobs the workflow writes and later runs: Slack calls that change something, and
//! timers. A job names what to do, not how it looked when it was queued: cards are rendered from
//! the request as it is when the job runs, so a late job never shows stale state.

use crate::domain::{RequestId, TeamId};
use crate::slack::SlackCallError;
use crate::slack::ids::AdminTask;
use crate::slack::say::Said;
use crate::store::NewJob;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Post a message; a user id as `channel` means the bot's DM with them (worded in their
    /// language), otherwise it is worded in the channel's.
    PostMessage {
        channel: String,
        text: Said,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blocks: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_ts: Option<String>,
    },
    /// An ephemeral message only `user` sees, in their language.
    PostEphemeral {
        channel: String,
        user: String,
        text: Said,
    },
    /// Tell `user` something about their click, in their language: through the click's
    /// `response_url` (ephemeral, in place), else an ephemeral message in `channel`, else a DM.
    Tell {
        user: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        text: Said,
    },
    /// Answer through a slash command's or button's `response_url` (queued by earlier
    /// versions; `Tell` replaced it).
    Respond { url: String, body: Value },
    /// Post the request's card in the request channel.
    PostCard { request_id: RequestId },
    /// Re-render the card from the request as it is now (`chat.update`).
    RefreshCard { request_id: RequestId },
    /// A reply in the card's thread, in the channel's language.
    CardReply { request_id: RequestId, text: Said },
    /// A DM to the requester about their request, in their language.
    NotifyRequester { request_id: RequestId, text: Said },
    /// The DM an installer gets after installing: Guestlist is in, and its settings.
    InstallWelcome { user: String, name: String },
    /// An org-wide install learns its organisation's workspaces (`auth.teams.list`), so work
    /// for each is routed to it even when a request does not name the organisation.
    LearnWorkspaces,
    /// Publish someone's App Home tab.
    PublishHome { user: String },
    /// App Home at one page of the guest accounts (the page buttons).
    PublishHomePage {
        user: String,
        page: usize,
        #[serde(default)]
        filter: crate::slack::ids::HomeFilter,
    },
    /// Remind approvers about a request still pending (one job per reminder offset).
    StaleReminder { request_id: RequestId },
    /// Announce a request still pending to the escalation target.
    Escalate { request_id: RequestId },
    /// The request lapses if still pending with this decision deadline (unix milliseconds).
    LapseRequest {
        request_id: RequestId,
        decide_by: i64,
    },
    /// A DM to the requester that their request was denied or lapsed, with **Request again**.
    RequestEnded { request_id: RequestId, text: Said },
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
        /// Enqueued by the sweep for an account found past its end (its own expiry never ran).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        found_by_sweep: bool,
    },
    /// Manual mode: remind admins of a deactivation nobody has confirmed.
    DeactivationReminder { request_id: RequestId, round: u32 },
    /// Write the account's deadline to the directory.
    SetExpiry { request_id: RequestId },
    /// Write the guest's profile (job title) to the account, once it exists.
    SetProfile { request_id: RequestId },
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
    /// Compare every tracked guest account with Slack (records, never changes Slack).
    Reconcile { reason: String },
    /// A guest's sponsor left: a card in the request channel with Reassign and End now.
    OrphanCard {
        request_id: RequestId,
        sponsor: String,
    },
    /// The grace period for a guest whose sponsor left is over: the policy, unless it was
    /// reassigned or ended meanwhile.
    OrphanDeadline {
        request_id: RequestId,
        sponsor: String,
    },
    /// The weekly digest in the request channel.
    WeeklyDigest,
    /// An adopted guest: bind the request to the account and make it active.
    BindAdopted {
        request_id: RequestId,
        slack_user_id: String,
    },
    /// Add a live guest to channels and take it out of others (then record them).
    ChangeChannels {
        request_id: RequestId,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// An access review: the sponsor's DM listing their guests of the campaign.
    ReviewDm { campaign_id: i64, sponsor: String },
    /// An access review: the items waiting for approvers, in the request channel.
    ReviewEscalation { campaign_id: i64 },
    /// An access review's progress message in the request channel (posted, then updated).
    ReviewProgress { campaign_id: i64 },
    /// Re-render the messages that show this review item (after an answer).
    RefreshReview { campaign_id: i64, item_id: i64 },
    /// An access review's deadline: the outcome for what is unanswered, then it closes.
    ReviewDeadline { campaign_id: i64 },
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
    /// A user group was created or updated: a full run of the rules that read it (by id or
    /// handle; jobs queued before the handle was carried have none).
    SyncGroupChanged {
        subteam: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handle: Option<String>,
    },
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
    /// Slack's own invite request (`invite_requested`): a pending request with a card.
    InviteRequested { request: Value },
    /// Tell Slack an approver denied its invite request (`admin.inviteRequests.deny`).
    DenyInviteRequest { request_id: RequestId },
    /// List the workspace's pending invite requests, for any whose event was missed.
    PollInviteRequests,
    /// Delete old event ids and finished jobs.
    Housekeeping,
}

/// What the queue knows of a job besides its payload, declared for every kind in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobProperties {
    /// The kind, for logs and metrics (`jobs_total{kind}`).
    pub kind: &'static str,
    /// Jobs that share a key run strictly one after another, in the order they were queued,
    /// also while an earlier one waits to be retried (see `JobQueue::claim_jobs`).
    pub serial_key: Option<String>,
    /// How long one run may take before it counts as hung.
    pub time_limit: Duration,
}

/// The usual time limit: one or two Slack calls and a transaction.
const QUICK: Duration = Duration::from_secs(300);
/// A full sync of a large workspace pages through every member at Slack's pace.
const SYNC: Duration = Duration::from_secs(3 * 3600);
/// Thousands of rows, a batch per transaction, with progress posted between batches.
const IMPORT: Duration = Duration::from_secs(1800);

impl Job {
    /// Kind, serial key and time limit. The keys:
    /// - `card:N`: every message about request N's card, so a refresh never overtakes the post
    ///   it refreshes and thread replies keep their order;
    /// - `account:N`: everything that invites, changes or ends request N's account, and the
    ///   timers that move its state, so a resend retrying a rate limit can never run after the
    ///   revocation that followed it;
    /// - `dm:N`: the sponsor's messages about request N; `sync`: one sync at a time per
    ///   workspace, so runs never interleave their plans; `review:N`: campaign N's messages; `import:F`: a file is imported once at
    ///   a time (a second confirmation waits and finds it done).
    pub fn properties(&self) -> JobProperties {
        let card = |id: &RequestId| Some(format!("card:{}", id.0));
        let account = |id: &RequestId| Some(format!("account:{}", id.0));
        let dm = |id: &RequestId| Some(format!("dm:{}", id.0));
        let sync = || Some("sync".to_string());
        let review = |id: &i64| Some(format!("review:{id}"));
        let (kind, serial_key, time_limit) = match self {
            Job::PostMessage { .. } => ("post_message", None, QUICK),
            Job::PostEphemeral { .. } => ("post_ephemeral", None, QUICK),
            Job::Respond { .. } => ("respond", None, QUICK),
            Job::Tell { .. } => ("tell", None, QUICK),
            Job::PostCard { request_id } => ("post_card", card(request_id), QUICK),
            Job::RefreshCard { request_id } => ("refresh_card", card(request_id), QUICK),
            Job::CardReply { request_id, .. } => ("card_reply", card(request_id), QUICK),
            Job::NotifyRequester { request_id, .. } => ("notify_requester", dm(request_id), QUICK),
            Job::PublishHome { .. } => ("publish_home", None, QUICK),
            Job::PublishHomePage { .. } => ("publish_home", None, QUICK),
            Job::StaleReminder { request_id } => ("stale_reminder", card(request_id), QUICK),
            Job::Escalate { request_id } => ("escalate", card(request_id), QUICK),
            Job::LapseRequest { request_id, .. } => ("lapse_request", card(request_id), QUICK),
            Job::RequestEnded { request_id, .. } => ("request_ended", dm(request_id), QUICK),
            Job::OfferRequestButton { .. } => ("offer_request_button", None, QUICK),
            Job::Provision { request_id } => ("provision", account(request_id), QUICK),
            Job::ResendInvite { request_id } => ("resend_invite", account(request_id), QUICK),
            Job::LapseInvite { request_id, .. } => ("lapse_invite", account(request_id), QUICK),
            Job::InviteReminder { .. } => ("invite_reminder", None, QUICK),
            Job::CheckJoined { request_id, .. } => ("check_joined", account(request_id), QUICK),
            Job::ExpiryReminder { .. } => ("expiry_reminder", None, QUICK),
            Job::Expire { request_id, .. } => ("expire", account(request_id), QUICK),
            Job::DeactivationReminder { .. } => ("deactivation_reminder", None, QUICK),
            Job::SetExpiry { request_id } => ("set_expiry", account(request_id), QUICK),
            Job::SetProfile { request_id } => ("set_profile", account(request_id), QUICK),
            Job::InstallWelcome { .. } => ("install_welcome", None, QUICK),
            Job::LearnWorkspaces => ("learn_workspaces", None, QUICK),
            Job::Deactivate { request_id } => ("deactivate", account(request_id), QUICK),
            Job::MakeMember { request_id } => ("make_member", account(request_id), QUICK),
            Job::ChangeChannels { request_id, .. } => {
                ("change_channels", account(request_id), QUICK)
            }
            // One person's events in the order Slack sent them: a deactivation and a
            // reactivation are never read the other way round.
            Job::AccountEvent { user, .. } => (
                "account_event",
                user.get("id")
                    .and_then(Value::as_str)
                    .map(|id| format!("user:{id}")),
                QUICK,
            ),
            Job::CardTask { request_id, .. } => ("card_task", card(request_id), QUICK),
            Job::ProvisioningProblem { request_id, .. } => {
                ("provisioning_problem", card(request_id), QUICK)
            }
            Job::InviteLapsedNotice { request_id } => {
                ("invite_lapsed_notice", dm(request_id), QUICK)
            }
            Job::Reconcile { .. } => ("reconcile", Some("reconcile".to_string()), SYNC),
            Job::BindAdopted { request_id, .. } => ("bind_adopted", account(request_id), QUICK),
            Job::OrphanCard { .. } => ("orphan_card", None, QUICK),
            // After the reconcile run queued before it: the digest counts what that run found.
            Job::WeeklyDigest => ("weekly_digest", Some("reconcile".to_string()), QUICK),
            Job::OrphanDeadline { request_id, .. } => {
                ("orphan_deadline", account(request_id), QUICK)
            }
            // A campaign's messages one at a time: a message is posted once and its ts recorded
            // before anything updates it.
            Job::ReviewDm { campaign_id, .. } => ("review_dm", review(campaign_id), QUICK),
            Job::ReviewEscalation { campaign_id } => {
                ("review_escalation", review(campaign_id), QUICK)
            }
            Job::ReviewProgress { campaign_id } => ("review_progress", review(campaign_id), QUICK),
            Job::RefreshReview { campaign_id, .. } => {
                ("refresh_review", review(campaign_id), QUICK)
            }
            Job::ReviewDeadline { campaign_id } => ("review_deadline", review(campaign_id), SYNC),
            Job::SyncRun { .. } => ("sync_run", sync(), SYNC),
            Job::SyncDelta { .. } => ("sync_delta", sync(), SYNC),
            Job::SyncGroupChanged { .. } => ("sync_run", sync(), SYNC),
            Job::SyncJoin { .. } => ("sync_join", sync(), SYNC),
            Job::SyncFor { .. } => ("sync_preview", None, SYNC),
            Job::ApplyHeldPlan { .. } => ("apply_held_plan", sync(), SYNC),
            Job::ImportPreview { .. } => ("import_preview", None, IMPORT),
            Job::ImportApply { file_id, .. } => {
                ("import_apply", Some(format!("import:{file_id}")), IMPORT)
            }
            // One at a time per workspace: an event and a poll finding the same invite
            // request never race to create it (the unique index would catch it anyway).
            Job::InviteRequested { .. } => {
                ("invite_requested", Some("invite_requests".into()), QUICK)
            }
            Job::DenyInviteRequest { request_id } => {
                ("deny_invite_request", account(request_id), QUICK)
            }
            Job::PollInviteRequests => (
                "poll_invite_requests",
                Some("invite_requests".into()),
                QUICK,
            ),
            Job::Housekeeping => ("housekeeping", None, QUICK),
        };
        JobProperties {
            kind,
            serial_key,
            time_limit,
        }
    }

    pub fn kind(&self) -> &'static str {
        self.properties().kind
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
        let JobProperties {
            kind, serial_key, ..
        } = self.properties();
        NewJob {
            team_id: team_id.clone(),
            kind: kind.to_string(),
            serial_key,
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

impl JobError {
    /// Something that may work later (a timeout, a 5xx): retried with backoff, as an attempt.
    pub fn retry(reason: impl Into<String>) -> Self {
        JobError::Retry {
            reason: reason.into(),
            after: None,
            rate_limited: false,
        }
    }

    /// Asked to wait (`Retry-After`, our own one-invitation-an-hour): retried after `after`,
    /// not counted as a failed attempt.
    pub fn wait(reason: impl Into<String>, after: Duration) -> Self {
        JobError::Retry {
            reason: reason.into(),
            after: Some(after),
            rate_limited: true,
        }
    }

    /// Retrying cannot help.
    pub fn fatal(reason: impl Into<String>) -> Self {
        JobError::Fatal(reason.into())
    }
}

impl From<SlackCallError> for JobError {
    fn from(e: SlackCallError) -> Self {
        match e.retry_after() {
            Some(after) => JobError::wait(e.to_string(), after),
            None if e.is_retryable() => JobError::retry(e.to_string()),
            None => JobError::fatal(e.to_string()),
        }
    }
}

impl From<crate::provision::ProvisionError> for JobError {
    fn from(e: crate::provision::ProvisionError) -> Self {
        use crate::provision::ProvisionError;
        match e {
            ProvisionError::Transient(reason) => JobError::retry(reason),
            ProvisionError::RateLimited(after) => JobError::wait("directory rate limit", after),
            other => JobError::fatal(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for JobError {
    fn from(e: crate::store::StoreError) -> Self {
        if e.is_transient() {
            JobError::retry(e.to_string())
        } else {
            JobError::fatal(e.to_string())
        }
    }
}

impl From<anyhow::Error> for JobError {
    /// Our own helpers return `anyhow`; what they carry decides. A database or Slack hiccup
    /// somewhere in the chain is worth another try; anything else (a state the code did not
    /// expect, data it cannot read) is a bug that retrying would only repeat, so it fails, is
    /// logged and counted.
    fn from(e: anyhow::Error) -> Self {
        for cause in e.chain() {
            if let Some(store) = cause.downcast_ref::<crate::store::StoreError>() {
                return if store.is_transient() {
                    JobError::retry(format!("{e:#}"))
                } else {
                    JobError::fatal(format!("{e:#}"))
                };
            }
            if let Some(slack) = cause.downcast_ref::<SlackCallError>() {
                let mut job = JobError::from(slack.clone());
                let (JobError::Retry { reason, .. } | JobError::Fatal(reason)) = &mut job;
                *reason = format!("{e:#}");
                return job;
            }
            if let Some(sqlx) = cause.downcast_ref::<sqlx::Error>() {
                return if crate::store::is_transient(sqlx) {
                    JobError::retry(format!("{e:#}"))
                } else {
                    JobError::fatal(format!("{e:#}"))
                };
            }
            if let Some(provision) = cause.downcast_ref::<crate::provision::ProvisionError>() {
                return JobError::from(provision.clone());
            }
        }
        JobError::fatal(format!("internal error: {e:#}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_and_share_a_card_queue() {
        let job = Job::CardReply {
            request_id: RequestId(7),
            text: Said::worded("hi".into()),
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
    fn an_anyhow_error_is_retried_only_for_what_passes() {
        let busy = anyhow::Error::from(crate::store::StoreError::Database(
            sqlx::Error::PoolTimedOut,
        ))
        .context("recording the invitation");
        assert!(matches!(JobError::from(busy), JobError::Retry { .. }));
        let limited = anyhow::Error::from(SlackCallError::RateLimited {
            method: "chat.postMessage",
            retry_after: Duration::from_secs(7),
        })
        .context("posting the card");
        assert!(matches!(
            JobError::from(limited),
            JobError::Retry { after: Some(d), rate_limited: true, .. } if d == Duration::from_secs(7)
        ));
        let bug = anyhow::anyhow!("a request that is denied cannot be invited");
        match JobError::from(bug) {
            JobError::Fatal(reason) => assert!(reason.starts_with("internal error"), "{reason}"),
            other => panic!("a bug must not be retried: {other:?}"),
        }
        let corrupt = anyhow::Error::from(crate::store::StoreError::Corrupt("bad row".into()));
        assert!(matches!(JobError::from(corrupt), JobError::Fatal(_)));
    }

    #[test]
    fn account_jobs_share_one_key_and_long_jobs_get_long_limits() {
        let id = RequestId(3);
        let keys: Vec<Option<String>> = [
            Job::Provision { request_id: id },
            Job::ResendInvite { request_id: id },
            Job::SetExpiry { request_id: id },
            Job::Deactivate { request_id: id },
            Job::MakeMember { request_id: id },
            Job::Expire {
                request_id: id,
                expires_at: 1,
                found_by_sweep: false,
            },
        ]
        .iter()
        .map(|j| j.properties().serial_key)
        .collect();
        assert!(
            keys.iter().all(|k| k.as_deref() == Some("account:3")),
            "{keys:?}"
        );
        let sync = Job::SyncRun {
            rule: None,
            reason: "x".into(),
        };
        assert!(sync.properties().time_limit >= Duration::from_secs(3600));
        assert_eq!(Job::Housekeeping.properties().time_limit, QUICK);
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
