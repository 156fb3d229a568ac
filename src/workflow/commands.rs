//! `/guest` and its subcommands.

use super::requests::Viewer;
use super::{Workflow, log_internal};
use crate::domain::expiry::zone;
use crate::domain::roles::Right;
use crate::domain::{RequestId, TeamId, UserId};
use crate::slack::render;
use crate::slack::say::{CommonSay, RequestSay, Say};
use slack_morphism::prelude::*;

/// The answer to a slash command, given in the HTTP response (or the Socket Mode ack).
#[derive(Debug, Clone, PartialEq)]
pub enum CommandReply {
    /// Nothing to show (a form was opened).
    Empty,
    /// A message only the caller sees.
    Ephemeral(String),
}

impl CommandReply {
    pub fn into_response(self) -> Option<SlackCommandEventResponse> {
        match self {
            CommandReply::Empty => None,
            CommandReply::Ephemeral(text) => Some(
                SlackCommandEventResponse::new(SlackMessageContent::new().with_text(text))
                    .with_response_type(SlackMessageResponseType::Ephemeral),
            ),
        }
    }
}

impl Workflow {
    /// What a slash command that could not be read is answered (in the deployment's language:
    /// who sent it is not known).
    pub fn unreadable_command(&self) -> String {
        CommonSay::UnreadableCommand.text(self.settings().language)
    }

    /// A slash command, in the installation of the workspace it came from (`enterprise`: its
    /// organisation, when the payload names one). A workspace without one gets nothing back.
    pub async fn handle_command(
        &self,
        command: &SlackCommandEvent,
        enterprise: Option<&str>,
    ) -> CommandReply {
        let span = tracing::Span::current();
        span.record("slack.team", command.team_id.0.as_str());
        span.record("slack.user", command.user_id.0.as_str());
        let team = TeamId(command.team_id.0.clone());
        match self.enter(&team, enterprise).await {
            Ok(Some(tenant)) => self.within(tenant, self.handle_command_in(command)).await,
            Ok(None) => {
                tracing::info!(%team, "slash command from a workspace without an installation; dropped");
                CommandReply::Empty
            }
            Err(e) => {
                log_internal("slash command", &e);
                CommandReply::Empty
            }
        }
    }

    async fn handle_command_in(&self, command: &SlackCommandEvent) -> CommandReply {
        // The caller's language and zone, looked up once (cached) within the command's budget.
        let viewer = self.viewer(&UserId(command.user_id.0.clone())).await;
        match self.command(command, &viewer).await {
            Ok(reply) => reply,
            Err(e) => {
                log_internal("slash command", &e);
                CommandReply::Ephemeral(CommonSay::Sorry.text(viewer.lang))
            }
        }
    }

    async fn command(
        &self,
        command: &SlackCommandEvent,
        viewer: &Viewer,
    ) -> anyhow::Result<CommandReply> {
        let lang = viewer.lang;
        let say = |say: Say| CommandReply::Ephemeral(say.text(lang));
        let team = TeamId(command.team_id.0.clone());
        let user = UserId(command.user_id.0.clone());
        if command.command.0 != crate::slack::manifest::SLASH_COMMAND {
            tracing::info!(command = %command.command.0, "unknown slash command");
            return Ok(say(RequestSay::UnknownCommand {
                command: command.command.0.clone(),
            }
            .into()));
        }
        let text = command.text.clone().unwrap_or_default();
        let mut words = text.split_whitespace();
        let sub = words.next().map(str::to_lowercase);
        let arg = words.next();
        let which = |example: &str| {
            say(RequestSay::WhichRequest {
                example: example.into(),
            }
            .into())
        };
        Ok(match sub.as_deref() {
            None | Some("request") | Some("new") => {
                let origin = Some(command.channel_id.0.clone());
                match self
                    .open_request_form(&team, &user, &command.trigger_id.0, origin)
                    .await?
                {
                    None => CommandReply::Empty,
                    Some(message) => say(message),
                }
            }
            Some("help") => CommandReply::Ephemeral(render::help_text(lang)),
            Some("link") => match self
                .open_link_form(&team, &user, &command.trigger_id.0)
                .await?
            {
                None => CommandReply::Empty,
                Some(message) => say(message),
            },
            Some("list") => {
                let mine = self.store.requests_by_requester(&team, &user, 20).await?;
                if mine.is_empty() {
                    say(RequestSay::NoRequestsYet.into())
                } else {
                    CommandReply::Ephemeral(render::request_list(&mine, lang))
                }
            }
            Some("status") => match arg.and_then(RequestId::parse) {
                None => which("/guest status 12"),
                Some(id) => match self.status(&team, &user, id, viewer).await? {
                    Ok(text) => CommandReply::Ephemeral(text),
                    Err(refused) => say(refused),
                },
            },
            Some("sync") => say(self
                .sync_command(&team, &user, arg, command.response_url.0.as_str())
                .await?),
            Some("import") => {
                if self.may_at_all(&team, &user, Right::Import).await?.is_ok() {
                    CommandReply::Ephemeral(render::import_help(
                        self.settings().request_channel.as_ref(),
                        lang,
                    ))
                } else {
                    say(RequestSay::ImportNotAllowed.into())
                }
            }
            Some("cancel") => match arg.and_then(RequestId::parse) {
                None => which("/guest cancel 12"),
                Some(id) => say(self.cancel(&team, &user, id).await?),
            },
            Some(other) => CommandReply::Ephemeral(format!(
                "{}\n{}",
                RequestSay::UnknownSubcommand {
                    sub: other.to_string(),
                }
                .text(lang),
                render::help_text(lang)
            )),
        })
    }

    /// `/guest sync preview|now`: holders of the `sync` right only; the work runs as a job and
    /// answers through the command's response_url.
    async fn sync_command(
        &self,
        team: &TeamId,
        user: &UserId,
        arg: Option<&str>,
        response_url: &str,
    ) -> anyhow::Result<Say> {
        let apply = match arg {
            Some("preview") => false,
            Some("now") => true,
            _ => return Ok(RequestSay::SyncUsage.into()),
        };
        if self.may_at_all(team, user, Right::Sync).await?.is_err() {
            return Ok(RequestSay::SyncNotAllowed.into());
        }
        if self.settings().sync.rules.is_empty() {
            return Ok(RequestSay::NoSyncRules.into());
        }
        let job = self.job(
            team,
            super::Job::SyncFor {
                response_url: response_url.to_string(),
                apply,
                actor: user.to_string(),
            },
        );
        self.store.enqueue_jobs(&[job]).await?;
        self.queued();
        Ok(if apply {
            RequestSay::SyncRunning.into()
        } else {
            RequestSay::SyncPreviewing.into()
        })
    }

    /// `/guest status <id>`: for the requester and for approvers, in the viewer's own zone.
    async fn status(
        &self,
        team: &TeamId,
        user: &UserId,
        id: RequestId,
        viewer: &Viewer,
    ) -> anyhow::Result<Result<String, Say>> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(Err(CommonSay::NoSuchRequest { id }.into()));
        };
        if &request.requester != user && self.may_on(user, Right::Decide, &request).await?.is_err()
        {
            return Ok(Err(RequestSay::NotYoursToSee { id }.into()));
        }
        Ok(Ok(render::status_text(
            &request,
            zone(viewer.tz.as_deref()),
            self.now(),
            viewer.lang,
        )))
    }
}
