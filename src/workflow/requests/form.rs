//! Opening and submitting the request form; requests that an auto-approval rule decides.

use super::{LOOKUP_BUDGET, SubmitOutcome, errors_by_block};
use crate::domain::expiry::zone;
use crate::domain::policy::{Field, auto_approval, validate_request};
use crate::domain::profile::ProfileField;
use crate::domain::request::{NewRequest, Source};
use crate::domain::roles::Right;
use crate::domain::{GuestRequest, RequestKind, RequestState, TeamId, UserId};
use crate::slack::SlackCallError;
use crate::slack::ids::{FormMetadata, field_block_id};
use crate::slack::payload::request_draft;
use crate::slack::render;
use crate::slack::say::{CommonSay, RequestSay, Say};
use crate::store::{Approval, AuditEntry, CreateOutcome, NewJob};
use crate::workflow::lifecycle::EmailOwner;
use crate::workflow::{Job, Workflow};
use anyhow::Context;
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;

impl Workflow {
    /// Opens the request form (`views.open` must happen while the trigger id is fresh).
    /// Returns what to tell the person when the form cannot be opened.
    pub(in crate::workflow) async fn open_request_form(
        &self,
        team_id: &TeamId,
        user: &UserId,
        trigger_id: &str,
        origin: Option<String>,
    ) -> anyhow::Result<Option<Say>> {
        if self.settings().request_channel.is_none() {
            return Ok(Some(CommonSay::NotSetUp.into()));
        }
        if let Some(refusal) = self.may_request(team_id, user).await? {
            return Ok(Some(refusal));
        }
        // The time zone only shapes how dates are read; if Slack is slow, fall back to UTC
        // (and the workspace's language) rather than let the trigger id expire.
        let viewer = self.viewer(user).await;
        let view = render::request_form(
            &self.settings().policy,
            &FormMetadata {
                tz: viewer.tz,
                origin,
            },
            None,
            viewer.lang,
        );
        match self.slack.open_view(trigger_id, view).await {
            Ok(_) => Ok(None),
            Err(SlackCallError::Api { code, .. }) if code.contains("trigger") => {
                tracing::warn!(%team_id, %user, code, "trigger id expired before views.open");
                Ok(Some(
                    CommonSay::TooSlow {
                        command: "/guest".into(),
                    }
                    .into(),
                ))
            }
            Err(e) => Err(e).context("opening the request form"),
        }
    }

    /// `None` when `user` may ask for guests, else the reason they may not. Looked up within
    /// the time a trigger id lives.
    pub(in crate::workflow) async fn may_request(
        &self,
        team: &TeamId,
        user: &UserId,
    ) -> anyhow::Result<Option<Say>> {
        let checked =
            tokio::time::timeout(LOOKUP_BUDGET, self.may_at_all(team, user, Right::Request)).await;
        match checked {
            Err(_) => Ok(Some(CommonSay::WhoAreYouTimeout.into())),
            Ok(allowed) => Ok(match allowed? {
                Ok(()) => None,
                Err(_) => {
                    let groups: Vec<_> = self
                        .settings()
                        .roles
                        .0
                        .iter()
                        .filter(|r| r.rights.contains(&Right::Request))
                        .flat_map(|r| r.holders.usergroups.iter().cloned())
                        .collect();
                    Some(if groups.is_empty() {
                        RequestSay::NotAllowedToRequest.into()
                    } else {
                        RequestSay::OnlyMembersOf { groups }.into()
                    })
                }
            }),
        }
    }

    pub(in crate::workflow) async fn submit_request(
        &self,
        team_id: &TeamId,
        user: &UserId,
        state: Option<&SlackViewState>,
        metadata: &FormMetadata,
    ) -> anyhow::Result<SubmitOutcome> {
        let now = self.now();
        let tz = zone(metadata.tz.as_deref());
        let lang = self.viewer(user).await.lang;
        let on_email = |say: Say| {
            SubmitOutcome::Errors(HashMap::from([(
                field_block_id(Field::Email).to_string(),
                say.plain(lang),
            )]))
        };
        let valid = match validate_request(&request_draft(state), &self.settings().policy, now, tz)
        {
            Ok(valid) => valid,
            Err(errors) => return Ok(SubmitOutcome::Errors(errors_by_block(&errors, lang))),
        };
        if let Some(refusal) = self.may_request(team_id, user).await? {
            return Ok(on_email(refusal));
        }
        if let Some(existing) = self
            .store
            .open_request_for_email(team_id, valid.email.as_str())
            .await?
        {
            return self.held(user, &existing, Held::Email, tz, lang).await;
        }
        if let Some(phone) = &valid.profile.phone
            && let Some(existing) = self.store.open_request_for_phone(team_id, phone).await?
        {
            return self.held(user, &existing, Held::Phone, tz, lang).await;
        }
        // A full member is refused here, on the field. When Slack cannot answer in time, the
        // check is made again before anything is sent (the provisioning job).
        match tokio::time::timeout(LOOKUP_BUDGET, self.email_owner(valid.email.as_str())).await {
            Ok(Ok(EmailOwner::FullMember)) => {
                return Ok(on_email(
                    RequestSay::AlreadyFullMember {
                        email: valid.email.to_string(),
                    }
                    .into(),
                ));
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::info!(error = %e, "member check deferred to the invitation"),
            Err(_) => tracing::info!("member check took too long; deferred to the invitation"),
        }
        let valid_copy = valid.clone();
        let terms = crate::domain::quorum::Terms {
            guest_type: valid.guest_type,
            channels: valid.channels.clone(),
            expiry: valid.expiry,
        };
        let (quorum, decide_by) = self.approval_terms(&terms, &valid.email, now);
        let new = NewRequest {
            team_id: team_id.clone(),
            kind: RequestKind::Guest,
            parent_id: None,
            requester: user.clone(),
            email: valid.email,
            full_name: valid.full_name,
            organisation: valid.organisation,
            reason: valid.reason,
            guest_type: valid.guest_type,
            channels: valid.channels,
            expiry: valid.expiry,
            source: Source::Form,
            sync_rule: None,
            profile: valid.profile,
            slack_invite_request: None,
            account_team: None,
            source_user: None,
            quorum,
            decide_by,
        };
        if let Some(rule) = auto_approval(&self.settings().auto_approve, &valid_copy, now) {
            return match self.submit_auto_approved(new, rule.name.clone()).await? {
                Ok(outcome) => Ok(outcome),
                Err((existing, what)) => self.held(user, &existing, what, tz, lang).await,
            };
        }
        let audit = AuditEntry {
            team_id: team_id.clone(),
            request_id: None,
            actor: user.to_string(),
            action: "submit".into(),
            from_state: None,
            to_state: Some(RequestState::Pending),
            detail: format!("{} as {}", new.email, new.guest_type.as_str()),
            at: now,
        };
        let max_attempts = self.settings().max_attempts;
        let timers = self.pending_timers();
        let team = team_id.clone();
        let jobs = Box::new(move |r: &GuestRequest| -> Vec<NewJob> {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&team, now, max_attempts),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: RequestSay::WaitingDm {
                        id: r.id,
                        guest: r.full_name.clone(),
                        email: r.email.to_string(),
                    }
                    .into(),
                }
                .now(&team, now, max_attempts),
                Job::PublishHome {
                    user: r.requester.to_string(),
                }
                .now(&team, now, max_attempts),
            ];
            jobs.extend(timers.jobs(&team, r));
            jobs
        });
        let outcome = self
            .store
            .create_request(&new, RequestState::Pending, now, audit, jobs)
            .await?;
        self.queued();
        match outcome {
            CreateOutcome::Created(request) => {
                tracing::info!(request.id = request.id.0, %team_id, requester = %user, "request submitted");
                Ok(SubmitOutcome::Sent(Box::new(request)))
            }
            // Two submissions for one email (or phone) raced and the other won: the unique
            // index caught it.
            CreateOutcome::Duplicate(existing) => {
                self.held(user, &existing, Held::Email, tz, lang).await
            }
            CreateOutcome::PhoneTaken(existing) => {
                self.held(user, &existing, Held::Phone, tz, lang).await
            }
        }
    }

    /// A request inside an auto-approval rule: stored approved, in one transaction with its
    /// card, the sponsor's DM and the provisioning job; the card names the rule. `Err`: the
    /// email or the phone was taken meanwhile, and by what.
    async fn submit_auto_approved(
        &self,
        new: NewRequest,
        rule: String,
    ) -> anyhow::Result<Result<SubmitOutcome, (GuestRequest, Held)>> {
        let now = self.now();
        let team = new.team_id.clone();
        let approval = Approval {
            decided_by: None,
            auto_rule: Some(rule.clone()),
            audit_actor: crate::store::BOT_ACTOR.into(),
            audit_action: "auto_approve".into(),
            audit_detail: format!(
                "auto-approval rule {rule}; requested by {} as {}",
                new.requester,
                new.guest_type.as_str()
            ),
        };
        let provisioning = self.approved_jobs(&team);
        let max_attempts = self.settings().max_attempts;
        let rule_name = rule.clone();
        let jobs: crate::store::JobsForEach = Box::new(move |r: &GuestRequest| {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&team, now, max_attempts),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: RequestSay::AutoApprovedDm {
                        id: r.id,
                        guest: r.full_name.clone(),
                        email: r.email.to_string(),
                        rule: rule_name.clone(),
                    }
                    .into(),
                }
                .now(&team, now, max_attempts),
                Job::PublishHome {
                    user: r.requester.to_string(),
                }
                .now(&team, now, max_attempts),
            ];
            jobs.extend(provisioning(r));
            jobs
        });
        let created = self
            .store
            .create_approved(std::slice::from_ref(&new), &approval, now, jobs)
            .await?;
        self.queued();
        match created.into_iter().next() {
            Some(request) => {
                metrics::counter!("decisions_total", "outcome" => "approved").increment(1);
                tracing::info!(request.id = request.id.0, team_id = %request.team_id, requester = %request.requester, rule, "request approved by rule");
                Ok(Ok(SubmitOutcome::Sent(Box::new(request))))
            }
            // The email was taken between the check and the insert.
            None => match self
                .store
                .open_request_for_email(&new.team_id, new.email.as_str())
                .await?
            {
                Some(existing) => Ok(Err((existing, Held::Email))),
                None if let Some(phone) = &new.profile.phone
                    && let Some(existing) = self
                        .store
                        .open_request_for_phone(&new.team_id, phone)
                        .await? =>
                {
                    Ok(Err((existing, Held::Phone)))
                }
                None => anyhow::bail!("auto-approved request for {} was not stored", new.email),
            },
        }
    }

    /// The answer when the email or the phone already belongs to an open request or
    /// account: on that field, who holds it for an approver of that request, a neutral word for
    /// anyone else (who holds an address is not everyone's business).
    async fn held(
        &self,
        user: &UserId,
        existing: &GuestRequest,
        what: Held,
        tz: chrono_tz::Tz,
        lang: crate::i18n::Lang,
    ) -> anyhow::Result<SubmitOutcome> {
        let field = match what {
            Held::Email => Field::Email,
            Held::Phone => Field::Profile(ProfileField::Phone),
        };
        let say: Say = if self.may_on(user, Right::Decide, existing).await?.is_ok() {
            let requester = match tokio::time::timeout(
                LOOKUP_BUDGET,
                self.directory.person(&existing.requester),
            )
            .await
            {
                Ok(Ok(person)) => person.name,
                _ => existing.requester.to_string(),
            };
            let held = RequestSay::AlreadyHas {
                email: existing.email.to_string(),
                id: existing.id,
                state: existing.state,
                requester,
                at: existing.created_at,
                tz: tz.name().to_string(),
            };
            match what {
                Held::Email => held.into(),
                Held::Phone => RequestSay::PhoneHeld {
                    held: Box::new(held),
                }
                .into(),
            }
        } else {
            RequestSay::ContactTaken.into()
        };
        Ok(SubmitOutcome::Errors(HashMap::from([(
            field_block_id(field).to_string(),
            say.plain(lang),
        )])))
    }
}

/// Which contact of a new request an open request already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::workflow) enum Held {
    Email,
    Phone,
}
