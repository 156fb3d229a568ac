//! The way in for people outside Slack: invite links a sponsor hands out, and self-registration
//! for allowed email domains. What a link allows, whether it can still be used, and the checks
//! on what a visitor typed (typed problems: the page decides the words, in the visitor's
//! language).

use super::policy::{MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS, RequestPolicy};
use super::text::{clean_line, inert_links, strip_controls};
use super::{ChannelId, Email, Expiry, GuestType, TeamId, UserId};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A link lives 1 to 30 days and serves 1 to this many people.
pub const MAX_LINK_USES: u32 = 100;
pub const MAX_LINK_DAYS: u32 = 30;

/// What everyone who comes through one door gets: the same type, channels and end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinTerms {
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expiry: Expiry,
}

/// A link as created in Slack; the token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInviteLink {
    pub team_id: TeamId,
    pub token_hash: String,
    pub sponsor: UserId,
    pub terms: JoinTerms,
    pub max_uses: u32,
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InviteLink {
    pub id: i64,
    pub team_id: TeamId,
    pub sponsor: UserId,
    pub terms: JoinTerms,
    pub max_uses: u32,
    pub uses: u32,
    pub valid_until: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Whether a link can still be used, and if not, why (the page says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    Open,
    Revoked,
    Expired,
    UsedUp,
}

impl InviteLink {
    pub fn status(&self, now: DateTime<Utc>) -> LinkStatus {
        if self.revoked_at.is_some() {
            LinkStatus::Revoked
        } else if now >= self.valid_until {
            LinkStatus::Expired
        } else if self.uses >= self.max_uses {
            LinkStatus::UsedUp
        } else {
            LinkStatus::Open
        }
    }

    pub fn uses_left(&self) -> u32 {
        self.max_uses.saturating_sub(self.uses)
    }
}

/// The stored form of a token: SHA-256, hex. A database leak gives no working link.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token looks like one of ours (hex, the length we make) before it is looked up, so junk
/// in a URL costs no query.
pub fn plausible_token(token: &str) -> bool {
    token.len() == TOKEN_HEX_CHARS && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// 24 random bytes (192 bits), hex.
pub const TOKEN_HEX_CHARS: usize = 48;

/// A link's options as typed in the modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOptionProblem {
    UsesOutOfRange,
    DaysOutOfRange,
}

/// Reads "how many uses" and "valid for how many days"; `None` uses means one.
pub fn check_link_options(
    uses: Option<&str>,
    days: Option<&str>,
) -> Result<(u32, u32), Vec<LinkOptionProblem>> {
    let mut problems = Vec::new();
    let uses = match uses.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(1),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LINK_USES).contains(n)),
    };
    if uses.is_none() {
        problems.push(LinkOptionProblem::UsesOutOfRange);
    }
    let days = match days.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(7),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LINK_DAYS).contains(n)),
    };
    if days.is_none() {
        problems.push(LinkOptionProblem::DaysOutOfRange);
    }
    match (uses, days) {
        (Some(uses), Some(days)) => Ok((uses, days)),
        _ => Err(problems),
    }
}

/// A field of the join page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinField {
    Name,
    Email,
    Organisation,
    Phone,
    Reason,
}

impl JoinField {
    pub const ALL: [JoinField; 5] = [
        JoinField::Name,
        JoinField::Email,
        JoinField::Organisation,
        JoinField::Phone,
        JoinField::Reason,
    ];

    /// The form field's `name`.
    pub fn name(self) -> &'static str {
        match self {
            JoinField::Name => "name",
            JoinField::Email => "email",
            JoinField::Organisation => "organisation",
            JoinField::Phone => "phone",
            JoinField::Reason => "reason",
        }
    }
}

/// What is wrong with a field. `Taken` and `Member` are deliberately vague on the page: a
/// visitor learns nothing about who else asked or who works here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinProblem {
    Required,
    TooLong {
        max: usize,
    },
    EmailInvalid,
    /// The domain is on the blocked list.
    DomainBlocked,
    /// Self-registration: the domain is not one of the allowed ones.
    DomainNotAllowed {
        allowed: Vec<String>,
    },
    PhoneInvalid,
    /// An open request or account already holds this email.
    Taken,
    /// The email belongs to a full member of the workspace.
    Member,
    /// The public page took its day's requests for this email domain.
    DomainBusy,
}

/// The join form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinDraft {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub phone: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidJoin {
    pub email: Email,
    pub full_name: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub reason: String,
}

pub type JoinProblems = Vec<(JoinField, JoinProblem)>;

/// Checks what a visitor typed. `allowed_domains` is empty for an invite link (anyone the
/// sponsor hands it to) and the allowed list for self-registration.
pub fn validate_join(
    draft: &JoinDraft,
    policy: &RequestPolicy,
    allowed_domains: &[String],
) -> Result<ValidJoin, JoinProblems> {
    let mut problems: JoinProblems = Vec::new();
    // Visitors are strangers: what they type reaches the request channel with its links inert.
    let full_name = inert_links(&clean_line(&draft.name));
    if full_name.is_empty() {
        problems.push((JoinField::Name, JoinProblem::Required));
    } else if full_name.chars().count() > MAX_NAME_CHARS {
        problems.push((
            JoinField::Name,
            JoinProblem::TooLong {
                max: MAX_NAME_CHARS,
            },
        ));
    }
    let email = match Email::parse(&draft.email) {
        Err(super::email::EmailError::Empty) => {
            problems.push((JoinField::Email, JoinProblem::Required));
            None
        }
        Err(_) => {
            problems.push((JoinField::Email, JoinProblem::EmailInvalid));
            None
        }
        Ok(email) if policy.blocked_domains.iter().any(|d| email.is_in_domain(d)) => {
            problems.push((JoinField::Email, JoinProblem::DomainBlocked));
            None
        }
        Ok(email)
            if !allowed_domains.is_empty()
                && !allowed_domains.iter().any(|d| email.is_in_domain(d)) =>
        {
            problems.push((
                JoinField::Email,
                JoinProblem::DomainNotAllowed {
                    allowed: allowed_domains.to_vec(),
                },
            ));
            None
        }
        Ok(email) => Some(email),
    };
    let organisation = inert_links(&clean_line(&draft.organisation));
    if organisation.is_empty() {
        problems.push((JoinField::Organisation, JoinProblem::Required));
    } else if organisation.chars().count() > MAX_ORGANISATION_CHARS {
        problems.push((
            JoinField::Organisation,
            JoinProblem::TooLong {
                max: MAX_ORGANISATION_CHARS,
            },
        ));
    }
    let phone = match draft.phone.trim() {
        "" => None,
        raw => match super::import::check_phone(raw) {
            Ok(phone) => Some(phone),
            Err(_) => {
                problems.push((JoinField::Phone, JoinProblem::PhoneInvalid));
                None
            }
        },
    };
    let reason = inert_links(&strip_controls(draft.reason.trim()));
    if reason.is_empty() {
        problems.push((JoinField::Reason, JoinProblem::Required));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        problems.push((
            JoinField::Reason,
            JoinProblem::TooLong {
                max: MAX_REASON_CHARS,
            },
        ));
    }
    match email {
        Some(email) if problems.is_empty() => Ok(ValidJoin {
            email,
            full_name,
            organisation,
            phone,
            reason,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> RequestPolicy {
        RequestPolicy {
            blocked_domains: vec!["blocked.example".into()],
            ..RequestPolicy::default()
        }
    }

    fn draft() -> JoinDraft {
        JoinDraft {
            name: "Grace Hopper".into(),
            email: "grace@partner.example".into(),
            organisation: "Partner".into(),
            phone: "+44 20 7946 0000".into(),
            reason: "Reviews the audit".into(),
        }
    }

    #[test]
    fn a_complete_form_passes_and_is_cleaned() {
        let valid = validate_join(&draft(), &policy(), &[]).unwrap();
        assert_eq!(valid.phone.as_deref(), Some("+442079460000"));
        assert_eq!(valid.email.as_str(), "grace@partner.example");
    }

    #[test]
    fn each_problem_is_on_its_field() {
        let empty = validate_join(&JoinDraft::default(), &policy(), &[]).unwrap_err();
        let fields: Vec<JoinField> = empty.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec![
                JoinField::Name,
                JoinField::Email,
                JoinField::Organisation,
                JoinField::Reason
            ]
        );
        let bad = JoinDraft {
            email: "grace@".into(),
            phone: "0123".into(),
            ..draft()
        };
        assert_eq!(
            validate_join(&bad, &policy(), &[]).unwrap_err(),
            vec![
                (JoinField::Email, JoinProblem::EmailInvalid),
                (JoinField::Phone, JoinProblem::PhoneInvalid)
            ]
        );
    }

    #[test]
    fn domains_blocked_and_allowed() {
        let blocked = JoinDraft {
            email: "x@blocked.example".into(),
            ..draft()
        };
        assert_eq!(
            validate_join(&blocked, &policy(), &[]).unwrap_err(),
            vec![(JoinField::Email, JoinProblem::DomainBlocked)]
        );
        let allowed = vec!["partner.example".to_string()];
        assert!(validate_join(&draft(), &policy(), &allowed).is_ok());
        let elsewhere = JoinDraft {
            email: "x@elsewhere.example".into(),
            ..draft()
        };
        assert_eq!(
            validate_join(&elsewhere, &policy(), &allowed).unwrap_err(),
            vec![(JoinField::Email, JoinProblem::DomainNotAllowed { allowed })]
        );
    }

    #[test]
    fn link_status_in_order_of_what_matters() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let mut link = InviteLink {
            id: 1,
            team_id: TeamId::from("T1"),
            sponsor: UserId::from("U1"),
            terms: JoinTerms {
                guest_type: GuestType::MultiChannel,
                channels: vec![ChannelId::from("C1")],
                expiry: Expiry::AfterDays { days: 30 },
            },
            max_uses: 2,
            uses: 1,
            valid_until: now + chrono::Duration::days(1),
            revoked_at: None,
            created_at: now,
        };
        assert_eq!(link.status(now), LinkStatus::Open);
        assert_eq!(link.uses_left(), 1);
        link.uses = 2;
        assert_eq!(link.status(now), LinkStatus::UsedUp);
        assert_eq!(
            link.status(now + chrono::Duration::days(1)),
            LinkStatus::Expired
        );
        link.revoked_at = Some(now);
        assert_eq!(link.status(now), LinkStatus::Revoked);
    }

    #[test]
    fn link_options_are_bounded() {
        assert_eq!(check_link_options(None, None), Ok((1, 7)));
        assert_eq!(check_link_options(Some("5"), Some("30")), Ok((5, 30)));
        assert_eq!(
            check_link_options(Some("0"), Some("31")),
            Err(vec![
                LinkOptionProblem::UsesOutOfRange,
                LinkOptionProblem::DaysOutOfRange
            ])
        );
    }

    #[test]
    fn tokens_are_hashed_and_shape_checked() {
        let token = "a".repeat(TOKEN_HEX_CHARS);
        assert!(plausible_token(&token));
        assert!(!plausible_token("../../etc/passwd"));
        assert_eq!(token_hash(&token).len(), 64);
        assert_ne!(token_hash(&token), token);
    }
}
