//! Extending an account: the sponsor's reminders before the end, "let it expire", and the
//! extension form, whose submission is a request of its own for approvers to decide.

use crate::domain::expiry::{local_to_utc, zone};
use crate::domain::policy::check_expiry;
use crate::domain::request::{ExtensionEffect, NewRequest, extension_effect};
use crate::domain::roles::Right;
use crate::domain::{Expiry, GuestRequest, RequestId, RequestKind, RequestState, TeamId, UserId};
use crate::slack::ids::ExtendMetadata;
use crate::slack::render;
use crate::slack::say::{AccountSay, Who, problem};
use crate::store::{AuditEntry, BOT_ACTOR, CreateOutcome, NewJob};
use crate::workflow::authority::MayClick;
use crate::workflow::{Feedback, Job, JobError, Workflow};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

/// The longest extension asked for in days (a hundred years: no overflow, no accident).
const MAX_EXTENSION_DAYS: i64 = 36_500;

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

impl Workflow {
    /// Job: the sponsor's heads-up before the end, with Extend / Let it expire.
    pub(in crate::workflow) async fn expiry_reminder(
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
        let lang = self.lang_of(&request.requester).await;
        self.slack
            .post_message(
                request.requester.as_str(),
                render::expiry_reminder(&request, self.now(), lang),
                None,
            )
            .await?;
        Ok(())
    }

    /// Button: the sponsor lets the account end as planned (no more reminders for this deadline).
    pub(in crate::workflow) async fn let_expire(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .clicked_request(
                team,
                actor,
                id,
                "let_expire",
                MayClick::SponsorOr(Right::Revoke),
                feedback,
            )
            .await?
        else {
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
            AccountSay::LetExpire {
                who: Who::of(&request),
                at,
            },
        );
        self.store.append_audit(audit, vec![reply]).await?;
        self.queued();
        Ok(())
    }

    /// Button: open the extension form.
    pub(in crate::workflow) async fn extend_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(request) = self
            .clicked_request(
                team,
                actor,
                id,
                "extend",
                MayClick::SponsorOr(Right::Decide),
                feedback,
            )
            .await?
        else {
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
                    AccountSay::NothingToExtend {
                        id,
                        state: request.state,
                    },
                )
                .await;
        }
        let tz = self.directory.person(actor).await.ok().and_then(|p| p.tz);
        let metadata = ExtendMetadata {
            request_id: id.0,
            tz,
        };
        let lang = self.lang_of(actor).await;
        self.slack
            .open_view(
                trigger_id,
                render::extend_form(&request, &metadata, self.now(), lang),
            )
            .await?;
        Ok(())
    }

    /// The extension form: a new request (kind extension) for approvers, with its own card.
    pub(in crate::workflow) async fn submit_extension(
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
        // A modal's field errors, in the submitter's language.
        let lang = self.lang_of(actor).await;
        let error =
            |block: &str, message: String| Ok(Some(HashMap::from([(block.to_string(), message)])));
        let Some(parent) = self
            .store
            .get_request(team, RequestId(metadata.request_id))
            .await?
        else {
            return error(
                crate::slack::ids::EXTEND_MODE_BLOCK,
                AccountSay::ExtendGone.text(lang),
            );
        };
        let Some(current) = parent.expires_at else {
            return error(
                crate::slack::ids::EXTEND_MODE_BLOCK,
                AccountSay::ExtendNoEnd.text(lang),
            );
        };
        let now = self.now();
        let new_end = match mode.as_deref() {
            Some("date") => {
                let Some(date) = date
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                else {
                    return error(
                        crate::slack::ids::EXTEND_DATE_BLOCK,
                        AccountSay::ExtendPickDate.text(lang),
                    );
                };
                let five = NaiveTime::from_hms_opt(17, 0, 0).expect("valid time");
                match local_to_utc(date, five, zone(metadata.tz.as_deref())) {
                    Ok(at) => at,
                    Err(e) => {
                        return error(
                            crate::slack::ids::EXTEND_DATE_BLOCK,
                            problem(&e.into(), lang),
                        );
                    }
                }
            }
            _ => match days.as_deref().and_then(|d| d.trim().parse::<i64>().ok()) {
                Some(days) if (1..=MAX_EXTENSION_DAYS).contains(&days) => {
                    match current.checked_add_signed(Duration::days(days)) {
                        Some(end) => end,
                        None => {
                            return error(
                                crate::slack::ids::EXTEND_DAYS_BLOCK,
                                AccountSay::ExtendTooFar.text(lang),
                            );
                        }
                    }
                }
                Some(days) if days > MAX_EXTENSION_DAYS => {
                    return error(
                        crate::slack::ids::EXTEND_DAYS_BLOCK,
                        AccountSay::ExtendAtMost {
                            days: MAX_EXTENSION_DAYS,
                        }
                        .text(lang),
                    );
                }
                _ => {
                    return error(
                        crate::slack::ids::EXTEND_DAYS_BLOCK,
                        AccountSay::ExtendWholeDays.text(lang),
                    );
                }
            },
        };
        if new_end <= current {
            return error(
                crate::slack::ids::EXTEND_DATE_BLOCK,
                AccountSay::ExtendNotLater.text(lang),
            );
        }
        let block = if mode.as_deref() == Some("date") {
            crate::slack::ids::EXTEND_DATE_BLOCK
        } else {
            crate::slack::ids::EXTEND_DAYS_BLOCK
        };
        if let Err(message) =
            check_expiry(&Expiry::At { at: new_end }, &self.settings().policy, now)
        {
            return error(block, problem(&message, lang));
        }
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return error(
                crate::slack::ids::EXTEND_REASON_BLOCK,
                AccountSay::ExtendSayWhy.text(lang),
            );
        }
        let (quorum, decide_by) = self.approval_terms(
            &crate::domain::quorum::Terms {
                guest_type: parent.guest_type,
                channels: parent.channels.clone(),
                expiry: Expiry::At { at: new_end },
            },
            &parent.email,
            now,
        );
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
            actor: actor.to_string(),
            action: "submit_extension".into(),
            from_state: None,
            to_state: Some(RequestState::Pending),
            detail: format!("extends {} to {}", parent.id, new_end.to_rfc3339()),
            at: now,
        };
        let (team_for_jobs, max) = (team.clone(), self.settings().max_attempts);
        let timers = self.pending_timers();
        let jobs = Box::new(move |r: &GuestRequest| {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&team_for_jobs, now, max),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: AccountSay::ExtensionWaiting {
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
        match self
            .store
            .create_request(&new, RequestState::Pending, now, audit, jobs)
            .await?
        {
            CreateOutcome::Created(_) => {
                self.queued();
                Ok(None)
            }
            // An extension carries no phone: only a pending extension holds its key.
            CreateOutcome::Duplicate(_) | CreateOutcome::PhoneTaken(_) => error(
                crate::slack::ids::EXTEND_MODE_BLOCK,
                AccountSay::ExtendDuplicate.text(lang),
            ),
        }
    }

    /// Parts of an extension's approval: move the parent's deadline in the same transaction,
    /// but never earlier than it already is; add the channels it asks for that the account
    /// lacks (a job that changes them in Slack, then records them).
    pub(in crate::workflow) async fn extension_approval(
        &self,
        team: &TeamId,
        extension: &GuestRequest,
    ) -> anyhow::Result<(Option<(RequestId, DateTime<Utc>)>, Vec<NewJob>)> {
        let Some(parent_id) = extension.parent_id else {
            return Ok((None, Vec::new()));
        };
        let Some(parent) = self.store.get_request(team, parent_id).await? else {
            return Ok((None, Vec::new()));
        };
        // Other channels (Change access…): the channels change; the end never moves.
        if extension.source == crate::domain::request::Source::AccessChange {
            let add: Vec<String> = extension
                .channels
                .iter()
                .filter(|c| !parent.channels.contains(c))
                .map(|c| c.to_string())
                .collect();
            let remove: Vec<String> = parent
                .channels
                .iter()
                .filter(|c| !extension.channels.contains(c))
                .map(|c| c.to_string())
                .collect();
            let mut jobs = Vec::new();
            if parent.state == RequestState::Active && (!add.is_empty() || !remove.is_empty()) {
                jobs.push(self.job(
                    team,
                    Job::ChangeChannels {
                        request_id: parent_id,
                        add,
                        remove,
                    },
                ));
            }
            return Ok((None, jobs));
        }
        let Some(new_end) = extension.expiry.fixed_deadline() else {
            return Ok((None, Vec::new()));
        };
        self.extension_deadline(team, extension, &parent, parent_id, new_end)
            .await
    }

    async fn extension_deadline(
        &self,
        team: &TeamId,
        extension: &GuestRequest,
        parent: &GuestRequest,
        parent_id: RequestId,
        new_end: DateTime<Utc>,
    ) -> anyhow::Result<(Option<(RequestId, DateTime<Utc>)>, Vec<NewJob>)> {
        match extension_effect(parent.state, parent.expires_at, new_end) {
            ExtensionEffect::Move(new_end) => {
                let mut jobs = self.tell_all(
                    team,
                    parent_id,
                    AccountSay::Extended {
                        until: new_end,
                        extension: extension.id,
                    },
                    (parent.requester != extension.requester).then(|| {
                        AccountSay::ExtendedDm {
                            who: Who::of(parent),
                            until: new_end,
                        }
                        .into()
                    }),
                );
                jobs.extend(self.expiry_jobs(team, parent, Some(new_end)));
                jobs.push(self.job(
                    team,
                    Job::SetExpiry {
                        request_id: parent_id,
                    },
                ));
                Ok((Some((parent_id, new_end)), jobs))
            }
            ExtensionEffect::AlreadyLater(current) => Ok((
                None,
                vec![
                    self.job(
                        team,
                        Job::CardReply {
                            request_id: parent_id,
                            text: AccountSay::ExtensionAlreadyLater {
                                extension: extension.id,
                                until: current,
                            }
                            .into(),
                        },
                    ),
                ],
            )),
            // The store refuses the approval (`ParentClosed`) in the same transaction.
            ExtensionEffect::ParentClosed => Ok((Some((parent_id, new_end)), Vec::new())),
        }
    }
}
