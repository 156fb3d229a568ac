//! Applying plans: the guard, invitations through the provisioning pipeline, revocations,
//! held plans an approver applies anyway, and the answer to `/guest sync`.

use super::*;
use crate::slack::say::{Said, SyncSay};

/// How a run goes: its mode, why it runs (for the audit), and who watches it.
#[derive(Clone, Copy)]
pub(super) struct RunOf<'a> {
    pub mode: SyncMode,
    pub reason: &'a str,
    pub progress: &'a dyn SyncProgress,
}

impl Workflow {
    /// Applies a plan, or holds it (guard), or only reports it (dry run).
    pub(super) async fn settle_plan(
        &self,
        team: &TeamId,
        rule: &SyncRule,
        plan: &Plan,
        run: &RunOf<'_>,
        outcome: &mut SyncOutcome,
    ) -> anyhow::Result<()> {
        let RunOf {
            mode,
            reason,
            progress,
        } = *run;
        let force = match mode {
            SyncMode::DryRun => {
                metrics::counter!("sync_runs_total", "rule" => rule.name.clone(), "outcome" => "dry_run").increment(1);
                return Ok(());
            }
            SyncMode::Apply { force } => force,
        };
        if plan.changes() == 0 {
            metrics::counter!("sync_runs_total", "rule" => rule.name.clone(), "outcome" => "unchanged").increment(1);
            return Ok(());
        }
        if let (Err(GuardTripped { changes, limit }), false) =
            (guard(plan, rule.max_changes), force)
        {
            let plan_id = self
                .store
                .hold_plan(team, &rule.name, &serde_json::to_string(plan)?, self.now())
                .await?;
            let audit = AuditEntry {
                team_id: team.clone(),
                request_id: None,
                actor: BOT_ACTOR.into(),
                action: "sync_held".into(),
                from_state: None,
                to_state: None,
                detail: format!(
                    "rule {}: {changes} changes over the limit of {limit} (plan {plan_id}; {reason})",
                    rule.name
                ),
                at: self.now(),
            };
            let notice = self.report_job(
                team,
                render::held_plan(
                    plan,
                    plan_id,
                    changes,
                    limit,
                    &self.approver_mentions_all(),
                    self.channel_lang(),
                ),
            );
            self.store
                .append_audit(audit, notice.into_iter().collect())
                .await?;
            self.queued();
            metrics::counter!("sync_runs_total", "rule" => rule.name.clone(), "outcome" => "held")
                .increment(1);
            tracing::warn!(rule = %rule.name, changes, limit, plan_id, "sync plan held by the guard");
            outcome.held.push(HeldBack {
                rule: rule.name.clone(),
                plan_id,
                changes,
                limit,
            });
            return Ok(());
        }
        self.apply_plan(team, rule, plan, reason, progress).await?;
        metrics::counter!("sync_runs_total", "rule" => rule.name.clone(), "outcome" => "applied")
            .increment(1);
        Ok(())
    }

    /// A message for the sync report channel (or the request channel), as a job; `content`
    /// is worded in the channel language.
    fn report_job(
        &self,
        team: &TeamId,
        content: slack_morphism::prelude::SlackMessageContent,
    ) -> Option<NewJob> {
        let channel = self
            .settings()
            .sync
            .report_channel
            .clone()
            .or_else(|| self.settings().request_channel.clone())?;
        let blocks = content
            .blocks
            .as_ref()
            .map(|b| serde_json::to_value(b).expect("blocks serialise"));
        Some(self.job(
            team,
            Job::PostMessage {
                channel: channel.to_string(),
                text: Said::worded(content.text.unwrap_or_default()),
                blocks,
                thread_ts: None,
            },
        ))
    }

    /// Applies a plan an event produced (the guard still holds a large one).
    pub(super) async fn apply_event_plan(
        &self,
        team: &TeamId,
        rule: &SyncRule,
        plan: &Plan,
        reason: &str,
    ) -> anyhow::Result<()> {
        let mut outcome = SyncOutcome {
            plans: Vec::new(),
            held: Vec::new(),
            dry_run: false,
            slack_calls: 0,
        };
        self.settle_plan(
            team,
            rule,
            plan,
            &RunOf {
                mode: SyncMode::Apply { force: false },
                reason,
                progress: &NoProgress,
            },
            &mut outcome,
        )
        .await
    }

    async fn apply_plan(
        &self,
        team: &TeamId,
        rule: &SyncRule,
        plan: &Plan,
        reason: &str,
        progress: &dyn SyncProgress,
    ) -> anyhow::Result<()> {
        let now = self.now();
        let requester = rule
            .sponsor
            .clone()
            .unwrap_or_else(|| UserId::from(BOT_ACTOR));
        let invites: Vec<NewRequest> = plan
            .lines
            .iter()
            .filter(|l| l.action == LineAction::Invite)
            .map(|l| NewRequest {
                team_id: team.clone(),
                kind: RequestKind::Guest,
                parent_id: None,
                requester: requester.clone(),
                email: l.email.clone(),
                full_name: l.name.clone().unwrap_or_else(|| l.email.to_string()),
                organisation: String::new(),
                reason: format!("Group sync rule {}", rule.name),
                guest_type: rule.guest_type,
                channels: rule.channels.clone(),
                expiry: rule.expiry,
                source: Source::Sync,
                sync_rule: Some(rule.name.clone()),
                profile: Default::default(),
                slack_invite_request: None,
                account_team: Some(rule.target_team.clone()),
                source_user: l
                    .org_member
                    .then(|| l.user_id.clone().map(UserId))
                    .flatten(),
                // The rule approved it: no quorum to wait for.
                quorum: Default::default(),
                decide_by: None,
            })
            .collect();
        let approval = Approval {
            decided_by: None,
            auto_rule: Some(format!("sync:{}", rule.name)),
            audit_actor: BOT_ACTOR.into(),
            audit_action: "sync_invite".into(),
            audit_detail: format!("rule {} ({reason})", rule.name),
        };
        let mut invited = 0;
        let total = invites.len() as u64;
        let mut done = 0u64;
        for chunk in invites.chunks(APPLY_CHUNK) {
            let created = self
                .store
                .create_approved(chunk, &approval, now, self.approved_jobs(team))
                .await?;
            invited += created.len();
            done += chunk.len() as u64;
            progress.update(&SyncStage::Applying {
                rule: rule.name.clone(),
                done,
                total,
            });
        }
        let mut revoked = 0;
        for line in plan.lines.iter().filter(|l| l.action == LineAction::Revoke) {
            let Some(id) = line.request_id else { continue };
            if self.sync_revoke(team, rule, id, reason).await? {
                revoked += 1;
            }
        }
        self.queued();
        metrics::counter!("sync_changes_total", "rule" => rule.name.clone(), "action" => "invite")
            .increment(invited as u64);
        metrics::counter!("sync_changes_total", "rule" => rule.name.clone(), "action" => "revoke")
            .increment(revoked as u64);
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: BOT_ACTOR.into(),
            action: "sync_run".into(),
            from_state: None,
            to_state: None,
            detail: format!(
                "rule {}: {invited} invited, {revoked} revoked, {} unchanged ({reason})",
                rule.name,
                plan.count(LineAction::Unchanged)
            ),
            at: now,
        };
        let summary = self.report_job(
            team,
            render::sync_summary(plan, invited, revoked, self.channel_lang()),
        );
        self.store
            .append_audit(audit, summary.into_iter().collect())
            .await?;
        self.queued();
        tracing::info!(rule = %rule.name, invited, revoked, "sync plan applied");
        Ok(())
    }

    /// Withdraws what a rule produced for someone who left its source. False if it changed meanwhile.
    async fn sync_revoke(
        &self,
        team: &TeamId,
        rule: &SyncRule,
        id: RequestId,
        reason: &str,
    ) -> anyhow::Result<bool> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(false);
        };
        let allowed = match rule.on_removal {
            crate::domain::sync::OnRemoval::Keep => false,
            crate::domain::sync::OnRemoval::RevokePending => request.state != RequestState::Active,
            crate::domain::sync::OnRemoval::Deactivate => true,
        };
        if request.sync_rule.as_deref() != Some(rule.name.as_str()) || !allowed {
            return Ok(false);
        }
        let Ok(to) = crate::domain::request::transition(
            request.kind,
            request.state,
            crate::domain::Action::Revoke,
        ) else {
            return Ok(false);
        };
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: Some(id),
            actor: BOT_ACTOR.into(),
            action: "sync_revoke".into(),
            from_state: Some(request.state),
            to_state: Some(to),
            detail: format!("rule {}: left the source ({reason})", rule.name),
            at: self.now(),
        };
        let mut change = StateChange::new(team, id, request.state, to, audit);
        if request.state != RequestState::Approved
            || self.provisioner(&request).mode() != crate::provision::ProvisioningMode::Manual
        {
            change
                .jobs
                .push(self.job(team, Job::Deactivate { request_id: id }));
        }
        Ok(matches!(
            self.store.change_state(change).await?,
            ChangeOutcome::Applied(_)
        ))
    }

    /// Button: an approver applies a plan the guard held.
    pub(in crate::workflow) async fn apply_held_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        plan_id: i64,
        feedback: &crate::workflow::Feedback,
    ) -> anyhow::Result<()> {
        if self
            .may_at_all(team, actor, crate::domain::roles::Right::Sync)
            .await?
            .is_err()
        {
            let audit = AuditEntry {
                team_id: team.clone(),
                request_id: None,
                actor: actor.to_string(),
                action: "refused_sync_apply".into(),
                from_state: None,
                to_state: None,
                detail: format!("plan {plan_id}"),
                at: self.now(),
            };
            let explain = self.feedback_job(team, feedback, SyncSay::ApplyNotAllowed);
            self.store.append_audit(audit, vec![explain]).await?;
            self.queued();
            return Ok(());
        }
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: actor.to_string(),
            action: "sync_apply_anyway".into(),
            from_state: None,
            to_state: None,
            detail: format!("plan {plan_id}"),
            at: self.now(),
        };
        self.store
            .append_audit(
                audit,
                vec![self.job(
                    team,
                    Job::ApplyHeldPlan {
                        plan_id,
                        actor: actor.to_string(),
                    },
                )],
            )
            .await?;
        self.queued();
        self.tell(team, feedback, SyncSay::ApplyingHeldPlan { plan_id })
            .await
    }

    /// Job: apply a held plan, once.
    pub(in crate::workflow) async fn apply_held(
        &self,
        team: &TeamId,
        plan_id: i64,
        actor: &str,
    ) -> Result<(), JobError> {
        let Some((rule_name, plan_json)) = self
            .store
            .take_held_plan(team, plan_id, &UserId::from(actor), self.now())
            .await?
        else {
            return Ok(());
        };
        let Some(rule) = self
            .settings()
            .sync
            .rules
            .iter()
            .find(|r| r.name == rule_name)
            .cloned()
        else {
            return Err(JobError::Fatal(format!(
                "sync rule {rule_name} is no longer configured"
            )));
        };
        let plan: Plan = serde_json::from_str(&plan_json)
            .map_err(|e| JobError::Fatal(format!("held plan {plan_id}: {e}")))?;
        self.apply_plan(
            team,
            &rule,
            &plan,
            &format!("applied anyway by {actor}"), // audit
            &NoProgress,
        )
        .await?;
        Ok(())
    }

    /// Job: `/guest sync preview` (or `now`) for someone waiting on a response_url.
    pub(in crate::workflow) async fn sync_for(
        &self,
        team: &TeamId,
        response_url: &str,
        apply: bool,
        actor: &str,
    ) -> Result<(), JobError> {
        let mode = if apply {
            SyncMode::Apply { force: false }
        } else {
            SyncMode::DryRun
        };
        // One message, replaced as the run goes on. A response_url takes five messages in 30
        // minutes: a run longer than PROGRESS_AFTER shows at most three progress updates, at
        // least PROGRESS_EVERY apart, then the outcome.
        let (stages, mut latest) = tokio::sync::watch::channel(None::<SyncStage>);
        let watcher = LatestStage(stages);
        let dry_run = !apply;
        let lang = self.lang_of(&UserId::from(actor)).await;
        let done = tokio::sync::Notify::new();
        let poster = async {
            tokio::select! {
                () = done.notified() => return,
                () = tokio::time::sleep(PROGRESS_AFTER) => {}
            }
            for _ in 0..PROGRESS_UPDATES {
                let stage = tokio::select! {
                    () = done.notified() => return,
                    changed = latest.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        latest.borrow_and_update().clone()
                    }
                };
                let Some(stage) = stage else { continue };
                let text = render::sync_progress_text(&stage, dry_run, lang);
                let body = serde_json::json!({"response_type": "ephemeral", "replace_original": true, "text": text});
                // Not interrupted: the outcome must not overtake a progress line in flight.
                if let Err(e) = self.respond(response_url, &body).await {
                    tracing::debug!(error = %e, "sync progress not shown");
                }
                tokio::select! {
                    () = done.notified() => return,
                    () = tokio::time::sleep(PROGRESS_EVERY) => {}
                }
            }
        };
        let run = async {
            let outcome = self
                .sync_run_watched(
                    team,
                    None,
                    mode,
                    &format!("/guest sync by {actor}"), // audit
                    &watcher,
                )
                .await;
            done.notify_one();
            outcome
        };
        let (outcome, ()) = tokio::join!(run, poster);
        let outcome = outcome?;
        let text = render::sync_outcome_text(
            &outcome.plans,
            outcome.dry_run,
            &outcome
                .held
                .iter()
                .map(|h| (h.rule.clone(), h.changes, h.limit))
                .collect::<Vec<_>>(),
            lang,
        );
        let body = serde_json::json!({"response_type": "ephemeral", "replace_original": true, "text": text});
        self.respond(response_url, &body).await
    }
}

/// A run started from Slack that takes longer than this shows its progress: at most
/// PROGRESS_UPDATES lines, PROGRESS_EVERY apart, before its outcome.
const PROGRESS_AFTER: Duration = Duration::from_secs(2);
const PROGRESS_UPDATES: usize = 3;
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Keeps only the newest stage: the poster shows whatever is current when it is its turn.
struct LatestStage(tokio::sync::watch::Sender<Option<SyncStage>>);

impl SyncProgress for LatestStage {
    fn update(&self, stage: &SyncStage) {
        self.0.send_replace(Some(stage.clone()));
    }
}
