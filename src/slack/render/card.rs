//! The request card in the request channel, in every state.

use super::*;
use crate::domain::RequestKind;
use crate::domain::policy::{MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS};
use crate::domain::quorum::{Tally, TermChange, Vote, tally};
use crate::domain::request::Source;
use crate::domain::text::truncate;
use crate::slack::say::guest_type_label;

pub(super) fn summary_fields(request: &GuestRequest, now: DateTime<Utc>) -> Vec<SlackBlockText> {
    let organisation = if request.organisation.is_empty() {
        "—".to_string()
    } else {
        safe(&request.organisation, MAX_ORGANISATION_CHARS)
    };
    let phone = request
        .phone
        .as_deref()
        .map(|p| format!("\n{}", safe(p, 20)))
        .unwrap_or_default();
    vec![
        md!(
            "*Guest*\n{}\n{}{}",
            safe(&request.full_name, MAX_NAME_CHARS),
            safe(request.email.as_str(), 254),
            phone
        ),
        md!("*Organisation*\n{}", organisation),
        md!(
            "*Type*\n{}",
            crate::slack::say::guest_type_label(request.guest_type, crate::i18n::Lang::En)
        ),
        md!("*Channels*\n{}", channels_text(request)),
        md!("*Expires*\n{}", expiry_text(request, now)),
        md!(
            "*Requested by*\n<@{}> · {}",
            request.requester,
            slack_date(request.created_at)
        ),
    ]
}

/// The card in the request channel: everything an approver needs, where its approvals stand,
/// and the buttons while pending. `votes` are the current round's.
pub fn card(request: &GuestRequest, votes: &[Vote], now: DateTime<Utc>) -> SlackMessageContent {
    let title = match request.kind {
        RequestKind::Guest => format!("Guest request {}", request.id),
        RequestKind::Extension => format!(
            "Extension request {} for {}",
            request.id,
            request.parent_id.map(|p| p.to_string()).unwrap_or_default()
        ),
    };
    let source = match request.source {
        Source::Form => String::new(),
        Source::Import => " (CSV import)".to_string(),
        Source::Sync => format!(
            " (group sync rule *{}*)",
            escape(request.sync_rule.as_deref().unwrap_or(""))
        ),
        Source::InviteLink => " (through the sponsor's invite link)".to_string(),
        Source::SelfRegistration => " (self-registration)".to_string(),
        Source::Adopted => " (an existing guest, adopted)".to_string(),
        Source::AccessChange => String::new(),
    };
    let pending = request.state == RequestState::Pending;
    let progress = approval_progress(request, votes, now);
    let asks = match request.kind {
        RequestKind::Guest => format!(
            "asks for a *{}* account",
            crate::slack::say::guest_type_label(request.guest_type, crate::i18n::Lang::En)
                .to_lowercase()
        ),
        RequestKind::Extension if request.source == Source::AccessChange => {
            "asks to give this guest these channels (the end stays as it is)".to_string()
        }
        RequestKind::Extension => "asks to extend this guest account".to_string(),
    };
    let blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackHeaderBlock::new(pt!(truncate(&title, 150)))),
        some_into(SlackSectionBlock::new().with_text(md!(
            "<@{}> {}{}",
            request.requester,
            asks,
            source
        ))),
        some_into(SlackSectionBlock::new().with_fields(summary_fields(request, now))),
        some_into(SlackSectionBlock::new().with_text(md!("*Reason*\n{}", quote(&request.reason, MAX_REASON_CHARS)))),
        optionally_into(!request.amendment.is_empty() => SlackSectionBlock::new().with_text(md!(
            ":pencil2: *Changed by an approver:* {}",
            term_changes(&request.amendment)
        ))),
        some_into(SlackContextBlock::new(vec![md!("{}", status_line(request))])),
        optionally_into(pending && progress.is_some() => SlackContextBlock::new(vec![md!("{}", progress.clone().unwrap_or_default())])),
        optionally_into(pending => SlackActionsBlock::new(decision_buttons(request))
            .with_block_id(format!("decide:{}", request.id.0).into())),
        ..account_buttons(request).into_iter().map(|buttons| SlackActionsBlock::new(buttons)
            .with_block_id(format!("account:{}", request.id.0).into()))
    ];
    SlackMessageContent::new()
        .with_text(format!(
            "{}: {} ({}) — {}",
            title,
            safe(&request.full_name, MAX_NAME_CHARS),
            safe(request.email.as_str(), 254),
            crate::slack::say::state_word(request.state, crate::i18n::Lang::En)
        ))
        .with_blocks(blocks)
}

pub(super) fn decision_buttons(request: &GuestRequest) -> Vec<SlackActionBlockElement> {
    slack_blocks![
        some_into(
            button("Approve", &Button::Approve(request.id))
                .with_style(SlackBlockButtonStyle::Primary)
        ),
        optionally_into(request.kind == RequestKind::Guest => button(
            "Approve with changes",
            &Button::ApproveWithChanges(request.id)
        )),
        some_into(
            button("Deny", &Button::Deny(request.id)).with_style(SlackBlockButtonStyle::Danger)
        )
    ]
}

/// What approvers can do with an account once it exists.
pub(super) fn account_buttons(request: &GuestRequest) -> Option<Vec<SlackActionBlockElement>> {
    if request.kind != RequestKind::Guest {
        return None;
    }
    let id = request.id;
    let who = format!(
        "{} ({})",
        safe(&request.full_name, 80),
        safe(request.email.as_str(), 254)
    );
    let revoke = button("Revoke access", &Button::Revoke(id))
        .with_style(SlackBlockButtonStyle::Danger)
        .with_confirm(confirm(
            "Revoke access?",
            format!("{who} loses access now."),
            "Revoke",
        ));
    let resend = button("Resend invitation", &Button::Resend(id));
    let member = button("Make full member", &Button::MakeMember(id)).with_confirm(confirm(
        "Make a full member?",
        format!("{who} becomes a full member of the workspace and no longer expires."),
        "Make member",
    ));
    let buttons: Vec<SlackActionBlockElement> = match request.state {
        RequestState::Approved => vec![revoke.into()],
        RequestState::Invited | RequestState::InviteExpired => vec![resend.into(), revoke.into()],
        RequestState::Active if request.guest_type != GuestType::Member => vec![
            button("Change access…", &Button::ChangeAccess(id)).into(),
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
                    format!("0 of {needed} approvals")
                } else {
                    format!(
                        "{} of {needed} approval{}: {}",
                        who.len(),
                        if needed == 1 { "" } else { "s" },
                        who.join(", ")
                    )
                });
            }
            if !missing_roles.is_empty() {
                parts.push(format!(
                    "still needs one from each of: {}",
                    missing_roles
                        .iter()
                        .map(|r| format!("*{}*", escape(r)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if denials > 0 {
                parts.push(format!(
                    "{denials} of {needed} denial{} to deny it",
                    if needed == 1 { "" } else { "s" }
                ));
            }
        }
        // Decided in the transaction that counted the last vote; the status line says so.
        Tally::Approved | Tally::Denied => {}
    }
    if request.approval_round > 1 {
        parts.push("count restarted after a change".into());
    }
    if let Some(at) = request.decide_by {
        parts.push(format!("lapses {} ({})", slack_date(at), relative(at, now)));
    }
    (!parts.is_empty()).then(|| format!(":ballot_box_with_check: {}", parts.join(" · ")))
}

/// "channels: #a, #b → #a; type: multi-channel → single-channel; ends: 60 days → 30 days".
pub fn term_changes(changes: &[TermChange]) -> String {
    let channels = |list: &[crate::domain::ChannelId]| {
        list.iter()
            .map(|c| format!("<#{c}>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let expiry = |e: &Expiry| match *e {
        Expiry::AfterDays { days } => format!("{days} days after approval"),
        Expiry::At { at } => slack_date(at),
        Expiry::Never => "never".into(),
    };
    changes
        .iter()
        .map(|c| match c {
            TermChange::Channels { from, to } => {
                format!("channels: {} → {}", channels(from), channels(to))
            }
            TermChange::GuestType { from, to } => format!(
                "type: {} → {}",
                guest_type_label(*from, Lang::En).to_lowercase(),
                guest_type_label(*to, Lang::En).to_lowercase()
            ),
            TermChange::Expiry { from, to } => {
                format!("ends: {} → {}", expiry(from), expiry(to))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
