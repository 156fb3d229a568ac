//! Buttons, form submissions and shortcuts.

use super::requests::SubmitOutcome;
use super::{Feedback, Workflow, log_internal};
use crate::domain::review::Answer;
use crate::domain::{TeamId, UserId};
use crate::slack::ids::{
    Button, ChangesMetadata, DENY_REASON_BLOCK, DenyMetadata, EXTEND_DATE_BLOCK, EXTEND_DAYS_BLOCK,
    EXTEND_MODE_BLOCK, EXTEND_REASON_BLOCK, ExtendMetadata, FormMetadata, View,
};
use crate::slack::payload::state_value;
use crate::slack::render;
use crate::slack::say::CommonSay;
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// What became of an interaction: the ack's body, or what nothing here handles (a button,
/// view or shortcut that is not ours). Over HTTP the second is a 404, as Bolt answers a request
/// no listener matched: Slack then shows the clicker that nothing happened, instead of the
/// click vanishing behind a 200 (Slack does not retry interactions).
#[derive(Debug)]
// Made once per request and returned at once: boxing the answer would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum InteractionAck {
    Handled(SlackInteractionResponse),
    Unhandled(&'static str),
}

/// Raised through a handler when the payload names nothing of ours.
#[derive(Debug, thiserror::Error)]
#[error("{0} not handled")]
struct Unhandled(&'static str);

impl Workflow {
    /// Handles one interaction, in the installation of the workspace it came from, and says
    /// what the HTTP (or Socket Mode) ack carries. A workspace without one gets an empty 200.
    pub async fn handle_interaction(
        &self,
        event: &SlackInteractionEvent,
        enterprise: Option<&str>,
    ) -> InteractionAck {
        let Some(team) = interaction_team(event) else {
            return InteractionAck::Unhandled("interaction_without_workspace");
        };
        match self.enter(&team, enterprise).await {
            Ok(Some(tenant)) => self.within(tenant, self.interaction_in(event)).await,
            Ok(None) => {
                tracing::info!(%team, "interaction from a workspace without an installation; dropped");
                InteractionAck::Handled(SlackInteractionResponse::Empty)
            }
            Err(e) => {
                log_internal("interaction", &e);
                InteractionAck::Handled(SlackInteractionResponse::Empty)
            }
        }
    }

    async fn interaction_in(&self, event: &SlackInteractionEvent) -> InteractionAck {
        let result = match event {
            SlackInteractionEvent::BlockActions(e) => self
                .block_actions(e)
                .await
                .map(|_| SlackInteractionResponse::Empty),
            SlackInteractionEvent::ViewSubmission(e) => self.view_submission(e).await,
            SlackInteractionEvent::Shortcut(e) => self
                .shortcut(e)
                .await
                .map(|_| SlackInteractionResponse::Empty),
            SlackInteractionEvent::ViewClosed(_) => Ok(SlackInteractionResponse::Empty),
            other => Err(Unhandled(interaction_kind(other)).into()),
        };
        match result {
            Ok(response) => InteractionAck::Handled(response),
            Err(e) => match e.downcast_ref::<Unhandled>() {
                Some(Unhandled(what)) => {
                    tracing::info!(what, "interaction not handled");
                    InteractionAck::Unhandled(what)
                }
                None => {
                    log_internal("interaction", &e);
                    InteractionAck::Handled(SlackInteractionResponse::Empty)
                }
            },
        }
    }

    async fn block_actions(&self, event: &SlackInteractionBlockActionsEvent) -> anyhow::Result<()> {
        let team = TeamId(event.team.id.0.clone());
        let Some(user) = event.user.as_ref().map(|u| UserId(u.id.0.clone())) else {
            return Err(Unhandled("block_action_without_user").into());
        };
        let span = tracing::Span::current();
        span.record("slack.team", team.as_str());
        span.record("slack.user", user.as_str());
        let channel = match &event.container {
            SlackInteractionActionContainer::Message(m) => {
                m.channel_id.as_ref().map(|c| c.0.clone())
            }
            _ => None,
        }
        .or_else(|| event.channel.as_ref().map(|c| c.id.0.clone()));
        let feedback = Feedback {
            user: user.clone(),
            response_url: event.response_url.as_ref().map(|u| u.0.to_string()),
            channel,
            message_ts: match &event.container {
                SlackInteractionActionContainer::Message(m) => Some(m.message_ts.0.clone()),
                _ => None,
            },
        };
        let mut handled = 0;
        for action in event.actions.iter().flatten() {
            // A menu's choice is its selected option's value; a button's is its own.
            let value = action
                .value
                .as_deref()
                .or(action.selected_option.as_ref().map(|o| o.value.as_str()));
            let Some(button) = Button::parse(&action.action_id.0, value) else {
                tracing::info!(action_id = %action.action_id.0, "button not handled");
                continue;
            };
            handled += 1;
            if let Err(e) = self
                .clicked(&team, &user, button, &event.trigger_id.0, &feedback)
                .await
            {
                log_internal("button", &e);
                self.tell(&team, &feedback, CommonSay::Sorry).await?;
            }
        }
        if handled == 0 {
            return Err(Unhandled("button").into());
        }
        Ok(())
    }

    /// Every button, dispatched once.
    async fn clicked(
        &self,
        team: &TeamId,
        user: &UserId,
        button: Button,
        trigger_id: &str,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        match button {
            Button::Approve(id) => self.approve(team, user, id, feedback).await,
            Button::Deny(id) => self.deny_click(team, user, id, trigger_id, feedback).await,
            Button::ApproveWithChanges(id) => {
                self.changes_click(team, user, id, trigger_id, feedback)
                    .await
            }
            Button::RequestAgain(id) => {
                self.request_again(team, user, id, trigger_id, feedback)
                    .await
            }
            Button::OpenForm => {
                let origin = feedback.channel.clone();
                match self
                    .open_request_form(team, user, trigger_id, origin)
                    .await?
                {
                    Some(message) => self.tell(team, feedback, message).await,
                    None => Ok(()),
                }
            }
            Button::Resend(id) => self.resend(team, user, id, feedback).await,
            Button::Revoke(id) => self.revoke(team, user, id, feedback).await,
            Button::MakeMember(id) => self.make_member_click(team, user, id, feedback).await,
            Button::Extend(id) => {
                self.extend_click(team, user, id, trigger_id, feedback)
                    .await
            }
            Button::LetExpire(id) => self.let_expire(team, user, id, feedback).await,
            Button::RetryProvision(id) => self.retry_provision(team, user, id, feedback).await,
            Button::TaskDone(id, task) => self.task_done(team, user, id, task, feedback).await,
            Button::ApplySyncPlan(plan) => self.apply_held_click(team, user, plan, feedback).await,
            Button::ImportConfirm(file) => self.import_click(team, user, &file, feedback).await,
            Button::NewLink => match self.open_link_form(team, user, trigger_id).await? {
                Some(message) => self.tell(team, feedback, message).await,
                None => Ok(()),
            },
            Button::RevokeLink(link) => self.revoke_link_click(team, user, link, feedback).await,
            Button::HomePage(page, filter) | Button::HomePreviousPage(page, filter) => {
                self.show_home_page(team, user, page, filter).await
            }
            Button::HomeFilter(filter) => self.show_home_page(team, user, 0, filter).await,
            Button::Reassign(id) => {
                self.reassign_click(team, user, id, trigger_id, feedback)
                    .await
            }
            Button::Adopt(guest) => {
                self.adopt_click(team, user, &guest, trigger_id, feedback)
                    .await
            }
            Button::ReviewKeep(item) => {
                self.review_click(team, user, item, Answer::Keep, trigger_id, feedback)
                    .await
            }
            Button::ReviewShorten(item) => {
                self.review_click(team, user, item, Answer::Shorten, trigger_id, feedback)
                    .await
            }
            Button::ReviewEnd(item) => {
                self.review_click(team, user, item, Answer::End, trigger_id, feedback)
                    .await
            }
            Button::StartReview => self.start_review_click(team, user, feedback).await,
            Button::WorkspaceSettings => {
                self.open_workspace_settings(team, user, trigger_id, feedback)
                    .await
            }
            Button::ChangeAccess(id) => {
                self.change_access_click(team, user, id, trigger_id, feedback)
                    .await
            }
        }
    }

    /// App Home at a page of the accounts under a filter (published by a job: Slack's answer
    /// to the click must not wait for the store and `views.publish`).
    async fn show_home_page(
        &self,
        team: &TeamId,
        user: &UserId,
        page: usize,
        filter: crate::slack::ids::HomeFilter,
    ) -> anyhow::Result<()> {
        let job = self.job(
            team,
            super::Job::PublishHomePage {
                user: user.to_string(),
                page,
                filter,
            },
        );
        self.store.enqueue_jobs(&[job]).await?;
        self.queued();
        Ok(())
    }

    async fn view_submission(
        &self,
        event: &SlackInteractionViewSubmissionEvent,
    ) -> anyhow::Result<SlackInteractionResponse> {
        let team = TeamId(event.team.id.0.clone());
        let user = UserId(event.user.id.0.clone());
        let span = tracing::Span::current();
        span.record("slack.team", team.as_str());
        span.record("slack.user", user.as_str());
        let SlackView::Modal(modal) = &event.view.view else {
            return Ok(SlackInteractionResponse::Empty);
        };
        let state = event.view.state_params.state.as_ref();
        let metadata = modal.private_metadata.as_deref().unwrap_or("");
        let callback_id = modal
            .callback_id
            .as_ref()
            .map(|c| c.0.as_str())
            .unwrap_or("");
        match View::parse(callback_id) {
            Some(View::RequestForm) => {
                let metadata: FormMetadata = serde_json::from_str(metadata).unwrap_or_default();
                Ok(
                    match self.submit_request(&team, &user, state, &metadata).await? {
                        SubmitOutcome::Errors(errors) => errors_response(errors),
                        SubmitOutcome::Sent(request) => SlackViewSubmissionResponse::Update(
                            SlackViewSubmissionUpdateResponse::new(render::request_sent(
                                &request,
                                self.settings().request_channel.as_ref().map(|c| c.as_str()),
                                self.viewer(&user).await.lang,
                            )),
                        )
                        .into(),
                    },
                )
            }
            Some(View::DenyReason) => {
                let metadata: DenyMetadata = serde_json::from_str(metadata)?;
                let reason = state_value(state, DENY_REASON_BLOCK)
                    .and_then(|v| v.value.clone())
                    .unwrap_or_default();
                Ok(
                    match self.submit_deny(&team, &user, &metadata, reason).await? {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::ChangesForm) => {
                let metadata: ChangesMetadata = serde_json::from_str(metadata)?;
                Ok(
                    match self.submit_changes(&team, &user, &metadata, state).await? {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::ExtendForm) => {
                let metadata: ExtendMetadata = serde_json::from_str(metadata)?;
                let text = |block: &str| state_value(state, block).and_then(|v| v.value.clone());
                let mode = state_value(state, EXTEND_MODE_BLOCK)
                    .and_then(|v| v.selected_option.as_ref().map(|o| o.value.clone()));
                let date =
                    state_value(state, EXTEND_DATE_BLOCK).and_then(|v| v.selected_date.clone());
                let reason = text(EXTEND_REASON_BLOCK).unwrap_or_default();
                Ok(
                    match self
                        .submit_extension(
                            &team,
                            &user,
                            &metadata,
                            super::lifecycle::ExtensionForm {
                                mode,
                                days: text(EXTEND_DAYS_BLOCK),
                                date,
                                reason,
                            },
                        )
                        .await?
                    {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::LinkForm) => {
                let metadata: FormMetadata = serde_json::from_str(metadata).unwrap_or_default();
                Ok(
                    match self
                        .submit_link_form(&team, &user, state, &metadata)
                        .await?
                    {
                        super::join::LinkSubmit::Errors(errors) => errors_response(errors),
                        super::join::LinkSubmit::Created(view) => {
                            SlackViewSubmissionResponse::Update(
                                SlackViewSubmissionUpdateResponse::new(view),
                            )
                            .into()
                        }
                    },
                )
            }
            Some(View::ReassignForm) => {
                let metadata: crate::slack::ids::ReassignMetadata = serde_json::from_str(metadata)?;
                Ok(
                    match self.submit_reassign(&team, &user, &metadata, state).await? {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::AdoptForm) => {
                let metadata: crate::slack::ids::AdoptMetadata = serde_json::from_str(metadata)?;
                Ok(
                    match self.submit_adopt(&team, &user, &metadata, state).await? {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::ReviewShortenForm) => {
                let metadata: crate::slack::ids::ReviewShortenMetadata =
                    serde_json::from_str(metadata)?;
                Ok(
                    match self
                        .submit_review_shorten(&team, &user, &metadata, state)
                        .await?
                    {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::WorkspaceSettings) => Ok(
                match self.submit_workspace_settings(&team, &user, state).await? {
                    Some(errors) => errors_response(errors),
                    None => SlackInteractionResponse::Empty,
                },
            ),
            Some(View::ChangeAccessForm) => {
                let metadata: crate::slack::ids::ChangeAccessMetadata =
                    serde_json::from_str(metadata)?;
                Ok(
                    match self
                        .submit_change_access(&team, &user, &metadata, state)
                        .await?
                    {
                        Some(errors) => errors_response(errors),
                        None => SlackInteractionResponse::Empty,
                    },
                )
            }
            Some(View::RequestShortcut) | None => Err(Unhandled("view_submission").into()),
        }
    }

    async fn shortcut(&self, event: &SlackInteractionShortcutEvent) -> anyhow::Result<()> {
        let team = TeamId(event.team.id.0.clone());
        let user = UserId(event.user.id.0.clone());
        if View::parse(&event.callback_id.0) != Some(View::RequestShortcut) {
            return Err(Unhandled("shortcut").into());
        }
        if let Some(message) = self
            .open_request_form(&team, &user, &event.trigger_id.0, None)
            .await?
        {
            let feedback = Feedback {
                user,
                response_url: None,
                channel: None,
                message_ts: None,
            };
            self.tell(&team, &feedback, message).await?;
        }
        Ok(())
    }
}

fn errors_response(errors: HashMap<String, String>) -> SlackInteractionResponse {
    SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(errors)).into()
}

fn interaction_kind(event: &SlackInteractionEvent) -> &'static str {
    match event {
        SlackInteractionEvent::BlockActions(_) => "block_actions",
        SlackInteractionEvent::BlockSuggestion(_) => "block_suggestion",
        SlackInteractionEvent::DialogSubmission(_) => "dialog_submission",
        SlackInteractionEvent::MessageAction(_) => "message_action",
        SlackInteractionEvent::Shortcut(_) => "shortcut",
        SlackInteractionEvent::ViewClosed(_) => "view_closed",
        SlackInteractionEvent::ViewSubmission(_) => "view_submission",
    }
}

/// The workspace an interaction came from.
fn interaction_team(event: &SlackInteractionEvent) -> Option<TeamId> {
    let id = match event {
        SlackInteractionEvent::BlockActions(e) => &e.team.id,
        SlackInteractionEvent::ViewSubmission(e) => &e.team.id,
        SlackInteractionEvent::ViewClosed(e) => &e.team.id,
        SlackInteractionEvent::Shortcut(e) => &e.team.id,
        SlackInteractionEvent::MessageAction(e) => &e.team.id,
        SlackInteractionEvent::BlockSuggestion(e) => &e.team.id,
        _ => return None,
    };
    Some(TeamId(id.0.clone()))
}
