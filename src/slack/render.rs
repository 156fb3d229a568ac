//! Block Kit, built with slack-morphism's types: the request modal, the request card in each
//! state, the App Home tab and the short texts around them. Pure functions of the data they show,
//! snapshot-tested. Everything a user typed passes through `text::safe` on its way in.

use crate::domain::expiry::{format_in_zone, format_utc, relative};
use crate::domain::policy::{
    Field, MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS, RequestPolicy,
};
use crate::domain::request::Source;
use crate::domain::text::{escape, safe, truncate};
use crate::domain::{Expiry, GuestRequest, GuestType, RequestKind, RequestState};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

/// `callback_id`s of our views and shortcuts.
pub mod callback {
    pub const REQUEST_FORM: &str = "guest_request";
    pub const DENY_REASON: &str = "deny_reason";
    pub const REQUEST_SHORTCUT: &str = "request_guest";
    pub const EXTEND_FORM: &str = "extend_request";
}

/// `action_id`s of our buttons.
pub mod action {
    pub const APPROVE: &str = "approve_request";
    pub const DENY: &str = "deny_request";
    pub const OPEN_FORM: &str = "open_request_form";
    pub const RESEND: &str = "resend_invite";
    pub const REVOKE: &str = "revoke_access";
    pub const MAKE_MEMBER: &str = "make_member";
    pub const EXTEND: &str = "extend_access";
    pub const LET_EXPIRE: &str = "let_expire";
    pub const TASK_DONE: &str = "task_done";
    pub const RETRY_PROVISION: &str = "retry_provision";
    pub const APPLY_SYNC_PLAN: &str = "apply_sync_plan";
    pub const IMPORT_CONFIRM: &str = "import_guests";
}

/// `block_id` (and `action_id`) of each form input, so errors land on the right block.
pub fn field_block_id(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::FullName => "full_name",
        Field::Organisation => "organisation",
        Field::Reason => "reason",
        Field::GuestType => "guest_type",
        Field::Channels => "channels",
        Field::ExpiryMode => "expiry_mode",
        Field::ExpiryDays => "expiry_days",
        Field::ExpiryDate => "expiry_date",
        Field::ExpiryTime => "expiry_time",
    }
}

pub const DENY_REASON_BLOCK: &str = "deny_reason";

/// What the request modal carries between opening and submission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormMetadata {
    /// The requester's IANA time zone, for reading the date and time pickers.
    pub tz: Option<String>,
    /// Where the form was opened from (a channel id), if anywhere.
    pub origin: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DenyMetadata {
    pub request_id: i64,
    /// Where to send the outcome when the click came from a message.
    pub response_url: Option<String>,
}

fn text_input(
    field: Field,
    label: &str,
    placeholder: &str,
    max: usize,
    multiline: bool,
) -> SlackBlock {
    let id = field_block_id(field);
    SlackInputBlock::new(
        pt!(label),
        SlackBlockPlainTextInputElement::new()
            .with_action_id(id.into())
            .with_placeholder(pt!(placeholder))
            .with_max_length(max as u64)
            .with_multiline(multiline)
            .into(),
    )
    .with_block_id(id.into())
    .into()
}

fn radio(options: &[(&str, &str)]) -> Vec<SlackBlockChoiceItem<SlackBlockText>> {
    options
        .iter()
        .map(|(value, label)| SlackBlockChoiceItem::new(pt!(*label), value.to_string()))
        .collect()
}

/// The request form. The same view serves `/guest`, the button under a message in the request
/// channel, the global shortcut and App Home.
pub fn request_form(policy: &RequestPolicy, metadata: &FormMetadata) -> SlackView {
    let types: Vec<(&str, &str)> = policy
        .guest_types
        .iter()
        .map(|t| match t {
            GuestType::SingleChannel => ("single_channel", "Single-channel guest (one channel)"),
            GuestType::MultiChannel => (
                "multi_channel",
                "Multi-channel guest (one or more channels)",
            ),
            GuestType::Member => ("member", "Full member"),
        })
        .collect();
    let type_options = radio(&types);
    let mut expiry_modes = vec![
        ("days", "After a number of days (counted from approval)"),
        ("date", "On a date and time"),
    ];
    if policy.allow_never {
        expiry_modes.push(("never", "Never"));
    }
    let expiry_options = radio(&expiry_modes);
    let tz = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let max_hint = match policy.max_expiry_days {
        Some(days) => {
            format!("At most {days} days from now. Dates and times are in your time zone ({tz}).")
        }
        None => format!("Dates and times are in your time zone ({tz})."),
    };
    let blocks: Vec<SlackBlock> = slack_blocks![
        some_into(
            SlackInputBlock::new(
                pt!("Guest email"),
                SlackBlockEmailInputElement::new()
                    .with_action_id(field_block_id(Field::Email).into())
                    .with_placeholder(pt!("name@partner.com"))
                    .into()
            )
            .with_block_id(field_block_id(Field::Email).into())
        ),
        some_into(text_input(
            Field::FullName,
            "Full name",
            "Grace Hopper",
            MAX_NAME_CHARS,
            false
        )),
        some_into(
            match text_input(
                Field::Organisation,
                "Organisation",
                "Partner Inc",
                MAX_ORGANISATION_CHARS,
                false
            ) {
                SlackBlock::Input(input) => SlackBlock::Input(input.with_optional(true)),
                other => other,
            }
        ),
        some_into(text_input(
            Field::Reason,
            "Why do they need access?",
            "What they will work on, and with whom",
            MAX_REASON_CHARS,
            true
        )),
        some_into(
            SlackInputBlock::new(
                pt!("Guest type"),
                SlackBlockRadioButtonsElement::new(type_options.clone())
                    .with_action_id(field_block_id(Field::GuestType).into())
                    .with_initial_option(type_options[0].clone())
                    .into()
            )
            .with_block_id(field_block_id(Field::GuestType).into())
        ),
        some_into(
            SlackInputBlock::new(
                pt!("Channels"),
                SlackBlockMultiConversationsSelectElement::new()
                    .with_action_id(field_block_id(Field::Channels).into())
                    .with_placeholder(pt!("Pick the channels"))
                    .with_max_selected_items(policy.max_channels as u64)
                    .with_filter(
                        SlackBlockConversationFilter::new()
                            .with_include(vec![
                                SlackConversationFilterInclude::Public,
                                SlackConversationFilterInclude::Private
                            ])
                            .with_exclude_bot_users(true)
                            .with_exclude_external_shared_channels(true)
                    )
                    .into()
            )
            .with_block_id(field_block_id(Field::Channels).into())
            .with_hint(pt!("A single-channel guest gets exactly one channel."))
        ),
        some_into(
            SlackInputBlock::new(
                pt!("Account ends"),
                SlackBlockRadioButtonsElement::new(expiry_options.clone())
                    .with_action_id(field_block_id(Field::ExpiryMode).into())
                    .with_initial_option(expiry_options[0].clone())
                    .into()
            )
            .with_block_id(field_block_id(Field::ExpiryMode).into())
            .with_hint(pt!(max_hint))
        ),
        some_into(
            SlackInputBlock::new(
                pt!("Days"),
                SlackBlockNumberInputElement::new(false)
                    .with_action_id(field_block_id(Field::ExpiryDays).into())
                    .with_initial_value("30".into())
                    .with_min_value("1".into())
                    .opt_max_value(policy.max_expiry_days.map(|d| d.to_string()))
                    .into()
            )
            .with_block_id(field_block_id(Field::ExpiryDays).into())
            .with_optional(true)
        ),
        some_into(
            SlackInputBlock::new(
                pt!("Date"),
                SlackBlockDatePickerElement::new()
                    .with_action_id(field_block_id(Field::ExpiryDate).into())
                    .into()
            )
            .with_block_id(field_block_id(Field::ExpiryDate).into())
            .with_optional(true)
        ),
        some_into(
            SlackInputBlock::new(
                pt!("Time"),
                SlackBlockTimePickerElement::new()
                    .with_action_id(field_block_id(Field::ExpiryTime).into())
                    .with_initial_time("17:00".into())
                    .with_timezone(tz.clone())
                    .into()
            )
            .with_block_id(field_block_id(Field::ExpiryTime).into())
            .with_optional(true)
        ),
    ];
    SlackView::Modal(
        SlackModalView::new(pt!("Request a guest"), blocks)
            .with_submit(pt!("Send request"))
            .with_close(pt!("Cancel"))
            .with_callback_id(callback::REQUEST_FORM.into())
            .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// Replaces the form after a successful submission.
pub fn request_sent(request: &GuestRequest, request_channel: Option<&str>) -> SlackView {
    let where_ = request_channel
        .map(|c| format!(" in <#{c}>"))
        .unwrap_or_default();
    let text = match &request.auto_rule {
        Some(rule) => format!(
            "Request *{}* for *{}* was approved automatically by rule *{}*{}.\nYou will get a DM when the invitation goes out.",
            request.id,
            safe(request.email.as_str(), 254),
            safe(rule, 80),
            where_
        ),
        None => format!(
            "Request *{}* for *{}* is waiting for an approver{}.\nYou will get a DM when it is decided.",
            request.id,
            safe(request.email.as_str(), 254),
            where_
        ),
    };
    SlackView::Modal(
        SlackModalView::new(
            pt!("Request sent"),
            slack_blocks![some_into(SlackSectionBlock::new().with_text(md!(text)))],
        )
        .with_close(pt!("Done")),
    )
}

/// Asks an approver why they deny.
pub fn deny_form(request: &GuestRequest, metadata: &DenyMetadata) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(
            pt!(format!("Deny request {}", request.id)),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "Deny *{}* ({}) requested by <@{}>?",
                    safe(&request.full_name, MAX_NAME_CHARS),
                    safe(request.email.as_str(), 254),
                    request.requester
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!("Reason (the requester will see it)"),
                        SlackBlockPlainTextInputElement::new()
                            .with_action_id(DENY_REASON_BLOCK.into())
                            .with_multiline(true)
                            .with_max_length(500)
                            .into()
                    )
                    .with_block_id(DENY_REASON_BLOCK.into())
                )
            ],
        )
        .with_submit(pt!("Deny"))
        .with_close(pt!("Back"))
        .with_callback_id(callback::DENY_REASON.into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// `<!date^…>`: Slack shows it in each viewer's own time zone; the fallback is UTC.
pub fn slack_date(at: DateTime<Utc>) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        at.timestamp(),
        format_utc(at)
    )
}

/// "Tue 22 Dec 2026, 10:00 UTC · in 30 days", or how a not-yet-known deadline will be set.
pub fn expiry_text(request: &GuestRequest, now: DateTime<Utc>) -> String {
    match (request.expires_at, request.expiry) {
        (Some(at), _) => format!(
            "{} ({}) · {}",
            slack_date(at),
            format_utc(at),
            relative(at, now)
        ),
        (None, Expiry::AfterDays { days }) => format!("{days} days after approval"),
        (None, Expiry::At { at }) => format!("{} ({})", slack_date(at), format_utc(at)),
        (None, Expiry::Never) => "Never".to_string(),
    }
}

fn channels_text(request: &GuestRequest) -> String {
    if request.channels.is_empty() {
        return "—".to_string();
    }
    request
        .channels
        .iter()
        .map(|c| format!("<#{c}>"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line on where the request stands, for the card's footer and status replies.
pub fn status_line(request: &GuestRequest) -> String {
    let by = |who: &Option<crate::domain::UserId>| {
        who.as_ref()
            .map(|u| format!("<@{u}>"))
            .unwrap_or_else(|| "Guestlist".into())
    };
    let when = |at: Option<DateTime<Utc>>| at.map(slack_date).unwrap_or_default();
    match request.state {
        RequestState::Pending => ":hourglass_flowing_sand: Waiting for an approver".to_string(),
        RequestState::Approved => match &request.auto_rule {
            Some(rule) => format!(
                ":white_check_mark: Approved automatically by rule *{}* · {}",
                escape(rule),
                when(request.decided_at)
            ),
            None => format!(
                ":white_check_mark: Approved by {} · {}",
                by(&request.decided_by),
                when(request.decided_at)
            ),
        },
        RequestState::Denied => format!(
            ":no_entry: Denied by {} · {}{}",
            by(&request.decided_by),
            when(request.decided_at),
            request
                .decision_note
                .as_deref()
                .map(|n| format!("\n>{}", safe(n, 500).replace('\n', "\n>")))
                .unwrap_or_default()
        ),
        RequestState::Cancelled => format!(
            ":no_entry_sign: Cancelled by the requester · {}",
            when(Some(request.updated_at))
        ),
        RequestState::Invited => format!(
            ":incoming_envelope: Invitation sent {}{}",
            when(request.invited_at),
            request
                .invite_expires_at
                .map(|at| format!(" · it lapses {}", slack_date(at)))
                .unwrap_or_default()
        ),
        RequestState::Active => ":large_green_circle: Guest account active".to_string(),
        RequestState::InviteExpired => ":hourglass: The invitation lapsed unaccepted".to_string(),
        RequestState::Expired => format!(":lock: Account ended {}", when(request.expires_at)),
        RequestState::Revoked => format!(
            ":lock: Access revoked by {} · {}",
            by(&request.decided_by),
            when(Some(request.updated_at))
        ),
        RequestState::AlreadyMember => format!(
            ":no_entry: Closed: this email belongs to a full member of the workspace, whose account Guestlist never changes · {}",
            when(Some(request.updated_at))
        ),
    }
}

fn summary_fields(request: &GuestRequest, now: DateTime<Utc>) -> Vec<SlackBlockText> {
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
        md!("*Type*\n{}", request.guest_type.label()),
        md!("*Channels*\n{}", channels_text(request)),
        md!("*Expires*\n{}", expiry_text(request, now)),
        md!(
            "*Requested by*\n<@{}> · {}",
            request.requester,
            slack_date(request.created_at)
        ),
    ]
}

fn quote(text: &str, max: usize) -> String {
    format!(">{}", safe(text, max).replace('\n', "\n>"))
}

/// The card in the request channel: everything an approver needs, and the buttons while pending.
pub fn card(request: &GuestRequest, now: DateTime<Utc>) -> SlackMessageContent {
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
    };
    let pending = request.state == RequestState::Pending;
    let asks = match request.kind {
        RequestKind::Guest => format!(
            "asks for a *{}* account",
            request.guest_type.label().to_lowercase()
        ),
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
        some_into(SlackContextBlock::new(vec![md!("{}", status_line(request))])),
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
            request.state.label()
        ))
        .with_blocks(blocks)
}

fn decision_buttons(request: &GuestRequest) -> Vec<SlackActionBlockElement> {
    let id = request.id.0.to_string();
    slack_blocks![
        some_into(
            SlackBlockButtonElement::new(pt!("Approve"))
                .with_action_id(action::APPROVE.into())
                .with_value(id.clone())
                .with_style(SlackBlockButtonStyle::Primary)
        ),
        some_into(
            SlackBlockButtonElement::new(pt!("Deny"))
                .with_action_id(action::DENY.into())
                .with_value(id)
                .with_style(SlackBlockButtonStyle::Danger)
        )
    ]
}

fn button(label: &str, action_id: &str, value: String) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(pt!(label))
        .with_action_id(action_id.into())
        .with_value(value)
}

fn confirm(title: &str, text: String, yes: &str) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(pt!(title), md!("{}", text), pt!(yes), pt!("Cancel"))
        .with_style("danger".into())
}

/// What approvers can do with an account once it exists.
fn account_buttons(request: &GuestRequest) -> Option<Vec<SlackActionBlockElement>> {
    if request.kind != RequestKind::Guest {
        return None;
    }
    let id = request.id.0.to_string();
    let who = format!(
        "{} ({})",
        safe(&request.full_name, 80),
        safe(request.email.as_str(), 254)
    );
    let revoke = button("Revoke access", action::REVOKE, id.clone())
        .with_style(SlackBlockButtonStyle::Danger)
        .with_confirm(confirm(
            "Revoke access?",
            format!("{who} loses access now."),
            "Revoke",
        ));
    let resend = button("Resend invitation", action::RESEND, id.clone());
    let member = button("Make full member", action::MAKE_MEMBER, id.clone()).with_confirm(confirm(
        "Make a full member?",
        format!("{who} becomes a full member of the workspace and no longer expires."),
        "Make member",
    ));
    let buttons: Vec<SlackActionBlockElement> = match request.state {
        RequestState::Approved => vec![revoke.into()],
        RequestState::Invited | RequestState::InviteExpired => vec![resend.into(), revoke.into()],
        RequestState::Active if request.guest_type != GuestType::Member => {
            vec![member.into(), revoke.into()]
        }
        RequestState::Active => vec![revoke.into()],
        _ => return None,
    };
    Some(buttons)
}

/// Something an admin has to do by hand in Slack (manual provisioning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminTask {
    Invite,
    Resend,
    Deactivate,
    MakeMember,
    /// The guest never joined: withdraw the pending invitation (no account exists).
    WithdrawInvitation,
}

impl AdminTask {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminTask::Invite => "invite",
            AdminTask::Resend => "resend",
            AdminTask::Deactivate => "deactivate",
            AdminTask::MakeMember => "make_member",
            AdminTask::WithdrawInvitation => "withdraw_invitation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            AdminTask::Invite,
            AdminTask::Resend,
            AdminTask::Deactivate,
            AdminTask::MakeMember,
            AdminTask::WithdrawInvitation,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

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
                request.guest_type.label().to_lowercase(),
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
                button(
                    done,
                    action::TASK_DONE,
                    format!("{}:{}", request.id.0, task.as_str())
                )
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
    let id = request.id.0.to_string();
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(SlackActionsBlock::new(slack_blocks![
                some_into(
                    button("Extend…", action::EXTEND, id.clone())
                        .with_style(SlackBlockButtonStyle::Primary)
                ),
                some_into(button("Let it expire", action::LET_EXPIRE, id))
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
                action::RESEND,
                request.id.0.to_string()
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
                action::RETRY_PROVISION,
                request.id.0.to_string()
            ))]))
        ])
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtendMetadata {
    pub request_id: i64,
    pub tz: Option<String>,
}

pub const EXTEND_DAYS_BLOCK: &str = "extend_days";
pub const EXTEND_DATE_BLOCK: &str = "extend_date";
pub const EXTEND_MODE_BLOCK: &str = "extend_mode";
pub const EXTEND_REASON_BLOCK: &str = "extend_reason";

/// Asks how much longer, and why; approvers then decide on a card like the first.
pub fn extend_form(
    request: &GuestRequest,
    metadata: &ExtendMetadata,
    now: DateTime<Utc>,
) -> SlackView {
    let modes = radio(&[
        ("days", "More days, counted from the current end"),
        ("date", "Until a date"),
    ]);
    let current = request
        .expires_at
        .map(|at| format!("{} ({})", slack_date(at), relative(at, now)))
        .unwrap_or_else(|| "never".into());
    SlackView::Modal(
        SlackModalView::new(
            pt!("Extend guest access"),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "*{}* ({}) — the account now ends {}.",
                    safe(&request.full_name, 100),
                    safe(request.email.as_str(), 254),
                    current
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!("Extend"),
                        SlackBlockRadioButtonsElement::new(modes.clone())
                            .with_action_id(EXTEND_MODE_BLOCK.into())
                            .with_initial_option(modes[0].clone())
                            .into()
                    )
                    .with_block_id(EXTEND_MODE_BLOCK.into())
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!("Days"),
                        SlackBlockNumberInputElement::new(false)
                            .with_action_id(EXTEND_DAYS_BLOCK.into())
                            .with_initial_value("30".into())
                            .with_min_value("1".into())
                            .into()
                    )
                    .with_block_id(EXTEND_DAYS_BLOCK.into())
                    .with_optional(true)
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!("Date"),
                        SlackBlockDatePickerElement::new()
                            .with_action_id(EXTEND_DATE_BLOCK.into())
                            .into()
                    )
                    .with_block_id(EXTEND_DATE_BLOCK.into())
                    .with_optional(true)
                ),
                some_into(text_input_block(EXTEND_REASON_BLOCK, "Why longer?", 500))
            ],
        )
        .with_submit(pt!("Ask for approval"))
        .with_close(pt!("Cancel"))
        .with_callback_id(callback::EXTEND_FORM.into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

fn text_input_block(id: &str, label: &str, max: u64) -> SlackBlock {
    SlackInputBlock::new(
        pt!(label),
        SlackBlockPlainTextInputElement::new()
            .with_action_id(id.into())
            .with_multiline(true)
            .with_max_length(max)
            .into(),
    )
    .with_block_id(id.into())
    .into()
}

/// The threaded offer under a person's message in the request channel.
pub fn request_button_offer(user: &str) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text("Need a guest account? Use the button to fill in a request.".into())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!(
                "<@{}>, guest accounts are requested with a short form so approvers get everything they need.",
                user
            ))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                SlackBlockButtonElement::new(pt!("Request a guest account"))
                    .with_action_id(action::OPEN_FORM.into())
                    .with_style(SlackBlockButtonStyle::Primary)
            )]))
        ])
}

/// One line per request, for `/guest list` and App Home.
pub fn request_line(request: &GuestRequest) -> String {
    format!(
        "*{}* {} ({}) · {} · {}",
        request.id,
        safe(&request.full_name, 60),
        safe(request.email.as_str(), 254),
        request.guest_type.label(),
        request.state.label()
    )
}

/// `/guest status`: the request in the viewer's own time zone.
pub fn status_text(request: &GuestRequest, tz: Tz, now: DateTime<Utc>) -> String {
    let expiry = match (request.expires_at, request.expiry) {
        (Some(at), _) | (None, Expiry::At { at }) => {
            format!("{} ({})", format_in_zone(at, tz), relative(at, now))
        }
        (None, Expiry::AfterDays { days }) => format!("{days} days after approval"),
        (None, Expiry::Never) => "never".to_string(),
    };
    format!(
        "{}\nChannels: {}\nExpires: {}\nRequested by <@{}> on {}\n{}",
        request_line(request),
        channels_text(request),
        expiry,
        request.requester,
        format_in_zone(request.created_at, tz),
        status_line(request)
    )
}

/// App Home: my requests; for approvers, the queue with the same buttons as the cards.
/// What an approver sees in App Home besides their own requests.
#[derive(Debug, Clone, Default)]
pub struct ApproverHome {
    /// Pending requests this approver may decide.
    pub queue: Vec<GuestRequest>,
    /// Open guest accounts, soonest to end first.
    pub accounts: Vec<GuestRequest>,
}

pub fn home(
    mine: &[GuestRequest],
    approver: Option<&ApproverHome>,
    now: DateTime<Utc>,
) -> SlackView {
    const MAX_MINE: usize = 10;
    const MAX_QUEUE: usize = 20;
    const MAX_ACCOUNTS: usize = 10;
    let mut blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackHeaderBlock::new(pt!("Guestlist"))),
        some_into(SlackSectionBlock::new().with_text(md!(
            "Ask for guest accounts here or with `/guest`. Approvers decide in the request channel."
        ))),
        some_into(SlackActionsBlock::new(slack_blocks![some_into(
            SlackBlockButtonElement::new(pt!("Request a guest account"))
                .with_action_id(action::OPEN_FORM.into())
                .with_style(SlackBlockButtonStyle::Primary)
        )])),
        some_into(SlackDividerBlock::new()),
        some_into(SlackHeaderBlock::new(pt!("Your requests")))
    ];
    if mine.is_empty() {
        blocks.push(
            SlackContextBlock::new(vec![md!("You have not asked for any guests yet.")]).into(),
        );
    }
    for request in mine.iter().take(MAX_MINE) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", request_line(request)))
                .into(),
        );
    }
    if let Some(ApproverHome { queue, accounts }) = approver {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(
            SlackHeaderBlock::new(pt!(format!("Waiting for approval ({})", queue.len()))).into(),
        );
        if queue.is_empty() {
            blocks.push(SlackContextBlock::new(vec![md!("Nothing to decide. :tada:")]).into());
        }
        for request in queue.iter().take(MAX_QUEUE) {
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "{} · requested by <@{}> · expires: {}\n{}",
                        request_line(request),
                        request.requester,
                        expiry_text(request, now),
                        quote(&request.reason, 300)
                    ))
                    .into(),
            );
            blocks.push(
                SlackActionsBlock::new(decision_buttons(request))
                    .with_block_id(format!("decide:{}", request.id.0).into())
                    .into(),
            );
        }
        if queue.len() > MAX_QUEUE {
            blocks.push(
                SlackContextBlock::new(vec![md!(
                    "…and {} more in the request channel.",
                    queue.len() - MAX_QUEUE
                )])
                .into(),
            );
        }
        if !accounts.is_empty() {
            blocks.push(SlackDividerBlock::new().into());
            blocks.push(SlackHeaderBlock::new(pt!("Guest accounts ending soonest")).into());
            for request in accounts.iter().take(MAX_ACCOUNTS) {
                blocks.push(
                    SlackSectionBlock::new()
                        .with_text(md!(
                            "{} · sponsor <@{}> · ends: {}",
                            request_line(request),
                            request.requester,
                            expiry_text(request, now)
                        ))
                        .into(),
                );
                if let Some(buttons) = account_buttons(request) {
                    blocks.push(
                        SlackActionsBlock::new(buttons)
                            .with_block_id(format!("account:{}", request.id.0).into())
                            .into(),
                    );
                }
            }
        }
    }
    SlackView::Home(SlackHomeView::new(blocks))
}

/// A plan as a fixed-width table (for the CLI and Slack code blocks): rule, action, email, reason.
/// Unchanged lines are left out unless `all`; at most `max_lines` lines.
pub fn plan_table(plans: &[crate::domain::sync::Plan], all: bool, max_lines: usize) -> String {
    use crate::domain::sync::LineAction;
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut hidden = 0;
    for plan in plans {
        for line in plan
            .lines
            .iter()
            .filter(|l| all || l.action != LineAction::Unchanged)
        {
            if rows.len() < max_lines {
                rows.push([
                    plan.rule.clone(),
                    line.action.as_str().to_string(),
                    line.email.to_string(),
                    line.reason.clone(),
                ]);
            } else {
                hidden += 1;
            }
        }
    }
    let header = [
        "RULE".to_string(),
        "ACTION".to_string(),
        "EMAIL".to_string(),
        "REASON".to_string(),
    ];
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        out.push_str(&format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}\n",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    }
    if hidden > 0 {
        out.push_str(&format!("… and {hidden} more lines\n"));
    }
    for plan in plans {
        out.push_str(&format!(
            "{}: {} to invite, {} to revoke, {} unchanged, {} already members\n",
            plan.rule,
            plan.count(LineAction::Invite),
            plan.count(LineAction::Revoke),
            plan.count(LineAction::Unchanged),
            plan.count(LineAction::AlreadyMember)
        ));
    }
    out
}

/// The one message an applied sync run posts.
pub fn sync_summary(
    plan: &crate::domain::sync::Plan,
    invited: usize,
    revoked: usize,
) -> SlackMessageContent {
    use crate::domain::sync::LineAction;
    let text = format!(
        ":arrows_counterclockwise: Group sync *{}*: {invited} invited, {revoked} revoked, {} unchanged, {} already members.",
        escape(&plan.rule),
        plan.count(LineAction::Unchanged),
        plan.count(LineAction::AlreadyMember)
    );
    let table = plan_table(std::slice::from_ref(plan), false, 15);
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
            )
        ])
}

/// A plan the blast-radius guard held, with the button that applies it anyway.
pub fn held_plan(
    plan: &crate::domain::sync::Plan,
    plan_id: i64,
    changes: usize,
    limit: usize,
    mentions: &str,
) -> SlackMessageContent {
    let text = format!(
        ":raised_hand: Group sync *{}* would make {changes} changes, more than its limit of {limit}, so nothing was applied. {mentions} Review the plan and apply it if it is right.",
        escape(&plan.rule)
    );
    let table = plan_table(std::slice::from_ref(plan), false, 20);
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
            ),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                button("Apply anyway", action::APPLY_SYNC_PLAN, plan_id.to_string())
                    .with_style(SlackBlockButtonStyle::Danger)
                    .with_confirm(confirm(
                        "Apply this plan?",
                        format!("{changes} invitations and revocations will be made now."),
                        "Apply"
                    ))
            )]))
        ])
}

/// The answer to `/guest sync preview|now`.
pub fn sync_outcome_text(
    plans: &[crate::domain::sync::Plan],
    dry_run: bool,
    held: &[(String, usize, usize)],
) -> String {
    if plans.is_empty() {
        return "No sync rules are configured (`[[sync]]` in guestlist.toml).".into();
    }
    let mut out = if dry_run {
        "*Sync preview* (nothing was changed):\n".to_string()
    } else {
        "*Sync run*:\n".to_string()
    };
    out.push_str(&format!(
        "```{}```",
        code_block_text(&plan_table(plans, false, 30), 3500)
    ));
    for (rule, changes, limit) in held {
        out.push_str(&format!("\n:raised_hand: *{}*: {changes} changes exceed the limit of {limit}; the plan waits for an approver.", escape(rule)));
    }
    out
}

/// Text for inside a ``` block: escaped, backticks neutralised (a name must not close the
/// block), and cut at a line boundary so it fits `max` characters after escaping.
fn code_block_text(table: &str, max: usize) -> String {
    let mut out = String::new();
    let mut lines = table.lines();
    for line in lines.by_ref() {
        let line = escape(&line.replace('`', "'"));
        if out.chars().count() + line.chars().count() + 2 > max {
            out.push('…');
            break;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `/guest import`: how to import, with the header a file needs.
pub fn import_help(request_channel: Option<&crate::domain::ChannelId>) -> String {
    let place = request_channel
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| "the request channel".into());
    format!(
        "*Import guests from a CSV file*\nShare the file in {place}; I reply in its thread with a preview (valid rows, rows I cannot import and why, duplicates) and an *Import* button. Nothing is created before you press it.\nThe first row names the columns, in any order:\n```{}```\n• `email`, `name`, `guest_type` (`single_channel` or `multi_channel`), `channels` (names or IDs, separated by `;`) and `expires` (`30d`, `2027-03-31`, `2027-03-31T17:00:00Z` or `never`) are required.\n• `organisation`, `sponsor` (a user ID or email; you by default) and `phone` (E.164, such as `+14155550100`) are optional.\nFrom a shell: `guestlist import FILE --dry-run`.",
        crate::domain::import::template_header()
    )
}

/// The preview as a plain table: valid rows first, then the rows left out and why.
pub fn import_table(preview: &crate::domain::import::ImportPreview, max_lines: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut hidden = 0;
    let mut line = |text: String, out: &mut String| {
        if shown < max_lines {
            out.push_str(&text);
            out.push('\n');
            shown += 1;
        } else {
            hidden += 1;
        }
    };
    for g in &preview.valid {
        let channels: Vec<&str> = g.channels.iter().map(|c| c.as_str()).collect();
        line(
            format!(
                "line {:<5} import     {}  {} ({}, {}, {})  sponsor {}",
                g.line,
                g.email,
                g.full_name,
                g.guest_type.as_str(),
                channels.join(";"),
                expiry_words(&g.expiry),
                g.sponsor
            ),
            &mut out,
        );
    }
    for (label, problems) in [
        ("invalid  ", &preview.invalid),
        ("duplicate", &preview.duplicates),
    ] {
        for p in problems.iter() {
            line(
                format!("line {:<5} {label}  {}  {}", p.line, p.email, p.reason),
                &mut out,
            );
        }
    }
    if hidden > 0 {
        out.push_str(&format!("… and {hidden} more lines\n"));
    }
    out
}

fn expiry_words(expiry: &crate::domain::Expiry) -> String {
    match expiry {
        crate::domain::Expiry::AfterDays { days } => format!("{days} days after approval"),
        crate::domain::Expiry::At { at } => format!("until {}", at.format("%Y-%m-%d %H:%M UTC")),
        crate::domain::Expiry::Never => "no end".into(),
    }
}

/// One line of counts, e.g. "40 rows: 35 to import, 3 invalid, 2 duplicates".
pub fn import_counts(preview: &crate::domain::import::ImportPreview) -> String {
    format!(
        "{} rows: {} to import, {} invalid, {} duplicate{}",
        preview.rows(),
        preview.valid.len(),
        preview.invalid.len(),
        preview.duplicates.len(),
        if preview.duplicates.len() == 1 {
            ""
        } else {
            "s"
        }
    )
}

/// The preview posted in the file's thread, with the confirmation button (when any row is valid
/// and nobody has confirmed yet).
pub fn import_preview(
    preview: &crate::domain::import::ImportPreview,
    file_name: &str,
    confirm_value: &str,
    confirmed_by: Option<&crate::domain::UserId>,
) -> SlackMessageContent {
    let n = preview.valid.len();
    let text = format!(
        ":clipboard: *Import preview* of `{}`: {}. Nothing has been created yet.",
        safe(file_name, 100),
        import_counts(preview)
    );
    let table = import_table(preview, 40);
    let mut blocks = slack_blocks![
        some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
        some_into(
            SlackSectionBlock::new().with_text(md!("```{}```", code_block_text(&table, 2900)))
        )
    ];
    if let Some(who) = confirmed_by {
        blocks.push(SlackContextBlock::new(vec![md!("Import confirmed by <@{}>.", who)]).into());
    } else if n > 0 {
        let label = format!("Import {n} guest{}", if n == 1 { "" } else { "s" });
        blocks.push(
            SlackActionsBlock::new(slack_blocks![some_into(
                button(&label, action::IMPORT_CONFIRM, confirm_value.to_string())
                    .with_style(SlackBlockButtonStyle::Primary)
                    .with_confirm(confirm(
                        &label,
                        format!("{n} approved requests will be created, with you as the approver, and invitations sent. Rows left out stay out."),
                        "Import"
                    ))
            )])
            .into(),
        );
    }
    SlackMessageContent::new()
        .with_text(text)
        .with_blocks(blocks)
}

/// A file refused whole.
pub fn import_refused(
    file_name: &str,
    error: &crate::domain::import::FileError,
) -> SlackMessageContent {
    SlackMessageContent::new().with_text(format!(
        ":warning: I cannot import `{}`: {} Nothing was created.",
        safe(file_name, 100),
        escape(&error.to_string())
    ))
}

pub fn import_progress(
    done: usize,
    total: usize,
    file_name: &str,
    importer: &crate::domain::UserId,
) -> String {
    format!(
        ":hourglass_flowing_sand: <@{importer}> is importing `{}`: {done} of {total} rows done.",
        safe(file_name, 100)
    )
}

pub fn import_done(
    imported: usize,
    skipped: usize,
    preview: &crate::domain::import::ImportPreview,
    file_name: &str,
    importer: &crate::domain::UserId,
) -> String {
    let mut text = format!(
        ":white_check_mark: <@{importer}> imported {imported} guest{} from `{}`; invitations go out through the usual queue.",
        if imported == 1 { "" } else { "s" },
        safe(file_name, 100)
    );
    if skipped > 0 {
        text.push_str(&format!(
            " {skipped} rows were skipped: their emails were taken since the preview."
        ));
    }
    let left_out = preview.invalid.len() + preview.duplicates.len();
    if left_out > 0 {
        text.push_str(&format!(
            " {left_out} rows were left out (see the preview)."
        ));
    }
    text
}

/// `/guest help`.
pub fn help_text() -> String {
    [
        "*Guestlist* runs guest accounts for this workspace.",
        "• `/guest` — ask for a guest account (opens a form)",
        "• `/guest list` — your requests and where they stand",
        "• `/guest status <id>` — one request in detail",
        "• `/guest cancel <id>` — withdraw a request still waiting for approval",
        "• `/guest sync preview` — approvers: what group sync would change (changes nothing)",
        "• `/guest sync now` — approvers: run group sync now",
        "• `/guest import` — approvers: how to add many guests from a CSV file",
        "• `/guest help` — this list",
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::CardRef;
    use crate::domain::{ChannelId, Email, RequestId, TeamId, UserId};

    fn now() -> DateTime<Utc> {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    fn request(state: RequestState) -> GuestRequest {
        // Pending and cancelled requests have no decision.
        let undecided = matches!(state, RequestState::Pending | RequestState::Cancelled);
        GuestRequest {
            id: RequestId(42),
            team_id: TeamId::from("T1"),
            kind: RequestKind::Guest,
            parent_id: None,
            requester: UserId::from("UREQ"),
            email: Email::parse("grace@partner.com").unwrap(),
            full_name: "Grace Hopper".into(),
            organisation: "Partner & Co <Ltd>".into(),
            reason: "Joint launch.\nNeeds the <#C999> channel & <!here> access".into(),
            guest_type: GuestType::MultiChannel,
            channels: vec![ChannelId::from("C1"), ChannelId::from("C2")],
            expiry: Expiry::AfterDays { days: 30 },
            expires_at: (state != RequestState::Pending)
                .then(|| "2026-12-22T11:00:00Z".parse().unwrap()),
            state,
            version: 3,
            decided_by: (!undecided).then(|| UserId::from("UAPP")),
            decided_at: (!undecided).then(|| "2026-11-22T11:00:00Z".parse().unwrap()),
            decision_note: (state == RequestState::Denied).then(|| "No NDA <yet>".to_string()),
            auto_rule: None,
            card: Some(CardRef {
                channel: ChannelId::from("CREQ"),
                ts: "1.1".into(),
            }),
            card_version: Some(1),
            source: Source::Form,
            sync_rule: None,
            phone: None,
            slack_user_id: None,
            external_id: None,
            invited_at: matches!(state, RequestState::Invited)
                .then(|| "2026-11-22T11:30:00Z".parse().unwrap()),
            invite_expires_at: matches!(state, RequestState::Invited)
                .then(|| "2026-11-29T11:30:00Z".parse().unwrap()),
            created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
            updated_at: "2026-11-22T11:00:00Z".parse().unwrap(),
            account_team: None,
            source_user: None,
        }
    }

    #[test]
    fn request_form_snapshot() {
        let view = request_form(
            &RequestPolicy::default(),
            &FormMetadata {
                tz: Some("Europe/Berlin".into()),
                origin: Some("C1".into()),
            },
        );
        insta::assert_json_snapshot!("request_form", view);
    }

    #[test]
    fn card_snapshots_in_every_state() {
        for state in RequestState::ALL {
            insta::assert_json_snapshot!(
                format!("card_{}", state.as_str()),
                card(&request(state), now())
            );
        }
        let mut auto = request(RequestState::Approved);
        auto.auto_rule = Some("partners".into());
        auto.decided_by = None;
        insta::assert_json_snapshot!("card_auto_approved", card(&auto, now()));
    }

    #[test]
    fn only_a_pending_card_has_buttons() {
        for state in RequestState::ALL {
            let json = serde_json::to_string(&card(&request(state), now())).unwrap();
            assert_eq!(
                json.contains("approve_request"),
                state == RequestState::Pending,
                "{state}"
            );
        }
    }

    #[test]
    fn home_snapshots() {
        let mine = vec![
            request(RequestState::Approved),
            request(RequestState::Denied),
        ];
        let approver = ApproverHome {
            queue: vec![request(RequestState::Pending)],
            accounts: vec![request(RequestState::Active)],
        };
        insta::assert_json_snapshot!("home_approver", home(&mine, Some(&approver), now()));
        insta::assert_json_snapshot!("home_requester", home(&[], None, now()));
    }

    #[test]
    fn deny_form_snapshot() {
        let metadata = DenyMetadata {
            request_id: 42,
            response_url: None,
        };
        insta::assert_json_snapshot!(
            "deny_form",
            deny_form(&request(RequestState::Pending), &metadata)
        );
    }

    #[test]
    fn user_text_never_reaches_a_card_raw() {
        let json = serde_json::to_string(&card(&request(RequestState::Pending), now())).unwrap();
        for raw in ["<#C999>", "<!here>", "<Ltd>", "& Co"] {
            assert!(!json.contains(raw), "{raw} unescaped in {json}");
        }
    }

    #[test]
    fn a_huge_reason_stays_within_block_kit_limits() {
        let mut big = request(RequestState::Pending);
        big.reason = "x".repeat(10_000);
        big.full_name = "y".repeat(500);
        let content = card(&big, now());
        for block in content.blocks.unwrap() {
            let json = serde_json::to_value(&block).unwrap();
            if let Some(text) = json.pointer("/text/text").and_then(|t| t.as_str()) {
                assert!(
                    text.chars().count() <= 3000,
                    "section text of {} chars",
                    text.chars().count()
                );
            }
            for field in json
                .get("fields")
                .and_then(|f| f.as_array())
                .into_iter()
                .flatten()
            {
                assert!(field["text"].as_str().unwrap().chars().count() <= 2000);
            }
        }
    }
}
