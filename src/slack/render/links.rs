//! Invite links in Slack: the form that makes one, the view that shows it once, and the lines
//! App Home lists them with.

use super::form::{ExpiryInputs, channels_select, expiry_blocks, radio, type_label};
use super::*;
use crate::domain::join::{InviteLink, MAX_LINK_DAYS, MAX_LINK_USES};
use crate::domain::policy::{Field, RequestPolicy};
use crate::slack::ids::{FormMetadata, LINK_DAYS_BLOCK, LINK_USES_BLOCK, View, field_block_id};

/// `/guest link` and App Home's button: what everyone who uses the link gets, and how often
/// and how long it may be used.
pub fn link_form(policy: &RequestPolicy, metadata: &FormMetadata) -> SlackView {
    let tz_name = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let tz = crate::domain::expiry::zone(Some(&tz_name));
    let labels: Vec<(&str, String)> = policy
        .guest_types
        .iter()
        .filter(|t| **t != GuestType::Member)
        .map(|t| (t.as_str(), type_label(*t, Lang::En)))
        .collect();
    let types: Vec<(&str, &str)> = labels.iter().map(|(v, l)| (*v, l.as_str())).collect();
    let type_options = radio(&types);
    let mut modes = vec![
        ("days", "After a number of days (counted from approval)"),
        ("date", "On a date and time"),
    ];
    if policy.allow_never {
        modes.push(("never", "Never"));
    }
    let mode_options = radio(&modes);
    let initial = ExpiryInputs::of(None, tz, policy.allow_never);
    let channels = channels_select(policy, Lang::En);
    let number = |block: &str, label: &str, initial: &str, max: u32, hint: &str| -> SlackBlock {
        SlackInputBlock::new(
            pt!(label),
            SlackBlockNumberInputElement::new(false)
                .with_action_id(block.into())
                .with_initial_value(initial.into())
                .with_min_value("1".into())
                .with_max_value(max.to_string())
                .into(),
        )
        .with_block_id(block.into())
        .with_hint(pt!(hint))
        .into()
    };
    let mut blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackSectionBlock::new().with_text(md!(
            "Whoever opens the link can ask for a guest account on these terms. Each request still goes to approvers, with you as its sponsor."
        ))),
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
            SlackInputBlock::new(pt!("Channels"), channels.into())
                .with_block_id(field_block_id(Field::Channels).into())
                .with_hint(pt!("A single-channel guest gets exactly one channel."))
        )
    ];
    blocks.extend(expiry_blocks(
        &mode_options,
        mode_options[0].clone(),
        &initial,
        policy.max_expiry_days,
        &tz_name,
        None,
        Lang::En,
    ));
    blocks.push(number(
        LINK_USES_BLOCK,
        "How many people may use it",
        "1",
        MAX_LINK_USES,
        "1 for a link meant for one person.",
    ));
    blocks.push(number(
        LINK_DAYS_BLOCK,
        "Valid for (days)",
        "7",
        MAX_LINK_DAYS,
        "1 to 30 days.",
    ));
    SlackView::Modal(
        SlackModalView::new(pt!("New invite link"), blocks)
            .with_submit(pt!("Create link"))
            .with_close(pt!("Cancel"))
            .with_callback_id(View::LinkForm.callback_id().into())
            .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// What the link offers, in one line (App Home, the created view).
pub fn link_terms(link: &InviteLink) -> String {
    let channels = link
        .terms
        .channels
        .iter()
        .map(|c| format!("<#{c}>"))
        .collect::<Vec<_>>()
        .join(" ");
    let ends = match link.terms.expiry {
        Expiry::AfterDays { days } => format!("{days} days after approval"),
        Expiry::At { at } => slack_date(at),
        Expiry::Never => "never".to_string(),
    };
    format!(
        "{} in {} · account ends: {}",
        crate::slack::say::guest_type_label(link.terms.guest_type, crate::i18n::Lang::En),
        channels,
        ends
    )
}

/// Replaces the form once the link exists: the only time the link is shown (only its hash
/// is kept).
pub fn link_created(url: &str, link: &InviteLink) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(
            pt!("Invite link ready"),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "Send this link to the people you want to invite. It is shown only now: copy it before you close this window."
                ))),
                some_into(SlackSectionBlock::new().with_text(md!("```{}```", url))),
                some_into(SlackContextBlock::new(vec![md!(
                    "{} · {} use(s) · valid until {}. You can revoke it from the app's Home tab.",
                    link_terms(link),
                    link.max_uses,
                    slack_date(link.valid_until)
                )]))
            ],
        )
        .with_close(pt!("Done")),
    )
}

/// App Home: the viewer's open links, each with Revoke.
pub fn link_lines(links: &[InviteLink]) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = vec![
        SlackDividerBlock::new().into(),
        SlackHeaderBlock::new(pt!("Your invite links")).into(),
    ];
    if links.is_empty() {
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "No open links. A link lets people outside Slack ask for an account themselves."
            )])
            .into(),
        );
    }
    const MAX_SHOWN: usize = 10;
    for link in links.iter().take(MAX_SHOWN) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!(
                    "*Link {}* · {} · {} of {} use(s) left · valid until {}",
                    link.id,
                    link_terms(link),
                    link.uses_left(),
                    link.max_uses,
                    slack_date(link.valid_until)
                ))
                .with_accessory(SlackSectionBlockElement::Button(
                    button("Revoke", &Button::RevokeLink(link.id))
                        .with_style(SlackBlockButtonStyle::Danger)
                        .with_confirm(confirm(
                            "Revoke this link?",
                            format!("Nobody will be able to use link {} any more.", link.id),
                            "Revoke",
                        )),
                ))
                .into(),
        );
    }
    if links.len() > MAX_SHOWN {
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "…and {} more. Revoke the ones you no longer need to see the rest.",
                links.len() - MAX_SHOWN
            )])
            .into(),
        );
    }
    blocks.push(
        SlackActionsBlock::new(slack_blocks![some_into(button(
            "New invite link",
            &Button::NewLink
        ))])
        .into(),
    );
    blocks
}
