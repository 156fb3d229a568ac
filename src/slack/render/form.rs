//! The modals (request, deny reason, extension) and the button that opens the request form.

use super::*;
use crate::domain::policy::{
    Field, MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS, RequestPolicy,
};
use crate::slack::ids::{
    DENY_REASON_BLOCK, DenyMetadata, EXTEND_DATE_BLOCK, EXTEND_DAYS_BLOCK, EXTEND_MODE_BLOCK,
    EXTEND_REASON_BLOCK, ExtendMetadata, FormMetadata, View, field_block_id,
};

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
            .with_callback_id(View::RequestForm.callback_id().into())
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
        .with_callback_id(View::DenyReason.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

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
        .with_callback_id(View::ExtendForm.callback_id().into())
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
                    .with_action_id(Button::OpenForm.action_id().into())
                    .with_style(SlackBlockButtonStyle::Primary)
            )]))
        ])
}
