//! Approvals: each Approve or Deny is a vote, counted toward the request's quorum in the same
//! transaction that, once the quorum is reached, makes the decision (one compare-and-set, so
//! racing clicks give one decision and one invitation). An approver may narrow a request
//! before approving (a new round: earlier approvals were for something else). An undecided
//! request is reminded about, escalated and finally lapses, each on a durable timer.

use crate::domain::quorum::{
    Quorum, Tally, Terms, Verdict, Vote, merge_amendment, requirement, tally,
};
use crate::domain::roles::Right;
use crate::domain::{Email, GuestRequest, RequestId, RequestKind, RequestState, TeamId, UserId};
use crate::slack::render;
use crate::slack::say::{CommonSay, RequestSay, Said, Say};
use crate::store::{
    Amendment, AuditEntry, BOT_ACTOR, ChangeOutcome, ChangedFields, NewJob, StateChange, VoteCast,
    VoteEffects, VoteOutcome,
};
use crate::workflow::{Job, JobError, Workflow};
use chrono::{DateTime, Duration, Utc};

/// One approver's say on a request.
#[derive(Debug, Clone)]
pub(in crate::workflow) struct Ballot {
    pub voter: UserId,
    pub verdict: Verdict,
    /// The roles that let the voter decide this request (for quorums that want distinct roles).
    pub roles: Vec<String>,
    /// The deny reason.
    pub note: Option<String>,
    /// Approve with changes: the narrowed terms.
    pub amendment: Option<Amendment>,
}

/// What became of a ballot.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::workflow) enum Cast {
    /// It completed the quorum: the request is decided.
    Decided(Box<GuestRequest>),
    /// Counted; the request still waits. What the voter is told of where it stands.
    Counted(Say),
    /// Not counted, and why.
    NotCounted(Say),
}

/// Builds jobs without the workflow at hand (inside a store transaction's closure).
#[derive(Debug, Clone)]
struct JobMaker {
    team: TeamId,
    now: DateTime<Utc>,
    max_attempts: i64,
}

impl JobMaker {
    fn job(&self, job: Job) -> NewJob {
        job.now(&self.team, self.now, self.max_attempts)
    }
}

/// The timers of a pending request: reminders, escalation and lapse, from its creation.
#[derive(Debug, Clone)]
pub(in crate::workflow) struct PendingTimers {
    reminders: Vec<Duration>,
    escalate_after: Option<Duration>,
    max_attempts: i64,
}

impl PendingTimers {
    pub(in crate::workflow) fn jobs(&self, team: &TeamId, request: &GuestRequest) -> Vec<NewJob> {
        let id = request.id;
        let ends = request.decide_by;
        let before_end = |at: DateTime<Utc>| ends.is_none_or(|end| at < end);
        let mut jobs = Vec::new();
        for (n, after) in self.reminders.iter().enumerate() {
            let at = request.created_at + *after;
            if before_end(at) {
                // The first reminder keeps the key it had before there were several.
                let key = if n == 0 {
                    format!("stale:{}", id.0)
                } else {
                    format!("stale:{}:{}", id.0, n + 1)
                };
                jobs.push(Job::StaleReminder { request_id: id }.at(
                    team,
                    at,
                    self.max_attempts,
                    Some(key),
                ));
            }
        }
        if let Some(after) = self.escalate_after {
            let at = request.created_at + after;
            if before_end(at) {
                jobs.push(Job::Escalate { request_id: id }.at(
                    team,
                    at,
                    self.max_attempts,
                    Some(format!("escalate:{}", id.0)),
                ));
            }
        }
        if let Some(end) = ends {
            jobs.push(
                Job::LapseRequest {
                    request_id: id,
                    decide_by: end.timestamp_millis(),
                }
                .at(
                    team,
                    end,
                    self.max_attempts,
                    Some(format!("lapse:{}:{}", id.0, end.timestamp_millis())),
                ),
            );
        }
        jobs
    }
}

fn std_to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

impl Workflow {
    /// What a new request needs: the strictest quorum rule that applies, and when it lapses
    /// undecided (the rule's time limit, else the deployment's).
    pub(in crate::workflow) fn approval_terms(
        &self,
        terms: &Terms,
        email: &Email,
        now: DateTime<Utc>,
    ) -> (Quorum, Option<DateTime<Utc>>) {
        let settings = self.settings();
        let (quorum, rule) = requirement(&settings.quorum, terms, email, now);
        let within = rule
            .and_then(|r| r.decide_within)
            .or_else(|| self.settings().approvals.decide_within.map(std_to_chrono));
        (quorum, within.map(|w| now + w))
    }

    pub(in crate::workflow) fn pending_timers(&self) -> PendingTimers {
        let approvals = &self.settings().approvals;
        PendingTimers {
            reminders: approvals
                .reminders
                .iter()
                .map(|d| std_to_chrono(*d))
                .collect(),
            escalate_after: approvals
                .escalation
                .as_ref()
                .map(|e| std_to_chrono(e.after)),
            max_attempts: self.settings().max_attempts,
        }
    }

    fn job_maker(&self, team: &TeamId) -> JobMaker {
        JobMaker {
            team: team.clone(),
            now: self.now(),
            max_attempts: self.settings().max_attempts,
        }
    }

    /// Counts a ballot; when it completes the quorum, the decision and everything it brings
    /// (the invitation, the card, the requester's DM) are written in the same transaction.
    pub(in crate::workflow) async fn cast(
        &self,
        team: &TeamId,
        request: GuestRequest,
        ballot: Ballot,
    ) -> anyhow::Result<Cast> {
        let now = self.now();
        let maker = self.job_maker(team);
        let Ballot {
            voter,
            verdict,
            roles,
            note,
            amendment,
        } = ballot;
        // The request as it will stand if this ballot's amendment applies.
        let mut after = request.clone();
        if let Some(a) = &amendment {
            after.guest_type = a.terms.guest_type;
            after.channels = a.terms.channels.clone();
            after.expiry = a.terms.expiry;
            after.expires_at = a.terms.expiry.fixed_deadline();
            after.amendment = a.changes.clone();
            after.approval_round += 1;
        }
        let to = match verdict {
            Verdict::Approve => RequestState::Approved,
            Verdict::Deny => RequestState::Denied,
        };
        let expires_at = match verdict {
            Verdict::Approve => after.expiry.deadline(now),
            Verdict::Deny => None,
        };
        // The decision this ballot would complete, all but its words (they name every approver).
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: Some(request.id),
            actor: voter.to_string(),
            action: verdict.as_str().into(),
            from_state: Some(RequestState::Pending),
            to_state: Some(to),
            detail: note.clone().unwrap_or_default(),
            at: now,
        };
        let mut decision = StateChange::new(team, request.id, RequestState::Pending, to, audit);
        decision.fields = ChangedFields {
            decided_by: Some(voter.clone()),
            decided_at: Some(now),
            decision_note: note.clone(),
            expires_at,
            ..Default::default()
        };
        let mut jobs = vec![
            maker.job(Job::RefreshCard {
                request_id: request.id,
            }),
            maker.job(Job::PublishHome {
                user: request.requester.to_string(),
            }),
        ];
        match (verdict, request.kind) {
            (Verdict::Approve, RequestKind::Guest) => {
                jobs.push(maker.job(Job::Provision {
                    request_id: request.id,
                }));
                jobs.extend(self.expiry_jobs(team, &after, expires_at));
            }
            (Verdict::Approve, RequestKind::Extension) => {
                let (moved, more) = self.extension_approval(team, &after).await?;
                decision.parent_expiry = moved;
                jobs.extend(more);
            }
            (Verdict::Deny, _) if request.slack_invite_request.is_some() => {
                jobs.push(maker.job(Job::DenyInviteRequest {
                    request_id: request.id,
                }));
            }
            (Verdict::Deny, _) => {}
        }
        decision.jobs = jobs;
        // While the quorum is not reached, the card shows the count; a change is told in the
        // card's thread and to the requester.
        let mut waiting = vec![maker.job(Job::RefreshCard {
            request_id: request.id,
        })];
        if let Some(a) = &amendment {
            waiting.push(
                maker.job(Job::CardReply {
                    request_id: request.id,
                    text: RequestSay::ApprovedWithChanges {
                        voter: voter.clone(),
                        changes: a.changes.clone(),
                    }
                    .into(),
                }),
            );
            waiting.push(
                maker.job(Job::NotifyRequester {
                    request_id: request.id,
                    text: RequestSay::ChangedYourRequest {
                        voter: voter.clone(),
                        id: request.id,
                        guest: request.full_name.clone(),
                        changes: a.changes.clone(),
                    }
                    .into(),
                }),
            );
        }
        let words = DecisionWords {
            id: request.id,
            guest: request.full_name.clone(),
            note: note.clone(),
        };
        let then_maker = maker.clone();
        let then = Box::new(move |now_request: &GuestRequest, votes: &[Vote]| {
            let reached = matches!(
                (
                    tally(&now_request.quorum, votes, &now_request.requester),
                    verdict
                ),
                (Tally::Approved, Verdict::Approve) | (Tally::Denied, Verdict::Deny)
            );
            if !reached {
                return VoteEffects {
                    jobs: waiting,
                    decision: None,
                };
            }
            let mut deciders: Vec<UserId> = Vec::new();
            for vote in votes {
                if vote.verdict == verdict
                    && vote.voter != now_request.requester
                    && !deciders.contains(&vote.voter)
                {
                    deciders.push(vote.voter.clone());
                }
            }
            let (thread, dm) = words.say(verdict, &deciders, &now_request.amendment);
            decision.jobs.push(then_maker.job(Job::CardReply {
                request_id: now_request.id,
                text: (thread).into(),
            }));
            decision.jobs.push(then_maker.job(match verdict {
                Verdict::Approve => Job::NotifyRequester {
                    request_id: now_request.id,
                    text: (dm).into(),
                },
                Verdict::Deny => Job::RequestEnded {
                    request_id: now_request.id,
                    text: (dm).into(),
                },
            }));
            VoteEffects {
                jobs: Vec::new(),
                decision: Some(decision),
            }
        });
        let vote_audit = AuditEntry {
            team_id: team.clone(),
            request_id: Some(request.id),
            actor: voter.to_string(),
            action: match (&amendment, verdict) {
                (Some(_), _) => "vote_approve_with_changes".into(),
                (None, v) => format!("vote_{}", v.as_str()),
            },
            from_state: Some(RequestState::Pending),
            to_state: None,
            detail: vote_detail(&request, &roles, amendment.as_ref()),
            at: now,
        };
        let outcome = self
            .store
            .cast_vote(VoteCast {
                team_id: team.clone(),
                request_id: request.id,
                round: request.approval_round,
                vote: Vote {
                    voter: voter.clone(),
                    verdict,
                    roles,
                },
                note,
                at: now,
                amendment,
                audit: vote_audit,
                then,
            })
            .await?;
        self.queued();
        Ok(match outcome {
            VoteOutcome::Counted {
                decided: Some(decided),
                ..
            } => {
                let to = decided.state;
                metrics::counter!("decisions_total", "outcome" => to.as_str()).increment(1);
                metrics::histogram!("request_decision_seconds")
                    .record((now - request.created_at).num_milliseconds() as f64 / 1000.0);
                tracing::info!(request.id = decided.id.0, %team, actor = %voter, outcome = %to, "request decided");
                Cast::Decided(decided)
            }
            VoteOutcome::Counted { request, votes, .. } => {
                metrics::counter!("votes_total", "verdict" => verdict.as_str()).increment(1);
                Cast::Counted(counted(&request, &votes, verdict).into())
            }
            VoteOutcome::AlreadyVoted(current) => {
                Cast::NotCounted(RequestSay::AlreadyVoted { id: current.id }.into())
            }
            VoteOutcome::Conflict(current) if current.state == RequestState::Pending => {
                Cast::NotCounted(RequestSay::ChangedSinceOpened { id: current.id }.into())
            }
            VoteOutcome::Conflict(current) => {
                Cast::NotCounted(self.already_decided(&current).into())
            }
            VoteOutcome::NotFound => {
                Cast::NotCounted(CommonSay::NoSuchRequest { id: request.id }.into())
            }
            VoteOutcome::ParentClosed => {
                Cast::NotCounted(RequestSay::ParentEnded { id: request.id }.into())
            }
        })
    }

    /// The lapse timer: a request still pending at its time limit lapses (compare-and-set on
    /// the state and on the deadline it was set for).
    pub(in crate::workflow) async fn lapse_request(
        &self,
        team: &TeamId,
        id: RequestId,
        decide_by_ms: i64,
    ) -> Result<(), JobError> {
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        let Some(decide_by) = request.decide_by else {
            return Ok(());
        };
        if request.state != RequestState::Pending || decide_by.timestamp_millis() != decide_by_ms {
            return Ok(());
        }
        let now = self.now();
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: Some(id),
            actor: BOT_ACTOR.into(),
            action: "lapse".into(),
            from_state: Some(RequestState::Pending),
            to_state: Some(RequestState::Lapsed),
            detail: format!("undecided since {}", request.created_at.to_rfc3339()),
            at: now,
        };
        let waited = (decide_by - request.created_at).num_hours();
        let mut change =
            StateChange::new(team, id, RequestState::Pending, RequestState::Lapsed, audit);
        change.only_if_decide_by = Some(decide_by);
        change.jobs = vec![
            self.job(team, Job::RefreshCard { request_id: id }),
            self.job(
                team,
                Job::CardReply {
                    request_id: id,
                    text: RequestSay::LapsedThread { id, hours: waited }.into(),
                },
            ),
            self.job(
                team,
                Job::RequestEnded {
                    request_id: id,
                    text: RequestSay::LapsedDm {
                        id,
                        guest: request.full_name.clone(),
                        hours: waited,
                    }
                    .into(),
                },
            ),
            self.job(
                team,
                Job::PublishHome {
                    user: request.requester.to_string(),
                },
            ),
        ];
        if request.slack_invite_request.is_some() {
            // Slack's own queue would otherwise keep it pending forever.
            change
                .jobs
                .push(self.job(team, Job::DenyInviteRequest { request_id: id }));
        }
        if let ChangeOutcome::Applied(_) = self.store.change_state(change).await? {
            self.queued();
            metrics::counter!("decisions_total", "outcome" => "lapsed").increment(1);
            tracing::info!(request.id = id.0, %team, "request lapsed undecided");
        }
        Ok(())
    }

    /// The escalation timer: the request, still pending, is announced again to the escalation
    /// target. Each message is its own job, written with the audit row in one transaction.
    pub(in crate::workflow) async fn escalate(
        &self,
        team: &TeamId,
        id: RequestId,
    ) -> Result<(), JobError> {
        let Some(escalation) = self.settings().approvals.escalation.clone() else {
            return Ok(());
        };
        let Some(request) = self.store.get_request(team, id).await? else {
            return Ok(());
        };
        if request.state != RequestState::Pending {
            return Ok(());
        }
        let now = self.now();
        let votes = self.store.votes(team, id, request.approval_round).await?;
        let hours = (now - request.created_at).num_hours();
        let headline = RequestSay::Escalated { id, hours };
        // The card under the headline is rendered now, in each reader's language: the
        // channel's, or an owner's own in their DM.
        let announcement = |lang| -> Result<(Said, serde_json::Value), JobError> {
            let message = render::escalated_card(&request, &votes, &headline.text(lang), now, lang);
            let blocks = serde_json::to_value(message.blocks.unwrap_or_default())
                .map_err(|e| JobError::fatal(format!("rendering the escalation: {e}")))?;
            Ok((Said::worded(message.text.unwrap_or_default()), blocks))
        };
        let mut jobs = Vec::new();
        let post = |channel: String, thread_ts: Option<String>, text: Said, blocks| {
            self.job(
                team,
                Job::PostMessage {
                    channel,
                    text,
                    blocks,
                    thread_ts,
                },
            )
        };
        if let Some(channel) = &escalation.channel {
            let (text, blocks) = announcement(self.channel_lang())?;
            jobs.push(post(channel.to_string(), None, text, Some(blocks)));
        }
        if let Some(group) = &escalation.usergroup
            && let Some(card) = &request.card
        {
            let ask = RequestSay::EscalatedAsk {
                id,
                hours,
                group: group.clone(),
            };
            jobs.push(post(
                card.channel.to_string(),
                Some(card.ts.clone()),
                ask.into(),
                None,
            ));
        }
        if escalation.owners {
            let mut owners: Vec<UserId> = Vec::new();
            for role in self.settings().roles.everywhere_with(Right::Decide) {
                for user in &role.holders.users {
                    if user != &request.requester && !owners.contains(user) {
                        owners.push(user.clone());
                    }
                }
            }
            for owner in owners {
                let (text, blocks) = announcement(self.lang_of(&owner).await)?;
                jobs.push(post(owner.to_string(), None, text, Some(blocks)));
            }
        }
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: Some(id),
            actor: BOT_ACTOR.into(),
            action: "escalate".into(),
            from_state: Some(RequestState::Pending),
            to_state: None,
            detail: format!("{} message(s)", jobs.len()),
            at: now,
        };
        self.store.append_audit(audit, jobs).await?;
        self.queued();
        Ok(())
    }
}

/// What a decision says, in the card's thread and to the requester.
struct DecisionWords {
    id: RequestId,
    guest: String,
    note: Option<String>,
}

impl DecisionWords {
    fn say(
        &self,
        verdict: Verdict,
        deciders: &[UserId],
        amendment: &[crate::domain::quorum::TermChange],
    ) -> (RequestSay, RequestSay) {
        // A denial's note is its reason; an approval carries the changes made on the way.
        let changes = match verdict {
            Verdict::Approve => amendment.to_vec(),
            Verdict::Deny => Vec::new(),
        };
        let note = match verdict {
            Verdict::Approve => None,
            Verdict::Deny => self.note.clone(),
        };
        (
            RequestSay::Decided {
                verdict,
                by: deciders.to_vec(),
                changes: changes.clone(),
                note: note.clone(),
            },
            RequestSay::DecidedDm {
                verdict,
                id: self.id,
                guest: self.guest.clone(),
                by: deciders.to_vec(),
                changes,
                note,
            },
        )
    }
}

fn vote_detail(request: &GuestRequest, roles: &[String], amendment: Option<&Amendment>) -> String {
    let mut detail = format!(
        "round {}; needs {}; roles: {}",
        request.approval_round,
        request.quorum.approvals,
        if roles.is_empty() {
            "-".to_string()
        } else {
            roles.join(", ")
        }
    );
    if let Some(a) = amendment {
        detail.push_str(&format!(
            "; changed: {}",
            serde_json::to_string(&a.changes).unwrap_or_default()
        ));
    }
    detail
}

/// What a voter hears when their vote counted but did not decide.
fn counted(request: &GuestRequest, votes: &[Vote], verdict: Verdict) -> RequestSay {
    match tally(&request.quorum, votes, &request.requester) {
        Tally::Waiting {
            approvers,
            denials,
            needed,
            missing_roles,
        } => RequestSay::VoteCounted {
            id: request.id,
            verdict,
            approvals: approvers.len(),
            denials,
            needed,
            missing_roles,
        },
        _ => RequestSay::VoteCountedPlain { id: request.id },
    }
}

/// Amendments carry every change since the request was made.
pub(in crate::workflow) fn amendment_of(
    request: &GuestRequest,
    terms: Terms,
    changes: Vec<crate::domain::quorum::TermChange>,
) -> Amendment {
    Amendment {
        terms,
        changes: merge_amendment(&request.amendment, changes),
    }
}
