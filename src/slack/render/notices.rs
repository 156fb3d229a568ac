//! Notices in a card's thread and in the sponsor's DMs: admin tasks (manual mode), reminders
//! before an account ends, invitations not accepted, provisioning problems.

use super::*;
use crate::slack::ids::AdminTask;

/// The task message in a card's thread, with the button that confirms it was done.
pub fn admin_task(
    request: &GuestRequest,
    task: AdminTask,
    mention: &str,
    lang: Lang,
) -> SlackMessageContent {
    let email = safe(request.email.as_str(), 254);
    // The account the request is bound to, by its id: never "whoever has this email".
    let account = match &request.slack_user_id {
        Some(id) => t!(
            lang,
            "account-task-account-bound",
            user = format!("<@{}>", escape(id)),
            email = email.as_str()
        ),
        None => t!(lang, "account-task-account-unbound", email = email.as_str()),
    };
    let text = match task {
        AdminTask::Invite => {
            let expiry = match request.expires_at {
                Some(at) => t!(
                    lang,
                    "account-task-expiring",
                    date = date(at, lang),
                    utc = i18n::date_utc(at, lang)
                ),
                None => t!(lang, "account-task-no-end"),
            };
            t!(
                lang,
                "account-task-invite",
                email = email.as_str(),
                kind = crate::slack::say::guest_type_label(request.guest_type, lang).to_lowercase(),
                channels = channels_text(request),
                expiry = expiry
            )
        }
        AdminTask::Resend => t!(lang, "account-task-resend", email = email.as_str()),
        AdminTask::Deactivate => t!(lang, "account-task-deactivate", account = account),
        AdminTask::MakeMember => t!(lang, "account-task-make-member", account = account),
        AdminTask::WithdrawInvitation => {
            t!(lang, "account-task-withdraw", email = email.as_str())
        }
    };
    let done = t!(lang, "account-task-done", task = task.as_str());
    let text = if mention.is_empty() {
        text
    } else {
        format!("{mention} {text}")
    };
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                button(&done, &Button::TaskDone(request.id, task))
                    .with_style(SlackBlockButtonStyle::Primary)
            )]))
        ])
}

/// The sponsor's heads-up before a guest account ends.
pub fn expiry_reminder(
    request: &GuestRequest,
    now: DateTime<Utc>,
    lang: Lang,
) -> SlackMessageContent {
    let at = request.expires_at.unwrap_or(now);
    let text = t!(
        lang,
        "account-expiry-reminder",
        name = safe(&request.full_name, 100),
        email = safe(request.email.as_str(), 254),
        date = date(at, lang),
        relative = i18n::relative(at, now, lang)
    );
    let id = request.id;
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![
                some_into(
                    button(&t!(lang, "account-button-extend"), &Button::Extend(id))
                        .with_style(SlackBlockButtonStyle::Primary)
                ),
                some_into(button(
                    &t!(lang, "account-button-let-expire"),
                    &Button::LetExpire(id)
                ))
            ]))
        ])
}

/// The sponsor's note about an invitation not accepted yet (or lapsed), with a Resend button.
pub fn invitation_notice(request: &GuestRequest, lapsed: bool, lang: Lang) -> SlackMessageContent {
    let name = safe(&request.full_name, 100);
    let email = safe(request.email.as_str(), 254);
    let text = match (lapsed, request.invite_expires_at) {
        (true, _) => t!(
            lang,
            "account-invitation-lapsed-notice",
            name = name,
            email = email
        ),
        (false, Some(at)) => t!(
            lang,
            "account-invitation-pending",
            name = name,
            email = email,
            date = date(at, lang)
        ),
        (false, None) => t!(lang, "account-invitation-pending-no-date", name = name),
    };
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(button(
                &t!(lang, "account-button-resend"),
                &Button::Resend(request.id)
            ))]))
        ])
}

/// A configuration problem, shown to approvers in the card's thread, with a retry button.
pub fn provisioning_problem(
    request: &GuestRequest,
    problem: &str,
    lang: Lang,
) -> SlackMessageContent {
    let text = t!(
        lang,
        "account-provisioning-problem",
        id = request.id.to_string(),
        problem = safe(problem, 1000)
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(button(
                &t!(lang, "account-button-retry"),
                &Button::RetryProvision(request.id)
            ))]))
        ])
}

/// The requester's DM after a denial or a lapse (`text` is already escaped and worded in
/// `lang`), with **Request again**: the form, filled in with what they asked.
pub fn request_ended(request: &GuestRequest, text: &str, lang: Lang) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(text.to_string())
        .with_blocks(slack_blocks![
            some_into(
                SlackSectionBlock::new().with_text(md!("{}", crate::domain::text::fit(text, 3000)))
            ),
            some_into(
                SlackActionsBlock::new(slack_blocks![some_into(button(
                    &t!(lang, "account-button-request-again"),
                    &Button::RequestAgain(request.id)
                ))])
                .with_block_id(format!("again:{}", request.id.0).into())
            )
        ])
}

/// A pending request announced again (escalation): the headline (worded by the caller in
/// `lang`), then the card with its buttons, which work here as on the card itself.
pub fn escalated_card(
    request: &GuestRequest,
    votes: &[crate::domain::quorum::Vote],
    headline: &str,
    now: DateTime<Utc>,
    lang: Lang,
) -> SlackMessageContent {
    let card = super::card(request, votes, now, lang);
    let mut blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(md!("{}", headline))
            .into(),
    ];
    blocks.extend(card.blocks.unwrap_or_default());
    SlackMessageContent::new()
        .with_text(headline.to_string())
        .with_blocks(blocks)
}
