//! The join page's use cases: a sponsor makes, lists and revokes invite links in Slack; a
//! visitor opens a link (or `/join` for self-registration) and asks for an account. What the
//! visitor sent becomes an ordinary request with the sponsor as requester: the same card,
//! roles, quorum, blocked domains and auto-approval as the form in Slack.

use super::lifecycle::EmailOwner;
use super::{Feedback, Job, Workflow};
use crate::domain::join::{
    InviteLink, JoinDraft, JoinField, JoinProblem, JoinProblems, JoinTerms, LinkOptionProblem,
    LinkStatus, NewInviteLink, check_link_options, plausible_token, token_hash, validate_join,
};
use crate::domain::policy::{Field, RequestDraft, validate_terms};
use crate::domain::request::{NewRequest, Source};
use crate::domain::roles::Right;
use crate::domain::{Expiry, GuestRequest, GuestType, RequestKind, RequestState, TeamId, UserId};
use crate::slack::SlackCallError;
use crate::slack::ids::{FormMetadata, LINK_DAYS_BLOCK, LINK_USES_BLOCK, field_block_id};
use crate::slack::payload::{request_draft, state_value};
use crate::slack::render;
use crate::slack::say::{CommonSay, InventorySay, Say};
use crate::store::{AuditEntry, RedeemOutcome};
use anyhow::Context;
use chrono::{DateTime, Utc};
use slack_morphism::prelude::{SlackView, SlackViewState};
use std::collections::HashMap;
use std::time::Duration;

/// A look-up for the page waits this long at most; the page is shown without it otherwise.
const PAGE_LOOKUP_BUDGET: Duration = Duration::from_millis(1500);

/// Which door a visitor came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinDoor {
    /// `/join/<token>`.
    Link(String),
    /// `/join`.
    SelfRegistration,
}

/// What the page offers a visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinOffer {
    /// The sponsor's display name.
    pub sponsor: String,
    pub guest_type: GuestType,
    /// Channel names (ids when Slack does not say).
    pub channels: Vec<String>,
    pub expiry: Expiry,
    /// Self-registration: the domains that may register; empty for a link.
    pub allowed_domains: Vec<String>,
}

/// What to show at a door.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinView {
    Open(JoinOffer),
    /// A link that cannot be used any more, and whom to ask.
    Closed {
        why: LinkStatus,
        sponsor: String,
    },
    /// No such link, or self-registration is off.
    NotFound,
}

/// What a visitor's submission gave.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinOutcome {
    /// Stored, waiting for an approver.
    Sent {
        /// The sponsor's display name, for the page that says what happens next.
        sponsor: String,
    },
    /// Shown next to their fields; nothing stored.
    Problems(JoinOffer, JoinProblems),
    Closed {
        why: LinkStatus,
        sponsor: String,
    },
    NotFound,
}

/// A door resolved to what it gives.
struct Door {
    team: TeamId,
    terms: JoinTerms,
    sponsor: UserId,
    source: Source,
    link: Option<InviteLink>,
    allowed_domains: Vec<String>,
}

enum Resolved {
    Open(Box<Door>),
    Closed { why: LinkStatus, sponsor: UserId },
    NotFound,
}

/// What submitting the link form gave.
pub enum LinkSubmit {
    Errors(HashMap<String, String>),
    Created(SlackView),
}

impl Workflow {
    /// `/guest link` and App Home's button.
    pub(in crate::workflow) async fn open_link_form(
        &self,
        team: &TeamId,
        user: &UserId,
        trigger_id: &str,
    ) -> anyhow::Result<Option<Say>> {
        // The person's time zone and language; if Slack is slow, UTC and the workspace's
        // language rather than let the trigger id expire.
        let viewer = self.viewer(user).await;
        if self.settings().join.public_url.is_none() {
            return Ok(Some(InventorySay::LinksOff.into()));
        }
        if self.settings().request_channel.is_none() {
            return Ok(Some(CommonSay::NotSetUp.into()));
        }
        if let Some(refusal) = self.may_request(team, user).await? {
            return Ok(Some(refusal));
        }
        let view = render::link_form(
            &self.settings().policy,
            &FormMetadata {
                tz: viewer.tz,
                origin: None,
            },
            viewer.lang,
        );
        match self.slack.open_view(trigger_id, view).await {
            Ok(_) => Ok(None),
            Err(SlackCallError::Api { code, .. }) if code.contains("trigger") => Ok(Some(
                CommonSay::TooSlow {
                    command: "/guest link".into(),
                }
                .into(),
            )),
            Err(e) => Err(e).context("opening the invite link form"),
        }
    }

    /// The link form was submitted: check the terms like a request's, store the link (only
    /// its token's hash) and show the link once.
    pub(in crate::workflow) async fn submit_link_form(
        &self,
        team: &TeamId,
        user: &UserId,
        state: Option<&SlackViewState>,
        metadata: &FormMetadata,
    ) -> anyhow::Result<LinkSubmit> {
        // Errors on the form's fields, in the submitter's language.
        let lang = self.lang_of(user).await;
        let Some(public_url) = self.settings().join.public_url.clone() else {
            return Ok(LinkSubmit::Errors(HashMap::from([(
                field_block_id(Field::GuestType).to_string(),
                InventorySay::LinksOffShort.text(lang),
            )])));
        };
        let now = self.now();
        let tz = crate::domain::expiry::zone(metadata.tz.as_deref());
        let draft: RequestDraft = request_draft(state);
        let number = |block: &str| state_value(state, block).and_then(|v| v.value.clone());
        let terms = validate_terms(&draft, &self.settings().policy, now, tz);
        let options = check_link_options(
            number(LINK_USES_BLOCK).as_deref(),
            number(LINK_DAYS_BLOCK).as_deref(),
        );
        let mut errors: HashMap<String, String> = match &terms {
            Err(e) => crate::workflow::requests::errors_by_block(e, lang),
            Ok(_) => HashMap::new(),
        };
        if let Err(problems) = &options {
            for problem in problems {
                let (block, say) = match problem {
                    LinkOptionProblem::UsesOutOfRange => (
                        LINK_USES_BLOCK,
                        InventorySay::LinkUsesOutOfRange {
                            max: crate::domain::join::MAX_LINK_USES,
                        },
                    ),
                    LinkOptionProblem::DaysOutOfRange => (
                        LINK_DAYS_BLOCK,
                        InventorySay::LinkDaysOutOfRange {
                            max: crate::domain::join::MAX_LINK_DAYS,
                        },
                    ),
                };
                errors.insert(block.to_string(), say.text(lang));
            }
        }
        let (Ok((guest_type, channels, expiry)), Ok((max_uses, days))) = (terms, options) else {
            return Ok(LinkSubmit::Errors(errors));
        };
        if guest_type == GuestType::Member {
            return Ok(LinkSubmit::Errors(HashMap::from([(
                field_block_id(Field::GuestType).to_string(),
                InventorySay::LinkIsForGuests.text(lang),
            )])));
        }
        if let Some(refusal) = self.may_request(team, user).await? {
            return Ok(LinkSubmit::Errors(HashMap::from([(
                field_block_id(Field::GuestType).to_string(),
                refusal.plain(crate::i18n::Lang::En),
            )])));
        }
        let token = hex::encode(rand::random::<[u8; 24]>());
        let new = NewInviteLink {
            team_id: team.clone(),
            token_hash: token_hash(&token),
            sponsor: user.clone(),
            terms: JoinTerms {
                guest_type,
                channels,
                expiry,
            },
            max_uses,
            // A link never outlives the access it offers.
            valid_until: match expiry {
                Expiry::At { at } => at.min(now + chrono::Duration::days(i64::from(days))),
                _ => now + chrono::Duration::days(i64::from(days)),
            },
        };
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: user.to_string(),
            action: "link_create".into(),
            from_state: None,
            to_state: None,
            detail: format!(
                "{} use(s), valid {days} day(s), {} in {} channel(s)",
                max_uses,
                guest_type.as_str(),
                new.terms.channels.len()
            ),
            at: now,
        };
        let link = self.store.create_link(&new, now, audit).await?;
        self.store
            .enqueue_jobs(&[self.job(
                team,
                Job::PublishHome {
                    user: user.to_string(),
                },
            )])
            .await?;
        self.queued();
        tracing::info!(link.id = link.id, %team, sponsor = %user, max_uses, "invite link created");
        let url = format!("{public_url}/join/{token}");
        Ok(LinkSubmit::Created(render::link_created(&url, &link, lang)))
    }

    /// App Home's Revoke: the sponsor, or anyone who may revoke guest access there.
    pub(in crate::workflow) async fn revoke_link_click(
        &self,
        team: &TeamId,
        user: &UserId,
        id: i64,
        feedback: &Feedback,
    ) -> anyhow::Result<()> {
        let Some(link) = self.store.get_link(team, id).await? else {
            return self
                .tell(team, feedback, InventorySay::NoSuchLink { id })
                .await;
        };
        if &link.sponsor != user {
            let standing = self.standing(team, user, &[Right::Revoke]).await?;
            if self
                .settings()
                .roles
                .may(&standing, Right::Revoke, &link.terms.channels, None)
                .is_err()
            {
                return self
                    .tell(
                        team,
                        feedback,
                        InventorySay::OnlyMakerRevokes {
                            sponsor: link.sponsor.clone(),
                            id,
                        },
                    )
                    .await;
            }
        }
        let now = self.now();
        let audit = AuditEntry {
            team_id: team.clone(),
            request_id: None,
            actor: user.to_string(),
            action: "link_revoke".into(),
            from_state: None,
            to_state: None,
            detail: format!("link {id} after {} use(s)", link.uses),
            at: now,
        };
        let mut jobs = vec![self.job(
            team,
            Job::PublishHome {
                user: user.to_string(),
            },
        )];
        if &link.sponsor != user {
            jobs.push(self.job(
                team,
                Job::PublishHome {
                    user: link.sponsor.to_string(),
                },
            ));
        }
        let revoked = self
            .store
            .revoke_link(team, id, user, now, audit, jobs)
            .await?;
        self.queued();
        let say = match revoked {
            Some(_) => InventorySay::LinkRevoked { id },
            None => InventorySay::LinkAlreadyRevoked { id },
        };
        self.tell(team, feedback, say).await
    }

    /// What a door shows before anything is typed.
    pub async fn join_view(&self, door: &JoinDoor) -> anyhow::Result<JoinView> {
        match self.door_tenant(door).await? {
            Some(tenant) => self.within(tenant, self.join_view_in(door)).await,
            None => Ok(JoinView::NotFound),
        }
    }

    /// The installation a door belongs to: its link's workspace (self-registration serves the
    /// deployment's own workspace). `None`: that workspace has no installation any more.
    async fn door_tenant(
        &self,
        door: &JoinDoor,
    ) -> anyhow::Result<Option<std::sync::Arc<super::Tenant>>> {
        let team = match door {
            JoinDoor::Link(token) if plausible_token(token) => {
                match self.store.link_by_token_hash(&token_hash(token)).await? {
                    Some(link) => link.team_id,
                    None => return Ok(None),
                }
            }
            JoinDoor::Link(_) => return Ok(None),
            JoinDoor::SelfRegistration => match self
                .defaults
                .join
                .self_registration
                .as_ref()
                .and_then(|s| s.team.clone())
            {
                Some(team) => team,
                None => self.home_team().await?,
            },
        };
        self.enter(&team, None).await
    }

    async fn join_view_in(&self, door: &JoinDoor) -> anyhow::Result<JoinView> {
        Ok(match self.resolve(door, false).await? {
            Resolved::NotFound => JoinView::NotFound,
            Resolved::Closed { why, sponsor } => JoinView::Closed {
                why,
                sponsor: self.display_name(&sponsor).await,
            },
            Resolved::Open(door) => JoinView::Open(self.offer(&door).await),
        })
    }

    /// A visitor's submission.
    pub async fn submit_join(
        &self,
        door: &JoinDoor,
        draft: &JoinDraft,
    ) -> anyhow::Result<JoinOutcome> {
        match self.door_tenant(door).await? {
            Some(tenant) => self.within(tenant, self.submit_join_in(door, draft)).await,
            None => Ok(JoinOutcome::NotFound),
        }
    }

    async fn submit_join_in(
        &self,
        door: &JoinDoor,
        draft: &JoinDraft,
    ) -> anyhow::Result<JoinOutcome> {
        // The sponsor is read afresh for a submission, not from the cache.
        let door = match self.resolve(door, true).await? {
            Resolved::NotFound => return Ok(JoinOutcome::NotFound),
            Resolved::Closed { why, sponsor } => {
                return Ok(JoinOutcome::Closed {
                    why,
                    sponsor: self.display_name(&sponsor).await,
                });
            }
            Resolved::Open(door) => door,
        };
        // A link speaks for its sponsor only while the sponsor may still ask for guests.
        if door.link.is_some()
            && self
                .may_at_all(&door.team, &door.sponsor, Right::Request)
                .await?
                .is_err()
        {
            tracing::info!(sponsor = %door.sponsor, "invite link refused: its sponsor may no longer request guests");
            return Ok(JoinOutcome::Closed {
                why: LinkStatus::Revoked,
                sponsor: self.display_name(&door.sponsor).await,
            });
        }
        let now = self.now();
        if let Expiry::At { at } = door.terms.expiry
            && at <= now
        {
            return Ok(JoinOutcome::Closed {
                why: LinkStatus::Expired,
                sponsor: self.display_name(&door.sponsor).await,
            });
        }
        let problems = |problem: JoinProblem| vec![(JoinField::Email, problem)];
        let valid = match validate_join(draft, &self.settings().policy, &door.allowed_domains) {
            Ok(valid) => valid,
            Err(found) => return Ok(JoinOutcome::Problems(self.offer(&door).await, found)),
        };
        if self
            .store
            .open_request_for_email(&door.team, valid.email.as_str())
            .await?
            .is_some()
        {
            return Ok(JoinOutcome::Problems(
                self.offer(&door).await,
                problems(JoinProblem::Taken),
            ));
        }
        // The public page takes a day's share of requests per email domain: a flood from one
        // domain waits for tomorrow instead of filling the request channel.
        let domain = valid.email.domain().to_string();
        let today = self
            .store
            .join_requests_for_domain(&door.team, &domain, now - chrono::Duration::hours(24))
            .await?;
        if today >= i64::from(self.settings().join.daily_per_domain) {
            tracing::warn!(team = %door.team, domain, today, "public page: the domain's requests for the day are taken");
            metrics::counter!("join_refused_total", "why" => "domain_daily_cap").increment(1);
            return Ok(JoinOutcome::Problems(
                self.offer(&door).await,
                problems(JoinProblem::DomainBusy),
            ));
        }
        // A phone belongs to one open request too; the page says so as neutrally.
        if let Some(phone) = &valid.phone
            && self
                .store
                .open_request_for_phone(&door.team, phone)
                .await?
                .is_some()
        {
            return Ok(JoinOutcome::Problems(
                self.offer(&door).await,
                vec![(JoinField::Phone, JoinProblem::Taken)],
            ));
        }
        // A full member is refused on the field (neutrally); if Slack is slow, the check is
        // made again before the invitation, as for the form in Slack.
        if let Ok(Ok(EmailOwner::FullMember)) =
            tokio::time::timeout(PAGE_LOOKUP_BUDGET, self.email_owner(valid.email.as_str())).await
        {
            return Ok(JoinOutcome::Problems(
                self.offer(&door).await,
                problems(JoinProblem::Member),
            ));
        }
        let terms = crate::domain::quorum::Terms {
            guest_type: door.terms.guest_type,
            channels: door.terms.channels.clone(),
            expiry: door.terms.expiry,
        };
        let (quorum, decide_by) = self.approval_terms(&terms, &valid.email, now);
        let new = NewRequest {
            team_id: door.team.clone(),
            kind: RequestKind::Guest,
            parent_id: None,
            requester: door.sponsor.clone(),
            email: valid.email.clone(),
            full_name: valid.full_name,
            organisation: valid.organisation,
            reason: valid.reason,
            guest_type: door.terms.guest_type,
            channels: door.terms.channels.clone(),
            expiry: door.terms.expiry,
            source: door.source.clone(),
            sync_rule: None,
            profile: crate::domain::profile::Profile {
                phone: valid.phone,
                ..Default::default()
            },
            slack_invite_request: None,
            account_team: None,
            source_user: None,
            quorum,
            decide_by,
        };
        let via = match &door.link {
            Some(link) => format!("invite link {}", link.id),
            None => "self-registration".to_string(),
        };
        let outcome = self.store_join_request(&door, &new, &via, now).await?;
        self.queued();
        Ok(match outcome {
            RedeemOutcome::Created(request) => {
                metrics::counter!("join_requests_total", "door" => door.source.as_str())
                    .increment(1);
                tracing::info!(request.id = request.id.0, team_id = %request.team_id, via, "request from the join page");
                JoinOutcome::Sent {
                    sponsor: self.display_name(&door.sponsor).await,
                }
            }
            RedeemOutcome::Duplicate(_) => {
                JoinOutcome::Problems(self.offer(&door).await, problems(JoinProblem::Taken))
            }
            RedeemOutcome::LinkClosed => {
                let why = match &door.link {
                    Some(link) => match self.store.get_link(&door.team, link.id).await? {
                        Some(now_link) if now_link.status(now) != LinkStatus::Open => {
                            now_link.status(now)
                        }
                        _ => LinkStatus::UsedUp,
                    },
                    None => LinkStatus::UsedUp,
                };
                JoinOutcome::Closed {
                    why,
                    sponsor: self.display_name(&door.sponsor).await,
                }
            }
        })
    }

    /// One transaction: the link's use (if a link), the pending request, its audit row and
    /// jobs. Nothing from the public page is approved by a rule: a stranger typed the address,
    /// and nothing proves they own it, so a person decides.
    async fn store_join_request(
        &self,
        door: &Door,
        new: &NewRequest,
        via: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<RedeemOutcome> {
        let team = door.team.clone();
        let max_attempts = self.settings().max_attempts;
        let link_shown = door.link.as_ref().map(|l| l.id);
        let timers = self.pending_timers();
        let jobs: crate::store::JobsFor = Box::new(move |r: &GuestRequest| {
            let mut jobs = vec![
                Job::PostCard { request_id: r.id }.now(&team, now, max_attempts),
                Job::NotifyRequester {
                    request_id: r.id,
                    text: InventorySay::JoinRequest {
                        name: r.full_name.clone(),
                        email: r.email.as_str().to_string(),
                        id: r.id,
                        link: link_shown,
                    }
                    .into(),
                }
                .now(&team, now, max_attempts),
                Job::PublishHome {
                    user: r.requester.to_string(),
                }
                .now(&team, now, max_attempts),
            ];
            jobs.extend(timers.jobs(&team, r));
            jobs
        });
        let audit = AuditEntry {
            team_id: door.team.clone(),
            request_id: None,
            actor: door.sponsor.to_string(),
            action: "submit".into(),
            from_state: None,
            to_state: Some(RequestState::Pending),
            detail: format!("{} as {} through {via}", new.email, new.guest_type.as_str()),
            at: now,
        };
        Ok(match &door.link {
            Some(link) => {
                self.store
                    .redeem_link(link.id, new, now, audit, jobs)
                    .await?
            }
            None => match self
                .store
                .create_request(new, RequestState::Pending, now, audit, jobs)
                .await?
            {
                crate::store::CreateOutcome::Created(r) => RedeemOutcome::Created(r),
                crate::store::CreateOutcome::Duplicate(r)
                | crate::store::CreateOutcome::PhoneTaken(r) => RedeemOutcome::Duplicate(r),
            },
        })
    }

    /// A door, and whether its sponsor can still vouch for anyone (deactivated or a guest now:
    /// the door is closed as revoked).
    /// `fresh`: the sponsor is read from Slack again, not from the cache (a submission).
    async fn resolve(&self, door: &JoinDoor, fresh: bool) -> anyhow::Result<Resolved> {
        let resolved = self.resolve_door(door).await?;
        if let Resolved::Open(open) = &resolved
            && fresh
        {
            self.directory.forget_person(&open.sponsor);
        }
        if let Resolved::Open(open) = &resolved
            && self.sponsor_gone(&open.sponsor).await
        {
            return Ok(Resolved::Closed {
                why: LinkStatus::Revoked,
                sponsor: open.sponsor.clone(),
            });
        }
        Ok(resolved)
    }

    async fn sponsor_gone(&self, sponsor: &UserId) -> bool {
        match tokio::time::timeout(PAGE_LOOKUP_BUDGET, self.directory.person(sponsor)).await {
            Ok(Ok(person)) => person.deleted || person.is_guest,
            // Slack slow or down: the door stays as it is; the submission checks again.
            _ => false,
        }
    }

    async fn resolve_door(&self, door: &JoinDoor) -> anyhow::Result<Resolved> {
        let now = self.now();
        match door {
            JoinDoor::Link(token) => {
                if !plausible_token(token) {
                    return Ok(Resolved::NotFound);
                }
                let Some(link) = self.store.link_by_token_hash(&token_hash(token)).await? else {
                    return Ok(Resolved::NotFound);
                };
                Ok(match link.status(now) {
                    LinkStatus::Open => Resolved::Open(Box::new(Door {
                        team: link.team_id.clone(),
                        terms: link.terms.clone(),
                        sponsor: link.sponsor.clone(),
                        source: Source::InviteLink,
                        allowed_domains: Vec::new(),
                        link: Some(link),
                    })),
                    why => Resolved::Closed {
                        why,
                        sponsor: link.sponsor,
                    },
                })
            }
            JoinDoor::SelfRegistration => {
                let Some(rules) = &self.settings().join.self_registration else {
                    return Ok(Resolved::NotFound);
                };
                Ok(Resolved::Open(Box::new(Door {
                    team: self.home_team().await?,
                    terms: rules.terms.clone(),
                    sponsor: rules.sponsor.clone(),
                    source: Source::SelfRegistration,
                    link: None,
                    allowed_domains: rules.allowed_domains.clone(),
                })))
            }
        }
    }

    async fn offer(&self, door: &Door) -> JoinOffer {
        let mut channels = Vec::with_capacity(door.terms.channels.len());
        for channel in &door.terms.channels {
            let name = tokio::time::timeout(PAGE_LOOKUP_BUDGET, self.slack.channel_name(channel))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten();
            channels.push(
                name.map(|n| format!("#{n}"))
                    .unwrap_or_else(|| channel.to_string()),
            );
        }
        JoinOffer {
            sponsor: self.display_name(&door.sponsor).await,
            guest_type: door.terms.guest_type,
            channels,
            expiry: door.terms.expiry,
            allowed_domains: door.allowed_domains.clone(),
        }
    }

    async fn display_name(&self, user: &UserId) -> String {
        match tokio::time::timeout(PAGE_LOOKUP_BUDGET, self.directory.person(user)).await {
            Ok(Ok(person)) => person.name,
            _ => user.to_string(),
        }
    }
}
