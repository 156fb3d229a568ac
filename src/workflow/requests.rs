//! The request use cases: open the form, submit it, approve, deny, cancel.

use super::lifecycle::EmailOwner;
use super::{Feedback, Job, Workflow};
use crate::domain::expiry::{format_in_zone, zone};
use crate::domain::policy::{
    ActorFacts, Authority, Field, FieldErrors, Refusal, auto_approval, validate_request,
};
use crate::domain::request::{NewRequest, Source, transition};
use crate::domain::text::safe;
use crate::domain::{
    Action, ChannelId, GuestRequest, RequestId, RequestKind, RequestState, TeamId, UserGroupId,
    UserId,
};
use crate::slack::SlackCallError;
use crate::slack::payload::request_draft;
use crate::slack::render::{self, DenyMetadata, FormMetadata, field_block_id};
use crate::store::{
    Approval, AuditEntry, ChangeOutcome, ChangedFields, CreateOutcome, NewJob, StateChange,
};
use anyhow::Context;
use chrono::{DateTime, Utc};
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;
use std::time::Duration;

/// What a form submission answers: close (or replace) the modal, or errors on its blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitOutcome {
    Sent(Box<GuestRequest>),
    Errors(HashMap<String, String>),
}

/// Looking someone up must not eat the 3 seconds a trigger id lives.
const LOOKUP_BUDGET: Duration = Duration::from_millis(1200);

impl Workflow {
    /// Opens the request form (`views.open` must happen while the trigger id is fresh).
    /// Returns a message for the person when the form cannot be opened.
    pub(super) async fn open_request_form(
        &self,
        team_id: &TeamId,
        user: &UserId,
        trigger_id: &str,
        origin: Option<String>,
    ) -> anyhow::Result<Option<String>> {
        if self.settings.request_channel.is_none() {
            return Ok(Some(
                "Guestlist is not set up yet: an admin needs to set `slack.request_channel` in its configuration.".into(),
            ));
        }
        if let Some(refusal) = self.may_request(team_id, user).await? {
            return Ok(Some(refusal));
        }
        // The time zone only shapes how dates are read; if Slack is slow, fall back to UTC
        // rather than let the trigger id expire.
        let tz = match tokio::time::timeout(LOOKUP_BUDGET, self.directory.person(user)).await {
            Ok(Ok(person)) => person.tz,
            _ => None,
        };
        let view = render::request_form(&self.settings.policy, &FormMetadata { tz, origin });
        match self.slack.open_view(trigger_id, view).await {
            Ok(_) => Ok(None),
            Err(SlackCallError::Api { code, .. }) if code.contains("trigger") => {
                tracing::warn!(%team_id, %user, code, "trigger id expired before views.open");
                Ok(Some(
                    "That took Slack a moment too long. Please run `/guest` again.".into(),
                ))
            }
            Err(e) => Err(e).context("opening the request form"),
        }
    }

    /// `None` when `user` may ask for guests, else the reason they may not.
    async fn may_request(&self, team: &TeamId, user: &UserId) -> anyhow::Result<Option<String>> {
        let groups = &self.settings.requester_usergroups;
        if groups.is_empty()
            || self
                .directory
                .in_any_group(user, &self.group_versions(team, groups).await?)
                .await?
        {
            return Ok(None);
        }
        let names: Vec<String> = groups.iter().map(|g| format!("<!subteam^{g}>")).collect();
        Ok(Some(format!(
            "Only members of {} can ask for guest accounts.",
            names.join(" or ")
        )))
    }

    pub(super) async fn submit_request(
        &self,
        team_id: &TeamId,
        user: &UserId,
        state: Option<&SlackViewState>,
        metadata: &FormMetadata,
    ) -> anyhow::Result<SubmitOutcome> {
        let now = self.now();
        let tz = zone(metadata.tz.as_deref());
        let valid = match validate_request(&request_draft(state), &self.settings.policy, now, tz) {
            Ok(valid) => valid,
            Err(errors) => return Ok(SubmitOutcome::Errors(errors_by_block(&errors))),
        };
        if let Some(refusal) = self.may_request(team_id, user).await? {
            return Ok(SubmitOutcome::Errors(HashMap::from([(
                field_block_id(Field::Email).into(),
                refusal,
            )])));
        }
        if let Some(existing) = self
            .store
            .open_request_for_email(team_id, valid.email.as_str())
            .await?
        {
            return Ok(SubmitOutcome::Errors(
                self.duplicate_error(&existing, tz).await,
            ));
        }
        // A full member is refused here, on the field. When Slack cannot answer in time, the
        // check is made again before anything is sent (the provisioning job).
        match tokio::time::timeout(LOOKUP_BUDGET, self.email_owner(valid.email.as_str())).await {
            Ok(Ok(EmailOwner::FullMember)) => {
                return Ok(SubmitOutcome::Errors(HashMap::from([(
                    field_block_id(Field::Email).to_string(),
                    format!(
                        "{} is already a full member of this workspace. Guest access is for people outside it.",
                        valid.email
                    ),
                )])));
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::info!(error = %e, "member check deferred to the invitation"),
            Err(_) => tracing::info!("member check took too long; deferred to the invitation"),
        }
        let valid_copy = valid.clone();
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
            phone: None,
            account_team: None,
            source_user: None,
        };
        if let Some(rule) = auto_approval(&self.settings.auto_approve, &valid_copy, now) {
            return self.submit_auto_approved(new, rule.name.clone(), tz).await;
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
        let (max_attempts, stale_after) = (self.settings.max_attempts, self.settings.stale_after);
        let team = team_id.clone();
        let jobs = Box::new(move |r: &GuestRequest| -> Vec<NewJob> {
            let stale_at = r.created_at
                + chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::days(2));
            vec![
                Job::PostCard { request_id: r.id }.now(&team, now, max_attempts),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: format!(
                        "Your request *{}* for *{}* ({}) is waiting for an approver. I will tell you here when it is decided.",
                        r.id,
                        safe(&r.full_name, 100),
                        safe(r.email.as_str(), 254)
                    ),
                }
                .now(&team, now, max_attempts),
                Job::PublishHome { user: r.requester.to_string() }.now(&team, now, max_attempts),
                Job::StaleReminder { request_id: r.id }.at(&team, stale_at, max_attempts, Some(format!("stale:{}", r.id.0))),
            ]
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
            // Two submissions for one email raced and the other won: the unique index caught it.
            CreateOutcome::Duplicate(existing) => Ok(SubmitOutcome::Errors(
                self.duplicate_error(&existing, tz).await,
            )),
        }
    }

    /// A request inside an auto-approval rule: stored approved, in one transaction with its
    /// card, the sponsor's DM and the provisioning job; the card names the rule.
    async fn submit_auto_approved(
        &self,
        new: NewRequest,
        rule: String,
        tz: chrono_tz::Tz,
    ) -> anyhow::Result<SubmitOutcome> {
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
        let max_attempts = self.settings.max_attempts;
        let rule_name = rule.clone();
        let jobs: crate::store::JobsForEach = Box::new(move |r: &GuestRequest| {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&team, now, max_attempts),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: format!(
                        "Your request *{}* for *{}* ({}) was approved automatically by rule *{}*. The invitation comes next; I will keep you posted.",
                        r.id,
                        safe(&r.full_name, 100),
                        safe(r.email.as_str(), 254),
                        safe(&rule_name, 80)
                    ),
                }
                .now(&team, now, max_attempts),
                Job::PublishHome { user: r.requester.to_string() }.now(&team, now, max_attempts),
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
                Ok(SubmitOutcome::Sent(Box::new(request)))
            }
            // The email was taken between the check and the insert.
            None => match self
                .store
                .open_request_for_email(&new.team_id, new.email.as_str())
                .await?
            {
                Some(existing) => Ok(SubmitOutcome::Errors(
                    self.duplicate_error(&existing, tz).await,
                )),
                None => anyhow::bail!("auto-approved request for {} was not stored", new.email),
            },
        }
    }

    async fn duplicate_error(
        &self,
        existing: &GuestRequest,
        tz: chrono_tz::Tz,
    ) -> HashMap<String, String> {
        let who =
            match tokio::time::timeout(LOOKUP_BUDGET, self.directory.person(&existing.requester))
                .await
            {
                Ok(Ok(person)) => person.name,
                _ => existing.requester.to_string(),
            };
        let what = match existing.state {
            RequestState::Pending => "a request waiting for approval",
            RequestState::Approved | RequestState::Invited => "an approved request",
            _ => "an active guest account",
        };
        let message = format!(
            "{} already has {} ({}, asked by {} on {}).",
            existing.email,
            what,
            existing.id,
            who,
            format_in_zone(existing.created_at, tz)
        );
        HashMap::from([(field_block_id(Field::Email).to_string(), message)])
    }

    /// The actor's standing, looked up only as far as needed.
    pub(super) async fn actor_facts(
        &self,
        team: &TeamId,
        actor: &UserId,
    ) -> anyhow::Result<ActorFacts> {
        let rules = &self.settings.approvers;
        if rules.users.contains(actor) {
            return Ok(ActorFacts::default());
        }
        let in_approver_group = !rules.usergroups.is_empty()
            && self
                .directory
                .in_any_group(actor, &self.group_versions(team, &rules.usergroups).await?)
                .await
                .context("resolving approver groups")?;
        let is_workspace_admin = rules.workspace_admins
            && !in_approver_group
            && self
                .directory
                .person(actor)
                .await
                .context("looking up the approver")?
                .is_admin_or_owner;
        Ok(ActorFacts {
            in_approver_group,
            is_workspace_admin,
        })
    }

    /// The groups with the version each has now: a cached member list older than its group's
    /// version is read again (a `subteam_members_changed` on any replica bumps it).
    pub(super) async fn group_versions(
        &self,
        team: &TeamId,
        groups: &[UserGroupId],
    ) -> anyhow::Result<Vec<(UserGroupId, i64)>> {
        let ids: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let versions = self
            .store
            .usergroup_versions(team, &ids)
            .await
            .context("reading user group versions")?;
        Ok(groups
            .iter()
            .map(|g| {
                let version = versions
                    .iter()
                    .find(|(id, _)| id == g.as_str())
                    .map(|(_, v)| *v)
                    .unwrap_or(0);
                (g.clone(), version)
            })
            .collect())
    }

    /// Re-checked on every click: is `actor` allowed to decide `request`?
    pub(super) async fn authorize(
        &self,
        actor: &UserId,
        request: &GuestRequest,
    ) -> anyhow::Result<Result<Authority, Refusal>> {
        if actor == &request.requester {
            return Ok(Err(Refusal::OwnRequest));
        }
        let facts = self.actor_facts(&request.team_id, actor).await?;
        Ok(self
            .settings
            .approvers
            .may_decide(actor, facts, &request.requester, &request.channels))
    }

    /// Whether `actor` approves anything at all (App Home shows them the queue).
    pub(super) async fn is_approver(&self, team: &TeamId, actor: &UserId) -> anyhow::Result<bool> {
        let facts = self.actor_facts(team, actor).await?;
        Ok(self.settings.approvers.is_some_approver(actor, facts))
    }

    pub(super) fn refusal_text(&self, refusal: &Refusal, request: &GuestRequest) -> String {
        match refusal {
            Refusal::OwnRequest => format!(
                "You cannot decide your own request ({}). Another approver has to.",
                request.id
            ),
            Refusal::NotAnApprover => format!(
                "Only approvers can decide guest requests; {} is still waiting for one.",
                request.id
            ),
            Refusal::OutsideScope { channels } => format!(
                "You approve requests for your own channels only; {} also asks for {}.",
                request.id,
                channels
                    .iter()
                    .map(|c| format!("<#{c}>"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }

    pub(super) fn refused_audit(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        verb: &str,
        request: &GuestRequest,
        refusal: &Refusal,
    ) -> AuditEntry {
        AuditEntry {
            team_id: team_id.clone(),
            request_id: Some(request.id),
            actor: actor.to_string(),
            action: format!("refused_{verb}"),
            from_state: Some(request.state),
            to_state: None,
            detail: refusal.code().to_string(),
            at: self.now(),
        }
    }

    /// "Request #4 was already approved by @ada on …": what a late clicker is told.
    fn already_decided_text(&self, request: &GuestRequest) -> String {
        let by = request
            .decided_by
            .as_ref()
            .map(|u| format!(" by <@{u}>"))
            .unwrap_or_default();
        let when = request
            .decided_at
            .map(|at| format!(" {}", render::slack_date(at)))
            .unwrap_or_default();
        match request.state {
            RequestState::Cancelled => {
                format!("Request {} was cancelled by the requester.", request.id)
            }
            RequestState::Denied => format!("Request {} was already denied{by}{when}.", request.id),
            RequestState::Pending => {
                format!("Request {} is still waiting for a decision.", request.id)
            }
            _ => format!(
                "Request {} was already approved{by}{when}; it is now {}.",
                request.id,
                request.state.label()
            ),
        }
    }

    /// The jobs every decision brings: the card, its thread, the requester's DM and home.
    fn decision_jobs(
        &self,
        team_id: &TeamId,
        request: &GuestRequest,
        thread: String,
        dm: String,
    ) -> Vec<NewJob> {
        vec![
            self.job(
                team_id,
                Job::RefreshCard {
                    request_id: request.id,
                },
            ),
            self.job(
                team_id,
                Job::CardReply {
                    request_id: request.id,
                    text: thread,
                },
            ),
            self.job(
                team_id,
                Job::NotifyRequester {
                    request_id: request.id,
                    text: dm,
                },
            ),
            self.job(
                team_id,
                Job::PublishHome {
                    user: request.requester.to_string(),
                },
            ),
        ]
    }

    /// Loads a request for a decision, or tells the clicker why there is nothing to decide.
    async fn pending_request(
        &self,
        team_id: &TeamId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<Option<GuestRequest>> {
        let Some(request) = self.store.get_request(team_id, id).await? else {
            self.tell(team_id, feedback, format!("There is no request {id}."))
                .await?;
            return Ok(None);
        };
        if request.state != RequestState::Pending {
            self.tell(team_id, feedback, self.already_decided_text(&request))
                .await?;
            return Ok(None);
        }
        Ok(Some(request))
    }

    /// Refuses (audited, explained, card untouched) unless `actor` may decide `request`.
    async fn check_authority(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        verb: &str,
        request: &GuestRequest,
        feedback: &Feedback,
    ) -> anyhow::Result<bool> {
        match self.authorize(actor, request).await? {
            Ok(_) => Ok(true),
            Err(refusal) => {
                tracing::info!(request.id = request.id.0, %actor, reason = refusal.code(), "decision refused");
                let explain =
                    self.feedback_job(team_id, feedback, self.refusal_text(&refusal, request));
                self.store
                    .append_audit(
                        self.refused_audit(team_id, actor, verb, request, &refusal),
                        vec![explain],
                    )
                    .await?;
                self.queued();
                metrics::counter!("decisions_refused_total", "reason" => refusal.code())
                    .increment(1);
                Ok(false)
            }
        }
    }

    /// The Approve button.
    pub(super) async fn approve(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.pending_request(team_id, id, feedback).await? else {
            return Ok(());
        };
        if !self
            .check_authority(team_id, actor, "approve", &request, feedback)
            .await?
        {
            return Ok(());
        }
        self.decide(
            team_id,
            actor,
            request,
            Action::Approve,
            None,
            None,
            feedback,
        )
        .await
        .map(|_| ())
    }

    /// Applies a decision with a compare-and-set; a loser is told who decided first.
    /// Returns the request after the decision, or `None` when someone else decided first.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn decide(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        request: GuestRequest,
        action: Action,
        note: Option<String>,
        auto_rule: Option<String>,
        feedback: &Feedback,
    ) -> anyhow::Result<Option<GuestRequest>> {
        let now = self.now();
        let to = transition(request.kind, request.state, action)?;
        let expires_at = if action == Action::Approve {
            request.expiry.deadline(now)
        } else {
            None
        };
        let who = if auto_rule.is_some() {
            "Guestlist".to_string()
        } else {
            format!("<@{actor}>")
        };
        let (thread, dm) = match action {
            Action::Approve => (
                format!(":white_check_mark: Approved by {who}."),
                format!(
                    "Your request *{}* for *{}* was approved by {who}. {}",
                    request.id,
                    safe(&request.full_name, 100),
                    "The invitation comes next; I will keep you posted."
                ),
            ),
            Action::Deny => {
                let reason = note
                    .as_deref()
                    .map(|n| format!("\n>{}", safe(n, 500).replace('\n', "\n>")))
                    .unwrap_or_default();
                (
                    format!(":no_entry: Denied by {who}.{reason}"),
                    format!(
                        "Your request *{}* for *{}* was denied by {who}.{reason}",
                        request.id,
                        safe(&request.full_name, 100)
                    ),
                )
            }
            _ => unreachable!("decide handles approve and deny"),
        };
        let mut jobs = self.decision_jobs(team_id, &request, thread, dm);
        let mut parent_expiry = None;
        match (action, request.kind) {
            (Action::Approve, RequestKind::Guest) => {
                jobs.push(self.job(
                    team_id,
                    Job::Provision {
                        request_id: request.id,
                    },
                ));
                jobs.extend(self.expiry_jobs(team_id, &request, expires_at));
            }
            (Action::Approve, RequestKind::Extension) => {
                let (moved, more) = self.extension_approval(team_id, &request).await?;
                parent_expiry = moved;
                jobs.extend(more);
            }
            _ => {}
        }
        let change = StateChange {
            team_id: team_id.clone(),
            request_id: request.id,
            from: RequestState::Pending,
            to,
            at: now,
            fields: ChangedFields {
                decided_by: if auto_rule.is_some() {
                    None
                } else {
                    Some(actor.clone())
                },
                decided_at: Some(now),
                decision_note: note.clone(),
                auto_rule: auto_rule.clone(),
                expires_at,
                ..Default::default()
            },
            only_if_invited_before: None,
            only_if_expires_at: None,
            invitation_via: None,
            parent_expiry,
            audit: AuditEntry {
                team_id: team_id.clone(),
                request_id: Some(request.id),
                actor: auto_rule
                    .as_ref()
                    .map(|_| crate::store::BOT_ACTOR.to_string())
                    .unwrap_or_else(|| actor.to_string()),
                action: action.as_str().into(),
                from_state: Some(RequestState::Pending),
                to_state: Some(to),
                detail: match (&auto_rule, &note) {
                    (Some(rule), _) => format!("auto-approval rule {rule}"),
                    (None, Some(note)) => note.clone(),
                    (None, None) => String::new(),
                },
                at: now,
            },
            jobs,
        };
        match self.store.change_state(change).await? {
            ChangeOutcome::Applied(decided) => {
                self.queued();
                metrics::counter!("decisions_total", "outcome" => to.as_str()).increment(1);
                metrics::histogram!("request_decision_seconds")
                    .record((now - request.created_at).num_milliseconds() as f64 / 1000.0);
                tracing::info!(request.id = decided.id.0, %team_id, %actor, outcome = %to, "request decided");
                Ok(Some(decided))
            }
            ChangeOutcome::Conflict(current) => {
                self.tell(team_id, feedback, self.already_decided_text(&current))
                    .await?;
                Ok(None)
            }
            ChangeOutcome::NotFound => {
                self.tell(
                    team_id,
                    feedback,
                    format!("There is no request {}.", request.id),
                )
                .await?;
                Ok(None)
            }
            ChangeOutcome::ParentClosed => {
                self.tell(
                    team_id,
                    feedback,
                    format!("The guest account that {} would extend has ended, so there is nothing to extend.", request.id),
                )
                .await?;
                Ok(None)
            }
        }
    }

    /// The Deny button: checks authority, then asks for a reason in a modal.
    pub(super) async fn deny_click(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self.pending_request(team_id, id, feedback).await? else {
            return Ok(());
        };
        if !self
            .check_authority(team_id, actor, "deny", &request, feedback)
            .await?
        {
            return Ok(());
        }
        let metadata = DenyMetadata {
            request_id: id.0,
            response_url: feedback.response_url.clone(),
        };
        self.slack
            .open_view(trigger_id, render::deny_form(&request, &metadata))
            .await
            .context("opening the deny form")?;
        Ok(())
    }

    /// The deny form's submission. `Ok(None)` closes the modal; errors land on the reason block.
    pub(super) async fn submit_deny(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        metadata: &DenyMetadata,
        reason: String,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        let reason = reason.trim().to_string();
        let error = |message: String| {
            Ok(Some(HashMap::from([(
                render::DENY_REASON_BLOCK.to_string(),
                message,
            )])))
        };
        if reason.is_empty() {
            return error("Say why, so the requester knows what to change.".into());
        }
        let feedback = Feedback {
            user: actor.clone(),
            response_url: metadata.response_url.clone(),
            channel: None,
            message_ts: None,
        };
        let Some(request) = self
            .store
            .get_request(team_id, RequestId(metadata.request_id))
            .await?
        else {
            return error(format!("There is no request #{}.", metadata.request_id));
        };
        if request.state != RequestState::Pending {
            return error(strip_mrkdwn(&self.already_decided_text(&request)));
        }
        if let Err(refusal) = self.authorize(actor, &request).await? {
            let audit = self.refused_audit(team_id, actor, "deny", &request, &refusal);
            self.store.append_audit(audit, vec![]).await?;
            return error(strip_mrkdwn(&self.refusal_text(&refusal, &request)));
        }
        match self
            .decide(
                team_id,
                actor,
                request,
                Action::Deny,
                Some(reason),
                None,
                &feedback,
            )
            .await?
        {
            Some(_) => Ok(None),
            None => {
                let current = self
                    .store
                    .get_request(team_id, RequestId(metadata.request_id))
                    .await?;
                error(
                    current
                        .map(|c| strip_mrkdwn(&self.already_decided_text(&c)))
                        .unwrap_or_default(),
                )
            }
        }
    }

    /// `/guest cancel <id>`: the requester withdraws a pending request.
    pub(super) async fn cancel(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        id: RequestId,
    ) -> anyhow::Result<String> {
        let Some(request) = self.store.get_request(team_id, id).await? else {
            return Ok(format!("There is no request {id}."));
        };
        if &request.requester != actor {
            return Ok(format!(
                "Only the person who asked can cancel request {id}."
            ));
        }
        if request.state != RequestState::Pending {
            return Ok(format!(
                "Request {id} is {} and can no longer be cancelled.",
                request.state.label()
            ));
        }
        let now = self.now();
        let change = StateChange {
            team_id: team_id.clone(),
            request_id: id,
            from: RequestState::Pending,
            to: RequestState::Cancelled,
            at: now,
            fields: ChangedFields::default(),
            only_if_invited_before: None,
            only_if_expires_at: None,
            invitation_via: None,
            parent_expiry: None,
            audit: AuditEntry {
                team_id: team_id.clone(),
                request_id: Some(id),
                actor: actor.to_string(),
                action: "cancel".into(),
                from_state: Some(RequestState::Pending),
                to_state: Some(RequestState::Cancelled),
                detail: String::new(),
                at: now,
            },
            jobs: vec![
                self.job(team_id, Job::RefreshCard { request_id: id }),
                self.job(
                    team_id,
                    Job::CardReply {
                        request_id: id,
                        text: format!(":no_entry_sign: Cancelled by <@{actor}>."),
                    },
                ),
                self.job(
                    team_id,
                    Job::PublishHome {
                        user: actor.to_string(),
                    },
                ),
            ],
        };
        Ok(match self.store.change_state(change).await? {
            ChangeOutcome::Applied(_) => {
                self.queued();
                format!("Request {id} is cancelled.")
            }
            ChangeOutcome::Conflict(current) => self.already_decided_text(&current),
            ChangeOutcome::NotFound | ChangeOutcome::ParentClosed => {
                format!("There is no request {id}.")
            }
        })
    }

    /// Who can decide `request`, as Slack mentions (users, groups, channel-scoped approvers).
    pub(super) fn approver_mentions(&self, request: &GuestRequest) -> String {
        self.approver_mention_list(request).join(" ")
    }

    fn approver_mention_list(&self, request: &GuestRequest) -> Vec<String> {
        let rules = &self.settings.approvers;
        let mut who: Vec<String> = rules.users.iter().map(|u| format!("<@{u}>")).collect();
        who.extend(rules.usergroups.iter().map(|g| format!("<!subteam^{g}>")));
        who.extend(
            rules
                .channel_scoped
                .iter()
                .filter(|s| {
                    request
                        .channels
                        .iter()
                        .all(|c: &ChannelId| s.channels.contains(c))
                })
                .map(|s| format!("<@{}>", s.user)),
        );
        who
    }

    /// The reminder text for a request that has waited too long, naming who can decide it.
    pub(super) fn stale_reminder_text(&self, request: &GuestRequest, now: DateTime<Utc>) -> String {
        let mut who = self.approver_mention_list(request);
        if self.settings.approvers.workspace_admins {
            who.push("workspace admins".into());
        }
        let hours = (now - request.created_at).num_hours();
        format!(
            ":alarm_clock: Request {} has waited {hours} hours for a decision. {} can approve or deny it above.",
            request.id,
            if who.is_empty() {
                "An approver".to_string()
            } else {
                who.join(", ")
            }
        )
    }
}

fn errors_by_block(errors: &FieldErrors) -> HashMap<String, String> {
    errors
        .0
        .iter()
        .map(|(field, message)| (field_block_id(*field).to_string(), message.clone()))
        .collect()
}

/// Modal errors are plain text: turn `<@U1>` into `U1` and drop the bold marks.
fn strip_mrkdwn(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let inner = &rest[start + 1..start + end];
        let shown = inner.rsplit('|').next().unwrap_or(inner);
        out.push_str(shown.trim_start_matches(['@', '#', '!']));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace('*', "")
}

#[cfg(test)]
mod tests {
    use super::strip_mrkdwn;

    #[test]
    fn modal_errors_lose_mrkdwn() {
        assert_eq!(
            strip_mrkdwn("Request *#4* was already approved by <@U1> <!date^1^{x}|Mon 1 Jan>."),
            "Request #4 was already approved by U1 Mon 1 Jan."
        );
    }
}
