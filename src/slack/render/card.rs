//! The request card in the request channel, in every state.

use super::*;
use crate::domain::RequestKind;
use crate::domain::policy::{MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS};
use crate::domain::quorum::{Tally, TermChange, Vote, tally};
use crate::domain::request::Source;
use crate::domain::text::truncate;
use crate::slack::say::{guest_type_label, state_word};

pub(super) fn summary_fields(
    request: &GuestRequest,
    now: DateTime<Utc>,
    lang: Lang,
) -> Vec<SlackBlockText> {
    let organisation = if request.organisation.is_empty() {
        "—".to_string()
    } else {
        safe(&request.organisation, MAX_ORGANISATION_CHARS)
    };
    let phone = request
        .profile
        .phone
        .as_deref()
        .map(|p| format!("\n{}", safe(p, 20)))
        .unwrap_or_default();
    vec![
        md!(
            "*{}*\n{}\n{}{}",
            t!(lang, "card-guest"),
            safe(&request.full_name, MAX_NAME_CHARS),
            safe(request.email.as_str(), 254),
            phone
        ),
        md!("*{}*\n{}", t!(lang, "card-organisation"), organisation),
        md!(
            "*{}*\n{}",
            t!(lang, "card-type"),
            guest_type_label(request.guest_type, lang)
        ),
        md!(
            "*{}*\n{}",
            t!(lang, "card-channels"),
            channels_text(request)
        ),
        md!(
            "*{}*\n{}",
            t!(lang, "card-expires"),
            expiry_words(request, now, lang)
        ),
        md!(
            "*{}*\n<@{}> · {}",
            t!(lang, "card-requested-by"),
            request.requester,
            date(request.created_at, lang)
        ),
    ]
}

/// The profile fields given with the request (title, department, manager, employee id), for
/// the card's second row of fields; `None` when there are none. The phone stands with the
/// guest's name and email.
pub(super) fn profile_fields(request: &GuestRequest, lang: Lang) -> Option<Vec<SlackBlockText>> {
    use crate::domain::profile::ProfileField as F;
    let p = &request.profile;
    let fields: Vec<SlackBlockText> = [
        (F::Title, p.title.as_deref().map(|t| safe(t, 100))),
        (F::Department, p.department.as_deref().map(|d| safe(d, 100))),
        (
            F::Manager,
            p.manager
                .as_ref()
                .map(|m| format!("<@{}>", escape(m.as_str()))),
        ),
        (F::EmployeeId, p.employee_id.as_deref().map(|e| safe(e, 64))),
    ]
    .into_iter()
    .filter_map(|(field, value)| {
        value.map(|v| {
            md!(
                "*{}*\n{}",
                t!(lang, "form-profile", field = field.as_str()),
                v
            )
        })
    })
    .collect();
    (!fields.is_empty()).then_some(fields)
}

/// The card in the request channel: everything an approver needs, where its approvals stand,
/// and the buttons while pending. `votes` are the current round's.
pub fn card(
    request: &GuestRequest,
    votes: &[Vote],
    now: DateTime<Utc>,
    lang: Lang,
) -> SlackMessageContent {
    let title = match request.kind {
        RequestKind::Guest => t!(lang, "card-title-guest", id = request.id.to_string()),
        RequestKind::Extension => t!(
            lang,
            "card-title-extension",
            id = request.id.to_string(),
            parent = request.parent_id.map(|p| p.to_string()).unwrap_or_default()
        ),
    };
    let rule = escape(request.sync_rule.as_deref().unwrap_or(""));
    let requester = format!("<@{}>", request.requester);
    let asks = match (request.kind, &request.source) {
        (RequestKind::Guest, _) => t!(
            lang,
            "card-asks-guest",
            requester = requester,
            kind = request.guest_type.as_str()
        ),
        (RequestKind::Extension, Source::AccessChange) => {
            t!(lang, "card-asks-channels", requester = requester)
        }
        (RequestKind::Extension, _) => t!(lang, "card-asks-extension", requester = requester),
    };
    // Where it came from, when not the form: "(CSV import)", "(group sync rule *x*)".
    let source = t!(
        lang,
        "card-source",
        source = request.source.as_str(),
        rule = rule
    );
    let asks = if source.is_empty() {
        asks
    } else {
        format!("{asks} {source}")
    };
    let pending = request.state == RequestState::Pending;
    let progress = approval_progress(request, votes, now, lang);
    let profile = profile_fields(request, lang);
    let blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackHeaderBlock::new(pt!(truncate(&title, 150)))),
        some_into(SlackSectionBlock::new().with_text(md!("{}", asks))),
        some_into(SlackSectionBlock::new().with_fields(summary_fields(request, now, lang))),
        optionally_into(profile.is_some() => SlackSectionBlock::new()
            .with_fields(profile.clone().unwrap_or_default())),
        some_into(SlackSectionBlock::new().with_text(md!(
            "*{}*\n{}",
            t!(lang, "card-reason"),
            quote(&request.reason, MAX_REASON_CHARS)
        ))),
        optionally_into(!request.amendment.is_empty() => SlackSectionBlock::new().with_text(md!(
            ":pencil2: *{}* {}",
            t!(lang, "card-changed-by-approver"),
            term_changes(&request.amendment, lang)
        ))),
        some_into(SlackContextBlock::new(vec![md!("{}", status(request, lang))])),
        optionally_into(pending && progress.is_some() => SlackContextBlock::new(vec![md!("{}", progress.clone().unwrap_or_default())])),
        optionally_into(pending => SlackActionsBlock::new(decision_buttons(request, lang))
            .with_block_id(format!("decide:{}", request.id.0).into())),
        ..account_buttons(request, lang).into_iter().map(|buttons| SlackActionsBlock::new(buttons)
            .with_block_id(format!("account:{}", request.id.0).into()))
    ];
    SlackMessageContent::new()
        .with_text(t!(
            lang,
            "card-fallback",
            title = title,
            guest = safe(&request.full_name, MAX_NAME_CHARS),
            email = safe(request.email.as_str(), 254),
            state = state_word(request.state, lang)
        ))
        .with_blocks(blocks)
}

pub(super) fn decision_buttons(request: &GuestRequest, lang: Lang) -> Vec<SlackActionBlockElement> {
    slack_blocks![
        some_into(
            button(&t!(lang, "button-approve"), &Button::Approve(request.id))
                .with_style(SlackBlockButtonStyle::Primary)
        ),
        optionally_into(request.kind == RequestKind::Guest => button(
            &t!(lang, "button-approve-with-changes"),
            &Button::ApproveWithChanges(request.id)
        )),
        some_into(
            button(&t!(lang, "button-deny"), &Button::Deny(request.id))
                .with_style(SlackBlockButtonStyle::Danger)
        )
    ]
}

/// What approvers can do with an account once it exists.
pub(super) fn account_buttons(
    request: &GuestRequest,
    lang: Lang,
) -> Option<Vec<SlackActionBlockElement>> {
    if request.kind != RequestKind::Guest {
        return None;
    }
    let id = request.id;
    let who = format!(
        "{} ({})",
        safe(&request.full_name, 80),
        safe(request.email.as_str(), 254)
    );
    let revoke = button(&t!(lang, "button-revoke-access"), &Button::Revoke(id))
        .with_style(SlackBlockButtonStyle::Danger)
        .with_confirm(confirm_in(
            &t!(lang, "confirm-revoke-title"),
            t!(lang, "confirm-revoke-text", who = who.as_str()),
            &t!(lang, "confirm-revoke-yes"),
            lang,
        ));
    let resend = button(&t!(lang, "button-resend-invitation"), &Button::Resend(id));
    let member =
        button(&t!(lang, "button-make-member"), &Button::MakeMember(id)).with_confirm(confirm_in(
            &t!(lang, "confirm-member-title"),
            t!(lang, "confirm-member-text", who = who.as_str()),
            &t!(lang, "confirm-member-yes"),
            lang,
        ));
    let buttons: Vec<SlackActionBlockElement> = match request.state {
        RequestState::Approved => vec![revoke.into()],
        RequestState::Invited | RequestState::InviteExpired => vec![resend.into(), revoke.into()],
        RequestState::Active if request.guest_type != GuestType::Member => vec![
            button(&t!(lang, "button-change-access"), &Button::ChangeAccess(id)).into(),
            member.into(),
            revoke.into(),
        ],
        RequestState::Active => vec![revoke.into()],
        _ => return None,
    };
    Some(buttons)
}

/// Where a pending request's approvals stand: "1 of 2 approvals: @Ada · still needs an owner ·
/// lapses Tue 8 Dec (in 6 days)", or `None` when there is nothing to say.
pub fn approval_progress(
    request: &GuestRequest,
    votes: &[Vote],
    now: DateTime<Utc>,
    lang: Lang,
) -> Option<String> {
    let mut parts = Vec::new();
    match tally(&request.quorum, votes, &request.requester) {
        Tally::Waiting {
            approvers,
            denials,
            needed,
            missing_roles,
        } => {
            let who: Vec<String> = approvers.iter().map(|u| format!("<@{u}>")).collect();
            // One approval needed and none yet: nothing worth a line.
            if needed > 1 || !who.is_empty() {
                parts.push(if who.is_empty() {
                    t!(lang, "progress-none-yet", needed = needed)
                } else {
                    t!(
                        lang,
                        "progress-approvals",
                        count = who.len(),
                        needed = needed,
                        who = who.join(", ")
                    )
                });
            }
            if !missing_roles.is_empty() {
                parts.push(t!(
                    lang,
                    "progress-missing-roles",
                    roles = missing_roles
                        .iter()
                        .map(|r| format!("*{}*", escape(r)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if denials > 0 {
                parts.push(t!(
                    lang,
                    "progress-denials",
                    count = denials,
                    needed = needed
                ));
            }
        }
        // Decided in the transaction that counted the last vote; the status line says so.
        Tally::Approved | Tally::Denied => {}
    }
    if request.approval_round > 1 {
        parts.push(t!(lang, "progress-restarted"));
    }
    if let Some(at) = request.decide_by {
        parts.push(t!(
            lang,
            "progress-lapses",
            at = date(at, lang),
            relative = i18n::relative(at, now, lang)
        ));
    }
    (!parts.is_empty()).then(|| format!(":ballot_box_with_check: {}", parts.join(" · ")))
}

/// "channels: #a, #b → #a; type: multi-channel → single-channel; ends: 60 days → 30 days".
pub fn term_changes(changes: &[TermChange], lang: Lang) -> String {
    let channels = |list: &[crate::domain::ChannelId]| {
        list.iter()
            .map(|c| format!("<#{c}>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let expiry = |e: &Expiry| match *e {
        Expiry::AfterDays { days } => t!(lang, "expiry-after-days", days = days),
        Expiry::At { at } => date(at, lang),
        Expiry::Never => t!(lang, "terms-never"),
    };
    changes
        .iter()
        .map(|c| match c {
            TermChange::Channels { from, to } => t!(
                lang,
                "terms-channels",
                from = channels(from),
                to = channels(to)
            ),
            TermChange::GuestType { from, to } => t!(
                lang,
                "terms-type",
                from = guest_type_label(*from, lang).to_lowercase(),
                to = guest_type_label(*to, lang).to_lowercase()
            ),
            TermChange::Expiry { from, to } => {
                t!(lang, "terms-ends", from = expiry(from), to = expiry(to))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
