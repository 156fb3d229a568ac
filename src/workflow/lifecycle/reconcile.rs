//! Reconciliation: every tracked guest account against what Slack says of it now, on a
//! schedule and on `user_change`/`team_join`. The loop only reads Slack; what it finds is
//! recorded here (one compare-and-set each), told to the sponsor and the card, or asked of
//! approvers. It never changes an account in Slack.

use super::super::{Job, JobError, Workflow};
use crate::domain::reconcile::{Expected, Finding, Observed, reconcile, sponsor_left};
use crate::domain::request::{Action, transition};
use crate::domain::{GuestRequest, RequestId, RequestKind, RequestState, TeamId};
use crate::slack::say::InventorySay;
use crate::store::{BOT_ACTOR, NewJob, StateChange, UnmanagedGuest};
use std::collections::{HashMap, HashSet};

/// What one run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileCounts {
    pub checked: usize,
    pub ended_outside: usize,
    pub became_member: usize,
    pub reactivated: usize,
    pub unmanaged: usize,
    pub orphaned: usize,
}

/// The states whose accounts are compared: live ones, and ended ones (a hand reactivation).
const TRACKED: [RequestState; 4] = [
    RequestState::Active,
    RequestState::Expired,
    RequestState::Revoked,
    RequestState::EndedOutside,
];

impl Workflow {
    /// The scheduled run: `users.list` once (paced), then every tracked account of the home
    /// workspace by its bound user id.
    pub(in crate::workflow) async fn reconcile_all(
        &self,
        team: &TeamId,
    ) -> Result<ReconcileCounts, JobError> {
        let mut seen: HashMap<String, Observed> = HashMap::new();
        let mut guests: Vec<UnmanagedGuest> = Vec::new();
        let now = self.now();
        let mut cursor: Option<String> = None;
        loop {
            self.pacer.wait("users.list").await;
            let page = self
                .slack
                .users_page(cursor.as_deref(), self.settings().sync.page_size)
                .await?;
            for user in page.items {
                let observed = Observed::from_flags(
                    user.deleted,
                    user.is_restricted,
                    user.is_ultra_restricted,
                );
                if observed == Observed::Guest && !user.is_bot && !user.is_app_user {
                    guests.push(UnmanagedGuest {
                        team_id: team.to_string(),
                        slack_user_id: user.id.clone(),
                        email: user.profile.email.clone(),
                        name: user
                            .real_name
                            .clone()
                            .or(user.name.clone())
                            .unwrap_or_else(|| user.id.clone()),
                        guest_type: if user.is_ultra_restricted {
                            "single_channel".into()
                        } else {
                            "multi_channel".into()
                        },
                        first_seen: now,
                        last_seen: now,
                    });
                }
                seen.insert(user.id, observed);
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut counts = ReconcileCounts::default();
        for state in TRACKED {
            for request in self.store.requests_in_state(team, state, 1_000_000).await? {
                let Some(id) = tracked_id(&request) else {
                    continue;
                };
                counts.checked += 1;
                let observed = seen.get(id).copied().unwrap_or(Observed::Absent);
                match self
                    .record_finding(team, &request, observed, "the hourly check") // audit
                    .await?
                {
                    Finding::EndedOutside => counts.ended_outside += 1,
                    Finding::BecameMember => counts.became_member += 1,
                    Finding::ReactivatedOutside => counts.reactivated += 1,
                    Finding::InSync => {}
                }
            }
        }
        // Sponsors who left: every live account of theirs goes to approvers (once per sponsor).
        let mut after = None;
        loop {
            let page = self.store.live_accounts(after, 1000).await?;
            let Some(last) = page.last().map(|r| r.id) else {
                break;
            };
            after = Some(last);
            for request in page.iter().filter(|r| &r.team_id == team) {
                let sponsor = seen
                    .get(request.requester.as_str())
                    .copied()
                    .unwrap_or(Observed::Absent);
                if request.requester.as_str() != BOT_ACTOR
                    && sponsor_left(sponsor)
                    && self.sponsor_left(team, request).await?
                {
                    counts.orphaned += 1;
                }
            }
        }
        // Guests nobody here invited or adopted: bound to no request, and no open request
        // holds their email (an invited guest joins, and is bound, in a moment).
        let bound: HashSet<String> = self.store.bound_user_ids(team).await?.into_iter().collect();
        let held: HashSet<String> = self
            .store
            .held_emails(team)
            .await?
            .into_iter()
            .filter(|h| h.state.holds_email())
            .map(|h| h.email)
            .collect();
        guests.retain(|g| {
            !bound.contains(&g.slack_user_id)
                && g.email.as_deref().is_none_or(|e| {
                    !held.contains(
                        &crate::domain::Email::parse(e)
                            .map(|e| e.as_str().to_string())
                            .unwrap_or_default(),
                    )
                })
        });
        // A user listed twice (pages shifting under a cursor) is one row: Postgres refuses an
        // upsert that touches a row twice.
        let mut once = HashSet::new();
        guests.retain(|g| once.insert(g.slack_user_id.clone()));
        counts.unmanaged = guests.len();
        self.store.replace_unmanaged(team, &guests, now).await?;
        tracing::info!(
            %team,
            unmanaged = counts.unmanaged,
            orphaned = counts.orphaned,
            checked = counts.checked,
            ended_outside = counts.ended_outside,
            became_member = counts.became_member,
            reactivated = counts.reactivated,
            "reconciliation run"
        );
        metrics::counter!("reconcile_runs_total").increment(1);
        Ok(counts)
    }

    /// Job: the weekly digest (what ends within 7 days, unmanaged guests) in the request channel.
    pub(in crate::workflow) async fn weekly_digest(&self, team: &TeamId) -> Result<(), JobError> {
        let Some(channel) = self.settings().request_channel.clone() else {
            return Ok(());
        };
        let now = self.now();
        let soon = now + chrono::Duration::days(7);
        let mut ending = Vec::new();
        let mut after = None;
        loop {
            let page = self.store.live_accounts(after, 1000).await?;
            let Some(last) = page.last().map(|r| r.id) else {
                break;
            };
            after = Some(last);
            ending.extend(
                page.into_iter()
                    .filter(|r| &r.team_id == team && r.expires_at.is_some_and(|at| at <= soon)),
            );
        }
        ending.sort_by_key(|r| (r.expires_at, r.id));
        let unmanaged = self
            .store
            .unmanaged_guests(Some(team), 100_000)
            .await?
            .len();
        if ending.is_empty() && unmanaged == 0 {
            // Nothing to tell: no message (a channel is not a heartbeat).
            tracing::debug!(%team, "weekly digest: nothing ends soon, nothing unmanaged");
            return Ok(());
        }
        self.slack
            .post_message(
                channel.as_str(),
                crate::slack::render::weekly_digest(&ending, unmanaged, now, self.channel_lang()),
                None,
            )
            .await?;
        Ok(())
    }

    /// A `user_change` or `team_join` about a bound account: its flags, as the event gives them.
    pub(in crate::workflow) async fn reconcile_user(
        &self,
        team: &TeamId,
        user: &serde_json::Value,
    ) -> Result<(), JobError> {
        let Some(id) = user.get("id").and_then(|i| i.as_str()) else {
            return Ok(());
        };
        let flag = |key: &str| user.get(key).and_then(|d| d.as_bool()).unwrap_or(false);
        let observed = Observed::from_flags(
            flag("deleted"),
            flag("is_restricted"),
            flag("is_ultra_restricted"),
        );
        for request in self.store.requests_bound_to(team, id).await? {
            if TRACKED.contains(&request.state) {
                self.record_finding(team, &request, observed, "a Slack event")
                    .await?;
            }
        }
        Ok(())
    }

    async fn record_finding(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        observed: Observed,
        found_by: &str,
    ) -> anyhow::Result<Finding> {
        let expected = Expected {
            deadline_passed: request.expires_at.is_some_and(|at| at <= self.now()),
            // Read only when it matters: an active guest that Slack shows as a member.
            made_member: request.guest_type == crate::domain::GuestType::Member
                || (observed == Observed::Member
                    && request.state == RequestState::Active
                    && self.make_member_pending(team, request).await?),
        };
        let finding = reconcile(request.state, observed, expected);
        let action = match finding {
            Finding::InSync => return Ok(finding),
            Finding::EndedOutside => Action::EndOutside,
            Finding::BecameMember => Action::FoundMember,
            Finding::ReactivatedOutside => {
                self.flag_reactivated(team, request, found_by).await?;
                return Ok(finding);
            }
        };
        let to = transition(request.kind, request.state, action)?;
        let (name, email) = (
            request.full_name.clone(),
            request.email.as_str().to_string(),
        );
        let (audit_action, detail, thread, dm) = match finding {
            Finding::EndedOutside => (
                "ended_outside",
                format!("deactivated in Slack outside Guestlist (found by {found_by})"), // audit
                InventorySay::EndedOutsideThread {
                    name: name.clone(),
                    email: email.clone(),
                },
                InventorySay::EndedOutsideDm { name, email },
            ),
            _ => (
                "found_member",
                format!("made a full member in Slack outside Guestlist (found by {found_by})"), // audit
                InventorySay::BecameMemberThread {
                    name: name.clone(),
                    email: email.clone(),
                },
                InventorySay::BecameMemberDm { name, email },
            ),
        };
        let mut change = StateChange::new(
            team,
            request.id,
            request.state,
            to,
            self.audit(team, request, BOT_ACTOR, audit_action, Some(to), detail),
        );
        change.jobs = self.tell_card(team, request.id, thread, Some(dm));
        self.store.change_state(change).await?;
        metrics::counter!("reconcile_findings_total", "finding" => audit_action).increment(1);
        self.queued();
        Ok(finding)
    }

    /// Whether an approver asked to make this guest a member (the change may still be on its
    /// way to Slack).
    async fn make_member_pending(
        &self,
        team: &TeamId,
        request: &GuestRequest,
    ) -> anyhow::Result<bool> {
        Ok(self
            .store
            .audit_for_request(team, request.id)
            .await?
            .iter()
            .any(|r| r.entry.action == "make_member" || r.entry.detail.contains("make_member")))
    }

    /// An ended guest is active in Slack again: approvers are asked, once per ending.
    async fn flag_reactivated(
        &self,
        team: &TeamId,
        request: &GuestRequest,
        found_by: &str,
    ) -> anyhow::Result<()> {
        let history = self.store.audit_for_request(team, request.id).await?;
        // Only an account known to be ended in Slack can have been reactivated: until the
        // deactivation is done (a job, or an admin's task in manual mode), an active guest is
        // simply not ended yet.
        let ended_in_slack = request.state == RequestState::EndedOutside
            || history.iter().any(|r| {
                matches!(
                    r.entry.action.as_str(),
                    "deactivated" | "deactivation_confirmed"
                ) || (r.entry.action == "expire" && r.entry.detail == "deactivated by an admin")
            });
        let already = history
            .iter()
            .any(|r| r.entry.action == "reactivated_outside" && r.entry.at >= request.updated_at);
        if !ended_in_slack || already {
            return Ok(());
        }
        let mention = self.approver_mentions(request);
        let entry = self.audit(
            team,
            request,
            BOT_ACTOR,
            "reactivated_outside",
            None,
            format!("active in Slack again after it ended here (found by {found_by})"),
        );
        let jobs = vec![
            self.job(
                team,
                Job::CardReply {
                    request_id: request.id,
                    text: InventorySay::ReactivatedOutside {
                        name: request.full_name.clone(),
                        email: request.email.as_str().to_string(),
                        state: request.state,
                        approvers: mention,
                    }
                    .into(),
                },
            ),
        ];
        self.store.append_audit(entry, jobs).await?;
        metrics::counter!("reconcile_findings_total", "finding" => "reactivated_outside")
            .increment(1);
        self.queued();
        Ok(())
    }
}

impl Workflow {
    /// The card is refreshed and `thread` said in its thread; `dm` goes to the sponsor.
    pub(super) fn tell_card(
        &self,
        team: &TeamId,
        id: RequestId,
        thread: InventorySay,
        dm: Option<InventorySay>,
    ) -> Vec<NewJob> {
        let mut jobs = vec![
            self.job(team, Job::RefreshCard { request_id: id }),
            self.job(
                team,
                Job::CardReply {
                    request_id: id,
                    text: thread.into(),
                },
            ),
        ];
        if let Some(dm) = dm {
            jobs.push(self.job(
                team,
                Job::NotifyRequester {
                    request_id: id,
                    text: dm.into(),
                },
            ));
        }
        jobs
    }
}

/// The id an account is bound to, if it is one the loop compares (home workspace guests).
fn tracked_id(request: &GuestRequest) -> Option<&str> {
    (request.kind == RequestKind::Guest && request.account_team.is_none())
        .then_some(request.slack_user_id.as_deref())
        .flatten()
}
