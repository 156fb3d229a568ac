//! Access reviews: a campaign asks each sponsor, in one DM, about each of their active guests
//! (Keep until…, Shorten, End) by a deadline; what is unanswered then gets the configured
//! outcome. One progress message in the request channel follows the answers. Everything lives in
//! the store and the job queue, so a restart mid-campaign loses nothing.

use super::super::{Feedback, Job, JobError, Workflow};
use crate::domain::expiry::{local_to_utc, zone};
use crate::domain::request::{Action, transition};
use crate::domain::review::{
    Answer, Answerer, ItemState, ReviewOutcome, Scope, at_deadline, check_shorter, may_answer,
    progress,
};
use crate::domain::roles::Right;
use crate::domain::{GuestRequest, RequestId, RequestKind, RequestState, TeamId, UserId};
use crate::slack::ids::{REVIEW_DATE_BLOCK, ReviewShortenMetadata};
use crate::slack::payload::state_value;
use crate::slack::render::{self, REVIEW_ITEMS_PER_MESSAGE, ReviewHeading, ReviewLine};
use crate::slack::say::{ReviewGuest, ReviewSay, problem};
use crate::store::{
    AnswerOutcome, AuditEntry, BOT_ACTOR, NewJob, NewReview, ReviewAnswer, ReviewCampaign,
    ReviewItem, ReviewMessage, StateChange,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use slack_morphism::prelude::SlackViewState;
use std::collections::{BTreeSet, HashMap};

/// What starts a campaign: which guests, how long sponsors have, and who asked.
#[derive(Debug, Clone)]
pub struct ReviewStart {
    pub scope: Scope,
    /// `None`: `review.deadline_days`.
    pub answer_within: Option<chrono::Duration>,
    /// A Slack user id, `guestlist` for the schedule, or `cli`.
    pub started_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReviewStarted {
    Started {
        campaign: ReviewCampaign,
        guests: usize,
        sponsors: usize,
    },
    /// One campaign at a time per workspace.
    AlreadyOpen(ReviewCampaign),
    /// No active guest in the scope.
    NoGuests,
}

fn heading(campaign: &ReviewCampaign) -> ReviewHeading {
    ReviewHeading {
        id: campaign.id,
        deadline: campaign.deadline,
        scope: Scope::from_described(&campaign.scope).unwrap_or_else(|| {
            tracing::warn!(campaign = campaign.id, scope = %campaign.scope, "unreadable review scope");
            Scope::default()
        }),
        outcome: campaign.outcome,
    }
}

impl Workflow {
    /// Starts a campaign over the active guests in `start.scope`: one DM per sponsor, guests
    /// without a sponsor straight to approvers, the progress message and the deadline's timer,
    /// all written in one transaction.
    pub async fn start_review(
        &self,
        team: &TeamId,
        start: ReviewStart,
    ) -> anyhow::Result<ReviewStarted> {
        if let Some(open) = self.store.open_review(team).await? {
            return Ok(ReviewStarted::AlreadyOpen(open));
        }
        let now = self.now();
        let guests: Vec<GuestRequest> = self
            .store
            .requests_in_state(team, RequestState::Active, i64::MAX)
            .await?
            .into_iter()
            .filter(|r| {
                r.kind == RequestKind::Guest
                    && r.guest_type != crate::domain::GuestType::Member
                    && start.scope.covers(&r.email, &r.channels)
            })
            .collect();
        if guests.is_empty() {
            return Ok(ReviewStarted::NoGuests);
        }
        let within = start.answer_within.unwrap_or_else(|| {
            chrono::Duration::from_std(self.settings().review.answer_within).unwrap_or_default()
        });
        let deadline = now + within;
        let items: Vec<_> = guests
            .iter()
            .map(|r| {
                let state = if r.requester.as_str() == BOT_ACTOR {
                    ItemState::Escalated
                } else {
                    ItemState::Pending
                };
                (r.id, r.requester.to_string(), state)
            })
            .collect();
        let sponsors: BTreeSet<String> = items
            .iter()
            .filter(|(_, _, s)| *s == ItemState::Pending)
            .map(|(_, sponsor, _)| sponsor.clone())
            .collect();
        let unsponsored = items.iter().any(|(_, _, s)| *s == ItemState::Escalated);
        let outcome = self.settings().review.outcome;
        let review = NewReview {
            team_id: team.clone(),
            started_by: start.started_by.clone(),
            started_at: now,
            deadline,
            outcome,
            scope: start.scope.describe(),
            items,
        };
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: start.started_by.clone(),
            action: "review_started".into(),
            from_state: None,
            to_state: None,
            detail: format!(
                "access review of {}: {} guest(s), {} sponsor(s); answers due {}; then {}",
                review.scope,
                guests.len(),
                sponsors.len(),
                deadline.to_rfc3339(),
                outcome.as_str()
            ),
            at: now,
        };
        let (team_for_jobs, max) = (team.clone(), self.settings().max_attempts);
        let sponsor_list: Vec<String> = sponsors.iter().cloned().collect();
        let jobs_for = Box::new(move |campaign_id: i64| {
            let mut jobs: Vec<NewJob> =
                vec![Job::ReviewProgress { campaign_id }.now(&team_for_jobs, now, max)];
            for sponsor in sponsor_list {
                jobs.push(
                    Job::ReviewDm {
                        campaign_id,
                        sponsor,
                    }
                    .now(&team_for_jobs, now, max),
                );
            }
            if unsponsored {
                jobs.push(Job::ReviewEscalation { campaign_id }.now(&team_for_jobs, now, max));
            }
            jobs.push(Job::ReviewDeadline { campaign_id }.at(
                &team_for_jobs,
                deadline,
                max,
                Some(format!("review-deadline:{campaign_id}")),
            ));
            jobs
        });
        match self.store.create_review(&review, audit, jobs_for).await? {
            Some(campaign) => {
                metrics::counter!("reviews_started_total").increment(1);
                self.queued();
                Ok(ReviewStarted::Started {
                    campaign,
                    guests: guests.len(),
                    sponsors: sponsors.len(),
                })
            }
            None => match self.store.open_review(team).await? {
                Some(open) => Ok(ReviewStarted::AlreadyOpen(open)),
                None => anyhow::bail!("a review was open and is closed again; try again"),
            },
        }
    }

    /// The scheduled campaign (`review.every_days`): due when the last one started that long
    /// ago, or none ever did.
    pub async fn review_due(&self, team: &TeamId) -> anyhow::Result<bool> {
        let Some(every) = self.settings().review.every else {
            return Ok(false);
        };
        let last = self.store.latest_review(team).await?;
        Ok(last.is_none_or(|c| {
            c.started_at + chrono::Duration::from_std(every).unwrap_or_default() <= self.now()
        }))
    }

    async fn campaign(&self, team: &TeamId, id: i64) -> Result<ReviewCampaign, JobError> {
        self.store
            .get_review(team, id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("no access review {id}")))
    }

    /// The items with their accounts as they are now.
    async fn lines(&self, team: &TeamId, items: &[ReviewItem]) -> anyhow::Result<Vec<ReviewLine>> {
        let mut lines = Vec::with_capacity(items.len());
        for item in items {
            let Some(request) = self.store.get_request(team, item.request_id).await? else {
                continue;
            };
            lines.push(ReviewLine {
                item_id: item.id,
                state: item.state,
                decided_by: item.decided_by.clone().filter(|b| b != BOT_ACTOR),
                sponsor: item.sponsor.clone(),
                request,
            });
        }
        Ok(lines)
    }

    /// Job: the sponsor's DM (one message per 15 guests), once: items already posted are skipped.
    pub(in crate::workflow) async fn review_dm_job(
        &self,
        team: &TeamId,
        campaign_id: i64,
        sponsor: &str,
    ) -> Result<(), JobError> {
        let campaign = self.campaign(team, campaign_id).await?;
        let items: Vec<ReviewItem> = self
            .store
            .review_items(team, campaign_id)
            .await?
            .into_iter()
            .filter(|i| i.sponsor == sponsor && i.dm_ts.is_none() && i.state == ItemState::Pending)
            .collect();
        if items.is_empty() {
            return Ok(());
        }
        let tz = self
            .directory
            .person(&UserId::from(sponsor))
            .await
            .ok()
            .and_then(|p| p.tz);
        let lang = self.lang_of(&UserId::from(sponsor)).await;
        let lines = self.lines(team, &items).await?;
        for chunk in lines.chunks(REVIEW_ITEMS_PER_MESSAGE) {
            let content = render::review_message(
                &heading(&campaign),
                chunk,
                false,
                tz.as_deref(),
                self.now(),
                lang,
            );
            let (channel, ts) = self.slack.post_message_located(sponsor, content).await?;
            let ids: Vec<i64> = chunk.iter().map(|l| l.item_id).collect();
            self.store
                .set_review_message(team, &ids, ReviewMessage::Sponsor, &channel, &ts)
                .await?;
        }
        Ok(())
    }

    /// Job: the items waiting for approvers (unsponsored, or unanswered at the deadline), in
    /// the request channel, once each.
    pub(in crate::workflow) async fn review_escalation_job(
        &self,
        team: &TeamId,
        campaign_id: i64,
    ) -> Result<(), JobError> {
        let Some(channel) = self.settings().request_channel.clone() else {
            return Ok(());
        };
        let campaign = self.campaign(team, campaign_id).await?;
        let items: Vec<ReviewItem> = self
            .store
            .review_items(team, campaign_id)
            .await?
            .into_iter()
            .filter(|i| i.state == ItemState::Escalated && i.escalation_ts.is_none())
            .collect();
        let lines = self.lines(team, &items).await?;
        for chunk in lines.chunks(REVIEW_ITEMS_PER_MESSAGE) {
            let content = render::review_message(
                &heading(&campaign),
                chunk,
                true,
                None,
                self.now(),
                self.channel_lang(),
            );
            let ts = self
                .slack
                .post_message(channel.as_str(), content, None)
                .await?;
            let ids: Vec<i64> = chunk.iter().map(|l| l.item_id).collect();
            self.store
                .set_review_message(team, &ids, ReviewMessage::Escalation, channel.as_str(), &ts)
                .await?;
        }
        Ok(())
    }

    /// Job: the progress message, posted once and then updated with the counts of now.
    pub(in crate::workflow) async fn review_progress_job(
        &self,
        team: &TeamId,
        campaign_id: i64,
    ) -> Result<(), JobError> {
        let Some(channel) = self.settings().request_channel.clone() else {
            return Ok(());
        };
        let campaign = self.campaign(team, campaign_id).await?;
        let items = self.store.review_items(team, campaign_id).await?;
        let counts = progress(items.iter().map(|i| i.state));
        let content = render::review_progress(
            &heading(&campaign),
            &counts,
            campaign.closed_at.is_some(),
            self.channel_lang(),
        );
        match (&campaign.progress_channel, &campaign.progress_ts) {
            (Some(channel), Some(ts)) => self.slack.update_message(channel, ts, content).await?,
            _ => {
                let ts = self
                    .slack
                    .post_message(channel.as_str(), content, None)
                    .await?;
                self.store
                    .set_review_progress(team, campaign_id, channel.as_str(), &ts)
                    .await?;
            }
        }
        Ok(())
    }

    /// Job: re-render the messages showing one item (its sponsor's DM, the approvers' message).
    pub(in crate::workflow) async fn refresh_review_job(
        &self,
        team: &TeamId,
        campaign_id: i64,
        item_id: i64,
    ) -> Result<(), JobError> {
        let campaign = self.campaign(team, campaign_id).await?;
        let items = self.store.review_items(team, campaign_id).await?;
        let Some(item) = items.iter().find(|i| i.id == item_id).cloned() else {
            return Ok(());
        };
        if let (Some(channel), Some(ts)) = (&item.dm_channel, &item.dm_ts) {
            let same: Vec<ReviewItem> = items
                .iter()
                .filter(|i| i.dm_ts.as_ref() == Some(ts))
                .cloned()
                .collect();
            let sponsor = UserId::from(item.sponsor.as_str());
            let tz = self
                .directory
                .person(&sponsor)
                .await
                .ok()
                .and_then(|p| p.tz);
            let lang = self.lang_of(&sponsor).await;
            let lines = self.lines(team, &same).await?;
            let content = render::review_message(
                &heading(&campaign),
                &lines,
                false,
                tz.as_deref(),
                self.now(),
                lang,
            );
            self.slack.update_message(channel, ts, content).await?;
        }
        if let (Some(channel), Some(ts)) = (&self.settings().request_channel, &item.escalation_ts) {
            let same: Vec<ReviewItem> = items
                .iter()
                .filter(|i| i.escalation_ts.as_ref() == Some(ts))
                .cloned()
                .collect();
            let lines = self.lines(team, &same).await?;
            let content = render::review_message(
                &heading(&campaign),
                &lines,
                true,
                None,
                self.now(),
                self.channel_lang(),
            );
            self.slack
                .update_message(channel.as_str(), ts, content)
                .await?;
        }
        Ok(())
    }

    /// The jobs after an item changed: its messages and the progress message.
    fn review_changed_jobs(&self, team: &TeamId, campaign_id: i64, item_id: i64) -> Vec<NewJob> {
        vec![
            self.job(
                team,
                Job::RefreshReview {
                    campaign_id,
                    item_id,
                },
            ),
            self.job(team, Job::ReviewProgress { campaign_id }),
        ]
    }

    /// What a review or an access change did, where the lifecycle says it: the card (refreshed),
    /// its thread and, when given, the sponsor's DM.
    pub(super) fn review_news(
        &self,
        team: &TeamId,
        id: RequestId,
        thread: ReviewSay,
        dm: Option<ReviewSay>,
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
                    text: dm.into(),
                },
            ));
        }
        jobs
    }

    /// Keep / Shorten… / End on a review item.
    pub(in crate::workflow) async fn review_click(
        &self,
        team: &TeamId,
        user: &UserId,
        item_id: i64,
        answer: Answer,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let (item, request) = match self.answerable(team, user, item_id).await? {
            Ok(found) => found,
            Err(message) => return self.tell(team, feedback, message).await,
        };
        match answer {
            Answer::Shorten => {
                let tz = self.directory.person(user).await.ok().and_then(|p| p.tz);
                let lang = self.lang_of(user).await;
                let line = ReviewLine {
                    item_id,
                    state: item.state,
                    decided_by: None,
                    sponsor: item.sponsor.clone(),
                    request,
                };
                self.slack
                    .open_view(
                        trigger_id,
                        render::review_shorten_form(
                            &line,
                            &ReviewShortenMetadata { item_id, tz },
                            lang,
                        ),
                    )
                    .await?;
                Ok(())
            }
            Answer::Keep | Answer::End => {
                match self
                    .answer(team, user.as_str(), &item, &request, answer, None)
                    .await?
                {
                    AnswerOutcome::Answered => {
                        self.queued();
                        Ok(())
                    }
                    AnswerOutcome::AlreadyAnswered => {
                        self.tell(team, feedback, ReviewSay::AnsweredFirst).await
                    }
                    AnswerOutcome::RequestChanged(now) => {
                        if now.state != RequestState::Active {
                            self.gone(team, &item).await?;
                        }
                        self.tell(
                            team,
                            feedback,
                            ReviewSay::ChangedMeanwhile {
                                guest: ReviewGuest::of(&now),
                                state: now.state,
                            },
                        )
                        .await
                    }
                }
            }
        }
    }

    /// The Shorten form: errors on its field, or `None` once done.
    pub(in crate::workflow) async fn submit_review_shorten(
        &self,
        team: &TeamId,
        user: &UserId,
        metadata: &ReviewShortenMetadata,
        state: Option<&SlackViewState>,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        let lang = self.lang_of(user).await;
        let error = |message: String| {
            Ok(Some(HashMap::from([(
                REVIEW_DATE_BLOCK.to_string(),
                message,
            )])))
        };
        let (item, request) = match self.answerable(team, user, metadata.item_id).await? {
            Ok(found) => found,
            Err(message) => return error(message.text(lang)),
        };
        let Some(date) = state_value(state, REVIEW_DATE_BLOCK)
            .and_then(|v| v.selected_date.as_deref())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            return error(ReviewSay::PickNewEnd.text(lang));
        };
        let five = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
        let new_end = match local_to_utc(date, five, zone(metadata.tz.as_deref())) {
            Ok(at) => at,
            Err(e) => return error(problem(&e.into(), lang)),
        };
        if let Err(refusal) = check_shorter(new_end, request.expires_at, self.now()) {
            return error(problem(&refusal.into(), lang));
        }
        match self
            .answer(
                team,
                user.as_str(),
                &item,
                &request,
                Answer::Shorten,
                Some(new_end),
            )
            .await?
        {
            AnswerOutcome::Answered => {
                self.queued();
                Ok(None)
            }
            AnswerOutcome::AlreadyAnswered => error(ReviewSay::AnsweredFirstForm.text(lang)),
            AnswerOutcome::RequestChanged(now) => {
                if now.state != RequestState::Active {
                    self.gone(team, &item).await?;
                }
                error(ReviewSay::ChangedMeanwhileForm { state: now.state }.text(lang))
            }
        }
    }

    /// The item and its account, if `user` may answer for it now; else what to tell them.
    async fn answerable(
        &self,
        team: &TeamId,
        user: &UserId,
        item_id: i64,
    ) -> anyhow::Result<Result<(ReviewItem, GuestRequest), ReviewSay>> {
        let Some(item) = self.store.review_item(team, item_id).await? else {
            return Ok(Err(ReviewSay::NoSuchItem));
        };
        let Some(request) = self.store.get_request(team, item.request_id).await? else {
            return Ok(Err(ReviewSay::GuestGone));
        };
        if item.state.is_open() && request.state != RequestState::Active {
            self.gone(team, &item).await?;
            return Ok(Err(ReviewSay::NothingToReview {
                guest: ReviewGuest::of(&request),
                state: request.state,
            }));
        }
        let who = Answerer {
            // The sponsor asked, and still the sponsor (a reassignment moves the question).
            is_sponsor: item.sponsor == user.as_str()
                && request.requester.as_str() == user.as_str(),
            may_review: self.may_on(user, Right::Review, &request).await?.is_ok(),
            is_guest: request.slack_user_id.as_deref() == Some(user.as_str()),
        };
        if let Err(refusal) = may_answer(item.state, who) {
            return Ok(Err(ReviewSay::Refused { refusal }));
        }
        Ok(Ok((item, request)))
    }

    /// One answer (or the deadline's outcome, `by` = `guestlist`): the item's compare-and-set,
    /// the account's change, the audit row and the messages, in one transaction.
    async fn answer(
        &self,
        team: &TeamId,
        by: &str,
        item: &ReviewItem,
        request: &GuestRequest,
        answer: Answer,
        new_end: Option<DateTime<Utc>>,
    ) -> anyhow::Result<AnswerOutcome> {
        let to = answer.state();
        self.apply_item(team, by, item, request, to, new_end).await
    }

    async fn apply_item(
        &self,
        team: &TeamId,
        by: &str,
        item: &ReviewItem,
        request: &GuestRequest,
        to: ItemState,
        new_end: Option<DateTime<Utc>>,
    ) -> anyhow::Result<AnswerOutcome> {
        let campaign = item.campaign_id;
        let guest = ReviewGuest::of(request);
        // `None`: the deadline, not a person.
        let by_user = (by != BOT_ACTOR).then(|| UserId::from(by));
        let mut jobs = self.review_changed_jobs(team, campaign, item.id);
        let (audit, change) = match to {
            ItemState::Kept => (
                Some(self.audit(
                    team,
                    request,
                    by,
                    "review_keep",
                    None,
                    format!(
                        "review #{campaign}: kept until {}",
                        request
                            .expires_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "no end date".into())
                    ),
                )),
                None,
            ),
            ItemState::KeptUnanswered => (
                Some(self.audit(
                    team,
                    request,
                    by,
                    "review_unanswered",
                    None,
                    format!("review #{campaign}: no answer by the deadline; kept (review.outcome = keep)"),
                )),
                None,
            ),
            ItemState::Escalated => (
                Some(self.audit(
                    team,
                    request,
                    by,
                    "review_escalated",
                    None,
                    format!("review #{campaign}: no answer by the deadline; approvers decide"),
                )),
                None,
            ),
            ItemState::Shortened => {
                let new_end = new_end.ok_or_else(|| anyhow::anyhow!("a shortening needs an end"))?;
                let mut change = StateChange::new(
                    team,
                    request.id,
                    request.state,
                    request.state,
                    self.audit(
                        team,
                        request,
                        by,
                        "review_shorten",
                        Some(request.state),
                        format!(
                            "review #{campaign}: end moved from {} to {}",
                            request
                                .expires_at
                                .map(|t| t.to_rfc3339())
                                .unwrap_or_else(|| "no end date".into()),
                            new_end.to_rfc3339()
                        ),
                    ),
                );
                change.fields.expires_at = Some(new_end);
                change.only_if_expires_at = request.expires_at;
                jobs.extend(self.review_news(
                    team,
                    request.id,
                    ReviewSay::Shortened {
                        by: by_user.clone(),
                        guest: guest.clone(),
                        campaign,
                        ends: new_end,
                    },
                    (request.requester.as_str() != by).then(|| ReviewSay::ShortenedDm {
                        by: by_user.clone(),
                        guest: guest.clone(),
                        campaign,
                        ends: new_end,
                    }),
                ));
                jobs.extend(self.expiry_jobs(team, request, Some(new_end)));
                jobs.push(self.job(
                    team,
                    Job::SetExpiry {
                        request_id: request.id,
                    },
                ));
                (None, Some(change))
            }
            ItemState::Ended | ItemState::EndedUnanswered => {
                let next = transition(request.kind, request.state, Action::Revoke)
                    .map_err(anyhow::Error::from)?;
                let detail = if to == ItemState::Ended {
                    format!("review #{campaign}: ended by the reviewer") // audit
                } else {
                    format!("review #{campaign}: no answer by the deadline; ended (review.outcome = end)") // audit
                };
                let mut change = StateChange::new(
                    team,
                    request.id,
                    request.state,
                    next,
                    self.audit(team, request, by, "review_end", Some(next), detail),
                );
                if by != BOT_ACTOR {
                    change.fields.decided_by = Some(UserId::from(by));
                }
                let thread = if to == ItemState::Ended {
                    ReviewSay::Ended {
                        by: by_user.clone(),
                        guest: guest.clone(),
                        campaign,
                    }
                } else {
                    ReviewSay::EndedUnanswered {
                        guest: guest.clone(),
                        campaign,
                    }
                };
                jobs.extend(self.review_news(
                    team,
                    request.id,
                    thread.clone(),
                    (request.requester.as_str() != by).then_some(thread),
                ));
                jobs.push(self.job(
                    team,
                    Job::Deactivate {
                        request_id: request.id,
                    },
                ));
                (None, Some(change))
            }
            ItemState::Gone | ItemState::Pending => (
                Some(self.audit(
                    team,
                    request,
                    by,
                    "review_gone",
                    None,
                    format!("review #{campaign}: the access ended or changed before an answer"),
                )),
                None,
            ),
        };
        let outcome = self
            .store
            .answer_review(ReviewAnswer {
                team_id: team.clone(),
                item_id: item.id,
                from: item.state,
                to,
                by: by.to_string(),
                at: self.now(),
                change,
                audit,
                jobs,
            })
            .await?;
        if outcome == AnswerOutcome::Answered {
            metrics::counter!("review_answers_total", "answer" => to.as_str()).increment(1);
        }
        Ok(outcome)
    }

    /// The account ended or changed before the answer: the item says so.
    async fn gone(&self, team: &TeamId, item: &ReviewItem) -> anyhow::Result<()> {
        if let Some(request) = self.store.get_request(team, item.request_id).await? {
            self.apply_item(team, BOT_ACTOR, item, &request, ItemState::Gone, None)
                .await?;
            self.queued();
        }
        Ok(())
    }

    /// Job: the deadline. Each item still waiting for its sponsor gets the outcome (each in its
    /// own transaction; a retry skips those done), then the campaign closes.
    pub(in crate::workflow) async fn review_deadline_job(
        &self,
        team: &TeamId,
        campaign_id: i64,
    ) -> Result<(), JobError> {
        let campaign = self.campaign(team, campaign_id).await?;
        if campaign.closed_at.is_some() {
            return Ok(());
        }
        let outcome = campaign.outcome;
        let mut escalated = false;
        for item in self.store.review_items(team, campaign_id).await? {
            let Some(to) = at_deadline(item.state, outcome) else {
                continue;
            };
            let Some(request) = self.store.get_request(team, item.request_id).await? else {
                continue;
            };
            let to = if request.state == RequestState::Active {
                to
            } else {
                ItemState::Gone
            };
            escalated |= to == ItemState::Escalated;
            if let AnswerOutcome::RequestChanged(_) = self
                .apply_item(team, BOT_ACTOR, &item, &request, to, None)
                .await?
            {
                self.gone(team, &item).await?;
            }
        }
        let mut jobs = vec![self.job(team, Job::ReviewProgress { campaign_id })];
        if escalated || outcome == ReviewOutcome::Escalate {
            jobs.push(self.job(team, Job::ReviewEscalation { campaign_id }));
        }
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: BOT_ACTOR.into(),
            action: "review_closed".into(),
            from_state: None,
            to_state: None,
            detail: format!(
                "access review #{campaign_id}: deadline reached; unanswered: {}",
                outcome.as_str()
            ),
            at: self.now(),
        };
        self.store
            .close_review(team, campaign_id, self.now(), audit, jobs)
            .await?;
        self.queued();
        Ok(())
    }

    /// App Home's Start access review: every active guest, for holders of `review`.
    pub(in crate::workflow) async fn start_review_click(
        &self,
        team: &TeamId,
        user: &UserId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        if self.may_at_all(team, user, Right::Review).await?.is_err() {
            return self
                .tell(team, feedback, ReviewSay::OnlyReviewersStart)
                .await;
        }
        let started = self
            .start_review(
                team,
                ReviewStart {
                    scope: Scope::default(),
                    answer_within: None,
                    started_by: user.to_string(),
                },
            )
            .await?;
        let say = match started {
            ReviewStarted::Started {
                campaign,
                guests,
                sponsors,
            } => ReviewSay::Started {
                campaign: campaign.id,
                guests,
                sponsors,
                deadline: campaign.deadline,
            },
            ReviewStarted::AlreadyOpen(open) => ReviewSay::AlreadyOpen {
                campaign: open.id,
                deadline: open.deadline,
            },
            ReviewStarted::NoGuests => ReviewSay::NoGuests,
        };
        self.tell(team, feedback, say).await
    }
}
