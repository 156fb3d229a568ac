//! App Home, `/guest list`, `/guest status` and `/guest help`.

use super::card::{account_buttons, decision_buttons};
use super::*;
use crate::domain::Expiry;
use crate::slack::say::{guest_type_label, state_word};
use chrono_tz::Tz;

/// One line per request, for `/guest list` and App Home.
pub fn request_line(request: &GuestRequest, lang: Lang) -> String {
    format!(
        "*{}* {} ({}) · {} · {}",
        request.id,
        safe(&request.full_name, 60),
        safe(request.email.as_str(), 254),
        guest_type_label(request.guest_type, lang),
        state_word(request.state, lang)
    )
}

/// `/guest list`: the caller's requests.
pub fn request_list(requests: &[GuestRequest], lang: Lang) -> String {
    let lines: Vec<String> = requests.iter().map(|r| request_line(r, lang)).collect();
    format!("*{}*\n{}", t!(lang, "home-your-requests"), lines.join("\n"))
}

/// `/guest status`: the request in the viewer's own time zone.
pub fn status_text(request: &GuestRequest, tz: Tz, now: DateTime<Utc>, lang: Lang) -> String {
    let expiry = match (request.expires_at, request.expiry) {
        (Some(at), _) | (None, Expiry::At { at }) => format!(
            "{} ({})",
            i18n::date_in_zone(at, tz, lang),
            i18n::relative(at, now, lang)
        ),
        (None, expiry) => expiry_terms(&expiry, lang),
    };
    t!(
        lang,
        "status-text",
        line = request_line(request, lang),
        channels = channels_text(request),
        expiry = expiry,
        requester = format!("<@{}>", request.requester),
        at = i18n::date_in_zone(request.created_at, tz, lang),
        status = status(request, lang)
    )
}

/// App Home: my requests; for approvers, the queue with the same buttons as the cards.
/// What an approver sees in App Home besides their own requests.
#[derive(Debug, Clone, Default)]
pub struct ApproverHome {
    /// Pending requests this approver may decide, with their current round's votes.
    pub queue: Vec<(GuestRequest, Vec<crate::domain::quorum::Vote>)>,
    /// One page of the open guest accounts, soonest to end first.
    pub accounts: Vec<GuestRequest>,
    /// Which page (from 0) `accounts` is, and how many accounts there are in all.
    pub accounts_page: usize,
    pub accounts_total: usize,
    /// The filter `accounts` went through (`accounts_total` counts what passed).
    pub accounts_filter: crate::slack::ids::HomeFilter,
    /// Guests in Slack that Guestlist does not manage (the first few), and how many in all.
    pub unmanaged: Vec<super::UnmanagedLine>,
    pub unmanaged_total: usize,
    /// For reviewers: the open access review (id, deadline, counts), or none (a Start button).
    pub reviews: Option<Option<(i64, DateTime<Utc>, crate::domain::review::Progress)>>,
    /// The viewer may open this workspace's own settings (installs through OAuth).
    pub workspace_settings: bool,
}

/// `links`: the viewer's open invite links, or `None` where links are off (no public URL).
pub fn home(
    mine: &[GuestRequest],
    approver: Option<&ApproverHome>,
    links: Option<&[crate::domain::join::InviteLink]>,
    now: DateTime<Utc>,
    lang: Lang,
) -> SlackView {
    const MAX_MINE: usize = 10;
    const MAX_QUEUE: usize = 20;
    let mut top: Vec<SlackActionBlockElement> = slack_blocks![some_into(
        SlackBlockButtonElement::new(pt!(t!(lang, "offer-button")))
            .with_action_id(Button::OpenForm.action_id().into())
            .with_style(SlackBlockButtonStyle::Primary)
    )];
    if approver.is_some_and(|a| a.workspace_settings) {
        top.push(
            button(
                &t!(lang, "install-open-settings"),
                &Button::WorkspaceSettings,
            )
            .into(),
        );
    }
    let mut blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackHeaderBlock::new(pt!("Guestlist"))),
        some_into(SlackSectionBlock::new().with_text(md!("{}", t!(lang, "home-intro")))),
        some_into(SlackActionsBlock::new(top)),
        some_into(SlackDividerBlock::new()),
        some_into(SlackHeaderBlock::new(pt!(t!(lang, "home-your-requests"))))
    ];
    if mine.is_empty() {
        blocks.push(SlackContextBlock::new(vec![md!("{}", t!(lang, "home-none-yet"))]).into());
    }
    for request in mine.iter().take(MAX_MINE) {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", request_line(request, lang)))
                .into(),
        );
    }
    if let Some(links) = links {
        blocks.extend(super::links::link_lines(links, lang));
    }
    // Before the long lists, so Slack's 100-block cut never takes it.
    if let Some(Some(reviews)) = approver.map(|a| &a.reviews) {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(SlackHeaderBlock::new(pt!(t!(lang, "home-reviews"))).into());
        match reviews {
            Some((id, deadline, p)) => blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "{}",
                        t!(
                            lang,
                            "home-review-open",
                            id = *id,
                            reviewed = p.reviewed,
                            total = p.total,
                            ended = p.ended,
                            waiting = p.waiting,
                            due = date(*deadline, lang)
                        )
                    ))
                    .into(),
            ),
            None => blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!("{}", t!(lang, "home-review-start-text")))
                    .with_accessory(SlackSectionBlockElement::Button(button(
                        &t!(lang, "home-review-start"),
                        &Button::StartReview,
                    )))
                    .into(),
            ),
        }
    }
    if let Some(ApproverHome {
        queue,
        accounts,
        accounts_page,
        accounts_total,
        accounts_filter,
        ..
    }) = approver
    {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(SlackHeaderBlock::new(pt!(t!(lang, "home-queue", count = queue.len()))).into());
        if queue.is_empty() {
            blocks
                .push(SlackContextBlock::new(vec![md!("{}", t!(lang, "home-queue-empty"))]).into());
        }
        for (request, votes) in queue.iter().take(MAX_QUEUE) {
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "{}\n{}",
                        t!(
                            lang,
                            "home-queue-line",
                            line = request_line(request, lang),
                            requester = format!("<@{}>", request.requester),
                            expiry = expiry_words(request, now, lang)
                        ),
                        quote(&request.reason, 300)
                    ))
                    .into(),
            );
            if let Some(progress) = super::card::approval_progress(request, votes, now, lang) {
                blocks.push(SlackContextBlock::new(vec![md!("{}", progress)]).into());
            }
            blocks.push(
                SlackActionsBlock::new(decision_buttons(request, lang))
                    .with_block_id(format!("decide:{}", request.id.0).into())
                    .into(),
            );
        }
        if queue.len() > MAX_QUEUE {
            blocks.push(
                SlackContextBlock::new(vec![md!(
                    "{}",
                    t!(lang, "home-queue-more", count = queue.len() - MAX_QUEUE)
                )])
                .into(),
            );
        }
        let filtered = *accounts_filter != crate::slack::ids::HomeFilter::All;
        if accounts.is_empty() && filtered {
            blocks.push(SlackDividerBlock::new().into());
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!("{}", t!(lang, "home-filter-empty")))
                    .with_accessory(SlackSectionBlockElement::StaticSelect(filter_menu(
                        *accounts_filter,
                        lang,
                    )))
                    .into(),
            );
        }
        if !accounts.is_empty() {
            let total = (*accounts_total).max(accounts.len());
            let first = accounts_page * ACCOUNTS_PER_PAGE + 1;
            let last = (first + accounts.len().min(ACCOUNTS_PER_PAGE)).saturating_sub(1);
            blocks.push(SlackDividerBlock::new().into());
            blocks
                .push(SlackHeaderBlock::new(pt!(t!(lang, "home-accounts", total = total))).into());
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(md!(
                        "{}",
                        t!(
                            lang,
                            "home-showing",
                            first = first,
                            last = last,
                            total = total
                        )
                    ))
                    .with_accessory(SlackSectionBlockElement::StaticSelect(filter_menu(
                        *accounts_filter,
                        lang,
                    )))
                    .into(),
            );
            for request in accounts.iter().take(ACCOUNTS_PER_PAGE) {
                blocks.push(
                    SlackSectionBlock::new()
                        .with_text(md!(
                            "{}",
                            t!(
                                lang,
                                "home-account-line",
                                line = request_line(request, lang),
                                sponsor = format!("<@{}>", request.requester),
                                expiry = expiry_words(request, now, lang)
                            )
                        ))
                        .into(),
                );
                if let Some(buttons) = account_buttons(request, lang) {
                    blocks.push(
                        SlackActionsBlock::new(buttons)
                            .with_block_id(format!("account:{}", request.id.0).into())
                            .into(),
                    );
                }
            }
            let mut nav: Vec<SlackActionBlockElement> = Vec::new();
            if *accounts_page > 0 {
                nav.push(
                    button(
                        &t!(lang, "home-previous"),
                        &Button::HomePreviousPage(accounts_page - 1, *accounts_filter),
                    )
                    .into(),
                );
            }
            if last < total {
                nav.push(
                    button(
                        &t!(lang, "home-next"),
                        &Button::HomePage(accounts_page + 1, *accounts_filter),
                    )
                    .into(),
                );
            }
            if !nav.is_empty() {
                blocks.push(
                    SlackActionsBlock::new(nav)
                        .with_block_id("accounts_pages".into())
                        .into(),
                );
            }
        }
    }
    if let Some(approver) = approver
        && approver.unmanaged_total > 0
    {
        blocks.extend(super::adopt::unmanaged_lines(
            &approver.unmanaged,
            approver.unmanaged_total,
            lang,
        ));
    }
    // Block Kit takes at most 100 blocks in a Home tab: a full queue, full lists and many links
    // together are cut, and the last block says so.
    if blocks.len() > MAX_HOME_BLOCKS {
        blocks.truncate(MAX_HOME_BLOCKS - 1);
        blocks.push(SlackContextBlock::new(vec![md!("{}", t!(lang, "home-cut"))]).into());
    }
    SlackView::Home(SlackHomeView::new(blocks))
}

/// The accounts' filter menu; its choice comes back as a `home_filter` action.
fn filter_menu(
    current: crate::slack::ids::HomeFilter,
    lang: Lang,
) -> SlackBlockStaticSelectElement {
    use crate::slack::ids::HomeFilter;
    let label = |f: HomeFilter| match f {
        HomeFilter::All => t!(lang, "home-filter-all"),
        HomeFilter::EndingWithin7Days => t!(lang, "home-filter-7-days"),
        HomeFilter::EndingWithin30Days => t!(lang, "home-filter-30-days"),
        HomeFilter::NoEndDate => t!(lang, "home-filter-no-end"),
        HomeFilter::AwaitingReview => t!(lang, "home-filter-review"),
    };
    let option = |f: HomeFilter| SlackBlockChoiceItem::new(pt!(label(f)), f.as_str().to_string());
    SlackBlockStaticSelectElement::new()
        .with_action_id(Button::HomeFilter(current).action_id().into())
        .with_options(HomeFilter::ALL.into_iter().map(option).collect())
        .with_initial_option(SlackBlockChoiceItem::new(
            pt!(label(current)),
            current.as_str().to_string(),
        ))
}

/// Guest accounts shown per App Home page.
pub const ACCOUNTS_PER_PAGE: usize = 10;

/// Slack's limit on a Home tab's blocks.
pub const MAX_HOME_BLOCKS: usize = 100;

/// `/guest help`.
pub fn help_text(lang: Lang) -> String {
    t!(lang, "help")
}
