//! The join page's HTML: askama templates (escaped by default) filled with words from the
//! Fluent catalogue (`locales/<lang>/join.ftl`), in the visitor's language.

use crate::domain::join::{JoinDraft, JoinField, JoinProblem, JoinProblems, LinkStatus};
use crate::domain::policy::{MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS};
use crate::domain::{Expiry, GuestType};
use crate::i18n::Arg;
use crate::workflow::JoinOffer;
use askama::Template;

pub use crate::i18n::Lang;

/// Words from the catalogue, in one language.
#[derive(Clone, Copy)]
pub struct Words(pub Lang);

impl Words {
    pub fn get(&self, id: &str) -> String {
        crate::i18n::message(self.0, id, &[])
    }

    pub fn with(&self, id: &str, args: &[(&'static str, Arg)]) -> String {
        crate::i18n::message(self.0, id, args)
    }
}

/// What every page shows around its content.
pub struct Frame {
    pub lang: &'static str,
    pub title: String,
    pub switch_code: String,
    pub switch_label: String,
    /// The language link (`?lang=`); off where the query carries something else (OAuth).
    pub switch: bool,
}

impl Frame {
    fn new(words: Words, title_id: &str) -> Frame {
        Frame {
            lang: words.0.code(),
            title: words.get(title_id),
            switch_code: words.get("switch-language-code"),
            switch_label: words.get("switch-language"),
            switch: true,
        }
    }
}

pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub value: String,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub max: usize,
    pub required: bool,
    pub multiline: bool,
    pub described_by: Option<String>,
}

#[derive(Template)]
#[template(path = "join/form.html")]
pub struct FormPage {
    pub page: Frame,
    pub intro: String,
    pub offer_heading: String,
    pub type_label: String,
    pub type_value: String,
    pub channels_label: String,
    pub channels_value: String,
    pub until_label: String,
    pub until_value: String,
    pub summary: Option<String>,
    pub action: String,
    pub csrf: String,
    pub legend: String,
    pub fields: Vec<FieldView>,
    pub honeypot_label: String,
    pub submit: String,
}

#[derive(Template)]
#[template(path = "join/message.html")]
pub struct MessagePage {
    pub page: Frame,
    pub lines: Vec<String>,
    /// A way on: (href, label).
    pub link: Option<(String, String)>,
}

/// Why the form is shown again.
pub enum Notice<'a> {
    None,
    Problems(&'a JoinProblems),
    /// The CSRF check failed: the form is shown again, filled in, with a new token.
    Expired,
}

fn text(value: &str) -> Arg {
    Arg::from(value)
}

pub fn form(
    words: Words,
    offer: &JoinOffer,
    draft: &JoinDraft,
    notice: Notice<'_>,
    action: &str,
    csrf: &str,
) -> String {
    let sponsor = text(&offer.sponsor);
    let intro = if offer.allowed_domains.is_empty() {
        words.with("offer-link", &[("sponsor", sponsor.clone())])
    } else {
        words.with(
            "offer-self",
            &[("domains", text(&offer.allowed_domains.join(", ")))],
        )
    };
    let until_value = match offer.expiry {
        Expiry::AfterDays { days } => words.with("until-days", &[("days", Arg::from(days))]),
        Expiry::At { at } => words.with(
            "until-date",
            &[("date", text(&at.format("%Y-%m-%d %H:%M").to_string()))],
        ),
        Expiry::Never => words.get("until-never"),
    };
    let problems: &[(JoinField, JoinProblem)] = match &notice {
        Notice::Problems(p) => p.as_slice(),
        _ => &[],
    };
    let error_of = |field: JoinField| {
        problems
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, p)| match p {
                JoinProblem::Required => words.get("err-required"),
                JoinProblem::TooLong { max } => {
                    words.with("err-too-long", &[("max", Arg::from(*max))])
                }
                JoinProblem::EmailInvalid => words.get("err-email-invalid"),
                JoinProblem::DomainBlocked => words.get("err-domain-blocked"),
                JoinProblem::DomainNotAllowed { allowed } => words.with(
                    "err-domain-not-allowed",
                    &[("domains", text(&allowed.join(", ")))],
                ),
                JoinProblem::PhoneInvalid => words.get("err-phone-invalid"),
                JoinProblem::Taken if field == JoinField::Phone => {
                    words.with("err-phone-taken", &[("sponsor", sponsor.clone())])
                }
                // One answer for both: a visitor must not learn who works here or who asked.
                JoinProblem::Taken | JoinProblem::Member => {
                    words.with("err-taken", &[("sponsor", sponsor.clone())])
                }
                JoinProblem::DomainBusy => {
                    words.with("err-domain-busy", &[("sponsor", sponsor.clone())])
                }
            })
    };
    let summary = match notice {
        Notice::None => None,
        Notice::Problems(p) => {
            Some(words.with("form-has-errors", &[("count", Arg::from(p.len()))]))
        }
        Notice::Expired => Some(words.get("form-expired")),
    };
    let field = |field: JoinField,
                 label: &str,
                 hint: Option<&str>,
                 value: &str,
                 kind: &'static str,
                 autocomplete: &'static str,
                 max: usize,
                 required: bool| {
        let error = error_of(field);
        let name = field.name();
        let described: Vec<String> = [
            hint.map(|_| format!("{name}-hint")),
            error.as_ref().map(|_| format!("{name}-error")),
        ]
        .into_iter()
        .flatten()
        .collect();
        FieldView {
            name,
            label: words.get(label),
            hint: hint.map(|h| words.get(h)),
            error,
            value: value.to_string(),
            kind,
            autocomplete,
            max,
            required,
            multiline: field == JoinField::Reason,
            described_by: (!described.is_empty()).then(|| described.join(" ")),
        }
    };
    let fields = vec![
        field(
            JoinField::Name,
            "field-name",
            None,
            &draft.name,
            "text",
            "name",
            MAX_NAME_CHARS,
            true,
        ),
        field(
            JoinField::Email,
            "field-email",
            None,
            &draft.email,
            "email",
            "email",
            254,
            true,
        ),
        field(
            JoinField::Organisation,
            "field-organisation",
            None,
            &draft.organisation,
            "text",
            "organization",
            MAX_ORGANISATION_CHARS,
            true,
        ),
        field(
            JoinField::Phone,
            "field-phone",
            Some("field-phone-hint"),
            &draft.phone,
            "tel",
            "tel",
            32,
            false,
        ),
        field(
            JoinField::Reason,
            "field-reason",
            Some("field-reason-hint"),
            &draft.reason,
            "text",
            "off",
            MAX_REASON_CHARS,
            true,
        ),
    ];
    FormPage {
        page: Frame::new(words, "page-title"),
        intro,
        offer_heading: words.get("offer-what"),
        type_label: words.get("offer-type"),
        type_value: words.get(match offer.guest_type {
            GuestType::SingleChannel => "type-single",
            _ => "type-multi",
        }),
        channels_label: words.get("offer-channels"),
        channels_value: offer.channels.join(", "),
        until_label: words.get("offer-until"),
        until_value,
        summary,
        action: action.to_string(),
        csrf: csrf.to_string(),
        legend: words.get("form-legend"),
        fields,
        honeypot_label: words.get("honeypot-label"),
        submit: words.get("submit"),
    }
    .render()
    .expect("the join form renders")
}

/// A page of a few lines without the language link (the install result: its query is
/// Slack's, spent once).
pub fn plain_message(
    words: Words,
    title_id: &str,
    lines: Vec<String>,
    link: Option<(String, String)>,
) -> String {
    let mut page = Frame::new(words, title_id);
    page.switch = false;
    MessagePage { page, lines, link }
        .render()
        .expect("a message page renders")
}

fn message(words: Words, title_id: &str, lines: Vec<String>) -> String {
    MessagePage {
        page: Frame::new(words, title_id),
        lines,
        link: None,
    }
    .render()
    .expect("a join message page renders")
}

pub fn sent(words: Words, sponsor: &str) -> String {
    let body = words.with("sent-body", &[("sponsor", text(sponsor))]);
    message(words, "sent-title", vec![body, words.get("sent-next")])
}

pub fn closed(words: Words, why: LinkStatus, sponsor: &str) -> String {
    let what = words.get(match why {
        LinkStatus::Revoked => "closed-revoked",
        LinkStatus::Expired => "closed-expired",
        LinkStatus::UsedUp | LinkStatus::Open => "closed-used-up",
    });
    message(
        words,
        "closed-title",
        vec![
            what,
            words.with("closed-ask", &[("sponsor", text(sponsor))]),
        ],
    )
}

pub fn not_found(words: Words, self_registration: bool) -> String {
    let body = if self_registration {
        "self-off-body"
    } else {
        "not-found-body"
    };
    message(words, "not-found-title", vec![words.get(body)])
}

pub fn too_many(words: Words, seconds: u64) -> String {
    message(
        words,
        "too-many-title",
        vec![words.with("too-many-body", &[("seconds", Arg::from(seconds))])],
    )
}

pub fn bad_request(words: Words) -> String {
    message(
        words,
        "bad-request-title",
        vec![words.get("bad-request-body")],
    )
}

pub fn internal_error(words: Words) -> String {
    message(words, "error-title", vec![words.get("error-body")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_come_from_the_library() {
        let fr = Words(Lang::Fr);
        assert_eq!(
            fr.with("until-days", &[("days", Arg::from(1))]),
            "un jour après l'approbation"
        );
        assert_eq!(
            fr.with("until-days", &[("days", Arg::from(30))]),
            "30 jours après l'approbation"
        );
        let en = Words(Lang::En);
        assert_eq!(
            en.with("too-many-body", &[("seconds", Arg::from(1))]),
            "Please wait one second, then try again."
        );
    }

    #[test]
    fn what_a_visitor_typed_is_escaped() {
        let offer = JoinOffer {
            sponsor: "<b>Ada</b>".into(),
            guest_type: GuestType::MultiChannel,
            channels: vec!["#project-x".into()],
            expiry: Expiry::AfterDays { days: 30 },
            allowed_domains: Vec::new(),
        };
        let draft = JoinDraft {
            name: "\"><script>alert(1)</script>".into(),
            ..JoinDraft::default()
        };
        let html = form(
            Words(Lang::En),
            &offer,
            &draft,
            Notice::None,
            "/join/x",
            "t",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&#60;script&#62;"), "{html}");
        assert!(html.contains("&#60;b&#62;Ada&#60;/b&#62;"));
    }
}
