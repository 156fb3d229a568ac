//! Access reviews: the sponsor's DM (one section per guest, with Keep / Shorten / End), the
//! approvers' message for what went unanswered, the progress message, and the Shorten form.

use super::*;
use crate::domain::expiry::zone;
use crate::domain::review::{ItemState, Progress, ReviewOutcome, Scope};
use crate::slack::ids::{REVIEW_DATE_BLOCK, ReviewShortenMetadata, View};
use crate::slack::say::{guest_type_label, mention};

/// At most this many guests per message (three blocks each, under Slack's 50 blocks).
pub const REVIEW_ITEMS_PER_MESSAGE: usize = 15;

/// A campaign as its messages name it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewHeading {
    pub id: i64,
    pub deadline: DateTime<Utc>,
    /// Which guests: all, or those of a domain, or in a channel.
    pub scope: Scope,
    /// What happens to unanswered guests.
    pub outcome: ReviewOutcome,
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

/// "every guest", "guests from example.com", "guests in C123"…
fn scope_words(scope: &Scope, lang: Lang) -> String {
    match (&scope.domain, &scope.channel) {
        (None, None) => t!(lang, "review-scope-all"),
        (Some(domain), None) => t!(lang, "review-scope-domain", domain = escape(domain)),
        (None, Some(channel)) => t!(lang, "review-scope-channel", channel = escape(channel)),
        (Some(domain), Some(channel)) => t!(
            lang,
            "review-scope-domain-channel",
            domain = escape(domain),
            channel = escape(channel)
        ),
    }
}

fn answered_text(line: &ReviewLine, lang: Lang) -> String {
    let by = line.decided_by.as_deref().map(|b| mention(&b.into()));
    let ends = || {
        line.request
            .expires_at
            .map(|at| date(at, lang))
            .unwrap_or_else(|| "—".into())
    };
    match (line.state, by) {
        (ItemState::Kept, None) => t!(lang, "review-kept"),
        (ItemState::Kept, Some(by)) => t!(lang, "review-kept-by", by = by),
        (ItemState::Shortened, None) => t!(lang, "review-shortened", ends = ends()),
        (ItemState::Shortened, Some(by)) => {
            t!(lang, "review-shortened-by", by = by, ends = ends())
        }
        (ItemState::Ended, None) => t!(lang, "review-ended"),
        (ItemState::Ended, Some(by)) => t!(lang, "review-ended-by", by = by),
        (ItemState::KeptUnanswered, _) => t!(lang, "review-kept-unanswered"),
        (ItemState::EndedUnanswered, _) => t!(lang, "review-ended-unanswered"),
        (ItemState::Gone, _) => t!(lang, "review-gone"),
        (ItemState::Escalated, _) => t!(lang, "review-escalated"),
        (ItemState::Pending, _) => String::new(),
    }
}

fn guest_text(line: &ReviewLine, now: DateTime<Utc>, lang: Lang) -> String {
    let r = &line.request;
    t!(
        lang,
        "review-guest",
        name = safe(&r.full_name, 100),
        email = safe(r.email.as_str(), 254),
        kind = guest_type_label(r.guest_type, lang),
        channels = channels_text(r),
        ends = expiry_words(r, now, lang)
    )
}

/// "22 Dec 2026" / "22 déc. 2026", in the reviewer's zone.
fn short_day(at: DateTime<Utc>, tz: Option<&str>, lang: Lang) -> String {
    let locale = match lang {
        Lang::En => chrono::Locale::en_GB,
        Lang::Fr => chrono::Locale::fr_FR,
    };
    at.with_timezone(&zone(tz))
        .date_naive()
        .format_localized("%-d %b %Y", locale)
        .to_string()
}

fn keep_label(line: &ReviewLine, tz: Option<&str>, lang: Lang) -> String {
    match line.request.expires_at {
        Some(at) => t!(lang, "review-keep-until", date = short_day(at, tz, lang)),
        None => t!(lang, "review-keep-no-end"),
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
    lang: Lang,
) -> SlackMessageContent {
    let open = lines.iter().filter(|l| l.state.is_open()).count();
    let campaign = heading.id.to_string();
    let intro = if for_approvers {
        t!(
            lang,
            "review-approvers-intro",
            campaign = campaign.as_str(),
            scope = scope_words(&heading.scope, lang)
        )
    } else {
        t!(
            lang,
            "review-dm-intro",
            campaign = campaign.as_str(),
            deadline = date(heading.deadline, lang),
            outcome = heading.outcome.as_str()
        )
    };
    let fallback = if open == 0 {
        t!(lang, "review-all-answered", campaign = campaign.as_str())
    } else {
        t!(
            lang,
            "review-to-answer",
            campaign = campaign.as_str(),
            open = open,
            deadline = i18n::date_utc(heading.deadline, lang)
        )
    };
    let mut blocks: Vec<SlackBlock> =
        vec![SlackSectionBlock::new().with_text(md!("{}", intro)).into()];
    for line in lines.iter().take(REVIEW_ITEMS_PER_MESSAGE) {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", guest_text(line, now, lang)))
                .into(),
        );
        if line.state.is_open() {
            let id = line.item_id;
            blocks.push(
                SlackActionsBlock::new(slack_blocks![
                    some_into(
                        button(&keep_label(line, tz, lang), &Button::ReviewKeep(id))
                            .with_style(SlackBlockButtonStyle::Primary)
                    ),
                    some_into(button(
                        &t!(lang, "review-button-shorten"),
                        &Button::ReviewShorten(id)
                    )),
                    some_into(
                        button(&t!(lang, "review-button-end"), &Button::ReviewEnd(id))
                            .with_style(SlackBlockButtonStyle::Danger)
                            .with_confirm(confirm_in(
                                &t!(lang, "review-end-title"),
                                t!(
                                    lang,
                                    "review-end-text",
                                    name = safe(&line.request.full_name, 100)
                                ),
                                &t!(lang, "review-end-yes"),
                                lang
                            ))
                    )
                ])
                .into(),
            );
        } else {
            blocks.push(SlackContextBlock::new(vec![md!("{}", answered_text(line, lang))]).into());
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
    lang: Lang,
) -> SlackMessageContent {
    let p = progress;
    let mut counts = vec![t!(
        lang,
        "review-progress-counts",
        reviewed = p.reviewed,
        total = p.total,
        ended = p.ended,
        waiting = p.waiting
    )];
    if p.escalated > 0 {
        counts.push(t!(lang, "review-progress-escalated", count = p.escalated));
    }
    if p.shortened > 0 {
        counts.push(t!(lang, "review-progress-shortened", count = p.shortened));
    }
    if p.ended_unanswered > 0 {
        counts.push(t!(
            lang,
            "review-progress-ended-unanswered",
            count = p.ended_unanswered
        ));
    }
    if p.gone > 0 {
        counts.push(t!(lang, "review-progress-gone", count = p.gone));
    }
    let counts = counts.join(" · ");
    let campaign = heading.id.to_string();
    let scope = scope_words(&heading.scope, lang);
    let head = if closed {
        t!(
            lang,
            "review-progress-over",
            campaign = campaign.as_str(),
            scope = scope
        )
    } else {
        t!(
            lang,
            "review-progress-open",
            campaign = campaign.as_str(),
            scope = scope,
            deadline = date(heading.deadline, lang)
        )
    };
    let text = format!("{head}\n{counts}");
    SlackMessageContent::new()
        .with_text(t!(
            lang,
            "review-progress-fallback",
            campaign = campaign.as_str(),
            counts = counts.as_str()
        ))
        .with_blocks(slack_blocks![some_into(
            SlackSectionBlock::new().with_text(md!("{}", text))
        )])
}

/// Shorten: the new (earlier) end, at 17:00 in the reviewer's zone.
pub fn review_shorten_form(
    line: &ReviewLine,
    metadata: &ReviewShortenMetadata,
    lang: Lang,
) -> SlackView {
    let tz = metadata.tz.clone().unwrap_or_else(|| "UTC".into());
    let current = line
        .request
        .expires_at
        .map(|at| date(at, lang))
        .unwrap_or_else(|| t!(lang, "review-no-end-date"));
    SlackView::Modal(
        SlackModalView::new(
            pt!(t!(lang, "review-shorten-title")),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "{}",
                    t!(
                        lang,
                        "review-shorten-guest",
                        name = safe(&line.request.full_name, 100),
                        email = safe(line.request.email.as_str(), 254),
                        ends = current
                    )
                ))),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "review-shorten-date")),
                        SlackBlockDatePickerElement::new()
                            .with_action_id(REVIEW_DATE_BLOCK.into())
                            .into()
                    )
                    .with_block_id(REVIEW_DATE_BLOCK.into())
                    .with_hint(pt!(t!(
                        lang,
                        "review-shorten-hint",
                        tz = tz.as_str()
                    )))
                )
            ],
        )
        .with_submit(pt!(t!(lang, "review-shorten-submit")))
        .with_close(pt!(t!(lang, "button-cancel")))
        .with_callback_id(View::ReviewShortenForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
        // No external_id: Slack keeps one per workspace for good, so a second opening of
        // the same form would be refused (duplicate_external_id); nothing updates these by it.
    )
}

/// Change a live guest's access: its channels (remove some: done now; add some: approvers
/// decide) and its end (earlier: done now; later: approvers decide).
pub fn change_access_form(
    request: &GuestRequest,
    metadata: &crate::slack::ids::ChangeAccessMetadata,
    policy_max_channels: usize,
    lang: Lang,
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
            pt!(t!(lang, "change-title")),
            slack_blocks![
                some_into(SlackSectionBlock::new().with_text(md!(
                    "{}",
                    t!(
                        lang,
                        "change-guest",
                        name = safe(&request.full_name, 100),
                        email = safe(request.email.as_str(), 254),
                        kind = guest_type_label(request.guest_type, lang),
                        sponsor = mention(&request.requester)
                    )
                ))),
                some_into(
                    SlackInputBlock::new(pt!(t!(lang, "change-channels")), channels.into())
                        .with_block_id(CHANGE_CHANNELS_BLOCK.into())
                ),
                some_into(
                    SlackInputBlock::new(pt!(t!(lang, "change-ends-on")), date.into())
                        .with_block_id(CHANGE_DATE_BLOCK.into())
                        .with_optional(true)
                        .with_hint(pt!(t!(lang, "change-ends-hint", tz = tz.as_str())))
                ),
                some_into(
                    SlackInputBlock::new(
                        pt!(t!(lang, "change-why")),
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
        .with_submit(pt!(t!(lang, "change-submit")))
        .with_close(pt!(t!(lang, "button-cancel")))
        .with_callback_id(View::ChangeAccessForm.callback_id().into())
        .with_private_metadata(serde_json::to_string(metadata).expect("metadata serialises")),
        // No external_id: Slack keeps one per workspace for good, so a second opening of
        // the same form would be refused (duplicate_external_id); nothing updates these by it.
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::request;
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    fn heading(scope: Scope) -> ReviewHeading {
        ReviewHeading {
            id: 3,
            deadline: "2026-11-29T12:00:00Z".parse().unwrap(),
            scope,
            outcome: ReviewOutcome::End,
        }
    }

    fn lines() -> Vec<ReviewLine> {
        let open = ReviewLine {
            item_id: 7,
            state: ItemState::Pending,
            decided_by: None,
            sponsor: "UREQ".into(),
            request: request(RequestState::Active),
        };
        let kept = ReviewLine {
            item_id: 8,
            state: ItemState::Kept,
            decided_by: Some("UREQ".into()),
            ..open.clone()
        };
        vec![open, kept]
    }

    #[test]
    fn the_sponsors_review_message_in_english_and_french() {
        let scope = Scope::default();
        for (lang, name) in [
            (Lang::En, "review_message"),
            (Lang::Fr, "review_message_fr"),
        ] {
            let message = review_message(
                &heading(scope.clone()),
                &lines(),
                false,
                Some("Europe/Paris"),
                now(),
                lang,
            );
            insta::assert_json_snapshot!(name, message);
        }
        let en = serde_json::to_string(&review_message(
            &heading(scope.clone()),
            &lines(),
            false,
            Some("Europe/Paris"),
            now(),
            Lang::En,
        ))
        .unwrap();
        assert!(en.contains("you sponsor these guests"));
        assert!(en.contains("after that, their access ends."));
        assert!(en.contains("Keep until 22 Dec 2026"));
        assert!(en.contains(":white_check_mark: Kept by <@UREQ>"));
        let fr = serde_json::to_string(&review_message(
            &heading(scope),
            &lines(),
            false,
            Some("Europe/Paris"),
            now(),
            Lang::Fr,
        ))
        .unwrap();
        assert!(fr.contains("Conserver jusqu'au 22 déc. 2026"), "{fr}");
        assert!(
            fr.contains("passé ce délai, leur accès prendra fin."),
            "{fr}"
        );
    }

    #[test]
    fn the_approvers_message_names_the_scope_in_the_readers_language() {
        let scope = Scope {
            domain: Some("partner.example".into()),
            channel: None,
        };
        let text = |lang| {
            serde_json::to_string(&review_message(
                &heading(scope.clone()),
                &lines(),
                true,
                None,
                now(),
                lang,
            ))
            .unwrap()
        };
        assert!(
            text(Lang::En).contains("*Access review #3* (guests from partner.example): nobody")
        );
        assert!(text(Lang::Fr).contains("*Revue des accès #3* (invités de partner.example) :"));
    }

    #[test]
    fn progress_counts_with_plurals() {
        let progress = Progress {
            total: 5,
            reviewed: 5,
            ended: 3,
            waiting: 0,
            escalated: 0,
            shortened: 1,
            ended_unanswered: 2,
            gone: 0,
            ..Default::default()
        };
        let text = |lang| {
            serde_json::to_string(&review_progress(
                &heading(Scope::default()),
                &progress,
                true,
                lang,
            ))
            .unwrap()
        };
        let en = text(Lang::En);
        assert!(
            en.contains("*Access review #3* (every guest) is over"),
            "{en}"
        );
        assert!(en.contains(
            "5 of 5 reviewed · 3 ended · 0 waiting · 1 shortened · 2 ended for want of an answer"
        ));
        let fr = text(Lang::Fr);
        assert!(
            fr.contains("*Revue des accès #3* (tous les invités) terminée"),
            "{fr}"
        );
        assert!(
            fr.contains(
                "5 sur 5 revus · 3 terminés · 0 en attente · 1 raccourci · 2 terminés faute de réponse"
            ),
            "{fr}"
        );
    }

    #[test]
    fn the_change_access_form_in_french() {
        let metadata = crate::slack::ids::ChangeAccessMetadata {
            request_id: 42,
            version: 3,
            tz: Some("Europe/Paris".into()),
        };
        let form = serde_json::to_string(&change_access_form(
            &request(RequestState::Active),
            &metadata,
            10,
            Lang::Fr,
        ))
        .unwrap();
        assert!(form.contains("Modifier l'accès"));
        assert!(
            form.contains("Invité multicanal · parrain <@UREQ>"),
            "{form}"
        );
        assert!(form.contains("Annuler"));
    }
}
