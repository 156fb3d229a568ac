//! Group sync: keep invitations in line with Slack user groups (or the whole workspace).
//! A run gathers who each rule wants (one `users.list` pass, page by page, plus the members of the
//! rules' groups), compares with what is held, and applies the plan through the same provisioning
//! pipeline as approved requests, unless the blast-radius guard holds it for a person. Events
//! (`subteam_members_changed`, `team_join`) apply just their delta.

mod apply;
pub(super) mod directory;
mod events;

pub use crate::domain::sync::SyncStage;
pub use directory::Pacer;

use super::{Job, JobError, Workflow};
use crate::domain::request::{NewRequest, Source};
use crate::domain::sync::{
    GuardTripped, Held, LineAction, Plan, PlanInput, SyncRule, SyncSource, Wanted, guard, plan,
};
use crate::domain::{Email, RequestId, RequestKind, RequestState, TeamId, UserGroupId, UserId};
use crate::slack::client::DirectoryUser;
use crate::slack::{SlackResult, render};
use crate::store::{Approval, AuditEntry, BOT_ACTOR, ChangeOutcome, NewJob, StateChange};
use anyhow::Context;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use directory::Calls;

/// Requests created per transaction when a plan is applied.
const APPLY_CHUNK: usize = 500;
/// How many times one Slack call is retried (429s are waited out) before the run gives up.
const CALL_RETRIES: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Work out the plan; change nothing.
    DryRun,
    /// Apply, unless the guard holds the plan; `force` overrides the guard (the CLI's `--force`).
    Apply { force: bool },
}

/// What a run did, rule by rule.
#[derive(Debug, Clone, Serialize)]
pub struct SyncOutcome {
    pub plans: Vec<Plan>,
    /// Rules whose plan the guard held back, with the held plan's id.
    pub held: Vec<HeldBack>,
    pub dry_run: bool,
    /// Slack Web API calls the run made.
    pub slack_calls: usize,
}

/// Told of every stage change of a run; implementations decide how often to show it.
pub trait SyncProgress: Send + Sync {
    fn update(&self, stage: &SyncStage);
}

/// Nobody watching.
pub struct NoProgress;

impl SyncProgress for NoProgress {
    fn update(&self, _: &SyncStage) {}
}

#[derive(Debug, Clone, Serialize)]
pub struct HeldBack {
    pub rule: String,
    pub plan_id: i64,
    pub changes: usize,
    pub limit: usize,
}

impl Workflow {
    /// The rules to run (all, or one by name). A rule whose target is this very workspace is
    /// refused: its people are members here already, and would be linked and later ended.
    async fn rules(&self, only: Option<&str>) -> anyhow::Result<Vec<SyncRule>> {
        let home = self.home_team().await?;
        let settings = self.settings();
        // Serving one workspace, a rule that invites into it is a mistake worth stopping on;
        // serving an organisation, it is a rule for the other workspaces.
        if !self.is_distributed()
            && let Some(rule) = settings.sync.rules.iter().find(|r| r.target_team == home)
        {
            anyhow::bail!(
                "sync rule {:?}: target_team {} is the workspace its people come from; a rule invites into another workspace",
                rule.name,
                home
            );
        }
        let rules: Vec<SyncRule> = settings
            .sync
            .rules
            .iter()
            .filter(|r| r.runs_in(&home))
            .filter(|r| only.is_none_or(|o| o == r.name))
            .cloned()
            .collect();
        if let Some(only) = only
            && rules.is_empty()
        {
            anyhow::bail!("there is no sync rule named {only:?}");
        }
        Ok(rules)
    }

    /// Every open request or account by email (an open one wins over a lapsed invitation).
    async fn held_map(&self, team: &TeamId) -> anyhow::Result<HashMap<Email, Held>> {
        let mut held: HashMap<Email, Held> = HashMap::new();
        for row in self.store.held_emails(team).await? {
            let Ok(email) = Email::parse(&row.email) else {
                continue;
            };
            let entry = Held {
                request_id: row.request_id,
                state: row.state,
                rule: row.sync_rule,
            };
            match held.get(&email) {
                Some(existing) if existing.state != RequestState::InviteExpired => {}
                _ => {
                    held.insert(email, entry);
                }
            }
        }
        Ok(held)
    }

    /// A full run of every rule (or one).
    pub async fn sync_run(
        &self,
        team: &TeamId,
        only: Option<&str>,
        mode: SyncMode,
        reason: &str,
    ) -> anyhow::Result<SyncOutcome> {
        self.sync_run_watched(team, only, mode, reason, &NoProgress)
            .await
    }

    /// `sync_run`, telling `progress` where it is.
    pub async fn sync_run_watched(
        &self,
        team: &TeamId,
        only: Option<&str>,
        mode: SyncMode,
        reason: &str,
        progress: &dyn SyncProgress,
    ) -> anyhow::Result<SyncOutcome> {
        let rules = self.rules(only).await?;
        self.sync_rules(team, &rules, mode, reason, progress).await
    }

    /// Job: a user group was created or renamed, or its settings changed. Only the rules that
    /// read it (by id or by handle) run; none when no rule does.
    pub(in crate::workflow) async fn sync_group_changed(
        &self,
        team: &TeamId,
        subteam: &str,
        handle: Option<&str>,
    ) -> anyhow::Result<SyncOutcome> {
        let rules: Vec<SyncRule> = self
            .rules(None)
            .await?
            .into_iter()
            .filter(|r| r.uses_group(subteam, handle))
            .collect();
        self.sync_rules(
            team,
            &rules,
            SyncMode::Apply { force: false },
            "user group changed", // audit
            &NoProgress,
        )
        .await
    }

    /// Plans (and applies, unless a dry run) the given rules in one pass over the directory.
    async fn sync_rules(
        &self,
        team: &TeamId,
        rules: &[SyncRule],
        mode: SyncMode,
        reason: &str,
        progress: &dyn SyncProgress,
    ) -> anyhow::Result<SyncOutcome> {
        if rules.is_empty() {
            return Ok(SyncOutcome {
                plans: Vec::new(),
                held: Vec::new(),
                dry_run: mode == SyncMode::DryRun,
                slack_calls: 0,
            });
        }
        let calls = Calls::default();
        let started = Instant::now();
        let wanted = self.wanted_by_rule(rules, &calls, progress).await?;
        let mut held = self.held_map(team).await?;
        let mut outcome = SyncOutcome {
            plans: Vec::new(),
            held: Vec::new(),
            dry_run: mode == SyncMode::DryRun,
            slack_calls: 0,
        };
        for (i, rule) in rules.iter().enumerate() {
            let elsewhere = |email: &Email| {
                rules
                    .iter()
                    .zip(&wanted)
                    .enumerate()
                    .find(|(j, (_, w))| *j != i && w.contains_key(email))
                    .map(|(_, (r, _))| r.name.clone())
            };
            let plan = plan(&PlanInput {
                rule: &rule.name,
                wanted: &wanted[i],
                held: &held,
                wanted_elsewhere: &elsewhere,
                on_removal: rule.on_removal,
            });
            // A person in two rules gets one invitation: later rules see this one's as held.
            for line in plan.lines.iter().filter(|l| l.action == LineAction::Invite) {
                held.insert(
                    line.email.clone(),
                    Held {
                        request_id: RequestId(0),
                        state: RequestState::Approved,
                        rule: Some(rule.name.clone()),
                    },
                );
            }
            let run = apply::RunOf {
                mode,
                reason,
                progress,
            };
            self.settle_plan(team, rule, &plan, &run, &mut outcome)
                .await?;
            outcome.plans.push(plan);
        }
        outcome.slack_calls = calls.get();
        tracing::info!(
            rules = rules.len(),
            calls = outcome.slack_calls,
            ms = started.elapsed().as_millis() as u64,
            dry_run = outcome.dry_run,
            "sync run finished"
        );
        Ok(outcome)
    }
}
