//! Access reviews: the sponsor's DM (one section per guest, with Keep / Shorten / End), the
//! approvers' message for what went unanswered, the progress message, and the Shorten form.

use super::*;
use crate::domain::expiry::zone;
use crate::domain::review::{ItemState, Progress};
use crate::slack::ids::{REVIEW_DATE_BLOCK, ReviewShortenMetadata, View};

/// At most this many guests per message (three blocks each, under Slack's 50 blocks).
pub const REVIEW_ITEMS_PER_MESSAGE: usize = 15;

/// A campaign as its messages name it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewHeading {
    pub id: i64,
    pub deadline: DateTime<Utc>,
    /// `every guest`, `guests from example.com`…
    pub scope: String,
    /// What happens to unanswered guests: `end`, `escalate` or `keep`.
    pub outcome: &'static str,
}

/// One guest of a campaign, with the account as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewLine {
    pub item_id: i64,
    pub state: ItemState,
    /// Who answered (a Slack user id; `None` for the deadline).
    pub decided_by: Option<String>,
    pub sponsor: String,
    pub request: GuestRequest,
}

fn outcome_words(outcome: &str) -> &'static str {
    match outcome {
        "end" => "their access ends",
        "keep" => "their access stays as it is",
        _ => "approvers decide",
    }
}

fn answered_text(line: &ReviewLine) -> String {
    let by = line
        .decided_by
        .as_deref()
        .map(|b| format!(" by <@{b}>"))
        .unwrap_or_default();
    match line.state {
        ItemState::Kept => format!(":white_check_mark: Kept{by}"),
        ItemState::Shortened => format!(
            ":calendar: Shortened{by}: now ends {}",
            line.request
                .expires_at
                .map(slack_date)
                .unwrap_or_else(|| "—".into())
        ),
        ItemState::Ended => format!(":lock: Ended{by}"),
        ItemState::KeptUnanswered => {
            ":information_source: Not answered by the deadline: kept".to_string()
        }
        ItemState::EndedUnanswered => ":lock: Not answered by the deadline: ended".to_string(),
        ItemState::Gone => ":heavy_minus_sign: Ended or changed before the review".to_string(),
        ItemState::Escalated => ":raised_hand: Not answered in time: approvers decide".to_string(),
        ItemState::Pending => String::new(),
    }
}

fn guest_text(line: &ReviewLine, now: DateTime<Utc>) -> String {
    let r = &line.request;
    format!(
        "*{}* · {} · {}\n{} · ends: {}",
        safe(&r.full_name, 100),
        safe(r.email.as_str(), 254),
        crate::slack::say::guest_type_label(r.guest_type, crate::i18n::Lang::En),
        channels_text(r),
        expiry_text(r, now)
    )
}

fn keep_label(line: &ReviewLine, tz: Option<&str>) -> String {
    match line.request.expires_at {
        Some(at) => format!(
            "Keep until {}",
            at.with_timezone(&zone(tz)).format("%-d %b %Y")
        ),
        None => "Keep (no end date)".to_string(),
    }
}

/// One message of a sponsor's review (or the approvers', `for_approvers`), for `lines` (at
/// most `REVIEW_ITEMS_PER_MESSAGE`). Answered guests show who answered, without buttons.
pub fn review_message(
    heading: &ReviewHeading,
    lines: &[ReviewLine],
    for_approvers: bool,
    tz: Option<&str>,
    now: DateTime<Utc>,
) -> SlackMessageContent {
    let open = lines.iter().filter(|l| l.state.is_open()).count();
    let intro = if for_approvers {
        format!(
            ":raised_hand: *Access review #{}* ({}): nobody answered for these guests by the deadline, or they have no sponsor. Approvers decide: keep, shorten or end each one.",
            heading.id,
            escape(&heading.scope)
        )
    } else {
        format!(
            ":mag: *Access review #{}*: you sponsor these guests. Does each still need access? Answer by {}; after that, {}.",
            heading.id,
            slack_date(heading.deadline),
            outcome_words(heading.outcome)
        )
    };
    let fallback = if open == 0 {
        format!("Access review #{}: all answered, thank you.", heading.id)
    } else {
        format!(
            "Access review #{}: {open} guest(s) to review by {}.",
            heading.id,
            crate::domain::expiry::format_utc(heading.deadline)
        )
    };
    let mut blocks: Vec<SlackBlock> =
        vec![SlackSectionBlock::new().with_text(md!("{}", intro)).into()];
    for line in lines.iter().take(REVIEW_ITEMS_PER_MESSAGE) {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", guest_text(line, now)))
                .into(),
        );
        if line.state.is_open() {
            let id = line.item_id;
            blocks.push(
                SlackActionsBlock::new(slack_blocks![
                    some_into(
                        button(&keep_label(line, tz), &Button::ReviewKeep(id))
                            .with_style(SlackBlockButtonStyle::Primary)
                    ),
                    some_into(button("Shorten…", &Button::ReviewShorten(id))),
                    some_into(
                        button("End", &Button::ReviewEnd(id))
                            .with_style(SlackBlockButtonStyle::Danger)
                            .with_confirm(confirm(
                                "End this access?",
                                format!(
                                    "The guest account of *{}* is deactivated now.",
                                    safe(&line.request.full_name, 100)
                                ),
                                "End access"
                            ))
                    )
                ])
                .into(),
            );
        } else {
            blocks.push(SlackContextBlock::new(vec![md!("{}", answered_text(line))]).into());
        }
    }
    SlackMessageContent::new()
        .with_text(fallback)
        .with_blocks(blocks)
}

/// The campaign's one message in the request channel, updated as answers come.
pub fn review_progress(
    heading: &ReviewHeading,
    progress: &Progress,
    closed: bool,
) -> SlackMessageContent {
    let p = progress;
    let mut counts = format!(
        "{} of {} reviewed · {} ended · {} waiting",
        p.reviewed, p.total, p.ended, p.waiting
    );
    if p.escalated > 0 {
        counts.push_str(&format!(" · {} with approvers", p.escalated));
    }
    if p.shortened > 0 {
        counts.push_str(&format!(" · {} shortened", p.shortened));
    }
    if p.ended_unanswered > 0 {
        counts.push_str(&format!(
            " · {} ended for want of an answer",
            p.ended_unanswered
        ));
    }
    if p.gone > 0 {
        counts.push_str(&format!(" · {} ended before the review", p.gone));
    }
    let head = if closed {
        format!(
            ":checkered_flag: *Access review #{}* ({}) is over",
            heading.id,
            escape(&heading.scope)
        )
    } else {
        format!(
            ":mag: *Access review #{}* ({}) · answers due {}",
            heading.id,
            escape(&heading.scope),
            slack_date(heading.deadline)
        )
    };
    let text = format!("{head}\n{counts}");
    SlackMessageContent::new()
        .with_text(format!("Access review #{}: {counts}", heading.id))
        .with_blocks(slack_blocks![some_into(
            SlackSectionBlock::new().with_text(md!("{}", text))
        )])
}

/// Shorten: the new (earlier) end, at 17:00 in the reviewer's zone.
pub fn review_shorten_form(line: &ReviewLine, metadata: &ReviewShortenMetadata) -> SlackView {
    let tz = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let current = line
        .request
        .expires_at
        .map(slack_date)
        .unwrap_or_else(|| "no end date".into());
    SlackView::Modal(
        SlackModalView::new(
            pt!("Shorten access"),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "*{}* ({}) · now ends: {}",
                    safe(&line.request.full_name, 100),
                    safe(line.request.email.as_str(), 254),
                    current
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!("New end date"),
                        SlackBlockDatePickerElement::new()
                            .with_action_id(REVIEW_DATE_BLOCK.into())
                            .into()
                    )
                    .with_block_id(REVIEW_DATE_BLOCK.into())
                    .with_hint(pt!(format!(
                        "Earlier than the current end. At 17:00 in your time zone ({tz})."
                    )))
                )
            ],
        )
        .with_submit(pt!("Shorten"))
        .with_close(pt!("Cancel"))
        .with_callback_id(View::ReviewShortenForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises"))
        .with_external_id(format!("review_shorten:{}", metadata.item_id)),
    )
}

/// Change a live guest's access: its channels (remove some: done now; add some: approvers
/// decide) and its end (earlier: done now; later: approvers decide).
pub fn change_access_form(
    request: &GuestRequest,
    metadata: &crate::slack::ids::ChangeAccessMetadata,
    policy_max_channels: usize,
) -> SlackView {
    use crate::slack::ids::{CHANGE_CHANNELS_BLOCK, CHANGE_DATE_BLOCK, CHANGE_REASON_BLOCK};
    let tz = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let mut channels = SlackBlockMultiConversationsSelectElement::new()
        .with_action_id(CHANGE_CHANNELS_BLOCK.into())
        .with_max_selected_items(policy_max_channels.max(1) as u64)
        .with_filter(
            SlackBlockConversationFilter::new()
                .with_include(vec![
                    SlackConversationFilterInclude::Public,
                    SlackConversationFilterInclude::Private,
                ])
                .with_exclude_bot_users(true)
                .with_exclude_external_shared_channels(true),
        );
    channels.initial_conversations = Some(
        request
            .channels
            .iter()
            .map(|c| SlackConversationId(c.to_string()))
            .collect(),
    );
    let mut date = SlackBlockDatePickerElement::new().with_action_id(CHANGE_DATE_BLOCK.into());
    if let Some(at) = request.expires_at {
        date = date.with_initial_date(
            at.with_timezone(&zone(metadata.tz.as_deref()))
                .format("%Y-%m-%d")
                .to_string(),
        );
    }
    SlackView::Modal(
        SlackModalView::new(
            pt!("Change access"),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "*{}* ({}) · {} · sponsor <@{}>\nRemoving channels or ending earlier applies now. More channels or a later end go to approvers, like a new request.",
                    safe(&request.full_name, 100),
                    safe(request.email.as_str(), 254),
                    crate::slack::say::guest_type_label(request.guest_type, crate::i18n::Lang::En),
                    request.requester
                ))),
                some_into(
                    SlackInputBlock::new(pt!("Channels"), channels.into())
                        .with_block_id(CHANGE_CHANNELS_BLOCK.into())
                ),
                some_into(
                    SlackInputBlock::new(pt!("Access ends on"), date.into())
                        .with_block_id(CHANGE_DATE_BLOCK.into())
                        .with_optional(true)
                        .with_hint(pt!(format!(
                            "At 17:00 in your time zone ({tz}). Leave empty to keep the current end."
                        )))
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!("Why"),
                        SlackBlockPlainTextInputElement::new()
                            .with_action_id(CHANGE_REASON_BLOCK.into())
                            .with_multiline(true)
                            .with_max_length(500)
                            .into()
                    )
                    .with_block_id(CHANGE_REASON_BLOCK.into())
                )
            ],
        )
        .with_submit(pt!("Change"))
        .with_close(pt!("Cancel"))
        .with_callback_id(View::ChangeAccessForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises"))
        .with_external_id(format!("change_access:{}", request.id.0)),
    )
}
