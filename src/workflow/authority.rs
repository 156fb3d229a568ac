//! Who may do what: an actor's standing (the groups of the roles they are in, their admin,
//! owner and guest flags), looked up again on every click from current group membership; the
//! one way a click on a request's button starts (load the request, check the clicker's right,
//! refuse with an audit row and an explanation).

use super::{Feedback, Workflow};
use crate::domain::roles::{Refusal, Right, Standing};
use crate::domain::{GuestRequest, RequestId, TeamId, UserGroupId, UserId};
use crate::slack::say::{CommonSay, RequestSay};
use crate::store::AuditEntry;
use anyhow::Context;

/// Who may press a button about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MayClick {
    /// Someone with this right for the request (never its requester, for decisions).
    Holder(Right),
    /// Its requester (the sponsor), or someone with this right for it.
    SponsorOr(Right),
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
            self.tell(team, feedback, CommonSay::NoSuchRequest { id })
                .await?;
            return Ok(None);
        };
        let allowed = match may {
            MayClick::SponsorOr(_) if &request.requester == actor => Ok(()),
            MayClick::SponsorOr(right) | MayClick::Holder(right) => {
                self.may_on(actor, right, &request).await?.map(|_| ())
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
        let explain = self.feedback_job(
            team,
            feedback,
            RequestSay::Refused {
                id: request.id,
                refusal: refusal.clone(),
            },
        );
        self.store
            .append_audit(
                self.refused_audit(team, actor, verb, request, refusal),
                vec![explain],
            )
            .await?;
        self.queued();
        Ok(())
    }

    /// The actor's standing, looked up only as far as the roles with `rights` need: nothing
    /// when a role names them for all of it everywhere, else their groups among those the
    /// roles name (each read again when its version moved), and their flags when a role goes
    /// by them.
    pub(super) async fn standing(
        &self,
        team: &TeamId,
        actor: &UserId,
        rights: &[Right],
    ) -> anyhow::Result<Standing> {
        let roles = &self.settings().roles;
        // Who they are is read on every check (the directory caches it briefly): a guest or a
        // deactivated person holds no role, even one that names them by id or group.
        let person = self
            .directory
            .person(actor)
            .await
            .context("looking up who clicked")?;
        let mut standing = Standing {
            user: actor.clone(),
            is_admin: person.is_admin_or_owner,
            is_owner: person.is_owner,
            is_guest: person.is_guest,
            deactivated: person.deleted,
            ..Standing::default()
        };
        if roles.names_everywhere(actor, rights) {
            return Ok(standing);
        }
        let groups = roles.groups(rights);
        if !groups.is_empty() {
            let versions = self.group_versions(team, &groups).await?;
            standing.groups = self
                .directory
                .groups_of(actor, &versions)
                .await
                .context("resolving the roles' user groups")?
                .into_iter()
                .collect();
        }
        Ok(standing)
    }

    /// May `actor` use `right` on `request`? On yes, the roles that let them.
    pub(super) async fn may_on(
        &self,
        actor: &UserId,
        right: Right,
        request: &GuestRequest,
    ) -> anyhow::Result<Result<Vec<String>, Refusal>> {
        if matches!(right, Right::Decide | Right::Review) && actor == &request.requester {
            return Ok(Err(Refusal::OwnRequest));
        }
        // Nobody acts on their own account (extend, convert, change, end), whatever role.
        if request.slack_user_id.as_deref() == Some(actor.as_str()) {
            return Ok(Err(Refusal::OwnRequest));
        }
        let standing = self.standing(&request.team_id, actor, &[right]).await?;
        Ok(self.settings().roles.may(
            &standing,
            right,
            &request.channels,
            Some(&request.requester),
        ))
    }

    /// May `actor` use a right not tied to one request (request, import, sync)?
    pub(super) async fn may_at_all(
        &self,
        team: &TeamId,
        actor: &UserId,
        right: Right,
    ) -> anyhow::Result<Result<(), Refusal>> {
        let standing = self.standing(team, actor, &[right]).await?;
        Ok(self
            .settings()
            .roles
            .may(&standing, right, &[], None)
            .map(|_| ()))
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
