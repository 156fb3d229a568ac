//! The modals (request, deny reason, extension) and the button that opens the request form.

use super::*;
use crate::domain::policy::{
    Field, MAX_NAME_CHARS, MAX_ORGANISATION_CHARS, MAX_REASON_CHARS, RequestPolicy,
};
use crate::domain::profile::{
    MAX_DEPARTMENT_CHARS, MAX_EMPLOYEE_ID_CHARS, MAX_TITLE_CHARS, Profile, ProfileField,
    ProfilePolicy, Requirement,
};
use crate::slack::ids::{
    ChangesMetadata, DENY_REASON_BLOCK, DenyMetadata, EXTEND_DATE_BLOCK, EXTEND_DAYS_BLOCK,
    EXTEND_MODE_BLOCK, EXTEND_REASON_BLOCK, ExtendMetadata, FormMetadata, View, field_block_id,
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

pub(super) fn radio(options: &[(&str, &str)]) -> Vec<SlackBlockChoiceItem<SlackBlockText>> {
    options
        .iter()
        .map(|(value, label)| SlackBlockChoiceItem::new(pt!(*label), value.to_string()))
        .collect()
}

/// A request to ask for again: its values fill the form, and why it ended is shown above.
#[derive(Debug, Clone, Copy)]
pub struct Again<'a> {
    pub request: &'a GuestRequest,
    /// The deny reason, or a word on the lapse.
    pub note: Option<&'a str>,
}

/// The request form. The same view serves `/guest`, the button under a message in the request
/// channel, the global shortcut, App Home and **Request again** (filled in from `again`).
pub fn request_form(
    policy: &RequestPolicy,
    metadata: &FormMetadata,
    again: Option<Again<'_>>,
    lang: Lang,
) -> SlackView {
    let tz_name = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let tz = crate::domain::expiry::zone(Some(&tz_name));
    let asked = again.map(|a| a.request);
    let labels: Vec<(&str, String)> = policy
        .guest_types
        .iter()
        .map(|t| (t.as_str(), type_label(*t, lang)))
        .collect();
    let types: Vec<(&str, &str)> = labels.iter().map(|(v, l)| (*v, l.as_str())).collect();
    let type_options = radio(&types);
    let initial_type = asked
        .and_then(|r| {
            type_options
                .iter()
                .find(|o| o.value == r.guest_type.as_str())
        })
        .unwrap_or(&type_options[0])
        .clone();
    let (after_days, on_date, never) = (
        t!(lang, "form-ends-after-days"),
        t!(lang, "form-ends-on-date"),
        t!(lang, "form-ends-never"),
    );
    let mut expiry_modes = vec![("days", after_days.as_str()), ("date", on_date.as_str())];
    if policy.allow_never {
        expiry_modes.push(("never", never.as_str()));
    }
    let expiry_options = radio(&expiry_modes);
    let initial = ExpiryInputs::of(asked.map(|r| r.expiry), tz, policy.allow_never);
    let initial_mode = expiry_options
        .iter()
        .find(|o| o.value == initial.mode)
        .unwrap_or(&expiry_options[0])
        .clone();
    let max_hint = match policy.max_expiry_days {
        Some(days) => t!(lang, "form-hint-max", days = days, tz = tz_name.as_str()),
        None => t!(lang, "form-hint-zone", tz = tz_name.as_str()),
    };
    let filled = |field: Field, value: Option<&str>, input: SlackBlock| match (input, value) {
        (SlackBlock::Input(mut block), Some(value)) if !value.is_empty() => {
            if let SlackInputBlockElement::PlainTextInput(el) = &mut block.element {
                el.initial_value = Some(value.to_string());
            }
            let _ = field;
            SlackBlock::Input(block)
        }
        (other, _) => other,
    };
    let preface = again.map(|a| match a.note {
        Some(note) => t!(
            lang,
            "form-again-note",
            id = a.request.id.to_string(),
            note = quote(note, 500)
        ),
        None => t!(lang, "form-again", id = a.request.id.to_string()),
    });
    let mut email = SlackBlockEmailInputElement::new()
        .with_action_id(field_block_id(Field::Email).into())
        .with_placeholder(pt!(t!(lang, "form-email-placeholder")));
    if let Some(r) = asked {
        email.initial_value = Some(EmailAddress(r.email.as_str().to_string()));
    }
    let mut channels = channels_select(policy, lang);
    if let Some(r) = asked {
        channels.initial_conversations = Some(
            r.channels
                .iter()
                .map(|c| SlackConversationId(c.to_string()))
                .collect(),
        );
    }
    let blocks: Vec<SlackBlock> = slack_blocks![
        optionally_into(preface.is_some() => SlackSectionBlock::new()
            .with_text(md!("{}", preface.clone().unwrap_or_default()))),
        some_into(
            SlackInputBlock::new(pt!(t!(lang, "form-email")), email.into())
                .with_block_id(field_block_id(Field::Email).into())
        ),
        some_into(filled(
            Field::FullName,
            asked.map(|r| r.full_name.as_str()),
            text_input(
                Field::FullName,
                &t!(lang, "form-name"),
                &t!(lang, "form-name-placeholder"),
                MAX_NAME_CHARS,
                false
            )
        )),
        some_into(filled(
            Field::Organisation,
            asked.map(|r| r.organisation.as_str()),
            match text_input(
                Field::Organisation,
                &t!(lang, "form-organisation"),
                &t!(lang, "form-organisation-placeholder"),
                MAX_ORGANISATION_CHARS,
                false
            ) {
                SlackBlock::Input(input) => SlackBlock::Input(input.with_optional(true)),
                other => other,
            }
        )),
        ..profile_blocks(&policy.profile, None, lang).into_iter(),
        some_into(filled(
            Field::Reason,
            asked.map(|r| r.reason.as_str()),
            text_input(
                Field::Reason,
                &t!(lang, "form-reason"),
                &t!(lang, "form-reason-placeholder"),
                MAX_REASON_CHARS,
                true
            )
        )),
        some_into(
            SlackInputBlock::new(
                pt!(t!(lang, "form-guest-type")),
                SlackBlockRadioButtonsElement::new(type_options.clone())
                    .with_action_id(field_block_id(Field::GuestType).into())
                    .with_initial_option(initial_type)
                    .into()
            )
            .with_block_id(field_block_id(Field::GuestType).into())
        ),
        some_into(
            SlackInputBlock::new(pt!(t!(lang, "form-channels")), channels.into())
                .with_block_id(field_block_id(Field::Channels).into())
                .with_hint(pt!(t!(lang, "form-channels-hint")))
        ),
        ..expiry_blocks(
            &expiry_options,
            initial_mode,
            &initial,
            policy.max_expiry_days,
            &tz_name,
            Some(max_hint),
            lang
        )
        .into_iter()
    ];
    SlackView::Modal(
        SlackModalView::new(pt!(t!(lang, "form-title")), blocks)
            .with_submit(pt!(t!(lang, "form-submit")))
            .with_close(pt!(t!(lang, "button-cancel")))
            .with_callback_id(View::RequestForm.callback_id().into())
            .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// The profile fields the policy asks for: text inputs, a person picker for the manager;
/// optional unless required; filled in from `asked` (Request again).
pub(super) fn profile_blocks(
    policy: &ProfilePolicy,
    asked: Option<&Profile>,
    lang: Lang,
) -> Vec<SlackBlock> {
    policy
        .shown()
        .map(|(field, requirement)| {
            let id = field_block_id(Field::Profile(field));
            let label = t!(lang, "form-profile", field = field.as_str());
            let optional = requirement != Requirement::Required;
            let element: SlackInputBlockElement = match field {
                ProfileField::Manager => {
                    let mut picker = SlackBlockUsersSelectElement::new()
                        .with_action_id(id.into())
                        .with_placeholder(pt!(t!(lang, "form-manager-placeholder")));
                    picker.initial_user = asked
                        .and_then(|p| p.manager.as_ref())
                        .map(|u| u.to_string());
                    picker.into()
                }
                _ => {
                    let (max, value) = match field {
                        ProfileField::Title => {
                            (MAX_TITLE_CHARS, asked.and_then(|p| p.title.clone()))
                        }
                        ProfileField::Department => (
                            MAX_DEPARTMENT_CHARS,
                            asked.and_then(|p| p.department.clone()),
                        ),
                        ProfileField::EmployeeId => (
                            MAX_EMPLOYEE_ID_CHARS,
                            asked.and_then(|p| p.employee_id.clone()),
                        ),
                        _ => (20, asked.and_then(|p| p.phone.clone())),
                    };
                    let mut input = SlackBlockPlainTextInputElement::new()
                        .with_action_id(id.into())
                        .with_max_length(max as u64);
                    input.initial_value = value;
                    if field == ProfileField::Phone {
                        input = input.with_placeholder(pt!(t!(lang, "form-phone-placeholder")));
                    }
                    input.into()
                }
            };
            let mut block = SlackInputBlock::new(pt!(label), element)
                .with_block_id(id.into())
                .with_optional(optional);
            if field == ProfileField::Phone {
                block = block.with_hint(pt!(t!(lang, "form-phone-hint")));
            }
            block.into()
        })
        .collect()
}

/// The channel picker of the request and link forms: public and private channels of this
/// workspace, at most the policy's number.
pub(super) fn channels_select(
    policy: &RequestPolicy,
    lang: Lang,
) -> SlackBlockMultiConversationsSelectElement {
    SlackBlockMultiConversationsSelectElement::new()
        .with_action_id(field_block_id(Field::Channels).into())
        .with_placeholder(pt!(t!(lang, "form-channels-placeholder")))
        .with_max_selected_items(policy.max_channels as u64)
        .with_filter(
            SlackBlockConversationFilter::new()
                .with_include(vec![
                    SlackConversationFilterInclude::Public,
                    SlackConversationFilterInclude::Private,
                ])
                .with_exclude_bot_users(true)
                .with_exclude_external_shared_channels(true),
        )
}

/// A guest type as the form offers it ("Single-channel guest (one channel)").
pub(super) fn type_label(guest_type: GuestType, lang: Lang) -> String {
    t!(lang, "form-type-option", kind = guest_type.as_str())
}

/// The expiry inputs' initial values for an expiry (or the form's defaults).
pub(super) struct ExpiryInputs {
    mode: &'static str,
    days: String,
    date: Option<String>,
    time: String,
}

impl ExpiryInputs {
    pub(super) fn of(expiry: Option<Expiry>, tz: chrono_tz::Tz, allow_never: bool) -> Self {
        let defaults = Self {
            mode: "days",
            days: "30".into(),
            date: None,
            time: "17:00".into(),
        };
        match expiry {
            Some(Expiry::AfterDays { days }) => Self {
                days: days.to_string(),
                ..defaults
            },
            Some(Expiry::At { at }) => {
                let local = at.with_timezone(&tz);
                Self {
                    mode: "date",
                    date: Some(local.format("%Y-%m-%d").to_string()),
                    time: local.format("%H:%M").to_string(),
                    ..defaults
                }
            }
            Some(Expiry::Never) if allow_never => Self {
                mode: "never",
                ..defaults
            },
            _ => defaults,
        }
    }
}

/// The four expiry inputs: mode, days, date and time.
pub(super) fn expiry_blocks(
    options: &[SlackBlockChoiceItem<SlackBlockText>],
    initial_mode: SlackBlockChoiceItem<SlackBlockText>,
    initial: &ExpiryInputs,
    max_days: Option<u32>,
    tz_name: &str,
    hint: Option<String>,
    lang: Lang,
) -> Vec<SlackBlock> {
    let mut mode = SlackInputBlock::new(
        pt!(t!(lang, "form-ends")),
        SlackBlockRadioButtonsElement::new(options.to_vec())
            .with_action_id(field_block_id(Field::ExpiryMode).into())
            .with_initial_option(initial_mode)
            .into(),
    )
    .with_block_id(field_block_id(Field::ExpiryMode).into());
    if let Some(hint) = hint {
        mode = mode.with_hint(pt!(hint));
    }
    let mut date =
        SlackBlockDatePickerElement::new().with_action_id(field_block_id(Field::ExpiryDate).into());
    date.initial_date = initial.date.clone();
    vec![
        mode.into(),
        SlackInputBlock::new(
            pt!(t!(lang, "form-days")),
            SlackBlockNumberInputElement::new(false)
                .with_action_id(field_block_id(Field::ExpiryDays).into())
                .with_initial_value(initial.days.clone())
                .with_min_value("1".into())
                .opt_max_value(max_days.map(|d| d.to_string()))
                .into(),
        )
        .with_block_id(field_block_id(Field::ExpiryDays).into())
        .with_optional(true)
        .into(),
        SlackInputBlock::new(pt!(t!(lang, "form-date")), date.into())
            .with_block_id(field_block_id(Field::ExpiryDate).into())
            .with_optional(true)
            .into(),
        SlackInputBlock::new(
            pt!(t!(lang, "form-time")),
            SlackBlockTimePickerElement::new()
                .with_action_id(field_block_id(Field::ExpiryTime).into())
                .with_initial_time(initial.time.clone())
                .with_timezone(tz_name.to_string())
                .into(),
        )
        .with_block_id(field_block_id(Field::ExpiryTime).into())
        .with_optional(true)
        .into(),
    ]
}

/// Approve with changes: the request's own terms, which the approver may only narrow (fewer
/// channels, single-channel instead of multi-channel, an earlier end).
pub fn changes_form(
    request: &GuestRequest,
    policy: &RequestPolicy,
    metadata: &ChangesMetadata,
    lang: Lang,
) -> SlackView {
    let tz_name = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let tz = crate::domain::expiry::zone(Some(&tz_name));
    // Only the asked type and the narrower one are offered.
    let asked = type_label(request.guest_type, lang);
    let single = type_label(GuestType::SingleChannel, lang);
    let mut types = vec![(request.guest_type.as_str(), asked.as_str())];
    if request.guest_type == GuestType::MultiChannel {
        types.push((GuestType::SingleChannel.as_str(), single.as_str()));
    }
    let type_options = radio(&types);
    let (after_days, on_date, never) = (
        t!(lang, "form-ends-after-days"),
        t!(lang, "form-ends-on-date"),
        t!(lang, "form-ends-never-as-asked"),
    );
    let mut modes = vec![("days", after_days.as_str()), ("date", on_date.as_str())];
    if request.expiry == Expiry::Never {
        modes.push(("never", never.as_str()));
    }
    let mode_options = radio(&modes);
    let initial = ExpiryInputs::of(Some(request.expiry), tz, true);
    let initial_mode = mode_options
        .iter()
        .find(|o| o.value == initial.mode)
        .unwrap_or(&mode_options[0])
        .clone();
    let mut channels = SlackBlockMultiConversationsSelectElement::new()
        .with_action_id(field_block_id(Field::Channels).into())
        .with_max_selected_items(request.channels.len().max(1) as u64);
    channels.initial_conversations = Some(
        request
            .channels
            .iter()
            .map(|c| SlackConversationId(c.to_string()))
            .collect(),
    );
    let blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackSectionBlock::new().with_text(md!("{}", {
            let intro = t!(
                lang,
                "changes-intro",
                id = request.id.to_string(),
                guest = safe(&request.full_name, MAX_NAME_CHARS),
                email = safe(request.email.as_str(), 254),
                requester = format!("<@{}>", request.requester)
            );
            if request.quorum.approvals > 1 {
                format!("{intro}\n{}", t!(lang, "changes-restarts-count"))
            } else {
                intro
            }
        }))),
        some_into(
            SlackInputBlock::new(
                pt!(t!(lang, "form-guest-type")),
                SlackBlockRadioButtonsElement::new(type_options.clone())
                    .with_action_id(field_block_id(Field::GuestType).into())
                    .with_initial_option(type_options[0].clone())
                    .into()
            )
            .with_block_id(field_block_id(Field::GuestType).into())
        ),
        some_into(
            SlackInputBlock::new(pt!(t!(lang, "form-channels")), channels.into())
                .with_block_id(field_block_id(Field::Channels).into())
        ),
        ..expiry_blocks(
            &mode_options,
            initial_mode,
            &initial,
            policy.max_expiry_days,
            &tz_name,
            Some(t!(lang, "form-hint-zone", tz = tz_name.as_str())),
            lang
        )
        .into_iter()
    ];
    SlackView::Modal(
        SlackModalView::new(
            // Slack refuses titles over 24 characters: the request's number is in the intro.
            pt!(t!(lang, "changes-title")),
            blocks,
        )
        .with_submit(pt!(t!(lang, "button-approve")))
        .with_close(pt!(t!(lang, "button-back")))
        .with_callback_id(View::ChangesForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// Replaces the form after a successful submission.
pub fn request_sent(
    request: &GuestRequest,
    request_channel: Option<&str>,
    lang: Lang,
) -> SlackView {
    let (id, email) = (request.id.to_string(), safe(request.email.as_str(), 254));
    let text = match (&request.auto_rule, request_channel) {
        (Some(rule), Some(c)) => t!(
            lang,
            "form-sent-auto-in",
            id = id,
            email = email,
            rule = safe(rule, 80),
            channel = format!("<#{c}>")
        ),
        (Some(rule), None) => t!(
            lang,
            "form-sent-auto",
            id = id,
            email = email,
            rule = safe(rule, 80)
        ),
        (None, Some(c)) => t!(
            lang,
            "form-sent-waiting-in",
            id = id,
            email = email,
            channel = format!("<#{c}>")
        ),
        (None, None) => t!(lang, "form-sent-waiting", id = id, email = email),
    };
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "form-sent-title")),
            slack_blocks![some_into(SlackSectionBlock::new().with_text(md!(text)))],
        )
        .with_close(pt!(t!(lang, "button-done"))),
    )
}

/// Asks an approver why they deny.
pub fn deny_form(request: &GuestRequest, metadata: &DenyMetadata, lang: Lang) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "deny-title")),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "{}",
                    t!(
                        lang,
                        "deny-question",
                        id = request.id.to_string(),
                        guest = safe(&request.full_name, MAX_NAME_CHARS),
                        email = safe(request.email.as_str(), 254),
                        requester = format!("<@{}>", request.requester)
                    )
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "deny-reason")),
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
        .with_submit(pt!(t!(lang, "button-deny")))
        .with_close(pt!(t!(lang, "button-back")))
        .with_callback_id(View::DenyReason.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// Asks how much longer, and why; approvers then decide on a card like the first.
pub fn extend_form(
    request: &GuestRequest,
    metadata: &ExtendMetadata,
    now: DateTime<Utc>,
    lang: Lang,
) -> SlackView {
    let (days, until) = (
        t!(lang, "account-extend-mode-days"),
        t!(lang, "account-extend-mode-date"),
    );
    let modes = radio(&[("days", days.as_str()), ("date", until.as_str())]);
    let name = safe(&request.full_name, 100);
    let email = safe(request.email.as_str(), 254);
    let current = match request.expires_at {
        Some(at) => t!(
            lang,
            "account-extend-current",
            name = name,
            email = email,
            date = date(at, lang),
            relative = i18n::relative(at, now, lang)
        ),
        None => t!(
            lang,
            "account-extend-current-never",
            name = name,
            email = email
        ),
    };
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "account-extend-title")),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(current))),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "account-extend-label-mode")),
                        SlackBlockRadioButtonsElement::new(modes.clone())
                            .with_action_id(EXTEND_MODE_BLOCK.into())
                            .with_initial_option(modes[0].clone())
                            .into()
                    )
                    .with_block_id(EXTEND_MODE_BLOCK.into())
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "account-extend-label-days")),
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
                        pt!(t!(lang, "account-extend-label-date")),
                        SlackBlockDatePickerElement::new()
                            .with_action_id(EXTEND_DATE_BLOCK.into())
                            .into()
                    )
                    .with_block_id(EXTEND_DATE_BLOCK.into())
                    .with_optional(true)
                ),
                some_into(text_input_block(
                    EXTEND_REASON_BLOCK,
                    &t!(lang, "account-extend-label-reason"),
                    500
                ))
            ],
        )
        .with_submit(pt!(t!(lang, "account-extend-submit")))
        .with_close(pt!(t!(lang, "button-cancel")))
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
pub fn request_button_offer(user: &str, lang: Lang) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(t!(lang, "offer-text"))
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!(
                "{}",
                t!(lang, "offer-body", user = format!("<@{user}>"))
            ))),
            some_into(SlackActionsBlock::new(slack_blocks![some_into(
                SlackBlockButtonElement::new(pt!(t!(lang, "offer-button")))
                    .with_action_id(Button::OpenForm.action_id().into())
                    .with_style(SlackBlockButtonStyle::Primary)
            )]))
        ])
}
