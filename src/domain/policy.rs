//! Request validation and approver authority: the rules from the config file, applied to
//! facts the workflow has already looked up. Nothing here does I/O.

use super::email::{Email, EmailError};
use super::expiry::{Expiry, local_to_utc};
use super::ids::ChannelId;
use super::problem::Problem;
use super::profile::{Profile, ProfileDraft, ProfileField, ProfilePolicy, check_profile};
use super::quorum::{TermChange, Terms, Widening, narrowing};
use super::request::GuestType;
use super::text::clean_line;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::collections::HashSet;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ORGANISATION_CHARS: usize = 100;
pub const MAX_REASON_CHARS: usize = 1000;
/// A hundred years: beyond any policy, and far from the calendar's end.
pub const MAX_EXPIRY_DAYS: u32 = 36_500;

#[derive(Debug, Clone, PartialEq)]
pub struct RequestPolicy {
    /// Longest expiry allowed, in days from now; `None` = no limit.
    pub max_expiry_days: Option<u32>,
    pub allow_never: bool,
    pub guest_types: Vec<GuestType>,
    /// Domains (and their subdomains) that may never be invited.
    pub blocked_domains: Vec<String>,
    /// A multi-channel guest's channel cap.
    pub max_channels: usize,
    /// The profile fields the form asks for.
    pub profile: ProfilePolicy,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        Self {
            max_expiry_days: Some(90),
            allow_never: false,
            guest_types: vec![GuestType::SingleChannel, GuestType::MultiChannel],
            blocked_domains: Vec::new(),
            max_channels: 20,
            profile: ProfilePolicy::default(),
        }
    }
}

/// A form field, so an error can be shown next to the right input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Email,
    FullName,
    Organisation,
    Reason,
    GuestType,
    Channels,
    ExpiryMode,
    ExpiryDays,
    ExpiryDate,
    ExpiryTime,
    Profile(ProfileField),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(Field, Problem)>);

impl FieldErrors {
    pub fn add(&mut self, field: Field, problem: Problem) {
        // The first problem with a field is the one worth showing.
        if !self.0.iter().any(|(f, _)| *f == field) {
            self.0.push((field, problem));
        }
    }
    pub fn get(&self, field: Field) -> Option<&Problem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| p)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The request form as typed, before any checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestDraft {
    pub email: String,
    pub full_name: String,
    pub organisation: String,
    pub reason: String,
    pub guest_type: Option<String>,
    pub channels: Vec<String>,
    /// `days`, `date` or `never`.
    pub expiry_mode: Option<String>,
    pub expiry_days: Option<String>,
    /// `YYYY-MM-DD` from the datepicker.
    pub expiry_date: Option<String>,
    /// `HH:MM` from the timepicker.
    pub expiry_time: Option<String>,
    pub profile: ProfileDraft,
}

/// A form that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRequest {
    pub email: Email,
    pub full_name: String,
    pub organisation: String,
    pub reason: String,
    pub guest_type: GuestType,
    pub channels: Vec<ChannelId>,
    pub expiry: Expiry,
    pub profile: Profile,
}

/// Wall time used when a date is picked without a time: the end of a working day.
pub const DEFAULT_EXPIRY_TIME: (u32, u32) = (17, 0);

pub fn validate_request(
    draft: &RequestDraft,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<ValidRequest, FieldErrors> {
    let mut errors = FieldErrors::default();

    let email = match check_email(&draft.email, policy) {
        Ok(email) => Some(email),
        Err(message) => {
            errors.add(Field::Email, message);
            None
        }
    };
    let full_name = clean_line(&draft.full_name);
    if full_name.is_empty() {
        errors.add(Field::FullName, Problem::NameEmpty);
    } else if full_name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            Field::FullName,
            Problem::TooLong {
                max: MAX_NAME_CHARS,
            },
        );
    }
    let organisation = clean_line(&draft.organisation);
    if organisation.chars().count() > MAX_ORGANISATION_CHARS {
        errors.add(
            Field::Organisation,
            Problem::TooLong {
                max: MAX_ORGANISATION_CHARS,
            },
        );
    }
    let reason = crate::domain::text::strip_controls(draft.reason.trim());
    if reason.is_empty() {
        errors.add(Field::Reason, Problem::ReasonEmpty);
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.add(
            Field::Reason,
            Problem::TooLong {
                max: MAX_REASON_CHARS,
            },
        );
    }

    let (guest_type, channels, expiry) = read_terms(draft, policy, now, tz, &mut errors);
    let profile = match check_profile(&draft.profile, &policy.profile) {
        Ok(profile) => Some(profile),
        Err(problems) => {
            for (field, problem) in problems {
                errors.add(Field::Profile(field), problem);
            }
            None
        }
    };

    match (email, guest_type, expiry, profile) {
        (Some(email), Some(guest_type), Some(expiry), Some(profile)) if errors.is_empty() => {
            Ok(ValidRequest {
                email,
                full_name,
                organisation,
                reason,
                guest_type,
                channels,
                expiry,
                profile,
            })
        }
        _ => Err(errors),
    }
}

/// The terms alone (type, channels, expiry), as the request form checks them: what an invite
/// link offers is checked the same way.
pub fn validate_terms(
    draft: &RequestDraft,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(GuestType, Vec<ChannelId>, Expiry), FieldErrors> {
    let mut errors = FieldErrors::default();
    match read_terms(draft, policy, now, tz, &mut errors) {
        (Some(guest_type), channels, Some(expiry)) if errors.is_empty() => {
            Ok((guest_type, channels, expiry))
        }
        _ => Err(errors),
    }
}

fn read_terms(
    draft: &RequestDraft,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
    tz: Tz,
    errors: &mut FieldErrors,
) -> (Option<GuestType>, Vec<ChannelId>, Option<Expiry>) {
    let guest_type = match draft.guest_type.as_deref().and_then(GuestType::parse) {
        Some(t) if policy.guest_types.contains(&t) => Some(t),
        Some(t) => {
            errors.add(
                Field::GuestType,
                Problem::GuestTypeNotAllowed { guest_type: t },
            );
            None
        }
        None => {
            errors.add(Field::GuestType, Problem::GuestTypeMissing);
            None
        }
    };

    let channels = dedup_channels(&draft.channels);
    if let Some(guest_type) = guest_type
        && let Err(message) = check_channel_count(guest_type, channels.len(), policy)
    {
        errors.add(Field::Channels, message);
    }

    let expiry = match read_expiry(draft, now, tz) {
        Ok(expiry) => match check_expiry(&expiry, policy, now) {
            Ok(()) => Some(expiry),
            Err(message) => {
                errors.add(expiry_field(&expiry), message);
                None
            }
        },
        Err((field, message)) => {
            errors.add(field, message);
            None
        }
    };

    (guest_type, channels, expiry)
}

/// An approver's narrowed terms, read from the approve-with-changes form: the request form's
/// checks for type, channels and expiry, then only narrowing (`quorum::narrowing`), each
/// problem on the field it is about.
pub fn narrowed_terms(
    draft: &RequestDraft,
    original: &Terms,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(Terms, Vec<TermChange>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let guest_type = draft.guest_type.as_deref().and_then(GuestType::parse);
    if guest_type.is_none() {
        errors.add(Field::GuestType, Problem::GuestTypeMissing);
    }
    let channels = dedup_channels(&draft.channels);
    let expiry = match read_expiry(draft, now, tz) {
        // What was asked stays acceptable even if the policy changed since.
        Ok(expiry) if expiry == original.expiry => Some(expiry),
        Ok(expiry) => match check_expiry(&expiry, policy, now) {
            Ok(()) => Some(expiry),
            Err(message) => {
                errors.add(expiry_field(&expiry), message);
                None
            }
        },
        Err((field, message)) => {
            errors.add(field, message);
            None
        }
    };
    let (Some(guest_type), Some(expiry)) = (guest_type, expiry) else {
        return Err(errors);
    };
    let proposed = Terms {
        guest_type,
        channels,
        expiry,
    };
    match narrowing(original, &proposed, now) {
        Ok(changes) if errors.is_empty() => Ok((proposed, changes)),
        Ok(_) => Err(errors),
        Err(problems) => {
            for problem in problems {
                match problem {
                    Widening::Channels(m) => errors.add(Field::Channels, m),
                    Widening::GuestType(m) => errors.add(Field::GuestType, m),
                    Widening::Expiry(m) => errors.add(expiry_field(&proposed.expiry), m),
                }
            }
            Err(errors)
        }
    }
}

fn dedup_channels(raw: &[String]) -> Vec<ChannelId> {
    let mut seen = HashSet::new();
    raw.iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty() && seen.insert(c.to_string()))
        .map(ChannelId::from)
        .collect()
}

/// Syntax plus the blocked-domain list; shared by the form and the CSV import.
pub fn check_email(raw: &str, policy: &RequestPolicy) -> Result<Email, Problem> {
    let email = Email::parse(raw).map_err(|e| match e {
        EmailError::Empty => Problem::EmailEmpty,
        EmailError::Invalid => Problem::EmailInvalid,
        EmailError::TooLong => Problem::EmailTooLong,
    })?;
    if let Some(blocked) = policy
        .blocked_domains
        .iter()
        .find(|d| email.is_in_domain(d))
    {
        return Err(Problem::DomainBlocked {
            domain: blocked.trim_start_matches('@').to_string(),
        });
    }
    Ok(email)
}

pub fn check_channel_count(
    guest_type: GuestType,
    count: usize,
    policy: &RequestPolicy,
) -> Result<(), Problem> {
    match guest_type {
        GuestType::SingleChannel if count != 1 => Err(Problem::OneChannelOnly),
        GuestType::MultiChannel | GuestType::Member if count == 0 => Err(Problem::NoChannel),
        _ if count > policy.max_channels => Err(Problem::TooManyChannels {
            max: policy.max_channels,
        }),
        _ => Ok(()),
    }
}

fn expiry_field(expiry: &Expiry) -> Field {
    match expiry {
        Expiry::AfterDays { .. } => Field::ExpiryDays,
        Expiry::At { .. } => Field::ExpiryDate,
        Expiry::Never => Field::ExpiryMode,
    }
}

fn read_expiry(
    draft: &RequestDraft,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Expiry, (Field, Problem)> {
    match draft.expiry_mode.as_deref().unwrap_or("") {
        "days" => {
            let raw = draft.expiry_days.as_deref().unwrap_or("").trim();
            if raw.is_empty() {
                return Err((Field::ExpiryDays, Problem::DaysMissing));
            }
            match raw.parse::<u32>() {
                Ok(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Ok(Expiry::AfterDays { days }),
                _ => Err((
                    Field::ExpiryDays,
                    Problem::DaysInvalid {
                        max: MAX_EXPIRY_DAYS,
                    },
                )),
            }
        }
        "date" => {
            let date = draft
                .expiry_date
                .as_deref()
                .filter(|d| !d.is_empty())
                .ok_or((Field::ExpiryDate, Problem::DateMissing))?;
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| (Field::ExpiryDate, Problem::DateInvalid))?;
            let time = match draft.expiry_time.as_deref().filter(|t| !t.is_empty()) {
                Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
                    .map_err(|_| (Field::ExpiryTime, Problem::TimeInvalid))?,
                None => NaiveTime::from_hms_opt(DEFAULT_EXPIRY_TIME.0, DEFAULT_EXPIRY_TIME.1, 0)
                    .expect("valid default time"),
            };
            let at = local_to_utc(date, time, tz).map_err(|e| (Field::ExpiryTime, e.into()))?;
            if at <= now {
                return Err((Field::ExpiryDate, Problem::MomentPassed));
            }
            Ok(Expiry::At { at })
        }
        "never" => Ok(Expiry::Never),
        _ => Err((Field::ExpiryMode, Problem::ExpiryModeMissing)),
    }
}

/// The policy's limits on an expiry; shared by the form, extensions and the CSV import.
pub fn check_expiry(
    expiry: &Expiry,
    policy: &RequestPolicy,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    if let Expiry::At { at } = expiry
        && *at <= now
    {
        return Err(Problem::MomentPassed);
    }
    match (expiry.span_from(now), policy.max_expiry_days) {
        (None, _) if !policy.allow_never => Err(Problem::MustEnd {
            max_days: policy.max_expiry_days,
        }),
        // A minute of grace: a date picked as "exactly the maximum" must not fail on seconds.
        (Some(span), Some(max)) if span > Duration::days(i64::from(max)) + Duration::minutes(1) => {
            Err(Problem::ExpiryTooLong { max_days: max })
        }
        _ => Ok(()),
    }
}

/// A rule under which the bot approves a request itself: every part of the request must fit.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoApproveRule {
    pub name: String,
    /// The guest's email must be at one of these domains (or a subdomain).
    pub domains: Vec<String>,
    pub guest_types: Vec<GuestType>,
    /// The account must end within this many days of approval ("never" never fits).
    pub max_expiry_days: u32,
    /// Every channel must be one of these; empty = any channel.
    pub channels: Vec<ChannelId>,
}

impl AutoApproveRule {
    /// Whether the request fits this rule entirely.
    pub fn fits(&self, request: &ValidRequest, now: DateTime<Utc>) -> bool {
        let domain_ok = self.domains.iter().any(|d| request.email.is_in_domain(d));
        let type_ok = self.guest_types.contains(&request.guest_type);
        let channels_ok =
            self.channels.is_empty() || request.channels.iter().all(|c| self.channels.contains(c));
        let expiry_ok = request.expiry.span_from(now).is_some_and(|span| {
            span <= Duration::days(i64::from(self.max_expiry_days)) + Duration::minutes(1)
        });
        domain_ok && type_ok && channels_ok && expiry_ok
    }
}

/// The first rule the request fits entirely, if any.
pub fn auto_approval<'a>(
    rules: &'a [AutoApproveRule],
    request: &ValidRequest,
    now: DateTime<Utc>,
) -> Option<&'a AutoApproveRule> {
    rules.iter().find(|rule| rule.fits(request, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    fn draft() -> RequestDraft {
        RequestDraft {
            email: " Guest@Partner.com ".into(),
            full_name: "Grace  Hopper".into(),
            organisation: "Partner Inc".into(),
            reason: "Joint launch".into(),
            guest_type: Some("single_channel".into()),
            channels: vec!["C1".into()],
            expiry_mode: Some("days".into()),
            expiry_days: Some("30".into()),
            expiry_date: None,
            expiry_time: None,
            profile: ProfileDraft::default(),
        }
    }

    fn errors(d: RequestDraft, p: &RequestPolicy) -> FieldErrors {
        validate_request(&d, p, now(), Tz::UTC).unwrap_err()
    }

    #[test]
    fn auto_approval_needs_every_part_to_fit() {
        let rules = vec![AutoApproveRule {
            name: "partners".into(),
            domains: vec!["partner.com".into()],
            guest_types: vec![GuestType::SingleChannel],
            max_expiry_days: 30,
            channels: vec![ChannelId::from("C1")],
        }];
        let fits = |d: RequestDraft| {
            let valid = validate_request(&d, &RequestPolicy::default(), now(), Tz::UTC).unwrap();
            auto_approval(&rules, &valid, now()).map(|r| r.name.clone())
        };
        assert_eq!(fits(draft()), Some("partners".into()));
        let sub = RequestDraft {
            email: "g@eu.partner.com".into(),
            ..draft()
        };
        assert_eq!(fits(sub), Some("partners".into()));
        for outside in [
            RequestDraft {
                email: "g@notpartner.com".into(),
                ..draft()
            },
            RequestDraft {
                channels: vec!["C2".into()],
                ..draft()
            },
            RequestDraft {
                expiry_days: Some("31".into()),
                ..draft()
            },
            RequestDraft {
                guest_type: Some("multi_channel".into()),
                ..draft()
            },
        ] {
            assert_eq!(fits(outside.clone()), None, "{outside:?}");
        }
        let never = ValidRequest {
            expiry: Expiry::Never,
            ..validate_request(&draft(), &RequestPolicy::default(), now(), Tz::UTC).unwrap()
        };
        assert!(auto_approval(&rules, &never, now()).is_none());
    }

    #[test]
    fn a_good_form_is_normalised() {
        let valid = validate_request(&draft(), &RequestPolicy::default(), now(), Tz::UTC).unwrap();
        assert_eq!(valid.email.as_str(), "guest@partner.com");
        assert_eq!(valid.full_name, "Grace Hopper");
        assert_eq!(valid.expiry, Expiry::AfterDays { days: 30 });
        assert_eq!(valid.channels, vec![ChannelId::from("C1")]);
    }

    #[test]
    fn each_problem_lands_on_its_field() {
        let p = RequestPolicy::default();
        let e = errors(
            RequestDraft {
                email: "nope".into(),
                ..draft()
            },
            &p,
        );
        assert_eq!(e.get(Field::Email), Some(&Problem::EmailInvalid));
        let e = errors(
            RequestDraft {
                reason: "  ".into(),
                ..draft()
            },
            &p,
        );
        assert!(e.get(Field::Reason).is_some());
        let e = errors(
            RequestDraft {
                channels: vec!["C1".into(), "C2".into()],
                ..draft()
            },
            &p,
        );
        assert_eq!(e.get(Field::Channels), Some(&Problem::OneChannelOnly));
        let e = errors(
            RequestDraft {
                guest_type: Some("multi_channel".into()),
                channels: vec![],
                ..draft()
            },
            &p,
        );
        assert_eq!(e.get(Field::Channels), Some(&Problem::NoChannel));
        let e = errors(
            RequestDraft {
                expiry_days: Some("91".into()),
                ..draft()
            },
            &p,
        );
        assert_eq!(
            e.get(Field::ExpiryDays),
            Some(&Problem::ExpiryTooLong { max_days: 90 })
        );
        let e = errors(
            RequestDraft {
                expiry_mode: Some("never".into()),
                ..draft()
            },
            &p,
        );
        assert_eq!(
            e.get(Field::ExpiryMode),
            Some(&Problem::MustEnd { max_days: Some(90) })
        );
    }

    #[test]
    fn dates_are_read_in_the_requesters_zone_and_must_be_future() {
        let p = RequestPolicy::default();
        let tz: Tz = "Asia/Tokyo".parse().unwrap();
        let d = RequestDraft {
            expiry_mode: Some("date".into()),
            expiry_date: Some("2026-12-01".into()),
            expiry_time: Some("09:00".into()),
            ..draft()
        };
        let valid = validate_request(&d, &p, now(), tz).unwrap();
        assert_eq!(
            valid.expiry,
            Expiry::At {
                at: "2026-12-01T00:00:00Z".parse().unwrap()
            }
        );
        let past = RequestDraft {
            expiry_date: Some("2026-11-01".into()),
            ..d.clone()
        };
        assert_eq!(
            errors(past, &p).get(Field::ExpiryDate),
            Some(&Problem::MomentPassed)
        );
        let missing = RequestDraft {
            expiry_date: None,
            ..d
        };
        assert!(errors(missing, &p).get(Field::ExpiryDate).is_some());
    }

    #[test]
    fn blocked_domains_cover_subdomains() {
        let p = RequestPolicy {
            blocked_domains: vec!["rival.com".into()],
            ..Default::default()
        };
        let e = errors(
            RequestDraft {
                email: "spy@eu.rival.com".into(),
                ..draft()
            },
            &p,
        );
        assert_eq!(
            e.get(Field::Email),
            Some(&Problem::DomainBlocked {
                domain: "rival.com".into()
            })
        );
    }

    #[test]
    fn disallowed_guest_types_are_refused() {
        let p = RequestPolicy {
            guest_types: vec![GuestType::SingleChannel],
            ..Default::default()
        };
        let e = errors(
            RequestDraft {
                guest_type: Some("multi_channel".into()),
                ..draft()
            },
            &p,
        );
        assert!(e.get(Field::GuestType).is_some());
    }
}
