//! Events API deliveries: each is recorded once (by `event_id`) together with the job that
//! handles it, in one transaction, before Slack gets its 200.

use super::{Job, Workflow};
use crate::domain::TeamId;
use crate::slack::payload::EventCallback;
use crate::store::{EventJob, KnownPerson, NewJob};
use serde_json::Value;

impl Workflow {
    /// Records an event in the installation it was delivered for. Uninstalls are carried out
    /// at once; an event for a workspace without an installation is dropped (logged). Returns
    /// false when the delivery was not taken (a Slack retry, or nobody to take it).
    pub async fn handle_event(&self, callback: &EventCallback) -> anyhow::Result<bool> {
        let team = TeamId(callback.workspace().to_string());
        let enterprise = callback.enterprise();
        // Which installation the event names: an org-wide one's key is its organisation.
        let key = match callback.authorizations.first() {
            Some(a) if a.is_enterprise_install => enterprise
                .map(|e| TeamId(e.to_string()))
                .unwrap_or_else(|| team.clone()),
            _ => team.clone(),
        };
        let event_time = callback
            .event_time
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
        match callback.event_type() {
            "app_uninstalled" if self.is_distributed() => {
                self.uninstall(&key, "app_uninstalled", event_time).await?;
                return Ok(true);
            }
            "tokens_revoked" if self.is_distributed() => {
                let list = |kind: &str| -> Vec<String> {
                    callback
                        .event
                        .pointer(&format!("/tokens/{kind}"))
                        .and_then(Value::as_array)
                        .map(|ids| {
                            ids.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default()
                };
                if !list("bot").is_empty() {
                    self.uninstall(&key, "tokens_revoked (bot)", event_time)
                        .await?;
                } else {
                    self.revoke_user_tokens(&key, &list("oauth")).await?;
                }
                return Ok(true);
            }
            _ => {}
        }
        match self.enter(&team, enterprise).await? {
            Some(tenant) => self.within(tenant, self.handle_event_in(callback)).await,
            None => {
                tracing::info!(%team, event_type = callback.event_type(), "event for a workspace without an installation; dropped");
                Ok(false)
            }
        }
    }

    async fn handle_event_in(&self, callback: &EventCallback) -> anyhow::Result<bool> {
        let team = TeamId(callback.workspace().to_string());
        let event_type = callback.event_type().to_string();
        tracing::Span::current().record("slack.team", team.as_str());
        let job = self.job_for_event(&team, &callback.event);
        if let Some(id) = user_change_id(&callback.event) {
            // The cached flags of this person (admin, guest) may be stale now, on this replica
            // at once; others within the cache's time to live.
            self.directory
                .forget_person(&crate::domain::UserId::from(id));
        }
        let recorded = self
            .store
            .record_event(&team, &callback.event_id, &event_type, self.now(), job)
            .await?;
        // Only real work wakes the worker: a wake-up is a claim on the single SQLite writer,
        // and most `user_change` deliveries bring none.
        if recorded.job_queued() {
            self.queued();
        }
        let new = recorded.is_new();
        if new && let Some(group) = changed_usergroup(&callback.event) {
            // Every replica reads this group's members again before its next decision.
            self.store.bump_usergroup_version(&team, group).await?;
        }
        if !new {
            tracing::debug!(event_id = %callback.event_id, "event already taken; retry ignored");
        }
        metrics::counter!("slack_events_total", "type" => event_type, "outcome" => if new { "new" } else { "duplicate" })
            .increment(1);
        Ok(new)
    }

    /// What an event asks us to do, if anything.
    fn job_for_event(&self, team: &TeamId, event: &Value) -> Option<EventJob> {
        let text = |key: &str| event.get(key).and_then(Value::as_str);
        let always = |job: NewJob| EventJob {
            job,
            only_if_known: None,
        };
        match text("type")? {
            "team_join" | "user_change" => {
                let user = event.get("user")?;
                let joined = text("type") == Some("team_join");
                let job = self.job(
                    team,
                    Job::AccountEvent {
                        user: user.clone(),
                        joined,
                    },
                );
                // A newcomer may be wanted by a workspace-wide sync rule; anything else about a
                // person matters only if a request names them.
                let workspace_rules =
                    self.settings().sync.rules.iter().any(|r| {
                        matches!(r.source, crate::domain::sync::SyncSource::Workspace { .. })
                    });
                if joined && workspace_rules {
                    return Some(always(job));
                }
                Some(EventJob {
                    job,
                    only_if_known: Some(KnownPerson {
                        user_id: user.get("id").and_then(Value::as_str).map(str::to_string),
                        email: user
                            .pointer("/profile/email")
                            .and_then(Value::as_str)
                            .and_then(|e| crate::domain::Email::parse(e).ok())
                            .map(|e| e.as_str().to_string()),
                    }),
                })
            }
            _ => self.job_for_other_event(team, event).map(always),
        }
    }

    fn job_for_other_event(&self, team: &TeamId, event: &Value) -> Option<NewJob> {
        let text = |key: &str| event.get(key).and_then(Value::as_str);
        match text("type")? {
            "invite_requested" => Some(self.job(
                team,
                Job::InviteRequested {
                    request: event.get("invite_request")?.clone(),
                },
            )),
            "app_home_opened" if text("tab") == Some("home") => Some(self.job(
                team,
                Job::PublishHome {
                    user: text("user")?.to_string(),
                },
            )),
            "message" if text("subtype") == Some("file_share") => {
                let in_request_channel =
                    self.settings().request_channel.as_ref().map(|c| c.as_str()) == text("channel");
                let csv = event
                    .get("files")
                    .and_then(Value::as_array)?
                    .iter()
                    .find(|f| is_csv(f))?;
                let file_id = csv.get("id").and_then(Value::as_str)?.to_string();
                (in_request_channel && text("bot_id").is_none() && text("thread_ts").is_none())
                    .then(|| {
                        self.job(
                            team,
                            Job::ImportPreview {
                                channel: text("channel").unwrap_or_default().to_string(),
                                thread_ts: text("ts").unwrap_or_default().to_string(),
                                user: text("user").unwrap_or_default().to_string(),
                                file_id,
                            },
                        )
                    })
            }
            "message" => {
                let in_request_channel =
                    self.settings().request_channel.as_ref().map(|c| c.as_str()) == text("channel");
                // A person's top-level message (no subtype: not a join, an edit, a bot post…).
                let from_a_person =
                    text("subtype").is_none() && text("bot_id").is_none() && text("user").is_some();
                let top_level = text("thread_ts").is_none();
                (in_request_channel && from_a_person && top_level).then(|| {
                    self.job(
                        team,
                        Job::OfferRequestButton {
                            channel: text("channel").unwrap_or_default().to_string(),
                            thread_ts: text("ts").unwrap_or_default().to_string(),
                            user: text("user").unwrap_or_default().to_string(),
                        },
                    )
                })
            }
            "subteam_members_changed" if !self.settings().sync.rules.is_empty() => {
                let ids = |key: &str| -> Vec<String> {
                    event
                        .get(key)
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|u| u.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                Some(self.job(
                    team,
                    Job::SyncDelta {
                        subteam: text("subteam_id")?.to_string(),
                        added: ids("added_users"),
                        removed: ids("removed_users"),
                    },
                ))
            }
            "subteam_updated" | "subteam_created" if !self.settings().sync.rules.is_empty() => {
                let subteam = event
                    .pointer("/subteam/id")
                    .and_then(Value::as_str)?
                    .to_string();
                let handle = event
                    .pointer("/subteam/handle")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                // A group no rule reads is no work at all.
                self.settings()
                    .sync
                    .rules
                    .iter()
                    .any(|r| r.uses_group(&subteam, handle.as_deref()))
                    .then(|| self.job(team, Job::SyncGroupChanged { subteam, handle }))
            }
            _ => None,
        }
    }
}

/// The person a `user_change` is about.
fn user_change_id(event: &Value) -> Option<&str> {
    (event.get("type").and_then(Value::as_str)? == "user_change")
        .then(|| event.pointer("/user/id").and_then(Value::as_str))
        .flatten()
}

/// The user group whose membership an event changes, if any.
fn changed_usergroup(event: &Value) -> Option<&str> {
    match event.get("type").and_then(Value::as_str)? {
        "subteam_members_changed" => event.get("subteam_id").and_then(Value::as_str),
        "subteam_updated" | "subteam_created" => {
            event.pointer("/subteam/id").and_then(Value::as_str)
        }
        _ => None,
    }
}

/// A shared file that looks like CSV (by type or name).
fn is_csv(file: &Value) -> bool {
    let field = |k: &str| file.get(k).and_then(Value::as_str).unwrap_or("");
    field("filetype") == "csv"
        || field("mimetype") == "text/csv"
        || field("name").to_ascii_lowercase().ends_with(".csv")
}
