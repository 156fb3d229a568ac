//! `/guest` and its subcommands.

use super::{SORRY, Workflow, log_internal};
use crate::domain::expiry::zone;
use crate::domain::roles::Right;
use crate::domain::{RequestId, TeamId, UserId};
use crate::slack::render;
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
    pub async fn handle_command(&self, command: &SlackCommandEvent) -> CommandReply {
        let span = tracing::Span::current();
        span.record("slack.team", command.team_id.0.as_str());
        span.record("slack.user", command.user_id.0.as_str());
        match self.command(command).await {
            Ok(reply) => reply,
            Err(e) => {
                log_internal("slash command", &e);
                CommandReply::Ephemeral(SORRY.into())
            }
        }
    }

    async fn command(&self, command: &SlackCommandEvent) -> anyhow::Result<CommandReply> {
        let team = TeamId(command.team_id.0.clone());
        let user = UserId(command.user_id.0.clone());
        if command.command.0 != crate::slack::manifest::SLASH_COMMAND {
            tracing::info!(command = %command.command.0, "unknown slash command");
            return Ok(CommandReply::Ephemeral(format!(
                "Guestlist does not handle `{}`. Try `/guest help`.",
                crate::domain::text::escape(&command.command.0)
            )));
        }
        let text = command.text.clone().unwrap_or_default();
        let mut words = text.split_whitespace();
        let sub = words.next().map(str::to_lowercase);
        let arg = words.next();
        Ok(match sub.as_deref() {
            None | Some("request") | Some("new") => {
                let origin = Some(command.channel_id.0.clone());
                match self
                    .open_request_form(&team, &user, &command.trigger_id.0, origin)
                    .await?
                {
                    None => CommandReply::Empty,
                    Some(message) => CommandReply::Ephemeral(message),
                }
            }
            Some("help") => CommandReply::Ephemeral(render::help_text()),
            Some("link") => match self
                .open_link_form(&team, &user, &command.trigger_id.0)
                .await?
            {
                None => CommandReply::Empty,
                Some(message) => CommandReply::Ephemeral(message),
            },
            Some("list") => {
                let mine = self.store.requests_by_requester(&team, &user, 20).await?;
                CommandReply::Ephemeral(if mine.is_empty() {
                    "You have not asked for any guests yet. Run `/guest` to start.".into()
                } else {
                    let lines: Vec<String> = mine.iter().map(render::request_line).collect();
                    format!("*Your requests*\n{}", lines.join("\n"))
                })
            }
            Some("status") => match arg.and_then(RequestId::parse) {
                None => {
                    CommandReply::Ephemeral("Which request? For example `/guest status 12`.".into())
                }
                Some(id) => CommandReply::Ephemeral(self.status(&team, &user, id).await?),
            },
            Some("sync") => CommandReply::Ephemeral(
                self.sync_command(&team, &user, arg, command.response_url.0.as_str())
                    .await?,
            ),
            Some("import") => CommandReply::Ephemeral(
                if self.may_at_all(&team, &user, Right::Import).await?.is_ok() {
                    render::import_help(
                        self.settings.request_channel.as_ref(),
                        crate::i18n::Lang::En,
                    )
                } else {
                    "Only approvers whose role has the `import` right can import guests. To ask for one guest, run `/guest`."
                        .into()
                },
            ),
            Some("cancel") => match arg.and_then(RequestId::parse) {
                None => {
                    CommandReply::Ephemeral("Which request? For example `/guest cancel 12`.".into())
                }
                Some(id) => CommandReply::Ephemeral(self.cancel(&team, &user, id).await?),
            },
            Some(other) => CommandReply::Ephemeral(format!(
                "I don't know `/guest {}`.\n{}",
                crate::domain::text::safe(other, 40),
                render::help_text()
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
    ) -> anyhow::Result<String> {
        let apply = match arg {
            Some("preview") => false,
            Some("now") => true,
            _ => return Ok("Use `/guest sync preview` to see what group sync would change, or `/guest sync now` to run it.".into()),
        };
        if self.may_at_all(team, user, Right::Sync).await?.is_err() {
            return Ok("Only approvers whose role has the `sync` right can run group sync.".into());
        }
        if self.settings.sync.rules.is_empty() {
            return Ok("No sync rules are configured (`[[sync]]` in guestlist.toml).".into());
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
            "Running group sync; the outcome will appear here.".into()
        } else {
            "Working out what group sync would change; the plan will appear here.".into()
        })
    }

    /// `/guest status <id>`: for the requester and for approvers.
    async fn status(&self, team: &TeamId, user: &UserId, id: RequestId) -> anyhow::Result<String> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(format!("There is no request {id}."));
        };
        if &request.requester != user && self.may_on(user, Right::Decide, &request).await?.is_err()
        {
            return Ok(format!("Request {id} is not yours to see."));
        }
        let tz = match self.directory.person(user).await {
            Ok(person) => zone(person.tz.as_deref()),
            Err(_) => zone(None),
        };
        Ok(render::status_text(&request, tz, self.now()))
    }
}
