//! How many approvals a request needs and when it has them: quorum rules chosen by guest type,
//! channels, domains or expiry length; the tally of votes (distinct people, never the
//! requester, optionally one from each of several roles); and what an approver may change
//! before approving (narrow, never widen).

use super::email::Email;
use super::expiry::Expiry;
use super::ids::{ChannelId, UserId};
use super::problem::Problem;
use super::request::GuestType;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a deny does under a quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyRule {
    /// One deny ends the request.
    #[default]
    Wins,
    /// Denies count like approvals: as many denies as approvals needed end it.
    Threshold,
}

impl DenyRule {
    pub fn parse(s: &str) -> Option<DenyRule> {
        match s {
            "wins" => Some(DenyRule::Wins),
            "threshold" => Some(DenyRule::Threshold),
            _ => None,
        }
    }
}

/// What a request needs before it is approved. Fixed when the request is made, so a change of
/// configuration never moves the goalposts of a request already waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quorum {
    /// Distinct approvers needed (at least 1).
    pub approvals: u32,
    /// One approval from a holder of each of these roles (e.g. a `manager` and an `owner`).
    #[serde(default)]
    pub from_roles: Vec<String>,
    #[serde(default)]
    pub deny: DenyRule,
    /// The quorum rule that set this, for the card and the audit log.
    #[serde(default)]
    pub rule: Option<String>,
}

impl Default for Quorum {
    fn default() -> Self {
        Self {
            approvals: 1,
            from_roles: Vec::new(),
            deny: DenyRule::Wins,
            rule: None,
        }
    }
}

/// A `[[quorum]]` rule: every criterion it names must hold (write two rules for "or").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumRule {
    pub name: String,
    /// The guest type is one of these (empty: any).
    pub guest_types: Vec<GuestType>,
    /// The request asks for at least one of these channels (empty: any).
    pub channels: Vec<ChannelId>,
    /// The guest's email is at one of these domains or a subdomain (empty: any).
    pub domains: Vec<String>,
    /// The account would run longer than this many days (never counts as longer).
    pub expiry_over_days: Option<u32>,
    pub approvals: u32,
    pub from_roles: Vec<String>,
    pub deny: DenyRule,
    /// How long the request may wait for a decision before it lapses.
    pub decide_within: Option<Duration>,
}

/// The parts of a request an approver may narrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expiry: Expiry,
}

impl QuorumRule {
    pub fn applies(&self, terms: &Terms, email: &Email, now: DateTime<Utc>) -> bool {
        let type_ok = self.guest_types.is_empty() || self.guest_types.contains(&terms.guest_type);
        let channel_ok =
            self.channels.is_empty() || terms.channels.iter().any(|c| self.channels.contains(c));
        let domain_ok =
            self.domains.is_empty() || self.domains.iter().any(|d| email.is_in_domain(d));
        let expiry_ok = self.expiry_over_days.is_none_or(|days| {
            terms
                .expiry
                .span_from(now)
                .is_none_or(|span| span > Duration::days(i64::from(days)))
        });
        type_ok && channel_ok && domain_ok && expiry_ok
    }
}

/// The strictest rule that applies (most approvals; the first of equals), or one approval.
pub fn requirement<'a>(
    rules: &'a [QuorumRule],
    terms: &Terms,
    email: &Email,
    now: DateTime<Utc>,
) -> (Quorum, Option<&'a QuorumRule>) {
    let mut best: Option<&QuorumRule> = None;
    for rule in rules.iter().filter(|r| r.applies(terms, email, now)) {
        if best.is_none_or(|b| rule.approvals > b.approvals) {
            best = Some(rule);
        }
    }
    match best {
        Some(rule) => (
            Quorum {
                approvals: rule.approvals.max(1),
                from_roles: rule.from_roles.clone(),
                deny: rule.deny,
                rule: Some(rule.name.clone()),
            },
            Some(rule),
        ),
        None => (Quorum::default(), None),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Deny,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Deny => "deny",
        }
    }
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "approve" => Some(Verdict::Approve),
            "deny" => Some(Verdict::Deny),
            _ => None,
        }
    }
}

/// One person's vote in the current round, with the roles that let them decide this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub voter: UserId,
    pub verdict: Verdict,
    pub roles: Vec<String>,
}

/// Where the votes stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tally {
    Approved,
    Denied,
    Waiting {
        approvers: Vec<UserId>,
        denials: u32,
        needed: u32,
        /// Roles of `from_roles` no approver covers yet.
        missing_roles: Vec<String>,
    },
}

/// Counts the votes: distinct people, never the requester; with `from_roles`, each listed role
/// needs its own approver (one person covers one role).
pub fn tally(quorum: &Quorum, votes: &[Vote], requester: &UserId) -> Tally {
    let mut seen = std::collections::HashSet::new();
    let counted: Vec<&Vote> = votes
        .iter()
        .filter(|v| &v.voter != requester && seen.insert(v.voter.clone()))
        .collect();
    let approvals: Vec<&Vote> = counted
        .iter()
        .copied()
        .filter(|v| v.verdict == Verdict::Approve)
        .collect();
    let denials = counted.len() - approvals.len();
    let needed = quorum.approvals.max(1);
    match quorum.deny {
        DenyRule::Wins if denials > 0 => return Tally::Denied,
        DenyRule::Threshold if denials as u32 >= needed => return Tally::Denied,
        _ => {}
    }
    let missing_roles = unmatched_roles(&quorum.from_roles, &approvals);
    if approvals.len() as u32 >= needed && missing_roles.is_empty() {
        return Tally::Approved;
    }
    Tally::Waiting {
        approvers: approvals.iter().map(|v| v.voter.clone()).collect(),
        denials: denials as u32,
        needed,
        missing_roles,
    }
}

/// The required roles that cannot be given a distinct approver (a small matching: a handful of
/// roles and approvers at most, so plain backtracking).
fn unmatched_roles(required: &[String], approvals: &[&Vote]) -> Vec<String> {
    fn assign(roles: &[String], approvals: &[&Vote], used: &mut Vec<bool>) -> usize {
        let Some((role, rest)) = roles.split_first() else {
            return 0;
        };
        let mut best = assign(rest, approvals, used);
        for (i, vote) in approvals.iter().enumerate() {
            if !used[i] && vote.roles.contains(role) {
                used[i] = true;
                best = best.max(1 + assign(rest, approvals, used));
                used[i] = false;
            }
        }
        best
    }
    let mut used = vec![false; approvals.len()];
    if assign(required, approvals, &mut used) == required.len() {
        return Vec::new();
    }
    // Which ones are missing, for the card: each role nobody at all covers, else all of them.
    let uncovered: Vec<String> = required
        .iter()
        .filter(|r| !approvals.iter().any(|v| v.roles.contains(r)))
        .cloned()
        .collect();
    if uncovered.is_empty() {
        required.to_vec()
    } else {
        uncovered
    }
}

/// One part of a request an approver changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TermChange {
    Channels {
        from: Vec<ChannelId>,
        to: Vec<ChannelId>,
    },
    GuestType {
        from: GuestType,
        to: GuestType,
    },
    Expiry {
        from: Expiry,
        to: Expiry,
    },
}

/// Why a proposed change is not a narrowing, by the part it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Widening {
    /// Channels not asked for, or none at all.
    Channels(Problem),
    GuestType(Problem),
    Expiry(Problem),
}

/// What an approver changed, if `proposed` only narrows `original`: a subset of its channels,
/// single-channel instead of multi-channel, an end no later. Widening is a new request.
pub fn narrowing(
    original: &Terms,
    proposed: &Terms,
    now: DateTime<Utc>,
) -> Result<Vec<TermChange>, Vec<Widening>> {
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    if proposed.channels.is_empty() {
        problems.push(Widening::Channels(Problem::KeepOneChannel));
    } else if proposed
        .channels
        .iter()
        .any(|c| !original.channels.contains(c))
    {
        problems.push(Widening::Channels(Problem::OnlyAskedChannels));
    } else if proposed.channels != original.channels {
        changes.push(TermChange::Channels {
            from: original.channels.clone(),
            to: proposed.channels.clone(),
        });
    }
    match (original.guest_type, proposed.guest_type) {
        (a, b) if a == b => {}
        (GuestType::MultiChannel, GuestType::SingleChannel) => {
            if proposed.channels.len() != 1 {
                problems.push(Widening::GuestType(Problem::OneChannelOnly));
            } else {
                changes.push(TermChange::GuestType {
                    from: original.guest_type,
                    to: proposed.guest_type,
                });
            }
        }
        (_, _) => problems.push(Widening::GuestType(Problem::OnlyMultiToSingle)),
    }
    if proposed.guest_type == GuestType::SingleChannel && proposed.channels.len() > 1 {
        problems.push(Widening::Channels(Problem::OneChannelOnly));
    }
    let (was, now_end) = (original.expiry.deadline(now), proposed.expiry.deadline(now));
    match (was, now_end) {
        (_, _) if original.expiry == proposed.expiry => {}
        (None, _) => changes.push(TermChange::Expiry {
            from: original.expiry,
            to: proposed.expiry,
        }),
        (Some(_), None) => problems.push(Widening::Expiry(Problem::NeverIsNewRequest)),
        (Some(was), Some(end)) if end > was => {
            problems.push(Widening::Expiry(Problem::LaterEndIsNewRequest))
        }
        (Some(_), Some(end)) if end <= now => problems.push(Widening::Expiry(Problem::EndInPast)),
        (Some(_), Some(_)) => changes.push(TermChange::Expiry {
            from: original.expiry,
            to: proposed.expiry,
        }),
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(problems)
    }
}

/// The changes since the request was made: `earlier` (what approvers changed before) followed
/// by `later`, one entry per part, from what was asked to what stands now.
pub fn merge_amendment(earlier: &[TermChange], later: Vec<TermChange>) -> Vec<TermChange> {
    fn same_part(a: &TermChange, b: &TermChange) -> bool {
        std::mem::discriminant(a) == std::mem::discriminant(b)
    }
    let mut merged: Vec<TermChange> = earlier.to_vec();
    for change in later {
        match merged.iter_mut().find(|c| same_part(c, &change)) {
            Some(existing) => {
                *existing = match (existing.clone(), change) {
                    (TermChange::Channels { from, .. }, TermChange::Channels { to, .. }) => {
                        TermChange::Channels { from, to }
                    }
                    (TermChange::GuestType { from, .. }, TermChange::GuestType { to, .. }) => {
                        TermChange::GuestType { from, to }
                    }
                    (TermChange::Expiry { from, .. }, TermChange::Expiry { to, .. }) => {
                        TermChange::Expiry { from, to }
                    }
                    (_, other) => other,
                }
            }
            None => merged.push(change),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn vote(who: &str, verdict: Verdict, roles: &[&str]) -> Vote {
        Vote {
            voter: UserId::from(who),
            verdict,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn two() -> Quorum {
        Quorum {
            approvals: 2,
            ..Quorum::default()
        }
    }

    #[test]
    fn two_distinct_approvers_and_never_the_requester() {
        let req = UserId::from("UREQ");
        use Verdict::*;
        assert!(matches!(
            tally(&two(), &[vote("UA", Approve, &[])], &req),
            Tally::Waiting { needed: 2, .. }
        ));
        assert!(matches!(
            tally(
                &two(),
                &[vote("UA", Approve, &[]), vote("UA", Approve, &[])],
                &req
            ),
            Tally::Waiting { .. }
        ));
        assert!(matches!(
            tally(
                &two(),
                &[vote("UA", Approve, &[]), vote("UREQ", Approve, &[])],
                &req
            ),
            Tally::Waiting { .. }
        ));
        assert_eq!(
            tally(
                &two(),
                &[vote("UA", Approve, &[]), vote("UB", Approve, &[])],
                &req
            ),
            Tally::Approved
        );
        assert_eq!(
            tally(
                &two(),
                &[vote("UA", Approve, &[]), vote("UB", Deny, &[])],
                &req
            ),
            Tally::Denied,
            "one deny wins by default"
        );
        let threshold = Quorum {
            deny: DenyRule::Threshold,
            ..two()
        };
        assert!(matches!(
            tally(&threshold, &[vote("UB", Deny, &[])], &req),
            Tally::Waiting { denials: 1, .. }
        ));
        assert_eq!(
            tally(
                &threshold,
                &[vote("UB", Deny, &[]), vote("UC", Deny, &[])],
                &req
            ),
            Tally::Denied
        );
    }

    #[test]
    fn distinct_roles_need_distinct_people() {
        let req = UserId::from("UREQ");
        let q = Quorum {
            approvals: 2,
            from_roles: vec!["manager".into(), "owner".into()],
            ..Quorum::default()
        };
        use Verdict::*;
        // One person holding both roles covers only one of them.
        let both = tally(&q, &[vote("UA", Approve, &["manager", "owner"])], &req);
        assert!(matches!(both, Tally::Waiting { .. }));
        let two_owners = tally(
            &q,
            &[
                vote("UA", Approve, &["owner"]),
                vote("UB", Approve, &["owner"]),
            ],
            &req,
        );
        assert_eq!(
            two_owners,
            Tally::Waiting {
                approvers: vec![UserId::from("UA"), UserId::from("UB")],
                denials: 0,
                needed: 2,
                missing_roles: vec!["manager".into()],
            }
        );
        assert_eq!(
            tally(
                &q,
                &[
                    vote("UA", Approve, &["manager", "owner"]),
                    vote("UB", Approve, &["owner"])
                ],
                &req
            ),
            Tally::Approved
        );
    }

    #[test]
    fn the_strictest_applicable_rule_sets_the_quorum() {
        let rule = |name: &str, approvals, f: &dyn Fn(&mut QuorumRule)| {
            let mut r = QuorumRule {
                name: name.into(),
                guest_types: vec![],
                channels: vec![],
                domains: vec![],
                expiry_over_days: None,
                approvals,
                from_roles: vec![],
                deny: DenyRule::Wins,
                decide_within: None,
            };
            f(&mut r);
            r
        };
        let rules = vec![
            rule("multi", 2, &|r| {
                r.guest_types = vec![GuestType::MultiChannel]
            }),
            rule("long", 3, &|r| r.expiry_over_days = Some(30)),
        ];
        let email = Email::parse("g@partner.test").unwrap();
        let terms = |guest_type, days| Terms {
            guest_type,
            channels: vec![ChannelId::from("C1")],
            expiry: Expiry::AfterDays { days },
        };
        let (q, _) = requirement(&rules, &terms(GuestType::SingleChannel, 10), &email, now());
        assert_eq!(q.approvals, 1);
        let (q, _) = requirement(&rules, &terms(GuestType::MultiChannel, 10), &email, now());
        assert_eq!((q.approvals, q.rule.as_deref()), (2, Some("multi")));
        let (q, _) = requirement(&rules, &terms(GuestType::MultiChannel, 60), &email, now());
        assert_eq!((q.approvals, q.rule.as_deref()), (3, Some("long")));
        let never = Terms {
            expiry: Expiry::Never,
            ..terms(GuestType::SingleChannel, 1)
        };
        assert_eq!(requirement(&rules, &never, &email, now()).0.approvals, 3);
    }

    #[test]
    fn an_approver_may_narrow_but_never_widen() {
        let original = Terms {
            guest_type: GuestType::MultiChannel,
            channels: vec![ChannelId::from("CA"), ChannelId::from("CB")],
            expiry: Expiry::AfterDays { days: 60 },
        };
        let narrowed = Terms {
            guest_type: GuestType::SingleChannel,
            channels: vec![ChannelId::from("CA")],
            expiry: Expiry::AfterDays { days: 30 },
        };
        let changes = narrowing(&original, &narrowed, now()).unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(narrowing(&original, &original, now()), Ok(vec![]));
        let wider = Terms {
            channels: vec![ChannelId::from("CA"), ChannelId::from("CZ")],
            expiry: Expiry::AfterDays { days: 90 },
            ..original.clone()
        };
        let problems = narrowing(&original, &wider, now()).unwrap_err();
        assert!(matches!(problems[0], Widening::Channels(_)));
        assert!(matches!(problems[1], Widening::Expiry(_)));
        let never = Terms {
            expiry: Expiry::Never,
            ..original.clone()
        };
        assert!(narrowing(&original, &never, now()).is_err());
        let single_two = Terms {
            guest_type: GuestType::SingleChannel,
            ..original.clone()
        };
        assert!(narrowing(&original, &single_two, now()).is_err());
        let promoted = Terms {
            guest_type: GuestType::MultiChannel,
            ..narrowed.clone()
        };
        assert!(narrowing(&narrowed, &promoted, now()).is_err());
    }

    #[test]
    fn a_second_change_keeps_what_was_asked_first() {
        let (a, b, c) = (
            ChannelId::from("CA"),
            ChannelId::from("CB"),
            ChannelId::from("CC"),
        );
        let first = vec![TermChange::Channels {
            from: vec![a.clone(), b.clone(), c.clone()],
            to: vec![a.clone(), b.clone()],
        }];
        let second = vec![
            TermChange::Channels {
                from: vec![a.clone(), b.clone()],
                to: vec![a.clone()],
            },
            TermChange::Expiry {
                from: Expiry::AfterDays { days: 30 },
                to: Expiry::AfterDays { days: 10 },
            },
        ];
        assert_eq!(
            merge_amendment(&first, second),
            vec![
                TermChange::Channels {
                    from: vec![a.clone(), b, c],
                    to: vec![a],
                },
                TermChange::Expiry {
                    from: Expiry::AfterDays { days: 30 },
                    to: Expiry::AfterDays { days: 10 },
                },
            ]
        );
    }
}
