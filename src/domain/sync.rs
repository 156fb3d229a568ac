//! Group sync as pure functions: who should have an invitation (from user groups or the whole
//! workspace), what a rule already produced, and the plan between the two, line by line, with the
//! reason for each. The blast-radius guard decides whether a plan may be applied unattended.

use super::email::Email;
use super::ids::RequestId;
use super::request::RequestState;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// What happens to what a rule produced when the person is no longer in its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnRemoval {
    /// Leave everything as it is.
    Keep,
    /// Withdraw invitations not yet accepted; accounts in use stay.
    RevokePending,
    /// Withdraw invitations and end accounts.
    Deactivate,
}

impl OnRemoval {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "keep" => Some(OnRemoval::Keep),
            "revoke_pending" => Some(OnRemoval::RevokePending),
            "deactivate" => Some(OnRemoval::Deactivate),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            OnRemoval::Keep => "keep",
            OnRemoval::RevokePending => "revoke_pending",
            OnRemoval::Deactivate => "deactivate",
        }
    }
}

/// How much one run may change before a person has to say "apply anyway".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxChanges {
    Count(usize),
    /// A share of the people the rule covers (desired or already produced, whichever is more).
    Percent(f64),
}

impl MaxChanges {
    /// `50` or `"10%"`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        match raw.strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| *p > 0.0 && *p <= 100.0)
                .map(MaxChanges::Percent),
            None => raw.parse::<usize>().ok().map(MaxChanges::Count),
        }
    }

    pub fn limit(self, covered: usize) -> usize {
        match self {
            MaxChanges::Count(n) => n,
            MaxChanges::Percent(p) => ((covered as f64) * p / 100.0).floor() as usize,
        }
    }
}

impl fmt::Display for MaxChanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxChanges::Count(n) => write!(f, "{n}"),
            MaxChanges::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// A person the source says should have an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    pub user_id: String,
    pub name: String,
    /// Already in the rule's target workspace (as a member or a guest): nothing to invite.
    #[serde(default)]
    pub in_target: bool,
    /// A user of the organisation (Enterprise Grid): added to the target workspace by user id
    /// (`admin.users.assign`) rather than invited by email.
    #[serde(default)]
    pub org_member: bool,
}

/// An open request or account for an email, from any path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Held {
    pub request_id: RequestId,
    pub state: RequestState,
    /// The sync rule that produced it; `None` for requests people made.
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineAction {
    Invite,
    Revoke,
    Unchanged,
    /// Already in the target workspace: no invitation, no link, never a removal.
    AlreadyMember,
}

impl LineAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LineAction::Invite => "invite",
            LineAction::Revoke => "revoke",
            LineAction::Unchanged => "unchanged",
            LineAction::AlreadyMember => "already a member",
        }
    }

    /// Whether the line changes anything (the guard counts these).
    pub fn is_change(self) -> bool {
        matches!(self, LineAction::Invite | LineAction::Revoke)
    }
}

/// Why a plan line does what it does; `slack::render` puts it into words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum LineReason {
    /// Already in the target workspace: no invitation.
    InTarget,
    /// In the source, with no invitation yet.
    NotInvited,
    /// Already held: by this rule, another rule, or a request someone made.
    Held {
        state: RequestState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule: Option<String>,
        this_rule: bool,
    },
    /// Left the source, but another rule still wants them.
    WantedElsewhere { rule: String },
    /// Left the source; kept (`on_removal = keep`).
    LeftKept,
    /// Left the source; the account is in use (`on_removal = revoke_pending`).
    LeftInUse,
    /// Left the source; the invitation is withdrawn.
    LeftWithdrawn,
    /// Left the source; access ends.
    LeftEnded,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    pub email: Email,
    pub action: LineAction,
    pub reason: LineReason,
    /// The person's Slack id (for invitations).
    pub user_id: Option<String>,
    pub name: Option<String>,
    /// Assigned by user id (a user of the organisation) rather than invited by email.
    #[serde(default)]
    pub org_member: bool,
    /// The request a revoke ends, or the one that already covers the person.
    pub request_id: Option<RequestId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub rule: String,
    pub lines: Vec<PlanLine>,
    /// How many people the rule covers (for a percentage guard).
    pub covered: usize,
}

impl Plan {
    pub fn count(&self, action: LineAction) -> usize {
        self.lines.iter().filter(|l| l.action == action).count()
    }

    /// Invitations plus revocations.
    pub fn changes(&self) -> usize {
        self.lines.iter().filter(|l| l.action.is_change()).count()
    }

    pub fn changed_lines(&self) -> impl Iterator<Item = &PlanLine> {
        self.lines.iter().filter(|l| l.action.is_change())
    }
}

/// The rule's view of the world, gathered by the workflow.
pub struct PlanInput<'a> {
    pub rule: &'a str,
    /// Everyone the rule's source covers now, by email.
    pub wanted: &'a BTreeMap<Email, Wanted>,
    /// Every open request or account, by email (all rules and people's requests).
    pub held: &'a HashMap<Email, Held>,
    /// Emails some other rule wants right now (they are not this rule's to revoke).
    pub wanted_elsewhere: &'a dyn Fn(&Email) -> Option<String>,
    pub on_removal: OnRemoval,
}

/// Invite who is wanted and not yet held by anyone; revoke (per `on_removal`) what this rule
/// produced for people no longer wanted by it or any other rule; everything else is unchanged.
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let mut lines = Vec::new();
    // This rule's held requests that someone still wanted: the rest left the source.
    let mut still_wanted: HashSet<RequestId> = HashSet::new();
    for (email, wanted) in input.wanted {
        let line = |action, reason: LineReason, request_id| PlanLine {
            email: email.clone(),
            action,
            reason,
            user_id: Some(wanted.user_id.clone()),
            name: Some(wanted.name.clone()),
            org_member: wanted.org_member,
            request_id,
        };
        lines.push(match input.held.get(email) {
            None if wanted.in_target => line(LineAction::AlreadyMember, LineReason::InTarget, None),
            None => line(LineAction::Invite, LineReason::NotInvited, None),
            Some(held) => {
                if held.rule.as_deref() == Some(input.rule) {
                    still_wanted.insert(held.request_id);
                }
                line(
                    LineAction::Unchanged,
                    LineReason::Held {
                        state: held.state,
                        this_rule: held.rule.as_deref() == Some(input.rule),
                        rule: held.rule.clone(),
                    },
                    Some(held.request_id),
                )
            }
        });
    }
    let mut mine: Vec<(&Email, &Held)> = input
        .held
        .iter()
        .filter(|(email, held)| {
            held.rule.as_deref() == Some(input.rule)
                && !still_wanted.contains(&held.request_id)
                && !input.wanted.contains_key(*email)
        })
        .collect();
    mine.sort_by(|a, b| a.0.cmp(b.0));
    for (email, held) in mine {
        let (action, reason) = if let Some(other) = (input.wanted_elsewhere)(email) {
            (
                LineAction::Unchanged,
                LineReason::WantedElsewhere { rule: other },
            )
        } else {
            match (input.on_removal, held.state) {
                (OnRemoval::Keep, _) => (LineAction::Unchanged, LineReason::LeftKept),
                (OnRemoval::RevokePending, RequestState::Active) => {
                    (LineAction::Unchanged, LineReason::LeftInUse)
                }
                (OnRemoval::RevokePending, _) => (LineAction::Revoke, LineReason::LeftWithdrawn),
                (OnRemoval::Deactivate, _) => (LineAction::Revoke, LineReason::LeftEnded),
            }
        };
        lines.push(PlanLine {
            email: email.clone(),
            action,
            reason,
            user_id: None,
            name: None,
            org_member: false,
            request_id: Some(held.request_id),
        });
    }
    let produced = input
        .held
        .values()
        .filter(|h| h.rule.as_deref() == Some(input.rule))
        .count();
    Plan {
        rule: input.rule.to_string(),
        lines,
        covered: input.wanted.len().max(produced),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardTripped {
    pub changes: usize,
    pub limit: usize,
}

/// A plan changing more than the rule allows waits for a person.
pub fn guard(plan: &Plan, max: MaxChanges) -> Result<(), GuardTripped> {
    let limit = max.limit(plan.covered);
    let changes = plan.changes();
    if changes > limit {
        Err(GuardTripped { changes, limit })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    fn wanted(emails: &[&str]) -> BTreeMap<Email, Wanted> {
        emails
            .iter()
            .map(|e| {
                (
                    email(e),
                    Wanted {
                        user_id: format!("U{e}"),
                        name: e.to_string(),
                        in_target: false,
                        org_member: true,
                    },
                )
            })
            .collect()
    }

    fn held(entries: &[(&str, i64, RequestState, Option<&str>)]) -> HashMap<Email, Held> {
        entries
            .iter()
            .map(|(e, id, state, rule)| {
                (
                    email(e),
                    Held {
                        request_id: RequestId(*id),
                        state: *state,
                        rule: rule.map(str::to_string),
                    },
                )
            })
            .collect()
    }

    fn actions(plan: &Plan) -> Vec<(String, LineAction)> {
        plan.lines
            .iter()
            .map(|l| (l.email.to_string(), l.action))
            .collect()
    }

    fn nobody_else(_: &Email) -> Option<String> {
        None
    }

    #[test]
    fn adds_removals_and_unchanged() {
        let wanted = wanted(&["new@x.io", "kept@x.io"]);
        let held = held(&[
            ("kept@x.io", 1, RequestState::Invited, Some("r")),
            ("gone@x.io", 2, RequestState::Invited, Some("r")),
            ("active-gone@x.io", 3, RequestState::Active, Some("r")),
            ("manual@x.io", 4, RequestState::Active, None),
        ]);
        let input = PlanInput {
            rule: "r",
            wanted: &wanted,
            held: &held,
            wanted_elsewhere: &nobody_else,
            on_removal: OnRemoval::RevokePending,
        };
        let plan = plan(&input);
        assert_eq!(
            actions(&plan),
            vec![
                ("kept@x.io".into(), LineAction::Unchanged),
                ("new@x.io".into(), LineAction::Invite),
                ("active-gone@x.io".into(), LineAction::Unchanged),
                ("gone@x.io".into(), LineAction::Revoke),
            ],
            "a manual request is never this rule's to revoke"
        );
        assert_eq!(plan.changes(), 2);
        assert_eq!(plan.lines[3].reason, LineReason::LeftWithdrawn);
        let deactivate = super::plan(&PlanInput {
            on_removal: OnRemoval::Deactivate,
            ..input
        });
        assert_eq!(deactivate.count(LineAction::Revoke), 2);
    }

    #[test]
    fn a_person_covered_elsewhere_is_not_invited_twice_or_revoked() {
        let wanted = wanted(&["both@x.io"]);
        let held = held(&[
            ("both@x.io", 1, RequestState::Invited, Some("other")),
            ("moved@x.io", 2, RequestState::Invited, Some("r")),
        ]);
        let elsewhere = |e: &Email| (e.as_str() == "moved@x.io").then(|| "other".to_string());
        let plan = plan(&PlanInput {
            rule: "r",
            wanted: &wanted,
            held: &held,
            wanted_elsewhere: &elsewhere,
            on_removal: OnRemoval::Deactivate,
        });
        assert_eq!(plan.changes(), 0);
        assert!(matches!(
            &plan.lines[0].reason,
            LineReason::Held { rule: Some(r), this_rule: false, .. } if r == "other"
        ));
        assert_eq!(
            plan.lines[1].reason,
            LineReason::WantedElsewhere {
                rule: "other".into()
            }
        );
    }

    #[test]
    fn someone_already_in_the_target_is_never_invited() {
        let mut wanted = wanted(&["member@x.io", "new@x.io"]);
        wanted.get_mut(&email("member@x.io")).unwrap().in_target = true;
        let plan = plan(&PlanInput {
            rule: "r",
            wanted: &wanted,
            held: &HashMap::new(),
            wanted_elsewhere: &nobody_else,
            on_removal: OnRemoval::Deactivate,
        });
        assert_eq!(
            actions(&plan),
            vec![
                ("member@x.io".into(), LineAction::AlreadyMember),
                ("new@x.io".into(), LineAction::Invite),
            ]
        );
        assert_eq!(plan.changes(), 1, "an existing member is not a change");
        assert!(plan.lines[0].org_member && plan.lines[1].org_member);
    }

    #[test]
    fn keep_changes_nothing_on_removal() {
        let held = held(&[("gone@x.io", 2, RequestState::Invited, Some("r"))]);
        let plan = plan(&PlanInput {
            rule: "r",
            wanted: &BTreeMap::new(),
            held: &held,
            wanted_elsewhere: &nobody_else,
            on_removal: OnRemoval::Keep,
        });
        assert_eq!(plan.changes(), 0);
    }

    #[test]
    fn the_guard_counts_changes_against_a_number_or_a_share() {
        assert_eq!(MaxChanges::parse("50"), Some(MaxChanges::Count(50)));
        assert_eq!(MaxChanges::parse(" 10% "), Some(MaxChanges::Percent(10.0)));
        assert_eq!(MaxChanges::parse("-3"), None);
        assert_eq!(MaxChanges::parse("150%"), None);
        let wanted = wanted(&["a@x.io", "b@x.io", "c@x.io"]);
        let held = HashMap::new();
        let plan = plan(&PlanInput {
            rule: "r",
            wanted: &wanted,
            held: &held,
            wanted_elsewhere: &nobody_else,
            on_removal: OnRemoval::Keep,
        });
        assert_eq!(guard(&plan, MaxChanges::Count(3)), Ok(()));
        assert_eq!(
            guard(&plan, MaxChanges::Count(2)),
            Err(GuardTripped {
                changes: 3,
                limit: 2
            })
        );
        assert_eq!(
            guard(&plan, MaxChanges::Percent(50.0)),
            Err(GuardTripped {
                changes: 3,
                limit: 1
            })
        );
    }
}

/// Where a rule's people come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SyncSource {
    /// Members of these user groups (ids like `S0123`, or handles like `partners`).
    UserGroups(Vec<String>),
    /// Every active person in the workspace (no bots, no deleted accounts).
    Workspace { include_guests: bool },
}

/// One `[[sync]]` rule from the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRule {
    pub name: String,
    pub source: SyncSource,
    pub guest_type: super::request::GuestType,
    pub channels: Vec<super::ids::ChannelId>,
    pub expiry: super::expiry::Expiry,
    pub custom_message: Option<String>,
    pub on_removal: OnRemoval,
    pub max_changes: MaxChanges,
    /// Who hears about these guests (their DMs); nobody when unset.
    pub sponsor: Option<super::ids::UserId>,
    /// The workspace whose groups and people the rule reads. Unset: every workspace the
    /// deployment runs sync in (the one it serves, or each of an org-wide install's but the
    /// target).
    pub source_team: Option<super::ids::TeamId>,
    /// The workspace the rule invites into: never the one its people come from, where they
    /// are members already.
    pub target_team: super::ids::TeamId,
}

impl SyncRule {
    /// Whether the rule runs from `workspace`: it reads people there and brings them
    /// elsewhere.
    pub fn runs_in(&self, workspace: &super::ids::TeamId) -> bool {
        self.source_team.as_ref().is_none_or(|s| s == workspace) && self.target_team != *workspace
    }

    /// Whether the rule reads this user group (by id or handle).
    pub fn uses_group(&self, id: &str, handle: Option<&str>) -> bool {
        match &self.source {
            SyncSource::UserGroups(groups) => groups.iter().any(|g| {
                let g = g.trim_start_matches('@');
                g == id || handle.is_some_and(|h| h.eq_ignore_ascii_case(g))
            }),
            SyncSource::Workspace { .. } => false,
        }
    }
}

/// Where a long run is, for whoever watches it (a terminal's progress bar, a Slack message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStage {
    /// Reading the directory: `users.list` pages so far, and the people read.
    Directory { pages: u64, people: u64 },
    /// Writing one rule's invitations: `done` of `total`.
    Applying { rule: String, done: u64, total: u64 },
}
