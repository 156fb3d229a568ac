//! Who may do what: an actor's standing (approver lists, groups, workspace admins), the check
//! made again on every click, and the one way a click on a request's button starts (load the
//! request, check who clicked, refuse with an audit row and an explanation).

use super::{Feedback, Workflow};
use crate::domain::policy::{ActorFacts, Authority, Refusal};
use crate::domain::{GuestRequest, RequestId, TeamId, UserGroupId, UserId};
use crate::store::AuditEntry;
use anyhow::Context;

/// Who may press a button about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MayClick {
    /// An approver for the request (never its requester).
    Approver,
    /// Its requester (the sponsor) or an approver for it.
    SponsorOrApprover,
}

impl Workflow {
    /// How every click on a request's button starts: the request is loaded, the clicker's
    /// authority checked from current group membership, and when they may not, the refusal is
    /// audited and explained. `None`: nothing more to do.
    pub(super) async fn clicked_request(
        &self,
        team: &TeamId,
        actor: &UserId,
        id: RequestId,
        verb: &str,
        may: MayClick,
        feedback: &Feedback,
    ) -> anyhow::Result<Option<GuestRequest>> {
        let Some(request) = self.store.get_request(team, id).await? else {
            self.tell(team, feedback, format!("There is no request {id}."))
                .await?;
            return Ok(None);
        };
        let allowed = match may {
            MayClick::SponsorOrApprover if &request.requester == actor => Ok(()),
            MayClick::SponsorOrApprover | MayClick::Approver => {
                self.authorize(actor, &request).await?.map(|_| ())
            }
        };
        match allowed {
            Ok(()) => Ok(Some(request)),
            Err(refusal) => {
                self.refuse(team, actor, verb, &request, &refusal, feedback)
                    .await?;
                Ok(None)
            }
        }
    }

    /// A refused click: audited, explained to the clicker, the card untouched.
    pub(super) async fn refuse(
        &self,
        team: &TeamId,
        actor: &UserId,
        verb: &str,
        request: &GuestRequest,
        refusal: &Refusal,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        tracing::info!(request.id = request.id.0, %actor, verb, reason = refusal.code(), "click refused");
        metrics::counter!("decisions_refused_total", "reason" => refusal.code()).increment(1);
        let explain = self.feedback_job(team, feedback, self.refusal_text(refusal, request));
        self.store
            .append_audit(
                self.refused_audit(team, actor, verb, request, refusal),
                vec![explain],
            )
            .await?;
        self.queued();
        Ok(())
    }

    /// The actor's standing, looked up only as far as needed.
    pub(super) async fn actor_facts(
        &self,
        team: &TeamId,
        actor: &UserId,
    ) -> anyhow::Result<ActorFacts> {
        let rules = &self.settings.approvers;
        if rules.users.contains(actor) {
            return Ok(ActorFacts::default());
        }
        let in_approver_group = !rules.usergroups.is_empty()
            && self
                .directory
                .in_any_group(actor, &self.group_versions(team, &rules.usergroups).await?)
                .await
                .context("resolving approver groups")?;
        let is_workspace_admin = rules.workspace_admins
            && !in_approver_group
            && self
                .directory
                .person(actor)
                .await
                .context("looking up the approver")?
                .is_admin_or_owner;
        Ok(ActorFacts {
            in_approver_group,
            is_workspace_admin,
        })
    }

    /// The groups with the version each has now: a cached member list older than its group's
    /// version is read again (a `subteam_members_changed` on any replica bumps it).
    pub(super) async fn group_versions(
        &self,
        team: &TeamId,
        groups: &[UserGroupId],
    ) -> anyhow::Result<Vec<(UserGroupId, i64)>> {
        let ids: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let versions = self
            .store
            .usergroup_versions(team, &ids)
            .await
            .context("reading user group versions")?;
        Ok(groups
            .iter()
            .map(|g| {
                let version = versions
                    .iter()
                    .find(|(id, _)| id == g.as_str())
                    .map(|(_, v)| *v)
                    .unwrap_or(0);
                (g.clone(), version)
            })
            .collect())
    }

    /// Re-checked on every click: is `actor` allowed to decide `request`?
    pub(super) async fn authorize(
        &self,
        actor: &UserId,
        request: &GuestRequest,
    ) -> anyhow::Result<Result<Authority, Refusal>> {
        if actor == &request.requester {
            return Ok(Err(Refusal::OwnRequest));
        }
        let facts = self.actor_facts(&request.team_id, actor).await?;
        Ok(self
            .settings
            .approvers
            .may_decide(actor, facts, &request.requester, &request.channels))
    }

    /// Whether `actor` approves anything at all (App Home shows them the queue).
    pub(super) async fn is_approver(&self, team: &TeamId, actor: &UserId) -> anyhow::Result<bool> {
        let facts = self.actor_facts(team, actor).await?;
        Ok(self.settings.approvers.is_some_approver(actor, facts))
    }

    pub(super) fn refusal_text(&self, refusal: &Refusal, request: &GuestRequest) -> String {
        match refusal {
            Refusal::OwnRequest => format!(
                "You cannot decide your own request ({}). Another approver has to.",
                request.id
            ),
            Refusal::NotAnApprover => format!(
                "Only approvers can decide guest requests; {} is still waiting for one.",
                request.id
            ),
            Refusal::OutsideScope { channels } => format!(
                "You approve requests for your own channels only; {} also asks for {}.",
                request.id,
                channels
                    .iter()
                    .map(|c| format!("<#{c}>"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }

    pub(super) fn refused_audit(
        &self,
        team_id: &TeamId,
        actor: &UserId,
        verb: &str,
        request: &GuestRequest,
        refusal: &Refusal,
    ) -> AuditEntry {
        AuditEntry {
            team_id: team_id.clone(),
            request_id: Some(request.id),
            actor: actor.to_string(),
            action: format!("refused_{verb}"),
            from_state: Some(request.state),
            to_state: None,
            detail: refusal.code().to_string(),
            at: self.now(),
        }
    }
}
