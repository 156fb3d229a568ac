//! Changes to a live guest: an approver removes channels or ends the access earlier (applied
//! now, audited), or asks for more channels or a later end (an extension request of its own,
//! decided on its card like any request). The channels change in Slack through the provisioner,
//! after the account is checked to be that guest still; the store records them once done.

use super::super::{Feedback, Job, JobError, Workflow};
use crate::domain::expiry::{local_to_utc, zone};
use crate::domain::problem::Problem;
use crate::domain::request::NewRequest;
use crate::domain::review::check_shorter;
use crate::domain::roles::Right;
use crate::domain::{
    ChannelId, Expiry, GuestRequest, GuestType, RequestId, RequestKind, RequestState, TeamId,
    UserId,
};
use crate::provision::{Changed, Done, change_channels};
use crate::slack::ids::{
    CHANGE_CHANNELS_BLOCK, CHANGE_DATE_BLOCK, CHANGE_REASON_BLOCK, ChangeAccessMetadata,
};
use crate::slack::payload::state_value;
use crate::slack::render;
use crate::slack::say::{ReviewGuest, ReviewSay, problem};
use crate::store::{AuditEntry, BOT_ACTOR, CreateOutcome, StateChange};
use crate::workflow::authority::MayClick;
use chrono::{NaiveDate, NaiveTime};
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;

impl Workflow {
    /// Change access…: the form, for approvers of this guest.
    pub(in crate::workflow) async fn change_access_click(
        &self,
        team: &TeamId,
        user: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .clicked_request(
                team,
                user,
                id,
                "change_access",
                MayClick::Holder(Right::Decide),
                feedback,
            )
            .await?
        else {
            return Ok(());
        };
        if request.state != RequestState::Active
            || request.kind != RequestKind::Guest
            || request.guest_type == GuestType::Member
        {
            return self
                .tell(
                    team,
                    feedback,
                    ReviewSay::ChangeNotActive {
                        id,
                        state: request.state,
                    },
                )
                .await;
        }
        let tz = self.directory.person(user).await.ok().and_then(|p| p.tz);
        let lang = self.lang_of(user).await;
        let metadata = ChangeAccessMetadata {
            request_id: id.0,
            version: request.version,
            tz,
        };
        self.slack
            .open_view(
                trigger_id,
                render::change_access_form(
                    &request,
                    &metadata,
                    self.settings().policy.max_channels,
                    lang,
                ),
            )
            .await?;
        Ok(())
    }

    /// The change form: errors on their fields, or `None` once done (narrowing applied, and
    /// widening, if any, waiting for approvers).
    pub(in crate::workflow) async fn submit_change_access(
        &self,
        team: &TeamId,
        user: &UserId,
        metadata: &ChangeAccessMetadata,
        state: Option<&SlackViewState>,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        // The form's errors, in the submitter's language.
        let lang = self.lang_of(user).await;
        let error =
            |block: &str, message: String| Ok(Some(HashMap::from([(block.to_string(), message)])));
        let say = |say: ReviewSay| say.text(lang);
        let id = RequestId(metadata.request_id);
        let Some(request) = self.store.get_request(team, id).await? else {
            return error(CHANGE_CHANNELS_BLOCK, say(ReviewSay::GuestGone));
        };
        if self.may_on(user, Right::Decide, &request).await?.is_err() {
            return error(CHANGE_CHANNELS_BLOCK, say(ReviewSay::ChangeNotApprover));
        }
        if request.state != RequestState::Active
            || request.version != metadata.version
            || request.guest_type == GuestType::Member
        {
            return error(
                CHANGE_CHANNELS_BLOCK,
                say(ReviewSay::ChangeStale {
                    id,
                    state: request.state,
                }),
            );
        }
        let mut channels: Vec<ChannelId> = Vec::new();
        for c in state_value(state, CHANGE_CHANNELS_BLOCK)
            .and_then(|v| v.selected_conversations.clone())
            .unwrap_or_default()
        {
            let c = ChannelId::from(c.0.as_str());
            if !channels.contains(&c) {
                channels.push(c);
            }
        }
        if channels.is_empty() {
            return error(CHANGE_CHANNELS_BLOCK, say(ReviewSay::ChangeNoChannel));
        }
        if request.guest_type == GuestType::SingleChannel && channels.len() > 1 {
            return error(CHANGE_CHANNELS_BLOCK, say(ReviewSay::ChangeOneChannel));
        }
        let now = self.now();
        let new_end = match state_value(state, CHANGE_DATE_BLOCK)
            .and_then(|v| v.selected_date.as_deref())
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d"))
        {
            None => None,
            Some(Err(_)) => return error(CHANGE_DATE_BLOCK, say(ReviewSay::ChangePickDate)),
            Some(Ok(date)) => {
                let five = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
                match local_to_utc(date, five, zone(metadata.tz.as_deref())) {
                    Ok(at) if at <= now => {
                        return error(
                            CHANGE_DATE_BLOCK,
                            problem(&Problem::PickDateAfterToday, lang),
                        );
                    }
                    Ok(at) => Some(at),
                    Err(e) => {
                        return error(CHANGE_DATE_BLOCK, problem(&e.into(), lang));
                    }
                }
            }
        };
        let reason = state_value(state, CHANGE_REASON_BLOCK)
            .and_then(|v| v.value.clone())
            .unwrap_or_default()
            .trim()
            .to_string();
        if reason.is_empty() {
            return error(CHANGE_REASON_BLOCK, say(ReviewSay::ChangeNoReason));
        }
        let mut removed: Vec<ChannelId> = request
            .channels
            .iter()
            .filter(|c| !channels.contains(c))
            .cloned()
            .collect();
        let added: Vec<ChannelId> = channels
            .iter()
            .filter(|c| !request.channels.contains(c))
            .cloned()
            .collect();
        // A day picked equal to the current end's day is no change.
        let new_end = new_end.filter(|at| {
            request
                .expires_at
                .is_none_or(|current| (current - *at).num_hours().abs() >= 24)
        });
        let earlier = new_end.filter(|at| check_shorter(*at, request.expires_at, now).is_ok());
        let later = new_end.filter(|at| request.expires_at.is_some_and(|c| *at > c));
        if removed.is_empty() && added.is_empty() && earlier.is_none() && later.is_none() {
            return error(CHANGE_CHANNELS_BLOCK, say(ReviewSay::ChangeNothing));
        }
        if !added.is_empty() && later.is_some() {
            return error(CHANGE_DATE_BLOCK, say(ReviewSay::ChangeOneAtATime));
        }
        // Every channel replaced: the old ones go only when approvers grant the new ones, so the
        // guest is never left in no channel.
        let replaced = !added.is_empty() && removed.len() == request.channels.len();
        if replaced {
            removed.clear();
        }
        // Widening first: if an extension is already waiting, nothing at all is applied.
        if !added.is_empty() || later.is_some() {
            let expiry = match (later, request.expires_at) {
                (Some(at), _) | (None, Some(at)) => Expiry::At { at },
                (None, None) => Expiry::Never,
            };
            // In the same form, an earlier end is the one the extension keeps.
            let expiry = match (earlier, expiry) {
                (Some(at), Expiry::At { .. } | Expiry::Never) if later.is_none() => {
                    Expiry::At { at }
                }
                (_, expiry) => expiry,
            };
            let wanted: Vec<ChannelId> = channels.clone();
            let (quorum, decide_by) = self.approval_terms(
                &crate::domain::quorum::Terms {
                    guest_type: request.guest_type,
                    channels: wanted.clone(),
                    expiry,
                },
                &request.email,
                now,
            );
            let new = NewRequest {
                team_id: team.clone(),
                kind: RequestKind::Extension,
                parent_id: Some(id),
                requester: user.clone(),
                email: request.email.clone(),
                full_name: request.full_name.clone(),
                organisation: request.organisation.clone(),
                reason: reason.clone(),
                guest_type: request.guest_type,
                channels: wanted,
                expiry,
                source: if added.is_empty() {
                    crate::domain::request::Source::Form
                } else {
                    crate::domain::request::Source::AccessChange
                },
                sync_rule: None,
                profile: Default::default(),
                slack_invite_request: None,
                account_team: None,
                source_user: None,
                quorum,
                decide_by,
            };
            let audit = AuditEntry {
                team_id: team.clone(),
                request_id: None,
                actor: user.to_string(),
                action: "submit_extension".into(),
                from_state: None,
                to_state: Some(RequestState::Pending),
                detail: format!(
                    "widens {id}: adds [{}]{}",
                    added
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    later
                        .map(|at| format!("; ends {}", at.to_rfc3339()))
                        .unwrap_or_default()
                ),
                at: now,
            };
            let (team_for_jobs, max) = (team.clone(), self.settings().max_attempts);
            let timers = self.pending_timers();
            let jobs = Box::new(move |r: &GuestRequest| {
                let mut jobs = vec![
                    Job::PostCard { request_id: r.id }.now(&team_for_jobs, now, max),
                    Job::NotifyRequester {
                        request_id: r.id,
                        text: ReviewSay::ChangeWidenWaiting {
                            id: r.id,
                            name: r.full_name.clone(),
                        }
                        .into(),
                    }
                    .now(&team_for_jobs, now, max),
                ];
                jobs.extend(timers.jobs(&team_for_jobs, r));
                jobs
            });
            if let CreateOutcome::Duplicate(_) = self
                .store
                .create_request(&new, RequestState::Pending, now, audit, jobs)
                .await?
            {
                return error(
                    CHANGE_CHANNELS_BLOCK,
                    say(ReviewSay::ChangeExtensionWaiting),
                );
            }
        }
        if !removed.is_empty() || earlier.is_some() {
            let mut detail = format!("reason: {reason}");
            if !removed.is_empty() {
                detail.push_str(&format!(
                    "; removes [{}]",
                    removed
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if let Some(at) = earlier {
                detail.push_str(&format!(
                    "; end moved from {} to {}",
                    request
                        .expires_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "no end date".into()),
                    at.to_rfc3339()
                ));
            }
            let text = ReviewSay::Changed {
                by: user.clone(),
                guest: ReviewGuest::of(&request),
                removed: removed.clone(),
                ends: earlier,
            };
            let mut jobs = self.review_news(
                team,
                id,
                text.clone(),
                (request.requester != *user).then_some(text),
            );
            if !removed.is_empty() {
                jobs.push(self.job(
                    team,
                    Job::ChangeChannels {
                        request_id: id,
                        add: Vec::new(),
                        remove: removed.iter().map(|c| c.to_string()).collect(),
                    },
                ));
            }
            let audit = self.audit(
                team,
                &request,
                user.as_str(),
                "change_access",
                Some(request.state),
                detail,
            );
            match earlier {
                Some(at) => {
                    jobs.extend(self.expiry_jobs(team, &request, Some(at)));
                    jobs.push(self.job(team, Job::SetExpiry { request_id: id }));
                    let mut change =
                        StateChange::new(team, id, request.state, request.state, audit);
                    change.fields.expires_at = Some(at);
                    change.only_if_expires_at = request.expires_at;
                    change.jobs = jobs;
                    if !matches!(
                        self.store.change_state(change).await?,
                        crate::store::ChangeOutcome::Applied(_)
                    ) {
                        return error(CHANGE_DATE_BLOCK, say(ReviewSay::ChangeEndMoved));
                    }
                }
                None => self.store.append_audit(audit, jobs).await?,
            }
        }
        metrics::counter!("access_changes_total").increment(1);
        self.queued();
        Ok(None)
    }

    /// Job: add the guest to channels and take it out of others, on the checked account; then
    /// record the channels (an admin task in modes whose directory has no channels).
    pub(in crate::workflow) async fn change_channels_job(
        &self,
        team: &TeamId,
        request: GuestRequest,
        add: Vec<String>,
        remove: Vec<String>,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Active {
            return Ok(());
        }
        let add: Vec<ChannelId> = add.iter().map(|c| ChannelId::from(c.as_str())).collect();
        let remove: Vec<ChannelId> = remove.iter().map(|c| ChannelId::from(c.as_str())).collect();
        let provisioner = self.provisioner(&request);
        let guest = ReviewGuest::of(&request);
        let changed =
            match change_channels(provisioner.as_ref(), &self.bound(&request), &add, &remove).await
            {
                Ok(changed) => changed,
                // Retrying will not help: approvers are told in the card's thread, the request
                // keeps the channels Slack still has.
                Err(
                    crate::provision::ProvisionError::Configuration(problem)
                    | crate::provision::ProvisionError::Refused(problem)
                    | crate::provision::ProvisionError::Fatal(problem),
                ) => {
                    let audit = self.audit(
                        team,
                        &request,
                        BOT_ACTOR,
                        "channels_change_failed",
                        None,
                        problem.clone(),
                    );
                    let note = self.job(
                        team,
                        Job::CardReply {
                            request_id: request.id,
                            text: ReviewSay::ChannelsFailed { guest, problem }.into(),
                        },
                    );
                    self.store.append_audit(audit, vec![note]).await?;
                    self.queued();
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            };
        match changed {
            Changed::Made { done, id } => {
                let mut channels: Vec<ChannelId> = request
                    .channels
                    .iter()
                    .filter(|c| !remove.contains(c))
                    .cloned()
                    .collect();
                for c in &add {
                    if !channels.contains(c) {
                        channels.push(c.clone());
                    }
                }
                let text = match done {
                    Done::Completed => ReviewSay::ChannelsNow {
                        guest: guest.clone(),
                        channels: channels.clone(),
                    },
                    Done::AdminTask => ReviewSay::ChannelsAdminTask {
                        add: add.clone(),
                        remove: remove.clone(),
                        user: request.slack_user_id.as_deref().map(UserId::from),
                        account: id.clone(),
                        channels: channels.clone(),
                    },
                };
                let audit = self.audit(
                    team,
                    &request,
                    BOT_ACTOR,
                    "channels_changed",
                    None,
                    format!(
                        "+[{}] -[{}] on {id}{}",
                        add.iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        remove
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        if done == Done::AdminTask {
                            " (admin task)"
                        } else {
                            ""
                        }
                    ),
                );
                let jobs = vec![
                    self.job(
                        team,
                        Job::RefreshCard {
                            request_id: request.id,
                        },
                    ),
                    self.job(
                        team,
                        Job::CardReply {
                            request_id: request.id,
                            text: text.into(),
                        },
                    ),
                ];
                self.store
                    .set_channels(team, request.id, &channels, audit, jobs)
                    .await?;
            }
            Changed::AlreadyDone => {}
            Changed::Refused(refusal) => {
                let audit = self.audit(
                    team,
                    &request,
                    BOT_ACTOR,
                    "channels_refused",
                    None,
                    refusal.code().to_string(),
                );
                let note = self.job(
                    team,
                    Job::CardReply {
                        request_id: request.id,
                        text: ReviewSay::ChannelsRefused {
                            guest: guest.clone(),
                            refusal: refusal.clone(),
                        }
                        .into(),
                    },
                );
                self.store.append_audit(audit, vec![note]).await?;
            }
        }
        self.queued();
        Ok(())
    }
}
