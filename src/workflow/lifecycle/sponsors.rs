//! Every managed guest has a sponsor. When a sponsor leaves (deactivated, or a guest now), each
//! of their guests goes to approvers on a card (Reassign, End now); after the grace period with
//! no answer, the configured policy applies, once.

use super::super::{Feedback, Job, JobError, Workflow};
use crate::domain::reconcile::OrphanPolicy;
use crate::domain::request::{Action, transition};
use crate::domain::roles::Right;
use crate::domain::{GuestRequest, RequestId, TeamId, UserId};
use crate::slack::ids::{REASSIGN_SPONSOR_BLOCK, ReassignMetadata};
use crate::slack::payload::state_value;
use crate::slack::render;
use crate::slack::say::{CommonSay, InventorySay, Say};
use crate::store::{BOT_ACTOR, StateChange};
use slack_morphism::prelude::SlackViewState;
use std::collections::HashMap;

impl Workflow {
    /// `request`'s sponsor has left: its card and its deadline, once per sponsor.
    pub(in crate::workflow) async fn sponsor_left(
        &self,
        team: &TeamId,
        request: &GuestRequest,
    ) -> anyhow::Result<bool> {
        let sponsor = request.requester.to_string();
        let told = self
            .store
            .audit_for_request(team, request.id)
            .await?
            .iter()
            .any(|r| r.entry.action == "sponsor_left" && r.entry.detail.starts_with(&sponsor));
        if told {
            return Ok(false);
        }
        let now = self.now();
        let deadline = now + chrono::Duration::from_std(self.settings().orphan_grace)?;
        let entry = self.audit(
            team,
            request,
            BOT_ACTOR,
            "sponsor_left",
            None,
            format!(
                "{sponsor} was deactivated or became a guest; approvers decide by {}; then {}",
                deadline.to_rfc3339(),
                self.settings().orphan_policy.as_str()
            ),
        );
        let max = self.settings().max_attempts;
        let jobs = vec![
            self.job(
                team,
                Job::OrphanCard {
                    request_id: request.id,
                    sponsor: sponsor.clone(),
                },
            ),
            Job::OrphanDeadline {
                request_id: request.id,
                sponsor: sponsor.clone(),
            }
            .at(
                team,
                deadline,
                max,
                Some(format!("orphan:{}:{sponsor}", request.id.0)),
            ),
        ];
        self.store.append_audit(entry, jobs).await?;
        metrics::counter!("sponsors_left_total").increment(1);
        self.queued();
        Ok(true)
    }

    /// Job: the card for a guest whose sponsor left.
    pub(in crate::workflow) async fn orphan_card_job(
        &self,
        team: &TeamId,
        request: GuestRequest,
        sponsor: &str,
    ) -> Result<(), JobError> {
        let Some(channel) = self.settings().request_channel.clone() else {
            return Ok(());
        };
        let deadline = self.now()
            + chrono::Duration::from_std(self.settings().orphan_grace).unwrap_or_default();
        let mention = self.approver_mentions(&request);
        let content = render::orphan_card(
            &request,
            sponsor,
            &mention,
            deadline,
            self.settings().orphan_policy == OrphanPolicy::End,
            self.channel_lang(),
        );
        let _ = team;
        self.slack
            .post_message(channel.as_str(), content, None)
            .await?;
        Ok(())
    }

    /// Job: the grace period is over. Nothing happens if the guest has a new sponsor or ended.
    pub(in crate::workflow) async fn orphan_deadline(
        &self,
        team: &TeamId,
        request: GuestRequest,
        sponsor: &str,
    ) -> Result<(), JobError> {
        let live = matches!(
            request.state,
            crate::domain::RequestState::Approved
                | crate::domain::RequestState::Invited
                | crate::domain::RequestState::InviteExpired
                | crate::domain::RequestState::Active
        );
        if !live || request.requester.as_str() != sponsor {
            return Ok(());
        }
        // Back from leave, say: read the sponsor again, not from the cache.
        let sponsor_id = UserId::from(sponsor);
        self.directory.forget_person(&sponsor_id);
        let person = self.directory.person(&sponsor_id).await?;
        if !person.deleted && !person.is_guest {
            let entry = self.audit(
                team,
                &request,
                BOT_ACTOR,
                "sponsor_back",
                None,
                format!("{sponsor} can sponsor again; nothing applied"),
            );
            self.store.append_audit(entry, Vec::new()).await?;
            return Ok(());
        }
        let days = self.settings().orphan_grace.as_secs() / 86400;
        match self.settings().orphan_policy {
            OrphanPolicy::Keep => {
                let entry = self.audit(
                    team,
                    &request,
                    BOT_ACTOR,
                    "orphan_kept",
                    None,
                    format!("no new sponsor within {days} day(s); kept (orphan_policy = keep)"),
                );
                let note = self.job(
                    team,
                    Job::CardReply {
                        request_id: request.id,
                        text: InventorySay::OrphanKept {
                            name: request.full_name.clone(),
                            email: request.email.as_str().to_string(),
                            days,
                        }
                        .into(),
                    },
                );
                self.store.append_audit(entry, vec![note]).await?;
            }
            OrphanPolicy::End => {
                let to = transition(request.kind, request.state, Action::Revoke)
                    .map_err(anyhow::Error::from)?;
                let mut change = StateChange::new(
                    team,
                    request.id,
                    request.state,
                    to,
                    self.audit(
                        team,
                        &request,
                        BOT_ACTOR,
                        "revoke",
                        Some(to),
                        format!("sponsor {sponsor} left; no new sponsor within {days} day(s) (orphan_policy = end)"),
                    ),
                );
                let mut jobs = self.tell_card(
                    team,
                    request.id,
                    InventorySay::OrphanEnded {
                        name: request.full_name.clone(),
                        email: request.email.as_str().to_string(),
                        days,
                    },
                    None,
                );
                jobs.push(self.job(
                    team,
                    Job::Deactivate {
                        request_id: request.id,
                    },
                ));
                change.jobs = jobs;
                self.store.change_state(change).await?;
            }
        }
        self.queued();
        Ok(())
    }

    /// The card's Reassign: approvers pick a new sponsor.
    pub(in crate::workflow) async fn reassign_click(
        &self,
        team: &TeamId,
        user: &UserId,
        id: RequestId,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        if self.may_at_all(team, user, Right::Decide).await?.is_err() {
            return self
                .tell(team, feedback, InventorySay::OnlyApproversReassign)
                .await;
        }
        let Some(request) = self.store.get_request(team, id).await? else {
            return self
                .tell(team, feedback, CommonSay::NoSuchRequest { id })
                .await;
        };
        let metadata = ReassignMetadata {
            request_id: id.0,
            from: request.requester.to_string(),
        };
        self.slack
            .open_view(
                trigger_id,
                render::reassign_form(&request, &metadata, self.lang_of(user).await),
            )
            .await?;
        Ok(())
    }

    /// The reassignment form: errors on its field, or `None` once done.
    pub(in crate::workflow) async fn submit_reassign(
        &self,
        team: &TeamId,
        user: &UserId,
        metadata: &ReassignMetadata,
        state: Option<&SlackViewState>,
    ) -> anyhow::Result<Option<HashMap<String, String>>> {
        // Errors on the form's field, in the submitter's language.
        let lang = self.lang_of(user).await;
        let error = |say: Say| {
            Ok(Some(HashMap::from([(
                REASSIGN_SPONSOR_BLOCK.to_string(),
                say.text(lang),
            )])))
        };
        if self.may_at_all(team, user, Right::Decide).await?.is_err() {
            return error(InventorySay::OnlyApproversReassign.into());
        }
        let Some(to) = state_value(state, REASSIGN_SPONSOR_BLOCK)
            .and_then(|v| v.selected_user.as_ref())
            .map(|u| UserId::from(u.0.as_str()))
        else {
            return error(InventorySay::ChooseNewSponsor.into());
        };
        let from = UserId::from(metadata.from.as_str());
        if to == from {
            return error(InventorySay::SponsorWhoLeft.into());
        }
        self.directory.forget_person(&to);
        let person = self.directory.person(&to).await?;
        if person.deleted || person.is_guest || person.is_bot {
            return error(InventorySay::CannotSponsor { name: person.name }.into());
        }
        let id = RequestId(metadata.request_id);
        let Some(request) = self.store.get_request(team, id).await? else {
            return error(CommonSay::NoSuchRequest { id }.into());
        };
        if request.slack_user_id.as_deref() == Some(to.as_str()) {
            return error(InventorySay::GuestCannotSponsorItself.into());
        }
        let audit = self.audit(
            team,
            &request,
            user.as_str(),
            "reassign",
            None,
            format!("sponsor {from} -> {to}"),
        );
        let mut jobs = vec![
            self.job(team, Job::RefreshCard { request_id: id }),
            self.job(
                team,
                Job::CardReply {
                    request_id: id,
                    text: InventorySay::Reassigned {
                        by: user.clone(),
                        to: to.clone(),
                        from: from.clone(),
                        name: request.full_name.clone(),
                        email: request.email.as_str().to_string(),
                    }
                    .into(),
                },
            ),
        ];
        jobs.push(
            self.job(
                team,
                Job::PostMessage {
                    channel: to.to_string(),
                    text: InventorySay::YouSponsorNow {
                        by: user.clone(),
                        name: request.full_name.clone(),
                        email: request.email.as_str().to_string(),
                    }
                    .into(),
                    blocks: None,
                    thread_ts: None,
                },
            ),
        );
        match self
            .store
            .reassign_sponsor(team, id, &from, &to, audit, jobs)
            .await?
        {
            Some(_) => {
                self.queued();
                Ok(None)
            }
            None => error(InventorySay::ReassignChangedMeanwhile { id }.into()),
        }
    }
}
