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

pub fn unmanaged_lines(guests: &[UnmanagedLine], total: usize) -> Vec<SlackBlock> {
    const MAX_SHOWN: usize = 10;
    let mut blocks: Vec<SlackBlock> = vec![
        SlackDividerBlock::new().into(),
        SlackHeaderBlock::new(pt!(format!(
            "Guests Guestlist does not manage ({total})"
        )))
        .into(),
        SlackContextBlock::new(vec![md!(
            "Found in Slack, not invited through Guestlist. Adopt one to give it a sponsor and an end date; from then on it gets reminders and ends on time."
        )])
        .into(),
    ];
    for guest in guests.iter().take(MAX_SHOWN) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!(
                    "<@{}> · {} · {}",
                    guest.slack_user_id,
                    safe(guest.email.as_deref().unwrap_or("no email"), 254),
                    if guest.single_channel {
                        "single-channel guest"
                    } else {
                        "multi-channel guest"
                    }
                ))
                .with_accessory(SlackSectionBlockElement::Button(button(
                    "Adopt",
                    &Button::Adopt(guest.slack_user_id.clone()),
                )))
                .into(),
        );
    }
    if total > MAX_SHOWN {
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "…and {} more: `guestlist guests --unmanaged` lists them all.",
                total - MAX_SHOWN
            )])
            .into(),
        );
    }
    blocks
}

/// Adopt: who sponsors the guest from now on, and when the access ends.
pub fn adopt_form(guest: &str, metadata: &AdoptMetadata) -> SlackView {
    let tz = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    SlackView::Modal(
        SlackModalView::new(
            pt!("Adopt a guest"),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "<@{}> becomes a guest Guestlist manages: the sponsor is asked about it, it gets reminders, and it ends on the date you set. Guestlist changes only this account, and only after checking it is still a guest.",
                    metadata.slack_user_id
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!("Sponsor"),
                        SlackBlockUsersSelectElement::new()
                            .with_action_id(ADOPT_SPONSOR_BLOCK.into())
                            .with_placeholder(pt!("Who vouches for this guest"))
                            .into()
                    )
                    .with_block_id(ADOPT_SPONSOR_BLOCK.into())
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!("Access ends on"),
                        SlackBlockDatePickerElement::new()
                            .with_action_id(ADOPT_DATE_BLOCK.into())
                            .into()
                    )
                    .with_block_id(ADOPT_DATE_BLOCK.into())
                    .with_hint(pt!(format!("At 17:00 in your time zone ({tz}).")))
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!("Note"),
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
        .with_submit(pt!("Adopt"))
        .with_close(pt!("Cancel"))
        .with_callback_id(View::AdoptForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises"))
        .with_external_id(format!("adopt:{guest}")),
    )
}

/// A guest whose sponsor left: to approvers, with Reassign and End now.
pub fn orphan_card(
    request: &GuestRequest,
    sponsor: &str,
    mention: &str,
    deadline: DateTime<Utc>,
    ends_at_deadline: bool,
) -> SlackMessageContent {
    let after = if ends_at_deadline {
        "the access ends"
    } else {
        "the guest stays, without a sponsor"
    };
    let text = format!(
        ":bust_in_silhouette: <@{sponsor}>, who sponsors *{}* ({}), has left (deactivated, or a guest now). {} please give this guest a new sponsor or end the access. If nobody does by {}, {after}.",
        safe(&request.full_name, 100),
        safe(request.email.as_str(), 254),
        if mention.is_empty() {
            "Approvers,".to_string()
        } else {
            format!("{mention},")
        },
        slack_date(deadline)
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(slack_blocks![
            some_into(SlackSectionBlock::new().with_text(md!("{}", text))),
            some_into(
                SlackActionsBlock::new(slack_blocks![
                    some_into(
                        button("Reassign", &Button::Reassign(request.id))
                            .with_style(SlackBlockButtonStyle::Primary)
                    ),
                    some_into(
                        button("End now", &Button::Revoke(request.id))
                            .with_style(SlackBlockButtonStyle::Danger)
                            .with_confirm(confirm(
                                "End this guest's access?",
                                format!("{} loses access now.", safe(&request.full_name, 100)),
                                "End now"
                            ))
                    )
                ])
                .with_block_id(format!("orphan:{}", request.id.0).into())
            )
        ])
}

/// Reassign: who sponsors the guest from now on.
pub fn reassign_form(
    request: &GuestRequest,
    metadata: &crate::slack::ids::ReassignMetadata,
) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(
            pt!("New sponsor"),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "Who vouches for *{}* ({}) from now on? They are told, and get the reminders and reviews.",
                    safe(&request.full_name, 100),
                    safe(request.email.as_str(), 254)
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!("New sponsor"),
                        SlackBlockUsersSelectElement::new()
                            .with_action_id(crate::slack::ids::REASSIGN_SPONSOR_BLOCK.into())
                            .into()
                    )
                    .with_block_id(crate::slack::ids::REASSIGN_SPONSOR_BLOCK.into())
                )
            ],
        )
        .with_submit(pt!("Reassign"))
        .with_close(pt!("Cancel"))
        .with_callback_id(View::ReassignForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// The weekly digest in the request channel: what ends in the next 7 days, and what Slack has
/// that Guestlist does not manage.
pub fn weekly_digest(
    ending: &[GuestRequest],
    unmanaged: usize,
    now: DateTime<Utc>,
) -> SlackMessageContent {
    const MAX_LINES: usize = 15;
    let mut lines: Vec<String> = ending
        .iter()
        .take(MAX_LINES)
        .map(|r| {
            format!(
                "• {} · sponsor <@{}> · ends {}",
                super::home::request_line(r, Lang::En),
                r.requester,
                expiry_text(r, now)
            )
        })
        .collect();
    if ending.len() > MAX_LINES {
        lines.push(format!(
            "…and {} more (`guestlist guests --expiring-within 7d`).",
            ending.len() - MAX_LINES
        ));
    }
    let ending_text = if ending.is_empty() {
        "No guest account ends in the next 7 days.".to_string()
    } else {
        format!(
            "*{} guest account(s) end in the next 7 days:*\n{}",
            ending.len(),
            lines.join("\n")
        )
    };
    let unmanaged_text = match unmanaged {
        0 => "Every guest in the workspace is managed by Guestlist.".to_string(),
        n => format!(
            "*{n} guest(s) in Slack are not managed by Guestlist:* approvers can adopt them from the app's Home tab."
        ),
    };
    let text =
        format!(":spiral_calendar_pad: *Weekly guest digest*\n{ending_text}\n{unmanaged_text}");
    SlackMessageContent::new()
        .with_text(format!(
            "Weekly guest digest: {} ending in 7 days, {unmanaged} unmanaged",
            ending.len()
        ))
        .with_blocks(slack_blocks![some_into(
            SlackSectionBlock::new().with_text(md!("{}", text))
        )])
}
