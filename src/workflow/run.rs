//! Running jobs: the only place Slack is told about changes.

use super::{Job, JobError, Workflow};
use crate::domain::request::CardRef;
use crate::domain::roles::Right;
use crate::domain::{GuestRequest, RequestId, RequestState, TeamId, UserId};
use crate::slack::render;
use chrono::Duration;
use slack_morphism::prelude::*;

/// Event ids are kept this long: Slack's last retry comes about five minutes after the first try.
const EVENT_RETENTION: Duration = Duration::days(1);
/// How often a job of a workspace without an installation looks again.
const NO_INSTALLATION_RETRY: std::time::Duration = std::time::Duration::from_secs(3600);
/// Spent OAuth states are kept this long (a state's signature lasts ten minutes).
const OAUTH_STATE_RETENTION: Duration = Duration::days(1);
/// Finished jobs are kept this long, for operators to look at.
const JOB_RETENTION: Duration = Duration::days(7);

impl Workflow {
    /// Runs one job in its workspace's installation; a job of a workspace without one waits
    /// for it (retried hourly, not counted as an attempt).
    pub async fn run_job(&self, team: &TeamId, job: Job) -> Result<(), JobError> {
        if matches!(job, Job::Housekeeping) {
            return self.run_job_in(team, job).await;
        }
        match self.enter(team, None).await.map_err(JobError::from)? {
            Some(tenant) => self.within(tenant, self.run_job_in(team, job)).await,
            // Uninstalled, or not reachable now: the work waits for a (re)install rather than
            // being lost. An expiry dropped here would leave a guest in past their end.
            None => {
                metrics::counter!("jobs_waiting_for_installation_total", "kind" => job.kind())
                    .increment(1);
                tracing::warn!(%team, kind = job.kind(), "job of a workspace without an installation; waiting for it to be installed again");
                Err(JobError::wait(
                    "no installation for this workspace; waiting for it to be installed again",
                    NO_INSTALLATION_RETRY,
                ))
            }
        }
    }

    async fn run_job_in(&self, team: &TeamId, job: Job) -> Result<(), JobError> {
        match job {
            Job::PostMessage {
                channel,
                text,
                blocks,
                thread_ts,
            } => {
                let lang = self.lang_of_channel(&channel).await;
                let mut content = SlackMessageContent::new().with_text(text.text(lang));
                if let Some(blocks) = blocks {
                    let blocks: Vec<SlackBlock> = serde_json::from_value(blocks)
                        .map_err(|e| JobError::fatal(format!("bad blocks: {e}")))?;
                    content = content.with_blocks(blocks);
                }
                self.slack
                    .post_message(&channel, content, thread_ts.as_deref())
                    .await?;
            }
            Job::PostEphemeral {
                channel,
                user,
                text,
            } => {
                let user = UserId(user);
                let content =
                    SlackMessageContent::new().with_text(text.text(self.lang_of(&user).await));
                self.slack
                    .post_ephemeral(&channel, &user, content, None)
                    .await?;
            }
            Job::Tell {
                user,
                response_url,
                channel,
                text,
            } => {
                let user = UserId(user);
                let text = text.text(self.lang_of(&user).await);
                match (response_url, channel) {
                    (Some(url), _) => {
                        let body = serde_json::json!({"response_type": "ephemeral", "replace_original": false, "text": text});
                        self.respond(&url, &body).await?
                    }
                    (None, Some(channel)) => {
                        let content = SlackMessageContent::new().with_text(text);
                        self.slack
                            .post_ephemeral(&channel, &user, content, None)
                            .await?;
                    }
                    (None, None) => {
                        let content = SlackMessageContent::new().with_text(text);
                        self.slack
                            .post_message(user.as_str(), content, None)
                            .await?;
                    }
                }
            }
            Job::Respond { url, body } => self.respond(&url, &body).await?,
            Job::PostCard { request_id } => self.post_card(team, request_id).await?,
            Job::RefreshCard { request_id } => self.refresh_card(team, request_id).await?,
            Job::CardReply { request_id, text } => {
                let request = self.request(team, request_id).await?;
                self.post_about(
                    &request,
                    SlackMessageContent::new().with_text(text.text(self.channel_lang())),
                    Reply::ThreadOnly,
                )
                .await?;
            }
            Job::NotifyRequester { request_id, text } => {
                let request = self.request(team, request_id).await?;
                if has_sponsor(&request) {
                    let text = text.text(self.lang_of(&request.requester).await);
                    self.slack
                        .post_message(
                            request.requester.as_str(),
                            SlackMessageContent::new().with_text(text),
                            None,
                        )
                        .await?;
                }
            }
            Job::RequestEnded { request_id, text } => {
                let request = self.request(team, request_id).await?;
                if has_sponsor(&request) {
                    let lang = self.lang_of(&request.requester).await;
                    self.slack
                        .post_message(
                            request.requester.as_str(),
                            render::request_ended(&request, &text.text(lang), lang),
                            None,
                        )
                        .await?;
                }
            }
            Job::Escalate { request_id } => self.escalate(team, request_id).await?,
            Job::LapseRequest {
                request_id,
                decide_by,
            } => self.lapse_request(team, request_id, decide_by).await?,
            Job::InstallWelcome { user, name } => self.welcome_installer(&user, &name).await?,
            Job::LearnWorkspaces => self.learn_workspaces(team).await?,
            Job::PublishHome { user } => {
                self.publish_home(team, &UserId(user), 0, Default::default())
                    .await?
            }
            Job::PublishHomePage { user, page, filter } => {
                self.publish_home(team, &UserId(user), page, filter).await?
            }
            Job::StaleReminder { request_id } => {
                let request = self.request(team, request_id).await?;
                if request.state == RequestState::Pending {
                    let text = self
                        .stale_reminder(&request, self.now())
                        .text(self.channel_lang());
                    let card = posted_card(&request)?;
                    self.slack
                        .post_message(
                            card.channel.as_str(),
                            SlackMessageContent::new().with_text(text),
                            Some(&card.ts),
                        )
                        .await?;
                }
            }
            Job::OfferRequestButton {
                channel,
                thread_ts,
                user,
            } => {
                self.slack
                    .post_message(
                        &channel,
                        render::request_button_offer(
                            &user,
                            self.lang_of(&UserId(user.clone())).await,
                        ),
                        Some(&thread_ts),
                    )
                    .await?;
            }
            Job::InviteRequested { request } => {
                match serde_json::from_value::<crate::slack::payload::SlackInviteRequest>(request) {
                    Ok(invite) => self.take_invite_request(team, &invite).await?,
                    Err(e) => {
                        return Err(JobError::Fatal(format!("unreadable invite request: {e}")));
                    }
                }
            }
            Job::PollInviteRequests => self.poll_invite_requests(team).await?,
            Job::DenyInviteRequest { request_id } => {
                self.deny_invite_request(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::Provision { request_id } => {
                self.provision(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::ResendInvite { request_id } => {
                self.send_resend(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::LapseInvite {
                request_id,
                invited_at,
            } => {
                self.lapse_invite(team, self.request(team, request_id).await?, invited_at)
                    .await?
            }
            Job::InviteReminder {
                request_id,
                invited_at,
            } => {
                let request = self.request(team, request_id).await?;
                if has_sponsor(&request)
                    && request.state == RequestState::Invited
                    && request.invited_at.map(|t| t.timestamp()) == Some(invited_at)
                {
                    let lang = self.lang_of(&request.requester).await;
                    self.slack
                        .post_message(
                            request.requester.as_str(),
                            render::invitation_notice(&request, false, lang),
                            None,
                        )
                        .await?;
                }
            }
            Job::InviteLapsedNotice { request_id } => {
                let request = self.request(team, request_id).await?;
                if has_sponsor(&request) && request.state == RequestState::InviteExpired {
                    let lang = self.lang_of(&request.requester).await;
                    self.slack
                        .post_message(
                            request.requester.as_str(),
                            render::invitation_notice(&request, true, lang),
                            None,
                        )
                        .await?;
                }
            }
            Job::CheckJoined {
                request_id,
                invited_at,
                round,
            } => {
                self.check_joined(
                    team,
                    self.request(team, request_id).await?,
                    invited_at,
                    round,
                )
                .await?
            }
            Job::ExpiryReminder {
                request_id,
                expires_at,
                ..
            } => {
                self.expiry_reminder(team, self.request(team, request_id).await?, expires_at)
                    .await?
            }
            Job::Expire {
                request_id,
                expires_at,
                found_by_sweep,
            } => {
                self.expire(
                    team,
                    self.request(team, request_id).await?,
                    expires_at,
                    found_by_sweep,
                )
                .await?
            }
            Job::DeactivationReminder { request_id, round } => {
                self.deactivation_reminder(team, self.request(team, request_id).await?, round)
                    .await?
            }
            Job::SetExpiry { request_id } => {
                self.set_expiry(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::SetProfile { request_id } => {
                self.set_profile(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::Deactivate { request_id } => {
                self.deactivate(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::MakeMember { request_id } => {
                self.make_member(team, self.request(team, request_id).await?)
                    .await?
            }
            Job::AccountEvent { user, joined } => {
                self.reconcile_user(team, &user).await?;
                self.account_event(team, &user).await?;
                if joined {
                    self.sync_join(team, &user).await?;
                }
            }
            Job::CardTask { request_id, task } => {
                let request = self.request(team, request_id).await?;
                let mention = self.approver_mentions(&request);
                self.post_about(
                    &request,
                    render::admin_task(&request, task, &mention, self.channel_lang()),
                    Reply::Anywhere,
                )
                .await?;
            }
            Job::ProvisioningProblem {
                request_id,
                problem,
            } => {
                let request = self.request(team, request_id).await?;
                self.post_about(
                    &request,
                    render::provisioning_problem(&request, &problem, self.channel_lang()),
                    Reply::Anywhere,
                )
                .await?;
            }
            Job::WeeklyDigest => self.weekly_digest(team).await?,
            Job::ChangeChannels {
                request_id,
                add,
                remove,
            } => {
                self.change_channels_job(team, self.request(team, request_id).await?, add, remove)
                    .await?
            }
            Job::ReviewDm {
                campaign_id,
                sponsor,
            } => self.review_dm_job(team, campaign_id, &sponsor).await?,
            Job::ReviewEscalation { campaign_id } => {
                self.review_escalation_job(team, campaign_id).await?
            }
            Job::ReviewProgress { campaign_id } => {
                self.review_progress_job(team, campaign_id).await?
            }
            Job::RefreshReview {
                campaign_id,
                item_id,
            } => self.refresh_review_job(team, campaign_id, item_id).await?,
            Job::ReviewDeadline { campaign_id } => {
                self.review_deadline_job(team, campaign_id).await?
            }
            Job::OrphanCard {
                request_id,
                sponsor,
            } => {
                self.orphan_card_job(team, self.request(team, request_id).await?, &sponsor)
                    .await?;
            }
            Job::OrphanDeadline {
                request_id,
                sponsor,
            } => {
                self.orphan_deadline(team, self.request(team, request_id).await?, &sponsor)
                    .await?;
            }
            Job::BindAdopted {
                request_id,
                slack_user_id,
            } => {
                self.bind_adopted(team, self.request(team, request_id).await?, slack_user_id)
                    .await?;
            }
            Job::Reconcile { reason } => {
                tracing::debug!(reason, "reconciliation");
                self.reconcile_all(team).await?;
            }
            Job::SyncRun { rule, reason } => {
                self.sync_run(
                    team,
                    rule.as_deref(),
                    super::sync::SyncMode::Apply { force: false },
                    &reason,
                )
                .await?;
            }
            Job::SyncGroupChanged { subteam, handle } => {
                self.sync_group_changed(team, &subteam, handle.as_deref())
                    .await?;
            }
            Job::SyncDelta {
                subteam,
                added,
                removed,
            } => {
                self.sync_delta(team, &subteam, &added, &removed).await?;
            }
            Job::SyncJoin { user } => self.sync_join(team, &user).await?,
            Job::SyncFor {
                response_url,
                apply,
                actor,
            } => self.sync_for(team, &response_url, apply, &actor).await?,
            Job::ApplyHeldPlan { plan_id, actor } => self.apply_held(team, plan_id, &actor).await?,
            Job::ImportPreview {
                channel,
                thread_ts,
                user,
                file_id,
            } => {
                self.import_preview_job(team, &channel, &thread_ts, &UserId(user), &file_id)
                    .await?
            }
            Job::ImportApply {
                channel,
                thread_ts,
                user,
                file_id,
                digest,
                preview_ts,
                sharer,
            } => {
                let file = super::import::ConfirmedFile {
                    channel,
                    thread_ts,
                    file_id,
                    digest,
                    preview_ts,
                    sharer,
                };
                self.import_apply_job(team, &UserId(user), &file).await?
            }
            Job::Housekeeping => {
                let now = self.now();
                let events = self.store.purge_events(now - EVENT_RETENTION).await?;
                let jobs = self.store.purge_finished_jobs(now - JOB_RETENTION).await?;
                let states = self
                    .store
                    .purge_oauth_states(now - OAUTH_STATE_RETENTION)
                    .await?;
                tracing::debug!(events, jobs, states, "housekeeping");
            }
        }
        Ok(())
    }

    async fn request(&self, team: &TeamId, id: RequestId) -> Result<GuestRequest, JobError> {
        self.store
            .get_request(team, id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("request {id} does not exist")))
    }

    pub(super) async fn respond(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<(), JobError> {
        let response = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            // `without_url`: a response_url is a credential for five messages; it stays out
            // of logs and of the job's last_error.
            .map_err(|e| JobError::retry(format!("response_url: {}", e.without_url())))?;
        let status = response.status();
        metrics::counter!("slack_api_calls_total", "method" => "response_url", "outcome" => if status.is_success() { "ok" } else { "http_error" })
            .increment(1);
        match status.as_u16() {
            200..=299 => Ok(()),
            // A response_url lives 30 minutes and five uses; after that nothing will help.
            404 | 410 => Err(JobError::fatal(format!("response_url answered {status}"))),
            429 => Err(JobError::wait(
                "response_url rate limited",
                crate::slack::error::DEFAULT_RETRY_AFTER,
            )),
            _ if status.is_server_error() => {
                Err(JobError::retry(format!("response_url answered {status}")))
            }
            _ => Err(JobError::fatal(format!("response_url answered {status}"))),
        }
    }

    async fn post_card(&self, team: &TeamId, id: RequestId) -> Result<(), JobError> {
        let request = self.request(team, id).await?;
        if request.card.is_some() {
            // Posted already (the job ran before but its completion was lost): refresh instead.
            return self.refresh_card(team, id).await;
        }
        let channel = self
            .settings()
            .request_channel
            .clone()
            .ok_or_else(|| JobError::Fatal("slack.request_channel is not configured".into()))?;
        let votes = self.current_votes(team, &request).await?;
        let ts = self
            .slack
            .post_message(
                channel.as_str(),
                render::card(&request, &votes, self.now(), self.channel_lang()),
                None,
            )
            .await?;
        self.store
            .set_card(team, id, &CardRef { channel, ts }, request.version)
            .await?;
        Ok(())
    }

    async fn refresh_card(&self, team: &TeamId, id: RequestId) -> Result<(), JobError> {
        let request = self.request(team, id).await?;
        let Some(card) = &request.card else {
            // No card yet: the post job renders the latest state when it runs.
            return Ok(());
        };
        if request
            .card_version
            .is_some_and(|shown| shown >= request.version)
        {
            return Ok(());
        }
        let votes = self.current_votes(team, &request).await?;
        self.slack
            .update_message(
                card.channel.as_str(),
                &card.ts,
                render::card(&request, &votes, self.now(), self.channel_lang()),
            )
            .await?;
        self.store
            .set_card_version(team, id, request.version)
            .await?;
        Ok(())
    }

    /// The votes of a pending request's current round (none to show once it is decided).
    async fn current_votes(
        &self,
        team: &TeamId,
        request: &GuestRequest,
    ) -> Result<Vec<crate::domain::quorum::Vote>, JobError> {
        if request.state != RequestState::Pending {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .votes(team, request.id, request.approval_round)
            .await?)
    }

    async fn publish_home(
        &self,
        team: &TeamId,
        user: &UserId,
        page: usize,
        filter: crate::slack::ids::HomeFilter,
    ) -> Result<(), JobError> {
        use crate::slack::ids::HomeFilter;
        let mine = self.store.requests_by_requester(team, user, 10).await?;
        let standing = self
            .standing(
                team,
                user,
                &[Right::Decide, Right::Revoke, Right::Request, Right::Review],
            )
            .await?;
        let roles = &self.settings().roles;
        // Links need somewhere to send people (`server.public_url`) and the right to ask.
        let links = match &self.settings().join.public_url {
            Some(_) if roles.has_anywhere(&standing, Right::Request) => {
                Some(self.store.open_links_of(team, user, self.now(), 20).await?)
            }
            _ => None,
        };
        let may = |right: Right, request: &GuestRequest| {
            roles
                .may(
                    &standing,
                    right,
                    &request.channels,
                    Some(&request.requester),
                )
                .is_ok()
        };
        let approver = if roles.has_anywhere(&standing, Right::Decide)
            || roles.has_anywhere(&standing, Right::Revoke)
        {
            let mut view = render::ApproverHome::default();
            for request in self
                .store
                .requests_in_state(team, RequestState::Pending, 100)
                .await?
            {
                // Only what this person may decide, with where its votes stand.
                if may(Right::Decide, &request) {
                    let votes = self
                        .store
                        .votes(team, request.id, request.approval_round)
                        .await?;
                    view.queue.push((request, votes));
                }
            }
            // Every live account this person may act on (paged through the store, no cap),
            // soonest deadline first, accounts that never end last; one page is shown.
            let mut accounts = Vec::new();
            let mut after = None;
            loop {
                let batch = self.store.live_accounts(after, 1000).await?;
                let Some(last) = batch.last().map(|r| r.id) else {
                    break;
                };
                after = Some(last);
                accounts.extend(batch.into_iter().filter(|r| {
                    &r.team_id == team && (may(Right::Revoke, r) || may(Right::Decide, r))
                }));
            }
            let now = self.now();
            let awaiting: std::collections::HashSet<RequestId> =
                if filter == HomeFilter::AwaitingReview {
                    match self.store.open_review(team).await? {
                        Some(open) => self
                            .store
                            .review_items(team, open.id)
                            .await?
                            .into_iter()
                            .filter(|i| i.state.is_open())
                            .map(|i| i.request_id)
                            .collect(),
                        None => Default::default(),
                    }
                } else {
                    Default::default()
                };
            let within = |days: i64, r: &GuestRequest| {
                r.expires_at
                    .is_some_and(|at| at <= now + chrono::Duration::days(days))
            };
            accounts.retain(|r| match filter {
                HomeFilter::All => true,
                HomeFilter::EndingWithin7Days => within(7, r),
                HomeFilter::EndingWithin30Days => within(30, r),
                HomeFilter::NoEndDate => r.expires_at.is_none(),
                HomeFilter::AwaitingReview => awaiting.contains(&r.id),
            });
            view.accounts_filter = filter;
            accounts.sort_by_key(|r| (r.expires_at.is_none(), r.expires_at, r.id));
            let per_page = render::ACCOUNTS_PER_PAGE;
            let pages = accounts.len().div_ceil(per_page).max(1);
            let page = page.min(pages - 1);
            view.accounts_total = accounts.len();
            view.accounts_page = page;
            view.accounts = accounts
                .into_iter()
                .skip(page * per_page)
                .take(per_page)
                .collect();
            if roles.has_anywhere(&standing, Right::Review) {
                view.reviews = Some(match self.store.open_review(team).await? {
                    Some(open) => {
                        let items = self.store.review_items(team, open.id).await?;
                        Some((
                            open.id,
                            open.deadline,
                            crate::domain::review::progress(items.iter().map(|i| i.state)),
                        ))
                    }
                    None => None,
                });
            }
            view.workspace_settings = self.is_distributed() && self.may_set_up(user).await?;
            if roles.has_anywhere(&standing, Right::Decide) {
                let unmanaged = self.store.unmanaged_guests(Some(team), 10_000).await?;
                view.unmanaged_total = unmanaged.len();
                view.unmanaged = unmanaged
                    .into_iter()
                    .take(10)
                    .map(|g| render::UnmanagedLine {
                        single_channel: g.guest_type == "single_channel",
                        slack_user_id: g.slack_user_id,
                        name: g.name,
                        email: g.email,
                    })
                    .collect();
            }
            Some(view)
        } else {
            None
        };
        let lang = self.lang_of(user).await;
        self.slack
            .publish_home(
                user,
                render::home(&mine, approver.as_ref(), links.as_deref(), self.now(), lang),
            )
            .await?;
        Ok(())
    }
}

/// Where a message about a request without a card may go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// Only in the card's thread (plain progress notes; sync and imports report in bulk instead).
    ThreadOnly,
    /// In the card's thread, or in the report channel when the request has no card (admin tasks).
    Anywhere,
}

/// Requests made by group sync without a sponsor have nobody to DM.
fn has_sponsor(request: &GuestRequest) -> bool {
    request.requester.as_str() != crate::store::BOT_ACTOR
}

impl Workflow {
    /// Posts about a request: in its card's thread, or (for requests that never had a card, from
    /// group sync or an import) in the report channel.
    async fn post_about(
        &self,
        request: &GuestRequest,
        content: SlackMessageContent,
        reply: Reply,
    ) -> Result<(), JobError> {
        if let Some(card) = &request.card {
            self.slack
                .post_message(card.channel.as_str(), content, Some(&card.ts))
                .await?;
            return Ok(());
        }
        if request.source == crate::domain::request::Source::Form {
            posted_card(request)?;
        }
        if reply == Reply::ThreadOnly {
            return Ok(());
        }
        let channel = self
            .settings()
            .sync
            .report_channel
            .clone()
            .or_else(|| self.settings().request_channel.clone())
            .ok_or_else(|| {
                JobError::Fatal("no channel to post in (slack.request_channel)".into())
            })?;
        self.slack
            .post_message(channel.as_str(), content, None)
            .await?;
        Ok(())
    }
}

fn posted_card(request: &GuestRequest) -> Result<&CardRef, JobError> {
    // Card jobs run after the post job (same serial key), so a missing card means it failed.
    request.card.as_ref().ok_or_else(|| {
        JobError::fatal(format!(
            "the card of request {} was never posted",
            request.id
        ))
    })
}
