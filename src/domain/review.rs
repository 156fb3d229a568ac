//! Access reviews: a campaign asks each sponsor, about each of their guests, to keep, shorten or
//! end the access by a deadline. Pure rules: who may answer an item, what an answer and the
//! deadline make of it, and the counts the progress message shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happens at the deadline to an item nobody answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The access ends.
    End,
    /// Approvers get the item and decide.
    Escalate,
    /// The access stays, with a note in the audit log.
    Keep,
}

impl ReviewOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::End => "end",
            ReviewOutcome::Escalate => "escalate",
            ReviewOutcome::Keep => "keep",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::End, Self::Escalate, Self::Keep]
            .into_iter()
            .find(|o| o.as_str() == raw)
    }
}

/// Where one guest of a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// Waiting for the sponsor (or an approver).
    Pending,
    /// Unanswered at the deadline, or without a sponsor: waiting for approvers.
    Escalated,
    Kept,
    Shortened,
    Ended,
    /// Unanswered at the deadline; the outcome `keep` applied.
    KeptUnanswered,
    /// Unanswered at the deadline; the outcome `end` applied.
    EndedUnanswered,
    /// The access ended or changed hands before anyone answered.
    Gone,
}

impl ItemState {
    const ALL: [ItemState; 8] = [
        ItemState::Pending,
        ItemState::Escalated,
        ItemState::Kept,
        ItemState::Shortened,
        ItemState::Ended,
        ItemState::KeptUnanswered,
        ItemState::EndedUnanswered,
        ItemState::Gone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Escalated => "escalated",
            ItemState::Kept => "kept",
            ItemState::Shortened => "shortened",
            ItemState::Ended => "ended",
            ItemState::KeptUnanswered => "kept_unanswered",
            ItemState::EndedUnanswered => "ended_unanswered",
            ItemState::Gone => "gone",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Still waiting for an answer.
    pub fn is_open(self) -> bool {
        matches!(self, ItemState::Pending | ItemState::Escalated)
    }
}

/// A reviewer's answer about one guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Keep,
    Shorten,
    End,
}

impl Answer {
    pub fn state(self) -> ItemState {
        match self {
            Answer::Keep => ItemState::Kept,
            Answer::Shorten => ItemState::Shortened,
            Answer::End => ItemState::Ended,
        }
    }
}

/// Who is answering, as far as the item is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answerer {
    /// The item's sponsor.
    pub is_sponsor: bool,
    /// Holds the `review` right (an approver who may answer for anyone).
    pub may_review: bool,
    /// The guest itself.
    pub is_guest: bool,
}

/// Why someone may not answer a review item (`slack::render` puts it into words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerRefusal {
    AlreadyAnswered,
    NotYours,
    WithApprovers,
    OwnAccess,
}

/// May `who` answer an item in `state`? Sponsors answer their own pending items; holders of
/// `review` answer any open item, including those escalated to approvers; nobody answers about
/// their own access.
pub fn may_answer(state: ItemState, who: Answerer) -> Result<(), AnswerRefusal> {
    if who.is_guest {
        return Err(AnswerRefusal::OwnAccess);
    }
    match state {
        ItemState::Pending if who.is_sponsor || who.may_review => Ok(()),
        ItemState::Pending => Err(AnswerRefusal::NotYours),
        ItemState::Escalated if who.may_review => Ok(()),
        ItemState::Escalated => Err(AnswerRefusal::WithApprovers),
        _ => Err(AnswerRefusal::AlreadyAnswered),
    }
}

/// What the deadline makes of an item still open (`None`: nothing, it is already answered or
/// already with approvers).
pub fn at_deadline(state: ItemState, outcome: ReviewOutcome) -> Option<ItemState> {
    (state == ItemState::Pending).then_some(match outcome {
        ReviewOutcome::End => ItemState::EndedUnanswered,
        ReviewOutcome::Escalate => ItemState::Escalated,
        ReviewOutcome::Keep => ItemState::KeptUnanswered,
    })
}

/// The counts of the progress message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    /// Answered, or decided by the deadline.
    pub reviewed: usize,
    /// Ended by an answer or by the deadline.
    pub ended: usize,
    /// Of `ended`, by the deadline.
    pub ended_unanswered: usize,
    /// Kept as they were, or shortened.
    pub kept: usize,
    pub shortened: usize,
    /// Waiting for the sponsor.
    pub waiting: usize,
    /// Waiting for approvers.
    pub escalated: usize,
    /// Ended or changed hands before anyone answered.
    pub gone: usize,
}

pub fn progress(states: impl IntoIterator<Item = ItemState>) -> Progress {
    let mut p = Progress::default();
    for state in states {
        p.total += 1;
        match state {
            ItemState::Pending => p.waiting += 1,
            ItemState::Escalated => p.escalated += 1,
            ItemState::Kept | ItemState::KeptUnanswered => p.kept += 1,
            ItemState::Shortened => p.shortened += 1,
            ItemState::Ended => p.ended += 1,
            ItemState::EndedUnanswered => {
                p.ended += 1;
                p.ended_unanswered += 1;
            }
            ItemState::Gone => p.gone += 1,
        }
    }
    p.reviewed = p.total - p.waiting - p.escalated;
    p
}

/// Which guests a campaign covers: all, or those of one email domain, or in one channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Lower case, without `@`.
    pub domain: Option<String>,
    pub channel: Option<String>,
}

impl Scope {
    pub fn covers(
        &self,
        email: &crate::domain::Email,
        channels: &[crate::domain::ChannelId],
    ) -> bool {
        self.domain.as_deref().is_none_or(|d| email.is_in_domain(d))
            && self
                .channel
                .as_deref()
                .is_none_or(|c| channels.iter().any(|have| have.as_str() == c))
    }

    /// How the audit log, the command line and the stored campaign name it (in English; Slack
    /// messages word the scope from its parts, in their reader's language).
    pub fn describe(&self) -> String {
        match (&self.domain, &self.channel) {
            (None, None) => "every guest".to_string(),
            (Some(d), None) => format!("guests from {d}"),
            (None, Some(c)) => format!("guests in {c}"),
            (Some(d), Some(c)) => format!("guests from {d} in {c}"),
        }
    }

    /// The scope back from what `describe` wrote (a campaign stores its description), so that
    /// messages can word it in their reader's language.
    pub fn from_described(described: &str) -> Option<Scope> {
        if described == "every guest" {
            return Some(Scope::default());
        }
        if let Some(channel) = described.strip_prefix("guests in ") {
            return Some(Scope {
                domain: None,
                channel: Some(channel.to_string()),
            });
        }
        let rest = described.strip_prefix("guests from ")?;
        // A domain has no spaces; a channel id neither.
        Some(match rest.split_once(" in ") {
            Some((domain, channel)) => Scope {
                domain: Some(domain.to_string()),
                channel: Some(channel.to_string()),
            },
            None => Scope {
                domain: Some(rest.to_string()),
                channel: None,
            },
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortenRefusal {
    NotFuture,
    NotShorter,
}

impl From<ShortenRefusal> for super::problem::Problem {
    fn from(refusal: ShortenRefusal) -> Self {
        match refusal {
            ShortenRefusal::NotFuture => super::problem::Problem::PickDateAfterToday,
            ShortenRefusal::NotShorter => super::problem::Problem::PickDateBeforeEnd,
        }
    }
}

/// A shortened end must be in the future and earlier than the current one (none: any future
/// date shortens an access without end).
pub fn check_shorter(
    new_end: DateTime<Utc>,
    current: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), ShortenRefusal> {
    if new_end <= now {
        return Err(ShortenRefusal::NotFuture);
    }
    if current.is_some_and(|c| new_end >= c) {
        return Err(ShortenRefusal::NotShorter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const SPONSOR: Answerer = Answerer {
        is_sponsor: true,
        may_review: false,
        is_guest: false,
    };
    const REVIEWER: Answerer = Answerer {
        is_sponsor: false,
        may_review: true,
        is_guest: false,
    };
    const STRANGER: Answerer = Answerer {
        is_sponsor: false,
        may_review: false,
        is_guest: false,
    };

    #[test]
    fn sponsors_answer_their_pending_items_and_reviewers_any_open_one() {
        assert_eq!(may_answer(ItemState::Pending, SPONSOR), Ok(()));
        assert_eq!(may_answer(ItemState::Pending, REVIEWER), Ok(()));
        assert_eq!(
            may_answer(ItemState::Pending, STRANGER),
            Err(AnswerRefusal::NotYours)
        );
        assert_eq!(
            may_answer(ItemState::Escalated, SPONSOR),
            Err(AnswerRefusal::WithApprovers)
        );
        assert_eq!(may_answer(ItemState::Escalated, REVIEWER), Ok(()));
        for closed in ItemState::ALL.into_iter().filter(|s| !s.is_open()) {
            assert_eq!(
                may_answer(closed, REVIEWER),
                Err(AnswerRefusal::AlreadyAnswered)
            );
        }
        let guest = Answerer {
            is_guest: true,
            ..REVIEWER
        };
        assert_eq!(
            may_answer(ItemState::Pending, guest),
            Err(AnswerRefusal::OwnAccess)
        );
    }

    #[test]
    fn the_deadline_applies_the_outcome_to_pending_items_only() {
        assert_eq!(
            at_deadline(ItemState::Pending, ReviewOutcome::End),
            Some(ItemState::EndedUnanswered)
        );
        assert_eq!(
            at_deadline(ItemState::Pending, ReviewOutcome::Keep),
            Some(ItemState::KeptUnanswered)
        );
        assert_eq!(
            at_deadline(ItemState::Pending, ReviewOutcome::Escalate),
            Some(ItemState::Escalated)
        );
        for state in ItemState::ALL
            .into_iter()
            .filter(|s| *s != ItemState::Pending)
        {
            assert_eq!(at_deadline(state, ReviewOutcome::End), None, "{state:?}");
        }
    }

    #[test]
    fn progress_counts_every_state_once() {
        use ItemState::*;
        let p = progress([
            Pending,
            Pending,
            Escalated,
            Kept,
            Shortened,
            Ended,
            EndedUnanswered,
            KeptUnanswered,
            Gone,
        ]);
        assert_eq!(p.total, 9);
        assert_eq!(p.waiting, 2);
        assert_eq!(p.escalated, 1);
        assert_eq!(p.reviewed, 6);
        assert_eq!(p.ended, 2);
        assert_eq!(p.ended_unanswered, 1);
        assert_eq!(p.kept, 2);
        assert_eq!(p.shortened, 1);
        assert_eq!(p.gone, 1);
        for state in ItemState::ALL {
            assert_eq!(ItemState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn scope_filters_by_domain_and_channel() {
        let email = crate::domain::Email::parse("ada@partner.example").unwrap();
        let channels = vec![crate::domain::ChannelId::from("CPROJECT")];
        assert!(Scope::default().covers(&email, &channels));
        let by_domain = Scope {
            domain: Some("partner.example".into()),
            channel: None,
        };
        assert!(by_domain.covers(&email, &channels));
        let other = Scope {
            domain: Some("other.example".into()),
            channel: None,
        };
        assert!(!other.covers(&email, &channels));
        let by_channel = Scope {
            domain: None,
            channel: Some("COTHER".into()),
        };
        assert!(!by_channel.covers(&email, &channels));
        assert_eq!(by_domain.describe(), "guests from partner.example");
        for scope in [Scope::default(), by_domain, other, by_channel] {
            let described = scope.describe();
            assert_eq!(Scope::from_described(&described), Some(scope));
        }
        let both = Scope {
            domain: Some("partner.example".into()),
            channel: Some("C1".into()),
        };
        assert_eq!(Scope::from_described(&both.describe()), Some(both));
        assert_eq!(Scope::from_described("someone"), None);
    }

    #[test]
    fn a_shorter_end_is_later_than_now_and_earlier_than_the_current_one() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let current = Some(now + Duration::days(30));
        assert_eq!(
            check_shorter(now + Duration::days(10), current, now),
            Ok(())
        );
        assert_eq!(
            check_shorter(now + Duration::days(30), current, now),
            Err(ShortenRefusal::NotShorter)
        );
        assert_eq!(
            check_shorter(now - Duration::days(1), current, now),
            Err(ShortenRefusal::NotFuture)
        );
        assert_eq!(check_shorter(now + Duration::days(900), None, now), Ok(()));
    }
}
