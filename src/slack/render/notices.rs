//! Notices in a card's thread and in the sponsor's DMs: admin tasks (manual mode), reminders
//! before an account ends, invitations not accepted, provisioning problems.

use super::*;
use crate::slack::ids::AdminTask;

/// The task message in a card's thread, with the button that confirms it was done.
pub fn admin_task(request: &GuestRequest, task: AdminTask, mention: &str) -> SlackMessageContent {
    let who = safe(request.email.as_str(), 254);
    // The account the request is bound to, by its id: never "whoever has this email".
    let account = match &request.slack_user_id {
        Some(id) => format!("the guest account <@{}> (*{who}*)", escape(id)),
        None => format!("the guest account of *{who}*"),
    };
    let expiry = match request.expires_at {
        Some(at) => format!(", expiring {} ({})", slack_date(at), format_utc(at)),
        None => ", with no end date".to_string(),
    };
    let (text, done) = match task {
        AdminTask::Invite => (
            format!(
                "*Admin task:* invite *{who}* as a {} to {}{expiry}. (Slack: *Invite people*, then set the time limit.)",
                crate::slack::say::guest_type_label(request.guest_type, crate::i18n::Lang::En)
                    .to_lowercase(),
                channels_text(request)
            ),
            "Done: invited",
        ),
        AdminTask::Resend => (
            format!(
                "*Admin task:* resend the invitation to *{who}* (Slack admin: *Manage members → Invitations → Resend*)."
            ),
            "Done: resent",
        ),
        AdminTask::Deactivate => (
            format!(
                "*Admin task:* deactivate {account} now; the account has ended. Guestlist checked just now that it is still a guest account. (Slack admin: *Manage members → Deactivate account*)"
            ),
            "Done: deactivated",
        ),
        AdminTask::MakeMember => (
            format!(
                "*Admin task:* change {account} from guest to full member (Slack admin: *Manage members → Change account type*)."
            ),
            "Done: converted",
        ),
        AdminTask::WithdrawInvitation => (
            format!(
                "*Admin task:* withdraw the pending invitation to *{who}*; they never joined, so there is no account to deactivate. (Slack admin: *Manage members → Invitations → Revoke*)"
            ),
            "Done: withdrawn",
        ),
    };
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
                button(done, &Button::TaskDone(request.id, task))
                    .with_style(SlackBlockButtonStyle::Primary)
            )]))
        ])
}

/// The sponsor's heads-up before a guest account ends.
pub fn expiry_reminder(request: &GuestRequest, now: DateTime<Utc>) -> SlackMessageContent {
    let at = request.expires_at.unwrap_or(now);
    let text = format!(
        "Heads-up: the guest account of *{}* ({}) that you sponsor ends {} ({}). Extend it, or let it end?",
        safe(&request.full_name, 100),
        safe(request.email.as_str(), 254),
        slack_date(at),
        relative(at, now)
    );
    let id = request.id;
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![
                some_into(
                    button("Extend…", &Button::Extend(id))
                        .with_style(SlackBlockButtonStyle::Primary)
                ),
                some_into(button("Let it expire", &Button::LetExpire(id)))
            ]))
        ])
}

/// The sponsor's note about an invitation not accepted yet (or lapsed), with a Resend button.
pub fn invitation_notice(request: &GuestRequest, lapsed: bool) -> SlackMessageContent {
    let text = match (lapsed, request.invite_expires_at) {
        (true, _) => format!(
            "The invitation to *{}* ({}) lapsed without being accepted. Send a new one?",
            safe(&request.full_name, 100),
            safe(request.email.as_str(), 254)
        ),
        (false, Some(at)) => format!(
            "*{}* ({}) has not accepted the invitation yet; it lapses {}.",
            safe(&request.full_name, 100),
            safe(request.email.as_str(), 254),
            slack_date(at)
        ),
        (false, None) => format!(
            "*{}* has not accepted the invitation yet.",
            safe(&request.full_name, 100)
        ),
    };
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(button(
                "Resend invitation",
                &Button::Resend(request.id)
            ))]))
        ])
}

/// A configuration problem, shown to approvers in the card's thread, with a retry button.
pub fn provisioning_problem(request: &GuestRequest, problem: &str) -> SlackMessageContent {
    let text = format!(
        ":warning: Could not send the invitation for {}: {}",
        request.id,
        escape(problem)
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(button(
                "Retry invitation",
                &Button::RetryProvision(request.id)
            ))]))
        ])
}

/// The requester's DM after a denial or a lapse (`text` is already escaped), with **Request
/// again**: the form, filled in with what they asked.
pub fn request_ended(request: &GuestRequest, text: &str) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(text.to_string())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackActionsBlock::new(slack_blocks![some_into(button(
                    "Request again",
                    &Button::RequestAgain(request.id)
                ))])
                .with_block_id(format!("again:{}", request.id.0).into())
            )
        ])
}

/// A pending request announced again (escalation): the headline, then the card with its
/// buttons, which work here as on the card itself.
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
