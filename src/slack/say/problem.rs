//! Why an input was refused, in words: on a modal's field, a CSV row, a review's date.

use crate::domain::import::Column;
use crate::domain::problem::Problem;
use crate::domain::text::safe;
use crate::i18n::{Lang, t};

/// The problem's words (plain text: modal errors do not render mrkdwn).
pub fn problem(problem: &Problem, lang: Lang) -> String {
    use Problem as P;
    match problem {
        P::EmailEmpty => t!(lang, "problem-email-empty"),
        P::EmailInvalid => t!(lang, "problem-email-invalid"),
        P::EmailTooLong => t!(lang, "problem-email-too-long"),
        P::DomainBlocked { domain } => {
            t!(lang, "problem-domain-blocked", domain = safe(domain, 254))
        }
        P::NameEmpty => t!(lang, "problem-name-empty"),
        P::ReasonEmpty => t!(lang, "problem-reason-empty"),
        P::Required => t!(lang, "problem-required"),
        P::TooLong { max } => t!(lang, "problem-too-long", max = *max),
        P::PhoneInvalid => t!(lang, "problem-phone-invalid"),
        P::GuestTypeMissing => t!(lang, "problem-guest-type-missing"),
        P::GuestTypeNotAllowed { guest_type } => t!(
            lang,
            "problem-guest-type-not-allowed",
            kind = guest_type.as_str()
        ),
        P::OneChannelOnly => t!(lang, "problem-one-channel-only"),
        P::NoChannel => t!(lang, "problem-no-channel"),
        P::TooManyChannels { max } => t!(lang, "problem-too-many-channels", max = *max),
        P::ExpiryModeMissing => t!(lang, "problem-expiry-mode-missing"),
        P::DaysMissing => t!(lang, "problem-days-missing"),
        P::DaysInvalid { max } => t!(lang, "problem-days-invalid", max = *max),
        P::DateMissing => t!(lang, "problem-date-missing"),
        P::DateInvalid => t!(lang, "problem-date-invalid"),
        P::TimeInvalid => t!(lang, "problem-time-invalid"),
        P::TimeSkipped { at } => t!(lang, "problem-time-skipped", at = at.as_str()),
        P::MomentPassed => t!(lang, "problem-moment-passed"),
        P::MustEnd {
            max_days: Some(max),
        } => t!(lang, "problem-must-end-max", max = *max),
        P::MustEnd { max_days: None } => t!(lang, "problem-must-end"),
        P::ExpiryTooLong { max_days } => t!(lang, "problem-expiry-too-long", max = *max_days),
        P::KeepOneChannel => t!(lang, "problem-keep-one-channel"),
        P::OnlyAskedChannels => t!(lang, "problem-only-asked-channels"),
        P::OnlyMultiToSingle => t!(lang, "problem-only-multi-to-single"),
        P::NeverIsNewRequest => t!(lang, "problem-never-is-new"),
        P::LaterEndIsNewRequest => t!(lang, "problem-later-end-is-new"),
        P::EndInPast => t!(lang, "problem-end-in-past"),
        P::PickDateAfterToday => t!(lang, "problem-date-after-today"),
        P::PickDateBeforeEnd => t!(lang, "problem-date-before-end"),
        P::RowShape { values, columns } => t!(
            lang,
            "problem-row-shape",
            values = *values,
            columns = *columns
        ),
        P::SameEmailAsLine { line } => t!(lang, "problem-same-email-as-line", line = *line),
        P::SamePhoneAsLine { line } => t!(lang, "problem-same-phone-as-line", line = *line),
        P::PhoneHeldBy { id, state } => t!(
            lang,
            "problem-phone-held-by",
            id = id.as_str(),
            state = super::request::state_word(*state, lang)
        ),
        P::AlreadyHas { id, state } => t!(
            lang,
            "problem-already-has",
            id = id.as_str(),
            state = super::request::state_word(*state, lang)
        ),
        P::AlreadyFullMember { email } => t!(
            lang,
            "problem-already-full-member",
            email = safe(email, 254)
        ),
        P::SponsorConfirms { sponsor } => t!(
            lang,
            "problem-sponsor-confirms",
            sponsor = safe(sponsor, 40)
        ),
        P::GuestTypeUnknown { raw } => t!(lang, "problem-guest-type-unknown", raw = safe(raw, 40)),
        P::UnknownChannel { name } => t!(lang, "problem-unknown-channel", name = safe(name, 80)),
        P::NoSponsor => t!(lang, "problem-no-sponsor"),
        P::SponsorUnknown { raw } => t!(lang, "problem-sponsor-unknown", raw = safe(raw, 80)),
        P::ManagerUnknown { raw } => t!(lang, "problem-manager-unknown", raw = safe(raw, 80)),
        P::ExpiresUnreadable { raw } => {
            t!(lang, "problem-expires-unreadable", raw = safe(raw, 40))
        }
        P::ExpiresMissing => t!(lang, "problem-expires-missing"),
        P::ExpiresPast { raw } => t!(lang, "problem-expires-past", raw = safe(raw, 40)),
        P::PhoneNotE164 { raw } => t!(lang, "problem-phone-not-e164", raw = safe(raw, 40)),
        P::InColumn {
            column,
            problem: inner,
        } => t!(
            lang,
            "problem-in-column",
            column = column_name(*column),
            problem = self::problem(inner, lang)
        ),
    }
}

/// A CSV column as the header writes it (the header is the same in every language).
pub fn column_name(column: Column) -> &'static str {
    column.as_str()
}

/// Why a whole CSV file was refused.
pub fn file_error(error: &crate::domain::import::FileError, lang: Lang) -> String {
    use crate::domain::import::{FileError as F, required_list, template_header};
    match error {
        F::TooLarge { max } => t!(lang, "file-too-large", mb = max / (1024 * 1024), max = *max),
        F::Empty => t!(lang, "file-empty"),
        F::Encoding { line } => t!(lang, "file-encoding", line = *line),
        F::UnbalancedQuotes { line } => t!(lang, "file-unbalanced-quotes", line = *line),
        F::MissingColumn(column) => t!(
            lang,
            "file-missing-column",
            column = *column,
            required = required_list()
        ),
        F::UnknownColumn(column) => t!(
            lang,
            "file-unknown-column",
            column = safe(column, 40),
            known = template_header()
        ),
        F::DuplicateColumn(column) => {
            t!(lang, "file-duplicate-column", column = safe(column, 40))
        }
        F::TooManyRows { rows, max } => {
            t!(lang, "file-too-many-rows", rows = *rows, max = *max)
        }
        F::Unreadable { line, message } => {
            t!(
                lang,
                "file-unreadable",
                line = *line,
                message = safe(message, 200)
            )
        }
    }
}
