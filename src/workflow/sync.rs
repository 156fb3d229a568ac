//! Group sync: keep invitations in line with Slack user groups (or the whole workspace).
//! A run gathers who each rule wants (one `users.list` pass, page by page, plus the members of the
//! rules' groups), compares with what is held, and applies the plan through the same provisioning
//! pipeline as approved requests, unless the blast-radius guard holds it for a person. Events
//! (`subteam_members_changed`, `team_join`) apply just their delta.

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

#[derive(Debug, Clone, Serialize)]
pub struct HeldBack {
    pub rule: String,
    pub plan_id: i64,
    pub changes: usize,
    pub limit: usize,
}

/// Spaces calls within Slack's per-method rate tiers (per minute, with a burst of the same size).
#[derive(Debug)]
pub struct Pacer {
    enabled: bool,
    buckets: Mutex<HashMap<&'static str, (f64, Instant)>>,
}

impl Pacer {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            buckets: Mutex::default(),
        }
    }

    /// Slack's documented tiers for the methods sync uses.
    fn per_minute(method: &str) -> f64 {
        match method {
            "users.info" => 100.0,
            // users.list, usergroups.list, usergroups.users.list: Tier 2.
            _ => 20.0,
        }
    }

    async fn wait(&self, method: &'static str) {
        if !self.enabled {
            return;
        }
        let rate = Self::per_minute(method) / 60.0;
        let delay = {
            let mut buckets = self.buckets.lock().expect("pacer lock");
            let (tokens, at) = buckets
                .entry(method)
                .or_insert((Self::per_minute(method), Instant::now()));
            let burst = Self::per_minute(method);
            *tokens = (*tokens + at.elapsed().as_secs_f64() * rate).min(burst);
            *at = Instant::now();
            *tokens -= 1.0;
            if *tokens >= 0.0 {
                None
            } else {
                Some(Duration::from_secs_f64(-*tokens / rate))
            }
        };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

/// A person as sync sees them.
#[derive(Debug, Clone)]
struct Person {
    email: Email,
    name: String,
    eligible: bool,
    guest: bool,
    /// The workspaces of the organisation the person is in (Enterprise Grid), when Slack says.
    teams: Option<Vec<String>>,
}

impl Person {
    fn wanted(&self, user_id: &str, target: &TeamId) -> Wanted {
        Wanted {
            user_id: user_id.to_string(),
            name: self.name.clone(),
            in_target: self
                .teams
                .as_ref()
                .is_some_and(|teams| teams.iter().any(|t| t == target.as_str())),
            org_member: self.teams.is_some(),
        }
    }
}

fn person(user: &DirectoryUser) -> Option<Person> {
    let email = Email::parse(user.profile.email.as_deref()?).ok()?;
    let eligible = !user.deleted && !user.is_bot && !user.is_app_user && user.id != "USLACKBOT";
    Some(Person {
        email,
        name: crate::domain::text::clean_line(
            user.real_name
                .as_deref()
                .or(user.name.as_deref())
                .unwrap_or(&user.id),
        ),
        eligible,
        guest: user.is_restricted,
        teams: user.enterprise_user.as_ref().map(|e| e.teams.clone()),
    })
}

/// The rules' user groups: ids by id and lower-case handle, and their members.
#[derive(Default)]
struct GroupDirectory {
    ids: HashMap<String, UserGroupId>,
    members: HashMap<UserGroupId, HashSet<String>>,
}

/// Counts calls for the run's report.
#[derive(Default)]
struct Calls(std::sync::atomic::AtomicUsize);

impl Calls {
    fn add(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Workflow {
    /// The rules to run (all, or one by name). A rule whose target is this very workspace is
    /// refused: its people are members here already, and would be linked and later ended.
    async fn rules(&self, only: Option<&str>) -> anyhow::Result<Vec<SyncRule>> {
        let home = self.home_team().await?;
        if let Some(rule) = self
            .settings
            .sync
            .rules
            .iter()
            .find(|r| r.target_team == home)
        {
            anyhow::bail!(
                "sync rule {:?}: target_team {} is the workspace its people come from; a rule invites into another workspace",
                rule.name,
                home
            );
        }
        let rules: Vec<SyncRule> = self
            .settings
            .sync
            .rules
            .iter()
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

    /// One Slack call, paced, with 429s waited out and transient failures retried.
    async fn sync_call<T, F, Fut>(
        &self,
        method: &'static str,
        calls: &Calls,
        call: F,
    ) -> anyhow::Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = SlackResult<T>>,
    {
        let mut attempt = 0;
        loop {
            self.pacer.wait(method).await;
            calls.add();
            match call().await {
                Ok(value) => return Ok(value),
                Err(e) if attempt < CALL_RETRIES && e.is_retryable() => {
                    attempt += 1;
                    let wait = e
                        .retry_after()
                        .unwrap_or(Duration::from_millis(500 * u64::from(attempt)));
                    tracing::info!(
                        method,
                        wait_ms = wait.as_millis() as u64,
                        "sync: waiting before retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e).with_context(|| format!("sync: {method}")),
            }
        }
    }

    /// The rules' groups: their ids (handles resolved) and current members, from one
    /// `usergroups.list` (members included); a group listed incompletely is read on its own.
    async fn group_directory(
        &self,
        rules: &[SyncRule],
        calls: &Calls,
    ) -> anyhow::Result<GroupDirectory> {
        let names: HashSet<String> = rules
            .iter()
            .filter_map(|r| match &r.source {
                SyncSource::UserGroups(groups) => {
                    Some(groups.iter().map(|g| g.trim_start_matches('@').to_string()))
                }
                SyncSource::Workspace { .. } => None,
            })
            .flatten()
            .collect();
        let mut directory = GroupDirectory::default();
        if names.is_empty() {
            return Ok(directory);
        }
        let listing = self
            .sync_call("usergroups.list", calls, || {
                self.slack.usergroups_with_members()
            })
            .await?;
        for group in listing {
            let wanted = names.contains(&group.id)
                || names.iter().any(|n| n.eq_ignore_ascii_case(&group.handle));
            if !wanted {
                continue;
            }
            let id = UserGroupId(group.id.clone());
            directory.ids.insert(group.id.clone(), id.clone());
            directory
                .ids
                .insert(group.handle.to_lowercase(), id.clone());
            let members: HashSet<String> = match group.complete_members() {
                Some(users) => users.iter().cloned().collect(),
                None => self
                    .sync_call("usergroups.users.list", calls, || {
                        self.slack.usergroup_members(&id)
                    })
                    .await?
                    .into_iter()
                    .map(|u| u.0)
                    .collect(),
            };
            directory.members.insert(id, members);
        }
        Ok(directory)
    }

    fn rule_groups<'a>(
        rule: &'a SyncRule,
        ids: &'a HashMap<String, UserGroupId>,
    ) -> Vec<&'a UserGroupId> {
        match &rule.source {
            SyncSource::UserGroups(groups) => groups
                .iter()
                .filter_map(|g| {
                    let g = g.trim_start_matches('@');
                    ids.get(g).or_else(|| ids.get(&g.to_lowercase()))
                })
                .collect(),
            SyncSource::Workspace { .. } => Vec::new(),
        }
    }

    /// Who each rule wants: members of its groups (or everyone), looked up in one `users.list`
    /// pass. Only the people some rule covers are kept in memory.
    async fn wanted_by_rule(
        &self,
        rules: &[SyncRule],
        calls: &Calls,
    ) -> anyhow::Result<Vec<BTreeMap<Email, Wanted>>> {
        let GroupDirectory { ids, members } = self.group_directory(rules, calls).await?;
        let everyone = rules
            .iter()
            .any(|r| matches!(r.source, SyncSource::Workspace { .. }));
        let needed: HashSet<&String> = members.values().flatten().collect();
        let mut people: HashMap<String, Person> = HashMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .sync_call("users.list", calls, || {
                    self.slack
                        .users_page(cursor.as_deref(), self.settings.sync.page_size)
                })
                .await?;
            for user in &page.items {
                if (everyone || needed.contains(&user.id))
                    && let Some(p) = person(user)
                {
                    people.insert(user.id.clone(), p);
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut wanted = Vec::with_capacity(rules.len());
        for rule in rules {
            let mut map = BTreeMap::new();
            let mut add = |id: &String, p: &Person| {
                map.insert(p.email.clone(), p.wanted(id, &rule.target_team));
            };
            match &rule.source {
                SyncSource::Workspace { include_guests } => {
                    for (id, p) in &people {
                        if p.eligible && (*include_guests || !p.guest) {
                            add(id, p);
                        }
                    }
                }
                SyncSource::UserGroups(_) => {
                    for group in Self::rule_groups(rule, &ids) {
                        for id in members.get(group).into_iter().flatten() {
                            if let Some(p) = people.get(id).filter(|p| p.eligible && !p.guest) {
                                add(id, p);
                            }
                        }
                    }
                }
            }
            wanted.push(map);
        }
        Ok(wanted)
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
        let rules = self.rules(only).await?;
        let calls = Calls::default();
        let started = Instant::now();
        let wanted = self.wanted_by_rule(&rules, &calls).await?;
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
            self.settle_plan(team, rule, &plan, mode, reason, &mut outcome)
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

    /// Applies a plan, or holds it (guard), or only reports it (dry run).
    async fn settle_plan(
        &self,
        team: &TeamId,
        rule: &SyncRule,
        plan: &Plan,
        mode: SyncMode,
        reason: &str,
        outcome: &mut SyncOutcome,
    ) -> anyhow::Result<()> {
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
                render::held_plan(plan, plan_id, changes, limit, &self.approver_mentions_all()),
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
        self.apply_plan(team, rule, plan, reason).await?;
        metrics::counter!("sync_runs_total", "rule" => rule.name.clone(), "outcome" => "applied")
            .increment(1);
        Ok(())
    }

    /// Mentions of everyone who approves anything (for held plans, which are not per channel).
    fn approver_mentions_all(&self) -> String {
        let rules = &self.settings.approvers;
        let mut who: Vec<String> = rules.users.iter().map(|u| format!("<@{u}>")).collect();
        who.extend(rules.usergroups.iter().map(|g| format!("<!subteam^{g}>")));
        who.join(" ")
    }

    /// A message for the sync report channel (or the request channel), as a job.
    fn report_job(
        &self,
        team: &TeamId,
        content: slack_morphism::prelude::SlackMessageContent,
    ) -> Option<NewJob> {
        let channel = self
            .settings
            .sync
            .report_channel
            .clone()
            .or_else(|| self.settings.request_channel.clone())?;
        let blocks = content
            .blocks
            .as_ref()
            .map(|b| serde_json::to_value(b).expect("blocks serialise"));
        Some(self.job(
            team,
            Job::PostMessage {
                channel: channel.to_string(),
                text: content.text.unwrap_or_default(),
                blocks,
                thread_ts: None,
            },
        ))
    }

    /// Applies a plan an event produced (the guard still holds a large one).
    async fn apply_event_plan(
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
            SyncMode::Apply { force: false },
            reason,
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
                phone: None,
                account_team: Some(rule.target_team.clone()),
                source_user: l
                    .org_member
                    .then(|| l.user_id.clone().map(UserId))
                    .flatten(),
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
        for chunk in invites.chunks(APPLY_CHUNK) {
            let created = self
                .store
                .create_approved(chunk, &approval, now, self.approved_jobs(team))
                .await?;
            invited += created.len();
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
        let summary = self.report_job(team, render::sync_summary(plan, invited, revoked));
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

    /// Job: `subteam_members_changed` carries who joined and left one group; only they are looked at.
    /// Returns how many Slack calls it made.
    pub async fn sync_delta(
        &self,
        team: &TeamId,
        subteam: &str,
        added: &[String],
        removed: &[String],
    ) -> Result<usize, JobError> {
        let all_rules = self.rules(None).await?;
        let calls = Calls::default();
        // Current members of every group any rule reads (one call), to know who is still wanted.
        let GroupDirectory { ids, members } = self.group_directory(&all_rules, &calls).await?;
        let touched: Vec<&SyncRule> = all_rules
            .iter()
            .filter(|r| {
                Self::rule_groups(r, &ids)
                    .iter()
                    .any(|g| g.as_str() == subteam)
            })
            .collect();
        if touched.is_empty() {
            return Ok(calls.get());
        }
        // The people in the delta, one users.info each.
        let mut people: HashMap<String, Person> = HashMap::new();
        for id in added.iter().chain(removed) {
            let user_id = UserId::from(id.as_str());
            match self
                .sync_call("users.info", &calls, || self.slack.directory_user(&user_id))
                .await
            {
                Ok(user) => {
                    if let Some(p) = person(&user) {
                        people.insert(id.clone(), p);
                    }
                }
                Err(e) => {
                    tracing::warn!(user = %id, error = %format!("{e:#}"), "sync: could not look up a member")
                }
            }
        }
        let wants = |rule: &SyncRule, user: &str, p: &Person| -> bool {
            p.eligible
                && match &rule.source {
                    SyncSource::Workspace { include_guests } => *include_guests || !p.guest,
                    SyncSource::UserGroups(_) => {
                        !p.guest
                            && Self::rule_groups(rule, &ids)
                                .iter()
                                .any(|g| members.get(g).is_some_and(|m| m.contains(user)))
                    }
                }
        };
        let held_all = self.held_map(team).await?;
        for rule in touched {
            let wanted: BTreeMap<Email, Wanted> = added
                .iter()
                .filter_map(|u| {
                    people
                        .get(u)
                        .filter(|p| wants(rule, u, p))
                        .map(|p| (p.email.clone(), p.wanted(u, &rule.target_team)))
                })
                .collect();
            let delta_emails: HashSet<Email> = added
                .iter()
                .chain(removed)
                .filter_map(|u| people.get(u))
                .map(|p| p.email.clone())
                .collect();
            let held: HashMap<Email, Held> = held_all
                .iter()
                .filter(|(e, _)| delta_emails.contains(*e))
                .map(|(e, h)| (e.clone(), h.clone()))
                .collect();
            let elsewhere = |email: &Email| -> Option<String> {
                let (user, p) = people.iter().find(|(_, p)| &p.email == email)?;
                all_rules
                    .iter()
                    .find(|r| wants(r, user, p))
                    .map(|r| r.name.clone())
            };
            let plan = plan(&PlanInput {
                rule: &rule.name,
                wanted: &wanted,
                held: &held,
                wanted_elsewhere: &elsewhere,
                on_removal: rule.on_removal,
            });
            self.apply_event_plan(team, rule, &plan, "subteam_members_changed")
                .await?;
        }
        tracing::info!(
            subteam,
            added = added.len(),
            removed = removed.len(),
            calls = calls.get(),
            "sync delta applied"
        );
        Ok(calls.get())
    }

    /// Job: a new person joined the workspace; workspace rules may want them.
    pub(super) async fn sync_join(
        &self,
        team: &TeamId,
        user: &serde_json::Value,
    ) -> Result<(), JobError> {
        let rules: Vec<SyncRule> = self
            .rules(None)
            .await?
            .into_iter()
            .filter(|r| matches!(r.source, SyncSource::Workspace { .. }))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        let Ok(user) = serde_json::from_value::<DirectoryUser>(user.clone()) else {
            return Ok(());
        };
        let Some(p) = person(&user) else {
            return Ok(());
        };
        let held_all = self.held_map(team).await?;
        for rule in &rules {
            let SyncSource::Workspace { include_guests } = rule.source else {
                continue;
            };
            if !p.eligible || (p.guest && !include_guests) {
                continue;
            }
            let wanted = BTreeMap::from([(p.email.clone(), p.wanted(&user.id, &rule.target_team))]);
            let held: HashMap<Email, Held> = held_all
                .get(&p.email)
                .map(|h| (p.email.clone(), h.clone()))
                .into_iter()
                .collect();
            let plan = plan(&PlanInput {
                rule: &rule.name,
                wanted: &wanted,
                held: &held,
                wanted_elsewhere: &|_| None,
                on_removal: rule.on_removal,
            });
            self.apply_event_plan(team, rule, &plan, "team_join")
                .await?;
        }
        Ok(())
    }

    /// Button: an approver applies a plan the guard held.
    pub(super) async fn apply_held_click(
        &self,
        team: &TeamId,
        actor: &UserId,
        plan_id: i64,
        feedback: &super::Feedback,
    ) -> anyhow::Result<()> {
        let facts = self.actor_facts(team, actor).await?;
        if !self.settings.approvers.has_full_authority(actor, facts) {
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
            let explain = self.feedback_job(
                team,
                feedback,
                "Only approvers who approve every request can apply a sync plan.".into(),
            );
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
        self.tell(
            team,
            feedback,
            format!("Applying sync plan {plan_id}; the summary follows here."),
        )
        .await
    }

    /// Job: apply a held plan, once.
    pub(super) async fn apply_held(
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
            .settings
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
        self.apply_plan(team, &rule, &plan, &format!("applied anyway by {actor}"))
            .await?;
        Ok(())
    }

    /// Job: `/guest sync preview` (or `now`) for someone waiting on a response_url.
    pub(super) async fn sync_for(
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
        let outcome = self
            .sync_run(team, None, mode, &format!("/guest sync by {actor}"))
            .await?;
        let text = render::sync_outcome_text(
            &outcome.plans,
            outcome.dry_run,
            &outcome
                .held
                .iter()
                .map(|h| (h.rule.clone(), h.changes, h.limit))
                .collect::<Vec<_>>(),
        );
        let body = serde_json::json!({"response_type": "ephemeral", "replace_original": false, "text": text});
        self.respond(response_url, &body).await
    }
}
