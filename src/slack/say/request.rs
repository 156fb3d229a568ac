//! Requests: the form, the decision clicks, votes and the quorum, reminders, escalation and
//! lapse, `/guest` and its answers, refusals.

use super::{channels, id, mention};
use crate::domain::quorum::{TermChange, Verdict};
use crate::domain::roles::{Refusal, Right};
use crate::domain::text::safe;
use crate::domain::{GuestType, RequestId, RequestState, UserGroupId, UserId};
use crate::i18n::{self, Lang, t};
use crate::slack::render;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum RequestSay {
    // `/guest` and its subcommands.
    UnknownCommand {
        command: String,
    },
    UnknownSubcommand {
        sub: String,
    },
    NoRequestsYet,
    /// "Which request? For example `/guest status 12`."
    WhichRequest {
        example: String,
    },
    ImportNotAllowed,
    SyncUsage,
    SyncNotAllowed,
    NoSyncRules,
    SyncRunning,
    SyncPreviewing,
    NotYoursToSee {
        id: RequestId,
    },
    // Who may.
    Refused {
        id: RequestId,
        refusal: Refusal,
    },
    NotAllowedToRequest,
    OnlyMembersOf {
        groups: Vec<UserGroupId>,
    },
    // Decisions.
    AlreadyDecided {
        id: RequestId,
        state: RequestState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<DateTime<Utc>>,
    },
    ChangedWhileOpen {
        id: RequestId,
    },
    DenyReasonMissing,
    ExtensionAsAsked {
        id: RequestId,
    },
    OnlyRequesterAgain {
        id: RequestId,
    },
    /// The note above the form when a lapsed request is asked for again.
    LapsedNote,
    OnlyRequesterCancel {
        id: RequestId,
    },
    CannotCancel {
        id: RequestId,
        state: RequestState,
    },
    CancelledBy {
        actor: UserId,
    },
    /// Slack's own invite request was decided in Slack's admin page before us.
    DecidedInSlack,
    /// The same, told to the requester.
    DecidedInSlackDm {
        id: RequestId,
        guest: String,
    },
    Cancelled {
        id: RequestId,
    },
    // Votes.
    ApprovedWithChanges {
        voter: UserId,
        changes: Vec<TermChange>,
    },
    ChangedYourRequest {
        voter: UserId,
        id: RequestId,
        guest: String,
        changes: Vec<TermChange>,
    },
    AlreadyVoted {
        id: RequestId,
    },
    ChangedSinceOpened {
        id: RequestId,
    },
    ParentEnded {
        id: RequestId,
    },
    VoteCounted {
        id: RequestId,
        verdict: Verdict,
        approvals: usize,
        denials: u32,
        needed: u32,
        missing_roles: Vec<String>,
    },
    VoteCountedPlain {
        id: RequestId,
    },
    /// The decision in the card's thread.
    Decided {
        verdict: Verdict,
        by: Vec<UserId>,
        changes: Vec<TermChange>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The decision in the requester's DM.
    DecidedDm {
        verdict: Verdict,
        id: RequestId,
        guest: String,
        by: Vec<UserId>,
        changes: Vec<TermChange>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    // Waiting, reminders, escalation, lapse.
    StaleReminder {
        id: RequestId,
        hours: i64,
        approvers: Vec<String>,
        workspace_admins: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lapses: Option<DateTime<Utc>>,
    },
    Escalated {
        id: RequestId,
        hours: i64,
    },
    EscalatedAsk {
        id: RequestId,
        hours: i64,
        group: UserGroupId,
    },
    LapsedThread {
        id: RequestId,
        hours: i64,
    },
    LapsedDm {
        id: RequestId,
        guest: String,
        hours: i64,
    },
    // The form.
    AlreadyFullMember {
        email: String,
    },
    /// The email already has an open request or account.
    AlreadyHas {
        email: String,
        id: RequestId,
        state: RequestState,
        requester: String,
        at: DateTime<Utc>,
        tz: String,
    },
    /// The phone is on an open request (said to its approvers, with whose it is).
    PhoneHeld {
        held: Box<RequestSay>,
    },
    /// The email or phone is taken (said to someone who may not see whose).
    ContactTaken,
    WaitingDm {
        id: RequestId,
        guest: String,
        email: String,
    },
    AutoApprovedDm {
        id: RequestId,
        guest: String,
        email: String,
        rule: String,
    },
}

impl RequestSay {
    pub fn text(&self, lang: Lang) -> String {
        use RequestSay as S;
        match self {
            S::UnknownCommand { command } => t!(
                lang,
                "request-unknown-command",
                command = crate::domain::text::escape(command)
            ),
            S::UnknownSubcommand { sub } => {
                t!(lang, "request-unknown-subcommand", sub = safe(sub, 40))
            }
            S::NoRequestsYet => t!(lang, "request-none-yet"),
            S::WhichRequest { example } => {
                t!(lang, "request-which", example = example.as_str())
            }
            S::ImportNotAllowed => t!(lang, "request-import-not-allowed"),
            S::SyncUsage => t!(lang, "request-sync-usage"),
            S::SyncNotAllowed => t!(lang, "request-sync-not-allowed"),
            S::NoSyncRules => t!(lang, "request-no-sync-rules"),
            S::SyncRunning => t!(lang, "request-sync-running"),
            S::SyncPreviewing => t!(lang, "request-sync-previewing"),
            S::NotYoursToSee { id: r } => t!(lang, "request-not-yours", id = id(*r)),
            S::Refused { id: r, refusal } => refusal_text(refusal, *r, lang),
            S::NotAllowedToRequest => t!(lang, "request-not-allowed"),
            S::OnlyMembersOf { groups } => {
                let groups: Vec<String> =
                    groups.iter().map(|g| format!("<!subteam^{g}>")).collect();
                t!(
                    lang,
                    "request-only-members-of",
                    groups = groups.join(&format!(" {} ", t!(lang, "word-or")))
                )
            }
            S::AlreadyDecided {
                id: r,
                state,
                by,
                at,
            } => {
                let at = at.map(|at| render::date(at, lang)).unwrap_or_default();
                let r = id(*r);
                match (state, by) {
                    (RequestState::Cancelled, _) => t!(lang, "request-was-cancelled", id = r),
                    (RequestState::Lapsed, _) => t!(lang, "request-already-lapsed", id = r),
                    (RequestState::Pending, _) => t!(lang, "request-still-waiting", id = r),
                    (RequestState::Denied, Some(by)) => t!(
                        lang,
                        "request-already-denied",
                        id = r,
                        by = mention(by),
                        at = at
                    ),
                    (RequestState::Denied, None) => {
                        t!(lang, "request-already-denied-anon", id = r, at = at)
                    }
                    (_, Some(by)) => t!(
                        lang,
                        "request-already-approved",
                        id = r,
                        by = mention(by),
                        at = at,
                        state = state_word(*state, lang)
                    ),
                    (_, None) => t!(
                        lang,
                        "request-already-approved-anon",
                        id = r,
                        at = at,
                        state = state_word(*state, lang)
                    ),
                }
            }
            S::ChangedWhileOpen { id: r } => t!(lang, "request-changed-while-open", id = id(*r)),
            S::DenyReasonMissing => t!(lang, "request-deny-reason-missing"),
            S::ExtensionAsAsked { id: r } => t!(lang, "request-extension-as-asked", id = id(*r)),
            S::OnlyRequesterAgain { id: r } => {
                t!(lang, "request-only-requester-again", id = id(*r))
            }
            S::LapsedNote => t!(lang, "request-lapsed-note"),
            S::OnlyRequesterCancel { id: r } => {
                t!(lang, "request-only-requester-cancel", id = id(*r))
            }
            S::CannotCancel { id: r, state } => t!(
                lang,
                "request-cannot-cancel",
                id = id(*r),
                state = state_word(*state, lang)
            ),
            S::CancelledBy { actor } => t!(lang, "request-cancelled-by", actor = mention(actor)),
            S::DecidedInSlack => t!(lang, "request-decided-in-slack"),
            S::DecidedInSlackDm { id: r, guest } => t!(
                lang,
                "request-decided-in-slack-dm",
                id = id(*r),
                guest = safe(guest, 100)
            ),
            S::Cancelled { id: r } => t!(lang, "request-cancelled", id = id(*r)),
            S::ApprovedWithChanges { voter, changes } => t!(
                lang,
                "request-approved-with-changes",
                voter = mention(voter),
                changes = render::term_changes(changes, lang)
            ),
            S::ChangedYourRequest {
                voter,
                id: r,
                guest,
                changes,
            } => t!(
                lang,
                "request-changed-yours",
                voter = mention(voter),
                id = id(*r),
                guest = safe(guest, 100),
                changes = render::term_changes(changes, lang)
            ),
            S::AlreadyVoted { id: r } => t!(lang, "request-already-voted", id = id(*r)),
            S::ChangedSinceOpened { id: r } => {
                t!(lang, "request-changed-since-opened", id = id(*r))
            }
            S::ParentEnded { id: r } => t!(lang, "request-parent-ended", id = id(*r)),
            S::VoteCounted {
                id: r,
                verdict,
                approvals,
                denials,
                needed,
                missing_roles,
            } => {
                let counted = match verdict {
                    Verdict::Approve => t!(
                        lang,
                        "request-approval-counted",
                        id = id(*r),
                        count = *approvals,
                        needed = *needed
                    ),
                    Verdict::Deny => t!(
                        lang,
                        "request-denial-counted",
                        id = id(*r),
                        count = *denials,
                        needed = *needed
                    ),
                };
                if missing_roles.is_empty() {
                    counted
                } else {
                    let roles: Vec<String> = missing_roles.iter().map(|r| safe(r, 80)).collect();
                    format!(
                        "{counted} {}",
                        t!(lang, "request-still-needs-roles", roles = roles.join(", "))
                    )
                }
            }
            S::VoteCountedPlain { id: r } => t!(lang, "request-vote-counted", id = id(*r)),
            S::Decided {
                verdict,
                by,
                changes,
                note,
            } => {
                let by = deciders(by, lang);
                match verdict {
                    Verdict::Approve if changes.is_empty() => {
                        t!(lang, "request-approved-thread", by = by)
                    }
                    Verdict::Approve => t!(
                        lang,
                        "request-approved-changed-thread",
                        by = by,
                        changes = render::term_changes(changes, lang)
                    ),
                    Verdict::Deny => with_note(t!(lang, "request-denied-thread", by = by), note),
                }
            }
            S::DecidedDm {
                verdict,
                id: r,
                guest,
                by,
                changes,
                note,
            } => {
                let by = deciders(by, lang);
                let (r, guest) = (id(*r), safe(guest, 100));
                match verdict {
                    Verdict::Approve if changes.is_empty() => {
                        t!(lang, "request-approved-dm", id = r, guest = guest, by = by)
                    }
                    Verdict::Approve => t!(
                        lang,
                        "request-approved-changed-dm",
                        id = r,
                        guest = guest,
                        by = by,
                        changes = render::term_changes(changes, lang)
                    ),
                    Verdict::Deny => with_note(
                        t!(lang, "request-denied-dm", id = r, guest = guest, by = by),
                        note,
                    ),
                }
            }
            S::StaleReminder {
                id: r,
                hours,
                approvers,
                workspace_admins,
                lapses,
            } => {
                let mut who = approvers.clone();
                if *workspace_admins {
                    who.push(t!(lang, "request-workspace-admins"));
                }
                let who = if who.is_empty() {
                    t!(lang, "request-an-approver-capital")
                } else {
                    who.join(", ")
                };
                let text = t!(
                    lang,
                    "request-stale-reminder",
                    id = id(*r),
                    hours = *hours,
                    who = who
                );
                match lapses {
                    Some(at) => format!(
                        "{text} {}",
                        t!(lang, "request-lapses-unless", at = render::date(*at, lang))
                    ),
                    None => text,
                }
            }
            S::Escalated { id: r, hours } => t!(
                lang,
                "request-escalated",
                id = id(*r),
                waited = waited(*hours, lang)
            ),
            S::EscalatedAsk {
                id: r,
                hours,
                group,
            } => t!(
                lang,
                "request-escalated-ask",
                id = id(*r),
                waited = waited(*hours, lang),
                group = format!("<!subteam^{group}>")
            ),
            S::LapsedThread { id: r, hours } => t!(
                lang,
                "request-lapsed-thread",
                id = id(*r),
                waited = waited(*hours, lang)
            ),
            S::LapsedDm {
                id: r,
                guest,
                hours,
            } => t!(
                lang,
                "request-lapsed-dm",
                id = id(*r),
                guest = safe(guest, 100),
                waited = waited(*hours, lang)
            ),
            S::AlreadyFullMember { email } => {
                t!(
                    lang,
                    "request-already-full-member",
                    email = safe(email, 254)
                )
            }
            S::AlreadyHas {
                email,
                id: r,
                state,
                requester,
                at,
                tz,
            } => t!(
                lang,
                "request-already-has",
                email = safe(email, 254),
                state = state.as_str(),
                id = id(*r),
                requester = safe(requester, 100),
                at = i18n::date_in_zone(*at, crate::domain::expiry::zone(Some(tz)), lang)
            ),
            S::PhoneHeld { held } => match held.as_ref() {
                S::AlreadyHas {
                    id: r,
                    state,
                    requester,
                    at,
                    tz,
                    ..
                } => t!(
                    lang,
                    "request-phone-held",
                    state = state.as_str(),
                    id = id(*r),
                    requester = safe(requester, 100),
                    at = i18n::date_in_zone(*at, crate::domain::expiry::zone(Some(tz)), lang)
                ),
                other => other.text(lang),
            },
            S::ContactTaken => t!(lang, "problem-contact-taken"),
            S::WaitingDm {
                id: r,
                guest,
                email,
            } => t!(
                lang,
                "request-waiting-dm",
                id = id(*r),
                guest = safe(guest, 100),
                email = safe(email, 254)
            ),
            S::AutoApprovedDm {
                id: r,
                guest,
                email,
                rule,
            } => t!(
                lang,
                "request-auto-approved-dm",
                id = id(*r),
                guest = safe(guest, 100),
                email = safe(email, 254),
                rule = safe(rule, 80)
            ),
        }
    }
}

/// Why someone may not press a button on a request.
fn refusal_text(refusal: &Refusal, request: RequestId, lang: Lang) -> String {
    let r = id(request);
    match refusal {
        Refusal::OwnRequest => t!(lang, "refusal-own-request", id = r),
        Refusal::NotAllowed {
            right: Right::Decide,
        } => t!(lang, "refusal-not-an-approver", id = r),
        Refusal::NotAllowed { right } => {
            t!(lang, "refusal-not-allowed", right = right.as_str(), id = r)
        }
        Refusal::OutsideScope {
            right,
            channels: outside,
        } => t!(
            lang,
            "refusal-outside-scope",
            right = right.as_str(),
            id = r,
            channels = channels(outside)
        ),
    }
}

/// "<@A>", "<@A> and <@B>", or "an approver".
fn deciders(users: &[UserId], lang: Lang) -> String {
    if users.is_empty() {
        return t!(lang, "request-an-approver");
    }
    let mentions: Vec<String> = users.iter().map(mention).collect();
    i18n::list(&mentions, lang)
}

/// A deny reason, quoted under the message.
fn with_note(text: String, note: &Option<String>) -> String {
    match note {
        Some(note) => format!("{text}\n>{}", safe(note, 500).replace('\n', "\n>")),
        None => text,
    }
}

/// "30 hours", "3 days": how long a request waited.
fn waited(hours: i64, lang: Lang) -> String {
    if hours >= 48 {
        t!(lang, "time-days", count = hours / 24)
    } else {
        t!(lang, "time-hours", count = hours)
    }
}

/// How a state reads in a sentence ("Request #4 is *approved*").
pub fn state_word(state: RequestState, lang: Lang) -> String {
    t!(lang, "state", state = state.as_str())
}

/// "Single-channel guest", "Multi-channel guest", "Full member".
pub fn guest_type_label(guest_type: GuestType, lang: Lang) -> String {
    t!(lang, "guest-type", kind = guest_type.as_str())
}
