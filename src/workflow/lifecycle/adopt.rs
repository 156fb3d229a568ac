//! Adoption: the only way Guestlist takes over an account it did not invite. An approver names
//! a sponsor and an end; the account is read again (it must still be a guest), and the request
//! is stored approved with its card, its binding job and its deadline's timers, in one
//! transaction. The binding job makes it active, bound by its Slack user id.

use super::super::{Feedback, Job, JobError, Workflow};
use super::ExpiryTimers;
use crate::domain::expiry::zone;
use crate::domain::quorum::Quorum;
use crate::domain::request::{NewRequest, Source};
use crate::domain::roles::Right;
use crate::domain::{
    Email, Expiry, GuestRequest, GuestType, RequestKind, RequestState, TeamId, UserId,
};
use crate::slack::ids::{ADOPT_DATE_BLOCK, ADOPT_REASON_BLOCK, ADOPT_SPONSOR_BLOCK, AdoptMetadata};
use crate::slack::payload::state_value;
use crate::slack::render;
use crate::slack::say::InventorySay;
use crate::store::Approval;
use chrono::{NaiveDate, TimeZone};
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;

impl Workflow {
    /// App Home's Adopt: approvers only; opens the form.
    pub(in crate::workflow) async fn adopt_click(
        &self,
        team: &TeamId,
        user: &UserId,
        guest: &str,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        if self.may_at_all(team, user, Right::Decide).await?.is_err() {
            return self
                .tell(team, feedback, InventorySay::OnlyApproversAdopt)
                .await;
        }
        let tz = self.directory.person(user).await.ok().and_then(|p| p.tz);
        let lang = self.lang_of(user).await;
        let metadata = AdoptMetadata {
            slack_user_id: guest.to_string(),
            tz,
        };
        self.slack
            .open_view(trigger_id, render::adopt_form(&metadata, lang))
            .await?;
        Ok(())
    }

    /// The adoption form: errors by field, or `None` once stored.
    pub(in crate::workflow) async fn submit_adopt(
        &self,
        team: &TeamId,
        user: &UserId,
        metadata: &AdoptMetadata,
        state: Option<&SlackViewState>,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        // Errors on the form's fields, in the submitter's language.
        let lang = self.lang_of(user).await;
        let error = |block: &str, say: InventorySay| {
            Ok(Some(HashMap::from([(block.to_string(), say.text(lang))])))
        };
        if self.may_at_all(team, user, Right::Decide).await?.is_err() {
            return error(ADOPT_SPONSOR_BLOCK, InventorySay::OnlyApproversAdopt);
        }
        let guest = UserId::from(metadata.slack_user_id.as_str());
        let Some(sponsor) = state_value(state, ADOPT_SPONSOR_BLOCK)
            .and_then(|v| v.selected_user.as_ref())
            .map(|u| UserId::from(u.0.as_str()))
        else {
            return error(ADOPT_SPONSOR_BLOCK, InventorySay::AdoptChooseSponsor);
        };
        if sponsor == guest {
            return error(ADOPT_SPONSOR_BLOCK, InventorySay::GuestCannotSponsorItself);
        }
        let tz = zone(metadata.tz.as_deref());
        let now = self.now();
        let ends = state_value(state, ADOPT_DATE_BLOCK)
            .and_then(|v| v.selected_date.clone())
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(17, 0, 0))
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&chrono::Utc));
        let Some(ends) = ends else {
            return error(ADOPT_DATE_BLOCK, InventorySay::AdoptPickEndDay);
        };
        let expiry = Expiry::At { at: ends };
        if let Err(found) =
            crate::domain::policy::check_expiry(&expiry, &self.settings().policy, now)
        {
            return Ok(Some(HashMap::from([(
                ADOPT_DATE_BLOCK.to_string(),
                crate::slack::say::problem(&found, lang),
            )])));
        }
        if self
            .store
            .bound_user_ids(team)
            .await?
            .contains(&metadata.slack_user_id)
        {
            return error(ADOPT_SPONSOR_BLOCK, InventorySay::AlreadyManaged);
        }
        // Read both accounts again now, not from the cache: only a guest is adopted, and only
        // a member sponsors.
        self.directory.forget_person(&guest);
        self.directory.forget_person(&sponsor);
        let person = self.directory.person(&guest).await?;
        if person.deleted || !person.is_guest || person.is_bot {
            return error(
                ADOPT_SPONSOR_BLOCK,
                InventorySay::NothingToAdopt { name: person.name },
            );
        }
        let Some(email) = person.email.as_deref().and_then(|e| Email::parse(e).ok()) else {
            return error(ADOPT_SPONSOR_BLOCK, InventorySay::NoEmailToTrack);
        };
        let backer = self.directory.person(&sponsor).await?;
        if backer.deleted || backer.is_guest || backer.is_bot {
            return error(
                ADOPT_SPONSOR_BLOCK,
                InventorySay::CannotSponsor { name: backer.name },
            );
        }
        let single = self
            .slack
            .user_info(&guest)
            .await?
            .flags
            .is_ultra_restricted
            .unwrap_or(false);
        let note = state_value(state, ADOPT_REASON_BLOCK)
            .and_then(|v| v.value.clone())
            .unwrap_or_default();
        let new = NewRequest {
            team_id: team.clone(),
            kind: RequestKind::Guest,
            parent_id: None,
            requester: sponsor.clone(),
            email,
            full_name: person.name.clone(),
            organisation: String::new(),
            reason: if note.trim().is_empty() {
                // Shown on the card, in the request channel's language.
                InventorySay::AdoptedReason.text(self.channel_lang())
            } else {
                note
            },
            guest_type: if single {
                GuestType::SingleChannel
            } else {
                GuestType::MultiChannel
            },
            channels: Vec::new(),
            expiry,
            source: Source::Adopted,
            sync_rule: None,
            profile: Default::default(),
            slack_invite_request: None,
            account_team: None,
            source_user: None,
            quorum: Quorum::default(),
            decide_by: None,
        };
        let approval = Approval {
            decided_by: Some(user.clone()),
            auto_rule: None,
            audit_actor: user.to_string(),
            audit_action: "adopt".into(),
            audit_detail: format!(
                "adopted {} as a guest Guestlist manages; sponsor {sponsor}",
                metadata.slack_user_id
            ),
        };
        let timers: ExpiryTimers = self.expiry_timers(None);
        let max = self.settings().max_attempts;
        let (job_team, bound) = (team.clone(), metadata.slack_user_id.clone());
        let jobs: crate::store::JobsForEach = Box::new(move |r: &GuestRequest| {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&job_team, now, max),
                Job::BindAdopted {
                    request_id: r.id,
                    slack_user_id: bound.clone(),
                }
                .now(&job_team, now, max),
            ];
            jobs.extend(timers.jobs(&job_team, r.id, r.expires_at, now));
            jobs
        });
        let created = self
            .store
            .create_approved(std::slice::from_ref(&new), &approval, now, jobs)
            .await?;
        if created.is_empty() {
            return error(
                ADOPT_SPONSOR_BLOCK,
                InventorySay::OpenRequestHolds {
                    email: new.email.to_string(),
                },
            );
        }
        self.store
            .forget_unmanaged(team, &metadata.slack_user_id)
            .await?;
        self.store
            .enqueue_jobs(&[self.job(
                team,
                Job::PublishHome {
                    user: user.to_string(),
                },
            )])
            .await?;
        self.queued();
        tracing::info!(%team, adopter = %user, guest = %metadata.slack_user_id, "guest adopted");
        Ok(None)
    }

    /// Job: the adopted request becomes active, bound to the account it was made for.
    pub(in crate::workflow) async fn bind_adopted(
        &self,
        team: &TeamId,
        request: GuestRequest,
        slack_user_id: String,
    ) -> Result<(), JobError> {
        if request.state != RequestState::Approved {
            return Ok(());
        }
        self.accept(
            team,
            &request,
            Some(slack_user_id),
            None,
            crate::slack::say::Joined::Adopted,
        )
        .await?;
        Ok(())
    }
}
