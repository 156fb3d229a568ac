//! Unmanaged guests in App Home (approvers), and the form that adopts one.

use super::*;
use crate::slack::ids::{
    ADOPT_DATE_BLOCK, ADOPT_REASON_BLOCK, ADOPT_SPONSOR_BLOCK, AdoptMetadata, View,
};

/// A guest Slack has and Guestlist does not manage, as App Home lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmanagedLine {
    pub slack_user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub single_channel: bool,
}

pub fn unmanaged_lines(guests: &[UnmanagedLine], total: usize, lang: Lang) -> Vec<SlackBlock> {
    const MAX_SHOWN: usize = 10;
    let mut blocks: Vec<SlackBlock> = vec![
        SlackDividerBlock::new().into(),
        SlackHeaderBlock::new(pt!(t!(lang, "inventory-unmanaged-header", total = total))).into(),
        SlackContextBlock::new(vec![md!("{}", t!(lang, "inventory-unmanaged-intro"))]).into(),
    ];
    for guest in guests.iter().take(MAX_SHOWN) {
        let email = match guest.email.as_deref() {
            Some(email) => safe(email, 254),
            None => t!(lang, "inventory-unmanaged-no-email"),
        };
        let kind = if guest.single_channel {
            "single_channel"
        } else {
            "multi_channel"
        };
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!(
                    "<@{}> · {} · {}",
                    guest.slack_user_id,
                    email,
                    t!(lang, "inventory-unmanaged-type", kind = kind)
                ))
                .with_accessory(SlackSectionBlockElement::Button(button(
                    &t!(lang, "inventory-button-adopt"),
                    &Button::Adopt(guest.slack_user_id.clone()),
                )))
                .into(),
        );
    }
    if total > MAX_SHOWN {
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "{}",
                t!(lang, "inventory-unmanaged-more", count = total - MAX_SHOWN)
            )])
            .into(),
        );
    }
    blocks
}

/// Adopt: who sponsors the guest from now on, and when the access ends.
pub fn adopt_form(metadata: &AdoptMetadata, lang: Lang) -> SlackView {
    let tz = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "inventory-adopt-title")),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "{}",
                    t!(
                        lang,
                        "inventory-adopt-intro",
                        guest = format!("<@{}>", metadata.slack_user_id)
                    )
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "inventory-adopt-sponsor")),
                        SlackBlockUsersSelectElement::new()
                            .with_action_id(ADOPT_SPONSOR_BLOCK.into())
                            .with_placeholder(pt!(t!(lang, "inventory-adopt-sponsor-placeholder")))
                            .into()
                    )
                    .with_block_id(ADOPT_SPONSOR_BLOCK.into())
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "inventory-adopt-ends")),
                        SlackBlockDatePickerElement::new()
                            .with_action_id(ADOPT_DATE_BLOCK.into())
                            .into()
                    )
                    .with_block_id(ADOPT_DATE_BLOCK.into())
                    .with_hint(pt!(t!(
                        lang,
                        "inventory-adopt-ends-hint",
                        tz = tz
                    )))
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "inventory-adopt-note")),
                        SlackBlockPlainTextInputElement::new()
                            .with_action_id(ADOPT_REASON_BLOCK.into())
                            .with_multiline(true)
                            .with_max_length(500)
                            .into()
                    )
                    .with_block_id(ADOPT_REASON_BLOCK.into())
                    .with_optional(true)
                )
            ],
        )
        .with_submit(pt!(t!(lang, "inventory-adopt-submit")))
        .with_close(pt!(t!(lang, "button-cancel")))
        .with_callback_id(View::AdoptForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
        // No external_id: Slack keeps one per workspace for good, so a second opening of
        // the same form would be refused (duplicate_external_id); nothing updates these by it.
    )
}

/// A guest whose sponsor left: to approvers, with Reassign and End now. `mention`: the
/// approvers' mentions, or empty.
pub fn orphan_card(
    request: &GuestRequest,
    sponsor: &str,
    mention: &str,
    deadline: DateTime<Utc>,
    ends_at_deadline: bool,
    lang: Lang,
) -> SlackMessageContent {
    let text = t!(
        lang,
        "inventory-orphan-card",
        sponsor = format!("<@{sponsor}>"),
        who = who(request),
        approvers = if mention.trim().is_empty() {
            t!(lang, "inventory-approvers")
        } else {
            mention.to_string()
        },
        deadline = date(deadline, lang),
        after = if ends_at_deadline { "end" } else { "keep" }
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackActionsBlock::new(slack_blocks![
                    some_into(
                        button(
                            &t!(lang, "inventory-button-reassign"),
                            &Button::Reassign(request.id)
                        )
                        .with_style(SlackBlockButtonStyle::Primary)
                    ),
                    some_into(
                        button(
                            &t!(lang, "inventory-button-end-now"),
                            &Button::Revoke(request.id)
                        )
                        .with_style(SlackBlockButtonStyle::Danger)
                        .with_confirm(confirm_in(
                            &t!(lang, "inventory-end-confirm-title"),
                            t!(
                                lang,
                                "inventory-end-confirm-text",
                                name = safe(&request.full_name, 100)
                            ),
                            &t!(lang, "inventory-button-end-now"),
                            lang
                        ))
                    )
                ])
                .with_block_id(format!("orphan:{}", request.id.0).into())
            )
        ])
}

/// `*Grace Hopper* (grace@partner.com)`.
fn who(request: &GuestRequest) -> String {
    format!(
        "*{}* ({})",
        safe(&request.full_name, 100),
        safe(request.email.as_str(), 254)
    )
}

/// Reassign: who sponsors the guest from now on.
pub fn reassign_form(
    request: &GuestRequest,
    metadata: &crate::slack::ids::ReassignMetadata,
    lang: Lang,
) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "inventory-reassign-title")),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "{}",
                    t!(lang, "inventory-reassign-intro", who = who(request))
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "inventory-reassign-field")),
                        SlackBlockUsersSelectElement::new()
                            .with_action_id(crate::slack::ids::REASSIGN_SPONSOR_BLOCK.into())
                            .into()
                    )
                    .with_block_id(crate::slack::ids::REASSIGN_SPONSOR_BLOCK.into())
                )
            ],
        )
        .with_submit(pt!(t!(lang, "inventory-reassign-submit")))
        .with_close(pt!(t!(lang, "button-cancel")))
        .with_callback_id(View::ReassignForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// One account in the digest: `*#4* Grace Hopper (grace@…) · Multi-channel guest · active`.
fn account_line(request: &GuestRequest, lang: Lang) -> String {
    format!(
        "*{}* {} ({}) · {} · {}",
        request.id,
        safe(&request.full_name, 60),
        safe(request.email.as_str(), 254),
        crate::slack::say::guest_type_label(request.guest_type, lang),
        crate::slack::say::state_word(request.state, lang)
    )
}

/// The weekly digest in the request channel: what ends in the next 7 days, and what Slack has
/// that Guestlist does not manage.
pub fn weekly_digest(
    ending: &[GuestRequest],
    unmanaged: usize,
    now: DateTime<Utc>,
    lang: Lang,
) -> SlackMessageContent {
    const MAX_LINES: usize = 15;
    let mut lines: Vec<String> = ending
        .iter()
        .take(MAX_LINES)
        .map(|r| {
            t!(
                lang,
                "inventory-digest-line",
                line = account_line(r, lang),
                sponsor = format!("<@{}>", r.requester),
                ends = expiry_words(r, now, lang)
            )
        })
        .collect();
    if ending.len() > MAX_LINES {
        lines.push(t!(
            lang,
            "inventory-digest-more",
            count = ending.len() - MAX_LINES
        ));
    }
    let heading = if ending.is_empty() {
        t!(lang, "inventory-digest-none-ending")
    } else {
        t!(lang, "inventory-digest-ending", count = ending.len())
    };
    let unmanaged_text = match unmanaged {
        0 => t!(lang, "inventory-digest-all-managed"),
        n => t!(lang, "inventory-digest-unmanaged", count = n),
    };
    // One section per account: a line can take some 400 characters (a long address, French
    // words), and Slack refuses a section over 3,000.
    let section =
        |text: String| -> SlackBlock { SlackSectionBlock::new().with_text(md!("{}", text)).into() };
    let mut blocks = vec![section(format!(
        "{}\n{heading}",
        t!(lang, "inventory-digest-title")
    ))];
    blocks.extend(lines.into_iter().map(section));
    blocks.push(section(unmanaged_text));
    SlackMessageContent::new()
        .with_text(t!(
            lang,
            "inventory-digest-fallback",
            ending = ending.len(),
            unmanaged = unmanaged
        ))
        .with_blocks(blocks)
}
