//! Invite links in Slack: the form that makes one, the view that shows it once, and the lines
//! App Home lists them with.

use super::form::{ExpiryInputs, channels_select, expiry_blocks, radio, type_label};
use super::*;
use crate::domain::join::{InviteLink, MAX_LINK_DAYS, MAX_LINK_USES};
use crate::domain::policy::{Field, RequestPolicy};
use crate::slack::ids::{FormMetadata, LINK_DAYS_BLOCK, LINK_USES_BLOCK, View, field_block_id};

/// `/guest link` and App Home's button: what everyone who uses the link gets, and how often
/// and how long it may be used.
pub fn link_form(policy: &RequestPolicy, metadata: &FormMetadata, lang: Lang) -> SlackView {
    let tz_name = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let tz = crate::domain::expiry::zone(Some(&tz_name));
    let labels: Vec<(&str, String)> = policy
        .guest_types
        .iter()
        .filter(|t| **t != GuestType::Member)
        .map(|t| (t.as_str(), type_label(*t, lang)))
        .collect();
    let types: Vec<(&str, &str)> = labels.iter().map(|(v, l)| (*v, l.as_str())).collect();
    let type_options = radio(&types);
    let (days, date, never) = (
        t!(lang, "link-form-mode-days"),
        t!(lang, "link-form-mode-date"),
        t!(lang, "link-form-mode-never"),
    );
    let mut modes = vec![("days", days.as_str()), ("date", date.as_str())];
    if policy.allow_never {
        modes.push(("never", never.as_str()));
    }
    let mode_options = radio(&modes);
    let initial = ExpiryInputs::of(None, tz, policy.allow_never);
    let channels = channels_select(policy, lang);
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
        some_into(SlackSectionBlock::new().with_text(md!("{}", t!(lang, "link-form-intro")))),
        some_into(
            SlackInputBlock::new(
                pt!(t!(lang, "link-form-type")),
                SlackBlockRadioButtonsElement::new(type_options.clone())
                    .with_action_id(field_block_id(Field::GuestType).into())
                    .with_initial_option(type_options[0].clone())
                    .into()
            )
            .with_block_id(field_block_id(Field::GuestType).into())
        ),
        some_into(
            SlackInputBlock::new(pt!(t!(lang, "link-form-channels")), channels.into())
                .with_block_id(field_block_id(Field::Channels).into())
                .with_hint(pt!(t!(lang, "link-form-channels-hint")))
        )
    ];
    blocks.extend(expiry_blocks(
        &mode_options,
        mode_options[0].clone(),
        &initial,
        policy.max_expiry_days,
        &tz_name,
        None,
        lang,
    ));
    blocks.push(number(
        LINK_USES_BLOCK,
        &t!(lang, "link-form-uses"),
        "1",
        MAX_LINK_USES,
        &t!(lang, "link-form-uses-hint"),
    ));
    blocks.push(number(
        LINK_DAYS_BLOCK,
        &t!(lang, "link-form-days"),
        "7",
        MAX_LINK_DAYS,
        &t!(lang, "link-form-days-hint", max = MAX_LINK_DAYS),
    ));
    SlackView::Modal(
        SlackModalView::new(pt!(t!(lang, "link-form-title")), blocks)
            .with_submit(pt!(t!(lang, "link-form-submit")))
            .with_close(pt!(t!(lang, "button-cancel")))
            .with_callback_id(View::LinkForm.callback_id().into())
            .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
    )
}

/// What the link offers, in one line (App Home, the created view).
pub fn link_terms(link: &InviteLink, lang: Lang) -> String {
    let ends = match link.terms.expiry {
        Expiry::AfterDays { days } => t!(lang, "link-ends-after-days", days = days),
        Expiry::At { at } => date(at, lang),
        Expiry::Never => t!(lang, "link-ends-never"),
    };
    t!(
        lang,
        "link-terms",
        kind = crate::slack::say::guest_type_label(link.terms.guest_type, lang),
        channels = crate::slack::say::channels(&link.terms.channels),
        ends = ends
    )
}

/// Replaces the form once the link exists: the only time the link is shown (only its hash
/// is kept).
pub fn link_created(url: &str, link: &InviteLink, lang: Lang) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "link-created-title")),
            slack_blocks![
                some_into(
                    SlackSectionBlock::new().with_text(md!("{}", t!(lang, "link-created-intro")))
                ),
                some_into(SlackSectionBlock::new().with_text(md!("```{}```", url))),
                some_into(SlackContextBlock::new(vec![md!(
                    "{}",
                    t!(
                        lang,
                        "link-created-terms",
                        terms = link_terms(link, lang),
                        uses = link.max_uses,
                        until = date(link.valid_until, lang)
                    )
                )]))
            ],
        )
        .with_close(pt!(t!(lang, "link-created-done"))),
    )
}

/// App Home: the viewer's open links, each with Revoke.
pub fn link_lines(links: &[InviteLink], lang: Lang) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = vec![
        SlackDividerBlock::new().into(),
        SlackHeaderBlock::new(pt!(t!(lang, "link-home-header"))).into(),
    ];
    if links.is_empty() {
        blocks.push(SlackContextBlock::new(vec![md!("{}", t!(lang, "link-home-none"))]).into());
    }
    const MAX_SHOWN: usize = 10;
    for link in links.iter().take(MAX_SHOWN) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!(
                    "{}",
                    t!(
                        lang,
                        "link-home-line",
                        id = link.id,
                        terms = link_terms(link, lang),
                        left = link.uses_left(),
                        max = link.max_uses,
                        until = date(link.valid_until, lang)
                    )
                ))
                .with_accessory(SlackSectionBlockElement::Button(
                    button(
                        &t!(lang, "link-button-revoke"),
                        &Button::RevokeLink(link.id),
                    )
                    .with_style(SlackBlockButtonStyle::Danger)
                    .with_confirm(confirm_in(
                        &t!(lang, "link-revoke-confirm-title"),
                        t!(lang, "link-revoke-confirm-text", id = link.id),
                        &t!(lang, "link-button-revoke"),
                        lang,
                    )),
                ))
                .into(),
        );
    }
    if links.len() > MAX_SHOWN {
        blocks.push(
            SlackContextBlock::new(vec![md!(
                "{}",
                t!(lang, "link-home-more", count = links.len() - MAX_SHOWN)
            )])
            .into(),
        );
    }
    blocks.push(
        SlackActionsBlock::new(slack_blocks![some_into(button(
            &t!(lang, "link-button-new"),
            &Button::NewLink
        ))])
        .into(),
    );
    blocks
}
